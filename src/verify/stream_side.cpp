// SPDX-License-Identifier: Apache-2.0
// A source that cannot hash in SQL (SQLite, SQL Server, other ODBC sources): a chunk's
// rows stream here in key order, each value normalised to its target type's text and
// the row hashed. The chunk's (key, hash) pairs are kept while it is examined, so
// bisection and the final diff read nothing more from the source.
#include <algorithm>
#include <charconv>
#include <set>

#include "catalog/dialect.hpp"
#include "target/pg_schema.hpp"
#include "util/error.hpp"
#include "verify/row_hash.hpp"
#include "verify/side.hpp"

namespace replicate::verify {
namespace {

constexpr std::size_t kValuesPerServerCall = 1000;

/// The canonical text of a value the target refused: it differs from every value the
/// target can hold, so the row shows up as differing instead of as equal.
std::string refused(const std::string& input) { return "\x01refused:" + input; }

class StreamSide : public Side {
 public:
  StreamSide(const TableSpec& spec, source::Connection& source,
             std::function<source::Connection&()> normaliser)
      : spec_(spec), source_(source), normaliser_(std::move(normaliser)) {
    for (std::size_t c = 0; c < spec_.types.size(); ++c) {
      auto wide = widened_type(spec_, c);
      types_.push_back(wide ? *wide : spec_.types[c]);
    }
  }

  Checksum checksum(const Range& range) override {
    load(range.chunk);
    Checksum c;
    for (const auto& e : cache_) {
      if (!inside(e, range)) continue;
      ++c.count;
      c.sum += e.hash;
      if (spec_.integer_key) {
        c.min = c.min ? std::min(*c.min, e.int_key) : e.int_key;
        c.max = c.max ? std::max(*c.max, e.int_key) : e.int_key;
      }
    }
    return c;
  }

  std::vector<KeyHash> key_hashes(const Range& range) override {
    load(range.chunk);
    std::vector<KeyHash> out;
    for (const auto& e : cache_)
      if (inside(e, range)) out.push_back({e.key, e.hash});
    return out;
  }

  std::vector<Values> rows(const Range& range, const std::vector<Key>& keys) override {
    std::set<Key> wanted(keys.begin(), keys.end());
    std::vector<Values> out;
    stream(range, [&](Values& values, Key& key) {
      if (wanted.count(key)) out.push_back(std::move(values));
    });
    return out;
  }

  void end_chunk() override {
    cache_.clear();
    cache_.shrink_to_fit();
    cached_ = nullptr;
  }

 private:
  struct Entry {
    Key key;
    std::int64_t int_key = 0;
    std::uint64_t hash = 0;
  };

  bool inside(const Entry& e, const Range& r) const {
    return (!r.lo || e.int_key >= *r.lo) && (!r.hi || e.int_key <= *r.hi);
  }

  void load(const plan::ChunkPlan* chunk) {
    if (cached_ == chunk && chunk) return;
    end_chunk();
    stream(Range{chunk, std::nullopt, std::nullopt}, [&](Values& values, Key& key) {
      Entry e;
      if (spec_.integer_key)
        std::from_chars(key[0].data(), key[0].data() + key[0].size(), e.int_key);
      e.hash = hasher_.hash(values);
      e.key = std::move(key);
      cache_.push_back(std::move(e));
    });
    cached_ = chunk;
  }

  std::string select_sql(const Range& range) const {
    const auto& p = *spec_.plan;
    std::string sql = "SELECT " + plan::select_list(p, plan::read_form(p, source_, false)) + " FROM " + p.source_sql;
    std::vector<std::string> where;
    if (p.where) where.push_back(*p.where);
    if (range.chunk) {
      std::string c = plan::chunk_predicate(p, *range.chunk);
      if (!c.empty()) where.push_back(c);
    }
    if (range.lo) where.push_back(p.key_sql[0] + " >= " + std::to_string(*range.lo));
    if (range.hi) where.push_back(p.key_sql[0] + " <= " + std::to_string(*range.hi));
    for (std::size_t i = 0; i < where.size(); ++i)
      sql += (i ? " AND (" : " WHERE (") + where[i] + ")";
    if (!p.key_sql.empty()) {
      sql += " ORDER BY ";
      for (std::size_t i = 0; i < p.key_sql.size(); ++i) sql += (i ? ", " : "") + p.key_sql[i];
    }
    return sql;
  }

