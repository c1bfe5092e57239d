// SPDX-License-Identifier: Apache-2.0
// The parallel engine against real processes and a real PostgreSQL: worker counts
// give identical results, kill -9 of a worker or of the coordinator loses and
// duplicates nothing, a restarted target is survived, a failing chunk fails its table.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

std::string table_md5(const std::string& conninfo, const std::string& table, const std::string& order_by) {
  return pg_scalar(conninfo, "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY " + order_by + ")), 'empty') FROM " +
                                 table + " t")
      .value_or("null");
}

struct KeyCase {
  const char* name;
  const char* ddl;
  const char* fill;
  const char* key_order;
};

class EngineKeys : public ::testing::TestWithParam<KeyCase> {};

TEST_P(EngineKeys, OneAndFourWorkersGiveTheSourceExactly) {
  const auto& kc = GetParam();
  std::string src = create_database("eng_src");
  std::string dst1 = create_database("eng_w1");
  std::string dst4 = create_database("eng_w4");
  pg_exec(src, kc.ddl);
  pg_exec(src, kc.fill);
  std::string dir = temp_dir();
  std::string mapping = dir + "/m.yaml";
  write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    target: public.t\n",
                                       "  chunk_rows: 1500\n  batch_size: 500\n"));
  const std::string expected = table_md5(src, "public.t", kc.key_order);
  for (auto [db, workers] : {std::pair{dst1, "1"}, std::pair{dst4, "4"}}) {
    auto env = pg().env();
    env.push_back({"SRC_DB", database_of(src)});
    env.push_back({"DST_DB", database_of(db)});
    auto r = run_replicate({"--workers", workers, mapping}, env);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(table_md5(db, "public.t", kc.key_order), expected) << "workers=" << workers;
    auto chunks = pg_scalar(db, "SELECT count(*) FROM replicate.chunks");
    EXPECT_GT(std::stoi(chunks.value_or("0")), 5) << "the table should be cut into several chunks";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Keys, EngineKeys,
    ::testing::Values(
        KeyCase{"integer", "CREATE TABLE t (id int PRIMARY KEY, name text, amount numeric(12,2))",
                "INSERT INTO t SELECT g, 'n' || g, g * 1.5 FROM generate_series(1, 20000) g", "id"},
        KeyCase{"varchar", "CREATE TABLE t (id varchar(40) PRIMARY KEY, v int)",
                "INSERT INTO t SELECT 'k' || md5(g::text), g FROM generate_series(1, 12000) g", "id"},
        KeyCase{"uuid", "CREATE TABLE t (id uuid PRIMARY KEY, v int)",
                "INSERT INTO t SELECT md5(g::text)::uuid, g FROM generate_series(1, 12000) g", "id"},
        KeyCase{"composite", "CREATE TABLE t (a int, b text, v int, PRIMARY KEY (a, b))",
                "INSERT INTO t SELECT g % 7, 'x' || g, g FROM generate_series(1, 12000) g", "a, b"},
        KeyCase{"big_gaps", "CREATE TABLE t (id bigint PRIMARY KEY, v text)",
                "INSERT INTO t SELECT CASE WHEN g <= 10000 THEN g ELSE g::bigint * 1000000000 END, 'v' || g "
                "FROM generate_series(1, 12000) g",
                "id"}),
    [](const auto& info) { return std::string(info.param.name); });

/// A PostgreSQL source large enough that a run lasts while the test interferes with it.
struct BigRun {
  std::string src, dst, dir, mapping;
  EnvVars env;
  explicit BigRun(int rows = 150000) {
    src = create_database("big_src");
    dst = create_database("big_dst");
    pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, name text, amount numeric(14,2), at timestamp)");
    pg_exec(src, "INSERT INTO t SELECT g, repeat('nome ' || g, 5), g * 1.25, timestamp '2020-01-01' + g * interval '1 min' "
                 "FROM generate_series(1, " + std::to_string(rows) + ") g");
    dir = temp_dir();
    mapping = dir + "/m.yaml";
    write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    target: public.t\n",
                                         "  chunk_rows: 5000\n  batch_size: 1000\n  workers: 2\n"));
    env = pg().env();
    env.push_back({"SRC_DB", database_of(src)});
    env.push_back({"DST_DB", database_of(dst)});
  }
  int done_chunks() const {
    auto v = pg_query(dst, "SELECT count(*) FROM replicate.chunks c JOIN replicate.runs r USING (run_id) "
                           "WHERE c.status = 'done' AND r.status = 'running'");
    return v.empty() ? 0 : std::stoi(v[0][0].value_or("0"));
  }
  /// The columns of the target's primary key ("" when it has none).
  std::string primary_key() const {
    return pg_scalar(dst, "SELECT coalesce(string_agg(a.attname, ',' ORDER BY k.ord), '') FROM pg_index i "
                          "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord) "
                          "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                          "WHERE i.indrelid = to_regclass('public.t') AND i.indisprimary")
        .value_or("");
  }
  bool state_exists() const {
    return pg_scalar(dst, "SELECT to_regclass('replicate.chunks')::text").has_value();
  }
  void expect_exact() const {
    EXPECT_EQ(table_md5(dst, "public.t", "id"), table_md5(src, "public.t", "id"));
    EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM public.t"), pg_scalar(src, "SELECT count(*) FROM public.t"));
  }
};

