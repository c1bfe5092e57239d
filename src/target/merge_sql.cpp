// SPDX-License-Identifier: Apache-2.0
// Merge statements. Counting uses RETURNING (xmax = 0), which is true exactly for the
// rows an INSERT ... ON CONFLICT inserted rather than updated.
#include "target/merge_sql.hpp"

#include "target/pg_schema.hpp"

namespace replicate::target {

namespace {

std::string list(const std::vector<std::string>& cols, const std::string& prefix = "") {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + prefix + pg_quote(c);
  return out;
}

std::vector<std::string> non_key(const MergeTarget& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns) {
    bool is_key = false;
    for (const auto& k : t.key) is_key = is_key || k == c;
    if (!is_key && c != t.stale_column) out.push_back(c);
  }
  return out;
}

std::string key_json(const MergeTarget& t, const std::string& prefix) {
  std::string out = "jsonb_build_array(";
  for (std::size_t i = 0; i < t.key.size(); ++i) out += (i ? ", " : "") + prefix + pg_quote(t.key[i]) + "::text";
  return out + ")";
}

std::string live_literal(const MergeTarget& t) { return "CAST(" + pg_literal(t.live_value) + " AS " + t.stale_type + ")"; }

/// The stage's columns, with the stale column (if mapped) replaced by the live mark.
std::string select_from_stage(const MergeTarget& t, bool add_stale) {
  std::string out;
  for (const auto& c : t.columns)
    out += (out.empty() ? "" : ", ") + (c == t.stale_column ? live_literal(t) : "s." + pg_quote(c));
  if (add_stale) out += ", " + live_literal(t);
  return out;
}

bool stale_is_mapped(const MergeTarget& t) {
  for (const auto& c : t.columns)
    if (c == t.stale_column) return true;
  return false;
}

std::string counted(const std::string& insert, const MergeTarget& t, std::size_t samples) {
  const std::string n = std::to_string(samples);
  return "WITH m AS (" + insert + " RETURNING (xmax = 0) AS ins, " + key_json(t, "") +
         " AS k) SELECT count(*) FILTER (WHERE ins), count(*) FILTER (WHERE NOT ins), "
         "coalesce((SELECT jsonb_agg(k) FROM (SELECT k FROM m WHERE ins LIMIT " + n + ") a), '[]'), "
         "coalesce((SELECT jsonb_agg(k) FROM (SELECT k FROM m WHERE NOT ins LIMIT " + n + ") b), '[]') FROM m";
}

}  // namespace

std::string stage_table_sql(const std::string& stage, const MergeTarget& t) {
  return "CREATE TEMP TABLE " + pg_quote(stage) + " (LIKE " + t.table +
         " INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP";
}

std::string upsert_sql(const std::string& stage, const MergeTarget& t, bool update, std::size_t samples,
                       bool only_changed) {
  std::string sql = "INSERT INTO " + t.table + " AS t (" + list(t.columns) + ") SELECT " + list(t.columns, "s.") +
                    " FROM " + pg_quote(stage) + " s ON CONFLICT (" + list(t.key) + ") ";
  auto rest = non_key(t);
  if (!update || rest.empty()) {
    sql += "DO NOTHING";
  } else {
    sql += "DO UPDATE SET ";
    for (std::size_t i = 0; i < rest.size(); ++i)
      sql += (i ? ", " : "") + pg_quote(rest[i]) + " = EXCLUDED." + pg_quote(rest[i]);
    if (only_changed) sql += " WHERE (" + list(rest, "t.") + ") IS DISTINCT FROM (" + list(rest, "EXCLUDED.") + ")";
  }
  return counted(sql, t, samples);
}

std::string mirror_unchanged_sql(const std::string& stage, const MergeTarget& t) {
  std::string sql = "UPDATE " + t.table + " AS t SET " + pg_quote(t.stale_column) + " = " + live_literal(t) +
                    " FROM " + pg_quote(stage) + " s WHERE ";
  for (std::size_t i = 0; i < t.key.size(); ++i)
    sql += (i ? " AND " : "") + std::string("t.") + pg_quote(t.key[i]) + " = s." + pg_quote(t.key[i]);
  auto rest = non_key(t);
  if (!rest.empty()) sql += " AND (" + list(rest, "t.") + ") IS NOT DISTINCT FROM (" + list(rest, "s.") + ")";
  return sql;
}

std::string mirror_upsert_sql(const std::string& stage, const MergeTarget& t, std::size_t samples) {
  const bool mapped = stale_is_mapped(t);
  std::vector<std::string> cols = t.columns;
  if (!mapped) cols.push_back(t.stale_column);
  std::string sql = "INSERT INTO " + t.table + " AS t (" + list(cols) + ") SELECT " +
                    select_from_stage(t, !mapped) + " FROM " + pg_quote(stage) + " s ON CONFLICT (" + list(t.key) +
                    ") DO UPDATE SET ";
  auto rest = non_key(t);
  rest.push_back(t.stale_column);
  for (std::size_t i = 0; i < rest.size(); ++i)
    sql += (i ? ", " : "") + pg_quote(rest[i]) + " = EXCLUDED." + pg_quote(rest[i]);
  // Rows marked live by mirror_unchanged_sql are equal: leave them alone.
  sql += " WHERE t." + pg_quote(t.stale_column) + " IS DISTINCT FROM " + live_literal(t);
  return counted(sql, t, samples);
}

}  // namespace replicate::target
