// SPDX-License-Identifier: Apache-2.0
// Resolution of a mapping against real catalogs. Everything a worker needs is
// decided here once, so workers only execute.
#include "plan/planner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "target/pg_schema.hpp"
#include "target/pg_type.hpp"
#include "util/error.hpp"
#include "util/tls.hpp"

namespace replicate::plan {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string unquote_identifier(const std::string& s) {
  if (s.size() < 2) return s;
  char close = s.front() == '"' ? '"' : s.front() == '[' ? ']' : 0;
  if (!close || s.back() != close) return s;
  // A doubled closing character inside stands for one: "a""b" -> a"b, [a]]b] -> a]b.
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    out += s[i];
    if (s[i] == close && s[i + 1] == close) ++i;
  }
  return out;
}

namespace {

std::string unquote(const std::string& s) { return unquote_identifier(s); }

std::string fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

/// Resolve the columns of one table entry against the source catalog.
/// The PostgreSQL type a mapping-wide rule gives a native type, if any rule matches.
std::optional<std::string> type_rule(const std::vector<config::TypeRule>& rules, const std::string& native) {
  const std::string full = lower(native);
  const std::string base = full.substr(0, full.find('('));
  std::string no_args = full;  // "timestamp(3) without time zone" -> "timestamp without time zone"
  if (auto open = no_args.find('('); open != std::string::npos) no_args.erase(open, no_args.find(')', open) - open + 1);
  for (const auto& r : rules) {
    const std::string from = lower(r.from);
    // PostgreSQL spells the plain types out: "timestamp" names "timestamp without time zone".
    if (from == full || from == base || from == no_args || no_args == from + " without time zone") return r.to;
  }
  return std::nullopt;
}

void resolve_columns(const config::TableMapping& entry, const catalog::TableInfo& info,
                     const catalog::Dialect& dialect, const std::vector<config::TypeRule>& rules,
                     TablePlan& out) {
  const bool preserve = entry.options.identifier_case == config::IdentifierCase::preserve;
  auto target_name = [&](const std::string& n) { return preserve ? n : lower(n); };
  auto pg = catalog::make_dialect("postgresql");
  auto add = [&](const catalog::Column& c, const config::ColumnMapping* m) {
    ColumnPlan p;
    p.source = c.name;
    p.target = m && !m->target.empty() ? m->target : target_name(c.name);
    p.source_type = c.native_type;
    p.type = c.type;
    p.nullable = c.nullable;
    auto ruled = type_rule(rules, c.native_type);
    p.target_type = m && m->type ? *m->type : ruled ? *ruled : target::pg_type(c.type);
    const std::string quoted = dialect.quote(c.name);
    p.raw_sql = dialect.raw_column(quoted, c);
    p.select_sql = dialect.select_column(quoted, c);
    if (auto loss = dialect.mapping_loss(c)) p.note = *loss;
    if (auto n = target::narrowing(c.type, c.native_type, target::parse_target_type(p.target_type)))
      out.warnings.push_back(fmt::format("column {}: {} {}; `replicate verify` compares the source's values and "
                                         "reports every row this changes",
                                         p.target, p.target_type, n->what));
    out.columns.push_back(std::move(p));
  };
  auto missing_column = [&](const std::string& name, const config::Location& loc) {
    std::string names;
    for (const auto& c : info.columns) names += (names.empty() ? "" : ", ") + c.name;
    return PlanError(fmt::format("{}: column '{}' not found in source table {}; its columns are: {}",
                                 loc.str(), name, out.source_display, names));
  };

  if (entry.columns_auto) {
    std::set<std::string> excluded;
    for (const auto& x : entry.exclude) {
      auto* c = info.find(x);
      if (!c) throw missing_column(x, entry.location);
      excluded.insert(c->name);
    }
    for (const auto& c : info.columns)
      if (!excluded.count(c.name)) add(c, nullptr);
    return;
  }
  for (const auto& m : entry.columns) {
    if (m.expr || m.value) {
      ColumnPlan p;
      p.target = m.target;
      p.target_type = m.type ? *m.type : "text";
      p.type = pg->map_type(p.target_type, -1, -1, -1);
      p.source_type = m.expr ? "expression" : "constant";
      if (m.expr) p.raw_sql = "(" + *m.expr + ")";
      p.select_sql = m.expr ? dialect.select_text(p.raw_sql, p.type) : dialect.string_literal(*m.value);
      out.columns.push_back(std::move(p));
      continue;
    }
    auto* c = info.find(m.source);
    if (!c) throw missing_column(m.source, m.location);
    add(*c, &m);
  }
}

void resolve_key(const config::TableMapping& entry, const catalog::TableInfo& info,
                 const catalog::Dialect& dialect, TablePlan& out) {
  std::vector<std::string> names = entry.key.empty() ? info.primary_key : entry.key;
  for (const auto& n : names) {
    // A key may be named by its source or its target column name.
    const ColumnPlan* col = nullptr;
    for (const auto& c : out.columns)
      if (!c.source.empty() && lower(c.source) == lower(n)) col = &c;
    if (!col)
      for (const auto& c : out.columns)
        if (lower(c.target) == lower(n)) col = &c;
    if (!col || col->source.empty())
      throw PlanError(fmt::format("{}: key column '{}' of {} is not a mapped source column; "
                                  "name a column that is copied, or remove `key` to use the primary key",
                                  entry.location.str(), n, out.source_display));
    out.key.push_back(col->source);
    out.key_sql.push_back(dialect.quote(col->source));
    out.key_types.push_back(col->type);
    out.key_native.push_back(col->source_type);
    out.key_target.push_back(col->target);
    if (auto* ic = info.find(col->source); ic && ic->nullable && entry.key.size())
      out.warnings.push_back(fmt::format("key column {} is nullable: rows whose key is NULL are not copied", n));
  }
  if (out.key.empty())
    out.warnings.push_back(fmt::format(
        "{} has no primary key: it is copied as one chunk by one worker; name a unique column "
        "with `key: [column]` in the mapping to split it", out.source_display));
}

/// CREATE INDEX statements for the source's secondary indexes whose columns are all
/// copied; built after the load, when they cost one sort instead of one insert per row.
std::vector<std::string> index_statements(const catalog::TableInfo& info, const TablePlan& t) {
  std::vector<std::string> out;
  auto emit = [&](const std::vector<std::string>& cols, bool unique) {
    std::vector<std::string> targets;
    for (const auto& c : cols)
      for (const auto& p : t.columns)
        if (!p.source.empty() && lower(p.source) == lower(c)) targets.push_back(p.target);
    if (targets.size() != cols.size() || targets == t.key_target) return;
    std::string name = t.target_table;
    for (const auto& c : targets) name += "_" + c;
    name = name.substr(0, 55) + (unique ? "_key" : "_idx");
    std::string sql = std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " +
                      target::pg_quote(name) + " ON " + target::pg_quote_qualified(t.target_schema, t.target_table) + " (";
    for (std::size_t i = 0; i < targets.size(); ++i) sql += (i ? ", " : "") + target::pg_quote(targets[i]);
    out.push_back(sql + ")");
  };
  for (const auto& u : info.unique_keys) emit(u, true);
  for (const auto& i : info.indexes) emit(i, false);
  return out;
}

/// Does the target table exist, and with which columns?
std::vector<std::string> target_columns(source::Connection& target, const std::string& schema,
                                        const std::string& table) {
  std::vector<std::string> cols;
  for (auto& r : target.query("SELECT column_name FROM information_schema.columns WHERE table_schema = " +
                              target::pg_literal(schema) + " AND table_name = " + target::pg_literal(table) +
                              " ORDER BY ordinal_position"))
    cols.push_back(*r[0]);
  return cols;
}


/// Settings in a connection string that turn encryption or certificate checks off.
std::optional<std::string> insecure_setting(const std::string& connection) {
  return util::weak_tls_setting(connection);
}

}  // namespace