TEST(EngineCrash, KillNineOfAWorkerMidChunkIsSurvived) {
  BigRun b;
  BackgroundRun run({b.mapping}, b.env, b.dir);
  ASSERT_TRUE(wait_for([&] { return b.state_exists() && b.done_chunks() >= 1; })) << run.err();
  auto workers = run.children();
  ASSERT_FALSE(workers.empty()) << "no worker processes found";
  ASSERT_EQ(kill(workers.front(), SIGKILL), 0);
  EXPECT_EQ(run.wait(), 0) << run.out() << run.err();
  EXPECT_NE(run.err().find("killed by signal 9 during the chunk"), std::string::npos) << run.err();
  b.expect_exact();
}

TEST(EngineCrash, KillNineOfTheCoordinatorThenRerunResumes) {
  BigRun b;
  std::vector<std::vector<std::optional<std::string>>> done_before;
  {
    BackgroundRun run({b.mapping}, b.env, b.dir);
    ASSERT_TRUE(wait_for([&] { return b.state_exists() && b.done_chunks() >= 3; })) << run.err();
    // The table replicate created is loaded without its key, which is built at the end.
    EXPECT_EQ(b.primary_key(), "");
    ASSERT_EQ(kill(run.pid(), SIGKILL), 0);
    EXPECT_EQ(run.wait(), 128 + SIGKILL);
    auto workers = run.children();
    // Workers die with their coordinator (PR_SET_PDEATHSIG); wait until their sessions are gone.
    ASSERT_TRUE(wait_for([&] {
      return pg_scalar(b.dst, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                              "AND pid <> pg_backend_pid()") == std::optional<std::string>("0");
    }));
  }
  done_before = pg_query(b.dst, "SELECT chunk_no, finished_at::text, worker_pid FROM replicate.chunks "
                                "WHERE status = 'done' ORDER BY chunk_no");
  ASSERT_FALSE(done_before.empty());
  auto total = pg_scalar(b.dst, "SELECT count(*) FROM replicate.chunks");
  ASSERT_LT(done_before.size(), std::stoul(total.value_or("0"))) << "the run finished before it was killed";

  auto r = run_replicate({b.mapping}, b.env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("resuming run"), std::string::npos) << r.err;
  b.expect_exact();
  // The resumed run builds the key the first run deferred, though it found the table existing.
  EXPECT_EQ(b.primary_key(), "id");
  // Chunks done before the kill were not redone.
  for (const auto& row : done_before) {
    auto after = pg_query(b.dst, "SELECT finished_at::text, worker_pid FROM replicate.chunks WHERE chunk_no = " + *row[0]);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0][0], row[1]) << "chunk " << *row[0] << " was copied again";
  }
}

TEST(EngineCrash, SigintLeavesAResumableRun) {
  BigRun b;
  BackgroundRun run({b.mapping}, b.env, b.dir);
  ASSERT_TRUE(wait_for([&] { return b.state_exists() && b.done_chunks() >= 1; })) << run.err();
  ASSERT_EQ(kill(run.pid(), SIGINT), 0);
  EXPECT_EQ(run.wait(), 4) << run.out() << run.err();
  EXPECT_NE(run.out().find("interrupted"), std::string::npos) << run.out();
  EXPECT_EQ(pg_scalar(b.dst, "SELECT status FROM replicate.runs ORDER BY run_id DESC LIMIT 1"),
            std::optional<std::string>("interrupted"));
  auto r = run_replicate({b.mapping}, b.env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("resuming run"), std::string::npos) << r.err;
  b.expect_exact();
}

