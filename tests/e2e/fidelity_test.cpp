// SPDX-License-Identifier: Apache-2.0
// End-to-end value fidelity: the real binary copies a table into the private
// PostgreSQL cluster over each of the four routes
//
//   sqlite           SQLite file, SOCI's sqlite3 backend
//   postgresql       PostgreSQL, native libpq driver
//   postgresql_odbc  PostgreSQL through psqlODBC (dialect detected from the driver)
//   sqlite_odbc      SQLite through the SQLite ODBC driver (`dialect: sqlite` for
//                    bi_credores, detected from the driver for the others)
//
// for each of the datasets bi_credores (the sample, 5,000 rows, 5 chunks over 2
// workers), awkward (NULL vs '', tab/newline/CR/backslash/quotes, '\N', emoji and
// accents, numeric(38,2)/integer/float extremes, negatives, NaN and infinities,
// 0001-01-01 and 9999-12-31, microseconds, uuid, every byte value, booleans, a
// multi-MB text value, and on PostgreSQL the types that travel as text; batch_size
// 7), empty (no rows), one_row, and text_key (a composite key of strings that break
// naive literals, every key a chunk boundary). PostgreSQL databases carry hostile
// session defaults (DateStyle, TimeZone, extra_float_digits, bytea_output,
// standard_conforming_strings). Then every value of every row is compared.
//
// The comparison never goes through replicate's code: the source is read with
// libpq or the sqlite3 C API, the target with libpq, and values are normalised
// here by their declared type (see expected_from_sqlite and expected_from_pg).
#include <gtest/gtest.h>

#include <cfloat>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>

#include "e2e/fidelity_support.hpp"
#include "support/test_db.hpp"

namespace replicate::test::fidelity {
namespace {

enum class Route { sqlite, postgresql, postgresql_odbc, sqlite_odbc };
enum class Dataset { bi_credores, awkward, empty, one_row, text_key };

const char* name_of(Route r) {
  switch (r) {
    case Route::sqlite: return "sqlite";
    case Route::postgresql: return "postgresql";
    case Route::postgresql_odbc: return "postgresql_odbc";
    case Route::sqlite_odbc: return "sqlite_odbc";
  }
  return "?";
}

const char* name_of(Dataset d) {
  switch (d) {
    case Dataset::bi_credores: return "bi_credores";
    case Dataset::awkward: return "awkward";
    case Dataset::empty: return "empty";
    case Dataset::one_row: return "one_row";
    case Dataset::text_key: return "text_key";
  }
  return "?";
}

bool sqlite_source(Route r) { return r == Route::sqlite || r == Route::sqlite_odbc; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ---------------------------------------------------------------------------
// The bi_credores sample, written once per process by `replicate sample`.

const std::string& sample_path() {
  static const std::string path = [] {
    std::string p = temp_dir() + "/bi_credores.sqlite";
    auto r = run_replicate({"sample", "--rows", "5000", "--output", p});
    if (r.exit_code != 0) throw std::runtime_error("replicate sample failed: " + r.err);
    return p;
  }();
  return path;
}

// ---------------------------------------------------------------------------
// SQLite: expected target text, by declared type

enum class LiteKind { integer, boolean, decimal, real, text, date, timestamp, uuid, blob };

struct LiteColumn {
  std::string name;
  LiteKind kind = LiteKind::text;
  int scale = 0;  // decimal
};

/// The declared type's meaning, after SQLite's own affinity rules and the names
/// users write (BOOLEAN, DATETIME, UUID, DECIMAL(p,s)).
LiteColumn lite_column(const std::string& name, const std::string& declared) {
  LiteColumn c{name};
  const std::string t = upper(declared);
  auto starts = [&](const char* p) { return t.rfind(p, 0) == 0; };
  if (starts("BOOL")) c.kind = LiteKind::boolean;
  else if (t.find("INT") != std::string::npos) c.kind = LiteKind::integer;
  else if (starts("DECIMAL") || starts("NUMERIC")) {
    c.kind = LiteKind::decimal;
    auto comma = t.find(',');
    c.scale = comma == std::string::npos ? 0 : std::atoi(t.c_str() + comma + 1);
  } else if (starts("REAL") || starts("DOUBLE") || starts("FLOAT")) c.kind = LiteKind::real;
  else if (starts("DATETIME") || starts("TIMESTAMP")) c.kind = LiteKind::timestamp;
  else if (starts("DATE")) c.kind = LiteKind::date;
  else if (starts("UUID")) c.kind = LiteKind::uuid;
  else if (starts("BLOB")) c.kind = LiteKind::blob;
  return c;
}

/// PostgreSQL's timestamp text for an ISO 8601 string as SQLite applications
/// store it: 'T' or ' ' between date and time, seconds optional, trailing zeros
/// of the fraction dropped.
std::string pg_timestamp_text(std::string s) {
  if (s.size() > 10 && s[10] == 'T') s[10] = ' ';
  if (s.size() == 16) s += ":00";
  if (auto dot = s.find('.'); dot != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

/// "YYYY-MM-DD HH:MM:SS[.mmm]" in UTC for milliseconds since 1970 (proleptic Gregorian).
std::string utc_text(std::int64_t unix_ms, bool with_ms) {
  std::int64_t days = unix_ms / 86400000, ms = unix_ms % 86400000;
  if (ms < 0) {
    ms += 86400000;
    --days;
  }
  // civil_from_days (H. Hinnant)
  const std::int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(ms / 3600000),
                static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60));
  std::string out = buf;
  if (with_ms) {
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(ms % 1000));
    out += buf;
  }
  return out;
}

/// A Julian day number as SQLite's date functions read it (whole milliseconds).
std::int64_t julian_to_unix_ms(double jd) {
  return static_cast<std::int64_t>(jd * 86400000.0 + 0.5) - 210866760000000LL;
}

/// Expected text of one SQLite value in the PostgreSQL column replicate creates for it.
Cell lite_expected(sqlite3_stmt* st, int i, const LiteColumn& c) {
  const int type = sqlite3_column_type(st, i);
  if (type == SQLITE_NULL) return std::nullopt;
  auto text = [&] {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
  };
  auto unsupported = [&]() -> Cell {
    ADD_FAILURE() << "test data: column " << c.name << " holds a storage class (" << type << ") this test does not normalise";
    return text();
  };
  switch (c.kind) {
    case LiteKind::integer:
      if (type == SQLITE_INTEGER) return std::to_string(sqlite3_column_int64(st, i));
      return unsupported();
    case LiteKind::boolean:
      if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) return sqlite3_column_double(st, i) != 0 ? "true" : "false";
      if (type == SQLITE_TEXT) {
        // PostgreSQL's boolean input: trimmed, any case, unique prefixes.
        std::string v = lower(text());
        v.erase(0, v.find_first_not_of(" \t\n\r"));
        v.erase(v.find_last_not_of(" \t\n\r") + 1);
        auto prefix_of = [&](const char* word, std::size_t min) {
          return v.size() >= min && std::string(word).rfind(v, 0) == 0;
        };
        if (prefix_of("true", 1) || prefix_of("yes", 1) || prefix_of("on", 2) || v == "1") return "true";
        if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) || v == "0") return "false";
        return unsupported();  // PostgreSQL refuses it: a reject, not a value
      }
      return unsupported();
    case LiteKind::decimal:
      // NUMERIC affinity: a REAL (sent with 17 significant digits, rounded to the
      // scale by PostgreSQL), an INTEGER (exact), or text that did not look numeric.
      if (type == SQLITE_FLOAT) return expected_decimal_from_double(sqlite3_column_double(st, i), c.scale);
      if (type == SQLITE_INTEGER || type == SQLITE_TEXT) {
        auto r = round_decimal(text(), c.scale);
        return r ? *r : unsupported();
      }
      return unsupported();
    case LiteKind::real: {
      // Compared as doubles (Compare::float_bits): PostgreSQL prints its own shortest form.
      if (type == SQLITE_INTEGER) return std::to_string(sqlite3_column_int64(st, i));
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", sqlite3_column_double(st, i));
      return std::string(buf);
    }
    // SQLite's date functions read an INTEGER as Unix time and a REAL as a Julian day.
    case LiteKind::date:
      if (type == SQLITE_TEXT) return text();
      if (type == SQLITE_INTEGER) return utc_text(sqlite3_column_int64(st, i) * 1000, false).substr(0, 10);
      return utc_text(julian_to_unix_ms(sqlite3_column_double(st, i)), false).substr(0, 10);
    case LiteKind::timestamp:
      if (type == SQLITE_TEXT) return pg_timestamp_text(text());
      if (type == SQLITE_INTEGER) return utc_text(sqlite3_column_int64(st, i) * 1000, false);
      return pg_timestamp_text(utc_text(julian_to_unix_ms(sqlite3_column_double(st, i)), true));
    case LiteKind::uuid: return type == SQLITE_TEXT ? lower(text()) : unsupported();
    case LiteKind::blob:
      return "\\x" + hex_of(sqlite3_column_blob(st, i), static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
    case LiteKind::text:
      if (type == SQLITE_BLOB) return unsupported();
      return text();
  }
  return unsupported();
}

