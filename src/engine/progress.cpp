// SPDX-License-Identifier: Apache-2.0
// Progress rendering. Rates and ETAs come from rows seen since the table started.
#include "engine/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace replicate::engine {

std::string format_duration(double s) {
  if (s < 60) return fmt::format("{:.1f}s", s);
  int total = static_cast<int>(s);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
}

std::string format_count(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

Progress::Progress(bool quiet, LogFormat format)
    : quiet_(quiet),
      format_(format),
      redraw_(util::stderr_takes_escapes()),
      last_(std::chrono::steady_clock::now()) {
  // Other lines on stderr first clear the lines drawn in place.
  util::log_set_before_text([](void* self) { static_cast<Progress*>(self)->clear(); }, this);
}

Progress::~Progress() { util::log_set_before_text(nullptr, nullptr); }

static std::string table_line(const TableProgress& t) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t.started).count();
  double rate = secs > 0 ? t.rows / secs : 0;
  std::string pct = "", eta = "";
  if (t.estimated > 0) {
    double p = std::min(100.0, 100.0 * t.rows / t.estimated);
    pct = fmt::format(" {:5.1f}%", p);
    if (rate > 0 && t.rows < t.estimated && !t.finished)
      eta = " ETA " + format_duration((t.estimated - t.rows) / rate);
  }
  return fmt::format("{:<28} {:>12} / {:<12}{} {:>9} rows/s  chunks {}/{}{}{}", t.name, format_count(t.rows),
                     t.estimated >= 0 ? format_count(t.estimated) : "?", pct, format_count(static_cast<std::int64_t>(rate)),
                     t.chunks_done, t.chunks_total, eta, t.finished ? "  done" : "");
}

void Progress::tick(const std::vector<TableProgress>& tables, bool force) {
  if (quiet_ || format_ == LogFormat::json) return;
  auto now = std::chrono::steady_clock::now();
  auto interval = redraw_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (!force && now - last_ < interval) return;
  last_ = now;
  std::vector<std::string> lines;
  std::int64_t rows = 0, est = 0;
  bool est_known = true;
  for (const auto& t : tables) {
    lines.push_back(table_line(t));
    rows += t.rows;
    if (t.estimated < 0) est_known = false;
    est += std::max<std::int64_t>(t.estimated, 0);
  }
  if (tables.size() > 1) {
    TableProgress total;
    total.name = "total";
    total.rows = rows;
    total.estimated = est_known ? est : -1;
    total.started = tables.front().started;
    for (const auto& t : tables) {
      total.chunks_done += t.chunks_done;
      total.chunks_total += t.chunks_total;
    }
    lines.push_back(table_line(total));
  }
  if (redraw_) {
    std::string out;
    if (drawn_lines_) out += fmt::format("\x1b[{}F", drawn_lines_);
    for (const auto& l : lines) out += "\x1b[2K" + l + "\n";
    std::fputs(out.c_str(), stderr);
    drawn_lines_ = static_cast<int>(lines.size());
  } else {
    // Elsewhere (a file, a journal, TERM=dumb, NO_COLOR): plain lines, timestamped off a terminal.
    const std::string stamp = util::stderr_is_tty() ? "" : util::timestamp_now() + " ";
    for (const auto& l : lines) std::fprintf(stderr, "%sprogress: %s\n", stamp.c_str(), l.c_str());
  }
  std::fflush(stderr);
}

void Progress::clear() {
  if (redraw_ && drawn_lines_) {
    std::fprintf(stderr, "\x1b[%dF\x1b[0J", drawn_lines_);
    drawn_lines_ = 0;
  }
}

void Progress::event(const std::string& level, const std::string& action, const nlohmann::json& fields,
                     const std::string& text) {
  const auto lv = level == "error"     ? util::LogLevel::error
                  : level == "warning" ? util::LogLevel::warning
                  : level == "debug"   ? util::LogLevel::debug
                                       : util::LogLevel::info;
  // An event with no text is for programs only (a batch copied): JSON shows it, text does not.
  if (text.empty())
    util::log_json_event(lv, action, text, fields);
  else
    util::log_event(lv, action, text, fields);
}

}  // namespace replicate::engine
