// SPDX-License-Identifier: Apache-2.0
// The helpers around mapping entries: suggestions, table names, target templates, globs.
#include <gtest/gtest.h>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

TEST(ConfigSuggest, FindsTheClosestKey) {
  const std::vector<std::string> keys = {"batch_size", "workers", "mode", "key", "watermark"};
  EXPECT_EQ(suggest("batchsize", keys), "batch_size");
  EXPECT_EQ(suggest("mdoe", keys), "mode");
  EXPECT_EQ(suggest("Workers", keys), "workers");
  EXPECT_EQ(suggest("ky", keys), "key");
  EXPECT_EQ(suggest("colour", keys), "");
}

TEST(ConfigNames, SplitsQualifiedNames) {
  EXPECT_EQ(split_table_name("dbo.bi_x"), (std::pair<std::string, std::string>{"dbo", "bi_x"}));
  EXPECT_EQ(split_table_name("bi_x"), (std::pair<std::string, std::string>{"", "bi_x"}));
  EXPECT_EQ(split_table_name("[dbo].[my.table]"),
            (std::pair<std::string, std::string>{"dbo", "my.table"}));
  EXPECT_EQ(split_table_name("db.dbo.t"), (std::pair<std::string, std::string>{"db.dbo", "t"}));
}

TEST(ConfigNames, ResolvesTargets) {
  EXPECT_EQ(resolve_target("", "dbo.BI_Credores", IdentifierCase::lower), "public.bi_credores");
  EXPECT_EQ(resolve_target("", "dbo.BI_Credores", IdentifierCase::preserve), "public.BI_Credores");
  EXPECT_EQ(resolve_target("{schema}_copy.{table}", "DBO.T", IdentifierCase::lower), "dbo_copy.t");
  EXPECT_EQ(resolve_target("bi.x", "dbo.T", IdentifierCase::lower), "bi.x");
}

TEST(ConfigNames, MatchesGlobs) {
  EXPECT_TRUE(glob_match("dbo.bi_*", "dbo.bi_credores"));
  EXPECT_TRUE(glob_match("dbo.bi_*", "DBO.BI_X"));
  EXPECT_TRUE(glob_match("dbo.bi_?", "dbo.bi_1"));
  EXPECT_FALSE(glob_match("dbo.bi_?", "dbo.bi_12"));
  EXPECT_FALSE(glob_match("dbo.bi_*", "dbo.cad_x"));
  EXPECT_TRUE(glob_match("*", "anything"));
}

TEST(ConfigNames, GuessesDialectFromOdbcDriver) {
  EXPECT_EQ(guess_dialect("Driver=FreeTDS;Server=x"), Dialect::mssql);
  EXPECT_EQ(guess_dialect("Driver={ODBC Driver 18 for SQL Server};Server=x"), Dialect::mssql);
  EXPECT_EQ(guess_dialect("DRIVER={PostgreSQL Unicode};Server=x"), Dialect::postgresql);
  EXPECT_EQ(guess_dialect("Driver=SQLite3;Database=a.db"), Dialect::sqlite);
  EXPECT_EQ(guess_dialect("DSN=warehouse;Database=postgres"), Dialect::automatic);
}

TEST(ConfigNames, EnumNames) {
  EXPECT_STREQ(to_string(Mode::incremental), "incremental");
  EXPECT_STREQ(to_string(CreateTable::if_missing), "if_missing");
  EXPECT_STREQ(to_string(OnConflict::update), "update");
  EXPECT_STREQ(to_string(IdentifierCase::preserve), "preserve");
  EXPECT_STREQ(to_string(Driver::odbc), "odbc");
  EXPECT_STREQ(to_string(Dialect::generic), "generic");
  EXPECT_EQ((Location{"m.yaml", 3, 7}.str()), "m.yaml:3:7");
  EXPECT_EQ((ConfigError({"m.yaml", 3, 7}, "bad; fix").what()),
            std::string("m.yaml:3:7: bad; fix"));
}

}  // namespace
}  // namespace replicate::config
