// The canonical form of a value for comparison: PostgreSQL's text output of the value
// as the target column's type. The target computes it in SQL; a PostgreSQL source
// casts to the target type and does the same; other sources stream their COPY text
// and normalise it here, emulating the target type's input and output functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace replicate::verify {

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

/// Parse a format_type() spelling ("timestamp(3) without time zone", "character varying(14)").
TargetType parse_target_type(const std::string& format_type);

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
