// SPDX-License-Identifier: Apache-2.0
// The flagship, live: mappings/bi_credores.yaml, unchanged, with only its
// environment variables set, copies the seed's rows (REPLICATE_TEST_MSSQL_ROWS,
// default 1,000,000) from SQL Server into PostgreSQL, and the copy is proved
// twice: by the mapping's own `verify: true`, and by `replicate verify` of the same
// target table against the SQLite sample the seed was made from.
#include <gtest/gtest.h>

#include "e2e/mssql_live_support.hpp"

namespace replicate::test {
namespace {

TEST(MssqlBiCredoresLive, TheMappingUnchangedCopiesTheSeedExactly) {
  REQUIRE_MSSQL();
  const auto f = odbc_fields(mssql_connection());
  const std::string host = f.count("SERVER") ? f.at("SERVER") : "127.0.0.1";
  const std::string port = f.count("PORT") ? f.at("PORT") : "1433";
  const char* rows_env = std::getenv("REPLICATE_TEST_MSSQL_ROWS");
  const std::string rows = rows_env && *rows_env ? rows_env : "1000000";
  const std::string root = REPLICATE_SOURCE_DIR;

  EnvVars ms = {{"MSSQL_HOST", host}, {"MSSQL_PORT", port}, {"MSSQL_USER", f.at("UID")},
                {"MSSQL_PASSWORD", f.at("PWD")}};
  // Through the environment, not the command line: no password in a process listing.
  for (const auto& [k, v] : ms) setenv(k.c_str(), v.c_str(), 1);
  const std::string seed = "ROWS=" + rows + " REPLICATE=" + REPLICATE_BINARY + " bash " + root + "/scripts/mssql-seed.sh";
  const int seeded = std::system(seed.c_str());
  for (const auto& [k, v] : ms) unsetenv(k.c_str());
  ASSERT_EQ(seeded, 0) << "seeding SQL Server failed: " << seed;

  // The mapping's target database, on the suite's cluster.
  pg_exec(pg().conninfo(), "DROP DATABASE IF EXISTS bi_clientes WITH (FORCE)");
  pg_exec(pg().conninfo(), "CREATE DATABASE bi_clientes");
  auto env = pg().env();
  env.insert(env.end(), ms.begin(), ms.end());
  env.push_back({"PGPASSWORD", "unused-by-trust-auth"});
  auto r = run_replicate({root + "/mappings/bi_credores.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("verify"), std::string::npos) << r.out;

  const std::string dst = pg().conninfo("bi_clientes");
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM public.bi_credores"), rows);
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'bi_credores'"), "39");
  // Accents arrived as UTF-8, not as their Latin-1 bytes.
  EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM public.bi_credores WHERE cidade LIKE '%Ã%'"), "0");

  // The same table against the SQLite sample it came from: every value, every row.
  const std::string dir = temp_dir();
  write_file(dir + "/from_sample.yaml",
             "version: 1\nsource:\n  driver: sqlite\n  connection: \"${env:SAMPLE}\"\n"
             "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
             "user=${env:PGUSER} dbname=bi_clientes\"\n"
             "defaults:\n  case: lower\n"
             "tables:\n  - source: bi_credores\n    target: public.bi_credores\n");
  auto venv = pg().env();
  venv.push_back({"SAMPLE", root + "/build/seed/bi_credores_" + rows + "_1.sqlite"});
  auto v = run_replicate({"verify", dir + "/from_sample.yaml"}, venv);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace replicate::test
