// SPDX-License-Identifier: Apache-2.0
// Helpers for the end-to-end fidelity tests (tests/e2e/fidelity_test.cpp).
//
// Everything here reads and writes the databases with libpq and the sqlite3 C
// API directly, never through replicate's own code, so that a bug in the code
// under test cannot hide itself in the comparison. Header-only on purpose: the
// test CMakeLists globs *_test.cpp and support/*.cpp only.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace replicate::test::fidelity {

using Cell = std::optional<std::string>;
using Rows = std::vector<std::vector<Cell>>;

// ---------------------------------------------------------------------------
// libpq

/// One libpq session with fixed, canonical output settings, so that the text
/// of a value never depends on the server's or the user's defaults.
class Pg {
 public:
  explicit Pg(const std::string& conninfo) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
      throw std::runtime_error("fidelity: cannot connect (" + conninfo + "): " +
                               (conn_ ? PQerrorMessage(conn_) : "out of memory"));
    exec("SET DateStyle = ISO, YMD; SET TimeZone = 'UTC'; SET extra_float_digits = 3; "
         "SET IntervalStyle = postgres; SET bytea_output = hex; SET client_encoding = 'UTF8'; "
         "SET lc_monetary = 'C'; SET standard_conforming_strings = on; SET client_min_messages = warning");
  }
  ~Pg() { PQfinish(conn_); }
  Pg(const Pg&) = delete;
  Pg& operator=(const Pg&) = delete;

  void exec(const std::string& sql) { PQclear(checked(PQexec(conn_, sql.c_str()), sql)); }

  /// A statement with text parameters ($1, $2, ...; nullopt is NULL).
  void exec_params(const std::string& sql, const std::vector<Cell>& params) {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& p : params) {
      values.push_back(p ? p->c_str() : nullptr);
      lengths.push_back(p ? static_cast<int>(p->size()) : 0);
    }
    PQclear(checked(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                 lengths.data(), nullptr, 0),
                    sql));
  }

  Rows query(const std::string& sql) {
    PGresult* res = checked(PQexec(conn_, sql.c_str()), sql);
    Rows rows;
    const int nr = PQntuples(res), nc = PQnfields(res);
    rows.reserve(nr);
    for (int r = 0; r < nr; ++r) {
      auto& row = rows.emplace_back();
      row.reserve(nc);
      for (int c = 0; c < nc; ++c)
        row.push_back(PQgetisnull(res, r, c) ? Cell{} : Cell{std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c))});
    }
    PQclear(res);
    return rows;
  }

 private:
  PGresult* checked(PGresult* res, const std::string& sql) {
    auto st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
    std::string msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn_);
    PQclear(res);
    throw std::runtime_error("fidelity: SQL failed: " + msg + "  in: " + sql.substr(0, 300));
  }
  PGconn* conn_ = nullptr;
};

inline std::string pg_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// ---------------------------------------------------------------------------
// sqlite3

/// A value to bind into SQLite with its storage class chosen explicitly.
struct Blob {
  std::string bytes;
};
using LiteValue = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

class Lite {
 public:
  explicit Lite(const std::string& path, bool create = true) {
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("fidelity: cannot open " + path + ": " + msg);
    }
  }
  ~Lite() { sqlite3_close(db_); }
  Lite(const Lite&) = delete;
  Lite& operator=(const Lite&) = delete;
  sqlite3* get() const { return db_; }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw std::runtime_error("fidelity: SQLite failed: " + msg + "  in: " + sql.substr(0, 300));
    }
  }

  void insert(const std::string& sql, const std::vector<LiteValue>& values) {
    sqlite3_stmt* st = prepare(sql);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int idx = static_cast<int>(i) + 1;
      const auto& v = values[i];
      if (std::holds_alternative<std::monostate>(v)) sqlite3_bind_null(st, idx);
      else if (auto* n = std::get_if<std::int64_t>(&v)) sqlite3_bind_int64(st, idx, *n);
      else if (auto* d = std::get_if<double>(&v)) sqlite3_bind_double(st, idx, *d);
      else if (auto* s = std::get_if<std::string>(&v))
        sqlite3_bind_text(st, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      else {
        const auto& b = std::get<Blob>(v).bytes;
        sqlite3_bind_blob(st, idx, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
      }
    }
    const int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error("fidelity: SQLite insert failed: " + std::string(sqlite3_errmsg(db_)));
  }

  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK)
      throw std::runtime_error("fidelity: SQLite prepare failed: " + std::string(sqlite3_errmsg(db_)) + "  in: " + sql);
    return st;
  }

 private:
  sqlite3* db_ = nullptr;
};

// ---------------------------------------------------------------------------
// Exact decimal arithmetic on strings, as PostgreSQL's numeric input does it.

