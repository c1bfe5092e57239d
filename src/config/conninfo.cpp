// SPDX-License-Identifier: Apache-2.0
// libpq's PQconninfoParse, so that a connection string is read exactly as libpq will
// read it when it connects, and its complaints are retold without quoting the string.
#include "config/conninfo.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <string_view>

namespace replicate::config {

std::optional<std::string> libpq_parse_problem(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options != nullptr) {
    PQconninfoFree(options);
    return std::nullopt;
  }
  const std::string_view message = error ? error : "";
  std::string reason;
  if (message.starts_with("missing \"=\""))
    reason = "a word without '=': write keyword=value pairs separated by spaces, and put a value "
             "that holds spaces or quotes in single quotes ('a b\\'c')";
  else if (message.starts_with("invalid connection option"))
    reason = "an unknown keyword: libpq reads host, port, dbname, user, password, sslmode and "
             "the other keywords of its documentation";
  else if (message.starts_with("unterminated quoted string"))
    reason = "a quoted value without its closing quote: close it, and write \\' for a quote "
             "inside it";
  else if (message.find("URI") != std::string_view::npos)
    reason = "an invalid postgresql:// URI: percent-encode reserved characters in its parts";
  else if (!error)
    reason = "libpq ran out of memory reading it";
  else
    reason = "libpq cannot parse it";
  PQfreemem(error);
  return reason;
}

std::string percent_encoded(const std::string& v) {
  static const char* const hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : v) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string libpq_as_uri(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    PQfreemem(error);
    return conninfo;  // libpq's connect reports it (the loader has refused it already)
  }
  std::string uri = "postgresql://";
  char separator = '?';
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    uri += separator;
    uri += std::string(o->keyword) + "=" + percent_encoded(o->val);
    separator = '&';
  }
  PQconninfoFree(options);
  // SOCI appends '=' to a token without one: a URI always holds one.
  if (separator == '?') uri += "?application_name=replicate";
  return uri;
}

}  // namespace replicate::config
