// SPDX-License-Identifier: Apache-2.0
// State tables and the transactions around them.
#include "engine/state.hpp"

#include <fmt/format.h>

#include <set>

#include <unistd.h>
#include <cerrno>
#include <csignal>

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

std::string local_host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || !name[0]) return "localhost";
  return name;
}

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
    // Cooperating hosts: a run's name, its live controls, and each chunk's claim.
    for (const char* c : {"run_name text", "rows_per_second double precision", "workers_per_host integer"})
      if (!have.count("runs." + std::string(c).substr(0, std::string(c).find(' '))))
        target_.execute("ALTER TABLE " + t("runs") + " ADD COLUMN IF NOT EXISTS " + c);
    for (const char* c : {"claim_token text", "claimed_by text", "claimed_at timestamptz", "not_before timestamptz",
                          "done_by text"})
      if (!have.count("chunks." + std::string(c).substr(0, std::string(c).find(' '))))
        target_.execute("ALTER TABLE " + t("chunks") + " ADD COLUMN IF NOT EXISTS " + c);
    target_.execute("CREATE TABLE IF NOT EXISTS " + t("hosts") + R"( (
      run_id bigint NOT NULL REFERENCES )" + t("runs") + R"( ON DELETE CASCADE,
      host text NOT NULL,
      pid integer NOT NULL,
      workers integer NOT NULL DEFAULT 0,
      busy integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      last_seen timestamptz NOT NULL DEFAULT now(),
      left_at timestamptz,
      PRIMARY KEY (run_id, host, pid)))");
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

