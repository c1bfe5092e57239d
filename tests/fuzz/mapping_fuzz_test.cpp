// SPDX-License-Identifier: Apache-2.0
// Fuzzing the mapping loader and the planner through the binary: a corpus of mutated
// mappings (bit flips, truncations, spliced lines, alias bombs, deep nesting, huge values,
// invalid UTF-8, NULs), generated from a fixed seed so every run checks the same files,
// goes through `replicate validate` and, where it validates, `replicate plan` against a
// SQLite source made here. No file may crash, hang, or end in exit 2 without FILE:LINE.
// scripts/test-sanitize.sh runs it under AddressSanitizer and UBSan; REPLICATE_TEST_KEEP
// keeps the corpus.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli/cli_support.hpp"
#include "support/test_db.hpp"

namespace replicate::test {
namespace {

using namespace std::chrono_literals;

const std::string kRoot = REPLICATE_SOURCE_DIR;

/// splitmix64: the same sequence on every platform (std distributions are not).
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

/// A mapping the planner can run: a SQLite source made by the test, the suite's PostgreSQL.
const char* const kPlannable = R"yaml(# fuzz seed
version: 1
source:
  driver: sqlite
  connection: "${env:FUZZ_DB}"
target:
  driver: postgresql
  connection: "host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} dbname=${env:FUZZ_DST}"
state_schema: replicate
defaults:
  batch_size: 500
  workers: 2
  chunk_rows: 1000
  mode: full
types:
  - {from: text, to: text}
tables:
  - source: items
    target: public.items
    key: [id]
    columns:
      - id
      - {source: name, target: nome, type: "varchar(40)"}
      - {expr: "upper(name)", target: name_upper}
      - {value: "1", target: status}
      - {source: secret, exclude: true}
    where: "id > 0"
  - include: ["log_*"]
    exclude: ["log_tmp*"]
    target: "public.{table}"
  - source: events
    mode: append
    on_conflict: skip
    max_rejects: unlimited
)yaml";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Sample {
  std::string name;  // file name, which says how it was made
  std::string text;
  bool plannable;    // made from kPlannable: worth a `plan` when it validates
};

std::string alias_bomb(int levels, int width) {
  std::string out = "bomb0: &a0 [\"lol\"";
  for (int i = 1; i < width; ++i) out += ", \"lol\"";
  out += "]\n";
  for (int l = 1; l < levels; ++l) {
    out += "bomb" + std::to_string(l) + ": &a" + std::to_string(l) + " [*a" + std::to_string(l - 1);
    for (int i = 1; i < width; ++i) out += ", *a" + std::to_string(l - 1);
    out += "]\n";
  }
  return out;
}

