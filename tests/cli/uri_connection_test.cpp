// SPDX-License-Identifier: Apache-2.0
// libpq URIs (postgresql://user:password@host:port/db?params) as source and target of
// every command that connects: they reach libpq as written, query parameters and
// percent-encoded parts included (SOCI once made "/shop_dw" into "/shop_dw=").
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

struct UriConnections : TwoDatabases {
  std::string uri(const std::string& conninfo, const std::string& tail) const {
    return "postgresql://" + pg().user + tail + "@" + pg().host + ":" + std::to_string(pg().port) + "/" +
           database_of(conninfo);
  }
};

TEST_F(UriConnections, RunPlanStatusAndVerifyReachTheDatabasesAURINames) {
  pg_exec(src, "CREATE TABLE a (id int PRIMARY KEY, v text); INSERT INTO a SELECT g, 'a' || g FROM "
               "generate_series(1, 30) g");
  // Without query parameters, with them, and with a percent-encoded password (the
  // suite's cluster trusts every connection, so the password only has to parse).
  for (const auto& [source, target] :
       {std::pair<std::string, std::string>{uri(src, ""), uri(dst, "")},
        {uri(src, "") + "?connect_timeout=10&application_name=uri%20test", uri(dst, "") + "?connect_timeout=10"},
        {uri(src, ":p%40ss%20w%3Ard"), uri(dst, ":p%40ss%20w%3Ard") + "?sslmode=disable"}}) {
    write_file(dir + "/m.yaml", "version: 1\nsource:\n  driver: postgresql\n  connection: \"" + source +
                                    "\"\ntarget:\n  driver: postgresql\n  connection: \"" + target +
                                    "\"\ntables:\n  - source: public.a\n");
    for (const char* command : {"plan", "run", "status", "verify"}) {
      const auto r = std::string(command) == "run" ? run_replicate({dir + "/m.yaml"}, env)
                                                   : run_replicate({command, dir + "/m.yaml"}, env);
      EXPECT_EQ(r.exit_code, 0) << command << " with " << target << ":\n" << r.out << r.err;
      EXPECT_EQ(r.err.find("does not exist"), std::string::npos) << command << ": " << r.err;
    }
    EXPECT_EQ(pg_scalar(dst, "SELECT count(*) FROM public.a"), std::optional<std::string>("30"));
  }
}

}  // namespace
}  // namespace replicate::test
