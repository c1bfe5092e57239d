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

std::string select_list(const TablePlan& t, bool raw) {
  std::string sql;
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    sql += (i ? ", " : "") + (raw && !c.raw_sql.empty() ? c.raw_sql : c.select_sql);
  }
  return sql;
}

bool reads_raw(const TablePlan& t, const source::Connection& source) {
  return source.reads_raw() && t.source_dialect == "sqlite";
}

std::unique_ptr<source::Cursor> open_table_cursor(source::Connection& source, const TablePlan& t,
                                                  const std::string& sql, std::size_t batch_size, bool for_copy) {
  if (!reads_raw(t, source)) return source.open_cursor(sql, t.columns.size(), batch_size);
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

std::string chunk_select_sql(const TablePlan& t, const ChunkPlan& chunk, bool raw) {
  std::string sql = "SELECT " + select_list(t, raw);
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
