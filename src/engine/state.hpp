// SPDX-License-Identifier: Apache-2.0
// Run and chunk state in the target database (schema `replicate` by default): what
// makes a rerun resume, and what lets several processes share one run.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "source/connection.hpp"

namespace replicate::engine {

struct ChunkResult;

/// This machine's host name, as processes record themselves in the state (hosts table).
std::string local_host_name();

enum class ChunkStatus { pending, done, failed };

struct ChunkState {
  plan::ChunkPlan chunk;
  ChunkStatus status = ChunkStatus::pending;
  std::int64_t rows = 0;
  std::int64_t inserted = 0, updated = 0, unchanged = 0, rejected = 0;
  int attempts = 0;
};

struct RunState {
  std::int64_t run_id = 0;
  bool resumed = false;
  bool joined = false;        // the run was running: other processes may be copying it now
  bool already_done = false;  // the named run is done: nothing to do
  std::string run_name;
  std::vector<ChunkState> chunks;
  /// Statements run after the last chunk (key and indexes built after the load), as
  /// recorded when the run started; nullopt for a run recorded before they were kept.
  std::optional<std::vector<std::string>> finish_sql;
};

class State {
 public:
  State(source::Connection& target, std::string schema);

  /// Create the schema and tables when missing (safe when several processes start at once).
  void ensure();

  /// Join or resume the unfinished run of this table, or start a new one, under a lock on
  /// the table's name, so that of several processes starting at once one plans the run
  /// and the others join it. A new run and its chunks commit in one transaction together
  /// with `prepare_target` (create/truncate), so a crash at any point leaves either the
  /// old state or the new one. With a `run_name`, only the run of that name is joined,
  /// and when it is done already the result says so (already_done) and nothing changes.
  RunState start_or_resume(const plan::TablePlan& table, bool restart, const std::string& run_name,
                           const std::function<void()>& prepare_target);
  /// Whether start_or_resume would take an existing run's chunks (so the plan need not cut its own).
  bool joinable(const plan::TablePlan& table, const std::string& run_name, bool restart);

  /// The unfinished run a resume would continue: its id and incremental window end.
  struct OpenRun {
    std::int64_t run_id = 0;
    std::optional<std::string> watermark_from;
    std::optional<std::string> watermark_to;
  };
  std::optional<OpenRun> open_run(const plan::TablePlan& table);
  /// The watermark the last successful incremental run of this table reached.
  std::optional<std::string> last_watermark(const plan::TablePlan& table);
  /// The same, read-only, for `plan`: nullopt when the state schema does not exist yet.
  static std::optional<std::string> saved_watermark(source::Connection& target, const std::string& schema,
                                                    const plan::TablePlan& table);

  /// Record a failed try of a chunk: its tries grow, it waits `delay_seconds` before anyone
  /// takes it again, and it is marked failed (which fails the run on every host) when the
  /// error is not retryable or its tries reach max_attempts. nullopt when it was not
  /// recorded: done meanwhile, or another host holds it now.
  struct ChunkFailure {
    int attempts = 0;
    bool failed = false;
  };
  std::optional<ChunkFailure> chunk_failed(std::int64_t run_id, int chunk, const std::string& error, bool retryable,
                                           int max_attempts, double delay_seconds);
  /// What a run's committed chunks hold, whichever processes copied them.
  struct RunTotals {
    std::int64_t rows = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0;
  };
  /// End a run. When `ok`, `finalize` (swap in a shadow table, remove mirror's stale
  /// rows) and the new watermark commit in the same transaction as the run's status.
  /// Several processes may share a run: its rows are summed from its committed chunks,
  /// and a run another process already finished as done is left as it is (nothing is
  /// finalized twice). Returns the run's totals.
  RunTotals finish_run(const plan::TablePlan& table, std::int64_t run_id, bool ok, const std::string& error,
                       const std::function<void()>& finalize);

  /// Mark a run interrupted (the next run of the same mapping resumes it), unless another
  /// host is still working on it.
  void interrupt_run(std::int64_t run_id, const std::string& host, int pid);

  /// SQL workers run inside their chunk transaction. claim: take the first pending chunk
  /// nobody holds (FOR UPDATE SKIP LOCKED) and give it a new claim token; returns chunk_no,
  /// lo, hi, attempts, token, or no row. unclaimed: why there was none (chunks not done,
  /// chunks failed, the first failed one's error). done: mark the chunk done only under
  /// the claim's token (the fence), returning a row when it did.
  static std::string claim_chunk_sql(const std::string& schema, std::int64_t run_id, const std::string& claimer);
  static std::string unclaimed_sql(const std::string& schema, std::int64_t run_id);
  static std::string done_chunk_sql(const std::string& schema, std::int64_t run_id, int chunk,
                                    const ChunkResult& result, int pid, const std::string& claimer,
                                    const std::string& token);

  /// One process's part in a run, sent every second; what it reads back about the run.
  struct HostBeat {
    std::int64_t run_id = 0;
    int workers = 0;  // worker processes this process has
    int busy = 0;     // of them, copying this run's chunks
  };
  struct RunPulse {
    std::int64_t run_id = 0;
    std::string status;
    std::optional<double> rows_per_second;  // `replicate throttle`, or the mapping's throttle
    std::optional<int> workers_per_host;    // `replicate scale`
    int busy = 0;                           // workers copying the run on every live host
    int chunks_done = 0;
    std::int64_t rows_done = 0;
  };
  std::vector<RunPulse> heartbeat(const std::vector<HostBeat>& beats, const std::string& host, int pid);
  /// This process has stopped working on these runs.
  void leave(const std::vector<std::int64_t>& run_ids, const std::string& host, int pid);
  /// `replicate scale` / `replicate throttle`: change the running runs of these tables.
  /// rows_per_second 0 removes the limit. Returns the number of runs changed.
  int set_controls(const std::vector<std::string>& tables, std::optional<int> workers,
                   std::optional<double> rows_per_second);
  /// The processes that took part in a run: host, pid, workers, chunks done, last seen,
  /// seconds since.
  std::vector<std::vector<std::string>> hosts_rows(std::int64_t run_id);

  /// Unix time the latest successful run of each table ended, by table name.
  std::map<std::string, double> last_successes();

  /// One line per table: latest run, status, chunks done/total, rows.
  std::vector<std::vector<std::string>> status_rows(const std::vector<std::string>& tables);

 private:
  std::string t(const char* name) const;
  source::Connection& target_;
  std::string schema_;
};

}  // namespace replicate::engine
