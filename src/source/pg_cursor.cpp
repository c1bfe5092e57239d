// SPDX-License-Identifier: Apache-2.0
// libpq cursor: SOCI's PostgreSQL backend would pull a whole result into memory.
#include "source/pg_cursor.hpp"

#include <libpq-fe.h>

#include <atomic>

#include "util/error.hpp"

namespace replicate::source {

void check_pg_result(PGconn* conn, PGresult* res, Side side, const std::string& what) {
  auto st = PQresultStatus(res);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return;
  const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
  std::string sqlstate = state ? state : "";
  std::string msg = res ? PQresultErrorMessage(res) : "";
  if (msg.empty()) msg = PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  PQclear(res);
  // A dead connection reports no SQLSTATE: classify it by the connection's state.
  auto kind = PQstatus(conn) == CONNECTION_BAD ? util::ErrorKind::connection
                                               : util::classify_sqlstate(sqlstate);
  throw util::DbError(kind, to_string(side), what + ": " + msg, sqlstate);
}

namespace {

class PgCursor : public Cursor {
 public:
  PgCursor(PGconn* conn, const std::string& sql, std::size_t columns, std::size_t batch_size, Side side)
      : conn_(conn), columns_(columns), side_(side) {
    static std::atomic<int> counter{0};
    name_ = "replicate_cursor_" + std::to_string(++counter);
    if (PQtransactionStatus(conn_) == PQTRANS_IDLE) {
      run("BEGIN", "cannot begin a read transaction");
      own_transaction_ = true;
    }
    run("DECLARE " + name_ + " NO SCROLL CURSOR FOR " + sql, "cannot run query");
    fetch_sql_ = "FETCH FORWARD " + std::to_string(batch_size) + " FROM " + name_;
  }

  ~PgCursor() override {
    if (PQstatus(conn_) != CONNECTION_OK) return;
    if (own_transaction_) {
      PQclear(PQexec(conn_, "COMMIT"));
    } else if (PQtransactionStatus(conn_) == PQTRANS_INTRANS) {
      PQclear(PQexec(conn_, ("CLOSE " + name_).c_str()));
    }
  }

  bool fetch(Batch& batch) override {
    if (done_) return false;
    PGresult* res = PQexec(conn_, fetch_sql_.c_str());
    check_pg_result(conn_, res, side_, "cannot fetch rows");
    std::size_t n = PQntuples(res);
    if (static_cast<std::size_t>(PQnfields(res)) != columns_) {
      PQclear(res);
      throw util::DbError(util::ErrorKind::internal, to_string(side_), "query yields an unexpected number of columns");
    }
    batch.values.resize(columns_);
    batch.is_null.resize(columns_);
    for (std::size_t c = 0; c < columns_; ++c) {
      auto& vals = batch.values[c];
      auto& nulls = batch.is_null[c];
      vals.resize(n);
      nulls.resize(n);
      for (std::size_t r = 0; r < n; ++r) {
        bool null = PQgetisnull(res, r, c);
        nulls[r] = null;
        if (null)
          vals[r].clear();
        else
          vals[r].assign(PQgetvalue(res, r, c), PQgetlength(res, r, c));
      }
    }
    PQclear(res);
    batch.rows = n;
    if (n == 0) done_ = true;
    return n > 0;
  }

 private:
  void run(const std::string& sql, const std::string& what) {
    PGresult* res = PQexec(conn_, sql.c_str());
    check_pg_result(conn_, res, side_, what);
    PQclear(res);
  }

  PGconn* conn_;
  std::size_t columns_;
  Side side_;
  std::string name_;
  std::string fetch_sql_;
  bool own_transaction_ = false;
  bool done_ = false;
};

class PgCopyOutCursor : public Cursor {
 public:
  PgCopyOutCursor(PGconn* conn, const std::string& sql, std::size_t batch_size, Side side)
      : conn_(conn), batch_size_(batch_size), side_(side) {
    PGresult* res = PQexec(conn_, ("COPY (" + sql + ") TO STDOUT").c_str());
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
      if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK) {
        PQclear(res);
        throw util::DbError(util::ErrorKind::internal, to_string(side_), "COPY TO did not start");
      }
      check_pg_result(conn_, res, side_, "cannot run query");
    }
    PQclear(res);
  }
  ~PgCopyOutCursor() override {
    if (done_ || PQstatus(conn_) != CONNECTION_OK) return;
    // Stopped early: cancel the COPY and read what is still in flight.
    if (PGcancel* cancel = PQgetCancel(conn_)) {
      char err[256];
      PQcancel(cancel, err, sizeof err);
      PQfreeCancel(cancel);
    }
    char* row = nullptr;
    while (PQgetCopyData(conn_, &row, 0) > 0) PQfreemem(row);
    while (PGresult* res = PQgetResult(conn_)) PQclear(res);
  }

  bool fetch(Batch& batch) override {
    batch.encoded = true;
    batch.values.clear();
    batch.is_null.clear();
    batch.row_end.clear();
    batch.copy_text.clear();
    batch.rows = 0;
    while (!done_ && batch.rows < batch_size_) {
      char* row = nullptr;
      const int len = PQgetCopyData(conn_, &row, 0);
      if (len > 0) {
        batch.copy_text.append(row, static_cast<std::size_t>(len));  // one row, its newline included
        PQfreemem(row);
        batch.row_end.push_back(batch.copy_text.size());
        ++batch.rows;
        continue;
      }
      // -1: the end, with COPY's own result to check; -2: an error.
      done_ = true;
      PGresult* res = PQgetResult(conn_);
      const bool lost = len == -2 && PQresultStatus(res) == PGRES_COMMAND_OK;
      try {
        check_pg_result(conn_, res, side_, "cannot fetch rows");
      } catch (...) {
        while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
        throw;
      }
      PQclear(res);
      while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
      if (lost)
        throw util::DbError(util::ErrorKind::connection, to_string(side_),
                            std::string("cannot fetch rows: ") + PQerrorMessage(conn_));
    }
    return batch.rows > 0;
  }

 private:
  PGconn* conn_;
  std::size_t batch_size_;
  Side side_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<Cursor> open_pg_copy_out_cursor(PGconn* conn, const std::string& sql, std::size_t batch_size,
                                                Side side) {
  return std::make_unique<PgCopyOutCursor>(conn, sql, batch_size, side);
}

std::unique_ptr<Cursor> open_pg_cursor(PGconn* conn, const std::string& sql, std::size_t columns,
                                       std::size_t batch_size, Side side) {
  return std::make_unique<PgCursor>(conn, sql, columns, batch_size, side);
}

}  // namespace replicate::source
