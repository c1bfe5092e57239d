// Renders a plan for people: columns source type -> target type, key, chunks.
#include "cli/plan_output.hpp"

#include <fmt/format.h>

#include "engine/progress.hpp"

namespace replicate::cli {

namespace {
std::string bound(const std::optional<std::vector<std::string>>& b, const char* open) {
  if (!b) return open;
  std::string s;
  for (const auto& v : *b) s += (s.empty() ? "" : ", ") + v;
  return b->size() > 1 ? "(" + s + ")" : s;
}
}  // namespace

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
    if (t.where) out += "  where: " + *t.where + "\n";
    std::string action;
    if (!t.create_sql.empty())
      action = t.target_exists ? "drop and create the target table (create: always), then load"
                               : "create the target table, then load";
    else if (t.options.mode == config::Mode::full)
      action = "truncate the target table and load it (in one transaction with the run's state)";
    else
      action = "append to the target table";
    out += "  action: " + action + "\n";
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
