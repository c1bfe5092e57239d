// SPDX-License-Identifier: Apache-2.0
// Raw ODBC bulk cursor: column-wise array binding for short columns, piecewise
// SQLGetData for long ones, and an error (never silent truncation) when a value
// does not fit the buffer its declared size promised.
#include "source/odbc_cursor.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "source/odbc_common.hpp"
#include "util/error.hpp"

namespace replicate::source {
namespace {

/// A declared size above this (or none) makes a column "long": read piecewise.
constexpr SQLULEN long_column_threshold = 8000;
/// Piece sizes for SQLGetData on long columns: small first, since most values are
/// short and some drivers (SQLite's) strncpy, zero-filling the whole piece; then
/// larger pieces for a value that turns out long.
constexpr SQLLEN first_piece_size = 256;
constexpr SQLLEN piece_size = 64 * 1024;
/// Cap on the bound row-array memory of one cursor. Wide short columns (say ten
/// varchar(8000)) at batch 1000 would otherwise need hundreds of MB; past this we
/// bind fewer rows per SQLFetch and loop, which costs round trips, not correctness.
/// A driver writes into every slot, so all of it counts in the worker's RSS.
constexpr std::size_t row_array_budget = 8 * 1024 * 1024;

using odbc::diag_error;
using odbc::ok;
using odbc::Statement;

bool is_long_type(SQLSMALLINT type) {
  return type == SQL_LONGVARCHAR || type == SQL_WLONGVARCHAR || type == SQL_LONGVARBINARY;
}

bool is_sized_type(SQLSMALLINT type) {
  return type == SQL_CHAR || type == SQL_VARCHAR || type == SQL_WCHAR || type == SQL_WVARCHAR ||
         type == SQL_BINARY || type == SQL_VARBINARY;
}

/// Bytes (with the terminating NUL) that hold any value of this column as text.
SQLLEN text_buffer_size(SQLSMALLINT type, SQLULEN size) {
  const auto n = static_cast<SQLLEN>(size);
  switch (type) {
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR:
      return n * 4 + 1;  // size counts characters; UTF-8 takes up to 4 bytes each
    case SQL_BINARY:
    case SQL_VARBINARY:
      return n * 2 + 1;  // bytes arrive as hex digits
    case SQL_DECIMAL:
    case SQL_NUMERIC:
      // Sign, point and leading zero; generous because psqlODBC declares an
      // unconstrained numeric as precision 28 though it can hold far more digits.
      return std::max<SQLLEN>(n + 4, 128);
    default:
      // Numbers, dates, times, timestamps (with offsets and 9 fractional digits),
      // intervals, GUIDs and driver-specific types: the text form can exceed the
      // "size" (a float's precision is 15 but it prints as 24 characters).
      return std::max<SQLLEN>(n * 4 + 1, 64);
  }
}

struct Column {
  std::string name;
  SQLSMALLINT type = 0;
  SQLULEN size = 0;
  bool is_long = false;
  bool bound = false;
  SQLLEN buflen = 0;              // per row, NUL included
  std::vector<char> buffer;       // row-array * buflen
  std::vector<SQLLEN> indicator;  // row-array
};

class OdbcCursor final : public Cursor {
 public:
  OdbcCursor(SQLHDBC dbc, const std::string& sql, std::size_t columns, std::size_t batch_size,
             Side side)
      : stmt_(dbc, to_string(side)),
        side_(to_string(side)),
        columns_(columns),
        batch_size_(std::max<std::size_t>(batch_size, 1)) {
    SQLRETURN rc =
        SQLExecDirect(stmt_.h, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())),
                      static_cast<SQLINTEGER>(sql.size()));
    if (!ok(rc) && rc != SQL_NO_DATA) throw error("query failed");
    SQLSMALLINT count = 0;
    if (!ok(SQLNumResultCols(stmt_.h, &count))) throw error("cannot count result columns");
    if (static_cast<std::size_t>(count) != columns)
      throw util::DbError(util::ErrorKind::internal, side_,
                          "query returned " + std::to_string(count) + " columns, expected " +
                              std::to_string(columns));
    describe(dbc);
    bind();
  }

  bool fetch(Batch& b) override {
    b.values.resize(columns_);
    b.is_null.resize(columns_);
    for (std::size_t c = 0; c < columns_; ++c) {
      // Growing to the batch size keeps strings (and their capacity) from earlier
      // batches; only the last, short batch destroys the tail.
      if (b.values[c].size() < batch_size_) b.values[c].resize(batch_size_);
      if (b.is_null[c].size() < batch_size_) b.is_null[c].resize(batch_size_);
    }
    std::size_t n = 0;
    while (n < batch_size_) {
      if (pos_ == fetched_) {
        if (done_ || !fetch_rowset()) break;
      }
      for (; pos_ < fetched_ && n < batch_size_; ++pos_, ++n) copy_row(b, n);
    }
    for (std::size_t c = 0; c < columns_; ++c) {
      b.values[c].resize(n);
      b.is_null[c].resize(n);
    }
    b.rows = n;
    return n > 0;
  }

