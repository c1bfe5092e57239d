// SPDX-License-Identifier: Apache-2.0
// A bulk cursor straight on the sqlite3 handle under a SOCI session: SOCI's vector
// fetch copies every value twice through its own row buffers, which cost more than
// SQLite's own work.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "source/connection.hpp"

namespace replicate::source {

/// Step `sql` on `db` (a sqlite3*, passed as void* so SQLite's header stays out),
/// filling up to `batch_size` rows per fetch as text.
std::unique_ptr<Cursor> open_sqlite_cursor(void* db, const std::string& sql, std::size_t columns,
                                           std::size_t batch_size, Side side);

/// As open_sqlite_cursor, but `sql` selects stored values and the cursor makes each
/// one the text the SQLite dialect's select_text would: NULL, TEXT and INTEGER values
/// (nearly all of them) and REAL values are formatted here, anything rarer (a BLOB,
/// a number in a date column) is passed through the column's fallback statement.
/// Evaluating select_text's CASE/typeof/printf per value was most of a worker's time.
///
/// REAL values are the one difference. SQLite's printf works in long double and gets
/// the 17th digit wrong for a few doubles, so here they are correctly rounded
/// (real_17_digits); into float columns goes the shortest text that reads back as the
/// same double, and into decimal columns that shortest text where it rounds as the
/// 17 digits do (real_for_decimal): "7414.6" rather than "7414.6000000000004",
/// which is less for the target to parse and what the user sees in SQLite.
/// `v` (finite) for a decimal column: its shortest text when that has at most 15
/// significant digits and does not end in 5, else real_17_digits. Rounded by the
/// target to any scale up to the shortest text's own, both give the same value;
/// at larger scales the shortest text is stored as it is.
char* real_for_decimal(char* out, double v);

/// `v` (finite) as 17 significant digits, correctly rounded, in the form of SQLite's
/// printf('%!.17g'): a zero is "0.0", and a point with a digit after it is kept
/// ("1.0", "1.0e+20"). Writes at most 32 bytes; returns the end.
char* real_17_digits(char* out, double v);
/// With `copy_text` the batches come as COPY text (Batch::encoded): values are escaped
/// straight from SQLite's memory, without a string per value in between.
std::unique_ptr<Cursor> open_sqlite_raw_cursor(void* db, const std::string& sql, const std::vector<RawColumn>& columns,
                                               std::size_t batch_size, Side side, bool copy_text = false);

}  // namespace replicate::source
