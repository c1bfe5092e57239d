// SPDX-License-Identifier: Apache-2.0
// Issue 13: several `replicate run` processes, each its own process tree standing for a
// host (one of them in its own network namespace, to be cut off), share one run through
// the target's state tables: exact results, every chunk committed once, a killed or cut
// off host's chunk taken over, late and finished joins, live throttle and scale, and
// every mode giving with two hosts what it gives with one.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using Clock = std::chrono::steady_clock;

std::string md5_of(const std::string& conninfo, const std::string& table) {
  return pg_scalar(conninfo, "SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY id)), 'empty') FROM " + table + " t")
      .value_or("null");
}

struct Hosts : TwoDatabases {
  std::string mapping = dir + "/m.yaml";
  int hosts_started = 0;

  void source_rows(int rows) {
    pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text, amount numeric(14,2), at timestamp);"
                 "INSERT INTO t SELECT g, md5(g::text), g * 1.25, timestamp '2020-01-01' + g * interval '1 s' "
                 "FROM generate_series(1, " + std::to_string(rows) + ") g");
  }
  void write_mapping(const std::string& defaults, const std::string& entry_extra = "", const std::string& top = "") {
    write_file(mapping, top + pg_to_pg_mapping("  - source: public.t\n    target: public.t\n" + entry_extra, defaults));
  }
  /// One host: `replicate run` with the run's name, output in its own folder.
  std::unique_ptr<BackgroundRun> host(const std::vector<std::string>& extra = {}, const EnvVars& more_env = {},
                                      const std::vector<std::string>& wrapper = {}) {
    const std::string d = dir + "/host" + std::to_string(++hosts_started);
    mkdir(d.c_str(), 0755);
    std::vector<std::string> args{"run", mapping, "--run-name", "night-1"};
    args.insert(args.end(), extra.begin(), extra.end());
    EnvVars e = env;
    e.insert(e.end(), more_env.begin(), more_env.end());
    if (wrapper.empty()) return std::make_unique<BackgroundRun>(args, e, d);
    std::vector<std::string> full = wrapper;
    full.push_back(REPLICATE_BINARY);
    full.insert(full.end(), args.begin(), args.end());
    return std::make_unique<BackgroundRun>(full, e, d, true);
  }
  void expect_exact() const {
    EXPECT_EQ(md5_of(dst, "public.t"), md5_of(src, "public.t"));
    EXPECT_EQ(pg_scalar(dst, "SELECT count(*) = count(DISTINCT id) FROM public.t"), std::optional<std::string>("t"));
  }
  /// Every chunk of the run done, once: one done mark each, rows summing to the table's.
  void expect_chunks_once() const {
    EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FILTER (WHERE status <> 'done') FROM replicate.chunks"),
              std::optional<std::string>("0"));
    EXPECT_EQ(pg_scalar(dst, "SELECT sum(rows) FROM replicate.chunks"), pg_scalar(src, "SELECT count(*) FROM t"));
    EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM replicate.runs"), std::optional<std::string>("1"));
  }
  int chunks_done() const {
    return std::stoi(pg_scalar(dst, "SELECT count(*) FROM replicate.chunks WHERE status = 'done'").value_or("0"));
  }
  bool state_exists() const { return pg_scalar(dst, "SELECT to_regclass('replicate.hosts')::text").has_value(); }
  /// Chunks each host (host:pid) committed.
  std::map<std::string, int> chunks_by_host() const {
    std::map<std::string, int> out;
    for (auto& r : pg_query(dst, "SELECT done_by, count(*) FROM replicate.chunks WHERE status = 'done' GROUP BY 1"))
      out[r[0].value_or("?")] = std::stoi(r[1].value_or("0"));
    return out;
  }
};

std::string claimer_of(const BackgroundRun& run) {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return std::string(name) + ":" + std::to_string(run.pid());
}

