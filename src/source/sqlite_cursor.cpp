// SPDX-License-Identifier: Apache-2.0
// sqlite3_step into a reused Batch: values as strings, or rows as COPY text.
#include "source/sqlite_cursor.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <string_view>

#include "util/copy_text.hpp"
#include "util/error.hpp"

namespace replicate::source {

namespace {

using catalog::TypeId;

/// What select_text does with a value, by the column's canonical type.
enum class Form { as_selected, boolean, bytes, datelike, floating, decimal, other };

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
    case TypeId::decimal: return Form::decimal;
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

char* real_for_decimal(char* out, double v) {
  char* end = std::to_chars(out, out + 32, v).ptr;
  // The shortest text S, when it has at most 15 significant digits, is nearer to the
  // 17 digits than any rounding boundary it is not on: rounded to any scale up to
  // its own, S and the 17 digits give the same. S is on a boundary when it ends in
  // a 5, and then the double may lie either side: the 17 digits go instead.
  char* e = std::find(out, end, 'e');
  int significant = 0;
  bool leading = true;
  for (char* p = out; p < e; ++p) {
    if (*p < '0' || *p > '9') continue;
    if (leading && *p == '0') continue;
    leading = false;
    ++significant;
  }
  if (significant > 15 || e[-1] == '5') return real_17_digits(out, v);
  return end;
}

namespace {

class SqliteCursor : public Cursor {
 public:
  /// `raw` empty: every column is taken as the query yields it.
  SqliteCursor(sqlite3* db, const std::string& sql, std::size_t columns, const std::vector<RawColumn>& raw,
               std::size_t batch_size, Side side, bool copy_text)
      : db_(db), columns_(columns), batch_size_(batch_size), side_(side), copy_text_(copy_text), raw_(raw) {
    stmt_ = prepare(sql, "cannot run query");
    if (static_cast<std::size_t>(sqlite3_column_count(stmt_)) != columns_)
      throw util::DbError(util::ErrorKind::internal, to_string(side_), "query yields an unexpected number of columns");
    for (std::size_t c = 0; c < columns_; ++c) {
      forms_.push_back(raw_.empty() ? Form::as_selected : form_of(raw_[c]));
      hex_.push_back(!raw_.empty() && raw_[c].type == TypeId::bytes);
    }
    fallback_.assign(columns_, nullptr);
  }
  ~SqliteCursor() override {
    for (auto* f : fallback_) sqlite3_finalize(f);
    sqlite3_finalize(stmt_);
  }

  bool fetch(Batch& batch) override {
    return copy_text_ ? fetch_copy_text(batch) : fetch_values(batch);
  }

 private:
  bool step() {
    if (done_) return false;
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE) {
      done_ = true;
      return false;
    }
    if (rc != SQLITE_ROW) fail("cannot fetch rows");
    return true;
  }

