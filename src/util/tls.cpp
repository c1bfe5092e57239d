// SPDX-License-Identifier: Apache-2.0
// TLS defaults and warnings. libpq reads its own strings (PQconninfoParse, and
// PQconndefaults for what the environment supplies), so a URI, quoting or PGHOST
// mean here exactly what they mean to the connection.
#include "util/tls.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <vector>

namespace replicate::util {

namespace {

constexpr const char* kDebianCaBundle = "/etc/ssl/certs/ca-certificates.crt";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    const auto at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

/// The keywords `conninfo` sets, as libpq parses them; nullopt when it does not parse
/// (libpq's connect then reports the problem).
std::optional<std::map<std::string, std::string>> parse(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (!options) {
    PQfreemem(error);
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (auto* o = options; o->keyword; ++o)
    if (o->val) out[o->keyword] = o->val;
  PQconninfoFree(options);
  return out;
}

/// What the environment (PGHOST, PGSSLMODE, PGSERVICE, ...) supplies for `keyword`.
std::string environment_default(const char* keyword) {
  std::string value;
  PQconninfoOption* defaults = PQconndefaults();
  for (auto* o = defaults; o && o->keyword; ++o)
    if (std::string(o->keyword) == keyword && o->val && o->envvar && std::getenv(o->envvar)) value = o->val;
  PQconninfoFree(defaults);
  return value;
}

std::string setting(const std::map<std::string, std::string>& given, const char* keyword) {
  auto it = given.find(keyword);
  return it != given.end() ? it->second : environment_default(keyword);
}

/// A host (or hostaddr) on this machine: a Unix socket, the default socket, loopback.
bool local(const std::string& host) {
  const std::string h = lower(host);
  return h.empty() || h[0] == '/' || h[0] == '@' || h == "localhost" || h.rfind("127.", 0) == 0 || h == "::1" ||
         h == "[::1]";
}

bool uri(const std::string& conninfo) {
  return conninfo.rfind("postgresql://", 0) == 0 || conninfo.rfind("postgres://", 0) == 0;
}

/// The value of ODBC keyword `key` (lower case) in `connection`, and where it is.
struct OdbcValue {
  std::size_t begin = std::string::npos, end = std::string::npos;  // the whole "key=value"
  std::string value;
};
OdbcValue odbc_value(const std::string& connection, const std::string& key) {
  OdbcValue v;
  std::size_t start = 0;
  while (start < connection.size()) {
    std::size_t eq = connection.find('=', start);
    if (eq == std::string::npos) break;
    std::size_t end = eq + 1;
    if (end < connection.size() && connection[end] == '{') {  // {a;b} values hold semicolons
      end = connection.find('}', end);
      end = end == std::string::npos ? connection.size() : end + 1;
    }
    end = std::min(connection.find(';', end), connection.size());
    std::string k = connection.substr(start, eq - start);
    k.erase(0, k.find_first_not_of(' '));
    k.erase(k.find_last_not_of(' ') + 1);
    if (lower(k) == key) {
      v.begin = start;
      v.end = end;
      v.value = connection.substr(eq + 1, end - eq - 1);
    }
    start = end + 1;
  }
  return v;
}

}  // namespace

std::string pg_conninfo_with_tls(const std::string& conninfo) {
  const auto given = parse(conninfo);
  if (!given) return conninfo;
  if (!setting(*given, "sslmode").empty() || !setting(*given, "service").empty()) return conninfo;
  const auto hosts = split(setting(*given, "host"), ',');
  const auto addrs = split(setting(*given, "hostaddr"), ',');
  bool remote = false;
  for (std::size_t i = 0; i < std::max(hosts.size(), addrs.size()); ++i) {
    // libpq connects to hostaddr when given, and checks the certificate against host.
    const std::string& where = i < addrs.size() && !addrs[i].empty() ? addrs[i] : i < hosts.size() ? hosts[i] : "";
    remote = remote || !local(where);
  }
  if (!remote) return conninfo;
  std::string root;
  if (setting(*given, "sslrootcert").empty()) root = PQlibVersion() >= 160000 ? "system" : kDebianCaBundle;
  if (uri(conninfo)) {
    std::string out = conninfo + (conninfo.find('?') == std::string::npos ? "?" : "&") + "sslmode=verify-full";
    return root.empty() ? out : out + "&sslrootcert=" + root;
  }
  std::string out = conninfo + (conninfo.empty() ? "" : " ") + "sslmode=verify-full";
  return root.empty() ? out : out + " sslrootcert='" + root + "'";
}

std::string odbc_connection_with_tls(const std::string& connection) {
  const std::string driver = lower(odbc_value(connection, "driver").value);
  if (driver.find("freetds") == std::string::npos && driver.find("tdsodbc") == std::string::npos) return connection;
  const OdbcValue encrypt = odbc_value(connection, "encrypt");
  if (encrypt.begin == std::string::npos || odbc_value(connection, "encryption").begin != std::string::npos)
    return connection;
  const std::string v = lower(encrypt.value);
  if (v == "strict")
    throw std::invalid_argument(
        "Encrypt=strict (TDS 8) is not supported by FreeTDS 1.3, which would connect unencrypted; use "
        "Encryption=require with FreeTDS, or Microsoft's ODBC Driver 18 for strict encryption");
  if (v != "yes" && v != "true" && v != "mandatory") return connection;  // no/optional: FreeTDS's own default
  return connection.substr(0, encrypt.begin) + "Encryption=require" + connection.substr(encrypt.end);
}

std::optional<std::string> weak_tls_setting(const std::string& connection) {
  std::string c = lower(connection);
  c.erase(std::remove(c.begin(), c.end(), ' '), c.end());
  for (const char* bad : {"encrypt=no", "encrypt=false", "encrypt=optional", "encryption=off", "encryption=request",
                          "trustservercertificate=yes", "trustservercertificate=true", "sslmode=disable",
                          "sslmode=allow", "sslmode=prefer", "sslmode=require", "sslmode=verify-ca"})
    if (c.find(bad) != std::string::npos) return std::string(bad);
  // A libpq string naming no sslmode takes PGSSLMODE's.
  if (auto given = parse(connection); given && !given->count("sslmode")) {
    const std::string mode = lower(environment_default("sslmode"));
    if (!mode.empty() && mode != "verify-full") return "PGSSLMODE=" + mode;
  }
  return std::nullopt;
}

}  // namespace replicate::util
