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

class BinaryRowEncoder;

/// Streams batches into one COPY, in text format, or in binary format where the
/// values are encoded here from their text (target/copy_binary.hpp): parsing dates
/// and numerics in the worker costs less than the backend's text input functions.
class CopyWriter {
 public:
  CopyWriter(pg_conn* conn, source::Side side = source::Side::target);
  ~CopyWriter();
  CopyWriter(const CopyWriter&) = delete;
  CopyWriter& operator=(const CopyWriter&) = delete;

  /// Start `COPY table (columns) FROM STDIN`; table and columns are already quoted.
  void begin(const std::string& qualified_table, const std::vector<std::string>& columns,
             std::vector<Encoding> encodings);
  /// Start `COPY table (columns) FROM STDIN (FORMAT binary)`; `encoder` (which must
  /// outlive the COPY) writes the rows, and write() throws BinaryEncodeError for a row
  /// it has no binary form of (the caller aborts, and sends the rows as text).
  void begin_binary(const std::string& qualified_table, const std::vector<std::string>& columns,
                    const BinaryRowEncoder& encoder);
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
  const BinaryRowEncoder* binary_ = nullptr;  // binary format: the rows' encoder
  std::string buffer_;  // rows written, [0, used_); its size is its capacity
  std::size_t used_ = 0;
  bool active_ = false;
};

using util::append_copy_escaped;
using util::copy_escaped;

}  // namespace replicate::target
