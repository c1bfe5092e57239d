// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that talk to real databases. Libpq directly, not the code
// under test, so a bug in replicate cannot hide itself in its own checks.
#include "support/test_db.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace replicate::test {
namespace {

namespace fs = std::filesystem;

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
using Result = std::unique_ptr<PGresult, ResultClearer>;

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

std::string shortened(const std::string& sql) {
  constexpr std::size_t max = 300;
  return sql.size() <= max ? sql : sql.substr(0, max) + "...";
}

Conn connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string msg = conn ? trimmed(PQerrorMessage(conn.get())) : "out of memory";
    throw std::runtime_error("test: cannot connect to PostgreSQL (" + conninfo + "): " + msg +
                             ". Is the test cluster running? Start it with: bash scripts/"
                             "pg-cluster.sh start " REPLICATE_TEST_PG_DIR);
  }
  return conn;
}

Result exec(const std::string& conninfo, const std::string& sql) {
  Conn conn = connect(conninfo);
  Result res(PQexec(conn.get(), sql.c_str()));
  auto status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    std::string msg = trimmed(res ? PQresultErrorMessage(res.get()) : PQerrorMessage(conn.get()));
    throw std::runtime_error("test: SQL failed on " + database_of(conninfo) + ": " + msg +
                             "\n  in: " + shortened(sql));
  }
  return res;
}

bool keep_artifacts() { return std::getenv("REPLICATE_TEST_KEEP") != nullptr; }

// What this process created, removed at exit (databases first, then dirs).
class Cleanup {
 public:
  void add_database(std::string conninfo_admin, std::string name) {
    std::lock_guard lock(mutex_);
    admin_ = std::move(conninfo_admin);
    databases_.push_back(std::move(name));
  }
  void add_dir(std::string path) {
    std::lock_guard lock(mutex_);
    dirs_.push_back(std::move(path));
  }
  ~Cleanup() {
    if (keep_artifacts()) return;
    for (const auto& db : databases_) {
      try {
        pg_exec(admin_, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      } catch (...) {
        // The cluster may be gone already; it is thrown away at stop anyway.
      }
    }
    for (const auto& dir : dirs_) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }

 private:
  std::mutex mutex_;
  std::string admin_;
  std::vector<std::string> databases_;
  std::vector<std::string> dirs_;
};

Cleanup& cleanup() {
  static Cleanup c;
  return c;
}

std::optional<PgServer> read_conninfo(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  PgServer s;
  std::string token;
  while (in >> token) {
    auto eq = token.find('=');
    if (eq == std::string::npos) continue;
    std::string key = token.substr(0, eq), value = token.substr(eq + 1);
    if (key == "host") s.host = value;
    if (key == "port") s.port = std::atoi(value.c_str());
    if (key == "user") s.user = value;
  }
  if (s.host.empty() || s.port == 0 || s.user.empty()) return std::nullopt;
  return s;
}

bool answers(const PgServer& s) { return PQping(s.conninfo().c_str()) == PQPING_OK; }

PgServer find_or_start_cluster() {
  const std::string dir = REPLICATE_TEST_PG_DIR;
  if (auto s = read_conninfo(dir + "/conninfo"); s && answers(*s)) return *s;

  // No fixture (the binary run by hand) or a stale one: start it ourselves. It
  // stays up for the next run; the script says how to stop it.
  const std::string cmd =
      "bash '" REPLICATE_SOURCE_DIR "/scripts/pg-cluster.sh' start '" + dir + "' >&2";
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    throw std::runtime_error("test: could not start the test PostgreSQL cluster (" + cmd +
                             " exited with " + std::to_string(rc) + "); see " + dir + "/log");
  }
  auto s = read_conninfo(dir + "/conninfo");
  if (!s || !answers(*s)) {
    throw std::runtime_error("test: the test cluster in " + dir +
                             " started but does not answer; see " + dir + "/log");
  }
  return *s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int open_temp(std::string& path) {
  std::string tmpl = "/tmp/replicate-test-out.XXXXXX";
  int fd = mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("test: mkostemp failed: " + std::string(strerror(errno)));
  path = tmpl;
  return fd;
}

}  // namespace

std::string PgServer::conninfo(const std::string& dbname) const {
  return "host=" + host + " port=" + std::to_string(port) + " user=" + user + " dbname=" + dbname;
}

