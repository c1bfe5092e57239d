// SPDX-License-Identifier: Apache-2.0
// The --report file of `run`: written on every exit with the real exit code, per-table
// outcome, verify results and errors. schemas/report.schema.json describes it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/coordinator.hpp"
#include "verify/verify.hpp"

namespace replicate::cli {

/// "ok", "table_failed", "config", "connect", "interrupted" or "internal".
const char* outcome_name(int exit_code);

class RunReport {
 public:
  /// `path` "" keeps the report in memory only (the interrupt output still uses it).
  RunReport(std::string path, const std::vector<std::string>& files);

  /// The `index`th file did not load (exit code 2, or 5 for an internal error).
  void load_failed(std::size_t index, int exit_code);
  /// Work on the mapping `file` begins (it becomes the logger's mapping).
  void begin_mapping(const std::string& file);
  /// The copy of the current mapping ended (done, failed or interrupted).
  void copied(const engine::RunSummary& summary);
  /// The `verify: true` tables of the current mapping were compared.
  void verified(const verify::Report& report);
  /// The current mapping ended with `exit_code`.
  void end_mapping(int exit_code);

  /// The report as it stands, ended with `exit_code` at `ended_at`.
  std::string render(int exit_code, const std::string& ended_at) const;

  /// Writes the report (when a path was given) and the run-end event; SIGINT and SIGTERM
  /// are held from here. Returns the exit code to end with: `exit_code`, or 5 (internal)
  /// when it was 0 and the report could not be written.
  int finish(int exit_code);

 private:
  /// Prepares what an interruption writes now: the error line, run-end and the report.
  void arm() const;
  nlohmann::ordered_json& current();

  std::string path_;
  std::string started_at_;
  nlohmann::ordered_json mappings_ = nlohmann::ordered_json::array();
  nlohmann::ordered_json tables_ = nlohmann::ordered_json::array();
  int current_ = -1;
};

}  // namespace replicate::cli
