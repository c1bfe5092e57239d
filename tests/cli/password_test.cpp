// SPDX-License-Identifier: Apache-2.0
// Passwords with a space, a quote, a backslash, a ';' or a '}' reach a real PostgreSQL
// that checks them (a private cluster with scram-sha-256, since the suite's trusts every
// connection), through libpq keyword/value strings, URIs and psqlODBC; a wrong one fails
// to connect without echoing any part of itself.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "cli/cli_support.hpp"
#include "support/test_db.hpp"

namespace replicate::test {
namespace {

using namespace std::chrono_literals;

const std::string kRoot = REPLICATE_SOURCE_DIR;

/// A cluster that asks for passwords, stopped when the test ends.
class PasswordCluster {
 public:
  explicit PasswordCluster(const std::string& dir) : dir_(dir + "/pg") {
    write_text(dir + "/admin.pw", "Admin-Pass-1\n");
    const std::string cmd = "bash " + kRoot + "/scripts/pg-cluster.sh start --password-file " + dir + "/admin.pw " +
                            dir_ + " > " + dir + "/cluster.log 2>&1";
    started_ = std::system(cmd.c_str()) == 0;
    std::ifstream in(dir_ + "/port");
    in >> port_;
  }
  ~PasswordCluster() {
    const std::string cmd = "bash " + kRoot + "/scripts/pg-cluster.sh stop " + dir_ + " > /dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not stop the cluster in %s\n", dir_.c_str());
  }
  bool started() const { return started_; }
  std::string port() const { return std::to_string(port_); }
  std::string admin() const {
    return "host=127.0.0.1 port=" + port() + " user=postgres dbname=postgres password=Admin-Pass-1";
  }

 private:
  std::string dir_;
  int port_ = 0;
  bool started_ = false;
};

TEST(Passwords, SpacesQuotesBackslashesBracesReachTheServer) {
  const std::string dir = temp_dir();
  PasswordCluster cluster(dir);
  ASSERT_TRUE(cluster.started()) << "see " << dir << "/cluster.log";
  // standard_conforming_strings is on: the backslash is a backslash.
  const std::string password = "a b'c\\d;e}f{g";
  pg_exec(cluster.admin(), "CREATE ROLE odd LOGIN PASSWORD 'a b''c\\d;e}f{g'");
  ASSERT_EQ(std::system(("sqlite3 " + dir + "/src.sqlite 'CREATE TABLE t (id integer primary key, v text); "
                         "INSERT INTO t VALUES (1, \"x\");'")
                            .c_str()),
            0);

  auto plan_with = [&](const std::string& connection, const std::string& pw, const std::string& name) {
    write_text(dir + "/" + name + ".yaml", "version: 1\nsource: {driver: sqlite, connection: \"${env:DB}\"}\n"
                                           "target:\n  driver: postgresql\n  connection: \"" + connection +
                                               "\"\ntables:\n  - source: t\n");
    return run_with_limit({"plan", dir + "/" + name + ".yaml"},
                          {{"DB", dir + "/src.sqlite"}, {"PW", pw}, {"PORT", cluster.port()}}, 60s, dir, name);
  };
  const std::string base = "host=127.0.0.1 port=${env:PORT} user=odd dbname=postgres ";
  for (const auto& [connection, name] :
       {std::pair<std::string, std::string>{base + "password=${env:PW}", "bare"},
        {base + "password='${env:PW}'", "quoted"},
        {"postgresql://odd:${env:PW}@127.0.0.1:${env:PORT}/postgres", "uri"},
        // Percent-encoded as written, with a query: libpq decodes it (issue 11 item 1).
        {"postgresql://odd:a%20b%27c%5Cd%3Be%7Df%7Bg@127.0.0.1:${env:PORT}/postgres?connect_timeout=10", "uri-encoded"}}) {
    const auto r = plan_with(connection, password, name);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.out << r.err;
    EXPECT_NE(r.out.find("table t -> public.t"), std::string::npos) << name << ": " << r.out;
  }

  // A wrong password (with a tail that used to come back as an "invalid connection option").
  const auto wrong = plan_with(base + "password=${env:PW}", "wrong Leak-Canary-Tail 'x", "wrong");
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out << wrong.err;
  EXPECT_NE(wrong.err.find("password authentication failed"), std::string::npos) << wrong.err;
  for (const char* fragment : {"Leak-Canary-Tail", "wrong", "'x"})
    EXPECT_EQ(wrong.err.find(fragment), std::string::npos) << fragment << " in: " << wrong.err;

  // psqlODBC: the value is braced, '}' doubled.
  pg_exec(cluster.admin(), "CREATE TABLE public.items (id int PRIMARY KEY, v text); INSERT INTO public.items "
                           "VALUES (1, 'a'); GRANT SELECT ON public.items TO odd");
  write_text(dir + "/odbc.yaml",
             "version: 1\nsource:\n  driver: odbc\n  connection: \"Driver={PostgreSQL Unicode};Server=127.0.0.1;"
             "Port=${env:PORT};Database=postgres;UID=odd;PWD=${env:PW}\"\n"
             "target:\n  driver: postgresql\n  connection: \"" + base + "password=${env:PW}\"\n"
             "tables:\n  - source: public.items\n    target: public.items_copy\n");
  const auto odbc = run_with_limit({"plan", dir + "/odbc.yaml"}, {{"PW", password}, {"PORT", cluster.port()}}, 60s,
                                   dir, "odbc");
  EXPECT_EQ(odbc.exit_code, 0) << odbc.out << odbc.err;
}

}  // namespace
}  // namespace replicate::test
