// SPDX-License-Identifier: Apache-2.0
// verify between PostgreSQL databases of the test cluster: tables copied with the
// real binary compare equal whichever side hashes; a 1,000,000-row table with three
// differences yields exactly those keys while moving a few thousand rows; text keys
// under different collations still pair up.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "verify/verify_support.hpp"

namespace replicate::test {
namespace {

using verify::Report;
using verify::VerifyOptions;

const char* kTypesDdl =
    "CREATE TABLE t (id int PRIMARY KEY, name text, note varchar(20), code char(5), price "
    "numeric(20,5), "
    "amount double precision, ratio real, flag boolean, created timestamp, at timestamptz, day "
    "date, "
    "tod time, uid uuid, data bytea, doc jsonb, big bigint, small smallint, plain numeric)";
const char* kTypesFill =
    "INSERT INTO t SELECT g, 'name ' || g || ' \xc3\xa9', CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' "
    "|| g END, "
    "'c' || (g % 100), g * 1.23456, g / 7.0, (g / 3.0)::real, g % 2 = 0, "
    "timestamp '2020-01-01' + g * interval '1.2345678 sec', timestamptz '2020-01-01 00:00:00+02' + "
    "g * interval '1 min', "
    "date '2020-01-01' + g, time '10:00' + g * interval '1.5 sec', md5(g::text)::uuid, "
    "decode(md5(g::text), 'hex'), "
    "jsonb_build_object('g', g, 'a', 1.50, 'list', jsonb_build_array(g, 'x')), g * "
    "1000000000::bigint, "
    "(g % 30000)::smallint, CASE WHEN g % 5 = 0 THEN NULL ELSE g / 4.0 END FROM generate_series(1, "
    "3000) g";
// price and created change type on the way, to types that hold every value (narrowing
// types alter rows, which verify reports: tests/verify/narrowing_test.cpp):
// numeric(20,5) -> (25,6), timestamp -> timestamptz.
const char* kTypesTable =
    "  - source: public.t\n    target: public.t\n    columns:\n"
    "      - id\n      - name\n      - note\n      - code\n"
    "      - {source: price, type: \"numeric(25,6)\"}\n"
    "      - amount\n      - ratio\n      - flag\n"
    "      - {source: created, type: \"timestamptz\"}\n"
    "      - at\n      - day\n      - tod\n      - uid\n      - data\n      - doc\n      - big\n   "
    "   - small\n"
    "      - plain\n";

TEST(VerifyPgToPg, CopiedTypesAreEqualWhicheverSideHashes) {
  std::string src = create_database("vf_src");
  std::string dst = create_database("vf_dst");
  pg_exec(src, kTypesDdl);
  pg_exec(src, kTypesFill);
  auto mapping = write_verify_mapping(pg_endpoint(src), pg_endpoint(dst), kTypesTable,
                                      "  chunk_rows: 700\n  workers: 2\n");
  auto copy = run_replicate({mapping});
  ASSERT_EQ(copy.exit_code, 0) << copy.out << copy.err;

  for (bool in_source : {true, false}) {
    VerifyOptions o;
    o.hash_in_source = in_source;
    Report r = verify_file(mapping, o);
    ASSERT_EQ(r.tables.size(), 1u);
    EXPECT_TRUE(r.equal) << summary(r);
    EXPECT_EQ(r.tables[0].source_rows, 3000);
    EXPECT_EQ(r.tables[0].target_rows, 3000);
    EXPECT_EQ(r.tables[0].chunks_differing, 0);
    EXPECT_EQ(r.tables[0].source_hashing, in_source ? "sql" : "stream");
    if (in_source) EXPECT_LT(r.tables[0].rows_fetched, 50) << summary(r);
    // jsonb has no emulation here: its 3000 values, and only those, went to the target.
    EXPECT_EQ(r.tables[0].values_normalised_by_target, in_source ? 0 : 3000) << summary(r);
  }

  pg_exec(dst,
          "UPDATE t SET price = price + 0.01, doc = doc || '{\"z\": 1}' WHERE id = 17;"
          "UPDATE t SET note = NULL WHERE id = 2500;"
          "DELETE FROM t WHERE id = 1001;"
          "INSERT INTO t (id, name) VALUES (3001, 'new')");
  for (bool in_source : {true, false}) {
    VerifyOptions o;
    o.hash_in_source = in_source;
    Report r = verify_file(mapping, o);
    const auto& t = r.tables[0];
    EXPECT_FALSE(r.equal);
    EXPECT_EQ(t.missing_in_target, std::vector<std::vector<std::string>>{key({"1001"})})
        << summary(r);
    EXPECT_EQ(t.extra_in_target, std::vector<std::vector<std::string>>{key({"3001"})})
        << summary(r);
    ASSERT_EQ(t.changed.size(), 2u) << summary(r);
    EXPECT_EQ(t.changed[0].key, key({"17"}));
    EXPECT_EQ(t.changed[0].columns, (std::vector<std::string>{"price", "doc"}));
    EXPECT_EQ(t.changed[1].key, key({"2500"}));
    EXPECT_EQ(t.changed[1].columns, std::vector<std::string>{"note"});
  }
}

TEST(VerifyPgToPg, MillionRowsThreeDifferencesFoundMovingLittleData) {
  std::string src = create_database("vm_src");
  std::string dst = create_database("vm_dst");
  // Identical by construction: the same statement in both databases.
  const std::string fill =
      "CREATE TABLE big (id bigint NOT NULL, name text, amount numeric(12,2), at timestamp);"
      "INSERT INTO big SELECT g, 'name ' || g, g * 0.25, timestamp '2020-01-01' + g * interval '1 "
      "sec' "
      "FROM generate_series(1, 1000000) g;"
      "ALTER TABLE big ADD PRIMARY KEY (id); ANALYZE big;";
  pg_exec(src, fill);
  pg_exec(dst, fill);
  auto mapping =
      write_verify_mapping(pg_endpoint(src), pg_endpoint(dst), "  - source: public.big\n");

  auto started = std::chrono::steady_clock::now();
  Report same = verify_file(mapping);
  const double equal_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(same.tables.size(), 1u);
  EXPECT_TRUE(same.equal) << summary(same);
  EXPECT_EQ(same.tables[0].source_rows, 1000000);
  EXPECT_EQ(same.tables[0].target_rows, 1000000);
  EXPECT_LT(same.tables[0].rows_fetched, 100) << summary(same);

  pg_exec(dst,
          "UPDATE big SET amount = amount + 1 WHERE id = 123457;"
          "DELETE FROM big WHERE id = 654321;"
          "INSERT INTO big VALUES (1000001, 'extra', 1, '2030-01-01')");
  started = std::chrono::steady_clock::now();
  Report r = verify_file(mapping);
  const double diff_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& t = r.tables[0];
  EXPECT_FALSE(r.equal);
  EXPECT_EQ(t.missing_in_target, std::vector<std::vector<std::string>>{key({"654321"})})
      << summary(r);
  EXPECT_EQ(t.extra_in_target, std::vector<std::vector<std::string>>{key({"1000001"})})
      << summary(r);
  ASSERT_EQ(t.changed.size(), 1u) << summary(r);
  EXPECT_EQ(t.changed[0].key, key({"123457"}));
  EXPECT_EQ(t.changed[0].columns, std::vector<std::string>{"amount"});
  EXPECT_EQ(t.source_rows, 1000000);
  EXPECT_EQ(t.target_rows, 1000000);
  EXPECT_EQ(t.chunks_differing, 3);
  EXPECT_LT(t.rows_fetched, 20000) << summary(r);
  EXPECT_EQ(t.rows_streamed, 0);

  auto j = nlohmann::json::parse(verify::to_json(r));
  EXPECT_EQ(j["equal"], false);
  EXPECT_EQ(j["tables"][0]["rows_fetched"], t.rows_fetched);
  std::printf(
      "[ figures  ] 1M rows: equal in %.1f s (%lld rows fetched); 3 differences in %.1f s "
      "(%lld rows fetched, %d of %d chunks differ)\n",
      equal_seconds, static_cast<long long>(same.tables[0].rows_fetched), diff_seconds,
      static_cast<long long>(t.rows_fetched), t.chunks_differing, t.chunks);
}

TEST(VerifyPgToPg, TextKeysPairUpUnderDifferentCollations) {
  std::string src = create_database("vc_src");
  std::string dst = create_database("vc_dst");
  // Mixed case sorts differently in C ('B' < 'a') and ICU ('a' < 'B'): the source's
  // chunk bounds cut the target's rows elsewhere, so rows change chunk between sides.
  const std::string rows =
      "INSERT INTO t SELECT CASE WHEN g % 2 = 0 THEN upper(md5(g::text)) ELSE md5(g::text) END, g, "
      "'v' || g "
      "FROM generate_series(1, 6000) g";
  pg_exec(src, "CREATE TABLE t (k text COLLATE \"C\" PRIMARY KEY, n int, v text);" + rows);
  pg_exec(dst, "CREATE TABLE t (k text COLLATE \"und-x-icu\" PRIMARY KEY, n int, v text);" + rows);
  pg_exec(src,
          "CREATE TABLE c (a int, b text COLLATE \"C\", v int, PRIMARY KEY (a, b));"
          "INSERT INTO c SELECT g % 5, CASE WHEN g % 3 = 0 THEN 'X' ELSE 'x' END || g, g FROM "
          "generate_series(1, 4000) g");
  pg_exec(dst,
          "CREATE TABLE c (a int, b text COLLATE \"und-x-icu\", v int, PRIMARY KEY (a, b));"
          "INSERT INTO c SELECT g % 5, CASE WHEN g % 3 = 0 THEN 'X' ELSE 'x' END || g, g FROM "
          "generate_series(1, 4000) g");
  auto mapping = write_verify_mapping(pg_endpoint(src), pg_endpoint(dst),
                                      "  - source: public.t\n  - source: public.c\n",
                                      "  chunk_rows: 500\n  workers: 3\n");
  Report same = verify_file(mapping);
  EXPECT_TRUE(same.equal) << summary(same);
  EXPECT_EQ(same.tables[0].target_rows, 6000);
  // The point of the test: chunks did differ (rows in other chunks), the keys did not.
  EXPECT_GT(same.tables[0].chunks_differing, 0) << summary(same);
  EXPECT_GT(same.tables[1].chunks_differing, 0) << summary(same);

  const std::string changed_key = *pg_scalar(src, "SELECT upper(md5('10'))");
  const std::string gone_key = *pg_scalar(src, "SELECT md5('11')");
  pg_exec(dst,
          "UPDATE t SET v = 'changed' WHERE k = upper(md5('10'));"
          "DELETE FROM t WHERE k = md5('11');"
          "INSERT INTO t VALUES ('Zz-extra', 0, 'extra');"
          "UPDATE c SET v = -1 WHERE a = 2 AND b = 'X12';");
  for (bool in_source : {true, false}) {
    VerifyOptions o;
    o.hash_in_source = in_source;
    Report r = verify_file(mapping, o);
    ASSERT_EQ(r.tables.size(), 2u);
    const auto& t = r.tables[0];
    EXPECT_EQ(t.missing_in_target, std::vector<std::vector<std::string>>{{gone_key}}) << summary(r);
    EXPECT_EQ(t.extra_in_target, std::vector<std::vector<std::string>>{key({"Zz-extra"})})
        << summary(r);
    ASSERT_EQ(t.changed.size(), 1u) << summary(r);
    EXPECT_EQ(t.changed[0].key, std::vector<std::string>{changed_key});
    EXPECT_EQ(t.changed[0].columns, std::vector<std::string>{"v"});
    const auto& c = r.tables[1];
    EXPECT_EQ(c.missing_count + c.extra_count, 0) << summary(r);
    ASSERT_EQ(c.changed.size(), 1u) << summary(r);
    EXPECT_EQ(c.changed[0].key, key({"2", "X12"}));
  }
}

TEST(VerifyPgToPg, MissingTargetTableOrColumnIsThatTablesFinding) {
  std::string src = create_database("ve_src");
  std::string dst = create_database("ve_dst");
  const std::string ddl =
      "CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a VALUES (1, 'x'), (2, 'y');";
  pg_exec(src, ddl +
                   "CREATE TABLE b (id int PRIMARY KEY, v text); CREATE TABLE c (id int PRIMARY "
                   "KEY, v text, w int);");
  pg_exec(dst, ddl + "CREATE TABLE c (id int PRIMARY KEY, v text);");
  auto mapping =
      write_verify_mapping(pg_endpoint(src), pg_endpoint(dst),
                           "  - source: public.a\n  - source: public.b\n  - source: public.c\n");
  Report r = verify_file(mapping);
  ASSERT_EQ(r.tables.size(), 3u);
  EXPECT_FALSE(r.equal);
  EXPECT_TRUE(r.tables[0].equal) << summary(r);
  EXPECT_NE(r.tables[1].error.find("target table public.b does not exist"), std::string::npos)
      << summary(r);
  EXPECT_NE(r.tables[2].error.find("has no column w"), std::string::npos) << summary(r);
  EXPECT_NE(verify::format_report(r).find("NOT VERIFIED"), std::string::npos);

  // A source table that does not exist is a bad mapping: it stops before comparing.
  auto bad = write_verify_mapping(pg_endpoint(src), pg_endpoint(dst), "  - source: public.nope\n");
  EXPECT_ANY_THROW(verify_file(bad));
}

TEST(VerifyPgToPg, KeylessTablesCompareAsMultisets) {
  std::string src = create_database("vk_src");
  std::string dst = create_database("vk_dst");
  const std::string ddl =
      "CREATE TABLE log (at date, msg text);"
      "INSERT INTO log SELECT date '2024-01-01' + g % 10, 'm' || (g % 50) FROM generate_series(1, "
      "500) g;";
  pg_exec(src, ddl);
  pg_exec(dst, ddl);
  auto mapping =
      write_verify_mapping(pg_endpoint(src), pg_endpoint(dst), "  - source: public.log\n");
  EXPECT_TRUE(verify_file(mapping).equal);
  pg_exec(dst,
          "DELETE FROM log WHERE ctid = (SELECT min(ctid) FROM log WHERE msg = 'm7');"
          "INSERT INTO log VALUES ('2030-01-01', NULL)");
  Report r = verify_file(mapping);
  const auto& t = r.tables[0];
  EXPECT_FALSE(r.equal);
  EXPECT_EQ(t.missing_count, 1) << summary(r);
  EXPECT_EQ(t.extra_count, 1) << summary(r);
  ASSERT_EQ(t.extra_in_target.size(), 1u);
  EXPECT_EQ(t.extra_in_target[0], key({"2030-01-01", "\\N"}));
}

TEST(VerifyPgToPg, MirrorModeComparesTheLiveRows) {
  std::string src = create_database("vr_src");
  std::string dst = create_database("vr_dst");
  // `a` keeps the rows its source lost, marked stale; `b` maps its own status column,
  // which the mirror overwrites with the live mark.
  pg_exec(src,
          "CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a SELECT g, 's' || g FROM "
          "generate_series(1, 50) g;"
          "CREATE TABLE b (id int PRIMARY KEY, v text, status smallint);"
          "INSERT INTO b SELECT g, 's' || g, CASE WHEN g % 4 = 0 THEN 9 ELSE 1 END FROM "
          "generate_series(1, 50) g;");
  auto mapping = write_verify_mapping(
      pg_endpoint(src), pg_endpoint(dst),
      "  - source: public.a\n    mode: mirror\n    obsolete: keep\n    stale: {column: status, "
      "value: 0, live: 1}\n"
      "  - source: public.b\n    mode: mirror\n    stale: {column: status, value: 0, live: 1}\n");
  ASSERT_EQ(run_replicate({mapping}).exit_code, 0);
  pg_exec(src, "DELETE FROM a WHERE id = 7; DELETE FROM b WHERE id = 8");
  auto again = run_replicate({mapping});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  ASSERT_EQ(pg_scalar(dst, "SELECT count(*) FROM a"),
            std::optional<std::string>("50"));  // 7 kept, stale

  Report r = verify_file(mapping);
  EXPECT_TRUE(r.equal) << summary(r);
  EXPECT_EQ(r.tables[0].target_rows, 49);
  pg_exec(dst, "UPDATE a SET status = 0 WHERE id = 9");  // stale again: no longer part of the copy
  r = verify_file(mapping);
  EXPECT_EQ(r.tables[0].missing_in_target, std::vector<std::vector<std::string>>{key({"9"})})
      << summary(r);
}

TEST(VerifyReportFormat, HumanAndJsonNameTheDifferences) {
  Report r;
  verify::TableReport t;
  t.table = "public.t";
  t.source = "dbo.T";
  t.source_rows = 10;
  t.target_rows = 10;
  t.missing_in_target = {{"3"}};
  t.extra_in_target = {{"11"}};
  t.changed = {{{"5"}, {"amount", "name"}}};
  t.missing_count = t.extra_count = t.changed_count = 1;
  t.rows_fetched = 42;
  t.chunks = 4;
  t.chunks_differing = 2;
  r.tables.push_back(t);
  const std::string text = verify::format_report(r);
  EXPECT_NE(text.find("dbo.T -> public.t: DIFFERENT"), std::string::npos) << text;
  EXPECT_NE(text.find("missing in target: 1"), std::string::npos) << text;
  EXPECT_NE(text.find("    5: amount, name"), std::string::npos) << text;
  auto j = nlohmann::json::parse(verify::to_json(r));
  EXPECT_EQ(j["tables"][0]["changed"][0]["columns"][1], "name");
  EXPECT_EQ(j["tables"][0]["missing_in_target"][0][0], "3");
  EXPECT_EQ(j["tables"][0]["rows_fetched"], 42);
  EXPECT_FALSE(j["tables"][0].contains("error"));
}

}  // namespace
}  // namespace replicate::test
