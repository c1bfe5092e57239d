// SPDX-License-Identifier: Apache-2.0
// Sync modes and rejects against a real PostgreSQL: each mode on a source that
// changes between runs, checked against a reference computed here; mirror killed
// between its steps; rows the target refuses land in the rejects table.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using Rows = std::map<int, std::string>;  // id -> v

Rows read_rows(const std::string& conninfo, const std::string& table) {
  Rows out;
  for (auto& r : pg_query(conninfo, "SELECT id, coalesce(v, '<null>') FROM " + table))
    out[std::stoi(*r[0])] = *r[1];
  return out;
}

struct ModeFixture : TwoDatabases {
  void mapping(const std::string& table_yaml) {
    write_file(dir + "/m.yaml", pg_to_pg_mapping(table_yaml, "  chunk_rows: 40\n  batch_size: 16\n  workers: 2\n"));
  }
  RunResult run(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = extra;
    args.push_back(dir + "/m.yaml");
    return run_replicate(args, env);
  }
  nlohmann::json report() {
    std::ifstream f(dir + "/report.json");
    return nlohmann::json::parse(f);
  }
};

TEST_F(ModeFixture, AppendSkipKeepsExistingRowsAndAddsNewOnes) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 100) g");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (5, 'old5'), (500, 'old500')");
  mapping("  - source: public.t\n    mode: append\n    on_conflict: skip\n");
  auto r = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Rows expected = read_rows(src, "t");
  expected[5] = "old5";
  expected[500] = "old500";
  EXPECT_EQ(read_rows(dst, "t"), expected);
  auto rep = report()["tables"][0];
  EXPECT_EQ(rep["inserted"], 99);
  EXPECT_EQ(rep["updated"], 0);
}

TEST_F(ModeFixture, AppendUpdateOverwritesExistingRows) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 100) g");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (5, 'old5'), (500, 'old500')");
  mapping("  - source: public.t\n    mode: append\n    on_conflict: update\n");
  auto r = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Rows expected = read_rows(src, "t");
  expected[500] = "old500";
  EXPECT_EQ(read_rows(dst, "t"), expected);
  EXPECT_EQ(report()["tables"][0]["updated"], 1);
  EXPECT_EQ(report()["tables"][0]["inserted"], 99);
}

TEST_F(ModeFixture, AppendErrorFailsOnADuplicateKey) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 10) g");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (5, 'old5')");
  mapping("  - source: public.t\n    mode: append\n    on_conflict: error\n");
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("duplicate key"), std::string::npos) << r.out;
}

TEST_F(ModeFixture, IncrementalReadsOnlyRowsPastTheWatermark) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text, modified int NOT NULL);"
               "INSERT INTO t SELECT g, 's' || g, g FROM generate_series(1, 100) g");
  mapping("  - source: public.t\n    mode: incremental\n    watermark: modified\n");
  auto r1 = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  EXPECT_EQ(report()["tables"][0]["inserted"], 100);
  // Changes: two updates (moved past the watermark), one insert, a delete (not seen by design).
  pg_exec(src, "UPDATE t SET v = 'changed', modified = 200 WHERE id IN (3, 4);"
               "INSERT INTO t VALUES (101, 'new', 201); DELETE FROM t WHERE id = 50;"
               "UPDATE t SET v = 'silent' WHERE id = 7");  // not past the watermark: not copied
  auto r2 = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r2.exit_code, 0) << r2.out << r2.err;
  auto rep = report()["tables"][0];
  EXPECT_EQ(rep["inserted"], 1);
  EXPECT_EQ(rep["updated"], 2);
  Rows expected;
  for (int i = 1; i <= 100; ++i) expected[i] = "s" + std::to_string(i);
  expected[3] = expected[4] = "changed";
  expected[101] = "new";
  EXPECT_EQ(read_rows(dst, "t"), expected);
  EXPECT_EQ(pg_scalar(dst, "SELECT value FROM replicate.watermarks"), std::optional<std::string>("201"));
  // Nothing new: nothing read.
  auto r3 = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  EXPECT_EQ(report()["tables"][0]["rows"], 0);
}

