// SPDX-License-Identifier: Apache-2.0
// Source connections for tests that drive cursors directly.
#pragma once

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "source/connection.hpp"

namespace replicate::test {

inline std::unique_ptr<source::Connection> source_connection(config::Driver driver, const std::string& connection) {
  config::Endpoint ep;
  ep.driver = driver;
  ep.connection = connection;
  ep.connection_display = driver == config::Driver::sqlite ? connection : "test cluster";
  return source::connect(ep, source::Side::source);
}

/// A new, empty SQLite file at `path` (any old one removed), opened read-write so that a
/// test can fill it (replicate's own source sessions are read-only and create nothing).
inline std::unique_ptr<source::Connection> fresh_sqlite_source(const std::string& path) {
  std::remove(path.c_str());
  std::ofstream(path).flush();  // an empty file is an empty SQLite database
  config::Endpoint ep;
  ep.driver = config::Driver::sqlite;
  ep.connection = path;
  ep.connection_display = path;
  return source::connect(ep, source::Side::target);
}

}  // namespace replicate::test