// Pattern entries (`include:`) become one entry per matching source table; a table
// that also has an entry of its own keeps that entry.
std::vector<config::TableMapping> expand_patterns(const config::Mapping& m, const catalog::Dialect& dialect,
                                                  source::Connection& source) {
  std::vector<config::TableMapping> out;
  std::set<std::string> explicit_sources;
  for (const auto& e : m.tables)
    if (e.include.empty()) explicit_sources.insert(lower(e.source));
  std::optional<std::vector<std::pair<std::string, std::string>>> tables;
  std::set<std::string> taken;
  for (const auto& e : m.tables) {
    if (e.include.empty()) {
      out.push_back(e);
      continue;
    }
    if (!tables) tables = dialect.list_tables(source);
    int matched = 0;
    for (const auto& [schema, name] : *tables) {
      const std::string full = schema.empty() ? name : schema + "." + name;
      auto any = [&](const std::vector<std::string>& patterns) {
        for (const auto& p : patterns)
          if (config::glob_match(p, full) || (schema.empty() && config::glob_match(p, name))) return true;
        return false;
      };
      if (!any(e.include) || any(e.exclude)) continue;
      if (explicit_sources.count(lower(full)) || explicit_sources.count(lower(name)) || !taken.insert(lower(full)).second)
        continue;
      config::TableMapping t = e;
      t.include.clear();
      t.exclude.clear();
      t.source = full;
      t.target = config::resolve_target(e.target, full, e.options.identifier_case);
      out.push_back(std::move(t));
      ++matched;
    }
    if (matched == 0)
      throw PlanError(fmt::format("{}: no source table matches include {}; check the patterns (globs like "
                                  "dbo.bi_*, case-insensitive)", e.location.str(), fmt::join(e.include, ", ")));
  }
  return out;
}

