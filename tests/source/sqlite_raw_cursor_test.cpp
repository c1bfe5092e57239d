// SPDX-License-Identifier: Apache-2.0
// The raw SQLite cursor converts values in C++; it must give, value for value, what
// the SQLite dialect's select_text gives in SQL. One untyped column holds a value
// of every storage class, and each canonical type reads it both ways. REAL values
// into numbers are the documented exception: the same double, correctly rounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "catalog/dialect.hpp"
#include "source/connection.hpp"
#include "source/sqlite_cursor.hpp"
#include "support/connections.hpp"
#include "support/copy_text_reference.hpp"

namespace replicate::source {
namespace {

using catalog::TypeId;

const char* kValues[] = {
    "NULL", "0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808", "1700000000",
    "0.0", "-0.0", "1.0", "0.1", "-2.5", "123456.789", "2460000.5", "1e308", "1.7976931348623157e308",
    "4.9e-324", "1e16", "3.0e10", "2.675", "7414.6", "958.62", "0.9544", "1e-5", "123456789012345678.0", "-1e20", "'abc'", "''", "'true'", "' Yes '", "'0'", "'2024-01-02'",
    "'2024-01-02 03:04:05.123'", "'a' || char(9) || 'b\\c' || char(10)", "'ação'", "x''", "x'00ff10'",
    "x'616263'", "x'c3a7'"};

/// printf("%.17g") of glibc (exact), dressed as SQLite's "%!.17g": "1.0", "1.0e+20", "0.0".
std::string glibc_17_digits(double v) {
  if (v == 0) return "0.0";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find('.') == std::string::npos) s.insert(std::min(s.find('e'), s.size()), ".0");
  return s;
}

class SqliteRawCursor : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "raw_cursor_" + std::to_string(getpid()) + ".sqlite";
    conn_ = test::fresh_sqlite_source(path_);
    conn_->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v)");
    int id = 0;
    for (const char* v : kValues)
      conn_->execute("INSERT INTO t VALUES (" + std::to_string(++id) + ", " + v + ")");
    // The stored doubles, read with SQLite's C API rather than through text.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT typeof(v) = 'real', v FROM t ORDER BY id", -1, &st, nullptr), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
      reals_.push_back(sqlite3_column_int(st, 0) ? std::optional<double>(sqlite3_column_double(st, 1)) : std::nullopt);
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  void TearDown() override {
    conn_.reset();
    std::remove(path_.c_str());
  }

  /// Every value of `sql`'s single column, NULL as "<null>".
  static std::vector<std::string> drain(Cursor& cursor) {
    std::vector<std::string> out;
    Batch b;
    while (cursor.fetch(b))
      for (std::size_t r = 0; r < b.rows; ++r) out.push_back(b.is_null[0][r] ? "<null>" : b.values[0][r]);
    return out;
  }

  std::string path_;
  std::unique_ptr<Connection> conn_;
  std::vector<std::optional<double>> reals_;  // per row: the double when stored as REAL
};

TEST_F(SqliteRawCursor, GivesWhatTheDialectsSqlGivesForEveryTypeAndStorageClass) {
  ASSERT_TRUE(conn_->reads_raw("sqlite"));
  auto dialect = catalog::make_dialect("sqlite");
  const TypeId types[] = {TypeId::boolean, TypeId::int16,  TypeId::int32,     TypeId::int64,       TypeId::decimal,
                          TypeId::float32, TypeId::float64, TypeId::string,   TypeId::text,        TypeId::date,
                          TypeId::time,    TypeId::timestamp, TypeId::timestamptz, TypeId::uuid, TypeId::bytes,
                          TypeId::json};
  int reals = 0, unlike_sqlite = 0;
  for (TypeId id : types) {
    catalog::Type type{id};
    SCOPED_TRACE(catalog::to_string(type));
    auto in_sql = conn_->open_cursor("SELECT " + dialect->select_text("v", type) + " FROM t ORDER BY id", 1, 7);
    RawColumn raw;
    raw.type = id;
    raw.fallback_sql = "SELECT " + dialect->select_text("?1", type);
    auto in_client = conn_->open_raw_cursor("SELECT v FROM t ORDER BY id", {raw}, 7, false);
    auto expected = drain(*in_sql);
    auto got = drain(*in_client);
    ASSERT_EQ(expected.size(), std::size(kValues));
    ASSERT_EQ(got.size(), expected.size());
    const bool number = id != TypeId::boolean && id != TypeId::bytes && id != TypeId::date &&
                        id != TypeId::timestamp && id != TypeId::timestamptz;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (!(number && reals_[i])) {
        EXPECT_EQ(got[i], expected[i]) << "value " << kValues[i];
        continue;
      }
      // A REAL into a number: the very same double; into other numbers as glibc's
      // correctly rounded %.17g, which is SQLite's own text but for a few doubles
      // where its long double arithmetic is off (1e308, DBL_MAX).
      const double stored = *reals_[i];
      EXPECT_EQ(std::strtod(got[i].c_str(), nullptr), stored) << "value " << kValues[i] << " as " << got[i];
      if (id == TypeId::float32 || id == TypeId::float64) {
        EXPECT_LE(got[i].size(), expected[i].size()) << "value " << kValues[i];
        continue;
      }
      if (id == TypeId::decimal && got[i] != glibc_17_digits(stored)) {
        // The shortest text, where it rounds as the 17 digits do.
        char buf[40];
        EXPECT_EQ(got[i], std::string(buf, real_for_decimal(buf, stored))) << "value " << kValues[i];
        const std::string mantissa = got[i].substr(0, got[i].find('e'));
        EXPECT_NE(mantissa.back(), '5') << "value " << kValues[i];
      } else {
        EXPECT_EQ(got[i], glibc_17_digits(stored)) << "value " << kValues[i];
      }
      ++reals;
      if (got[i] != expected[i]) ++unlike_sqlite;
    }
  }
  EXPECT_GT(reals, 100);
  EXPECT_LE(unlike_sqlite, 2 * 11 + std::size(kValues)) << "of " << reals << " REALs into numbers";
}

