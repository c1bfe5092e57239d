// SPDX-License-Identifier: Apache-2.0
// Canonical types to PostgreSQL types. PostgreSQL keeps at most 6 fractional digits
// of seconds, so time precisions are capped there (the plan says so per column).
#include "target/pg_schema.hpp"

#include <algorithm>

#include "catalog/dialect_impl.hpp"

namespace replicate::target {

std::string pg_type(const catalog::Type& t) {
  using catalog::TypeId;
  auto frac = [&](const char* base, const char* suffix = "") {
    if (t.precision < 0) return std::string(base) + suffix;
    return std::string(base) + "(" + std::to_string(std::min(t.precision, 6)) + ")" + suffix;
  };
  switch (t.id) {
    case TypeId::boolean: return "boolean";
    case TypeId::int16: return "smallint";
    case TypeId::int32: return "integer";
    case TypeId::int64: return "bigint";
    case TypeId::decimal:
      if (t.precision <= 0 || t.precision > 1000) return "numeric";
      return "numeric(" + std::to_string(t.precision) + "," + std::to_string(std::max(t.scale, 0)) + ")";
    case TypeId::float32: return "real";
    case TypeId::float64: return "double precision";
    case TypeId::string: return t.length > 0 && t.length <= 10485760 ? "varchar(" + std::to_string(t.length) + ")" : "text";
    case TypeId::text: return "text";
    case TypeId::date: return "date";
    case TypeId::time: return frac("time");
    case TypeId::timestamp: return frac("timestamp");
    case TypeId::timestamptz: return frac("timestamptz");
    case TypeId::uuid: return "uuid";
    case TypeId::bytes: return "bytea";
    case TypeId::json: return "jsonb";
    case TypeId::xml: return "xml";
  }
  return "text";
}

std::string pg_quote(const std::string& id) { return catalog::quote_ansi(id); }

std::string pg_quote_qualified(const std::string& schema, const std::string& name) {
  return schema.empty() ? pg_quote(name) : pg_quote(schema) + "." + pg_quote(name);
}

std::string pg_literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string create_table_sql(const std::string& schema, const std::string& name,
                             const std::vector<TargetColumn>& columns,
                             const std::vector<std::string>& primary_key) {
  std::string sql = "CREATE TABLE " + pg_quote_qualified(schema, name) + " (\n";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    sql += "  " + pg_quote(c.name) + " " + c.sql_type + (c.nullable ? "" : " NOT NULL");
    sql += (i + 1 < columns.size() || !primary_key.empty()) ? ",\n" : "\n";
  }
  if (!primary_key.empty()) {
    sql += "  PRIMARY KEY (";
    for (std::size_t i = 0; i < primary_key.size(); ++i) sql += (i ? ", " : "") + pg_quote(primary_key[i]);
    sql += ")\n";
  }
  return sql + ")";
}

}  // namespace replicate::target
