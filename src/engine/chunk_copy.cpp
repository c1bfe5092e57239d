// SPDX-License-Identifier: Apache-2.0
// One chunk, one target transaction.
#include "engine/chunk_copy.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <optional>
#include <regex>
#include <string_view>

#include "engine/read_ahead.hpp"
#include "engine/state.hpp"
#include "source/pg_cursor.hpp"
#include "target/copy_binary.hpp"
#include "target/copy_writer.hpp"
#include "target/merge_sql.hpp"
#include "target/pg_schema.hpp"
#include "util/copy_text.hpp"
#include "util/error.hpp"

namespace replicate::engine {

namespace {

constexpr const char* kStage = "replicate_stage";
constexpr std::size_t kSampleKeys = 10;
constexpr std::size_t kRejectsListed = 5;

/// A row the target refuses for its own sake (bad value, NOT NULL, CHECK), as opposed
/// to an error that any row would hit or that a retry may cure.
bool rejectable(const util::DbError& e) {
  const std::string& s = e.sqlstate();
  return e.kind() == util::ErrorKind::data || s == "23502" || s == "23514";
}

std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

/// The column named by a COPY error's context or a NOT NULL message, when there is one.
std::string error_column(const std::string& message) {
  std::smatch m;
  static const std::regex copy_column(R"re(COPY [^,]+, line \d+, column ([^:]+):)re");
  static const std::regex null_column(R"re(null value in column "([^"]+)")re");
  if (std::regex_search(message, m, null_column)) return m[1];
  if (std::regex_search(message, m, copy_column)) return m[1];
  return "";
}

std::string reason_of(const util::DbError& e) {
  std::string r = first_line(e.what());
  auto pos = r.find("ERROR:");
  if (pos != std::string::npos) r = r.substr(pos + 6);
  while (!r.empty() && r.front() == ' ') r.erase(0, 1);
  return r;
}

class ChunkCopier {
 public:
  ChunkCopier(const plan::TablePlan& t, const plan::ChunkPlan& c, std::int64_t run_id, const std::string& schema,
              source::Connection& target, ChunkResult& result)
      : t_(t), chunk_(c), run_id_(run_id), schema_(schema), target_(target), writer_(target.native_pg()),
        result_(result) {
    for (const auto& col : t.columns) {
      cols_.push_back(target::pg_quote(col.target));
      enc_.push_back(col.type.id == catalog::TypeId::bytes ? target::Encoding::hex_bytes : target::Encoding::plain);
    }
    for (const auto& k : t.key_target)
      for (std::size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i].target == k) key_index_.push_back(i);
    merge_.table = target::pg_quote_qualified(t.target_schema, t.target_table);
    for (const auto& col : t.columns) merge_.columns.push_back(col.target);
    merge_.key = t.key_target;
    if (t.options.stale) {
      merge_.stale_column = t.options.stale->column;
      merge_.stale_type = t.stale_type;
      merge_.live_value = t.options.stale->live;
    }
    if (t.merges()) {
      target_.execute(target::stage_table_sql(kStage, merge_));
      dest_ = target::pg_quote(kStage);
    } else {
      dest_ = target::pg_quote_qualified(t.target_schema, t.load_table());
    }
    binary_ = target::binary_encoder_for(t, target_, dest_);
  }

  void write(const source::Batch& b) { copy_range(b, 0, b.rows); }

  /// Merge the stage into the target (when the mode needs it) and count.
  void finish() {
    if (!t_.merges()) {
      result_.inserted = result_.rows;
      return;
    }
    if (t_.options.mode == config::Mode::mirror) {
      auto r = target_.query(target::mirror_unchanged_sql(kStage, merge_) + " RETURNING 1");
      result_.unchanged = static_cast<std::int64_t>(r.size());
      apply_counts(target_.query(target::mirror_upsert_sql(kStage, merge_, kSampleKeys)));
    } else {
      const bool incremental = t_.options.mode == config::Mode::incremental;
      bool update = incremental || t_.options.on_conflict == config::OnConflict::update;
      // Incremental counts as mirror does: a row the window brings back unchanged (its
      // watermark moved, nothing else) is neither rewritten nor called updated.
      apply_counts(target_.query(target::upsert_sql(kStage, merge_, update, kSampleKeys, incremental)));
      if (incremental) result_.unchanged = std::max<std::int64_t>(0, result_.rows - result_.inserted - result_.updated);
    }
  }

 private:
  void apply_counts(const std::vector<source::Row>& r) {
    if (r.empty()) return;
    result_.inserted = std::stoll(r[0][0].value_or("0"));
    result_.updated = std::stoll(r[0][1].value_or("0"));
    result_.inserted_keys = nlohmann::json::parse(r[0][2].value_or("[]"));
    result_.updated_keys = nlohmann::json::parse(r[0][3].value_or("[]"));
  }

  /// `binary`: in binary format when the table goes so (binary_); false for text.
  void copy_range(const source::Batch& b, std::size_t first, std::size_t count, bool binary = true) {
    if (count == 0) return;
    binary = binary && binary_;
    target_.execute("SAVEPOINT replicate_batch");
    try {
      if (binary)
        writer_.begin_binary(dest_, cols_, *binary_);
      else
        writer_.begin(dest_, cols_, enc_);
      writer_.write(b, first, count);
      writer_.end();
      target_.execute("RELEASE SAVEPOINT replicate_batch");
      result_.rows += static_cast<std::int64_t>(count);
      return;
    } catch (const target::BinaryEncodeError&) {
      // A value in a form only the server's text input reads for certain: the rest of
      // the chunk goes as text, judged by the server as it always was.
      writer_.abort("a value is sent as text");
      target_.execute("ROLLBACK TO SAVEPOINT replicate_batch");
      binary_.reset();
      copy_range(b, first, count);
      target_.execute("RELEASE SAVEPOINT replicate_batch");
    } catch (const util::DbError& e) {
      if (!rejectable(e)) throw;
      target_.execute("ROLLBACK TO SAVEPOINT replicate_batch");
      if (count == 1 && binary) {
        // The row once more as text: refused, it is recorded with the reason and column
        // text COPY gives, as in text mode.
        copy_range(b, first, 1, false);
      } else if (count == 1) {
        reject(b, first, e);
      } else {
        // Bisect: log2(batch) COPYs find each refused row; every other row still lands.
        const std::size_t half = count / 2;
        copy_range(b, first, half, binary);
        copy_range(b, first + half, count - half, binary);
      }
      target_.execute("RELEASE SAVEPOINT replicate_batch");
    }
  }

  void reject(const source::Batch& b, std::size_t row, const util::DbError& e) {
    // The row's values, NULL as nullopt, from either form of batch.
    std::vector<std::optional<std::string>> values;
    if (b.encoded) {
      std::string_view line(b.copy_text.data() + b.row_begin(row), b.row_end[row] - b.row_begin(row) - 1);
      for (std::size_t c = 0, at = 0; c < enc_.size(); ++c) {
        const std::size_t tab = std::min(line.find('\t', at), line.size());
        std::string_view field = line.substr(at, tab - at);
        at = tab + 1;
        if (field == "\\N") {
          values.emplace_back();
          continue;
        }
        std::string v = util::copy_unescaped(field);
        if (enc_[c] == target::Encoding::hex_bytes && v.rfind("\\x", 0) == 0) v.erase(0, 2);
        values.emplace_back(std::move(v));
      }
    } else {
      for (std::size_t c = 0; c < b.columns(); ++c)
        values.push_back(b.is_null[c][row] ? std::nullopt : std::optional<std::string>(b.values[c][row]));
    }
    nlohmann::json key = nlohmann::json::array();
    for (auto i : key_index_) key.push_back(key_value(values[i]));
    // The row as COPY text; bytes no text column can hold (NUL, invalid UTF-8) as \xNN.
    std::string text;
    for (std::size_t c = 0; c < values.size(); ++c) {
      if (c) text += '\t';
      if (!values[c])
        text += "\\N";
      else
        util::append_copy_escaped_bytes(text, *values[c]);
    }
    std::string column = error_column(e.what());
    if (column.empty()) column = first_column_not_text(values);
    const std::string reason = reason_of(e);
    // Bound parameters: the record holds whatever the row held, quoting nothing by hand.
    const std::string sql = fmt::format(
        "INSERT INTO {}.rejects (run_id, table_name, chunk_no, key, column_name, reason, row_text) "
        "VALUES ($1::bigint, $2, $3::integer, $4::jsonb, $5, $6, $7)",
        target::pg_quote(schema_));
    const std::string run = std::to_string(run_id_), chunk_no = std::to_string(chunk_.id), table = t_.target_display(),
                      key_text = key.dump();
    const char* params[7] = {run.c_str(),    table.c_str(),  chunk_no.c_str(), key_text.c_str(),
                             column.empty() ? nullptr : column.c_str(), reason.c_str(), text.c_str()};
    PGconn* conn = target_.native_pg();
    PGresult* res = PQexecParams(conn, sql.c_str(), 7, nullptr, params, nullptr, nullptr, 0);
    source::check_pg_result(conn, res, source::Side::target, "cannot record a rejected row");
    PQclear(res);
    result_.rejected++;
    if (result_.rejects.size() < kRejectsListed)
      // For the logs: the key to find the row by, the reason without the value it may quote.
      result_.rejects.push_back(fmt::format("key {}{}: {}", key.dump(-1, ' ', true),
                                            column.empty() ? "" : " (column " + column + ")",
                                            util::without_row_data(reason)));
  }

  /// A key value for the reject record: as it is when it is text, else (NUL, invalid
  /// UTF-8) an object holding its COPY-escaped bytes, which no text key is mistaken for.
  static nlohmann::json key_value(const std::optional<std::string>& v) {
    if (!v) return nullptr;
    if (util::is_pg_text(*v)) return *v;
    std::string escaped;
    util::append_copy_escaped_bytes(escaped, *v);
    return {{"escaped", escaped}};
  }

  /// The first column (target name) whose value no text column can hold, or "".
  std::string first_column_not_text(const std::vector<std::optional<std::string>>& values) const {
    for (std::size_t c = 0; c < values.size() && c < t_.columns.size(); ++c)
      if (values[c] && enc_[c] == target::Encoding::plain && !util::is_pg_text(*values[c])) return t_.columns[c].target;
    return "";
  }

  const plan::TablePlan& t_;
  const plan::ChunkPlan& chunk_;
  std::int64_t run_id_;
  std::string schema_;
  source::Connection& target_;
  target::CopyWriter writer_;
  ChunkResult& result_;
  std::vector<std::string> cols_;
  std::vector<target::Encoding> enc_;
  std::optional<target::BinaryRowEncoder> binary_;  // set: rows go in binary COPY
  std::vector<std::size_t> key_index_;
  target::MergeTarget merge_;
  std::string dest_;
};

}  // namespace

std::optional<Claim> claim_chunk(source::Connection& target, const std::string& state_schema, std::int64_t run_id,
                                 const std::string& claimer, Unclaimed& why) {
  if (!target.native_pg())
    throw util::DbError(util::ErrorKind::internal, "target", "the target must be a PostgreSQL connection");
  target.begin();
  try {
    auto r = target.query(State::claim_chunk_sql(state_schema, run_id, claimer));
    if (!r.empty()) {
      Claim c;
      c.chunk.id = std::stoi(*r[0][0]);
      if (r[0][1]) c.chunk.lo = nlohmann::json::parse(*r[0][1]).get<std::vector<std::string>>();
      if (r[0][2]) c.chunk.hi = nlohmann::json::parse(*r[0][2]).get<std::vector<std::string>>();
      c.attempts = std::stoi(r[0][3].value_or("0"));
      c.token = r[0][4].value_or("");
      return c;  // the transaction stays open: it holds the chunk
    }
    auto u = target.query(State::unclaimed_sql(state_schema, run_id));
    if (!u.empty()) {
      why.remaining = std::stoll(u[0][0].value_or("0"));
      why.failed = std::stoll(u[0][1].value_or("0"));
      why.failed_error = u[0][2].value_or("");
    }
    target.rollback();
    return std::nullopt;
  } catch (...) {
    try {
      target.rollback();
    } catch (...) {
    }
    throw;
  }
}

ChunkResult copy_claimed_chunk(const plan::TablePlan& table, const Claim& claim, std::int64_t run_id,
                               const std::string& state_schema, const std::string& claimer, source::Connection& source,
                               source::Connection& target, const std::function<void(std::size_t)>& on_batch) {
  ChunkResult result;
  const plan::ChunkPlan& chunk = claim.chunk;
  try {
    ChunkCopier copier(table, chunk, run_id, state_schema, target, result);
    const auto form = plan::read_form(table, source, true);
    {
      ReadAhead rows(plan::open_table_cursor(source, table, plan::chunk_select_sql(table, chunk, form),
                                             static_cast<std::size_t>(std::max(1, table.options.batch_size)), form,
                                             true));
      while (const source::Batch* batch = rows.next()) {
        copier.write(*batch);
        on_batch(batch->rows);
      }
    }
    copier.finish();
    auto done = target.query(State::done_chunk_sql(state_schema, run_id, chunk.id, result, getpid(), claimer, claim.token));
    if (done.empty())
      throw util::DbError(util::ErrorKind::internal, "target",
                          fmt::format("chunk {} of run {} is no longer this worker's claim (another process took it "
                                      "after this one's session was lost); its copy is rolled back",
                                      chunk.id, run_id));
    target.commit();
  } catch (...) {
    try {
      target.rollback();
    } catch (...) {
    }
    throw;
  }
  return result;
}

}  // namespace replicate::engine
