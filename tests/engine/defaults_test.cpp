// SPDX-License-Identifier: Apache-2.0
// Defaults that fit the machine: with no `workers:` and no --workers a run starts one
// worker per core, and never more than the target has connection slots for.
#include <gtest/gtest.h>

#include "config/mapping.hpp"
#include "plan/planner.hpp"
#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

struct SampleInto {
  std::string dir = temp_dir();
  std::string sample = dir + "/s.sqlite";
  std::string dst = create_database("defaults_dst");
  std::string role = unique_name("limited");

  SampleInto() {
    auto s = run_replicate({"sample", "--rows", "20000", "--output", sample});
    EXPECT_EQ(s.exit_code, 0) << s.err;
  }
  /// A mapping that names no workers, into `dst` as `user`.
  std::string mapping(const std::string& user, const std::string& extra = ", chunk_rows: 2000") const {
    const std::string path = dir + "/m.yaml";
    write_file(path, "version: 1\n"
                     "source: {driver: sqlite, connection: \"" + sample + "\"}\n"
                     "target: {driver: postgresql, connection: \"host=" + pg().host + " port=" +
                         std::to_string(pg().port) + " dbname=" + database_of(dst) + " user=" + user + "\"}\n"
                     "defaults: {mode: full" + extra + "}\n"
                     "tables:\n  - {source: bi_credores, target: public.bi_credores, columns: auto}\n");
    return path;
  }
  /// Workers the run started: its `worker-started` events (-v --log-format json).
  static int workers_started(const std::string& err) {
    int n = 0;
    for (auto p = err.find("\"action\":\"worker-started\""); p != std::string::npos;
         p = err.find("\"action\":\"worker-started\"", p + 1))
      ++n;
    return n;
  }
};

TEST(Defaults, OneWorkerPerCoreWhenTheMappingNamesNone) {
  if (config::default_workers() < 2) GTEST_SKIP() << "one core here: one worker either way";
  SampleInto s;
  auto r = run_replicate({"-v", "--log-format", "json", s.mapping(pg().user)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SampleInto::workers_started(r.err), config::default_workers()) << r.err;
  auto p = run_replicate({"plan", s.mapping(pg().user)});
  EXPECT_NE(p.out.find("workers: " + std::to_string(config::default_workers())), std::string::npos) << p.out;
}

TEST(Defaults, TheDefaultStaysBelowTheTargetsFreeConnections) {
  if (config::default_workers() < 2) GTEST_SKIP() << "one core here: one worker either way";
  SampleInto s;
  // A role allowed 2 sessions: the coordinator takes one, one is kept spare, so 1 worker.
  pg_exec(s.dst, "CREATE ROLE " + s.role + " LOGIN CONNECTION LIMIT 2");
  pg_exec(s.dst, "ALTER DATABASE " + database_of(s.dst) + " OWNER TO " + s.role);
  pg_exec(s.dst, "ALTER SCHEMA public OWNER TO " + s.role);
  auto r = run_replicate({"-v", "--log-format", "json", s.mapping(s.role)});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SampleInto::workers_started(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("free connection"), std::string::npos) << r.err;
  EXPECT_EQ(pg_scalar(s.dst, "SELECT count(*) FROM public.bi_credores"), std::optional<std::string>("20000"));
}

TEST(Defaults, ChunkRowsComeFromTheRowCountWhenTheMappingNamesNone) {
  config::TableOptions o;
  o.workers = 2;
  ASSERT_EQ(o.chunk_rows, 0);
  EXPECT_EQ(plan::chunk_rows_for(o, 1000000), 125000);   // four chunks per worker
  EXPECT_EQ(plan::chunk_rows_for(o, 20000), 10000);      // never below 10,000 rows
  EXPECT_EQ(plan::chunk_rows_for(o, 100000000), 1000000);  // never above 1,000,000
  EXPECT_EQ(plan::chunk_rows_for(o, -1), 50000);         // unknown count
  o.workers = 8;
  EXPECT_EQ(plan::chunk_rows_for(o, 1000000), 31250);
  o.chunk_rows = 7000;  // written in the mapping: kept
  EXPECT_EQ(plan::chunk_rows_for(o, 1000000), 7000);

  // And in a plan: 20,000 rows with 2 workers are 2 chunks (of 10,000), not one of 50,000.
  SampleInto s;
  auto p = run_replicate({"plan", s.mapping(pg().user, ", workers: 2")});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("chunks: 2\n"), std::string::npos) << p.out;
}

}  // namespace
}  // namespace replicate::test
