// SPDX-License-Identifier: Apache-2.0
// Source sessions are read-only where the database allows it, and a SQLite source is
// never created: replicate reads its sources and changes nothing there. Targets stay
// read-write. Issue 14, item 12.
#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/engine_support.hpp"
#include "source/connection.hpp"
#include "util/error.hpp"

namespace replicate::test {
namespace {

std::unique_ptr<source::Connection> open(config::Driver driver, const std::string& connection, source::Side side) {
  config::Endpoint ep;
  ep.driver = driver;
  ep.connection = connection;
  ep.connection_display = connection;
  return source::connect(ep, side);
}

struct ReadOnlySource : TwoDatabases {};

TEST_F(ReadOnlySource, AWhereCallingNextvalCannotAdvanceASourceSequence) {
  pg_exec(src, "CREATE SEQUENCE s; CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - source: public.t\n    where: \"nextval('s') > 0\"\n", "  workers: 1\n"));
  auto plan = run_replicate({"plan", dir + "/m.yaml"}, env);
  auto run = run_replicate({dir + "/m.yaml"}, env);
  EXPECT_NE(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE((plan.err + run.out + run.err).find("read-only transaction"), std::string::npos)
      << plan.out << plan.err << run.out << run.err;
  EXPECT_EQ(pg_scalar(src, "SELECT last_value || ' ' || is_called FROM s"), std::optional<std::string>("1 false"));
}

TEST_F(ReadOnlySource, APostgresqlSourceSessionRefusesWritesAndATargetSessionDoesNot) {
  auto source = open(config::Driver::postgresql, src, source::Side::source);
  try {
    source->execute("CREATE TABLE written (a int)");
    ADD_FAILURE() << "the source session wrote";
  } catch (const util::DbError& e) {
    EXPECT_EQ(e.sqlstate(), "25006") << e.what();
  }
  auto target = open(config::Driver::postgresql, dst, source::Side::target);
  EXPECT_NO_THROW(target->execute("CREATE TABLE written (a int)"));
  EXPECT_EQ(pg_scalar(src, "SELECT to_regclass('written')::text"), std::nullopt);
}

TEST(ReadOnlySqliteSource, ASqliteSourceSessionRefusesWrites) {
  const std::string path = temp_dir() + "/src.sqlite";
  ASSERT_EQ(std::system(("sqlite3 " + path + " 'CREATE TABLE t (a)'").c_str()), 0);
  auto source = open(config::Driver::sqlite, path, source::Side::source);
  EXPECT_THROW(source->execute("INSERT INTO t VALUES (1)"), util::DbError);
  EXPECT_THROW(source->execute("CREATE TABLE u (a)"), util::DbError);
  EXPECT_EQ(source->query("SELECT count(*) FROM t").at(0).at(0), std::optional<std::string>("0"));
}

TEST(ReadOnlySqliteSource, AMissingSqliteFileIsAnErrorNamingItAndIsNotCreated) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/no_such.sqlite";
  write_file(dir + "/m.yaml",
             "version: 1\nsource:\n  driver: sqlite\n  connection: \"" + path +
                 "\"\ntarget:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} "
                 "user=${env:PGUSER} dbname=postgres\"\ntables:\n  - source: t\n");
  auto r = run_replicate({"plan", dir + "/m.yaml"}, pg().env());
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  EXPECT_NE(access(path.c_str(), F_OK), 0) << "plan created " << path;
}

}  // namespace
}  // namespace replicate::test