std::vector<config::TableMapping> expand_tables(const config::Mapping& m, source::Connection& source) {
  auto dialect = catalog::make_dialect(m.source.driver, m.source.dialect, source.driver_name());
  return expand_patterns(m, *dialect, source);
}

std::pair<std::string, std::string> target_name(const config::TableMapping& entry) {
  if (entry.target.empty()) {
    const std::string name = unquote(catalog::split_qualified(entry.source).second);
    return {"public", entry.options.identifier_case == config::IdentifierCase::preserve ? name : lower(name)};
  }
  auto [ts, tn] = catalog::split_qualified(entry.target);
  return {ts.empty() ? "public" : unquote(ts), unquote(tn)};
}

namespace {

/// The plan of one table entry (patterns already expanded).
TablePlan plan_table(const config::Mapping& m, const config::TableMapping& entry, const catalog::Dialect& dialect,
                     source::Connection& source, source::Connection& target,
                     const std::function<void(TablePlan&)>& before_chunks) {
  TablePlan t;
  auto [schema, name] = catalog::split_qualified(entry.source);
  schema = unquote(schema);
  name = unquote(name);
  t.source_display = entry.source;
  t.source_dialect = dialect.name();
  t.options = entry.options;
  t.where = entry.where;
  const catalog::TableInfo info = dialect.introspect(source, schema, name);
  t.source_sql = dialect.quote_qualified(info.schema, info.name);
  t.estimated_rows = info.approx_rows;
  t.estimated_rows_exact = info.rows_exact;

  std::tie(t.target_schema, t.target_table) = target_name(entry);
  resolve_columns(entry, info, dialect, m.types, t);
  resolve_key(entry, info, dialect, t);
  const auto mode = entry.options.mode;
  if (t.key.empty() && (mode == config::Mode::incremental || mode == config::Mode::mirror ||
                        (mode == config::Mode::append && entry.options.on_conflict != config::OnConflict::error)))
    throw PlanError(fmt::format("{}: mode {} needs a key to match rows, and {} has no primary key; "
                                "name one with `key: [column]`",
                                entry.location.str(), config::to_string(mode), t.source_display));
  if (mode == config::Mode::incremental) {
    bool mapped = false;
    for (const auto& c : t.columns) mapped = mapped || lower(c.source) == lower(*entry.options.watermark);
    if (!mapped)
      throw PlanError(fmt::format("{}: watermark column '{}' is not a mapped source column of {}",
                                  entry.location.str(), *entry.options.watermark, t.source_display));
  }
  for (const auto* ep : {&m.source, &m.target})
    if (auto bad = insecure_setting(ep->connection))
      t.warnings.push_back(fmt::format("the {} connection sets {}: the connection is not encrypted or its "
                                       "certificate is not checked", ep == &m.source ? "source" : "target", *bad));
  if (entry.options.read_uncommitted)
    t.warnings.push_back("read_uncommitted: rows are read without locks and may be read twice or missed "
                         "while the source changes");

  // The target: create it, or check that every mapped column is there.
  auto existing = target_columns(target, t.target_schema, t.target_table);
  t.target_exists = !existing.empty();
  std::vector<target::TargetColumn> tcols;
  for (const auto& c : t.columns) tcols.push_back({c.target, c.target_type, c.nullable});
  if (!t.target_exists || entry.options.create == config::CreateTable::always) {
    if (!t.target_exists && entry.options.create == config::CreateTable::never)
      throw PlanError(fmt::format("{}: target table {} does not exist and `create: never` is set; "
                                  "create it first or set `create: if_missing`",
                                  entry.location.str(), t.target_display()));
    std::vector<std::string> pk = t.key_target;
    if (entry.options.stale) {
      const auto& st = *entry.options.stale;
      auto it = std::find_if(t.columns.begin(), t.columns.end(), [&](const ColumnPlan& c) { return c.target == st.column; });
      if (it != t.columns.end()) {
        t.stale_type = it->target_type;
      } else {
        bool numeric = !st.value.empty() && !st.live.empty() &&
                       std::all_of(st.value.begin(), st.value.end(), ::isdigit) &&
                       std::all_of(st.live.begin(), st.live.end(), ::isdigit);
        t.stale_type = numeric ? "smallint" : "text";
        tcols.push_back({st.column, t.stale_type + " DEFAULT " + target::pg_literal(st.live), false});
      }
    }
    // A full copy into a table it creates loads faster without the key, which is then
    // built once from sorted data rather than maintained row by row (the index build is
    // about a third of what the same load costs with the key in place). The key is added
    // in the transaction that marks the run done; modes that match rows by key (append
    // with on_conflict, incremental, mirror) and swap (which copies into the original,
    // keyed table at the end) keep it from the start.
    const bool key_after_load = entry.options.mode == config::Mode::full && !entry.options.swap && !pk.empty();
    t.create_sql = target::create_table_sql(t.target_schema, t.target_table, tcols,
                                            key_after_load ? std::vector<std::string>{} : pk);
    if (key_after_load) {
      std::string add = "ALTER TABLE " + target::pg_quote_qualified(t.target_schema, t.target_table) +
                        " ADD PRIMARY KEY (";
      for (std::size_t i = 0; i < pk.size(); ++i) add += (i ? ", " : "") + target::pg_quote(pk[i]);
      t.index_sql.push_back(add + ")");
    }
    if (entry.options.indexes)
      for (auto& ix : index_statements(info, t)) t.index_sql.push_back(std::move(ix));
  } else {
    if (entry.options.stale) {
      auto ty = target.query("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(" +
                             target::pg_literal(target::pg_quote_qualified(t.target_schema, t.target_table)) +
                             ") AND attname = " + target::pg_literal(entry.options.stale->column) +
                             " AND NOT attisdropped");
      const auto& st = *entry.options.stale;
      if (ty.empty() && entry.options.create == config::CreateTable::never)
        throw PlanError(fmt::format("{}: the stale column '{}' is not in target table {} and `create: never` is "
                                    "set; add it (e.g. ALTER TABLE {} ADD COLUMN {} smallint), name another "
                                    "column, or allow `create: if_missing` to add it",
                                    entry.location.str(), st.column, t.target_display(), t.target_display(),
                                    st.column));
      if (ty.empty()) {
        // Added before the run, every existing row live: the run then marks them all stale.
        const bool numeric = !st.value.empty() && !st.live.empty() &&
                             std::all_of(st.value.begin(), st.value.end(), ::isdigit) &&
                             std::all_of(st.live.begin(), st.live.end(), ::isdigit);
        t.stale_type = numeric ? "smallint" : "text";
        t.alter_sql = "ALTER TABLE " + target::pg_quote_qualified(t.target_schema, t.target_table) +
                      " ADD COLUMN " + target::pg_quote(st.column) + " " + t.stale_type + " DEFAULT " +
                      target::pg_literal(st.live);
        t.warnings.push_back("the stale column '" + st.column + "' is not in " + t.target_display() +
                             ": the run adds it (" + t.alter_sql + ")");
      } else {
        t.stale_type = *ty[0][0];
      }
    }
    for (const auto& c : t.columns)
      if (std::find(existing.begin(), existing.end(), c.target) == existing.end())
        throw PlanError(fmt::format("{}: target table {} has no column '{}'; add it, map the "
                                    "column to an existing one with `target:`, or set `create: always`",
                                    entry.location.str(), t.target_display(), c.target));
  }
  std::string fp = t.source_sql + "|" + t.target_display() + "|" + config::to_string(t.options.mode) + "|" +
                   t.where.value_or("");
  for (const auto& c : t.columns) fp += "|" + c.target + ":" + c.select_sql + ":" + c.target_type;
  for (const auto& k : t.key) fp += "|k:" + k;
  t.fingerprint = fnv1a(fp);
  if (before_chunks) before_chunks(t);
  if (!t.chunks_from_state) t.chunks = plan_chunks(t, source);
  return t;
}

}  // namespace

