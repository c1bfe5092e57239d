// The words the sample is made of: Brazilian names, places, creditors and
// operator notes, with their accents, so encodings are exercised end to end.
#pragma once

#include <span>
#include <string_view>

namespace replicate::sample {

struct FirstName {
  std::string_view name;
  char sex;  // 'M' or 'F'
};

/// A city with the facts that must agree with it in a row.
struct City {
  std::string_view name;
  std::string_view uf;
  int ddd;     // telephone area code
  int cep_lo;  // first five CEP digits, inclusive range
  int cep_hi;
  int weight;  // relative share of debtors
};

/// A (fictional) creditor and what it sells.
struct Creditor {
  int id;
  std::string_view name;
  std::string_view contract_prefix;  // three letters at the start of NUMERO_CONTRATO
  std::span<const std::string_view> products;
};

std::span<const FirstName> first_names();
std::span<const std::string_view> surnames();
std::span<const City> cities();
std::span<const Creditor> creditors();
std::span<const std::string_view> street_types();
std::span<const std::string_view> street_names();
std::span<const std::string_view> neighbourhoods();
std::span<const std::string_view> complements();
std::span<const std::string_view> email_domains();
std::span<const std::string_view> portfolios();  // CARTEIRA
std::span<const std::string_view> notes();       // OBSERVACAO

}  // namespace replicate::sample