TEST_F(Hosts, ThreeHostsOfTwoWorkersShareAMillionRowsExactly) {
  source_rows(1000000);
  write_mapping("  chunk_rows: 20000\n  workers: 2\n");
  auto a = host(), b = host(), c = host();
  for (auto* h : {a.get(), b.get(), c.get()}) ASSERT_EQ(h->wait(), 0) << h->out() << h->err();
  expect_exact();
  expect_chunks_once();
  const auto by_host = chunks_by_host();
  for (auto* h : {a.get(), b.get(), c.get()})
    EXPECT_GT(by_host.count(claimer_of(*h)) ? by_host.at(claimer_of(*h)) : 0, 0)
        << claimer_of(*h) << " did no chunk; " << testing::PrintToString(by_host);
  // Each summary gives the whole table's rows, whoever copied them.
  for (auto* h : {a.get(), b.get(), c.get()})
    EXPECT_TRUE(std::regex_search(h->out(), std::regex(R"(public\.t\s+done\s+1,000,000\s)"))) << h->out();
  // The hosts table knows the three, and status lists them.
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM replicate.hosts"), std::optional<std::string>("3"));
  auto st = run_replicate({"status", mapping}, env);
  ASSERT_EQ(st.exit_code, 0) << st.err;
  for (auto* h : {a.get(), b.get(), c.get()})
    EXPECT_NE(st.out.find(std::to_string(h->pid())), std::string::npos) << st.out;
}

TEST_F(Hosts, KillNineOfOneHostTheOthersFinishExactly) {
  source_rows(300000);
  // Slow enough that the host is killed in the middle of the run.
  write_mapping("  chunk_rows: 10000\n  batch_size: 1000\n  workers: 2\n  throttle: {rows_per_second: 60000}\n");
  auto a = host(), b = host(), c = host();
  ASSERT_TRUE(wait_for([&] { return state_exists() && chunks_done() >= 4; })) << a->err();
  ASSERT_EQ(kill(b->pid(), SIGKILL), 0);
  EXPECT_EQ(b->wait(), 128 + SIGKILL);
  ASSERT_EQ(a->wait(), 0) << a->out() << a->err();
  ASSERT_EQ(c->wait(), 0) << c->out() << c->err();
  expect_exact();
  expect_chunks_once();
}

TEST_F(Hosts, AHostJoiningLateHelpsAndOneAfterTheEndExitsAtOnce) {
  source_rows(200000);
  write_mapping("  chunk_rows: 10000\n  batch_size: 1000\n  workers: 1\n  throttle: {rows_per_second: 40000}\n");
  auto a = host();
  ASSERT_TRUE(wait_for([&] { return state_exists() && chunks_done() >= 3; })) << a->err();
  auto b = host();
  ASSERT_EQ(a->wait(), 0) << a->out() << a->err();
  ASSERT_EQ(b->wait(), 0) << b->out() << b->err();
  EXPECT_NE(b->err().find("joining run"), std::string::npos) << b->err();
  const auto by_host = chunks_by_host();
  EXPECT_GT(by_host.count(claimer_of(*b)) ? by_host.at(claimer_of(*b)) : 0, 0) << testing::PrintToString(by_host);
  expect_exact();
  expect_chunks_once();
  // Late: the named run is done; nothing is copied or changed.
  const auto before = pg_scalar(dst, "SELECT max(finished_at)::text FROM replicate.runs");
  const auto started = Clock::now();
  auto late = host();
  ASSERT_EQ(late->wait(), 0) << late->out() << late->err();
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(10));
  EXPECT_NE(late->err().find("is done already"), std::string::npos) << late->err();
  EXPECT_EQ(pg_scalar(dst, "SELECT max(finished_at)::text FROM replicate.runs"), before);
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM replicate.runs"), std::optional<std::string>("1"));
}

