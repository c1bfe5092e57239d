// SPDX-License-Identifier: Apache-2.0
// Key-range conditions for chunked reads, as nested OR/AND comparisons.
#include "catalog/range_predicate.hpp"

#include <stdexcept>

#include "catalog/dialect.hpp"

namespace replicate::catalog {
namespace {

/// (k_i..k_m) op (v_i..v_m) lexicographically, where `last` is the comparison for the
/// final value (>= for a lower bound, < for an upper one) and `strict` the others'.
std::string lexicographic(const std::vector<std::string>& keys, const std::vector<std::string>& values,
                          std::size_t i, const char* strict, const char* last) {
  if (i + 1 == values.size()) return keys[i] + " " + last + " " + values[i];
  return "(" + keys[i] + " " + strict + " " + values[i] + " OR (" + keys[i] + " = " + values[i] +
         " AND " + lexicographic(keys, values, i + 1, strict, last) + "))";
}

std::string bound(const std::vector<std::string>& keys, const std::vector<std::string>& values,
                  const char* strict, const char* last, const char* leading) {
  if (values.size() > keys.size())
    throw std::invalid_argument("a key bound has " + std::to_string(values.size()) +
                                " values but the key has " + std::to_string(keys.size()) + " columns");
  std::string cond = lexicographic(keys, values, 0, strict, last);
  // The OR form hides the range on the first column from the optimiser; say it again plainly.
  if (values.size() > 1) cond = keys[0] + " " + leading + " " + values[0] + " AND " + cond;
  return cond;
}

}  // namespace

std::string expand_range(const std::vector<std::string>& keys, const std::vector<std::string>& lo,
                         const std::vector<std::string>& hi) {
  std::string lower = lo.empty() ? "" : bound(keys, lo, ">", ">=", ">=");
  std::string upper = hi.empty() ? "" : bound(keys, hi, "<", "<", "<=");
  if (lower.empty()) return upper;
  if (upper.empty()) return lower;
  return lower + " AND " + upper;
}

std::string range_predicate(const Dialect& dialect, const std::vector<Column>& keys,
                            const std::vector<std::string>& lo, const std::vector<std::string>& hi) {
  std::vector<std::string> quoted, lo_sql, hi_sql;
  for (const auto& k : keys) quoted.push_back(dialect.quote(k.name));
  for (std::size_t i = 0; i < lo.size() && i < keys.size(); ++i) lo_sql.push_back(dialect.key_literal(lo[i], keys[i].type));
  for (std::size_t i = 0; i < hi.size() && i < keys.size(); ++i) hi_sql.push_back(dialect.key_literal(hi[i], keys[i].type));
  if (lo.size() > keys.size()) lo_sql.resize(lo.size());  // let expand_range report it
  if (hi.size() > keys.size()) hi_sql.resize(hi.size());
  return expand_range(quoted, lo_sql, hi_sql);
}

}  // namespace replicate::catalog
