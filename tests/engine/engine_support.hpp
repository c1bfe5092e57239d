// SPDX-License-Identifier: Apache-2.0
// Helpers for engine tests: a replicate process in the background that a test can
// kill, waiting on conditions (never on fixed sleeps), and mapping files.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_db.hpp"

namespace replicate::test {

/// A `replicate` process started in the background, output in files.
class BackgroundRun {
 public:
  /// `args` to replicate; with `as_is`, `args` is a whole command line (args[0] the program).
  BackgroundRun(const std::vector<std::string>& args, const EnvVars& env, const std::string& dir, bool as_is = false) {
    out_path_ = dir + "/out.txt";
    err_path_ = dir + "/err.txt";
    pid_ = fork();
    if (pid_ == 0) {
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      int in = open("/dev/null", O_RDONLY);
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      if (as_is) exec_argv(args);
      exec_replicate(args);
    }
  }
  ~BackgroundRun() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  pid_t pid() const { return pid_; }
  /// Exit code, or 128 + signal.
  int wait() {
    if (!waited_) {
      int status = 0;
      waitpid(pid_, &status, 0);
      waited_ = true;
      code_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    }
    return code_;
  }
  std::string out() const { return slurp(out_path_); }
  std::string err() const { return slurp(err_path_); }

  /// Direct children of this process (the workers).
  std::vector<pid_t> children() const {
    std::vector<pid_t> kids;
    DIR* d = opendir("/proc");
    if (!d) return kids;
    while (auto* e = readdir(d)) {
      pid_t p = std::atoi(e->d_name);
      if (p <= 0) continue;
      std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
      std::string line;
      std::getline(stat, line);
      auto close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(line.substr(close + 2));
      char state;
      pid_t ppid;
      rest >> state >> ppid;
      if (ppid == pid_ && state != 'Z') kids.push_back(p);
    }
    closedir(d);
    return kids;
  }

 private:
  static std::string slurp(const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  pid_t pid_ = -1;
  bool waited_ = false;
  int code_ = -1;
  std::string out_path_, err_path_;
};

/// Poll `condition` every 20 ms until it holds or `limit` passes; returns whether it held.
inline bool wait_for(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(120)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

/// A mapping from one PostgreSQL database (SRC_DB) to another (DST_DB) on the test cluster.
inline std::string pg_to_pg_mapping(const std::string& tables_yaml, const std::string& defaults_yaml) {
  return "version: 1\n"
         "source:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} dbname=${env:SRC_DB}\"\n"
         "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} dbname=${env:DST_DB}\"\n"
         "defaults:\n" + defaults_yaml + "tables:\n" + tables_yaml;
}

/// A SQLite file made with the sqlite3 shell, copied into a fresh database on the
/// test cluster by `run`.
struct SqliteToPg {
  std::string dir = temp_dir();
  std::string db = dir + "/src.sqlite";
  std::string dst;
  explicit SqliteToPg(const std::string& prefix) : dst(create_database(prefix)) {}

  /// Runs `sql` on the SQLite file with the sqlite3 shell; false when it fails.
  bool source_sql(const std::string& sql) const {
    write_file(dir + "/src.sql", sql);
    return std::system(("sqlite3 " + db + " < " + dir + "/src.sql").c_str()) == 0;
  }
  /// replicate with a mapping of these tables (and defaults) from the file to `dst`.
  RunResult run(const std::string& tables_yaml, const std::string& defaults_yaml = "") const {
    write_file(dir + "/m.yaml",
               "version: 1\nsource:\n  driver: sqlite\n  connection: \"${env:DB}\"\n"
               "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
               "user=${env:PGUSER} dbname=${env:DST_DB}\"\n" +
                   (defaults_yaml.empty() ? "" : "defaults:\n" + defaults_yaml) + "tables:\n" + tables_yaml);
    auto env = pg().env();
    env.push_back({"DB", db});
    env.push_back({"DST_DB", database_of(dst)});
    return run_replicate({dir + "/m.yaml"}, env);
  }
};

/// Two fresh databases on the test cluster (SRC_DB, DST_DB) and a scratch folder.
struct TwoDatabases : ::testing::Test {
  std::string src = create_database("t_src");
  std::string dst = create_database("t_dst");
  std::string dir = temp_dir();
  EnvVars env = [this] {
    auto e = pg().env();
    e.push_back({"SRC_DB", database_of(src)});
    e.push_back({"DST_DB", database_of(dst)});
    return e;
  }();
};

}  // namespace replicate::test
