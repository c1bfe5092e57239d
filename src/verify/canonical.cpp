// SPDX-License-Identifier: Apache-2.0
// PostgreSQL's input-then-output of a value, emulated for the forms our source
// dialects produce (see Dialect::select_text). Anything else returns nullopt and is
// left to the target server, so an emulation gap costs speed, never a wrong answer.
#include "verify/canonical.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace replicate::verify {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string_view trim(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// ---- boolean and integers ---------------------------------------------------------

/// PostgreSQL's parse_bool: unique prefixes of true/false/yes/no, on/off, 1/0.
std::optional<std::string> boolean(std::string_view in) {
  std::string s = lower(std::string(trim(in)));
  auto prefix_of = [&](const char* word, std::size_t min) {
    return s.size() >= min && std::string_view(word).substr(0, s.size()) == s;
  };
  if (s.empty()) return std::nullopt;
  bool value;
  if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || s == "1")
    value = true;
  else if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || s == "0")
    value = false;
  else
    return std::nullopt;
  return std::string(value ? "true" : "false");
}

std::optional<std::string> integer(std::string_view in, std::int64_t min, std::int64_t max) {
  std::string_view s = trim(in);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (!all_digits(s)) return std::nullopt;
  // Accumulate negatively so that INT64_MIN fits.
  std::int64_t v = 0;
  for (char c : s) {
    if (v < (INT64_MIN + (c - '0')) / 10) return std::nullopt;
    v = v * 10 - (c - '0');
  }
  if (!negative) {
    if (v == INT64_MIN) return std::nullopt;
    v = -v;
  }
  if (v < min || v > max) return std::nullopt;
  return std::to_string(v);
}

// ---- numeric ---------------------------------------------------------------------

/// numeric_in then numeric_out (scale >= 0: round half away from zero to it, as a
/// numeric(p,s) column does; scale < 0: keep the value, trailing zeros trimmed).
std::optional<std::string> numeric(std::string_view in, int precision, int scale) {
  std::string_view s = trim(in);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (lower(std::string(trim(in))) == "nan") return std::string("NaN");
  std::string int_digits, frac_digits;
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) int_digits += s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) frac_digits += s[i++];
  }
  if (int_digits.empty() && frac_digits.empty())
    return std::nullopt;  // also Infinity: the server decides
  long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    std::string_view e = s.substr(i);
    if (!all_digits(e) || e.size() > 5) return std::nullopt;
    exponent = std::stol(std::string(e));
    if (exponent > 1000) return std::nullopt;  // beyond any real value; let the server judge
    if (exp_negative) exponent = -exponent;
    i = s.size();
  }
  if (i != s.size()) return std::nullopt;

  // The digits with the decimal point moved by the exponent.
  const std::string digits = int_digits + frac_digits;
  const long point =
      static_cast<long>(int_digits.size()) + exponent;  // index of the point in `digits`
  const long display_scale = std::max(0L, static_cast<long>(frac_digits.size()) - exponent);
  std::string ip, fp;
  if (point <= 0) {
    fp = std::string(static_cast<std::size_t>(-point), '0') + digits;
  } else if (point >= static_cast<long>(digits.size())) {
    ip = digits + std::string(static_cast<std::size_t>(point) - digits.size(), '0');
  } else {
    ip = digits.substr(0, static_cast<std::size_t>(point));
    fp = digits.substr(static_cast<std::size_t>(point));
  }
  const long keep = scale >= 0 ? scale : display_scale;
  if (static_cast<long>(fp.size()) > keep) {
    const bool up = fp[static_cast<std::size_t>(keep)] >= '5';
    fp.resize(static_cast<std::size_t>(keep));
    if (up) {
      // Add one unit in the last kept place, carrying into the integer part.
      std::string all = ip + fp;
      long k = static_cast<long>(all.size()) - 1;
      for (; k >= 0 && all[static_cast<std::size_t>(k)] == '9'; --k)
        all[static_cast<std::size_t>(k)] = '0';
      if (k >= 0)
        ++all[static_cast<std::size_t>(k)];
      else
        all.insert(all.begin(), '1');
      ip = all.substr(0, all.size() - fp.size());
      fp = all.substr(all.size() - fp.size());
    }
  } else {
    fp.append(static_cast<std::size_t>(keep) - fp.size(), '0');
  }
  ip.erase(0, std::min(ip.find_first_not_of('0'), ip.size()));
  if (scale >= 0 && precision > 0 && static_cast<long>(ip.size()) > precision - scale)
    return std::nullopt;                                  // numeric field overflow
  if (scale < 0) fp.erase(fp.find_last_not_of('0') + 1);  // trim_scale
  const bool zero = ip.empty() && fp.find_first_not_of('0') == std::string::npos;
  std::string out = (negative && !zero) ? "-" : "";
  out += ip.empty() ? "0" : ip;
  if (!fp.empty()) out += "." + fp;
  return out;
}

