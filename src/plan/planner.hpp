// SPDX-License-Identifier: Apache-2.0
// Turning a mapping into a plan: introspect the source, resolve columns and keys,
// decide the target DDL, and cut key-range chunks.
#pragma once

#include <functional>
#include <optional>

#include "catalog/dialect.hpp"
#include "config/mapping.hpp"
#include "plan/plan.hpp"
#include "source/connection.hpp"
#include "util/error.hpp"

namespace replicate::plan {

/// A mapping that cannot be applied to these databases (unknown column, missing
/// target table with create: never, ...). The message says what, where and how to fix.
class PlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Pattern entries (`include:`) become one entry per matching source table (listed from
/// the source); a table that also has an entry of its own keeps that entry.
std::vector<config::TableMapping> expand_patterns(const config::Mapping& m, const catalog::Dialect& dialect,
                                                  source::Connection& source);

/// Strip one level of "..." or [...] quoting from an identifier as written in YAML
/// (a doubled closing character inside stands for one).
std::string unquote_identifier(const std::string& s);

/// Called with a table entry whose planning failed on a database error of its own (its
/// `where:` does not run, its source table is missing); the error names the entry's FILE:LINE.
using TableErrorHandler = std::function<void(const config::TableMapping&, const util::DbError&)>;

/// Plan every table of a mapping. `source` and `target` are open connections.
/// `before_chunks` may narrow a table (an incremental window) before its chunks are cut.
/// Without `on_table_error` a table's database error ends the plan (thrown with the
/// table and its FILE:LINE); with it, that table is left out and the others planned.
/// A lost connection is thrown either way.
Plan build_plan(const config::Mapping& mapping, source::Connection& source,
                source::Connection& target,
                const std::function<void(TablePlan&)>& before_chunks = {},
                const TableErrorHandler& on_table_error = {});

/// The mapping's table entries with each `include:` pattern replaced by an entry per
/// source table it matches, as `run` and `plan` see them (throws PlanError when a
/// pattern matches nothing).
std::vector<config::TableMapping> expand_tables(const config::Mapping& mapping, source::Connection& source);

/// An entry's target table (schema, name), unquoted: what the state records it under.
std::pair<std::string, std::string> target_name(const config::TableMapping& entry);

/// incremental: compute this run's window (watermark_from, watermark_to] from the last
/// saved watermark (nullopt on a first run) and add it to the table's `where`.
void apply_watermark_window(TablePlan& table, source::Connection& source,
                            const std::optional<std::string>& from,
                            const std::optional<std::string>& resumed_to);

/// Cut [lo, hi) chunks for a planned table (reads MIN/MAX or samples keys from the source).
/// Rows per chunk: `chunk_rows` when the mapping sets it, else about four chunks per
/// worker for `rows` (10,000 to 1,000,000 rows each; 50,000 when rows is unknown).
std::int64_t chunk_rows_for(const config::TableOptions& options, std::int64_t rows);

std::vector<ChunkPlan> plan_chunks(TablePlan& table, source::Connection& source);

}  // namespace replicate::plan
