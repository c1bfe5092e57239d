// SPDX-License-Identifier: Apache-2.0
// The native-type ODBC cursor (SQL Server's read path) against a real driver here:
// psqlODBC on the private cluster. Integers, booleans, floats, exact numerics,
// dates, timestamps with fractions, GUIDs, bytes and UTF-16 text come in their C
// types and must print exactly as PostgreSQL would, both as values and as COPY
// lines. SQL Server's own structs (TIME2, TIMESTAMPOFFSET) are covered live in
// tests/catalog/mssql_live_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/connections.hpp"
#include "support/test_db.hpp"

namespace replicate::source {
namespace {

using catalog::TypeId;

class OdbcNativeCursor : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = test::create_database("odbc_native");
    conn_ = test::source_connection(config::Driver::odbc, test::odbc_pg_connection(test::database_of(conninfo_)));
  }
  static std::vector<RawColumn> columns(std::initializer_list<TypeId> types) {
    std::vector<RawColumn> out;
    for (auto t : types) {
      RawColumn c;
      c.type = t;
      out.push_back(c);
    }
    return out;
  }
  std::vector<std::vector<std::optional<std::string>>> values(const std::string& sql, const std::vector<RawColumn>& cols,
                                                             std::size_t batch = 3) {
    auto cursor = conn_->open_raw_cursor(sql, cols, batch, false);
    std::vector<std::vector<std::optional<std::string>>> rows;
    Batch b;
    while (cursor->fetch(b)) {
      EXPECT_FALSE(b.encoded);
      for (std::size_t r = 0; r < b.rows; ++r) {
        std::vector<std::optional<std::string>> row;
        for (std::size_t c = 0; c < b.columns(); ++c)
          row.push_back(b.is_null[c][r] ? std::nullopt : std::optional<std::string>(b.values[c][r]));
        rows.push_back(row);
      }
    }
    return rows;
  }
  std::string copy_text(const std::string& sql, const std::vector<RawColumn>& cols, std::size_t batch = 2) {
    auto cursor = conn_->open_raw_cursor(sql, cols, batch, true);
    std::string all;
    Batch b;
    while (cursor->fetch(b)) {
      EXPECT_TRUE(b.encoded);
      EXPECT_EQ(b.row_end.size(), b.rows);
      EXPECT_EQ(b.row_end.back(), b.copy_text.size());
      all += b.copy_text;
    }
    return all;
  }
  std::string conninfo_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(OdbcNativeCursor, NumbersArriveExactly) {
  test::pg_exec(conninfo_,
                "CREATE TABLE n (id int, s smallint, b bigint, f boolean, d double precision, r real, "
                "m numeric(38,2), u numeric);"
                "INSERT INTO n VALUES "
                "(1, -32768, 9223372036854775807, true, 0.1, 0.1, 123456789012345678901234567890123456.78, 0.5),"
                "(2, 32767, -9223372036854775808, false, 1e308, 3.4e38, -0.01, -0.000001),"
                "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
  auto rows = values("SELECT id, s, b, f, d, r, m, u FROM n ORDER BY id",
                     columns({TypeId::int32, TypeId::int16, TypeId::int64, TypeId::boolean, TypeId::float64,
                              TypeId::float32, TypeId::decimal, TypeId::decimal}));
  ASSERT_EQ(rows.size(), 3u);
  using V = std::vector<std::optional<std::string>>;
  EXPECT_EQ(rows[0], (V{"1", "-32768", "9223372036854775807", "t", "0.1", "0.1",
                        "123456789012345678901234567890123456.78", "0.5"}));
  EXPECT_EQ(rows[1], (V{"2", "32767", "-9223372036854775808", "f", "1e+308", "3.4e+38", "-0.01", "-0.000001"}));
  EXPECT_EQ(rows[2], (V{"3", std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                        std::nullopt}));
}

TEST_F(OdbcNativeCursor, DatesTimestampsAndGuidsFromTheirStructs) {
  test::pg_exec(conninfo_,
                "CREATE TABLE t (id int, d date, ts timestamp(6), g uuid);"
                "INSERT INTO t VALUES "
                "(1, '0001-01-01', '2024-02-29 23:59:59.123456', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),"
                "(2, '9999-12-31', '1999-12-31 00:00:00', '00000000-0000-0000-0000-000000000000'),"
                "(3, NULL, '2000-01-01 01:02:03.5', NULL)");
  auto rows = values("SELECT id, d, ts, g FROM t ORDER BY id",
                     columns({TypeId::int32, TypeId::date, TypeId::timestamp, TypeId::uuid}));
  ASSERT_EQ(rows.size(), 3u);
  using V = std::vector<std::optional<std::string>>;
  EXPECT_EQ(rows[0], (V{"1", "0001-01-01", "2024-02-29 23:59:59.123456", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}));
  EXPECT_EQ(rows[1], (V{"2", "9999-12-31", "1999-12-31 00:00:00", "00000000-0000-0000-0000-000000000000"}));
  EXPECT_EQ(rows[2], (V{"3", std::nullopt, "2000-01-01 01:02:03.5", std::nullopt}));
}

TEST_F(OdbcNativeCursor, TextAsUtf16AndBytesAsHexBecomeCopyLines) {
  // Accents, a non-BMP character (a surrogate pair in UTF-16), COPY's special bytes,
  // empty text against NULL, and bytes with 0x00 and a backslash.
  test::pg_exec(conninfo_,
                "CREATE TABLE x (id int, v varchar(30), t text, b bytea);"
                "INSERT INTO x VALUES "
                "(1, 'São Paulo', E'tab\\there\\nnew \\\\ 😀', '\\x00ff5c41'),"
                "(2, '', NULL, '\\x'),"
                "(3, NULL, 'Ribeirão Preto', NULL)");
  const auto cols = columns({TypeId::int32, TypeId::string, TypeId::text, TypeId::bytes});
  EXPECT_EQ(copy_text("SELECT id, v, t, b FROM x ORDER BY id", cols),
            "1\tSão Paulo\ttab\\there\\nnew \\\\ 😀\t\\\\x00ff5c41\n"
            "2\t\t\\N\t\\\\x\n"
            "3\t\\N\tRibeirão Preto\t\\N\n");
  auto rows = values("SELECT id, v, t, b FROM x ORDER BY id", cols);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][2], "tab\there\nnew \\ 😀");
  EXPECT_EQ(rows[0][3], "00ff5c41");  // canonical bytes: bare hex
  EXPECT_EQ(rows[1][1], "");
  EXPECT_EQ(rows[1][2], std::nullopt);
}

