// SPDX-License-Identifier: Apache-2.0
// PostgreSQL column types as they are spelled (format_type(), or a mapping's `type:`),
// read into what replicate needs to know of them: the kind of value, its precision,
// scale or length, and whether it can hold every value of a source column's type.
#pragma once

#include <optional>
#include <string>

#include "catalog/types.hpp"

namespace replicate::target {

/// How a target column's values are normalised. `other` has no C++ emulation:
/// streamed values of that type are normalised by the target server itself.
enum class TypeKind {
  boolean,
  int16,
  int32,
  int64,
  numeric,
  float4,
  float8,
  text,    // text, varchar(n), name, citext: the value as given (varchar(n) trims excess spaces)
  bpchar,  // char(n): trailing spaces are not part of the text form
  date,
  time,
  timestamp,
  timestamptz,
  uuid,
  bytea,
  json,  // json (not jsonb) keeps its input text
  other,
};

/// A target column type as PostgreSQL's format_type() spells it, e.g. "numeric(15,2)".
struct TargetType {
  std::string sql;  // the spelling, usable in a cast
  TypeKind kind = TypeKind::other;
  int precision = -1;  // numeric precision, or fractional-second digits (-1 = default)
  int scale = -1;      // numeric scale (-1 = unconstrained)
  int length = -1;     // varchar(n)/char(n) characters
};

/// Parse a type spelling ("timestamp(3) without time zone", "character varying(14)",
/// "numeric(10,1)", "int4").
TargetType parse_target_type(const std::string& spelling);

/// A target type that cannot hold every value of a source column's type: copying
/// rounds, cuts or pads some values without an error.
struct Narrowing {
  std::string what;  // e.g. "rounds decimal(10,2) values to 1 decimal place"
  std::string wide;  // a type holding the source's values and the target's: what to compare as
};

/// Whether `target` narrows a source column of canonical type `source`, spelled
/// `source_native` by its database (char(n) sources keep char(n)'s padding rules).
/// Only silent changes count: a value the target refuses is an error or a reject.
std::optional<Narrowing> narrowing(const catalog::Type& source, const std::string& source_native,
                                   const TargetType& target);

}  // namespace replicate::target
