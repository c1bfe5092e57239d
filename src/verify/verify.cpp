// SPDX-License-Identifier: Apache-2.0
// verify_mapping: plan the mapping as a copy would (same columns, keys and chunks),
// read the target's real column types, and compare table by table.
#include "verify/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "plan/planner.hpp"
#include "source/connection.hpp"
#include "target/pg_schema.hpp"
#include "util/error.hpp"
#include "verify/mssql_side.hpp"
#include "verify/table_compare.hpp"

namespace replicate::verify {
namespace {

/// The target table's columns and their format_type() spellings; empty when it is missing.
std::vector<std::pair<std::string, std::string>> target_columns(source::Connection& target,
                                                                const plan::TablePlan& t) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string rel =
      "to_regclass(" +
      target::pg_literal(target::pg_quote_qualified(t.target_schema, t.target_table)) + ")";
  for (auto& r :
       target.query("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                    "WHERE a.attrelid = " +
                    rel +
                    " AND a.attnum > 0 AND NOT a.attisdropped "
                    "ORDER BY a.attnum"))
    out.emplace_back(r[0].value_or(""), r[1].value_or(""));
  return out;
}

/// Mirror mode marks rows the source no longer has stale (and keeps them with
/// `obsolete: keep`): only live rows are the copy. A mapped stale column is
/// overwritten with the live mark, so it is not compared.
void apply_mirror_marks(plan::TablePlan& t, TableSpec& spec) {
  if (t.options.mode != config::Mode::mirror || !t.options.stale) return;
  const auto& stale = *t.options.stale;
  std::erase_if(t.columns, [&](const plan::ColumnPlan& c) {
    return c.target == stale.column &&
           std::find(t.key.begin(), t.key.end(), c.source) == t.key.end();
  });
  spec.target_filter =
      target::pg_quote(stale.column) + " IS NOT DISTINCT FROM " + target::pg_literal(stale.live);
}

/// The spec for one planned table (adjusted to what a copy makes of it), or the reason
/// it cannot be compared.
std::string make_spec(plan::TablePlan& t, source::Connection& target, TableSpec& spec) {
  spec.plan = &t;
  apply_mirror_marks(t, spec);
  spec.batch_size = static_cast<std::size_t>(std::max(1, t.options.batch_size));
  auto existing = target_columns(target, t);
  if (existing.empty())
    return fmt::format(
        "target table {} does not exist; run `replicate` with this mapping to create and fill it",
        t.target_display());
  std::vector<std::string> absent;
  for (const auto& c : t.columns) {
    auto it = std::find_if(existing.begin(), existing.end(),
                           [&](const auto& e) { return e.first == c.target; });
    if (it == existing.end())
      absent.push_back(c.target);
    else
      spec.types.push_back(parse_target_type(it->second));
  }
  if (!absent.empty()) {
    std::string names;
    for (const auto& a : absent) names += (names.empty() ? "" : ", ") + a;
    return fmt::format(
        "target table {} has no column {}; add it, or map the source column to an existing "
        "one with `target:`",
        t.target_display(), names);
  }
  for (const auto& k : t.key)
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].source == k) {
        spec.key_columns.push_back(i);
        break;
      }
  spec.keyless = t.key.empty() || spec.key_columns.size() != t.key.size();
  if (spec.keyless) {
    spec.key_columns.clear();
    for (std::size_t i = 0; i < t.columns.size(); ++i) spec.key_columns.push_back(i);
  }
  const auto kind = spec.keyless ? TypeKind::other : spec.types[spec.key_columns[0]].kind;
  spec.integer_key =
      !spec.keyless && t.key.size() == 1 && catalog::is_integer(t.key_types[0]) &&
      (kind == TypeKind::int16 || kind == TypeKind::int32 || kind == TypeKind::int64);
  return "";
}

}  // namespace