// ---- floating point --------------------------------------------------------------

/// float8out/float4out with extra_float_digits > 0: the shortest text that reads back
/// as the same value, in exponent form when the exponent is < -4 or >= DBL_DIG (FLT_DIG).
template <typename F>
std::string float_text(F v, int digits_threshold) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // "-1.2345e+02"
  std::string out;
  std::size_t p = 0;
  if (sci[0] == '-') {
    out = "-";
    p = 1;
  }
  const std::size_t e = sci.find('e');
  std::string mantissa;
  for (std::size_t k = p; k < e; ++k)
    if (sci[k] != '.') mantissa += sci[k];
  const int exponent = std::stoi(sci.substr(e + 1));
  if (exponent < -4 || exponent >= digits_threshold) {
    out += mantissa.substr(0, 1);
    if (mantissa.size() > 1) out += "." + mantissa.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp_buf;
  }
  if (exponent < 0)
    return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + mantissa;
  const std::size_t int_len = static_cast<std::size_t>(exponent) + 1;
  if (mantissa.size() <= int_len)
    return out + mantissa + std::string(int_len - mantissa.size(), '0');
  return out + mantissa.substr(0, int_len) + "." + mantissa.substr(int_len);
}

template <typename F>
std::optional<std::string> floating(std::string_view in, int digits_threshold) {
  std::string s = lower(std::string(trim(in)));
  if (s == "nan") return std::string("NaN");
  if (s == "infinity" || s == "+infinity" || s == "inf" || s == "+inf")
    return std::string("Infinity");
  if (s == "-infinity" || s == "-inf") return std::string("-Infinity");
  std::string_view body = s;
  if (!body.empty() && body[0] == '+') body.remove_prefix(1);
  if (body.empty() || body[0] == '+' || body.find_first_of("xp") != std::string_view::npos)
    return std::nullopt;
  F v{};
  auto r = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != body.data() + body.size())
    return std::nullopt;  // out of range: server decides
  return float_text(v, digits_threshold);
}

// ---- dates and times -------------------------------------------------------------

constexpr std::int64_t kUsecPerDay = 86400LL * 1000000;

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/// Reads 1..max_len digits at `s[i]`.
bool read_number(std::string_view s, std::size_t& i, std::size_t min_len, std::size_t max_len,
                 int& out) {
  std::size_t start = i;
  while (i < s.size() && i - start < max_len && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i - start < min_len) return false;
  out = std::stoi(std::string(s.substr(start, i - start)));
  return true;
}

/// "YYYY-MM-DD" at the start of `s`; days since 1970-01-01 in `days`.
bool read_date(std::string_view s, std::size_t& i, std::int64_t& days) {
  int y, m, d;
  if (!read_number(s, i, 4, 4, y) || i >= s.size() || s[i++] != '-' ||
      !read_number(s, i, 1, 2, m) || i >= s.size() || s[i++] != '-' || !read_number(s, i, 1, 2, d))
    return false;
  if (y < 1 || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(m)))
    return false;
  days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

/// "HH:MM[:SS[.fff...]]" at `s[i]`, as microseconds. The fraction is read the way
/// PostgreSQL's ParseFractionalSecond does (strtod, then rint to microseconds), so a
/// 7th digit rounds exactly as on the server.
bool read_time(std::string_view s, std::size_t& i, std::int64_t& usec) {
  int h, mi, sec = 0;
  if (!read_number(s, i, 1, 2, h) || i >= s.size() || s[i++] != ':' || !read_number(s, i, 2, 2, mi))
    return false;
  double fraction = 0;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!read_number(s, i, 2, 2, sec)) return false;
    if (i < s.size() && s[i] == '.') {
      std::size_t start = i;
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      std::string text = "0" + std::string(s.substr(start, i - start));
      auto r = std::from_chars(text.data(), text.data() + text.size(), fraction);
      if (r.ec != std::errc()) return false;
    }
  }
  if (mi > 59 || sec > 59 || h > 24) return false;
  const std::int64_t fsec = static_cast<std::int64_t>(std::rint(fraction * 1000000));
  usec = ((static_cast<std::int64_t>(h) * 60 + mi) * 60 + sec) * 1000000 + fsec;
  if (h == 24 && usec != 24LL * 3600 * 1000000) return false;
  return true;
}

