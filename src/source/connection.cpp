// SPDX-License-Identifier: Apache-2.0
// Connections over SOCI sessions. SQLite reads with sqlite3_step on SOCI's handle; the
// PostgreSQL and ODBC sessions are reached underneath (libpq cursors, raw ODBC
// array fetches) where SOCI would fetch a whole result or truncate long values.
#include "source/connection.hpp"

#include <libpq-fe.h>
#include <unistd.h>
#include <soci/odbc/soci-odbc.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "source/odbc_cursor.hpp"
#include "source/pg_cursor.hpp"
#include "source/sqlite_cursor.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/tls.hpp"

namespace replicate::source {

const char* to_string(Side side) { return side == Side::source ? "source" : "target"; }

void prepare_process() {
  // Fails (harmlessly) only when SQLite was already initialised: it then keeps locking.
  sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);  // soci-sqlite3.h wraps sqlite3.h in sqlite_api
}

std::unique_ptr<Cursor> Connection::open_copy_out_cursor(const std::string&, std::size_t) {
  throw util::DbError(util::ErrorKind::internal, "source", "COPY TO cursors are for native PostgreSQL sessions only");
}

std::unique_ptr<Cursor> Connection::open_raw_cursor(const std::string&, const std::vector<RawColumn>&, std::size_t,
                                                    bool) {
  throw util::DbError(util::ErrorKind::internal, "source", "raw cursors are for native SQLite sessions only");
}

namespace {

using util::DbError;
using util::ErrorKind;

/// A server's WARNING (client_min_messages keeps notices out) goes through the logger,
/// naming its side, instead of libpq's default print to stderr.
extern "C" void log_pg_notice(void* side, const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const char* name = static_cast<const char*>(side);
  util::log_warning("notice", std::string(name) + ": " + text, {{"side", name}});
}

/// Rethrow a SOCI error as a classified DbError.
[[noreturn]] void rethrow_soci(const soci::soci_error& e, Side side, const std::string& what) {
  std::string sqlstate;
  ErrorKind kind = ErrorKind::internal;
  if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    sqlstate = pg->sqlstate();
    kind = util::classify_sqlstate(sqlstate);
  } else if (auto* od = dynamic_cast<const soci::odbc_soci_error*>(&e)) {
    sqlstate = reinterpret_cast<const char*>(od->odbc_error_code());
    kind = util::classify_sqlstate(sqlstate);
  } else if (auto* sq = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    int rc = sq->result();
    if (rc == 5 || rc == 6) kind = ErrorKind::transient;  // SQLITE_BUSY, SQLITE_LOCKED
  }
  if (e.get_error_category() == soci::soci_error::connection_error) kind = ErrorKind::connection;
  std::string msg = e.get_error_message();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  throw DbError(kind, to_string(side), what + ": " + msg, sqlstate);
}

class SociConnection : public Connection {
 public:
  SociConnection(config::Driver driver, Side side) : driver_(driver), side_(side) {}