// Issue 11, item 8: a full run with a watermark column records where it ended, so the
// first incremental run after it copies only what changed, and counts it as mirror does.
TEST_F(ModeFixture, IncrementalAfterAFullRunStartsWhereTheFullRunEnded) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text, modified int NOT NULL);"
               "INSERT INTO t SELECT g, 's' || g, g FROM generate_series(1, 1000) g");
  mapping("  - source: public.t\n    mode: full\n    watermark: modified\n");
  auto r1 = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  EXPECT_EQ(report()["tables"][0]["rows"], 1000);
  EXPECT_EQ(pg_scalar(dst, "SELECT value FROM replicate.watermarks"), std::optional<std::string>("1000"));

  pg_exec(src, "UPDATE t SET v = 'changed', modified = 2000 WHERE id IN (3, 4); INSERT INTO t VALUES (1001, 'new', 2001);"
               "UPDATE t SET modified = 2002 WHERE id = 9");
  // Row 9 is past the watermark but the target already holds it as it is: unchanged.
  pg_exec(dst, "UPDATE t SET modified = 2002 WHERE id = 9");
  mapping("  - source: public.t\n    mode: incremental\n    watermark: modified\n");
  auto r2 = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r2.exit_code, 0) << r2.out << r2.err;
  auto rep = report()["tables"][0];
  EXPECT_EQ(rep["rows"], 4) << r2.out;  // not 1001: only the window since the full run
  EXPECT_EQ(rep["inserted"], 1);
  EXPECT_EQ(rep["updated"], 2);
  EXPECT_EQ(rep["unchanged"], 1);
  EXPECT_EQ(read_rows(dst, "t"), read_rows(src, "t"));
  EXPECT_EQ(pg_scalar(dst, "SELECT value FROM replicate.watermarks"), std::optional<std::string>("2002"));

  // Rows deleted at the source stay in an incremental target by design: verify says so
  // and does not call the table different.
  pg_exec(src, "DELETE FROM t WHERE id IN (10, 11)");
  auto v = run_replicate({"verify", dir + "/m.yaml"}, env);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("2 target rows are no longer in the source: incremental mode keeps rows deleted"),
            std::string::npos)
      << v.out;
  EXPECT_NE(v.out.find("extra in target: 2"), std::string::npos) << v.out;
  // A changed row is still a difference.
  pg_exec(dst, "UPDATE t SET v = 'tampered' WHERE id = 20");
  EXPECT_EQ(run_replicate({"verify", dir + "/m.yaml"}, env).exit_code, 1);
}

// Issue 11, item 7: plan says what each mode will do, not "append to the target table".
TEST_F(ModeFixture, PlanDescribesWhatEachModeWillDo) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text, modified int NOT NULL);"
               "INSERT INTO t SELECT g, 's' || g, g FROM generate_series(1, 100) g");
  auto plan = [&](const std::string& table_yaml) {
    mapping(table_yaml);
    auto r = run_replicate({"plan", dir + "/m.yaml"}, env);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto at = r.out.find("  action: ");
    return at == std::string::npos ? r.out : r.out.substr(at, r.out.find('\n', at) - at);
  };
  const std::string incremental = "  - source: public.t\n    mode: incremental\n    watermark: modified\n";
  EXPECT_NE(plan(incremental).find("copy every row (no run has recorded a watermark yet), up to 100"), std::string::npos)
      << plan(incremental);
  ASSERT_EQ(run().exit_code, 0);
  pg_exec(src, "INSERT INTO t VALUES (101, 'new', 150)");
  const std::string after = plan(incremental);
  EXPECT_NE(after.find("copy rows whose modified is past 100 (the last run's end), up to 150 (the newest now); "
                       "upsert by id"),
            std::string::npos)
      << after;
  EXPECT_NE(after.find("rows deleted at the source stay"), std::string::npos) << after;

  const std::string mirror = plan("  - source: public.t\n    mode: mirror\n    stale: {column: status, value: 0, live: 1}\n");
  EXPECT_NE(mirror.find("mark every target row status = 0 (stale), upsert every source row by id with status = 1, "
                        "then delete the rows still stale"),
            std::string::npos)
      << mirror;
  const std::string keep = plan(
      "  - source: public.t\n    mode: mirror\n    stale: {column: status, value: 0, live: 1}\n    obsolete: keep\n");
  EXPECT_NE(keep.find("keep the rows still stale, marked 0"), std::string::npos) << keep;
  const std::string append = plan("  - source: public.t\n    mode: append\n    on_conflict: skip\n");
  EXPECT_NE(append.find("insert the source rows; a row whose id is already in the target: skip it"), std::string::npos)
      << append;
  const std::string full = plan("  - source: public.t\n    mode: full\n    watermark: modified\n");
  EXPECT_NE(full.find("record the newest modified (150 now) so that an incremental run starts there"), std::string::npos)
      << full;
}

