// SPDX-License-Identifier: Apache-2.0
// A SQL Server source that hashes its rows itself (HASHBYTES over the canonical
// row form). Internal to verify.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "verify/side.hpp"

namespace replicate::verify {

/// The T-SQL canonical text of every plan column, once the server has shown on probe
/// values that it spells them as PostgreSQL does; nullopt (and `why_not`) when some
/// column has no exact form on this server: the table then streams.
std::optional<std::vector<std::string>> mssql_canonical_values(const TableSpec& spec, source::Connection& source,
                                                                std::string& why_not);

/// Whether hashing on the server beats sending the rows here, timed on a sample of
/// the table's rows (a T-SQL layer such as Babelfish evaluates the hash expressions
/// far slower than SQL Server does); `why` gets both times.
bool mssql_hashing_pays(const TableSpec& spec, source::Connection& source, const std::vector<std::string>& values,
                        std::string& why);

/// The side over `values` (from mssql_canonical_values); rows of differing keys are
/// read through `rows_from` (a streaming side on the same source).
std::unique_ptr<Side> make_mssql_source_side(const TableSpec& spec, source::Connection& source,
                                             std::vector<std::string> values, std::unique_ptr<Side> rows_from);

}  // namespace replicate::verify
