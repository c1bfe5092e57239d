// SPDX-License-Identifier: Apache-2.0
// Chunk by chunk, then key by key. Integer keys compare the same in every database,
// so a chunk holds the same keys on both sides and differing ranges can be halved.
// Other keys (text under different collations, SQL Server's uniqueidentifier order)
// may fall into different chunks on each side: a row then looks missing from one
// chunk and extra in another, which the reconciliation at the end undoes.
#include "verify/table_compare.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "verify/mssql_side.hpp"
#include "verify/row_hash.hpp"

namespace replicate::verify {

std::optional<TargetType> widened_type(const TableSpec& spec, std::size_t column) {
  const auto& keys = spec.key_columns;
  if (!spec.keyless && std::find(keys.begin(), keys.end(), column) != keys.end()) return std::nullopt;
  const auto& c = spec.plan->columns[column];
  if (c.source.empty()) return std::nullopt;  // an expression or a constant: typed by the target
  auto n = target::narrowing(c.type, c.source_type, spec.types[column]);
  if (!n) return std::nullopt;
  return parse_target_type(n->wide);
}

namespace {

struct Found {
  Key key;
  std::uint64_t hash = 0;
  Range range;
};

struct ChunkResult {
  Checksum source, target;
  std::vector<Found> missing, extra;
  std::map<Key, std::vector<std::string>> changed;  // key -> differing target columns
  std::vector<std::uint64_t> source_keys;           // fingerprints, other keys only (sorted)
  std::string error;
};

/// Run `a` on another thread and `b` on this one: both sides' queries at once.
template <typename R>
std::pair<R, R> both(const std::function<R()>& a, const std::function<R()>& b) {
  auto fa = std::async(std::launch::async, a);
  R rb = b();
  return {fa.get(), std::move(rb)};
}

std::uint64_t fingerprint(RowHasher& hasher, const Key& key) {
  Values v(key.begin(), key.end());
  return hasher.hash(v);
}

class ChunkComparer {
 public:
  ChunkComparer(const TableSpec& spec, Side& source, Side& target, const VerifyOptions& o)
      : spec_(spec), source_(source), target_(target), options_(o) {}

  ChunkResult run(const plan::ChunkPlan& chunk) {
    ChunkResult r;
    const Range whole{&chunk, std::nullopt, std::nullopt};
    std::tie(r.source, r.target) = both<Checksum>([&] { return source_.checksum(whole); },
                                                  [&] { return target_.checksum(whole); });
    if (!r.source.same(r.target)) {
      if (spec_.integer_key && (r.source.count || r.target.count)) {
        Range narrowed = whole;
        narrowed.lo = std::min(r.source.min.value_or(INT64_MAX), r.target.min.value_or(INT64_MAX));
        narrowed.hi = std::max(r.source.max.value_or(INT64_MIN), r.target.max.value_or(INT64_MIN));
        descend(narrowed, r.source, r.target, r);
      } else {
        leaf(whole, r);
      }
    }
    source_.end_chunk();
    target_.end_chunk();
    return r;
  }

  /// Rows of both sides for `keys`, compared column by column.
  std::map<Key, std::vector<std::string>> changed_columns(const Range& source_range,
                                                          const Range& target_range,
                                                          const std::vector<Key>& keys) {
    auto [sv, tv] = both<std::vector<Values>>([&] { return source_.rows(source_range, keys); },
                                              [&] { return target_.rows(target_range, keys); });
    auto by_key = [&](std::vector<Values>& rows) {
      std::map<Key, Values> m;
      for (auto& v : rows) {
        Key k;
        for (auto c : spec_.key_columns) k.push_back(v[c].value_or("\\N"));
        m.emplace(std::move(k), std::move(v));
      }
      return m;
    };
    auto s = by_key(sv), t = by_key(tv);
    std::map<Key, std::vector<std::string>> out;
    for (const auto& k : keys) {
      auto& cols = out[k];
      auto si = s.find(k), ti = t.find(k);
      if (si == s.end() || ti == t.end()) continue;  // changed again while we looked
      for (std::size_t c = 0; c < si->second.size(); ++c)
        if (si->second[c] != ti->second[c]) cols.push_back(spec_.plan->columns[c].target);
    }
    return out;
  }