// Issue 11, item 11: mirror onto an existing table without the stale column adds it
// (when `create` allows), says so in the plan, and then mirrors as usual.
TEST_F(ModeFixture, MirrorAddsAMissingStaleColumnToAnExistingTable) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 50) g");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'old'), (999, 'gone')");
  const std::string table = "  - source: public.t\n    mode: mirror\n    stale: {column: status, value: 0, live: 1}\n";
  mapping(table + "    create: never\n");
  auto refused = run();
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("the stale column 'status' is not in target table public.t and `create: never`"),
            std::string::npos)
      << refused.err;
  mapping(table);
  auto p = run_replicate({"plan", dir + "/m.yaml"}, env);
  ASSERT_EQ(p.exit_code, 0) << p.out << p.err;
  EXPECT_NE(p.out.find("before the load: ALTER TABLE \"public\".\"t\" ADD COLUMN \"status\" smallint DEFAULT '1'"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("warning: the stale column 'status' is not in public.t: the run adds it"), std::string::npos)
      << p.out;
  auto r = run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_rows(dst, "t"), read_rows(src, "t"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM t WHERE status = 1"), std::optional<std::string>("50"));
}

TEST_F(ModeFixture, MirrorMatchesTheSourceAndReportsTheDifferences) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 100) g");
  mapping("  - source: public.t\n    mode: mirror\n    stale: {column: status, value: 0, live: 1}\n");
  auto r1 = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r1.exit_code, 0) << r1.out << r1.err;
  EXPECT_EQ(report()["tables"][0]["inserted"], 100);
  // Inserts, updates, deletes and a reused key (deleted then inserted with new values).
  pg_exec(src, "INSERT INTO t VALUES (101, 'n101'), (102, 'n102'); UPDATE t SET v = 'u' WHERE id IN (10, 20, 30);"
               "DELETE FROM t WHERE id IN (40, 41); DELETE FROM t WHERE id = 60; INSERT INTO t VALUES (60, 'reused')");
  auto r2 = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r2.exit_code, 0) << r2.out << r2.err;
  EXPECT_EQ(read_rows(dst, "t"), read_rows(src, "t"));
  auto rep = report()["tables"][0];
  EXPECT_EQ(rep["inserted"], 2);
  EXPECT_EQ(rep["updated"], 4);  // 10, 20, 30 and the reused key 60
  EXPECT_EQ(rep["removed"], 2);
  EXPECT_EQ(rep["unchanged"], 94);
  std::set<std::string> removed;
  for (auto& k : rep["sample_keys"]["removed"]) removed.insert(k[0].get<std::string>());
  EXPECT_EQ(removed, (std::set<std::string>{"40", "41"}));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM t WHERE status <> 1"), std::optional<std::string>("0"));
  EXPECT_NE(r2.out.find("2 inserted, 4 updated, 94 unchanged, 2 removed"), std::string::npos) << r2.out;
}

TEST_F(ModeFixture, MirrorKeepMarksObsoleteRowsInsteadOfDeleting) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 20) g");
  mapping("  - source: public.t\n    mode: mirror\n    obsolete: keep\n    stale: {column: status, value: 0, live: 1}\n");
  ASSERT_EQ(run().exit_code, 0);
  pg_exec(src, "DELETE FROM t WHERE id = 7");
  auto r = run();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT string_agg(id::text, ',') FROM t WHERE status = 0"), std::optional<std::string>("7"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM t"), std::optional<std::string>("20"));
}

