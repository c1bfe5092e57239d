// SPDX-License-Identifier: Apache-2.0
// A connection that fails is shown as it was tried: host, port, user and database as the
// placeholders expanded them, only secrets masked, a URI still a readable URI.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

TEST(ConnectionErrors, ShowTheExpandedFieldsAndMaskOnlySecrets) {
  const std::string dir = temp_dir();
  const std::string password = "Sekret-Pw-1";
  EnvVars env = pg().env();
  env.push_back({"PW", password});
  env.push_back({"BADPORT", "1"});  // nothing listens on port 1: refused at once
  env.push_back({"DATABASE_URL", "postgresql://" + pg().user + ":" + password + "@" + pg().host + ":1/shop"});
  const std::string uri_shown = "postgresql://" + pg().user + ":***@" + pg().host + ":1/shop";
  for (const auto& [connection, shown] : {
           std::pair<std::string, std::string>{
               "host=${env:PGHOST} port=${env:BADPORT} user=${env:PGUSER} dbname=shop password=${env:PW}",
               "host=" + pg().host + " port=1 user=" + pg().user + " dbname=shop password=***"},
           {"postgresql://${env:PGUSER}:${env:PW}@${env:PGHOST}:${env:BADPORT}/shop", uri_shown},
           {"${env:DATABASE_URL}", uri_shown}}) {
    write_file(dir + "/m.yaml", "version: 1\nsource:\n  driver: postgresql\n  connection: \"" + connection +
                                    "\"\ntarget:\n  driver: postgresql\n  connection: \"" + connection +
                                    "\"\ntables:\n  - source: t\n");
    const auto r = run_replicate({"plan", dir + "/m.yaml"}, env);
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("cannot connect to " + shown + ": "), std::string::npos) << connection << "\n" << r.err;
    EXPECT_NE(r.err.find("port 1 failed"), std::string::npos) << connection << "\n" << r.err;  // libpq's own words
    EXPECT_EQ(r.err.find("${env:"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace replicate::test
