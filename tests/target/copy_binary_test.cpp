// SPDX-License-Identifier: Apache-2.0
// Binary COPY from canonical text: every value the encoder takes must reach the table
// exactly as the same text through text COPY does (compared on the real server, by
// value and by its text), from both forms of batch (values, and COPY text lines); the
// forms it cannot be sure of are refused (and then go as text).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "support/test_db.hpp"
#include "target/copy_binary.hpp"
#include "target/copy_writer.hpp"
#include "util/copy_text.hpp"

namespace replicate::target {
namespace {

using test::pg_query;

struct Conn {
  PGconn* c;
  explicit Conn(const std::string& conninfo) : c(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(c));
  }
  ~Conn() { PQfinish(c); }
};

using Values = std::vector<std::optional<std::string>>;

/// Two columns, id and v: the values form of a batch.
source::Batch values_batch(const Values& values) {
  source::Batch b;
  b.values.resize(2);
  b.is_null.resize(2);
  for (std::size_t i = 0; i < values.size(); ++i) {
    b.values[0].push_back(std::to_string(i + 1));
    b.is_null[0].push_back(0);
    b.values[1].push_back(values[i].value_or(""));
    b.is_null[1].push_back(values[i] ? 0 : 1);
  }
  b.rows = values.size();
  return b;
}

/// The same rows as COPY text lines, as the SQLite and PostgreSQL cursors give them.
source::Batch encoded_batch(const Values& values, Encoding enc) {
  source::Batch b;
  b.encoded = true;
  for (std::size_t i = 0; i < values.size(); ++i) {
    b.copy_text += std::to_string(i + 1) + "\t";
    if (!values[i])
      b.copy_text += "\\N";
    else if (enc == Encoding::hex_bytes)
      b.copy_text += "\\\\x" + *values[i];
    else
      util::append_copy_escaped(b.copy_text, *values[i]);
    b.copy_text += "\n";
    b.row_end.push_back(b.copy_text.size());
  }
  b.rows = values.size();
  return b;
}

struct RoundTrip : ::testing::Test {
  std::string db = test::create_database("copy_binary");
  Conn conn{db};
  RoundTrip() { exec("SET client_min_messages = warning"); }

  void exec(const std::string& sql) {
    PGresult* r = PQexec(conn.c, sql.c_str());
    const auto st = PQresultStatus(r);
    const std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + err);
  }

  /// COPYs `values` into a table of `type` as text, and as binary from both batch
  /// forms, and expects the three tables to hold the same values.
  void check(const std::string& type, const Values& values) {
    SCOPED_TRACE(type);
    const Encoding enc = type == "bytea" ? Encoding::hex_bytes : Encoding::plain;
    const auto kind = binary_kind(type, enc);
    ASSERT_TRUE(kind) << type;
    for (const auto& v : values) {
      if (!v) continue;
      std::string out;
      EXPECT_TRUE(append_binary_field(out, *kind, *v)) << type << " value '" << *v << "' was refused";
    }
    for (const char* t : {"as_text", "from_values", "from_lines"})
      exec(std::string("DROP TABLE IF EXISTS ") + t + "; CREATE TABLE " + t + " (id integer, v " + type + ")");
    const std::vector<std::string> cols = {"id", "v"};
    BinaryRowEncoder encoder({BinaryKind::int4, *kind});
    CopyWriter w(conn.c);
    w.begin("as_text", cols, {Encoding::plain, enc});
    w.write(values_batch(values));
    EXPECT_EQ(w.end(), static_cast<std::int64_t>(values.size()));
    w.begin_binary("from_values", cols, encoder);
    w.write(values_batch(values));
    EXPECT_EQ(w.end(), static_cast<std::int64_t>(values.size()));
    w.begin_binary("from_lines", cols, encoder);
    w.write(encoded_batch(values, enc));
    EXPECT_EQ(w.end(), static_cast<std::int64_t>(values.size()));
    for (const char* t : {"from_values", "from_lines"}) {
      // Equal as values, and as text (which tells -0 from 0, and shows numeric's scale).
      // (json has no equality: its text is compared, which json keeps as given.)
      const std::string by_value = type == "json" ? "" : "a.v IS DISTINCT FROM b.v OR ";
      auto diff = pg_query(db, std::string("SELECT a.id, a.v::text, b.v::text FROM as_text a JOIN ") + t +
                                   " b USING (id) WHERE " + by_value + "a.v::text IS DISTINCT FROM b.v::text ORDER BY a.id");
      for (const auto& r : diff)
        ADD_FAILURE() << t << ": value '" << values[std::stoul(*r[0]) - 1].value_or("NULL") << "' is "
                      << r[1].value_or("NULL") << " as text and " << r[2].value_or("NULL") << " in binary";
      EXPECT_EQ(test::pg_scalar(db, std::string("SELECT count(*) FROM ") + t), std::to_string(values.size()));
    }
  }
};

