// SPDX-License-Identifier: Apache-2.0
// The C++ normaliser per target type, pinned by expected strings and then checked
// against the real server: for every case PostgreSQL's own `'input'::type` text must
// equal what normalise() says, or verify would call equal rows different.
#include "verify/canonical.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "config/mapping.hpp"
#include "source/connection.hpp"
#include "support/test_db.hpp"
#include "target/pg_schema.hpp"
#include "verify/row_hash.hpp"
#include "verify/side.hpp"

namespace replicate::verify {
namespace {

struct Case {
  const char* type;                     // format_type() spelling
  const char* input;                    // COPY text
  std::optional<std::string> expected;  // nullopt: left to the server
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"boolean", "t", "true"},
      {"boolean", "f", "false"},
      {"boolean", "1", "true"},
      {"boolean", "0", "false"},
      {"boolean", " Yes ", "true"},
      {"boolean", "off", "false"},
      {"boolean", "tr", "true"},
      {"boolean", "maybe", std::nullopt},
      {"smallint", "42", "42"},
      {"smallint", "-0", "0"},
      {"smallint", "+007", "7"},
      {"smallint", "32768", std::nullopt},
      {"integer", "-2147483648", "-2147483648"},
      {"integer", "1.0", std::nullopt},
      {"bigint", "-9223372036854775808", "-9223372036854775808"},
      {"bigint", "9223372036854775807", "9223372036854775807"},
      {"bigint", "9223372036854775808", std::nullopt},
      // numeric(p,s): round half away from zero to the scale, always `s` decimals.
      {"numeric(15,2)", "1234.5599999999999", "1234.56"},
      {"numeric(15,2)", "1234.555", "1234.56"},
      {"numeric(15,2)", "-1234.555", "-1234.56"},
      {"numeric(15,2)", "1.005", "1.01"},
      {"numeric(15,2)", "0.125", "0.13"},
      {"numeric(15,2)", "-0.004", "0.00"},
      {"numeric(15,2)", "12", "12.00"},
      {"numeric(15,2)", "1e3", "1000.00"},
      {"numeric(15,2)", "1.5E-1", "0.15"},
      {"numeric(15,2)", ".5", "0.50"},
      {"numeric(15,2)", "5.", "5.00"},
      {"numeric(15,2)", "9999999999999.994", "9999999999999.99"},
      {"numeric(15,2)", "9999999999999.995", std::nullopt},  // rounds past the precision
      {"numeric(15,2)", "99.99999", "100.00"},
      {"numeric(10,0)", "2.5", "3"},
      {"numeric(10,0)", "-2.5", "-3"},
      {"numeric(19,4)", "123.4", "123.4000"},
      {"numeric(5,4)", "0.12345", "0.1235"},
      // Unconstrained numeric: the value, trailing zeros trimmed (trim_scale).
      {"numeric", "1.50", "1.5"},
      {"numeric", "0.000", "0"},
      {"numeric", "-0", "0"},
      {"numeric", "1e3", "1000"},
      {"numeric", "1.2e-3", "0.0012"},
      {"numeric", "1234.5599999999999", "1234.5599999999999"},
      {"numeric", "100", "100"},
      {"numeric", "NaN", "NaN"},
      // Floats: the shortest text that reads back the same, exponent form outside 1e-4 .. 1e15.
      {"double precision", "0.1", "0.1"},
      {"double precision", "0.10000000000000000555", "0.1"},
      {"double precision", "1e15", "1e+15"},
      {"double precision", "123456789012345", "123456789012345"},
      {"double precision", "1e-5", "1e-05"},
      {"double precision", "0.0001", "0.0001"},
      {"double precision", "-0", "-0"},
      {"double precision", "100", "100"},
      {"double precision", "1.2345678901234567E+3", "1234.5678901234567"},
      {"double precision", "1.7976931348623157e308", "1.7976931348623157e+308"},
      {"double precision", "-2.5e-300", "-2.5e-300"},
      {"double precision", "NaN", "NaN"},
      {"double precision", "-Infinity", "-Infinity"},
      {"double precision", "1e400", std::nullopt},
      {"real", "1.1", "1.1"},
      {"real", "1e6", "1e+06"},
      {"real", "123456", "123456"},
      {"real", "3.4028235e38", "3.4028235e+38"},
      {"real", "0.1", "0.1"},
      {"text", "h\xc3\xa9llo, world", "h\xc3\xa9llo, world"},
      {"text", "", ""},
      {"character varying(3)", "abc  ", "abc"},
      {"character varying(3)", "h\xc3\xa9\xc3\xa9", "h\xc3\xa9\xc3\xa9"},
      {"character varying(3)", "abcd", std::nullopt},
      {"character(5)", "ab", "ab"},
      {"character(5)", "ab   ", "ab"},
      {"date", "2020-01-05", "2020-01-05"},
      {"date", "2020-1-5", "2020-01-05"},
      {"date", "2024-02-29", "2024-02-29"},
      {"date", "2020-02-30", std::nullopt},
      {"date", "2020-01-05 10:00:00", "2020-01-05"},
      {"time without time zone", "10:00:00", "10:00:00"},
      {"time without time zone", "10:00", "10:00:00"},
      {"time without time zone", "10:00:00.1230000", "10:00:00.123"},
      {"time without time zone", "10:00:00.1234565", "10:00:00.123456"},
      {"time(0) without time zone", "10:00:00.5", "10:00:01"},
      {"time(3) without time zone", "10:00:00.1235", "10:00:00.124"},
      {"timestamp without time zone", "2020-01-01 10:00:00", "2020-01-01 10:00:00"},
      {"timestamp without time zone", "2020-01-01T10:00:00.1230000", "2020-01-01 10:00:00.123"},
      {"timestamp without time zone", "2020-01-01 10:00:00.1234565", "2020-01-01 10:00:00.123456"},
      {"timestamp without time zone", "2020-01-01", "2020-01-01 00:00:00"},
      {"timestamp without time zone", "2020-01-01 10:00:00+02", "2020-01-01 10:00:00"},
      {"timestamp(3) without time zone", "2020-01-01 23:59:59.9999995", "2020-01-02 00:00:00"},
      {"timestamp(3) without time zone", "2020-01-01 10:00:00.1235", "2020-01-01 10:00:00.124"},
      // Halves round away from PostgreSQL's epoch (2000-01-01): earlier before it.
      {"timestamp(0) without time zone", "1999-12-31 23:59:59.5", "1999-12-31 23:59:59"},
      {"timestamp(0) without time zone", "1999-12-31 23:59:58.5", "1999-12-31 23:59:58"},
      {"timestamp(0) without time zone", "2000-01-01 00:00:00.5", "2000-01-01 00:00:01"},
      {"timestamp(2) without time zone", "1969-07-20 20:17:40.125", "1969-07-20 20:17:40.12"},
      {"timestamp(2) without time zone", "2021-07-20 20:17:40.125", "2021-07-20 20:17:40.13"},
      {"timestamp with time zone", "2020-01-01 10:00:00+02", "2020-01-01 08:00:00+00"},
      {"timestamp with time zone", "2020-01-01 10:00:00.1230000 +02:00",
       "2020-01-01 08:00:00.123+00"},
      {"timestamp with time zone", "2020-01-01 10:00:00", "2020-01-01 10:00:00+00"},
      {"timestamp with time zone", "2020-01-01 01:00:00-05:30", "2020-01-01 06:30:00+00"},
      {"timestamp with time zone", "2020-01-01 00:30:00+01", "2019-12-31 23:30:00+00"},
      {"timestamp(0) with time zone", "2020-01-01 10:00:00.5Z", "2020-01-01 10:00:01+00"},
      {"uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
      {"uuid", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
      {"uuid", "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
      {"bytea", "\\x0A0b", "\\x0a0b"},
      {"bytea", "\\x", "\\x"},
      {"json", "{\"b\": 1,  \"a\": 2}", "{\"b\": 1,  \"a\": 2}"},
      {"jsonb", "{\"b\": 1}", std::nullopt},
      {"xml", "<a/>", std::nullopt},
  };
  return all;
}

TEST(VerifyCanonical, NormalisesEachTypeAsPostgresqlPrintsIt) {
  for (const auto& c : cases()) {
    auto t = parse_target_type(c.type);
    EXPECT_EQ(normalise(t, c.input), c.expected) << c.type << " <- '" << c.input << "'";
  }
}

TEST(VerifyCanonical, ParsesFormatTypeSpellings) {
  auto n = parse_target_type("numeric(15,2)");
  EXPECT_EQ(n.kind, TypeKind::numeric);
  EXPECT_EQ(n.precision, 15);
  EXPECT_EQ(n.scale, 2);
  EXPECT_EQ(parse_target_type("numeric").scale, -1);
  auto ts = parse_target_type("timestamp(3) without time zone");
  EXPECT_EQ(ts.kind, TypeKind::timestamp);
  EXPECT_EQ(ts.precision, 3);
  EXPECT_EQ(parse_target_type("timestamp with time zone").kind, TypeKind::timestamptz);
  EXPECT_EQ(parse_target_type("timestamp with time zone").precision, -1);
  EXPECT_EQ(parse_target_type("character varying(14)").length, 14);
  EXPECT_EQ(parse_target_type("character(2)").kind, TypeKind::bpchar);
  EXPECT_EQ(parse_target_type("jsonb").kind, TypeKind::other);
  EXPECT_EQ(canonical_sql(parse_target_type("numeric"), "x"), "trim_scale(x)::text");
  EXPECT_EQ(canonical_sql(parse_target_type("integer"), "x"), "(x)::text");
}

/// A session set up as verify's own (DateStyle ISO, UTC, extra_float_digits 3, hex bytea).
std::unique_ptr<source::Connection> pg_session(const std::string& conninfo) {
  config::Endpoint ep;
  ep.driver = config::Driver::postgresql;
  ep.connection = conninfo;
  ep.connection_display = "test";
  return source::connect(ep, source::Side::target);
}

TEST(VerifyCanonical, EveryEmulatedCaseMatchesTheServer) {
  auto pg = pg_session(test::pg().conninfo());
  int checked = 0;
  for (const auto& c : cases()) {
    if (!c.expected) continue;
    auto t = parse_target_type(c.type);
    auto rows = pg->query("SELECT " + canonical_sql(t, target::pg_literal(c.input) + "::" + t.sql));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], c.expected) << c.type << " <- '" << c.input << "'";
    ++checked;
  }
  EXPECT_GT(checked, 80);
}

TEST(VerifyCanonical, FloatsAgreeWithTheServerOverManyValues) {
  // Random doubles and floats through every exponent range, written with 17/20 digits
  // the way SQLite and SQL Server print them.
  auto pg = pg_session(test::pg().conninfo());
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  std::vector<std::string> inputs;
  for (int i = 0; i < 400; ++i) {
    double d;
    std::uint64_t bits = next();
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    char buf[64];
    std::snprintf(buf, sizeof buf, i % 2 ? "%.17g" : "%.20g", d);
    inputs.push_back(buf);
    std::snprintf(buf, sizeof buf, "%.9g",
                  static_cast<double>(static_cast<float>(i * 1.37e-3 - 0.2)));
    inputs.push_back(buf);
  }
  for (const char* type : {"double precision", "real", "numeric(15,2)", "numeric"}) {
    auto t = parse_target_type(type);
    std::string array;
    std::vector<std::string> used;
    for (const auto& in : inputs) {
      const double v = std::abs(std::strtod(in.c_str(), nullptr));
      // Only values the type holds: the server refuses the others.
      if (t.kind == TypeKind::numeric && (in.find('e') != std::string::npos || v >= 1e12)) continue;
      if (t.kind == TypeKind::float4 && v != 0 && (v > 3e38 || v < 1e-37)) continue;
      used.push_back(in);
      array += (array.empty() ? "" : ", ") + target::pg_literal(in);
    }
    auto rows = pg->query("SELECT " + canonical_sql(t, "v::" + t.sql) + " FROM unnest(ARRAY[" +
                          array + "]::text[]) WITH ORDINALITY u(v, n) ORDER BY n");
    ASSERT_EQ(rows.size(), used.size());
    for (std::size_t i = 0; i < used.size(); ++i)
      EXPECT_EQ(normalise(t, used[i]), rows[i][0]) << type << " <- '" << used[i] << "'";
  }
}

TEST(VerifyRowHash, TheServerAndThisProcessHashRowsAlike) {
  auto pg = pg_session(test::pg().conninfo());
  RowHasher hasher;
  std::vector<Values> rows = {
      {std::string("1"), std::string("abc"), std::nullopt},
      {std::string(""), std::nullopt, std::string("x|y:z")},
      {std::string("h\xc3\xa9llo"), std::string("12.50"), std::string("N")},
  };
  for (const auto& row : rows) {
    std::vector<std::string> exprs;
    for (const auto& v : row) exprs.push_back(v ? target::pg_literal(*v) + "::text" : "NULL::text");
    auto r = pg->query("SELECT " + row_md5_sql(exprs) + ", (" + row_hash_sql(exprs) + ")::text");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(*r[0][0], hasher.md5_hex(encode_row(row)));
    EXPECT_EQ(static_cast<std::int64_t>(hasher.hash(row)), std::stoll(*r[0][1]));
    EXPECT_EQ(hash_from_hex(*r[0][0]), hasher.hash(row));
  }
  // NULL, the empty string and the letter N stay distinct.
  EXPECT_NE(hasher.hash({std::nullopt}), hasher.hash({std::string("")}));
  EXPECT_NE(hasher.hash({std::nullopt}), hasher.hash({std::string("N")}));
  EXPECT_NE(hasher.hash({std::string("a|b")}), hasher.hash({std::string("a"), std::string("b")}));
}

TEST(VerifyRowHash, SumsWrapModulo2To64) {
  EXPECT_EQ(sum_mod64("0"), 0u);
  EXPECT_EQ(sum_mod64("-1"), ~0ull);
  EXPECT_EQ(sum_mod64("18446744073709551616"), 0u);  // 2^64
  EXPECT_EQ(sum_mod64("18446744073709551617"), 1u);
  EXPECT_EQ(sum_mod64("-9223372036854775808"), 0x8000000000000000ull);
  EXPECT_EQ(hash_from_hex("ffffffffffffffff0000"), ~0ull);
}

}  // namespace
}  // namespace replicate::verify