 private:
  /// Halve [lo, hi] until a side holds few rows; the right half's checksum is the
  /// parent's minus the left's, so each level costs one query per side.
  void descend(const Range& range, const Checksum& s, const Checksum& t, ChunkResult& r) {
    if (std::max(s.count, t.count) <= options_.leaf_rows || *range.lo >= *range.hi)
      return leaf(range, r);
    const auto lo = static_cast<__int128>(*range.lo), hi = static_cast<__int128>(*range.hi);
    const auto mid = static_cast<std::int64_t>(lo + (hi - lo) / 2);
    Range left = range, right = range;
    left.hi = mid;
    right.lo = mid + 1;
    auto [ls, lt] = both<Checksum>([&] { return source_.checksum(left); },
                                   [&] { return target_.checksum(left); });
    const Checksum rs = s.minus(ls), rt = t.minus(lt);
    if (!ls.same(lt)) descend(left, ls, lt, r);
    if (!rs.same(rt)) descend(right, rs, rt, r);
  }

  void leaf(const Range& range, ChunkResult& r) {
    auto [s, t] = both<std::vector<KeyHash>>([&] { return source_.key_hashes(range); },
                                             [&] { return target_.key_hashes(range); });
    if (spec_.keyless) return multiset_diff(s, t, range, r);
    std::map<Key, std::uint64_t> target_hash;
    for (auto& kh : t) target_hash.emplace(std::move(kh.key), kh.hash);
    std::vector<Key> changed;
    for (auto& kh : s) {
      if (!spec_.integer_key) r.source_keys.push_back(fingerprint(hasher_, kh.key));
      auto it = target_hash.find(kh.key);
      if (it == target_hash.end()) {
        r.missing.push_back({std::move(kh.key), kh.hash, range});
        continue;
      }
      if (it->second != kh.hash) changed.push_back(kh.key);
      target_hash.erase(it);
    }
    for (auto& [key, hash] : target_hash) r.extra.push_back({key, hash, range});
    if (!changed.empty())
      for (auto& [key, cols] : changed_columns(range, range, changed)) r.changed[key] = cols;
    std::sort(r.source_keys.begin(), r.source_keys.end());
  }

  /// Without a key a row is all of its values: count each on both sides.
  void multiset_diff(std::vector<KeyHash>& s, std::vector<KeyHash>& t, const Range& range,
                     ChunkResult& r) {
    std::map<Key, std::pair<std::int64_t, std::uint64_t>> balance;
    for (auto& kh : s) balance[kh.key] = {balance[kh.key].first + 1, kh.hash};
    for (auto& kh : t) balance[kh.key] = {balance[kh.key].first - 1, kh.hash};
    for (auto& [key, b] : balance) {
      for (std::int64_t n = b.first; n > 0; --n) r.missing.push_back({key, b.second, range});
      for (std::int64_t n = b.first; n < 0; ++n) r.extra.push_back({key, b.second, range});
    }
  }

