// SPDX-License-Identifier: Apache-2.0
// Raw ODBC access under a SOCI odbc session: a bulk cursor that binds column-wise
// arrays and never truncates, and driver facts SOCI does not expose.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "source/connection.hpp"

namespace replicate::source {

/// A bulk cursor on an ODBC connection handle (an SQLHDBC, passed as void* so ODBC
/// headers stay out of this header). Short columns are bound as arrays of
/// `batch_size` rows; long ones (no or large declared size) are read piecewise with
/// SQLGetData. A value is never truncated: a too-small buffer is an error.
std::unique_ptr<Cursor> open_odbc_cursor(void* hdbc, const std::string& sql, std::size_t columns,
                                         std::size_t batch_size, Side side);

/// A cursor over `sql`, which selects values as stored, one per entry of `columns`:
/// each is fetched in the native C type of its canonical type (integers, date/time
/// structs with nanoseconds, GUIDs, bytes, UTF-16 text, exact numerics as the
/// driver's digits) and formatted here; with `copy_text` as COPY text lines
/// (Batch::encoded). Long values are read piecewise; none is ever truncated.
std::unique_ptr<Cursor> open_odbc_native_cursor(void* hdbc, const std::string& sql,
                                                const std::vector<RawColumn>& columns, std::size_t batch_size,
                                                Side side, bool copy_text);

/// SQLGetInfo(SQL_DBMS_NAME), e.g. "Microsoft SQL Server", "PostgreSQL", "SQLite".
std::string odbc_dbms_name(void* hdbc);

/// Run a statement that returns no rows on a fresh statement handle.
void odbc_execute(void* hdbc, const std::string& sql, Side side);

}  // namespace replicate::source
