// SPDX-License-Identifier: Apache-2.0
// SQLite as a source: declared types decide the canonical type; values are
// dynamically typed, so each column is selected through a typeof() CASE.
#include <algorithm>
#include <stdexcept>

#include "catalog/dialect_impl.hpp"
#include "source/connection.hpp"
#include "util/error.hpp"

namespace replicate::catalog {
namespace {

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

class SqliteDialect : public Dialect {
 public:
  const char* name() const override { return "sqlite"; }
  bool numbers_rows() const override { return true; }

  std::string quote(const std::string& id) const override { return quote_ansi(id); }

  TableInfo introspect(source::Connection& conn, const std::string& schema,
                       const std::string& table) const override {
    TableInfo info;
    info.schema = schema;
    info.name = table;
    const std::string prefix = schema.empty() ? "" : quote(schema) + ".";
    auto cols = conn.query("SELECT name, type, \"notnull\", dflt_value, pk FROM " + prefix +
                           "pragma_table_info(" + string_literal(table) + ") ORDER BY cid");
    if (cols.empty())
      throw util::DbError(util::ErrorKind::missing, "", "table " + quote_qualified(schema, table) + " not found");
    std::vector<std::pair<int, std::string>> pk;
    for (auto& r : cols) {
      Column c;
      c.name = *r[0];
      c.native_type = r[1].value_or("");
      auto p = parse_type_name(c.native_type);
      int a0 = p.args.size() > 0 ? p.args[0] : -1, a1 = p.args.size() > 1 ? p.args[1] : -1;
      c.type = map_type(c.native_type, a0, a0, a1);
      c.nullable = r[2].value_or("0") == "0";
      if (r[3]) c.default_value = *r[3];
      int pk_pos = std::stoi(r[4].value_or("0"));
      if (pk_pos > 0) pk.emplace_back(pk_pos, c.name);
      info.columns.push_back(std::move(c));
    }
    std::sort(pk.begin(), pk.end());
    for (auto& [pos, name] : pk) info.primary_key.push_back(name);
    if (info.primary_key.size() == 1) {
      auto* c = info.find(info.primary_key[0]);
      // An INTEGER PRIMARY KEY is the rowid: never NULL.
      if (c && c->type.id == TypeId::int64) const_cast<Column*>(c)->nullable = false;
    }
    // Secondary indexes on plain columns: CREATE INDEX and UNIQUE constraints, not
    // partial ones nor those with an expression (a column name of NULL).
    for (auto& idx : conn.query("SELECT name, \"unique\" FROM " + prefix + "pragma_index_list(" +
                                string_literal(table) + ") WHERE origin <> 'pk' AND partial = 0 ORDER BY name")) {
      std::vector<std::string> cols;
      bool plain = true;
      for (auto& c : conn.query("SELECT name FROM " + prefix + "pragma_index_info(" + string_literal(*idx[0]) +
                                ") ORDER BY seqno")) {
        if (!c[0]) plain = false;
        else cols.push_back(*c[0]);
      }
      if (plain && !cols.empty()) (idx[1].value_or("0") == "1" ? info.unique_keys : info.indexes).push_back(cols);
    }
    auto n = conn.query("SELECT count(*) FROM " + quote_qualified(schema, table));
    if (!n.empty() && n[0][0]) info.approx_rows = std::stoll(*n[0][0]);
    info.rows_exact = info.approx_rows >= 0;
    return info;
  }