  bool fetch_values(Batch& batch) {
    batch.encoded = false;
    batch.values.resize(columns_);
    batch.is_null.resize(columns_);
    for (std::size_t c = 0; c < columns_; ++c) {
      if (batch.values[c].size() < batch_size_) batch.values[c].resize(batch_size_);
      batch.is_null[c].resize(batch_size_);
    }
    std::size_t n = 0;
    while (n < batch_size_ && step()) {
      for (std::size_t c = 0; c < columns_; ++c) {
        auto v = text_of(c);
        batch.is_null[c][n] = v ? 0 : 1;
        if (v) batch.values[c][n].assign(v->data(), v->size());
        else batch.values[c][n].clear();
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

  /// The rows as COPY text lines, escaped straight from SQLite's memory.
  bool fetch_copy_text(Batch& batch) {
    batch.encoded = true;
    batch.values.clear();
    batch.is_null.clear();
    batch.row_end.clear();
    std::string& out = batch.copy_text;
    out.clear();
    std::size_t n = 0;
    while (n < batch_size_ && step()) {
      for (std::size_t c = 0; c < columns_; ++c) {
        if (c) out += '\t';
        auto v = text_of(c);
        if (!v) {
          out.append("\\N", 2);
          continue;
        }
        if (hex_[c]) out.append("\\\\x", 3);  // bytea hex input, its backslash escaped for COPY
        if (util::copy_clean(v->data(), v->size())) {
          out.append(v->data(), v->size());
        } else {
          const std::size_t used = out.size();
          out.resize(used + 2 * v->size());
          char* end = util::copy_escaped(out.data() + used, v->data(), v->size());
          out.resize(static_cast<std::size_t>(end - out.data()));
        }
      }
      out += '\n';
      batch.row_end.push_back(out.size());
      ++n;
    }
    batch.rows = n;
    return n > 0;
  }

  /// Column c of the current row as canonical text (valid until the next call); nullopt for NULL.
  std::optional<std::string_view> text_of(std::size_t c) {
    const int ci = static_cast<int>(c);
    const int type = sqlite3_column_type(stmt_, ci);
    if (type == SQLITE_NULL) return std::nullopt;
    const Form form = forms_[c];
    // Each case below is exactly what the dialect's SQL gives, but REALs into numbers
    // (see open_sqlite_raw_cursor); what is not handled goes through that SQL.
    if (form == Form::as_selected || (type == SQLITE_TEXT && form != Form::bytes)) return stored_text(stmt_, ci);
    if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
      const bool integer = type == SQLITE_INTEGER;
      if (form == Form::boolean) {
        const bool yes = integer ? sqlite3_column_int64(stmt_, ci) != 0 : sqlite3_column_double(stmt_, ci) != 0;
        return std::string_view(yes ? "t" : "f", 1);
      }
      if (form == Form::floating || form == Form::decimal || form == Form::other) {
        if (integer) {
          auto r = std::to_chars(scratch_, scratch_ + sizeof scratch_, sqlite3_column_int64(stmt_, ci));
          return std::string_view(scratch_, static_cast<std::size_t>(r.ptr - scratch_));
        }
        const double v = sqlite3_column_double(stmt_, ci);
        if (std::isfinite(v)) {
          char* end = form == Form::floating  ? std::to_chars(scratch_, scratch_ + sizeof scratch_, v).ptr
                      : form == Form::decimal ? real_for_decimal(scratch_, v)
                                              : real_17_digits(scratch_, v);
          return std::string_view(scratch_, static_cast<std::size_t>(end - scratch_));
        }
      }
    }
    return through_fallback(c, ci);
  }

  /// Text as stored (a BLOB in a text column keeps its bytes: the target judges them).
  static std::string_view stored_text(sqlite3_stmt* stmt, int ci) {
    auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, ci));
    return std::string_view(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, ci)));
  }

  /// The dialect's own SQL on one value.
  std::optional<std::string_view> through_fallback(std::size_t c, int ci) {
    if (!fallback_[c]) fallback_[c] = prepare(raw_[c].fallback_sql, "cannot prepare a value conversion");
    sqlite3_stmt* f = fallback_[c];
    sqlite3_reset(f);
    if (sqlite3_bind_value(f, 1, sqlite3_column_value(stmt_, ci)) != SQLITE_OK) fail("cannot convert a value");
    if (sqlite3_step(f) != SQLITE_ROW) fail("cannot convert a value");
    const bool present = sqlite3_column_type(f, 0) != SQLITE_NULL;
    if (present) fallback_text_.assign(stored_text(f, 0));
    sqlite3_reset(f);
    if (!present) return std::nullopt;
    return std::string_view(fallback_text_);
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
  bool copy_text_;
  bool done_ = false;
  std::vector<RawColumn> raw_;
  std::vector<Form> forms_;
  std::vector<char> hex_;  // bytes columns: "\\x" before the value in COPY text
  std::vector<sqlite3_stmt*> fallback_;
  std::string fallback_text_;
  char scratch_[64];
};

}  // namespace

std::unique_ptr<Cursor> open_sqlite_cursor(void* db, const std::string& sql, std::size_t columns,
                                           std::size_t batch_size, Side side) {
  return std::make_unique<SqliteCursor>(static_cast<sqlite3*>(db), sql, columns, std::vector<RawColumn>{}, batch_size,
                                        side, false);
}

std::unique_ptr<Cursor> open_sqlite_raw_cursor(void* db, const std::string& sql, const std::vector<RawColumn>& columns,
                                               std::size_t batch_size, Side side, bool copy_text) {
  return std::make_unique<SqliteCursor>(static_cast<sqlite3*>(db), sql, columns.size(), columns, batch_size, side,
                                        copy_text);
}

}  // namespace replicate::source
