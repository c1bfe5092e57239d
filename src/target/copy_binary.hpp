// SPDX-License-Identifier: Apache-2.0
// PostgreSQL's COPY binary format, made from the canonical text every source gives.
//
// Binary COPY spares the target backend its text input functions (date_in and
// numeric_in above all), at the price of parsing the text here. A value is encoded
// only when it is in a form whose binary value is certain to be what the server's
// text input would make of it (ISO dates, plain decimal numbers, ...); for anything
// else (a date with a time, a year BC, leading spaces) the encoder says no, and the
// caller sends those rows as text, so the server judges them exactly as before.
// Typmods (numeric(p,s), varchar(n), timestamp(p)) are applied by the server's receive
// functions as by its input functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "source/connection.hpp"
#include "target/copy_writer.hpp"

namespace replicate::plan {
struct TablePlan;
}

namespace replicate::target {

enum class CopyFormat { text, binary };
const char* to_string(CopyFormat format);

/// The binary form of one target column's values.
enum class BinaryKind {
  boolean,
  int2,
  int4,
  int8,
  float4,
  float8,
  numeric,
  text,  // text, varchar(n), char(n), json: the bytes as they are
  jsonb,
  bytea,  // from hex_bytes values ("\\x..." in COPY text)
  date,
  time,
  timestamp,
  timestamptz,
  uuid,
};
const char* to_string(BinaryKind kind);

/// The binary form of a target column of type `target_type` (as format_type() spells
/// it) fed with values written as `encoding`; nullopt when there is none here (the
/// table then goes as text): other types, domains, arrays, `name` (which would refuse
/// what its text input cuts), and bytes into text or text into bytea.
std::optional<BinaryKind> binary_kind(const std::string& target_type, Encoding encoding);

/// Appends one binary field, its int32 length and its bytes, for the canonical text
/// `value` (unescaped; for bytea, its hex digits without "\x"). False, with nothing
/// appended, when `value` has no binary form here that is certainly the server's own
/// reading of it: the caller sends it as text instead.
bool append_binary_field(std::string& out, BinaryKind kind, std::string_view value);

/// A row that could not be encoded: the caller sends it as text.
class BinaryEncodeError : public std::runtime_error {
 public:
  BinaryEncodeError(std::size_t row, std::size_t column)
      : std::runtime_error("no binary COPY form for a value"), row_(row), column_(column) {}
  std::size_t row() const { return row_; }
  std::size_t column() const { return column_; }

 private:
  std::size_t row_, column_;
};

/// Rows of a batch (values, or COPY text lines) as binary COPY tuples.
class BinaryRowEncoder {
 public:
  explicit BinaryRowEncoder(std::vector<BinaryKind> kinds) : kinds_(std::move(kinds)), tabs_(kinds_.size() + 1) {}
  std::size_t columns() const { return kinds_.size(); }
  const std::vector<BinaryKind>& kinds() const { return kinds_; }

  /// Writes row `row` of `batch` into `buf` at `used` (growing it as needed) and
  /// advances `used`; false (`used` unchanged) with `bad_column` set when a value has
  /// no binary form here.
  bool append_row(const source::Batch& batch, std::size_t row, std::string& buf, std::size_t& used,
                  std::size_t& bad_column) const;

 private:
  std::vector<BinaryKind> kinds_;
  mutable std::vector<std::uint32_t> tabs_;  // a line's tab offsets (one thread uses an encoder)
};

/// The 19-byte file header and the 2-byte trailer of binary COPY.
std::string_view binary_copy_header();
std::string_view binary_copy_trailer();

/// Text or binary for a table whose columns have these binary forms (nullopt: none):
/// binary when every column has one and the measured saving of the mix is positive
/// (the CPU binary saves or costs per value of each type, target backend and worker
/// together: binary_saving_ns in copy_binary.cpp). Dates, timestamps, uuid and floats
/// save; text, bytea and booleans cost; integers are even. REPLICATE_COPY_FORMAT=text or binary in the
/// environment overrides the measurement (binary still only when every column has a
/// form); it is there for benchmarks and tests.
CopyFormat choose_copy_format(const std::vector<std::optional<BinaryKind>>& kinds);
/// The same from the plan's column types and source types (what `replicate plan` shows).
CopyFormat choose_copy_format(const plan::TablePlan& table);

/// How each column of `table` is written in COPY text (bytes as bytea hex input).
std::vector<Encoding> copy_encodings(const plan::TablePlan& table);

/// The binary forms of the columns `columns` (unquoted) of `qualified_table` (quoted,
/// as in COPY) as the target's catalog has them: the table's real types decide, not
/// the plan's (an existing table may have bigint where the plan says integer).
std::vector<std::optional<BinaryKind>> target_binary_kinds(source::Connection& target,
                                                           const std::string& qualified_table,
                                                           const std::vector<std::string>& columns,
                                                           const std::vector<Encoding>& encodings);

/// The encoder for COPYing `table`'s rows into `dest` (quoted, as in COPY; the target
/// table, its swap table or a stage shaped like it), or nullopt for text: text when
/// choose_copy_format says so for the plan's types or for `dest`'s real types.
std::optional<BinaryRowEncoder> binary_encoder_for(const plan::TablePlan& table, source::Connection& target,
                                                   const std::string& dest);

}  // namespace replicate::target
