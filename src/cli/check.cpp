// SPDX-License-Identifier: Apache-2.0
// `replicate check`: can this mapping run here? Connects to the source and the target,
// names the servers and the encryption in use, lists the tables each entry (patterns
// included) stands for, and tries every privilege a run needs without changing
// anything: SELECT on each source table; on the target, CREATE in the schemas of the
// tables to create, INSERT and TRUNCATE on the existing ones, and the state schema.
#include "cli/check.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <set>

#include "catalog/dialect.hpp"
#include "plan/planner.hpp"
#include "target/pg_schema.hpp"
#include "util/error.hpp"

namespace replicate::cli {
namespace {

struct Checker {
  int problems = 0;
  void line(const std::string& what, const std::string& result) { std::printf("  %-44s %s\n", what.c_str(), result.c_str()); }
  void ok(const std::string& what, const std::string& detail = "ok") { line(what, detail); }
  void fail(const std::string& what, const std::string& why) {
    ++problems;
    line(what, "MISSING: " + why);
  }
};

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

/// The encryption of a PostgreSQL session, from the server's own view of it.
std::string pg_encryption(source::Connection& c) {
  auto r = c.query("SELECT ssl::text, coalesce(version, ''), coalesce(cipher, '') FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  if (r.empty() || !r[0][0]) return "unknown";
  if (*r[0][0] != "true") return "none (not encrypted)";
  return "TLS " + r[0][1].value_or("") + " " + r[0][2].value_or("");
}

std::string mssql_encryption(source::Connection& c) {
  try {
    auto r = c.query("SELECT encrypt_option FROM sys.dm_exec_connections WHERE session_id = @@SPID");
    if (!r.empty() && r[0][0]) return *r[0][0] == "TRUE" ? "TLS (encrypt_option TRUE)" : "none (encrypt_option FALSE)";
  } catch (const util::DbError&) {
  }
  return "unknown (the server does not say)";
}

}  // namespace

int check_mapping(const config::Mapping& m) {
  Checker ck;
  std::printf("mapping: %s\n", m.file.c_str());

  std::printf("source:  %s\n", m.source.connection_display.c_str());
  auto src = source::connect(m.source, source::Side::source);
  auto dialect = catalog::make_dialect(m.source.driver, m.source.dialect, src->driver_name());
  std::string server = dialect->server_description(*src);
  if (server.empty() && m.source.driver == config::Driver::postgresql) {
    auto v = src->query("SELECT version()");
    if (!v.empty() && v[0][0]) server = *v[0][0];
  } else if (server.empty() && m.source.driver == config::Driver::sqlite) {
    auto v = src->query("SELECT 'SQLite ' || sqlite_version()");
    if (!v.empty() && v[0][0]) server = *v[0][0];
  }
  ck.ok("connected", server.empty() ? std::string(config::to_string(m.source.driver)) : first_line(server));
  if (m.source.driver == config::Driver::postgresql)
    ck.ok("encryption", pg_encryption(*src));
  else if (dialect->name() == std::string("mssql"))
    ck.ok("encryption", mssql_encryption(*src));
  else if (m.source.driver == config::Driver::sqlite)
    ck.ok("encryption", "none needed (a local file)");

  std::printf("target:  %s\n", m.target.connection_display.c_str());
  auto tgt = source::connect(m.target, source::Side::target);
  auto version = tgt->query("SELECT version()");
  ck.ok("connected", version.empty() || !version[0][0] ? "PostgreSQL" : first_line(*version[0][0]));
  ck.ok("encryption", pg_encryption(*tgt));

  std::printf("tables:\n");
  std::set<std::string> schemas_to_create_in;
  for (const auto& entry : plan::expand_patterns(m, *dialect, *src)) {
    auto [schema, name] = catalog::split_qualified(entry.source);
    const std::string target = config::resolve_target(entry.target, entry.source, entry.options.identifier_case);
    const std::string label = entry.source + " -> " + target;
    try {
      auto info = dialect->introspect(*src, plan::unquote_identifier(schema), plan::unquote_identifier(name));
      // A read of no rows: proves SELECT without reading anything.
      src->query("SELECT " + dialect->top_clause(1) + "* FROM " + dialect->quote_qualified(info.schema, info.name) +
                 " WHERE 1 = 0 " + dialect->limit_clause(1));
      ck.ok(label, "SELECT ok");
    } catch (const util::DbError& e) {
      ck.fail(label, "cannot read the source table: " + first_line(e.what()));
      continue;
    }
    auto [tschema, ttable] = catalog::split_qualified(target);
    if (tschema.empty()) tschema = "public";
    const std::string qualified = target::pg_literal(target::pg_quote(tschema) + "." + target::pg_quote(ttable));
    auto exists = tgt->query("SELECT to_regclass(" + qualified + ") IS NOT NULL");
    if (!exists.empty() && exists[0][0] == std::optional<std::string>("t")) {
      auto p = tgt->query("SELECT has_table_privilege(" + qualified + "::regclass, 'INSERT')::text, "
                          "has_table_privilege(" + qualified + "::regclass, 'TRUNCATE')::text");
      const bool insert = p[0][0] == std::optional<std::string>("true");
      const bool truncate = p[0][1] == std::optional<std::string>("true");
      const bool needs_truncate = entry.options.mode == config::Mode::full;
      if (insert && (truncate || !needs_truncate))
        ck.ok("  target " + target, needs_truncate ? "exists; INSERT and TRUNCATE ok" : "exists; INSERT ok");
      else
        ck.fail("  target " + target, std::string(insert ? "" : "INSERT ") + (truncate || !needs_truncate ? "" : "TRUNCATE ") +
                                          "privilege (GRANT it on the table to the mapping's user)");
    } else {
      schemas_to_create_in.insert(tschema);
      ck.ok("  target " + target, "to be created");
    }
  }

  std::printf("target privileges:\n");
  for (const auto& s : schemas_to_create_in) {
    auto r = tgt->query("SELECT has_schema_privilege(n.oid, 'CREATE')::text FROM pg_namespace n WHERE nspname = " +
                        target::pg_literal(s));
    if (r.empty())
      ck.fail("schema " + s, "does not exist; create it (CREATE SCHEMA " + target::pg_quote(s) + ")");
    else if (r[0][0] != std::optional<std::string>("true"))
      ck.fail("schema " + s, "no CREATE privilege (GRANT CREATE ON SCHEMA " + target::pg_quote(s) + " TO ...)");
    else
      ck.ok("schema " + s, "CREATE ok");
  }
  auto st = tgt->query("SELECT has_schema_privilege(n.oid, 'CREATE')::text, has_schema_privilege(n.oid, 'USAGE')::text "
                       "FROM pg_namespace n WHERE nspname = " + target::pg_literal(m.state_schema));
  if (st.empty()) {
    auto db = tgt->query("SELECT has_database_privilege(current_database(), 'CREATE')::text");
    if (!db.empty() && db[0][0] == std::optional<std::string>("true"))
      ck.ok("state schema " + m.state_schema, "to be created (CREATE on the database ok)");
    else
      ck.fail("state schema " + m.state_schema,
              "does not exist and the user may not create schemas (GRANT CREATE ON DATABASE ..., or create it)");
  } else if (st[0][0] != std::optional<std::string>("true") || st[0][1] != std::optional<std::string>("true")) {
    ck.fail("state schema " + m.state_schema, "needs USAGE and CREATE on it");
  } else {
    ck.ok("state schema " + m.state_schema, "USAGE and CREATE ok");
  }

  if (ck.problems == 0) {
    std::printf("check: everything a run needs is in place\n");
    return util::exit_ok;
  }
  std::printf("check: %d problem%s above\n", ck.problems, ck.problems == 1 ? "" : "s");
  return util::exit_connect;
}

}  // namespace replicate::cli
