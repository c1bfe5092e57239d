// SPDX-License-Identifier: Apache-2.0
// Builds the sample's rows one at a time, independent of where they are written.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sample/prng.hpp"

namespace replicate::sample {

/// A column of the sample table as SQLite declares it.
struct ColumnSpec {
  std::string_view name;
  std::string_view sqlite_type;  // with constraints, e.g. "VARCHAR(14) NOT NULL"
};

/// The 39 columns of bi_credores, in table order, named as the original
/// system's table names them (id lower case, the rest upper case).
std::span<const ColumnSpec> columns();

inline constexpr std::size_t kColumnCount = 39;

/// One value of a row. Text buffers keep their capacity between rows, so a
/// million rows cost no allocation after the first few.
struct Value {
  enum class Kind { null, integer, text };
  Kind kind = Kind::null;
  std::int64_t integer = 0;
  std::string text;

  void set_null() { kind = Kind::null; }
  void set_integer(std::int64_t v) {
    kind = Kind::integer;
    integer = v;
  }
  /// Switch to text and return the emptied buffer to append to.
  std::string& set_text() {
    kind = Kind::text;
    text.clear();
    return text;
  }
};

using Row = std::array<Value, kColumnCount>;

/// Deterministic row source: the same seed and row count give the same rows.
class RowGenerator {
 public:
  RowGenerator(std::uint64_t seed, std::int64_t rows);

  /// Fill `row` for key `id`. Call with id = 1, 2, 3, ... in order: rows share one
  /// random stream, and a debtor's contracts are consecutive rows, so order is
  /// part of the output.
  void fill(std::int64_t id, Row& row);

  /// Most contracts one debtor has in the table.
  static constexpr int kMaxContracts = 6;

 private:
  void start_debtor(std::int64_t rows_left);
  std::int64_t draw_balance_cents();

  Prng rng_;
  std::int64_t rows_;
  std::int64_t debtors_ = 0;          // debtors started so far
  std::vector<int> city_cumulative_;  // running sums of the weights
  std::vector<int> creditor_cumulative_;
  std::vector<int> action_cumulative_;

  // The debtor whose contracts are being written: the same person on every row.
  std::string cpf_;
  std::int64_t debtor_id_ = 0;
  std::size_t city_ = 0;
  int contracts_ = 0;      // in this table
  int next_contract_ = 0;  // index of the next row's contract
  int all_contracts_ = 0;  // TT_CONTRATOS: also those of other portfolios
  std::array<std::int64_t, kMaxContracts> balance_cents_{};
  std::int64_t total_cents_ = 0;  // SALDO_DEV_TT
};

}  // namespace replicate::sample
