// SPDX-License-Identifier: Apache-2.0
// The row hash both sides agree on: md5 over a length-prefixed encoding of the
// canonical values (`octet_length(v) || ':' || v`, NULL as `N`, joined by '|'), of
// which the first 64 bits count. A chunk's checksum is the row count plus the sum
// of those 64-bit values mod 2^64: independent of row order, so collations that
// sort keys differently do not matter.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace replicate::verify {

/// Hashes rows here exactly as row_hash_sql does in PostgreSQL. One per thread.
class RowHasher {
 public:
  RowHasher();
  ~RowHasher();
  RowHasher(const RowHasher&) = delete;
  RowHasher& operator=(const RowHasher&) = delete;

  /// The 64-bit hash of one row of canonical values (nullopt = NULL).
  std::uint64_t hash(const std::vector<std::optional<std::string>>& row);
  /// The full md5 of `data` as 32 lowercase hex digits (for tests).
  std::string md5_hex(std::string_view data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string buffer_;
};

/// The encoded row (what is fed to md5), for tests and the SQL to agree on.
std::string encode_row(const std::vector<std::optional<std::string>>& row);

/// SQL yielding md5 of the encoded row, as 32 hex digits, over text expressions `values`.
std::string row_md5_sql(const std::vector<std::string>& values);
/// SQL yielding the row's 64-bit hash as a signed bigint (the first 16 hex digits of md5).
std::string row_hash_sql(const std::vector<std::string>& values);

/// The first 16 hex digits of an md5 as the unsigned 64-bit hash.
std::uint64_t hash_from_hex(std::string_view hex);
/// A decimal integer (a PostgreSQL sum() of bigints, any size, maybe negative) mod 2^64.
std::uint64_t sum_mod64(std::string_view decimal);

}  // namespace replicate::verify
