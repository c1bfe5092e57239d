// SPDX-License-Identifier: Apache-2.0
// Worker process: connections are opened lazily and dropped after any error, so a
// restarted server or a lost connection costs one chunk attempt, not the worker.
#include "engine/worker.hpp"

#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "config/mapping.hpp"
#include "catalog/mssql_sql.hpp"
#include "engine/chunk_copy.hpp"
#include "util/error.hpp"

namespace replicate::engine {

using nlohmann::json;

namespace {

void send(const json& j) {
  // A message quoting bytes that are not UTF-8 (a driver's error text) is still sent.
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
}

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
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json msg = json::parse(line, nullptr, false);
    if (msg.is_discarded()) continue;
    const std::string type = msg.value("type", "");
    if (type == "table") {
      tables[msg.at("table").get<int>()] = plan::table_plan_from_json(msg.at("plan").dump());
      continue;
    }
    if (type != "chunk") continue;
    const int ti = msg.at("table");
    const auto& table = tables.at(ti);
    plan::ChunkPlan chunk;
    chunk.id = msg.at("chunk");
    if (!msg.at("lo").is_null()) chunk.lo = msg.at("lo").get<std::vector<std::string>>();
    if (!msg.at("hi").is_null()) chunk.hi = msg.at("hi").get<std::vector<std::string>>();
    const std::int64_t run_id = msg.at("run");
    const auto started = std::chrono::steady_clock::now();
    auto last = started;
    try {
      if (!src) src = source::connect(mapping.source, source::Side::source);
      if (!tgt) {
        tgt = source::connect(mapping.target, source::Side::target);
        // A chunk's rows commit with the checkpoint that records them, in one
        // transaction: a server crash that loses an unflushed commit loses both, and the
        // chunk is copied again. The run is marked done by the coordinator's own commit,
        // which is synchronous and flushes the WAL of every chunk before it.
        tgt->execute("SET synchronous_commit = off");
      }
      // Isolation is a per-table choice on SQL Server: set it before every chunk.
      if (table.source_dialect == "mssql")
        src->execute(catalog::mssql_session_setup(table.options.read_uncommitted, table.options.snapshot));
      auto r = copy_chunk(table, chunk, run_id, mapping.state_schema, *src, *tgt, [&](std::size_t n) {
        auto now = std::chrono::steady_clock::now();
        send({{"type", "batch-completed"}, {"table", ti}, {"chunk", chunk.id}, {"count", n}, {"worker", getpid()},
              {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now - last).count()}});
        last = now;
      });
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      send({{"type", "chunk-completed"}, {"table", ti}, {"chunk", chunk.id}, {"count", r.rows},
            {"inserted", r.inserted}, {"updated", r.updated}, {"unchanged", r.unchanged},
            {"rejected", r.rejected}, {"rejects", r.rejects}, {"inserted_keys", r.inserted_keys},
            {"updated_keys", r.updated_keys}, {"skipped", r.skipped}, {"worker", getpid()},
            {"duration_ms", ms.count()}});
    } catch (const util::DbError& e) {
      // After an error the sessions may be unusable: start clean for the next chunk.
      src.reset();
      tgt.reset();
      // The coordinator logs the error and keeps it in the state tables: no row content.
      send({{"type", "error"}, {"table", ti}, {"chunk", chunk.id}, {"error", util::without_row_data(e.what())},
            {"kind", util::to_string(e.kind())}, {"retryable", e.retryable()}, {"worker", getpid()}});
    } catch (const std::exception& e) {
      src.reset();
      tgt.reset();
      send({{"type", "error"}, {"table", ti}, {"chunk", chunk.id}, {"error", util::without_row_data(e.what())},
            {"kind", "internal"}, {"retryable", false}, {"worker", getpid()}});
    }
  }
  return util::exit_ok;
}

}  // namespace replicate::engine