 private:
  util::DbError error(const std::string& what) const {
    return diag_error(SQL_HANDLE_STMT, stmt_.h, side_, what);
  }

  void describe(SQLHDBC dbc) {
    columns_info_.resize(columns_);
    // The SQLite ODBC driver describes every expression (no base column) as
    // VARCHAR(255) whatever it yields; SQLite dialect selects are all expressions
    // (typeof() CASEs, hex()), so such a size promises nothing and those columns
    // are read piecewise like long ones. Plain columns keep their declared size.
    const bool placeholder_sizes = odbc_dbms_name(dbc) == "SQLite";
    bool any_long = false;
    std::size_t first_long = columns_;
    for (std::size_t c = 0; c < columns_; ++c) {
      Column& col = columns_info_[c];
      SQLCHAR name[256] = {0};
      SQLSMALLINT name_len = 0, digits = 0, nullable = 0;
      if (!ok(SQLDescribeCol(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), name, sizeof name,
                             &name_len, &col.type, &col.size, &digits, &nullable)))
        throw error("cannot describe result column " + std::to_string(c + 1));
      col.name = reinterpret_cast<const char*>(name);
      if (col.name.empty()) col.name = "#" + std::to_string(c + 1);
      col.is_long = is_long_type(col.type) || col.size == 0 || col.size > long_column_threshold ||
                    (placeholder_sizes && is_sized_type(col.type) && !has_base_column(c));
      if (col.is_long && !any_long) first_long = c;
      any_long = any_long || col.is_long;
      if (!col.is_long) col.buflen = text_buffer_size(col.type, col.size);
    }
    // Without SQL_GD_ANY_COLUMN (SQL Server's driver, for one) SQLGetData may only
    // read columns after the last bound one, so then everything from the first long
    // column on is read with SQLGetData, in order.
    const bool any_column = any_long && odbc::getdata_any_column(dbc);
    std::size_t row_bytes = 0;
    for (std::size_t c = 0; c < columns_; ++c) {
      Column& col = columns_info_[c];
      col.bound = !col.is_long && (any_column || c < first_long);
      if (col.bound) row_bytes += static_cast<std::size_t>(col.buflen) + sizeof(SQLLEN);
    }
    // A long column forces one row per SQLFetch: SQLGetData works on a single row.
    array_size_ = any_long
                      ? 1
                      : std::clamp<std::size_t>(
                            row_array_budget / std::max<std::size_t>(row_bytes, 1), 1, batch_size_);
  }

  /// Whether result column `c` (0-based) is a table column rather than an expression.
  bool has_base_column(std::size_t c) {
    SQLCHAR name[256] = {0};
    SQLSMALLINT len = 0;
    if (!ok(SQLColAttribute(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), SQL_DESC_BASE_COLUMN_NAME, name,
                            sizeof name, &len, nullptr)))
      return false;
    return name[0] != 0;
  }

  void bind() {
    if (!ok(SQLSetStmtAttr(stmt_.h, SQL_ATTR_ROW_BIND_TYPE,
                           reinterpret_cast<SQLPOINTER>(SQL_BIND_BY_COLUMN), 0)) ||
        !ok(SQLSetStmtAttr(stmt_.h, SQL_ATTR_ROW_ARRAY_SIZE,
                           reinterpret_cast<SQLPOINTER>(array_size_), 0)) ||
        !ok(SQLSetStmtAttr(stmt_.h, SQL_ATTR_ROWS_FETCHED_PTR, &rows_fetched_, 0)))
      throw error("cannot set up the row array");
    // Some drivers silently lower the array size (option value changed, 01S02).
    SQLULEN actual = 0;
    if (ok(SQLGetStmtAttr(stmt_.h, SQL_ATTR_ROW_ARRAY_SIZE, &actual, 0, nullptr)) && actual > 0)
      array_size_ = std::min<std::size_t>(array_size_, actual);
    for (std::size_t c = 0; c < columns_; ++c) {
      Column& col = columns_info_[c];
      if (!col.bound) continue;
      col.buffer.resize(static_cast<std::size_t>(col.buflen) * array_size_);
      col.indicator.resize(array_size_);
      if (!ok(SQLBindCol(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), SQL_C_CHAR, col.buffer.data(),
                         col.buflen, col.indicator.data())))
        throw error("cannot bind column " + col.name);
    }
  }

  /// SQLFetch the next row set; false at the end.
  bool fetch_rowset() {
    rows_fetched_ = 0;
    pos_ = fetched_ = 0;
    const SQLRETURN rc = SQLFetch(stmt_.h);
    if (rc == SQL_NO_DATA) {
      done_ = true;
      return false;
    }
    if (!ok(rc)) throw error("fetch failed");
    fetched_ = rows_fetched_;
    // Truncation of a bound value would be 01004 on the whole fetch; the indicators
    // say which column, so check them directly (also covers drivers that forget it).
    for (const Column& col : columns_info_) {
      if (!col.bound) continue;
      for (std::size_t r = 0; r < fetched_; ++r) {
        const SQLLEN ind = col.indicator[r];
        if (ind == SQL_NO_TOTAL || ind > col.buflen - 1)
          throw util::DbError(util::ErrorKind::data, side_,
                              "value of column " + col.name + " does not fit its declared size (" +
                                  std::to_string(col.size) + "): " +
                                  (ind == SQL_NO_TOTAL ? std::string("length unknown")
                                                       : std::to_string(ind) + " bytes") +
                                  "; it would be truncated",
                              "01004");
      }
    }
    if (fetched_ == 0) done_ = true;  // success with no rows: treat as the end
    return fetched_ > 0;
  }

  void copy_row(Batch& b, std::size_t row) {
    for (std::size_t c = 0; c < columns_; ++c) {
      Column& col = columns_info_[c];
      std::string& out = b.values[c][row];
      if (col.bound) {
        const SQLLEN ind = col.indicator[pos_];
        b.is_null[c][row] = ind == SQL_NULL_DATA;
        if (ind == SQL_NULL_DATA)
          out.clear();
        else
          out.assign(col.buffer.data() + pos_ * static_cast<std::size_t>(col.buflen),
                     static_cast<std::size_t>(ind));
      } else {
        b.is_null[c][row] = !get_data(c, out);
      }
    }
  }

  /// Read column `c` of the current row piecewise into `out`; false when NULL.
  bool get_data(std::size_t c, std::string& out) {
    out.clear();
    piece_.resize(static_cast<std::size_t>(piece_size));
    for (SQLLEN size = first_piece_size;; size = piece_size) {
      SQLLEN ind = 0;
      const SQLRETURN rc =
          SQLGetData(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), SQL_C_CHAR, piece_.data(), size, &ind);
      if (rc == SQL_NO_DATA) return true;  // the previous piece was the last
      if (!ok(rc)) throw error("cannot read column " + columns_info_[c].name);
      if (ind == SQL_NULL_DATA) return false;
      if (ind == SQL_NO_TOTAL || ind > size - 1) {
        // A full piece and more to come: the driver filled the buffer but the NUL.
        out.append(piece_.data(), static_cast<std::size_t>(size - 1));
        // The remaining length, when known, lets one reservation replace doublings.
        if (size == first_piece_size && ind != SQL_NO_TOTAL) out.reserve(static_cast<std::size_t>(ind));
        continue;
      }
      out.append(piece_.data(), static_cast<std::size_t>(ind));
      if (rc == SQL_SUCCESS) return true;
    }
  }

  Statement stmt_;
  std::string side_;
  std::size_t columns_;
  std::size_t batch_size_;
  std::vector<Column> columns_info_;
  std::size_t array_size_ = 1;
  SQLULEN rows_fetched_ = 0;
  std::size_t fetched_ = 0;  // rows in the current row set
  std::size_t pos_ = 0;      // next row of it to hand out
  bool done_ = false;
  std::vector<char> piece_;
};

}  // namespace

