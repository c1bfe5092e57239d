// SPDX-License-Identifier: Apache-2.0
// The SQL the SQL Server dialect sends, one function per statement, so that the
// golden tests (tests/catalog/golden/*.sql) pin every byte. Internal to catalog.
#pragma once

#include <string>
#include <vector>

#include "catalog/types.hpp"

namespace replicate::catalog {

/// [name] with ] doubled: [a]]b].
std::string mssql_quote(const std::string& identifier);
/// N'...' with ' doubled: a Unicode literal, whatever the database's code page.
std::string mssql_string_literal(const std::string& value);

/// Columns of one table or view, in order: name, TYPE_NAME(user_type_id),
/// TYPE_NAME(system_type_id), is_user_defined, max_length, precision, scale,
/// is_nullable, is_identity, default definition. No rows = no such object.
std::string mssql_columns_sql(const std::string& schema, const std::string& table);
/// Primary key column names in key order.
std::string mssql_primary_key_sql(const std::string& schema, const std::string& table);
/// Unique, enabled, unfiltered non-PK indexes: index_id, column name, in key order.
std::string mssql_unique_keys_sql(const std::string& schema, const std::string& table);
/// Approximate row count from sys.partitions (heap or clustered index); NULL for a view.
std::string mssql_row_count_sql(const std::string& schema, const std::string& table);

/// A literal for a key bound given its canonical text: integers and decimals bare,
/// bit as 1/0, bytes as 0x..., timestamps in ISO 8601 with T (read the same under
/// every SET LANGUAGE / DATEFORMAT), everything else N'...'.
/// Throws std::invalid_argument when a numeric or binary bound is malformed.
std::string mssql_key_literal(const std::string& canonical_value, const Type& t);
/// As mssql_key_literal; for char/varchar keys the literal is converted to varchar so
/// the comparison never converts the column (which turns a seek into a scan under
/// SQL collations).
std::string mssql_column_literal(const std::string& canonical_value, const Column& c);

/// The chunk condition for [lo, hi) over key columns (see expand_range in
/// range_predicate.hpp): names are quoted here, bounds are canonical text.
std::string mssql_range_where(const std::vector<Column>& keys, const std::vector<std::string>& lo,
                              const std::vector<std::string>& hi);
/// The same, for callers holding names and canonical types only.
std::string mssql_range_where(const std::vector<std::string>& key_columns,
                              const std::vector<Type>& key_types, const std::vector<std::string>& lo,
                              const std::vector<std::string>& hi);

/// Statements to run once per source session: no row-count messages, no truncation of
/// long values (TEXTSIZE; FreeTDS's default can be small), and the isolation level.
/// `snapshot` wins over `read_uncommitted` (SNAPSHOT needs ALLOW_SNAPSHOT_ISOLATION ON).
std::string mssql_session_setup(bool read_uncommitted, bool snapshot);

/// The first line of @@VERSION, saying so when the server is Babelfish for PostgreSQL,
/// which speaks T-SQL over TDS with differences of its own.
std::string mssql_describe_version(const std::string& version);

/// "TOP (n) ", to follow SELECT: SQL Server has no LIMIT.
std::string mssql_top_clause(long n);

}  // namespace replicate::catalog
