// SPDX-License-Identifier: Apache-2.0
// Table and column mappings end to end: include/exclude patterns, `where`, `expr`,
// `value`, per-column types, identifier case, and `replicate plan` output.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

struct Features : TwoDatabases {
  RunResult run(const std::string& tables, const std::vector<std::string>& pre = {}) {
    write_file(dir + "/m.yaml", pg_to_pg_mapping(tables, "  workers: 2\n"));
    std::vector<std::string> args = pre;
    args.push_back(dir + "/m.yaml");
    return run_replicate(args, env);
  }
};

TEST_F(Features, IncludePatternsPickTablesWithoutCode) {
  pg_exec(src, "CREATE TABLE bi_a (id int PRIMARY KEY); INSERT INTO bi_a VALUES (1), (2);"
               "CREATE TABLE bi_b (id int PRIMARY KEY); INSERT INTO bi_b VALUES (3);"
               "CREATE TABLE bi_tmp_x (id int PRIMARY KEY); CREATE TABLE other (id int PRIMARY KEY);");
  auto r = run("  - include: [\"public.bi_*\"]\n    exclude: [\"public.bi_tmp*\"]\n    target: \"public.copy_{table}\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT string_agg(relname::text, ',' ORDER BY relname) FROM pg_class c JOIN pg_namespace n "
                           "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND relkind = 'r'"),
            std::optional<std::string>("copy_bi_a,copy_bi_b"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM copy_bi_a"), std::optional<std::string>("2"));
  // A new source table matching the pattern is picked up with no edit at all.
  pg_exec(src, "CREATE TABLE bi_c (id int PRIMARY KEY); INSERT INTO bi_c VALUES (9)");
  r = run("  - include: [\"public.bi_*\"]\n    exclude: [\"public.bi_tmp*\"]\n    target: \"public.copy_{table}\"\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM copy_bi_c"), std::optional<std::string>("1"));
}

TEST_F(Features, APatternMatchingNothingIsAnError) {
  pg_exec(src, "CREATE TABLE a (id int PRIMARY KEY)");
  auto r = run("  - include: [\"public.nothing_*\"]\n    target: \"public.{table}\"\n");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no source table matches include public.nothing_*"), std::string::npos) << r.err;
}

TEST_F(Features, WhereExprValueTypeAndCase) {
  pg_exec(src, "CREATE TABLE \"Clientes\" (\"ID\" int PRIMARY KEY, \"CPF\" text, \"Nome\" text, \"Ativo\" int);"
               "INSERT INTO \"Clientes\" VALUES (1, ' 123 ', 'Ana', 1), (2, '456', 'Bia', 0), (3, '789 ', 'Caio', 1)");
  auto r = run("  - source: public.Clientes\n    target: public.clientes\n    where: '\"Ativo\" = 1'\n"
               "    columns:\n"
               "      - {source: ID, target: id}\n"
               "      - {expr: 'trim(\"CPF\")', target: cpf, type: \"varchar(14)\"}\n"
               "      - {source: Nome, target: nome, type: \"varchar(40)\"}\n"
               "      - {value: \"bi\", target: origem}\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto rows = pg_query(dst, "SELECT id, cpf, nome, origem FROM clientes ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::optional<std::string>>{"1", "123", "Ana", "bi"}));
  EXPECT_EQ(rows[1], (std::vector<std::optional<std::string>>{"3", "789", "Caio", "bi"}));
  EXPECT_EQ(pg_scalar(dst, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'clientes'::regclass "
                           "AND attname = 'cpf'"),
            std::optional<std::string>("character varying(14)"));
}

TEST_F(Features, TypeRulesApplyToEveryMatchingColumnAndAColumnTypeWins) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, a timestamp(3), b timestamp, c timestamp);"
               "INSERT INTO t VALUES (1, '2024-02-29 10:00:00.123', '2024-01-01 00:00:00', '2024-01-02 00:00:00')");
  write_file(dir + "/m.yaml",
             pg_to_pg_mapping("  - source: public.t\n    columns:\n      - {source: id}\n      - {source: a}\n"
                              "      - {source: b}\n      - {source: c, type: date}\n",
                              "  workers: 1\n") +
                 "types:\n  - {from: timestamp, to: timestamptz}\n");
  auto r = run_replicate({dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto types = pg_query(dst, "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                             "'t'::regclass AND attnum > 0 ORDER BY attnum");
  ASSERT_EQ(types.size(), 4u);
  EXPECT_EQ(*types[1][1], "timestamp with time zone");
  EXPECT_EQ(*types[2][1], "timestamp with time zone");
  EXPECT_EQ(*types[3][1], "date");
  EXPECT_EQ(pg_scalar(dst, "SELECT (a AT TIME ZONE 'UTC')::text FROM t"), std::optional<std::string>("2024-02-29 10:00:00.123"));
}

TEST_F(Features, IndexesTrueBuildsTheSourceSecondaryIndexesAfterTheLoad) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, cpf text, city text, code text);"
               "CREATE UNIQUE INDEX t_cpf ON t (cpf); CREATE INDEX t_city_code ON t (city, code);"
               "CREATE INDEX t_expr ON t (lower(city));"
               "INSERT INTO t SELECT g, 'c' || g, 'x', 'y' FROM generate_series(1, 100) g");
  auto r = run("  - source: public.t\n    indexes: true\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT string_agg(indexdef, ' | ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 't' "
                           "AND indexname <> 't_pkey'"),
            std::optional<std::string>("CREATE INDEX t_city_code_idx ON public.t USING btree (city, code) | "
                                       "CREATE UNIQUE INDEX t_cpf_key ON public.t USING btree (cpf)"));
}

