// SPDX-License-Identifier: Apache-2.0
// A mapping `type:` narrower than the source's (numeric(10,1) from 1.25, timestamp(0),
// char(n) dropping trailing spaces) alters the rows it copies: `plan` warns about each
// such column, and `verify` compares the source's values with the target's in a type
// that holds both, so every altered row is reported. Issue 14, item 3.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"
#include "verify/verify_support.hpp"

namespace replicate::test {
namespace {

const std::string kNarrowColumns =
    "    columns:\n"
    "      - {source: id}\n"
    "      - {source: v, type: \"numeric(10,1)\"}\n"
    "      - {source: ts, type: \"timestamp(0)\"}\n"
    "      - {source: c, type: \"char(6)\"}\n"
    "      - {source: w, type: \"numeric(14,4)\"}\n";  // wider: alters nothing

struct Narrowing : TwoDatabases {
  std::string mapping;

  void load(const std::string& columns) {
    mapping = write_verify_mapping(pg_endpoint(pg().conninfo(database_of(src))), pg_endpoint(pg().conninfo(database_of(dst))),
                                   "  - source: public.t\n" + columns, "  workers: 2\n  chunk_rows: 40\n");
    auto r = run_replicate({mapping});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
};

TEST_F(Narrowing, PlanWarnsAboutEachNarrowingType) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v numeric(10,2), ts timestamp, c text, w numeric(10,2))");
  mapping = write_verify_mapping(pg_endpoint(pg().conninfo(database_of(src))), pg_endpoint(pg().conninfo(database_of(dst))),
                                 "  - source: public.t\n" + kNarrowColumns);
  auto r = run_replicate({"plan", mapping});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("warning: column v: numeric(10,1) rounds"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: column ts: timestamp(0) rounds"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: column c: char(6)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("column w:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("column id:"), std::string::npos) << r.out;
}

// Every row altered by the narrowing types; both ways of hashing a PostgreSQL source.
TEST_F(Narrowing, VerifyReportsEveryRowANarrowingTypeAltered) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v numeric(10,2), ts timestamp, c text, w numeric(10,2));"
               "INSERT INTO t SELECT g, 1.25, '2024-01-02 03:04:05.678'::timestamp + g * interval '1 day', "
               "'ab' || g || '  ', 7.5 FROM generate_series(1, 100) g");
  load(kNarrowColumns);
  ASSERT_EQ(pg_scalar(dst, "SELECT v || ' ' || ts FROM t WHERE id = 1"),
            std::optional<std::string>("1.3 2024-01-03 03:04:06"));
  for (bool in_source : {true, false}) {
    verify::VerifyOptions options;
    options.hash_in_source = in_source;
    options.sample_keys = 200;
    auto report = verify_file(mapping, options);
    ASSERT_EQ(report.tables.size(), 1u);
    const auto& t = report.tables[0];
    ASSERT_TRUE(t.error.empty()) << t.error;
    EXPECT_FALSE(t.equal) << summary(report);
    EXPECT_EQ(t.changed_count, 100) << summary(report);
    for (const auto& c : t.changed)
      EXPECT_EQ(c.columns, (std::vector<std::string>{"v", "ts", "c"})) << summary(report);
    // The report says what it compared.
    const std::string text = verify::format_report(report);
    EXPECT_NE(text.find("column v compared as numeric"), std::string::npos) << text;
    EXPECT_NE(text.find("column c compared as text"), std::string::npos) << text;
    EXPECT_EQ(text.find("column w compared"), std::string::npos) << text;
  }
}

// Narrowing types over values they hold exactly: nothing is altered, verify is equal.
TEST_F(Narrowing, ValuesANarrowingTypeHoldsExactlyVerifyEqual) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v numeric(10,2), ts timestamp, c text, w numeric(10,2));"
               "INSERT INTO t SELECT g, 1.5, '2024-01-02 03:04:05'::timestamp + g * interval '1 day', "
               "'ab' || g, 7.25 FROM generate_series(1, 100) g");
  load(kNarrowColumns);
  for (bool in_source : {true, false}) {
    verify::VerifyOptions options;
    options.hash_in_source = in_source;
    auto report = verify_file(mapping, options);
    EXPECT_TRUE(report.equal) << summary(report);
  }
}

// A SQLite source: its rows stream here and are normalised in this process.
TEST(NarrowingSqlite, VerifyReportsEveryRowANarrowingTypeAlteredFromSqlite) {
  SqliteToPg s("narrow_sqlite");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v DECIMAL(10,2), ts DATETIME, c TEXT, w DECIMAL(10,2));"
                           "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 50) "
                           "INSERT INTO t SELECT i, 1.25, '2024-01-02 03:04:05.678', 'ab' || i || '  ', 7.5 FROM g;"));
  auto r = s.run("  - source: t\n" + kNarrowColumns);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto v = run_replicate({"verify", s.dir + "/m.yaml"}, [&] {
    auto e = pg().env();
    e.push_back({"DB", s.db});
    e.push_back({"DST_DB", database_of(s.dst)});
    return e;
  }());
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_NE(v.out.find("values differ: 50"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("v, ts, c"), std::string::npos) << v.out;
}

}  // namespace
}  // namespace replicate::test
