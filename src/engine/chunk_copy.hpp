// SPDX-License-Identifier: Apache-2.0
// Moving one chunk: rows COPYed batch by batch (each batch under a savepoint, so a
// refused row is isolated by bisection and costs no other row), merged when the
// mode needs it, and the chunk's done mark committed in the same transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
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
  nlohmann::json inserted_keys = nlohmann::json::array();  // samples
  nlohmann::json updated_keys = nlohmann::json::array();
  std::vector<std::string> rejects;  // "key (column): reason", the first few
};

/// A chunk a worker holds: its bounds, its tries so far, and the claim's token (the fence
/// its done mark is written under).
struct Claim {
  plan::ChunkPlan chunk;
  int attempts = 0;
  std::string token;
};

/// Why no chunk could be claimed: chunks of the run not done yet (held by others or waiting
/// to be retried), failed chunks and the first one's error.
struct Unclaimed {
  std::int64_t remaining = 0;
  std::int64_t failed = 0;
  std::string failed_error;
};

/// Begin a transaction on `target` and claim the run's next pending chunk that no other
/// process holds. The transaction stays open and holds the chunk's row lock (the lease);
/// nullopt when there was none to take (the transaction is rolled back; `why` says more).
std::optional<Claim> claim_chunk(source::Connection& target, const std::string& state_schema, std::int64_t run_id,
                                 const std::string& claimer, Unclaimed& why);

/// Copy a chunk claim_chunk claimed, in its transaction: its rows and its `done` mark
/// (written only under the claim's token) commit together, or nothing does.
/// `on_batch(rows)` is called after each batch is sent.
ChunkResult copy_claimed_chunk(const plan::TablePlan& table, const Claim& claim, std::int64_t run_id,
                               const std::string& state_schema, const std::string& claimer, source::Connection& source,
                               source::Connection& target, const std::function<void(std::size_t)>& on_batch);

}  // namespace replicate::engine
