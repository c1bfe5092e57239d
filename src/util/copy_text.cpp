// SPDX-License-Identifier: Apache-2.0
// COPY text format: backslash, tab, newline and carriage return are escaped, NULL
// is \N, an empty string stays empty.
#include "util/copy_text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace replicate::util {

namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

/// True when some byte of `w` is below 0x0E (tab, newline and carriage return among
/// them) or is a backslash: the only bytes that may need escaping. The check errs
/// only towards true, and a true only sends 8 bytes down the careful path.
inline bool maybe_special(std::uint64_t w) {
  const std::uint64_t low = (w - kOnes * 0x0E) & ~w;
  const std::uint64_t bs = w ^ (kOnes * '\\');
  const std::uint64_t backslash = (bs - kOnes) & ~bs;
  return ((low | backslash) & kHighs) != 0;
}

/// The length of the valid UTF-8 sequence at `s[i]` (1 to 4), or 0 where there is
/// none: a stray continuation byte, an overlong form, a surrogate, beyond U+10FFFF,
/// or a truncated sequence. A NUL counts as invalid, as PostgreSQL sees it.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return n;
}

inline char escape_of(char c) {
  switch (c) {
    case '\\': return '\\';
    case '\t': return 't';
    case '\n': return 'n';
    case '\r': return 'r';
    default: return 0;
  }
}

}  // namespace

char* copy_escaped(char* out, const char* in, std::size_t n) {
  std::size_t i = 0;
  while (i < n) {
    // Whole words with nothing to escape go straight through; so does a clean tail,
    // checked as a word padded with a harmless byte.
    std::size_t run = i;
    while (run + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, in + run, 8);
      if (maybe_special(w)) break;
      run += 8;
    }
    if (run + 8 > n && run < n) {
      std::uint64_t w = kOnes * 'a';
      std::memcpy(&w, in + run, n - run);
      if (!maybe_special(w)) run = n;
    }
    std::memcpy(out, in + i, run - i);
    out += run - i;
    i = run;
    const std::size_t stop = std::min(n, i + 8);
    for (; i < stop; ++i) {
      if (char e = escape_of(in[i])) {
        *out++ = '\\';
        *out++ = e;
      } else {
        *out++ = in[i];
      }
    }
  }
  return out;
}

void append_copy_escaped(std::string& out, const std::string& value) {
  const std::size_t used = out.size();
  out.resize(used + 2 * value.size());
  char* end = copy_escaped(out.data() + used, value.data(), value.size());
  out.resize(static_cast<std::size_t>(end - out.data()));
}

bool copy_clean(const char* in, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, in + i, 8);
    if (maybe_special(w)) return std::none_of(in + i, in + n, [](char c) { return escape_of(c) != 0; });
  }
  if (i == n) return true;
  std::uint64_t w = kOnes * 'a';
  std::memcpy(&w, in + i, n - i);
  return !maybe_special(w) || std::none_of(in + i, in + n, [](char c) { return escape_of(c) != 0; });
}

std::string copy_unescaped(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out += field[i];
      continue;
    }
    switch (char e = field[++i]) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;  // PostgreSQL's COPY TO writes these three too
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      default: out += e;
    }
  }
  return out;
}

bool is_pg_text(std::string_view value) {
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t n = utf8_length(value, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void append_copy_escaped_bytes(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t n = utf8_length(value, i);
    if (n == 0) {
      const auto c = static_cast<unsigned char>(value[i++]);
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (char e = escape_of(value[i]); n == 1 && e) {
      out += '\\';
      out += e;
      ++i;
    } else {
      out.append(value.data() + i, n);
      i += n;
    }
  }
}

}  // namespace replicate::util
