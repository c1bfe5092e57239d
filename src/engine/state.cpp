// SPDX-License-Identifier: Apache-2.0
// State tables and the transactions around them.
#include "engine/state.hpp"

#include <fmt/format.h>

#include <set>

#include <nlohmann/json.hpp>

#include "engine/chunk_copy.hpp"
#include "target/pg_schema.hpp"
#include "util/error.hpp"

namespace replicate::engine {

using target::pg_literal;
using target::pg_quote;

namespace {

std::string bound_json(const std::optional<std::vector<std::string>>& b) {
  return b ? pg_literal(nlohmann::json(*b).dump()) + "::jsonb" : "NULL";
}
std::optional<std::vector<std::string>> bound_from(const source::Value& v) {
  if (!v) return std::nullopt;
  return nlohmann::json::parse(*v).get<std::vector<std::string>>();
}

}  // namespace

State::State(source::Connection& target, std::string schema) : target_(target), schema_(std::move(schema)) {}

std::string State::t(const char* name) const { return pg_quote(schema_) + "." + name; }

void State::ensure() {
  target_.begin();
  try {
    // Serialise concurrent first runs: CREATE ... IF NOT EXISTS races on the catalog.
    target_.execute("SELECT pg_advisory_xact_lock(hashtext(" + pg_literal("replicate-state:" + schema_) + "))");
    target_.execute("CREATE SCHEMA IF NOT EXISTS " + pg_quote(schema_));
    target_.execute("CREATE TABLE IF NOT EXISTS " + t("runs") + R"( (
      run_id bigserial PRIMARY KEY,
      table_name text NOT NULL,
      fingerprint text NOT NULL,
      mode text NOT NULL,
      status text NOT NULL DEFAULT 'running',
      chunks integer NOT NULL,
      rows bigint,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      error text,
      watermark_from text,
      watermark_to text,
      finish_sql jsonb))");
    target_.execute("CREATE TABLE IF NOT EXISTS " + t("chunks") + R"( (
      run_id bigint NOT NULL REFERENCES )" + t("runs") + R"( ON DELETE CASCADE,
      chunk_no integer NOT NULL,
      lo jsonb,
      hi jsonb,
      status text NOT NULL DEFAULT 'pending',
      rows bigint,
      attempts integer NOT NULL DEFAULT 0,
      worker_pid integer,
      finished_at timestamptz,
      last_error text,
      inserted bigint NOT NULL DEFAULT 0,
      updated bigint NOT NULL DEFAULT 0,
      unchanged bigint NOT NULL DEFAULT 0,
      rejected bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (run_id, chunk_no)))");
    // Columns added since the first release, only where missing: ALTER TABLE takes an
    // ACCESS EXCLUSIVE lock even when IF NOT EXISTS makes it do nothing, and a second
    // process starting its run (INSERT INTO runs, then chunks) then deadlocked with it.
    std::set<std::string> have;
    for (auto& r : target_.query("SELECT table_name || '.' || column_name FROM information_schema.columns "
                                 "WHERE table_schema = " + pg_literal(schema_) +
                                 " AND table_name IN ('runs', 'chunks')"))
      if (r[0]) have.insert(*r[0]);
    for (const char* c : {"inserted", "updated", "unchanged", "rejected"})
      if (!have.count(std::string("chunks.") + c))
        target_.execute("ALTER TABLE " + t("chunks") + " ADD COLUMN IF NOT EXISTS " + c + " bigint NOT NULL DEFAULT 0");
    for (const char* c : {"watermark_from", "watermark_to"})
      if (!have.count(std::string("runs.") + c))
        target_.execute("ALTER TABLE " + t("runs") + " ADD COLUMN IF NOT EXISTS " + c + " text");
    if (!have.count("runs.finish_sql"))
      target_.execute("ALTER TABLE " + t("runs") + " ADD COLUMN IF NOT EXISTS finish_sql jsonb");
    target_.execute("CREATE TABLE IF NOT EXISTS " + t("rejects") + R"( (
      run_id bigint NOT NULL,
      table_name text NOT NULL,
      chunk_no integer NOT NULL,
      key jsonb,
      column_name text,
      reason text NOT NULL,
      row_text text,
      created_at timestamptz NOT NULL DEFAULT now()))");
    target_.execute("CREATE TABLE IF NOT EXISTS " + t("watermarks") + R"( (
      table_name text PRIMARY KEY,
      column_name text NOT NULL,
      value text NOT NULL,
      run_id bigint,
      updated_at timestamptz NOT NULL DEFAULT now()))");
    target_.commit();
  } catch (...) {
    try { target_.rollback(); } catch (...) {}
    throw;
  }
}

