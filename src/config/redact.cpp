// SPDX-License-Identifier: Apache-2.0
// Masking secrets in connection strings so they can be printed: ODBC "k=v;" pairs,
// libpq "k=v k='v'" pairs and URIs (user:password@, ?password=). When the style is
// unclear, mask by every reading: showing "***" too often is harmless, a password is not.
#include <algorithm>
#include <cctype>
#include <string_view>

#include "config/conninfo.hpp"
#include "config/mapping.hpp"

namespace replicate::config {
namespace {

using Span = std::pair<std::size_t, std::size_t>;  // [begin, end) of a value to mask

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// pwd, password, passwd, secret, token, and their longer forms (sslpassword, AccessToken).
bool is_secret_key(std::string_view key) {
  const std::string k = lower_trimmed(key);
  for (const char* word : {"pwd", "passw", "secret", "token"})
    if (k.find(word) != std::string::npos) return true;
  return false;
}

// A value that is only ${env:X} or ${file:P} names where the secret lives, which is
// useful to see and not itself a secret.
bool is_placeholder_only(std::string_view v) {
  while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
  if (v.size() >= 2 &&
      ((v.front() == '{' && v.back() == '}') || (v.front() == '\'' && v.back() == '\''))) {
    v = v.substr(1, v.size() - 2);
  }
  if (!(v.starts_with("${env:") || v.starts_with("${file:"))) return false;
  return v.find('}') == v.size() - 1 && v.find("${", 2) == std::string_view::npos;
}

void add_if_secret(std::vector<Span>& spans, std::string_view s, std::string_view key,
                   std::size_t begin, std::size_t end) {
  if (end > begin && is_secret_key(key) && !is_placeholder_only(s.substr(begin, end - begin)))
    spans.emplace_back(begin, end);
}

// libpq "key = value key='quoted \' value'": the pairs that are there, read by libpq's
// lexical rules (whether the string is libpq style at all is libpq's to say).
void scan_libpq(std::string_view s, std::vector<Span>& spans) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (true) {
    while (i < n && is_space(s[i])) ++i;
    if (i >= n) return;
    const std::size_t key_begin = i;
    while (i < n && !is_space(s[i]) && s[i] != '=') ++i;
    const std::string_view key = s.substr(key_begin, i - key_begin);
    while (i < n && is_space(s[i])) ++i;
    if (i >= n || s[i] != '=') continue;  // a stray word: skip it and read on
    ++i;
    while (i < n && is_space(s[i])) ++i;
    const std::size_t value_begin = i;
    if (i < n && s[i] == '\'') {
      for (++i; i < n && s[i] != '\''; ++i)
        if (s[i] == '\\') ++i;
      i = std::min(i + 1, n);
    } else {
      for (; i < n && !is_space(s[i]); ++i)
        if (s[i] == '\\') ++i;
      i = std::min(i, n);
    }
    add_if_secret(spans, s, key, value_begin, i);
  }
}

// ODBC "Key=value;Key={braced;value}}with escapes};".
void scan_odbc(std::string_view s, std::vector<Span>& spans) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const std::size_t eq = s.find_first_of("=;", i);
    if (eq == std::string_view::npos) return;
    if (s[eq] == ';') {
      i = eq + 1;
      continue;
    }
    const std::string_view key = s.substr(i, eq - i);
    std::size_t j = eq + 1;
    while (j < n && s[j] == ' ') ++j;
    std::size_t end;
    if (j < n && s[j] == '{') {
      std::size_t k = j + 1;
      while (k < n) {
        if (s.substr(k, 3) == "$${") {
          k += 3;  // an escaped literal "${"
        } else if (s.substr(k, 2) == "${" && s.find('}', k) != std::string_view::npos) {
          // A placeholder's '}' is its own, not the value's: "{${env:P}}" closes after it.
          k = s.find('}', k) + 1;
        } else if (s[k] == '}' && k + 1 < n && s[k + 1] == '}') {
          k += 2;
        } else if (s[k] == '}') {
          break;
        } else {
          ++k;
        }
      }
      end = s.find(';', std::min(k, n));
    } else {
      end = s.find(';', eq + 1);
    }
    if (end == std::string_view::npos) end = n;
    add_if_secret(spans, s, key, eq + 1, end);
    i = end + 1;
  }
}

