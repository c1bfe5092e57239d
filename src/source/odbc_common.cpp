// SPDX-License-Identifier: Apache-2.0
// ODBC diagnostics and handles shared by the cursors.
#include "source/odbc_common.hpp"

#include <vector>

namespace replicate::source::odbc {

util::DbError diag_error(SQLSMALLINT handle_type, SQLHANDLE handle, const std::string& side,
                         const std::string& what) {
  std::string first_state, text;
  for (SQLSMALLINT i = 1;; ++i) {
    SQLCHAR state[6] = {0};
    SQLINTEGER native = 0;
    std::vector<SQLCHAR> msg(1024);
    SQLSMALLINT len = 0;
    SQLRETURN rc = SQLGetDiagRec(handle_type, handle, i, state, &native, msg.data(),
                                 static_cast<SQLSMALLINT>(msg.size()), &len);
    if (rc == SQL_SUCCESS_WITH_INFO && len >= static_cast<SQLSMALLINT>(msg.size())) {
      msg.resize(static_cast<std::size_t>(len) + 1);  // message longer than 1 KiB: ask again
      rc = SQLGetDiagRec(handle_type, handle, i, state, &native, msg.data(),
                         static_cast<SQLSMALLINT>(msg.size()), &len);
    }
    if (!ok(rc)) break;
    std::string s(reinterpret_cast<const char*>(state));
    if (first_state.empty()) first_state = s;
    if (!text.empty()) text += "; ";
    text += "[" + s + "] " + std::string(reinterpret_cast<const char*>(msg.data()));
  }
  if (text.empty()) text = "no diagnostic from the ODBC driver";
  const auto kind = first_state.empty() ? util::ErrorKind::internal : util::classify_sqlstate(first_state);
  return util::DbError(kind, side, what + ": " + text, first_state);
}

Statement::Statement(SQLHDBC dbc, const std::string& side) {
  if (!ok(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h)))
    throw diag_error(SQL_HANDLE_DBC, dbc, side, "cannot allocate an ODBC statement");
}

Statement::~Statement() {
  if (h != SQL_NULL_HSTMT) SQLFreeHandle(SQL_HANDLE_STMT, h);
}

bool getdata_any_column(SQLHDBC dbc) {
  SQLUINTEGER ext = 0;
  return ok(SQLGetInfo(dbc, SQL_GETDATA_EXTENSIONS, &ext, sizeof ext, nullptr)) && (ext & SQL_GD_ANY_COLUMN) != 0;
}

}  // namespace replicate::source::odbc
