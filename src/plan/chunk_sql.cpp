// SQL for reading one key-range chunk. Predicates are expanded column by column
// because SQL Server has no row-value comparison.
#include <memory>

#include "catalog/dialect.hpp"
#include "plan/plan.hpp"

namespace replicate::plan {

namespace {

// (k1, ..., kn) >= (v1, ..., vn) when `inclusive`, > otherwise; `less` flips to <, <=.
std::string compare(const catalog::Dialect& d, const std::vector<std::string>& keys,
                    const std::vector<catalog::Type>& types, const std::vector<std::string>& values,
                    bool less, bool inclusive) {
  const std::string strict = less ? " < " : " > ";
  const std::string last = inclusive ? (less ? " <= " : " >= ") : strict;
  std::string out;
  // Build from the innermost column outwards: k_n op v_n, then k_i strict v_i OR (k_i = v_i AND inner).
  for (std::size_t i = keys.size(); i-- > 0;) {
    const std::string lit = d.key_literal(values[i], types[i]);
    if (i + 1 == keys.size()) {
      out = keys[i] + last + lit;
    } else {
      out = keys[i] + strict + lit + " OR (" + keys[i] + " = " + lit + " AND (" + out + "))";
    }
  }
  return "(" + out + ")";
}

}  // namespace

std::string range_predicate(const std::string& dialect, const std::vector<std::string>& key_sql,
                            const std::vector<catalog::Type>& key_types, const ChunkPlan& chunk) {
  auto d = catalog::make_dialect(dialect);
  std::string out;
  if (chunk.lo) out = compare(*d, key_sql, key_types, *chunk.lo, false, true);
  if (chunk.hi) out += (out.empty() ? "" : " AND ") + compare(*d, key_sql, key_types, *chunk.hi, true, false);
  return out;
}

std::string chunk_select_sql(const TablePlan& t, const ChunkPlan& chunk) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < t.columns.size(); ++i) sql += (i ? ", " : "") + t.columns[i].select_sql;
  sql += " FROM " + t.source_sql;
  std::string range = range_predicate(t.source_dialect, t.key_sql, t.key_types, chunk);
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
