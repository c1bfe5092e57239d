// SPDX-License-Identifier: Apache-2.0
// Worker process: connections are opened lazily and dropped after any error, so a
// restarted server or a lost connection costs one chunk attempt, not the worker.
#include "engine/worker.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <csignal>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "config/mapping.hpp"
#include "catalog/mssql_sql.hpp"
#include "engine/chunk_copy.hpp"
#include "engine/lease.hpp"
#include "util/error.hpp"

namespace replicate::engine {

using nlohmann::json;

namespace {

void send(const json& j) {
  // A message quoting bytes that are not UTF-8 (a driver's error text) is still sent.
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
}

/// Lines from the coordinator, read by their own thread: a speed change must reach a
/// worker in the middle of a chunk, while its own thread is busy copying.
class Inbox {
 public:
  explicit Inbox(std::atomic<double>& rate) : rate_(rate), reader_([this] { read(); }) {}
  ~Inbox() {
    std::unique_lock lock(mutex_);
    // Still reading stdin (the worker stops on an error of its own): it ends with the process.
    if (closed_) {
      lock.unlock();
      reader_.join();
    } else {
      reader_.detach();
    }
  }

  /// The next command, or nullopt once stdin is closed.
  std::optional<json> next() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    json j = std::move(queue_.front());
    queue_.pop_front();
    return j;
  }

 private:
  void read() {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      json msg = json::parse(line, nullptr, false);
      if (msg.is_discarded()) continue;
      if (msg.value("type", "") == "throttle") {
        rate_.store(msg.value("rows_per_second", 0.0));
        continue;
      }
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(msg));
      ready_.notify_one();
    }
    std::lock_guard lock(mutex_);
    closed_ = true;
    ready_.notify_one();
  }

  std::atomic<double>& rate_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<json> queue_;
  bool closed_ = false;
  std::thread reader_;
};

/// Holds a worker to its share of a run's speed limit, batch by batch.
class Pacer {
 public:
  explicit Pacer(const std::atomic<double>& rate) : rate_(rate) {}
  void start() { next_ = std::chrono::steady_clock::now(); }
  void rows(std::size_t n) {
    const double rate = rate_.load();
    const auto now = std::chrono::steady_clock::now();
    if (rate <= 0) {
      next_ = now;
      return;
    }
    // Time owed for these rows, counted from where the last batch's time ended (not from
    // now: the batch's own work is part of its time), with no credit for a pause longer
    // than a fifth of a second, which would let a burst through.
    next_ = std::max(next_, now - std::chrono::milliseconds(200)) +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(n / rate));
    if (next_ > now) std::this_thread::sleep_until(next_);
  }

 private:
  const std::atomic<double>& rate_;
  std::chrono::steady_clock::time_point next_ = std::chrono::steady_clock::now();
};

}  // namespace

int worker_main(const std::string& mapping_file) {
  // Die with the coordinator: an orphan must not keep copying after a kill -9.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() == 1) return util::exit_internal;
  std::signal(SIGPIPE, SIG_IGN);
  // Only stdin, stdout and stderr are ours: a socket the coordinator had open when it
  // forked (its /metrics listener, a scrape in progress) must not stay open here.
  ::close_range(3, ~0U, 0);

  config::Mapping mapping;
  try {
    mapping = config::load_mapping(mapping_file);
  } catch (const std::exception& e) {
    send({{"type", "error"}, {"error", e.what()}, {"retryable", false}, {"worker", getpid()}});
    return util::exit_config;
  }
  std::unique_ptr<source::Connection> src, tgt;
  std::map<int, plan::TablePlan> tables;
  std::atomic<double> rate{0};
  Inbox inbox(rate);
  Pacer pacer(rate);
  while (auto next = inbox.next()) {
    const json& msg = *next;
    const std::string type = msg.value("type", "");
    if (type == "table") {
      tables[msg.at("table").get<int>()] = plan::table_plan_from_json(msg.at("plan").dump());
      continue;
    }
    if (type != "claim") continue;
    const int ti = msg.at("table");
    const auto& table = tables.at(ti);
    const std::int64_t run_id = msg.at("run");
    const std::string claimer = msg.at("claimer");
    rate.store(msg.value("rows_per_second", 0.0));
    int chunk_id = -1;
    try {
      if (!tgt) {
        tgt = source::connect(mapping.target, source::Side::target);
        set_lease_socket_options(*tgt, mapping.lease_seconds);
        // A chunk's rows commit with the checkpoint that records them, in one
        // transaction: a server crash that loses an unflushed commit loses both, and the
        // chunk is copied again. The run is marked done by the coordinator's own commit,
        // which is synchronous and flushes the WAL of every chunk before it.
        tgt->execute("SET synchronous_commit = off");
        tgt->query(lease_session_sql(mapping.lease_seconds));
      }
      Unclaimed why;
      auto claim = claim_chunk(*tgt, mapping.state_schema, run_id, claimer, why);
      if (!claim) {
        send({{"type", "no-chunk"}, {"table", ti}, {"remaining", why.remaining}, {"failed", why.failed},
              {"failed_error", util::without_row_data(why.failed_error)}, {"worker", getpid()}});
        continue;
      }
      chunk_id = claim->chunk.id;
      send({{"type", "chunk-started"}, {"table", ti}, {"chunk", chunk_id}, {"attempts", claim->attempts},
            {"worker", getpid()}});
      const auto started = std::chrono::steady_clock::now();
      auto last = started;
      pacer.start();
      if (!src) src = source::connect(mapping.source, source::Side::source);
      // Isolation is a per-table choice on SQL Server: set it before every chunk.
      if (table.source_dialect == "mssql")
        src->execute(catalog::mssql_session_setup(table.options.read_uncommitted, table.options.snapshot));
      auto r = copy_claimed_chunk(table, *claim, run_id, mapping.state_schema, claimer, *src, *tgt, [&](std::size_t n) {
        auto now = std::chrono::steady_clock::now();
        send({{"type", "batch-completed"}, {"table", ti}, {"chunk", chunk_id}, {"count", n}, {"worker", getpid()},
              {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now - last).count()}});
        pacer.rows(n);
        last = std::chrono::steady_clock::now();
      });
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      send({{"type", "chunk-completed"}, {"table", ti}, {"chunk", chunk_id}, {"count", r.rows},
            {"inserted", r.inserted}, {"updated", r.updated}, {"unchanged", r.unchanged},
            {"rejected", r.rejected}, {"rejects", r.rejects}, {"inserted_keys", r.inserted_keys},
            {"updated_keys", r.updated_keys}, {"worker", getpid()}, {"duration_ms", ms.count()}});
    } catch (const util::DbError& e) {
      // After an error the sessions may be unusable: start clean for the next chunk.
      src.reset();
      tgt.reset();
      // The coordinator logs the error and keeps it in the state tables: no row content.
      send({{"type", "error"}, {"table", ti}, {"chunk", chunk_id}, {"error", util::without_row_data(e.what())},
            {"kind", util::to_string(e.kind())}, {"retryable", e.retryable()}, {"worker", getpid()}});
    } catch (const std::exception& e) {
      src.reset();
      tgt.reset();
      send({{"type", "error"}, {"table", ti}, {"chunk", chunk_id}, {"error", util::without_row_data(e.what())},
            {"kind", "internal"}, {"retryable", false}, {"worker", getpid()}});
    }
  }
  return util::exit_ok;
}

}  // namespace replicate::engine
