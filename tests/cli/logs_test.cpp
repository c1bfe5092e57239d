// SPDX-License-Identifier: Apache-2.0
// Logs and reports a scheduler can trust: with --log-format json every line on stdout and
// stderr is one JSON object with timestamp, level, run_id, mapping, table and action, for
// success, a failed table, a bad mapping, an unreachable target and interruptions; the
// --report file is written on every exit with the real exit code and validates against
// schemas/report.schema.json; -q silences progress and info; text lines are timestamped
// off a terminal; NO_COLOR and TERM=dumb keep escape sequences off a terminal.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "cli/cli_support.hpp"
#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const std::regex kTimestamp(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");

/// Every line of `text` as a JSON event with the fields every line must have; a failure
/// names the line. `run_id` is filled by the first line and must match on the others.
std::vector<json> events(const std::string& text, std::string& run_id, const std::string& stream) {
  std::vector<json> out;
  EXPECT_TRUE(text.empty() || text.back() == '\n') << stream << ": the last line is cut: " << text;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      ADD_FAILURE() << stream << ": not a JSON object: " << line;
      continue;
    }
    for (const char* key : {"timestamp", "level", "run_id", "mapping", "table", "action", "message"})
      EXPECT_TRUE(j.contains(key)) << stream << ": no " << key << " in " << line;
    EXPECT_TRUE(j.value("timestamp", "").size() == 24 &&
                std::regex_search(j.value("timestamp", ""), kTimestamp))
        << stream << ": " << line;
    EXPECT_TRUE(std::set<std::string>({"debug", "info", "warning", "error"}).count(j.value("level", "")))
        << stream << ": " << line;
    EXPECT_TRUE(j["mapping"].is_null() || j["mapping"].is_string()) << line;
    EXPECT_TRUE(j["table"].is_null() || j["table"].is_string()) << line;
    EXPECT_TRUE(j["action"].is_string()) << line;
    const std::string id = j.value("run_id", "");
    EXPECT_FALSE(id.empty()) << line;
    if (run_id.empty()) run_id = id;
    EXPECT_EQ(id, run_id) << stream << ": another run_id: " << line;
    out.push_back(j);
  }
  return out;
}

/// Both streams as events (stdout first); every line checked.
std::vector<json> all_events(const std::string& out, const std::string& err) {
  std::string run_id;
  auto a = events(out, run_id, "stdout");
  auto b = events(err, run_id, "stderr");
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bool has_action(const std::vector<json>& es, const std::string& action) {
  return std::any_of(es.begin(), es.end(), [&](const json& j) { return j.value("action", "") == action; });
}

/// Output and exit status of validate_json.py on `file` against schemas/report.schema.json.
std::pair<int, std::string> validate_report(const std::string& file) {
  const std::string cmd = std::string("/usr/bin/python3 ") + REPLICATE_SOURCE_DIR + "/tests/cli/validate_json.py " +
                          REPLICATE_SOURCE_DIR + "/schemas/report.schema.json '" + file + "' 2>&1";
  std::string output;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) output += buf.data();
  const int raw = pclose(pipe);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, output};
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in, nullptr, false);
}

/// The report at `path` holds `exit_code` and validates against the schema.
json expect_report(const std::string& path, int exit_code) {
  const json r = read_json(path);
  EXPECT_FALSE(r.is_discarded()) << path << " is missing or not JSON";
  if (r.is_discarded()) return r;
  EXPECT_EQ(r.value("exit_code", -1), exit_code) << r.dump(2);
  EXPECT_EQ(r.value("interrupted", false), exit_code == 4) << r.dump(2);
  const auto [status, output] = validate_report(path);
  EXPECT_EQ(status, 0) << output << r.dump(2);
  return r;
}

/// A session that holds an ACCESS EXCLUSIVE lock on `table` until it is destroyed.
class TableLock {
 public:
  TableLock(const std::string& conninfo, const std::string& table) : conn_(PQconnectdb(conninfo.c_str())) {
    PGresult* r = PQexec(conn_, ("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE").c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(conn_);
    PQclear(r);
  }
  ~TableLock() { PQfinish(conn_); }

 private:
  PGconn* conn_;
};

struct Logs : TwoDatabases {
  std::string mapping = dir + "/m.yaml";
  std::string report = dir + "/report.json";
  void SetUp() override {
    pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM "
                 "generate_series(1, 2000) g");
    write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    target: public.t\n",
                                         "  mode: full\n  verify: true\n  chunk_rows: 500\n"));
  }
  RunResult run(std::vector<std::string> args, const std::string& name = "run") {
    return run_with_limit(args, env, 120s, dir, name);
  }
};

