// SPDX-License-Identifier: Apache-2.0
// Every command answers SIGTERM and SIGINT within seconds, in every phase: planning (held
// up by a lock on the source table), copying, verifying (held up by a lock on the
// target) and status (a lock on the state table). Also: a connection string that its
// own display form contains ("bi_clientes") no longer sends the redaction into a loop.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <csignal>
#include <memory>

#include "cli/cli_support.hpp"
#include "config/mapping.hpp"
#include "engine/engine_support.hpp"
#include "source/connection.hpp"
#include "support/test_db.hpp"
#include "util/error.hpp"

namespace replicate::test {
namespace {

using namespace std::chrono_literals;

/// A session that holds an ACCESS EXCLUSIVE lock on `table` until it is destroyed.
class TableLock {
 public:
  TableLock(const std::string& conninfo, const std::string& table) : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    PGresult* r = PQexec(conn_, ("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE").c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~TableLock() { PQfinish(conn_); }

 private:
  PGconn* conn_;
};

/// How many sessions of `conninfo`'s database wait for a lock on `table`. Counted, not
/// tested: the session of a process that ended while waiting waits on until the lock goes.
int waiting_on(const std::string& conninfo, const std::string& table) {
  return std::stoi(pg_scalar(conninfo, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = to_regclass('" +
                                           table + "')")
                       .value_or("0"));
}

struct Signals : TwoDatabases {
  std::string mapping = dir + "/m.yaml";
  void SetUp() override {
    pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, name text, amount numeric(14,2))");
    pg_exec(src, "INSERT INTO t SELECT g, repeat('nome ' || g, 8), g * 1.25 FROM generate_series(1, 300000) g");
    write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    target: public.t\n",
                                         "  chunk_rows: 3000\n  batch_size: 1000\n  workers: 2\n"));
  }

  /// Starts `args`, waits until it waits on a lock of `table` in `db`, sends `sig`, and
  /// expects exit code 4 within 10 seconds.
  void expect_answer_while_blocked(const std::vector<std::string>& args, int sig, const std::string& db,
                                   const std::string& table, const std::string& name) {
    const int before = waiting_on(db, table);
    TimedProcess p(args, env, dir, name);
    ASSERT_TRUE(eventually([&] { return waiting_on(db, table) > before || !p.running(); }, 60s)) << name;
    ASSERT_TRUE(p.running()) << name << " ended before it was signalled: " << p.err();
    p.signal(sig);
    const auto code = p.wait(10s);
    ASSERT_TRUE(code.has_value()) << name << ": still running 10 s after signal " << sig;
    EXPECT_EQ(*code, 4) << name << "\n" << p.out() << p.err();
    EXPECT_NE(p.err().find("interrupted"), std::string::npos) << name << ": " << p.err();
  }
};

TEST_F(Signals, PlanningAnswersSigtermAndSigint) {
  TableLock lock(src, "public.t");
  for (int sig : {SIGTERM, SIGINT}) {
    const std::string s = sig == SIGTERM ? "term" : "int";
    expect_answer_while_blocked({"plan", mapping}, sig, src, "public.t", "plan-" + s);
    expect_answer_while_blocked({mapping}, sig, src, "public.t", "run-" + s);
    expect_answer_while_blocked({"verify", mapping}, sig, src, "public.t", "verify-" + s);
  }
}

TEST_F(Signals, CopyingAnswersSigtermAndResumes) {
  TimedProcess run({mapping}, env, dir, "copy");
  ASSERT_TRUE(eventually(
      [&] {
        return !run.running() ||
               pg_scalar(dst, "SELECT count(*) FROM pg_tables WHERE schemaname = 'replicate' AND tablename = 'chunks'")
                           .value_or("0") == "1" &&
                   pg_scalar(dst, "SELECT count(*) FROM replicate.chunks WHERE status = 'done'").value_or("0") != "0";
      },
      120s));
  ASSERT_TRUE(run.running()) << "the copy ended before it was signalled: " << run.out() << run.err();
  run.signal(SIGTERM);
  const auto code = run.wait(60s);
  ASSERT_TRUE(code.has_value()) << "the copy still runs 60 s after SIGTERM";
  EXPECT_EQ(*code, 4) << run.out() << run.err();
  // Resumable: the same command finishes the copy.
  const auto again = run_with_limit({mapping}, env, 300s, dir, "copy-again");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM public.t"), "300000");
}

TEST_F(Signals, VerifyAndStatusAnswerSigtermAndSigint) {
  const auto copy = run_with_limit({mapping}, env, 300s, dir, "copy");
  ASSERT_EQ(copy.exit_code, 0) << copy.out << copy.err;
  {
    TableLock lock(dst, "public.t");
    for (int sig : {SIGTERM, SIGINT})
      expect_answer_while_blocked({"verify", mapping}, sig, dst, "public.t",
                                  std::string("verify-") + (sig == SIGTERM ? "term" : "int"));
  }
  TableLock lock(dst, "replicate.runs");
  for (int sig : {SIGTERM, SIGINT})
    expect_answer_while_blocked({"status", mapping}, sig, dst, "replicate.runs",
                                std::string("status-") + (sig == SIGTERM ? "term" : "int"));
}

TEST(SignalsRedaction, AConnectionStringItsDisplayContainsEndsAtOnce) {
  // The loader now refuses this string (exit 2); connect() must end on it all the same.
  config::Endpoint ep;
  ep.driver = config::Driver::postgresql;
  ep.connection = "bi_clientes";
  ep.connection_display = "bi_clientes";
  EXPECT_TRUE(finishes_within(
      [&] {
        try {
          source::connect(ep, source::Side::target);
        } catch (const util::DbError&) {
        }
      },
      10s))
      << "the redaction of the connection error loops";

  const std::string dir = temp_dir();
  write_file(dir + "/m.yaml",
             "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
             "target: {driver: postgresql, connection: \"bi_clientes\"}\ntables: [{source: t}]\n");
  for (const char* command : {"plan", "status", "verify", "run"}) {
    const auto r = run_with_limit({command, dir + "/m.yaml"}, pg().env(), 20s, dir, command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.err;
    EXPECT_NE(r.err.find(dir + "/m.yaml:3:"), std::string::npos) << command << ": " << r.err;
  }
}

}  // namespace
}  // namespace replicate::test
