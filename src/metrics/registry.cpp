// SPDX-License-Identifier: Apache-2.0
// Text exposition of the registry: # HELP and # TYPE per family, then its samples.
// Families without a sample are left out; the order is fixed, so output diffs well.
#include "metrics/registry.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <functional>

namespace replicate::metrics {

namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string label_text(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=\"" + escape_label_value(v) + "\"";
  return "{" + out + "}";
}

std::string number(double v) { return fmt::format("{}", v); }
std::string number(std::int64_t v) { return std::to_string(v); }

/// One metric family: its samples are added as the mappings are walked.
struct Family {
  const char* name;
  const char* type;
  const char* help;
  std::string samples;
};

class Writer {
 public:
  Family& family(const char* name, const char* type, const char* help) {
    for (auto& f : families_)
      if (f.name == std::string_view(name)) return f;
    families_.push_back(Family{name, type, help, ""});
    return families_.back();
  }
  /// A sample of the declared family `name` (`suffix`: _bucket, _sum, _count).
  template <class V>
  void sample(const char* name, const Labels& labels, V value, const char* suffix = "") {
    family(name, "", "").samples += std::string(name) + suffix + label_text(labels) + " " + number(value) + "\n";
  }
  std::string str() const {
    std::string out;
    for (const auto& f : families_) {
      if (f.samples.empty()) continue;
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{}", f.name, f.help, f.name, f.type, f.samples);
    }
    return out;
  }

 private:
  std::vector<Family> families_;
};

/// Declares every family in the order it is printed, whether or not it gets samples.
void declare(Writer& w) {
  w.family("replicate_run_start_timestamp_seconds", "gauge", "Unix time the run of the mapping started.");
  w.family("replicate_run_end_timestamp_seconds", "gauge", "Unix time the run of the mapping ended.");
  w.family("replicate_run_exit_code", "gauge",
           "Exit code of the mapping's run: 0 copied (and verified), 1 a table failed or differs, 2 configuration, "
           "3 connection, 4 interrupted, 5 internal error.");
  w.family("replicate_workers", "gauge", "Worker processes alive.");
  w.family("replicate_workers_resident_memory_bytes", "gauge", "Resident memory of all live worker processes.");
  w.family("replicate_worker_peak_resident_memory_bytes", "gauge",
           "Largest resident memory any worker process of the run reached.");
  w.family("replicate_rows_copied_total", "counter", "Rows committed into the target table by the table's run.");
  w.family("replicate_rows_rejected_total", "counter", "Rows rejected (written to the rejects table) by the table's run.");
  w.family("replicate_rows_in_flight", "gauge", "Rows sent by workers in chunks not committed yet.");
  w.family("replicate_chunks_planned", "gauge", "Chunks the table's run is cut into.");
  w.family("replicate_chunks_done_total", "counter", "Chunks committed by the table's run.");
  w.family("replicate_chunks_failed_total", "counter", "Chunk attempts that failed, retried or not.");
  w.family("replicate_chunks_retried_total", "counter", "Chunk attempts scheduled again after a retryable failure.");
  w.family("replicate_chunk_duration_seconds", "histogram", "Time a worker took to copy and commit a chunk.");
  w.family("replicate_last_success_timestamp_seconds", "gauge",
           "Unix time the latest successful run of the table ended (from the state tables).");
  w.family("replicate_verify_equal", "gauge", "1 when verify found source and target equal after the run, else 0.");
  w.family("replicate_verify_different_rows", "gauge",
           "Rows verify found different after the run: missing, extra and changed.");
}

void write_mapping(Writer& w, const std::string& name, const MappingSeries& m) {
  const Labels ml{{"mapping", name}};
  if (m.run_start) w.sample("replicate_run_start_timestamp_seconds", ml, *m.run_start);
  if (m.run_end) w.sample("replicate_run_end_timestamp_seconds", ml, *m.run_end);
  if (m.exit_code) w.sample("replicate_run_exit_code", ml, std::int64_t{*m.exit_code});
  if (m.run_start) {
    w.sample("replicate_workers", ml, std::int64_t{m.workers});
    w.sample("replicate_workers_resident_memory_bytes", ml, m.workers_rss_bytes);
    w.sample("replicate_worker_peak_resident_memory_bytes", ml, m.worker_peak_rss_bytes);
  }
  for (const auto& [table, t] : m.tables) {
    const Labels tl{{"mapping", name}, {"table", table}};
    w.sample("replicate_rows_copied_total", tl, t.rows_copied);
    w.sample("replicate_rows_rejected_total", tl, t.rows_rejected);
    w.sample("replicate_rows_in_flight", tl, t.rows_in_flight);
    w.sample("replicate_chunks_planned", tl, t.chunks_planned);
    w.sample("replicate_chunks_done_total", tl, t.chunks_done);
    w.sample("replicate_chunks_failed_total", tl, t.chunks_failed);
    w.sample("replicate_chunks_retried_total", tl, t.chunks_retried);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kChunkDurationBuckets.size(); ++i) {
      cumulative += t.chunk_duration.counts[i];
      Labels bl = tl;
      bl.emplace_back("le", number(kChunkDurationBuckets[i]));
      w.sample("replicate_chunk_duration_seconds", bl, static_cast<std::int64_t>(cumulative), "_bucket");
    }
    Labels inf = tl;
    inf.emplace_back("le", "+Inf");
    w.sample("replicate_chunk_duration_seconds", inf, static_cast<std::int64_t>(t.chunk_duration.count), "_bucket");
    w.sample("replicate_chunk_duration_seconds", tl, t.chunk_duration.sum, "_sum");
    w.sample("replicate_chunk_duration_seconds", tl, static_cast<std::int64_t>(t.chunk_duration.count), "_count");
    if (t.last_success) w.sample("replicate_last_success_timestamp_seconds", tl, *t.last_success);
    if (t.verify_equal) w.sample("replicate_verify_equal", tl, std::int64_t{*t.verify_equal ? 1 : 0});
    if (t.verify_different_rows) w.sample("replicate_verify_different_rows", tl, *t.verify_different_rows);
  }
}

}  // namespace

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kChunkDurationBuckets.size() && seconds > kChunkDurationBuckets[i]) ++i;
  if (i < counts.size()) counts[i]++;
  sum += seconds;
  count++;
}

std::string Registry::render() const {
  Writer w;
  declare(w);
  std::lock_guard lock(mu_);
  for (const auto& [name, m] : mappings_) write_mapping(w, name, m);
  return w.str();
}

std::string Registry::render(const std::string& mapping) const {
  Writer w;
  declare(w);
  std::lock_guard lock(mu_);
  if (auto it = mappings_.find(mapping); it != mappings_.end()) write_mapping(w, it->first, it->second);
  return w.str();
}

std::string mapping_label(const std::string& file) { return std::filesystem::path(file).stem().string(); }

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace replicate::metrics
