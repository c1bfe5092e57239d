// SPDX-License-Identifier: Apache-2.0
// ${env:NAME} and ${file:PATH} in mapping values: how secrets reach the connection strings
// without being written in the file. Messages name the variable or path, never the value.
// A value goes into a connection string quoted for that string's syntax, so a space, a
// quote or a ';' in a password can neither break the string nor add a setting to it.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>

#include "config/conninfo.hpp"
#include "config/files.hpp"
#include "config/mapping.hpp"

namespace replicate::config {
namespace {

const char* const kFixHint = "use ${env:NAME} or ${file:PATH}, or write $${ for a literal ${";
const char* const kFileHint =
    "check the path, which is relative to the mapping file's directory unless absolute";

/// A stretch of a value: literal text (a $${ escape already turned into ${) or a placeholder.
struct Piece {
  bool placeholder = false;
  std::string text;  // the literal text, or the placeholder's argument
  bool env = false;  // ${env:...} rather than ${file:...}
  /// ${env:NAME:-default}: the text used when NAME is unset or empty, as in a shell.
  std::optional<std::string> fallback;
};

std::string read_env(const Piece& p, const Location& where) {
  const std::string& name = p.text;
  const char* value = std::getenv(name.c_str());
  if ((value == nullptr || *value == '\0') && p.fallback) return *p.fallback;
  if (value == nullptr)
    throw ConfigError(where, "environment variable '" + name + "' is not set; export " + name +
                                 " before running replicate, or change the mapping");
  return value;
}

std::string read_secret_file(const std::string& path, const std::string& base_dir,
                             const Location& where) {
  namespace fs = std::filesystem;
  fs::path full(path);
  if (full.is_relative() && !base_dir.empty()) full = fs::path(base_dir) / full;
  FileText file = read_regular_file(full.string(), kMaxSecretFileBytes);
  // The path as written, not as resolved: it is what the user can find in the file.
  if (!file.text)
    throw ConfigError(where, "cannot read file '" + path + "' (" + file.reason + "); " +
                                 (file.refused ? "${file:PATH} reads only regular files of at most " +
                                                     size_words(kMaxSecretFileBytes) +
                                                     "; point it at the file that holds the secret"
                                               : std::string(kFileHint)));
  std::string text = std::move(*file.text);
  if (text.find('\0') != std::string::npos)
    throw ConfigError(where, "file '" + path +
                                 "' holds a NUL byte, which no connection string can carry; "
                                 "remove it from the file");
  // Files written by editors or `echo` end in a newline that is not part of the secret.
  if (!text.empty() && text.back() == '\n') {
    text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
  }
  return text;
}

// A placeholder as quoted in a message: cut at the first character no variable or path name
// holds, so a literal password written after a broken placeholder is never echoed.
std::string shown(const std::string& text, std::size_t start) {
  std::size_t end = start + 2;
  while (end < text.size() && end - start < 60 &&
         (std::isalnum(static_cast<unsigned char>(text[end])) ||
          std::string_view("_:./-").find(text[end]) != std::string_view::npos))
    ++end;
  if (end < text.size() && text[end] == '}') return text.substr(start, end - start + 1);
  return text.substr(start, end - start);
}

/// `text` cut into literal stretches and placeholders; malformed placeholders throw.
std::vector<Piece> split(const std::string& text, const Location& where) {
  std::vector<Piece> out;
  auto literal = [&](std::string_view s) {
    if (out.empty() || out.back().placeholder) out.push_back(Piece{});
    out.back().text += s;
  };
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      literal("${");
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      literal(std::string_view(text).substr(i, 1));
      ++i;
      continue;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string::npos)
      throw ConfigError(where, "unterminated placeholder '" + shown(text, i) +
                                   "'; close it with '}', or write $${ for a literal ${");
    const std::string inner = text.substr(i + 2, close - i - 2);
    const std::size_t colon = inner.find(':');
    const std::string kind = colon == std::string::npos ? inner : inner.substr(0, colon);
    std::string arg = colon == std::string::npos ? "" : inner.substr(colon + 1);
    // ${env:NAME:-default}: the default runs to the first '}', so it holds no '}' and no
    // placeholder of its own.
    std::optional<std::string> fallback;
    if (const std::size_t dash = arg.find(":-"); kind == "env" && dash != std::string::npos) {
      fallback = arg.substr(dash + 2);
      arg.resize(dash);
      if (fallback->find("${") != std::string::npos)
        throw ConfigError(where, "the default in '" + shown(text, i) +
                                     "' holds a placeholder; a default is literal text (up to the first '}')");
    }
    const bool env_name_ok = !arg.empty() && !std::isdigit(static_cast<unsigned char>(arg[0])) &&
                             std::all_of(arg.begin(), arg.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                             });
    if ((kind != "env" && kind != "file") || arg.empty() || (kind == "env" && !env_name_ok))
      throw ConfigError(where, "invalid placeholder '" + shown(text, i) + "'; " + kFixHint);
    out.push_back(Piece{true, arg, kind == "env", fallback});
    i = close + 1;
  }
  return out;
}

