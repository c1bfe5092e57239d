// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that talk to real databases: the private PostgreSQL cluster
// started by scripts/pg-cluster.sh, throw-away databases, and running the binary.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace replicate::test {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

/// The private test cluster (trust auth, user postgres, 127.0.0.1).
struct PgServer {
  std::string host;
  int port = 0;
  std::string user;

  /// A libpq connection string for `dbname` on this cluster.
  std::string conninfo(const std::string& dbname = "postgres") const;
  /// PGHOST, PGPORT, PGUSER and PGDATABASE for a child process.
  EnvVars env(const std::string& dbname = "postgres") const;
};

/// The cluster whose conninfo is in REPLICATE_TEST_PG_DIR; started on first use
/// when the ctest fixture did not start it (running the test binary by hand).
const PgServer& pg();

/// prefix + pid + a counter, lower case, safe as an unquoted SQL identifier.
std::string unique_name(const std::string& prefix);

/// Creates a database with a unique name and returns its conninfo. It is dropped
/// when the process exits unless REPLICATE_TEST_KEEP is set.
std::string create_database(const std::string& prefix);

/// The name of the database in a conninfo made by create_database or conninfo().
std::string database_of(const std::string& conninfo);

/// Runs one or more SQL statements; throws std::runtime_error with the server's
/// message on failure.
void pg_exec(const std::string& conninfo, const std::string& sql);

/// Runs a query and returns its rows as text, NULL as nullopt.
std::vector<std::vector<std::optional<std::string>>> pg_query(const std::string& conninfo,
                                                              const std::string& sql);

/// The single value of a one-row, one-column query (nullopt for NULL).
std::optional<std::string> pg_scalar(const std::string& conninfo, const std::string& sql);

struct RunResult {
  int exit_code;  // 128 + signal number when the process was killed
  std::string out;
  std::string err;
};

/// Runs the replicate binary with `args`; `env` is added to (and overrides) the
/// current environment. stdin is /dev/null.
RunResult run_replicate(const std::vector<std::string>& args, const EnvVars& env = {});

/// For a forked child: exec argv[0] with `argv`; _exit(127) when that fails.
[[noreturn]] void exec_argv(std::vector<std::string> argv);
/// For a forked child: exec the replicate binary under test with `args`.
[[noreturn]] void exec_replicate(const std::vector<std::string>& args);

/// A fresh directory under /tmp, removed when the process exits unless
/// REPLICATE_TEST_KEEP is set.
std::string temp_dir();

/// A DSN-less psqlODBC connection string for `dbname` on the test cluster.
std::string odbc_pg_connection(const std::string& dbname);

/// A DSN-less SQLite ODBC connection string for the database file at `path`.
std::string odbc_sqlite_connection(const std::string& path);

}  // namespace replicate::test
