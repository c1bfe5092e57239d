// SPDX-License-Identifier: Apache-2.0
// Coordinator event loop (Boost.Asio + Boost.Process): one thread, one io_context,
// workers' stdout read line by line, a timer for progress and delayed retries.
#include "engine/coordinator.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/process.hpp>
#include <csignal>
#include <deque>
#include <fstream>
#include <list>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "engine/lease.hpp"
#include "engine/state.hpp"
#include "engine/worker.hpp"
#include "metrics/registry.hpp"
#include "plan/planner.hpp"
#include "target/pg_schema.hpp"
#include "util/error.hpp"

namespace replicate::engine {

namespace asio = boost::asio;
namespace bp = boost::process;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

/// How often a process tells the others it is alive and hears of changes to the run.
constexpr auto kBeat = std::chrono::seconds(1);
/// How soon a worker asks again for a chunk when the ones left were all held elsewhere.
constexpr auto kClaimPoll = std::chrono::seconds(1);


/// What a worker is doing: claiming a chunk of a table, then copying it.
struct Task {
  int table = 0;
  int chunk = -1;  // index into TableRun::state.chunks, once the worker has claimed one
};

struct TableRun {
  plan::TablePlan plan;
  RunState state;
  TableProgress progress;
  // Chunks are claimed by the workers from the state table, so several processes can share
  // the run: here is only what this process knows of it.
  // Chunks done: known here (done before this process started, or by its workers), and
  // counted in the state by the last heartbeat; both only ever fall short of the truth.
  int done_here = 0;
  int done_in_state = 0;
  std::int64_t left_when_asked = 0;  // chunks not done when a claim last found none free
  bool complete = false;             // every chunk is done, whoever copied it
  Clock::time_point claim_after{};  // no chunk was free (or claiming failed): ask again then
  int claim_errors = 0;             // claims that failed in a row (before any chunk was held)
  std::map<int, int> index_of;      // chunk_no -> index in state.chunks
  std::optional<double> rows_per_second;  // the run's speed limit, all hosts together
  int busy_everywhere = 0;                // workers copying it on every live host
  double sent_rate = -1;                  // the share last sent to this process's workers
  int in_flight = 0;  // workers claiming or copying its chunks
  int retries = 0;
  int skipped = 0;
  bool failed = false;
  bool finished = false;
  bool closed = false;  // interrupted and recorded as such
  std::string error;
  std::int64_t rows = 0;  // committed
  std::int64_t inserted = 0, updated = 0, unchanged = 0, removed = 0, rejected = 0;
  json samples = {{"inserted", json::array()}, {"updated", json::array()}, {"removed", json::array()}};
  std::vector<std::string> rejects;
  std::optional<Clock::time_point> first_dispatch;
  Clock::time_point finished_at;
};

/// A worker's stderr, read apart from WorkerProc: lines may come after the worker is gone.
struct WorkerStderr {
  explicit WorkerStderr(asio::io_context& io) : pipe(io) {}
  bp::async_pipe pipe;
  asio::streambuf buf;
  int pid = 0;
};

struct WorkerProc {
  explicit WorkerProc(asio::io_context& io) : in(io), out(io) {}
  bp::async_pipe in;
  bp::async_pipe out;
  bp::child child;
  asio::streambuf buf;
  std::optional<Task> task;
  std::set<int> tables_sent;
  std::int64_t inflight_rows = 0;
  double rate = 0;  // rows a second this worker was last told it may copy (0: no limit)
  bool closing = false;
  int pid = 0;
};

class Coordinator {
 public:
  Coordinator(const config::Mapping& m, const RunOptions& o)
      : mapping_(m), options_(o), progress_(o.quiet, o.log_format), timer_(io_), signals_(io_) {}

  RunSummary run() {
    std::signal(SIGPIPE, SIG_IGN);
    // Planning keeps the process's own SIGINT/SIGTERM handling (the CLI's: exit 4 at
    // once); a signal caught here would wait for a query that may never end.
    prepare();
    // From here the event loop answers signals: stop handing out chunks, let the ones
    // in flight finish, and stop at once on a second signal.
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    workers_wanted_ = options_.workers;
    if (workers_wanted_ <= 0)
      for (const auto& t : tables_) workers_wanted_ = std::max(workers_wanted_, t.plan.options.workers);
    workers_wanted_ = std::max(1, workers_wanted_);
    if (options_.workers <= 0 && !workers_written()) fit_workers_to_the_server();
    for (std::size_t i = 0; i < tables_.size(); ++i) maybe_finish_table(static_cast<int>(i));
    beat();  // before the first chunk: the other hosts count this one's workers at once
    signals_.async_wait([this](auto ec, int sig) { on_signal(ec, sig); });
    arm_timer();
    dispatch();
    check_done();
    io_.run();
    leave();
    progress_.tick(progress_rows(), true);
    publish(true);
    auto s = summary();
    with_metrics([&](metrics::MappingSeries& m) {
      metrics::raise(m.worker_peak_rss_bytes, static_cast<std::int64_t>(s.worker_peak_rss_kb) * 1024);
    });
    return s;
  }

 private:
  /// Whether the mapping names `workers` (under defaults or in an entry).
  bool workers_written() const {
    auto names = [](const std::vector<config::WrittenOption>& w) {
      return std::any_of(w.begin(), w.end(), [](const auto& o) { return o.name == "workers"; });
    };
    if (names(mapping_.defaults_written)) return true;
    return std::any_of(mapping_.tables.begin(), mapping_.tables.end(), [&](const auto& t) { return names(t.written); });
  }