std::string resolve(const Piece& p, const std::string& base_dir, const Location& where) {
  return p.env ? read_env(p, where) : read_secret_file(p.text, base_dir, where);
}

/// What stands for an ${env:} value that is not read: valid as any libpq, URI or ODBC value
/// (a host, a port, a name), so the string around it is still checked.
const char* const kStandIn = "1";

/// A placeholder's value under `env`'s reading; nullopt when a stand-in takes its place.
std::optional<std::string> resolve(const Piece& p, const std::string& base_dir, const Location& where,
                                   EnvPlaceholders& env) {
  if (!p.env) return read_secret_file(p.text, base_dir, where);
  // A variable with a default is never missing: `validate` has nothing to warn about.
  if (env.reading == EnvReading::names_only && p.fallback) return std::nullopt;
  const char* value = std::getenv(p.text.c_str());
  if ((value == nullptr || *value == '\0') && p.fallback) return *p.fallback;
  if (value == nullptr) {
    const bool known = std::any_of(env.unset.begin(), env.unset.end(),
                                   [&](const UnsetVariable& u) { return u.name == p.text; });
    if (!known) env.unset.push_back({p.text, where});
    return std::nullopt;
  }
  if (env.reading == EnvReading::names_only) return std::nullopt;
  return std::string(value);
}

/// The value to write for a placeholder, recorded as a secret unless it is a stand-in.
std::string substitute(const Piece& p, const std::string& base_dir, const Location& where, EnvPlaceholders& env,
                       std::vector<std::string>& secrets) {
  std::optional<std::string> v = resolve(p, base_dir, where, env);
  if (!v) return kStandIn;
  if (!v->empty()) secrets.push_back(*v);
  return *v;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool starts_with_space_or_ends(const std::vector<Piece>& pieces, std::size_t next) {
  return next >= pieces.size() ||
         (!pieces[next].placeholder && !pieces[next].text.empty() && is_space(pieces[next].text[0]));
}

/// libpq quoting: inside '...' a backslash escapes ' and \; unquoted, also whitespace.
std::string libpq_escaped(const std::string& v, bool quoted) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '\'' || (!quoted && is_space(c))) out += '\\';
    out += c;
  }
  return out;
}

[[noreturn]] void misplaced(const std::string& field, const Location& where, const char* example) {
  throw ConfigError(where, "a placeholder in '" + field +
                               "' stands where a keyword belongs; put it after '=' (" + example +
                               "), or make it the whole connection string");
}

std::string libpq_connection(const std::vector<Piece>& pieces, const std::string& field,
                             const std::string& base_dir, const Location& where,
                             std::vector<std::string>& secrets, EnvPlaceholders& env) {
  enum class St { between, key, before_value, unquoted, quoted };
  St st = St::between;
  bool escaped = false;  // the previous character was a backslash inside a value
  std::string out;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const Piece& piece = pieces[p];
    if (!piece.placeholder) {
      for (char c : piece.text) {
        out += c;
        if (escaped) {
          escaped = false;
          continue;
        }
        switch (st) {
          case St::between:
            if (c == '=') st = St::before_value;
            else if (!is_space(c)) st = St::key;
            break;
          case St::key:
            if (c == '=') st = St::before_value;
            break;
          case St::before_value:
            if (c == '\'') st = St::quoted;
            else if (c == '\\') st = St::unquoted, escaped = true;
            else if (!is_space(c)) st = St::unquoted;
            break;
          case St::unquoted:
            if (c == '\\') escaped = true;
            else if (is_space(c)) st = St::between;
            break;
          case St::quoted:
            if (c == '\\') escaped = true;
            else if (c == '\'') st = St::between;
            break;
        }
      }
      continue;
    }
    const std::string v = substitute(piece, base_dir, where, env, secrets);
    switch (st) {
      case St::between:
      case St::key:
        misplaced(field, where, "password=${env:PGPASSWORD}");
      case St::before_value:
        if (starts_with_space_or_ends(pieces, p + 1)) {
          // The whole value: quoted when it must be (empty, spaces, quotes, backslashes).
          const bool plain = !v.empty() && std::none_of(v.begin(), v.end(), [](char c) {
            return is_space(c) || c == '\'' || c == '\\';
          });
          out += plain ? v : "'" + libpq_escaped(v, true) + "'";
          st = St::between;
        } else {
          out += libpq_escaped(v, false);
          st = St::unquoted;
        }
        break;
      case St::unquoted:
        out += libpq_escaped(v, false);
        break;
      case St::quoted:
        out += libpq_escaped(v, true);
        break;
    }
  }
  return out;
}

