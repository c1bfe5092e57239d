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

bool glob_at(const std::string& p, std::size_t i, const std::string& s, std::size_t j) {
  // Patterns are short: plain backtracking is enough.
  for (; i < p.size(); ++i, ++j) {
    if (p[i] == '*') {
      for (std::size_t k = j; k <= s.size(); ++k)
        if (glob_at(p, i + 1, s, k)) return true;
      return false;
    }
    if (j >= s.size()) return false;
    if (p[i] != '?' && std::tolower(static_cast<unsigned char>(p[i])) !=
                           std::tolower(static_cast<unsigned char>(s[j])))
      return false;
  }
  return j == s.size();
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
  return glob_at(pattern, 0, name, 0);
}

}  // namespace replicate::config
