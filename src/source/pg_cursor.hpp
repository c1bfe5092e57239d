// SPDX-License-Identifier: Apache-2.0
// A server-side cursor on a libpq connection: bounded memory however large the result.
#pragma once

#include <memory>
#include <string>

#include "source/connection.hpp"

namespace replicate::source {

/// DECLARE a cursor for `sql` and FETCH `batch_size` rows at a time, as text. Opens a
/// transaction when none is open (and ends it when the cursor is destroyed).
std::unique_ptr<Cursor> open_pg_cursor(pg_conn* conn, const std::string& sql, std::size_t columns,
                                       std::size_t batch_size, Side side);

/// `COPY (sql) TO STDOUT`, read `batch_size` rows at a time as COPY text lines
/// (Batch::encoded): no value is looked at here, and the server produces the next
/// rows while the caller writes the last ones. A cursor dropped before the end
/// cancels the COPY and drains it, so the connection stays usable.
std::unique_ptr<Cursor> open_pg_copy_out_cursor(pg_conn* conn, const std::string& sql, std::size_t batch_size,
                                                Side side);

/// Throw a classified DbError for a failed libpq result (and PQclear it); no-op on success.
void check_pg_result(pg_conn* conn, struct pg_result* res, Side side, const std::string& what);

}  // namespace replicate::source
