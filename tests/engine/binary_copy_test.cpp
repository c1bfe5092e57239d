// SPDX-License-Identifier: Apache-2.0
// Binary COPY in whole runs: a row the server refuses is still a reject with its
// column and its COPY text while the rest of the batch lands; a value the encoder
// cannot read for certain sends the rest of the chunk as text; and the bi_credores
// sample arrives identical in binary and in text, from SQLite and from PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

/// Records the statement of every COPY that lands in table `t` (a rolled-back one
/// leaves nothing): which format the rows came in.
const char* kCopyLog =
    "CREATE TABLE copy_log (n serial, q text);"
    "CREATE FUNCTION log_copy() RETURNS trigger LANGUAGE plpgsql AS"
    " $$ BEGIN INSERT INTO copy_log (q) VALUES (current_query()); RETURN NULL; END $$;"
    "CREATE TRIGGER t_copy AFTER INSERT ON t FOR EACH STATEMENT EXECUTE FUNCTION log_copy();";

/// A SQLite table t copied into an existing table t, with REPLICATE_COPY_FORMAT set.
struct BinaryRun {
  SqliteToPg s;
  explicit BinaryRun(const std::string& prefix) : s(prefix) {}
  RunResult run(const std::string& format, const std::string& defaults) const {
    write_file(s.dir + "/m.yaml",
               "version: 1\nsource:\n  driver: sqlite\n  connection: \"${env:DB}\"\n"
               "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
               "user=${env:PGUSER} dbname=${env:DST_DB}\"\n"
               "defaults:\n  workers: 1\n  max_rejects: unlimited\n" +
                   defaults + "tables:\n  - source: t\n");
    auto env = pg().env();
    env.push_back({"DB", s.db});
    env.push_back({"DST_DB", database_of(s.dst)});
    env.push_back({"REPLICATE_COPY_FORMAT", format});
    return run_replicate({s.dir + "/m.yaml"}, env);
  }
  std::vector<std::string> copies() const {
    std::vector<std::string> q;
    for (auto& r : pg_query(s.dst, "SELECT q FROM copy_log ORDER BY n")) q.push_back(*r[0]);
    return q;
  }
};

const char* kRows =
    "CREATE TABLE t (id INTEGER PRIMARY KEY, d DATE, n INTEGER, s TEXT, amount DECIMAL(10,2));"
    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 40)"
    " INSERT INTO t SELECT i, date('2020-01-01', '+' || i || ' days'), i, 'ab', i * 1.5 FROM k;";