/// The hand-made hostile files: alias bombs, deep nesting, huge values.
std::vector<Sample> crafted() {
  std::vector<Sample> out;
  const std::string head = "version: 1\nsource: {driver: sqlite, connection: \"${env:FUZZ_DB}\"}\n"
                           "target: {driver: postgresql, connection: \"host=${env:PGHOST} port=${env:PGPORT} "
                           "user=${env:PGUSER} dbname=${env:FUZZ_DST}\"}\n";
  const std::string bomb = alias_bomb(9, 9);  // 9^9 leaves if anything expanded it
  out.push_back({"bomb-top", bomb + head + "tables: [{source: items}]\n", true});
  out.push_back({"bomb-tables", head + "x: &a0 [{source: items}]\ntables: *a0\n", true});
  // Nine levels of nine aliases each, defined inside the value each key reads.
  std::string levels = "[&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]";
  for (int l = 1; l < 9; ++l) {
    const std::string prev = "*a" + std::to_string(l - 1);
    levels += ", &a" + std::to_string(l) + " [" + prev;
    for (int i = 1; i < 9; ++i) levels += ", " + prev;
    levels += "]";
  }
  levels += "]";
  out.push_back({"bomb-in-tables", head + "tables: " + levels + "\n", true});
  out.push_back({"bomb-in-types", head + "types: " + levels + "\ntables: [{source: items}]\n", true});
  out.push_back({"bomb-in-defaults", head + "defaults: " + levels + "\ntables: [{source: items}]\n", true});
  for (const char* where : {"include", "key", "columns", "exclude", "where", "source", "target", "stale"}) {
    const std::string w = where;
    const std::string entry = w == "include" || w == "exclude" ? "  - include: [\"log_*\"]\n" : "  - source: items\n";
    if (w != "include" && w != "source")
      out.push_back({"bomb-in-" + w, head + "tables:\n" + entry + "    " + w + ": " + levels + "\n", true});
    else
      out.push_back({"bomb-in-" + w, head + "tables:\n  - " + w + ": " + levels + "\n", true});
    out.push_back({"bomb-ref-" + w, head + "tables:\n" + entry + "    " + w + ": &b [*b]\n", true});
  }
  out.push_back({"deep-flow-seq", head + "tables: " + std::string(100000, '[') + std::string(100000, ']') + "\n",
                 true});
  std::string maps;
  for (int i = 0; i < 50000; ++i) maps += "{a: ";
  maps += "1" + std::string(50000, '}');
  out.push_back({"deep-flow-map", head + "tables:\n  - source: items\n    where: " + maps + "\n", true});
  std::string block = head + "tables:\n  - source: items\n    columns:\n";
  std::string indent = "      ";
  for (int i = 0; i < 3000; ++i) {
    block += indent + "- k:\n";
    indent += "  ";
  }
  out.push_back({"deep-block", block, true});
  out.push_back({"huge-value", head + "tables:\n  - source: \"" + std::string(8 << 20, 'x') + "\"\n", true});
  out.push_back({"huge-file", head + "tables:\n  - source: items\n# " + std::string(17 << 20, 'x') + "\n", true});
  std::string many = head + "tables:\n";
  for (int i = 0; i < 20000; ++i) many += "  - source: t" + std::to_string(i) + "\n";
  out.push_back({"huge-table-list", many, true});
  std::string keys = head + "tables:\n  - source: items\n    key: [";
  for (int i = 0; i < 50000; ++i) keys += (i ? ", k" : "k") + std::to_string(i);
  out.push_back({"huge-key-list", keys + "]\n", true});
  out.push_back({"huge-number", head + "defaults:\n  chunk_rows: " + std::string(5000, '9') + "\ntables: [{source: items}]\n",
                 true});
  out.push_back({"huge-key-name", head + std::string(1 << 20, 'k') + ": 1\ntables: [{source: items}]\n", true});
  out.push_back({"nul-escape", head + "tables:\n  - source: \"ite\\0ms\"\n", true});
  out.push_back({"surrogate-escape", head + "tables:\n  - source: \"items\\uDC00\"\n", true});
  out.push_back({"merge-key", head + "base: &b {source: items}\ntables:\n  - <<: *b\n", true});
  out.push_back({"tags", head + "tables:\n  - !!map {source: !!binary aXRlbXM=}\n", true});
  out.push_back({"docs", head + "tables: [{source: items}]\n---\n" + head + "tables: [{source: items}]\n", true});
  out.push_back({"bom", "\xEF\xBB\xBF" + head + "tables: [{source: items}]\n", true});
  out.push_back({"utf16", std::string("\xFF\xFE", 2) + "v\0e\0r\0", false});
  out.push_back({"empty", "", false});
  out.push_back({"only-comment", "# nothing\n", false});
  return out;
}