  /// The default worker count (one per core) stays below the target's free connection
  /// slots, keeping one for the coordinator and one spare for an operator: a default that
  /// fails with "too many clients" would be no default. A count the user chose is kept,
  /// and such a failure then names the setting.
  void fit_workers_to_the_server() {
    try {
      // The server's slots, and for a role that is not a superuser its own and its
      // database's CONNECTION LIMIT, each less the sessions already using it.
      auto r = target_->query(
          "SELECT least(current_setting('max_connections')::int - "
          "current_setting('superuser_reserved_connections')::int - "
          "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), "
          "CASE WHEN r.rolconnlimit >= 0 AND NOT r.rolsuper THEN r.rolconnlimit - "
          "(SELECT count(*) FROM pg_stat_activity WHERE usename = current_user) END, "
          "CASE WHEN d.datconnlimit >= 0 AND NOT r.rolsuper THEN d.datconnlimit - "
          "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) END) "
          "FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()");
      if (r.empty() || !r[0][0]) return;
      const int free_slots = std::stoi(*r[0][0]) - 1;
      if (free_slots < workers_wanted_) {
        const int fitted = std::max(1, free_slots);
        log("warning", "workers", {{"workers", fitted}},
            fmt::format("the target has {} free connection{}: using {} worker{} instead of {} (one per core); "
                        "set workers: in the mapping or --workers to choose",
                        std::max(0, free_slots + 1), free_slots + 1 == 1 ? "" : "s", fitted, fitted == 1 ? "" : "s",
                        workers_wanted_));
        workers_wanted_ = fitted;
      }
    } catch (const util::DbError&) {
      // Statistics the role may not read: keep the default.
    }
  }

  void log(const std::string& level, const std::string& action, const json& fields, const std::string& text) {
    if (level == "debug" && !options_.verbose) return;
    if (options_.quiet && level != "error") return;
    progress_.event(level, action, fields, text);
  }

  /// Table start and end, for programs (JSON only): text has the progress lines.
  void table_event(const TableRun& t, const std::string& action) {
    json fields = {{"table", t.progress.name}, {"mode", config::to_string(t.plan.options.mode)},
                   {"chunks", t.state.chunks.size()}};
    if (t.state.run_id) fields["state_run_id"] = t.state.run_id;
    std::string level = "info";
    if (action == "table-start") {
      fields["chunks_done"] = t.skipped;
      fields["resumed"] = t.state.resumed;
    } else {
      fields["status"] = t.failed ? "failed" : (t.finished ? "done" : "interrupted");
      fields["rows"] = t.rows;
      fields["chunks_done"] = t.progress.chunks_done;
      if (t.failed) {
        fields["error"] = t.error;
        level = "error";
      }
    }
    const std::string message = action == "table-start"
                                    ? fmt::format("{} started: {} chunks, {} done before", t.progress.name,
                                                  t.state.chunks.size(), t.skipped)
                                    : fmt::format("{} {}: {} rows", t.progress.name, fields["status"].get<std::string>(),
                                                  t.rows);
    if (!options_.quiet || level == "error")
      util::log_json_event(level == "error" ? util::LogLevel::error : util::LogLevel::info, action, message, fields);
  }

