// SPDX-License-Identifier: Apache-2.0
// Canonical column types: the common language between a source dialect's types
// and the target's DDL. Every introspected column is mapped to one of these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace replicate::catalog {

enum class TypeId {
  boolean,
  int16,
  int32,
  int64,
  decimal,      // exact: precision/scale (precision 0 = unconstrained numeric)
  float32,
  float64,
  string,       // bounded: length in characters
  text,         // unbounded character data
  date,
  time,         // precision = fractional second digits
  timestamp,    // precision = fractional second digits
  timestamptz,
  uuid,
  bytes,
  json,
  xml,
};

struct Type {
  TypeId id = TypeId::text;
  int precision = -1;  // decimal digits, or fractional-second digits; -1 = not given
  int scale = -1;
  int length = -1;     // characters for string, bytes for bytes; -1 = unbounded
  friend bool operator==(const Type&, const Type&) = default;
};

/// "int64", "decimal(15,2)", "string(14)": for plan output and messages.
std::string to_string(const Type& t);
const char* to_string(TypeId id);

/// True when values of this type are large enough to need small fetch batches.
bool is_long(const Type& t);
bool is_integer(const Type& t);

/// A column as found in a database catalog.
struct Column {
  std::string name;
  std::string native_type;  // as the database spells it, e.g. "nvarchar(120)"
  Type type;
  bool nullable = true;
  bool identity = false;
  std::optional<std::string> default_value;  // as written in the source catalog
};

/// A table as found in a database catalog.
struct TableInfo {
  std::string schema;  // empty where the database has none (SQLite)
  std::string name;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> unique_keys;
  std::vector<std::vector<std::string>> indexes;  // non-unique secondary indexes on plain columns
  std::int64_t approx_rows = -1;  // -1 = unknown
  bool rows_exact = false;        // approx_rows is a count(*) just taken
  const Column* find(const std::string& column_name) const;  // case-insensitive
};

/// "schema.table" split on the first unquoted dot; no schema -> empty first.
std::pair<std::string, std::string> split_qualified(const std::string& name);

}  // namespace replicate::catalog