  // SQLite's affinity rules, refined by the declared name so that a column declared
  // VARCHAR(14) or DECIMAL(15,2) keeps its length and scale in the target.
  Type map_type(const std::string& native, int length, int precision, int scale) const override {
    auto p = parse_type_name(native);
    const std::string& n = p.base;
    if (n.empty()) return {TypeId::text};
    if (n == "boolean" || n == "bool" || n == "bit") return {TypeId::boolean};
    if (n == "tinyint" || n == "smallint" || n == "int2") return {TypeId::int16};
    if (n == "int" || n == "mediumint" || n == "int4") return {TypeId::int32};
    if (contains(n, "int")) return {TypeId::int64};
    if (n == "date") return {TypeId::date};
    if (n == "datetime" || n == "timestamp") return {TypeId::timestamp, precision >= 0 ? precision : -1};
    if (n == "timestamptz" || n == "timestamp with time zone") return {TypeId::timestamptz};
    if (n == "time") return {TypeId::time};
    if (n == "uuid" || n == "uniqueidentifier") return {TypeId::uuid};
    if (n == "json" || n == "jsonb") return {TypeId::json};
    if (n == "blob" || n == "binary" || n == "varbinary" || n == "bytea") return {TypeId::bytes};
    if (contains(n, "char") || contains(n, "clob") || contains(n, "text"))
      return length > 0 ? Type{TypeId::string, -1, -1, length} : Type{TypeId::text};
    if (n == "decimal" || n == "numeric" || n == "money")
      return {TypeId::decimal, precision, precision > 0 ? std::max(scale, 0) : -1};
    if (contains(n, "real") || contains(n, "floa") || contains(n, "doub")) return {TypeId::float64};
    return {TypeId::text};
  }

  std::string select_text(const std::string& col, const Type& t) const override {
    // REAL values print with 17 significant digits so the target can round exactly.
    const std::string real = "printf('%!.17g', " + col + ")";
    switch (t.id) {
      case TypeId::boolean:
        // Numbers: zero or not. Text goes as written, for PostgreSQL's boolean input
        // to read (' true ', 'Yes', 'off', 'n', ...) or refuse as a reject: text it
        // does not know must not quietly become false.
        return "CASE WHEN " + col + " IS NULL THEN NULL WHEN typeof(" + col + ") IN ('integer','real') THEN "
               "CASE WHEN " + col + " <> 0 THEN 't' ELSE 'f' END ELSE CAST(" + col + " AS TEXT) END";
      case TypeId::bytes:
        return "CASE WHEN " + col + " IS NULL THEN NULL ELSE lower(hex(" + col + ")) END";
      case TypeId::date:
        return "CASE typeof(" + col + ") WHEN 'integer' THEN date(" + col + ", 'unixepoch') WHEN 'real' THEN date(" +
               col + ") ELSE " + col + " END";
      case TypeId::timestamp:
      case TypeId::timestamptz:
        return "CASE typeof(" + col + ") WHEN 'integer' THEN datetime(" + col +
               ", 'unixepoch') WHEN 'real' THEN strftime('%Y-%m-%d %H:%M:%f', " + col + ") ELSE " + col + " END";
      case TypeId::int16:
      case TypeId::int32:
      case TypeId::int64:
        // An integer column holding a REAL (1.0) keeps the exact value; PostgreSQL refuses fractions.
        return "CASE typeof(" + col + ") WHEN 'real' THEN " + real + " ELSE CAST(" + col + " AS TEXT) END";
      case TypeId::float32:
      case TypeId::float64:
        // Into a float column the double itself must arrive. SQLite's printf works in
        // long double and (3.40 at least) gets the 17th digit wrong for about 0.3% of
        // doubles, DBL_MAX among them (…156e+308 reads back as another double); with
        // 20 digits PostgreSQL's correctly rounded input gives back the same double.
        return "CASE typeof(" + col + ") WHEN 'real' THEN printf('%!.20g', " + col + ") ELSE CAST(" + col +
               " AS TEXT) END";
      default:
        return "CASE typeof(" + col + ") WHEN 'real' THEN " + real + " ELSE CAST(" + col + " AS TEXT) END";
    }
  }
};

}  // namespace

std::unique_ptr<Dialect> make_sqlite_dialect() { return std::make_unique<SqliteDialect>(); }

}  // namespace replicate::catalog
