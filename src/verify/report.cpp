// SPDX-License-Identifier: Apache-2.0
// The verify report, for people and for programs.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "verify/verify.hpp"

namespace replicate::verify {
namespace {

std::string key_text(const std::vector<std::string>& key) {
  if (key.size() == 1) return key[0];
  std::string out = "(";
  for (std::size_t i = 0; i < key.size(); ++i) out += (i ? ", " : "") + key[i];
  return out + ")";
}

std::string more(std::int64_t total, std::size_t listed) {
  return total > static_cast<std::int64_t>(listed) ? fmt::format(" (first {} listed)", listed) : "";
}

}  // namespace

std::string format_report(const Report& report) {
  std::string out;
  int equal = 0;
  for (const auto& t : report.tables) {
    const std::string name =
        t.source.empty() || t.source == t.table ? t.table : t.source + " -> " + t.table;
    if (!t.error.empty()) {
      out += fmt::format("{}: NOT VERIFIED: {}\n", name, t.error);
      continue;
    }
    equal += t.equal;
    out += fmt::format(
        "{}: {} ({} source rows, {} target rows; {} of {} chunks differ; {} rows fetched, {:.1f} "
        "s)\n",
        name, t.equal ? "equal" : "DIFFERENT", t.source_rows, t.target_rows, t.chunks_differing,
        t.chunks, t.rows_fetched, t.seconds);
    for (const auto& n : t.notes) out += "  note: " + n + "\n";
    if (t.missing_count)
      out += fmt::format("  missing in target: {}{}\n", t.missing_count,
                         more(t.missing_count, t.missing_in_target.size()));
    for (const auto& k : t.missing_in_target) out += "    " + key_text(k) + "\n";
    if (t.extra_count)
      out += fmt::format("  extra in target: {}{}\n", t.extra_count,
                         more(t.extra_count, t.extra_in_target.size()));
    for (const auto& k : t.extra_in_target) out += "    " + key_text(k) + "\n";
    if (t.changed_count)
      out += fmt::format("  values differ: {}{}\n", t.changed_count,
                         more(t.changed_count, t.changed.size()));
    for (const auto& c : t.changed) {
      std::string cols;
      for (std::size_t i = 0; i < c.columns.size(); ++i) cols += (i ? ", " : "") + c.columns[i];
      out += "    " + key_text(c.key) + ": " + (cols.empty() ? "(columns not found again)" : cols) +
             "\n";
    }
  }
  const std::size_t n = report.tables.size();
  out += report.equal
             ? fmt::format("verify: {} of {} tables equal\n", equal, n)
             : fmt::format(
                   "verify: {} of {} tables equal; the others differ or could not be compared\n",
                   equal, n);
  return out;
}

std::string to_json(const Report& report) {
  using json = nlohmann::ordered_json;  // fields in the order written here
  json tables = json::array();
  for (const auto& t : report.tables) {
    json changed = json::array();
    for (const auto& c : t.changed) changed.push_back({{"key", c.key}, {"columns", c.columns}});
    json j = {{"table", t.table},
              {"source", t.source},
              {"equal", t.equal},
              {"source_rows", t.source_rows},
              {"target_rows", t.target_rows},
              {"missing_count", t.missing_count},
              {"extra_count", t.extra_count},
              {"changed_count", t.changed_count},
              {"missing_in_target", t.missing_in_target},
              {"extra_in_target", t.extra_in_target},
              {"changed", changed},
              {"rows_fetched", t.rows_fetched},
              {"rows_streamed", t.rows_streamed},
              {"values_normalised_by_target", t.values_normalised_by_target},
              {"chunks", t.chunks},
              {"chunks_differing", t.chunks_differing},
              {"source_hashing", t.source_hashing},
              {"threads", t.threads},
              {"seconds", t.seconds}};
    if (!t.notes.empty()) j["notes"] = t.notes;
    if (!t.error.empty()) j["error"] = t.error;
    tables.push_back(std::move(j));
  }
  return json{{"equal", report.equal}, {"tables", tables}}.dump(2);
}

}  // namespace replicate::verify
