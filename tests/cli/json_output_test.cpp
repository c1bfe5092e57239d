// SPDX-License-Identifier: Apache-2.0
// plan --json and status --json: what they print validates against schemas/plan.schema.json
// and schemas/status.schema.json (Debian's python3-jsonschema, draft 2020-12), holds the
// values the text output shows, and never a password.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using nlohmann::json;
using JsonOutput = TwoDatabases;

/// "" when `document` validates against schemas/NAME, else the validator's report.
std::string schema_problems(const std::string& name, const std::string& document, const std::string& dir) {
  const std::string path = dir + "/" + name + ".out.json";
  write_file(path, document);
  const std::string root = REPLICATE_SOURCE_DIR;
  const std::string cmd = "/usr/bin/python3 '" + root + "/tests/cli/validate_json.py' '" + root + "/schemas/" +
                          name + "' '" + path + "' 2>&1";
  std::string output;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return "cannot start " + cmd;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) output += buf.data();
  const int status = pclose(pipe);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : output.empty() ? "validator failed" : output;
}

const char* const kPassword = "pw-Secret-t11";

/// A mapping whose target connection carries a password (the test cluster trusts local
/// users and ignores it): the JSON must show it masked.
std::string mapping(const std::string& tables) {
  return "version: 1\n"
         "source:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} "
         "dbname=${env:SRC_DB}\"\n"
         "target:\n  driver: postgresql\n  connection: \"host=${env:PGHOST} port=${env:PGPORT} user=${env:PGUSER} "
         "dbname=${env:DST_DB} password=${env:T11_PW}\"\n"
         "defaults:\n  workers: 1\n  chunk_rows: 2\n"
         "tables:\n" + tables;
}

TEST_F(JsonOutput, PlanJsonValidatesAndHoldsThePlan) {
  pg_exec(src, "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2));"
               "INSERT INTO items SELECT g, 'n' || g, g FROM generate_series(1, 5) g;"
               "CREATE TABLE log (id int PRIMARY KEY, at int NOT NULL)");
  write_file(dir + "/m.yaml", mapping("  - source: public.items\n    where: \"id > 0\"\n"
                                      "  - source: public.log\n    mode: incremental\n    watermark: at\n"));
  auto e = env;
  e.push_back({"T11_PW", kPassword});
  const auto r = run_replicate({"plan", "--json", dir + "/m.yaml"}, e);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(schema_problems("plan.schema.json", r.out, dir), "") << r.out;
  EXPECT_EQ(r.out.find(kPassword), std::string::npos) << r.out;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["mappings"].size(), 1u);
  const auto& m = j["mappings"][0];
  EXPECT_EQ(m["file"], dir + "/m.yaml");
  EXPECT_NE(m["target"]["connection"].get<std::string>().find("password=***"), std::string::npos) << m;
  EXPECT_EQ(m["state_schema"], "replicate");
  ASSERT_EQ(m["tables"].size(), 2u);
  const auto& items = m["tables"][0];
  EXPECT_EQ(items["source"], "public.items");
  EXPECT_EQ(items["target"], "public.items");
  EXPECT_EQ(items["mode"], "full");
  EXPECT_EQ(items["key"], json::array({"id"}));
  EXPECT_EQ(items["where"], "id > 0");
  EXPECT_EQ(items["target_exists"], false);
  EXPECT_NE(items["create_sql"].get<std::string>().find("CREATE TABLE"), std::string::npos);
  ASSERT_EQ(items["columns"].size(), 3u);
  EXPECT_EQ(items["columns"][1]["target"], "name");
  EXPECT_EQ(items["columns"][1]["nullable"], false);
  EXPECT_EQ(items["columns"][2]["target_type"], "numeric(10,2)");
  EXPECT_GE(items["chunks"].size(), 2u);  // 5 rows, chunk_rows 2
  EXPECT_TRUE(items["chunks"][0]["lo"].is_null());
  EXPECT_EQ(items["watermark"], nullptr);
  const auto& log = m["tables"][1];
  EXPECT_EQ(log["mode"], "incremental");
  EXPECT_EQ(log["watermark"]["column"], "at");
  EXPECT_TRUE(log["watermark"]["from"].is_null());  // no run yet

  // --tables narrows the JSON too.
  const auto one = run_replicate({"plan", "--json", "--tables", "log", dir + "/m.yaml"}, e);
  ASSERT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_EQ(schema_problems("plan.schema.json", one.out, dir), "") << one.out;
  ASSERT_EQ(json::parse(one.out)["mappings"][0]["tables"].size(), 1u);
}

TEST_F(JsonOutput, StatusJsonValidatesBeforeAndAfterARun) {
  pg_exec(src, "CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a SELECT generate_series(1, 5);"
               "CREATE TABLE b (id int PRIMARY KEY)");
  write_file(dir + "/m.yaml", mapping("  - source: public.a\n  - source: public.b\n"));
  auto e = env;
  e.push_back({"T11_PW", kPassword});

  auto r = run_replicate({"status", "--json", dir + "/m.yaml"}, e);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(schema_problems("status.schema.json", r.out, dir), "") << r.out;
  json j = json::parse(r.out);
  EXPECT_EQ(j["mappings"][0]["state_exists"], false);
  EXPECT_EQ(j["mappings"][0]["tables"][0]["table"], "public.a");
  EXPECT_EQ(j["mappings"][0]["tables"][0]["status"], "never run");
  EXPECT_EQ(j["mappings"][0]["tables"][0]["run"], nullptr);

  ASSERT_EQ(run_replicate({"run", "--tables", "a", dir + "/m.yaml"}, e).exit_code, 0);
  r = run_replicate({"status", "--json", dir + "/m.yaml"}, e);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(schema_problems("status.schema.json", r.out, dir), "") << r.out;
  EXPECT_EQ(r.out.find(kPassword), std::string::npos) << r.out;
  j = json::parse(r.out);
  const auto& m = j["mappings"][0];
  EXPECT_EQ(m["state_exists"], true);
  EXPECT_NE(m["target"].get<std::string>().find("password=***"), std::string::npos) << m;
  const auto& a = m["tables"][0];
  EXPECT_EQ(a["status"], "done");
  EXPECT_TRUE(a["run"].is_number_integer());
  EXPECT_EQ(a["rows"], 5);
  EXPECT_EQ(a["chunks_done"], a["chunks"]);
  EXPECT_TRUE(a["finished_at"].is_string());
  EXPECT_EQ(a["error"], nullptr);
  EXPECT_EQ(m["tables"][1]["table"], "public.b");
  EXPECT_EQ(m["tables"][1]["status"], "never run");

  // The schema is no rubber stamp: a document missing a key or with an unknown status fails.
  json broken = j;
  broken["mappings"][0]["tables"][0]["status"] = "finished";
  EXPECT_NE(schema_problems("status.schema.json", broken.dump(), dir), "");
  broken = j;
  broken["mappings"][0].erase("target");
  EXPECT_NE(schema_problems("status.schema.json", broken.dump(), dir), "");
}

}  // namespace
}  // namespace replicate::test
