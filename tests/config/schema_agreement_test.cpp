// SPDX-License-Identifier: Apache-2.0
// schemas/mapping.schema.json against the loader, the authority: ajv in strict mode
// (tests/schema/check.mjs, YAML read as an editor reads it) and `replicate validate` judge
// the same corpus (every fixture under tests/config, examples/, mappings/), and must agree
// on every file but those in kExceptions, each of which names the rule a JSON Schema cannot
// express. `validate` reads no environment, so the corpus needs none.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kRoot = REPLICATE_SOURCE_DIR;
const std::string kSchema = kRoot + "/schemas/mapping.schema.json";
const std::string kChecker = kRoot + "/tests/schema/check.mjs";

/// Files the loader rejects and the schema accepts, relative to the source tree, with the
/// rule behind the difference. Each must still disagree: a stale entry fails the test.
const std::map<std::string, std::string> kExceptions = {
    // A JSON Schema validates values, not how they were written. Read as YAML 1.2 (core
    // schema, as editors read it), 4000.0 and 1e3 are numbers with integer values and 0x4 or
    // 0o4 are the integer 4; the loader takes an integer only as decimal digits with an
    // optional sign, as written.
    {"tests/config/invalid/batch_size_float.yaml", "integers written as digits only: 4000.0 is the integer 4000 to a schema"},
    {"tests/config/invalid/workers_hex.yaml", "integers written as digits only: 0x4 is the integer 4 in YAML 1.2"},
    // Comparisons between values: JSON Schema compares a value with constants, never with
    // another value of the same instance (uniqueItems compares whole items only).
    {"tests/config/invalid/duplicate_source.yaml", "no two entries copy the same source table (compared case-insensitively)"},
    {"tests/config/invalid/duplicate_target.yaml", "no two entries write the same target table (derived from the source, after the case rule)"},
    {"tests/config/invalid/duplicate_column.yaml", "no two columns of an entry have the same target name (derived, after the case rule)"},
    {"tests/config/invalid/key_not_mapped.yaml", "each key column is among the entry's mapped columns"},
    {"tests/config/invalid/key_excluded.yaml", "no key column is excluded (compared case-insensitively)"},
    {"tests/config/invalid/stale_value_equals_live.yaml", "stale.value and stale.live differ when both are written"},
    // Outside the file.
    {"tests/config/invalid/missing_file.yaml", "${file:PATH} names a readable file (relative to the mapping file)"},
    // Its secret.txt is written beside a copy by loader_test, and is not in the tree.
    {"tests/config/valid/interpolation.yaml", "${file:PATH} names a readable file (relative to the mapping file)"},
    {"tests/config/invalid/file_placeholder_device.yaml", "${file:PATH} names a regular file of at most 1 MiB"},
    // A grammar of its own, checked by libpq's parser.
    {"tests/config/invalid/libpq_unparsable.yaml", "a PostgreSQL connection string parses as libpq parses it"},
};

struct Outcome {
  int status = -1;
  std::string output;
};

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Outcome run(const std::string& cmd) {
  Outcome r;
  FILE* pipe = popen((cmd + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) r.output += buf.data();
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

/// check.mjs over `files` against `schema`.
Outcome ajv(const std::string& schema, const std::vector<std::string>& files) {
  std::string cmd = "node " + quoted(kChecker) + " " + quoted(schema);
  for (const auto& f : files) cmd += " " + quoted(f);
  return run(cmd);
}

std::vector<std::string> yaml_files(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> corpus() {
  std::vector<std::string> out;
  for (const char* dir : {"/tests/config/valid", "/tests/config/invalid", "/examples", "/mappings"}) {
    const auto files = yaml_files(kRoot + dir);
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

std::string relative(const std::string& path) { return path.substr(kRoot.size() + 1); }

TEST(SchemaAgreement, CheckerIsInstalled) {
  ASSERT_TRUE(fs::exists(kRoot + "/tests/schema/node_modules/ajv/package.json"))
      << "ajv is missing: run scripts/setup.sh (npm ci --prefix tests/schema)";
}

TEST(SchemaAgreement, LoaderAndSchemaAgreeOnEveryFile) {
  const auto files = corpus();
  ASSERT_GE(files.size(), 60u) << "the corpus shrank: is the source tree complete?";

  const Outcome checked = ajv(kSchema, files);
  ASSERT_EQ(checked.status, 0) << checked.output;
  std::map<std::string, std::string> verdicts;  // file -> "valid" or "invalid: ..."
  for (std::size_t start = 0; start < checked.output.size();) {
    const std::size_t end = checked.output.find('\n', start);
    const std::string line = checked.output.substr(start, end - start);
    start = end == std::string::npos ? checked.output.size() : end + 1;
    for (const auto& f : files)
      if (line.rfind(f + ": ", 0) == 0) verdicts[f] = line.substr(f.size() + 2);
  }

  std::size_t accepted = 0, rejected = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(relative(f));
    ASSERT_EQ(verdicts.count(f), 1u) << "check.mjs said nothing about it:\n" << checked.output;
    const bool schema_valid = verdicts[f] == "valid";
    const Outcome loaded = run("env -i PATH=/usr/bin:/bin " + quoted(REPLICATE_BINARY) + " validate --quiet " + quoted(f));
    ASSERT_TRUE(loaded.status == 0 || loaded.status == 2) << loaded.output;
    const bool loader_valid = loaded.status == 0;
    (loader_valid ? accepted : rejected)++;
    if (const auto e = kExceptions.find(relative(f)); e != kExceptions.end()) {
      EXPECT_FALSE(loader_valid) << "listed as an exception (" << e->second << "), but the loader accepts it";
      EXPECT_TRUE(schema_valid) << "listed as an exception (" << e->second
                                << "), but the schema rejects it too: remove it from kExceptions";
      continue;
    }
    if (loader_valid)
      EXPECT_TRUE(schema_valid) << "the loader accepts it, the schema does not: " << verdicts[f];
    else
      EXPECT_FALSE(schema_valid) << "the loader rejects it (" << loaded.output
                                 << "), the schema accepts it: make the schema say so, or list the "
                                    "rule in kExceptions if no JSON Schema can";
  }
  // Both sides of the corpus are there, so neither verdict can pass vacuously.
  EXPECT_GE(accepted, 5u);
  EXPECT_GE(rejected, 40u);
}

TEST(SchemaAgreement, EveryExceptionIsInTheCorpus) {
  const auto files = corpus();
  for (const auto& [file, rule] : kExceptions)
    EXPECT_TRUE(std::find(files.begin(), files.end(), kRoot + "/" + file) != files.end()) << file << ": " << rule;
}

// Strict mode is what keeps the schema portable: a warning it logs (not only an error it
// throws) fails the check. A union type is one such warning.
TEST(SchemaAgreement, StrictModeWarningsFailTheCheck) {
  const fs::path dir = fs::temp_directory_path() / ("replicate-schema-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string schema = (dir / "union.schema.json").string();
  std::ofstream(schema) << R"({"$schema": "https://json-schema.org/draft/2020-12/schema",
                               "type": "object", "properties": {"a": {"type": ["string", "integer"]}}})";
  const Outcome checked = ajv(schema, {kRoot + "/tests/config/valid/minimal.yaml"});
  fs::remove_all(dir);
  EXPECT_EQ(checked.status, 2) << checked.output;
  EXPECT_NE(checked.output.find("strict mode"), std::string::npos) << checked.output;
}

}  // namespace
