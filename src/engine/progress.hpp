// SPDX-License-Identifier: Apache-2.0
// Progress while copying: lines redrawn in place on a terminal, a log line every
// few seconds elsewhere, or one JSON object per event with --log-format json.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/log.hpp"

namespace replicate::engine {

using LogFormat = util::LogFormat;

struct TableProgress {
  std::string name;
  std::int64_t rows = 0;
  std::int64_t estimated = -1;
  int chunks_done = 0;
  int chunks_total = 0;
  bool finished = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

class Progress {
 public:
  Progress(bool quiet, LogFormat format);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  /// Redraw (terminal) or log (elsewhere) when it is time; `force` draws now.
  void tick(const std::vector<TableProgress>& tables, bool force = false);
  /// Clear the in-place lines before other output.
  void clear();
  /// A log event (util::log_event): the in-place lines are cleared first.
  void event(const std::string& level, const std::string& action, const nlohmann::json& fields,
             const std::string& text);
  bool json() const { return format_ == LogFormat::json; }

 private:
  bool quiet_;
  LogFormat format_;
  bool redraw_;  // a terminal that takes escape sequences: lines redrawn in place
  int drawn_lines_ = 0;
  std::chrono::steady_clock::time_point last_;
};

std::string format_duration(double seconds);
std::string format_count(std::int64_t n);

}  // namespace replicate::engine
