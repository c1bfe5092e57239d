// SPDX-License-Identifier: Apache-2.0
// A table whose own SQL the source refuses (a bad `where:`) fails alone: the other
// tables are copied, the run exits 1, and the error names the entry's FILE:LINE and table.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using TableSqlError = TwoDatabases;

TEST_F(TableSqlError, ABadWhereFailsItsTableOnlyAndNamesTheEntry) {
  pg_exec(src, "CREATE TABLE good (id int PRIMARY KEY); INSERT INTO good SELECT generate_series(1, 50);"
               "CREATE TABLE bad (id int PRIMARY KEY); INSERT INTO bad VALUES (1)");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - source: public.bad\n"
                                               "    where: \"no_such_column > 1\"\n"
                                               "  - source: public.good\n",
                                               "  workers: 1\n"));
  auto r = run_replicate({dir + "/m.yaml"}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM good"), std::optional<std::string>("50")) << r.out << r.err;
  const std::string entry = dir + "/m.yaml:11:5: table public.bad";  // the `- source: public.bad` line
  EXPECT_NE(r.err.find(entry), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no_such_column"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("correct them in the mapping"), std::string::npos) << r.err;

  // plan shows the good table and the bad one's error, and exits 1 as well.
  r = run_replicate({"plan", dir + "/m.yaml"}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("table public.good -> public.good"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(entry), std::string::npos) << r.err;
}

}  // namespace
}  // namespace replicate::test