TEST_F(RoundTrip, Integers) {
  check("smallint", {"0", "1", "-1", "32767", "-32768", "+5", "007", std::nullopt});
  check("integer", {"0", "2147483647", "-2147483648", "42", "-7", std::nullopt});
  check("bigint", {"0", "9223372036854775807", "-9223372036854775808", "1", "-1", "1234567890123", std::nullopt});
}

TEST_F(RoundTrip, Floats) {
  check("real", {"0", "-0", "1.5", "0.1", "3.4028235e+38", "-3.4028235e38", "1.1754944e-38", "123456.79", "1e-7",
                 "NaN", "Infinity", "-Infinity", "16777217", std::nullopt});
  check("double precision", {"0", "-0", "0.1", "3.141592653589793", "1e+308", "1.7976931348623157e308",
                             "-2.2250738585072014e-308", "4.9406564584124654e-324", "7414.6000000000004", "1e-07",
                             "NaN", "Infinity", "-Infinity", "9007199254740993", std::nullopt});
}

TEST_F(RoundTrip, Numerics) {
  const Values values = {"0", "-0", "0.00", "-0.000", "1", "-1", "12345.678", "0.0001", "-0.0001", "0.00010000",
                         "10000", "1000000", "99999999999999999999999999999999999999",
                         "-123456789012345678901234567890.123456789", "1.5e3", "1E+2", "-2.5e-3", "2.5e-20",
                         "1e100", "NaN", "nan", ".5", "-.5", "5.", "00012.50", "+3.14",
                         "0.000000000000000000000000000000000000000001", "7414.6", "7414.6000000000004",
                         std::string(300, '9') + "." + std::string(300, '1'), std::nullopt};
  check("numeric", values);
  // numeric(38,2) rounds (half away from zero) the same way after binary receive.
  check("numeric(38,2)", {"2.675", "-0.125", "0.005", "-0.004", "12345678901234567890123456789012.999", "1e-9",
                          "1.5e3", "NaN", "7414.6000000000004", std::nullopt});
  check("numeric(5,0)", {"12345", "-99999.4", "0.5"});
}

