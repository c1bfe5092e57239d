// SPDX-License-Identifier: Apache-2.0
// Helpers for the metrics tests: Debian's Prometheus binaries started on free ports
// with their own data, promtool, and reading one sample out of the text format.
#pragma once

#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "packaging/packaging_support.hpp"
#include "support/http_client.hpp"
#include "support/test_db.hpp"

namespace replicate::test {

/// A TCP port nobody listens on now (the kernel's pick for port 0).
inline int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(a.sin_port);
}

/// A server binary run by the test, output in `log`; stopped (SIGTERM, then SIGKILL) on destruction.
class Daemon {
 public:
  Daemon(std::vector<std::string> argv, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      const int in = open("/dev/null", O_RDONLY);
      const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(in, 0);
      dup2(out, 1);
      dup2(out, 2);
      exec_argv(std::move(argv));
    }
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;
  ~Daemon() {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  bool running() const {
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
  }

 private:
  pid_t pid_ = -1;
};

/// Holds a lock on a table of a database until destroyed (BEGIN; LOCK TABLE ... IN `mode`).
class HeldLock {
 public:
  HeldLock(const std::string& conninfo, const std::string& table, const std::string& mode)
      : conn_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    PGresult* r = PQexec(conn_, ("BEGIN; LOCK TABLE " + table + " IN " + mode + " MODE").c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~HeldLock() { release(); }
  void release() {
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
  }

 private:
  PGconn* conn_;
};

inline std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/// `promtool check metrics` on `text`: exit code and what it said.
inline CommandResult promtool_check_metrics(const std::string& text, const std::string& dir) {
  const std::string file = dir + "/check.prom";
  std::ofstream(file, std::ios::binary) << text;
  return run_command("promtool check metrics < " + shell_quote(file));
}

/// The value of the sample written exactly as `series` (name{labels}) in `text`.
inline std::optional<double> sample_value(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return std::nullopt;
}

/// The binaries the tests need, which scripts/setup.sh installs: a missing one fails the test.
inline void require_binary(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(path + " is missing: install Debian's prometheus and prometheus-pushgateway "
                                    "(bash scripts/setup.sh)");
}

}  // namespace replicate::test