TEST(EngineCrash, RerunAfterSuccessStartsANewRunWithTheSameResult) {
  BigRun b(20000);
  auto r1 = run_replicate({b.mapping}, b.env);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  pg_exec(b.src, "UPDATE t SET name = 'changed' WHERE id = 5; DELETE FROM t WHERE id = 6");
  auto r2 = run_replicate({b.mapping}, b.env);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  b.expect_exact();
  auto r3 = run_replicate({"--restart", b.mapping}, b.env);
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  b.expect_exact();
}

TEST(EngineCrash, TargetRestartMidRunIsRetried) {
  // A cluster of its own: restarting the shared one would disturb other tests.
  std::string dir = temp_dir();
  std::string cluster = dir + "/pg";
  ASSERT_EQ(std::system(("bash " REPLICATE_SOURCE_DIR "/scripts/pg-cluster.sh start " + cluster + " >/dev/null").c_str()), 0);
  struct Stop {
    std::string c;
    ~Stop() { (void)std::system(("bash " REPLICATE_SOURCE_DIR "/scripts/pg-cluster.sh stop " + c + " >/dev/null 2>&1").c_str()); }
  } stop{cluster};
  std::ifstream ci(cluster + "/conninfo");
  std::string conninfo;
  std::getline(ci, conninfo);
  std::ifstream dd(cluster + "/datadir");
  std::string datadir;
  std::getline(dd, datadir);
  ASSERT_FALSE(datadir.empty());
  std::string port = conninfo.substr(conninfo.find("port=") + 5);
  port = port.substr(0, port.find(' '));

  std::string sample = dir + "/s.sqlite";
  auto s = run_replicate({"sample", "--rows", "60000", "--output", sample});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string mapping = dir + "/m.yaml";
  write_file(mapping, "version: 1\nsource:\n  driver: sqlite\n  connection: \"${env:SAMPLE}\"\n"
                      "target:\n  driver: postgresql\n  connection: \"host=127.0.0.1 port=${env:PORT} user=postgres dbname=postgres\"\n"
                      "defaults:\n  chunk_rows: 2000\n  batch_size: 500\n  workers: 2\n"
                      "tables:\n  - source: bi_credores\n");
  BackgroundRun run({mapping}, {{"SAMPLE", sample}, {"PORT", port}}, dir);
  auto done = [&] {
    try {
      auto v = pg_scalar(conninfo, "SELECT count(*) FROM replicate.chunks WHERE status = 'done'");
      return v ? std::stoi(*v) : 0;
    } catch (const std::exception&) {
      return 0;
    }
  };
  ASSERT_TRUE(wait_for([&] { return done() >= 2; })) << run.err();
  std::string pg_ctl = "runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D " + datadir +
                       " restart -m fast -w >/dev/null 2>&1";
  ASSERT_EQ(std::system(pg_ctl.c_str()), 0);
  EXPECT_EQ(run.wait(), 0) << run.out() << run.err();
  EXPECT_EQ(pg_scalar(conninfo, "SELECT count(*) FROM public.bi_credores"), std::optional<std::string>("60000"));
  EXPECT_EQ(pg_scalar(conninfo, "SELECT count(DISTINCT id) FROM public.bi_credores"), std::optional<std::string>("60000"));
  EXPECT_EQ(pg_scalar(conninfo, "SELECT sum(id) FROM public.bi_credores"), std::optional<std::string>("1800030000"));
}

