// SPDX-License-Identifier: Apache-2.0
// SQL Server hashing its own rows for verify: each column's canonical text (what
// PostgreSQL prints for the target column) is spelled in T-SQL, the row encoded
// as row_hash.hpp says and hashed with HASHBYTES('MD5'); only a chunk's count, sum
// and key bounds leave the server, and (key, hash) pairs of a narrowed range.
// A column is hashed on the server only when its T-SQL form is exact for every
// value (integers, bit, decimals and money at the target's scale, date, datetime2
// up to 6 digits, datetime, smalldatetime, uniqueidentifier, text as UTF-8), and
// only after the server proves, on probe values, that it spells them as
// PostgreSQL does; otherwise the table streams (stream_side.cpp).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "catalog/dialect.hpp"
#include "util/error.hpp"
#include "verify/mssql_side.hpp"
#include "verify/row_hash.hpp"
#include "verify/side.hpp"

namespace replicate::verify {
namespace {

using catalog::TypeId;

constexpr std::size_t kKeysPerQuery = 500;

std::string lower_base(const std::string& native) {
  std::string b = native.substr(0, native.find('('));
  for (auto& ch : b) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  while (!b.empty() && b.back() == ' ') b.pop_back();
  if (b.rfind("sys.", 0) == 0) b.erase(0, 4);
  return b;
}

/// Fractional digits of a datetime2/time spelling ("datetime2(3)" -> 3; bare = 7).
int fraction_digits(const std::string& native) {
  auto open = native.find('(');
  if (open == std::string::npos) return 7;
  return std::atoi(native.c_str() + open + 1);
}

/// hh:mi:ss[.f] or yyyy-mm-dd hh:mi:ss[.f] of style 121 with the fraction's trailing
/// zeros (and a bare point) dropped, as PostgreSQL prints timestamps and times.
std::string trimmed_fraction(const std::string& styled, int whole) {
  const std::string frac = "SUBSTRING(" + styled + ", " + std::to_string(whole + 2) + ", 9)";
  const std::string t = "REPLACE(RTRIM(REPLACE(" + frac + ", '0', ' ')), ' ', '0')";
  return "LEFT(" + styled + ", " + std::to_string(whole) + ") + CASE WHEN " + t + " = '' THEN '' ELSE '.' + " + t +
         " END";
}

/// A probe: a T-SQL value of the column's native type and the canonical text it must give.
struct Probe {
  std::string value_sql;
  std::string expected;
};

struct ColumnForm {
  std::string sql;  // canonical text of `[col]`, a varchar
  Probe probe;
  bool text = false;  // needs the UTF-8 form
};

/// The canonical-text form of source column `c` for target type `t`, or nullopt.
std::optional<ColumnForm> column_form(const plan::ColumnPlan& c, const TargetType& t, const std::string& col) {
  if (c.source.empty()) return std::nullopt;  // expressions and constants: stream
  const std::string base = lower_base(c.source_type);
  const bool integer = base == "tinyint" || base == "smallint" || base == "int" || base == "bigint";
  switch (t.kind) {
    case TypeKind::int16:
    case TypeKind::int32:
    case TypeKind::int64:
      if (!integer) return std::nullopt;
      return ColumnForm{"CONVERT(varchar(20), " + col + ")", {"CAST(-12 AS " + base + ")", "-12"}};
    case TypeKind::boolean:
      if (base != "bit") return std::nullopt;
      return ColumnForm{"CASE WHEN " + col + " = 1 THEN 'true' WHEN " + col + " = 0 THEN 'false' END",
                        {"CAST(1 AS bit)", "true"}};
    case TypeKind::numeric: {
      // Exact at the target's scale when the source has that scale: SQL Server prints
      // every decimal of the scale, as PostgreSQL does for numeric(p,s).
      const bool exact_source = base == "decimal" || base == "numeric" || base == "money" || base == "smallmoney";
      if (!exact_source || t.scale < 0 || c.type.id != TypeId::decimal || c.type.scale != t.scale) return std::nullopt;
      const std::string cast = fmt::format("decimal({},{})", std::max(c.type.precision, 1), t.scale);
      std::string want = "-1" + std::string(t.scale > 0 ? "." : "") + std::string(static_cast<std::size_t>(t.scale), '0');
      if (t.scale > 0) want.back() = '5';
      const std::string probe_value = t.scale > 0 ? "-1." + std::string(static_cast<std::size_t>(t.scale - 1), '0') + "5" : "-1";
      return ColumnForm{"CONVERT(varchar(50), CAST(" + col + " AS " + cast + "))",
                        {"CAST(" + probe_value + " AS " + c.source_type + ")", want}};
    }
    case TypeKind::date:
      if (base != "date") return std::nullopt;
      return ColumnForm{"CONVERT(char(10), " + col + ", 23)", {"CAST('0987-02-03' AS date)", "0987-02-03"}};
    case TypeKind::timestamp: {
      const int digits = base == "datetime2" ? fraction_digits(c.source_type) : base == "datetime" ? 3 : 0;
      if (!(base == "datetime2" || base == "datetime" || base == "smalldatetime")) return std::nullopt;
      // Rounding a 7th digit is PostgreSQL's to do (half to even): stream those.
      if (digits > 6 || (t.precision >= 0 && t.precision < digits)) return std::nullopt;
      const std::string styled = "CONVERT(varchar(27), " + col + ", 121)";
      const std::string sql = digits == 0 ? "LEFT(" + styled + ", 19)" : trimmed_fraction(styled, 19);
      const std::string when = digits == 0 ? "2024-02-29T01:02:00" : "2024-02-29T01:02:03.5";
      return ColumnForm{sql, {"CAST('" + when + "' AS " + c.source_type + ")",
                              digits == 0 ? "2024-02-29 01:02:00" : "2024-02-29 01:02:03.5"}};
    }
    case TypeKind::uuid:
      if (base != "uniqueidentifier") return std::nullopt;
      return ColumnForm{"LOWER(CONVERT(char(36), " + col + "))",
                        {"CAST('6F9619FF-8B86-D011-B42D-00C04FC964FF' AS uniqueidentifier)",
                         "6f9619ff-8b86-d011-b42d-00c04fc964ff"}};
    case TypeKind::text: {
      const bool character = base == "varchar" || base == "nvarchar" || base == "text" || base == "ntext" ||
                             base == "sysname";
      // char(n)/nchar(n) into varchar keep their padding: the same text; into text too.
      if (!character && base != "char" && base != "nchar") return std::nullopt;
      // varchar(n) trims spaces past n on input: exact when the source holds no more than n.
      if (t.length >= 0 && !(c.type.length > 0 && c.type.length <= t.length)) return std::nullopt;
      const bool unicode = base[0] == 'n' || base == "sysname";
      // 'ã' in any Latin code page; a character beyond the BMP only where the type holds it.
      return ColumnForm{col, {unicode ? "CAST(N'São 😀' AS nvarchar(20))" : "CAST('São' AS varchar(20))",
                              unicode ? "São 😀" : "São"},
                        true};
    }
    default:
      return std::nullopt;
  }
}

/// Spellings of a text value whose bytes, to HASHBYTES and DATALENGTH, are its UTF-8:
/// a UTF-8 collation (SQL Server 2019 and later), or nvarchar where the server keeps
/// it in UTF-8 (Babelfish). The probes pick the first one the server gets right.
std::vector<std::string> utf8_forms(const std::string& v) {
  return {"CAST(CAST(" + v + " AS nvarchar(max)) COLLATE Latin1_General_100_BIN2_UTF8 AS varchar(max))",
          "CAST(" + v + " AS nvarchar(max))"};
}

/// The row hash as a signed bigint: the first 8 bytes of md5, big-endian as in PostgreSQL.
std::string row_hash_tsql(const std::vector<std::string>& values) {
  std::string enc;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) enc += " + '|' + ";
    enc += "ISNULL(CONVERT(varchar(20), DATALENGTH(" + values[i] + ")) + ':' + " + values[i] + ", 'N')";
  }
  if (values.empty()) enc = "''";
  return "CAST(SUBSTRING(HASHBYTES('MD5', " + enc + "), 1, 8) AS bigint)";
}