RunState State::start_or_resume(const plan::TablePlan& table, bool restart,
                                const std::function<void()>& prepare_target) {
  RunState rs;
  const std::string name = pg_literal(table.target_display());
  target_.begin();
  try {
    target_.execute("SELECT pg_advisory_xact_lock(hashtext(" + pg_literal("replicate-run:" + table.target_display()) + "))");
    auto open = target_.query("SELECT run_id, fingerprint FROM " + t("runs") + " WHERE table_name = " + name +
                              " AND status IN ('running', 'failed', 'interrupted') ORDER BY run_id DESC LIMIT 1");
    if (!open.empty() && !restart && *open[0][1] == table.fingerprint) {
      rs.run_id = std::stoll(*open[0][0]);
      rs.resumed = true;
      target_.execute("UPDATE " + t("runs") + " SET status = 'running', error = NULL WHERE run_id = " +
                      std::to_string(rs.run_id));
      // What the run does once its chunks are done (the key and indexes built after the
      // load) was decided when it started, when the table was created: the table exists now.
      auto finish = target_.query("SELECT finish_sql::text FROM " + t("runs") + " WHERE run_id = " +
                                  std::to_string(rs.run_id));
      if (!finish.empty() && finish[0][0]) rs.finish_sql = nlohmann::json::parse(*finish[0][0]).get<std::vector<std::string>>();
      for (auto& r : target_.query("SELECT chunk_no, lo, hi, status, coalesce(rows, 0), attempts, inserted, updated, "
                                   "unchanged, rejected FROM " + t("chunks") +
                                   " WHERE run_id = " + std::to_string(rs.run_id) + " ORDER BY chunk_no")) {
        ChunkState c;
        c.chunk.id = std::stoi(*r[0]);
        c.chunk.lo = bound_from(r[1]);
        c.chunk.hi = bound_from(r[2]);
        c.status = *r[3] == "done" ? ChunkStatus::done : ChunkStatus::pending;
        c.rows = std::stoll(*r[4]);
        c.attempts = std::stoi(*r[5]);
        c.inserted = std::stoll(*r[6]);
        c.updated = std::stoll(*r[7]);
        c.unchanged = std::stoll(*r[8]);
        c.rejected = std::stoll(*r[9]);
        rs.chunks.push_back(std::move(c));
      }
    } else {
      if (!open.empty())
        target_.execute("UPDATE " + t("runs") + " SET status = 'abandoned', finished_at = now() WHERE run_id = " +
                        *open[0][0]);
      auto id = target_.query("INSERT INTO " + t("runs") + " (table_name, fingerprint, mode, chunks, watermark_from, watermark_to, finish_sql) VALUES (" +
                              name + ", " + pg_literal(table.fingerprint) + ", " +
                              pg_literal(config::to_string(table.options.mode)) + ", " +
                              std::to_string(table.chunks.size()) + ", " +
                              (table.watermark_from ? pg_literal(*table.watermark_from) : "NULL") + ", " +
                              (table.watermark_to ? pg_literal(*table.watermark_to) : "NULL") + ", " +
                              pg_literal(nlohmann::json(table.index_sql).dump()) + ") RETURNING run_id");
      rs.finish_sql = table.index_sql;
      rs.run_id = std::stoll(*id[0][0]);
      std::string values;
      for (const auto& c : table.chunks) {
        values += fmt::format("{}({}, {}, {}, {})", values.empty() ? "" : ", ", rs.run_id, c.id, bound_json(c.lo),
                              bound_json(c.hi));
        rs.chunks.push_back(ChunkState{c});
      }
      target_.execute("INSERT INTO " + t("chunks") + " (run_id, chunk_no, lo, hi) VALUES " + values);
      prepare_target();
    }
    target_.commit();
  } catch (...) {
    try { target_.rollback(); } catch (...) {}
    throw;
  }
  return rs;
}

void State::chunk_failed(std::int64_t run_id, int chunk, int attempts, const std::string& error) {
  target_.execute(fmt::format("UPDATE {} SET attempts = {}, last_error = {} WHERE run_id = {} AND chunk_no = {} "
                              "AND status <> 'done'",
                              t("chunks"), attempts, pg_literal(util::without_row_data(error)), run_id, chunk));
}

void State::interrupt_run(std::int64_t run_id) {
  target_.execute(fmt::format("UPDATE {} SET status = 'interrupted' WHERE run_id = {}", t("runs"), run_id));
}

std::optional<State::OpenRun> State::open_run(const plan::TablePlan& table) {
  auto r = target_.query("SELECT run_id, watermark_from, watermark_to FROM " + t("runs") + " WHERE table_name = " +
                         pg_literal(table.target_display()) + " AND fingerprint = " + pg_literal(table.fingerprint) +
                         " AND status IN ('running', 'failed', 'interrupted') ORDER BY run_id DESC LIMIT 1");
  if (r.empty()) return std::nullopt;
  return OpenRun{std::stoll(*r[0][0]), r[0][1], r[0][2]};
}

std::optional<std::string> State::saved_watermark(source::Connection& target, const std::string& schema,
                                                  const plan::TablePlan& table) {
  const std::string watermarks = target::pg_quote(schema) + ".watermarks";
  auto exists = target.query("SELECT to_regclass(" + pg_literal(watermarks) + ")::text");
  if (exists.empty() || !exists[0][0]) return std::nullopt;
  auto r = target.query("SELECT value FROM " + watermarks + " WHERE table_name = " + pg_literal(table.target_display()));
  if (r.empty()) return std::nullopt;
  return r[0][0];
}