std::vector<LiteColumn> lite_columns(Lite& db, const std::string& table) {
  std::vector<LiteColumn> cols;
  sqlite3_stmt* st = db.prepare("SELECT name, type FROM pragma_table_info('" + table + "') ORDER BY cid");
  while (sqlite3_step(st) == SQLITE_ROW)
    cols.push_back(lite_column(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                               reinterpret_cast<const char*>(sqlite3_column_text(st, 1))));
  sqlite3_finalize(st);
  return cols;
}

Expected expected_from_sqlite(const std::string& path, const std::string& table) {
  Lite db(path, false);
  Expected e;
  auto cols = lite_columns(db, table);
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < cols.size(); ++i) {
    sql += (i ? ", " : "") + pg_ident(cols[i].name);
    e.target_columns.push_back(lower(cols[i].name));
    e.compare.push_back(cols[i].kind == LiteKind::real ? Compare::float_bits : Compare::exact);
  }
  sql += " FROM " + pg_ident(table) + " ORDER BY 1";
  sqlite3_stmt* st = db.prepare(sql);
  while (sqlite3_step(st) == SQLITE_ROW) {
    auto& row = e.rows.emplace_back();
    for (std::size_t i = 0; i < cols.size(); ++i) row.push_back(lite_expected(st, static_cast<int>(i), cols[i]));
  }
  sqlite3_finalize(st);
  return e;
}

// ---------------------------------------------------------------------------
// PostgreSQL: col::text on both sides, in the same canonical session settings

