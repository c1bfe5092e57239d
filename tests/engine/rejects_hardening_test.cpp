// SPDX-License-Identifier: Apache-2.0
// Rows no text column can hold (a NUL byte, invalid UTF-8, in a value or in the key):
// each is a reject with its reason and its bytes kept as escapes, and every other row
// lands. Issue 14, items 1 and 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

// SQLite keeps a NUL inside TEXT; PostgreSQL text cannot hold one. The reject record
// used to carry the raw NUL into its INSERT, which cut the statement short and
// failed the whole table.
TEST(RejectsHardening, ANulInATextValueIsARejectAndTheOtherRowsLand) {
  SqliteToPg s("nul_dst");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                           " INSERT INTO t VALUES (1, 'a'), (2, CAST(x'410042' AS TEXT)), (3, 'c');"));
  auto r = s.run("  - source: t\n", "  max_rejects: unlimited\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(s.dst, "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t"),
            std::optional<std::string>("1:a,3:c"));
  auto rej = pg_query(s.dst, "SELECT key::text, coalesce(column_name, ''), reason, row_text FROM replicate.rejects");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(*rej[0][0], "[\"2\"]");
  EXPECT_EQ(*rej[0][1], "v");
  EXPECT_NE(rej[0][2]->find("0x00"), std::string::npos) << *rej[0][2];
  // The row as COPY text, the NUL written as COPY's own \x00 escape.
  EXPECT_EQ(*rej[0][3], "2\tA\\x00B");
  EXPECT_EQ(pg_scalar(s.dst, "SELECT rows FROM replicate.runs"), std::optional<std::string>("2"));
}

// A NUL in a value of a row that is otherwise fine: nothing before or after the NUL
// may be taken for the value (no row with 'A' alone lands).
TEST(RejectsHardening, ANulNeverTruncatesAValueSilently) {
  SqliteToPg s("nul_trunc_dst");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT);"
                           " INSERT INTO t VALUES (1, CAST(x'4100' AS TEXT), 'x'), (2, CAST(x'0042' AS TEXT), 'y'),"
                           " (3, 'ok', CAST(x'00' AS TEXT));"));
  auto r = s.run("  - source: t\n", "  max_rejects: unlimited\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(s.dst, "SELECT count(*) FROM t"), std::optional<std::string>("0"));
  auto rej = pg_query(s.dst, "SELECT key->>0, column_name, row_text FROM replicate.rejects ORDER BY key->>0");
  ASSERT_EQ(rej.size(), 3u);
  EXPECT_EQ(rej[0][1].value_or(""), "v");
  EXPECT_EQ(*rej[0][2], "1\tA\\x00\tx");
  EXPECT_EQ(*rej[1][2], "2\t\\x00B\ty");
  EXPECT_EQ(rej[2][1].value_or(""), "w");
  EXPECT_EQ(*rej[2][2], "3\tok\t\\x00");
}

// Invalid UTF-8 in a text primary key: the JSON library refused to write the key into
// the reject record and the table failed. The key is kept as escapes, flagged as such.
TEST(RejectsHardening, InvalidUtf8InATextKeyIsARejectWithItsBytesKept) {
  SqliteToPg s("badkey_dst");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT);"
                           " INSERT INTO t VALUES ('a', 'one'), (CAST(x'62FF' AS TEXT), 'two'), ('c', 'three'),"
                           " (CAST(x'5C00' AS TEXT), 'four');"));
  auto r = s.run("  - source: t\n", "  max_rejects: unlimited\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(s.dst, "SELECT string_agg(k || ':' || v, ',' ORDER BY k) FROM t"),
            std::optional<std::string>("a:one,c:three"));
  auto rej = pg_query(s.dst, "SELECT key, row_text, reason FROM replicate.rejects ORDER BY row_text");
  ASSERT_EQ(rej.size(), 2u);
  // Lossless: a key that is no text is an object holding its COPY-escaped bytes, so it
  // is never confused with a text key spelled the same way.
  EXPECT_EQ(nlohmann::json::parse(*rej[0][0]), nlohmann::json::parse(R"([{"escaped": "\\\\\\x00"}])")) << *rej[0][0];
  EXPECT_EQ(*rej[0][1], "\\\\\\x00\tfour");
  EXPECT_EQ(nlohmann::json::parse(*rej[1][0]), nlohmann::json::parse(R"([{"escaped": "b\\xff"}])")) << *rej[1][0];
  EXPECT_EQ(*rej[1][1], "b\\xff\ttwo");
  EXPECT_NE(rej[1][2]->find("UTF8"), std::string::npos) << *rej[1][2];
  EXPECT_NE(r.out.find("2 rows rejected"), std::string::npos) << r.out;
}

// Valid UTF-8 beyond ASCII stays readable in the reject record: only bytes that are no
// text are escaped.
TEST(RejectsHardening, AccentedTextStaysReadableInTheRejectRecord) {
  SqliteToPg s("accent_dst");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, nome TEXT, v TEXT);"
                           " INSERT INTO t VALUES (1, 'João', CAST(x'C328' AS TEXT)), (2, 'Zé', 'ok');"));
  auto r = s.run("  - source: t\n", "  max_rejects: unlimited\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(s.dst, "SELECT row_text FROM replicate.rejects"), std::optional<std::string>("1\tJoão\t\\xc3("));
  EXPECT_EQ(pg_scalar(s.dst, "SELECT column_name FROM replicate.rejects"), std::optional<std::string>("v"));
}

}  // namespace
}  // namespace replicate::test