std::optional<std::string> State::last_watermark(const plan::TablePlan& table) {
  auto r = target_.query("SELECT value FROM " + t("watermarks") + " WHERE table_name = " +
                         pg_literal(table.target_display()));
  if (r.empty()) return std::nullopt;
  return r[0][0];
}

State::RunTotals State::finish_run(const plan::TablePlan& table, std::int64_t run_id, bool ok,
                                   const std::string& error, const std::function<void()>& finalize) {
  const std::string committed = fmt::format("FROM {} WHERE run_id = {} AND status = 'done'", t("chunks"), run_id);
  RunTotals totals;
  target_.begin();
  try {
    // The run row's lock orders the processes sharing a run: the second one to finish
    // sees the first one's `done` and leaves the run as it is.
    auto st = target_.query(fmt::format("SELECT status FROM {} WHERE run_id = {} FOR UPDATE", t("runs"), run_id));
    const bool finished = !st.empty() && st[0][0] == std::optional<std::string>("done");
    if (ok && !finished) {
      finalize();
      if ((table.options.mode == config::Mode::incremental || table.options.mode == config::Mode::full) &&
          table.watermark_to && table.options.watermark)
        target_.execute(fmt::format(
            "INSERT INTO {} (table_name, column_name, value, run_id) VALUES ({}, {}, {}, {}) ON CONFLICT (table_name) "
            "DO UPDATE SET column_name = EXCLUDED.column_name, value = EXCLUDED.value, run_id = EXCLUDED.run_id, "
            "updated_at = now()",
            t("watermarks"), pg_literal(table.target_display()), pg_literal(*table.options.watermark),
            pg_literal(*table.watermark_to), run_id));
    }
    if (!finished)
      target_.execute(fmt::format("UPDATE {} SET status = {}, rows = (SELECT coalesce(sum(rows), 0) {}), "
                                  "finished_at = clock_timestamp(), error = {} WHERE run_id = {}",
                                  t("runs"), pg_literal(ok ? "done" : "failed"), committed,
                                  error.empty() ? "NULL" : pg_literal(util::without_row_data(error)), run_id));
    auto r = target_.query("SELECT coalesce(sum(rows), 0), coalesce(sum(inserted), 0), coalesce(sum(updated), 0), "
                           "coalesce(sum(unchanged), 0), coalesce(sum(rejected), 0) " + committed);
    totals = {std::stoll(r.at(0)[0].value_or("0")), std::stoll(r.at(0)[1].value_or("0")),
              std::stoll(r.at(0)[2].value_or("0")), std::stoll(r.at(0)[3].value_or("0")),
              std::stoll(r.at(0)[4].value_or("0"))};
    target_.commit();
  } catch (...) {
    try { target_.rollback(); } catch (...) {}
    throw;
  }
  return totals;
}

std::string State::lock_chunk_sql(const std::string& schema, std::int64_t run_id, int chunk) {
  return fmt::format("SELECT status FROM {}.chunks WHERE run_id = {} AND chunk_no = {} FOR UPDATE", pg_quote(schema),
                     run_id, chunk);
}

std::string State::done_chunk_sql(const std::string& schema, std::int64_t run_id, int chunk, const ChunkResult& r,
                                  int pid) {
  return fmt::format("UPDATE {}.chunks SET status = 'done', rows = {}, inserted = {}, updated = {}, unchanged = {}, "
                     "rejected = {}, worker_pid = {}, finished_at = clock_timestamp(), attempts = attempts + 1 "
                     "WHERE run_id = {} AND chunk_no = {}",
                     pg_quote(schema), r.rows, r.inserted, r.updated, r.unchanged, r.rejected, pid, run_id, chunk);
}

std::map<std::string, double> State::last_successes() {
  std::map<std::string, double> out;
  for (const auto& r : target_.query("SELECT table_name, extract(epoch FROM max(finished_at))::float8::text FROM " +
                                     t("runs") + " WHERE status = 'done' AND finished_at IS NOT NULL GROUP BY table_name"))
    if (r[0] && r[1]) out[*r[0]] = std::stod(*r[1]);
  return out;
}

std::vector<std::vector<std::string>> State::status_rows(const std::vector<std::string>& tables) {
  std::vector<std::vector<std::string>> out;
  for (const auto& name : tables) {
    auto r = target_.query(fmt::format(
        "SELECT r.run_id, r.status, r.started_at::text, coalesce(r.finished_at::text, ''), "
        "(SELECT count(*) FROM {0} c WHERE c.run_id = r.run_id AND c.status = 'done'), r.chunks, "
        "(SELECT coalesce(sum(rows), 0) FROM {0} c WHERE c.run_id = r.run_id AND c.status = 'done'), "
        "coalesce(r.error, '') FROM {1} r WHERE r.table_name = {2} ORDER BY r.run_id DESC LIMIT 1",
        t("chunks"), t("runs"), pg_literal(name)));
    if (r.empty()) {
      out.push_back({name, "-", "never run", "", "", "0", "0", "0", ""});
      continue;
    }
    std::vector<std::string> row{name};
    for (auto& v : r[0]) row.push_back(v.value_or(""));
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace replicate::engine
