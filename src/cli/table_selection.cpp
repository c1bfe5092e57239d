// SPDX-License-Identifier: Apache-2.0
// `--tables` patterns against the tables of the mappings, and `--mode` on those left.
#include "cli/table_selection.hpp"

#include <algorithm>

#include "plan/planner.hpp"
#include "source/connection.hpp"

namespace replicate::cli {

namespace {

/// The names a pattern is matched against: `schema.table` (as the source names it, quotes
/// removed) and the bare table name.
std::vector<std::string> names_of(const config::TableMapping& entry) {
  const auto [schema, table] = config::split_table_name(entry.source);
  std::vector<std::string> names{table};
  if (!schema.empty()) names.push_back(schema + "." + table);
  return names;
}

std::string listed(const std::vector<std::string>& names, std::size_t most) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < most; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > most) out += ", ... (" + std::to_string(names.size() - most) + " more)";
  return out;
}

/// The patterns of every --tables value, split at commas; an empty one is an error.
std::vector<std::string> patterns_of(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = v.find(',', start);
      out.push_back(v.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (out.back().empty())
        throw SelectionError("--tables '" + v + "' holds an empty pattern (two commas, or one at an end); write "
                             "names or globs separated by single commas, e.g. --tables 'bi_*,pagamentos'");
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace

bool selects(const std::string& pattern, const config::TableMapping& entry) {
  const auto names = names_of(entry);
  return std::any_of(names.begin(), names.end(), [&](const auto& n) { return config::glob_match(pattern, n); });
}

void apply_selection(std::vector<config::Mapping>& mappings, const Selection& selection) {
  const std::vector<std::string> patterns = patterns_of(selection.tables);
  if (!patterns.empty()) {
    std::vector<bool> used(patterns.size(), false);
    std::string available;  // "m.yaml: public.a, public.b; n.yaml: ..."
    std::vector<std::string> every_name;
    for (auto& m : mappings) {
      if (std::any_of(m.tables.begin(), m.tables.end(), config::is_pattern)) {
        auto src = source::connect(m.source, source::Side::source);
        m.tables = plan::expand_tables(m, *src);
      }
      std::vector<std::string> names;
      std::vector<config::TableMapping> kept;
      for (auto& t : m.tables) {
        names.push_back(t.source);
        for (auto& n : names_of(t)) every_name.push_back(std::move(n));
        bool chosen = false;
        for (std::size_t i = 0; i < patterns.size(); ++i)
          if (selects(patterns[i], t)) chosen = used[i] = true;
        if (chosen) kept.push_back(std::move(t));
      }
      available += (available.empty() ? "" : "; ") + m.file + ": " + listed(names, 40);
      m.tables = std::move(kept);
    }
    for (std::size_t i = 0; i < used.size(); ++i) {
      if (used[i]) continue;
      const std::string close = config::suggest(patterns[i], every_name);
      throw SelectionError(
          "--tables: '" + patterns[i] + "' matches no table" +
                  (close.empty() ? "" : " (did you mean '" + close + "'?)") + "; the tables are " + available +
                  ". A pattern is a glob (* and ?), matched case-insensitively against the source table as "
                  "schema.table and as the table name alone");
    }
    std::erase_if(mappings, [](const config::Mapping& m) { return m.tables.empty(); });
  }
  if (selection.mode)
    for (auto& m : mappings) config::override_mode(m, *selection.mode);
}

}  // namespace replicate::cli
