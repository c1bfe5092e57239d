// SPDX-License-Identifier: Apache-2.0
// Reading a chunk one batch ahead of writing it.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "source/connection.hpp"

namespace replicate::engine {

/// Fetches from a cursor on its own thread into two alternating batches, so the
/// source is read while the previous batch is in the target's COPY: without it a
/// worker and its target backend took turns, each idle while the other worked.
/// The cursor and its connection are used by that thread alone until destruction.
class ReadAhead {
 public:
  explicit ReadAhead(std::unique_ptr<source::Cursor> cursor);
  /// Stops reading (after the fetch in progress) and closes the cursor.
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  /// The next batch, valid until the next call; nullptr after the last one. An error
  /// of the cursor is rethrown here, as it was thrown.
  const source::Batch* next();

 private:
  void run();

  std::unique_ptr<source::Cursor> cursor_;
  source::Batch slots_[2];
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<int> ready_;     // filled slots, in order
  std::deque<int> free_{0, 1};
  int held_ = -1;             // the slot the caller is reading
  bool finished_ = false;     // the cursor is exhausted or failed
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread reader_;
};

}  // namespace replicate::engine