class MssqlSide : public Side {
 public:
  MssqlSide(const TableSpec& spec, source::Connection& conn, std::vector<std::string> values,
            std::unique_ptr<Side> rows_from)
      : spec_(spec), conn_(conn), values_(std::move(values)), rows_from_(std::move(rows_from)) {
    dialect_ = catalog::make_dialect("mssql");
    const auto& p = *spec_.plan;
    if (spec_.integer_key) int_key_ = p.key_sql[0];
    for (auto k : spec_.key_columns) keys_.push_back("ISNULL(c" + std::to_string(k) + ", '\\N')");
  }

  Checksum checksum(const Range& range) override {
    const std::string minmax = spec_.integer_key ? "CONVERT(varchar(20), MIN(k)), CONVERT(varchar(20), MAX(k))"
                                                 : "NULL, NULL";
    auto r = run("SELECT COUNT_BIG(*), CONVERT(varchar(40), ISNULL(SUM(CAST(h AS decimal(38,0))), 0)), " + minmax +
                 " FROM (" + inner(range) + ") s");
    return checksum_from_row(r.at(0));
  }

  std::vector<KeyHash> key_hashes(const Range& range) override {
    std::string cols;
    for (const auto& k : keys_) cols += k + ", ";
    auto rows = run("SELECT " + cols + "CONVERT(varchar(20), h) FROM (" + inner(range) + ") s");
    std::vector<KeyHash> out;
    out.reserve(rows.size());
    for (auto& r : rows) {
      KeyHash kh;
      for (std::size_t c = 0; c < keys_.size(); ++c) kh.key.push_back(r[c].value_or(""));
      kh.hash = static_cast<std::uint64_t>(std::stoll(r[keys_.size()].value_or("0")));
      out.push_back(std::move(kh));
    }
    return out;
  }

