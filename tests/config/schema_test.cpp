// SPDX-License-Identifier: Apache-2.0
// schemas/mapping.schema.json, checked by a real draft 2020-12 validator (Debian's python3
// with python3-jsonschema): the project's mappings and examples must validate, and files the
// loader rejects for a schema-expressible reason must be rejected by the schema too.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kRoot = REPLICATE_SOURCE_DIR;

struct Validation {
  int status = -1;
  std::string output;
};

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Run validate_schema.py with `args` (--valid/--invalid and files); exit status and output.
Validation validate(const std::vector<std::string>& args) {
  std::string cmd = "/usr/bin/python3 " + quoted(kRoot + "/tests/config/validate_schema.py") + " " +
                    quoted(kRoot + "/schemas/mapping.schema.json");
  for (const auto& a : args) cmd += " " + quoted(a);
  cmd += " 2>&1";
  Validation run;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) run.output += buf.data();
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
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

bool marked_schema_rejected(const std::string& path) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# schema: rejected", 0) == 0) return true;
  return false;
}

TEST(SchemaValidation, AcceptsTheConfigTestFixtures) {
  const auto files = yaml_files(kRoot + "/tests/config/valid");
  ASSERT_GE(files.size(), 3u);
  std::vector<std::string> args = {"--valid"};
  args.insert(args.end(), files.begin(), files.end());
  const Validation run = validate(args);
  EXPECT_EQ(run.status, 0) << run.output;
}

TEST(SchemaValidation, RejectsInvalidFixtures) {
  std::vector<std::string> files;
  for (const auto& f : yaml_files(kRoot + "/tests/config/invalid"))
    if (marked_schema_rejected(f)) files.push_back(f);
  ASSERT_GE(files.size(), 10u) << "invalid fixtures marked '# schema: rejected'";
  ASSERT_TRUE(std::any_of(files.begin(), files.end(),
                          [](const auto& f) { return f.ends_with("/unknown_key.yaml"); }));
  std::vector<std::string> args = {"--invalid"};
  args.insert(args.end(), files.begin(), files.end());
  const Validation run = validate(args);
  EXPECT_EQ(run.status, 0) << run.output;
}

// Proves the harness can fail: a file the schema accepts, passed as --invalid, is an error.
TEST(SchemaValidation, ReportsAnInvalidExpectationThatDoesNotHold) {
  const Validation run = validate({"--invalid", kRoot + "/tests/config/valid/minimal.yaml"});
  EXPECT_EQ(run.status, 1) << run.output;
}

TEST(SchemaValidation, ProjectMappingsAndExamplesValidate) {
  std::vector<std::string> files = yaml_files(kRoot + "/mappings");
  const auto examples = yaml_files(kRoot + "/examples");
  files.insert(files.end(), examples.begin(), examples.end());
  ASSERT_FALSE(files.empty()) << "no YAML files in mappings/ or examples/: nothing to validate";
  std::vector<std::string> args = {"--valid"};
  args.insert(args.end(), files.begin(), files.end());
  const Validation run = validate(args);
  EXPECT_EQ(run.status, 0) << run.output;  // also fails when none of them is a mapping
}

}  // namespace