Report verify_mapping(const config::Mapping& mapping, const VerifyOptions& options) {
  auto source = source::connect(mapping.source, source::Side::source);
  auto target = source::connect(mapping.target, source::Side::target);
  // Plan as a copy would, but never fail on the target: a missing table or column is
  // this table's finding, reported below, not a reason to stop verifying the others.
  config::Mapping planning = mapping;
  for (auto& t : planning.tables) t.options.create = config::CreateTable::always;
  plan::Plan plan = plan::build_plan(planning, *source, *target);

  const bool odbc = mapping.source.driver == config::Driver::odbc;
  auto open_source = [&mapping] { return source::connect(mapping.source, source::Side::source); };
  auto open_target = [&mapping] { return source::connect(mapping.target, source::Side::target); };
  std::vector<Lane> lanes;
  auto add_lane = [&] {
    lanes.emplace_back();
    lanes.back().open_source = open_source;
    lanes.back().open_target = open_target;
  };
  add_lane();
  lanes[0].source = std::move(source);
  lanes[0].target = std::move(target);

  Report report;
  report.equal = true;
  for (auto& t : plan.tables) {
    const auto started = std::chrono::steady_clock::now();
    TableReport tr;
    tr.table = t.target_display();
    tr.source = t.source_display;
    bool stream = !(options.hash_in_source && t.source_dialect == std::string("postgresql"));
    tr.source_hashing = stream ? "stream" : "sql";
    TableSpec spec;
    try {
      lanes[0].ensure();  // reopened when an error closed it during the previous table
      std::string problem = make_spec(t, *lanes[0].target, spec);
      if (problem.empty() && stream && options.hash_in_source && t.source_dialect == std::string("mssql")) {
        // SQL Server hashes on the server when every column has an exact T-SQL form there.
        std::string why_not;
        if (auto values = mssql_canonical_values(spec, *lanes[0].source, why_not)) {
          std::string timing;
          if (options.always_hash_in_source) timing = "--source-hashing source";
          if (options.always_hash_in_source || mssql_hashing_pays(spec, *lanes[0].source, *values, timing)) {
            spec.mssql_values = std::move(*values);
            stream = false;
            tr.source_hashing = "sql";
            tr.notes.push_back("hashed by the server: " + timing);
          } else {
            tr.notes.push_back("rows stream from the source and are hashed here: " + timing);
          }
        } else {
          tr.notes.push_back("rows stream from the source and are hashed here: " + why_not);
        }
      }
      if (problem.empty()) {
        // ODBC drivers are not all thread-safe: one session pair for an ODBC source.
        const int wanted =
            odbc ? 1 : std::max(1, options.workers > 0 ? options.workers : t.options.workers);
        while (lanes.size() < static_cast<std::size_t>(wanted)) add_lane();
        compare_table(spec, lanes, static_cast<std::size_t>(wanted), stream, options, tr);
      } else {
        tr.error = problem;
      }
    } catch (const std::exception& e) {
      // A connection lost between tables: this table is not verified, the next may be.
      tr.error = e.what();
      lanes[0].close();
    }
    if (!tr.error.empty()) tr.equal = false;
    // Incremental mode never removes rows (deletes leave no watermark behind): rows the
    // source no longer has are expected in its target, reported, and not a difference.
    if (tr.error.empty() && !tr.equal && t.options.mode == config::Mode::incremental && tr.extra_count > 0 &&
        tr.missing_count == 0 && tr.changed_count == 0 && tr.source_rows + tr.extra_count == tr.target_rows) {
      tr.equal = true;
      tr.notes.push_back(std::to_string(tr.extra_count) +
                         " target rows are no longer in the source: incremental mode keeps rows deleted at the "
                         "source (listed as extra in target); use mode mirror to remove them");
    }
    tr.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    report.equal = report.equal && tr.equal;
    report.tables.push_back(std::move(tr));
  }
  return report;
}

}  // namespace replicate::verify
