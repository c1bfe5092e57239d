// Resolution of a mapping against real catalogs. Everything a worker needs is
// decided here once, so workers only execute.
#include "plan/planner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "target/pg_schema.hpp"
#include "util/error.hpp"

namespace replicate::plan {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

/// Strip one level of "..." or [...] quoting from an identifier as written in YAML.
std::string unquote(const std::string& s) {
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '[' && s.back() == ']')))
    return s.substr(1, s.size() - 2);
  return s;
}

std::string fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

std::string where_text(const config::TableMapping& t) {
  return t.location.file.empty() ? "" : " (" + t.location.str() + ")";
}

/// Resolve the columns of one table entry against the source catalog.
void resolve_columns(const config::TableMapping& entry, const catalog::TableInfo& info,
                     const catalog::Dialect& dialect, TablePlan& out) {
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
    p.target_type = m && m->type ? *m->type : target::pg_type(c.type);
    p.select_sql = dialect.select_column(dialect.quote(c.name), c);
    if (auto loss = dialect.mapping_loss(c)) p.note = *loss;
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
      p.select_sql = m.expr ? dialect.select_text("(" + *m.expr + ")", p.type)
                            : dialect.string_literal(*m.value);
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

}  // namespace

Plan build_plan(const config::Mapping& m, source::Connection& source, source::Connection& target) {
  Plan plan;
  plan.mapping_file = m.file;
  plan.source_display = m.source.connection_display;
  plan.target_display = m.target.connection_display;
  plan.state_schema = m.state_schema;
  auto dialect = catalog::make_dialect(m.source.driver, m.source.dialect, source.driver_name());

  for (const auto& entry : m.tables) {
    if (!entry.include.empty())
      throw PlanError(entry.location.str() + ": table patterns (`include`) are not supported yet; "
                      "list each table with `source:`");
    TablePlan t;
    auto [schema, name] = catalog::split_qualified(entry.source);
    schema = unquote(schema);
    name = unquote(name);
    t.source_display = entry.source;
    t.source_dialect = dialect->name();
    t.options = entry.options;
    t.where = entry.where;
    catalog::TableInfo info;
    try {
      info = dialect->introspect(source, schema, name);
    } catch (util::DbError& e) {
      e.add_context("source table " + entry.source + where_text(entry));
      throw;
    }
    t.source_sql = dialect->quote_qualified(info.schema, info.name);
    t.estimated_rows = info.approx_rows;

    const bool preserve = entry.options.identifier_case == config::IdentifierCase::preserve;
    if (entry.target.empty()) {
      t.target_schema = "public";
      t.target_table = preserve ? name : lower(name);
    } else {
      auto [ts, tn] = catalog::split_qualified(entry.target);
      t.target_schema = ts.empty() ? "public" : unquote(ts);
      t.target_table = unquote(tn);
    }
    resolve_columns(entry, info, *dialect, t);
    resolve_key(entry, info, *dialect, t);

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
      t.create_sql = target::create_table_sql(t.target_schema, t.target_table, tcols, pk);
    } else {
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
    t.chunks = plan_chunks(t, source);
    plan.tables.push_back(std::move(t));
  }
  return plan;
}

std::vector<ChunkPlan> plan_chunks(const TablePlan& t, source::Connection& source) {
  std::vector<ChunkPlan> chunks;
  const std::int64_t per_chunk = std::max<std::int64_t>(1, t.options.chunk_rows);
  auto single = [&] {
    chunks.push_back(ChunkPlan{0, std::nullopt, std::nullopt});
    return chunks;
  };
  if (t.key.empty()) return single();
  auto dialect = catalog::make_dialect(t.source_dialect);
  const std::string where = t.where ? " WHERE (" + *t.where + ")" : "";

  if (t.key.size() == 1 && catalog::is_integer(t.key_types[0])) {
    auto r = source.query("SELECT MIN(" + t.key_sql[0] + "), MAX(" + t.key_sql[0] + "), COUNT(*) FROM " +
                          t.source_sql + where);
    if (r.empty() || !r[0][0] || !r[0][1]) return single();
    const std::int64_t lo = std::stoll(*r[0][0]), hi = std::stoll(*r[0][1]);
    const std::int64_t rows = r[0][2] ? std::stoll(*r[0][2]) : 0;
    const std::int64_t n = std::max<std::int64_t>(1, (rows + per_chunk - 1) / per_chunk);
    // Equal ranges of the key space; the first and last stay open so that no row
    // outside [MIN, MAX] at read time can be missed.
    const long double step = (static_cast<long double>(hi) - lo + 1) / n;
    std::optional<std::vector<std::string>> prev;
    for (std::int64_t i = 0; i < n; ++i) {
      ChunkPlan c{static_cast<int>(i), prev, std::nullopt};
      if (i + 1 < n) {
        std::int64_t b = lo + static_cast<std::int64_t>(step * (i + 1));
        c.hi = std::vector<std::string>{std::to_string(b)};
        prev = c.hi;
      }
      chunks.push_back(std::move(c));
    }
    return chunks;
  }

  // Other keys: read the keys in order and cut every `chunk_rows` rows, so each
  // chunk holds the same number of rows whatever the key's distribution.
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < t.key_sql.size(); ++i) {
    catalog::Column c;
    c.name = t.key[i];
    c.type = t.key_types[i];
    c.native_type = t.key_native[i];
    sql += (i ? ", " : "") + dialect->select_column(t.key_sql[i], c);
  }
  sql += " FROM " + t.source_sql + where + " ORDER BY ";
  for (std::size_t i = 0; i < t.key_sql.size(); ++i) sql += (i ? ", " : "") + t.key_sql[i];
  auto cursor = source.open_cursor(sql, t.key_sql.size(), 10000);
  source::Batch b;
  std::int64_t seen = 0;
  std::optional<std::vector<std::string>> prev;
  while (cursor->fetch(b)) {
    for (std::size_t r = 0; r < b.rows; ++r, ++seen) {
      if (seen == 0 || seen % per_chunk) continue;
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
