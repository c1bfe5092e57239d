// SPDX-License-Identifier: Apache-2.0
// The TDS read ceiling for bench/mssql.sh: one ODBC stream reading `SELECT *` of a
// table with column-wise row arrays in each column's plain C type, doing nothing
// with the values. What one connection can pull from the server; replicate's
// workers are compared against it.
//
//   odbc_read "Driver=FreeTDS;Server=...;UID=...;PWD=..." "SELECT * FROM dbo.bi_credores" [rows_per_fetch]
//
// The connection string may instead come from the environment variable named by
// ODBC_READ_CONNECTION_ENV (so no secret is on the command line).
// Prints one line: rows, seconds, rows/s, and this process's CPU seconds.
#include <sql.h>
#include <sqlext.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

bool ok(SQLRETURN rc) { return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO; }

[[noreturn]] void fail(SQLSMALLINT type, SQLHANDLE h, const char* what) {
  SQLCHAR state[6] = {0}, msg[1024] = {0};
  SQLINTEGER native = 0;
  SQLSMALLINT len = 0;
  SQLGetDiagRec(type, h, 1, state, &native, msg, sizeof msg, &len);
  std::fprintf(stderr, "odbc_read: %s: [%s] %s\n", what, state, msg);
  std::exit(1);
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Bound {
  SQLSMALLINT c_type;
  SQLLEN width;
  std::vector<char> data;
  std::vector<SQLLEN> ind;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: odbc_read CONNECTION|- SQL [rows_per_fetch]\n");
    return 2;
  }
  std::string conn = argv[1];
  if (conn == "-") {
    const char* var = std::getenv("ODBC_READ_CONNECTION_ENV");
    const char* value = var ? std::getenv(var) : nullptr;
    if (!value) {
      std::fprintf(stderr, "odbc_read: connection '-' needs ODBC_READ_CONNECTION_ENV naming a set variable\n");
      return 2;
    }
    conn = value;
  }
  const std::string sql = argv[2];
  const SQLULEN array = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1000;

  SQLHENV env;
  SQLHDBC dbc;
  SQLHSTMT st;
  SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env);
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
  SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc);
  if (!ok(SQLDriverConnect(dbc, nullptr, reinterpret_cast<SQLCHAR*>(conn.data()), SQL_NTS, nullptr, 0, nullptr,
                           SQL_DRIVER_NOPROMPT)))
    fail(SQL_HANDLE_DBC, dbc, "cannot connect");
  SQLAllocHandle(SQL_HANDLE_STMT, dbc, &st);

  const auto start = std::chrono::steady_clock::now();
  const double cpu0 = cpu_seconds();
  if (!ok(SQLExecDirect(st, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())), SQL_NTS)))
    fail(SQL_HANDLE_STMT, st, "query failed");
  SQLSMALLINT ncols = 0;
  SQLNumResultCols(st, &ncols);
  std::vector<Bound> cols(static_cast<std::size_t>(ncols));
  SQLULEN fetched = 0;
  SQLSetStmtAttr(st, SQL_ATTR_ROW_BIND_TYPE, reinterpret_cast<SQLPOINTER>(SQL_BIND_BY_COLUMN), 0);
  SQLSetStmtAttr(st, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(array), 0);
  SQLSetStmtAttr(st, SQL_ATTR_ROWS_FETCHED_PTR, &fetched, 0);
  for (SQLSMALLINT c = 0; c < ncols; ++c) {
    SQLCHAR name[256];
    SQLSMALLINT name_len, type, digits, nullable;
    SQLULEN size;
    SQLDescribeCol(st, static_cast<SQLUSMALLINT>(c + 1), name, sizeof name, &name_len, &type, &size, &digits,
                   &nullable);
    Bound& b = cols[static_cast<std::size_t>(c)];
    switch (type) {
      case SQL_TINYINT: case SQL_SMALLINT: case SQL_INTEGER: case SQL_BIGINT:
        b = {SQL_C_SBIGINT, 8, {}, {}};
        break;
      case SQL_FLOAT: case SQL_DOUBLE: case SQL_REAL:
        b = {SQL_C_DOUBLE, 8, {}, {}};
        break;
      case SQL_TYPE_DATE:
        b = {SQL_C_TYPE_DATE, sizeof(SQL_DATE_STRUCT), {}, {}};
        break;
      case SQL_TYPE_TIMESTAMP:
        b = {SQL_C_TYPE_TIMESTAMP, sizeof(SQL_TIMESTAMP_STRUCT), {}, {}};
        break;
      case SQL_BIT:
        b = {SQL_C_BIT, 1, {}, {}};
        break;
      case SQL_DECIMAL: case SQL_NUMERIC:
        b = {SQL_C_CHAR, 64, {}, {}};
        break;
      default:
        b = {SQL_C_CHAR, static_cast<SQLLEN>(size > 0 && size <= 8000 ? size * 4 + 1 : 8001), {}, {}};
    }
    b.data.resize(static_cast<std::size_t>(b.width) * array);
    b.ind.resize(array);
    if (!ok(SQLBindCol(st, static_cast<SQLUSMALLINT>(c + 1), b.c_type, b.data.data(), b.width, b.ind.data())))
      fail(SQL_HANDLE_STMT, st, "cannot bind");
  }
  long long rows = 0;
  for (;;) {
    const SQLRETURN rc = SQLFetch(st);
    if (rc == SQL_NO_DATA) break;
    if (!ok(rc)) fail(SQL_HANDLE_STMT, st, "fetch failed");
    rows += static_cast<long long>(fetched);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("rows %lld seconds %.3f rows_per_s %.0f cpu_s %.3f\n", rows, secs, rows / secs, cpu_seconds() - cpu0);
  SQLFreeHandle(SQL_HANDLE_STMT, st);
  SQLDisconnect(dbc);
  SQLFreeHandle(SQL_HANDLE_DBC, dbc);
  SQLFreeHandle(SQL_HANDLE_ENV, env);
  return 0;
}
