// SPDX-License-Identifier: Apache-2.0
// Table names in mapping entries: splitting "schema.table", deriving a target from a
// source, and matching `include`/`exclude` globs. Shared by the loader and the plan.
#include <cctype>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string unquote(std::string s) {
  if (s.size() >= 2 &&
      ((s.front() == '[' && s.back() == ']') || (s.front() == '"' && s.back() == '"')))
    s = s.substr(1, s.size() - 2);
  return s;
}

bool same_char(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

}  // namespace

std::pair<std::string, std::string> split_table_name(const std::string& name) {
  std::size_t dot = std::string::npos;
  char closing = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (closing != 0) {
      if (c == closing) closing = 0;
    } else if (c == '[' || c == '"') {
      closing = c == '[' ? ']' : '"';
    } else if (c == '.') {
      dot = i;
    }
  }
  if (dot == std::string::npos) return {"", unquote(name)};
  return {unquote(name.substr(0, dot)), unquote(name.substr(dot + 1))};
}

std::string resolve_target(const std::string& target, const std::string& source_table,
                           IdentifierCase identifier_case) {
  auto [schema, table] = split_table_name(source_table);
  if (identifier_case == IdentifierCase::lower) {
    schema = lower(schema);
    table = lower(table);
  }
  std::string out = target.empty() ? "public.{table}" : target;
  for (const auto& [placeholder, value] :
       {std::pair<std::string, std::string>{"{table}", table}, {"{schema}", schema}}) {
    for (std::size_t p = out.find(placeholder); p != std::string::npos;
         p = out.find(placeholder, p + value.size()))
      out.replace(p, placeholder.size(), value);
  }
  return out;
}

bool glob_match(const std::string& pattern, const std::string& name) {
  // Two pointers, backtracking only to the last '*': a later star can match anything an
  // earlier one could, so no other choice ever needs revisiting. Plain recursion took
  // minutes on patterns such as "*a*a*a*a*a*b".
  std::size_t p = 0, s = 0;
  std::size_t star = std::string::npos, resume = 0;  // last '*' seen, and where its match ends
  while (s < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = s;
    } else if (p < pattern.size() && (pattern[p] == '?' || same_char(pattern[p], name[s]))) {
      ++p;
      ++s;
    } else if (star != std::string::npos) {
      p = star + 1;  // let the last star swallow one more character
      s = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool is_plain_identifier(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!letter(name[0])) return false;
  for (char c : name)
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

}  // namespace replicate::config
