// SPDX-License-Identifier: Apache-2.0
// SQL Server's type table and the text expressions for each type. Every value
// is selected through an explicit CONVERT with a style, never the driver's default
// formatting, which differs between FreeTDS and Microsoft's driver.
#include "catalog/mssql_types.hpp"

#include <algorithm>

#include "catalog/dialect_impl.hpp"

namespace replicate::catalog {
namespace {

/// The lower-case base name alone: "NVARCHAR(40)" -> "nvarchar".
std::string base_name(const std::string& native_name) {
  std::string name = parse_type_name(native_name).base;
  if (name.rfind("sys.", 0) == 0) name.erase(0, 4);
  return name;
}

/// The base name plus the figures, taken from a "name(a,b)" spelling when none were given.
struct Native {
  std::string name;
  int length;
  int precision;
  int scale;
};

Native normalise(const std::string& native_name, int length, int precision, int scale) {
  auto p = parse_type_name(native_name);
  if (length < 0 && precision < 0 && scale < 0 && !p.args.empty()) {
    length = precision = p.args[0];
    scale = p.args.size() > 1 ? p.args[1] : -1;
  }
  return {base_name(native_name), length, precision, scale};
}

/// Fractional-second digits of time/datetime2/datetimeoffset (SQL Server's default is 7).
int fraction_digits(const Native& n) {
  if (n.scale >= 0 && n.scale <= 7) return n.scale;
  if (n.precision >= 0 && n.precision <= 7) return n.precision;
  return 7;
}

bool is_one_of(const std::string& name, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
}

bool is_clr_text(const std::string& name) {
  return is_one_of(name, {"hierarchyid", "geography", "geometry"});
}

bool is_character(const std::string& name) {
  return is_one_of(name, {"char", "varchar", "nchar", "nvarchar", "text", "ntext", "sysname"});
}

}  // namespace

Type mssql_map_type(const std::string& native_name, int length, int precision, int scale) {
  const Native n = normalise(native_name, length, precision, scale);
  const std::string& t = n.name;
  if (t == "bit") return {TypeId::boolean};
  // tinyint is 0..255: int16 holds it (PostgreSQL has no one-byte integer).
  if (t == "tinyint" || t == "smallint") return {TypeId::int16};
  if (t == "int") return {TypeId::int32};
  if (t == "bigint") return {TypeId::int64};
  if (t == "decimal" || t == "numeric") {
    // SQL Server's own defaults: decimal = decimal(18,0).
    int p = n.precision > 0 ? std::min(n.precision, 38) : 18;
    return {TypeId::decimal, p, std::clamp(n.scale, 0, p)};
  }
  if (t == "money") return {TypeId::decimal, 19, 4};
  if (t == "smallmoney") return {TypeId::decimal, 10, 4};
  // float(n): n <= 24 is stored as real (4 bytes); sys.columns reports precision 24 or 53.
  if (t == "float") return n.precision > 0 && n.precision <= 24 ? Type{TypeId::float32} : Type{TypeId::float64};
  if (t == "real") return {TypeId::float32};
  if (t == "date") return {TypeId::date};
  if (t == "time") return {TypeId::time, fraction_digits(n)};
  if (t == "datetime") return {TypeId::timestamp, 3};
  if (t == "smalldatetime") return {TypeId::timestamp, 0};
  if (t == "datetime2") return {TypeId::timestamp, fraction_digits(n)};
  if (t == "datetimeoffset") return {TypeId::timestamptz, fraction_digits(n)};
  if (t == "sysname") return {TypeId::string, -1, -1, 128};
  if (t == "char" || t == "varchar" || t == "nchar" || t == "nvarchar")
    return n.length > 0 ? Type{TypeId::string, -1, -1, n.length} : Type{TypeId::text};
  if (t == "text" || t == "ntext") return {TypeId::text};
  if (t == "binary" || t == "varbinary")
    return n.length > 0 ? Type{TypeId::bytes, -1, -1, n.length} : Type{TypeId::bytes};
  if (t == "image") return {TypeId::bytes};
  if (t == "rowversion" || t == "timestamp") return {TypeId::bytes, -1, -1, 8};
  if (t == "uniqueidentifier") return {TypeId::uuid};
  if (t == "xml") return {TypeId::xml};
  if (t == "json") return {TypeId::json};  // SQL Server 2025's native json
  // sql_variant, hierarchyid, geography, geometry and anything unknown: their text form.
  return {TypeId::text};
}

std::optional<std::string> mssql_mapping_loss(const std::string& native_name, int length,
                                              int precision, int scale) {
  const Native n = normalise(native_name, length, precision, scale);
  const std::string& t = n.name;
  const int digits = fraction_digits(n);
  if ((t == "datetime2" || t == "time") && digits > 6)
    return t + "(" + std::to_string(digits) + ") keeps 6 fractional digits in PostgreSQL";
  if (t == "datetimeoffset")
    return "datetimeoffset keeps the instant, not the original offset" +
           std::string(digits > 6 ? ", and 6 fractional digits in PostgreSQL" : "");
  if (t == "sql_variant")
    return std::string("sql_variant loses its base type: values travel as text of up to 4000 characters");
  if (t == "hierarchyid") return std::string("hierarchyid travels as its string form (/1/2/)");
  if (t == "geography" || t == "geometry")
    return t + " travels as its WKT string form (with Z and M values); the SRID is not kept";
  if (t == "rowversion" || t == "timestamp")
    return std::string("rowversion travels as its 8 bytes; PostgreSQL does not maintain it");
  if (mssql_map_type(t, n.length, n.precision, n.scale).id == TypeId::text && !is_character(t))
    return t + " is not a SQL Server type replicate knows: it travels as text";
  return std::nullopt;
}

int mssql_length_from_catalog(const std::string& type_name, int max_length) {
  const std::string t = base_name(type_name);
  if (max_length < 0) return -1;  // (max)
  if (t == "nchar" || t == "nvarchar") return max_length / 2;  // UTF-16 code units
  if (t == "char" || t == "varchar" || t == "binary" || t == "varbinary") return max_length;
  return -1;
}

std::string mssql_native_spelling(const std::string& type_name, int max_length, int precision,
                                  int scale) {
  const std::string t = base_name(type_name);
  if (t == "char" || t == "varchar" || t == "nchar" || t == "nvarchar" || t == "binary" ||
      t == "varbinary") {
    int len = mssql_length_from_catalog(t, max_length);
    return t + "(" + (len < 0 ? std::string("max") : std::to_string(len)) + ")";
  }
  if (t == "decimal" || t == "numeric")
    return t + "(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
  if (t == "time" || t == "datetime2" || t == "datetimeoffset")
    return t + "(" + std::to_string(scale) + ")";
  return t;
}

std::string mssql_select_text(const std::string& col, const Type& t) {
  switch (t.id) {
    case TypeId::boolean:
      return "CASE WHEN " + col + " = 1 THEN 't' WHEN " + col + " = 0 THEN 'f' END";
    case TypeId::int16:
    case TypeId::int32:
    case TypeId::int64:
    case TypeId::string:
    case TypeId::text:
      return col;
    case TypeId::decimal:
      // The cast makes money print all four decimals (its default style prints two);
      // for a decimal column it is the identity. varchar(50) holds 38 digits, sign and point.
      if (t.precision > 0 && t.precision <= 38)
        return "CONVERT(varchar(50), CAST(" + col + " AS decimal(" + std::to_string(t.precision) + "," +
               std::to_string(std::max(t.scale, 0)) + ")))";
      return "CONVERT(varchar(50), " + col + ")";
    case TypeId::float32:
    case TypeId::float64:
      // Style 3 (SQL Server 2016+): 17 significant digits, distinct values stay distinct.
      return "CONVERT(varchar(30), " + col + ", 3)";
    case TypeId::date:
      return "CONVERT(char(10), " + col + ", 23)";  // yyyy-mm-dd
    case TypeId::time:
      return "CONVERT(varchar(16), " + col + ", 121)";  // hh:mi:ss.fffffff
    case TypeId::timestamp:
      return "CONVERT(varchar(27), " + col + ", 121)";  // yyyy-mm-dd hh:mi:ss.fffffff
    case TypeId::timestamptz:
      return "CONVERT(varchar(34), " + col + ", 121)";  // ... +hh:mi, which PostgreSQL reads
    case TypeId::uuid:
      return "LOWER(CONVERT(char(36), " + col + "))";
    case TypeId::bytes:
      // Through varbinary(max) so image and rowversion take the same path; style 2 = no 0x.
      return "LOWER(CONVERT(varchar(max), CONVERT(varbinary(max), " + col + "), 2))";
    case TypeId::json:
    case TypeId::xml:
      return "CONVERT(nvarchar(max), " + col + ")";
  }
  return col;
}

std::string mssql_select_column(const std::string& col, const Column& c) {
  const std::string t = base_name(c.native_type);
  // Money through decimal(19,4): CONVERT styles of money differ between TDS servers
  // (style 2 kept two decimals on one), a cast to decimal does not.
  if (t == "money" || t == "smallmoney") return mssql_select_text(col, c.type);
  if (t == "decimal" || t == "numeric") return "CONVERT(varchar(50), " + col + ")";
  // ToString() rather than STAsText(): it keeps Z and M values; method names are case-sensitive.
  if (is_clr_text(t)) return col + ".ToString()";
  if (t == "sql_variant") return "CONVERT(nvarchar(4000), " + col + ")";
  if (c.type.id == TypeId::text && !t.empty() && !is_character(t))
    return "CONVERT(nvarchar(max), " + col + ")";  // CLR UDTs, vector, future types
  return mssql_select_text(col, c.type);
}

}  // namespace replicate::catalog

namespace replicate::catalog {

std::string mssql_raw_column(const std::string& col, const Column& c) {
  const std::string t = base_name(c.native_type);
  if (is_clr_text(t) || t == "sql_variant" || t == "xml" ||
      (c.type.id == TypeId::text && !t.empty() && !is_character(t)))
    return mssql_select_column(col, c);  // text, through the server: no plain C type
  return col;
}

}  // namespace replicate::catalog