TEST_F(RoundTrip, DatesAndTimes) {
  check("date", {"2000-01-01", "1999-12-31", "0001-01-01", "9999-12-31", "1970-01-01", "2024-02-29", "1900-03-01",
                 "2000-02-29", "1600-02-29", "10000-01-01", "5874897-12-31", "infinity", "-infinity", std::nullopt});
  check("time", {"00:00:00", "23:59:59.999999", "12:34:56.5", "01:02:03.1234567", "23:59:59.9999995",
                 "10:00:00.0000005", std::nullopt});
  check("time(2)", {"12:34:56.125", "12:34:56.135", "23:59:59.999"});
  const Values stamps = {"2000-01-01 00:00:00", "1999-12-31 23:59:59.999999", "0001-01-01 00:00:00",
                         "9999-12-31 23:59:59.999999", "2024-02-29 12:00:00.5", "1969-07-20 20:17:40",
                         "1900-01-01 00:00:00.000001", "2021-03-04", "2021-03-04 10:00:00.1234565",
                         "2021-03-04 10:00:00.12345650001", "294276-12-31 23:59:59.999999", "infinity", "-infinity",
                         std::nullopt};
  check("timestamp without time zone", stamps);
  check("timestamp(3) without time zone", {"2021-03-04 10:00:00.1235", "2021-03-04 10:00:00.9995", "1999-12-31 23:59:59.9996"});
  check("timestamp with time zone", {"2021-03-04 10:00:00+00", "2021-03-04 10:00:00.123456-03",
                                     "2021-03-04 10:00:00.1234560 +05:30", "1900-01-01 00:00:00+01:02:03",
                                     "1999-12-31 23:00:00-15", "0001-01-01 00:00:00+00", "infinity", std::nullopt});
}

TEST_F(RoundTrip, BooleansUuidsJson) {
  check("boolean", {"t", "f", "true", "false", "1", "0", std::nullopt});
  check("uuid", {"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
                 "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", std::nullopt});
  check("json", {"{\"a\": 1}", "[1, 2.50, \"x\\ty\"]", "\"S\\u00e3o\"", std::nullopt});
  check("jsonb", {"{\"b\": [1, 2], \"a\": null}", "1.50", "\"tab\\tin a string\"", "{}", std::nullopt});
}

TEST_F(RoundTrip, TextAndBytes) {
  const Values texts = {"", "plain", "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "\\",
                        "S\xC3\xA3o Paulo", "emoji \xF0\x9F\x98\x80", "\b\f\v\x01\x7f", "trailing  ", std::nullopt};
  check("text", texts);
  check("character varying(30)", texts);
  check("character varying(3)", {"abc", "ab", "abc   ", "", std::nullopt});  // spaces beyond 3 are cut, not refused
  check("character(5)", {"ab", "abcde", "a  ", "", "abcde  ", std::nullopt});
  check("bytea", {"", "00", "00ff10", "5c00", "0a0d09", "DEADbeef", std::string(20000, 'a'), std::nullopt});
}

TEST_F(RoundTrip, ManyRowsCrossTheFlushSize) {
  // 60,000 rows of ~40 bytes each: the binary stream is sent in several pieces.
  Values v;
  for (int i = 0; i < 60000; ++i) v.push_back(std::to_string(i * 37) + "." + std::to_string(i % 100) + "e-2");
  check("numeric", v);
}