/// Rows a second, all hosts together, over [from, to] (seconds since the epoch), from the
/// batch-completed events of the hosts' JSON logs.
struct BatchEvents {
  std::vector<std::pair<double, long>> events;  // (unix time, rows)
  void add(const std::string& log) {
    std::istringstream in(log);
    std::string line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || j.value("action", "") != "batch-completed") continue;
      std::tm tm{};
      const std::string ts = j.value("timestamp", "");
      double frac = 0;
      if (!strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) continue;
      if (auto dot = ts.find('.'); dot != std::string::npos) frac = std::stod("0" + ts.substr(dot, 4));
      events.emplace_back(static_cast<double>(timegm(&tm)) + frac, j.value("count", 0L));
    }
    std::sort(events.begin(), events.end());
  }
  double rate(double from, double to) const {
    long rows = 0;
    for (const auto& [t, n] : events)
      if (t > from && t <= to) rows += n;
    return rows / (to - from);
  }
};

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

TEST_F(Hosts, ThrottleHoldsTwoHostsToTheLimitAndALiveChangeFollows) {
  source_rows(400000);
  write_mapping("  chunk_rows: 10000\n  batch_size: 500\n  workers: 2\n  throttle: {rows_per_second: 20000}\n");
  auto a = host({"--log-format", "json"}), b = host({"--log-format", "json"});
  ASSERT_TRUE(wait_for([&] { return state_exists() && chunks_done() >= 1; })) << a->err();
  const double start = unix_now();
  std::this_thread::sleep_for(std::chrono::seconds(6));
  const double changed = unix_now();
  auto t = run_replicate({"throttle", mapping, "--rows-per-second", "40000"}, env);
  ASSERT_EQ(t.exit_code, 0) << t.out << t.err;
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const double end = unix_now();
  ASSERT_EQ(a->wait(), 0) << a->err();
  ASSERT_EQ(b->wait(), 0) << b->err();
  BatchEvents ev;
  ev.add(a->out() + a->err());
  ev.add(b->out() + b->err());
  // Both hosts took part in the measured windows.
  const auto by_host = chunks_by_host();
  EXPECT_EQ(by_host.size(), 2u) << testing::PrintToString(by_host);
  const double before = ev.rate(start + 1, changed);
  const double after = ev.rate(changed + 2, end);  // "within 5 s": measured from 2 s after the change
  std::cout << "throttle: " << before << " rows/s at 20000, " << after << " rows/s at 40000\n";
  EXPECT_NEAR(before, 20000, 2000);
  EXPECT_NEAR(after, 40000, 4000);
  expect_exact();
  expect_chunks_once();
}

TEST_F(Hosts, ScaleChangesTheWorkersOfARunningHost) {
  source_rows(200000);
  write_mapping("  chunk_rows: 5000\n  batch_size: 500\n  workers: 1\n  throttle: {rows_per_second: 15000}\n");
  auto a = host();
  ASSERT_TRUE(wait_for([&] { return a->children().size() == 1; }, std::chrono::seconds(30))) << a->err();
  ASSERT_TRUE(wait_for([&] { return state_exists() && chunks_done() >= 1; })) << a->err();
  auto s = run_replicate({"scale", mapping, "--workers", "3"}, env);
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_TRUE(wait_for([&] { return a->children().size() == 3; }, std::chrono::seconds(5)))
      << a->children().size() << " workers\n" << a->err();
  s = run_replicate({"scale", mapping, "--workers", "1"}, env);
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  // The ones beyond 1 stop after their chunk (5,000 rows at 5,000 rows/s each: about a second).
  EXPECT_TRUE(wait_for([&] { return a->children().size() == 1; }, std::chrono::seconds(5)))
      << a->children().size() << " workers\n" << a->err();
  ASSERT_EQ(a->wait(), 0) << a->err();
  expect_exact();
  // No run left: scale says so.
  s = run_replicate({"scale", mapping, "--workers", "2"}, env);
  EXPECT_EQ(s.exit_code, 1) << s.out << s.err;
}