std::unique_ptr<Cursor> open_odbc_cursor(void* hdbc, const std::string& sql, std::size_t columns,
                                         std::size_t batch_size, Side side) {
  return std::make_unique<OdbcCursor>(static_cast<SQLHDBC>(hdbc), sql, columns, batch_size, side);
}

std::string odbc_dbms_name(void* hdbc) {
  SQLCHAR name[256] = {0};
  SQLSMALLINT len = 0;
  if (!ok(SQLGetInfo(static_cast<SQLHDBC>(hdbc), SQL_DBMS_NAME, name, sizeof name, &len)))
    throw diag_error(SQL_HANDLE_DBC, static_cast<SQLHDBC>(hdbc), "", "cannot read SQL_DBMS_NAME");
  return reinterpret_cast<const char*>(name);
}

void odbc_execute(void* hdbc, const std::string& sql, Side side) {
  Statement stmt(static_cast<SQLHDBC>(hdbc), to_string(side));
  const SQLRETURN rc =
      SQLExecDirect(stmt.h, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())),
                    static_cast<SQLINTEGER>(sql.size()));
  if (!ok(rc) && rc != SQL_NO_DATA)
    throw diag_error(SQL_HANDLE_STMT, stmt.h, to_string(side), "statement failed");
}

}  // namespace replicate::source