Plan build_plan(const config::Mapping& m, source::Connection& source, source::Connection& target,
                const std::function<void(TablePlan&)>& before_chunks, const TableErrorHandler& on_table_error) {
  Plan plan;
  plan.mapping_file = m.file;
  plan.source_display = m.source.connection_display;
  plan.target_display = m.target.connection_display;
  plan.state_schema = m.state_schema;
  auto dialect = catalog::make_dialect(m.source.driver, m.source.dialect, source.driver_name());
  plan.source_server = dialect->server_description(source);

  for (const auto& entry : expand_patterns(m, *dialect, source)) {
    try {
      plan.tables.push_back(plan_table(m, entry, *dialect, source, target, before_chunks));
    } catch (util::DbError& e) {
      // The table's own SQL (a `where:`, a missing table) fails that table; a lost
      // connection fails them all.
      const bool own_sql = e.side() == "source" && e.sqlstate().starts_with("42") &&
                           (entry.where || std::any_of(entry.columns.begin(), entry.columns.end(),
                                                       [](const auto& c) { return c.expr.has_value(); }));
      e.add_context((entry.location.file.empty() ? "" : entry.location.str() + ": ") + "table " + entry.source +
                    (own_sql ? " (the source refuses its where: or expr:; correct them in the mapping)" : ""));
      if (!on_table_error || e.kind() == util::ErrorKind::connection) throw;
      on_table_error(entry, e);
    }
  }
  return plan;
}