TEST(BinaryCopy, RowsTheServerRefusesAreRejectsWithTheirColumnAndTheBatchLands) {
  BinaryRun b("bin_rej");
  ASSERT_TRUE(b.s.source_sql(std::string(kRows) +
                             "UPDATE t SET s = 'abcd' WHERE id = 7;"  // too long for varchar(3)
                             "UPDATE t SET n = NULL WHERE id = 23;"   // NOT NULL
                             "UPDATE t SET amount = 123456.5 WHERE id = 31;"));  // numeric(5,1) overflows
  pg_exec(b.s.dst, "CREATE TABLE t (id integer PRIMARY KEY, d date, n integer NOT NULL, s varchar(3),"
                   " amount numeric(5,1));" + std::string(kCopyLog));
  auto r = b.run("binary", "  batch_size: 16\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(b.s.dst, "SELECT count(*) FROM t"), std::optional<std::string>("37"));
  EXPECT_EQ(pg_scalar(b.s.dst, "SELECT string_agg(id::text, ',' ORDER BY id) FROM generate_series(1, 40) id"
                               " WHERE id NOT IN (SELECT id FROM t)"),
            std::optional<std::string>("7,23,31"));
  // The rows that landed hold what text COPY would have put there.
  EXPECT_EQ(pg_scalar(b.s.dst, "SELECT d || ' ' || n || ' ' || s || ' ' || amount FROM t WHERE id = 8"),
            std::optional<std::string>("2020-01-09 8 ab 12.0"));
  auto rej = pg_query(b.s.dst, "SELECT key->>0, column_name, reason, row_text FROM replicate.rejects ORDER BY (key->>0)::int");
  ASSERT_EQ(rej.size(), 3u);
  std::sort(rej.begin(), rej.end(), [](auto& x, auto& y) { return std::stoi(*x[0]) < std::stoi(*y[0]); });
  EXPECT_EQ(rej[0][1].value_or(""), "s");
  EXPECT_NE(rej[0][2]->find("character varying(3)"), std::string::npos) << *rej[0][2];
  EXPECT_EQ(*rej[0][3], "7\t2020-01-08\t7\tabcd\t10.5");
  EXPECT_EQ(rej[1][1].value_or(""), "n");
  EXPECT_NE(rej[1][2]->find("null value"), std::string::npos) << *rej[1][2];
  EXPECT_EQ(*rej[1][3], "23\t2020-01-24\t\\N\tab\t34.5");
  EXPECT_EQ(rej[2][1].value_or(""), "amount");
  EXPECT_NE(rej[2][2]->find("numeric field overflow"), std::string::npos) << *rej[2][2];
  // Every COPY that landed was binary.
  const auto copies = b.copies();
  ASSERT_FALSE(copies.empty());
  for (const auto& q : copies) EXPECT_NE(q.find("(FORMAT binary)"), std::string::npos) << q;
}

TEST(BinaryCopy, AValueTheEncoderCannotReadForCertainSendsTheRestOfTheChunkAsText) {
  BinaryRun b("bin_text");
  ASSERT_TRUE(b.s.source_sql(std::string(kRows) +
                             "UPDATE t SET d = '2021-03-04 10:00:00' WHERE id = 20;"  // date_in drops the time
                             "UPDATE t SET d = '2021-02-30' WHERE id = 33;"));       // no such day
  pg_exec(b.s.dst, "CREATE TABLE t (id integer PRIMARY KEY, d date, n integer NOT NULL, s varchar(3),"
                   " amount numeric(10,2));" + std::string(kCopyLog));
  auto r = b.run("binary", "  batch_size: 16\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(b.s.dst, "SELECT count(*) FROM t"), std::optional<std::string>("39"));
  EXPECT_EQ(pg_scalar(b.s.dst, "SELECT d FROM t WHERE id = 20"), std::optional<std::string>("2021-03-04"));
  auto rej = pg_query(b.s.dst, "SELECT key->>0, column_name, row_text FROM replicate.rejects");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(*rej[0][0], "33");
  EXPECT_EQ(rej[0][1].value_or(""), "d");
  EXPECT_EQ(*rej[0][2], "33\t2021-02-30\t33\tab\t49.5");
  // Rows 1-16 went binary; from the batch holding row 20 on, text.
  const auto copies = b.copies();
  ASSERT_GE(copies.size(), 2u);
  EXPECT_NE(copies[0].find("(FORMAT binary)"), std::string::npos) << copies[0];
  for (std::size_t i = 1; i < copies.size(); ++i) EXPECT_EQ(copies[i].find("FORMAT binary"), std::string::npos);
}

TEST(BinaryCopy, TextFormatWhenAskedFor) {
  BinaryRun b("bin_off");
  ASSERT_TRUE(b.s.source_sql(kRows));
  pg_exec(b.s.dst, "CREATE TABLE t (id integer PRIMARY KEY, d date, n integer, s text, amount numeric(10,2));" +
                       std::string(kCopyLog));
  auto r = b.run("text", "");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(b.s.dst, "SELECT count(*) FROM t"), std::optional<std::string>("40"));
  for (const auto& q : b.copies()) EXPECT_EQ(q.find("FORMAT binary"), std::string::npos) << q;
}

/// count and md5 of the rows of bi_credores, in key order.
std::optional<std::string> table_digest(const std::string& db) {
  return pg_scalar(db, "SELECT count(*) || ' ' || md5(string_agg(t::text, E'\\n' ORDER BY id)) FROM bi_credores t");
}

TEST(BinaryCopy, TheBiCredoresSampleArrivesTheSameInBinaryAndInText) {
  const std::string dir = temp_dir();
  const std::string sample = dir + "/sample.sqlite";
  auto s = run_replicate({"sample", "--rows", "5000", "--output", sample});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  auto mapping = [&](const std::string& name, const std::string& source) {
    write_file(dir + "/" + name + ".yaml",
               "version: 1\nsource:\n" + source +
                   "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
                   "user=${env:PGUSER} dbname=${env:DST_DB}\"\n"
                   "defaults:\n  workers: 2\n  batch_size: 500\n  chunk_rows: 1000\n  mode: full\n"
                   "tables:\n  - {source: bi_credores, target: public.bi_credores, columns: auto}\n");
    return dir + "/" + name + ".yaml";
  };
  const std::string from_sqlite = mapping("sqlite", "  driver: sqlite\n  connection: \"" + sample + "\"\n");
  const std::string from_pg = mapping("pg", "  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
                                            "user=${env:PGUSER} dbname=${env:SRC_DB}\"\n");
  auto run = [&](const std::string& m, const std::string& format, const std::string& dst, const std::string& src = "") {
    auto env = pg().env();
    env.push_back({"DST_DB", database_of(dst)});
    if (!src.empty()) env.push_back({"SRC_DB", database_of(src)});
    if (!format.empty()) env.push_back({"REPLICATE_COPY_FORMAT", format});
    return run_replicate({m}, env);
  };
  // The plan says binary for this table, unasked.
  {
    const std::string db = create_database("bic_plan");
    auto env = pg().env();
    env.push_back({"DST_DB", database_of(db)});
    auto p = run_replicate({"plan", from_sqlite}, env);
    ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
    EXPECT_NE(p.out.find("copy format: binary"), std::string::npos) << p.out;
  }
  const std::string as_text = create_database("bic_text"), as_binary = create_database("bic_bin"),
                    by_default = create_database("bic_auto"), pg_binary = create_database("bic_pgbin");
  for (const auto& [db, format] : {std::pair{as_text, "text"}, {as_binary, "binary"}, {by_default, ""}}) {
    auto r = run(from_sqlite, format, db);
    ASSERT_EQ(r.exit_code, 0) << format << "\n" << r.out << r.err;
  }
  // From PostgreSQL (COPY text lines from the source server) into binary.
  auto r = run(from_pg, "binary", pg_binary, as_text);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto expected = table_digest(as_text);
  ASSERT_TRUE(expected);
  EXPECT_EQ(expected->substr(0, 5), "5000 ");
  EXPECT_EQ(table_digest(as_binary), expected);
  EXPECT_EQ(table_digest(by_default), expected);
  EXPECT_EQ(table_digest(pg_binary), expected);
  EXPECT_EQ(pg_scalar(as_binary, "SELECT count(*) FROM replicate.rejects"), std::optional<std::string>("0"));
  // And verify agrees, value by value, with the source.
  auto v = run_replicate({"verify", from_sqlite}, [&] {
    auto env = pg().env();
    env.push_back({"DST_DB", database_of(as_binary)});
    return env;
  }());
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace replicate::test
