// SPDX-License-Identifier: Apache-2.0
// The interrupt handler writes text prepared ahead of time. Only async-signal-safe calls
// (clock_gettime, open, write, fsync, close, rename, unlink, _exit) and plain arithmetic run
// in it; prepared texts are published through an atomic pointer and never freed, so a
// handler running on another thread never reads freed memory.
#include "cli/interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "util/error.hpp"
#include "util/log.hpp"

namespace replicate::cli {

namespace {

/// Text cut at the placeholders: literal pieces, and where the time or signal name goes.
struct Piece {
  enum Kind { text, time, signal } kind = text;
  std::string value;
};

struct Prepared {
  std::vector<Piece> log;
  std::vector<Piece> report;
  std::string report_path;
  std::string report_temp;  // beside it, named once here: the handler cannot build names
};

std::atomic<const Prepared*> g_prepared{nullptr};

std::vector<Piece> cut(const std::string& s) {
  std::vector<Piece> out;
  std::size_t at = 0;
  while (at < s.size()) {
    const std::size_t t = s.find(kSignalTime, at), n = s.find(kSignalName, at);
    const std::size_t next = std::min(t, n);
    if (next == std::string::npos) {
      out.push_back({Piece::text, s.substr(at)});
      break;
    }
    if (next > at) out.push_back({Piece::text, s.substr(at, next - at)});
    out.push_back({next == t ? Piece::time : Piece::signal, ""});
    at = next + std::strlen(next == t ? kSignalTime : kSignalName);
  }
  return out;
}

void write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

void write_pieces(int fd, const std::vector<Piece>& pieces, const char* time, const char* signal) {
  for (const auto& p : pieces) {
    const char* s = p.kind == Piece::time ? time : p.kind == Piece::signal ? signal : p.value.data();
    const std::size_t n = p.kind == Piece::text ? p.value.size() : std::strlen(s);
    write_all(fd, s, n);
  }
}

extern "C" void exit_on_interrupt(int sig) {
  // Nothing is half-done: every step commits with the state that records it, and an open
  // transaction rolls back when the connection drops.
  const Prepared* p = g_prepared.load();
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  char time[25];
  util::format_timestamp(static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1000000, time);
  const char* signal = sig == SIGINT ? "SIGINT" : "SIGTERM";
  if (p == nullptr) {
    static const char text[] = "error: interrupted; run the same command again to go on\n";
    write_all(STDERR_FILENO, text, sizeof text - 1);
    ::_exit(util::exit_interrupted);
  }
  if (!p->report_path.empty()) {
    // As write_private_file does: a new file of mode 0600 beside it, synced, renamed over it.
    ::unlink(p->report_temp.c_str());
    const int fd = ::open(p->report_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      write_pieces(fd, p->report, time, signal);
      const bool ok = ::fsync(fd) == 0;
      ::close(fd);
      if (!ok || ::rename(p->report_temp.c_str(), p->report_path.c_str()) != 0) ::unlink(p->report_temp.c_str());
    }
  }
  write_pieces(STDERR_FILENO, p->log, time, signal);
  ::_exit(util::exit_interrupted);
}

}  // namespace

void set_interrupt_output(const InterruptOutput& output) {
  static std::mutex mutex;
  static std::vector<std::unique_ptr<Prepared>> kept;  // never freed while the process runs
  auto p = std::make_unique<Prepared>();
  p->log = cut(output.log);
  p->report = cut(output.report);
  p->report_path = output.report_path;
  if (!output.report_path.empty()) {
    const std::filesystem::path path(output.report_path);
    const std::string folder = path.parent_path().empty() ? "." : path.parent_path().string();
    p->report_temp = folder + "/." + path.filename().string() + ".interrupted." + std::to_string(::getpid());
  }
  std::lock_guard lock(mutex);
  g_prepared.store(p.get());
  kept.push_back(std::move(p));
}

InterruptOutput default_interrupt_output() {
  InterruptOutput out;
  const std::string message =
      std::string("interrupted (") + kSignalName + "); run the same command again to go on";
  out.log = util::log_format_event(util::LogLevel::error, "interrupted", message, {{"signal", kSignalName}},
                                   kSignalTime);
  // On a terminal the line starts below the "^C" the terminal echoed.
  if (!util::log_json() && util::stderr_is_tty()) out.log = "\n" + out.log;
  return out;
}

void exit_on_interrupts() {
  struct sigaction sa {};
  sa.sa_handler = exit_on_interrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void hold_interrupts() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace replicate::cli