void apply_watermark_window(TablePlan& t, source::Connection& source, const std::optional<std::string>& from,
                            const std::optional<std::string>& resumed_to) {
  auto dialect = catalog::make_dialect(t.source_dialect);
  const ColumnPlan* w = nullptr;
  for (const auto& c : t.columns)
    if (lower(c.source) == lower(*t.options.watermark)) w = &c;
  if (!w) throw PlanError("watermark column " + *t.options.watermark + " is not mapped in " + t.source_display);
  catalog::Column col;
  col.name = w->source;
  col.type = w->type;
  col.native_type = w->source_type;
  const std::string q = dialect->quote(w->source);
  std::string lower_bound = from ? q + " > " + dialect->column_literal(*from, col) : "";
  t.watermark_from = from;
  if (resumed_to) {
    t.watermark_to = resumed_to;
  } else {
    // The window closes at the newest value now: rows changed while we copy wait for the next run.
    std::string sql = "SELECT " + dialect->select_text("MAX(" + q + ")", w->type) + " FROM " + t.source_sql;
    std::string where = t.where ? "(" + *t.where + ")" : "";
    if (!lower_bound.empty()) where += (where.empty() ? "" : " AND ") + lower_bound;
    if (!where.empty()) sql += " WHERE " + where;
    auto r = source.query(sql);
    t.watermark_to = r.empty() || r[0].empty() ? std::nullopt : r[0][0];
    if (!t.watermark_to) t.watermark_to = from;  // nothing new: the window stays where it was
  }
  std::string window = lower_bound;
  if (t.watermark_to) window += (window.empty() ? "" : " AND ") + q + " <= " + dialect->column_literal(*t.watermark_to, col);
  if (!from && t.watermark_to) window.clear();  // a first run copies everything, NULL watermarks included
  if (!window.empty()) t.where = t.where ? "(" + *t.where + ") AND " + window : window;
}

std::int64_t chunk_rows_for(const config::TableOptions& o, std::int64_t rows) {
  if (o.chunk_rows > 0) return o.chunk_rows;
  if (rows <= 0) return 50000;
  // Four chunks per worker: the last ones balance the workers' finish, and a retried
  // chunk redoes a quarter of a worker's share at most. At least 10,000 rows, so that a
  // chunk's transaction and state row stay a small part of it; at most 1,000,000, so
  // that a retry or a resume never redoes more.
  const std::int64_t parts = 4 * std::max(1, o.workers);
  return std::clamp<std::int64_t>((rows + parts - 1) / parts, 10000, 1000000);
}

