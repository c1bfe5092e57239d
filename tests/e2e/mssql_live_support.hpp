// SPDX-License-Identifier: Apache-2.0
// A live SQL Server for end-to-end tests: REPLICATE_TEST_MSSQL holds an ODBC
// connection string without Database= (e.g. a Babelfish lab or a real server);
// tests skip loudly without it. Tables go in database replicate_test (created
// when missing); rows go to a fresh database on the suite's PostgreSQL.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/engine_support.hpp"
#include "source/connection.hpp"

namespace replicate::test {

inline const char* mssql_connection() {
  const char* s = std::getenv("REPLICATE_TEST_MSSQL");
  return s && *s ? s : nullptr;
}

#define REQUIRE_MSSQL()                                                                                  \
  if (!::replicate::test::mssql_connection())                                                            \
  GTEST_SKIP() << "REPLICATE_TEST_MSSQL not set: skipping SQL Server test (set it to an ODBC connection " \
                  "string, e.g. for the Babelfish lab, to run it)"

/// The test connection string, on `database` when given, with UTF-8 as FreeTDS's
/// client charset (so N'...' literals in statements keep their accents).
inline std::string mssql_connection_to(const std::string& database) {
  std::string s = mssql_connection();
  if (!s.empty() && s.back() != ';') s += ';';
  if (!database.empty()) s += "Database=" + database + ";";
  if (s.find("ClientCharset") == std::string::npos && s.find("FreeTDS") != std::string::npos)
    s += "ClientCharset=UTF-8;";
  return s;
}

/// The Key=Value pairs of an ODBC connection string, keys in upper case.
inline std::map<std::string, std::string> odbc_fields(const std::string& s) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < s.size()) {
    auto eq = s.find('=', at);
    if (eq == std::string::npos) break;
    std::string key = s.substr(at, eq - at);
    for (auto& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string value;
    std::size_t end = eq + 1;
    if (end < s.size() && s[end] == '{') {
      for (++end; end < s.size(); ++end) {
        if (s[end] == '}' && end + 1 < s.size() && s[end + 1] == '}') {
          value += '}';
          ++end;
        } else if (s[end] == '}') {
          ++end;
          break;
        } else {
          value += s[end];
        }
      }
      end = s.find(';', end);
    } else {
      end = s.find(';', end);
      value = s.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
    }
    out[key] = value;
    at = end == std::string::npos ? s.size() : end + 1;
  }
  return out;
}

inline std::unique_ptr<source::Connection> mssql_connect(const std::string& database) {
  config::Endpoint ep;
  ep.driver = config::Driver::odbc;
  ep.dialect = config::Dialect::mssql;
  ep.connection = mssql_connection_to(database);
  ep.connection_display = "(test SQL Server)";
  return source::connect(ep, source::Side::source);
}

/// Creates database `name` on the test server unless it exists.
inline void mssql_ensure_database(const std::string& name) {
  auto c = mssql_connect("");
  c->execute("IF DB_ID(N'" + name + "') IS NULL CREATE DATABASE " + name);
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

inline const std::string NULL_TEXT = "NULL";

/// "(id, N'cidade', saldo)" for the mirror table; saldo as T-SQL (a number or NULL).
inline std::string fmt_row(int id, const std::string& cidade, const std::string& saldo) {
  return "(" + std::to_string(id) + ", N'" + cidade + "', " + saldo + ")";
}

/// SQL Server (database replicate_test) into a fresh database on the suite's cluster.
struct MssqlToPg : ::testing::Test {
  std::string dst = create_database("ms_dst");
  std::string dir = temp_dir();
  std::unique_ptr<source::Connection> ms;

  void SetUp() override {
    if (!mssql_connection()) return;
    mssql_ensure_database("replicate_test");
    ms = mssql_connect("replicate_test");
  }
  void ms_exec(const std::string& sql) { ms->execute(sql); }

  std::string mapping(const std::string& tables_yaml, const std::string& defaults_yaml) {
    write_file(dir + "/m.yaml",
               "version: 1\nsource:\n  driver: odbc\n  dialect: mssql\n  connection: \"${env:MSSQL_CONN}\"\n"
               "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
               "user=${env:PGUSER} dbname=${env:DST_DB}\"\n"
               "defaults:\n  workers: 2\n" +
                   defaults_yaml + "tables:\n" + tables_yaml);
    return dir + "/m.yaml";
  }
  EnvVars env() const {
    auto e = pg().env();
    e.push_back({"MSSQL_CONN", mssql_connection_to("replicate_test")});
    e.push_back({"DST_DB", database_of(dst)});
    return e;
  }
  RunResult run(const std::string& tables_yaml, const std::string& defaults_yaml,
                const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = extra;
    args.push_back(mapping(tables_yaml, defaults_yaml));
    return run_replicate(args, env());
  }
  /// `replicate verify --json` of the same mapping.
  RunResult verify(const std::string& tables_yaml, const std::string& defaults_yaml,
                   const std::string& hashing = "auto") {
    return run_replicate({"verify", "--json", "--source-hashing", hashing, mapping(tables_yaml, defaults_yaml)}, env());
  }
};

}  // namespace replicate::test
