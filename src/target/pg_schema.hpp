// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL side of the type mapping, and the DDL for target tables.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "catalog/types.hpp"

namespace replicate::target {

/// The PostgreSQL type for a canonical type: decimal(15,2) -> numeric(15,2), ...
std::string pg_type(const catalog::Type& t);

/// A target column as it will be created.
struct TargetColumn {
  std::string name;      // unquoted
  std::string sql_type;  // e.g. "numeric(15,2)"
  bool nullable = true;
};

/// Quote a PostgreSQL identifier ("a""b").
std::string pg_quote(const std::string& identifier);
std::string pg_quote_qualified(const std::string& schema, const std::string& name);
std::string pg_literal(const std::string& value);

/// CREATE TABLE for the target, with NOT NULL and the primary key.
std::string create_table_sql(const std::string& schema, const std::string& name,
                             const std::vector<TargetColumn>& columns,
                             const std::vector<std::string>& primary_key);

}  // namespace replicate::target
