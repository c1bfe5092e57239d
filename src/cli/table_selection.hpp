// SPDX-License-Identifier: Apache-2.0
// `--tables` and `--mode`: narrowing the mappings a command reads to some of their tables,
// and giving those one mode, before anything plans, copies or compares them.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/mapping.hpp"

namespace replicate::cli {

/// A `--tables` pattern that matches no table (exit 2, as a mistake in the mapping is).
class SelectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the command line asks of the tables, on top of the mapping files.
struct Selection {
  /// `--tables`, as given (each a comma-separated list): globs (`*`, `?`), case-insensitive,
  /// each matched against an entry's source table as `schema.table` and as the bare table
  /// name. Empty: every table.
  std::vector<std::string> tables;
  /// `run --mode`: every selected table in this mode.
  std::optional<config::Mode> mode;
};

/// True when `pattern` selects the table entry `entry` (a single table, not a pattern entry).
bool selects(const std::string& pattern, const config::TableMapping& entry);

/// Apply `selection` to `mappings`: with --tables, `include:` entries are expanded (which
/// connects to the source) and each mapping keeps the tables a pattern matches; a mapping
/// left with none is dropped; with --mode, override_mode checks the rest (ConfigError).
/// Throws SelectionError when a pattern matches no table of any mapping, naming the
/// pattern and the tables there are.
void apply_selection(std::vector<config::Mapping>& mappings, const Selection& selection);

}  // namespace replicate::cli