/// A host in its own network namespace, reaching the target through a veth pair whose
/// host end the test takes down (a cut cable) and brings back.
class Netns {
 public:
  Netns() {
    if (geteuid() != 0) {
      reason_ = "needs root (ip netns)";
      return;
    }
    const std::string n = std::to_string(getpid() % 200 + 20);
    name_ = "rpl" + n;
    host_if_ = "rplh" + n;
    ns_if_ = "rpln" + n;
    host_ip_ = "10.213." + n + ".1";
    ns_ip_ = "10.213." + n + ".2";
    net_ = "10.213." + n + ".0/30";
    cleanup();
    if (!sh("ip netns add " + name_) || !sh("ip link add " + host_if_ + " type veth peer name rpln" + n) ||
        !sh("ip link set rpln" + n + " netns " + name_) || !sh("ip addr add " + host_ip_ + "/30 dev " + host_if_) ||
        !sh("ip link set " + host_if_ + " up") ||
        !sh("ip netns exec " + name_ + " ip addr add " + ns_ip_ + "/30 dev rpln" + n) ||
        !sh("ip netns exec " + name_ + " ip link set rpln" + n + " up") ||
        !sh("ip netns exec " + name_ + " ip link set lo up")) {
      reason_ = "cannot make a network namespace here (ip netns add / veth refused: no CAP_NET_ADMIN?)";
      cleanup();
    }
  }
  ~Netns() { cleanup(); }
  const std::string& unavailable() const { return reason_; }
  const std::string& host_ip() const { return host_ip_; }
  const std::string& network() const { return net_; }
  std::vector<std::string> wrapper() const { return {"/usr/sbin/ip", "netns", "exec", name_}; }
  // The namespace's end goes down: the target's packets to it vanish without an error on
  // the target's side, as on a cut cable (taking the target's end down would make every
  // send fail at once there, which TCP never counts as an unanswered probe).
  bool cut() const { return sh("ip netns exec " + name_ + " ip link set " + ns_if_ + " down"); }
  bool restore() const { return sh("ip netns exec " + name_ + " ip link set " + ns_if_ + " up"); }

 private:
  static bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }
  void cleanup() const {
    if (name_.empty()) return;
    sh("ip link del " + host_if_);
    sh("ip netns del " + name_);
  }
  std::string reason_, name_, host_if_, ns_if_, host_ip_, ns_ip_, net_;
};