// scheme://user:password@host/db?password=x&sslpassword=y
void scan_uri(std::string_view s, std::size_t authority_begin, std::vector<Span>& spans) {
  std::size_t authority_end = s.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = s.size();
  const std::size_t at = s.rfind('@', authority_end - 1);
  if (at != std::string_view::npos && at >= authority_begin) {
    const std::size_t colon = s.find(':', authority_begin);
    if (colon < at) add_if_secret(spans, s, "password", colon + 1, at);
  }
  std::size_t q = s.find('?', authority_begin);
  if (q == std::string_view::npos) return;
  const std::size_t query_end = std::min(s.find('#', q), s.size());
  for (std::size_t p = q + 1; p < query_end;) {
    std::size_t amp = std::min(s.find('&', p), query_end);
    const std::size_t eq = s.find('=', p);
    if (eq < amp) add_if_secret(spans, s, s.substr(p, eq - p), eq + 1, amp);
    p = amp + 1;
  }
}

std::size_t uri_authority(std::string_view s) {
  std::size_t i = 0;
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return 0;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' ||
                          s[i] == '.' || s[i] == '-'))
    ++i;
  return s.substr(i).starts_with("://") ? i + 3 : 0;
}

/// A secret field's value as the driver reads it: libpq '...' unquoted, ODBC {...}
/// unbraced, a URI's percent-encoding decoded.
std::string unwrapped(const std::string& raw, bool uri) {
  std::string out;
  if (raw.size() >= 2 && raw.front() == '\'' && raw.back() == '\'') {
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) out += raw[i] == '\\' && i + 2 < raw.size() ? raw[++i] : raw[i];
  } else if (raw.size() >= 2 && raw.front() == '{' && raw.back() == '}') {
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
      out += raw[i];
      if (raw[i] == '}' && raw[i + 1] == '}') ++i;
    }
  } else if (uri) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
          std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
        out += static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += raw[i];
      }
    }
  } else {
    out = raw;
  }
  return out;
}

/// The stretches of `connection` that hold secrets, sorted and merged.
std::vector<Span> secret_spans(const std::string& connection) {
  std::vector<Span> spans;
  if (std::size_t authority = uri_authority(connection); authority != 0) {
    scan_uri(connection, authority, spans);
  } else {
    const bool libpq = !libpq_parse_problem(connection);
    const bool semicolons = connection.find(';') != std::string::npos;
    if (libpq && !semicolons) {
      scan_libpq(connection, spans);
    } else if (!libpq && semicolons) {
      scan_odbc(connection, spans);
    } else {
      // "user=x;password=y", "password=a;b host=x", "PWD=a b", "hots=x password=y": no
      // telling which style was meant, so mask what either reading calls a secret.
      scan_odbc(connection, spans);
      scan_libpq(connection, spans);
    }
  }
  // Two readings may mask overlapping stretches: merge them so each shows one "***".
  std::sort(spans.begin(), spans.end());
  std::vector<Span> merged;
  for (const auto& span : spans) {
    if (!merged.empty() && span.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, span.second);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

}  // namespace

std::string redact_connection(const std::string& connection) {
  std::string out;
  std::size_t pos = 0;
  for (const auto& [begin, end] : secret_spans(connection)) {
    out.append(connection, pos, begin - pos);
    out += "***";
    pos = end;
  }
  out.append(connection, pos, std::string::npos);
  return out;
}

std::vector<std::string> secret_values(const std::string& connection, const std::vector<std::string>& values) {
  const std::string shown = redact_connection(connection);
  const bool uri = uri_authority(connection) != 0;
  std::vector<std::string> hidden;  // each secret field's value, as written and as read
  for (const auto& [begin, end] : secret_spans(connection)) {
    const std::string raw = connection.substr(begin, end - begin);
    hidden.push_back(raw);
    hidden.push_back(unwrapped(raw, uri));
  }
  std::vector<std::string> out;
  for (const auto& v : values) {
    // Readable only when the display shows it and it is not itself a secret field's value.
    const bool secret = std::find(hidden.begin(), hidden.end(), v) != hidden.end() || shown.find(v) == std::string::npos;
    if (secret && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  for (auto& h : hidden)
    if (!h.empty() && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(std::move(h));
  return out;
}

std::string mask_secrets(const std::string& text, const std::vector<std::string>& secrets) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t longest = 0;
    for (const auto& s : secrets)
      if (s.size() > longest && text.compare(i, s.size(), s) == 0) longest = s.size();
    if (longest == 0) {
      out += text[i++];
    } else {
      out += "***";
      i += longest;
    }
  }
  return out;
}

std::string replace_all(const std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  std::string out;
  std::size_t pos = 0;
  for (std::size_t p; (p = text.find(from, pos)) != std::string::npos; pos = p + from.size())
    out.append(text, pos, p - pos).append(to);
  return out.append(text, pos, std::string::npos);
}

}  // namespace replicate::config