  void open(const config::Endpoint& ep) {
    // Sources are only read: their sessions are read-only where the database has such a
    // thing, so a `where:` or `expr:` cannot change them (nextval, a writing function).
    const bool read_only = side_ == Side::source;
    try {
      switch (driver_) {
        case config::Driver::postgresql:
          // As a URI: SOCI re-joins the string's pairs unquoted, which broke values with spaces.
          session_.open(*soci::factory_postgresql(), config::libpq_as_uri(util::pg_conninfo_with_tls(ep.connection)));
          break;
        case config::Driver::odbc:
          session_.open(*soci::factory_odbc(), util::odbc_connection_with_tls(ep.connection));
          if (read_only)  // a hint some drivers act on; none is required to
            SQLSetConnectAttr(static_cast<SQLHDBC>(hdbc()), SQL_ATTR_ACCESS_MODE,
                              reinterpret_cast<SQLPOINTER>(static_cast<SQLULEN>(SQL_MODE_READ_ONLY)), 0);
          break;
        case config::Driver::sqlite: {
          // A bare path is the common case; "db=..." strings pass as written.
          const bool bare = ep.connection.find("db=") == std::string::npos;
          // Opening a missing file would create an empty database and read nothing from it.
          if (read_only && bare && ep.connection != ":memory:" && access(ep.connection.c_str(), F_OK) != 0)
            throw DbError(ErrorKind::connection, to_string(side_),
                          "SQLite database " + ep.connection_display +
                              " does not exist; check the path (a source database is never created)");
          std::string conn = bare ? "db=\"" + ep.connection + "\"" : ep.connection;
          session_.open(*soci::factory_sqlite3(), read_only ? conn + " readonly=1" : conn);
          break;
        }
      }
    } catch (const std::invalid_argument& e) {  // a TLS setting the driver would ignore
      throw DbError(ErrorKind::connection, to_string(side_), "cannot connect to " + ep.connection_display + ": " + e.what());
    } catch (const soci::soci_error& e) {
      // Drivers sometimes echo the connection string, or a value from it: show only the
      // redacted form, and mask every value a placeholder supplied. One pass each: the
      // display form may contain the string itself ("bi_clientes"), which looped forever.
      std::string msg = config::mask_secrets(
          config::replace_all(e.get_error_message(), ep.connection, ep.connection_display), ep.secrets);
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      throw DbError(ErrorKind::connection, to_string(side_),
                    "cannot connect to " + ep.connection_display + ": " + msg);
    }
    if (driver_ == config::Driver::postgresql) {
      PQsetNoticeProcessor(pg(), log_pg_notice, const_cast<char*>(to_string(side_)));
      // Canonical text output whatever the server's settings are.
      execute("SET DateStyle = ISO; SET IntervalStyle = iso_8601; SET extra_float_digits = 3; "
              "SET TimeZone = 'UTC'; SET bytea_output = hex; SET client_encoding = 'UTF8'; "
              // Literals ('a\b', key bounds, state rows) mean what they say even where
              // a database sets standard_conforming_strings = off.
              "SET standard_conforming_strings = on; "
              "SET client_min_messages = warning" +
              std::string(read_only ? "; SET default_transaction_read_only = on" : ""));
    } else if (driver_ == config::Driver::sqlite) {
      execute("PRAGMA busy_timeout = 10000");
    } else if (ep.dialect == config::Dialect::mssql ||
               (ep.dialect == config::Dialect::automatic && config::guess_dialect(ep.connection) == config::Dialect::mssql)) {
      // Names holding ']' are quoted "like this" (mssql_quote): every session of ours,
      // planner and verify included, reads double quotes as identifiers.
      execute("SET QUOTED_IDENTIFIER ON");
    }
  }

