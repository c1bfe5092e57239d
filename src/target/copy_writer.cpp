// SPDX-License-Identifier: Apache-2.0
// COPY ... FROM STDIN in text format (util/copy_text.hpp has the encoding).
#include "target/copy_writer.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstring>

#include "source/pg_cursor.hpp"
#include "target/copy_binary.hpp"
#include "util/error.hpp"

namespace replicate::target {

namespace {
constexpr std::size_t kFlushBytes = 1 << 20;  // one PQputCopyData call per MiB
}  // namespace

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
  binary_ = nullptr;
  used_ = 0;
  active_ = true;
}

void CopyWriter::begin_binary(const std::string& table, const std::vector<std::string>& columns,
                              const BinaryRowEncoder& encoder) {
  std::string sql = "COPY " + table + " (";
  for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + columns[i];
  sql += ") FROM STDIN (FORMAT binary)";
  PGresult* res = PQexec(conn_, sql.c_str());
  source::check_pg_result(conn_, res, side_, "cannot start COPY into " + table);
  PQclear(res);
  encodings_.clear();
  binary_ = &encoder;
  if (buffer_.size() < kFlushBytes + (64 << 10)) buffer_.resize(kFlushBytes + (64 << 10));
  const auto header = binary_copy_header();
  std::memcpy(buffer_.data(), header.data(), header.size());
  used_ = header.size();
  active_ = true;
}

char* CopyWriter::room(char* at, std::size_t n) {
  const std::size_t used = static_cast<std::size_t>(at - buffer_.data());
  if (buffer_.size() - used < n) buffer_.resize(std::max(buffer_.size() * 2, used + n));
  return buffer_.data() + used;
}

void CopyWriter::write(const source::Batch& batch, std::size_t first, std::size_t count) {
  const std::size_t last = count == SIZE_MAX ? batch.rows : std::min(batch.rows, first + count);
  if (binary_) {
    if (buffer_.size() < kFlushBytes + (64 << 10)) buffer_.resize(kFlushBytes + (64 << 10));
    std::size_t bad_column = 0;
    for (std::size_t r = first; r < last; ++r) {
      if (!binary_->append_row(batch, r, buffer_, used_, bad_column)) throw BinaryEncodeError(r, bad_column);
      if (used_ >= kFlushBytes) flush();
    }
    return;
  }
  if (batch.encoded) {
    if (first >= last) return;
    // Lines already in COPY text: send them as they are, after what is buffered.
    flush();
    send(batch.copy_text.data() + batch.row_begin(first), batch.row_end[last - 1] - batch.row_begin(first));
    return;
  }
  const std::size_t ncols = batch.columns();
  if (buffer_.size() < kFlushBytes + (64 << 10)) buffer_.resize(kFlushBytes + (64 << 10));
  char* out = buffer_.data() + used_;
  for (std::size_t r = first; r < last; ++r) {
    for (std::size_t c = 0; c < ncols; ++c) {
      // Worst case: every byte escaped, plus a separator and \\x.
      const std::string& v = batch.values[c][r];
      out = room(out, 2 * v.size() + 8);
      if (c) *out++ = '\t';
      if (batch.is_null[c][r]) {
        *out++ = '\\';
        *out++ = 'N';
      } else if (encodings_[c] == Encoding::hex_bytes) {
        std::memcpy(out, "\\\\x", 3);  // bytea hex input, its backslash escaped for COPY
        out += 3;
        std::memcpy(out, v.data(), v.size());
        out += v.size();
      } else {
        out = copy_escaped(out, v.data(), v.size());
      }
    }
    out = room(out, 1);
    *out++ = '\n';
    used_ = static_cast<std::size_t>(out - buffer_.data());
    if (used_ >= kFlushBytes) {
      flush();
      out = buffer_.data();
    }
  }
  used_ = static_cast<std::size_t>(out - buffer_.data());
}

void CopyWriter::flush() {
  if (used_ == 0) return;
  send(buffer_.data(), used_);
  used_ = 0;
}

void CopyWriter::send(const char* data, std::size_t size) {
  for (std::size_t done = 0; done < size;) {
    const std::size_t piece = std::min(size - done, kFlushBytes);
    if (PQputCopyData(conn_, data + done, static_cast<int>(piece)) != 1) {
      active_ = false;
      throw util::DbError(PQstatus(conn_) == CONNECTION_BAD ? util::ErrorKind::connection : util::ErrorKind::internal,
                          source::to_string(side_), std::string("COPY data was not sent: ") + PQerrorMessage(conn_));
    }
    done += piece;
  }
}

std::int64_t CopyWriter::end() {
  if (binary_) {
    const auto trailer = binary_copy_trailer();
    if (buffer_.size() < used_ + trailer.size()) buffer_.resize(used_ + trailer.size());
    std::memcpy(buffer_.data() + used_, trailer.data(), trailer.size());
    used_ += trailer.size();
  }
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
  used_ = 0;
  if (PQputCopyEnd(conn_, reason.c_str()) == 1) {
    PGresult* res;
    while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
  }
}

}  // namespace replicate::target