std::string uri_connection(const std::vector<Piece>& pieces, const std::string& base_dir,
                           const Location& where, std::vector<std::string>& secrets, EnvPlaceholders& env) {
  std::string out;
  for (const Piece& piece : pieces) {
    if (!piece.placeholder) {
      out += piece.text;
      continue;
    }
    out += percent_encoded(substitute(piece, base_dir, where, env, secrets));
  }
  return out;
}

std::string odbc_connection(const std::vector<Piece>& pieces, const std::string& field,
                            const std::string& base_dir, const Location& where,
                            std::vector<std::string>& secrets, EnvPlaceholders& env) {
  enum class St { key, value_start, value, braced };
  St st = St::key;
  std::string out;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const Piece& piece = pieces[p];
    if (!piece.placeholder) {
      const std::string& s = piece.text;
      for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        out += c;
        switch (st) {
          case St::key:
            if (c == '=') st = St::value_start;
            break;
          case St::value_start:
            if (c == '{') st = St::braced;
            else if (c == ';') st = St::key;
            else if (c != ' ') st = St::value;
            break;
          case St::value:
            if (c == ';') st = St::key;
            break;
          case St::braced:
            if (c == '}' && i + 1 < s.size() && s[i + 1] == '}') out += s[++i];  // an escaped }
            else if (c == '}') st = St::value;
            break;
        }
      }
      continue;
    }
    const std::string v = substitute(piece, base_dir, where, env, secrets);
    std::string doubled;
    for (char c : v) doubled += c == '}' ? "}}" : std::string(1, c);
    const bool special = v.find_first_of(";{}") != std::string::npos ||
                         (!v.empty() && (v.front() == ' ' || v.back() == ' '));
    const bool whole = p + 1 >= pieces.size() ||
                       (!pieces[p + 1].placeholder && pieces[p + 1].text[0] == ';');
    switch (st) {
      case St::key:
        misplaced(field, where, "PWD=${env:MSSQL_PASSWORD}");
      case St::braced:
        out += doubled;
        break;
      case St::value_start:
        if (whole) {
          out += special ? "{" + doubled + "}" : v;  // braces only where needed
          st = St::value;
          break;
        }
        [[fallthrough]];
      case St::value:
        if (special)
          throw ConfigError(where, "the value of a placeholder in '" + field +
                                       "' holds ';', '{', '}' or an edge space, which cannot stand "
                                       "inside a longer ODBC value; make the placeholder the whole "
                                       "value (PWD=${env:NAME}) so that replicate can brace it");
        out += v;
        st = St::value;
        break;
    }
  }
  return out;
}

}  // namespace

std::string interpolate(const std::string& text, const std::string& base_dir,
                        const Location& where) {
  std::string out;
  for (const Piece& p : split(text, where)) out += p.placeholder ? resolve(p, base_dir, where) : p.text;
  return out;
}

std::string literal_value(const std::string& text, const std::string& field, const Location& where) {
  std::string out;
  for (const Piece& p : split(text, where)) {
    if (p.placeholder)
      throw ConfigError(where, "'" + field +
                                   "' holds a placeholder, but ${env:...} and ${file:...} are read "
                                   "only in 'source.connection' and 'target.connection', so that "
                                   "no secret is ever printed; write the value itself here (or $${ "
                                   "for a literal ${)");
    out += p.text;
  }
  return out;
}

std::string interpolate_connection(const std::string& text, ConnectionStyle style,
                                   const std::string& field, const std::string& base_dir,
                                   const Location& where, std::vector<std::string>& secrets,
                                   EnvPlaceholders& env) {
  const std::vector<Piece> pieces = split(text, where);
  env.whole_stand_in = false;
  // A whole connection string from one placeholder (DATABASE_URL style) is taken as it is.
  if (pieces.size() == 1 && pieces[0].placeholder) {
    std::optional<std::string> v = resolve(pieces[0], base_dir, where, env);
    if (!v) {
      env.whole_stand_in = true;
      return kStandIn;
    }
    if (!v->empty()) secrets.push_back(*v);
    return *v;
  }
  switch (style) {
    case ConnectionStyle::libpq:
      return libpq_connection(pieces, field, base_dir, where, secrets, env);
    case ConnectionStyle::uri:
      return uri_connection(pieces, base_dir, where, secrets, env);
    case ConnectionStyle::odbc:
      return odbc_connection(pieces, field, base_dir, where, secrets, env);
    case ConnectionStyle::plain:
      break;
  }
  std::string out;
  for (const Piece& p : pieces) out += p.placeholder ? substitute(p, base_dir, where, env, secrets) : p.text;
  return out;
}

}  // namespace replicate::config
