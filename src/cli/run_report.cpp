// SPDX-License-Identifier: Apache-2.0
// The run report, kept up to date as the run goes so that an interruption at any moment
// writes one that holds everything done so far.
#include "cli/run_report.hpp"

#include "cli/interrupt.hpp"
#include "cli/private_file.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace replicate::cli {

using ordered = nlohmann::ordered_json;

const char* outcome_name(int exit_code) {
  switch (exit_code) {
    case util::exit_ok: return "ok";
    case util::exit_table_failed: return "table_failed";
    case util::exit_config: return "config";
    case util::exit_connect: return "connect";
    case util::exit_interrupted: return "interrupted";
    default: return "internal";
  }
}

namespace {

/// A mapping's status from its exit code.
const char* mapping_status(int exit_code) {
  switch (exit_code) {
    case util::exit_ok: return "done";
    case util::exit_table_failed: return "failed";
    case util::exit_interrupted: return "interrupted";
    default: return "error";
  }
}

}  // namespace

RunReport::RunReport(std::string path, const std::vector<std::string>& files)
    : path_(std::move(path)), started_at_(util::timestamp_now()) {
  for (const auto& f : files)
    mappings_.push_back({{"file", f}, {"status", "not_run"}, {"exit_code", nullptr}, {"verified", nullptr}});
  arm();
}

ordered& RunReport::current() { return mappings_.at(static_cast<std::size_t>(current_)); }

void RunReport::load_failed(std::size_t index, int exit_code) {
  auto& m = mappings_.at(index);
  m["status"] = mapping_status(exit_code);
  m["exit_code"] = exit_code;
  arm();
}

void RunReport::begin_mapping(const std::string& file) {
  ++current_;
  if (current_ >= static_cast<int>(mappings_.size()))
    mappings_.push_back({{"file", file}, {"status", "not_run"}, {"exit_code", nullptr}, {"verified", nullptr}});
  current()["status"] = "running";
  util::log_set_mapping(file);
  arm();
}

void RunReport::copied(const engine::RunSummary& summary) {
  const std::string file = current()["file"];
  for (const auto& t : summary.tables)
    tables_.push_back({{"mapping", file},
                       {"table", t.table},
                       {"mode", t.mode},
                       {"status", t.status},
                       {"state_run_id", t.state_run_id ? ordered(t.state_run_id) : ordered(nullptr)},
                       {"rows", t.rows},
                       {"chunks", t.chunks},
                       {"chunks_skipped", t.chunks_skipped},
                       {"retries", t.retries},
                       {"seconds", t.seconds},
                       {"inserted", t.inserted},
                       {"updated", t.updated},
                       {"unchanged", t.unchanged},
                       {"removed", t.removed},
                       {"rejected", t.rejected},
                       {"sample_keys", ordered::parse(t.samples.dump())},
                       {"rejects", t.rejects},
                       {"error", t.error.empty() ? ordered(nullptr) : ordered(t.error)},
                       {"verify", nullptr}});
  arm();
}

void RunReport::verified(const verify::Report& report) {
  const std::string file = current()["file"];
  const auto all = ordered::parse(verify::to_json(report));
  for (const auto& v : all["tables"]) {
    bool placed = false;
    for (auto& t : tables_)
      if (t["mapping"] == file && t["table"] == v["table"]) {
        t["verify"] = v;
        placed = true;
      }
    (void)placed;  // verify compares only tables the copy knew; nothing to add otherwise
  }
  current()["verified"] = all["equal"];
  arm();
}

void RunReport::end_mapping(int exit_code) {
  current()["status"] = mapping_status(exit_code);
  current()["exit_code"] = exit_code;
  util::log_set_mapping("");
  arm();
}

std::string RunReport::render(int exit_code, const std::string& ended_at) const {
  ordered errors = ordered::array();
  for (const auto& e : util::log_errors()) errors.push_back(ordered::parse(e.dump()));
  ordered j;
  j["report_version"] = 1;
  j["command"] = "run";
  j["run_id"] = util::log_run_id();
  j["started_at"] = started_at_;
  j["ended_at"] = ended_at;
  j["exit_code"] = exit_code;
  j["outcome"] = outcome_name(exit_code);
  j["interrupted"] = exit_code == util::exit_interrupted;
  j["mappings"] = mappings_;
  j["tables"] = tables_;
  j["errors"] = std::move(errors);
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void RunReport::arm() const {
  InterruptOutput out = default_interrupt_output();
  out.log += util::log_format_event(util::LogLevel::error, "run-end", "run ended: interrupted",
                                    {{"exit_code", util::exit_interrupted}, {"outcome", "interrupted"}}, kSignalTime);
  if (!util::log_json()) out.log = default_interrupt_output().log;  // run-end is for programs only
  if (!path_.empty()) {
    // The report as the handler would find it: the mapping under way interrupted, and the
    // interruption among the errors.
    RunReport copy = *this;
    if (copy.current_ >= 0 && copy.current()["status"] == "running") {
      copy.current()["status"] = "interrupted";
      copy.current()["exit_code"] = util::exit_interrupted;
    }
    ordered j = ordered::parse(copy.render(util::exit_interrupted, kSignalTime));
    j["errors"].push_back({{"timestamp", kSignalTime},
                           {"mapping", copy.current_ >= 0 ? copy.current()["file"] : ordered(nullptr)},
                           {"table", nullptr},
                           {"action", "interrupted"},
                           {"message", std::string("interrupted (") + kSignalName +
                                           "); run the same command again to go on"}});
    if (util::log_mapping().empty()) j["errors"].back()["mapping"] = nullptr;
    out.report_path = path_;
    out.report = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  set_interrupt_output(out);
}

int RunReport::finish(int exit_code) {
  hold_interrupts();
  int rc = exit_code;
  if (!path_.empty()) {
    try {
      write_private_file(path_, render(exit_code, util::timestamp_now()));
    } catch (const std::exception& e) {
      util::log_error("report", std::string(e.what()) + "; the run's outcome is in the log above");
      if (rc == util::exit_ok) rc = util::exit_internal;
    }
  }
  util::log_json_event(rc == util::exit_ok ? util::LogLevel::info : util::LogLevel::error, "run-end",
                       std::string("run ended: ") + outcome_name(rc),
                       {{"exit_code", rc}, {"outcome", outcome_name(rc)}, {"tables", tables_.size()},
                        {"report", path_.empty() ? nlohmann::json(nullptr) : nlohmann::json(path_)}});
  return rc;
}

}  // namespace replicate::cli
