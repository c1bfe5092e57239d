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

}  // namespace replicate::util