  /// Stream the range's rows, calling on_row(values, key) with canonical text.
  template <typename OnRow>
  void stream(const Range& range, OnRow on_row) {
    const auto& p = *spec_.plan;
    const std::size_t ncols = p.columns.size();
    auto cursor =
        plan::open_table_cursor(source_, p, select_sql(range), spec_.batch_size, plan::read_form(p, source_, false), false);
    source::Batch b;
    std::vector<Values> rows;
    while (cursor->fetch(b)) {
      rows_fetched += static_cast<std::int64_t>(b.rows);
      rows_streamed += static_cast<std::int64_t>(b.rows);
      rows.assign(b.rows, Values(ncols));
      for (std::size_t c = 0; c < ncols; ++c) {
        const bool bytes = p.columns[c].type.id == catalog::TypeId::bytes;
        std::vector<std::size_t> pending;
        std::vector<std::string> pending_input;
        for (std::size_t r = 0; r < b.rows; ++r) {
          if (b.is_null[c][r]) continue;
          std::string input = bytes ? "\\x" + b.values[c][r] : std::move(b.values[c][r]);
          if (auto v = normalise(types_[c], input)) {
            rows[r][c] = std::move(*v);
          } else {
            pending.push_back(r);
            pending_input.push_back(std::move(input));
          }
        }
        if (pending.empty()) continue;
        values_normalised_by_target += static_cast<std::int64_t>(pending.size());
        auto done = normalise_on_target(types_[c], pending_input);
        for (std::size_t k = 0; k < pending.size(); ++k) rows[pending[k]][c] = std::move(done[k]);
      }
      for (auto& values : rows) {
        Key key;
        for (auto k : spec_.key_columns) key.push_back(values[k].value_or("\\N"));
        on_row(values, key);
      }
    }
  }

  /// The target server's own reading of values this file does not emulate (jsonb,
  /// xml, domains, unusual spellings); a value it refuses becomes `refused(...)`.
  std::vector<std::string> normalise_on_target(const TargetType& t,
                                               const std::vector<std::string>& inputs) {
    std::vector<std::string> out;
    out.reserve(inputs.size());
    auto one_call = [&](std::size_t from, std::size_t to) {
      std::string array;
      for (std::size_t k = from; k < to; ++k)
        array += (k > from ? ", " : "") + target::pg_literal(inputs[k]);
      return normaliser_().query("SELECT " + canonical_sql(t, "v::" + t.sql) +
                                 " FROM unnest(ARRAY[" + array +
                                 "]::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n");
    };
    for (std::size_t from = 0; from < inputs.size(); from += kValuesPerServerCall) {
      const std::size_t to = std::min(inputs.size(), from + kValuesPerServerCall);
      try {
        for (auto& r : one_call(from, to)) out.push_back(r[0].value_or(""));
      } catch (const util::DbError&) {
        // One value the target refuses fails the call: find it value by value.
        for (std::size_t k = from; k < to; ++k) {
          try {
            out.push_back(one_call(k, k + 1).at(0)[0].value_or(""));
          } catch (const util::DbError&) {
            out.push_back(refused(inputs[k]));
          }
        }
      }
    }
    return out;
  }

  const TableSpec& spec_;
  std::vector<TargetType> types_;  // per column: what values are compared as
  source::Connection& source_;
  std::function<source::Connection&()> normaliser_;
  RowHasher hasher_;
  std::vector<Entry> cache_;
  const plan::ChunkPlan* cached_ = nullptr;
};

}  // namespace

std::unique_ptr<Side> make_stream_source_side(const TableSpec& spec, source::Connection& source,
                                              std::function<source::Connection&()> normaliser) {
  return std::make_unique<StreamSide>(spec, source, std::move(normaliser));
}

}  // namespace replicate::verify
