// SPDX-License-Identifier: Apache-2.0
// Dialect pieces every database shares, and choosing a dialect for an endpoint.
#include "catalog/dialect.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "catalog/dialect_impl.hpp"
#include "source/connection.hpp"

namespace replicate::catalog {

std::string quote_ansi(const std::string& id) {
  std::string out = "\"";
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Dialect::quote_qualified(const std::string& schema, const std::string& name) const {
  return schema.empty() ? quote(name) : quote(schema) + "." + quote(name);
}

std::string Dialect::string_literal(const std::string& value) const {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string Dialect::key_literal(const std::string& value, const Type& t) const {
  if (is_integer(t)) {
    // Integers travel bare; anything else that claims to be one is refused.
    bool ok = !value.empty();
    for (std::size_t i = 0; i < value.size(); ++i)
      ok = ok && (std::isdigit(static_cast<unsigned char>(value[i])) || (i == 0 && value[i] == '-'));
    if (!ok) throw std::invalid_argument("not an integer key bound: " + value);
    return value;
  }
  return string_literal(value);
}

std::vector<std::pair<std::string, std::string>> Dialect::list_tables(source::Connection& conn) const {
  std::string sql;
  const std::string n = name();
  if (n == "postgresql")
    sql = "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
          "AND n.nspname NOT LIKE 'pg_toast%' AND NOT c.relispartition ORDER BY 1, 2";
  else if (n == "sqlite")
    sql = "SELECT '', name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY 2";
  else if (n == "mssql")
    sql = "SELECT s.name, o.name FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id "
          "WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 ORDER BY 1, 2";
  else
    sql = "SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES ORDER BY 1, 2";
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& r : conn.query(sql)) out.emplace_back(r[0].value_or(""), r[1].value_or(""));
  return out;
}

std::optional<std::string> Dialect::mapping_loss(const Column& c) const {
  const bool fractional = c.type.id == TypeId::timestamp || c.type.id == TypeId::time ||
                          c.type.id == TypeId::timestamptz;
  if (fractional && c.type.precision > 6)
    return c.native_type + " keeps 6 of " + std::to_string(c.type.precision) + " fractional digits in PostgreSQL";
  return std::nullopt;
}

static std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::unique_ptr<Dialect> make_dialect(const std::string& name) {
  const std::string n = lower(name);
  if (n == "mssql" || n.find("sql server") != std::string::npos) return make_mssql_dialect();
  if (n == "postgresql" || n.find("postgres") != std::string::npos) return make_postgresql_dialect();
  if (n == "sqlite" || n.find("sqlite") != std::string::npos) return make_sqlite_dialect();
  return make_generic_dialect();
}

std::unique_ptr<Dialect> make_dialect(config::Driver driver, config::Dialect dialect,
                                      const std::string& driver_hint) {
  switch (driver) {
    case config::Driver::postgresql: return make_postgresql_dialect();
    case config::Driver::sqlite: return make_sqlite_dialect();
    case config::Driver::odbc: break;
  }
  switch (dialect) {
    case config::Dialect::mssql: return make_mssql_dialect();
    case config::Dialect::postgresql: return make_postgresql_dialect();
    case config::Dialect::sqlite: return make_sqlite_dialect();
    case config::Dialect::generic: return make_generic_dialect();
    case config::Dialect::automatic: break;
  }
  return make_dialect(driver_hint);
}

// Parse "name(a,b) rest" into its lower-case base name and numeric arguments.
ParsedType parse_type_name(const std::string& spelled) {
  ParsedType p;
  std::string s = lower(spelled);
  auto open = s.find('(');
  if (open == std::string::npos) {
    p.base = s;
  } else {
    p.base = s.substr(0, open);
    auto close = s.find(')', open);
    std::string args = s.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    std::size_t start = 0;
    while (start <= args.size()) {
      auto comma = args.find(',', start);
      std::string a = args.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      a.erase(std::remove_if(a.begin(), a.end(), [](unsigned char c) { return std::isspace(c); }), a.end());
      if (a == "max")
        p.args.push_back(-1);
      else if (!a.empty() && std::all_of(a.begin(), a.end(), [](unsigned char c) { return std::isdigit(c); }))
        p.args.push_back(std::stoi(a));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (close != std::string::npos) p.suffix = s.substr(close + 1);
  }
  while (!p.base.empty() && std::isspace(static_cast<unsigned char>(p.base.back()))) p.base.pop_back();
  while (!p.suffix.empty() && std::isspace(static_cast<unsigned char>(p.suffix.front()))) p.suffix.erase(0, 1);
  return p;
}

}  // namespace replicate::catalog
