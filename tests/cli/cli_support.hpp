// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that run the replicate binary and must not hang with it: a process
// started in the background, waited for with a limit, killed when the limit passes.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/test_db.hpp"

namespace replicate::test {

/// A replicate process with stdout and stderr in files under `dir`.
class TimedProcess {
 public:
  TimedProcess(const std::vector<std::string>& args, const EnvVars& env, const std::string& dir,
               const std::string& name = "run")
      : out_path_(dir + "/" + name + ".out"), err_path_(dir + "/" + name + ".err") {
    started_ = std::chrono::steady_clock::now();
    pid_ = fork();
    if (pid_ == 0) {
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      int in = open("/dev/null", O_RDONLY);
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(in, 0);
      dup2(out, 1);
      dup2(err, 2);
      exec_replicate(args);
    }
  }
  TimedProcess(const TimedProcess&) = delete;
  TimedProcess& operator=(const TimedProcess&) = delete;
  ~TimedProcess() {
    if (!code_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  pid_t pid() const { return pid_; }
  void signal(int sig) const { kill(pid_, sig); }

  /// The exit code (128 + signal when killed by one), or nullopt when the process is still
  /// running after `limit`; it is then left running (the destructor kills it).
  std::optional<int> wait(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!code_) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        code_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        ended_ = std::chrono::steady_clock::now();
        break;
      }
      if (std::chrono::steady_clock::now() >= end) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return code_;
  }
  bool running() { return !wait(std::chrono::milliseconds(0)); }
  /// Seconds from the start to the exit (valid once wait() returned a code).
  double seconds() const { return std::chrono::duration<double>(ended_ - started_).count(); }
  std::string out() const { return slurp(out_path_); }
  std::string err() const { return slurp(err_path_); }

 private:
  static std::string slurp(const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
  pid_t pid_ = -1;
  std::optional<int> code_;
  std::chrono::steady_clock::time_point started_, ended_;
  std::string out_path_, err_path_;
};

/// Runs `args` and waits at most `limit`; the result's exit_code is -1 when it had to be killed.
inline RunResult run_with_limit(const std::vector<std::string>& args, const EnvVars& env,
                                std::chrono::milliseconds limit, const std::string& dir,
                                const std::string& name = "run") {
  TimedProcess p(args, env, dir, name);
  const auto code = p.wait(limit);
  return RunResult{code ? *code : -1, p.out(), p.err()};
}

/// Runs `body` in a forked child and says whether it returned within `limit` (the child is
/// killed otherwise): for code that must not hang, tested in-process.
inline bool finishes_within(const std::function<void()>& body, std::chrono::milliseconds limit) {
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      body();
    } catch (...) {
    }
    _exit(0);
  }
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  return false;
}

/// Poll `condition` every 20 ms until it holds or `limit` passes.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
}

}  // namespace replicate::test
