// SPDX-License-Identifier: Apache-2.0
// Any other ODBC source: ANSI quoting, INFORMATION_SCHEMA introspection, the common
// ANSI type names. Best effort by design: values are selected as they are and the
// text comes from the driver's ODBC SQL_C_CHAR conversion, which the ODBC spec pins
// for most types (dates ISO, binary as hex, bit as 0/1) but not for floats or uuids.
#include <algorithm>
#include <cctype>
#include <regex>
#include <stdexcept>

#include "catalog/dialect_impl.hpp"
#include "source/connection.hpp"
#include "util/error.hpp"

namespace replicate::catalog {
namespace {

bool is_one_of(const std::string& name, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

int to_int(const source::Value& v) {
  if (!v || v->empty()) return -1;
  try {
    return std::stoi(*v);
  } catch (const std::exception&) {
    return -1;  // some drivers report lengths beyond int (e.g. 4294967295 for longtext)
  }
}

class GenericDialect : public Dialect {
 public:
  const char* name() const override { return "generic"; }

  std::string quote(const std::string& id) const override { return quote_ansi(id); }

  TableInfo introspect(source::Connection& conn, const std::string& schema,
                       const std::string& table) const override {
    TableInfo info;
    info.schema = schema;
    info.name = table;
    // Without a schema the table name alone decides: the database's search rules are unknown.
    const std::string where = (schema.empty() ? "" : "TABLE_SCHEMA = " + string_literal(schema) + " AND ") +
                              "TABLE_NAME = " + string_literal(table);
    auto cols = conn.query(
        "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, "
        "DATETIME_PRECISION, IS_NULLABLE, COLUMN_DEFAULT FROM INFORMATION_SCHEMA.COLUMNS WHERE " +
        where + " ORDER BY ORDINAL_POSITION");
    if (cols.empty())
      throw util::DbError(util::ErrorKind::missing, "", "table " + quote_qualified(schema, table) + " not found");
    for (auto& r : cols) {
      Column c;
      c.name = r[0].value_or("");
      c.native_type = r[1].value_or("");
      int length = to_int(r[2]), precision = to_int(r[3]), scale = to_int(r[4]);
      if (precision < 0) precision = to_int(r[5]);  // time and timestamp digits
      c.type = map_type(c.native_type, length, precision, scale);
      c.nullable = r[6].value_or("YES") != "NO";
      if (r[7]) c.default_value = *r[7];
      info.columns.push_back(std::move(c));
    }
    auto pk = constraint_columns(conn, schema, table, "PRIMARY KEY");
    if (!pk.empty()) info.primary_key = pk.front();
    info.unique_keys = constraint_columns(conn, schema, table, "UNIQUE");
    return info;  // approx_rows stays unknown: count(*) can be a full scan here
  }

  Type map_type(const std::string& native, int length, int precision, int scale) const override {
    auto p = parse_type_name(native);
    std::string n = p.suffix.empty() ? p.base : p.base + " " + p.suffix;
    if (length < 0 && precision < 0 && scale < 0 && !p.args.empty()) {
      length = precision = p.args[0];
      scale = p.args.size() > 1 ? p.args[1] : -1;
    }
    const int digits = precision >= 0 && precision <= 9 ? precision : -1;
    if (is_one_of(n, {"boolean", "bool", "bit"})) return {TypeId::boolean};
    if (is_one_of(n, {"tinyint", "smallint", "int2"})) return {TypeId::int16};
    if (is_one_of(n, {"integer", "int", "int4", "mediumint"})) return {TypeId::int32};
    if (is_one_of(n, {"bigint", "int8"})) return {TypeId::int64};
    if (is_one_of(n, {"decimal", "numeric", "dec", "number"}))
      return {TypeId::decimal, precision > 0 ? precision : -1, precision > 0 ? std::max(scale, 0) : -1};
    if (is_one_of(n, {"real", "float4"})) return {TypeId::float32};
    if (n == "float") return precision > 0 && precision <= 24 ? Type{TypeId::float32} : Type{TypeId::float64};
    if (is_one_of(n, {"double", "double precision", "float8"})) return {TypeId::float64};
    if (is_one_of(n, {"char", "character", "nchar", "national character", "varchar", "character varying",
                      "nvarchar", "national character varying", "varchar2", "nvarchar2"}))
      return length > 0 ? Type{TypeId::string, -1, -1, length} : Type{TypeId::text};
    if (n == "date") return {TypeId::date};
    if (is_one_of(n, {"time", "time without time zone"})) return {TypeId::time, digits};
    if (is_one_of(n, {"timestamp", "timestamp without time zone", "datetime", "datetime2", "smalldatetime"}))
      return {TypeId::timestamp, digits};
    if (is_one_of(n, {"timestamp with time zone", "timestamptz", "datetimeoffset"}))
      return {TypeId::timestamptz, digits};
    if (is_one_of(n, {"uuid", "uniqueidentifier"})) return {TypeId::uuid};
    if (is_one_of(n, {"binary", "varbinary", "binary varying", "raw"}))
      return length > 0 ? Type{TypeId::bytes, -1, -1, length} : Type{TypeId::bytes};
    if (is_one_of(n, {"bytea", "blob", "image", "longblob", "mediumblob", "long raw", "binary large object"}))
      return {TypeId::bytes};
    if (is_one_of(n, {"json", "jsonb"})) return {TypeId::json};
    if (n == "xml") return {TypeId::xml};
    return {TypeId::text};  // text, clob, long varchar, intervals, anything else
  }

  std::string select_text(const std::string& col, const Type&) const override { return col; }

  std::string key_literal(const std::string& v, const Type& t) const override {
    static const std::regex numeric(R"([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)");
    switch (t.id) {
      case TypeId::decimal:
      case TypeId::float32:
      case TypeId::float64:
        if (!std::regex_match(v, numeric)) throw std::invalid_argument("not a numeric key bound: " + v);
        return v;
      // ANSI typed literals, so the database never guesses a string's format.
      case TypeId::date: return "DATE " + string_literal(v);
      case TypeId::time: return "TIME " + string_literal(v);
      case TypeId::timestamp:
      case TypeId::timestamptz: return "TIMESTAMP " + string_literal(v);
      case TypeId::bytes:
        for (char c : v)
          if (!std::isxdigit(static_cast<unsigned char>(c)))
            throw std::invalid_argument("not a hexadecimal key bound: " + v);
        return "X'" + v + "'";
      default: return Dialect::key_literal(v, t);
    }
  }

  /// ANSI SQL:2008; databases without it (MySQL, SQLite) have their own dialects or drivers.
  std::string limit_clause(long n) const override { return "FETCH FIRST " + std::to_string(n) + " ROWS ONLY"; }

 private:
  /// Columns of each constraint of one kind, in key order, one vector per constraint.
  std::vector<std::vector<std::string>> constraint_columns(source::Connection& conn, const std::string& schema,
                                                           const std::string& table, const char* kind) const {
    std::string sql =
        "SELECT t.CONSTRAINT_NAME, k.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS t "
        "JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA "
        "AND k.CONSTRAINT_NAME = t.CONSTRAINT_NAME AND k.TABLE_NAME = t.TABLE_NAME "
        "WHERE t.CONSTRAINT_TYPE = " + string_literal(kind) +
        (schema.empty() ? "" : " AND t.TABLE_SCHEMA = " + string_literal(schema)) +
        " AND t.TABLE_NAME = " + string_literal(table) + " ORDER BY t.CONSTRAINT_NAME, k.ORDINAL_POSITION";
    std::vector<std::vector<std::string>> out;
    std::string current;
    for (auto& r : conn.query(sql)) {
      if (out.empty() || r[0].value_or("") != current) out.emplace_back();
      current = r[0].value_or("");
      out.back().push_back(r[1].value_or(""));
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Dialect> make_generic_dialect() { return std::make_unique<GenericDialect>(); }

}  // namespace replicate::catalog