  void prepare() {
    auto src = source::connect(mapping_.source, source::Side::source);
    target_ = source::connect(mapping_.target, source::Side::target);
    target_->execute("SET lock_timeout = '60s'");
    // A host cut off from the target notices it, and the target drops its session, as for workers.
    set_lease_socket_options(*target_, mapping_.lease_seconds);
    target_->query(lease_session_sql(mapping_.lease_seconds));
    state_ = std::make_unique<State>(*target_, mapping_.state_schema);
    state_->ensure();
    std::vector<TableRun> unplanned;  // tables whose own SQL failed: they fail, the others go on
    auto plan = plan::build_plan(
        mapping_, *src, *target_,
        [&](plan::TablePlan& t) {
          // A full run with a watermark column records where its copy ends, so that an
          // incremental run after it starts there rather than copying everything again.
          // A run being joined or resumed has its chunks in the state already: cutting
          // the table again would cost a scan of the source for nothing.
          t.chunks_from_state = state_->joinable(t, options_.run_name, options_.restart);
          const bool full_with_watermark = t.options.mode == config::Mode::full && t.options.watermark;
          if (t.options.mode != config::Mode::incremental && !full_with_watermark) return;
          if (full_with_watermark) {
            auto open = options_.restart ? std::nullopt : state_->open_run(t);
            plan::apply_watermark_window(t, *src, std::nullopt, open ? open->watermark_to : std::nullopt);
            return;
          }
          // A resumed run keeps its window; a new one starts where the last one ended.
          auto open = options_.restart ? std::nullopt : state_->open_run(t);
          if (open)
            plan::apply_watermark_window(t, *src, open->watermark_from, open->watermark_to);
          else
            plan::apply_watermark_window(t, *src, state_->last_watermark(t), std::nullopt);
        },
        [&](const config::TableMapping& entry, const util::DbError& e) {
          TableRun t;
          std::tie(t.plan.target_schema, t.plan.target_table) = plan::target_name(entry);
          t.plan.source_display = entry.source;
          t.plan.options = entry.options;
          t.progress.name = t.plan.target_display();
          t.progress.finished = true;
          t.failed = t.finished = true;
          t.error = util::without_row_data(e.what());
          unplanned.push_back(std::move(t));
        });
    src.reset();
    for (auto& p : plan.tables) {
      for (const auto& w : p.warnings) log("warning", "plan", {{"table", p.target_display()}}, w);
      TableRun t;
      t.plan = std::move(p);
      auto& tp = t.plan;
      t.state = state_->start_or_resume(tp, options_.restart, options_.run_name, [&] { prepare_target(tp); });
      t.progress.name = tp.target_display();
      if (t.state.already_done) {
        // Another process finished this named run: its totals, nothing to copy or change.
        const auto r = state_->finish_run(tp, t.state.run_id, true, "", [] {});
        t.rows = t.progress.rows = r.rows;
        t.inserted = r.inserted;
        t.updated = r.updated;
        t.unchanged = r.unchanged;
        t.rejected = r.rejected;
        t.finished = t.progress.finished = t.complete = true;
        log("info", "already-done", {{"table", t.progress.name}, {"run", t.state.run_id}, {"run_name", options_.run_name}},
            fmt::format("{}: run '{}' is done already (run {}, {} rows): nothing to do", t.progress.name,
                        options_.run_name, t.state.run_id, format_count(r.rows)));
        tables_.push_back(std::move(t));
        table_event(tables_.back(), "table-end");
        continue;
      }
      if (t.state.resumed && t.state.finish_sql) tp.index_sql = *t.state.finish_sql;
      t.progress.estimated = tp.estimated_rows;
      t.progress.chunks_total = static_cast<int>(t.state.chunks.size());
      t.rows_per_second = tp.options.rows_per_second;
      const int index = static_cast<int>(tables_.size());
      for (std::size_t c = 0; c < t.state.chunks.size(); ++c) {
        const auto& cs = t.state.chunks[c];
        t.index_of[cs.chunk.id] = static_cast<int>(c);
        if (cs.status == ChunkStatus::done) {
          t.rows += cs.rows;
          t.skipped++;
          t.progress.chunks_done++;
        }
      }
      t.left_when_asked = static_cast<std::int64_t>(t.state.chunks.size()) - t.skipped;
      t.done_here = t.skipped;
      t.complete = remaining(t) == 0;
      for (const auto& cs : t.state.chunks) {
        t.inserted += cs.inserted;
        t.updated += cs.updated;
        t.unchanged += cs.unchanged;
        t.rejected += cs.rejected;  // max_rejects counts the whole run, resumed or not
      }
      const std::int64_t rejected_before = t.rejected;
      t.progress.rows = t.rows;
      if (t.state.joined)
        log("info", "join", {{"table", t.progress.name}, {"run", t.state.run_id}},
            fmt::format("{}: joining run {}{} (running, maybe on other hosts): {} of {} chunks done so far",
                        t.progress.name, t.state.run_id,
                        options_.run_name.empty() ? "" : " '" + options_.run_name + "'", t.skipped,
                        t.state.chunks.size()));
      else if (t.state.resumed)
        log("info", "resume", {{"table", t.progress.name}, {"run", t.state.run_id}},
            fmt::format("{}: resuming run {}: {} of {} chunks already done", t.progress.name, t.state.run_id,
                        t.skipped, t.state.chunks.size()));
      tables_.push_back(std::move(t));
      table_event(tables_.back(), "table-start");
      const auto limit = tables_.back().plan.options.max_rejects;
      if (limit && rejected_before > *limit)
        fail_table(index, fmt::format("{} rows rejected (max_rejects {}) in the chunks already done; see {}.rejects, "
                                      "then raise max_rejects or fix the rows and run with --restart",
                                      rejected_before, *limit, mapping_.state_schema));
    }
    for (auto& t : unplanned) {
      log("error", "table-failed", {{"table", t.progress.name}, {"error", t.error}},
          fmt::format("{} failed: {}", t.progress.name, t.error));
      tables_.push_back(std::move(t));
      table_event(tables_.back(), "table-end");
    }
    if (options_.metrics) {
      // From the state, so that a table that fails now still shows when it last worked.
      const auto last = state_->last_successes();
      with_metrics([&](metrics::MappingSeries& m) {
        for (const auto& t : tables_)
          if (auto it = last.find(t.progress.name); it != last.end()) m.tables[t.progress.name].last_success = it->second;
      });
      publish();
    }
  }

