// ${env:NAME} and ${file:PATH} in mapping values: how secrets reach the connection strings
// without being written in the file. Messages name the variable or path, never the value.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

const char* const kFixHint = "use ${env:NAME} or ${file:PATH}, or write $${ for a literal ${";

std::string read_env(const std::string& name, const Location& where) {
  const char* value = std::getenv(name.c_str());
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
  std::error_code ec;
  std::string reason;
  if (fs::is_directory(full, ec)) {
    reason = "it is a directory";
  } else {
    errno = 0;
    std::ifstream in(full, std::ios::binary);
    if (in) {
      std::ostringstream content;
      content << in.rdbuf();
      if (!in.bad()) {
        std::string text = content.str();
        // Files written by editors or `echo` end in a newline that is not part of the secret.
        if (!text.empty() && text.back() == '\n') {
          text.pop_back();
          if (!text.empty() && text.back() == '\r') text.pop_back();
        }
        return text;
      }
    }
    reason = errno != 0 ? std::strerror(errno) : "it cannot be read";
  }
  // The path as written, not as resolved: it is what the user can find in the file.
  throw ConfigError(where, "cannot read file '" + path + "' (" + reason +
                               "); check the path, which is relative to the mapping file's "
                               "directory unless absolute");
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

}  // namespace

std::string interpolate(const std::string& text, const std::string& base_dir,
                        const Location& where) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    std::size_t close = text.find('}', i + 2);
    if (close == std::string::npos)
      throw ConfigError(where, "unterminated placeholder '" + shown(text, i) +
                                   "'; close it with '}', or write $${ for a literal ${");
    const std::string inner = text.substr(i + 2, close - i - 2);
    const std::size_t colon = inner.find(':');
    const std::string kind = colon == std::string::npos ? inner : inner.substr(0, colon);
    const std::string arg = colon == std::string::npos ? "" : inner.substr(colon + 1);
    const bool env_name_ok = !arg.empty() && !std::isdigit(static_cast<unsigned char>(arg[0])) &&
                             std::all_of(arg.begin(), arg.end(), [](char c) {
                               return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                             });
    if ((kind != "env" && kind != "file") || arg.empty() || (kind == "env" && !env_name_ok))
      throw ConfigError(where, "invalid placeholder '" + shown(text, i) + "'; " + kFixHint);
    out += kind == "env" ? read_env(arg, where) : read_secret_file(arg, base_dir, where);
    i = close + 1;
  }
  return out;
}

}  // namespace replicate::config
