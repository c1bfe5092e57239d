// SPDX-License-Identifier: Apache-2.0
// The SQL Server dialect without a server: the SQL it sends (pinned in
// tests/catalog/golden/*.sql; REPLICATE_UPDATE_GOLDEN=1 rewrites them), quoting of
// hostile names, key literals and key ranges. mssql_live_test.cpp runs it for real.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "catalog/dialect.hpp"
#include "catalog/mssql_sql.hpp"
#include "catalog/mssql_types.hpp"
#include "catalog/range_predicate.hpp"

namespace replicate::catalog {
namespace {

void expect_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(REPLICATE_SOURCE_DIR) + "/tests/catalog/golden/" + name;
  const char* update = std::getenv("REPLICATE_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing: run with REPLICATE_UPDATE_GOLDEN=1 to create it";
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), actual) << path << " differs; if the change is intended, rerun with "
                              << "REPLICATE_UPDATE_GOLDEN=1 and review the diff";
}

/// Statements as a pasteable script: a comment line before each, ";" after.
std::string script(const std::vector<std::pair<std::string, std::string>>& statements) {
  std::string out;
  for (const auto& [label, sql] : statements) out += "-- " + label + "\n" + sql + ";\n\n";
  return out;
}

std::string introspection_script(const std::string& schema, const std::string& table) {
  return script({{"columns", mssql_columns_sql(schema, table)},
                 {"primary key", mssql_primary_key_sql(schema, table)},
                 {"unique keys", mssql_unique_keys_sql(schema, table)},
                 {"approximate row count", mssql_row_count_sql(schema, table)}});
}

Column column(const std::string& name, const std::string& native) {
  Column c;
  c.name = name;
  c.native_type = native;
  c.type = mssql_map_type(native, -1, -1, -1);
  return c;
}

TEST(MssqlDialectGolden, IntrospectionQueries) {
  expect_golden("mssql_introspect_dbo_order.sql", introspection_script("dbo", "Order"));
}

TEST(MssqlDialectGolden, IntrospectionOfHostileNames) {
  expect_golden("mssql_introspect_hostile.sql",
                introspection_script("São Paulo", "a]b") + introspection_script("x' OR 1=1 --", "it's"));
}

TEST(MssqlDialectGolden, QuotingOfHostileNames) {
  auto d = make_dialect("mssql");
  std::string sql = "SELECT " + d->quote("Order") + ", " + d->quote("a]b") + ", " + d->quote("São Paulo") + ", " +
                    d->quote("it's") + ", " + d->quote("[x]") + "\nFROM " + d->quote_qualified("São Paulo", "a]b") +
                    "\nWHERE " + d->quote("it's") + " = " + d->string_literal("it's") + " AND " + d->quote("Order") +
                    " = " + d->string_literal("São Paulo ]'; DROP TABLE x; --");
  expect_golden("mssql_quoting.sql", script({{"hostile names", sql}}));
}

TEST(MssqlDialectGolden, RangeReadsWithCompositeKeys) {
  const std::vector<Column> keys = {column("Region Id", "int"), column("Order", "nvarchar(40)"),
                                    column("placed_at", "datetime2(7)")};
  const std::vector<Column> cols = {keys[0], keys[1], keys[2], column("total", "money"), column("note", "varchar(200)"),
                                    column("photo", "varbinary(max)")};
  auto select = [&](const std::vector<std::string>& lo, const std::vector<std::string>& hi) {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < cols.size(); ++i)
      sql += (i ? ",\n       " : "") + mssql_select_column(mssql_quote(cols[i].name), cols[i]);
    sql += "\nFROM [Sales].[Order]";
    std::string where = mssql_range_where(keys, lo, hi);
    if (!where.empty()) sql += "\nWHERE " + where;
    return sql + "\nORDER BY [Region Id], [Order], [placed_at]";
  };
  const std::vector<std::string> lo = {"7", "O'Brien", "2024-02-29 23:59:59.1234567"};
  const std::vector<std::string> hi = {"9", "Zoë", "2025-01-01 00:00:00.0000000"};
  expect_golden("mssql_range_composite.sql",
                script({{"middle chunk", select(lo, hi)},
                        {"first chunk: no lower bound", select({}, lo)},
                        {"last chunk: no upper bound", select(hi, {})},
                        {"only chunk", select({}, {})},
                        {"bounds on a key prefix", select({"7"}, {"9", "M"})}}));
}

TEST(MssqlDialectGolden, RangeWhereWithVarcharKeys) {
  const std::vector<Column> keys = {column("code", "varchar(10)"), column("id", "bigint")};
  expect_golden("mssql_range_varchar.sql",
                script({{"varchar key: the literal is converted, never the column",
                         "SELECT [code], [id] FROM [dbo].[t] WHERE " +
                             mssql_range_where(keys, {"ABC", "100"}, {"ABD", "-5"})}}));
}

