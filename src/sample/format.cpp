// SPDX-License-Identifier: Apache-2.0
// Formatting for the sample generator. Integer arithmetic only: no locale, no
// floating point, so every platform prints the same characters.
#include "sample/format.hpp"

#include <array>
#include <cstdlib>

namespace replicate::sample {
namespace {

// A CPF check digit: weighted sum mod 11, where a remainder below 2 gives 0.
int mod11_digit(const int* digits, const int* weights, int count) {
  int sum = 0;
  for (int i = 0; i < count; ++i) sum += digits[i] * weights[i];
  const int rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

constexpr std::array kCpfWeights1 = {10, 9, 8, 7, 6, 5, 4, 3, 2};
constexpr std::array kCpfWeights2 = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2};

// Fill the '0' placeholders of a document mask ("000.000.000-00") with digits.
void put_document(char* mask, const int* digits) {
  for (; *mask; ++mask) {
    if (*mask == '0') *mask = static_cast<char>('0' + *digits++);
  }
}

// Digits of a formatted document; returns how many were found (up to `max`).
int extract_digits(std::string_view text, int* digits, int max) {
  int count = 0;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (count == max) return max + 1;
      digits[count++] = c - '0';
    } else if (c != '.' && c != '-' && c != '/') {
      return -1;
    }
  }
  return count;
}

}  // namespace

void append_number(std::string& out, std::uint64_t value, int width) {
  // Digits are written backwards into a local buffer and appended once: this
  // runs about forty times a row, and per-character push_back showed in profiles.
  char buffer[24];
  char* end = buffer + sizeof buffer;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (end - p < width) *--p = '0';
  out.append(p, end);
}

void append_scaled(std::string& out, std::int64_t units, int scale) {
  if (units < 0) {
    out.push_back('-');
    units = -units;
  }
  std::uint64_t divisor = 1;
  for (int i = 0; i < scale; ++i) divisor *= 10;
  const auto magnitude = static_cast<std::uint64_t>(units);
  append_number(out, magnitude / divisor, 0);
  if (scale > 0) {
    out.push_back('.');
    append_number(out, magnitude % divisor, scale);
  }
}

namespace {

// Exactly `width` digits of value at p (value < 10^width).
void put_digits(char* p, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DD" into p[0..10).
void put_date(char* p, std::int64_t days) {
  const CivilDate date = civil_from_days(days);
  put_digits(p, static_cast<std::uint64_t>(date.year), 4);
  p[4] = '-';
  put_digits(p + 5, static_cast<std::uint64_t>(date.month), 2);
  p[7] = '-';
  put_digits(p + 8, static_cast<std::uint64_t>(date.day), 2);
}

}  // namespace

void append_date(std::string& out, std::int64_t days) {
  char buffer[10];
  put_date(buffer, days);
  out.append(buffer, sizeof buffer);
}

void append_cpf(std::string& out, Prng& rng) {
  int d[11];
  bool all_same;
  do {  // 111.111.111-11 and friends pass the arithmetic but are invalid by rule
    for (int i = 0; i < 9; ++i) d[i] = static_cast<int>(rng.below(10));
    all_same = true;
    for (int i = 1; i < 9; ++i) all_same = all_same && d[i] == d[0];
  } while (all_same);
  d[9] = mod11_digit(d, kCpfWeights1.data(), 9);
  d[10] = mod11_digit(d, kCpfWeights2.data(), 10);
  char text[] = "000.000.000-00";
  put_document(text, d);
  out.append(text, sizeof text - 1);
}

bool is_valid_cpf(std::string_view cpf) {
  int d[11];
  if (extract_digits(cpf, d, 11) != 11) return false;
  bool all_same = true;
  for (int i = 1; i < 11; ++i) all_same = all_same && d[i] == d[0];
  return !all_same && d[9] == mod11_digit(d, kCpfWeights1.data(), 9) &&
         d[10] == mod11_digit(d, kCpfWeights2.data(), 10);
}

}  // namespace replicate::sample
