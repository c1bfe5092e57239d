// SPDX-License-Identifier: Apache-2.0
// Sides that hash inside PostgreSQL: the target always, and a PostgreSQL source.
// Only aggregates, (key, hash) pairs of small ranges and the rows that differ leave
// the server.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "catalog/dialect.hpp"
#include "catalog/range_predicate.hpp"
#include "target/pg_schema.hpp"
#include "verify/row_hash.hpp"
#include "verify/side.hpp"

namespace replicate::verify {

Checksum checksum_from_row(const source::Row& r) {
  Checksum c;
  c.count = std::stoll(r.at(0).value_or("0"));
  c.sum = sum_mod64(r.at(1).value_or("0"));
  if (r.at(2)) c.min = std::stoll(*r.at(2));
  if (r.at(3)) c.max = std::stoll(*r.at(3));
  return c;
}
namespace {

constexpr std::size_t kKeysPerQuery = 500;

/// `(a, b) IN (('1','x'), ...)`, or `a IN ('1', ...)` for one column, over text.
std::string keys_in(const std::vector<std::string>& columns, const std::vector<Key>& keys,
                    std::size_t from, std::size_t to) {
  std::string lhs, list;
  for (std::size_t c = 0; c < columns.size(); ++c) lhs += (c ? ", " : "") + columns[c];
  for (std::size_t k = from; k < to; ++k) {
    std::string tuple;
    for (std::size_t c = 0; c < columns.size(); ++c)
      tuple += (c ? ", " : "") + target::pg_literal(keys[k][c]);
    list += (k > from ? ", " : "") + (columns.size() > 1 ? "(" + tuple + ")" : tuple);
  }
  return columns.size() > 1 ? "(" + lhs + ") IN (" + list + ")" : lhs + " IN (" + list + ")";
}

/// How one PostgreSQL side spells its table, its canonical values and its ranges.
struct SqlShape {
  std::string from;                     // FROM clause
  std::vector<std::string> values;      // canonical text per plan column
  std::string int_key;                  // the integer key column, for narrowing
  std::vector<std::string> conditions;  // always applied (the mapping's `where`)
  std::function<std::string(const plan::ChunkPlan&)> chunk_condition;
};

class SqlSide : public Side {
 public:
  SqlSide(const TableSpec& spec, source::Connection& conn, SqlShape shape)
      : spec_(spec), conn_(conn), shape_(std::move(shape)) {
    for (std::size_t i = 0; i < shape_.values.size(); ++i)
      columns_.push_back("c" + std::to_string(i));
    for (auto k : spec_.key_columns)
      key_columns_.push_back("coalesce(c" + std::to_string(k) + ", '\\N')");
  }

  Checksum checksum(const Range& range) override {
    const std::string minmax = spec_.integer_key ? "min(k)::text, max(k)::text" : "NULL, NULL";
    auto r = run("SELECT count(*), coalesce(sum(" + row_hash_sql(columns_) + "), 0)::text, " +
                 minmax + " FROM (" + inner(range) + ") s");
    return checksum_from_row(r.at(0));
  }

  std::vector<KeyHash> key_hashes(const Range& range) override {
    std::string keys;
    for (const auto& k : key_columns_) keys += k + ", ";
    auto rows = run("SELECT " + keys + "left(" + row_md5_sql(columns_) + ", 16) FROM (" +
                    inner(range) + ") s");
    std::vector<KeyHash> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
      KeyHash kh;
      for (std::size_t c = 0; c < key_columns_.size(); ++c) kh.key.push_back(r[c].value_or(""));
      kh.hash = hash_from_hex(r[key_columns_.size()].value_or(""));
      out.push_back(std::move(kh));
    }
    return out;
  }

