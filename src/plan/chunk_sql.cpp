// SPDX-License-Identifier: Apache-2.0
// SQL for reading one key-range chunk. The range itself is spelled by
// catalog::expand_range, without row values (SQL Server has none).
#include <memory>

#include "catalog/dialect.hpp"
#include "catalog/range_predicate.hpp"
#include "plan/plan.hpp"

namespace replicate::plan {

std::string chunk_predicate(const TablePlan& t, const ChunkPlan& chunk) {
  auto d = catalog::make_dialect(t.source_dialect);
  auto literals = [&](const std::optional<std::vector<std::string>>& bound) {
    std::vector<std::string> out;
    if (!bound) return out;
    for (std::size_t i = 0; i < bound->size(); ++i) {
      catalog::Column c;
      c.name = t.key[i];
      c.type = t.key_types[i];
      c.native_type = i < t.key_native.size() ? t.key_native[i] : "";
      out.push_back(d->column_literal((*bound)[i], c));
    }
    return out;
  };
  return catalog::expand_range(t.key_sql, literals(chunk.lo), literals(chunk.hi));
}

namespace {

/// Under COPY TO, a PostgreSQL column whose output function already gives its
/// canonical text goes out as it is: the ::text casts of select_sql cost the source
/// as much again as COPY itself. The session's settings (DateStyle ISO, TimeZone
/// UTC, extra_float_digits 3, bytea_output hex) make the two texts the same; COPY's
/// bytea text is "\\x..." escaped, which is what CopyWriter sends. Not for char(n),
/// whose ::text drops the padding, nor money, nor expressions.
bool copy_out_as_stored(const ColumnPlan& c) {
  using catalog::TypeId;
  if (c.raw_sql.empty() || c.source.empty()) return false;
  const std::string& n = c.source_type;
  switch (c.type.id) {
    case TypeId::string:
    case TypeId::text:
      return n.rfind("character varying", 0) == 0 || n.rfind("varchar", 0) == 0 || n == "text";
    case TypeId::decimal:
      return n.rfind("numeric", 0) == 0 || n.rfind("decimal", 0) == 0;
    case TypeId::boolean:
    case TypeId::int16:
    case TypeId::int32:
    case TypeId::int64:
    case TypeId::float32:
    case TypeId::float64:
    case TypeId::date:
    case TypeId::timestamp:
    case TypeId::timestamptz:
    case TypeId::uuid:
    case TypeId::bytes:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string select_list(const TablePlan& t, ReadForm form) {
  std::string sql;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    std::string col = c.select_sql;
    if (form == ReadForm::raw && !c.raw_sql.empty()) col = c.raw_sql;
    if (form == ReadForm::copy_out) {
      if (copy_out_as_stored(c))
        col = c.raw_sql;
      else if (c.type.id == catalog::TypeId::bytes)  // its hex input form, as CopyWriter writes it
        col = "'\\x' || (" + col + ")";
    }
    sql += (i ? ", " : "") + col;
  }
  return sql;
}

ReadForm read_form(const TablePlan& t, const source::Connection& source, bool for_copy) {
  if (source.reads_raw(t.source_dialect)) return ReadForm::raw;
  if (for_copy && source.copies_out() && t.source_dialect == "postgresql") return ReadForm::copy_out;
  return ReadForm::canonical;
}

std::unique_ptr<source::Cursor> open_table_cursor(source::Connection& source, const TablePlan& t,
                                                  const std::string& sql, std::size_t batch_size, ReadForm form,
                                                  bool for_copy) {
  if (form == ReadForm::copy_out) return source.open_copy_out_cursor(sql, batch_size);
  if (form == ReadForm::canonical) return source.open_cursor(sql, t.columns.size(), batch_size);
  auto dialect = catalog::make_dialect(t.source_dialect);
  std::vector<source::RawColumn> columns;
  for (const auto& c : t.columns) {
    source::RawColumn r;
    r.as_selected = c.raw_sql.empty();
    r.type = c.type.id;
    if (!r.as_selected) r.fallback_sql = "SELECT " + dialect->select_text("?1", c.type);
    columns.push_back(std::move(r));
  }
  return source.open_raw_cursor(sql, columns, batch_size, for_copy);
}

std::string chunk_select_sql(const TablePlan& t, const ChunkPlan& chunk, ReadForm form) {
  std::string sql = "SELECT " + select_list(t, form);
  sql += " FROM " + t.source_sql;
  std::string range = chunk_predicate(t, chunk);
  std::string where;
  if (t.where) where = "(" + *t.where + ")";
  if (!range.empty()) where += (where.empty() ? "" : " AND ") + range;
  if (!where.empty()) sql += " WHERE " + where;
  if (!t.key_sql.empty()) {
    sql += " ORDER BY ";
    for (std::size_t i = 0; i < t.key_sql.size(); ++i) sql += (i ? ", " : "") + t.key_sql[i];
  }
  return sql;
}

}  // namespace replicate::plan
