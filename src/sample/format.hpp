// Text formats of the sample's values: numbers, exact decimals, ISO dates and
// Brazilian documents. All append to a caller's buffer to avoid allocation.
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

/// 'YYYY-MM-DD HH:MM:SS', plus '.mmm' when millis >= 0.
void append_datetime(std::string& out, std::int64_t days, std::int64_t second_of_day, int millis);

/// A random valid CPF with its two check digits: "123.456.789-09".
void append_cpf(std::string& out, Prng& rng);

/// A random valid head-office CNPJ with its check digits: "12.345.678/0001-95".
void append_cnpj(std::string& out, Prng& rng);

/// A Brazilian phone number: mobile "(11) 98765-4321" or landline "(11) 3456-7890".
void append_phone(std::string& out, Prng& rng, int ddd, bool mobile);

/// `text` lower-cased to ASCII letters and digits: accents folded, the rest dropped.
void append_ascii_lower(std::string& out, std::string_view text);

/// True when `cpf` ("123.456.789-09" or 11 digits) has valid check digits.
bool is_valid_cpf(std::string_view cpf);

/// True when `cnpj` ("12.345.678/0001-95" or 14 digits) has valid check digits.
bool is_valid_cnpj(std::string_view cnpj);

}  // namespace replicate::sample
