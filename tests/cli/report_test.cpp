// SPDX-License-Identifier: Apache-2.0
// --report never writes through a symbolic link (refused before the copy starts, exit 2),
// and the report, which holds sample keys, is created with mode 0600.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/cli_support.hpp"
#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using namespace std::chrono_literals;

struct Report : TwoDatabases {
  std::string mapping = dir + "/m.yaml";
  void SetUp() override {
    pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM "
                 "generate_series(1, 100) g");
    write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    target: public.t\n", "  mode: full\n"));
  }
};

TEST_F(Report, RefusesASymbolicLinkBeforeCopying) {
  const std::string victim = dir + "/victim.txt";
  write_text(victim, "victim");
  const std::string report = dir + "/report.json";
  ASSERT_EQ(symlink(victim.c_str(), report.c_str()), 0);
  const auto r = run_with_limit({"--report", report, mapping}, env, 120s, dir);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--report " + report + ": it is a symbolic link"), std::string::npos) << r.err;
  std::ifstream in(victim);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "victim");
  EXPECT_EQ(pg_scalar(dst, "SELECT to_regclass('public.t')::text"), std::nullopt) << "copied despite the bad --report";
}

TEST_F(Report, IsWrittenWithModeSixHundred) {
  const std::string report = dir + "/report.json";
  write_text(report, "old");  // replaced, not appended to
  chmod(report.c_str(), 0644);
  const auto r = run_with_limit({"--report", report, mapping}, env, 120s, dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  struct stat st {};
  ASSERT_EQ(lstat(report.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(report);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["tables"][0]["rows"], 100);
  // No temporary file is left beside it.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind(".report.json", 0) == 0) ++entries;
  EXPECT_EQ(entries, 0);
}

}  // namespace
}  // namespace replicate::test
