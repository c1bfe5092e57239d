// sqlite3_step / sqlite3_column_text into a reused Batch.
#include "source/sqlite_cursor.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "util/error.hpp"

namespace replicate::source {

namespace {

using catalog::TypeId;

/// What select_text does with a value, by the column's canonical type.
enum class Form { as_selected, boolean, bytes, datelike, floating, other };

Form form_of(const RawColumn& c) {
  if (c.as_selected) return Form::as_selected;
  switch (c.type) {
    case TypeId::boolean: return Form::boolean;
    case TypeId::bytes: return Form::bytes;
    case TypeId::date:
    case TypeId::timestamp:
    case TypeId::timestamptz: return Form::datelike;
    case TypeId::float32:
    case TypeId::float64: return Form::floating;
    default: return Form::other;
  }
}

}  // namespace

char* real_17_digits(char* out, double v) {
  if (v == 0) {  // -0.0 too: SQLite's printf gives no sign to a zero
    std::memcpy(out, "0.0", 3);
    return out + 3;
  }
  char digits[40];
  char* end = std::to_chars(digits, digits + sizeof digits, v, std::chars_format::general, 17).ptr;
  char* e = std::find(digits, end, 'e');
  const bool point = std::find(digits, e, '.') != e;
  out = std::copy(digits, e, out);
  if (!point) out = std::copy_n(".0", 2, out);  // "%!g" keeps a point and a digit after it
  return std::copy(e, end, out);
}

namespace {

class SqliteCursor : public Cursor {
 public:
  SqliteCursor(sqlite3* db, const std::string& sql, std::size_t columns, std::size_t batch_size, Side side)
      : db_(db), columns_(columns), batch_size_(batch_size), side_(side) {
    stmt_ = prepare(sql, "cannot run query");
    if (static_cast<std::size_t>(sqlite3_column_count(stmt_)) != columns_)
      throw util::DbError(util::ErrorKind::internal, to_string(side_), "query yields an unexpected number of columns");
  }
  SqliteCursor(sqlite3* db, const std::string& sql, const std::vector<RawColumn>& raw, std::size_t batch_size,
               Side side)
      : SqliteCursor(db, sql, raw.size(), batch_size, side) {
    raw_ = raw;
    for (const auto& c : raw_) forms_.push_back(form_of(c));
    fallback_.assign(raw_.size(), nullptr);
  }
  ~SqliteCursor() override {
    for (auto* f : fallback_) sqlite3_finalize(f);
    sqlite3_finalize(stmt_);
  }

  bool fetch(Batch& batch) override {
    batch.values.resize(columns_);
    batch.is_null.resize(columns_);
    for (std::size_t c = 0; c < columns_; ++c) {
      if (batch.values[c].size() < batch_size_) batch.values[c].resize(batch_size_);
      batch.is_null[c].resize(batch_size_);
    }
    std::size_t n = 0;
    while (!done_ && n < batch_size_) {
      int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (rc != SQLITE_ROW) fail("cannot fetch rows");
      for (std::size_t c = 0; c < columns_; ++c) {
        const int ci = static_cast<int>(c);
        const int type = sqlite3_column_type(stmt_, ci);
        if (type == SQLITE_NULL) {
          batch.is_null[c][n] = 1;
          batch.values[c][n].clear();
          continue;
        }
        batch.is_null[c][n] = 0;
        std::string& out = batch.values[c][n];
        if (forms_.empty() || forms_[c] == Form::as_selected) {
          take_text(stmt_, ci, out);
        } else if (!convert(forms_[c], type, ci, out)) {
          batch.is_null[c][n] = through_fallback(c, ci, out) ? 0 : 1;
        }
      }
      ++n;
    }
    for (std::size_t c = 0; c < columns_; ++c) {
      batch.values[c].resize(n);
      batch.is_null[c].resize(n);
    }
    batch.rows = n;
    return n > 0;
  }

 private:
  /// Text as stored (a BLOB in a text column keeps its bytes: the target judges them).
  static void take_text(sqlite3_stmt* stmt, int ci, std::string& out) {
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, ci));
    out.assign(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, ci)));
  }

  /// The common cases, each exactly what the dialect's SQL gives; false for the rest.
  bool convert(Form form, int type, int ci, std::string& out) {
    switch (type) {
      case SQLITE_TEXT:
        // CAST(text AS TEXT), or the value itself in a date column.
        if (form == Form::bytes) return false;
        take_text(stmt_, ci, out);
        return true;
      case SQLITE_INTEGER: {
        const sqlite3_int64 v = sqlite3_column_int64(stmt_, ci);
        if (form == Form::boolean) {
          out.assign(v != 0 ? "t" : "f");
          return true;
        }
        if (form != Form::floating && form != Form::other) return false;
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.assign(buf, r.ptr);
        return true;
      }
      case SQLITE_FLOAT: {
        const double v = sqlite3_column_double(stmt_, ci);
        if (form == Form::boolean) {
          out.assign(v != 0 ? "t" : "f");
          return true;
        }
        if ((form != Form::floating && form != Form::other) || !std::isfinite(v)) return false;
        char buf[64];
        char* end = form == Form::floating ? std::to_chars(buf, buf + sizeof buf, v).ptr : real_17_digits(buf, v);
        out.assign(buf, end);
        return true;
      }
      default:
        return false;
    }
  }

  /// The dialect's own SQL on one value; false when it gives NULL.
  bool through_fallback(std::size_t c, int ci, std::string& out) {
    if (!fallback_[c]) fallback_[c] = prepare(raw_[c].fallback_sql, "cannot prepare a value conversion");
    sqlite3_stmt* f = fallback_[c];
    sqlite3_reset(f);
    if (sqlite3_bind_value(f, 1, sqlite3_column_value(stmt_, ci)) != SQLITE_OK) fail("cannot convert a value");
    if (sqlite3_step(f) != SQLITE_ROW) fail("cannot convert a value");
    const bool present = sqlite3_column_type(f, 0) != SQLITE_NULL;
    if (present) take_text(f, 0, out);
    else out.clear();
    sqlite3_reset(f);
    return present;
  }

  sqlite3_stmt* prepare(const std::string& sql, const char* what) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK) fail(what);
    return s;
  }

  [[noreturn]] void fail(const std::string& what) {
    const int code = sqlite3_errcode(db_);
    auto kind = code == SQLITE_BUSY || code == SQLITE_LOCKED ? util::ErrorKind::transient : util::ErrorKind::internal;
    throw util::DbError(kind, to_string(side_), what + ": " + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::size_t columns_;
  std::size_t batch_size_;
  Side side_;
  bool done_ = false;
  std::vector<RawColumn> raw_;
  std::vector<Form> forms_;  // empty: every column is taken as selected
  std::vector<sqlite3_stmt*> fallback_;
};

}  // namespace

std::unique_ptr<Cursor> open_sqlite_cursor(void* db, const std::string& sql, std::size_t columns,
                                           std::size_t batch_size, Side side) {
  return std::make_unique<SqliteCursor>(static_cast<sqlite3*>(db), sql, columns, batch_size, side);
}

std::unique_ptr<Cursor> open_sqlite_raw_cursor(void* db, const std::string& sql, const std::vector<RawColumn>& columns,
                                               std::size_t batch_size, Side side) {
  return std::make_unique<SqliteCursor>(static_cast<sqlite3*>(db), sql, columns, batch_size, side);
}

}  // namespace replicate::source
