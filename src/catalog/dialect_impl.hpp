// SPDX-License-Identifier: Apache-2.0
// Factories for the concrete dialects, and helpers they share. Internal to catalog.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/dialect.hpp"

namespace replicate::catalog {

std::unique_ptr<Dialect> make_postgresql_dialect();
std::unique_ptr<Dialect> make_sqlite_dialect();
std::unique_ptr<Dialect> make_mssql_dialect();
std::unique_ptr<Dialect> make_generic_dialect();

/// The SQL standard's quoting: "a""b".
std::string quote_ansi(const std::string& identifier);

/// "numeric(15, 2) with time zone" -> {base "numeric", args {15,2}, suffix "with time zone"}.
/// "max" parses as -1. Base and suffix are lower case.
struct ParsedType {
  std::string base;
  std::vector<int> args;
  std::string suffix;
};
ParsedType parse_type_name(const std::string& spelled);

}  // namespace replicate::catalog
