// SPDX-License-Identifier: Apache-2.0
// `replicate verify`: compare each mapped table's source and target without changing
// either. Row counts, then per chunk a checksum over canonical rows (computed inside
// each database where it can, here where it cannot), then bisection of differing
// chunks down to the keys that differ.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/mapping.hpp"

namespace replicate::verify {

struct VerifyOptions {
  /// Threads per table, each with its own source and target session (0 = the mapping's
  /// `workers`). ODBC sources use one: not every ODBC driver is thread-safe.
  int workers = 0;
  /// At most this many keys are listed per kind (missing, extra, changed); all are counted.
  std::size_t sample_keys = 20;
  /// A differing key range is halved until both sides hold at most this many rows,
  /// which are then fetched as (key, hash) pairs.
  std::int64_t leaf_rows = 1000;
  /// false: stream a PostgreSQL source's rows and hash them here even though it could
  /// hash them itself (for tests of the streaming path, and to rule the SQL path out).
  bool hash_in_source = true;
  /// true: a SQL Server source hashes whenever its columns allow, without first timing
  /// a sample against streaming (`verify --source-hashing source`).
  bool always_hash_in_source = false;
};

struct TableReport {
  std::string table;   // the target table, "schema.table"
  std::string source;  // the source table as mapped
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  /// Keys (canonical text, one per key column; every column for a keyless table).
  std::vector<std::vector<std::string>> missing_in_target, extra_in_target;
  struct Changed {
    std::vector<std::string> key;
    std::vector<std::string> columns;  // target column names whose values differ
  };
  std::vector<Changed> changed;
  /// All differences found; the lists above hold the first `sample_keys` of each.
  std::int64_t missing_count = 0, extra_count = 0, changed_count = 0;
  /// Rows moved into this process to decide: aggregate rows, (key, hash) pairs, rows
  /// compared column by column, streamed source rows, and keys read to cut chunks.
  std::int64_t rows_fetched = 0;
  /// Of rows_fetched: source rows streamed because the source cannot hash in SQL.
  std::int64_t rows_streamed = 0;
  /// Streamed values whose type has no emulation here (jsonb, xml, ...), or whose
  /// spelling is unusual: the target server normalised them.
  std::int64_t values_normalised_by_target = 0;
  int chunks = 0;
  int chunks_differing = 0;
  /// "sql" (each side hashes inside its database) or "stream" (source rows hashed here).
  std::string source_hashing;
  int threads = 0;
  bool equal = false;
  double seconds = 0;
  std::string error;  // why this table could not be compared (then equal is false)
  /// What was compared other than as the target's type: columns whose target type
  /// narrows the source's are compared as a wider one ("column v compared as numeric: ...").
  std::vector<std::string> notes;
};

struct Report {
  std::vector<TableReport> tables;
  bool equal = false;  // every table compared and equal
};

/// Compare every table of a mapping. Throws config::ConfigError, plan::PlanError or
/// util::DbError before comparing (bad mapping, unreachable database, missing source
/// table); a missing target table or column is an error in that table's report.
Report verify_mapping(const config::Mapping& mapping, const VerifyOptions& options);

/// The human report: one block per table, differences with sample keys, a verdict.
std::string format_report(const Report& report);

/// The report as JSON (for `--json`).
std::string to_json(const Report& report);

}  // namespace replicate::verify
