// SPDX-License-Identifier: Apache-2.0
// SQL Server's types: the mapping to canonical types, what the PostgreSQL side
// loses, and the expressions that select each type as canonical text.
// docs/mssql-types.md is the user-facing copy of this table; a test keeps them equal.
#pragma once

#include <optional>
#include <string>

#include "catalog/types.hpp"

namespace replicate::catalog {

/// Map a SQL Server type name (case-insensitive; "nvarchar(40)" spellings are parsed
/// when length, precision and scale are all -1) to its canonical type.
/// `length` is in characters for strings (bytes for binary), -1 = max.
/// For time/datetime2/datetimeoffset the fractional digits are `scale` when 0..7
/// (sys.columns reports them there), else `precision` when 0..7, else 7.
/// Unknown names map to text.
Type mssql_map_type(const std::string& native_name, int length, int precision, int scale);

/// A sentence saying what the PostgreSQL copy of this type loses, for `replicate plan`;
/// nullopt when the mapping is exact. Same arguments as mssql_map_type.
std::optional<std::string> mssql_mapping_loss(const std::string& native_name, int length,
                                              int precision, int scale);

/// The length map_type expects, from sys.columns.max_length (bytes; -1 = max):
/// characters for nchar/nvarchar, bytes otherwise; -1 for types without a length.
int mssql_length_from_catalog(const std::string& type_name, int max_length);

/// The type as SQL Server spells it in DDL ("nvarchar(120)", "decimal(15,2)",
/// "varbinary(max)", "datetime2(3)"), from the sys.columns figures.
std::string mssql_native_spelling(const std::string& type_name, int max_length, int precision,
                                  int scale);

/// An expression selecting `column_sql` of canonical type `t` as canonical text,
/// correct for every SQL Server type that maps to `t` (money included: decimals
/// are cast to their canonical precision and scale first).
std::string mssql_select_text(const std::string& column_sql, const Type& t);

/// As mssql_select_text, refined by the native type where the canonical type cannot
/// tell: money (cast to decimal(19,4), so no style
/// decides its digits), hierarchyid/geography/geometry (ToString()), sql_variant,
/// and unknown or CLR types (CONVERT to nvarchar(max)). For the CLR types
/// `column_sql` must be a column reference, since methods are called on it.
std::string mssql_select_column(const std::string& column_sql, const Column& c);

/// The select expression for reading a column in its native type (ReadForm::raw):
/// the bare column, but for types that no ODBC C type carries (CLR types,
/// sql_variant, xml, unknown), which come as their text from mssql_select_column.
std::string mssql_raw_column(const std::string& column_sql, const Column& c);

}  // namespace replicate::catalog
