// SPDX-License-Identifier: Apache-2.0
// `plan --json` and `status --json`: the shapes schemas/plan.schema.json and
// schemas/status.schema.json describe. Connection strings appear only in their masked form.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace replicate::cli {

/// One mapping's plan, with the messages of the tables that could not be planned.
struct PlannedMapping {
  plan::Plan plan;
  std::vector<std::string> errors;
};

/// {"mappings": [...]}: every mapping's plan, as schemas/plan.schema.json describes.
std::string plan_json(const std::vector<PlannedMapping>& mappings);

/// One mapping's state as `status` reads it.
struct MappingStatus {
  std::string file;
  std::string target;        // the masked connection string
  std::string state_schema;
  bool state_exists = false;  // false: nothing has run against this target yet
  /// Per table: name, run, status, started, finished, chunks done, chunks, rows, error
  /// (engine::State::status_rows), or just the name when there is no state.
  std::vector<std::vector<std::string>> rows;
  /// Per table (same order): the processes of its latest run (engine::State::hosts_rows).
  std::vector<std::vector<std::vector<std::string>>> hosts;
};

/// {"mappings": [...]}: every mapping's table states, as schemas/status.schema.json describes.
std::string status_json(const std::vector<MappingStatus>& mappings);

}  // namespace replicate::cli