TEST(EngineFailure, AChunkThatAlwaysFailsFailsItsTableAfterMaxAttempts) {
  std::string src = create_database("fail_src");
  std::string dst = create_database("fail_dst");
  pg_exec(src, "CREATE TABLE good (id int PRIMARY KEY, v text); INSERT INTO good SELECT g, 'g' || g FROM generate_series(1, 5000) g;"
               "CREATE TABLE bad (id int PRIMARY KEY, v text); INSERT INTO bad SELECT g, 'b' || g FROM generate_series(1, 5000) g;");
  // A retryable error (serialization failure) on one row, every time.
  pg_exec(dst, "CREATE TABLE bad (id int PRIMARY KEY, v text);"
               "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               "IF NEW.id = 777 THEN RAISE EXCEPTION 'row 777 always fails' USING ERRCODE = '40001'; END IF; "
               "RETURN NEW; END $$;"
               "CREATE TRIGGER boom BEFORE INSERT ON bad FOR EACH ROW EXECUTE FUNCTION boom();");
  std::string dir = temp_dir();
  std::string mapping = dir + "/m.yaml";
  write_file(mapping, pg_to_pg_mapping("  - source: public.bad\n  - source: public.good\n",
                                       "  chunk_rows: 1000\n  max_attempts: 3\n  workers: 2\n"));
  auto env = pg().env();
  env.push_back({"SRC_DB", database_of(src)});
  env.push_back({"DST_DB", database_of(dst)});
  auto r = run_replicate({mapping}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("row 777 always fails"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("failed 3 times"), std::string::npos) << r.out;
  EXPECT_EQ(table_md5(dst, "public.good", "id"), table_md5(src, "public.good", "id"));
  EXPECT_EQ(pg_scalar(dst, "SELECT max(attempts) FROM replicate.chunks c JOIN replicate.runs r USING (run_id) "
                           "WHERE r.table_name = 'public.bad'"),
            std::optional<std::string>("3"));
  EXPECT_EQ(pg_scalar(dst, "SELECT status FROM replicate.runs WHERE table_name = 'public.bad'"),
            std::optional<std::string>("failed"));
}

TEST(EngineFailure, ANonRetryableErrorIsNotRetried) {
  std::string src = create_database("nr_src");
  std::string dst = create_database("nr_dst");
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 100) g;");
  pg_exec(dst, "CREATE TABLE t (id int PRIMARY KEY, v text CHECK (v <> 'v50'))");
  std::string dir = temp_dir();
  std::string mapping = dir + "/m.yaml";
  write_file(mapping, pg_to_pg_mapping("  - source: public.t\n", "  max_attempts: 5\n"));
  auto env = pg().env();
  env.push_back({"SRC_DB", database_of(src)});
  env.push_back({"DST_DB", database_of(dst)});
  auto r = run_replicate({mapping}, env);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("check constraint"), std::string::npos) << r.out;
  EXPECT_EQ(pg_scalar(dst, "SELECT max(attempts) FROM replicate.chunks"), std::optional<std::string>("1"));
}

// Chunks of keys that are not integers are cut by the source (ROW_NUMBER) every
// chunk_rows rows: every chunk but the last holds exactly that many, however the
// keys are spread, and a non-unique key's duplicates stay in one chunk.
TEST_F(TwoDatabases, TextAndCompositeKeysAreCutEveryChunkRows) {
  pg_exec(src, "CREATE TABLE skew (k text PRIMARY KEY, v int);"
               "INSERT INTO skew SELECT 'a' || lpad(g::text, 5, '0'), g FROM generate_series(1, 1000) g;"
               "INSERT INTO skew SELECT 'zz' || g, g FROM generate_series(1, 37) g;"
               "CREATE TABLE pair (a text, b int, v int, PRIMARY KEY (a, b));"
               "INSERT INTO pair SELECT (g % 3)::text, g, g FROM generate_series(1, 950) g;"
               "CREATE TABLE dup (k text, v int); INSERT INTO dup SELECT (g / 250)::text, g FROM generate_series(0, 999) g;");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - source: public.skew\n  - source: public.pair\n"
                                               "  - source: public.dup\n    key: [k]\n    create: never\n",
                                               "  chunk_rows: 100\n  batch_size: 40\n  workers: 2\n"));
  pg_exec(dst, "CREATE TABLE dup (k text, v int)");  // the key is not unique: no primary key
  auto r = run_replicate({dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto sizes = [&](const std::string& table) {
    return pg_scalar(dst, "SELECT string_agg(c.rows::text, ',' ORDER BY c.chunk_no) FROM replicate.chunks c "
                          "JOIN replicate.runs r USING (run_id) WHERE r.table_name = 'public." + table + "'");
  };
  EXPECT_EQ(sizes("skew"), std::optional<std::string>("100,100,100,100,100,100,100,100,100,100,37"));
  EXPECT_EQ(sizes("pair"), std::optional<std::string>("100,100,100,100,100,100,100,100,100,50"));
  // 250 rows per value of k: cuts inside a run of duplicates fall together at its
  // start (so the first chunk, below the first key, is empty).
  EXPECT_EQ(sizes("dup"), std::optional<std::string>("0,250,250,250,250"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM skew"), std::optional<std::string>("1037"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM pair"), std::optional<std::string>("950"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM dup"), std::optional<std::string>("1000"));
}

}  // namespace
}  // namespace replicate::test
