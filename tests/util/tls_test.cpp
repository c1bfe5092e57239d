// SPDX-License-Identifier: Apache-2.0
// TLS by default: verified encryption to any PostgreSQL server not on this machine
// unless the mapping says otherwise, FreeTDS's own spelling of Encrypt=yes, and a
// warning for weaker explicit choices. Issue 14, item 13.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <map>
#include <stdexcept>

#include "engine/engine_support.hpp"
#include "source/connection.hpp"
#include "support/test_db.hpp"
#include "util/error.hpp"
#include "util/tls.hpp"

namespace replicate::util {
namespace {

const std::string kCa = PQlibVersion() >= 160000 ? "system" : "/etc/ssl/certs/ca-certificates.crt";

/// The keywords libpq reads in `conninfo`.
std::map<std::string, std::string> keywords(const std::string& conninfo) {
  std::map<std::string, std::string> out;
  char* error = nullptr;
  PQconninfoOption* o = PQconninfoParse(conninfo.c_str(), &error);
  EXPECT_NE(o, nullptr) << (error ? error : "") << " in " << conninfo;
  for (auto* p = o; p && p->keyword; ++p)
    if (p->val) out[p->keyword] = p->val;
  PQconninfoFree(o);
  PQfreemem(error);
  return out;
}

TEST(Tls, ARemoteServerGetsVerifiedTlsWhenTheMappingDoesNotSay) {
  auto k = keywords(pg_conninfo_with_tls("host=db.example.com dbname=bi user=app"));
  EXPECT_EQ(k["sslmode"], "verify-full");
  EXPECT_EQ(k["sslrootcert"], kCa);
  EXPECT_EQ(k["host"], "db.example.com");
  // A URI too; and a list of hosts with one remote among them.
  k = keywords(pg_conninfo_with_tls("postgresql://app@db.example.com:5432/bi?connect_timeout=5"));
  EXPECT_EQ(k["sslmode"], "verify-full");
  EXPECT_EQ(k["sslrootcert"], kCa);
  EXPECT_EQ(k["connect_timeout"], "5");
  EXPECT_EQ(keywords(pg_conninfo_with_tls("host=localhost,10.0.0.7 dbname=x"))["sslmode"], "verify-full");
  // A named CA is kept.
  k = keywords(pg_conninfo_with_tls("host=db.example.com sslrootcert=/etc/ca.pem"));
  EXPECT_EQ(k["sslmode"], "verify-full");
  EXPECT_EQ(k["sslrootcert"], "/etc/ca.pem");
}

TEST(Tls, ServersOnThisMachineAndExplicitChoicesAreLeftAlone) {
  for (const std::string c :
       {"host=localhost dbname=x", "host=127.0.0.1 port=5433", "host=::1", "host=/var/run/postgresql", "dbname=x",
        "", "postgresql:///x", "postgresql://localhost/x", "host=db.example.com sslmode=require",
        "postgresql://db.example.com/x?sslmode=disable", "host=db.example.com service=bi"})
    EXPECT_EQ(pg_conninfo_with_tls(c), c);
}

TEST(Tls, TheEnvironmentCountsAsTheMappingSaying) {
  setenv("PGHOST", "db.example.com", 1);
  EXPECT_EQ(keywords(pg_conninfo_with_tls("dbname=x"))["sslmode"], "verify-full");
  setenv("PGSSLMODE", "require", 1);
  EXPECT_EQ(pg_conninfo_with_tls("dbname=x"), "dbname=x");
  EXPECT_EQ(weak_tls_setting("dbname=x"), std::optional<std::string>("PGSSLMODE=require"));
  unsetenv("PGSSLMODE");
  unsetenv("PGHOST");
}

TEST(Tls, WeakerExplicitChoicesAreNamed) {
  EXPECT_EQ(weak_tls_setting("host=db sslmode=require"), std::optional<std::string>("sslmode=require"));
  EXPECT_EQ(weak_tls_setting("host=db sslmode=prefer"), std::optional<std::string>("sslmode=prefer"));
  EXPECT_EQ(weak_tls_setting("host=db sslmode=verify-ca"), std::optional<std::string>("sslmode=verify-ca"));
  EXPECT_EQ(weak_tls_setting("postgresql://db/x?sslmode=disable"), std::optional<std::string>("sslmode=disable"));
  EXPECT_EQ(weak_tls_setting("Driver=FreeTDS;Server=s;Encryption=request"),
            std::optional<std::string>("encryption=request"));
  EXPECT_EQ(weak_tls_setting("host=db sslmode=verify-full"), std::nullopt);
  EXPECT_EQ(weak_tls_setting("host=db"), std::nullopt);
  EXPECT_EQ(weak_tls_setting("/data/source.sqlite"), std::nullopt);
}

TEST(Tls, FreetdsGetsItsOwnSpellingOfEncryptYes) {
  EXPECT_EQ(odbc_connection_with_tls("Driver=FreeTDS;Server=s;Port=1433;Encrypt=yes;TDS_Version=7.4"),
            "Driver=FreeTDS;Server=s;Port=1433;Encryption=require;TDS_Version=7.4");
  EXPECT_EQ(odbc_connection_with_tls("Driver={/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so};Server=s;encrypt=True"),
            "Driver={/usr/lib/x86_64-linux-gnu/odbc/libtdsodbc.so};Server=s;Encryption=require");
  EXPECT_THROW(odbc_connection_with_tls("Driver=FreeTDS;Server=s;Encrypt=strict"), std::invalid_argument);
  // Its own keyword wins; Microsoft's driver understands Encrypt itself.
  for (const std::string c : {"Driver=FreeTDS;Server=s;Encrypt=yes;Encryption=require",
                              "Driver={ODBC Driver 18 for SQL Server};Server=s;Encrypt=yes", "Driver=FreeTDS;Server=s"})
    EXPECT_EQ(odbc_connection_with_tls(c), c);
}

// The suite's server is on this machine and speaks no TLS: connecting to it forces
// nothing (libpq's default stays), and an explicit verify-full is honoured (refused).
TEST(Tls, TheLocalTestServerIsReachedWithoutForcedTls) {
  config::Endpoint ep;
  ep.driver = config::Driver::postgresql;
  ep.connection = test::pg().conninfo();
  ep.connection_display = "test cluster";
  auto conn = source::connect(ep, source::Side::target);
  std::map<std::string, std::string> effective;
  PQconninfoOption* o = PQconninfo(conn->native_pg());
  for (auto* p = o; p && p->keyword; ++p)
    if (p->val) effective[p->keyword] = p->val;
  PQconninfoFree(o);
  EXPECT_EQ(effective["sslmode"], "prefer");
  EXPECT_EQ(PQsslInUse(conn->native_pg()), 0);

  ep.connection = test::pg().conninfo() + " sslmode=verify-full";
  EXPECT_THROW(source::connect(ep, source::Side::target), DbError);
}

// A weaker choice made explicitly is allowed and warned about, on this machine too.
TEST(Tls, PlanWarnsAboutAnExplicitlyWeakerSslmode) {
  const std::string src = test::create_database("tls_src"), dst = test::create_database("tls_dst");
  test::pg_exec(src, "CREATE TABLE t (id int PRIMARY KEY)");
  const std::string dir = test::temp_dir();
  test::write_file(dir + "/m.yaml",
                   "version: 1\nsource:\n  driver: postgresql\n  connection: \"" + test::pg().conninfo(test::database_of(src)) +
                       "\"\ntarget:\n  driver: postgresql\n  connection: \"" + test::pg().conninfo(test::database_of(dst)) +
                       " sslmode=prefer\"\ntables:\n  - source: public.t\n");
  auto r = test::run_replicate({"plan", dir + "/m.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("warning: the target connection sets sslmode=prefer"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("the source connection sets"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace replicate::util
