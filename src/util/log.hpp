// SPDX-License-Identifier: Apache-2.0
// The one way replicate talks to people and schedulers: log events on stderr, results
// on stdout; with --log-format json every line of both is one JSON object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace replicate::util {

enum class LogFormat { text, json };
enum class LogLevel { debug, info, warning, error };

const char* to_string(LogLevel level);

struct LogOptions {
  LogFormat format = LogFormat::text;
  bool quiet = false;    // errors only: no progress, info or warnings
  bool verbose = false;  // debug events too
};

/// Set once by the CLI before anything is logged; also fixes the run id.
void log_setup(const LogOptions& options);
const LogOptions& log_options();
inline bool log_json() { return log_options().format == LogFormat::json; }

/// The id on every event of this process: generated at start, the same on every line.
const std::string& log_run_id();

/// The mapping file being worked on ("" for none), named by every event until changed.
void log_set_mapping(const std::string& file);
std::string log_mapping();

/// A log event on stderr. Text: "[TIMESTAMP ]level: message" (the timestamp when stderr is
/// not a terminal). JSON: timestamp, level, run_id, mapping, table, action, message and
/// `fields`; `fields["table"]` fills table. Debug needs --verbose; --quiet keeps errors only.
void log_event(LogLevel level, std::string_view action, const std::string& message,
               const nlohmann::json& fields = nlohmann::json::object());
/// An event only JSON shows (run and table start/end: text mode has progress for that).
void log_json_event(LogLevel level, std::string_view action, const std::string& message,
                    const nlohmann::json& fields = nlohmann::json::object());
inline void log_error(std::string_view action, const std::string& message,
                      const nlohmann::json& fields = nlohmann::json::object()) {
  log_event(LogLevel::error, action, message, fields);
}
inline void log_warning(std::string_view action, const std::string& message,
                        const nlohmann::json& fields = nlohmann::json::object()) {
  log_event(LogLevel::warning, action, message, fields);
}

/// A result on stdout (a summary, a verify report, a plan): `text` as it is in text format,
/// one event carrying `fields` (and `text` as its message) in JSON. Info results are
/// silenced by --quiet; error results are not.
void log_result(LogLevel level, std::string_view action, const std::string& text,
                const nlohmann::json& fields = nlohmann::json::object());

/// A command's own output on stdout (a plan, a status table): as log_result at info level,
/// but never silenced by --quiet, since it is what the command was asked for.
void log_output(std::string_view action, const std::string& text,
                const nlohmann::json& fields = nlohmann::json::object());

/// One event line as it would be written, with `timestamp` as given: for output prepared
/// ahead of time (the signal handler writes it with the time put in).
std::string log_format_event(LogLevel level, std::string_view action, const std::string& message,
                             const nlohmann::json& fields, const std::string& timestamp);

/// Called before each text line on stderr (the progress display clears its lines).
void log_set_before_text(void (*hook)(void*), void* arg);

/// The errors logged so far (timestamp, mapping, table, action, message), for the report.
std::vector<nlohmann::json> log_errors();

/// Now as RFC 3339 UTC with milliseconds: 2024-05-01T12:00:00.123Z.
std::string timestamp_now();
/// `unix_ms` (milliseconds since the epoch) the same way into `out` (24 chars and a NUL):
/// only arithmetic, so a signal handler may call it.
void format_timestamp(long long unix_ms, char out[25]);

/// Whether stderr is a terminal.
bool stderr_is_tty();
/// Whether escape sequences may go to stderr: a terminal, TERM is not "dumb" and
/// NO_COLOR is unset (or empty).
bool stderr_takes_escapes();

}  // namespace replicate::util