TEST_F(ModeFixture, MirrorKilledMidRunResumesExactly) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 60000) g");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - source: public.t\n    mode: mirror\n    stale: {column: status, value: 0, live: 1}\n",
                                               "  chunk_rows: 2000\n  batch_size: 500\n  workers: 2\n"));
  ASSERT_EQ(run_replicate({dir + "/m.yaml"}, env).exit_code, 0);
  pg_exec(src, "DELETE FROM t WHERE id % 1000 = 0; UPDATE t SET v = 'u' WHERE id % 777 = 0; "
               "INSERT INTO t SELECT g, 'n' FROM generate_series(60001, 60100) g");
  {
    // Killed after the stale marking and some chunks: rows are stale, none lost.
    BackgroundRun bg({dir + "/m.yaml"}, env, dir);
    ASSERT_TRUE(wait_for([&] {
      auto v = pg_scalar(dst, "SELECT count(*) FROM replicate.chunks c JOIN replicate.runs r USING (run_id) "
                              "WHERE r.status = 'running' AND c.status = 'done'");
      return v && std::stoi(*v) >= 2;
    })) << bg.err();
    kill(bg.pid(), SIGKILL);
    bg.wait();
    ASSERT_TRUE(wait_for([&] {
      return pg_scalar(dst, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") ==
             std::optional<std::string>("0");
    }));
  }
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM t"), std::optional<std::string>("60000")) << "a kill mid-mirror lost rows";
  auto r = run_replicate({dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_rows(dst, "t"), read_rows(src, "t"));
}

TEST_F(ModeFixture, FullWithSwapKeepsIndexesGrantsAndReplacesRows) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 500) g");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v text); CREATE INDEX t_v ON t (v); INSERT INTO t VALUES (9999, 'gone');"
               "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicate_reader') THEN "
               "CREATE ROLE replicate_reader; END IF; END $$; GRANT SELECT ON t TO replicate_reader;"
               "CREATE VIEW t_view AS SELECT * FROM t");
  mapping("  - source: public.t\n    mode: full\n    swap: true\n");
  auto r = run();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_rows(dst, "t"), read_rows(src, "t"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM t_view"), std::optional<std::string>("500"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_v'"), std::optional<std::string>("1"));
  EXPECT_EQ(pg_scalar(dst, "SELECT has_table_privilege('replicate_reader', 't', 'SELECT')::text"),
            std::optional<std::string>("true"));
  EXPECT_EQ(pg_scalar(dst, "SELECT to_regclass('t__replicate_swap')::text"), std::nullopt);
}

TEST_F(ModeFixture, RejectedRowsLandInTheRejectsTableAndEveryOtherRowArrives) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text, n text);"
               "INSERT INTO t SELECT g, 's' || g, 'x' FROM generate_series(1, 300) g;"
               "UPDATE t SET v = repeat('L', 50) WHERE id IN (17, 150);"  // too long for varchar(10)
               "UPDATE t SET n = NULL WHERE id = 299");                    // NOT NULL in the target
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v varchar(10), n text NOT NULL)");
  mapping("  - source: public.t\n    max_rejects: 5\n");
  auto r = run({"--report", dir + "/report.json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM t"), std::optional<std::string>("297"));
  auto rejects = pg_query(dst, "SELECT key->>0, coalesce(column_name, ''), reason FROM replicate.rejects ORDER BY (key->>0)::int");
  ASSERT_EQ(rejects.size(), 3u);
  EXPECT_EQ(*rejects[0][0], "17");
  EXPECT_EQ(*rejects[0][1], "v");
  EXPECT_NE(rejects[0][2]->find("too long"), std::string::npos) << *rejects[0][2];
  EXPECT_EQ(*rejects[2][0], "299");
  EXPECT_EQ(*rejects[2][1], "n");
  EXPECT_NE(rejects[2][2]->find("null value"), std::string::npos) << *rejects[2][2];
  EXPECT_EQ(report()["tables"][0]["rejected"], 3);
  EXPECT_NE(r.out.find("3 rows rejected"), std::string::npos) << r.out;
}