RunState State::start_or_resume(const plan::TablePlan& table, bool restart, const std::string& run_name,
                                const std::function<void()>& prepare_target) {
  RunState rs;
  rs.run_name = run_name;
  const std::string name = pg_literal(table.target_display());
  target_.begin();
  try {
    target_.execute("SELECT pg_advisory_xact_lock(hashtext(" + pg_literal("replicate-run:" + table.target_display()) + "))");
    // A named run is the one every process given that name shares, on any host: done
    // means there is nothing left for a late one to do.
    if (!run_name.empty() && !restart) {
      auto named = target_.query("SELECT run_id, status, fingerprint FROM " + t("runs") + " WHERE table_name = " +
                                 name + " AND run_name = " + pg_literal(run_name) +
                                 " AND status <> 'abandoned' ORDER BY run_id DESC LIMIT 1");
      if (!named.empty() && *named[0][2] != table.fingerprint)
        throw util::DbError(util::ErrorKind::data, "target",
                            fmt::format("run '{}' of {} was started from a different mapping (its columns, key, mode "
                                        "or where: differ); give this one another --run-name, or --restart to "
                                        "abandon that run",
                                        run_name, table.target_display()));
      if (!named.empty() && *named[0][1] == "done") {
        rs.run_id = std::stoll(*named[0][0]);
        rs.already_done = true;
        target_.commit();
        return rs;
      }
    }
    auto open = target_.query("SELECT run_id, fingerprint, status, coalesce(run_name, '') FROM " + t("runs") +
                              " WHERE table_name = " + name +
                              " AND status IN ('running', 'failed', 'interrupted') ORDER BY run_id DESC LIMIT 1");
    if (!open.empty() && !restart && *open[0][1] == table.fingerprint && (run_name.empty() || *open[0][3] == run_name)) {
      rs.run_id = std::stoll(*open[0][0]);
      rs.resumed = true;
      // Joined when another process is at work on it now (heard from within the last
      // seconds, and on this host still alive); a run left running by a crash is resumed.
      if (*open[0][2] == "running")
        for (const auto& h : target_.query("SELECT host, pid FROM " + t("hosts") + " WHERE run_id = " + *open[0][0] +
                                           " AND left_at IS NULL AND last_seen > clock_timestamp() - interval '5 seconds'"))
          if (!(h[0] == local_host_name() && ::kill(std::stoi(h[1].value_or("0")), 0) != 0 && errno == ESRCH))
            rs.joined = true;
      const std::string run = std::to_string(rs.run_id);
      target_.execute("UPDATE " + t("runs") + " SET status = 'running', error = NULL WHERE run_id = " + run);
      // A run that stopped on a failed chunk gets that chunk back, with its tries anew.
      if (!rs.joined)
        target_.execute("UPDATE " + t("chunks") + " SET status = 'pending', attempts = 0, not_before = NULL "
                        "WHERE run_id = " + run + " AND status = 'failed'");
      // What the run does once its chunks are done (the key and indexes built after the
      // load) was decided when it started, when the table was created: the table exists now.
      auto finish = target_.query("SELECT finish_sql::text FROM " + t("runs") + " WHERE run_id = " + run);
      if (!finish.empty() && finish[0][0]) rs.finish_sql = nlohmann::json::parse(*finish[0][0]).get<std::vector<std::string>>();
      for (auto& r : target_.query("SELECT chunk_no, lo, hi, status, coalesce(rows, 0), attempts, inserted, updated, "
                                   "unchanged, rejected FROM " + t("chunks") +
                                   " WHERE run_id = " + run + " ORDER BY chunk_no")) {
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
      auto id = target_.query(
          "INSERT INTO " + t("runs") +
          " (table_name, fingerprint, mode, chunks, watermark_from, watermark_to, finish_sql, run_name, "
          "rows_per_second) VALUES (" +
          name + ", " + pg_literal(table.fingerprint) + ", " + pg_literal(config::to_string(table.options.mode)) +
          ", " + std::to_string(table.chunks.size()) + ", " +
          (table.watermark_from ? pg_literal(*table.watermark_from) : "NULL") + ", " +
          (table.watermark_to ? pg_literal(*table.watermark_to) : "NULL") + ", " +
          pg_literal(nlohmann::json(table.index_sql).dump()) + ", " +
          (run_name.empty() ? "NULL" : pg_literal(run_name)) + ", " +
          (table.options.rows_per_second ? fmt::format("{}", *table.options.rows_per_second) : "NULL") +
          ") RETURNING run_id");
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

bool State::joinable(const plan::TablePlan& table, const std::string& run_name, bool restart) {
  if (restart) return false;
  auto r = target_.query("SELECT 1 FROM " + t("runs") + " WHERE table_name = " + pg_literal(table.target_display()) +
                         " AND fingerprint = " + pg_literal(table.fingerprint) +
                         (run_name.empty() ? std::string(" AND status IN ('running', 'failed', 'interrupted')")
                                           : " AND run_name = " + pg_literal(run_name) +
                                                 " AND status IN ('running', 'failed', 'interrupted', 'done')") +
                         " LIMIT 1");
  return !r.empty();
}

std::optional<State::ChunkFailure> State::chunk_failed(std::int64_t run_id, int chunk, const std::string& error,
                                                       bool retryable, int max_attempts, double delay_seconds) {
  std::optional<ChunkFailure> out;
  target_.begin();
  try {
    // The chunk may be another host's already (claimed since the failed copy rolled back):
    // wait for its lock a moment only, so that this process's loop never hangs on it.
    target_.execute("SET LOCAL lock_timeout = '1s'");
    auto r = target_.query(fmt::format(
        "UPDATE {0} SET attempts = attempts + 1, last_error = {1}, not_before = clock_timestamp() + "
        "make_interval(secs => {2}), status = CASE WHEN {3} OR attempts + 1 >= {4} THEN 'failed' ELSE status END "
        "WHERE run_id = {5} AND chunk_no = {6} AND status = 'pending' RETURNING attempts, status",
        t("chunks"), pg_literal(util::without_row_data(error)), delay_seconds, retryable ? "false" : "true",
        std::max(1, max_attempts), run_id, chunk));
    target_.commit();
    if (!r.empty()) out = ChunkFailure{std::stoi(*r[0][0]), *r[0][1] == "failed"};
  } catch (const util::DbError& e) {
    try { target_.rollback(); } catch (...) {}
    if (e.sqlstate() != "55P03") throw;  // lock_not_available: another host has it, and its own tries
  } catch (...) {
    try { target_.rollback(); } catch (...) {}
    throw;
  }
  return out;
}

void State::interrupt_run(std::int64_t run_id, const std::string& host, int pid) {
  // Other hosts still at work keep the run running; the last one to stop marks it.
  target_.execute(fmt::format(
      "UPDATE {0} SET status = 'interrupted' WHERE run_id = {1} AND status = 'running' AND NOT EXISTS (SELECT 1 "
      "FROM {2} h WHERE h.run_id = {1} AND NOT (h.host = {3} AND h.pid = {4}) AND h.left_at IS NULL AND "
      "h.last_seen > clock_timestamp() - interval '5 seconds')",
      t("runs"), run_id, t("hosts"), pg_literal(host), pid));
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
      // Every chunk, whoever copied it, is committed before the run's last steps.
      auto left = target_.query(fmt::format("SELECT count(*) FROM {} WHERE run_id = {} AND status <> 'done'",
                                            t("chunks"), run_id));
      if (!left.empty() && left[0][0] && *left[0][0] != "0")
        throw util::DbError(util::ErrorKind::internal, "target",
                            fmt::format("run {} cannot end: {} of its chunks are not done", run_id, *left[0][0]));
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

std::string State::claim_chunk_sql(const std::string& schema, std::int64_t run_id, const std::string& claimer) {
  // The row lock taken here is the lease: it lasts as long as the chunk's transaction, and
  // a process that dies or is cut off loses its session, which releases it.
  return fmt::format(
      "UPDATE {0}.chunks c SET claim_token = md5(random()::text || clock_timestamp()::text || pg_backend_pid()), "
      "claimed_by = {1}, claimed_at = clock_timestamp() WHERE (c.run_id, c.chunk_no) = (SELECT run_id, chunk_no "
      "FROM {0}.chunks WHERE run_id = {2} AND status = 'pending' AND (not_before IS NULL OR not_before <= "
      "clock_timestamp()) ORDER BY chunk_no LIMIT 1 FOR UPDATE SKIP LOCKED) "
      "RETURNING c.chunk_no, c.lo::text, c.hi::text, c.attempts, c.claim_token",
      pg_quote(schema), pg_literal(claimer), run_id);
}

std::string State::unclaimed_sql(const std::string& schema, std::int64_t run_id) {
  return fmt::format(
      "SELECT count(*) FILTER (WHERE status <> 'done'), count(*) FILTER (WHERE status = 'failed'), "
      "(SELECT chunk_no || ': ' || coalesce(last_error, 'failed') FROM {0}.chunks WHERE run_id = {1} AND status = "
      "'failed' ORDER BY chunk_no LIMIT 1) FROM {0}.chunks WHERE run_id = {1}",
      pg_quote(schema), run_id);
}

std::string State::done_chunk_sql(const std::string& schema, std::int64_t run_id, int chunk, const ChunkResult& r,
                                  int pid, const std::string& claimer, const std::string& token) {
  // The fence: only the claim this copy holds may mark the chunk done.
  return fmt::format("UPDATE {}.chunks SET status = 'done', rows = {}, inserted = {}, updated = {}, unchanged = {}, "
                     "rejected = {}, worker_pid = {}, done_by = {}, finished_at = clock_timestamp(), "
                     "attempts = attempts + 1, not_before = NULL WHERE run_id = {} AND chunk_no = {} AND "
                     "status = 'pending' AND claim_token = {} RETURNING 1",
                     pg_quote(schema), r.rows, r.inserted, r.updated, r.unchanged, r.rejected, pid,
                     pg_literal(claimer), run_id, chunk, pg_literal(token));
}

std::vector<State::RunPulse> State::heartbeat(const std::vector<HostBeat>& beats, const std::string& host, int pid) {
  std::vector<RunPulse> out;
  if (beats.empty()) return out;
  std::string values, ids;
  for (const auto& b : beats) {
    values += fmt::format("{}({}, {}, {}, {}, {})", values.empty() ? "" : ", ", b.run_id, pg_literal(host), pid,
                          b.workers, b.busy);
    ids += (ids.empty() ? "" : ", ") + std::to_string(b.run_id);
  }
  target_.execute("INSERT INTO " + t("hosts") + " AS h (run_id, host, pid, workers, busy) VALUES " + values +
                  " ON CONFLICT (run_id, host, pid) DO UPDATE SET workers = EXCLUDED.workers, busy = EXCLUDED.busy, "
                  "last_seen = clock_timestamp()");
  for (const auto& r : target_.query(fmt::format(
           "SELECT r.run_id, r.status, r.rows_per_second, r.workers_per_host, (SELECT coalesce(sum(busy), 0) FROM {0} "
           "h WHERE h.run_id = r.run_id AND h.last_seen > clock_timestamp() - interval '5 seconds'), (SELECT "
           "count(*) FROM {1} c WHERE c.run_id = r.run_id AND c.status = 'done'), (SELECT coalesce(sum(rows), 0) FROM "
           "{1} c WHERE c.run_id = r.run_id AND c.status = 'done') FROM {2} r WHERE r.run_id IN ({3})",
           t("hosts"), t("chunks"), t("runs"), ids))) {
    RunPulse p;
    p.run_id = std::stoll(*r[0]);
    p.status = r[1].value_or("");
    if (r[2]) p.rows_per_second = std::stod(*r[2]);
    if (r[3]) p.workers_per_host = std::stoi(*r[3]);
    p.busy = std::stoi(r[4].value_or("0"));
    p.chunks_done = std::stoi(r[5].value_or("0"));
    p.rows_done = std::stoll(r[6].value_or("0"));
    out.push_back(p);
  }
  return out;
}

void State::leave(const std::vector<std::int64_t>& run_ids, const std::string& host, int pid) {
  for (auto id : run_ids)
    target_.execute(fmt::format("UPDATE {} SET workers = 0, busy = 0, last_seen = clock_timestamp(), left_at = clock_timestamp() "
                                "WHERE run_id = {} "
                                "AND host = {} AND pid = {}",
                                t("hosts"), id, pg_literal(host), pid));
}

int State::set_controls(const std::vector<std::string>& tables, std::optional<int> workers,
                        std::optional<double> rows_per_second) {
  std::string names;
  for (const auto& n : tables) names += (names.empty() ? "" : ", ") + pg_literal(n);
  if (names.empty()) return 0;
  std::string set;
  if (workers) set += fmt::format("workers_per_host = {}", *workers);
  if (rows_per_second)
    set += fmt::format("{}rows_per_second = {}", set.empty() ? "" : ", ",
                       *rows_per_second > 0 ? fmt::format("{}", *rows_per_second) : "NULL");
  auto r = target_.query("UPDATE " + t("runs") + " SET " + set + " WHERE table_name IN (" + names +
                         ") AND status = 'running' RETURNING run_id");
  return static_cast<int>(r.size());
}

std::vector<std::vector<std::string>> State::hosts_rows(std::int64_t run_id) {
  std::vector<std::vector<std::string>> out;
  const auto exists = target_.query("SELECT to_regclass(" + pg_literal(t("hosts")) + ")::text");
  if (exists.empty() || !exists[0][0]) return out;
  for (const auto& r : target_.query(fmt::format(
           "SELECT h.host, h.pid::text, h.workers::text, (SELECT count(*) FROM {0} c WHERE c.run_id = h.run_id AND "
           "c.done_by = h.host || ':' || h.pid)::text, h.last_seen::text, extract(epoch FROM clock_timestamp() - "
           "h.last_seen)::int::text FROM {1} h WHERE h.run_id = {2} ORDER BY h.started_at, h.host, h.pid",
           t("chunks"), t("hosts"), run_id))) {
    std::vector<std::string> row;
    for (const auto& v : r) row.push_back(v.value_or(""));
    out.push_back(std::move(row));
  }
  return out;
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
