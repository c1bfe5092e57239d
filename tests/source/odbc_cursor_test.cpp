// SPDX-License-Identifier: Apache-2.0
// The ODBC bulk cursor against real drivers: SQLite's ODBC driver (a file per
// test) and psqlODBC against the private test cluster.
#include "source/odbc_cursor.hpp"

#include <gtest/gtest.h>
#include <sql.h>
#include <sqlext.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

#include "support/test_db.hpp"
#include "util/error.hpp"

namespace replicate::source {
namespace {

/// An ODBC environment + connection, closed on destruction.
class OdbcConnection {
 public:
  explicit OdbcConnection(const std::string& connection_string) {
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env_);
    SQLSetEnvAttr(env_, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env_, &dbc_);
    const SQLRETURN rc = SQLDriverConnect(
        dbc_, nullptr, reinterpret_cast<SQLCHAR*>(const_cast<char*>(connection_string.c_str())),
        SQL_NTS, nullptr, 0, nullptr, SQL_DRIVER_NOPROMPT);
    if (rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO) {
      connected_ = true;
    } else {
      SQLCHAR state[6] = {0}, msg[1024] = {0};
      SQLINTEGER native = 0;
      SQLSMALLINT len = 0;
      SQLGetDiagRec(SQL_HANDLE_DBC, dbc_, 1, state, &native, msg, sizeof msg, &len);
      error_ = std::string(reinterpret_cast<char*>(state)) + " " + reinterpret_cast<char*>(msg);
    }
  }
  ~OdbcConnection() {
    if (connected_) SQLDisconnect(dbc_);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    SQLFreeHandle(SQL_HANDLE_ENV, env_);
  }
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;
  void* hdbc() const { return dbc_; }
  bool connected() const { return connected_; }
  const std::string& error() const { return error_; }

 private:
  SQLHENV env_ = SQL_NULL_HENV;
  SQLHDBC dbc_ = SQL_NULL_HDBC;
  bool connected_ = false;
  std::string error_;
};

/// Every row of a cursor, plus the row count of each fetch() that returned true.
struct Drained {
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::vector<std::size_t> batch_rows;
};

Drained drain(Cursor& cursor) {
  Drained d;
  Batch b;  // one batch reused throughout, as the worker does
  while (cursor.fetch(b)) {
    d.batch_rows.push_back(b.rows);
    EXPECT_GT(b.rows, 0u);
    for (std::size_t c = 0; c < b.columns(); ++c) {
      EXPECT_EQ(b.values[c].size(), b.rows);
      EXPECT_EQ(b.is_null[c].size(), b.rows);
    }
    for (std::size_t r = 0; r < b.rows; ++r) {
      std::vector<std::optional<std::string>> row;
      for (std::size_t c = 0; c < b.columns(); ++c) {
        if (b.is_null[c][r]) {
          EXPECT_TRUE(b.values[c][r].empty());
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(b.values[c][r]);
        }
      }
      d.rows.push_back(std::move(row));
    }
  }
  EXPECT_EQ(b.rows, 0u);
  EXPECT_FALSE(cursor.fetch(b)) << "a finished cursor stays finished";
  return d;
}

/// A 5 MB+ text whose pieces are all different (a lost, doubled or reordered
/// 64 KiB piece changes it) and whose multi-byte characters straddle piece edges.
std::string long_text() {
  std::string s;
  s.reserve(5'300'000);
  for (int i = 0; s.size() < 5'000'000; ++i) s += std::to_string(i) + " é😀\t";
  return s;
}

std::string unique_suffix() {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// ---------------------------------------------------------------- SQLite ODBC

class OdbcCursorSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/replicate_odbc_cursor_" + unique_suffix() + ".sqlite";
    std::remove(path_.c_str());
    conn_ = std::make_unique<OdbcConnection>("Driver={SQLite3};Database=" + path_ + ";");
    ASSERT_TRUE(conn_->connected()) << conn_->error();
  }
  void TearDown() override {
    conn_.reset();
    std::remove(path_.c_str());
  }
  void exec(const std::string& sql) { odbc_execute(conn_->hdbc(), sql, Side::source); }
  std::unique_ptr<Cursor> open(const std::string& sql, std::size_t columns, std::size_t batch) {
    return open_odbc_cursor(conn_->hdbc(), sql, columns, batch, Side::source);
  }
  /// Insert through SQLite's own API so values go in byte-exact, free of SQL quoting.
  void insert_text(const std::string& table,
                   const std::vector<std::optional<std::string>>& values) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const std::string sql = "INSERT INTO " + table + "(id, v) VALUES (?, ?)";
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    for (std::size_t i = 0; i < values.size(); ++i) {
      sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(i));
      if (values[i])
        sqlite3_bind_text(st, 2, values[i]->data(), static_cast<int>(values[i]->size()),
                          SQLITE_TRANSIENT);
      else
        sqlite3_bind_null(st, 2);
      ASSERT_EQ(sqlite3_step(st), SQLITE_DONE) << sqlite3_errmsg(db);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  /// `count` rows (id, 'row <id>'), ids 1..count, in a short-column table.
  void make_numbered(int count) {
    exec("CREATE TABLE n (id INTEGER PRIMARY KEY, v VARCHAR(20))");
    exec("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < " +
         std::to_string(count) + ") INSERT INTO n SELECT i, 'row ' || i FROM c");
  }
  void expect_numbered(const Drained& d, int count) {
    ASSERT_EQ(d.rows.size(), static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      ASSERT_EQ(d.rows[i][0], std::to_string(i + 1));
      ASSERT_EQ(d.rows[i][1], "row " + std::to_string(i + 1));
    }
  }

