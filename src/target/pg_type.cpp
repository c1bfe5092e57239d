// SPDX-License-Identifier: Apache-2.0
// PostgreSQL type spellings read into kinds, and which of them narrow a source type.
#include "target/pg_type.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <vector>

namespace replicate::target {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// A source column declared char(n)/nchar(n): its values are padded already, and char(n)
/// targets keep them as they are.
bool char_native(const std::string& native) {
  const std::string n = lower(native);
  if (n.find("varying") != std::string::npos) return false;
  for (const char* p : {"char", "nchar", "character", "bpchar"})
    if (n == p || n.rfind(std::string(p) + "(", 0) == 0 || n.rfind(std::string(p) + " (", 0) == 0) return true;
  return false;
}

std::string plural(int n, const char* word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

}  // namespace

TargetType parse_target_type(const std::string& spelling) {
  TargetType t;
  t.sql = spelling;
  const std::string s = lower(spelling);
  std::string base = s, suffix;
  std::vector<int> args;
  if (auto open = s.find('('); open != std::string::npos) {
    auto close = s.find(')', open);
    base = s.substr(0, open);
    std::string inside =
        s.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    for (std::size_t start = 0; start <= inside.size();) {
      auto comma = inside.find(',', start);
      std::string a(trim(
          inside.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      args.push_back(all_digits(a) ? std::stoi(a) : -1);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (close != std::string::npos) suffix = std::string(trim(s.substr(close + 1)));
  }
  base = std::string(trim(base));
  const std::string name = suffix.empty() ? base : base + " " + suffix;
  const int a0 = args.size() > 0 ? args[0] : -1, a1 = args.size() > 1 ? args[1] : -1;
  auto is = [&](std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return name == n; });
  };
  if (is({"boolean", "bool"}))
    t.kind = TypeKind::boolean;
  else if (is({"smallint", "int2"}))
    t.kind = TypeKind::int16;
  else if (is({"integer", "int", "int4"}))
    t.kind = TypeKind::int32;
  else if (is({"bigint", "int8"}))
    t.kind = TypeKind::int64;
  else if (is({"numeric", "decimal"})) {
    t.kind = TypeKind::numeric;
    t.precision = a0;
    t.scale = a0 > 0 ? std::max(a1, 0) : -1;
    if (a1 < -1) t.kind = TypeKind::other;  // negative scales (PostgreSQL 15): the server decides
  } else if (is({"real", "float4"}))
    t.kind = TypeKind::float4;
  else if (is({"double precision", "float8"}))
    t.kind = TypeKind::float8;
  else if (is({"text", "name", "citext", "character varying", "varchar"})) {
    t.kind = TypeKind::text;
    t.length = a0;
  } else if (is({"character", "char", "bpchar"})) {
    t.kind = TypeKind::bpchar;
    t.length = base == "bpchar" && args.empty() ? -1 : (args.empty() ? 1 : a0);
  } else if (is({"date"}))
    t.kind = TypeKind::date;
  else if (is({"time", "time without time zone"})) {
    t.kind = TypeKind::time;
    t.precision = a0;
  } else if (is({"timestamp", "timestamp without time zone"})) {
    t.kind = TypeKind::timestamp;
    t.precision = a0;
  } else if (is({"timestamptz", "timestamp with time zone"})) {
    t.kind = TypeKind::timestamptz;
    t.precision = a0;
  } else if (is({"uuid"}))
    t.kind = TypeKind::uuid;
  else if (is({"bytea"}))
    t.kind = TypeKind::bytea;
  else if (is({"json"}))
    t.kind = TypeKind::json;
  return t;  // jsonb, xml, intervals, domains, ...: other
}

std::optional<Narrowing> narrowing(const catalog::Type& source, const std::string& source_native,
                                   const TargetType& target) {
  using catalog::TypeId;
  const std::string from = catalog::to_string(source);
  const bool textual = source.id == TypeId::text || source.id == TypeId::string;
  switch (target.kind) {
    case TypeKind::numeric: {
      if (target.scale < 0) return std::nullopt;  // unconstrained: every number as it is
      const bool fits = source.id == TypeId::decimal && source.precision > 0 && source.scale >= 0 &&
                        source.scale <= target.scale;
      if (fits || !(source.id == TypeId::decimal || source.id == TypeId::float32 || source.id == TypeId::float64 ||
                    textual))
        return std::nullopt;
      return Narrowing{fmt::format("rounds {} values to {}", from, plural(target.scale, "decimal place")), "numeric"};
    }
    case TypeKind::float4:
      if (source.id == TypeId::float64 || source.id == TypeId::decimal || source.id == TypeId::int32 ||
          source.id == TypeId::int64)
        return Narrowing{fmt::format("keeps about 6 significant digits of {} values", from),
                         source.id == TypeId::float64 ? "double precision" : "numeric"};
      return std::nullopt;
    case TypeKind::float8:
      if (source.id == TypeId::int64 || (source.id == TypeId::decimal && (source.precision <= 0 || source.precision > 15)))
        return Narrowing{fmt::format("keeps about 15 significant digits of {} values", from), "numeric"};
      return std::nullopt;
    case TypeKind::time:
    case TypeKind::timestamp:
    case TypeKind::timestamptz: {
      if (target.precision < 0 || target.precision >= 6) return std::nullopt;  // 6: PostgreSQL's most
      int digits = 0;  // fractional second digits the source's values may have
      if (source.id == TypeId::time || source.id == TypeId::timestamp || source.id == TypeId::timestamptz)
        digits = source.precision < 0 ? 6 : source.precision;
      else if (textual)
        digits = 6;
      if (digits <= target.precision) return std::nullopt;
      const char* wide = target.kind == TypeKind::time        ? "time without time zone"
                         : target.kind == TypeKind::timestamp ? "timestamp without time zone"
                                                              : "timestamp with time zone";
      return Narrowing{fmt::format("rounds {} values to {}", from, plural(target.precision, "fractional second digit")),
                       wide};
    }
    case TypeKind::date:
      if (source.id == TypeId::timestamp || source.id == TypeId::timestamptz || textual)
        return Narrowing{fmt::format("drops the time of day of {} values", from),
                         source.id == TypeId::timestamptz ? "timestamp with time zone" : "timestamp without time zone"};
      return std::nullopt;
    case TypeKind::text:
      // varchar(n) refuses longer values, except that it cuts spaces beyond n silently.
      if (target.length <= 0 || !textual || (source.length > 0 && source.length <= target.length))
        return std::nullopt;
      return Narrowing{fmt::format("cuts the trailing spaces of {} values beyond {}", from,
                                   plural(target.length, "character")),
                       "text"};
    case TypeKind::bpchar:
      // char(n) pads with spaces and ignores trailing ones: a value's own are lost.
      if (!textual || char_native(source_native)) return std::nullopt;
      return Narrowing{fmt::format("drops the trailing spaces of {} values", from), "text"};
    default:
      return std::nullopt;
  }
}

}  // namespace replicate::target
