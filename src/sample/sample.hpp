// SPDX-License-Identifier: Apache-2.0
// The sample generator: a SQLite copy of the flagship bi_credores table with
// realistic, deterministic rows, for demos, tests and benchmarks without SQL Server.
#pragma once

#include <cstdint>
#include <string>

namespace replicate::sample {

struct SampleOptions {
  std::int64_t rows = 100000;
  std::uint64_t seed = 42;
  std::string output;  // path of the SQLite file to write
  std::string table = "bi_credores";
};

/// Write a SQLite database holding `table` with `rows` realistic rows; replaces an existing file.
/// Deterministic for a seed.
void write_sample(const SampleOptions& options);

/// The CREATE TABLE statement used (SQLite).
std::string sqlite_ddl(const std::string& table);

}  // namespace replicate::sample
