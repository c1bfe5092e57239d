// SPDX-License-Identifier: Apache-2.0
// Text formats of the sample's values: numbers, exact decimals, ISO dates and
// CPFs. All append to a caller's buffer to avoid allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sample/prng.hpp"

namespace replicate::sample {

/// Decimal digits of `value`, left-padded with zeros to `width` (0: no padding).
void append_number(std::string& out, std::uint64_t value, int width);

/// An exact decimal from an integer count of 10^-scale units: (123456, 2) -> "1234.56".
void append_scaled(std::string& out, std::int64_t units, int scale);

/// 'YYYY-MM-DD' for a day number (days since 1970-01-01).
void append_date(std::string& out, std::int64_t days);

/// A random valid CPF with its two check digits: "123.456.789-09".
void append_cpf(std::string& out, Prng& rng);

/// True when `cpf` ("123.456.789-09" or 11 digits) has valid check digits.
bool is_valid_cpf(std::string_view cpf);

}  // namespace replicate::sample