/// Round a decimal number written as text ("-12.345", "9.9999999999999995e-08",
/// "1500") to `scale` fractional digits, half away from zero (PostgreSQL's numeric
/// rounding), and print it with exactly `scale` digits, as numeric(p,scale)::text
/// does. Returns nullopt when the text is not a plain decimal number.
inline std::optional<std::string> round_decimal(const std::string& text, int scale) {
  std::size_t i = 0;
  bool negative = false;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;  // all significant digits, no point
  long point = -1;     // digits before the point
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    else if (c == '.' && point < 0) point = static_cast<long>(digits.size());
    else break;
  }
  if (digits.empty()) return std::nullopt;
  if (point < 0) point = static_cast<long>(digits.size());
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    char* end = nullptr;
    long exp = std::strtol(text.c_str() + i + 1, &end, 10);
    if (end == text.c_str() + i + 1) return std::nullopt;
    point += exp;
    i = static_cast<std::size_t>(end - text.c_str());
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i != text.size()) return std::nullopt;
  // Make the integer part at least one digit and the fraction at least scale+1 digits.
  if (point <= 0) {
    digits.insert(0, static_cast<std::size_t>(1 - point), '0');
    point = 1;
  }
  const long want = point + scale + 1;
  if (static_cast<long>(digits.size()) < want) digits.append(static_cast<std::size_t>(want - digits.size()), '0');
  const bool round_up = digits[static_cast<std::size_t>(point + scale)] >= '5';
  digits.resize(static_cast<std::size_t>(point + scale));
  if (round_up) {
    long k = static_cast<long>(digits.size()) - 1;
    for (; k >= 0 && digits[k] == '9'; --k) digits[k] = '0';
    if (k >= 0) digits[k]++;
    else {
      digits.insert(0, "1");
      ++point;
    }
  }
  std::string intpart = digits.substr(0, static_cast<std::size_t>(point));
  std::string frac = digits.substr(static_cast<std::size_t>(point));
  std::size_t nz = intpart.find_first_not_of('0');
  intpart = nz == std::string::npos ? "0" : intpart.substr(nz);
  const bool zero = intpart == "0" && frac.find_first_not_of('0') == std::string::npos;
  return std::string(negative && !zero ? "-" : "") + intpart + (scale > 0 ? "." + frac : "");
}

/// What PostgreSQL stores in numeric(p,scale) for a SQLite REAL that replicate
/// sends with round-trip precision (printf %.17g): the 17-digit decimal, rounded.
inline std::string expected_decimal_from_double(double v, int scale) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  auto r = round_decimal(buf, scale);
  return r ? *r : std::string(buf);
}

inline std::string hex_of(const void* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// ---------------------------------------------------------------------------
// Comparison

/// How one column's values are compared once both sides are normalised to text.
enum class Compare { exact, float_bits };

/// A table's expected content: column names as they appear in the target, the
/// comparison of each, and the rows ordered by the key (column 0).
struct Expected {
  std::vector<std::string> target_columns;
  std::vector<Compare> compare;
  /// How each target column is read back; empty: "column"::text.
  std::vector<std::string> target_select;
  /// The key's columns (the first ones), for messages.
  std::size_t key_columns = 1;
  Rows rows;
};

inline std::string shown(const Cell& c) {
  if (!c) return "NULL";
  std::string s;
  const std::size_t limit = 160;
  for (std::size_t i = 0; i < c->size() && i < limit; ++i) {
    unsigned char ch = static_cast<unsigned char>((*c)[i]);
    if (ch == '\\') s += "\\\\";
    else if (ch == '\t') s += "\\t";
    else if (ch == '\n') s += "\\n";
    else if (ch == '\r') s += "\\r";
    else if (ch < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", ch);
      s += b;
    } else s += static_cast<char>(ch);
  }
  if (c->size() > limit) s += "... (" + std::to_string(c->size()) + " bytes)";
  return "'" + s + "'";
}

inline bool same_double(const std::string& a, const std::string& b) {
  // strtod reads "Infinity", "-Infinity", "NaN", "Inf" and every finite form.
  char *ea = nullptr, *eb = nullptr;
  double x = std::strtod(a.c_str(), &ea), y = std::strtod(b.c_str(), &eb);
  if (*ea || *eb || ea == a.c_str() || eb == b.c_str()) return a == b;
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);
  return std::memcmp(&x, &y, sizeof x) == 0;  // also tells 0 from -0
}

inline bool same(Compare how, const Cell& expected, const Cell& got) {
  if (!expected || !got) return !expected && !got;
  if (how == Compare::float_bits) return same_double(*expected, *got);
  return *expected == *got;
}

/// Rows in the byte order of their text, key (first columns) first, so that both
/// sides line up whatever the source's or the target's collation.
inline void sort_by_key(Rows& rows) { std::sort(rows.begin(), rows.end()); }

inline std::string shown_key(const Expected& e, const std::vector<Cell>& row) {
  std::string out;
  for (std::size_t i = 0; i < e.key_columns && i < row.size(); ++i) out += (i ? ", " : "") + shown(row[i]);
  return e.key_columns > 1 ? "(" + out + ")" : out;
}

/// Every value of every row; the first difference as (key, column, expected, got).
/// Both sides must be sorted with sort_by_key.
inline ::testing::AssertionResult same_rows(const Expected& e, const Rows& got) {
  const std::size_t n = std::min(e.rows.size(), got.size());
  for (std::size_t r = 0; r < n; ++r) {
    const auto& want = e.rows[r];
    const auto& have = got[r];
    if (want.size() != have.size())
      return ::testing::AssertionFailure() << "row " << r << ": " << want.size() << " columns expected, " << have.size()
                                           << " read";
    for (std::size_t c = 0; c < want.size(); ++c) {
      if (!same(e.compare[c], want[c], have[c]))
        return ::testing::AssertionFailure()
               << "first difference at key " << shown_key(e, want) << " (row " << r << "), column "
               << e.target_columns[c] << ":\n  expected " << shown(want[c]) << "\n  got      " << shown(have[c]);
    }
  }
  if (e.rows.size() != got.size()) {
    const auto& extra = e.rows.size() > got.size() ? e.rows[n] : got[n];
    return ::testing::AssertionFailure() << e.rows.size() << " rows expected, " << got.size()
                                         << " in the target; first unmatched key " << shown_key(e, extra)
                                         << (e.rows.size() > got.size() ? " (missing from target)" : " (extra in target)");
  }
  return ::testing::AssertionSuccess();
}

}  // namespace replicate::test::fidelity
