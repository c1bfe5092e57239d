// SPDX-License-Identifier: Apache-2.0
// The WHERE condition for one chunk: a key range [lo, hi) over a composite key,
// spelled without row-value comparisons so that every dialect (SQL Server has
// none) can run it.
#pragma once

#include <string>
#include <vector>

#include "catalog/types.hpp"

namespace replicate::catalog {

class Dialect;

/// Expand (k1..km) >= (l1..lm) AND (k1..kn) < (h1..hn) over already rendered SQL:
/// `keys` are quoted column references, `lo`/`hi` literals. A bound may name fewer
/// values than there are keys (it then bounds that prefix); an empty bound is open.
/// Both open gives "" (no condition). For two or more values a redundant
/// `k1 >= l1` / `k1 <= h1` leads, so the optimiser can seek on the index.
/// Throws std::invalid_argument when a bound has more values than there are keys.
std::string expand_range(const std::vector<std::string>& keys, const std::vector<std::string>& lo,
                         const std::vector<std::string>& hi);

/// The chunk condition for `keys` (names, quoted here) with bounds given as canonical
/// text (what Dialect::select_text yields), turned into literals by Dialect::key_literal.
/// Keys must be NOT NULL: a row with a NULL key falls in no chunk. The first chunk
/// should leave `lo` open and the last `hi`, so rows beyond the sampled bounds are read.
std::string range_predicate(const Dialect& dialect, const std::vector<Column>& keys,
                            const std::vector<std::string>& lo, const std::vector<std::string>& hi);

}  // namespace replicate::catalog
