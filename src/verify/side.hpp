// SPDX-License-Identifier: Apache-2.0
// One side of a comparison (source or target) behind one interface: checksums of a
// key range, (key, hash) pairs, and canonical rows for given keys. A side that can
// hash in SQL (PostgreSQL) does; any other source streams its rows and hashes here.
// Internal to verify.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "source/connection.hpp"
#include "verify/canonical.hpp"

namespace replicate::verify {

/// What both sides need to know about a table.
struct TableSpec {
  const plan::TablePlan* plan = nullptr;
  std::vector<TargetType> types;         // per plan column: the target column's real type
  std::vector<std::size_t> key_columns;  // indices into plan->columns (every column when keyless)
  bool integer_key = false;              // one integer key column: ranges can be halved
  bool keyless = false;
  std::size_t batch_size = 4000;
  /// A condition on target rows: only those take part (mirror mode: the live rows).
  std::string target_filter;
  /// A SQL Server source that hashes on the server: each column's T-SQL canonical
  /// text (mssql_side.hpp); empty otherwise.
  std::vector<std::string> mssql_values;
};

/// A chunk, narrowed for integer keys to [lo, hi] (inclusive).
struct Range {
  const plan::ChunkPlan* chunk = nullptr;
  std::optional<std::int64_t> lo, hi;
};

struct Checksum {
  std::int64_t count = 0;
  std::uint64_t sum = 0;
  std::optional<std::int64_t> min, max;  // of an integer key
  bool same(const Checksum& o) const { return count == o.count && sum == o.sum; }
  Checksum minus(const Checksum& o) const {
    return {count - o.count, sum - o.sum, std::nullopt, std::nullopt};
  }
};

/// A checksum from a query's row: count, sum of hashes (decimal text, any size), and
/// the integer key's MIN and MAX (NULL for other keys). Defined in sql_side.cpp.
Checksum checksum_from_row(const source::Row& r);

using Key = std::vector<std::string>;  // canonical text per key column
using Values = std::vector<std::optional<std::string>>;

struct KeyHash {
  Key key;
  std::uint64_t hash = 0;
};

class Side {
 public:
  virtual ~Side() = default;
  virtual Checksum checksum(const Range& range) = 0;
  virtual std::vector<KeyHash> key_hashes(const Range& range) = 0;
  /// Canonical values (every plan column) of the rows in `range` whose key is in `keys`.
  virtual std::vector<Values> rows(const Range& range, const std::vector<Key>& keys) = 0;
  /// The chunk's work is over: drop what was kept for it.
  virtual void end_chunk() {}
  std::int64_t rows_fetched = 0;
  std::int64_t rows_streamed = 0;
  std::int64_t values_normalised_by_target = 0;  // streamed values with no emulation here
};

/// The wider type column `column` is compared as where its target type narrows the
/// source's (target::narrowing: numeric(10,1) from decimal(10,2), timestamp(0), char(n)
/// from text): source and target values are both read as that type, so a row the
/// narrowing altered counts as differing. nullopt: compared as the target type, which
/// then holds every source value as it is. Key columns match rows: never widened.
std::optional<TargetType> widened_type(const TableSpec& spec, std::size_t column);

/// The target table, hashed by PostgreSQL.
std::unique_ptr<Side> make_target_side(const TableSpec& spec, source::Connection& target);
/// A PostgreSQL source, hashed by PostgreSQL after casting each value to its target type.
std::unique_ptr<Side> make_sql_source_side(const TableSpec& spec, source::Connection& source);
/// Any source: rows stream in key order and are normalised and hashed here; values of
/// types with no emulation here are normalised by a target session `normaliser` opens
/// on first use (never the one the target side is using meanwhile).
std::unique_ptr<Side> make_stream_source_side(const TableSpec& spec, source::Connection& source,
                                              std::function<source::Connection&()> normaliser);

/// Of `keys`, those the target holds inside any of `chunks` (by the target's own
/// comparison of the chunk bounds).
std::vector<Key> target_keys_in_chunks(const TableSpec& spec, source::Connection& target,
                                       const std::vector<Key>& keys,
                                       const std::vector<const plan::ChunkPlan*>& chunks);

/// SELECT count(*) of the target table.
std::int64_t target_count(const TableSpec& spec, source::Connection& target);

}  // namespace replicate::verify
