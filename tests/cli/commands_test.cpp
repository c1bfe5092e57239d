// plan, status and verify as a user meets them: tables from `include:` patterns, several
// mapping files in one call.
#include <gtest/gtest.h>

#include "engine/engine_support.hpp"

namespace replicate::test {
namespace {

using Commands = TwoDatabases;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST_F(Commands, StatusShowsTheTablesAnIncludePatternMatched) {
  pg_exec(src, "CREATE TABLE shop_a (id int PRIMARY KEY, v text); INSERT INTO shop_a VALUES (1, 'x');"
               "CREATE TABLE shop_b (id int PRIMARY KEY); INSERT INTO shop_b VALUES (1), (2);"
               "CREATE TABLE other (id int PRIMARY KEY)");
  write_file(dir + "/m.yaml", pg_to_pg_mapping("  - include: [\"public.shop_*\"]\n    target: \"copy.{table}\"\n", "  workers: 1\n"));
  pg_exec(dst, "CREATE SCHEMA copy");
  auto r = run_replicate({dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = run_replicate({"status", dir + "/m.yaml"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("copy.shop_a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("copy.shop_b"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;
  EXPECT_EQ(count_of(r.out, "done"), 2u) << r.out;
}

}  // namespace
}  // namespace replicate::test