  std::vector<Values> rows(const Range& range, const std::vector<Key>& keys) override {
    std::vector<Values> out;
    std::string cols;
    for (std::size_t c = 0; c < columns_.size(); ++c) cols += (c ? ", " : "") + columns_[c];
    for (std::size_t from = 0; from < keys.size(); from += kKeysPerQuery) {
      const std::size_t to = std::min(keys.size(), from + kKeysPerQuery);
      for (auto& r : run("SELECT " + cols + " FROM (" + inner(range) + ") s WHERE " +
                         keys_in(key_columns_, keys, from, to)))
        out.push_back(std::move(r));
    }
    return out;
  }

 private:
  /// The range's rows with canonical values c0..cN and the integer key k. OFFSET 0
  /// keeps PostgreSQL from inlining the values into the hash, where each appears twice.
  std::string inner(const Range& range) const {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < shape_.values.size(); ++i)
      sql += shape_.values[i] + " AS c" + std::to_string(i) + ", ";
    sql += (spec_.integer_key ? shape_.int_key : "NULL") + std::string(" AS k FROM ") + shape_.from;
    std::vector<std::string> where = shape_.conditions;
    if (range.chunk) {
      std::string c = shape_.chunk_condition(*range.chunk);
      if (!c.empty()) where.push_back(c);
    }
    if (range.lo) where.push_back(shape_.int_key + " >= " + std::to_string(*range.lo));
    if (range.hi) where.push_back(shape_.int_key + " <= " + std::to_string(*range.hi));
    for (std::size_t i = 0; i < where.size(); ++i)
      sql += (i ? " AND (" : " WHERE (") + where[i] + ")";
    return sql + " OFFSET 0";
  }

  std::vector<source::Row> run(const std::string& sql) {
    auto rows = conn_.query(sql);
    rows_fetched += static_cast<std::int64_t>(rows.size());
    return rows;
  }

  const TableSpec& spec_;
  source::Connection& conn_;
  SqlShape shape_;
  std::vector<std::string> columns_;      // c0..cN
  std::vector<std::string> key_columns_;  // the key's canonical columns, NULL as \N
};

/// A chunk bound (canonical source text) as a PostgreSQL literal for target column `t`.
std::string target_literal(const std::string& value, const catalog::Type& source_type,
                           const TargetType& t) {
  const bool int_target =
      t.kind == TypeKind::int16 || t.kind == TypeKind::int32 || t.kind == TypeKind::int64;
  if (catalog::is_integer(source_type) && int_target) {
    auto d = catalog::make_dialect("postgresql");
    return d->key_literal(value, source_type);  // validates: digits only
  }
  if (source_type.id == catalog::TypeId::bytes) return target::pg_literal("\\x" + value);
  return target::pg_literal(value);
}

std::vector<std::string> target_key_columns(const TableSpec& spec) {
  std::vector<std::string> out;
  for (const auto& k : spec.plan->key_target) out.push_back(target::pg_quote(k));
  return out;
}

std::string target_chunk_condition(const TableSpec& spec, const plan::ChunkPlan& chunk) {
  const auto& p = *spec.plan;
  auto literals = [&](const std::optional<std::vector<std::string>>& bound) {
    std::vector<std::string> out;
    if (!bound) return out;
    for (std::size_t i = 0; i < bound->size(); ++i)
      out.push_back(target_literal((*bound)[i], p.key_types[i], spec.types[spec.key_columns[i]]));
    return out;
  };
  return catalog::expand_range(target_key_columns(spec), literals(chunk.lo), literals(chunk.hi));
}

/// The settings canonical text depends on, as source::connect sets them for native
/// sessions; a PostgreSQL reached over ODBC has the server's defaults otherwise.
void canonical_session(source::Connection& conn) {
  for (const char* sql :
       {"SET DateStyle = ISO", "SET IntervalStyle = iso_8601", "SET extra_float_digits = 3",
        "SET TimeZone = 'UTC'", "SET bytea_output = hex"})
    conn.execute(sql);
}

std::string target_from(const TableSpec& spec) {
  return target::pg_quote_qualified(spec.plan->target_schema, spec.plan->target_table);
}

}  // namespace