  /// First step of a new run, in the transaction that records it.
  void prepare_target(const plan::TablePlan& tp) {
    const std::string qualified = target::pg_quote_qualified(tp.target_schema, tp.target_table);
    const auto mode = tp.options.mode;
    if (!tp.create_sql.empty()) {
      target_->execute("CREATE SCHEMA IF NOT EXISTS " + target::pg_quote(tp.target_schema));
      if (tp.target_exists) target_->execute("DROP TABLE " + qualified);
      target_->execute(tp.create_sql);
    }
    if (!tp.alter_sql.empty()) target_->execute(tp.alter_sql);  // in the run's first transaction
    if (mode == config::Mode::full && tp.options.swap) {
      // Readers keep the old rows until the swap at the end of the run.
      const std::string shadow = target::pg_quote_qualified(tp.target_schema, tp.swap_table());
      target_->execute("DROP TABLE IF EXISTS " + shadow);
      target_->execute("CREATE TABLE " + shadow + " (LIKE " + qualified + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
    } else if (mode == config::Mode::full && tp.create_sql.empty()) {
      target_->execute("TRUNCATE " + qualified);
    } else if (mode == config::Mode::mirror) {
      const auto& st = *tp.options.stale;
      target_->execute("UPDATE " + qualified + " SET " + target::pg_quote(st.column) + " = CAST(" +
                       target::pg_literal(st.value) + " AS " + tp.stale_type + ")");
    }
  }

  /// Last step of a successful run, in the transaction that marks it done.
  void finalize_target(TableRun& t) {
    const auto& tp = t.plan;
    const std::string qualified = target::pg_quote_qualified(tp.target_schema, tp.target_table);
    for (const auto& sql : tp.index_sql) target_->execute(sql);
    if (tp.options.mode == config::Mode::full && tp.options.swap) {
      // TRUNCATE + INSERT rather than renames: the original table keeps its indexes,
      // grants, triggers and the views that depend on it; readers see old or new rows.
      const std::string shadow = target::pg_quote_qualified(tp.target_schema, tp.swap_table());
      target_->execute("LOCK TABLE " + qualified + " IN ACCESS EXCLUSIVE MODE");
      target_->execute("TRUNCATE " + qualified);
      target_->execute("INSERT INTO " + qualified + " SELECT * FROM " + shadow);
      target_->execute("DROP TABLE " + shadow);
    } else if (tp.options.mode == config::Mode::mirror) {
      const auto& st = *tp.options.stale;
      std::string key = "jsonb_build_array(";
      for (std::size_t i = 0; i < tp.key_target.size(); ++i)
        key += (i ? ", " : "") + target::pg_quote(tp.key_target[i]) + "::text";
      key += ")";
      const std::string stale = target::pg_quote(st.column) + " = CAST(" + target::pg_literal(st.value) + " AS " +
                                tp.stale_type + ")";
      const std::string rows = tp.options.obsolete == config::Obsolete::remove
                                   ? "DELETE FROM " + qualified + " WHERE " + stale + " RETURNING " + key + " AS k"
                                   : "SELECT " + key + " AS k FROM " + qualified + " WHERE " + stale;
      auto r = target_->query("WITH d AS (" + rows + ") SELECT count(*), coalesce((SELECT jsonb_agg(k) FROM "
                              "(SELECT k FROM d LIMIT 10) s), '[]') FROM d");
      t.removed = std::stoll(r[0][0].value_or("0"));
      t.samples["removed"] = json::parse(r[0][1].value_or("[]"));
    }
  }

  // ---- workers ----

  void spawn() {
    auto w = std::make_unique<WorkerProc>(io_);
    // A worker's stderr comes here, not to ours: every line the user sees is written by
    // the logger, so --log-format json holds for what a driver or library prints too.
    auto err = std::make_shared<WorkerStderr>(io_);
    w->child = bp::child(bp::exe = options_.self_exe, bp::args = std::vector<std::string>{"worker", mapping_.file},
                         bp::std_in < w->in, bp::std_out > w->out, bp::std_err > err->pipe);
    w->pid = w->child.id();
    err->pid = w->pid;
    read_stderr(err);
    WorkerProc* raw = w.get();
    workers_.push_back(std::move(w));
    log("debug", "worker-started", {{"worker", raw->pid}}, fmt::format("worker {} started", raw->pid));
    read_next(raw);
  }

  void read_next(WorkerProc* w) {
    asio::async_read_until(w->out, w->buf, '\n', [this, w](boost::system::error_code ec, std::size_t) {
      if (ec) {
        on_worker_exit(w);
        return;
      }
      std::istream is(&w->buf);
      std::string line;
      std::getline(is, line);
      on_message(w, line);
      read_next(w);
    });
  }

  void read_stderr(const std::shared_ptr<WorkerStderr>& err) {
    asio::async_read_until(err->pipe, err->buf, '\n', [this, err](boost::system::error_code ec, std::size_t) {
      std::istream is(&err->buf);
      std::string line;
      // At the end, a last line without its newline is still shown.
      while (err->buf.size() > 0 && std::getline(is, line)) {
        if (ec && line.empty()) continue;
        log("warning", "worker-output", {{"worker", err->pid}, {"output", line}},
            fmt::format("worker {}: {}", err->pid, line));
        if (!ec) break;
      }
      if (!ec) read_stderr(err);
    });
  }

  bool send(WorkerProc* w, const json& j) {
    std::string line = j.dump() + "\n";
    boost::system::error_code ec;
    asio::write(w->in, asio::buffer(line), ec);
    return !ec;
  }

  void close_worker(WorkerProc* w) {
    if (w->closing) return;
    w->closing = true;
    boost::system::error_code ec;
    w->in.close(ec);
  }

  void on_worker_exit(WorkerProc* w) {
    std::error_code ec;
    w->child.wait(ec);
    int status = w->child.native_exit_code();
    std::string how = WIFSIGNALED(status) ? fmt::format("was killed by signal {}", WTERMSIG(status))
                                          : fmt::format("exited with code {}", WEXITSTATUS(status));
    if (w->task) {
      Task task = *w->task;
      w->task.reset();
      chunk_error(task, w, fmt::format("worker {} {} during the chunk", w->pid, how), true);
    } else if (!w->closing) {
      log("warning", "worker-exited", {{"worker", w->pid}}, fmt::format("worker {} {}", w->pid, how));
    }
    workers_.remove_if([w](const auto& p) { return p.get() == w; });
    dispatch();
    check_done();
  }

  // ---- messages ----

  void on_message(WorkerProc* w, const std::string& line) {
    json m = json::parse(line, nullptr, false);
    if (m.is_discarded() || !m.is_object()) return;
    const std::string type = m.value("type", "");
    if (!w->task) {
      if (type == "error")
        log("error", "worker-error", m, fmt::format("worker {}: {}", w->pid, m.value("error", "")));
      return;
    }
    Task& task = *w->task;
    auto& t = tables_[task.table];
    if (type == "chunk-started") {
      auto it = t.index_of.find(m.value("chunk", -1));
      if (it == t.index_of.end()) return;
      task.chunk = it->second;
      t.state.chunks[task.chunk].attempts = m.value("attempts", 0);
    } else if (type == "no-chunk") {
      const Task done = task;
      w->task.reset();
      t.in_flight--;
      t.claim_errors = 0;
      t.left_when_asked = std::min<std::int64_t>(t.left_when_asked, m.value("remaining", std::int64_t{0}));
      if (m.value("failed", 0) > 0 && !t.failed) {
        // Another host's chunk ran out of tries: the run has failed for every host.
        fail_table(done.table, "chunk " + m.value("failed_error", std::string("?")));
      } else if (remaining(t) == 0) {
        t.complete = true;
      } else {
        // The chunks left are held by other processes (or wait to be retried): ask again
        // shortly, since a host that dies gives its chunk back.
        t.claim_after = Clock::now() + kClaimPoll;
      }
      maybe_finish_table(done.table);
      fit_to_wanted(w);
      dispatch();
      check_done();
    } else if (type == "batch-completed") {
      std::int64_t n = m.value("count", 0);
      w->inflight_rows += n;
      t.progress.rows += n;
      if (options_.log_format == LogFormat::json)
        log("info", "batch-completed", {{"table", t.progress.name}, {"chunk", m.value("chunk", 0)},
                                        {"worker", w->pid}, {"count", n}, {"duration_ms", m.value("duration_ms", 0)}},
            fmt::format("{} chunk {}: {} rows copied", t.progress.name, m.value("chunk", 0), n));
    } else if (type == "chunk-completed") {
      if (task.chunk < 0) return;
      const Task done = task;
      auto& cs = t.state.chunks[done.chunk];
      cs.status = ChunkStatus::done;
      cs.rows = m.value("count", 0);
      t.progress.rows += cs.rows - w->inflight_rows;
      t.rows += cs.rows;
      t.inserted += m.value("inserted", 0);
      t.updated += m.value("updated", 0);
      t.unchanged += m.value("unchanged", 0);
      t.rejected += m.value("rejected", 0);
      for (const char* kind : {"inserted", "updated"}) {
        auto& list = t.samples[kind];
        for (const auto& k : m.value(std::string(kind) + "_keys", json::array()))
          if (list.size() < 10) list.push_back(k);
      }
      for (const auto& r : m.value("rejects", json::array()))
        if (t.rejects.size() < 10) t.rejects.push_back(r.get<std::string>());
      t.done_here++;
      t.progress.chunks_done = std::max(t.done_here, t.done_in_state);
      t.in_flight--;
      t.claim_errors = 0;
      if (remaining(t) == 0) t.complete = true;
      w->task.reset();
      w->inflight_rows = 0;
      with_metrics([&](metrics::MappingSeries& ms) {
        ms.tables[t.progress.name].chunk_duration.observe(m.value("duration_ms", 0.0) / 1000.0);
      });
      publish();
      log(options_.verbose ? "info" : "debug", "chunk-completed",
          {{"table", t.progress.name}, {"chunk", cs.chunk.id}, {"worker", w->pid}, {"count", cs.rows},
           {"duration_ms", m.value("duration_ms", 0)}},
          fmt::format("{} chunk {} done by worker {}: {} rows", t.progress.name, cs.chunk.id, w->pid, cs.rows));
      const auto limit = t.plan.options.max_rejects;
      if (limit && t.rejected > *limit && !t.failed) {
        fail_table(done.table, fmt::format("{} rows rejected (max_rejects {}); first: {}; see {}.rejects", t.rejected,
                                           *limit, t.rejects.empty() ? "" : t.rejects.front(), mapping_.state_schema));
      } else if (m.value("rejected", 0) > 0) {
        log("warning", "rejects", {{"table", t.progress.name}, {"chunk", cs.chunk.id}, {"count", m.value("rejected", 0)}},
            fmt::format("{} chunk {}: {} rows rejected, e.g. {}", t.progress.name, cs.chunk.id, m.value("rejected", 0),
                        t.rejects.empty() ? "" : t.rejects.front()));
      }
      maybe_finish_table(done.table);
      fit_to_wanted(w);
      dispatch();
      check_done();
    } else if (type == "error") {
      const Task failed = task;
      w->task.reset();
      chunk_error(failed, w, m.value("error", "unknown error"), m.value("retryable", false));
      fit_to_wanted(w);
      dispatch();
      check_done();
    }
  }

  /// Exponential backoff with jitter: 0.5s, 1s, 2s ... capped at 30s.
  std::chrono::milliseconds backoff(int attempt) {
    double base = std::min(30.0, 0.5 * (1 << std::min(std::max(attempt, 1) - 1, 6)));
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return std::chrono::milliseconds(static_cast<int>(1000 * base * jitter(rng_)));
  }

  void chunk_error(const Task& task, WorkerProc* w, const std::string& error, bool retryable) {
    auto& t = tables_[task.table];
    t.progress.rows -= w->inflight_rows;
    w->inflight_rows = 0;
    t.in_flight--;
    const int max_attempts = std::max(1, t.plan.options.max_attempts);
    with_metrics([&](metrics::MappingSeries& m) { m.tables[t.progress.name].chunks_failed++; });
    if (task.chunk < 0) {
      // Before any chunk was held (connecting, claiming): the table waits and tries again.
      t.claim_errors++;
      if (retryable && t.claim_errors < max_attempts && !stopping_ && !t.failed) {
        const auto delay = backoff(t.claim_errors);
        t.claim_after = Clock::now() + delay;
        t.retries++;
        log("warning", "retry", {{"table", t.progress.name}, {"worker", w->pid}, {"attempt", t.claim_errors},
                                 {"error", error}},
            fmt::format("{}: taking a chunk failed (attempt {}/{}), retrying in {}ms: {}", t.progress.name,
                        t.claim_errors, max_attempts, delay.count(), error));
        return;
      }
      if (!t.failed && !stopping_)
        fail_table(task.table, retryable ? fmt::format("taking a chunk failed {} times; last error: {}",
                                                       t.claim_errors, error)
                                         : error);
      maybe_finish_table(task.table);
      return;
    }
    auto& cs = t.state.chunks[task.chunk];
    // Stopping: the chunk stays pending for the run that resumes, its tries not spent.
    const bool give_up = !stopping_ && !t.failed && !retryable;
    const auto delay = backoff(cs.attempts + 1);
    std::optional<State::ChunkFailure> recorded;
    with_state([&] {
      recorded = state_->chunk_failed(t.state.run_id, cs.chunk.id, error, !give_up,
                                      stopping_ || t.failed ? 1000000 : max_attempts, delay.count() / 1000.0);
    });
    cs.attempts = recorded ? recorded->attempts : cs.attempts + 1;
    if (stopping_ || t.failed) {
      maybe_finish_table(task.table);
      return;
    }
    if (!recorded || !recorded->failed) {
      t.retries++;
      publish();
      log("warning", "retry", {{"table", t.progress.name}, {"chunk", cs.chunk.id}, {"worker", w->pid},
                               {"attempt", cs.attempts}, {"error", error}},
          fmt::format("{} chunk {} attempt {}/{} failed, retrying in {}ms: {}", t.progress.name, cs.chunk.id,
                      cs.attempts, max_attempts, delay.count(), error));
      return;
    }
    fail_table(task.table, retryable ? fmt::format("chunk {} failed {} times; last error: {}", cs.chunk.id,
                                                   cs.attempts, error)
                                     : fmt::format("chunk {}: {}", cs.chunk.id, error));
    maybe_finish_table(task.table);
  }

  void fail_table(int index, const std::string& error) {
    auto& t = tables_[index];
    t.failed = true;
    t.error = error;
    log("error", "table-failed", {{"table", t.progress.name}, {"error", error}},
        fmt::format("{} failed: {}", t.progress.name, t.error));
  }

  void maybe_finish_table(int index) {
    auto& t = tables_[index];
    if (t.finished || t.closed || t.in_flight > 0) return;
    if (!t.complete && !t.failed) {
      if (!stopping_) return;
      // Interrupted: left resumable, neither done nor failed.
      t.closed = true;
      with_state([&] { state_->interrupt_run(t.state.run_id, host_, getpid()); });
      table_event(t, "table-end");
      return;
    }
    t.finished = true;
    t.progress.finished = true;
    t.finished_at = Clock::now();
    // The totals are the run's committed chunks: other processes may have copied some.
    const auto take = [&t](const State::RunTotals& r) {
      t.progress.rows = t.rows = r.rows;
      t.inserted = r.inserted;
      t.updated = r.updated;
      t.unchanged = r.unchanged;
      t.rejected = r.rejected;
    };
    with_state([&] {
      try {
        take(state_->finish_run(t.plan, t.state.run_id, !t.failed, t.error, [&] { finalize_target(t); }));
      } catch (const util::DbError& e) {
        if (e.retryable() || t.failed) throw;
        // The final step itself failed (a swap or a mirror delete): the table failed.
        t.failed = true;
        t.error = std::string("final step failed: ") + util::without_row_data(e.what());
        take(state_->finish_run(t.plan, t.state.run_id, false, t.error, [] {}));
      }
    });
    if (!t.failed)
      with_metrics([&](metrics::MappingSeries& m) { m.tables[t.progress.name].last_success = metrics::unix_now(); });
    table_event(t, "table-end");
    publish();
  }

  // ---- scheduling ----

  /// Chunks of the table not done yet, at most: what a claim last found, less what is known
  /// done since (here or in the state, whichever knows more).
  static std::int64_t remaining(const TableRun& t) {
    const auto total = static_cast<std::int64_t>(t.state.chunks.size());
    return std::max<std::int64_t>(0, std::min(t.left_when_asked, total - std::max(t.done_here, t.done_in_state)));
  }

  /// Whether a worker may be sent to claim a chunk of table `i` now.
  bool claimable(const TableRun& t, Clock::time_point now) const {
    return !t.finished && !t.closed && !t.failed && !t.complete && now >= t.claim_after && t.in_flight < remaining(t);
  }

  bool active(const TableRun& t) const { return !t.finished && !t.closed; }

  /// One worker too many after `replicate scale` lowered the count: it stops once idle.
  void fit_to_wanted(WorkerProc* w) {
    if (w->task || w->closing) return;
    const auto open = std::count_if(workers_.begin(), workers_.end(), [](const auto& p) { return !p->closing; });
    if (open > workers_wanted_) close_worker(w);
  }

  void dispatch() {
    if (stopping_) {
      for (auto& w : workers_)
        if (!w->task) close_worker(w.get());
      return;
    }
    const auto now = Clock::now();
    const auto next_table = [&]() -> int {
      // Round robin, so that tables share the workers rather than wait for each other.
      for (std::size_t k = 0; k < tables_.size(); ++k) {
        const int i = static_cast<int>((next_table_ + k) % tables_.size());
        if (claimable(tables_[i], now)) {
          next_table_ = static_cast<std::size_t>(i + 1);
          return i;
        }
      }
      return -1;
    };
    const auto hand_out = [&] {
      for (auto& wp : workers_) {
        if (wp->task || wp->closing) continue;
        const int i = next_table();
        if (i < 0) break;
        start_claim(wp.get(), i);
      }
    };
    hand_out();
    // Chunks left that no worker here is after: start workers up to the wanted number.
    std::int64_t wanted = 0;
    for (const auto& t : tables_)
      if (claimable(t, now)) wanted += remaining(t) - t.in_flight;
    for (std::int64_t i = 0; i < wanted && static_cast<int>(workers_.size()) < workers_wanted_; ++i) spawn();
    if (wanted > 0) hand_out();
    const bool any_active = std::any_of(tables_.begin(), tables_.end(), [&](const auto& t) { return active(t); });
    for (auto& w : workers_)
      if (!w->task && (!any_active)) close_worker(w.get());
    for (auto& w : workers_) fit_to_wanted(w.get());
  }

  void start_claim(WorkerProc* w, int index) {
    auto& t = tables_[index];
    t.in_flight++;
    if (!t.first_dispatch) {
      t.first_dispatch = Clock::now();
      t.progress.started = *t.first_dispatch;
    }
    w->task = Task{index, -1};
    w->inflight_rows = 0;
    bool ok = true;
    if (!w->tables_sent.count(index)) {
      ok = send(w, {{"type", "table"}, {"table", index}, {"plan", json::parse(plan::to_json(t.plan))}});
      w->tables_sent.insert(index);
    }
    w->rate = rate_share(t);
    ok = ok && send(w, {{"type", "claim"}, {"table", index}, {"run", t.state.run_id}, {"claimer", claimer()},
                        {"rows_per_second", w->rate}});
    // A failed write means the worker is gone: its exit handler hands the table back.
    (void)ok;
  }

  void check_done() {
    for (std::size_t i = 0; i < tables_.size(); ++i) maybe_finish_table(static_cast<int>(i));
    if (std::any_of(tables_.begin(), tables_.end(), [&](const auto& t) { return active(t); })) return;
    for (auto& w : workers_)
      if (!w->task) close_worker(w.get());
    if (!workers_.empty()) return;
    done_ = true;
    timer_.cancel();
    boost::system::error_code ec;
    signals_.cancel(ec);
  }

  // ---- other hosts ----

  /// This process as it claims chunks and marks them done: host:pid.
  const std::string& claimer() const { return claimer_; }

  /// A worker's part of its table's speed limit: the limit shared by every worker copying
  /// the run on every live host (this process's own count until the others are heard of).
  double rate_share(const TableRun& t) const {
    if (!t.rows_per_second || *t.rows_per_second <= 0) return 0;
    const int busy = std::max({1, t.busy_everywhere, t.in_flight});
    return *t.rows_per_second / busy;
  }

  /// Every second: tell the other hosts what this one does, and hear what changed (chunks
  /// they finished, the speed limit, the worker count, a run failed elsewhere).
  void beat() {
    std::vector<State::HostBeat> beats;
    for (const auto& t : tables_)
      if (active(t) && t.state.run_id)
        beats.push_back({t.state.run_id, static_cast<int>(workers_.size()), t.in_flight});
    if (beats.empty()) return;
    std::vector<State::RunPulse> pulses;
    with_state([&] { pulses = state_->heartbeat(beats, host_, getpid()); });
    std::optional<int> wanted;
    for (const auto& p : pulses) {
      for (std::size_t i = 0; i < tables_.size(); ++i) {
        auto& t = tables_[i];
        if (t.state.run_id != p.run_id || !active(t)) continue;
        t.done_in_state = std::max(t.done_in_state, p.chunks_done);
        if (remaining(t) == 0) t.complete = true;
        // Rows other hosts committed count too (this process's own are counted as they go).
        t.progress.rows = std::max(t.progress.rows, p.rows_done);
        t.progress.chunks_done = std::max(t.done_here, t.done_in_state);
        if (p.status == "failed" && !t.failed)
          fail_table(static_cast<int>(i), "the run failed on another host; see replicate status");
        if (t.rows_per_second != p.rows_per_second) {
          if (t.rows_per_second || p.rows_per_second)
            log("info", "throttle", {{"table", t.progress.name}, {"rows_per_second", p.rows_per_second.value_or(0)}},
                p.rows_per_second ? fmt::format("{}: speed limit now {} rows/s", t.progress.name,
                                                format_count(static_cast<std::int64_t>(*p.rows_per_second)))
                                  : fmt::format("{}: speed limit removed", t.progress.name));
          t.rows_per_second = p.rows_per_second;
        }
        t.busy_everywhere = p.busy;
        if (p.workers_per_host) wanted = std::max(wanted.value_or(0), *p.workers_per_host);
        const double share = rate_share(t);
        for (auto& w : workers_)
          if (w->task && w->task->table == static_cast<int>(i) && std::abs(w->rate - share) > 0.01 * share + 1e-9) {
            w->rate = share;
            send(w.get(), {{"type", "throttle"}, {"rows_per_second", share}});
          }
      }
    }
    if (wanted && *wanted != workers_wanted_) {
      log("info", "scale", {{"workers", *wanted}},
          fmt::format("workers: {} (was {}), as `replicate scale` set", *wanted, workers_wanted_));
      workers_wanted_ = *wanted;
    }
    last_beat_ = Clock::now();
  }

  void leave() {
    std::vector<std::int64_t> ids;
    for (const auto& t : tables_)
      if (t.state.run_id) ids.push_back(t.state.run_id);
    if (ids.empty()) return;
    try {
      state_->leave(ids, host_, getpid());
    } catch (const std::exception&) {
      // The target is gone: the other hosts see this one fall silent instead.
    }
  }

  void arm_timer() {
    timer_.expires_after(std::chrono::milliseconds(200));
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || done_) return;
      if (Clock::now() - last_beat_ >= kBeat) beat();
      progress_.tick(progress_rows());
      publish(true);
      dispatch();
      check_done();
      if (!done_) arm_timer();
    });
  }

  void on_signal(boost::system::error_code ec, int sig) {
    if (ec || done_) return;
    if (!stopping_) {
      stopping_ = true;
      interrupted_ = true;
      log("warning", "interrupt", {{"signal", sig}},
          "interrupted: letting chunks in flight finish; run the same command again to resume "
          "(signal again to stop at once)");
      dispatch();
      check_done();
    } else {
      log("warning", "interrupt", {{"signal", sig}}, "stopping now: chunks in flight are rolled back");
      for (auto& w : workers_) {
        std::error_code e;
        w->child.terminate(e);
      }
    }
    if (!done_) signals_.async_wait([this](auto e, int s) { on_signal(e, s); });
  }

  /// State bookkeeping survives a restarted target: reconnect once and retry.
  template <class F>
  void with_state(F&& f) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      try {
        f();
        return;
      } catch (const util::DbError& e) {
        if (!e.retryable()) {
          log("warning", "state", {{"error", e.what()}}, std::string("cannot record state: ") + e.what());
          return;
        }
        try {
          target_ = source::connect(mapping_.target, source::Side::target);
          state_ = std::make_unique<State>(*target_, mapping_.state_schema);
        } catch (const std::exception&) {
          std::this_thread::sleep_for(std::chrono::seconds(1 << attempt));
        }
      }
    }
  }

  // ---- metrics ----

  /// Calls f(MappingSeries&) for this mapping's series when metrics are wanted.
  template <class F>
  void with_metrics(F&& f) {
    if (options_.metrics) options_.metrics->update(options_.metrics_mapping, f);
  }

  /// Bytes of resident memory of process `pid` (0 once it is gone).
  static std::int64_t resident_bytes(int pid) {
    std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
    std::int64_t size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    return resident * sysconf(_SC_PAGESIZE);
  }

  /// The tables' numbers into the registry; `memory`: the workers' memory too (reads /proc).
  void publish(bool memory = false) {
    if (!options_.metrics) return;
    std::vector<std::int64_t> in_flight(tables_.size(), 0);
    std::int64_t rss_sum = 0, rss_max = 0;
    for (const auto& w : workers_) {
      if (w->task) in_flight[w->task->table] += w->inflight_rows;
      if (!memory) continue;
      const auto rss = resident_bytes(w->pid);
      rss_sum += rss;
      rss_max = std::max(rss_max, rss);
    }
    with_metrics([&](metrics::MappingSeries& m) {
      for (std::size_t i = 0; i < tables_.size(); ++i) {
        const auto& t = tables_[i];
        auto& s = m.tables[t.progress.name];
        metrics::raise(s.rows_copied, t.rows);
        metrics::raise(s.rows_rejected, t.rejected);
        metrics::raise(s.chunks_done, t.progress.chunks_done);
        metrics::raise(s.chunks_retried, t.retries);
        s.rows_in_flight = in_flight[i];
        s.chunks_planned = static_cast<std::int64_t>(t.state.chunks.size());
      }
      m.workers = static_cast<int>(workers_.size());
      if (memory) {
        m.workers_rss_bytes = rss_sum;
        metrics::raise(m.worker_peak_rss_bytes, rss_max);
      }
    });
  }

  std::vector<TableProgress> progress_rows() const {
    std::vector<TableProgress> out;
    for (const auto& t : tables_) out.push_back(t.progress);
    return out;
  }

  RunSummary summary() {
    progress_.clear();
    RunSummary s;
    s.interrupted = interrupted_;
    for (const auto& t : tables_) {
      TableSummary ts;
      ts.table = t.progress.name;
      ts.rows = t.rows;
      ts.chunks = static_cast<int>(t.state.chunks.size());
      ts.chunks_skipped = t.skipped;
      ts.retries = t.retries;
      ts.error = t.error;
      ts.state_run_id = t.state.run_id;
      ts.status = t.failed ? "failed" : (t.finished ? "done" : "interrupted");
      ts.mode = config::to_string(t.plan.options.mode);
      ts.inserted = t.inserted;
      ts.updated = t.updated;
      ts.unchanged = t.unchanged;
      ts.removed = t.removed;
      ts.rejected = t.rejected;
      ts.samples = t.samples;
      ts.rejects = t.rejects;
      if (t.first_dispatch)
        ts.seconds = std::chrono::duration<double>((t.finished ? t.finished_at : Clock::now()) - *t.first_dispatch).count();
      s.tables.push_back(ts);
      if (t.failed) s.exit_code = util::exit_table_failed;
    }
    if (interrupted_ && s.exit_code == 0) s.exit_code = util::exit_interrupted;
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);  // ru_maxrss of the largest waited-for child
    s.coordinator_peak_rss_kb = self.ru_maxrss;
    s.worker_peak_rss_kb = children.ru_maxrss;
    return s;
  }

  const config::Mapping& mapping_;
  RunOptions options_;
  Progress progress_;
  asio::io_context io_;
  asio::steady_timer timer_;
  asio::signal_set signals_;
  std::unique_ptr<source::Connection> target_;
  std::unique_ptr<State> state_;
  std::vector<TableRun> tables_;
  std::size_t next_table_ = 0;
  std::string host_ = local_host_name();
  std::string claimer_ = host_ + ":" + std::to_string(::getpid());
  Clock::time_point last_beat_{};
  std::list<std::unique_ptr<WorkerProc>> workers_;
  int workers_wanted_ = 1;
  bool stopping_ = false;
  bool interrupted_ = false;
  bool done_ = false;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace

