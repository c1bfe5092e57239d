// SPDX-License-Identifier: Apache-2.0
// The canonical form of a value for comparison: PostgreSQL's text output of the value
// as the target column's type (or as a wider type where the target's narrows the
// source's: see widened_type in side.hpp). The target computes it in SQL; a PostgreSQL source
// casts to the target type and does the same; other sources stream their COPY text
// and normalise it here, emulating the target type's input and output functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "target/pg_type.hpp"

namespace replicate::verify {

// The target column types (TypeKind, TargetType, parse_target_type) are the target's
// own knowledge: see target/pg_type.hpp.
using target::parse_target_type;
using target::TargetType;
using target::TypeKind;

/// The SQL yielding the canonical text of `value_sql`, an expression already of type `t`
/// (a target column, or a cast to the target type): `x::text`, or trim_scale(x)::text
/// for unconstrained numeric so that 1.5 and 1.50 compare equal.
std::string canonical_sql(const TargetType& t, const std::string& value_sql);

/// What PostgreSQL would print (as canonical_sql does) after reading `input`, the COPY
/// text of a value for a column of type `t`. nullopt when the input is not in a form
/// emulated here (another spelling, a value the target may refuse, kind `other`): the
/// caller then asks the target server, which decides exactly.
std::optional<std::string> normalise(const TargetType& t, std::string_view input);

}  // namespace replicate::verify
