// SPDX-License-Identifier: Apache-2.0
// The test helpers themselves: the private cluster answers, databases can be
// made, names never collide, and the binary can be run.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "support/test_db.hpp"

namespace replicate::test {
namespace {

TEST(Support, ClusterAnswersSelectOne) {
  auto rows = pg_query(pg().conninfo(), "select 1");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].size(), 1u);
  EXPECT_EQ(rows[0][0], "1");
}

TEST(Support, ClusterIsUtf8) {
  EXPECT_EQ(pg_scalar(pg().conninfo(), "show server_encoding"), "UTF8");
}

TEST(Support, CreateDatabaseGivesAUsableDatabase) {
  const std::string conninfo = create_database("support");
  const std::string name = database_of(conninfo);
  EXPECT_EQ(pg_scalar(conninfo, "select current_database()"), name);

  pg_exec(conninfo, "create table t (id int primary key, v text); insert into t values (1, 'a'), (2, null)");
  auto rows = pg_query(conninfo, "select id, v from t order by id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], "a");
  EXPECT_EQ(rows[1][1], std::nullopt);
}

TEST(Support, SqlErrorsCarryTheServerMessage) {
  try {
    pg_exec(pg().conninfo(), "select * from no_such_table_here");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table_here"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

TEST(Support, UniqueNameDiffersPerCallAndIsAnIdentifier) {
  std::set<std::string> names;
  for (int i = 0; i < 100; ++i) names.insert(unique_name("My-Table"));
  EXPECT_EQ(names.size(), 100u);
  for (const auto& n : names) {
    EXPECT_EQ(n.rfind("my_table_", 0), 0u) << n;
    EXPECT_EQ(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos)
        << n;
  }
  EXPECT_LE(unique_name(std::string(100, 'x')).size(), 63u);
  EXPECT_TRUE(std::isalpha(static_cast<unsigned char>(unique_name("1abc")[0])));
}

TEST(Support, TempDirIsFreshAndEmpty) {
  auto a = temp_dir(), b = temp_dir();
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::filesystem::is_directory(a));
  EXPECT_TRUE(std::filesystem::is_empty(a));
}

TEST(Support, RunReplicateCapturesExitCodeAndOutput) {
  // Whatever the CLI prints for an unknown option, it must say so and fail.
  auto r = run_replicate({"--no-such-option-at-all"}, {{"REPLICATE_SUPPORT_TEST", "1"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_FALSE(r.out.empty() && r.err.empty());
}

TEST(Support, OdbcConnectionStringsNameTheDebianDrivers) {
  auto s = odbc_pg_connection("db1");
  EXPECT_NE(s.find("Driver={PostgreSQL Unicode}"), std::string::npos) << s;
  EXPECT_NE(s.find("Port=" + std::to_string(pg().port)), std::string::npos) << s;
  EXPECT_NE(s.find("Database=db1;"), std::string::npos) << s;
  EXPECT_EQ(odbc_sqlite_connection("/tmp/x.db"), "Driver={SQLite3};Database=/tmp/x.db;");
}

}  // namespace
}  // namespace replicate::test