  std::vector<Values> rows(const Range& range, const std::vector<Key>& keys) override {
    auto out = rows_from_->rows(range, keys);
    rows_streamed = rows_from_->rows_streamed;
    return out;
  }

  void end_chunk() override { rows_from_->end_chunk(); }

 private:
  /// The range's rows: canonical values c0..cN, the row hash h and the integer key k.
  std::string inner(const Range& range) const {
    const auto& p = *spec_.plan;
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < values_.size(); ++i) sql += values_[i] + " AS c" + std::to_string(i) + ", ";
    sql += row_hash_tsql(values_) + " AS h, " + (spec_.integer_key ? int_key_ : std::string("NULL")) + " AS k FROM " +
           p.source_sql;
    std::vector<std::string> where;
    if (p.where) where.push_back(*p.where);
    if (range.chunk) {
      std::string c = plan::chunk_predicate(p, *range.chunk);
      if (!c.empty()) where.push_back(c);
    }
    if (range.lo) where.push_back(int_key_ + " >= " + std::to_string(*range.lo));
    if (range.hi) where.push_back(int_key_ + " <= " + std::to_string(*range.hi));
    for (std::size_t i = 0; i < where.size(); ++i) sql += (i ? " AND (" : " WHERE (") + where[i] + ")";
    return sql;
  }

  std::vector<source::Row> run(const std::string& sql) {
    auto rows = conn_.query(sql);
    rows_fetched += static_cast<std::int64_t>(rows.size());
    return rows;
  }

  const TableSpec& spec_;
  source::Connection& conn_;
  std::vector<std::string> values_;
  std::unique_ptr<Side> rows_from_;
  std::unique_ptr<catalog::Dialect> dialect_;
  std::string int_key_;
  std::vector<std::string> keys_;
};

}  // namespace

