// SPDX-License-Identifier: Apache-2.0
// PostgreSQL as a source: pg_catalog introspection and ::text selection.
#include <cstdio>
#include <stdexcept>

#include "catalog/dialect_impl.hpp"
#include "source/connection.hpp"
#include "util/error.hpp"

namespace replicate::catalog {
namespace {

class PostgresqlDialect : public Dialect {
 public:
  const char* name() const override { return "postgresql"; }
  bool numbers_rows() const override { return true; }

  std::string quote(const std::string& id) const override { return quote_ansi(id); }

  /// E'...' when the value holds a backslash: over ODBC the session's
  /// standard_conforming_strings is the server's, and 'a\b' changes meaning with it.
  std::string string_literal(const std::string& value) const override {
    if (value.find('\\') == std::string::npos) return Dialect::string_literal(value);
    std::string out = "E'";
    for (char c : value) {
      if (c == '\'' || c == '\\') out += c;
      out += c;
    }
    return out + "'";
  }

  TableInfo introspect(source::Connection& conn, const std::string& schema,
                       const std::string& table) const override {
    TableInfo info;
    info.schema = schema.empty() ? "public" : schema;
    info.name = table;
    const std::string rel = "to_regclass(" + string_literal(quote_qualified(info.schema, table)) + ")";
    auto cols = conn.query(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::int, "
        "(a.attidentity <> '')::int, pg_get_expr(d.adbin, d.adrelid), "
        // A domain is mapped by the type it is based on (domains over domains too).
        "format_type(b.oid, b.typmod) "
        "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "CROSS JOIN LATERAL (WITH RECURSIVE dom(oid, typmod) AS (SELECT a.atttypid, a.atttypmod UNION ALL "
        "SELECT t.typbasetype, t.typtypmod FROM pg_type t JOIN dom ON t.oid = dom.oid WHERE t.typtype = 'd') "
        "SELECT oid, typmod FROM dom d2 WHERE NOT EXISTS (SELECT 1 FROM pg_type t2 WHERE t2.oid = d2.oid "
        "AND t2.typtype = 'd')) b "
        "WHERE a.attrelid = " + rel + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum");
    if (cols.empty())
      throw util::DbError(util::ErrorKind::missing, "",
                          "table " + quote_qualified(info.schema, table) + " not found");
    for (auto& r : cols) {
      Column c;
      c.name = *r[0];
      c.native_type = *r[1];
      const std::string& resolved = r[5] ? *r[5] : c.native_type;
      auto p = parse_type_name(resolved);
      int a0 = p.args.size() > 0 ? p.args[0] : -1, a1 = p.args.size() > 1 ? p.args[1] : -1;
      std::string base = p.suffix.empty() ? p.base : p.base + " " + p.suffix;
      c.type = map_type(base, a0, a0, a1);
      // PostgreSQL 15 allows a negative scale: numeric(5,-2) holds 9999900, which
      // needs numeric(7,0) (parse_type_name skips the "-2").
      if (int prec = 0, scale = 0; std::sscanf(resolved.c_str(), "numeric(%d,%d)", &prec, &scale) == 2 && scale < 0)
        c.type = {TypeId::decimal, prec - scale, 0};
      c.nullable = *r[2] == "0";
      c.identity = *r[3] == "1";
      if (r[4]) c.default_value = *r[4];
      info.columns.push_back(std::move(c));
    }
    for (auto& r : conn.query(
             "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
             "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = " + rel +
             " AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)"))
      info.primary_key.push_back(*r[0]);
    // Secondary indexes on plain columns (expression and partial indexes are skipped).
    for (auto& r : conn.query(
             "SELECT i.indisunique::int, (SELECT string_agg(quote_ident(a.attname), ',' ORDER BY k.n) "
             "FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a "
             "ON a.attrelid = i.indrelid AND a.attnum = k.attnum) "
             "FROM pg_index i WHERE i.indrelid = " + rel +
             " AND NOT i.indisprimary AND i.indexprs IS NULL AND i.indpred IS NULL AND 0 <> ALL (i.indkey::int2[])")) {
      std::vector<std::string> cols;
      std::string list = r[1].value_or("");
      for (std::size_t start = 0; start <= list.size();) {
        auto comma = list.find(',', start);
        std::string c = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (c.size() >= 2 && c.front() == '"') c = c.substr(1, c.size() - 2);
        if (!c.empty()) cols.push_back(c);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      (*r[0] == "1" ? info.unique_keys : info.indexes).push_back(cols);
    }
    auto est = conn.query("SELECT reltuples::bigint FROM pg_class WHERE oid = " + rel);
    if (!est.empty() && est[0][0]) info.approx_rows = std::stoll(*est[0][0]);
    return info;
  }

  Type map_type(const std::string& native, int length, int precision, int scale) const override {
    auto p = parse_type_name(native);
    std::string n = p.suffix.empty() ? p.base : p.base + " " + p.suffix;
    if (n == "smallint" || n == "int2") return {TypeId::int16};
    if (n == "integer" || n == "int" || n == "int4" || n == "serial") return {TypeId::int32};
    if (n == "bigint" || n == "int8" || n == "bigserial") return {TypeId::int64};
    if (n == "boolean" || n == "bool") return {TypeId::boolean};
    if (n == "numeric" || n == "decimal") return {TypeId::decimal, precision, precision > 0 ? std::max(scale, 0) : -1};
    if (n == "money") return {TypeId::decimal, 19, 2};
    if (n == "real" || n == "float4") return {TypeId::float32};
    if (n == "double precision" || n == "float8") return {TypeId::float64};
    if (n == "character varying" || n == "varchar" || n == "character" || n == "char" || n == "bpchar")
      return length > 0 ? Type{TypeId::string, -1, -1, length} : Type{TypeId::text};
    if (n == "text" || n == "name" || n == "citext") return {TypeId::text};
    if (n == "date") return {TypeId::date};
    if (n.rfind("time", 0) == 0) {
      bool tz = n.find("with time zone") != std::string::npos;
      bool stamp = n.rfind("timestamp", 0) == 0;
      TypeId id = stamp ? (tz ? TypeId::timestamptz : TypeId::timestamp) : TypeId::time;
      if (!stamp && tz) return {TypeId::text};  // timetz has no canonical type
      return {id, precision};
    }
    if (n == "uuid") return {TypeId::uuid};
    if (n == "bytea") return {TypeId::bytes};
    if (n == "json" || n == "jsonb") return {TypeId::json};
    if (n == "xml") return {TypeId::xml};
    return {TypeId::text};  // anything else travels in its text form
  }

  std::string select_text(const std::string& col, const Type& t) const override {
    switch (t.id) {
      case TypeId::bytes: return "encode(" + col + ", 'hex')";
      case TypeId::boolean: return "CASE WHEN " + col + " THEN 't' WHEN NOT " + col + " THEN 'f' END";
      // Through numeric: money's own text ("-$1,234.56", per lc_monetary) is refused
      // by numeric input; for numeric columns the cast is a no-op.
      case TypeId::decimal: return col + "::numeric::text";
      default: return col + "::text";
    }
  }
};

}  // namespace

std::unique_ptr<Dialect> make_postgresql_dialect() { return std::make_unique<PostgresqlDialect>(); }

}  // namespace replicate::catalog
