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
  std::string_view sqlite_type;  // with constraints, e.g. "INTEGER NOT NULL"
};

/// The 39 columns of bi_credores, in table order.
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
  /// random stream, so order is part of the output.
  void fill(std::int64_t id, Row& row);

 private:
  void fill_debtor(std::int64_t debtor, Row& row);
  std::size_t pick_city(Prng& rng) const;

  std::uint64_t seed_;
  std::int64_t debtor_pool_;
  Prng rng_;
  std::vector<std::string> creditor_cnpj_;
  std::vector<int> city_cumulative_;  // running sum of city weights
};

}  // namespace replicate::sample
