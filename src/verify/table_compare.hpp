// SPDX-License-Identifier: Apache-2.0
// Comparing one table: chunk checksums on both sides (chunks in parallel, one pair
// of sessions per thread), bisection of the chunks that differ, then the keys that
// differ, reconciled across chunks. Internal to verify.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "source/connection.hpp"
#include "verify/side.hpp"
#include "verify/verify.hpp"

namespace replicate::verify {

/// One thread's sessions, opened on first use. `normaliser` is a second target
/// session for values a streaming source cannot normalise itself: it runs while
/// `target` is busy with the same chunk's checksum.
struct Lane {
  std::function<std::unique_ptr<source::Connection>()> open_source, open_target;
  std::unique_ptr<source::Connection> source, target, normaliser;
  void ensure() {
    if (!source) source = open_source();
    if (!target) target = open_target();
  }
  source::Connection& ensure_normaliser() {
    if (!normaliser) normaliser = open_target();
    return *normaliser;
  }
  void close() {
    source.reset();
    target.reset();
    normaliser.reset();
  }
};

/// Compare the table `spec` describes with up to `threads` threads, lanes[0..threads).
/// Fills the counts, keys and figures of `out` (not its names or time); an error during
/// the comparison goes to out.error, and the sessions it may have broken are closed.
void compare_table(const TableSpec& spec, std::vector<Lane>& lanes, std::size_t threads,
                   bool stream_source, const VerifyOptions& options, TableReport& out);

}  // namespace replicate::verify
