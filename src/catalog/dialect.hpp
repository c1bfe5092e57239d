// SPDX-License-Identifier: Apache-2.0
// A dialect knows one database's SQL: quoting, catalog queries, how to select a
// column as canonical text, literals. It runs SQL only through source::Connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/types.hpp"
#include "config/mapping.hpp"

namespace replicate::source {
class Connection;
}

namespace replicate::catalog {

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual const char* name() const = 0;

  /// Quote one identifier ("a""b" for PostgreSQL, [a]]b] for SQL Server).
  virtual std::string quote(const std::string& identifier) const = 0;
  /// Quote "schema.table" or "table".
  std::string quote_qualified(const std::string& schema, const std::string& name) const;
  /// A string literal ('it''s'; N'...' on SQL Server).
  virtual std::string string_literal(const std::string& value) const;

  /// Read columns, types, nullability, keys and an approximate row count.
  /// Throws when the table does not exist.
  virtual TableInfo introspect(source::Connection& conn, const std::string& schema,
                               const std::string& table) const = 0;

  /// What the server says it is, on one line (for `replicate plan`); "" when unknown.
  virtual std::string server_description(source::Connection&) const { return ""; }

  /// Every table and view a user could copy, as {schema, name} ({"", name} without schemas).
  virtual std::vector<std::pair<std::string, std::string>> list_tables(source::Connection& conn) const;

  /// Map a native type (name plus length/precision/scale as the catalog reports them).
  virtual Type map_type(const std::string& native_name, int length, int precision,
                        int scale) const = 0;

  /// An SQL expression that yields `column_sql` (already quoted, or a user expression)
  /// of canonical type `t` as canonical text, the form PostgreSQL's COPY text accepts:
  /// decimals exact, timestamps ISO 8601, bytes as lowercase hex without prefix,
  /// booleans as t/f, uuids as 36 lowercase characters.
  virtual std::string select_text(const std::string& column_sql, const Type& t) const = 0;

  /// The select expression for a catalog column; dialects whose native types carry
  /// more than the canonical type (SQL Server's hierarchyid, geography, ...) override it.
  virtual std::string select_column(const std::string& column_sql, const Column& c) const {
    return select_text(column_sql, c.type);
  }

  /// The select expression that reads a catalog column as stored, for cursors that
  /// convert values themselves (ReadForm::raw): the bare column, except for types no
  /// driver hands over as such (SQL Server's CLR types and sql_variant: their text).
  virtual std::string raw_column(const std::string& column_sql, const Column&) const { return column_sql; }

  /// A literal for a key bound, given its canonical text value.
  virtual std::string key_literal(const std::string& canonical_value, const Type& t) const;
  /// A literal compared against column `c` (SQL Server: varchar keys need a varchar
  /// literal, or every chunk read becomes an index scan).
  virtual std::string column_literal(const std::string& canonical_value, const Column& c) const {
    return key_literal(canonical_value, c.type);
  }
  /// What the PostgreSQL mapping of this column loses, if anything (for `replicate plan`).
  virtual std::optional<std::string> mapping_loss(const Column& c) const;
  /// "TOP (n) " placed after SELECT where the dialect has no LIMIT; "" elsewhere.
  virtual std::string top_clause(long) const { return ""; }

  /// Whether ROW_NUMBER() OVER (ORDER BY ...) is there to number rows (chunk bounds).
  virtual bool numbers_rows() const { return false; }

  /// "SELECT MIN(k), MAX(k) ..." and friends are generic; LIMIT/TOP is not.
  virtual std::string limit_clause(long n) const { return "LIMIT " + std::to_string(n); }
};

/// The dialect for a configured endpoint. For odbc with `automatic`, `driver_hint`
/// (the ODBC driver's name) decides; unknown drivers get the generic dialect.
std::unique_ptr<Dialect> make_dialect(config::Driver driver, config::Dialect dialect,
                                      const std::string& driver_hint = "");
std::unique_ptr<Dialect> make_dialect(const std::string& name);  // "mssql", "postgresql", ...

}  // namespace replicate::catalog