TEST_F(ModeFixture, MaxRejectsZeroFailsTheTableNamingTheRow) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 50) g;"
               "UPDATE t SET v = repeat('L', 50) WHERE id = 33");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v varchar(10))");
  mapping("  - source: public.t\n");  // max_rejects defaults to 0
  auto r = run();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("key [\"33\"] (column v)"), std::string::npos) << r.out;
}

// Rejects count over the whole run: resuming after max_rejects failed the table
// must not start the count again from zero and pass.
TEST_F(ModeFixture, MaxRejectsCountsTheChunksDoneBeforeAResume) {
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 's' || g FROM generate_series(1, 240) g;"
               "UPDATE t SET v = repeat('L', 50) WHERE id IN (10, 50, 90)");  // chunks 0, 1 and 2 of 40 rows
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v varchar(10))");
  mapping("  - source: public.t\n    max_rejects: 2\n");
  auto first = run({"--workers", "1"});
  ASSERT_EQ(first.exit_code, 1) << first.out << first.err;
  EXPECT_NE(first.out.find("3 rows rejected (max_rejects 2)"), std::string::npos) << first.out;
  const auto done = pg_scalar(dst, "SELECT count(*) FROM replicate.chunks WHERE status = 'done'");
  ASSERT_NE(done, std::optional<std::string>("6")) << "every chunk was done: nothing left to resume";

  auto again = run({"--workers", "1"});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_NE(again.out.find("in the chunks already done"), std::string::npos) << again.out;
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM replicate.rejects"), std::optional<std::string>("3"));
}

TEST(ModeRejects, InvalidUtf8FromSqliteIsRejected) {
  SqliteToPg s("utf_dst");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                           " INSERT INTO t VALUES (1, 'ok'), (2, CAST(X'C328' AS TEXT)), (3, 'fine');"));
  auto r = s.run("  - source: t\n", "  max_rejects: unlimited\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string& dst = s.dst;
  EXPECT_EQ(pg_scalar(dst, "SELECT string_agg(id::text, ',' ORDER BY id) FROM t"), std::optional<std::string>("1,3"));
  auto rej = pg_query(dst, "SELECT key->>0, reason, row_text FROM replicate.rejects");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(*rej[0][0], "2");
  EXPECT_NE(rej[0][1]->find("UTF8"), std::string::npos) << *rej[0][1];
  EXPECT_NE(rej[0][2]->find("\\xc3"), std::string::npos) << *rej[0][2];
}

// SQLite rows reach COPY as encoded lines; a refused one is taken apart again for the
// rejects table: its key unescaped, its row text as for any other source.
TEST(ModeRejects, SqliteRowsRejectedFromCopyTextKeepTheirKeyAndText) {
  SqliteToPg s("keys_dst");
  ASSERT_TRUE(s.source_sql("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT, b BLOB);"
                           " INSERT INTO t VALUES ('a' || char(9) || 'b\\', 'toolong', X'00ff'), ('c', 'ok', NULL),"
                           " ('d\\' || char(10), 'no', X'10');"));
  const std::string& dst = s.dst;
  pg_exec(dst, "CREATE TABLE t (k text PRIMARY KEY, v varchar(3), b bytea)");
  auto r = s.run("  - source: t\n", "  max_rejects: unlimited\n  create: never\n");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT string_agg(k || ':' || v || ':' || coalesce(encode(b, 'hex'), '-'), ',' ORDER BY k) FROM t"),
            std::optional<std::string>("c:ok:-,d\\\n:no:10"));
  auto rej = pg_query(dst, "SELECT key->>0, column_name, row_text FROM replicate.rejects");
  ASSERT_EQ(rej.size(), 1u);
  EXPECT_EQ(*rej[0][0], "a\tb\\");
  EXPECT_EQ(rej[0][1].value_or(""), "v");
  EXPECT_EQ(*rej[0][2], "a\\tb\\\\\ttoolong\t00ff");
}

}  // namespace
}  // namespace replicate::test