TEST(MssqlDialectGolden, SessionSetup) {
  expect_golden("mssql_session.sql", script({{"default", mssql_session_setup(false, false)},
                                             {"read_uncommitted", mssql_session_setup(true, false)},
                                             {"snapshot", mssql_session_setup(false, true)}}));
}

TEST(MssqlDialect, QuotesWithBracketsAndLiteralsWithN) {
  auto d = make_dialect("mssql");
  EXPECT_STREQ(d->name(), "mssql");
  EXPECT_EQ(d->quote("Order"), "[Order]");
  EXPECT_EQ(d->quote("a]b"), "\"a]b\"");
  EXPECT_EQ(d->quote("]]"), "\"]]\"");
  EXPECT_EQ(d->quote("a]\"b"), "\"a]\"\"b\"");
  EXPECT_EQ(d->quote("a\"b"), "[a\"b]");
  EXPECT_EQ(d->quote("São Paulo"), "[São Paulo]");
  EXPECT_EQ(d->quote_qualified("dbo", "it's"), "[dbo].[it's]");
  EXPECT_EQ(d->string_literal("it's"), "N'it''s'");
  EXPECT_EQ(d->string_literal("São"), "N'São'");
  EXPECT_EQ(d->string_literal(""), "N''");
  EXPECT_EQ(d->limit_clause(10), "");
  EXPECT_EQ(mssql_top_clause(10), "TOP (10) ");
}

TEST(MssqlDialect, FactoriesChooseIt) {
  EXPECT_STREQ(make_dialect("mssql")->name(), "mssql");
  EXPECT_STREQ(make_dialect("ODBC Driver 18 for SQL Server")->name(), "mssql");
  EXPECT_STREQ(make_dialect(config::Driver::odbc, config::Dialect::mssql)->name(), "mssql");
  EXPECT_STREQ(make_dialect(config::Driver::odbc, config::Dialect::generic)->name(), "generic");
  EXPECT_STREQ(make_dialect("some other driver")->name(), "generic");
}

TEST(MssqlDialect, InterfaceDelegatesToTheTypeTable) {
  auto d = make_dialect("mssql");
  EXPECT_EQ(d->map_type("money", -1, 19, 4), (Type{TypeId::decimal, 19, 4}));
  EXPECT_EQ(d->select_text("[m]", Type{TypeId::decimal, 19, 4}), "CONVERT(varchar(50), CAST([m] AS decimal(19,4)))");
  EXPECT_EQ(d->select_text("[u]", Type{TypeId::uuid}), "LOWER(CONVERT(char(36), [u]))");
}

TEST(MssqlDialect, KeyLiterals) {
  auto d = make_dialect("mssql");
  EXPECT_EQ(d->key_literal("42", {TypeId::int32}), "42");
  EXPECT_EQ(d->key_literal("-42", {TypeId::int64}), "-42");
  EXPECT_EQ(d->key_literal("12.50", {TypeId::decimal, 10, 2}), "12.50");
  EXPECT_EQ(d->key_literal("1.0000000000000001E-1", {TypeId::float64}), "1.0000000000000001E-1");
  EXPECT_EQ(d->key_literal("t", {TypeId::boolean}), "1");
  EXPECT_EQ(d->key_literal("f", {TypeId::boolean}), "0");
  EXPECT_EQ(d->key_literal("00ff10", {TypeId::bytes}), "0x00ff10");
  EXPECT_EQ(d->key_literal("O'Brien", {TypeId::string, -1, -1, 40}), "N'O''Brien'");
  EXPECT_EQ(d->key_literal("2024-02-29", {TypeId::date}), "N'2024-02-29'");
  EXPECT_EQ(d->key_literal("2024-02-29 23:59:59.123", {TypeId::timestamp, 3}), "N'2024-02-29T23:59:59.123'");
  EXPECT_EQ(d->key_literal("2024-02-29 23:59:59.1234567 +01:00", {TypeId::timestamptz, 7}),
            "N'2024-02-29T23:59:59.1234567+01:00'");
  EXPECT_EQ(d->key_literal("2024-02-29 23:59:59.1234567 -03:30", {TypeId::timestamptz, 7}),
            "N'2024-02-29T23:59:59.1234567-03:30'");
  EXPECT_EQ(d->key_literal("0e984725-c51c-4bf4-9960-e1c80e27aba0", {TypeId::uuid}),
            "N'0e984725-c51c-4bf4-9960-e1c80e27aba0'");
  // Bounds that would be SQL if pasted bare are refused.
  EXPECT_THROW(d->key_literal("1; DROP TABLE x", {TypeId::int32}), std::invalid_argument);
  EXPECT_THROW(d->key_literal("", {TypeId::int32}), std::invalid_argument);
  EXPECT_THROW(d->key_literal("1 OR 1=1", {TypeId::decimal, 10, 2}), std::invalid_argument);
  EXPECT_THROW(d->key_literal("0x00", {TypeId::bytes}), std::invalid_argument);
  EXPECT_THROW(d->key_literal("maybe", {TypeId::boolean}), std::invalid_argument);
}