std::unique_ptr<Side> make_target_side(const TableSpec& spec, source::Connection& target) {
  canonical_session(target);
  SqlShape shape;
  shape.from = target_from(spec);
  for (std::size_t i = 0; i < spec.plan->columns.size(); ++i) {
    const std::string column = target::pg_quote(spec.plan->columns[i].target);
    const auto wide = widened_type(spec, i);
    shape.values.push_back(wide ? canonical_sql(*wide, "(" + column + ")::" + wide->sql)
                                : canonical_sql(spec.types[i], column));
  }
  if (spec.integer_key) shape.int_key = target::pg_quote(spec.plan->key_target[0]);
  if (!spec.target_filter.empty()) shape.conditions.push_back(spec.target_filter);
  shape.chunk_condition = [&spec](const plan::ChunkPlan& c) {
    return target_chunk_condition(spec, c);
  };
  return std::make_unique<SqlSide>(spec, target, std::move(shape));
}

std::unique_ptr<Side> make_sql_source_side(const TableSpec& spec, source::Connection& source) {
  const auto& p = *spec.plan;
  canonical_session(source);
  SqlShape shape;
  shape.from = p.source_sql;
  // What COPY receives (the select text; bytes with the \x the writer adds), read
  // by the target type's input function, then printed: the target's own steps. Where
  // the target type narrows the source's, read as the wider type the target side uses.
  for (std::size_t i = 0; i < p.columns.size(); ++i) {
    const auto& c = p.columns[i];
    std::string input =
        c.type.id == catalog::TypeId::bytes ? "'\\x' || (" + c.select_sql + ")" : c.select_sql;
    const auto wide = widened_type(spec, i);
    const TargetType& t = wide ? *wide : spec.types[i];
    shape.values.push_back(canonical_sql(t, "(" + input + ")::" + t.sql));
  }
  if (spec.integer_key) shape.int_key = p.key_sql[0];
  if (p.where) shape.conditions.push_back(*p.where);
  shape.chunk_condition = [&p](const plan::ChunkPlan& c) { return plan::chunk_predicate(p, c); };
  return std::make_unique<SqlSide>(spec, source, std::move(shape));
}

std::vector<Key> target_keys_in_chunks(const TableSpec& spec, source::Connection& target,
                                       const std::vector<Key>& keys,
                                       const std::vector<const plan::ChunkPlan*>& chunks) {
  std::vector<Key> found;
  if (keys.empty() || chunks.empty()) return found;
  std::string any_chunk;
  for (const auto* c : chunks) {
    std::string cond = target_chunk_condition(spec, *c);
    if (cond.empty()) cond = "true";
    any_chunk += (any_chunk.empty() ? "(" : " OR (") + cond + ")";
  }
  std::string select;
  for (std::size_t i = 0; i < spec.key_columns.size(); ++i)
    select += (i ? ", " : "") + canonical_sql(spec.types[spec.key_columns[i]],
                                              target::pg_quote(spec.plan->key_target[i]));
  const auto key_columns = target_key_columns(spec);
  for (std::size_t from = 0; from < keys.size(); from += kKeysPerQuery) {
    const std::size_t to = std::min(keys.size(), from + kKeysPerQuery);
    // Untyped literals take the key columns' types, so the primary key's index serves.
    std::string sql = "SELECT " + select + " FROM " + target_from(spec) + " WHERE " +
                      keys_in(key_columns, keys, from, to) + " AND (" + any_chunk + ")";
    if (!spec.target_filter.empty()) sql += " AND (" + spec.target_filter + ")";
    for (auto& r : target.query(sql)) {
      Key k;
      for (auto& v : r) k.push_back(v.value_or("\\N"));
      found.push_back(std::move(k));
    }
  }
  return found;
}

std::int64_t target_count(const TableSpec& spec, source::Connection& target) {
  auto r = target.query("SELECT count(*) FROM " + target_from(spec) +
                        (spec.target_filter.empty() ? "" : " WHERE " + spec.target_filter));
  return r.empty() ? 0 : std::stoll(r[0][0].value_or("0"));
}

}  // namespace replicate::verify
