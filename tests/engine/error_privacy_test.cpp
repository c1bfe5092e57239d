// SPDX-License-Identifier: Apache-2.0
// Errors keep what happened and where, never row content: retry warnings, the summary,
// replicate.chunks.last_error and replicate.runs.error drop the values PostgreSQL's
// COPY context quotes. Issue 14, item 10.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

struct ErrorPrivacy : TwoDatabases {};

TEST_F(ErrorPrivacy, RetriedAndFailedChunksLogNoRowContent) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, nome text, cpf text);"
               "INSERT INTO t SELECT g, 'NOME ' || g, lpad(g::text, 11, '0') FROM generate_series(1, 20) g;"
               "UPDATE t SET nome = 'MARIA CANARY', cpf = '987.654.321-00' WHERE id = 7");
  // A retryable error (serialization failure) raised while COPY is on the canary's line.
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, nome text, cpf text);"
               "CREATE FUNCTION busy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "IF NEW.nome = 'MARIA CANARY' THEN RAISE EXCEPTION 'simulated conflict' USING ERRCODE = '40001'; END IF; "
               "RETURN NEW; END $$;"
               "CREATE TRIGGER busy BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION busy()");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - source: public.t\n", "  max_attempts: 2\n  workers: 1\n"));
  auto r = run_replicate({dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string all = r.out + r.err;
  // The error itself and where it happened are still told...
  EXPECT_NE(all.find("simulated conflict"), std::string::npos) << all;
  EXPECT_NE(all.find("retrying"), std::string::npos) << all;
  EXPECT_NE(all.find("COPY t, line"), std::string::npos) << all;
  // ...but not the row.
  EXPECT_EQ(all.find("CANARY"), std::string::npos) << all;
  EXPECT_EQ(all.find("987.654"), std::string::npos) << all;
  auto last_error = pg_scalar(dst, "SELECT string_agg(last_error, ' | ') FROM replicate.chunks");
  ASSERT_TRUE(last_error);
  EXPECT_NE(last_error->find("simulated conflict"), std::string::npos) << *last_error;
  EXPECT_EQ(last_error->find("CANARY"), std::string::npos) << *last_error;
  EXPECT_EQ(last_error->find("987.654"), std::string::npos) << *last_error;
  auto run_error = pg_scalar(dst, "SELECT error FROM replicate.runs");
  ASSERT_TRUE(run_error);
  EXPECT_NE(run_error->find("simulated conflict"), std::string::npos) << *run_error;
  EXPECT_EQ(run_error->find("CANARY"), std::string::npos) << *run_error;
}

// The rejects table is where row content belongs: it keeps it.
TEST_F(ErrorPrivacy, RejectsStillKeepTheRow) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, nome text);"
               "INSERT INTO t VALUES (1, 'ok'), (2, 'MARIA CANARY TOO LONG'), (3, 'ok')");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, nome varchar(5))");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - source: public.t\n", "  max_rejects: unlimited\n"));
  auto r = run_replicate({dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT row_text FROM replicate.rejects"), std::optional<std::string>("2\tMARIA CANARY TOO LONG"));
}

}  // namespace
}  // namespace replicate::test