  const TableSpec& spec_;
  Side& source_;
  Side& target_;
  const VerifyOptions& options_;
  RowHasher hasher_;
};

struct Sides {
  std::unique_ptr<Side> source, target;
  Sides(const TableSpec& spec, Lane& lane, bool stream) {
    lane.ensure();
    auto streaming = [&] {
      return make_stream_source_side(spec, *lane.source,
                                     [&lane]() -> source::Connection& { return lane.ensure_normaliser(); });
    };
    if (stream)
      source = streaming();
    else if (!spec.mssql_values.empty())
      source = make_mssql_source_side(spec, *lane.source, spec.mssql_values, streaming());
    else
      source = make_sql_source_side(spec, *lane.source);
    target = make_target_side(spec, *lane.target);
  }
};

bool key_less(const TableSpec& spec, const Key& a, const Key& b) {
  if (spec.integer_key) {
    try {
      return std::stoll(a[0]) < std::stoll(b[0]);
    } catch (const std::exception&) {
    }
  }
  return a < b;
}

}  // namespace

void compare_table(const TableSpec& spec, std::vector<Lane>& lanes, std::size_t max_threads,
                   bool stream_source, const VerifyOptions& options, TableReport& out) {
  const auto& chunks = spec.plan->chunks;
  for (std::size_t c = 0; c < spec.types.size(); ++c)
    if (auto wide = widened_type(spec, c)) {
      const auto& column = spec.plan->columns[c];
      out.notes.push_back(fmt::format("column {} compared as {}: its type {} {}", column.target, wide->sql,
                                      spec.types[c].sql,
                                      target::narrowing(column.type, column.source_type, spec.types[c])->what));
    }
  std::vector<ChunkResult> results(chunks.size());
  const std::size_t threads =
      std::max<std::size_t>(1, std::min({lanes.size(), max_threads, chunks.size()}));
  out.threads = static_cast<int>(threads);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::int64_t> fetched(threads), streamed(threads), by_target(threads);
  std::vector<std::string> lane_errors(threads);

  auto work = [&](std::size_t lane) {
    try {
      Sides sides(spec, lanes[lane], stream_source);
      ChunkComparer comparer(spec, *sides.source, *sides.target, options);
      for (std::size_t i; !failed && (i = next++) < chunks.size();) {
        try {
          results[i] = comparer.run(chunks[i]);
        } catch (const std::exception& e) {
          results[i].error = "chunk " + std::to_string(chunks[i].id) + ": " + e.what();
          failed = true;
        }
      }
      fetched[lane] = sides.source->rows_fetched + sides.target->rows_fetched;
      streamed[lane] = sides.source->rows_streamed;
      by_target[lane] = sides.source->values_normalised_by_target;
    } catch (const std::exception& e) {
      lane_errors[lane] = e.what();
      failed = true;
    }
    if (failed) {
      // After an error a session may be unusable: the next table opens fresh ones.
      lanes[lane].close();
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t l = 1; l < threads; ++l) pool.emplace_back(work, l);
  work(0);
  for (auto& t : pool) t.join();

  for (std::size_t l = 0; l < threads; ++l) {
    out.rows_fetched += fetched[l];
    out.rows_streamed += streamed[l];
    out.values_normalised_by_target += by_target[l];
  }
  out.chunks = static_cast<int>(chunks.size());
  for (const auto& e : lane_errors)
    if (out.error.empty() && !e.empty()) out.error = e;
  for (const auto& r : results) {
    if (out.error.empty() && !r.error.empty()) out.error = r.error;
    out.source_rows += r.source.count;
    out.target_rows += r.target.count;
    if (!r.source.same(r.target)) ++out.chunks_differing;
  }
  if (!out.error.empty()) return;

  // Across chunks: the key sets, with rows that changed chunk between sides undone.
  std::map<Key, Found> missing, extra;
  std::map<Key, std::vector<std::string>> changed;
  for (auto& r : results) {
    for (auto& f : r.missing) missing.emplace(f.key, f);
    for (auto& f : r.extra) extra.emplace(f.key, f);
    for (auto& [k, cols] : r.changed) changed.emplace(k, cols);
  }
  try {
    Sides sides(spec, lanes[0], stream_source);
    ChunkComparer comparer(spec, *sides.source, *sides.target, options);
    if (!spec.integer_key && !spec.keyless) {
      for (auto it = missing.begin(); it != missing.end();) {
        auto e = extra.find(it->first);
        if (e == extra.end()) {
          ++it;
          continue;
        }
        if (e->second.hash != it->second.hash)
          for (auto& [k, cols] :
               comparer.changed_columns(it->second.range, e->second.range, {it->first}))
            changed[k] = cols;
        extra.erase(e);
        it = missing.erase(it);
      }
      // A key extra in one chunk may be held by the source in another: seen there in a
      // differing chunk, or inside a matching one (whose rows both sides share).
      RowHasher hasher;
      std::vector<Key> candidates;
      for (auto it = extra.begin(); it != extra.end();) {
        const std::uint64_t fp = fingerprint(hasher, it->first);
        bool seen = false;
        for (const auto& r : results)
          seen = seen || std::binary_search(r.source_keys.begin(), r.source_keys.end(), fp);
        if (seen) {
          it = extra.erase(it);
        } else {
          candidates.push_back(it->first);
          ++it;
        }
      }
      std::vector<const plan::ChunkPlan*> matching;
      for (std::size_t i = 0; i < chunks.size(); ++i)
        if (results[i].source.same(results[i].target)) matching.push_back(&chunks[i]);
      if (!candidates.empty() && !matching.empty())
        for (const auto& k : target_keys_in_chunks(spec, *lanes[0].target, candidates, matching))
          extra.erase(k);
      out.target_rows = target_count(spec, *lanes[0].target);  // chunks may overlap on the target
      out.rows_fetched += 1;
      out.rows_fetched += out.source_rows;  // the planner read every key to cut the chunks
    } else if (spec.integer_key) {
      out.rows_fetched += 1;  // the planner's MIN/MAX/COUNT
    }
    out.rows_fetched += sides.source->rows_fetched + sides.target->rows_fetched;
    out.rows_streamed += sides.source->rows_streamed;
    out.values_normalised_by_target += sides.source->values_normalised_by_target;
  } catch (const std::exception& e) {
    out.error = std::string("while reconciling keys: ") + e.what();
    lanes[0].close();
    return;
  }

  auto sorted_keys = [&](const std::map<Key, Found>& m) {
    std::vector<Key> keys;
    for (const auto& [k, f] : m) keys.push_back(k);
    std::sort(keys.begin(), keys.end(),
              [&](const Key& a, const Key& b) { return key_less(spec, a, b); });
    return keys;
  };
  auto missing_keys = sorted_keys(missing), extra_keys = sorted_keys(extra);
  out.missing_count = static_cast<std::int64_t>(missing_keys.size());
  out.extra_count = static_cast<std::int64_t>(extra_keys.size());
  out.changed_count = static_cast<std::int64_t>(changed.size());
  if (spec.keyless) {
    // Duplicated rows: each copy counts.
    out.missing_count = 0;
    out.extra_count = 0;
    for (const auto& r : results) {
      out.missing_count += static_cast<std::int64_t>(r.missing.size());
      out.extra_count += static_cast<std::int64_t>(r.extra.size());
    }
  }
  const std::size_t n = options.sample_keys;
  for (std::size_t i = 0; i < missing_keys.size() && i < n; ++i)
    out.missing_in_target.push_back(missing_keys[i]);
  for (std::size_t i = 0; i < extra_keys.size() && i < n; ++i)
    out.extra_in_target.push_back(extra_keys[i]);
  std::vector<Key> changed_keys;
  for (const auto& [k, cols] : changed) changed_keys.push_back(k);
  std::sort(changed_keys.begin(), changed_keys.end(),
            [&](const Key& a, const Key& b) { return key_less(spec, a, b); });
  for (std::size_t i = 0; i < changed_keys.size() && i < n; ++i)
    out.changed.push_back({changed_keys[i], changed[changed_keys[i]]});
  out.equal = out.missing_count == 0 && out.extra_count == 0 && out.changed_count == 0 &&
              out.source_rows == out.target_rows;
}

}  // namespace replicate::verify
