// SPDX-License-Identifier: Apache-2.0
#include "engine/read_ahead.hpp"

namespace replicate::engine {

ReadAhead::ReadAhead(std::unique_ptr<source::Cursor> cursor)
    : cursor_(std::move(cursor)), reader_([this] { run(); }) {}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  reader_.join();
  cursor_.reset();
}

void ReadAhead::run() {
  try {
    for (;;) {
      int slot;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !free_.empty(); });
        if (stop_) return;
        slot = free_.front();
        free_.pop_front();
      }
      const bool more = cursor_->fetch(slots_[slot]);
      {
        std::lock_guard lock(mutex_);
        if (more) {
          ready_.push_back(slot);
        } else {
          free_.push_back(slot);
          finished_ = true;
        }
      }
      changed_.notify_all();
      if (!more) return;
    }
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      error_ = std::current_exception();
      finished_ = true;
    }
    changed_.notify_all();
  }
}

const source::Batch* ReadAhead::next() {
  std::unique_lock lock(mutex_);
  if (held_ >= 0) {
    free_.push_back(held_);
    held_ = -1;
    changed_.notify_all();
  }
  changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
  if (!ready_.empty()) {
    held_ = ready_.front();
    ready_.pop_front();
    return &slots_[held_];
  }
  if (error_) std::rethrow_exception(error_);
  return nullptr;
}

}  // namespace replicate::engine
