// SPDX-License-Identifier: Apache-2.0
// Writes the sample database with the sqlite3 C API: one transaction, one
// prepared INSERT reused for every row, no journal. The file is built beside the
// target and renamed over it, so a failed run never leaves half a sample behind.
#include "sample/sample.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "sample/row_generator.hpp"

namespace replicate::sample {
namespace {

std::string quote_identifier(std::string_view name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

[[noreturn]] void fail(const std::string& path, std::string_view step, std::string_view reason) {
  throw std::runtime_error("cannot write sample database '" + path + "': " + std::string(step) +
                           " failed: " + std::string(reason) +
                           ". Check that the directory exists, is writable and has free space.");
}

[[noreturn]] void fail(const std::string& path, std::string_view step, sqlite3* db) {
  fail(path, step, db ? sqlite3_errmsg(db) : "out of memory");
}

/// Owns a connection; closing is the last step whatever happens.
class Database {
 public:
  explicit Database(const std::string& path) : path_(path) {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      // A failed open may still allocate a handle; the destructor will not run.
      const std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      fail(path_, "open", reason);
    }
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  void exec(const std::string& sql, std::string_view step) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      fail(path_, step, db_);
    }
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

/// Owns a prepared statement.
class Statement {
 public:
  Statement(Database& db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v3(db.get(), sql.c_str(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      fail(db.path(), "prepare INSERT", db.get());
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  /// Bind one row and insert it. Text is bound SQLITE_STATIC: the row's buffers
  /// outlive the step, so SQLite need not copy them.
  void insert(const Row& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const Value& value = row[i];
      int rc = SQLITE_OK;
      switch (value.kind) {
        case Value::Kind::null:
          rc = sqlite3_bind_null(stmt_, index);
          break;
        case Value::Kind::integer:
          rc = sqlite3_bind_int64(stmt_, index, value.integer);
          break;
        case Value::Kind::text:
          rc = sqlite3_bind_text(stmt_, index, value.text.data(),
                                 static_cast<int>(value.text.size()), SQLITE_STATIC);
          break;
      }
      if (rc != SQLITE_OK) fail(db_.path(), "bind", db_.get());
    }
    if (sqlite3_step(stmt_) != SQLITE_DONE) fail(db_.path(), "INSERT", db_.get());
    sqlite3_reset(stmt_);
  }

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string insert_sql(const std::string& table) {
  std::string sql = "INSERT INTO " + quote_identifier(table) + " (";
  std::string params;
  for (const auto& column : columns()) {
    if (!params.empty()) {
      sql += ", ";
      params += ", ";
    }
    sql += column.name;
    params += '?';
  }
  return sql + ") VALUES (" + params + ")";
}

void remove_file(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

void fill_database(Database& db, const SampleOptions& options) {
  // A throwaway file written once: durability buys nothing, speed does.
  db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;",
          "set pragmas");
  db.exec(sqlite_ddl(options.table), "CREATE TABLE");
  db.exec("BEGIN", "BEGIN");
  {
    Statement insert(db, insert_sql(options.table));
    RowGenerator generator(options.seed, options.rows);
    Row row;
    for (std::int64_t id = 1; id <= options.rows; ++id) {
      generator.fill(id, row);
      insert.insert(row);
    }
  }
  db.exec("COMMIT", "COMMIT");
}

}  // namespace

std::string sqlite_ddl(const std::string& table) {
  constexpr std::size_t kNameWidth = 25;  // longest name + 1: types line up
  std::string ddl =
      "-- bi_credores as `replicate sample` writes it (src/sample/row_generator.cpp): the\n"
      "-- original system's columns and types, its INTEGER columns declared INT so that\n"
      "-- replicate gives them PostgreSQL's integer, as from SQL Server (INTEGER: bigint).\n"
      "CREATE TABLE " +
      quote_identifier(table) + " (\n";
  const auto specs = columns();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    ddl += "  ";
    ddl += specs[i].name;
    ddl.append(kNameWidth > specs[i].name.size() ? kNameWidth - specs[i].name.size() : 1, ' ');
    ddl += specs[i].sqlite_type;
    ddl += i + 1 < specs.size() ? ",\n" : "\n";
  }
  ddl += ");\n";
  return ddl;
}

void write_sample(const SampleOptions& options) {
  if (options.output.empty()) {
    throw std::runtime_error("cannot write sample database: no output path given.");
  }
  if (options.rows < 0) {
    throw std::runtime_error("cannot write sample database '" + options.output +
                             "': rows must be zero or more, got " + std::to_string(options.rows) +
                             ".");
  }
  if (options.table.empty()) {
    throw std::runtime_error("cannot write sample database '" + options.output +
                             "': the table name is empty.");
  }
  const std::string partial = options.output + ".partial";
  remove_file(partial);  // a leftover from a crashed run
  try {
    Database db(partial);
    fill_database(db, options);
  } catch (...) {
    remove_file(partial);
    throw;
  }
  std::error_code error;
  std::filesystem::rename(partial, options.output, error);
  if (error) {
    remove_file(partial);
    throw std::runtime_error("cannot write sample database '" + options.output + "': renaming '" +
                             partial + "' over it failed: " + error.message() +
                             ". Check that the path is not a directory and is writable.");
  }
}

}  // namespace replicate::sample
