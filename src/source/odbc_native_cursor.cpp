// SPDX-License-Identifier: Apache-2.0
// ODBC cursor over values in their native C types (SQL Server's main road): the
// source sends bare columns, the driver hands over integers, date/time structs,
// GUIDs, bytes and UTF-16 text, and the rows are formatted here, as canonical text or
// straight into COPY text lines. No server-side CONVERT: it costs the source's CPU
// per value, and its styles differ between TDS servers.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include "source/odbc_common.hpp"
#include "source/odbc_cursor.hpp"
#include "util/copy_text.hpp"

namespace replicate::source {
namespace {

using catalog::TypeId;
using odbc::diag_error;
using odbc::ok;

/// A declared size above this (or none) makes a column "long": read piecewise.
constexpr SQLULEN long_column_threshold = 8000;
constexpr SQLLEN piece_size = 64 * 1024;
/// Cap on the bound row-array memory of one cursor (all of it is resident).
constexpr std::size_t row_array_budget = 8 * 1024 * 1024;

/// How a column is fetched and printed.
enum class Fetch { boolean, integer, float32, float64, decimal, date, timestamp, guid, bytes, wtext, text };

Fetch fetch_of(TypeId t) {
  switch (t) {
    case TypeId::boolean: return Fetch::boolean;
    case TypeId::int16:
    case TypeId::int32:
    case TypeId::int64: return Fetch::integer;
    case TypeId::float32: return Fetch::float32;
    case TypeId::float64: return Fetch::float64;
    // The driver's character form of an exact numeric is exact (digits, sign, point).
    case TypeId::decimal: return Fetch::decimal;
    case TypeId::date: return Fetch::date;
    // Plain SQL_C_TYPE_TIME has no fraction, and SQL Server's TIME2 and TIMESTAMPOFFSET
    // structs are driver C types unixODBC refuses under ODBC 3.0 (HY003, "Program type
    // out of range"): the driver's own text of these is exact ("23:59:59.1234567",
    // "2024-01-01 10:00:00.1234560 +05:30"), and PostgreSQL reads it as it is.
    case TypeId::time: return Fetch::text;
    case TypeId::timestamp: return Fetch::timestamp;
    case TypeId::timestamptz: return Fetch::text;
    case TypeId::uuid: return Fetch::guid;
    case TypeId::bytes: return Fetch::bytes;
    default: return Fetch::wtext;
  }
}

SQLSMALLINT c_type(Fetch f) {
  switch (f) {
    case Fetch::boolean: return SQL_C_BIT;
    case Fetch::integer: return SQL_C_SBIGINT;
    case Fetch::float32: return SQL_C_FLOAT;
    case Fetch::float64: return SQL_C_DOUBLE;
    case Fetch::date: return SQL_C_TYPE_DATE;
    case Fetch::timestamp: return SQL_C_TYPE_TIMESTAMP;
    case Fetch::guid: return SQL_C_GUID;
    case Fetch::bytes: return SQL_C_BINARY;
    case Fetch::wtext: return SQL_C_WCHAR;
    case Fetch::decimal:
    case Fetch::text: return SQL_C_CHAR;
  }
  return SQL_C_CHAR;
}

/// Bytes one fixed-size value takes; 0 for the variable ones.
std::size_t fixed_size(Fetch f) {
  switch (f) {
    case Fetch::boolean: return sizeof(unsigned char);
    case Fetch::integer: return sizeof(std::int64_t);
    case Fetch::float32: return sizeof(float);
    case Fetch::float64: return sizeof(double);
    case Fetch::date: return sizeof(SQL_DATE_STRUCT);
    case Fetch::timestamp: return sizeof(SQL_TIMESTAMP_STRUCT);
    case Fetch::guid: return sizeof(SQLGUID);
    default: return 0;
  }
}

/// Bytes of the terminator a driver writes after a character value.
SQLLEN terminator(Fetch f) { return f == Fetch::wtext ? 2 : f == Fetch::bytes ? 0 : 1; }

char* two(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10 % 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

char* date_text(char* p, int year, unsigned month, unsigned day) {
  if (year < 0) *p++ = '-';  // not a SQL Server value; kept visible rather than wrapped
  const unsigned y = static_cast<unsigned>(year < 0 ? -year : year);
  p = two(p, y / 100);
  p = two(p, y % 100);
  *p++ = '-';
  p = two(p, month);
  *p++ = '-';
  return two(p, day);
}

/// hh:mm:ss plus the fraction's significant digits (nanoseconds, at most 9).
char* time_text(char* p, unsigned hour, unsigned minute, unsigned second, unsigned long fraction) {
  p = two(p, hour);
  *p++ = ':';
  p = two(p, minute);
  *p++ = ':';
  p = two(p, second);
  if (fraction == 0) return p;
  char digits[9];
  for (int i = 8; i >= 0; --i, fraction /= 10) digits[i] = static_cast<char>('0' + fraction % 10);
  int n = 9;
  while (n > 0 && digits[n - 1] == '0') --n;
  *p++ = '.';
  return std::copy_n(digits, n, p);
}

char* hex_text(char* p, const unsigned char* in, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    *p++ = digits[in[i] >> 4];
    *p++ = digits[in[i] & 15];
  }
  return p;
}

/// UTF-16 (the driver's SQLWCHAR, native order) to UTF-8. An unpaired surrogate is
/// written as its 3-byte form, which the target refuses: the row is rejected with a
/// reason instead of being altered.
void utf16_to_utf8(std::string& out, const SQLWCHAR* in, std::size_t units) {
  out.clear();
  out.reserve(units);
  for (std::size_t i = 0; i < units; ++i) {
    std::uint32_t c = in[i];
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < units && in[i + 1] >= 0xDC00 && in[i + 1] < 0xE000) {
      c = 0x10000 + ((c - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      ++i;
    }
    if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    }
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

struct Column {
  std::string name;
  Fetch fetch = Fetch::wtext;
  SQLSMALLINT sql_type = 0;
  SQLULEN size = 0;
  bool is_long = false;
  bool bound = false;
  SQLLEN buflen = 0;              // per row
  std::vector<char> buffer;       // row-array * buflen
  std::vector<SQLLEN> indicator;  // row-array
};

class OdbcNativeCursor final : public Cursor {
 public:
  OdbcNativeCursor(SQLHDBC dbc, const std::string& sql, const std::vector<RawColumn>& raw, std::size_t batch_size,
                   Side side, bool copy_text)
      : stmt_(dbc, to_string(side)),
        side_(to_string(side)),
        batch_size_(std::max<std::size_t>(batch_size, 1)),
        copy_text_(copy_text) {
    SQLRETURN rc = SQLExecDirect(stmt_.h, reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str())),
                                 static_cast<SQLINTEGER>(sql.size()));
    if (!ok(rc) && rc != SQL_NO_DATA) throw error("query failed");
    SQLSMALLINT count = 0;
    if (!ok(SQLNumResultCols(stmt_.h, &count))) throw error("cannot count result columns");
    if (static_cast<std::size_t>(count) != raw.size())
      throw util::DbError(util::ErrorKind::internal, side_,
                          "query returned " + std::to_string(count) + " columns, expected " +
                              std::to_string(raw.size()));
    cols_.resize(raw.size());
    for (std::size_t c = 0; c < raw.size(); ++c)
      cols_[c].fetch = raw[c].as_selected ? Fetch::wtext : fetch_of(raw[c].type);
    describe(dbc);
    bind();
  }

  bool fetch(Batch& b) override {
    b.encoded = copy_text_;
    if (copy_text_) {
      b.values.clear();
      b.is_null.clear();
      b.row_end.clear();
      b.copy_text.clear();
    } else {
      b.values.resize(cols_.size());
      b.is_null.resize(cols_.size());
      for (std::size_t c = 0; c < cols_.size(); ++c) {
        if (b.values[c].size() < batch_size_) b.values[c].resize(batch_size_);
        if (b.is_null[c].size() < batch_size_) b.is_null[c].resize(batch_size_);
      }
    }
    std::size_t n = 0;
    while (n < batch_size_) {
      if (pos_ == fetched_ && (done_ || !fetch_rowset())) break;
      for (; pos_ < fetched_ && n < batch_size_; ++pos_, ++n) copy_text_ ? encode_row(b) : value_row(b, n);
    }
    if (!copy_text_) {
      for (std::size_t c = 0; c < cols_.size(); ++c) {
        b.values[c].resize(n);
        b.is_null[c].resize(n);
      }
    }
    b.rows = n;
    return n > 0;
  }

 private:
  util::DbError error(const std::string& what) const { return diag_error(SQL_HANDLE_STMT, stmt_.h, side_, what); }

  void describe(SQLHDBC dbc) {
    std::size_t first_long = cols_.size();
    for (std::size_t c = 0; c < cols_.size(); ++c) {
      Column& col = cols_[c];
      SQLCHAR name[256] = {0};
      SQLSMALLINT name_len = 0, digits = 0, nullable = 0;
      if (!ok(SQLDescribeCol(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), name, sizeof name, &name_len, &col.sql_type,
                             &col.size, &digits, &nullable)))
        throw error("cannot describe result column " + std::to_string(c + 1));
      col.name = reinterpret_cast<const char*>(name);
      if (col.name.empty()) col.name = "#" + std::to_string(c + 1);
      const std::size_t fixed = fixed_size(col.fetch);
      if (fixed) {
        col.buflen = static_cast<SQLLEN>(fixed);
      } else if (col.fetch == Fetch::decimal || col.fetch == Fetch::text) {
        // 38 digits, sign, point and a leading zero; dates and times as text are shorter.
        col.buflen = std::max<SQLLEN>(static_cast<SQLLEN>(col.size) + 4, 64);
        col.is_long = col.fetch == Fetch::text && (col.size == 0 || col.size > long_column_threshold);
      } else {
        const bool long_type = col.sql_type == SQL_LONGVARCHAR || col.sql_type == SQL_WLONGVARCHAR ||
                               col.sql_type == SQL_LONGVARBINARY;
        col.is_long = long_type || col.size == 0 || col.size > long_column_threshold;
        // size counts characters (UTF-16 units here) or bytes; one unit per byte of a
        // single-byte code page, and varchar(n) in UTF-8 holds at most n units too.
        if (!col.is_long)
          col.buflen = col.fetch == Fetch::bytes ? static_cast<SQLLEN>(col.size) : static_cast<SQLLEN>(col.size + 1) * 2;
      }
      if (col.is_long && first_long == cols_.size()) first_long = c;
    }
    // Without SQL_GD_ANY_COLUMN (FreeTDS, Microsoft's driver) SQLGetData reads only
    // columns after the last bound one: from the first long column on, all are read so.
    const bool any_long = first_long < cols_.size();
    const bool any_column = any_long && odbc::getdata_any_column(dbc);
    std::size_t row_bytes = 0;
    for (std::size_t c = 0; c < cols_.size(); ++c) {
      Column& col = cols_[c];
      col.bound = !col.is_long && (any_column || c < first_long);
      if (col.bound) row_bytes += static_cast<std::size_t>(col.buflen) + sizeof(SQLLEN);
    }
    array_size_ = any_long ? 1 : std::clamp<std::size_t>(row_array_budget / std::max<std::size_t>(row_bytes, 1), 1, batch_size_);
  }