/// An optional zone after a time: Z, +HH, +HH:MM, +HHMM (a space may precede it).
/// `seconds` east of UTC; false when something else follows.
bool read_zone(std::string_view s, std::size_t& i, std::optional<int>& seconds) {
  if (i < s.size() && s[i] == ' ') ++i;
  if (i == s.size()) return true;
  if (s[i] == 'Z' || s[i] == 'z') {
    seconds = 0;
    return ++i == s.size();
  }
  if (s[i] != '+' && s[i] != '-') return false;
  const int sign = s[i++] == '-' ? -1 : 1;
  int h, m = 0;
  if (!read_number(s, i, 2, 2, h)) return false;
  if (i < s.size() && s[i] == ':') ++i;
  if (i < s.size() && !read_number(s, i, 2, 2, m)) return false;
  if (i != s.size() || h > 15 || m > 59) return false;
  seconds = sign * (h * 3600 + m * 60);
  return true;
}

/// AdjustTimestampForTypmod / AdjustTimeForTypmod: round to `digits` fractional
/// digits, half away from zero (zero being PostgreSQL's epoch, 2000-01-01).
std::int64_t round_fraction(std::int64_t usec, int digits) {
  if (digits < 0 || digits >= 6) return usec;
  std::int64_t scale = 1;
  for (int k = digits; k < 6; ++k) scale *= 10;
  const std::int64_t half = scale / 2;
  return usec >= 0 ? ((usec + half) / scale) * scale : -(((-usec + half) / scale) * scale);
}

std::string time_text(std::int64_t usec_of_day) {
  char buf[32];
  const std::int64_t sec = usec_of_day / 1000000, frac = usec_of_day % 1000000;
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(sec / 3600),
                static_cast<long long>(sec / 60 % 60), static_cast<long long>(sec % 60));
  std::string out = buf;
  if (frac) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(frac));
    std::string f = buf;
    f.erase(f.find_last_not_of('0') + 1);
    out += f;
  }
  return out;
}

std::optional<std::string> date_value(std::string_view in) {
  std::string_view s = trim(in);
  std::size_t i = 0;
  std::int64_t days;
  if (!read_date(s, i, days)) return std::nullopt;
  if (i != s.size()) {
    // A time of day after the date is read and ignored, as date_in does.
    if (s[i] != ' ' && s[i] != 'T') return std::nullopt;
    ++i;
    std::int64_t usec;
    std::optional<int> zone;
    if (!read_time(s, i, usec) || !read_zone(s, i, zone)) return std::nullopt;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return std::string(buf);
}

std::optional<std::string> time_value(std::string_view in, int digits) {
  std::string_view s = trim(in);
  std::size_t i = 0;
  std::int64_t usec;
  if (!read_time(s, i, usec) || i != s.size()) return std::nullopt;
  return time_text(round_fraction(usec, digits));
}

std::optional<std::string> timestamp_value(std::string_view in, int digits, bool with_zone) {
  std::string_view s = trim(in);
  std::size_t i = 0;
  std::int64_t days, usec = 0;
  std::optional<int> zone;
  if (!read_date(s, i, days)) return std::nullopt;
  if (i != s.size()) {
    if (s[i] != ' ' && s[i] != 'T') return std::nullopt;
    ++i;
    if (!read_time(s, i, usec) || !read_zone(s, i, zone)) return std::nullopt;
  }
  // timestamp ignores a zone; timestamptz applies it (no zone: the session's, UTC).
  std::int64_t pg = (days - days_from_civil(2000, 1, 1)) * kUsecPerDay + usec;
  if (with_zone && zone) pg -= static_cast<std::int64_t>(*zone) * 1000000;
  pg = round_fraction(pg, digits);
  std::int64_t day = pg >= 0 ? pg / kUsecPerDay : -((-pg + kUsecPerDay - 1) / kUsecPerDay);
  std::int64_t y;
  unsigned m, d;
  civil_from_days(day + days_from_civil(2000, 1, 1), y, m, d);
  if (y < 1 || y > 9999) return std::nullopt;  // BC and 5-digit years print differently
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u ", static_cast<long long>(y), m, d);
  return std::string(buf) + time_text(pg - day * kUsecPerDay) + (with_zone ? "+00" : "");
}

// ---- the rest ---------------------------------------------------------------------

std::optional<std::string> uuid_value(std::string_view in) {
  std::string_view s = trim(in);
  if (s.size() >= 2 && s.front() == '{' && s.back() == '}') s = s.substr(1, s.size() - 2);
  std::string hex;
  if (s.size() == 36) {
    for (std::size_t k = 0; k < s.size(); ++k) {
      const bool dash = k == 8 || k == 13 || k == 18 || k == 23;
      if (dash != (s[k] == '-')) return std::nullopt;
      if (!dash) hex += s[k];
    }
  } else if (s.size() == 32) {
    hex = s;
  } else {
    return std::nullopt;
  }
  for (char& c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::optional<std::string> bytea_value(std::string_view s) {
  if (s.size() < 2 || s[0] != '\\' || (s[1] != 'x' && s[1] != 'X'))
    return std::nullopt;  // escape format
  std::string out = "\\x";
  for (std::size_t k = 2; k < s.size();) {
    if (std::isspace(static_cast<unsigned char>(s[k]))) {
      ++k;
      continue;
    }
    if (k + 1 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[k])) ||
        !std::isxdigit(static_cast<unsigned char>(s[k + 1])))
      return std::nullopt;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(s[k])));
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(s[k + 1])));
    k += 2;
  }
  return out;
}