TEST_F(OdbcNativeCursor, LongValuesArriveWholeAfterBoundColumns) {
  // text is SQL_LONGVARCHAR to psqlODBC: read piecewise as UTF-16, across 64 KiB pieces.
  std::string big;
  for (int i = 0; i < 100000; ++i) big += static_cast<char>('a' + i % 26);
  big += "ã";  // a two-byte character at the very end
  test::pg_exec(conninfo_, "CREATE TABLE l (id int, t text, n int); INSERT INTO l VALUES (1, '" + big +
                               "', 7), (2, NULL, NULL), (3, '', 9)");
  auto rows = values("SELECT id, t, n FROM l ORDER BY id", columns({TypeId::int32, TypeId::text, TypeId::int32}), 2);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0][1], big);
  EXPECT_EQ(rows[0][2], "7");
  EXPECT_EQ(rows[1][1], std::nullopt);
  EXPECT_EQ(rows[2][1], "");
  EXPECT_EQ(rows[2][2], "9");
}

TEST_F(OdbcNativeCursor, ManyRowsInFullBatches) {
  test::pg_exec(conninfo_,
                "CREATE TABLE m AS SELECT g AS id, ('2020-01-01'::date + g) AS d, g * 1.25 AS v "
                "FROM generate_series(1, 10001) g");
  auto cursor = conn_->open_raw_cursor("SELECT id, d, v::numeric(12,2) FROM m ORDER BY id",
                                       columns({TypeId::int32, TypeId::date, TypeId::decimal}), 1000, true);
  Batch b;
  std::size_t rows = 0, batches = 0;
  std::string last;
  while (cursor->fetch(b)) {
    rows += b.rows;
    ++batches;
    last = b.copy_text.substr(b.row_begin(b.rows - 1));
  }
  EXPECT_EQ(rows, 10001u);
  EXPECT_EQ(batches, 11u);
  EXPECT_EQ(last, "10001\t2047-05-20\t12501.25\n");
}

}  // namespace
}  // namespace replicate::source