Expected expected_from_pg(const std::string& conninfo, const std::string& table) {
  Pg db(conninfo);
  Expected e;
  auto cols = db.query("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" +
                       table + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const std::string& name = *cols[i][0];
    const std::string& type = *cols[i][1];
    const std::string col = pg_ident(name), target = pg_ident(lower(name));
    std::string source_expr = col + "::text", target_expr = target + "::text";
    // money's text carries the currency symbol and grouping of lc_monetary; it
    // lands in a numeric column, so its numeric value is what must arrive.
    if (type == "money") source_expr = col + "::numeric::text";
    // json lands in jsonb (documented): compare the jsonb value.
    if (type == "json") source_expr = col + "::jsonb::text";
    // Types without a canonical one travel as text in a text column; their text
    // depends on session settings (IntervalStyle), so the target's text is read
    // back as the source type and compared as a value.
    if (type == "interval" || type == "time with time zone")
      target_expr = target + "::" + type + "::text";
    sql += (i ? ", " : "") + source_expr;
    e.target_columns.push_back(lower(name));
    e.target_select.push_back(target_expr);
    e.compare.push_back(Compare::exact);
  }
  // Qualified: a bare name would mean the output column, the key's text.
  e.rows = db.query(sql + " FROM " + table + " AS src ORDER BY src." + pg_ident(*cols[0][0]));
  return e;
}

Rows target_rows(const std::string& conninfo, const std::string& table, const Expected& e) {
  Pg db(conninfo);
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < e.target_columns.size(); ++i)
    sql += (i ? ", " : "") +
           (i < e.target_select.size() ? e.target_select[i] : pg_ident(e.target_columns[i]) + "::text");
  return db.query(sql + " FROM public." + pg_ident(table) + " AS tgt ORDER BY tgt." + pg_ident(e.target_columns[0]));
}

// ---------------------------------------------------------------------------
// Source datasets

/// A text of about `bytes` bytes made of everything COPY must escape, with
/// multi-byte characters cut nowhere.
std::string big_text(std::size_t bytes) {
  const std::string unit = "A\xc3\xa7\xc3\xa3o \xe2\x9c\x93 \t\\\n\r\xf0\x9f\x98\x80 \"'| ";
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s + "end";
}

std::string pseudo_random_bytes(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  for (auto& c : s) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return s;
}

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}

const std::string kTabNewlineBackslashQuote = "\t\n\\\"'";
const std::string kCarriageReturns = "line1\r\nline2\rend\r";
const std::string kEmoji = "\xf0\x9f\x98\x80\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd \xf0\x9f\x87\xa7\xf0\x9f\x87\xb7 "  // 😀👍🏽 🇧🇷
                           "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7 "   // family (ZWJ)
                           "\xe6\xbc\xa2\xe5\xad\x97";                                                    // 漢字
const std::string kAccents = "S\xc3\xa3o Paulo, A\xc3\xa7\xc3\xa3o, \xc3\x9c" "ber, Espa\xc3\xb1" "a, "
                             "e\xcc\x81 (combining), \xc3\x85ngstr\xc3\xb6m";

