// SPDX-License-Identifier: Apache-2.0
// Two `replicate` processes on one mapping share its run (chunks are claimed under a
// row lock); the run's totals and each process's summary must be those of the
// committed chunks, not of the chunks one process happened to copy. Issue 14, item 15.
#include <gtest/gtest.h>

#include <regex>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

struct ConcurrentTotals : TwoDatabases {
  void concurrent_runs(const std::string& table_options) {
    pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text);"
                 "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 60000) g");
    write_file(dir + "/m.yaml",
               pg_to_pg_mapping("  - source: public.t\n" + table_options, "  chunk_rows: 1000\n  workers: 2\n"));
    const std::string a_dir = dir + "/a", b_dir = dir + "/b";
    ASSERT_EQ(std::system(("mkdir -p " + a_dir + " " + b_dir).c_str()), 0);
    BackgroundRun a({dir + "/m.yaml"}, env, a_dir);
    BackgroundRun b({dir + "/m.yaml"}, env, b_dir);
    const int a_code = a.wait(), b_code = b.wait();
    ASSERT_EQ(a_code, 0) << a.out() << a.err();
    ASSERT_EQ(b_code, 0) << b.out() << b.err();
    EXPECT_EQ(pg_scalar(dst, "SELECT count(*) || ':' || sum(id) FROM t"), std::optional<std::string>("60000:1800030000"));
    // Every finished run holds the rows of its committed chunks.
    for (auto& r : pg_query(dst, "SELECT r.run_id, r.status, r.rows, (SELECT sum(rows) FROM replicate.chunks c "
                                 "WHERE c.run_id = r.run_id AND c.status = 'done') FROM replicate.runs r")) {
      EXPECT_EQ(r[1].value_or(""), "done") << "run " << *r[0];
      EXPECT_EQ(r[2], std::optional<std::string>("60000")) << "run " << *r[0];
      EXPECT_EQ(r[3], std::optional<std::string>("60000")) << "run " << *r[0];
    }
    // Both summaries give the table's rows, whichever process copied which chunks.
    const std::regex row(R"(public\.t\s+done\s+60,000\s)");
    EXPECT_TRUE(std::regex_search(a.out(), row)) << a.out();
    EXPECT_TRUE(std::regex_search(b.out(), row)) << b.out();
  }
};

TEST_F(ConcurrentTotals, TwoProcessesOnOneMappingRecordTheRunsRows) { concurrent_runs(""); }

// With swap the last step replaces the target's rows with the shadow table's: the
// second process to finish must neither redo it nor mark the done run failed.
TEST_F(ConcurrentTotals, TwoProcessesWithSwapFinishTheRunOnce) { concurrent_runs("    swap: true\n"); }

}  // namespace
}  // namespace replicate::test