  std::vector<Row> query(const std::string& sql) override {
    std::vector<Row> rows;
    if (driver_ == config::Driver::postgresql) {
      // Small results (catalog, state): one round trip; works for INSERT ... RETURNING too.
      PGresult* res = PQexec(pg(), sql.c_str());
      check_pg(res, "cannot run query");
      for (int r = 0; r < PQntuples(res); ++r) {
        Row row(PQnfields(res));
        for (int c = 0; c < PQnfields(res); ++c)
          if (!PQgetisnull(res, r, c)) row[c] = std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c));
        rows.push_back(std::move(row));
      }
      PQclear(res);
      return rows;
    }
    // Elsewhere catalog queries go through the bulk path and are turned into rows.
    auto probe = describe_columns(sql);
    auto cursor = open_cursor(sql, probe, 256);
    Batch b;
    while (cursor->fetch(b)) {
      for (std::size_t r = 0; r < b.rows; ++r) {
        Row row(b.columns());
        for (std::size_t c = 0; c < b.columns(); ++c)
          if (!b.is_null[c][r]) row[c] = b.values[c][r];
        rows.push_back(std::move(row));
      }
    }
    return rows;
  }

  void execute(const std::string& sql) override {
    if (driver_ == config::Driver::postgresql) {
      PGresult* res = PQexec(pg(), sql.c_str());
      check_pg(res, "cannot run statement");
      PQclear(res);
      return;
    }
    if (driver_ == config::Driver::odbc) {
      odbc_execute(hdbc(), sql, side_);
      return;
    }
    try {
      session_ << sql;
    } catch (const soci::soci_error& e) {
      rethrow_soci(e, side_, "cannot run statement");
    }
  }

  std::unique_ptr<Cursor> open_cursor(const std::string& sql, std::size_t columns,
                                      std::size_t batch_size) override {
    switch (driver_) {
      case config::Driver::postgresql:
        return open_pg_cursor(pg(), sql, columns, batch_size, side_);
      case config::Driver::odbc:
        return open_odbc_cursor(hdbc(), sql, columns, batch_size, side_);
      case config::Driver::sqlite:
        break;
    }
    return open_sqlite_cursor(static_cast<soci::sqlite3_session_backend*>(session_.get_backend())->conn_, sql, columns,
                              batch_size, side_);
  }

  bool copies_out() const override { return driver_ == config::Driver::postgresql; }

  std::unique_ptr<Cursor> open_copy_out_cursor(const std::string& sql, std::size_t batch_size) override {
    if (driver_ != config::Driver::postgresql) return Connection::open_copy_out_cursor(sql, batch_size);
    return open_pg_copy_out_cursor(pg(), sql, batch_size, side_);
  }

  bool reads_raw(const std::string& dialect) const override {
    return (driver_ == config::Driver::sqlite && dialect == "sqlite") ||
           (driver_ == config::Driver::odbc && dialect == "mssql");
  }

  std::unique_ptr<Cursor> open_raw_cursor(const std::string& sql, const std::vector<RawColumn>& columns,
                                          std::size_t batch_size, bool copy_text) override {
    if (driver_ == config::Driver::odbc)
      return open_odbc_native_cursor(hdbc(), sql, columns, batch_size, side_, copy_text);
    if (driver_ != config::Driver::sqlite) return Connection::open_raw_cursor(sql, columns, batch_size, copy_text);
    return open_sqlite_raw_cursor(static_cast<soci::sqlite3_session_backend*>(session_.get_backend())->conn_, sql,
                                  columns, batch_size, side_, copy_text);
  }

  void begin() override {
    if (driver_ == config::Driver::odbc) {
      try { session_.begin(); } catch (const soci::soci_error& e) { rethrow_soci(e, side_, "cannot begin"); }
      return;
    }
    execute("BEGIN");
  }
  void commit() override {
    if (driver_ == config::Driver::odbc) {
      try { session_.commit(); } catch (const soci::soci_error& e) { rethrow_soci(e, side_, "cannot commit"); }
      return;
    }
    execute("COMMIT");
  }
  void rollback() override {
    if (driver_ == config::Driver::odbc) {
      try { session_.rollback(); } catch (const soci::soci_error& e) { rethrow_soci(e, side_, "cannot roll back"); }
      return;
    }
    execute("ROLLBACK");
  }

  pg_conn* native_pg() override { return driver_ == config::Driver::postgresql ? pg() : nullptr; }

  std::string driver_name() const override {
    if (driver_ == config::Driver::odbc) return odbc_dbms_name(const_cast<SociConnection*>(this)->hdbc());
    return driver_ == config::Driver::postgresql ? "PostgreSQL" : "SQLite";
  }

 private:
  PGconn* pg() {
    return static_cast<soci::postgresql_session_backend*>(session_.get_backend())->conn_;
  }
  void* hdbc() { return static_cast<soci::odbc_session_backend*>(session_.get_backend())->hdbc_; }

  void check_pg(PGresult* res, const std::string& what) { check_pg_result(pg(), res, side_, what); }

  /// Number of columns a query yields, found by preparing it (no rows read).
  std::size_t describe_columns(const std::string& sql) {
    if (driver_ == config::Driver::postgresql) {
      PGresult* res = PQprepare(pg(), "", sql.c_str(), 0, nullptr);
      check_pg(res, "cannot prepare query");
      PQclear(res);
      res = PQdescribePrepared(pg(), "");
      check_pg(res, "cannot describe query");
      std::size_t n = PQnfields(res);
      PQclear(res);
      return n;
    }
    if (driver_ == config::Driver::odbc) return odbc_result_columns(sql);
    try {
      soci::row r;
      soci::statement st = (session_.prepare << sql, soci::into(r));
      st.execute(false);
      return r.size();
    } catch (const soci::soci_error& e) {
      rethrow_soci(e, side_, "cannot describe query");
    }
  }

  /// SQLPrepare and SQLNumResultCols on a statement of our own. SOCI's describe
  /// path fails on psqlODBC ("Failed to get result columns count").
  std::size_t odbc_result_columns(const std::string& sql) {
    SQLHSTMT st = SQL_NULL_HSTMT;
    auto dbc = static_cast<SQLHDBC>(hdbc());
    auto failed = [&](SQLSMALLINT type, SQLHANDLE h, const std::string& what) {
      SQLCHAR state[6] = {0}, msg[1024] = {0};
      SQLINTEGER native = 0;
      SQLSMALLINT len = 0;
      SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
      if (st != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, st);
      std::string sqlstate = reinterpret_cast<const char*>(state);
      return DbError(sqlstate.empty() ? ErrorKind::internal : util::classify_sqlstate(sqlstate), to_string(side_),
                     what + ": [" + sqlstate + "] " + reinterpret_cast<const char*>(msg), sqlstate);
    };
    auto ok = [](SQLRETURN rc) { return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO; };
    if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st))) throw failed(SQL_HANDLE_DBC, dbc, "cannot describe query");
    SQLSMALLINT n = 0;
    if (!ok(SQLPrepare(st, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())),
                       static_cast<SQLINTEGER>(sql.size()))) ||
        !ok(SQLNumResultCols(st, &n)))
      throw failed(SQL_HANDLE_STMT, st, "cannot describe query");
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return static_cast<std::size_t>(n);
  }

  config::Driver driver_;
  Side side_;
  soci::session session_;
};

}  // namespace

std::unique_ptr<Connection> connect(const config::Endpoint& endpoint, Side side) {
  auto c = std::make_unique<SociConnection>(endpoint.driver, side);
  c->open(endpoint);
  return c;
}

}  // namespace replicate::source