  std::string path_;
  std::unique_ptr<OdbcConnection> conn_;
};

TEST_F(OdbcCursorSqlite, TenThousandRowsInTenFullBatches) {
  make_numbered(10'000);
  auto cursor = open("SELECT id, v FROM n ORDER BY id", 2, 1000);
  const Drained d = drain(*cursor);
  EXPECT_EQ(d.batch_rows, std::vector<std::size_t>(10, 1000));
  expect_numbered(d, 10'000);
}

TEST_F(OdbcCursorSqlite, BatchSizeNotDividingRowCount) {
  make_numbered(1000);
  auto cursor = open("SELECT id, v FROM n ORDER BY id", 2, 300);
  const Drained d = drain(*cursor);
  EXPECT_EQ(d.batch_rows, (std::vector<std::size_t>{300, 300, 300, 100}));
  expect_numbered(d, 1000);
}

TEST_F(OdbcCursorSqlite, WideRowsSplitARowSetAcrossBatches) {
  // varchar(8000) needs 32 KB a row, so the bound array is capped (~1000 rows) below
  // the batch size of 5000 and a row set straddles fetch() calls.
  exec("CREATE TABLE w (id INTEGER PRIMARY KEY, v VARCHAR(8000))");
  exec(
      "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 12000) "
      "INSERT INTO w SELECT i, 'row ' || i FROM c");
  auto cursor = open("SELECT id, v FROM w ORDER BY id", 2, 5000);
  const Drained d = drain(*cursor);
  EXPECT_EQ(d.batch_rows, (std::vector<std::size_t>{5000, 5000, 2000}));
  expect_numbered(d, 12'000);
}

TEST_F(OdbcCursorSqlite, EmptyResultFetchesNothing) {
  make_numbered(3);
  auto cursor = open("SELECT id, v FROM n WHERE id > 100", 2, 100);
  EXPECT_TRUE(drain(*cursor).rows.empty());
}

TEST_F(OdbcCursorSqlite, NullIsNotEmptyString) {
  // Both column shapes: v short (array-bound), t long (SQLGetData).
  exec("CREATE TABLE e (id INTEGER PRIMARY KEY, v VARCHAR(10), t TEXT)");
  exec("INSERT INTO e VALUES (1, NULL, NULL), (2, '', ''), (3, 'x', 'y')");
  auto cursor = open("SELECT v, t FROM e ORDER BY id", 2, 10);
  const Drained d = drain(*cursor);
  ASSERT_EQ(d.rows.size(), 3u);
  EXPECT_EQ(d.rows[0][0], std::nullopt);
  EXPECT_EQ(d.rows[0][1], std::nullopt);
  EXPECT_EQ(d.rows[1][0], std::optional<std::string>(""));
  EXPECT_EQ(d.rows[1][1], std::optional<std::string>(""));
  EXPECT_EQ(d.rows[2][0], "x");
  EXPECT_EQ(d.rows[2][1], "y");
}

TEST_F(OdbcCursorSqlite, Utf8AndControlCharactersRoundTrip) {
  const std::vector<std::optional<std::string>> values = {"São Paulo — açaí, Ærøskøbing, Straße",
                                                          "emoji 😀🎉👩‍👩‍👧",
                                                          "日本語テキスト",
                                                          "tab\there",
                                                          "new\nline\r\nand CR",
                                                          "back\\slash \\N",
                                                          "quotes ' \" `",
                                                          std::nullopt,
                                                          ""};
  // The same values through a short column (4 bytes a character: 10 emoji fit in
  // varchar(10)) and a long one.
  exec("CREATE TABLE u (id INTEGER PRIMARY KEY, v VARCHAR(40))");
  exec("CREATE TABLE l (id INTEGER PRIMARY KEY, v TEXT)");
  insert_text("u", values);
  insert_text("l", values);
  for (const char* table : {"u", "l"}) {
    auto cursor = open(std::string("SELECT v FROM ") + table + " ORDER BY id", 1, 4);
    const Drained d = drain(*cursor);
    ASSERT_EQ(d.rows.size(), values.size()) << table;
    for (std::size_t i = 0; i < values.size(); ++i)
      EXPECT_EQ(d.rows[i][0], values[i]) << table << " row " << i;
  }
}

TEST_F(OdbcCursorSqlite, FiveMegabyteValueArrivesWhole) {
  const std::string big = long_text();
  exec("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)");
  insert_text("big", {"small", big, std::nullopt, big + "!"});
  // A long column between short ones, and more rows than one batch.
  auto cursor = open("SELECT id, v, id * 2 FROM big ORDER BY id", 3, 3);
  const Drained d = drain(*cursor);
  EXPECT_EQ(d.batch_rows, (std::vector<std::size_t>{3, 1}));
  ASSERT_EQ(d.rows.size(), 4u);
  EXPECT_EQ(d.rows[0][1], "small");
  ASSERT_TRUE(d.rows[1][1].has_value());
  EXPECT_EQ(d.rows[1][1]->size(), big.size());
  EXPECT_TRUE(*d.rows[1][1] == big) << "5 MB value differs";
  EXPECT_EQ(d.rows[2][1], std::nullopt);
  EXPECT_TRUE(d.rows[3][1] == big + "!");
  EXPECT_EQ(d.rows[3][0], "3");
  EXPECT_EQ(d.rows[3][2], "6");
}

TEST_F(OdbcCursorSqlite, ValuesAroundEveryPieceEdgeArriveWhole) {
  // Long columns are read in a 255-byte piece, then 64 KiB ones: lengths on both
  // sides of each edge, with a two-byte character straddling it or not.
  exec("CREATE TABLE edges (id INTEGER PRIMARY KEY, v TEXT)");
  std::vector<std::optional<std::string>> values;
  for (std::size_t base : {std::size_t{250}, std::size_t{65530}, std::size_t{65530 + 65535}}) {
    for (std::size_t n = base; n < base + 12; ++n) {
      std::string v;
      for (std::size_t i = 0; v.size() < n; ++i) v += (i % 7 == (n % 7)) ? "\xc3\xa9" : "x";
      values.push_back(v);
    }
  }
  insert_text("edges", values);
  auto cursor = open("SELECT v FROM edges ORDER BY id", 1, 10);
  const Drained d = drain(*cursor);
  ASSERT_EQ(d.rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_TRUE(d.rows[i][0] == values[i]) << "value " << i << " of " << values[i]->size() << " bytes";
}

TEST_F(OdbcCursorSqlite, ValueLongerThanDeclaredSizeIsAnErrorNotTruncated) {
  // SQLite does not enforce varchar(2); the driver still declares size 2, so the
  // buffer holds 8 bytes and this 50-byte value must not be cut.
  exec("CREATE TABLE tr (id INTEGER PRIMARY KEY, v VARCHAR(2))");
  exec("INSERT INTO tr VALUES (1, 'ok'), (2, '" + std::string(50, 'x') + "')");
  auto cursor = open("SELECT id, v FROM tr ORDER BY id", 2, 10);
  Batch b;
  try {
    cursor->fetch(b);
    FAIL() << "expected a truncation error";
  } catch (const util::DbError& e) {
    EXPECT_EQ(e.kind(), util::ErrorKind::data);
    EXPECT_EQ(e.side(), "source");
    EXPECT_NE(std::string(e.what()).find("column v"), std::string::npos) << e.what();
  }
}

TEST_F(OdbcCursorSqlite, ColumnCountMismatchIsAnInternalError) {
  make_numbered(3);
  try {
    open("SELECT id, v FROM n", 3, 10);
    FAIL() << "expected a column count error";
  } catch (const util::DbError& e) {
    EXPECT_EQ(e.kind(), util::ErrorKind::internal);
    EXPECT_NE(std::string(e.what()).find("2 columns, expected 3"), std::string::npos) << e.what();
  }
}

TEST_F(OdbcCursorSqlite, BadSqlCarriesSqlstateAndSide) {
  try {
    open_odbc_cursor(conn_->hdbc(), "SELECT nope FROM no_such_table", 1, 10, Side::target);
    FAIL() << "expected a query error";
  } catch (const util::DbError& e) {
    EXPECT_EQ(e.side(), "target");
    EXPECT_EQ(e.sqlstate().size(), 5u) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("target: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
  EXPECT_THROW(odbc_execute(conn_->hdbc(), "CREATE TABLEX broken", Side::source), util::DbError);
}

TEST_F(OdbcCursorSqlite, ExecuteWithNoRowsAffectedSucceeds) {
  make_numbered(3);
  EXPECT_NO_THROW(exec("DELETE FROM n WHERE id > 100"));  // SQL_NO_DATA
  EXPECT_NE(odbc_dbms_name(conn_->hdbc()).find("SQLite"), std::string::npos);
}

// ------------------------------------------------------------- psqlODBC (PG)

class OdbcCursorPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    conninfo_ = test::create_database("odbc_cursor");
    conn_ =
        std::make_unique<OdbcConnection>(test::odbc_pg_connection(test::database_of(conninfo_)));
    ASSERT_TRUE(conn_->connected()) << conn_->error();
  }
  std::unique_ptr<Cursor> open(const std::string& sql, std::size_t columns, std::size_t batch) {
    return open_odbc_cursor(conn_->hdbc(), sql, columns, batch, Side::source);
  }
  /// A PostgreSQL string literal (standard_conforming_strings: only ' doubles).
  static std::string literal(const std::string& v) {
    std::string out = "'";
    for (char ch : v) out += ch == '\'' ? std::string("''") : std::string(1, ch);
    return out + "'";
  }

  std::string conninfo_;
  std::unique_ptr<OdbcConnection> conn_;
};

TEST_F(OdbcCursorPostgres, TenThousandRowsInTenFullBatches) {
  // varchar(20) and int are short: one SQLFetch brings a whole array of rows.
  test::pg_exec(conninfo_,
                "CREATE TABLE n (id int PRIMARY KEY, v varchar(20));"
                "INSERT INTO n SELECT i, 'row ' || i FROM generate_series(1, 10000) i");
  auto cursor = open("SELECT id, v FROM n ORDER BY id", 2, 1000);
  const Drained d = drain(*cursor);
  EXPECT_EQ(d.batch_rows, std::vector<std::size_t>(10, 1000));
  ASSERT_EQ(d.rows.size(), 10'000u);
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_EQ(d.rows[i][0], std::to_string(i + 1));
    ASSERT_EQ(d.rows[i][1], "row " + std::to_string(i + 1));
  }
}

TEST_F(OdbcCursorPostgres, LongColumnBatchNotDividingRowCount) {
  // text is SQL_LONGVARCHAR to psqlODBC: one row per SQLFetch, batches still full.
  test::pg_exec(conninfo_,
                "CREATE TABLE t (id int PRIMARY KEY, v text);"
                "INSERT INTO t SELECT i, 'text ' || i FROM generate_series(1, 2500) i");
  auto cursor = open("SELECT id, v FROM t ORDER BY id", 2, 1000);
  const Drained d = drain(*cursor);
  EXPECT_EQ(d.batch_rows, (std::vector<std::size_t>{1000, 1000, 500}));
  ASSERT_EQ(d.rows.size(), 2500u);
  EXPECT_EQ(d.rows[2499][1], "text 2500");
}

TEST_F(OdbcCursorPostgres, NullEmptyUtf8AndControlCharactersRoundTrip) {
  const std::vector<std::optional<std::string>> values = {"São Paulo — açaí, Ærøskøbing",
                                                          "emoji 😀🎉👩‍👩‍👧",
                                                          "日本語テキスト",
                                                          "tab\there",
                                                          "new\nline\r\nand CR",
                                                          "back\\slash \\N",
                                                          "quotes ' \" `",
                                                          std::nullopt,
                                                          ""};
  test::pg_exec(conninfo_, "CREATE TABLE u (id int PRIMARY KEY, s varchar(40), l text)");
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string v = values[i] ? literal(*values[i]) : "NULL";
    test::pg_exec(conninfo_,
                  "INSERT INTO u VALUES (" + std::to_string(i) + ", " + v + ", " + v + ")");
  }
  auto cursor = open("SELECT s, l FROM u ORDER BY id", 2, 4);
  const Drained d = drain(*cursor);
  ASSERT_EQ(d.rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(d.rows[i][0], values[i]) << "varchar row " << i;
    EXPECT_EQ(d.rows[i][1], values[i]) << "text row " << i;
  }
}

TEST_F(OdbcCursorPostgres, FiveMegabyteValueArrivesWhole) {
  const std::string big = long_text();
  test::pg_exec(conninfo_,
                "CREATE TABLE big (id int PRIMARY KEY, v text);"
                "INSERT INTO big VALUES (1, " +
                    literal(big) + "), (2, NULL), (3, 'x')");
  auto cursor = open("SELECT id, v FROM big ORDER BY id", 2, 10);
  const Drained d = drain(*cursor);
  ASSERT_EQ(d.rows.size(), 3u);
  ASSERT_TRUE(d.rows[0][1].has_value());
  EXPECT_EQ(d.rows[0][1]->size(), big.size());
  EXPECT_TRUE(*d.rows[0][1] == big) << "5 MB value differs";
  EXPECT_EQ(d.rows[1][1], std::nullopt);
  EXPECT_EQ(d.rows[2][1], "x");
}

TEST_F(OdbcCursorPostgres, NumbersAndTimestampsFitTheirBuffers) {
  // Declared sizes understate the text: numeric(38,10) with sign and point,
  // unconstrained numeric (declared 28), 9-digit-exponent floats, timestamps.
  const std::string dec = "-1234567890123456789012345678.0123456789";
  const std::string wide = "123456789012345678901234567890123456789012345.123456789";
  test::pg_exec(conninfo_,
                "CREATE TABLE m (a numeric(38,10), b numeric, c float8, d timestamp(6), e bool);"
                "INSERT INTO m VALUES (" +
                    dec + ", " + wide +
                    ", -1.2345678901234567e-300, '2024-02-29 23:59:59.123456', true)");
  auto cursor = open("SELECT a, b, c, d, e FROM m", 5, 10);
  const Drained d = drain(*cursor);
  ASSERT_EQ(d.rows.size(), 1u);
  EXPECT_EQ(d.rows[0][0], dec);
  EXPECT_EQ(d.rows[0][1], wide);
  ASSERT_TRUE(d.rows[0][2].has_value());
  EXPECT_NE(d.rows[0][2]->find("e-300"), std::string::npos) << *d.rows[0][2];
  EXPECT_EQ(d.rows[0][3], "2024-02-29 23:59:59.123456");
  ASSERT_TRUE(d.rows[0][4].has_value());
}

TEST_F(OdbcCursorPostgres, BadSqlCarriesSqlstateAndSide) {
  try {
    open("SELECT nope FROM no_such_table", 1, 10);
    FAIL() << "expected a query error";
  } catch (const util::DbError& e) {
    EXPECT_EQ(e.sqlstate(), "42P01") << e.what();
    EXPECT_EQ(e.kind(), util::ErrorKind::missing);
    EXPECT_EQ(e.side(), "source");
    EXPECT_EQ(std::string(e.what()).rfind("source: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
  try {
    odbc_execute(conn_->hdbc(), "INSERT INTO no_such_table VALUES (1)", Side::target);
    FAIL() << "expected a statement error";
  } catch (const util::DbError& e) {
    EXPECT_EQ(e.sqlstate(), "42P01") << e.what();
    EXPECT_EQ(e.side(), "target");
  }
}

TEST_F(OdbcCursorPostgres, ColumnCountMismatchAndDbmsName) {
  EXPECT_THROW(open("SELECT 1, 2", 1, 10), util::DbError);
  EXPECT_EQ(odbc_dbms_name(conn_->hdbc()), "PostgreSQL");
  odbc_execute(conn_->hdbc(), "CREATE TABLE x (a int)", Side::target);
  EXPECT_NO_THROW(odbc_execute(conn_->hdbc(), "DELETE FROM x", Side::target));  // SQL_NO_DATA
}

}  // namespace
}  // namespace replicate::source
