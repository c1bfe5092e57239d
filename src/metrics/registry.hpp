// SPDX-License-Identifier: Apache-2.0
// The numbers a run exposes to Prometheus, per mapping and table, and their text
// exposition (format 0.0.4). The coordinator writes, the HTTP thread reads: one mutex.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace replicate::metrics {

/// Upper bounds (seconds) of the chunk duration histogram's buckets; +Inf follows.
inline const std::vector<double> kChunkDurationBuckets = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

struct Histogram {
  std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(kChunkDurationBuckets.size(), 0);  // not cumulative
  double sum = 0;
  std::uint64_t count = 0;
  void observe(double seconds);
};

/// One table of a mapping. Counters only grow within a process (see raise()).
struct TableSeries {
  std::int64_t rows_copied = 0;    // committed rows, chunks of a resumed run's earlier processes included
  std::int64_t rows_rejected = 0;
  std::int64_t rows_in_flight = 0;  // sent by workers, not committed yet
  std::int64_t chunks_done = 0;
  std::int64_t chunks_failed = 0;   // failed attempts, retried or not
  std::int64_t chunks_retried = 0;
  std::int64_t chunks_planned = 0;
  Histogram chunk_duration;
  std::optional<double> last_success;  // Unix time the table's latest successful run ended
  std::optional<bool> verify_equal;
  std::optional<std::int64_t> verify_different_rows;  // missing + extra + changed
};

/// One mapping file of the run.
struct MappingSeries {
  std::map<std::string, TableSeries> tables;  // by target table, "schema.table"
  std::optional<double> run_start, run_end;   // Unix time
  std::optional<int> exit_code;               // set when the mapping's run is over
  int workers = 0;
  std::int64_t workers_rss_bytes = 0;      // now, all live workers together
  std::int64_t worker_peak_rss_bytes = 0;  // the largest any worker reached
};

/// `value` but never below `counter`: a counter must not go back within a process.
inline void raise(std::int64_t& counter, std::int64_t value) {
  if (value > counter) counter = value;
}

class Registry {
 public:
  /// Calls `f(MappingSeries&)` for `mapping` under the lock.
  template <class F>
  void update(const std::string& mapping, F&& f) {
    std::lock_guard lock(mu_);
    f(mappings_[mapping]);
  }
  /// Every mapping's series in the text exposition format.
  std::string render() const;
  /// Only `mapping`'s series (what a Pushgateway push of that mapping carries).
  std::string render(const std::string& mapping) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, MappingSeries> mappings_;
};

/// The `mapping` label of a mapping file: its name without folder and extension.
std::string mapping_label(const std::string& file);

/// `value` escaped for a label value in the text format: \\, \" and \n.
std::string escape_label_value(std::string_view value);

/// Seconds since the Unix epoch, now.
double unix_now();

}  // namespace replicate::metrics
