// SPDX-License-Identifier: Apache-2.0
// Moving one chunk: rows COPYed batch by batch (each batch under a savepoint, so a
// refused row is isolated by bisection and costs no other row), merged when the
// mode needs it, and the chunk's done mark committed in the same transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"
#include "source/connection.hpp"

namespace replicate::engine {

struct ChunkResult {
  std::int64_t rows = 0;       // rows read from the source and accepted
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;  // mirror: equal rows, only marked live
  std::int64_t rejected = 0;
  bool skipped = false;        // already done by an earlier or concurrent attempt
  nlohmann::json inserted_keys = nlohmann::json::array();  // samples
  nlohmann::json updated_keys = nlohmann::json::array();
  std::vector<std::string> rejects;  // "key (column): reason", the first few
};

/// Copy one chunk: its rows and its `done` mark commit together, or nothing does.
/// `on_batch(rows)` is called after each batch is sent.
ChunkResult copy_chunk(const plan::TablePlan& table, const plan::ChunkPlan& chunk, std::int64_t run_id,
                       const std::string& state_schema, source::Connection& source, source::Connection& target,
                       const std::function<void(std::size_t)>& on_batch);

}  // namespace replicate::engine
