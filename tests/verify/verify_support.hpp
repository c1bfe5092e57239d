// SPDX-License-Identifier: Apache-2.0
// Helpers for verify tests: mapping files between test databases, loaded the way
// the CLI loads them, and short accessors into a report.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "config/mapping.hpp"
#include "support/test_db.hpp"
#include "verify/verify.hpp"

namespace replicate::test {

struct VerifyEndpoint {
  std::string driver;  // postgresql, sqlite, odbc
  std::string connection;
};

inline VerifyEndpoint pg_endpoint(const std::string& conninfo) { return {"postgresql", conninfo}; }

/// Writes a mapping file into a fresh directory and returns its path.
inline std::string write_verify_mapping(const VerifyEndpoint& source, const VerifyEndpoint& target,
                                        const std::string& tables_yaml,
                                        const std::string& defaults_yaml = "") {
  std::string path = temp_dir() + "/mapping.yaml";
  std::ofstream f(path);
  f << "version: 1\n"
    << "source:\n  driver: " << source.driver << "\n  connection: \"" << source.connection << "\"\n"
    << "target:\n  driver: " << target.driver << "\n  connection: \"" << target.connection << "\"\n"
    << "defaults:\n"
    << (defaults_yaml.empty() ? "  workers: 4\n" : defaults_yaml) << "tables:\n"
    << tables_yaml;
  return path;
}

inline verify::Report verify_file(const std::string& mapping_path,
                                  verify::VerifyOptions options = {}) {
  return verify::verify_mapping(config::load_mapping(mapping_path), options);
}

inline std::vector<std::string> key(std::initializer_list<const char*> parts) {
  return std::vector<std::string>(parts.begin(), parts.end());
}

/// A one-line summary of a table report, for assertion messages.
inline std::string summary(const verify::Report& r) {
  return verify::format_report(r) + verify::to_json(r);
}

}  // namespace replicate::test
