// SPDX-License-Identifier: Apache-2.0
// SQL Server's type table: every type name with its length/precision/scale
// variants maps to the expected canonical type and PostgreSQL type, and
// docs/mssql-types.md says the same thing.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "catalog/mssql_types.hpp"
#include "target/pg_schema.hpp"

namespace replicate::catalog {
namespace {

struct TypeCase {
  std::string native;  // as spelled to map_type
  int length, precision, scale;
  Type expected;
  std::string postgresql;  // what the target creates for this variant
  std::string doc_row;     // the row of docs/mssql-types.md that covers it
  std::string doc_postgresql;
};

std::ostream& operator<<(std::ostream& os, const TypeCase& c) {
  return os << c.native << " " << c.length << "/" << c.precision << "/" << c.scale;
}

Type str(int n) { return {TypeId::string, -1, -1, n}; }
Type bytes(int n = -1) { return {TypeId::bytes, -1, -1, n}; }
Type dec(int p, int s) { return {TypeId::decimal, p, s}; }
Type with_digits(TypeId id, int digits) { return {id, digits}; }
constexpr int N = -1;  // not given

const std::vector<TypeCase>& cases() {
  static const std::vector<TypeCase> all = {
      {"bit", N, N, N, {TypeId::boolean}, "boolean", "bit", "boolean"},
      {"BIT", N, 1, 0, {TypeId::boolean}, "boolean", "bit", "boolean"},
      {"tinyint", N, N, N, {TypeId::int16}, "smallint", "tinyint", "smallint"},
      {"smallint", N, 5, 0, {TypeId::int16}, "smallint", "smallint", "smallint"},
      {"int", N, 10, 0, {TypeId::int32}, "integer", "int", "integer"},
      {"bigint", N, 19, 0, {TypeId::int64}, "bigint", "bigint", "bigint"},
      {"decimal(15,2)", N, N, N, dec(15, 2), "numeric(15,2)", "decimal(p,s)", "numeric(p,s)"},
      {"decimal", N, 18, 4, dec(18, 4), "numeric(18,4)", "decimal(p,s)", "numeric(p,s)"},
      {"decimal", N, N, N, dec(18, 0), "numeric(18,0)", "decimal(p,s)", "numeric(p,s)"},
      {"decimal(38,38)", N, N, N, dec(38, 38), "numeric(38,38)", "decimal(p,s)", "numeric(p,s)"},
      {"numeric(10)", N, N, N, dec(10, 0), "numeric(10,0)", "numeric(p,s)", "numeric(p,s)"},
      {"numeric", N, 38, 10, dec(38, 10), "numeric(38,10)", "numeric(p,s)", "numeric(p,s)"},
      {"money", N, 19, 4, dec(19, 4), "numeric(19,4)", "money", "numeric(19,4)"},
      {"smallmoney", N, 10, 4, dec(10, 4), "numeric(10,4)", "smallmoney", "numeric(10,4)"},
      {"float", N, N, N, {TypeId::float64}, "double precision", "float", "double precision"},
      {"float", N, 53, 0, {TypeId::float64}, "double precision", "float", "double precision"},
      {"float(53)", N, N, N, {TypeId::float64}, "double precision", "float", "double precision"},
      {"float(25)", N, N, N, {TypeId::float64}, "double precision", "float", "double precision"},
      {"float(24)", N, N, N, {TypeId::float32}, "real", "float(n), n ≤ 24", "real"},
      {"float(1)", N, N, N, {TypeId::float32}, "real", "float(n), n ≤ 24", "real"},
      {"real", N, 24, 0, {TypeId::float32}, "real", "real", "real"},
      {"date", N, 10, 0, {TypeId::date}, "date", "date", "date"},
      {"time", N, N, N, with_digits(TypeId::time, 7), "time(6)", "time(n)", "time(min(n,6))"},
      {"time", N, 16, 7, with_digits(TypeId::time, 7), "time(6)", "time(n)", "time(min(n,6))"},
      {"time(3)", N, N, N, with_digits(TypeId::time, 3), "time(3)", "time(n)", "time(min(n,6))"},
      {"time", N, 8, 0, with_digits(TypeId::time, 0), "time(0)", "time(n)", "time(min(n,6))"},
      {"datetime", N, 23, 3, with_digits(TypeId::timestamp, 3), "timestamp(3)", "datetime", "timestamp(3)"},
      {"smalldatetime", N, 16, 0, with_digits(TypeId::timestamp, 0), "timestamp(0)", "smalldatetime",
       "timestamp(0)"},
      {"datetime2", N, N, N, with_digits(TypeId::timestamp, 7), "timestamp(6)", "datetime2(n)",
       "timestamp(min(n,6))"},
      {"datetime2", N, 27, 7, with_digits(TypeId::timestamp, 7), "timestamp(6)", "datetime2(n)",
       "timestamp(min(n,6))"},
      {"datetime2(3)", N, N, N, with_digits(TypeId::timestamp, 3), "timestamp(3)", "datetime2(n)",
       "timestamp(min(n,6))"},
      {"datetime2", N, 19, 0, with_digits(TypeId::timestamp, 0), "timestamp(0)", "datetime2(n)",
       "timestamp(min(n,6))"},
      {"datetime2(6)", N, N, N, with_digits(TypeId::timestamp, 6), "timestamp(6)", "datetime2(n)",
       "timestamp(min(n,6))"},
      {"datetimeoffset", N, N, N, with_digits(TypeId::timestamptz, 7), "timestamptz(6)", "datetimeoffset(n)",
       "timestamptz(min(n,6))"},
      {"datetimeoffset", N, 34, 7, with_digits(TypeId::timestamptz, 7), "timestamptz(6)", "datetimeoffset(n)",
       "timestamptz(min(n,6))"},
      {"datetimeoffset(2)", N, N, N, with_digits(TypeId::timestamptz, 2), "timestamptz(2)", "datetimeoffset(n)",
       "timestamptz(min(n,6))"},
      {"char(10)", N, N, N, str(10), "varchar(10)", "char(n)", "varchar(n)"},
      {"char", 10, 0, 0, str(10), "varchar(10)", "char(n)", "varchar(n)"},
      {"varchar(255)", N, N, N, str(255), "varchar(255)", "varchar(n)", "varchar(n)"},
      {"varchar", 8000, 0, 0, str(8000), "varchar(8000)", "varchar(n)", "varchar(n)"},
      {"nchar(5)", N, N, N, str(5), "varchar(5)", "nchar(n)", "varchar(n)"},
      {"nvarchar(120)", N, N, N, str(120), "varchar(120)", "nvarchar(n)", "varchar(n)"},
      {"nvarchar", 4000, 0, 0, str(4000), "varchar(4000)", "nvarchar(n)", "varchar(n)"},
      {"varchar(max)", N, N, N, {TypeId::text}, "text", "varchar(max)", "text"},
      {"varchar", -1, 0, 0, {TypeId::text}, "text", "varchar(max)", "text"},
      {"nvarchar(max)", N, N, N, {TypeId::text}, "text", "nvarchar(max)", "text"},
      {"NVARCHAR(MAX)", N, N, N, {TypeId::text}, "text", "nvarchar(max)", "text"},
      {"nvarchar", -1, 0, 0, {TypeId::text}, "text", "nvarchar(max)", "text"},
      {"text", 16, 0, 0, {TypeId::text}, "text", "text", "text"},
      {"ntext", 16, 0, 0, {TypeId::text}, "text", "ntext", "text"},
      {"sysname", N, N, N, str(128), "varchar(128)", "sysname", "varchar(128)"},
      {"sys.sysname", N, N, N, str(128), "varchar(128)", "sysname", "varchar(128)"},
      {"binary(16)", N, N, N, bytes(16), "bytea", "binary(n)", "bytea"},
      {"varbinary(100)", N, N, N, bytes(100), "bytea", "varbinary(n)", "bytea"},
      {"varbinary", 8000, 0, 0, bytes(8000), "bytea", "varbinary(n)", "bytea"},
      {"varbinary(max)", N, N, N, bytes(), "bytea", "varbinary(max)", "bytea"},
      {"varbinary", -1, 0, 0, bytes(), "bytea", "varbinary(max)", "bytea"},
      {"image", 16, 0, 0, bytes(), "bytea", "image", "bytea"},
      {"rowversion", N, N, N, bytes(8), "bytea", "rowversion", "bytea"},
      {"timestamp", 8, 0, 0, bytes(8), "bytea", "timestamp", "bytea"},
      {"uniqueidentifier", 16, 0, 0, {TypeId::uuid}, "uuid", "uniqueidentifier", "uuid"},
      {"xml", -1, 0, 0, {TypeId::xml}, "xml", "xml", "xml"},
      {"json", N, N, N, {TypeId::json}, "jsonb", "json", "jsonb"},
      {"sql_variant", 8016, 0, 0, {TypeId::text}, "text", "sql_variant", "text"},
      {"hierarchyid", 892, 0, 0, {TypeId::text}, "text", "hierarchyid", "text"},
      {"geography", -1, 0, 0, {TypeId::text}, "text", "geography", "text"},
      {"geometry", -1, 0, 0, {TypeId::text}, "text", "geometry", "text"},
      {"vector(3)", N, N, N, {TypeId::text}, "text", "(any other type)", "text"},
      {"my_clr_type", N, N, N, {TypeId::text}, "text", "(any other type)", "text"},
  };
  return all;
}

/// The type table of docs/mssql-types.md: first cell (backticks dropped) -> cells.
std::map<std::string, std::vector<std::string>> documented_rows() {
  std::ifstream in(std::string(REPLICATE_SOURCE_DIR) + "/docs/mssql-types.md");
  std::map<std::string, std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| ", 0) != 0 || line.rfind("|---", 0) == 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) {
      auto b = cell.find_first_not_of(' '), e = cell.find_last_not_of(' ');
      cell = b == std::string::npos ? "" : cell.substr(b, e - b + 1);
      if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') cell = cell.substr(1, cell.size() - 2);
      cells.push_back(cell);
    }
    if (cells.size() >= 3 && cells[0] != "SQL Server") rows[cells[0]] = cells;
  }
  return rows;
}

