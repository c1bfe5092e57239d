// SPDX-License-Identifier: Apache-2.0
// verify with sources that cannot hash in SQL (SQLite) and through ODBC (psqlODBC):
// tables copied with the real binary compare equal, so the normaliser agrees with
// what the copy wrote; a changed value in the target is named.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "verify/verify_support.hpp"

namespace replicate::test {
namespace {

using verify::Report;
using verify::VerifyOptions;

void sqlite_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

TEST(VerifySqlite, SampleCopiedWithTheBinaryIsEqualAndAChangeIsNamed) {
  std::string dir = temp_dir();
  std::string sample = dir + "/sample.sqlite";
  auto s = run_replicate({"sample", "--rows", "20000", "--output", sample});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string dst = create_database("vs_dst");
  auto mapping =
      write_verify_mapping({"sqlite", sample}, pg_endpoint(dst), "  - source: bi_credores\n",
                           "  chunk_rows: 3000\n  workers: 3\n");
  auto copy = run_replicate({mapping});
  ASSERT_EQ(copy.exit_code, 0) << copy.out << copy.err;

  Report r = verify_file(mapping);
  ASSERT_EQ(r.tables.size(), 1u);
  EXPECT_TRUE(r.equal) << summary(r);
  EXPECT_EQ(r.tables[0].source_hashing, "stream");
  EXPECT_EQ(r.tables[0].source_rows, 20000);
  EXPECT_EQ(r.tables[0].rows_streamed, 20000);
  EXPECT_EQ(r.tables[0].values_normalised_by_target, 0)
      << "every bi_credores type is emulated here";
  EXPECT_EQ(r.tables[0].threads, 3);

  pg_exec(dst,
          "UPDATE bi_credores SET saldo = COALESCE(saldo, 0) + 0.01, descricao = 'x' WHERE "
          "id = 777;"
          "DELETE FROM bi_credores WHERE id = 12345");
  r = verify_file(mapping);
  const auto& t = r.tables[0];
  EXPECT_FALSE(r.equal);
  EXPECT_EQ(t.missing_in_target, std::vector<std::vector<std::string>>{key({"12345"})})
      << summary(r);
  EXPECT_TRUE(t.extra_in_target.empty()) << summary(r);
  ASSERT_EQ(t.changed.size(), 1u) << summary(r);
  EXPECT_EQ(t.changed[0].key, key({"777"}));
  EXPECT_EQ(t.changed[0].columns, (std::vector<std::string>{"saldo", "descricao"}));
  EXPECT_EQ(t.chunks_differing, 2);
}

TEST(VerifySqlite, DynamicallyTypedValuesNormaliseToTheirTargetTypes) {
  std::string dir = temp_dir();
  std::string db = dir + "/types.sqlite";
  // REAL into numeric(15,2) (17 significant digits, rounded by the target), integers
  // and text in datetime columns, 0/1 and 'yes' booleans, and blobs.
  sqlite_exec(
      db,
      "CREATE TABLE t (id INTEGER PRIMARY KEY, price DECIMAL(15,2), ratio REAL, flag BOOLEAN, "
      "at DATETIME, day DATE, data BLOB, n INTEGER, name VARCHAR(20), u UUID, plain NUMERIC);"
      "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 2000) "
      "INSERT INTO t SELECT i, i * 1.005 + 0.125, i / 3.0, CASE i % 3 WHEN 0 THEN 0 WHEN 1 THEN 1 "
      "ELSE 'yes' END, "
      "CASE i % 3 WHEN 0 THEN '2020-01-01 10:00:00' WHEN 1 THEN 1600000000 + i ELSE 2459000.5 + i "
      "/ 7.0 END, "
      "date('2020-01-01', '+' || i || ' days'), randomblob(8 + i % 5), i, "
      "CASE WHEN i % 4 = 0 THEN NULL ELSE 'n' || i END, upper(hex(randomblob(16))), i / 8.0 FROM g;"
      "UPDATE t SET u = substr(u, 1, 8) || '-' || substr(u, 9, 4) || '-' || substr(u, 13, 4) || "
      "'-' || "
      "substr(u, 17, 4) || '-' || substr(u, 21);");
  std::string dst = create_database("vt_dst");
  auto mapping = write_verify_mapping({"sqlite", db}, pg_endpoint(dst), "  - source: t\n",
                                      "  chunk_rows: 400\n  workers: 2\n");
  auto copy = run_replicate({mapping});
  ASSERT_EQ(copy.exit_code, 0) << copy.out << copy.err;
  Report r = verify_file(mapping);
  EXPECT_TRUE(r.equal) << summary(r);
  EXPECT_EQ(r.tables[0].source_rows, 2000);
  EXPECT_EQ(r.tables[0].values_normalised_by_target, 0) << summary(r);
  // The copy did round: 2 decimals from REALs printed with 17 digits.
  EXPECT_EQ(pg_scalar(dst, "SELECT price::text FROM t WHERE id = 3"),
            std::optional<std::string>("3.14"));

  pg_exec(dst,
          "UPDATE t SET at = at + interval '1 ms' WHERE id = 5; UPDATE t SET data = '\\x00' WHERE "
          "id = 6");
  r = verify_file(mapping);
  const auto& t = r.tables[0];
  ASSERT_EQ(t.changed.size(), 2u) << summary(r);
  EXPECT_EQ(t.changed[0].key, key({"5"}));
  EXPECT_EQ(t.changed[0].columns, std::vector<std::string>{"at"});
  EXPECT_EQ(t.changed[1].columns, std::vector<std::string>{"data"});
}

TEST(VerifyOdbc, PsqlOdbcSourceIsEqualAndDifferencesAreNamed) {
  std::string src = create_database("vo_src");
  std::string dst = create_database("vo_dst");
  const std::string ddl =
      "CREATE TABLE t (id int PRIMARY KEY, name varchar(40), amount numeric(12,2), at "
      "timestamp(3), flag boolean, "
      "data bytea);"
      "INSERT INTO t SELECT g, 'n' || g, g * 0.5, timestamp '2021-06-01' + g * interval '1.5 sec', "
      "g % 2 = 0, "
      "decode(md5(g::text), 'hex') FROM generate_series(1, 5000) g;";
  pg_exec(src, ddl);
  pg_exec(dst, ddl);
  auto mapping =
      write_verify_mapping({"odbc", odbc_pg_connection(database_of(src))}, pg_endpoint(dst),
                           "  - source: public.t\n", "  chunk_rows: 1000\n  workers: 4\n");
  for (bool in_source : {true, false}) {
    VerifyOptions o;
    o.hash_in_source = in_source;
    Report r = verify_file(mapping, o);
    ASSERT_EQ(r.tables.size(), 1u);
    EXPECT_TRUE(r.equal) << summary(r);
    EXPECT_EQ(r.tables[0].threads, 1) << "an ODBC source is read by one thread";
    EXPECT_EQ(r.tables[0].source_hashing, in_source ? "sql" : "stream");
  }
  pg_exec(dst, "UPDATE t SET flag = NOT flag WHERE id = 4321");
  for (bool in_source : {true, false}) {
    VerifyOptions o;
    o.hash_in_source = in_source;
    Report r = verify_file(mapping, o);
    ASSERT_EQ(r.tables[0].changed.size(), 1u) << summary(r);
    EXPECT_EQ(r.tables[0].changed[0].key, key({"4321"}));
    EXPECT_EQ(r.tables[0].changed[0].columns, std::vector<std::string>{"flag"});
  }
}

}  // namespace
}  // namespace replicate::test
