// SPDX-License-Identifier: Apache-2.0
// Canonical type helpers shared by every dialect.
#include "catalog/types.hpp"

#include <algorithm>
#include <cctype>

namespace replicate::catalog {

const char* to_string(TypeId id) {
  switch (id) {
    case TypeId::boolean: return "boolean";
    case TypeId::int16: return "int16";
    case TypeId::int32: return "int32";
    case TypeId::int64: return "int64";
    case TypeId::decimal: return "decimal";
    case TypeId::float32: return "float32";
    case TypeId::float64: return "float64";
    case TypeId::string: return "string";
    case TypeId::text: return "text";
    case TypeId::date: return "date";
    case TypeId::time: return "time";
    case TypeId::timestamp: return "timestamp";
    case TypeId::timestamptz: return "timestamptz";
    case TypeId::uuid: return "uuid";
    case TypeId::bytes: return "bytes";
    case TypeId::json: return "json";
    case TypeId::xml: return "xml";
  }
  return "text";
}

std::string to_string(const Type& t) {
  std::string s = to_string(t.id);
  switch (t.id) {
    case TypeId::decimal:
      if (t.precision > 0) s += "(" + std::to_string(t.precision) + "," + std::to_string(std::max(t.scale, 0)) + ")";
      break;
    case TypeId::string:
    case TypeId::bytes:
      if (t.length > 0) s += "(" + std::to_string(t.length) + ")";
      break;
    case TypeId::time:
    case TypeId::timestamp:
    case TypeId::timestamptz:
      if (t.precision >= 0) s += "(" + std::to_string(t.precision) + ")";
      break;
    default:
      break;
  }
  return s;
}

bool is_long(const Type& t) {
  switch (t.id) {
    case TypeId::text:
    case TypeId::json:
    case TypeId::xml:
      return true;
    case TypeId::string:
    case TypeId::bytes:
      return t.length < 0 || t.length > 8000;
    default:
      return false;
  }
}

bool is_integer(const Type& t) {
  return t.id == TypeId::int16 || t.id == TypeId::int32 || t.id == TypeId::int64;
}

static bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const Column* TableInfo::find(const std::string& column_name) const {
  for (const auto& c : columns)
    if (c.name == column_name) return &c;
  for (const auto& c : columns)
    if (iequals(c.name, column_name)) return &c;
  return nullptr;
}

std::pair<std::string, std::string> split_qualified(const std::string& name) {
  bool quoted = false;
  char close = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!quoted && (c == '"' || c == '[')) {
      quoted = true;
      close = c == '[' ? ']' : '"';
    } else if (quoted && c == close) {
      quoted = false;
    } else if (!quoted && c == '.') {
      return {name.substr(0, i), name.substr(i + 1)};
    }
  }
  return {"", name};
}

}  // namespace replicate::catalog