TEST_F(Logs, JsonRunWithVerifyIsJsonEverywhereAndReportsOk) {
  const auto r = run({"--log-format", "json", "--report", report, mapping});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto es = all_events(r.out, r.err);
  for (const char* action : {"run-start", "table-start", "table-end", "summary", "verify", "run-end"})
    EXPECT_TRUE(has_action(es, action)) << action << " missing:\n" << r.out << r.err;
  for (const auto& e : es)
    if (e["action"] == "table-end") EXPECT_EQ(e["table"], "public.t") << e.dump();
  json rep = expect_report(report, 0);
  ASSERT_TRUE(rep.is_object());
  ASSERT_EQ(rep["tables"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["tables"][0]["rows"], 2000);
  EXPECT_EQ(rep["tables"][0]["verify"]["equal"], true) << rep.dump(2);
  EXPECT_TRUE(rep["tables"][0]["state_run_id"].is_number_integer()) << rep.dump(2);
  EXPECT_EQ(rep["mappings"][0]["verified"], true);
  EXPECT_EQ(rep["run_id"], es.front()["run_id"]) << "the report's run_id is the logs' run_id";
}

TEST_F(Logs, JsonFailingTableReportsExitOne) {
  write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    where: \"no_such_column > 1\"\n", "  mode: full\n"));
  const auto r = run({"--log-format", "json", "--report", report, mapping});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto es = all_events(r.out, r.err);
  EXPECT_TRUE(std::any_of(es.begin(), es.end(), [](const json& e) {
    return e["level"] == "error" && e["table"] == "public.t";
  })) << r.err;
  json rep = expect_report(report, 1);
  ASSERT_TRUE(rep.is_object());
  ASSERT_EQ(rep["tables"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["tables"][0]["status"], "failed");
  EXPECT_NE(rep["tables"][0]["error"].get<std::string>().find("no_such_column"), std::string::npos);
  ASSERT_FALSE(rep["errors"].empty());
  EXPECT_EQ(rep["mappings"][0]["status"], "failed");
}

TEST_F(Logs, JsonBadMappingReportsExitTwo) {
  write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    colour: blue\n", "  mode: full\n"));
  const auto r = run({"--log-format", "json", "--report", report, mapping});
  ASSERT_EQ(r.exit_code, 2) << r.out << r.err;
  const auto es = all_events(r.out, r.err);
  EXPECT_TRUE(std::any_of(es.begin(), es.end(), [&](const json& e) {
    return e["level"] == "error" && e["action"] == "config" && e["mapping"] == mapping;
  })) << r.err;
  json rep = expect_report(report, 2);
  ASSERT_TRUE(rep.is_object());
  EXPECT_EQ(rep["outcome"], "config");
  EXPECT_EQ(rep["mappings"][0]["status"], "error");
  ASSERT_EQ(rep["errors"].size(), 1u) << rep.dump(2);
  EXPECT_NE(rep["errors"][0]["message"].get<std::string>().find("colour"), std::string::npos);
}

TEST_F(Logs, JsonUnreachableTargetReportsExitThree) {
  write_file(mapping, "version: 1\nsource:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} "
                      "port=${env:PGPORT} user=${env:PGUSER} dbname=${env:SRC_DB}\"\n"
                      "target:\n  driver: postgresql\n  connection: \"host=127.0.0.1 port=1 user=nobody "
                      "dbname=none sslmode=disable connect_timeout=5\"\ntables:\n  - source: public.t\n");
  const auto r = run({"--log-format", "json", "--report", report, mapping});
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;
  const auto es = all_events(r.out, r.err);
  EXPECT_TRUE(has_action(es, "connect")) << r.err;
  json rep = expect_report(report, 3);
  ASSERT_TRUE(rep.is_object());
  EXPECT_EQ(rep["outcome"], "connect");
}

TEST_F(Logs, JsonSigtermMidCopyReportsExitFour) {
  pg_exec(src, "INSERT INTO t SELECT g, repeat('v', 200) FROM generate_series(2001, 300000) g");
  write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    target: public.t\n",
                                       "  chunk_rows: 3000\n  batch_size: 1000\n  workers: 2\n"));
  TimedProcess p({"--log-format", "json", "--report", report, mapping}, env, dir, "copy");
  ASSERT_TRUE(eventually(
      [&] {
        return !p.running() ||
               pg_scalar(dst, "SELECT count(*) FROM pg_tables WHERE schemaname = 'replicate' AND tablename = 'chunks'")
                           .value_or("0") == "1" &&
                   pg_scalar(dst, "SELECT count(*) FROM replicate.chunks WHERE status = 'done'").value_or("0") != "0";
      },
      120s));
  ASSERT_TRUE(p.running()) << "the copy ended before it was signalled: " << p.err();
  p.signal(SIGTERM);
  const auto code = p.wait(60s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 4) << p.err();
  const auto es = all_events(p.out(), p.err());
  EXPECT_TRUE(has_action(es, "run-end")) << p.err();
  json rep = expect_report(report, 4);
  ASSERT_TRUE(rep.is_object());
  ASSERT_EQ(rep["tables"].size(), 1u) << rep.dump(2);
  EXPECT_EQ(rep["tables"][0]["status"], "interrupted");
  EXPECT_EQ(rep["mappings"][0]["status"], "interrupted");
}

