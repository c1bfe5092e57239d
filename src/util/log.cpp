// SPDX-License-Identifier: Apache-2.0
// Log events and results, text or JSON. One mutex: verify's threads and the coordinator
// may log at once, and a line must never be cut by another.
#include "util/log.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>

namespace replicate::util {

namespace {

using ordered = nlohmann::ordered_json;

struct LogState {
  std::mutex mutex;
  LogOptions options;
  std::string run_id;
  std::string mapping;
  std::vector<nlohmann::json> errors;
  void (*before_text)(void*) = nullptr;
  void* before_text_arg = nullptr;
};

LogState& state() {
  static LogState s;
  return s;
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Sortable and unique enough to tell runs apart: start time (UTC) and 32 random bits.
std::string make_run_id() {
  char ts[25];
  format_timestamp(now_ms(), ts);
  std::string compact;
  for (const char* p = ts; *p && *p != '.'; ++p)
    if (*p != '-' && *p != ':') compact += *p;
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%08x", static_cast<unsigned>(rd()));
  return compact + "Z" + suffix;
}

bool shown(const LogOptions& o, LogLevel level) {
  if (level == LogLevel::debug && !o.verbose) return false;
  if (o.quiet && level != LogLevel::error) return false;
  return true;
}

std::string dump_line(const ordered& j) {
  // Text a driver sent in another encoding is still written, with U+FFFD in its place.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ordered event_object(LogLevel level, std::string_view action, const std::string& message,
                     const nlohmann::json& fields, const std::string& timestamp, const std::string& run_id,
                     const std::string& mapping) {
  ordered j;
  j["timestamp"] = timestamp;
  j["level"] = to_string(level);
  j["run_id"] = run_id;
  j["mapping"] = mapping.empty() ? ordered(nullptr) : ordered(mapping);
  const auto table = fields.is_object() ? fields.find("table") : fields.end();
  j["table"] = fields.is_object() && table != fields.end() ? ordered(*table) : ordered(nullptr);
  j["action"] = std::string(action);
  j["message"] = message;
  if (fields.is_object())
    for (auto it = fields.begin(); it != fields.end(); ++it)
      if (!j.contains(it.key())) j[it.key()] = ordered(it.value());
  return j;
}

/// "level: message" for a text log; off a terminal every line starts with the time, and
/// the lines after the first of a message are indented under it.
std::string text_line(LogLevel level, const std::string& message, const std::string& timestamp) {
  std::string body = std::string(to_string(level)) + ": " + message;
  while (body.back() == '\n') body.pop_back();
  if (stderr_is_tty()) return body + "\n";
  std::string out;
  std::size_t at = 0;
  for (bool first = true; at <= body.size(); first = false) {
    std::size_t end = body.find('\n', at);
    if (end == std::string::npos) end = body.size();
    out += timestamp + (first ? " " : "   ") + body.substr(at, end - at) + "\n";
    at = end + 1;
  }
  return out;
}

void write_text(FILE* stream, const std::string& line) {
  std::fputs(line.c_str(), stream);
  std::fflush(stream);
}

void emit(LogLevel level, std::string_view action, const std::string& message, const nlohmann::json& fields,
          bool json_only) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  const std::string ts = timestamp_now();
  // Errors for the report; JSON-only events (table-end, run-end) repeat an error logged already.
  if (level == LogLevel::error && !json_only && s.errors.size() < 1000) {
    auto j = event_object(level, action, message, fields, ts, s.run_id, s.mapping);
    nlohmann::json e = {{"timestamp", ts}, {"mapping", j["mapping"]}, {"table", j["table"]},
                        {"action", std::string(action)}, {"message", message}};
    s.errors.push_back(std::move(e));
  }
  if (!shown(s.options, level)) return;
  if (s.options.format == LogFormat::json) {
    write_text(stderr, dump_line(event_object(level, action, message, fields, ts, s.run_id, s.mapping)) + "\n");
    return;
  }
  if (json_only) return;
  if (s.before_text) s.before_text(s.before_text_arg);
  write_text(stderr, text_line(level, message, ts));
}

/// A result on stdout, whatever --quiet says.
void print_result(LogLevel level, std::string_view action, const std::string& text, const nlohmann::json& fields) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.options.format == LogFormat::json) {
    std::string message = text;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    write_text(stdout,
               dump_line(event_object(level, action, message, fields, timestamp_now(), s.run_id, s.mapping)) + "\n");
    return;
  }
  write_text(stdout, text);
}

}  // namespace

const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "error";
}

void log_setup(const LogOptions& options) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.options = options;
  if (s.run_id.empty()) s.run_id = make_run_id();
}

const LogOptions& log_options() { return state().options; }

const std::string& log_run_id() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.run_id.empty()) s.run_id = make_run_id();
  return s.run_id;
}

void log_set_mapping(const std::string& file) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.mapping = file;
}

std::string log_mapping() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.mapping;
}

void log_event(LogLevel level, std::string_view action, const std::string& message, const nlohmann::json& fields) {
  emit(level, action, message, fields, false);
}

void log_json_event(LogLevel level, std::string_view action, const std::string& message,
                    const nlohmann::json& fields) {
  emit(level, action, message, fields, true);
}

void log_result(LogLevel level, std::string_view action, const std::string& text, const nlohmann::json& fields) {
  if (log_options().quiet && level != LogLevel::error) return;
  print_result(level, action, text, fields);
}

void log_output(std::string_view action, const std::string& text, const nlohmann::json& fields) {
  print_result(LogLevel::info, action, text, fields);
}


std::string log_format_event(LogLevel level, std::string_view action, const std::string& message,
                             const nlohmann::json& fields, const std::string& timestamp) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.options.format == LogFormat::json)
    return dump_line(event_object(level, action, message, fields, timestamp, s.run_id, s.mapping)) + "\n";
  return text_line(level, message, timestamp);
}

void log_set_before_text(void (*hook)(void*), void* arg) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.before_text = hook;
  s.before_text_arg = arg;
}

std::vector<nlohmann::json> log_errors() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.errors;
}

std::string timestamp_now() {
  char ts[25];
  format_timestamp(now_ms(), ts);
  return ts;
}

void format_timestamp(long long unix_ms, char out[25]) {
  // Howard Hinnant's civil_from_days: no locale, no tables, no library calls.
  long long secs = unix_ms / 1000;
  const int ms = static_cast<int>(unix_ms % 1000);
  long long days = secs / 86400;
  long long rem = secs % 86400;
  const int hh = static_cast<int>(rem / 3600), mi = static_cast<int>(rem % 3600 / 60), ss = static_cast<int>(rem % 60);
  days += 719468;
  const long long era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  const auto put = [&](int at, long long value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[at + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, y, 4);
  out[4] = '-';
  put(5, m, 2);
  out[7] = '-';
  put(8, d, 2);
  out[10] = 'T';
  put(11, hh, 2);
  out[13] = ':';
  put(14, mi, 2);
  out[16] = ':';
  put(17, ss, 2);
  out[19] = '.';
  put(20, ms, 3);
  out[23] = 'Z';
  out[24] = '\0';
}

bool stderr_is_tty() {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  return tty;
}

bool stderr_takes_escapes() {
  static const bool yes = [] {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    if (no_color && *no_color) return false;
    if (!term || std::strcmp(term, "dumb") == 0) return false;
    return stderr_is_tty();
  }();
  return yes;
}

}  // namespace replicate::util
