// SPDX-License-Identifier: Apache-2.0
// Renders a plan for people: columns source type -> target type, key, chunks.
#include "cli/plan_output.hpp"

#include <fmt/format.h>

#include "engine/progress.hpp"
#include "target/copy_binary.hpp"

namespace replicate::cli {

namespace {
std::string bound(const std::optional<std::vector<std::string>>& b, const char* open) {
  if (!b) return open;
  std::string s;
  for (const auto& v : *b) s += (s.empty() ? "" : ", ") + v;
  return b->size() > 1 ? "(" + s + ")" : s;
}
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::string describe_action(const plan::TablePlan& t) {
  std::string create;
  if (!t.create_sql.empty())
    create = t.target_exists ? "drop and create the target table (create: always); " : "create the target table; ";
  const std::string key = t.key_target.empty() ? "the key" : join(t.key_target);
  const auto& o = t.options;
  switch (o.mode) {
    case config::Mode::full: {
      std::string a = create + (o.swap ? "load a shadow table, then replace the target's rows with it in one transaction"
                                       : "truncate the target table and load it (in one transaction with the run's state)");
      if (o.watermark)
        a += "; record the newest " + *o.watermark + (t.watermark_to ? " (" + *t.watermark_to + " now)" : "") +
             " so that an incremental run starts there";
      return a;
    }
    case config::Mode::append: {
      const char* conflict = o.on_conflict == config::OnConflict::skip     ? "skip it"
                             : o.on_conflict == config::OnConflict::update ? "update it"
                                                                           : "fail the table";
      return create + "insert the source rows; a row whose " + key + " is already in the target: " + conflict;
    }
    case config::Mode::incremental: {
      const std::string w = o.watermark ? *o.watermark : "?";
      std::string window = t.watermark_from ? "rows whose " + w + " is past " + *t.watermark_from + " (the last run's end)"
                                            : "every row (no run has recorded a watermark yet)";
      if (t.watermark_to) window += ", up to " + *t.watermark_to + " (the newest now)";
      return create + "copy " + window + "; upsert by " + key +
             ": insert new rows, update changed ones, leave equal ones; rows deleted at the source stay; then record "
             "the window's end as the next run's start";
    }
    case config::Mode::mirror: {
      std::string a = create + "upsert every source row by " + key;
      if (o.stale) {
        a = create + "mark every target row " + o.stale->column + " = " + o.stale->value + " (stale), upsert every source row by " +
            key + " with " + o.stale->column + " = " + o.stale->live + ", then " +
            (o.obsolete == config::Obsolete::remove ? "delete the rows still stale"
                                                    : "keep the rows still stale, marked " + o.stale->value);
      }
      return a;
    }
  }
  return create + "load";
}

std::string format_plan(const plan::Plan& p) {
  std::string out = fmt::format("mapping: {}\nsource:  {}\ntarget:  {}\nstate:   schema {}\n", p.mapping_file,
                                p.source_display, p.target_display, p.state_schema);
  if (!p.source_server.empty()) out.insert(out.find("\ntarget:"), "\nserver:  " + p.source_server);
  for (const auto& t : p.tables) {
    out += fmt::format("\ntable {} -> {}\n", t.source_display, t.target_display());
    out += fmt::format("  mode: {}   rows (estimate): {}   batch_size: {}   workers: {}\n",
                       config::to_string(t.options.mode),
                       t.estimated_rows >= 0 ? engine::format_count(t.estimated_rows) : "unknown", t.options.batch_size,
                       t.options.workers);
    std::string key;
    for (const auto& k : t.key) key += (key.empty() ? "" : ", ") + k;
    out += "  key: " + (key.empty() ? std::string("none (one chunk)") : key) + "\n";
    // As the plan's types say; each chunk checks the target table's own types again.
    out += fmt::format("  copy format: {}\n", target::to_string(target::choose_copy_format(t)));
    if (t.where) out += "  where: " + *t.where + "\n";
    out += "  action: " + describe_action(t) + "\n";
    std::size_t w = 6, wt = 11;
    for (const auto& c : t.columns) {
      w = std::max(w, (c.source.empty() ? c.source_type : c.source).size());
      wt = std::max(wt, c.source_type.size());
    }
    out += fmt::format("  {:<{}}  {:<{}}  {:<28} {}\n", "source", w, "source type", wt, "-> target", "");
    for (const auto& c : t.columns) {
      std::string target = c.target + " " + c.target_type + (c.nullable ? "" : " not null");
      out += fmt::format("  {:<{}}  {:<{}}  -> {:<25} {}\n", c.source.empty() ? "(" + c.source_type + ")" : c.source,
                         w, c.source_type, wt, target, c.note.empty() ? "" : "! " + c.note);
    }
    out += fmt::format("  chunks: {}\n", t.chunks.size());
    const std::size_t show = 5;
    for (std::size_t i = 0; i < t.chunks.size(); ++i) {
      if (i == show && t.chunks.size() > show + 1) {
        out += fmt::format("    ... {} more\n", t.chunks.size() - show - 1);
        i = t.chunks.size() - 1;
      }
      const auto& c = t.chunks[i];
      out += fmt::format("    #{:<4} [{}, {})\n", c.id, bound(c.lo, "-inf"), bound(c.hi, "+inf"));
    }
    if (!t.alter_sql.empty()) out += "  before the load: " + t.alter_sql + "\n";
    for (const auto& ix : t.index_sql) out += "  after the load: " + ix + "\n";
    for (const auto& wng : t.warnings) out += "  warning: " + wng + "\n";
    if (!t.create_sql.empty()) {
      out += "  DDL:\n";
      std::string ddl = t.create_sql;
      std::size_t pos = 0;
      while (pos < ddl.size()) {
        auto nl = ddl.find('\n', pos);
        out += "    " + ddl.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos) + "\n";
        if (nl == std::string::npos) break;
        pos = nl + 1;
      }
    }
  }
  return out;
}

}  // namespace replicate::cli