TEST_F(Logs, JsonSigintBeforeTheCopyReportsExitFour) {
  TableLock lock(src, "public.t");
  TimedProcess p({"--log-format", "json", "--report", report, mapping}, env, dir, "plan-blocked");
  // Planning waits for the lock on the source table.
  ASSERT_TRUE(eventually(
      [&] {
        return !p.running() || pg_scalar(src, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = "
                                              "to_regclass('public.t')")
                                       .value_or("0") != "0";
      },
      60s));
  ASSERT_TRUE(p.running()) << p.err();
  p.signal(SIGINT);
  const auto code = p.wait(10s);
  ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGINT";
  EXPECT_EQ(*code, 4) << p.err();
  const auto es = all_events(p.out(), p.err());
  EXPECT_TRUE(std::any_of(es.begin(), es.end(), [](const json& e) {
    return e["action"] == "interrupted" && e["signal"] == "SIGINT";
  })) << p.err();
  EXPECT_TRUE(has_action(es, "run-end")) << p.err();
  json rep = expect_report(report, 4);
  ASSERT_TRUE(rep.is_object());
  EXPECT_EQ(rep["mappings"][0]["status"], "interrupted") << rep.dump(2);
  ASSERT_FALSE(rep["errors"].empty());
  EXPECT_EQ(rep["errors"].back()["action"], "interrupted");
  EXPECT_NE(rep["errors"].back()["message"].get<std::string>().find("SIGINT"), std::string::npos);
}

TEST_F(Logs, QuietSilencesProgressAndInfoInEveryFormat) {
  const auto text = run({"-q", mapping}, "quiet-text");
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_EQ(text.out, "");
  EXPECT_EQ(text.err, "");
  const auto loud = run({"--log-format", "json", "--restart", mapping}, "loud-json");
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  const auto loud_events = all_events(loud.out, loud.err);
  EXPECT_TRUE(std::any_of(loud_events.begin(), loud_events.end(), [](const json& e) { return e["level"] == "info"; }));
  const auto quiet = run({"--log-format", "json", "-q", mapping}, "quiet-json");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  for (const auto& e : all_events(quiet.out, quiet.err)) EXPECT_EQ(e["level"], "error") << e.dump();
}

TEST_F(Logs, TextLinesAreTimestampedOffATerminal) {
  write_file(mapping, pg_to_pg_mapping("  - source: public.t\n    where: \"no_such_column > 1\"\n", "  mode: full\n"));
  const auto r = run({mapping});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  ASSERT_NE(r.err, "");
  std::istringstream in(r.err);
  for (std::string line; std::getline(in, line);)
    EXPECT_TRUE(std::regex_search(line, kTimestamp)) << "no timestamp: " << line;
}

/// Runs replicate on a pseudo-terminal with `env_extra` (NO_COLOR unset unless given);
/// everything it wrote there.
std::string on_a_terminal(const std::vector<std::string>& args, const EnvVars& env,
                          const std::vector<std::pair<std::string, std::string>>& env_extra) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    unsetenv("NO_COLOR");
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    for (const auto& [k, v] : env_extra) setenv(k.c_str(), v.c_str(), 1);
    exec_replicate(args);
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(master, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  return out;
}

TEST_F(Logs, NoColorAndDumbTerminalsGetNoEscapeSequences) {
  // A terminal that takes them gets the progress lines redrawn in place: the test can fail.
  const std::string fancy = on_a_terminal({mapping}, env, {{"TERM", "xterm"}});
  ASSERT_NE(fancy.find('\x1b'), std::string::npos) << fancy;
  ASSERT_NE(fancy.find("verify: 1 of 1 tables equal"), std::string::npos) << fancy;
  for (const auto& extra : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"TERM", "xterm"}, {"NO_COLOR", "1"}}, {{"TERM", "dumb"}}}) {
    const std::string plain = on_a_terminal({mapping}, env, extra);
    EXPECT_EQ(plain.find('\x1b'), std::string::npos) << extra.back().first << "=" << extra.back().second << ":\n"
                                                     << plain;
    EXPECT_NE(plain.find("progress: public.t"), std::string::npos) << plain;
  }
}

TEST_F(Logs, JsonForValidatePlanAndUsageErrors) {
  // A warning of the loader (an unset variable) and the ok line.
  write_file(dir + "/unset.yaml", "version: 1\nsource: {driver: sqlite, connection: \"${env:NOT_SET_ANYWHERE}\"}\n"
                                  "target: {driver: postgresql, connection: \"dbname=x\"}\ntables: [{source: t}]\n");
  auto r = run({"--log-format", "json", "validate", dir + "/unset.yaml"}, "validate");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto es = all_events(r.out, r.err);
  EXPECT_TRUE(std::any_of(es.begin(), es.end(), [](const json& e) { return e["level"] == "warning"; })) << r.err;
  EXPECT_TRUE(has_action(es, "validate")) << r.out;

  r = run({"plan", "--log-format", "json", mapping}, "plan");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  es = all_events(r.out, r.err);
  ASSERT_TRUE(has_action(es, "plan")) << r.out;

  r = run({"--log-format", "json", "--no-such-option", mapping}, "usage");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  es = all_events(r.out, r.err);
  ASSERT_EQ(es.size(), 1u) << r.out << r.err;
  EXPECT_EQ(es[0]["action"], "usage");
}

}  // namespace
}  // namespace replicate::test
