// SPDX-License-Identifier: Apache-2.0
// The small pieces of the mapping model: locations, the error type, enum names and the
// dialect an ODBC Driver= names.
#include "config/mapping.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

namespace replicate::config {

int default_workers() {
  cpu_set_t set;
  CPU_ZERO(&set);
  long cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : sysconf(_SC_NPROCESSORS_ONLN);
  return static_cast<int>(std::clamp(cores, 1L, 8L));
}

std::string Location::str() const {
  // An unreadable file has no line to point at; "file:0:0" would send editors nowhere.
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigError::ConfigError(Location where, const std::string& message)
    : std::runtime_error(where.str() + ": " + message),
      where_(std::move(where)),
      message_(message) {}

const char* to_string(Driver d) {
  switch (d) {
    case Driver::odbc:
      return "odbc";
    case Driver::postgresql:
      return "postgresql";
    case Driver::sqlite:
      return "sqlite";
  }
  return "?";
}

const char* to_string(Dialect d) {
  switch (d) {
    case Dialect::automatic:
      return "automatic";
    case Dialect::mssql:
      return "mssql";
    case Dialect::postgresql:
      return "postgresql";
    case Dialect::sqlite:
      return "sqlite";
    case Dialect::generic:
      return "generic";
  }
  return "?";
}

const char* to_string(Mode m) {
  switch (m) {
    case Mode::full:
      return "full";
    case Mode::append:
      return "append";
    case Mode::incremental:
      return "incremental";
    case Mode::mirror:
      return "mirror";
  }
  return "?";
}

const char* to_string(OnConflict c) {
  switch (c) {
    case OnConflict::skip:
      return "skip";
    case OnConflict::update:
      return "update";
    case OnConflict::error:
      return "error";
  }
  return "?";
}

const char* to_string(CreateTable c) {
  switch (c) {
    case CreateTable::if_missing:
      return "if_missing";
    case CreateTable::always:
      return "always";
    case CreateTable::never:
      return "never";
  }
  return "?";
}

const char* to_string(Obsolete o) { return o == Obsolete::keep ? "keep" : "delete"; }

const char* to_string(IdentifierCase c) {
  switch (c) {
    case IdentifierCase::lower:
      return "lower";
    case IdentifierCase::preserve:
      return "preserve";
  }
  return "?";
}

Dialect guess_dialect(const std::string& odbc_connection) {
  std::string lowered = odbc_connection;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Only the Driver= value counts: a server or database named "postgres" says nothing.
  std::size_t pos = 0;
  while ((pos = lowered.find("driver", pos)) != std::string::npos) {
    const bool at_key_start = pos == 0 || lowered[pos - 1] == ';' || lowered[pos - 1] == ' ';
    std::size_t eq = lowered.find_first_not_of(' ', pos + 6);
    pos += 6;
    if (!at_key_start || eq == std::string::npos || lowered[eq] != '=') continue;
    const std::string driver = lowered.substr(eq + 1, lowered.find(';', eq) - eq - 1);
    if (driver.find("sql server") != std::string::npos || driver.find("tds") != std::string::npos ||
        driver.find("msodbcsql") != std::string::npos)
      return Dialect::mssql;
    if (driver.find("postgres") != std::string::npos ||
        driver.find("psqlodbc") != std::string::npos)
      return Dialect::postgresql;
    if (driver.find("sqlite") != std::string::npos) return Dialect::sqlite;
    return Dialect::automatic;
  }
  return Dialect::automatic;
}

}  // namespace replicate::config
