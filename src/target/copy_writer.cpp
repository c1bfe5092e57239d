// COPY text encoding: backslash, tab, newline and carriage return are escaped,
// NULL is \N, an empty string stays empty.
#include "target/copy_writer.hpp"

#include <libpq-fe.h>

#include "source/pg_cursor.hpp"
#include "util/error.hpp"

namespace replicate::target {

namespace {
constexpr std::size_t kFlushBytes = 1 << 20;  // one PQputCopyData call per MiB
}

void append_copy_escaped(std::string& out, const std::string& value) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char esc;
    switch (value[i]) {
      case '\\': esc = '\\'; break;
      case '\t': esc = 't'; break;
      case '\n': esc = 'n'; break;
      case '\r': esc = 'r'; break;
      default: continue;
    }
    out.append(value, start, i - start);
    out += '\\';
    out += esc;
    start = i + 1;
  }
  out.append(value, start, std::string::npos);
}

CopyWriter::CopyWriter(PGconn* conn, source::Side side) : conn_(conn), side_(side) {}

CopyWriter::~CopyWriter() {
  if (active_) abort("writer destroyed");
}

void CopyWriter::begin(const std::string& table, const std::vector<std::string>& columns,
                       std::vector<Encoding> encodings) {
  std::string sql = "COPY " + table + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
  sql += ") FROM STDIN";
  PGresult* res = PQexec(conn_, sql.c_str());
  source::check_pg_result(conn_, res, side_, "cannot start COPY into " + table);
  PQclear(res);
  encodings_ = std::move(encodings);
  buffer_.clear();
  active_ = true;
}

void CopyWriter::write(const source::Batch& batch, std::size_t first, std::size_t count) {
  const std::size_t last = count == SIZE_MAX ? batch.rows : std::min(batch.rows, first + count);
  const std::size_t ncols = batch.columns();
  for (std::size_t r = first; r < last; ++r) {
    for (std::size_t c = 0; c < ncols; ++c) {
      if (c) buffer_ += '\t';
      if (batch.is_null[c][r]) {
        buffer_ += "\\N";
      } else if (encodings_[c] == Encoding::hex_bytes) {
        buffer_ += "\\\\x";  // bytea hex input, its backslash escaped for COPY
        buffer_ += batch.values[c][r];
      } else {
        append_copy_escaped(buffer_, batch.values[c][r]);
      }
    }
    buffer_ += '\n';
    if (buffer_.size() >= kFlushBytes) flush();
  }
}

void CopyWriter::flush() {
  if (buffer_.empty()) return;
  if (PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    active_ = false;
    throw util::DbError(PQstatus(conn_) == CONNECTION_BAD ? util::ErrorKind::connection : util::ErrorKind::internal,
                        source::to_string(side_), std::string("COPY data was not sent: ") + PQerrorMessage(conn_));
  }
  buffer_.clear();
}

std::int64_t CopyWriter::end() {
  flush();
  active_ = false;
  if (PQputCopyEnd(conn_, nullptr) != 1)
    throw util::DbError(util::ErrorKind::connection, source::to_string(side_),
                        std::string("COPY could not be ended: ") + PQerrorMessage(conn_));
  PGresult* res = PQgetResult(conn_);
  std::int64_t rows = 0;
  try {
    source::check_pg_result(conn_, res, side_, "COPY failed");
    const char* tuples = PQcmdTuples(res);
    rows = tuples && *tuples ? std::stoll(tuples) : 0;
    PQclear(res);
  } catch (...) {
    while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
    throw;
  }
  while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
  return rows;
}

void CopyWriter::abort(const std::string& reason) {
  active_ = false;
  buffer_.clear();
  if (PQputCopyEnd(conn_, reason.c_str()) == 1) {
    PGresult* res;
    while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
  }
}

}  // namespace replicate::target
