// SPDX-License-Identifier: Apache-2.0
// COPY (SELECT ...) TO STDOUT as a cursor, against the private test cluster.
#include <gtest/gtest.h>

#include <string>

#include "source/connection.hpp"
#include "support/connections.hpp"
#include "support/test_db.hpp"
#include "util/error.hpp"

namespace replicate::source {
namespace {

std::unique_ptr<Connection> open(const std::string& conninfo) {
  return test::source_connection(config::Driver::postgresql, conninfo);
}

TEST(PgCopyOut, GivesEveryRowAsACopyTextLineInBatches) {
  auto conn = open(test::create_database("copy_out"));
  ASSERT_TRUE(conn->copies_out());
  auto cursor = conn->open_copy_out_cursor(
      "SELECT g, CASE WHEN g = 2 THEN NULL ELSE 'a' || chr(9) || 'b\\' || g END FROM generate_series(1, 25) g", 10);
  Batch b;
  std::vector<std::size_t> sizes;
  std::string all;
  while (cursor->fetch(b)) {
    EXPECT_TRUE(b.encoded);
    ASSERT_EQ(b.row_end.size(), b.rows);
    EXPECT_EQ(b.row_end.back(), b.copy_text.size());
    sizes.push_back(b.rows);
    all += b.copy_text;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  EXPECT_EQ(all.substr(0, all.find("4\t")), "1\ta\\tb\\\\1\n2\t\\N\n3\ta\\tb\\\\3\n");
}

TEST(PgCopyOut, ACursorDroppedEarlyLeavesTheConnectionUsable) {
  auto conn = open(test::create_database("copy_out_early"));
  {
    auto cursor = conn->open_copy_out_cursor("SELECT g, repeat('x', 200) FROM generate_series(1, 2000000) g", 100);
    Batch b;
    ASSERT_TRUE(cursor->fetch(b));
    EXPECT_EQ(b.rows, 100u);
  }
  auto rows = conn->query("SELECT 42");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].value_or(""), "42");
}

TEST(PgCopyOut, AFailingQueryIsAnErrorWithItsSqlstate) {
  auto conn = open(test::create_database("copy_out_error"));
  try {
    auto cursor = conn->open_copy_out_cursor("SELECT 1 / (g - 3) FROM generate_series(1, 10) g", 2);
    Batch b;
    while (cursor->fetch(b)) {
    }
    FAIL() << "division by zero was not reported";
  } catch (const util::DbError& e) {
    EXPECT_EQ(e.sqlstate(), "22012") << e.what();
  }
  EXPECT_EQ(conn->query("SELECT 7")[0][0].value_or(""), "7");
}

}  // namespace
}  // namespace replicate::source