RunSummary run_mapping(const config::Mapping& mapping, const RunOptions& options) {
  Coordinator c(mapping, options);
  return c.run();
}

std::string format_summary(const RunSummary& s) {
  std::string out = fmt::format("{:<32} {:<11} {:>12} {:>9} {:>7} {:>9} {:>11}\n", "table", "status", "rows",
                                "chunks", "retries", "seconds", "rows/s");
  std::int64_t rows = 0;
  double secs = 0;
  for (const auto& t : s.tables) {
    double rate = t.seconds > 0 ? (t.rows) / t.seconds : 0;
    std::string chunks = t.chunks_skipped ? fmt::format("{}({} old)", t.chunks, t.chunks_skipped) : std::to_string(t.chunks);
    out += fmt::format("{:<32} {:<11} {:>12} {:>9} {:>7} {:>9.2f} {:>11}\n", t.table, t.status, format_count(t.rows),
                       chunks, t.retries, t.seconds, format_count(static_cast<std::int64_t>(rate)));
    if (t.mode != "full" && t.status == "done")
      out += fmt::format("  {}: {} inserted, {} updated, {} unchanged, {} removed\n", t.mode, format_count(t.inserted),
                         format_count(t.updated), format_count(t.unchanged), format_count(t.removed));
    if (t.rejected) out += fmt::format("  {} rows rejected (see the rejects table), e.g. {}\n", format_count(t.rejected),
                                       t.rejects.empty() ? "" : t.rejects.front());
    if (!t.error.empty()) out += "  error: " + t.error + "\n";
    rows += t.rows;
    secs = std::max(secs, t.seconds);
  }
  return out;
}

std::string report_json(const RunSummary& s) {
  json tables = json::array();
  for (const auto& t : s.tables)
    tables.push_back({{"table", t.table}, {"mode", t.mode}, {"status", t.status}, {"rows", t.rows},
                      {"inserted", t.inserted}, {"updated", t.updated}, {"unchanged", t.unchanged},
                      {"removed", t.removed}, {"rejected", t.rejected}, {"sample_keys", t.samples},
                      {"rejects", t.rejects}, {"seconds", t.seconds}, {"error", t.error}});
  return json{{"tables", tables}, {"interrupted", s.interrupted}, {"exit_code", s.exit_code}}.dump(2);
}

}  // namespace replicate::engine