TEST(CopyBinary, RefusesWhatOnlyTheServersTextInputReadsForCertain) {
  const struct {
    BinaryKind kind;
    const char* value;
  } cases[] = {
      {BinaryKind::int2, "70000"},  // out of range: the server says so, and names the column
      {BinaryKind::int2, " 1"},
      {BinaryKind::int4, "1_000"},
      {BinaryKind::int4, "0x10"},
      {BinaryKind::int4, "1.0"},
      {BinaryKind::int8, "99999999999999999999"},
      {BinaryKind::int8, ""},
      {BinaryKind::int4, "-"},
      {BinaryKind::float8, "1e400"},
      {BinaryKind::float8, "+1"},
      {BinaryKind::float8, "inf"},
      {BinaryKind::float8, "nan(1)"},
      {BinaryKind::float4, "1e39"},
      {BinaryKind::numeric, "Infinity"},
      {BinaryKind::numeric, "."},
      {BinaryKind::numeric, "1.2.3"},
      {BinaryKind::numeric, "1e"},
      {BinaryKind::numeric, "1e5000"},
      {BinaryKind::numeric, " 1"},
      {BinaryKind::date, "2021-02-30"},
      {BinaryKind::date, "2021-13-01"},
      {BinaryKind::date, "21-03-04"},
      {BinaryKind::date, "0000-01-01"},
      {BinaryKind::date, "2021-03-04 BC"},
      {BinaryKind::date, "2021-03-04 10:00:00"},
      {BinaryKind::date, "04/03/2021"},
      {BinaryKind::date, "today"},
      {BinaryKind::timestamp, "2021-03-04T10:00:00"},
      {BinaryKind::timestamp, "2021-03-04 24:00:00"},
      {BinaryKind::timestamp, "2021-03-04 23:59:60"},
      {BinaryKind::timestamp, "2021-03-04 10:00"},
      {BinaryKind::timestamp, "2021-03-04 10:00:00+02"},  // timestamp ignores a zone: text says how
      {BinaryKind::timestamp, "294277-01-01 00:00:00"},
      {BinaryKind::timestamptz, "2021-03-04 10:00:00"},  // the session's zone: text
      {BinaryKind::timestamptz, "2021-03-04"},
      {BinaryKind::timestamptz, "2021-03-04 10:00:00+16"},
      {BinaryKind::timestamptz, "2021-03-04 10:00:00 UTC"},
      {BinaryKind::time, "24:00:00"},
      {BinaryKind::time, "10:00"},
      {BinaryKind::boolean, "yes"},
      {BinaryKind::boolean, "T"},
      {BinaryKind::uuid, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"},
      {BinaryKind::uuid, "a0eebc999c0b4ef8bb6d6bb9bd380a11"},
      {BinaryKind::bytea, "0"},
      {BinaryKind::bytea, "zz"},
  };
  for (const auto& c : cases) {
    std::string out = "x";
    EXPECT_FALSE(append_binary_field(out, c.kind, c.value)) << to_string(c.kind) << " '" << c.value << "'";
    EXPECT_EQ(out, "x");
  }
}

TEST(CopyBinary, RowsWithEscapesTheEncoderDoesNotReadAreRefused) {
  // Octal and \x escapes (which no cursor writes) may make bytes the text input reads its
  // own way: such a row goes as text.
  source::Batch b;
  b.encoded = true;
  b.copy_text = "1\ta\\101b\n2\tok\n3\ttoo\tmany\n";
  b.row_end = {9, 14, 25};
  b.rows = 3;
  BinaryRowEncoder enc({BinaryKind::int4, BinaryKind::text});
  std::string buf;
  std::size_t used = 0, bad = 99;
  EXPECT_FALSE(enc.append_row(b, 0, buf, used, bad));
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(used, 0u);
  EXPECT_TRUE(enc.append_row(b, 1, buf, used, bad));
  EXPECT_EQ(buf.substr(0, used), std::string("\0\2\0\0\0\4\0\0\0\2\0\0\0\2ok", 16));
  EXPECT_FALSE(enc.append_row(b, 2, buf, used, bad));
  EXPECT_EQ(bad, 1u);
}

TEST(CopyBinary, NumericDigitsAreBase10000AlignedOnThePoint) {
  std::string out;
  ASSERT_TRUE(append_binary_field(out, BinaryKind::numeric, "-12345.678"));
  // ndigits 3, weight 1, sign negative, dscale 3; digits 1, 2345, 6780.
  EXPECT_EQ(out, std::string("\0\0\0\x0e\0\3\0\1\x40\0\0\3\0\1\x09\x29\x1a\x7c", 18));
  out.clear();
  ASSERT_TRUE(append_binary_field(out, BinaryKind::numeric, "0.000"));
  EXPECT_EQ(out, std::string("\0\0\0\x08\0\0\0\0\0\0\0\3", 12));
}

TEST(CopyBinary, KindsFollowTheTargetTypeAndTheEncoding) {
  EXPECT_EQ(binary_kind("integer", Encoding::plain), BinaryKind::int4);
  EXPECT_EQ(binary_kind("numeric(38,2)", Encoding::plain), BinaryKind::numeric);
  EXPECT_EQ(binary_kind("character varying(14)", Encoding::plain), BinaryKind::text);
  EXPECT_EQ(binary_kind("character(2)", Encoding::plain), BinaryKind::text);
  EXPECT_EQ(binary_kind("timestamp(3) without time zone", Encoding::plain), BinaryKind::timestamp);
  EXPECT_EQ(binary_kind("timestamptz", Encoding::plain), BinaryKind::timestamptz);
  EXPECT_EQ(binary_kind("jsonb", Encoding::plain), BinaryKind::jsonb);
  EXPECT_EQ(binary_kind("bytea", Encoding::hex_bytes), BinaryKind::bytea);
  EXPECT_FALSE(binary_kind("bytea", Encoding::plain));  // text into bytea: byteain's own reading
  EXPECT_FALSE(binary_kind("text", Encoding::hex_bytes));
  EXPECT_FALSE(binary_kind("name", Encoding::plain));
  EXPECT_FALSE(binary_kind("interval", Encoding::plain));
  EXPECT_FALSE(binary_kind("integer[]", Encoding::plain));
  EXPECT_FALSE(binary_kind("my_domain", Encoding::plain));
  EXPECT_FALSE(binary_kind("time with time zone", Encoding::plain));
}

TEST(CopyBinary, TheChoiceIsTextUnlessEveryColumnHasABinaryForm) {
  using K = std::optional<BinaryKind>;
  EXPECT_EQ(choose_copy_format(std::vector<K>{BinaryKind::int4, BinaryKind::date, std::nullopt}), CopyFormat::text);
  EXPECT_EQ(choose_copy_format(std::vector<K>{}), CopyFormat::text);
  EXPECT_EQ(choose_copy_format(std::vector<K>{BinaryKind::int4, BinaryKind::date, BinaryKind::numeric}),
            CopyFormat::binary);
}

TEST(CopyBinary, TextWinsWhereTextColumnsOutweighTheDates) {
  if (std::getenv("REPLICATE_COPY_FORMAT")) GTEST_SKIP() << "REPLICATE_COPY_FORMAT overrides the measured choice";
  // Measured: binary text costs more than it saves; a date saves more than a text costs.
  using K = std::optional<BinaryKind>;
  const K text = BinaryKind::text, date = BinaryKind::date, id = BinaryKind::int8;
  EXPECT_EQ(choose_copy_format(std::vector<K>{id, text, text, text, text, text, date}), CopyFormat::text);
  EXPECT_EQ(choose_copy_format(std::vector<K>{id, text, text, date}), CopyFormat::binary);
  EXPECT_EQ(choose_copy_format(std::vector<K>{id, text}), CopyFormat::text);
  EXPECT_EQ(choose_copy_format(std::vector<K>{id, BinaryKind::int4, BinaryKind::boolean}), CopyFormat::text);
  EXPECT_EQ(choose_copy_format(std::vector<K>{id, text, text, text, BinaryKind::uuid}), CopyFormat::binary);
  EXPECT_EQ(choose_copy_format(std::vector<K>{id, text, BinaryKind::timestamptz}), CopyFormat::binary);
}

TEST(CopyBinary, TheBiCredoresRowGoesBinary) {
  // The mix of the sample's table: 18 integers, 2 numerics, 10 dates, 9 varchars.
  plan::TablePlan t;
  auto add = [&](const char* type, int n) {
    for (int i = 0; i < n; ++i) {
      plan::ColumnPlan c;
      c.target = std::string(type) + std::to_string(i);
      c.target_type = type;
      t.columns.push_back(c);
    }
  };
  add("integer", 13);
  add("smallint", 4);
  add("bigint", 1);
  add("numeric(38,2)", 2);
  add("date", 10);
  add("character varying(30)", 9);
  EXPECT_EQ(choose_copy_format(t), CopyFormat::binary);
  add("interval", 1);
  EXPECT_EQ(choose_copy_format(t), CopyFormat::text);
}

}  // namespace
}  // namespace replicate::target