TEST(Real17Digits, FormsAsSqlitePrintfDoes) {
  auto fmt = [](double v) {
    char buf[40];
    return std::string(buf, real_17_digits(buf, v));
  };
  EXPECT_EQ(fmt(0.0), "0.0");
  EXPECT_EQ(fmt(-0.0), "0.0");
  EXPECT_EQ(fmt(1.0), "1.0");
  EXPECT_EQ(fmt(-2.5), "-2.5");
  EXPECT_EQ(fmt(0.1), "0.10000000000000001");
  EXPECT_EQ(fmt(2.675), "2.6749999999999998");
  EXPECT_EQ(fmt(1e16), "10000000000000000.0");
  EXPECT_EQ(fmt(1e17), "1.0e+17");
  EXPECT_EQ(fmt(1e-5), "1.0000000000000001e-05");
  EXPECT_EQ(fmt(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(fmt(4.9e-324), "4.9406564584124654e-324");
}

TEST_F(SqliteRawCursor, CopyTextLinesAreTheValuesEncodedForCopy) {
  // Every type at once, one column each, in batches that end mid-table.
  auto dialect = catalog::make_dialect("sqlite");
  std::vector<RawColumn> columns;
  std::string list;
  for (TypeId id : {TypeId::boolean, TypeId::int32, TypeId::decimal, TypeId::float64, TypeId::text, TypeId::date,
                    TypeId::timestamp, TypeId::bytes}) {
    RawColumn r;
    r.type = id;
    r.fallback_sql = "SELECT " + dialect->select_text("?1", catalog::Type{id});
    columns.push_back(r);
    list += (list.empty() ? "" : ", ") + std::string("v");
  }
  RawColumn constant;
  constant.as_selected = true;
  columns.push_back(constant);
  const std::string sql = "SELECT " + list + ", 'k\\' || id FROM t ORDER BY id";

  std::vector<std::string> expected;
  auto by_value = conn_->open_raw_cursor(sql, columns, 5, false);
  Batch b;
  while (by_value->fetch(b)) {
    EXPECT_FALSE(b.encoded);
    for (std::size_t r = 0; r < b.rows; ++r) {
      std::string line;
      for (std::size_t c = 0; c < b.columns(); ++c) {
        if (c) line += '\t';
        if (b.is_null[c][r]) {
          line += "\\N";
          continue;
        }
        if (columns[c].type == TypeId::bytes) line += "\\\\x";
        line += test::copy_escaped_longhand(b.values[c][r]);
      }
      expected.push_back(line + "\n");
    }
  }
  std::vector<std::string> got;
  auto as_text = conn_->open_raw_cursor(sql, columns, 5, true);
  while (as_text->fetch(b)) {
    EXPECT_TRUE(b.encoded);
    ASSERT_EQ(b.row_end.size(), b.rows);
    for (std::size_t r = 0; r < b.rows; ++r)
      got.push_back(b.copy_text.substr(b.row_begin(r), b.row_end[r] - b.row_begin(r)));
  }
  ASSERT_EQ(got.size(), std::size(kValues));
  EXPECT_EQ(got, expected);
}

TEST_F(SqliteRawCursor, TakesAsSelectedColumnsAsTheyCome) {
  RawColumn constant;
  constant.as_selected = true;
  auto cursor = conn_->open_raw_cursor("SELECT 'fixed' FROM t WHERE id <= 3", {constant}, 2, false);
  EXPECT_EQ(drain(*cursor), (std::vector<std::string>{"fixed", "fixed", "fixed"}));
}

TEST_F(SqliteRawCursor, ABadFallbackIsAnErrorNotAValue) {
  RawColumn raw;
  raw.type = TypeId::date;
  raw.fallback_sql = "SELECT no_such_function(?1)";
  auto cursor = conn_->open_raw_cursor("SELECT v FROM t WHERE id = 2", {raw}, 2, false);  // the integer 0
  Batch b;
  EXPECT_THROW(cursor->fetch(b), std::exception);
}

}  // namespace
}  // namespace replicate::source
