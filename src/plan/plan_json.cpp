// SPDX-License-Identifier: Apache-2.0
// TablePlan <-> JSON: the coordinator plans once and hands each worker the result,
// so workers never introspect and never disagree with the coordinator.
#include <nlohmann/json.hpp>

#include "plan/plan.hpp"

namespace replicate::plan {

using nlohmann::json;

namespace {

json type_json(const catalog::Type& t) {
  return json{{"id", static_cast<int>(t.id)}, {"p", t.precision}, {"s", t.scale}, {"l", t.length}};
}
catalog::Type type_from(const json& j) {
  return catalog::Type{static_cast<catalog::TypeId>(j.at("id").get<int>()), j.at("p").get<int>(),
                       j.at("s").get<int>(), j.at("l").get<int>()};
}

}  // namespace

std::string to_json(const TablePlan& t) {
  json cols = json::array();
  for (const auto& c : t.columns)
    cols.push_back({{"source", c.source}, {"target", c.target}, {"type", type_json(c.type)},
                    {"target_type", c.target_type}, {"select", c.select_sql}, {"raw", c.raw_sql},
                    {"source_type", c.source_type}});
  json key_types = json::array();
  for (const auto& k : t.key_types) key_types.push_back(type_json(k));
  const auto& o = t.options;
  json j{{"source_display", t.source_display}, {"source_sql", t.source_sql},
         {"dialect", t.source_dialect},        {"target_schema", t.target_schema},
         {"target_table", t.target_table},     {"columns", cols},
         {"key", t.key},                        {"key_sql", t.key_sql},
         {"key_types", key_types},              {"key_target", t.key_target},
         {"key_native", t.key_native},
         {"batch_size", o.batch_size},          {"mode", static_cast<int>(o.mode)},
         {"on_conflict", static_cast<int>(o.on_conflict)},
         {"read_uncommitted", o.read_uncommitted}, {"snapshot", o.snapshot},
         {"max_rejects", o.max_rejects ? json(*o.max_rejects) : json(nullptr)},
         {"swap", o.swap},                      {"stale_type", t.stale_type},
         {"obsolete", static_cast<int>(o.obsolete)}};
  if (o.stale) j["stale"] = {{"column", o.stale->column}, {"value", o.stale->value}, {"live", o.stale->live}};
  if (t.where) j["where"] = *t.where;
  return j.dump();
}

TablePlan table_plan_from_json(const std::string& text) {
  json j = json::parse(text);
  TablePlan t;
  t.source_display = j.at("source_display");
  t.source_sql = j.at("source_sql");
  t.source_dialect = j.at("dialect");
  t.target_schema = j.at("target_schema");
  t.target_table = j.at("target_table");
  for (const auto& c : j.at("columns")) {
    ColumnPlan cp;
    cp.source = c.at("source");
    cp.target = c.at("target");
    cp.type = type_from(c.at("type"));
    cp.target_type = c.at("target_type");
    cp.select_sql = c.at("select");
    cp.raw_sql = c.value("raw", "");
    cp.source_type = c.value("source_type", "");
    t.columns.push_back(std::move(cp));
  }
  t.key = j.at("key").get<std::vector<std::string>>();
  t.key_sql = j.at("key_sql").get<std::vector<std::string>>();
  for (const auto& k : j.at("key_types")) t.key_types.push_back(type_from(k));
  t.key_target = j.at("key_target").get<std::vector<std::string>>();
  t.key_native = j.at("key_native").get<std::vector<std::string>>();
  t.options.batch_size = j.at("batch_size");
  t.options.mode = static_cast<config::Mode>(j.at("mode").get<int>());
  t.options.on_conflict = static_cast<config::OnConflict>(j.at("on_conflict").get<int>());
  t.options.read_uncommitted = j.at("read_uncommitted");
  t.options.snapshot = j.at("snapshot");
  if (j.at("max_rejects").is_null())
    t.options.max_rejects.reset();  // unlimited
  else
    t.options.max_rejects = j.at("max_rejects").get<std::int64_t>();
  if (j.contains("where")) t.where = j.at("where").get<std::string>();
  t.options.swap = j.at("swap");
  t.stale_type = j.at("stale_type");
  t.options.obsolete = static_cast<config::Obsolete>(j.at("obsolete").get<int>());
  if (j.contains("stale"))
    t.options.stale = config::StaleMark{j["stale"]["column"], j["stale"]["value"], j["stale"]["live"]};
  return t;
}

}  // namespace replicate::plan
