// SPDX-License-Identifier: Apache-2.0
// Classification of database errors, decided once here rather than at each catch.
#include "util/error.hpp"

#include <regex>
#include <sstream>

namespace replicate::util {

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::connection: return "connection";
    case ErrorKind::transient: return "transient";
    case ErrorKind::constraint: return "constraint";
    case ErrorKind::data: return "data";
    case ErrorKind::permission: return "permission";
    case ErrorKind::missing: return "missing";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

bool is_retryable(ErrorKind k) { return k == ErrorKind::connection || k == ErrorKind::transient; }

DbError::DbError(ErrorKind kind, std::string side, std::string message, std::string sqlstate)
    : std::runtime_error(message), kind_(kind), side_(std::move(side)), sqlstate_(std::move(sqlstate)) {
  full_ = side_.empty() ? message : side_ + ": " + message;
}

void DbError::add_context(const std::string& context) { full_ = context + ": " + full_; }

std::string without_row_data(const std::string& message) {
  static const std::regex label(R"re(^(ERROR|FATAL|PANIC|WARNING|NOTICE|DETAIL|HINT|CONTEXT|QUERY|STATEMENT|LOCATION|LINE \d+):)re");
  // COPY's context names the line and column, then quotes the value or the whole line.
  static const std::regex copy_context(R"re((COPY [^,]+, line \d+(?:, column [^:]+)?): ".*)re");
  static const std::regex failing_row(R"re(Failing row contains \(.*)re");
  static const std::regex key_values(R"re((Key \((?:[^)"]|"[^"]*")*\)=\().*)re");
  static const std::regex key_end(R"re(\) (already exists|is not present in table "[^"]*"|is still referenced from table "[^"]*")\.$)re");
  static const std::regex quoted_input(R"re(: ".*)re");  // invalid input syntax for type integer: "x"
  static const std::regex out_of_range(R"re(value ".*" is out of range)re");
  static const std::regex json_token(R"re(Token ".*" is invalid)re");
  const std::string withheld = "(value withheld)";
  std::istringstream in(message);
  std::string out, line;
  bool skipping = false;  // inside a quoted value that spans lines
  for (bool first = true; std::getline(in, line); first = false) {
    if (skipping && !std::regex_search(line, label)) continue;
    skipping = false;
    std::smatch m;
    if (std::regex_search(line, m, copy_context)) {
      line = m.prefix().str() + m[1].str();
      skipping = true;
    } else if (std::regex_search(line, m, failing_row)) {
      line = m.prefix().str() + "Failing row contains " + withheld + ".";
      skipping = true;
    } else if (std::regex_search(line, m, key_values)) {
      std::smatch end;
      const std::string rest = m[0].str().substr(static_cast<std::size_t>(m[1].length()));
      const bool ends = std::regex_search(rest, end, key_end);
      line = m.prefix().str() + m[1].str() + "...)" + (ends ? " " + end[1].str() + "." : "");
      skipping = !ends;
    } else {
      line = std::regex_replace(line, out_of_range, "value " + withheld + " is out of range");
      line = std::regex_replace(line, json_token, "Token " + withheld + " is invalid");
      if (std::regex_search(line, m, quoted_input)) {
        line = m.prefix().str() + ": " + withheld;
        skipping = true;
      }
    }
    if (!first) out += '\n';
    out += line;
  }
  return out;
}

ErrorKind classify_sqlstate(const std::string& s) {
  if (s.size() < 2) return ErrorKind::internal;
  const std::string cls = s.substr(0, 2);
  if (cls == "08" || s == "57P01" || s == "57P02" || s == "57P03" || s == "HYT01" || s == "S1T00")
    return ErrorKind::connection;
  if (s == "40001" || s == "40P01" || s == "55P03" || s == "57014" || s == "HYT00") return ErrorKind::transient;
  if (cls == "23") return ErrorKind::constraint;
  if (cls == "22") return ErrorKind::data;
  if (cls == "42") return s == "42501" ? ErrorKind::permission : ErrorKind::missing;
  if (cls == "28") return ErrorKind::permission;
  if (cls == "53") return ErrorKind::transient;  // insufficient resources: may pass
  return ErrorKind::internal;
}

}  // namespace replicate::util
