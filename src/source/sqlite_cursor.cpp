// sqlite3_step / sqlite3_column_text into a reused Batch.
#include "source/sqlite_cursor.hpp"

#include <sqlite3.h>

#include "util/error.hpp"

namespace replicate::source {

namespace {

class SqliteCursor : public Cursor {
 public:
  SqliteCursor(sqlite3* db, const std::string& sql, std::size_t columns, std::size_t batch_size, Side side)
      : db_(db), columns_(columns), batch_size_(batch_size), side_(side) {
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
      fail("cannot run query");
    if (static_cast<std::size_t>(sqlite3_column_count(stmt_)) != columns_)
      throw util::DbError(util::ErrorKind::internal, to_string(side_), "query yields an unexpected number of columns");
  }
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }

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
        if (sqlite3_column_type(stmt_, ci) == SQLITE_NULL) {
          batch.is_null[c][n] = 1;
          batch.values[c][n].clear();
        } else {
          // Text as stored (a BLOB in a text column keeps its bytes: the target judges them).
          auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, ci));
          batch.is_null[c][n] = 0;
          batch.values[c][n].assign(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt_, ci)));
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
};

}  // namespace

std::unique_ptr<Cursor> open_sqlite_cursor(void* db, const std::string& sql, std::size_t columns,
                                           std::size_t batch_size, Side side) {
  return std::make_unique<SqliteCursor>(static_cast<sqlite3*>(db), sql, columns, batch_size, side);
}

}  // namespace replicate::source