/// Characters (UTF-8 code points) in `s`.
std::size_t char_count(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// The first `n` characters of `s`.
std::string_view char_prefix(std::string_view s, std::size_t n) {
  std::size_t chars = 0, k = 0;
  for (; k < s.size(); ++k)
    if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80 && chars++ == n) break;
  return s.substr(0, k);
}

/// varchar(n)/char(n) input: a value longer than n characters is cut when the excess
/// is spaces, refused otherwise (nullopt, for the server to refuse).
std::optional<std::string> bounded_text(std::string_view s, int length) {
  if (length <= 0 || char_count(s) <= static_cast<std::size_t>(length)) return std::string(s);
  std::string_view head = char_prefix(s, static_cast<std::size_t>(length));
  std::string_view rest = s.substr(head.size());
  if (rest.find_first_not_of(' ') != std::string_view::npos) return std::nullopt;
  return std::string(head);
}

}  // namespace

std::string canonical_sql(const TargetType& t, const std::string& value_sql) {
  if (t.kind == TypeKind::numeric && t.scale < 0) return "trim_scale(" + value_sql + ")::text";
  return "(" + value_sql + ")::text";
}

std::optional<std::string> normalise(const TargetType& t, std::string_view input) {
  switch (t.kind) {
    case TypeKind::boolean:
      return boolean(input);
    case TypeKind::int16:
      return integer(input, INT16_MIN, INT16_MAX);
    case TypeKind::int32:
      return integer(input, INT32_MIN, INT32_MAX);
    case TypeKind::int64:
      return integer(input, INT64_MIN, INT64_MAX);
    case TypeKind::numeric:
      return numeric(input, t.precision, t.scale);
    case TypeKind::float4:
      return floating<float>(input, 6);  // FLT_DIG
    case TypeKind::float8:
      return floating<double>(input, 15);  // DBL_DIG
    case TypeKind::text:
      return bounded_text(input, t.length);
    case TypeKind::bpchar: {
      auto v = bounded_text(input, t.length);
      if (v) v->erase(v->find_last_not_of(' ') + 1);  // char(n)::text drops the padding
      return v;
    }
    case TypeKind::date:
      return date_value(input);
    case TypeKind::time:
      return time_value(input, t.precision);
    case TypeKind::timestamp:
      return timestamp_value(input, t.precision, false);
    case TypeKind::timestamptz:
      return timestamp_value(input, t.precision, true);
    case TypeKind::uuid:
      return uuid_value(input);
    case TypeKind::bytea:
      return bytea_value(input);
    case TypeKind::json:
      return std::string(input);
    case TypeKind::other:
      break;
  }
  return std::nullopt;
}

}  // namespace replicate::verify