std::vector<ChunkPlan> plan_chunks(TablePlan& t, source::Connection& source) {
  std::vector<ChunkPlan> chunks;
  std::int64_t per_chunk = chunk_rows_for(t.options, t.estimated_rows);
  auto single = [&] {
    chunks.push_back(ChunkPlan{0, std::nullopt, std::nullopt});
    return chunks;
  };
  if (t.key.empty()) return single();
  auto dialect = catalog::make_dialect(t.source_dialect);
  const std::string where = t.where ? " WHERE (" + *t.where + ")" : "";

  if (t.key.size() == 1 && catalog::is_integer(t.key_types[0])) {
    // The count only sizes the chunks; a full scan of SQLite's table is not taken twice.
    const bool counted = t.estimated_rows_exact && !t.where;
    auto r = source.query("SELECT MIN(" + t.key_sql[0] + "), MAX(" + t.key_sql[0] + ")" +
                          (counted ? "" : ", COUNT(*)") + " FROM " + t.source_sql + where);
    if (r.empty() || !r[0][0] || !r[0][1]) return single();
    const std::int64_t lo = std::stoll(*r[0][0]), hi = std::stoll(*r[0][1]);
    const std::int64_t rows = counted ? t.estimated_rows : r[0][2] ? std::stoll(*r[0][2]) : 0;
    // The count is the progress total too: catalog estimates can be stale or absent
    // (a table never analysed, a server whose sys.partitions reports 0).
    if (!counted) {
      t.estimated_rows = rows;
      t.estimated_rows_exact = !t.where;
    }
    per_chunk = chunk_rows_for(t.options, rows);
    const std::int64_t n = std::max<std::int64_t>(1, (rows + per_chunk - 1) / per_chunk);
    // Equal ranges of the key space; the first and last stay open so that no row
    // outside [MIN, MAX] at read time can be missed.
    const long double step = (static_cast<long double>(hi) - lo + 1) / n;
    std::optional<std::vector<std::string>> prev;
    for (std::int64_t i = 0; i < n; ++i) {
      ChunkPlan c{static_cast<int>(i), prev, std::nullopt};
      if (i + 1 < n) {
        // In long double (64-bit mantissa: every int64 exact): lo + step may not fit an
        // int64 when the keys span most of its range (MIN = -2^63, MAX = 2^63 - 1).
        const auto b = static_cast<std::int64_t>(static_cast<long double>(lo) + step * (i + 1));
        c.hi = std::vector<std::string>{std::to_string(b)};
        prev = c.hi;
      }
      chunks.push_back(std::move(c));
    }
    return chunks;
  }

  // Other keys: cut every `chunk_rows` rows in key order, so each chunk holds the
  // same number of rows whatever the key's distribution. Where the source numbers
  // rows (window functions) it sends only those boundary keys; elsewhere every key
  // is read here and counted.
  const bool numbered = dialect->numbers_rows();
  // Without statistics nothing better is known here than "unknown" (0 would read as empty).
  if (t.estimated_rows == 0 && !t.estimated_rows_exact) t.estimated_rows = -1;
  std::string order;
  for (std::size_t i = 0; i < t.key_sql.size(); ++i) order += (i ? ", " : "") + t.key_sql[i];
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < t.key_sql.size(); ++i) {
    catalog::Column c;
    c.name = t.key[i];
    c.type = t.key_types[i];
    c.native_type = t.key_native[i];
    sql += (i ? ", " : "") + dialect->select_column(numbered ? "replicate_k" + std::to_string(i) : t.key_sql[i], c);
  }
  if (numbered) {
    std::string inner = "SELECT ";
    for (std::size_t i = 0; i < t.key_sql.size(); ++i) inner += t.key_sql[i] + " AS replicate_k" + std::to_string(i) + ", ";
    inner += "ROW_NUMBER() OVER (ORDER BY " + order + ") AS replicate_rn FROM " + t.source_sql + where;
    sql += " FROM (" + inner + ") replicate_keys WHERE replicate_rn > 1 AND (replicate_rn - 1) % " +
           std::to_string(per_chunk) + " = 0 ORDER BY replicate_rn";
  } else {
    sql += " FROM " + t.source_sql + where + " ORDER BY " + order;
  }
  auto cursor = source.open_cursor(sql, t.key_sql.size(), 10000);
  source::Batch b;
  std::int64_t seen = 0;
  std::optional<std::vector<std::string>> prev;
  while (cursor->fetch(b)) {
    for (std::size_t r = 0; r < b.rows; ++r, ++seen) {
      if (!numbered && (seen == 0 || seen % per_chunk)) continue;
      std::vector<std::string> bound;
      for (std::size_t c = 0; c < b.columns(); ++c) bound.push_back(b.values[c][r]);
      if (prev && *prev == bound) continue;  // duplicates of a non-unique key stay in one chunk
      chunks.push_back(ChunkPlan{static_cast<int>(chunks.size()), prev, bound});
      prev = bound;
    }
  }
  chunks.push_back(ChunkPlan{static_cast<int>(chunks.size()), prev, std::nullopt});
  return chunks;
}

}  // namespace replicate::plan
