// SPDX-License-Identifier: Apache-2.0
// Binary COPY tuples from canonical text, and the choice between binary and text.
//
// Each parser below accepts only the forms the sources write (ISO dates and times,
// plain decimals, t/f, ...) and computes what PostgreSQL's text input computes from
// them (date2j, time2t, ParseFractionalSecond's rounding, numeric's base-10000 digits
// and display scale). Anything else is refused, and the row goes as text.
#include "target/copy_binary.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "plan/plan.hpp"
#include "target/pg_schema.hpp"
#include "target/pg_type.hpp"

namespace replicate::target {

namespace {

// PostgreSQL's constants (datatype/timestamp.h, utils/numeric.c).
constexpr std::int64_t kUsecsPerDay = 86'400'000'000LL;
constexpr std::int64_t kPostgresEpochJdate = 2'451'545;      // date2j(2000, 1, 1)
constexpr std::int64_t kEndTimestamp = 9'223'371'331'200'000'000LL;  // 294277-01-01 00:00:00 UTC
constexpr int kMaxDateYear = 5'874'897;    // dates end at 5874898-01-01
constexpr int kMaxTimestampYear = 294'276;  // timestamps end at 294277-01-01
constexpr int kMaxTzHour = 15;              // MAX_TZDISP_HOUR
constexpr std::uint16_t kNumericPos = 0x0000, kNumericNeg = 0x4000, kNumericNan = 0xC000;
// Beyond these a numeric goes as text: the server's own limits (and errors) then apply.
constexpr int kMaxNumericExponent = 1000;
constexpr std::size_t kMaxNumericChars = 1100;
constexpr int kMaxNumericScale = 1000;

/// Bytes a field may take beyond its text's length (length word, numeric header,
/// a uuid's 16 bytes from 36 characters, ...): what a row reserves per column.
constexpr std::size_t kFieldSlack = 20;

inline char* put16(char* p, std::uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
  return p + 2;
}
inline char* put32(char* p, std::uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
  return p + 4;
}
inline char* put64(char* p, std::uint64_t v) {
  p = put32(p, static_cast<std::uint32_t>(v >> 32));
  return put32(p, static_cast<std::uint32_t>(v));
}

inline bool is_digit(char c) { return static_cast<unsigned>(c - '0') < 10; }

/// Two digits at p.
inline bool two_digits(const char* p, int& v) {
  if (!is_digit(p[0]) || !is_digit(p[1])) return false;
  v = (p[0] - '0') * 10 + (p[1] - '0');
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

/// [-+]?digits within [lo, hi], as pg_strtoint16/32/64 read it (no spaces, no
/// underscores, no leading zeros beyond 19 digits: those go as text).
[[gnu::always_inline]] inline bool parse_int(const char* s, std::size_t n, std::int64_t lo, std::int64_t hi,
                                             std::int64_t& v) {
  std::size_t i = 0;
  bool neg = false;
  if (n > 0 && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i == n || n - i > 19) return false;
  std::uint64_t u = 0;
  for (; i < n; ++i) {
    const unsigned d = static_cast<unsigned>(s[i] - '0');
    if (d > 9) return false;
    u = u * 10 + d;
  }
  if (neg) {
    if (u > static_cast<std::uint64_t>(-(lo + 1)) + 1) return false;
    v = static_cast<std::int64_t>(0 - u);
  } else {
    if (u > static_cast<std::uint64_t>(hi)) return false;
    v = static_cast<std::int64_t>(u);
  }
  return v >= lo && v <= hi;
}

/// PostgreSQL's date2j: the Julian day of a proleptic Gregorian date.
std::int64_t date2j(std::int64_t year, int month, int day) {
  if (month > 2) {
    month += 1;
    year += 4800;
  } else {
    month += 13;
    year += 4799;
  }
  const std::int64_t century = year / 100;
  std::int64_t julian = year * 365 - 32167;
  julian += year / 4 - century + century / 4;
  julian += 7834 * month / 256 + day;
  return julian;
}

int days_in_month(std::int64_t year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

/// "YYYY-MM-DD" (4 to 7 year digits, AD) at the start of [p, end): the year, and the
/// days since 2000-01-01; `p` moves past it.
bool parse_ymd(const char*& p, const char* end, int max_year, std::int64_t& year, std::int64_t& days) {
  const char* q = p;
  std::int64_t y = 0;
  while (q < end && is_digit(*q) && q - p < 8) y = y * 10 + (*q++ - '0');
  const auto year_digits = q - p;
  // Fewer than 4 digits mean something else to date_in (2-digit years are shifted).
  if (year_digits < 4 || year_digits > 7 || end - q < 6 || q[0] != '-' || q[3] != '-') return false;
  int month, day;
  if (!two_digits(q + 1, month) || !two_digits(q + 4, day)) return false;
  if (y < 1 || y > max_year || month < 1 || month > 12 || day < 1 || day > days_in_month(y, month)) return false;
  year = y;
  days = date2j(y, month, day) - kPostgresEpochJdate;
  p = q + 6;
  return true;
}

/// ".digits" at p: the fraction in microseconds, rounded as ParseFractionalSecond
/// rounds it (rint of strtod's double times a million), so 7 or more digits round as
/// the server rounds them.
bool parse_fraction(const char*& p, const char* end, std::int64_t& usec) {
  const char* q = p + 1;
  while (q < end && is_digit(*q)) ++q;
  const std::size_t k = static_cast<std::size_t>(q - p - 1);
  if (k == 0) return false;
  if (k <= 6) {
    std::int64_t v = 0;
    for (const char* d = p + 1; d < q; ++d) v = v * 10 + (*d - '0');
    for (std::size_t i = k; i < 6; ++i) v *= 10;
    usec = v;
  } else {
    if (k > 40) return false;
    char buf[48] = "0";
    std::memcpy(buf + 1, p, k + 1);
    double frac = 0;
    auto r = std::from_chars(buf, buf + k + 2, frac);
    if (r.ec != std::errc() || r.ptr != buf + k + 2) return false;
    usec = static_cast<std::int64_t>(std::rint(frac * 1000000));
  }
  p = q;
  return true;
}

/// "HH:MM:SS[.f]" at p: microseconds since midnight (24:00:00 and leap seconds go as
/// text, as anything rarer does).
bool parse_hms(const char*& p, const char* end, std::int64_t& usec) {
  if (end - p < 8 || p[2] != ':' || p[5] != ':') return false;
  int h, m, s;
  if (!two_digits(p, h) || !two_digits(p + 3, m) || !two_digits(p + 6, s)) return false;
  if (h > 23 || m > 59 || s > 59) return false;
  p += 8;
  std::int64_t frac = 0;
  if (p < end && *p == '.' && !parse_fraction(p, end, frac)) return false;
  usec = ((h * 60 + m) * 60 + s) * 1000000LL + frac;
  return true;
}

/// "[ ]+HH[:MM[:SS]]" at p (the offsets PostgreSQL and SQL Server print): seconds east of UTC.
bool parse_offset(const char*& p, const char* end, std::int64_t& seconds) {
  if (p < end && *p == ' ') ++p;
  if (end - p < 3 || (*p != '+' && *p != '-')) return false;
  const bool west = *p == '-';
  int h, m = 0, s = 0;
  if (!two_digits(p + 1, h)) return false;
  p += 3;
  if (end - p >= 3 && *p == ':') {
    if (!two_digits(p + 1, m)) return false;
    p += 3;
    if (end - p >= 3 && *p == ':') {
      if (!two_digits(p + 1, s)) return false;
      p += 3;
    }
  }
  if (h > kMaxTzHour || m > 59 || s > 59) return false;
  seconds = (h * 3600 + m * 60 + s) * (west ? -1 : 1);
  return true;
}

/// "infinity" / "-infinity": +1 / -1; 0 for anything else.
int infinity_of(std::string_view v) {
  if (iequals(v, "infinity")) return 1;
  if (iequals(v, "-infinity")) return -1;
  return 0;
}

bool parse_date(std::string_view v, std::int32_t& out) {
  if (v.size() == 10 && v[4] == '-' && v[7] == '-') {  // YYYY-MM-DD: most dates, without the general path
    const auto d = [&](std::size_t i) { return static_cast<unsigned>(v[i] - '0'); };
    const unsigned y0 = d(0), y1 = d(1), y2 = d(2), y3 = d(3), m0 = d(5), m1 = d(6), d0 = d(8), d1 = d(9);
    if ((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (m0 > 9) | (m1 > 9) | (d0 > 9) | (d1 > 9)) return false;
    const int year = static_cast<int>(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
    const int month = static_cast<int>(m0 * 10 + m1), day = static_cast<int>(d0 * 10 + d1);
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return false;
    out = static_cast<std::int32_t>(date2j(year, month, day) - kPostgresEpochJdate);
    return true;
  }
  if (int inf = infinity_of(v)) {
    out = inf > 0 ? std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::int32_t>::min();
    return true;
  }
  const char* p = v.data();
  const char* end = p + v.size();
  std::int64_t year, days;
  if (!parse_ymd(p, end, kMaxDateYear, year, days) || p != end) return false;
  out = static_cast<std::int32_t>(days);
  return true;
}

bool parse_timestamp(std::string_view v, bool with_zone, std::int64_t& out) {
  if (int inf = infinity_of(v)) {
    out = inf > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
    return true;
  }
  const char* p = v.data();
  const char* end = p + v.size();
  std::int64_t year, days, usec = 0;
  if (!parse_ymd(p, end, kMaxTimestampYear, year, days)) return false;
  if (p == end) {
    // A date alone is midnight; with a zone, midnight where? The session's zone: text.
    if (with_zone) return false;
  } else if (*p != ' ' || !parse_hms(++p, end, usec)) {
    return false;
  }
  std::int64_t t = days * kUsecsPerDay + usec;
  if (with_zone) {
    std::int64_t east = 0;
    if (!parse_offset(p, end, east)) return false;
    t -= east * 1000000;
  }
  if (p != end || t >= kEndTimestamp) return false;
  out = t;
  return true;
}

bool parse_time(std::string_view v, std::int64_t& out) {
  const char* p = v.data();
  const char* end = p + v.size();
  if (!parse_hms(p, end, out) || p != end) return false;
  return out <= kUsecsPerDay;
}

/// The offsets of the tabs in line[0, len) into tabs[0, max); their count, or max + 1
/// when there are more. `backslash` is set when the line holds one. Reads 16 bytes at a
/// time (SSE2, part of every x86-64) while they lie inside the batch's text (which ends
/// at `limit`); byte by byte elsewhere.
std::size_t find_tabs(const char* line, std::size_t len, const char* limit, std::uint32_t* tabs, std::size_t max,
                      bool& backslash) {
  std::size_t n = 0, i = 0;
#if defined(__SSE2__)
  const __m128i tab = _mm_set1_epi8('\t'), bs = _mm_set1_epi8('\\');
  unsigned any_bs = 0;
  for (; i < len && limit - (line + i) >= 16; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(line + i));
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, tab)));
    unsigned b = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)));
    if (len - i < 16) {  // the last piece: what lies past the line is not ours
      const unsigned keep = (1u << (len - i)) - 1;
      m &= keep;
      b &= keep;
    }
    any_bs |= b;
    for (; m; m &= m - 1) {
      if (n == max) return max + 1;
      tabs[n++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(__builtin_ctz(m)));
    }
  }
  if (any_bs) backslash = true;