class MssqlTypesTable : public testing::TestWithParam<TypeCase> {};

TEST_P(MssqlTypesTable, MapsToCanonicalType) {
  const auto& c = GetParam();
  EXPECT_EQ(mssql_map_type(c.native, c.length, c.precision, c.scale), c.expected)
      << "got " << to_string(mssql_map_type(c.native, c.length, c.precision, c.scale)) << ", want "
      << to_string(c.expected);
}

TEST_P(MssqlTypesTable, TargetGetsTheDocumentedPostgresqlType) {
  const auto& c = GetParam();
  EXPECT_EQ(target::pg_type(mssql_map_type(c.native, c.length, c.precision, c.scale)), c.postgresql);
  static const auto doc = documented_rows();
  auto row = doc.find(c.doc_row);
  ASSERT_NE(row, doc.end()) << "docs/mssql-types.md has no row for `" << c.doc_row << "`";
  EXPECT_EQ(row->second[2], c.doc_postgresql) << "docs/mssql-types.md, row `" << c.doc_row << "`";
}

INSTANTIATE_TEST_SUITE_P(MssqlTypesEvery, MssqlTypesTable, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<TypeCase>& info) {
                           std::string name = std::to_string(info.index) + "_" + info.param.native;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

TEST(MssqlTypes, EveryDocumentedRowIsTested) {
  std::set<std::string> tested;
  for (const auto& c : cases()) tested.insert(c.doc_row);
  auto doc = documented_rows();
  ASSERT_GE(doc.size(), 30u) << "the type table in docs/mssql-types.md did not parse";
  for (const auto& [key, cells] : doc) EXPECT_TRUE(tested.count(key)) << "untested doc row `" << key << "`";
}

TEST(MssqlTypes, MappingLossNotes) {
  EXPECT_EQ(mssql_mapping_loss("datetime2", N, 27, 7), "datetime2(7) keeps 6 fractional digits in PostgreSQL");
  EXPECT_EQ(mssql_mapping_loss("datetime2(7)", N, N, N), "datetime2(7) keeps 6 fractional digits in PostgreSQL");
  EXPECT_EQ(mssql_mapping_loss("time", N, 16, 7), "time(7) keeps 6 fractional digits in PostgreSQL");
  EXPECT_EQ(mssql_mapping_loss("datetimeoffset(3)", N, N, N),
            "datetimeoffset keeps the instant, not the original offset");
  EXPECT_EQ(mssql_mapping_loss("datetimeoffset", N, 34, 7),
            "datetimeoffset keeps the instant, not the original offset, and 6 fractional digits in PostgreSQL");
  EXPECT_EQ(mssql_mapping_loss("sql_variant", N, N, N),
            "sql_variant loses its base type: values travel as text of up to 4000 characters");
  EXPECT_EQ(mssql_mapping_loss("hierarchyid", N, N, N), "hierarchyid travels as its string form (/1/2/)");
  EXPECT_EQ(mssql_mapping_loss("geography", N, N, N),
            "geography travels as its WKT string form (with Z and M values); the SRID is not kept");
  EXPECT_EQ(mssql_mapping_loss("geometry", N, N, N),
            "geometry travels as its WKT string form (with Z and M values); the SRID is not kept");
  EXPECT_EQ(mssql_mapping_loss("rowversion", N, N, N),
            "rowversion travels as its 8 bytes; PostgreSQL does not maintain it");
  EXPECT_EQ(mssql_mapping_loss("vector", N, N, N), "vector is not a SQL Server type replicate knows: it travels as text");
  for (const char* exact : {"datetime2(6)", "datetime2(0)", "time(6)", "datetime", "smalldatetime", "money",
                            "decimal(38,10)", "nvarchar(max)", "ntext", "text", "sysname", "varbinary(max)",
                            "uniqueidentifier", "xml", "json", "bit", "tinyint", "float", "real", "date"})
    EXPECT_EQ(mssql_mapping_loss(exact, N, N, N), std::nullopt) << exact;
}

TEST(MssqlTypes, LengthFromCatalogIsInCharacters) {
  EXPECT_EQ(mssql_length_from_catalog("nvarchar", 240), 120);  // max_length is in bytes
  EXPECT_EQ(mssql_length_from_catalog("nchar", 10), 5);
  EXPECT_EQ(mssql_length_from_catalog("varchar", 240), 240);
  EXPECT_EQ(mssql_length_from_catalog("varbinary", 16), 16);
  EXPECT_EQ(mssql_length_from_catalog("nvarchar", -1), -1);
  EXPECT_EQ(mssql_length_from_catalog("int", 4), -1);
  EXPECT_EQ(mssql_length_from_catalog("ntext", 16), -1);
}

TEST(MssqlTypes, NativeSpellingFromCatalog) {
  EXPECT_EQ(mssql_native_spelling("nvarchar", 240, 0, 0), "nvarchar(120)");
  EXPECT_EQ(mssql_native_spelling("varchar", -1, 0, 0), "varchar(max)");
  EXPECT_EQ(mssql_native_spelling("varbinary", -1, 0, 0), "varbinary(max)");
  EXPECT_EQ(mssql_native_spelling("decimal", 9, 15, 2), "decimal(15,2)");
  EXPECT_EQ(mssql_native_spelling("datetime2", 8, 27, 7), "datetime2(7)");
  EXPECT_EQ(mssql_native_spelling("time", 3, 8, 0), "time(0)");
  EXPECT_EQ(mssql_native_spelling("int", 4, 10, 0), "int");
  EXPECT_EQ(mssql_native_spelling("geography", -1, 0, 0), "geography");
}

struct SelectCase {
  Type type;
  std::string expected;
};

TEST(MssqlTypes, SelectTextPerCanonicalType) {
  const std::string c = "[c]";
  const std::vector<SelectCase> all = {
      {{TypeId::boolean}, "CASE WHEN [c] = 1 THEN 't' WHEN [c] = 0 THEN 'f' END"},
      {{TypeId::int16}, "[c]"},
      {{TypeId::int32}, "[c]"},
      {{TypeId::int64}, "[c]"},
      {dec(15, 2), "CONVERT(varchar(50), CAST([c] AS decimal(15,2)))"},
      {dec(19, 4), "CONVERT(varchar(50), CAST([c] AS decimal(19,4)))"},
      {{TypeId::decimal}, "CONVERT(varchar(50), [c])"},
      {{TypeId::float32}, "CONVERT(varchar(30), [c], 3)"},
      {{TypeId::float64}, "CONVERT(varchar(30), [c], 3)"},
      {str(10), "[c]"},
      {{TypeId::text}, "[c]"},
      {{TypeId::date}, "CONVERT(char(10), [c], 23)"},
      {with_digits(TypeId::time, 7), "CONVERT(varchar(16), [c], 121)"},
      {with_digits(TypeId::timestamp, 3), "CONVERT(varchar(27), [c], 121)"},
      {with_digits(TypeId::timestamptz, 7), "CONVERT(varchar(34), [c], 121)"},
      {{TypeId::uuid}, "LOWER(CONVERT(char(36), [c]))"},
      {bytes(16), "LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [c]), 2))"},
      {{TypeId::xml}, "CONVERT(nvarchar(max), [c])"},
      {{TypeId::json}, "CONVERT(nvarchar(max), [c])"},
  };
  for (const auto& s : all) EXPECT_EQ(mssql_select_text(c, s.type), s.expected) << to_string(s.type);
}

TEST(MssqlTypes, SelectColumnUsesTheNativeType) {
  auto column = [](const std::string& native) {
    Column c;
    c.name = "c";
    c.native_type = native;
    c.type = mssql_map_type(native, N, N, N);
    return c;
  };
  const std::vector<std::pair<std::string, std::string>> all = {
      {"money", "CONVERT(varchar(50), CAST([c] AS decimal(19,4)))"},
      {"smallmoney", "CONVERT(varchar(50), CAST([c] AS decimal(10,4)))"},
      {"decimal(15,2)", "CONVERT(varchar(50), [c])"},
      {"numeric(38,0)", "CONVERT(varchar(50), [c])"},
      {"hierarchyid", "[c].ToString()"},
      {"geography", "[c].ToString()"},
      {"geometry", "[c].ToString()"},
      {"sql_variant", "CONVERT(nvarchar(4000), [c])"},
      {"vector(3)", "CONVERT(nvarchar(max), [c])"},
      {"nvarchar(max)", "[c]"},
      {"ntext", "[c]"},
      {"varchar(20)", "[c]"},
      {"image", "LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [c]), 2))"},
      {"rowversion", "LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), [c]), 2))"},
      {"datetime2(7)", "CONVERT(varchar(27), [c], 121)"},
      {"datetimeoffset(7)", "CONVERT(varchar(34), [c], 121)"},
      {"time(7)", "CONVERT(varchar(16), [c], 121)"},
      {"bit", "CASE WHEN [c] = 1 THEN 't' WHEN [c] = 0 THEN 'f' END"},
      {"uniqueidentifier", "LOWER(CONVERT(char(36), [c]))"},
      {"float", "CONVERT(varchar(30), [c], 3)"},
      {"xml", "CONVERT(nvarchar(max), [c])"},
  };
  for (const auto& [native, expected] : all) EXPECT_EQ(mssql_select_column("[c]", column(native)), expected) << native;
}

TEST(MssqlTypes, RawColumnIsTheBareColumnWhereADriverCarriesTheType) {
  auto column = [](const std::string& native) {
    Column c;
    c.name = "c";
    c.native_type = native;
    c.type = mssql_map_type(native, N, N, N);
    return c;
  };
  // Read in native C types: no CONVERT, no style, no server CPU per value.
  for (const char* native : {"int", "bigint", "smallint", "tinyint", "bit", "decimal(38,2)", "money", "smallmoney",
                             "float", "real", "date", "time(7)", "datetime", "datetime2(7)", "smalldatetime",
                             "datetimeoffset(7)", "uniqueidentifier", "varbinary(max)", "image", "rowversion",
                             "varchar(20)", "nvarchar(max)", "char(3)", "ntext", "text"})
    EXPECT_EQ(mssql_raw_column("[c]", column(native)), "[c]") << native;
  // No ODBC C type carries these: their text, made by the server.
  EXPECT_EQ(mssql_raw_column("[c]", column("hierarchyid")), "[c].ToString()");
  EXPECT_EQ(mssql_raw_column("[c]", column("sql_variant")), "CONVERT(nvarchar(4000), [c])");
  EXPECT_EQ(mssql_raw_column("[c]", column("xml")), "CONVERT(nvarchar(max), [c])");
  EXPECT_EQ(mssql_raw_column("[c]", column("vector(3)")), "CONVERT(nvarchar(max), [c])");
}

}  // namespace
}  // namespace replicate::catalog
