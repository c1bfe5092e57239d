// SPDX-License-Identifier: Apache-2.0
// The words the sample is made of: Brazilian cities, creditors and their
// products, and the collection actions an operator records, with their accents,
// so encodings are exercised end to end.
#pragma once

#include <span>
#include <string_view>

namespace replicate::sample {

/// A city (CIDADE, at most 30 characters) with its state (UF).
struct City {
  std::string_view name;
  std::string_view uf;
  int weight;  // relative share of debtors
};

/// A (fictional) creditor whose portfolio is in collection: CONT_ID, the prefix
/// of its NUMERO_CONTRATO and the PRODUTO_ID codes it sells.
struct Creditor {
  int id;
  std::string_view contract_prefix;  // three letters
  std::span<const std::string_view> products;
  int weight;  // relative share of contracts
};

/// What an operator (or the dialler) did last: ACAO_ID and its DESCRICAO.
struct Action {
  int id;
  std::string_view description;  // at most 50 characters
  int weight;
};

std::span<const City> cities();
std::span<const Creditor> creditors();
std::span<const Action> actions();
/// Free text an operator typed instead of an action's description: quotes, an
/// apostrophe and a backslash, as legacy tables hold them.
std::span<const std::string_view> operator_notes();

}  // namespace replicate::sample
