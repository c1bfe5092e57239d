// SPDX-License-Identifier: Apache-2.0
// PostgreSQL COPY ... FROM STDIN in text format, fed from column batches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "source/connection.hpp"
#include "util/copy_text.hpp"

namespace replicate::target {

/// How a canonical text value is written into COPY text.
enum class Encoding { plain, hex_bytes };

/// Streams batches into one COPY. Text format was chosen over binary because values
/// already arrive as canonical text from every dialect: binary would mean parsing
/// them again only for the server to do the same work in reverse.
class CopyWriter {
 public:
  CopyWriter(pg_conn* conn, source::Side side = source::Side::target);
  ~CopyWriter();
  CopyWriter(const CopyWriter&) = delete;
  CopyWriter& operator=(const CopyWriter&) = delete;

  /// Start `COPY table (columns) FROM STDIN`; table and columns are already quoted.
  void begin(const std::string& qualified_table, const std::vector<std::string>& columns,
             std::vector<Encoding> encodings);
  /// Append rows [first, first+count) of a batch (all rows by default), values or
  /// lines already encoded (Batch::encoded).
  void write(const source::Batch& batch, std::size_t first = 0, std::size_t count = SIZE_MAX);
  /// End the COPY; returns the rows the server took. Throws DbError when it refused them.
  std::int64_t end();
  /// Abandon the COPY (the surrounding transaction must then roll back).
  void abort(const std::string& reason);
  bool active() const { return active_; }

 private:
  void flush();
  void send(const char* data, std::size_t size);
  /// `at` (inside buffer_) moved to where at least `n` bytes are free after it.
  char* room(char* at, std::size_t n);
  pg_conn* conn_;
  source::Side side_;
  std::vector<Encoding> encodings_;
  std::string buffer_;  // rows written, [0, used_); its size is its capacity
  std::size_t used_ = 0;
  bool active_ = false;
};

using util::append_copy_escaped;
using util::copy_escaped;

}  // namespace replicate::target