/// Mutations of `seed`: the same `count` files for the same `rng` state.
std::vector<Sample> mutated(const std::string& stem, const std::string& seed, bool plannable, Rng& rng, int count) {
  std::vector<Sample> out;
  const std::vector<std::string> bad_utf8 = {"\xFF", "\xC0\xAF", "\xED\xA0\x80", "\x80", "\xE2\x82", "\xF4\x90\x80\x80",
                                             "\xFE\xFE"};
  auto lines_of = [](const std::string& s) {
    std::vector<std::string> lines;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  };
  auto joined = [](const std::vector<std::string>& lines) {
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  };
  for (int i = 0; i < count; ++i) {
    std::string t = seed;
    std::string kind;
    switch (rng.below(8)) {
      case 0:
      case 1: {
        kind = "flip";
        const std::size_t flips = 1 + rng.below(8);
        for (std::size_t f = 0; f < flips; ++f) t[rng.below(t.size())] ^= static_cast<char>(1u << rng.below(8));
        break;
      }
      case 2:
        kind = "truncate";
        t.resize(rng.below(t.size()));
        break;
      case 3: {
        kind = "splice";
        auto lines = lines_of(t);
        const std::size_t a = rng.below(lines.size()), b = rng.below(lines.size());
        switch (rng.below(3)) {
          case 0: lines.insert(lines.begin() + a, lines[b]); break;
          case 1: lines.erase(lines.begin() + a); break;
          default: std::swap(lines[a], lines[b]);
        }
        t = joined(lines);
        break;
      }
      case 4:
        kind = "utf8";
        t.insert(rng.below(t.size() + 1), bad_utf8[rng.below(bad_utf8.size())]);
        break;
      case 5:
        kind = "nul";
        t.insert(rng.below(t.size() + 1), std::string(1, '\0'));
        break;
      case 6: {
        kind = "bytes";  // YAML's own punctuation, where it means something
        const char* punct[] = {":", "- ", "[", "]", "{", "}", "&x ", "*x", "!", "|", ">", "'", "\"", "#", "\t", "%", "@",
                               "`", "? ", "${", "$${", "${env:", "${file:/dev/zero}", "\\", "\n  ", "\n", ",", "---\n"};
        const std::size_t n = 1 + rng.below(4);
        for (std::size_t k = 0; k < n; ++k) t.insert(rng.below(t.size() + 1), punct[rng.below(std::size(punct))]);
        break;
      }
      default: {
        kind = "value";  // a scalar swapped for another kind of value
        auto lines = lines_of(t);
        const std::size_t a = rng.below(lines.size());
        const std::size_t colon = lines[a].find(": ");
        if (colon != std::string::npos) {
          const char* values[] = {"[]", "{}", "[a, [b]]", "{x: 1}", "~", "-1", "0", "18446744073709551616",
                                  "1e400", "0x7fffffff", ".nan", "true", "\"\"", "''", "!!null", "*undefined_alias",
                                  "&anchor value", "\"\\x00\"", "\"\\U0010FFFF\"", "|\n  block", "\"${env:HOME}\""};
          lines[a] = lines[a].substr(0, colon + 2) + values[rng.below(std::size(values))];
        }
        t = joined(lines);
      }
    }
    char name[160];
    std::snprintf(name, sizeof name, "%s-%03d-%s", stem.c_str(), i, kind.c_str());
    out.push_back({name, t, plannable});
  }
  return out;
}

/// The messages of a validate run's stderr, one per "error: " line (continuations kept),
/// without the timestamp each line starts with off a terminal.
std::vector<std::string> messages(const std::string& err) {
  static const std::regex stamp(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (  )?)");
  std::vector<std::string> out;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) {
    line = std::regex_replace(line, stamp, "", std::regex_constants::format_first_only);
    if (line.rfind("error: ", 0) == 0 || out.empty())
      out.push_back(line);
    else
      out.back() += "\n" + line;
  }
  return out;
}

/// True when `err` holds "PATH:LINE:".
bool names_a_line(const std::string& err, const std::string& path) {
  for (std::size_t p = err.find(path + ":"); p != std::string::npos; p = err.find(path + ":", p + 1)) {
    const std::size_t d = p + path.size() + 1;
    if (d < err.size() && std::isdigit(static_cast<unsigned char>(err[d]))) return true;
  }
  return false;
}

bool sanitizer_spoke(const std::string& err) {
  return err.find("Sanitizer") != std::string::npos || err.find("runtime error:") != std::string::npos;
}

