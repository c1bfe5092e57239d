// SPDX-License-Identifier: Apache-2.0
// What the two ODBC cursors share: diagnostics turned into classified errors, and a
// statement handle freed on every path. Internal to source; includes the ODBC headers.
#pragma once

#include <sql.h>
#include <sqlext.h>

#include <string>

#include "util/error.hpp"

namespace replicate::source::odbc {

inline bool ok(SQLRETURN rc) { return rc == SQL_SUCCESS || rc == SQL_SUCCESS_WITH_INFO; }

/// A DbError from every diagnostic record on `handle`, classified by the first
/// record's SQLSTATE (the later ones usually elaborate on it).
util::DbError diag_error(SQLSMALLINT handle_type, SQLHANDLE handle, const std::string& side, const std::string& what);

/// A statement handle freed on every path.
struct Statement {
  SQLHSTMT h = SQL_NULL_HSTMT;
  Statement(SQLHDBC dbc, const std::string& side);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
};

/// Whether SQLGetData may read any column, bound ones before it included
/// (SQL_GD_ANY_COLUMN); without it only columns after the last bound one.
bool getdata_any_column(SQLHDBC dbc);

}  // namespace replicate::source::odbc
