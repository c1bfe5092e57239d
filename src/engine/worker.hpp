// The worker side: move one chunk from source to target in one target transaction,
// and the `replicate worker` process loop around it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "plan/plan.hpp"
#include "source/connection.hpp"

namespace replicate::engine {

struct ChunkResult {
  std::int64_t rows = 0;
  bool skipped = false;  // already done by an earlier or concurrent attempt
};

/// Copy one chunk: its rows and its `done` mark commit together, or nothing does.
/// `on_batch(rows)` is called after each batch is sent.
ChunkResult copy_chunk(const plan::TablePlan& table, const plan::ChunkPlan& chunk, std::int64_t run_id,
                       const std::string& state_schema, source::Connection& source, source::Connection& target,
                       const std::function<void(std::size_t)>& on_batch);

/// `replicate worker FILE`: read JSON commands on stdin, answer on stdout. Returns an exit code.
int worker_main(const std::string& mapping_file);

}  // namespace replicate::engine