#else
  (void)limit;
#endif
  for (; i < len; ++i) {
    if (line[i] == '\\') backslash = true;
    if (line[i] != '\t') continue;
    if (n == max) return max + 1;
    tabs[n++] = static_cast<std::uint32_t>(i);
  }
  return n;
}

/// Each byte's value as a hex digit, or 0x10 (a bit no digit has) when it is none. A
/// table, not comparisons: hex digits are letters or not at random, and branches on
/// them mispredict about half the time.
constexpr auto kHexValue = [] {
  std::array<unsigned char, 256> t{};
  for (auto& x : t) x = 0x10;
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<unsigned char>(c);
  for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<unsigned char>(10 + c);
  return t;
}();

/// Hex digits (an even number, nothing else) into bytes at out.
char* unhex(const char* s, std::size_t n, char* out) {
  if (n % 2) return nullptr;
  unsigned bad = 0;
  for (std::size_t i = 0; i < n; i += 2) {
    const unsigned hi = kHexValue[static_cast<unsigned char>(s[i])], lo = kHexValue[static_cast<unsigned char>(s[i + 1])];
    bad |= hi | lo;
    *out++ = static_cast<char>(hi << 4 | lo);
  }
  return bad & 0x10 ? nullptr : out;
}

/// 8-4-4-4-12 hex digits into 16 bytes.
char* uuid_bytes(std::string_view v, char* out) {
  if (v.size() != 36 || v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-') return nullptr;
  static constexpr unsigned char kAt[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  unsigned bad = 0;
  for (unsigned char at : kAt) {
    const unsigned hi = kHexValue[static_cast<unsigned char>(v[at])], lo = kHexValue[static_cast<unsigned char>(v[at + 1])];
    bad |= hi | lo;
    *out++ = static_cast<char>(hi << 4 | lo);
  }
  return bad & 0x10 ? nullptr : out;
}

/// A COPY text field's value at out; nullptr for an escape other than the ones COPY
/// TO and the cursors write (\\, \t, \n, \r, \b, \f, \v): octal and \x escapes, which
/// may make bytes text input would read differently, go as text.
char* copy_unescape(const char* s, std::size_t n, char* out) {
  const char* end = s + n;
  while (s < end) {
    const char* bs = static_cast<const char*>(std::memchr(s, '\\', static_cast<std::size_t>(end - s)));
    if (!bs) {
      std::memcpy(out, s, static_cast<std::size_t>(end - s));
      return out + (end - s);
    }
    std::memcpy(out, s, static_cast<std::size_t>(bs - s));
    out += bs - s;
    if (bs + 1 == end) return nullptr;
    switch (bs[1]) {
      case '\\': *out++ = '\\'; break;
      case 't': *out++ = '\t'; break;
      case 'n': *out++ = '\n'; break;
      case 'r': *out++ = '\r'; break;
      case 'b': *out++ = '\b'; break;
      case 'f': *out++ = '\f'; break;
      case 'v': *out++ = '\v'; break;
      default: return nullptr;
    }
    s = bs + 2;
  }
  return out;
}

/// numeric_in's reading of [-+]?(digits[.digits]|.digits)([eE][-+]?digits)? or NaN, as
/// numeric's external binary form: ndigits, weight, sign, dscale, base-10000 digits.
char* numeric_field(std::string_view v, char* out) {
  char* body = out + 4;
  if (iequals(v, "nan")) {
    body = put16(body, 0);
    body = put16(body, 0);
    body = put16(body, kNumericNan);
    body = put16(body, 0);
    put32(out, 8);
    return body;
  }
  if (v.empty() || v.size() > kMaxNumericChars) return nullptr;
  std::size_t i = 0;
  bool neg = false;
  if (v[0] == '-' || v[0] == '+') {
    neg = v[0] == '-';
    ++i;
  }
  // The digits without the integer part's leading zeros; D[k] stands for 10^(int_digits-1-k+exp).
  unsigned char digits[kMaxNumericChars];
  int nd = 0, int_digits = 0, frac_digits = 0;
  bool point = false, any = false;
  for (; i < v.size(); ++i) {
    const char c = v[i];
    if (is_digit(c)) {
      any = true;
      if (!point && nd == 0 && c == '0') continue;
      digits[nd++] = static_cast<unsigned char>(c - '0');
      (point ? frac_digits : int_digits)++;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) return nullptr;
  int exponent = 0;
  if (i < v.size()) {
    if (v[i] != 'e' && v[i] != 'E') return nullptr;
    std::int64_t e;
    // strtol's reading: a sign, then digits.
    const std::size_t start = ++i;
    if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
    if (i == v.size() || v.size() - start > 6) return nullptr;
    if (!parse_int(v.data() + start, v.size() - start, -kMaxNumericExponent, kMaxNumericExponent, e)) return nullptr;
    exponent = static_cast<int>(e);
  }
  const int dscale = std::max(0, frac_digits - exponent);
  if (dscale > kMaxNumericScale) return nullptr;
  int first = 0, last = nd - 1;
  while (first < nd && digits[first] == 0) ++first;
  while (last >= first && digits[last] == 0) --last;
  auto floor4 = [](int e) { return e >= 0 ? e / 4 : -((3 - e) / 4); };
  std::uint16_t ndigits = 0;
  int weight = 0;
  if (first <= last) {
    const int e_first = int_digits - 1 - first + exponent, e_last = int_digits - 1 - last + exponent;
    weight = floor4(e_first);
    ndigits = static_cast<std::uint16_t>(weight - floor4(e_last) + 1);
    static constexpr int kPow10[4] = {1, 10, 100, 1000};
    std::uint16_t groups[kMaxNumericChars / 4 + 4];
    std::fill_n(groups, ndigits, std::uint16_t{0});
    for (int k = first; k <= last; ++k) {
      const int e = int_digits - 1 - k + exponent;
      const int g = floor4(e);
      groups[weight - g] = static_cast<std::uint16_t>(groups[weight - g] + digits[k] * kPow10[e - 4 * g]);
    }
    char* d = body + 8;
    for (int g = 0; g < ndigits; ++g) d = put16(d, groups[g]);
  } else {
    neg = false;  // zero has no sign (make_result makes it positive either way)
  }
  body = put16(body, ndigits);
  body = put16(body, static_cast<std::uint16_t>(static_cast<std::int16_t>(weight)));
  body = put16(body, neg ? kNumericNeg : kNumericPos);
  body = put16(body, static_cast<std::uint16_t>(dscale));
  body += 2 * ndigits;
  put32(out, static_cast<std::uint32_t>(body - out - 4));
  return body;
}

/// float4in / float8in's reading, through from_chars (correctly rounded, as glibc's
/// strtod and strtof are); NaN and the infinities only as PostgreSQL prints them.
template <typename F>
bool parse_float(std::string_view v, F& out) {
  if (v == "NaN") {
    out = std::numeric_limits<F>::quiet_NaN();
    return true;
  }
  if (v == "Infinity" || v == "-Infinity") {
    out = v[0] == '-' ? -std::numeric_limits<F>::infinity() : std::numeric_limits<F>::infinity();
    return true;
  }
  for (char c : v)
    if (!is_digit(c) && c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') return false;
  if (v.empty() || v[0] == '+') return false;
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  return r.ec == std::errc() && r.ptr == v.data() + v.size() && std::isfinite(out);
}

/// One field (length word and bytes) at out, from `v`: the value itself, or with
/// `copy_text` a COPY text field, which holds backslash escapes when `escapes`.
/// nullptr when it has no binary form here. out has room for kFieldSlack + v.size() bytes.
[[gnu::always_inline]] inline char* encode_field(BinaryKind kind, std::string_view v, bool copy_text, bool escapes,
                                                char* out) {
  char* body = out + 4;
  char* end = nullptr;
  switch (kind) {
    case BinaryKind::text:
      end = escapes ? copy_unescape(v.data(), v.size(), body) : (std::memcpy(body, v.data(), v.size()), body + v.size());
      break;
    case BinaryKind::jsonb:
      *body = 1;  // jsonb's binary format version
      end = escapes ? copy_unescape(v.data(), v.size(), body + 1)
                    : (std::memcpy(body + 1, v.data(), v.size()), body + 1 + v.size());
      break;
    case BinaryKind::bytea:
      if (copy_text) {  // "\\x" and hex digits: bytea's hex input, its backslash escaped
        if (v.size() < 3 || v[0] != '\\' || v[1] != '\\' || v[2] != 'x') return nullptr;
        v.remove_prefix(3);
      }
      end = unhex(v.data(), v.size(), body);
      break;
    case BinaryKind::boolean:
      if (v == "t" || v == "true" || v == "1")
        *body = 1;
      else if (v == "f" || v == "false" || v == "0")
        *body = 0;
      else
        return nullptr;
      end = body + 1;
      break;
    case BinaryKind::int2:
    case BinaryKind::int4:
    case BinaryKind::int8: {
      std::int64_t x;
      if (kind == BinaryKind::int2) {
        if (!parse_int(v.data(), v.size(), INT16_MIN, INT16_MAX, x)) return nullptr;
        end = put16(body, static_cast<std::uint16_t>(x));
      } else if (kind == BinaryKind::int4) {
        if (!parse_int(v.data(), v.size(), INT32_MIN, INT32_MAX, x)) return nullptr;
        end = put32(body, static_cast<std::uint32_t>(x));
      } else {
        if (!parse_int(v.data(), v.size(), INT64_MIN, INT64_MAX, x)) return nullptr;
        end = put64(body, static_cast<std::uint64_t>(x));
      }
      break;
    }
    case BinaryKind::float4: {
      float f;
      if (!parse_float(v, f)) return nullptr;
      std::uint32_t bits;
      std::memcpy(&bits, &f, 4);
      end = put32(body, bits);
      break;
    }
    case BinaryKind::float8: {
      double d;
      if (!parse_float(v, d)) return nullptr;
      std::uint64_t bits;
      std::memcpy(&bits, &d, 8);
      end = put64(body, bits);
      break;
    }
    case BinaryKind::numeric:
      return numeric_field(v, out);
    case BinaryKind::date: {
      std::int32_t d;
      if (!parse_date(v, d)) return nullptr;
      end = put32(body, static_cast<std::uint32_t>(d));
      break;
    }
    case BinaryKind::time: {
      std::int64_t t;
      if (!parse_time(v, t)) return nullptr;
      end = put64(body, static_cast<std::uint64_t>(t));
      break;
    }
    case BinaryKind::timestamp:
    case BinaryKind::timestamptz: {
      std::int64_t t;
      if (!parse_timestamp(v, kind == BinaryKind::timestamptz, t)) return nullptr;
      end = put64(body, static_cast<std::uint64_t>(t));
      break;
    }
    case BinaryKind::uuid:
      end = uuid_bytes(v, body);
      break;
  }
  if (!end) return nullptr;
  put32(out, static_cast<std::uint32_t>(end - body));
  return end;
}

/// What binary COPY saves per value of each kind, in CPU-nanoseconds on the 2-core
/// machine of bench/copy_formats.sh (part 2: replicate, 1M rows, target backend plus
/// replicate, text minus binary, from SQLite and from PostgreSQL; 2026-12-02, commit
/// 1cdc54f). The backend saves most where its text input is a general parser (dates,
/// timestamps, uuid, floats: 70-300 ns); for text it loses (its receive function
/// validates and copies each value once more), and the worker's parsing costs about
/// 10 ns per field whatever its type. A table goes binary when the sum over its
/// columns is positive: bi_credores (10 dates, 2 numerics, 18 integers, 9 varchars)
/// sums to about +0.5 us per row.
double binary_saving_ns(BinaryKind kind) {
  switch (kind) {
    case BinaryKind::date: return 70;
    case BinaryKind::timestamp: return 190;
    case BinaryKind::timestamptz: return 150;
    case BinaryKind::time: return 100;  // not measured: time_in is timestamp's parser without the date
    case BinaryKind::uuid: return 300;
    case BinaryKind::float4:  // not measured: strtof as float8's strtod
    case BinaryKind::float8: return 70;
    case BinaryKind::numeric: return 20;
    case BinaryKind::int2:
    case BinaryKind::int4:
    case BinaryKind::int8: return -1;
    case BinaryKind::boolean: return -5;
    case BinaryKind::bytea: return -20;
    case BinaryKind::text:
    case BinaryKind::jsonb: return -25;  // jsonb: the same parser either way, and a copy more
  }
  return 0;
}

enum class Override { none, text, binary };

Override format_override() {
  static const Override o = [] {
    const char* v = std::getenv("REPLICATE_COPY_FORMAT");
    if (!v) return Override::none;
    const std::string_view s(v);
    return s == "text" ? Override::text : s == "binary" ? Override::binary : Override::none;
  }();
  return o;
}

}  // namespace

const char* to_string(CopyFormat format) { return format == CopyFormat::binary ? "binary" : "text"; }

const char* to_string(BinaryKind kind) {
  switch (kind) {
    case BinaryKind::boolean: return "boolean";
    case BinaryKind::int2: return "int2";
    case BinaryKind::int4: return "int4";
    case BinaryKind::int8: return "int8";
    case BinaryKind::float4: return "float4";
    case BinaryKind::float8: return "float8";
    case BinaryKind::numeric: return "numeric";
    case BinaryKind::text: return "text";
    case BinaryKind::jsonb: return "jsonb";
    case BinaryKind::bytea: return "bytea";
    case BinaryKind::date: return "date";
    case BinaryKind::time: return "time";
    case BinaryKind::timestamp: return "timestamp";
    case BinaryKind::timestamptz: return "timestamptz";
    case BinaryKind::uuid: return "uuid";
  }
  return "?";
}

std::optional<BinaryKind> binary_kind(const std::string& target_type, Encoding encoding) {
  const TargetType t = parse_target_type(target_type);
  std::string lower(target_type);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::optional<BinaryKind> k;
  switch (t.kind) {
    case TypeKind::boolean: k = BinaryKind::boolean; break;
    case TypeKind::int16: k = BinaryKind::int2; break;
    case TypeKind::int32: k = BinaryKind::int4; break;
    case TypeKind::int64: k = BinaryKind::int8; break;
    case TypeKind::numeric: k = BinaryKind::numeric; break;
    case TypeKind::float4: k = BinaryKind::float4; break;
    case TypeKind::float8: k = BinaryKind::float8; break;
    case TypeKind::text:
      // name's receive refuses what its input cuts to 63 bytes; citext is an extension's.
      if (lower.rfind("text", 0) == 0 || lower.rfind("character varying", 0) == 0 || lower.rfind("varchar", 0) == 0)
        k = BinaryKind::text;
      break;
    case TypeKind::bpchar:
    case TypeKind::json: k = BinaryKind::text; break;
    case TypeKind::date: k = BinaryKind::date; break;
    case TypeKind::time: k = BinaryKind::time; break;
    case TypeKind::timestamp: k = BinaryKind::timestamp; break;
    case TypeKind::timestamptz: k = BinaryKind::timestamptz; break;
    case TypeKind::uuid: k = BinaryKind::uuid; break;
    case TypeKind::bytea: k = BinaryKind::bytea; break;
    case TypeKind::other:
      if (lower == "jsonb") k = BinaryKind::jsonb;
      break;
  }
  // Bytes go as bytea's hex input: into bytea they decode; into anything else the text
  // input reads "\x..." its own way.
  if (k && (*k == BinaryKind::bytea) != (encoding == Encoding::hex_bytes)) return std::nullopt;
  return k;
}

bool append_binary_field(std::string& out, BinaryKind kind, std::string_view value) {
  const std::size_t used = out.size();
  out.resize(used + kFieldSlack + value.size());
  char* end = encode_field(kind, value, false, false, out.data() + used);
  out.resize(end ? static_cast<std::size_t>(end - out.data()) : used);
  return end != nullptr;
}

bool BinaryRowEncoder::append_row(const source::Batch& b, std::size_t row, std::string& buf, std::size_t& used,
                                  std::size_t& bad_column) const {
  const std::size_t ncols = kinds_.size();
  if (ncols == 0) {
    bad_column = 0;
    return false;
  }
  std::size_t need = 2 + kFieldSlack * ncols;
  if (b.encoded) {
    const char* line = b.copy_text.data() + b.row_begin(row);
    std::size_t len = b.row_end[row] - b.row_begin(row);
    if (len && line[len - 1] == '\n') --len;
    need += len;
    if (buf.size() < used + need) buf.resize(std::max(buf.size() * 2, used + need));
    char* out = put16(buf.data() + used, static_cast<std::uint16_t>(ncols));
    bool backslash = false;
    std::uint32_t* tabs = tabs_.data();
    const std::size_t ntabs =
        find_tabs(line, len, b.copy_text.data() + b.copy_text.size(), tabs, ncols - 1, backslash);
    if (ntabs != ncols - 1) {  // too few fields or too many: the server's text reading says what is wrong
      bad_column = std::min(ntabs, ncols - 1);
      return false;
    }
    tabs[ncols - 1] = static_cast<std::uint32_t>(len);
    std::size_t start = 0;
    for (std::size_t c = 0; c < ncols; ++c) {
      const std::string_view field(line + start, tabs[c] - start);
      start = tabs[c] + 1;
      if (field.size() == 2 && field[0] == '\\' && field[1] == 'N') {
        out = put32(out, 0xFFFFFFFFu);
        continue;
      }
      // Only text is unescaped; a backslash in any other field fails its parser.
      const BinaryKind kind = kinds_[c];
      const bool escapes = backslash && (kind == BinaryKind::text || kind == BinaryKind::jsonb) &&
                           std::memchr(field.data(), '\\', field.size()) != nullptr;
      if (!(out = encode_field(kind, field, true, escapes, out))) {
        bad_column = c;
        return false;
      }
    }
    used = static_cast<std::size_t>(out - buf.data());
    return true;
  }
  for (std::size_t c = 0; c < ncols; ++c) need += b.values[c][row].size();
  if (buf.size() < used + need) buf.resize(std::max(buf.size() * 2, used + need));
  char* out = put16(buf.data() + used, static_cast<std::uint16_t>(ncols));
  for (std::size_t c = 0; c < ncols; ++c) {
    if (b.is_null[c][row]) {
      out = put32(out, 0xFFFFFFFFu);
    } else if (!(out = encode_field(kinds_[c], b.values[c][row], false, false, out))) {
      bad_column = c;
      return false;
    }
  }
  used = static_cast<std::size_t>(out - buf.data());
  return true;
}

std::string_view binary_copy_header() {
  static constexpr char kHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
  return std::string_view(kHeader, 19);
}

std::string_view binary_copy_trailer() { return std::string_view("\377\377", 2); }

CopyFormat choose_copy_format(const std::vector<std::optional<BinaryKind>>& kinds) {
  const Override o = format_override();
  if (o == Override::text || kinds.empty()) return CopyFormat::text;
  double saving = 0;
  for (const auto& k : kinds) {
    if (!k) return CopyFormat::text;
    saving += binary_saving_ns(*k);
  }
  return o == Override::binary || saving > 0 ? CopyFormat::binary : CopyFormat::text;
}

std::vector<Encoding> copy_encodings(const plan::TablePlan& table) {
  std::vector<Encoding> enc;
  for (const auto& c : table.columns)
    enc.push_back(c.type.id == catalog::TypeId::bytes ? Encoding::hex_bytes : Encoding::plain);
  return enc;
}

CopyFormat choose_copy_format(const plan::TablePlan& table) {
  const auto enc = copy_encodings(table);
  std::vector<std::optional<BinaryKind>> kinds;
  for (std::size_t i = 0; i < table.columns.size(); ++i) kinds.push_back(binary_kind(table.columns[i].target_type, enc[i]));
  return choose_copy_format(kinds);
}

std::vector<std::optional<BinaryKind>> target_binary_kinds(source::Connection& target,
                                                           const std::string& qualified_table,
                                                           const std::vector<std::string>& columns,
                                                           const std::vector<Encoding>& encodings) {
  const auto rows = target.query(
      "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = to_regclass(" +
      pg_literal(qualified_table) + ") AND attnum > 0 AND NOT attisdropped");
  std::vector<std::optional<BinaryKind>> kinds;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::optional<BinaryKind> k;
    for (const auto& r : rows)
      if (r[0] && *r[0] == columns[i] && r[1]) k = binary_kind(*r[1], encodings[i]);
    kinds.push_back(k);
  }
  return kinds;
}

std::optional<BinaryRowEncoder> binary_encoder_for(const plan::TablePlan& table, source::Connection& target,
                                                   const std::string& dest) {
  if (choose_copy_format(table) != CopyFormat::binary) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& c : table.columns) names.push_back(c.target);
  const auto kinds = target_binary_kinds(target, dest, names, copy_encodings(table));
  if (choose_copy_format(kinds) != CopyFormat::binary) return std::nullopt;
  std::vector<BinaryKind> k;
  for (const auto& x : kinds) k.push_back(*x);
  return BinaryRowEncoder(std::move(k));
}

}  // namespace replicate::target
