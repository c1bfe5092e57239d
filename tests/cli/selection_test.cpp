// SPDX-License-Identifier: Apache-2.0
// --tables on run, plan, status and verify (include: tables too, a pattern matching nothing
// is exit 2), run --mode checked as a mode: in the file is, and ${env:NAME:-default}.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using Selection = TwoDatabases;

std::string sorted_ids(const std::string& db, const std::string& table) {
  std::string out;
  for (const auto& r : pg_query(db, "SELECT id FROM " + table + " ORDER BY id")) out += (out.empty() ? "" : ",") + *r[0];
  return out;
}

bool has_table(const std::string& db, const std::string& table) {
  return pg_query(db, "SELECT to_regclass('" + table + "') IS NOT NULL")[0][0] == std::optional<std::string>("t");
}

struct SelectionTables : Selection {
  void SetUp() override {
    pg_exec(src, "CREATE TABLE shop_a (id int PRIMARY KEY); INSERT INTO shop_a VALUES (1);"
                 "CREATE TABLE shop_b (id int PRIMARY KEY); INSERT INTO shop_b VALUES (1), (2);"
                 "CREATE TABLE other (id int PRIMARY KEY); INSERT INTO other VALUES (7)");
    write_file(file, pg_to_pg_mapping("  - source: public.other\n"
                                      "  - include: [\"public.shop_*\"]\n",
                                      "  workers: 1\n"));
  }
  std::string file = dir + "/m.yaml";
};

TEST_F(SelectionTables, RunCopiesOnlyTheTablesNamedIncludeExpandedOnesToo) {
  // A bare name, case-insensitively, and a table an include: pattern brought in.
  auto r = run_replicate({"run", "--tables", "OTHER,shop_b", file}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(sorted_ids(dst, "other"), "7");
  EXPECT_EQ(sorted_ids(dst, "shop_b"), "1,2");
  EXPECT_FALSE(has_table(dst, "shop_a"));
  // The top-level form (`replicate FILE`) takes it too; a glob on schema.table.
  r = run_replicate({"--tables", "public.shop_?", file}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(sorted_ids(dst, "shop_a"), "1");
}

TEST_F(SelectionTables, PlanStatusAndVerifyReadOnlyTheTablesNamed) {
  ASSERT_EQ(run_replicate({file}, env).exit_code, 0);
  auto r = run_replicate({"plan", "--tables", "shop_*", file}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("table public.shop_a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("table public.shop_b"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;

  r = run_replicate({"status", "--tables", "other", file}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("public.other"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("shop_"), std::string::npos) << r.out;

  // A difference in a table left out does not count: verify compares the ones named.
  pg_exec(dst, "DELETE FROM shop_b WHERE id = 2");
  r = run_replicate({"verify", "--tables", "shop_a,other", file}, env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("public.shop_a: equal"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("shop_b"), std::string::npos) << r.out;
  r = run_replicate({"verify", "--tables", "shop_b", file}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("public.shop_b: DIFFERENT"), std::string::npos) << r.out;
}

TEST_F(SelectionTables, APatternMatchingNoTableIsExit2NamingItAndTheTables) {
  for (const char* command : {"run", "plan", "status", "verify"}) {
    const auto r = run_replicate({command, "--tables", "shop_a,shop_bb", file}, env);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("error: --tables: 'shop_bb' matches no table (did you mean 'shop_b'?); the tables are " +
                         file + ": public.other, public.shop_a, public.shop_b."),
              std::string::npos)
        << command << ": " << r.err;
    EXPECT_EQ(r.out.find("shop_a"), std::string::npos) << command << ": " << r.out;
  }
  EXPECT_FALSE(has_table(dst, "shop_a"));  // run copied nothing
  const auto r = run_replicate({"plan", "--tables", "shop_a,", file}, env);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--tables 'shop_a,' holds an empty pattern"), std::string::npos) << r.err;
}

TEST_F(Selection, RunModeOverridesTheMappingsModeInEveryWorker) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, updated int NOT NULL);"
               "INSERT INTO t SELECT g, 1 FROM generate_series(1, 40) g");
  const std::string file = dir + "/m.yaml";
  write_file(file, pg_to_pg_mapping("  - source: public.t\n", "  workers: 2\n  chunk_rows: 10\n  watermark: updated\n"));
  auto r = run_replicate({file}, env);  // full: every row, and the watermark recorded
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // A full run would truncate: row 999 survives only if the workers merge incrementally.
  pg_exec(dst, "INSERT INTO t VALUES (999, 0)");
  pg_exec(src, "UPDATE t SET updated = 2 WHERE id IN (5, 35); INSERT INTO t VALUES (41, 2)");
  pg_exec(dst, "UPDATE t SET updated = 0 WHERE id IN (5, 35)");
  r = run_replicate({"run", "--mode", "incremental", file}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_query(dst, "SELECT count(*), sum(updated) FROM t")[0],
            (std::vector<std::optional<std::string>>{"42", "44"}));  // 1..41 and 999; 38*1 + 2*2 + 2 + 0
  EXPECT_EQ(sorted_ids(dst, "t WHERE updated = 2"), "5,35,41");

  // Refused as `mode:` in the file would be, before anything connects.
  r = run_replicate({"run", "--mode", "append", file}, env);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("m.yaml:11:3: 'defaults.watermark' does nothing in mode append (--mode append): it applies "
                       "to modes incremental and full only; remove it, or pass --mode incremental"),
            std::string::npos)
      << r.err;
  r = run_replicate({"run", "--mode", "mirror", file}, env);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("mode mirror (--mode mirror) in 'tables[0]' needs a stale marker"), std::string::npos) << r.err;
  r = run_replicate({"run", "--mode", "sideways", file}, env);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(pg_query(dst, "SELECT count(*) FROM t")[0][0], std::optional<std::string>("42"));
}

TEST_F(Selection, EnvDefaultsAreUsedWhenTheVariableIsUnsetOrEmpty) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
  const std::string file = dir + "/m.yaml";
  write_file(file, "version: 1\n"
                   "source:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
                   "user=${env:PGUSER} dbname=${env:REPLICATE_T11_SRC_DB:-" + database_of(src) + "}\"\n"
                   "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
                   "user=${env:PGUSER} dbname=${env:DST_DB}\"\n"
                   "tables:\n  - source: public.t\n");
  auto with = [&](std::optional<std::string> value) {
    auto e = env;
    if (value) e.push_back({"REPLICATE_T11_SRC_DB", *value});
    return e;
  };
  // Unset and empty: the default, the source database.
  auto r = run_replicate({"plan", file}, with(std::nullopt));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("table public.t"), std::string::npos) << r.out;
  r = run_replicate({"plan", file}, with(""));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Set: its value, here a database that does not exist (exit 3, cannot connect).
  r = run_replicate({"plan", file}, with("replicate_no_such_db"));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("replicate_no_such_db"), std::string::npos) << r.err;
  // validate reads no environment, and a variable with a default needs none.
  r = run_replicate({"validate", file}, {});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("'PGHOST' is not set"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("REPLICATE_T11_SRC_DB"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace replicate::test
