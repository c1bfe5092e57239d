// SPDX-License-Identifier: Apache-2.0
// The coordinator: plans, records state, starts worker processes, hands out
// chunks, re-queues the chunks of dead workers, and summarises. No row passes here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/mapping.hpp"
#include <nlohmann/json.hpp>

#include "engine/progress.hpp"

namespace replicate::metrics {
class Registry;
}

namespace replicate::engine {

struct RunOptions {
  std::string self_exe;      // this binary, started as `worker`
  int workers = 0;           // 0 = from the mapping
  bool restart = false;      // discard unfinished state
  std::string run_name;      // --run-name: processes given the same name share one run per table
  bool quiet = false;
  bool verbose = false;
  LogFormat log_format = LogFormat::text;
  std::string report_file;   // --report: JSON difference report
  metrics::Registry* metrics = nullptr;  // --metrics-*: the run's numbers go here too
  std::string metrics_mapping;           // this mapping's `mapping` label there
};

struct TableSummary {
  std::string table;
  std::string status;  // done | failed | interrupted
  std::int64_t rows = 0;
  int chunks = 0;
  int chunks_skipped = 0;  // done by an earlier run
  int retries = 0;
  double seconds = 0;
  std::string error;
  std::string mode;
  std::int64_t state_run_id = 0;  // the table's run in the state tables; 0 when it never started
  std::int64_t inserted = 0, updated = 0, unchanged = 0, removed = 0, rejected = 0;
  nlohmann::json samples = nlohmann::json::object();  // inserted/updated/removed keys
  std::vector<std::string> rejects;                   // the first few, for people
};

struct RunSummary {
  std::vector<TableSummary> tables;
  bool interrupted = false;
  int exit_code = 0;
  long coordinator_peak_rss_kb = 0;  // this process
  long worker_peak_rss_kb = 0;       // the largest worker (RUSAGE_CHILDREN)
};

/// Replicate every table of a loaded mapping. Throws for errors before copying
/// starts (connection, planning); per-table failures are in the summary.
RunSummary run_mapping(const config::Mapping& mapping, const RunOptions& options);

/// The summary as a table, for the terminal.
std::string format_summary(const RunSummary& summary);
/// The difference report (per table counts and sample keys) as JSON.
std::string report_json(const RunSummary& summary);

}  // namespace replicate::engine
