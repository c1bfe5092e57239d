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

  /// Resume the unfinished run of this table, or start a new one. A new run and its
  /// chunks commit in one transaction together with `prepare_target` (create/truncate),
  /// so a crash at any point leaves either the old state or the new one.
  RunState start_or_resume(const plan::TablePlan& table, bool restart,
                           const std::function<void()>& prepare_target);

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

  void chunk_failed(std::int64_t run_id, int chunk, int attempts, const std::string& error);
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

  /// Mark a run interrupted: the next run of the same mapping resumes it.
  void interrupt_run(std::int64_t run_id);

  /// SQL fragments workers use inside their chunk transaction.
  static std::string lock_chunk_sql(const std::string& schema, std::int64_t run_id, int chunk);
  static std::string done_chunk_sql(const std::string& schema, std::int64_t run_id, int chunk,
                                    const ChunkResult& result, int pid);

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
