// The raw SQLite cursor converts values in C++; it must give, value for value, what
// the SQLite dialect's select_text gives in SQL. One untyped column holds a value
// of every storage class, and each canonical type reads it both ways.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "catalog/dialect.hpp"
#include "source/connection.hpp"

namespace replicate::source {
namespace {

using catalog::TypeId;

const char* kValues[] = {
    "NULL", "0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808", "1700000000",
    "0.0", "-0.0", "1.0", "0.1", "-2.5", "123456.789", "2460000.5", "1e308", "1.7976931348623157e308",
    "4.9e-324", "1e16", "3.0e10", "'abc'", "''", "'true'", "' Yes '", "'0'", "'2024-01-02'",
    "'2024-01-02 03:04:05.123'", "'a' || char(9) || 'b\\c' || char(10)", "'ação'", "x''", "x'00ff10'",
    "x'616263'", "x'c3a7'"};

class SqliteRawCursor : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "raw_cursor_" + std::to_string(getpid()) + ".sqlite";
    std::remove(path_.c_str());
    config::Endpoint ep;
    ep.driver = config::Driver::sqlite;
    ep.connection = path_;
    ep.connection_display = path_;
    conn_ = connect(ep, Side::source);
    conn_->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v)");
    int id = 0;
    for (const char* v : kValues)
      conn_->execute("INSERT INTO t VALUES (" + std::to_string(++id) + ", " + v + ")");
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
};

TEST_F(SqliteRawCursor, GivesWhatTheDialectsSqlGivesForEveryTypeAndStorageClass) {
  ASSERT_TRUE(conn_->reads_raw());
  auto dialect = catalog::make_dialect("sqlite");
  const TypeId types[] = {TypeId::boolean, TypeId::int16,  TypeId::int32,     TypeId::int64,       TypeId::decimal,
                          TypeId::float32, TypeId::float64, TypeId::string,   TypeId::text,        TypeId::date,
                          TypeId::time,    TypeId::timestamp, TypeId::timestamptz, TypeId::uuid, TypeId::bytes,
                          TypeId::json};
  for (TypeId id : types) {
    catalog::Type type{id};
    SCOPED_TRACE(catalog::to_string(type));
    auto in_sql = conn_->open_cursor("SELECT " + dialect->select_text("v", type) + " FROM t ORDER BY id", 1, 7);
    RawColumn raw;
    raw.type = id;
    raw.fallback_sql = "SELECT " + dialect->select_text("?1", type);
    auto in_client = conn_->open_raw_cursor("SELECT v FROM t ORDER BY id", {raw}, 7);
    auto expected = drain(*in_sql);
    auto got = drain(*in_client);
    ASSERT_EQ(expected.size(), std::size(kValues));
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(got[i], expected[i]) << "value " << kValues[i];
  }
}

TEST_F(SqliteRawCursor, TakesAsSelectedColumnsAsTheyCome) {
  RawColumn constant;
  constant.as_selected = true;
  auto cursor = conn_->open_raw_cursor("SELECT 'fixed' FROM t WHERE id <= 3", {constant}, 2);
  EXPECT_EQ(drain(*cursor), (std::vector<std::string>{"fixed", "fixed", "fixed"}));
}

TEST_F(SqliteRawCursor, ABadFallbackIsAnErrorNotAValue) {
  RawColumn raw;
  raw.type = TypeId::date;
  raw.fallback_sql = "SELECT no_such_function(?1)";
  auto cursor = conn_->open_raw_cursor("SELECT v FROM t WHERE id = 2", {raw}, 2);  // the integer 0
  Batch b;
  EXPECT_THROW(cursor->fetch(b), std::exception);
}

}  // namespace
}  // namespace replicate::source
