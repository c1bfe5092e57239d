// SPDX-License-Identifier: Apache-2.0
// ReadAhead over real SQLite cursors: every batch in order, an error of the cursor
// rethrown where the batches are taken, and an early stop that leaves nothing behind.
#include "engine/read_ahead.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "catalog/dialect.hpp"
#include "support/connections.hpp"
#include "util/error.hpp"

namespace replicate::engine {
namespace {

class ReadAheadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "read_ahead_" + std::to_string(getpid()) + ".sqlite";
    conn_ = test::fresh_sqlite_source(path_);
    conn_->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, d)");
    conn_->execute("WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 10000) "
                   "INSERT INTO t SELECT i, '2024-01-02' FROM g");
  }
  void TearDown() override {
    conn_.reset();
    std::remove(path_.c_str());
  }

  /// Rows as COPY text, with column d read as a date through the dialect's SQL when
  /// it is not text; `fallback` replaces that SQL.
  std::unique_ptr<source::Cursor> cursor(std::size_t batch, const std::string& fallback = "") {
    auto dialect = catalog::make_dialect("sqlite");
    source::RawColumn id, d;
    id.type = catalog::TypeId::int64;
    id.fallback_sql = "SELECT " + dialect->select_text("?1", catalog::Type{catalog::TypeId::int64});
    d.type = catalog::TypeId::date;
    d.fallback_sql = fallback.empty() ? "SELECT " + dialect->select_text("?1", catalog::Type{catalog::TypeId::date})
                                      : fallback;
    return conn_->open_raw_cursor("SELECT id, d FROM t ORDER BY id", {id, d}, batch, true);
  }

  std::string path_;
  std::unique_ptr<source::Connection> conn_;
};

TEST_F(ReadAheadTest, GivesEveryBatchInOrder) {
  ReadAhead rows(cursor(700));
  std::size_t total = 0, batches = 0;
  std::string expected_next = "1\t";
  while (const source::Batch* b = rows.next()) {
    ASSERT_TRUE(b->encoded);
    EXPECT_EQ(b->copy_text.compare(0, expected_next.size(), expected_next), 0) << "batch " << batches;
    total += b->rows;
    ++batches;
    expected_next = std::to_string(total + 1) + "\t";
  }
  EXPECT_EQ(total, 10000u);
  EXPECT_EQ(batches, 15u);  // 14 of 700 and one of 200
  EXPECT_EQ(rows.next(), nullptr);
}

TEST_F(ReadAheadTest, AnErrorOfTheCursorIsRethrownAsItWasThrown) {
  conn_->execute("UPDATE t SET d = 20240102 WHERE id = 5000");  // an integer: the fallback runs
  ReadAhead rows(cursor(700, "SELECT no_such_function(?1)"));
  std::size_t before_error = 0;
  try {
    while (const source::Batch* b = rows.next()) before_error += b->rows;
    FAIL() << "the cursor's error was lost";
  } catch (const util::DbError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_function"), std::string::npos) << e.what();
  }
  EXPECT_EQ(before_error, 4900u);  // the 7 batches before the one holding row 5000
}

TEST_F(ReadAheadTest, StoppingEarlyLeavesTheConnectionUsable) {
  {
    ReadAhead rows(cursor(100));
    ASSERT_NE(rows.next(), nullptr);
  }  // destroyed with the reader possibly mid-fetch
  auto n = conn_->query("SELECT count(*) FROM t");
  EXPECT_EQ(n[0][0].value_or(""), "10000");
}

}  // namespace
}  // namespace replicate::engine