/// SQLite awkward table. DECIMAL columns have NUMERIC affinity: a value such as
/// '12345678901234567890.12' becomes a lossy REAL inside SQLite itself, so the
/// DECIMAL columns hold values within 15 significant digits (exact as doubles to
/// that many digits), and the numeric(38,2) extremes live in n38_text, a TEXT
/// column. They reach PostgreSQL exactly through the PG-source datasets.
void create_sqlite_awkward(const std::string& path, Dataset d) {
  Lite db(path);
  db.exec(R"(CREATE TABLE awkward (
    id INTEGER PRIMARY KEY, t TEXT, vc VARCHAR(80), n DECIMAL(15,2), n38_text TEXT, m DECIMAL(19,4),
    i2 SMALLINT, i8 BIGINT, r REAL, b BOOLEAN, d DATE, ts DATETIME, u UUID, bl BLOB))");
  if (d == Dataset::empty) return;
  using V = LiteValue;
  const V null{};
  auto S = [](std::string s) { return V{std::move(s)}; };
  auto I = [](std::int64_t v) { return V{v}; };
  auto D = [](double v) { return V{v}; };
  auto B = [](std::string s) { return V{Blob{std::move(s)}}; };
  const std::string ins = "INSERT INTO awkward VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  db.exec("BEGIN");
  //                 id     t                       vc                       n                   n38_text                                         m                      i2             i8                                          r                                 b              d                 ts                                      u                                                   bl
  if (d == Dataset::one_row) {
    db.insert(ins, {I(1), S(kEmoji + kTabNewlineBackslashQuote + kCarriageReturns), S("S\xc3\xa3o Paulo \xf0\x9f\x98\x80"), D(-2.675), S("-999999999999999999999999999999999999.99"), D(0.00005), I(-32768), I(INT64_MIN), D(0.1), I(1), S("9999-12-31"), S("2024-02-29 12:34:56.123456"), S("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), B(all_bytes())});
    db.exec("COMMIT");
    return;
  }
  db.insert(ins, {I(1), null, null, null, null, null, null, null, null, null, null, null, null, null});
  db.insert(ins, {I(2), S(""), S(""), null, S(""), null, I(0), I(0), D(0.0), I(0), null, null, null, B("")});
  db.insert(ins, {I(3), S(kTabNewlineBackslashQuote), S("a\tb\\c\"d'e"), D(-0.01), S("-0.01"), D(-0.0001), I(-1), I(-1), D(-1.5), I(1), null, null, null, B(std::string("\0", 1))});
  db.insert(ins, {I(4), S(kCarriageReturns), S("\r"), null, null, null, null, null, null, null, null, null, null, null});
  db.insert(ins, {I(5), S(kEmoji), S(kAccents), null, null, null, null, null, null, null, null, null, null, null});
  db.insert(ins, {I(6), S("\\N"), S("NULL"), null, S("\\N"), null, null, null, null, null, null, null, null, null});
  db.insert(ins, {I(7), S("  leading and trailing  "), S("\\"), D(1234567890123.45), S("999999999999999999999999999999999999.99"), D(12345678901.2345), I(32767), I(INT64_MAX), D(DBL_MAX), I(1), null, null, null, null});
  db.insert(ins, {I(8), S("negative"), null, D(-1234567890123.45), S("-999999999999999999999999999999999999.99"), D(-12345678901.2345), I(-32768), I(INT64_MIN), D(-DBL_MIN), I(0), null, null, null, null});
  // Rounding: 2.675 is 2.67499999... as a double (-> 2.67), 0.125 is exact (-> 0.13,
  // half away from zero), 0.00005 is 5.0000000000000002e-05 (-> 0.0001).
  db.insert(ins, {I(9), S("rounding up"), null, D(2.675), S("0.01"), D(0.00005), null, null, D(5e-324), S("true"), null, null, null, null});
  db.insert(ins, {I(10), S("rounding down"), null, D(-2.675), null, D(-0.00005), null, null, D(-0.0), S("false"), null, null, null, null});
  db.insert(ins, {I(11), S("tiny and integral"), null, D(1e-7), null, S("1500.00"), null, null, D(0.1), I(2), null, null, null, null});
  db.insert(ins, {I(12), S("half"), null, D(0.125), null, D(-0.125), null, null, D(1.0 / 3), S(" true "), null, null, null, null});
  db.insert(ins, {I(13), S("first day"), null, null, null, null, null, null, null, S("Yes"), S("0001-01-01"), S("0001-01-01 00:00:00"), null, null});
  db.insert(ins, {I(14), S("last day"), null, null, null, null, null, null, null, S("off"), S("9999-12-31"), S("9999-12-31 23:59:59.999999"), null, null});
  db.insert(ins, {I(15), S("microseconds"), null, null, null, null, null, null, null, null, S("2024-02-29"), S("2024-02-29 12:34:56.123456"), S("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), B(all_bytes())});
  db.insert(ins, {I(16), S("ISO T, no seconds"), null, null, null, null, null, null, null, null, S("2000-01-01"), S("2024-01-01T10:00:00.5"), S("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), B(std::string("\0\0", 2))});
  db.insert(ins, {I(17), S("minutes only"), null, null, null, null, null, null, null, S("N"), null, S("2024-01-01 10:00"), S("00000000-0000-0000-0000-000000000000"), null});
  db.insert(ins, {I(18), S("infinities"), null, null, null, null, null, null, D(std::numeric_limits<double>::infinity()), null, null, null, null, null});
  db.insert(ins, {I(19), S("minus infinity"), null, null, null, null, null, null, D(-std::numeric_limits<double>::infinity()), null, null, null, null, null});
  // Dates and times as SQLite's date functions also store them: Unix time
  // (INTEGER) and Julian day (REAL).
  db.insert(ins, {I(21), S("unix time"), null, null, null, null, null, null, null, null, I(1709251199), I(1709251199), null, null});
  db.insert(ins, {I(22), S("unix time, before 1970"), null, null, null, null, null, null, null, null, I(-86400), I(-1), null, null});
  db.insert(ins, {I(23), S("julian day"), null, null, null, null, null, null, null, null, D(2451545.25), D(2451545.123456789), null, null});
  db.insert(ins, {I(24), S("julian day, 2024"), null, null, null, null, null, null, null, null, D(2460370.5), D(2460370.75), null, null});
  // A value of a few MB through every route (and a 1 MB blob).
  db.insert(ins, {I(20), S(big_text(3 << 20)), S("big"), null, null, null, null, null, null, null, null, null, null, B(pseudo_random_bytes(1 << 20, 7))});
  // The extremes of the key: equal key ranges must still cover them.
  db.insert(ins, {I(INT64_MIN), S("lowest key"), null, null, null, null, null, null, null, null, null, null, null, null});
  db.insert(ins, {I(INT64_MAX), S("highest key"), null, null, null, null, null, null, null, null, null, null, null, null});
  // Filler over several chunks (chunk_rows 10), including keys 0 and -1.
  for (int i = -1; i <= 60; ++i) {
    if (i >= 1 && i <= 24) continue;
    char ts[64], u[40], date[16];
    std::snprintf(ts, sizeof ts, "2001-%02d-%02d %02d:%02d:%02d.%06d", 1 + (i + 12) % 12, 1 + (i + 28) % 28, (i + 24) % 24, (i + 60) % 60, (i * 7 + 60) % 60, (i * 12345 + 1000000) % 1000000);
    std::snprintf(u, sizeof u, "%08x-0000-4000-8000-%012x", i * 2654435761u, static_cast<unsigned>(i + 1000));
    std::snprintf(date, sizeof date, "19%02d-%02d-%02d", (i + 100) % 100, 1 + (i + 12) % 12, 1 + (i + 28) % 28);
    db.insert(ins, {I(i), S("row " + std::to_string(i) + "\t" + std::string(static_cast<std::size_t>(i + 2), 'x')), S("v" + std::to_string(i)), D(i * 1.01), S(std::to_string(i) + ".5"), D(i / 7.0), I(i), I(static_cast<std::int64_t>(i) * 1000000000000000LL), D(i / 3.0), I(i % 2), S(date), S(ts), S(u), B(pseudo_random_bytes(static_cast<std::size_t>(i + 1), static_cast<std::uint32_t>(i)))});
  }
  db.exec("COMMIT");
}

/// PostgreSQL awkward table: every type replicate maps, and the values that break
/// naive encoders.
void create_pg_awkward(const std::string& conninfo, Dataset d) {
  Pg db(conninfo);
  // The last columns have no canonical type (text in the target) or a derived one.
  db.exec(R"(CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE DOMAIN price AS numeric(10,2) CHECK (VALUE >= 0);
    CREATE TABLE awkward (
    id integer PRIMARY KEY, t text, vc varchar(80), ch char(4),
    n38 numeric(38,2), n194 numeric(19,4), nfree numeric,
    i2 smallint, i4 integer, i8 bigint, f4 real, f8 double precision, b boolean,
    d date, ts timestamp(6), ts3 timestamp(3), tstz timestamptz, tm time,
    u uuid, bin bytea, j jsonb, m money, arr text[], ip inet, "Order" integer,
    iv interval, js json, ttz timetz, mo mood, dom price, nums numeric[],
    nneg numeric(5,-2), bits bit varying(8), ch1 "char", nm name, xm xml, reals real[], pt point, vcn varchar))");
  if (d == Dataset::empty) return;
  if (d == Dataset::one_row) {
    db.exec(R"(INSERT INTO awkward VALUES (1, E'\U0001F600\U0001F44D\U0001F3FD \t\n\\"'' line1\r\nline2\r', 'São Paulo 😀', E'a\tb',
      -999999999999999999999999999999999999.99, -999999999999999.9999, '-0.000000000000000000001', -32768, -2147483648,
      -9223372036854775808, '-1.17549435e-38', '-2.2250738585072014e-308', false, '0001-01-01', '9999-12-31 23:59:59.999999',
      '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.000001+05:30', '23:59:59.999999', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      '\x00ff7f80', '{"k": "v\\n\"q\"", "n": [1, 2.50, null]}', '-92233720368547758.08', '{"a\tb",NULL,""}', '::1', 1))");
    return;
  }
  db.exec(R"(
    INSERT INTO awkward (id) VALUES (1);
    INSERT INTO awkward (id, t) VALUES (-2147483648, 'lowest key'), (2147483647, 'highest key');
    INSERT INTO awkward (id, t, vc, ch, nfree, i2, i4, i8, f4, f8, b, bin, j, m, arr, "Order")
      VALUES (2, '', '', '', 0.00, 0, 0, 0, 0, 0, false, '\x', '""', '0', '{}', 0);
    INSERT INTO awkward (id, t, vc, ch, n38, b, bin) VALUES (3, E'\t\n\\"''', E'a\tb\\c"d''e', E'\t\\"''', -0.01, true, '\x00');
    INSERT INTO awkward (id, t, vc, ch, arr) VALUES (4, E'line1\r\nline2\rend\r', E'\r', E'\r\n', ARRAY[E'\r', E'\n', E'\\']);
    INSERT INTO awkward (id, t, vc, j) VALUES (5, E'\U0001F600\U0001F44D\U0001F3FD \U0001F1E7\U0001F1F7 \U0001F468\u200D\U0001F469\u200D\U0001F467 漢字',
      'São Paulo, Ação, Über, España, é', '{"emoji": "😀", "esc": "\u00e9\t"}');
    INSERT INTO awkward (id, t, vc, ch) VALUES (6, E'\\N', 'NULL', 'ab  ');
    INSERT INTO awkward (id, t, n38, n194, nfree, i2, i4, i8, f4, f8, m, "Order") VALUES (7, 'extremes',
      999999999999999999999999999999999999.99, 999999999999999.9999,
      '123456789012345678901234567890.123456789012345678901234567890', 32767, 2147483647, 9223372036854775807,
      '3.4028235e38', '1.7976931348623157e308', '92233720368547758.07', 2147483647);
    INSERT INTO awkward (id, t, n38, n194, nfree, i2, i4, i8, f4, f8, m, "Order") VALUES (8, 'negative extremes',
      -999999999999999999999999999999999999.99, -999999999999999.9999, '-0.000000000000000000001', -32768,
      -2147483648, -9223372036854775808, '-1.17549435e-38', '-2.2250738585072014e-308', '-92233720368547758.08', -2147483648);
    INSERT INTO awkward (id, t, n38, n194, nfree, f4, f8, m) VALUES (9, 'small', 0.01, 0.0001, '1e-100', '1.4e-45', '5e-324', '0.01');
    INSERT INTO awkward (id, t, n38, n194, f4, f8, m) VALUES (10, 'negative small', -0.01, -0.0001, '-0', '-0', '-0.01');
    INSERT INTO awkward (id, t, d, ts, ts3, tstz, tm) VALUES (11, 'first day', '0001-01-01', '0001-01-01 00:00:00',
      '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '00:00:00');
    INSERT INTO awkward (id, t, d, ts, ts3, tstz, tm) VALUES (12, 'last day', '9999-12-31', '9999-12-31 23:59:59.999999',
      '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999+00', '23:59:59.999999');
    INSERT INTO awkward (id, t, d, ts, ts3, tstz, tm) VALUES (13, 'microseconds', '2024-02-29', '2024-02-29 12:34:56.123456',
      '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.000001+05:30', '00:00:00.000001');
    INSERT INTO awkward (id, t, d, ts, ts3, tstz) VALUES (14, 'BC and infinity', '0044-03-15 BC', 'infinity', '-infinity',
      '4713-01-01 00:00:00+00 BC');
    INSERT INTO awkward (id, t, u, bin, b) VALUES (15, 'all bytes', '00000000-0000-0000-0000-000000000000',
      (SELECT decode(string_agg(lpad(to_hex(g), 2, '0'), '' ORDER BY g), 'hex') FROM generate_series(0, 255) g), true);
    INSERT INTO awkward (id, t, u, b) VALUES (16, 'uuid', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', false);
    INSERT INTO awkward (id, t, f4, f8, nfree) VALUES (17, 'NaN', 'NaN', 'NaN', 'NaN');
    INSERT INTO awkward (id, t, f4, f8) VALUES (18, 'infinities', 'Infinity', '-Infinity');
    INSERT INTO awkward (id, t, f4, f8, n194) VALUES (19, 'tenths', 0.1, 0.1, 0.1);
    INSERT INTO awkward (id, t, j, arr, ip, iv, js, ttz, mo, dom, nums) VALUES (20, 'json and arrays',
      '{"k": "v\\n\"q\"", "n": [1, 2.50, 1e400, null]}',
      ARRAY[E'a\tb', NULL, '', 'NULL', E'q"uote', E'back\\slash'], '192.168.0.1/24',
      '1 year 2 mons 3 days 04:05:06.789', '{"b": 1, "a": [1, 2.50],  "a": "dup"}', '12:34:56.789+05:30', 'happy',
      12.5, '{1.50,NULL,-0.001}');
    UPDATE awkward SET nneg = 9999900, bits = B'101', ch1 = 'x', nm = 'some name', xm = '<a b="1">&amp;é</a>',
      reals = '{0.1,NaN,-Infinity}', pt = '(1.5,-2)', vcn = repeat('y', 20000) WHERE id = 20;
    UPDATE awkward SET nneg = -100, bits = B'', ch1 = E'\\', nm = '', xm = '', reals = '{}', pt = '(0,-0)', vcn = ''
      WHERE id = 2;
    INSERT INTO awkward (id, t, iv, js, ttz, mo, dom, nums) VALUES (22, 'negative interval', '-1 days +02:00:00.000001',
      '"\u00e9"', '00:00:00-12', 'sad', 0, '{}');
    INSERT INTO awkward (id, t, vc, bin) SELECT 21, repeat(E'Ação ✓ \t\\\n\r😀 "''| ', 160000) || 'end', 'big',
      decode(repeat('00ff7f80', 262144), 'hex');
    INSERT INTO awkward SELECT g, 'row ' || g || E'\t' || repeat('x', g + 2), 'v' || g, left(g::text, 4),
      g * 1234567.89, round(g / 7.0, 4), g / 3.0, g, -g * 1000, g::bigint * 1000000000000000, (g / 3.0)::real,
      g / 7.0::float8, g % 2 = 0, date '2000-01-01' + g, timestamp '2000-01-01' + g * interval '1 day 1.000001 sec',
      timestamp '2000-01-01' + g * interval '1.001 sec', timestamptz '2000-01-01 00:00:00+00' + g * interval '37 min 0.5 sec',
      time '00:00' + g * interval '17 min 0.000007 sec', md5(g::text)::uuid, decode(md5(g::text), 'hex'),
      jsonb_build_object('g', g, 's', E'x\ty'), (g * 1.5)::numeric::money, ARRAY['a' || g, NULL], ('10.0.0.' || (g + 2))::inet, g
      FROM generate_series(-1, 60) g WHERE g < 1 OR g > 22;
  )");
}

/// Keys that break naive literals and ordering: quotes, backslashes, ODBC escape
/// braces, control characters, case and accents, emoji, prefixes and blanks.
std::vector<std::string> awkward_keys() {
  return {"", " ", "  ", "'", "''", "\\", "\\\\", "a'b", "O'Brien", "a\tb", "a\nb", "a\rb", "\"", "%", "_", "?",
          "{fn ucase('x')}", "{d '2024-01-01'}", "NULL", "\\N", "A", "B", "Z", "a", "b", "z", "e", "\xc3\xa9", "\xc3\x89",
          "\xf0\x9f\x98\x80", "\xe6\xbc\xa2\xe5\xad\x97", "A\xc3\xa7\xc3\xa3o", "acao", "0", "00", "1", "10", "9",
          "-1", "a b", "ab", "ab ", "\xc3\x9f", "ss", "x;y", "--", "/*", "end"};
}

/// The first column of text_key's composite key: few values, awkward ones.
std::string key_group(std::size_t j) {
  static const char* groups[] = {"a'b\\", "\xc3\xa9", ""};
  return groups[j % 3];
}

/// The text_key table, keyed by (grp, k); identifiers with an accent and a space, a keyword and mixed case.
void create_sqlite_text_key(const std::string& path) {
  Lite db(path);
  db.exec("CREATE TABLE text_key (grp TEXT NOT NULL, k TEXT NOT NULL, \"Pre\xc3\xa7o Unit\xc3\xa1rio\" DECIMAL(10,2), "
          "\"select\" TEXT, \"MiXeD\" INTEGER, PRIMARY KEY (grp, k))");
  db.exec("BEGIN");
  auto keys = awkward_keys();
  for (std::size_t j = 0; j < keys.size(); ++j)
    db.insert("INSERT INTO text_key VALUES (?, ?, ?, ?, ?)",
              {LiteValue{key_group(j)}, LiteValue{keys[j]}, LiteValue{static_cast<double>(j) * 1.25 - 20},
               LiteValue{"v" + keys[j]}, LiteValue{static_cast<std::int64_t>(j)}});
  db.exec("COMMIT");
}

void create_pg_text_key(const std::string& conninfo) {
  Pg db(conninfo);
  db.exec("CREATE TABLE text_key (grp varchar(10), k varchar(40), \"Pre\xc3\xa7o Unit\xc3\xa1rio\" numeric(10,2), "
          "\"select\" text, \"MiXeD\" integer, PRIMARY KEY (grp, k))");
  auto keys = awkward_keys();
  for (std::size_t j = 0; j < keys.size(); ++j)
    db.exec_params("INSERT INTO text_key VALUES ($1, $2, $3, $4, $5)",
                   {key_group(j), keys[j], std::to_string(static_cast<double>(j) * 1.25 - 20), "v" + keys[j],
                    std::to_string(j)});
}

/// Session defaults a DBA may have set on a database; replicate must not depend on
/// any of them (its own reads and writes are compared in fixed settings).
void make_hostile(const std::string& conninfo, const char* timezone) {
  Pg(conninfo).exec("ALTER DATABASE " + database_of(conninfo) +
                    " SET DateStyle = 'SQL, DMY'; ALTER DATABASE " + database_of(conninfo) + " SET TimeZone = '" +
                    timezone + "'; ALTER DATABASE " + database_of(conninfo) +
                    " SET extra_float_digits = -15; ALTER DATABASE " + database_of(conninfo) +
                    " SET IntervalStyle = sql_standard; ALTER DATABASE " + database_of(conninfo) +
                    " SET bytea_output = escape; ALTER DATABASE " + database_of(conninfo) +
                    " SET standard_conforming_strings = off");
}

/// PostgreSQL bi_credores: the sample's rows with PostgreSQL types (numeric(38,2),
/// date, varchar(n), smallint/int/bigint; DATETIME and BOOLEAN would become
/// timestamp(3) and boolean), loaded with libpq from the SQLite sample.
void create_pg_bi_credores(const std::string& conninfo) {
  Lite lite(sample_path(), false);
  auto cols = lite_columns(lite, "bi_credores");
  std::vector<std::string> declared;
  {
    sqlite3_stmt* st = lite.prepare("SELECT type, \"notnull\", pk FROM pragma_table_info('bi_credores') ORDER BY cid");
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::string t = upper(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      for (const char* suffix : {" PRIMARY KEY", " NOT NULL", " DEFAULT"})
        if (auto p = t.find(suffix); p != std::string::npos) t.resize(p);
      if (t == "DATETIME") t = "timestamp(3)";
      else if (t.rfind("DECIMAL", 0) == 0) t = "numeric" + t.substr(7);
      else if (t == "BOOLEAN") t = "boolean";
      if (sqlite3_column_int(st, 2)) t += " PRIMARY KEY";
      else if (sqlite3_column_int(st, 1)) t += " NOT NULL";
      declared.push_back(t);
    }
    sqlite3_finalize(st);
  }
  std::string ddl = "CREATE TABLE bi_credores (";
  for (std::size_t i = 0; i < cols.size(); ++i) ddl += (i ? ", " : "") + cols[i].name + " " + declared[i];
  Pg db(conninfo);
  db.exec(ddl + ")");
  auto e = expected_from_sqlite(sample_path(), "bi_credores");
  db.exec("BEGIN");
  const std::size_t per_statement = 500, ncols = cols.size();
  for (std::size_t first = 0; first < e.rows.size(); first += per_statement) {
    const std::size_t n = std::min(per_statement, e.rows.size() - first);
    std::string sql = "INSERT INTO bi_credores VALUES ";
    std::vector<Cell> params;
    for (std::size_t r = 0; r < n; ++r) {
      sql += r ? ", (" : "(";
      for (std::size_t c = 0; c < ncols; ++c) {
        sql += (c ? ", $" : "$") + std::to_string(params.size() + 1);
        params.push_back(e.rows[first + r][c]);
      }
      sql += ")";
    }
    db.exec_params(sql, params);
  }
  db.exec("COMMIT; ANALYZE bi_credores");
}

// ---------------------------------------------------------------------------
// The test

struct Case {
  Route route;
  Dataset data;
};

// How gtest and ctest show a case: "sqlite_odbc/awkward", not its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << name_of(c.route) << "/" << name_of(c.data); }

struct RunSettings {
  int workers;
  int batch_size;
  int chunk_rows;
};

RunSettings settings_for(Dataset d) {
  switch (d) {
    case Dataset::bi_credores: return {2, 500, 1000};  // 5 chunks, 2 batches each
    case Dataset::awkward: return {2, 7, 10};          // batch boundaries inside chunks
    case Dataset::empty: return {2, 100, 1000};
    case Dataset::one_row: return {1, 4000, 100000};
    case Dataset::text_key: return {2, 3, 1};          // every awkward key is a chunk boundary
  }
  return {1, 4000, 100000};
}

class FidelityTest : public ::testing::TestWithParam<Case> {};

TEST_P(FidelityTest, EveryValueOfEveryRowArrives) {
  const Case c = GetParam();
  const auto started = std::chrono::steady_clock::now();
  const std::string table = c.data == Dataset::bi_credores ? "bi_credores"
                            : c.data == Dataset::text_key  ? "text_key"
                                                           : "awkward";
  const std::string dir = temp_dir();

  // The source.
  std::string source_yaml, source_connection;
  Expected expected;
  if (sqlite_source(c.route)) {
    std::string path = dir + "/source.sqlite";
    if (c.data == Dataset::bi_credores)
      std::filesystem::copy_file(sample_path(), path);
    else if (c.data == Dataset::text_key)
      create_sqlite_text_key(path);
    else
      create_sqlite_awkward(path, c.data);
    expected = expected_from_sqlite(path, table);
    if (c.route == Route::sqlite) {
      source_yaml = "  driver: sqlite\n";
      source_connection = path;
    } else {
      source_yaml = "  driver: odbc\n";
      if (c.data == Dataset::bi_credores) source_yaml += "  dialect: sqlite\n";  // elsewhere: detected
      source_connection = odbc_sqlite_connection(path);
    }
  } else {
    const std::string src = create_database("fid_src");
    make_hostile(src, "America/Sao_Paulo");
    if (c.data == Dataset::bi_credores)
      create_pg_bi_credores(src);
    else if (c.data == Dataset::text_key)
      create_pg_text_key(src);
    else
      create_pg_awkward(src, c.data);
    expected = expected_from_pg(src, table);
    if (c.route == Route::postgresql) {
      source_yaml = "  driver: postgresql\n";
      source_connection = src;
    } else {
      source_yaml = "  driver: odbc\n";
      source_connection = odbc_pg_connection(database_of(src));
    }
  }
  switch (c.data) {
    case Dataset::empty: ASSERT_EQ(expected.rows.size(), 0u); break;
    case Dataset::one_row: ASSERT_EQ(expected.rows.size(), 1u); break;
    default: ASSERT_GT(expected.rows.size(), 40u);
  }
  if (c.data == Dataset::text_key) expected.key_columns = 2;
  sort_by_key(expected.rows);

  // The mapping; connection strings come from the environment, as secrets would.
  const std::string target = create_database("fid_tgt");
  make_hostile(target, "Asia/Kathmandu");
  const RunSettings s = settings_for(c.data);
  const std::string mapping = dir + "/mapping.yaml";
  {
    std::ofstream out(mapping);
    out << "version: 1\n"
        << "source:\n" << source_yaml << "  connection: \"${env:FIDELITY_SOURCE}\"\n"
        << "target:\n  driver: postgresql\n  connection: \"${env:FIDELITY_TARGET}\"\n"
        << "defaults:\n  workers: " << s.workers << "\n  batch_size: " << s.batch_size
        << "\n  chunk_rows: " << s.chunk_rows << "\n  mode: full\n"
        << "tables:\n  - source: " << table << "\n    target: public." << table << "\n    columns: auto\n";
  }
  auto run = run_replicate({mapping}, {{"FIDELITY_SOURCE", source_connection}, {"FIDELITY_TARGET", target}});
  ASSERT_EQ(run.exit_code, 0) << "replicate failed\n--- stdout\n" << run.out << "--- stderr\n" << run.err;
  // The summary: a line for the table, done, with its row count.
  bool summary = false;
  std::string count = std::to_string(expected.rows.size());
  for (std::size_t i = count.size(); i > 3; i -= 3) count.insert(i - 3, ",");
  for (std::size_t pos = 0, end; pos < run.out.size(); pos = end + 1) {
    end = run.out.find('\n', pos);
    if (end == std::string::npos) end = run.out.size();
    const std::string line = run.out.substr(pos, end - pos);
    summary = summary || (line.find(table) != std::string::npos && line.find(" done ") != std::string::npos &&
                          line.find(" " + count + " ") != std::string::npos);
  }
  EXPECT_TRUE(summary) << "no summary line for " << table << " (done, " << count << " rows) on stdout:\n"
                       << run.out << "--- stderr\n" << run.err;

  Rows got = target_rows(target, table, expected);
  sort_by_key(got);
  EXPECT_TRUE(same_rows(expected, got))
      << name_of(c.route) << " / " << name_of(c.data) << "\n--- replicate stderr\n" << run.err;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RecordProperty("seconds", std::to_string(secs));
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (Route r : {Route::sqlite, Route::postgresql, Route::postgresql_odbc, Route::sqlite_odbc})
    for (Dataset d : {Dataset::bi_credores, Dataset::awkward, Dataset::empty, Dataset::one_row, Dataset::text_key})
      cases.push_back({r, d});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Fidelity, FidelityTest, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(name_of(info.param.route)) + "_" + name_of(info.param.data);
                         });

// The test's own normalisation, checked against known answers.
TEST(FidelitySupport, RoundDecimalIsPostgresNumericRounding) {
  EXPECT_EQ(*round_decimal("2.675", 2), "2.68");
  EXPECT_EQ(*round_decimal("2.6749999999999998", 2), "2.67");
  EXPECT_EQ(*round_decimal("-0.125", 2), "-0.13");
  EXPECT_EQ(*round_decimal("1500", 4), "1500.0000");
  EXPECT_EQ(*round_decimal("9.9999999999999995e-08", 2), "0.00");
  EXPECT_EQ(*round_decimal("-9.9999999999999995e-08", 2), "0.00");
  EXPECT_EQ(*round_decimal("99.995", 2), "100.00");
  EXPECT_EQ(*round_decimal("1.2345e3", 1), "1234.5");
  EXPECT_EQ(*round_decimal("0.0050000000000000001", 2), "0.01");
  EXPECT_FALSE(round_decimal("abc", 2));
  EXPECT_EQ(expected_decimal_from_double(2.675, 2), "2.67");
  EXPECT_EQ(expected_decimal_from_double(1234567890123.45, 2), "1234567890123.45");
  EXPECT_EQ(expected_decimal_from_double(5e-5, 4), "0.0001");
  EXPECT_EQ(pg_timestamp_text("2024-01-01T10:00:00.500"), "2024-01-01 10:00:00.5");
  EXPECT_EQ(pg_timestamp_text("2024-01-01 10:00"), "2024-01-01 10:00:00");
  EXPECT_TRUE(same_double("Infinity", "inf"));
  EXPECT_FALSE(same_double("0", "-0"));
}

TEST(FidelitySupport, RoundingAgreesWithPostgres) {
  // The same answers from the server itself, for the cases the datasets rely on.
  Pg db(pg().conninfo());
  for (const char* v : {"2.6749999999999998", "-0.125", "0.0050000000000000001", "9.9999999999999995e-08", "99.995"}) {
    auto r = db.query(std::string("SELECT '") + v + "'::numeric(20,2)::text");
    EXPECT_EQ(*r[0][0], *round_decimal(v, 2)) << v;
  }
}

}  // namespace
}  // namespace replicate::test::fidelity
