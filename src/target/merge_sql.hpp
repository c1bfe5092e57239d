// SPDX-License-Identifier: Apache-2.0
// SQL that moves a chunk's staged rows into the target for the modes that do not
// simply COPY into it: append with skip/update, incremental upserts, and mirror.
#pragma once

#include <string>
#include <vector>

namespace replicate::target {

/// What a merge needs to know about the target table.
struct MergeTarget {
  std::string table;                  // quoted, qualified
  std::vector<std::string> columns;   // mapped target columns (unquoted)
  std::vector<std::string> key;       // target key columns (unquoted)
  std::string stale_column;           // mirror only (unquoted)
  std::string stale_type;             // its SQL type
  std::string live_value;             // mirror: the live mark, as text
};

/// CREATE TEMP TABLE for the chunk's rows, shaped like the target (defaults, NOT NULL
/// and CHECK constraints included so a refused row is found while staging).
std::string stage_table_sql(const std::string& stage, const MergeTarget& t);

/// INSERT ... ON CONFLICT (key) DO NOTHING/UPDATE from the stage. The statement yields one
/// row: inserted, updated and sample keys of each. `only_changed` leaves rows whose values
/// are all equal untouched (and uncounted: the caller counts them as unchanged).
std::string upsert_sql(const std::string& stage, const MergeTarget& t, bool update, std::size_t sample_keys,
                       bool only_changed = false);

/// mirror: mark rows whose values equal the staged ones live; yields their count.
std::string mirror_unchanged_sql(const std::string& stage, const MergeTarget& t);

/// mirror: insert new rows and update changed ones, all marked live; yields inserted,
/// updated and up to `sample_keys` sample keys of each (as JSON arrays).
std::string mirror_upsert_sql(const std::string& stage, const MergeTarget& t, std::size_t sample_keys);

}  // namespace replicate::target