TEST(MssqlDialect, VarcharKeysConvertTheLiteralNotTheColumn) {
  EXPECT_EQ(mssql_column_literal("abc", column("k", "varchar(10)")), "CONVERT(varchar(8000), N'abc')");
  EXPECT_EQ(mssql_column_literal("abc", column("k", "char(3)")), "CONVERT(varchar(8000), N'abc')");
  EXPECT_EQ(mssql_column_literal("abc", column("k", "nvarchar(10)")), "N'abc'");
  EXPECT_EQ(mssql_column_literal("5", column("k", "int")), "5");
}

TEST(MssqlDialect, RangeWhereExpandsWithoutRowValues) {
  const std::vector<std::string> names = {"a", "b"};
  const std::vector<Type> types = {{TypeId::int32}, {TypeId::string, -1, -1, 10}};
  EXPECT_EQ(mssql_range_where({"id"}, {{TypeId::int64}}, {"10"}, {"20"}), "[id] >= 10 AND [id] < 20");
  EXPECT_EQ(mssql_range_where({"id"}, {{TypeId::int64}}, {}, {"20"}), "[id] < 20");
  EXPECT_EQ(mssql_range_where({"id"}, {{TypeId::int64}}, {"10"}, {}), "[id] >= 10");
  EXPECT_EQ(mssql_range_where({"id"}, {{TypeId::int64}}, {}, {}), "");
  EXPECT_EQ(mssql_range_where(names, types, {"1", "x"}, {}), "[a] >= 1 AND ([a] > 1 OR ([a] = 1 AND [b] >= N'x'))");
  EXPECT_EQ(mssql_range_where(names, types, {}, {"2", "y"}), "[a] <= 2 AND ([a] < 2 OR ([a] = 2 AND [b] < N'y'))");
  EXPECT_THROW(mssql_range_where({"id"}, {{TypeId::int64}}, {"1", "2"}, {}), std::invalid_argument);
  EXPECT_THROW(mssql_range_where(names, {{TypeId::int32}}, {}, {}), std::invalid_argument);
}

TEST(MssqlDialect, RangePredicateIsGenericOverDialects) {
  const std::vector<Column> keys = {column("a", "int"), column("b", "nvarchar(10)"), column("c", "int")};
  EXPECT_EQ(range_predicate(*make_dialect("postgresql"), keys, {"1", "x", "3"}, {}),
            "\"a\" >= 1 AND (\"a\" > 1 OR (\"a\" = 1 AND (\"b\" > 'x' OR (\"b\" = 'x' AND \"c\" >= 3))))");
  EXPECT_EQ(range_predicate(*make_dialect("mssql"), keys, {"1"}, {"2", "it's"}),
            "[a] >= 1 AND [a] <= 2 AND ([a] < 2 OR ([a] = 2 AND [b] < N'it''s'))");
  EXPECT_THROW(range_predicate(*make_dialect("mssql"), keys, {"1", "2", "3", "4"}, {}), std::invalid_argument);
}

TEST(MssqlDialect, SessionSetupPicksTheIsolationLevel) {
  EXPECT_EQ(mssql_session_setup(false, false), "SET NOCOUNT ON; SET QUOTED_IDENTIFIER ON; SET TEXTSIZE 2147483647");
  EXPECT_EQ(mssql_session_setup(true, false),
            "SET NOCOUNT ON; SET QUOTED_IDENTIFIER ON; SET TEXTSIZE 2147483647; SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
  EXPECT_EQ(mssql_session_setup(false, true),
            "SET NOCOUNT ON; SET QUOTED_IDENTIFIER ON; SET TEXTSIZE 2147483647; SET TRANSACTION ISOLATION LEVEL SNAPSHOT");
  EXPECT_EQ(mssql_session_setup(true, true), mssql_session_setup(false, true));
}

TEST(MssqlDialect, VersionLineNamesBabelfish) {
  EXPECT_EQ(mssql_describe_version("Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64) \n\tOct  8 2022\n"),
            "Microsoft SQL Server 2022 (RTM) - 16.0.1000.6 (X64)");
  EXPECT_EQ(mssql_describe_version("Babelfish for PostgreSQL with SQL Server Compatibility - 12.0.2000.8\n"
                                   "Dec  1 2026 on x86_64-pc-linux-gnu\nCopyright (c) Amazon Web Services\n"
                                   "PostgreSQL 16.4 Babelfish for PostgreSQL"),
            "Babelfish for PostgreSQL with SQL Server Compatibility - 12.0.2000.8");
  EXPECT_EQ(mssql_describe_version("Microsoft SQL Server 2019 - 15.0\nPostgreSQL 16 Babelfish"),
            "Babelfish for PostgreSQL (SQL Server's T-SQL and TDS): Microsoft SQL Server 2019 - 15.0");
}

}  // namespace
}  // namespace replicate::catalog
