// SPDX-License-Identifier: Apache-2.0
// A resolved plan: per table, the columns (source type -> target type), the key,
// the target DDL and the key-range chunks. Plain data; serialisable for workers.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/types.hpp"
#include "config/mapping.hpp"
#include "source/connection.hpp"

namespace replicate::plan {

struct ColumnPlan {
  std::string source;        // source column name as in the catalog ("" for expr/value)
  std::string target;        // target column name (unquoted)
  std::string source_type;   // native type as the source spells it
  catalog::Type type;        // canonical type
  std::string target_type;   // PostgreSQL type
  std::string select_sql;    // source-side expression yielding canonical text
  std::string raw_sql;       // the same value as stored, unconverted ("" for a constant)
  bool nullable = true;
  std::string note;          // what the mapping loses, if anything
};

/// A key range [lo, hi); an absent bound is open. Bounds are canonical text, one per key column.
struct ChunkPlan {
  int id = 0;
  std::optional<std::vector<std::string>> lo;
  std::optional<std::vector<std::string>> hi;
};

struct TablePlan {
  std::string source_display;   // "dbo.bi_credores"
  std::string source_sql;       // quoted source table
  std::string source_dialect;   // dialect name, for workers
  std::string target_schema;
  std::string target_table;
  std::vector<ColumnPlan> columns;
  std::vector<std::string> key;          // source key column names
  std::vector<std::string> key_sql;      // quoted source key expressions
  std::vector<catalog::Type> key_types;
  std::vector<std::string> key_native;   // native source types of the key columns
  std::vector<std::string> key_target;   // target key column names
  std::optional<std::string> where;
  config::TableOptions options;
  std::string stale_type;       // mirror: SQL type of the stale column in the target
  std::optional<std::string> watermark_from;  // incremental: this run reads (from, to]
  std::optional<std::string> watermark_to;
  std::int64_t estimated_rows = -1;
  bool estimated_rows_exact = false;  // a count taken while planning (not sent to workers)
  bool target_exists = false;
  std::string create_sql;       // empty when the table exists and is kept
  std::string alter_sql;        // mirror: adds a missing stale column to an existing table
  std::vector<std::string> index_sql;  // `indexes: true`: secondary indexes built after the load
  std::vector<ChunkPlan> chunks;
  std::vector<std::string> warnings;
  std::string fingerprint;      // identifies the plan for resume (columns, key, target, mode)

  std::string target_display() const { return target_schema + "." + target_table; }
  /// full + swap: rows load into this table (same schema) and replace the target at the end.
  std::string swap_table() const { return target_table.substr(0, 40) + "__replicate_swap"; }
  /// Where a chunk's rows are COPYed when they are not merged through a stage.
  std::string load_table() const { return options.swap && options.mode == config::Mode::full ? swap_table() : target_table; }
  /// Modes whose rows go through a per-chunk stage table and a merge statement.
  bool merges() const {
    return options.mode == config::Mode::incremental || options.mode == config::Mode::mirror ||
           (options.mode == config::Mode::append && options.on_conflict != config::OnConflict::error);
  }
  /// The run is joined or resumed: its chunks come from the state tables, not from a new cut.
  bool chunks_from_state = false;
};

struct Plan {
  std::string mapping_file;
  std::string source_display;   // redacted connection
  std::string source_server;    // what the source server says it is ("" when it does not say)
  std::string target_display;
  std::string state_schema;
  std::vector<TablePlan> tables;
};

/// How a table's rows are read from a source:
/// - canonical: each column's select_sql, as canonical text through Cursor batches;
/// - raw: each column's raw_sql where it has one, converted by the cursor (native
///   SQLite, see source::Connection::reads_raw);
/// - copy_out: under COPY ... TO STDOUT, each column's select_sql, or its bare
///   column where the output function already gives canonical text; the rows arrive
///   as COPY text lines (native PostgreSQL, see source::Connection::copies_out), for
///   COPY alone.
enum class ReadForm { canonical, raw, copy_out };

/// The best form for `source`; copy_out and the COPY-text batches of raw only when
/// the rows go nowhere but into COPY (`for_copy`).
ReadForm read_form(const TablePlan& table, const source::Connection& source, bool for_copy);

/// SELECT [columns] FROM source WHERE [where and the chunk's range] ORDER BY key.
std::string chunk_select_sql(const TablePlan& table, const ChunkPlan& chunk, ReadForm form = ReadForm::canonical);

/// The table's columns as a select list in the given form.
std::string select_list(const TablePlan& table, ReadForm form);

/// A cursor over `sql`, a query whose select list is select_list(table, form), that
/// yields every column as canonical text (copy_out and raw-for-copy: COPY text lines,
/// Batch::encoded).
std::unique_ptr<source::Cursor> open_table_cursor(source::Connection& source, const TablePlan& table,
                                                  const std::string& sql, std::size_t batch_size, ReadForm form,
                                                  bool for_copy);

/// The key-range condition of a chunk in the source's dialect; empty when both bounds are open.
std::string chunk_predicate(const TablePlan& table, const ChunkPlan& chunk);

std::string to_json(const TablePlan& table);
TablePlan table_plan_from_json(const std::string& json);

}  // namespace replicate::plan
