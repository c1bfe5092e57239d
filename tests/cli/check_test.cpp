// SPDX-License-Identifier: Apache-2.0
// `replicate check`: what a run needs, tried without changing anything. Issue 11
// ("everyday options"): servers, encryption, matched tables, privileges; exit 0 or 3.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

struct Check : TwoDatabases {
  void SetUp() override {
    pg_exec(src, "CREATE TABLE items (id int PRIMARY KEY, v text); CREATE TABLE log_a (id int PRIMARY KEY);"
                 "CREATE TABLE log_b (id int PRIMARY KEY); CREATE TABLE other (id int PRIMARY KEY)");
    pg_exec(dst, "CREATE TABLE items (id int PRIMARY KEY, v text)");
  }
  RunResult check(const std::string& tables_yaml, const EnvVars& extra = {}) {
    write_file(dir + "/m.yaml", pg_to_pg_mapping(tables_yaml, "  workers: 1\n"));
    auto e = env;
    e.insert(e.end(), extra.begin(), extra.end());
    return run_replicate({"check", dir + "/m.yaml"}, e);
  }
};

TEST_F(Check, NamesServersTablesAndPrivilegesAndChangesNothing) {
  auto r = check("  - source: public.items\n  - include: [\"public.log_*\"]\n    target: \"public.{table}\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PostgreSQL 15"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("encryption"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("public.items -> public.items"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("exists; INSERT and TRUNCATE ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("public.log_a -> public.log_a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("public.log_b -> public.log_b"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("to be created"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check: everything a run needs is in place"), std::string::npos) << r.out;
  // Nothing was created: no state schema, no tables.
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM pg_namespace WHERE nspname = 'replicate'"), std::optional<std::string>("0"));
  EXPECT_EQ(pg_scalar(dst, "SELECT to_regclass('public.log_a')::text"), std::nullopt);
}

TEST_F(Check, AMissingTableOrPrivilegeIsNamedWithTheFixAndExitsThree) {
  const std::string user = "replicate_check_" + std::to_string(getpid());
  pg_exec(dst, "CREATE ROLE " + user + " LOGIN; GRANT SELECT ON items TO " + user +
                   "; REVOKE CREATE ON SCHEMA public FROM PUBLIC");
  pg_exec(src, "GRANT SELECT ON items TO " + user);
  write_file(dir + "/m.yaml",
             "version: 1\nsource:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
             "user=" + user + " dbname=${env:SRC_DB}\"\n"
             "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
             "user=" + user + " dbname=${env:DST_DB}\"\n"
             "tables:\n  - source: public.items\n  - source: public.other\n  - source: public.nowhere\n");
  auto r = run_replicate({"check", dir + "/m.yaml"}, env);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.out.find("MISSING: INSERT TRUNCATE privilege"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("public.other -> public.other"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MISSING: cannot read the source table"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nowhere"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("state schema replicate"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("problems above"), std::string::npos) << r.out;
  pg_exec(src, "DROP OWNED BY " + user);
  pg_exec(dst, "DROP OWNED BY " + user + "; DROP ROLE " + user);
}

TEST_F(Check, AConnectionThatFailsExitsThree) {
  write_file(dir + "/m.yaml", "version: 1\nsource:\n  driver: postgresql\n  connection: \"host=127.0.0.1 port=1 "
                              "dbname=x connect_timeout=2\"\ntarget:\n  driver: postgresql\n  connection: "
                              "\"host=127.0.0.1 port=1 dbname=x\"\ntables:\n  - source: public.items\n");
  auto r = run_replicate({"check", dir + "/m.yaml"}, env);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
}

}  // namespace
}  // namespace replicate::test
