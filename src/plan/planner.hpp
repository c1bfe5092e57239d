// Turning a mapping into a plan: introspect the source, resolve columns and keys,
// decide the target DDL, and cut key-range chunks.
#pragma once

#include "catalog/dialect.hpp"
#include "config/mapping.hpp"
#include "plan/plan.hpp"
#include "source/connection.hpp"

namespace replicate::plan {

/// A mapping that cannot be applied to these databases (unknown column, missing
/// target table with create: never, ...). The message says what, where and how to fix.
class PlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Plan every table of a mapping. `source` and `target` are open connections.
Plan build_plan(const config::Mapping& mapping, source::Connection& source,
                source::Connection& target);

/// Cut [lo, hi) chunks for a planned table (reads MIN/MAX or samples keys from the source).
std::vector<ChunkPlan> plan_chunks(const TablePlan& table, source::Connection& source);

}  // namespace replicate::plan
