// SPDX-License-Identifier: Apache-2.0
// state_schema reaches SQL only validated and quoted: `status` with a schema that tries
// to close the literal drops nothing, and a mixed-case schema is found where it was made.
#include <gtest/gtest.h>

#include "cli/cli_support.hpp"
#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using namespace std::chrono_literals;

std::string with_state_schema(const std::string& schema) {
  std::string m = pg_to_pg_mapping("  - source: public.t\n    target: public.t\n", "  mode: full\n");
  return m.replace(m.find("defaults:"), 0, "state_schema: \"" + schema + "\"\n");
}

struct StateSchema : TwoDatabases {
  void SetUp() override {
    pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM "
                 "generate_series(1, 50) g");
  }
};

TEST_F(StateSchema, StatusCannotBeMadeToRunSql) {
  pg_exec(dst, "CREATE TABLE canary (x int)");
  write_file(dir + "/m.yaml", with_state_schema("x')::text; DROP TABLE canary; SELECT ('"));
  for (const char* command : {"status", "run", "plan", "verify"}) {
    const auto r = run_with_limit({command, dir + "/m.yaml"}, env, 60s, dir, command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("'state_schema' must be a plain name"), std::string::npos) << command << ": " << r.err;
  }
  EXPECT_EQ(pg_scalar(dst, "SELECT to_regclass('public.canary')::text"), "canary");
}

TEST_F(StateSchema, StatusFindsAMixedCaseSchema) {
  write_file(dir + "/m.yaml", with_state_schema("RunState"));
  const auto run = run_with_limit({dir + "/m.yaml"}, env, 120s, dir, "run");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM \"RunState\".runs"), "1");
  const auto status = run_with_limit({"status", dir + "/m.yaml"}, env, 60s, dir, "status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.find("no state yet"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("public.t"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("done"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace replicate::test