TEST(HostsCutOff, AHostCutOffMidChunkLosesItToAnotherAndCannotCommitIt) {
  Netns ns;
  if (!ns.unavailable().empty()) GTEST_SKIP() << "SKIPPED: network namespace test: " << ns.unavailable();
  // A cluster of its own, reachable from the namespace too.
  const std::string cluster = temp_dir() + "/pg";
  const std::string start = "PG_EXTRA_LISTEN=" + ns.host_ip() + " PG_EXTRA_HBA=" + ns.network() + " bash " +
                            std::string(REPLICATE_SOURCE_DIR) + "/scripts/pg-cluster.sh start " + cluster +
                            " >/dev/null 2>&1";
  ASSERT_EQ(std::system(start.c_str()), 0) << "could not start a PostgreSQL cluster in " << cluster;
  struct Stop {
    std::string dir;
    ~Stop() { (void)std::system(("bash " + std::string(REPLICATE_SOURCE_DIR) + "/scripts/pg-cluster.sh stop " + dir +
                                 " >/dev/null 2>&1").c_str()); }
  } stop{cluster};
  std::ifstream port_file(cluster + "/port");
  std::string port;
  port_file >> port;
  const std::string admin = "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres";
  pg_exec(admin, "CREATE DATABASE src");
  pg_exec(admin, "CREATE DATABASE dst");
  const std::string src = "host=127.0.0.1 port=" + port + " user=postgres dbname=src";
  const std::string dst = "host=127.0.0.1 port=" + port + " user=postgres dbname=dst";
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM "
               "generate_series(1, 60000) g");
  const std::string dir = temp_dir();
  const std::string mapping = dir + "/m.yaml";
  // The source is read through the same address as the target: the cut host loses both.
  // A private test network without TLS: sslmode=disable (replicate asks for TLS beyond loopback).
  const std::string conn = "host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} sslmode=disable dbname=";
  write_file(mapping, "lease_seconds: 6\nversion: 1\n"
                      "source: {driver: postgresql, connection: \"" + conn + "${env:SRC_DB}\"}\n"
                      "target: {driver: postgresql, connection: \"" + conn + "${env:DST_DB}\"}\n"
                      "defaults: {chunk_rows: 10000, batch_size: 500, workers: 1, throttle: {rows_per_second: 4000}}\n"
                      "tables:\n  - source: public.t\n    target: public.t\n");
  const auto env_for = [&](const std::string& host) {
    return EnvVars{{"PGHOST", host}, {"PGPORT", port}, {"PGUSER", "postgres"}, {"SRC_DB", "src"}, {"DST_DB", "dst"}};
  };
  mkdir((dir + "/a").c_str(), 0755);
  mkdir((dir + "/b").c_str(), 0755);
  std::vector<std::string> a_args = ns.wrapper();
  for (const char* s : {REPLICATE_BINARY, "run", "--run-name", "cut"}) a_args.push_back(s);
  a_args.push_back(mapping);
  BackgroundRun a(a_args, env_for(ns.host_ip()), dir + "/a", true);
  // A holds a chunk: its worker's session (from the namespace) is inside a transaction
  // that has written rows (not A's planning, whose transaction also writes).
  const auto a_in_chunk = [&] {
    return pg_scalar(dst, "SELECT count(*) FROM pg_stat_activity WHERE datname = 'dst' AND client_addr IS NOT NULL "
                          "AND client_addr IS NOT NULL AND host(client_addr) <> '127.0.0.1' AND backend_xid IS NOT "
                          "NULL AND (query LIKE '%replicate_batch%' OR query LIKE 'COPY%')") ==
           std::optional<std::string>("1");
  };
  ASSERT_TRUE(wait_for(a_in_chunk, std::chrono::seconds(60))) << a.err();
  ASSERT_TRUE(ns.cut());
  const auto cut_at = Clock::now();
  // Whichever chunk A held is the one no other process can take until A's session ends.
  BackgroundRun b({"run", "--run-name", "cut", mapping}, env_for("127.0.0.1"), dir + "/b");
  // The target ends A's session after about the lease (6 s): A's chunk is then B's.
  ASSERT_TRUE(wait_for([&] { return !a_in_chunk(); }, std::chrono::seconds(30))) << "A's session was never ended";
  const double released = std::chrono::duration<double>(Clock::now() - cut_at).count();
  std::cout << "the cut-off host's chunk was released " << released << " s after the cut (lease_seconds: 6)\n";
  EXPECT_LT(released, 6 + 4.0);
  ASSERT_EQ(b.wait(), 0) << b.out() << b.err();
  EXPECT_TRUE(ns.restore());
  // A, back on the network, finds its copy gone (its session ended, its commit can never
  // happen), and the run done.
  const int a_code = a.wait();
  EXPECT_TRUE(a_code == 0 || a_code == 1) << a_code << a.err();
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) || ':' || sum(id) FROM t"), std::optional<std::string>("60000:1800030000"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) = count(DISTINCT id) FROM t"), std::optional<std::string>("t"));
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FILTER (WHERE status = 'done') || '/' || count(*) FROM replicate.chunks"),
            std::optional<std::string>("6/6"));
  // B committed the chunk A lost (A committed at most the ones it finished before the cut).
  const std::string b_claimer = [&] {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return std::string(name) + ":" + std::to_string(b.pid());
  }();
  EXPECT_GE(std::stoi(pg_scalar(dst, "SELECT count(*) FROM replicate.chunks WHERE done_by = '" + b_claimer + "'")
                          .value_or("0")),
            1);
}

