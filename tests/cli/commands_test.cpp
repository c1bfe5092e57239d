// SPDX-License-Identifier: Apache-2.0
// plan, status and verify as a user meets them: tables from `include:` patterns, several
// mapping files in one call.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using Commands = TwoDatabases;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST_F(Commands, StatusShowsTheTablesAnIncludePatternMatched) {
  pg_exec(src, "CREATE TABLE shop_a (id int PRIMARY KEY, v text); INSERT INTO shop_a VALUES (1, 'x');"
               "CREATE TABLE shop_b (id int PRIMARY KEY); INSERT INTO shop_b VALUES (1), (2);"
               "CREATE TABLE other (id int PRIMARY KEY)");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - include: [\"public.shop_*\"]\n    target: \"copy.{table}\"\n", "  workers: 1\n"));
  pg_exec(dst, "CREATE SCHEMA copy");
  auto r = run_replicate({dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_replicate({"status", dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("copy.shop_a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("copy.shop_b"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;
  EXPECT_EQ(count_of(r.out, "done"), 2u) << r.out;
}

TEST_F(Commands, PlanStatusAndVerifyReadEveryFileGiven) {
  pg_exec(src, "CREATE TABLE first_t (id int PRIMARY KEY); INSERT INTO first_t VALUES (1);"
               "CREATE TABLE second_t (id int PRIMARY KEY); INSERT INTO second_t VALUES (1), (2)");
  write_file(dir + "/a.yaml", pg_to_pg_mapping("  - source: public.first_t\n", "  workers: 1\n"));
  write_file(dir + "/b.yaml", pg_to_pg_mapping("  - source: public.second_t\n", "  workers: 1\n"));
  auto r = run_replicate({dir + "/a.yaml", dir + "/b.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  r = run_replicate({"plan", dir + "/a.yaml", dir + "/b.yaml"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("table public.first_t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("table public.second_t"), std::string::npos) << r.out;

  r = run_replicate({"status", dir + "/a.yaml", dir + "/b.yaml"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("public.first_t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("public.second_t"), std::string::npos) << r.out;

  // A difference in the second file is found, and decides the exit code.
  pg_exec(dst, "DELETE FROM second_t WHERE id = 2");
  r = run_replicate({"verify", dir + "/a.yaml", dir + "/b.yaml"}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("public.first_t: equal"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("public.second_t: DIFFERENT"), std::string::npos) << r.out;
  r = run_replicate({"verify", "--json", dir + "/a.yaml", dir + "/b.yaml"}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"equal\": false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("first_t"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("second_t"), std::string::npos) << r.out;

  // Every file is loaded before anything connects: a broken second file stops the first.
  write_file(dir + "/bad.yaml", "version: 1\nsorce: {}\n");
  r = run_replicate({"plan", dir + "/a.yaml", dir + "/bad.yaml"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out.find("first_t"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("bad.yaml"), std::string::npos) << r.err;
}

TEST_F(Commands, ASqliteTargetIsRefusedBeforeAnyFileIsMade) {
  write_file(dir + "/m.yaml", "version: 1\nsource: {driver: postgresql, connection: \"dbname=x\"}\n"
                              "target: {driver: sqlite, connection: \"" + dir + "/dw.sqlite\"}\ntables:\n  - source: t\n");
  for (const char* command : {"validate", "plan"}) {
    const auto r = run_replicate({command, dir + "/m.yaml"}, env);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("m.yaml:3:18: invalid value 'sqlite' for 'target.driver'"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::ifstream(dir + "/dw.sqlite").good());
}

TEST_F(Commands, ValidateReadsNoEnvironmentAndListsEveryUnsetVariable) {
  const std::string file = dir + "/m.yaml";
  write_file(file, "version: 1\n"
                   "source: {driver: postgresql, connection: \"${env:REPLICATE_T11_SRC_URL}\"}\n"
                   "target:\n  driver: postgresql\n"
                   "  connection: \"host=${env:REPLICATE_T11_HOST} user=${env:REPLICATE_T11_USER} "
                   "password=${env:REPLICATE_T11_PW} dbname=dw\"\n"
                   "tables:\n  - source: t\n");
  // Not set at all: warnings naming each of the four, and the file is valid.
  auto r = run_replicate({"validate", file}, {});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("m.yaml: ok (1 table entry)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("warning: " + file + ":"), std::string::npos) << r.err;
  for (const char* name : {"REPLICATE_T11_SRC_URL", "REPLICATE_T11_HOST", "REPLICATE_T11_USER", "REPLICATE_T11_PW"})
    EXPECT_NE(r.err.find("environment variable '" + std::string(name) + "' is not set"), std::string::npos)
        << name << ": " << r.err;

  // Values are not read: a whole-string variable holding something libpq cannot parse
  // does not matter to validate, which checks the file.
  r = run_replicate({"validate", file}, {{"REPLICATE_T11_SRC_URL", "not 'a conninfo"},
                                         {"REPLICATE_T11_HOST", "h"}, {"REPLICATE_T11_USER", "u"},
                                         {"REPLICATE_T11_PW", "p"}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;

  // --env: the environment is checked too; every unset variable is an error at once.
  r = run_replicate({"validate", "--env", file}, {{"REPLICATE_T11_HOST", "h"}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  for (const char* name : {"REPLICATE_T11_SRC_URL", "REPLICATE_T11_USER", "REPLICATE_T11_PW"})
    EXPECT_NE(r.err.find(name), std::string::npos) << name << ": " << r.err;
  EXPECT_EQ(r.err.find("REPLICATE_T11_HOST"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace replicate::test

namespace replicate::test {
namespace {

TEST(NoArguments, PrintShortUsageOnStderrAndExitTwo) {
  auto r = run_replicate({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("usage: replicate", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("--help"), std::string::npos) << r.err;
  // Short: the lines that say what to type next, not the whole --help.
  EXPECT_LE(std::count(r.err.begin(), r.err.end(), '\n'), 6) << r.err;
}

}  // namespace
}  // namespace replicate::test
