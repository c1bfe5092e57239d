// SPDX-License-Identifier: Apache-2.0
// A database session behind one small interface (SOCI underneath, never exposed):
// catalog queries, bulk cursors, plain statements, and the raw PGconn for COPY.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/types.hpp"
#include "config/mapping.hpp"

struct pg_conn;  // libpq's PGconn

namespace replicate::source {

using Value = std::optional<std::string>;
using Row = std::vector<Value>;

/// A batch of rows in column-major form, every value as canonical text; or, from a
/// cursor asked for it (open_raw_cursor), the rows already as COPY text lines.
struct Batch {
  std::vector<std::vector<std::string>> values;  // [column][row]
  std::vector<std::vector<char>> is_null;        // [column][row], 1 = NULL
  std::size_t rows = 0;
  std::size_t columns() const { return values.size(); }

  /// COPY text form: values and is_null stay empty, row r is the line
  /// copy_text[r ? row_end[r-1] : 0, row_end[r]), its newline included. Values of
  /// bytes columns are written as bytea hex input ("\\x..."), as CopyWriter writes them.
  bool encoded = false;
  std::string copy_text;
  std::vector<std::size_t> row_end;
  std::size_t row_begin(std::size_t r) const { return r ? row_end[r - 1] : 0; }
};

/// A forward-only query result fetched `batch_size` rows at a time.
class Cursor {
 public:
  virtual ~Cursor() = default;
  /// Fill `batch` with up to the batch size rows; false when nothing more came.
  virtual bool fetch(Batch& batch) = 0;
};

/// One column of a raw cursor: the query selects the value as stored, and the client
/// makes the canonical text the dialect's select_text would have made in SQL.
struct RawColumn {
  /// The query already yields canonical text here (a constant): take it as it comes.
  bool as_selected = false;
  catalog::TypeId type = catalog::TypeId::text;
  /// "SELECT <select_text of ?1>": the dialect's own conversion of one bound value,
  /// for the values the client does not convert itself.
  std::string fallback_sql;
};

class Connection {
 public:
  virtual ~Connection() = default;
  /// Run a query and return all of its rows as text (for catalog and small queries).
  virtual std::vector<Row> query(const std::string& sql) = 0;
  /// Run a statement that returns no rows.
  virtual void execute(const std::string& sql) = 0;
  /// Open a bulk cursor over `sql`, which must yield `columns` text columns.
  virtual std::unique_ptr<Cursor> open_cursor(const std::string& sql, std::size_t columns,
                                              std::size_t batch_size) = 0;
  /// True when open_raw_cursor works here for a source of `dialect`: a native SQLite
  /// session (converting values in the client costs a fraction of converting them in
  /// SQLite's SQL), or SQL Server over ODBC (values in native C types, no CONVERT).
  virtual bool reads_raw(const std::string& /*dialect*/) const { return false; }
  /// Open a cursor over `sql`, which selects stored values, one per entry of `columns`.
  /// With `copy_text` its batches come encoded (Batch::encoded), for COPY alone.
  virtual std::unique_ptr<Cursor> open_raw_cursor(const std::string& sql, const std::vector<RawColumn>& columns,
                                                  std::size_t batch_size, bool copy_text);
  /// True when open_copy_out_cursor works here (a native PostgreSQL session).
  virtual bool copies_out() const { return false; }
  /// Run `COPY (sql) TO STDOUT`: batches of `batch_size` rows as COPY text lines
  /// (Batch::encoded), produced by the server while the previous batch is written.
  virtual std::unique_ptr<Cursor> open_copy_out_cursor(const std::string& sql, std::size_t batch_size);
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  /// The libpq connection for COPY; nullptr when this is not a native PostgreSQL session.
  virtual pg_conn* native_pg() { return nullptr; }
  /// For ODBC: the driver's name (e.g. "libtdsodbc.so"); the backend name otherwise.
  virtual std::string driver_name() const = 0;
};

/// Which side a connection serves; named in every error from it.
enum class Side { source, target };
const char* to_string(Side side);

/// Once per process, before any connection: SQLite connections are then never shared
/// between threads, so SQLite is told to skip its per-call connection mutex.
void prepare_process();

/// Connect to an endpoint. Throws util::DbError (kind connection) on failure,
/// with secrets masked in the message.
std::unique_ptr<Connection> connect(const config::Endpoint& endpoint, Side side);

}  // namespace replicate::source