TEST_F(Hosts, TheFenceRefusesTheDoneMarkOfAClaimThatWasTakenOver) {
  // The claim's token guards the done mark: a process whose session was ended (its lease
  // lost) and that marked its chunk done on any new session would be refused.
  source_rows(20000);
  write_mapping("  chunk_rows: 10000\n  workers: 1\n");
  auto r = run_replicate({"run", mapping}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  pg_exec(dst, "UPDATE replicate.chunks SET status = 'pending' WHERE chunk_no = 0");
  // Claim 1, then its session ends; claim 2 takes the chunk over and commits.
  const auto claim = [&] {
    return pg_scalar(dst, "UPDATE replicate.chunks SET claim_token = md5(random()::text) WHERE chunk_no = 0 "
                          "RETURNING claim_token")
        .value_or("");
  };
  const std::string first = claim(), second = claim();
  ASSERT_NE(first, second);
  const std::string mark = "UPDATE replicate.chunks SET status = 'done' WHERE chunk_no = 0 AND status = 'pending' "
                           "AND claim_token = '";
  EXPECT_EQ(pg_query(dst, mark + first + "' RETURNING 1").size(), 0u) << "the stale claim marked the chunk done";
  EXPECT_EQ(pg_query(dst, mark + second + "' RETURNING 1").size(), 1u);
}

struct ModeCase {
  const char* name;
  const char* entry;     // entry options
  const char* target;    // target DDL and rows before the runs ("" for none)
  const char* change;    // source change between the two runs
};

class TwoHostsModes : public Hosts, public ::testing::WithParamInterface<ModeCase> {};

TEST_P(TwoHostsModes, TwoHostsGiveTheTargetOneHostGives) {
  const auto& mc = GetParam();
  pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text, modified int NOT NULL);"
               "INSERT INTO t SELECT g, 's' || g, g FROM generate_series(1, 30000) g");
  const std::string one = create_database("mh_one");
  if (*mc.target) {
    pg_exec(one, mc.target);
    pg_exec(dst, mc.target);
  }
  write_mapping("  chunk_rows: 2000\n  batch_size: 500\n  workers: 2\n", mc.entry);
  EnvVars one_env = pg().env();
  one_env.push_back({"SRC_DB", database_of(src)});
  one_env.push_back({"DST_DB", database_of(one)});
  for (int round = 0; round < 2; ++round) {
    if (round == 1) pg_exec(src, mc.change);
    auto r = run_replicate({"run", mapping}, one_env);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    const std::string name = "round-" + std::to_string(round);
    const std::string d = dir + "/" + name;
    mkdir(d.c_str(), 0755);
    mkdir((d + "b").c_str(), 0755);
    BackgroundRun a({"run", "--run-name", name, mapping}, env, d);
    BackgroundRun b({"run", "--run-name", name, mapping}, env, d + "b");
    ASSERT_EQ(a.wait(), 0) << a.out() << a.err();
    ASSERT_EQ(b.wait(), 0) << b.out() << b.err();
    EXPECT_EQ(md5_of(dst, "public.t"), md5_of(one, "public.t")) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, TwoHostsModes,
    ::testing::Values(
        ModeCase{"full", "", "", "UPDATE t SET v = 'x' WHERE id % 7 = 0; DELETE FROM t WHERE id % 11 = 0"},
        ModeCase{"full_swap", "    swap: true\n", "", "UPDATE t SET v = 'x' WHERE id % 7 = 0; DELETE FROM t WHERE id % 11 = 0"},
        ModeCase{"append", "    mode: append\n    on_conflict: update\n",
                 "CREATE TABLE t (id int PRIMARY KEY, v text, modified int NOT NULL); INSERT INTO t VALUES (-1, 'old', 0)",
                 "UPDATE t SET v = 'x' WHERE id % 7 = 0; INSERT INTO t SELECT g, 'n', g FROM generate_series(30001, 31000) g"},
        ModeCase{"incremental", "    mode: incremental\n    watermark: modified\n", "",
                 "UPDATE t SET v = 'x', modified = 100000 + id WHERE id % 7 = 0; "
                 "INSERT INTO t SELECT g, 'n', 200000 + g FROM generate_series(30001, 31000) g"},
        ModeCase{"mirror", "    mode: mirror\n    stale: {column: status, value: 0, live: 1}\n", "",
                 "UPDATE t SET v = 'x' WHERE id % 7 = 0; DELETE FROM t WHERE id % 11 = 0; "
                 "INSERT INTO t SELECT g, 'n', g FROM generate_series(30001, 31000) g"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace replicate::test