TEST(MappingFuzz, NoCrashNoHangEveryErrorHasFileAndLine) {
  const std::string dir = temp_dir();
  const std::string db = dir + "/src.sqlite";
  write_text(dir + "/src.sql",
             "CREATE TABLE items (id integer PRIMARY KEY, name text, secret text);"
             "INSERT INTO items VALUES (1, 'a', 's'), (2, 'b', 't');"
             "CREATE TABLE log_a (id integer PRIMARY KEY, v text); CREATE TABLE log_b (id integer PRIMARY KEY, v text);"
             "CREATE TABLE log_tmp1 (id integer PRIMARY KEY, v text);"
             "CREATE TABLE events (id integer PRIMARY KEY, v text); INSERT INTO events VALUES (1, 'x');");
  ASSERT_EQ(std::system(("sqlite3 " + db + " < " + dir + "/src.sql").c_str()), 0);
  const std::string dst = create_database("fuzz_dst");
  EnvVars env = pg().env();
  env.push_back({"FUZZ_DB", db});
  env.push_back({"FUZZ_DST", database_of(dst)});

  // The corpus: the same files on every run.
  Rng rng{20240614};
  std::vector<Sample> corpus = crafted();
  for (auto& s : mutated("plannable", kPlannable, true, rng, 420)) corpus.push_back(std::move(s));
  for (const char* seed : {"full", "minimal", "interpolation"})
    for (auto& s : mutated(seed, read_file(kRoot + "/tests/config/valid/" + seed + ".yaml"), false, rng, 60))
      corpus.push_back(std::move(s));
  const std::string corpus_dir = dir + "/corpus";
  std::filesystem::create_directories(corpus_dir);
  std::vector<std::string> paths;
  for (const auto& s : corpus) {
    paths.push_back(corpus_dir + "/" + s.name + ".yaml");
    write_text(paths.back(), s.text);
  }
  const auto started = std::chrono::steady_clock::now();

  // validate, 50 files a process; a batch that hangs is retried file by file to name it.
  // FILE:LINE:COLUMN, or FILE alone for a file refused unread (a device, too large).
  const std::regex located("^error: " + corpus_dir +
                           "/[^:]+\\.yaml(:[0-9]+:[0-9]+: \\S|: cannot read the mapping file \\()[\\s\\S]*$");
  std::set<std::string> valid;
  const std::size_t per_batch = 50;
  for (std::size_t first = 0; first < paths.size(); first += per_batch) {
    const std::vector<std::string> batch(paths.begin() + first,
                                         paths.begin() + std::min(paths.size(), first + per_batch));
    std::vector<std::string> args{"validate"};
    args.insert(args.end(), batch.begin(), batch.end());
    const auto r = run_with_limit(args, env, 60s, dir, "validate");
    if (r.exit_code == -1) {
      for (const auto& p : batch)
        EXPECT_NE(run_with_limit({"validate", p}, env, 20s, dir, "validate-one").exit_code, -1)
            << "validate hangs on " << p;
      continue;
    }
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 2) << "validate exited " << r.exit_code << " on a batch from "
                                                      << batch.front() << "\n" << r.err.substr(0, 4000);
    EXPECT_FALSE(sanitizer_spoke(r.err)) << r.err.substr(0, 8000);
    std::size_t errors = 0;
    for (const auto& m : messages(r.err)) {
      if (m.empty()) continue;
      ++errors;
      EXPECT_TRUE(std::regex_match(m, located)) << "an error without FILE:LINE:COLUMN: " << m.substr(0, 500);
    }
    std::size_t oks = 0;
    for (const auto& p : batch)
      if (r.out.find(p + ": ok (") != std::string::npos) {
        valid.insert(p);
        ++oks;
      }
    EXPECT_EQ(oks + errors, batch.size()) << "every file gets one line, ok or error\n" << r.out << r.err.substr(0, 4000);
  }

  // plan, for the files made from the plannable seed that validated.
  std::size_t planned = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (!corpus[i].plannable || !valid.count(paths[i])) continue;
    ++planned;
    const auto r = run_with_limit({"plan", paths[i]}, env, 30s, dir, "plan");
    EXPECT_NE(r.exit_code, -1) << "plan hangs on " << paths[i];
    if (r.exit_code == -1) continue;
    EXPECT_TRUE(r.exit_code >= 0 && r.exit_code <= 3) << "plan exited " << r.exit_code << " on " << paths[i] << "\n"
                                                      << r.err.substr(0, 4000);
    EXPECT_FALSE(sanitizer_spoke(r.err)) << paths[i] << "\n" << r.err.substr(0, 8000);
    // Plan errors name the entry's FILE:LINE:COLUMN, in front or after the table they are about.
    if (r.exit_code == 2)
      EXPECT_TRUE(names_a_line(r.err, paths[i]))
          << "a plan error without FILE:LINE on " << paths[i] << ": " << r.err.substr(0, 500);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("fuzz: %zu files, %zu valid, %zu planned, %.1f s\n", paths.size(), valid.size(), planned, seconds);
  EXPECT_GT(valid.size(), 20u) << "the mutations should leave some files valid";
  EXPECT_GT(planned, 10u);
}

}  // namespace
}  // namespace replicate::test
