// SPDX-License-Identifier: Apache-2.0
// JSON for scripts: plan and status. Plain words for enums, null for what is unknown.
#include "cli/json_output.hpp"

#include <nlohmann/json.hpp>

#include "cli/plan_output.hpp"

namespace replicate::cli {

using nlohmann::json;

namespace {

json optional_text(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json nonempty_text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
json bound(const std::optional<std::vector<std::string>>& b) { return b ? json(*b) : json(nullptr); }

json table_json(const plan::TablePlan& t) {
  const auto& o = t.options;
  json columns = json::array();
  for (const auto& c : t.columns)
    columns.push_back({{"source", nonempty_text(c.source)},
                       {"source_type", c.source_type},
                       {"target", c.target},
                       {"target_type", c.target_type},
                       {"nullable", c.nullable},
                       {"note", nonempty_text(c.note)}});
  json chunks = json::array();
  for (const auto& c : t.chunks) chunks.push_back({{"id", c.id}, {"lo", bound(c.lo)}, {"hi", bound(c.hi)}});
  json watermark = nullptr;
  if (o.watermark)
    watermark = {{"column", *o.watermark}, {"from", optional_text(t.watermark_from)},
                 {"to", optional_text(t.watermark_to)}};
  json stale = nullptr;
  if (o.stale)
    stale = {{"column", o.stale->column}, {"value", o.stale->value}, {"live", o.stale->live},
             {"obsolete", o.obsolete == config::Obsolete::remove ? "delete" : "keep"}};
  return {{"source", t.source_display},
          {"target", t.target_display()},
          {"mode", config::to_string(o.mode)},
          {"action", describe_action(t)},
          {"estimated_rows", t.estimated_rows >= 0 ? json(t.estimated_rows) : json(nullptr)},
          {"estimated_rows_exact", t.estimated_rows_exact},
          {"batch_size", o.batch_size},
          {"workers", o.workers},
          {"on_conflict", config::to_string(o.on_conflict)},
          {"swap", o.swap},
          {"key", t.key},
          {"where", optional_text(t.where)},
          {"watermark", watermark},
          {"stale", stale},
          {"columns", columns},
          {"chunks", chunks},
          {"target_exists", t.target_exists},
          {"create_sql", nonempty_text(t.create_sql)},
          {"alter_sql", nonempty_text(t.alter_sql)},
          {"index_sql", t.index_sql},
          {"warnings", t.warnings}};
}

json count_or_null(const std::vector<std::string>& row, std::size_t i) {
  if (row.size() <= i || row[i].empty()) return nullptr;
  return json(std::stoll(row[i]));
}

}  // namespace

std::string plan_json(const std::vector<PlannedMapping>& mappings) {
  json all = json::array();
  for (const auto& m : mappings) {
    const auto& p = m.plan;
    json tables = json::array();
    for (const auto& t : p.tables) tables.push_back(table_json(t));
    all.push_back({{"file", p.mapping_file},
                   {"source", {{"connection", p.source_display}, {"server", nonempty_text(p.source_server)}}},
                   {"target", {{"connection", p.target_display}}},
                   {"state_schema", p.state_schema},
                   {"tables", tables},
                   {"errors", m.errors}});
  }
  // Bytes that are not UTF-8 (a source's odd type name) must not make the output invalid.
  return json{{"mappings", all}}.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string status_json(const std::vector<MappingStatus>& mappings) {
  json all = json::array();
  for (const auto& m : mappings) {
    json tables = json::array();
    for (std::size_t i = 0; i < m.rows.size(); ++i) {
      const auto& r = m.rows[i];
      const bool ran = r.size() > 8 && r[1] != "-";
      json hosts = json::array();
      if (i < m.hosts.size())
        for (const auto& h : m.hosts[i])
          hosts.push_back({{"host", h[0]}, {"pid", std::stoll(h[1])}, {"workers", std::stoll(h[2])},
                           {"chunks_done", std::stoll(h[3])}, {"last_seen", h[4]}, {"seconds_since", std::stoll(h[5])}});
      tables.push_back({{"table", r[0]},
                        {"run", ran ? count_or_null(r, 1) : json(nullptr)},
                        {"status", ran ? r[2] : "never run"},
                        {"started_at", ran ? nonempty_text(r[3]) : json(nullptr)},
                        {"finished_at", ran ? nonempty_text(r[4]) : json(nullptr)},
                        {"chunks_done", ran && !r[5].empty() ? std::stoll(r[5]) : 0},
                        {"chunks", ran ? count_or_null(r, 6) : json(nullptr)},
                        {"rows", ran && !r[7].empty() ? std::stoll(r[7]) : 0},
                        {"error", ran ? nonempty_text(r[8]) : json(nullptr)},
                        {"hosts", hosts}});
    }
    all.push_back({{"file", m.file},
                   {"target", m.target},
                   {"state_schema", m.state_schema},
                   {"state_exists", m.state_exists},
                   {"tables", tables}});
  }
  return json{{"mappings", all}}.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace replicate::cli