  void bind() {
    if (!ok(SQLSetStmtAttr(stmt_.h, SQL_ATTR_ROW_BIND_TYPE, reinterpret_cast<SQLPOINTER>(SQL_BIND_BY_COLUMN), 0)) ||
        !ok(SQLSetStmtAttr(stmt_.h, SQL_ATTR_ROW_ARRAY_SIZE, reinterpret_cast<SQLPOINTER>(array_size_), 0)) ||
        !ok(SQLSetStmtAttr(stmt_.h, SQL_ATTR_ROWS_FETCHED_PTR, &rows_fetched_, 0)))
      throw error("cannot set up the row array");
    SQLULEN actual = 0;  // some drivers lower the array size (01S02)
    if (ok(SQLGetStmtAttr(stmt_.h, SQL_ATTR_ROW_ARRAY_SIZE, &actual, 0, nullptr)) && actual > 0)
      array_size_ = std::min<std::size_t>(array_size_, actual);
    for (std::size_t c = 0; c < cols_.size(); ++c) {
      Column& col = cols_[c];
      if (!col.bound) continue;
      col.buffer.resize(static_cast<std::size_t>(col.buflen) * array_size_);
      col.indicator.resize(array_size_);
      if (!ok(SQLBindCol(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), c_type(col.fetch), col.buffer.data(), col.buflen,
                         col.indicator.data())))
        throw error("cannot bind column " + col.name);
    }
  }

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
    for (const Column& col : cols_) {
      if (!col.bound || fixed_size(col.fetch)) continue;
      const SQLLEN room = col.buflen - terminator(col.fetch);
      for (std::size_t r = 0; r < fetched_; ++r) {
        const SQLLEN ind = col.indicator[r];
        if (ind == SQL_NO_TOTAL || ind > room)
          throw util::DbError(util::ErrorKind::data, side_,
                              "value of column " + col.name + " does not fit its declared size (" +
                                  std::to_string(col.size) + "): " +
                                  (ind == SQL_NO_TOTAL ? std::string("length unknown") : std::to_string(ind) + " bytes") +
                                  "; it would be truncated",
                              "01004");
      }
    }
    if (fetched_ == 0) done_ = true;
    return fetched_ > 0;
  }

  /// The value of column c in the current row: bytes and length, or nullptr for NULL.
  const char* value(std::size_t c, SQLLEN& len) {
    Column& col = cols_[c];
    if (col.bound) {
      len = col.indicator[pos_];
      if (len == SQL_NULL_DATA) return nullptr;
      return col.buffer.data() + pos_ * static_cast<std::size_t>(col.buflen);
    }
    if (!get_data(c)) return nullptr;
    len = static_cast<SQLLEN>(piece_value_.size());
    return piece_value_.data();
  }

  /// Read column c of the current row with SQLGetData into piece_value_; false for NULL.
  bool get_data(std::size_t c) {
    Column& col = cols_[c];
    piece_value_.clear();
    const SQLSMALLINT type = c_type(col.fetch);
    if (const std::size_t fixed = fixed_size(col.fetch)) {
      piece_value_.resize(fixed);
      SQLLEN ind = 0;
      if (!ok(SQLGetData(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), type, piece_value_.data(),
                         static_cast<SQLLEN>(fixed), &ind)))
        throw error("cannot read column " + col.name);
      return ind != SQL_NULL_DATA;
    }
    const SQLLEN term = terminator(col.fetch);
    piece_.resize(static_cast<std::size_t>(piece_size));
    for (;;) {
      SQLLEN ind = 0;
      const SQLRETURN rc = SQLGetData(stmt_.h, static_cast<SQLUSMALLINT>(c + 1), type, piece_.data(), piece_size, &ind);
      if (rc == SQL_NO_DATA) return true;  // the previous piece was the last
      if (!ok(rc)) throw error("cannot read column " + col.name);
      if (ind == SQL_NULL_DATA) return false;
      if (ind == SQL_NO_TOTAL || ind > piece_size - term) {
        piece_value_.append(piece_.data(), static_cast<std::size_t>(piece_size - term));
        if (ind != SQL_NO_TOTAL && piece_value_.capacity() < static_cast<std::size_t>(ind))
          piece_value_.reserve(static_cast<std::size_t>(ind));
        continue;
      }
      piece_value_.append(piece_.data(), static_cast<std::size_t>(ind));
      if (rc == SQL_SUCCESS) return true;
    }
  }

  /// The text of a non-NULL value, in scratch_ or text_; bytes as bare hex.
  std::string_view format(const Column& col, const char* v, SQLLEN len) {
    char* p = scratch_;
    switch (col.fetch) {
      case Fetch::boolean:
        return *reinterpret_cast<const unsigned char*>(v) ? "t" : "f";
      case Fetch::integer: {
        std::int64_t i;
        std::memcpy(&i, v, sizeof i);
        p = std::to_chars(p, p + 32, i).ptr;
        break;
      }
      case Fetch::float32: {
        float f;
        std::memcpy(&f, v, sizeof f);
        p = std::to_chars(p, p + 48, f).ptr;
        break;
      }
      case Fetch::float64: {
        double d;
        std::memcpy(&d, v, sizeof d);
        p = std::to_chars(p, p + 48, d).ptr;
        break;
      }
      case Fetch::date: {
        SQL_DATE_STRUCT d;
        std::memcpy(&d, v, sizeof d);
        p = date_text(p, d.year, d.month, d.day);
        break;
      }
      case Fetch::timestamp: {
        SQL_TIMESTAMP_STRUCT t;
        std::memcpy(&t, v, sizeof t);
        p = date_text(p, t.year, t.month, t.day);
        *p++ = ' ';
        p = time_text(p, t.hour, t.minute, t.second, t.fraction);
        break;
      }
      case Fetch::guid: {
        SQLGUID g;
        std::memcpy(&g, v, sizeof g);
        unsigned char b[16] = {static_cast<unsigned char>(g.Data1 >> 24), static_cast<unsigned char>(g.Data1 >> 16),
                               static_cast<unsigned char>(g.Data1 >> 8),  static_cast<unsigned char>(g.Data1),
                               static_cast<unsigned char>(g.Data2 >> 8),  static_cast<unsigned char>(g.Data2),
                               static_cast<unsigned char>(g.Data3 >> 8),  static_cast<unsigned char>(g.Data3)};
        std::memcpy(b + 8, g.Data4, 8);
        const int groups[] = {4, 2, 2, 2, 6};
        const unsigned char* in = b;
        for (int i = 0; i < 5; ++i) {
          if (i) *p++ = '-';
          p = hex_text(p, in, static_cast<std::size_t>(groups[i]));
          in += groups[i];
        }
        break;
      }
      case Fetch::bytes:
        text_.resize(static_cast<std::size_t>(len) * 2);
        hex_text(text_.data(), reinterpret_cast<const unsigned char*>(v), static_cast<std::size_t>(len));
        return text_;
      case Fetch::wtext:
        utf16_to_utf8(text_, reinterpret_cast<const SQLWCHAR*>(v), static_cast<std::size_t>(len) / sizeof(SQLWCHAR));
        return text_;
      case Fetch::decimal:
        // ".5" and "-.5" are how some drivers print fractions: canonical text has the zero.
        if (len > 0 && (v[0] == '.' || (v[0] == '-' && len > 1 && v[1] == '.'))) {
          text_.assign(v, static_cast<std::size_t>(len));
          text_.insert(v[0] == '-' ? 1 : 0, 1, '0');
          return text_;
        }
        return {v, static_cast<std::size_t>(len)};
      case Fetch::text:
        return {v, static_cast<std::size_t>(len)};
    }
    return {scratch_, static_cast<std::size_t>(p - scratch_)};
  }

  void value_row(Batch& b, std::size_t row) {
    for (std::size_t c = 0; c < cols_.size(); ++c) {
      SQLLEN len = 0;
      const char* v = value(c, len);
      b.is_null[c][row] = v ? 0 : 1;
      if (v)
        b.values[c][row].assign(format(cols_[c], v, len));
      else
        b.values[c][row].clear();
    }
  }

  void encode_row(Batch& b) {
    std::string& out = b.copy_text;
    for (std::size_t c = 0; c < cols_.size(); ++c) {
      if (c) out += '\t';
      SQLLEN len = 0;
      const char* v = value(c, len);
      if (!v) {
        out.append("\\N", 2);
        continue;
      }
      const Column& col = cols_[c];
      if (col.fetch == Fetch::bytes) out.append("\\\\x", 3);  // bytea hex input, its backslash escaped
      const std::string_view s = format(col, v, len);
      if (util::copy_clean(s.data(), s.size())) {
        out.append(s);
      } else {
        const std::size_t used = out.size();
        out.resize(used + 2 * s.size());
        char* end = util::copy_escaped(out.data() + used, s.data(), s.size());
        out.resize(static_cast<std::size_t>(end - out.data()));
      }
    }
    out += '\n';
    b.row_end.push_back(out.size());
  }

  odbc::Statement stmt_;
  std::string side_;
  std::size_t batch_size_;
  bool copy_text_;
  std::vector<Column> cols_;
  std::size_t array_size_ = 1;
  SQLULEN rows_fetched_ = 0;
  std::size_t fetched_ = 0;
  std::size_t pos_ = 0;
  bool done_ = false;
  std::vector<char> piece_;
  std::string piece_value_;
  std::string text_;
  char scratch_[96];
};

}  // namespace

std::unique_ptr<Cursor> open_odbc_native_cursor(void* hdbc, const std::string& sql,
                                                const std::vector<RawColumn>& columns, std::size_t batch_size,
                                                Side side, bool copy_text) {
  return std::make_unique<OdbcNativeCursor>(static_cast<SQLHDBC>(hdbc), sql, columns, batch_size, side, copy_text);
}

}  // namespace replicate::source