std::optional<std::vector<std::string>> mssql_canonical_values(const TableSpec& spec, source::Connection& source,
                                                                std::string& why_not) {
  const auto& p = *spec.plan;
  std::vector<std::string> values;
  std::optional<std::size_t> utf8_choice;
  RowHasher hasher;
  std::vector<std::string> probe_row;  // every column's probe, hashed together at the end
  std::vector<std::optional<std::string>> probe_expected;
  for (std::size_t i = 0; i < p.columns.size(); ++i) {
    const auto& c = p.columns[i];
    auto wide = widened_type(spec, i);
    const TargetType& t = wide ? *wide : spec.types[i];
    auto form = column_form(c, t, catalog::make_dialect("mssql")->quote(c.source));
    if (!form) {
      why_not = "column " + c.target + " (" + c.source_type + " into " + t.sql + ") has no exact T-SQL text form";
      return std::nullopt;
    }
    // The server must hash the probe value as PostgreSQL's text of it, byte for byte:
    // the probe runs the very row hash the chunks use, over a one-column row.
    auto check = [&](const std::string& expr_of_probe) {
      auto r = source.query("SELECT CONVERT(varchar(20), " + row_hash_tsql({expr_of_probe}) + ")");
      return !r.empty() && r[0][0] &&
             static_cast<std::uint64_t>(std::stoll(*r[0][0])) == hasher.hash({form->probe.expected});
    };
    auto replace_col = [&](const std::string& sql, const std::string& with) {
      std::string out = sql;
      const std::string quoted = catalog::make_dialect("mssql")->quote(c.source);
      for (std::size_t at = 0; (at = out.find(quoted, at)) != std::string::npos; at += with.size())
        out.replace(at, quoted.size(), with);
      return out;
    };
    try {
      if (form->text) {
        const auto forms = utf8_forms("(" + form->probe.value_sql + ")");
        if (!utf8_choice) {
          for (std::size_t f = 0; f < forms.size() && !utf8_choice; ++f) {
            try {
              if (check(forms[f])) utf8_choice = f;
            } catch (const util::DbError&) {
            }
          }
          if (!utf8_choice) {
            why_not = "the server hashes no form of text as UTF-8 (SQL Server needs 2019's UTF-8 collations)";
            return std::nullopt;
          }
        } else if (!check(forms[*utf8_choice])) {
          why_not = "column " + c.target + ": the server's UTF-8 text differs from PostgreSQL's";
          return std::nullopt;
        }
        values.push_back(utf8_forms(form->sql)[*utf8_choice]);
        probe_row.push_back(forms[*utf8_choice]);
      } else {
        if (!check(replace_col(form->sql, "(" + form->probe.value_sql + ")"))) {
          why_not = "column " + c.target + ": the server spells " + c.source_type + " otherwise than PostgreSQL";
          return std::nullopt;
        }
        values.push_back(form->sql);
        probe_row.push_back(replace_col(form->sql, "(" + form->probe.value_sql + ")"));
      }
      probe_expected.push_back(form->probe.expected);
    } catch (const util::DbError& e) {
      why_not = "column " + c.target + ": " + e.what();
      return std::nullopt;
    }
  }
  // The whole row as the chunks hash it: pieces of differing types and collations joined.
  try {
    auto r = source.query("SELECT CONVERT(varchar(20), " + row_hash_tsql(probe_row) + ")");
    if (r.empty() || !r[0][0] || static_cast<std::uint64_t>(std::stoll(*r[0][0])) != hasher.hash(probe_expected)) {
      why_not = "the server's hash of a whole probe row differs from PostgreSQL's";
      return std::nullopt;
    }
  } catch (const util::DbError& e) {
    why_not = std::string("the probe row failed: ") + e.what();
    return std::nullopt;
  }
  return values;
}

bool mssql_hashing_pays(const TableSpec& spec, source::Connection& source, const std::vector<std::string>& values,
                        std::string& why) {
  constexpr int kSample = 1000;
  const auto& p = *spec.plan;
  auto elapsed = [](auto since) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  };
  std::string where = p.where ? " WHERE (" + *p.where + ")" : "";
  auto t0 = std::chrono::steady_clock::now();
  std::string inner = "SELECT TOP (" + std::to_string(kSample) + ") " + row_hash_tsql(values) + " AS h FROM " +
                      p.source_sql + where;
  source.query("SELECT COUNT_BIG(*), CONVERT(varchar(40), SUM(CAST(h AS decimal(38,0)))) FROM (" + inner + ") s");
  const double hashed = elapsed(t0);
  std::string cols;
  auto dialect = catalog::make_dialect("mssql");
  for (const auto& c : p.columns)
    if (!c.source.empty()) cols += (cols.empty() ? "" : ", ") + dialect->quote(c.source);
  t0 = std::chrono::steady_clock::now();
  auto rows = source.query("SELECT TOP (" + std::to_string(kSample) + ") " + (cols.empty() ? "1" : cols) + " FROM " +
                           p.source_sql + where);
  const double streamed = elapsed(t0);
  why = fmt::format("the server hashed {} rows in {:.0f} ms, and sent them in {:.0f} ms", rows.size(), hashed * 1000,
                    streamed * 1000);
  return hashed <= streamed;
}

std::unique_ptr<Side> make_mssql_source_side(const TableSpec& spec, source::Connection& source,
                                             std::vector<std::string> values, std::unique_ptr<Side> rows_from) {
  return std::make_unique<MssqlSide>(spec, source, std::move(values), std::move(rows_from));
}

}  // namespace replicate::verify