EnvVars PgServer::env(const std::string& dbname) const {
  return {{"PGHOST", host}, {"PGPORT", std::to_string(port)}, {"PGUSER", user},
          {"PGDATABASE", dbname}};
}

const PgServer& pg() {
  static const PgServer server = find_or_start_cluster();
  return server;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<unsigned> counter{0};
  std::string name;
  for (char c : prefix) {
    auto u = static_cast<unsigned char>(c);
    name += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) name = "t_" + name;
  std::string suffix = "_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  // PostgreSQL truncates identifiers at 63 bytes; keep the unique part.
  if (name.size() + suffix.size() > 63) name.resize(63 - suffix.size());
  return name + suffix;
}

std::string create_database(const std::string& prefix) {
  const std::string name = unique_name(prefix);
  const std::string admin = pg().conninfo();
  pg_exec(admin, "CREATE DATABASE " + name);
  cleanup().add_database(admin, name);
  return pg().conninfo(name);
}

std::string database_of(const std::string& conninfo) {
  auto pos = conninfo.find("dbname=");
  if (pos == std::string::npos) return "postgres";
  auto end = conninfo.find(' ', pos);
  return conninfo.substr(pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
}

void pg_exec(const std::string& conninfo, const std::string& sql) { exec(conninfo, sql); }

std::vector<std::vector<std::optional<std::string>>> pg_query(const std::string& conninfo,
                                                              const std::string& sql) {
  Result res = exec(conninfo, sql);
  std::vector<std::vector<std::optional<std::string>>> rows;
  const int n_rows = PQntuples(res.get()), n_cols = PQnfields(res.get());
  rows.reserve(n_rows);
  for (int r = 0; r < n_rows; ++r) {
    auto& row = rows.emplace_back();
    row.reserve(n_cols);
    for (int c = 0; c < n_cols; ++c) {
      if (PQgetisnull(res.get(), r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(res.get(), r, c), PQgetlength(res.get(), r, c)));
      }
    }
  }
  return rows;
}

std::optional<std::string> pg_scalar(const std::string& conninfo, const std::string& sql) {
  auto rows = pg_query(conninfo, sql);
  if (rows.size() != 1 || rows[0].size() != 1) {
    throw std::runtime_error("test: expected one value, got " + std::to_string(rows.size()) +
                             " rows from: " + shortened(sql));
  }
  return rows[0][0];
}

void exec_argv(std::vector<std::string> argv) {
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  execv(ptrs[0], ptrs.data());
  _exit(127);
}

void exec_replicate(const std::vector<std::string>& args) {
  std::vector<std::string> argv{REPLICATE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  exec_argv(std::move(argv));
}

RunResult run_replicate(const std::vector<std::string>& args, const EnvVars& env) {
  std::vector<std::string> argv_s{REPLICATE_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The current environment, with `env` replacing variables of the same name.
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    std::string_view entry(*e);
    auto name = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [k, v] : env) overridden = overridden || k == name;
    if (!overridden) env_s.emplace_back(entry);
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  // Output goes to files, not pipes: a chatty child can never block on a full pipe.
  std::string out_path, err_path;
  int out_fd = open_temp(out_path);
  int err_fd = open_temp(err_path);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, err_fd, 2);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out_fd);
  close(err_fd);
  if (rc != 0) {
    unlink(out_path.c_str());
    unlink(err_path.c_str());
    throw std::runtime_error("test: cannot run " + argv_s[0] + ": " + strerror(rc) +
                             ". Build it first (cmake --build build).");
  }

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("test: waitpid failed: " + std::string(strerror(errno)));
  }
  RunResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                     : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                           : -1;
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return result;
}

std::string temp_dir() {
  std::string tmpl = "/tmp/replicate-test.XXXXXX";
  if (!mkdtemp(tmpl.data())) {
    throw std::runtime_error("test: mkdtemp failed: " + std::string(strerror(errno)));
  }
  cleanup().add_dir(tmpl);
  return tmpl;
}

std::string odbc_pg_connection(const std::string& dbname) {
  const auto& s = pg();
  return "Driver={PostgreSQL Unicode};Server=" + s.host + ";Port=" + std::to_string(s.port) +
         ";Database=" + dbname + ";Uid=" + s.user + ";";
}

std::string odbc_sqlite_connection(const std::string& path) {
  return "Driver={SQLite3};Database=" + path + ";";
}

}  // namespace replicate::test