TEST(FeaturesSqlite, IndexesTrueBuildsASqliteSourcesSecondaryIndexes) {
  SqliteToPg s("idx_dst");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, cpf TEXT UNIQUE, city TEXT, code TEXT, n INT);"
                           " CREATE INDEX t_city_code ON t (city, code); CREATE INDEX t_expr ON t (lower(city));"
                           " CREATE INDEX t_part ON t (n) WHERE n > 0; INSERT INTO t VALUES (1, 'c1', 'x', 'y', 1);"));
  auto r = s.run("  - source: t\n    target: public.t\n    indexes: true\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string& dst = s.dst;
  EXPECT_EQ(pg_scalar(dst, "SELECT string_agg(indexdef, ' | ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 't' "
                           "AND indexname <> 't_pkey'"),
            std::optional<std::string>("CREATE INDEX t_city_code_idx ON public.t USING btree (city, code) | "
                                       "CREATE UNIQUE INDEX t_cpf_key ON public.t USING btree (cpf)"));
}

TEST_F(Features, VerifyCommandExitCodesAndVerifyTrue) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 3000) g");
  auto r = run("  - source: public.t\n    verify: true\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 of 1 tables equal"), std::string::npos) << r.out;
  auto v = run_replicate({"verify", dir + "/m.yaml"}, env);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  pg_exec(dst, "UPDATE t SET v = 'changed' WHERE id = 1234");
  v = run_replicate({"verify", "--json", dir + "/m.yaml"}, env);
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("\"1234\""), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("\"rows_fetched\""), std::string::npos) << v.out;
}

TEST_F(Features, PlanPrintsColumnsKeyChunksAndNoSecrets) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, at timestamp(6), v numeric(12,3)); "
               "INSERT INTO t SELECT g, now(), g FROM generate_series(1, 1000) g");
  write_file(dir + "/m.yaml",
             "version: 1\nsource:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
             "user=${env:PGUSER} dbname=${env:SRC_DB} password=${env:SECRET_PW}\"\n"
             "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} "
             "dbname=${env:DST_DB}\"\ndefaults:\n  chunk_rows: 300\ntables:\n  - source: public.t\n");
  auto e = env;
  e.push_back({"SECRET_PW", "hunter2-do-not-print"});
  auto r = run_replicate({"plan", dir + "/m.yaml"}, e);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("key: id"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("numeric(12,3)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chunks: 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("create the target table"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  // Nothing was written by plan.
  EXPECT_EQ(pg_scalar(dst, "SELECT to_regclass('public.t')::text"), std::nullopt);
}

TEST_F(Features, UnencryptedConnectionsAreWarnedAbout) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY)");
  write_file(dir + "/m.yaml",
             "version: 1\nsource:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
             "user=${env:PGUSER} dbname=${env:SRC_DB} sslmode=disable\"\ntarget:\n  driver: postgresql\n  connection: "
             "\"host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} dbname=${env:DST_DB}\"\ntables:\n  - source: public.t\n");
  auto r = run_replicate({"plan", dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: the source connection sets sslmode=disable"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("the target connection sets"), std::string::npos) << r.out;
}

TEST_F(Features, BadConfigExitsTwoAndWritesNothing) {
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - source: public.t\n    batchsize: 10\n", "  workers: 1\n"));
  auto r = run_replicate({dir + "/m.yaml"}, env);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'batch_size'?"), std::string::npos) << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT to_regclass('replicate.runs')::text"), std::nullopt);
}

TEST_F(Features, UnreachableTargetExitsThreeWithoutTheSecret) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY)");
  write_file(dir + "/m.yaml",
             "version: 1\nsource:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
             "user=${env:PGUSER} dbname=${env:SRC_DB}\"\ntarget:\n  driver: postgresql\n  connection: "
             "\"host=127.0.0.1 port=1 user=x password=${env:SECRET_PW} connect_timeout=2\"\ntables:\n  - source: public.t\n");
  auto e = env;
  e.push_back({"SECRET_PW", "hunter2-do-not-print"});
  auto r = run_replicate({dir + "/m.yaml"}, e);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("target"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace replicate::test
