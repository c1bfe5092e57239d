// SPDX-License-Identifier: Apache-2.0
// A SQLite REAL bound for a decimal column may go as its shortest text instead of
// 17 digits. PostgreSQL itself is the judge: rounded to every scale up to the
// shortest text's own, the two must give the same numeric.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "source/sqlite_cursor.hpp"
#include "support/test_db.hpp"

namespace replicate::source {
namespace {

std::string text(char* (*f)(char*, double), double v) {
  char buf[64];
  return std::string(buf, f(buf, v));
}

TEST(RealForDecimal, ShortTextWhereItIsSafe) {
  EXPECT_EQ(text(real_for_decimal, 7414.6), "7414.6");
  EXPECT_EQ(text(real_for_decimal, 958.62), "958.62");
  EXPECT_EQ(text(real_for_decimal, 0.9544), "0.9544");
  EXPECT_EQ(text(real_for_decimal, -3.0), "-3");
  EXPECT_EQ(text(real_for_decimal, 2.675), "2.6749999999999998");  // a tie in short text
  EXPECT_EQ(text(real_for_decimal, 0.125), "0.125");                // exact, ends in 5: 17 digits say the same
  EXPECT_EQ(text(real_for_decimal, 0.1 + 0.2), "0.30000000000000004");  // 17 significant digits
}

TEST(RealForDecimal, RoundsInPostgresqlAsTheSeventeenDigitsDo) {
  std::mt19937_64 rng(20261129);
  std::uniform_int_distribution<long> cents(-10000000, 10000000);
  std::uniform_real_distribution<double> any(-1e6, 1e6);
  std::string values;
  int cases = 0;
  auto add = [&](double v) {
    const std::string s = text(real_for_decimal, v), t = text(real_17_digits, v);
    if (s == t) return;
    // Scales from 0 to the short text's own number of decimals.
    auto point = s.find('.');
    const int decimals = point == std::string::npos ? 0 : static_cast<int>(s.size() - point - 1);
    for (int scale = 0; scale <= decimals; ++scale) {
      values += (values.empty() ? "" : ",") + ("('" + s + "','" + t + "'," + std::to_string(scale) + ")");
      ++cases;
    }
  };
  for (int i = 0; i < 3000; ++i) {
    const double c = static_cast<double>(cents(rng));
    add(c / 100);                 // money as SQLite stores it
    add(c / 1000);                // with a third decimal, ties included
    add(c / 10000 + 0.00005);     // ties at the fourth decimal
    add(any(rng));                // anything
    add(std::ldexp(any(rng), -40));
  }
  ASSERT_GT(cases, 10000);
  const std::string db = test::create_database("real_decimal");
  auto differ = test::pg_scalar(db, "SELECT count(*) FROM (VALUES " + values +
                                        ") v(s, t, k) WHERE round(s::numeric, k) <> round(t::numeric, k)");
  EXPECT_EQ(differ, std::optional<std::string>("0")) << "of " << cases << " value/scale pairs";
}

}  // namespace
}  // namespace replicate::source
