// A bulk cursor straight on the sqlite3 handle under a SOCI session: SOCI's vector
// fetch copies every value twice through its own row buffers, which cost more than
// SQLite's own work.
#pragma once

#include <memory>
#include <string>

#include "source/connection.hpp"

namespace replicate::source {

/// Step `sql` on `db` (a sqlite3*, passed as void* so SQLite's header stays out),
/// filling up to `batch_size` rows per fetch as text.
std::unique_ptr<Cursor> open_sqlite_cursor(void* db, const std::string& sql, std::size_t columns,
                                           std::size_t batch_size, Side side);

}  // namespace replicate::source
