// SPDX-License-Identifier: Apache-2.0
// YAML -> Mapping in one walk that checks as it goes, so every error points at the node
// that caused it. Strict on purpose: an unknown or misspelt key is an error, never ignored.
// Messages quote values as written (placeholders kept), never as resolved; placeholders
// are read in the two connection strings only, so no other value can carry a secret.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>

#include "config/conninfo.hpp"
#include "config/files.hpp"
#include "config/mapping.hpp"
#include "metrics/listen_address.hpp"

namespace replicate::config {
namespace {

const std::vector<std::string> kTopKeys = {"version",  "source", "target", "state_schema", "defaults",
                                           "tables",   "types",  "metrics", "lease_seconds"};
const std::vector<std::string> kMetricsKeys = {"listen"};
const std::vector<std::string> kTypeRuleKeys = {"from", "to"};
const std::vector<std::string> kEndpointKeys = {"driver", "dialect", "connection"};
const std::vector<std::string> kOptionKeys = {
    "batch_size",  "workers",     "chunk_rows",       "mode",     "max_attempts",
    "max_rejects", "on_conflict", "create",           "case",     "swap",
    "verify",      "indexes",     "read_uncommitted", "snapshot", "watermark",
    "stale",       "obsolete",    "throttle"};
const std::vector<std::string> kThrottleKeys = {"rows_per_second"};
const std::vector<std::string> kStaleKeys = {"column", "value", "live"};

/// The modes an option acts in; empty for options every mode reads. A full run reads
/// `watermark` too: it records where its copy ends, for the incremental runs after it.
std::vector<Mode> modes_of(const std::string& option) {
  if (option == "on_conflict") return {Mode::append};
  if (option == "watermark") return {Mode::incremental, Mode::full};
  if (option == "stale" || option == "obsolete") return {Mode::mirror};
  if (option == "swap") return {Mode::full};
  return {};
}

/// "mode append", "modes incremental and full".
std::string modes_words(const std::vector<Mode>& modes) {
  std::string out = modes.size() == 1 ? "mode " : "modes ";
  for (std::size_t i = 0; i < modes.size(); ++i)
    out += std::string(i == 0 ? "" : i + 1 == modes.size() ? " and " : ", ") + to_string(modes[i]);
  return out;
}

const char* const kIsolationClash =
    " contradict each other: snapshot reads one consistent state of the source, read_uncommitted reads "
    "without locks, changes half made included; keep one of them";
const std::vector<std::string> kEntryKeys = {"source", "target",  "include", "key",
                                             "where",  "columns", "exclude"};
const std::vector<std::string> kColumnKeys = {"source", "target", "type",
                                              "expr",   "value",  "exclude"};

/// One `key: value` pair of a YAML map, with the dotted path that names it in messages.
struct Field {
  std::string name;
  std::string path;  // "defaults.batch_size", "tables[0].key"
  YAML::Node key;
  YAML::Node value;
};

/// A map's fields in document order.
struct Fields {
  Location anchor;  // where a missing key is reported: the map's own key when it has one
  std::string path;
  std::vector<Field> items;
  const Field* find(const std::string& name) const {
    for (const auto& f : items)
      if (f.name == name) return &f;
    return nullptr;
  }
};

/// A string from a list (or a lone string standing for a list of one).
struct Item {
  std::string value;  // resolved
  std::string raw;    // as written, for messages
  YAML::Node node;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string in(const std::string& path) {
  return path.empty() ? "at the top level" : "in '" + path + "'";
}

bool is_plain(const YAML::Node& n) { return n.IsScalar() && n.Tag() != "!"; }

/// Mapping files larger than this are refused unread: no mapping comes near it.
constexpr std::size_t kMaxMappingBytes = 16 * 1024 * 1024;

/// Every number a mapping holds has a ceiling, so no arithmetic on it can overflow.
constexpr std::int64_t kMaxChunkRows = 1000000000;       // 10^9 rows per chunk
constexpr std::int64_t kMaxRejects = 1000000000000;      // 10^12 rejected rows

bool is_integer(const std::string& s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return i < s.size() &&
         std::all_of(s.begin() + i, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_boolean(const std::string& s) {
  return s == "true" || s == "false" || s == "True" || s == "False" || s == "TRUE" || s == "FALSE";
}

/// How a node reads to a user, for "must be X, got Y".
std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  if (!is_plain(n)) return "a quoted string";
  if (is_integer(n.Scalar())) return "an integer";
  if (is_boolean(n.Scalar())) return "a boolean";
  return "a string";
}

class Loader {
 public:
  Loader(std::string file, std::string base_dir, EnvReading env)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {
    env_.reading = env;
  }

  Mapping load(const YAML::Node& root);

 private:
  Location at(const YAML::Node& n) const {
    if (!n.IsDefined() || n.Mark().is_null()) return {file_, 1, 1};
    return {file_, n.Mark().line + 1, n.Mark().column + 1};
  }
  // yaml-cpp marks an empty value at the next token, often on the next line: use the key.
  Location at(const Field& f) const { return f.value.IsNull() ? at(f.key) : at(f.value); }
  [[noreturn]] void fail(const Location& where, const std::string& message) const {
    throw ConfigError(where, message);
  }
  [[noreturn]] void wrong_type(const Field& f, const YAML::Node& got, const std::string& expected,
                               const std::string& hint) const {
    const Location where = got.IsNull() ? at(f.key) : at(got);
    fail(where, "'" + f.path + "' must be " + expected + ", got " + describe(got) + "; " + hint);
  }

  Fields fields(const YAML::Node& map, const std::string& path,
                const std::vector<std::string>& allowed) const;
  Fields map_field(const Field& f, const std::vector<std::string>& allowed) const {
    if (!f.value.IsMap())
      wrong_type(f, f.value, "a map", "indent its 'key: value' lines under '" + f.name + ":'");
    Fields fs = fields(f.value, f.path, allowed);
    fs.anchor = at(f.key);
    return fs;
  }
  const Field& require(const Fields& fs, const std::string& name,
                       const std::string& example) const {
    if (const Field* f = fs.find(name)) return *f;
    fail(fs.anchor, "missing required key '" + name + "' " + in(fs.path) + "; add " + example);
  }

  std::string text(const Field& f, const YAML::Node& n) const;
  void check_characters(const YAML::Node& n, const std::string& what) const;
  std::string text(const Field& f) const { return text(f, f.value); }
  std::string nonempty_text(const Field& f) const {
    std::string s = text(f);
    if (s.empty()) fail(at(f), "'" + f.path + "' is empty; write a value");
    return s;
  }
  std::int64_t integer(const Field& f, std::int64_t lo, std::int64_t hi) const;
  bool boolean(const Field& f) const {
    if (!is_plain(f.value) || !is_boolean(f.value.Scalar()))
      wrong_type(f, f.value, "true or false", "write true or false without quotes");
    return lower(f.value.Scalar()) == "true";
  }
  std::vector<Item> items(const Field& f) const;
  template <typename E>
  E choice(const Field& f, std::initializer_list<E> allowed) const;

  Endpoint endpoint(const Field& f, bool target) const;
  bool apply_option(TableOptions& o, const Field& f) const;
  TableMapping entry(const YAML::Node& node, const std::string& path) const;
  void target(TableMapping& t, const Fields& fs) const;
  void columns(TableMapping& t, const Field& f) const;

  std::string file_;
  std::string base_dir_;
  TableOptions defaults_;
  std::optional<Field> defaults_mode_;  // where `defaults.mode` was written, if it was
  std::vector<Field> defaults_fields_;  // every option `defaults` sets, where it was written
  mutable EnvPlaceholders env_;         // the ${env:} variables met, and how they are read
};

Fields Loader::fields(const YAML::Node& map, const std::string& path,
                      const std::vector<std::string>& allowed) const {
  Fields fs{at(map), path, {}};
  for (auto it = map.begin(); it != map.end(); ++it) {
    // Copies: the iterator's pair is a temporary, and a reference into it dangles.
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar())
      fail(at(key), "a key " + in(path) + " is " + describe(key) + "; keys are plain names");
    check_characters(key, "a key " + in(path));
    const std::string name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      const std::string close = suggest(name, allowed);
      fail(at(key), "unknown key '" + name + "' " + in(path) + "; " +
                        (close.empty() ? "allowed keys: " + join(allowed)
                                       : "did you mean '" + close + "'?"));
    }
    if (const Field* first = fs.find(name))
      fail(at(key), "duplicate key '" + name + "' " + in(path) + " (first at line " +
                        std::to_string(at(first->key).line) + "); keep only one");
    fs.items.push_back({name, path.empty() ? name : path + "." + name, key, value});
  }
  return fs;
}

// The file's bytes were checked before parsing; escapes ("\0", "\uD800") can still make a
// NUL or a lone surrogate, which no database name or SQL text may hold.
void Loader::check_characters(const YAML::Node& n, const std::string& what) const {
  const std::string& s = n.Scalar();
  if (s.find('\0') != std::string::npos)
    fail(at(n), what + " holds a NUL character (an escape such as \\0); remove it");
  if (invalid_utf8_at(s) != std::string::npos)
    fail(at(n), what + " is not valid UTF-8 (an escape such as \\uD800 names no character); "
                       "write the character itself");
}

std::string Loader::text(const Field& f, const YAML::Node& n) const {
  if (!n.IsScalar())
    wrong_type(f, n, "a string", "write a single value, quoted if it contains ': ' or '#'");
  check_characters(n, "'" + f.path + "'");
  return literal_value(n.Scalar(), f.path, at(n));
}

std::int64_t Loader::integer(const Field& f, std::int64_t lo, std::int64_t hi) const {
  const std::string& s = f.value.IsScalar() ? f.value.Scalar() : std::string();
  if (!is_plain(f.value) || !is_integer(s))
    wrong_type(f, f.value, "an integer", "write a whole number without quotes");
  std::int64_t v = 0;
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
  if (ec != std::errc() || v < lo || v > hi) {
    const std::string range =
        hi == std::numeric_limits<std::int64_t>::max()
            ? "an integer >= " + std::to_string(lo)
            : "a value from " + std::to_string(lo) + " to " + std::to_string(hi);
    fail(at(f.value), "'" + f.path + "' is " + s + ", out of range; use " + range);
  }
  return v;
}

std::vector<Item> Loader::items(const Field& f) const {
  const std::string hint = "write one name, or a list such as [a, b]";
  std::vector<Item> out;
  auto add = [&](const YAML::Node& n) {
    if (!n.IsScalar()) wrong_type(f, n, "a string or a list of strings", hint);
    Item item{text(f, n), n.Scalar(), n};
    if (item.value.empty()) fail(at(n), "'" + f.path + "' holds an empty name; " + hint);
    for (const auto& seen : out)
      if (seen.value == item.value)
        fail(at(n), "'" + item.raw + "' is listed twice in '" + f.path + "'; list it once");
    out.push_back(item);
  };
  if (f.value.IsSequence()) {
    for (const auto& n : f.value) add(n);
    if (out.empty()) fail(at(f), "'" + f.path + "' is an empty list; " + hint + ", or remove it");
  } else {
    add(f.value);
  }
  return out;
}

template <typename E>
E Loader::choice(const Field& f, std::initializer_list<E> allowed) const {
  // Compared as written: a placeholder is simply not one of the allowed words.
  if (!f.value.IsScalar())
    wrong_type(f, f.value, "a string", "write a single value, quoted if it contains ': ' or '#'");
  check_characters(f.value, "'" + f.path + "'");
  const std::string s = f.value.Scalar();
  std::vector<std::string> names;
  for (E e : allowed) {
    if (s == to_string(e)) return e;
    names.push_back(to_string(e));
  }
  fail(at(f), "invalid value '" + f.value.Scalar() + "' for '" + f.path +
                  "'; allowed values: " + join(names));
}

Endpoint Loader::endpoint(const Field& f, bool target) const {
  const Fields fs = map_field(f, kEndpointKeys);
  Endpoint e;
  e.location = at(f);
  const Field& driver = require(fs, "driver", target ? "driver: postgresql" : "driver: odbc (or postgresql, sqlite)");
  e.driver = choice(driver, {Driver::odbc, Driver::postgresql, Driver::sqlite});
  // Rows arrive with COPY and merges in PostgreSQL's SQL, and the run state lives in the target.
  if (target && e.driver != Driver::postgresql)
    fail(at(driver.value), "invalid value '" + driver.value.Scalar() + "' for '" + driver.path +
                               "': replicate writes only to PostgreSQL (COPY, upserts and its run state live "
                               "there); set driver: postgresql and a libpq connection string or postgresql:// URI");
  if (const Field* d = fs.find("dialect")) {
    if (e.driver != Driver::odbc)
      fail(at(d->key), "'dialect' applies only to driver odbc, but '" + f.path + "' uses driver " +
                           to_string(e.driver) + "; remove 'dialect'");
    e.dialect =
        choice(*d, {Dialect::mssql, Dialect::postgresql, Dialect::sqlite, Dialect::generic});
  }
  const Field& connection = require(fs, "connection", "connection: \"...\" (quoted)");
  if (!connection.value.IsScalar())
    wrong_type(connection, connection.value, "a string", "write a single value, quoted if it contains ': ' or '#'");
  check_characters(connection.value, "'" + connection.path + "'");
  const std::string& raw = connection.value.Scalar();
  const bool uri = raw.starts_with("postgresql://") || raw.starts_with("postgres://");
  const ConnectionStyle style = e.driver == Driver::odbc         ? ConnectionStyle::odbc
                                : e.driver == Driver::sqlite     ? ConnectionStyle::plain
                                : uri                            ? ConnectionStyle::uri
                                                                 : ConnectionStyle::libpq;
  e.connection = interpolate_connection(raw, style, connection.path, base_dir_, at(connection.value),
                                        e.secrets, env_);
  // A string that is one unread variable has no syntax to check here.
  const bool checkable = !env_.whole_stand_in;
  if (checkable && e.connection.empty()) fail(at(connection), "'" + connection.path + "' is empty; write a value");
  // Read as libpq will read it when connecting, so a bad string stops here, exit 2, and
  // libpq's message (which quotes the text around the fault) is never shown.
  if (checkable && e.driver == Driver::postgresql)
    if (const auto problem = libpq_parse_problem(e.connection))
      fail(at(connection.value), "'" + connection.path + "' is not a valid libpq connection string: " +
                                     *problem);
  // Shown as it will connect (host, port, user, database), secrets masked; values not
  // read (validate) are shown as placeholders, never as their stand-ins.
  if (env_.reading == EnvReading::read && env_.unset.empty()) {
    e.connection_display = redact_connection(e.connection);
    e.secrets = secret_values(e.connection, e.secrets);
  } else {
    e.connection_display = redact_connection(raw);
  }
  if (e.driver == Driver::postgresql) e.dialect = Dialect::postgresql;
  if (e.driver == Driver::sqlite) e.dialect = Dialect::sqlite;
  // Left automatic when the Driver= name says nothing (a DSN): the source asks the driver.
  if (e.dialect == Dialect::automatic) e.dialect = guess_dialect(e.connection);
  return e;
}

bool Loader::apply_option(TableOptions& o, const Field& f) const {
  const std::string& k = f.name;
  if (k == "batch_size") {
    o.batch_size = static_cast<int>(integer(f, 1, 1000000));
  } else if (k == "workers") {
    o.workers = static_cast<int>(integer(f, 1, 64));
  } else if (k == "chunk_rows") {
    o.chunk_rows = integer(f, 1, kMaxChunkRows);
  } else if (k == "mode") {
    o.mode = choice(f, {Mode::full, Mode::append, Mode::incremental, Mode::mirror});
  } else if (k == "max_attempts") {
    o.max_attempts = static_cast<int>(integer(f, 1, 100));
  } else if (k == "max_rejects") {
    if (f.value.IsScalar() && f.value.Scalar() == "unlimited") {
      o.max_rejects.reset();
    } else if (is_plain(f.value) && is_integer(f.value.Scalar())) {
      o.max_rejects = integer(f, 0, kMaxRejects);
    } else {
      wrong_type(f, f.value, "an integer >= 0 or 'unlimited'",
                 "write a count such as 100, or unlimited");
    }
  } else if (k == "on_conflict") {
    o.on_conflict = choice(f, {OnConflict::skip, OnConflict::update, OnConflict::error});
  } else if (k == "create") {
    o.create = choice(f, {CreateTable::if_missing, CreateTable::always, CreateTable::never});
  } else if (k == "case") {
    o.identifier_case = choice(f, {IdentifierCase::lower, IdentifierCase::preserve});
  } else if (k == "swap") {
    o.swap = boolean(f);
  } else if (k == "verify") {
    o.verify = boolean(f);
  } else if (k == "indexes") {
    o.indexes = boolean(f);
  } else if (k == "read_uncommitted") {
    o.read_uncommitted = boolean(f);
  } else if (k == "snapshot") {
    o.snapshot = boolean(f);
  } else if (k == "watermark") {
    o.watermark = nonempty_text(f);
  } else if (k == "stale") {
    const Fields fs = map_field(f, kStaleKeys);
    StaleMark m;
    m.column = nonempty_text(require(fs, "column", "column: status (the target column that marks rows)"));
    if (const Field* v = fs.find("value")) m.value = text(*v);
    if (const Field* v = fs.find("live")) m.live = text(*v);
    if (m.value == m.live)
      fail(at(f.key), "'" + f.path + "' uses the same value for stale and live rows; give 'value' and 'live' "
                      "different values, e.g. value: 0 and live: 1");
    o.stale = m;
  } else if (k == "obsolete") {
    o.obsolete = choice(f, {Obsolete::remove, Obsolete::keep});
  } else if (k == "throttle") {
    const Fields fs = map_field(f, kThrottleKeys);
    o.rows_per_second =
        static_cast<double>(integer(require(fs, "rows_per_second", "rows_per_second: 20000 (rows a second, all hosts "
                                                                   "together)"),
                                    1, 1000000000));
  } else {
    return false;
  }
  return true;
}

TableMapping Loader::entry(const YAML::Node& node, const std::string& path) const {
  if (!node.IsMap())
    fail(at(node), "'" + path + "' must be a map, got " + describe(node) +
                       "; write an entry such as - source: dbo.my_table");
  std::vector<std::string> allowed = kEntryKeys;
  allowed.insert(allowed.end(), kOptionKeys.begin(), kOptionKeys.end());
  const Fields fs = fields(node, path, allowed);
  TableMapping t;
  t.location = at(node);
  t.options = defaults_;
  t.path = path;
  const Field* mode = defaults_mode_ ? &*defaults_mode_ : nullptr;
  for (const Field& f : fs.items)
    if (apply_option(t.options, f)) {
      if (f.name == "mode") mode = &f;
      t.written.push_back({f.name, f.path, at(f.key)});
    }
  check_mode(t, t.written, {mode ? at(*mode) : t.location, "", "set mode: "});
  if (t.options.snapshot && t.options.read_uncommitted) {
    const Field* f = fs.find("snapshot") ? fs.find("snapshot") : fs.find("read_uncommitted");
    if (f)
      fail(at(f->key), "'" + f->path + "' and '" + (f->name == "snapshot" ? "read_uncommitted" : "snapshot") + "'" +
                           kIsolationClash);
  }

  const Field* source = fs.find("source");
  const Field* include = fs.find("include");
  if (source && include)
    fail(at(include->key), "'" + path +
                               "' has both 'source' and 'include'; use source for one "
                               "table, or include for a pattern of tables");
  if (!source && !include)
    fail(at(node),
         "missing required key 'source' in '" + path +
             "'; add source: schema.table (or include: [\"schema.prefix_*\"] for a pattern)");
  if (source) t.source = nonempty_text(*source);
  if (include)
    for (const Item& item : items(*include)) t.include.push_back(item.value);
  target(t, fs);
  if (const Field* f = fs.find("where")) t.where = nonempty_text(*f);
  std::vector<Item> keys;
  if (const Field* f = fs.find("key")) keys = items(*f);
  for (const Item& k : keys) t.key.push_back(k.value);
  if (const Field* f = fs.find("columns")) columns(t, *f);
  if (const Field* f = fs.find("exclude")) {
    if (!t.columns_auto)
      fail(at(f->key), "'exclude' in '" + path +
                           "' applies only with columns: auto; leave the "
                           "columns out of the 'columns' list instead");
    for (const Item& item : items(*f)) t.exclude.push_back(item.value);
  }

  // Without a mapped key column the plan could neither chunk nor upsert this table.
  for (const Item& k : keys) {
    const std::string name = lower(k.value);
    auto named = [&](const std::string& s) { return lower(s) == name; };
    if (!t.columns_auto && std::none_of(t.columns.begin(), t.columns.end(), [&](const auto& c) {
          return named(c.source) || named(c.target);
        }))
      fail(at(k.node), "key column '" + k.raw + "' is not among the mapped columns of '" + path +
                           "'; add it to 'columns', or change 'key'");
    if (t.columns_auto && !is_pattern(t) && std::any_of(t.exclude.begin(), t.exclude.end(), named))
      fail(at(k.node), "key column '" + k.raw + "' is excluded in '" + path +
                           "'; remove it from 'exclude', or change 'key'");
  }
  return t;
}

void Loader::target(TableMapping& t, const Fields& fs) const {
  const Field* f = fs.find("target");
  const std::string written = f ? nonempty_text(*f) : std::string();
  const std::string raw = f ? f->value.Scalar() : std::string();
  // Placeholders are checked as written: "${env:X}" is interpolation, not a placeholder.
  for (std::size_t p = raw.find('{'); p != std::string::npos; p = raw.find('{', p + 1)) {
    if (p > 0 && raw[p - 1] == '$') continue;
    const std::string name = raw.substr(p, raw.find('}', p) - p + 1);
    if (name != "{table}" && name != "{schema}")
      fail(at(f->value),
           "unknown placeholder '" + name + "' in '" + f->path + "'; use {table} or {schema}");
  }
  if (is_pattern(t)) {
    if (f && raw.find("{table}") == std::string::npos)
      fail(at(f->value),
           "'" + f->path +
               "' must contain {table}, or every table the pattern "
               "matches would be copied into one; write e.g. target: \"public.{table}\"");
    t.target = f ? written : "public.{table}";
    return;
  }
  if (raw.find("{schema}") != std::string::npos && split_table_name(t.source).first.empty())
    fail(at(f->value), "'" + f->path +
                           "' uses {schema}, but the source names no schema; write "
                           "the target schema instead");
  t.target = resolve_target(written, t.source, t.options.identifier_case);
}

void Loader::columns(TableMapping& t, const Field& f) const {
  const std::string hint = "write columns: auto, or one '- source: COLUMN' line per column";
  if (f.value.IsScalar()) {
    if (f.value.Scalar() == "auto") return;
    fail(at(f.value), "invalid value '" + f.value.Scalar() + "' for '" + f.path + "'; " + hint);
  }
  if (!f.value.IsSequence()) wrong_type(f, f.value, "auto or a list of column entries", hint);
  if (is_pattern(t))
    fail(at(f.key), "'" + f.path +
                        "' lists columns, but a pattern entry ('include') matches many "
                        "tables; use columns: auto, or give each table its own entry");
  if (f.value.size() == 0) fail(at(f), "'" + f.path + "' is an empty list; " + hint);
  t.columns_auto = false;
  const bool fold = t.options.identifier_case == IdentifierCase::lower;
  std::map<std::string, int> seen;  // target name -> line, to catch a column mapped twice
  for (std::size_t i = 0; i < f.value.size(); ++i) {
    const YAML::Node n = f.value[i];
    const Field self{"", f.path + "[" + std::to_string(i) + "]", n, n};
    ColumnMapping c;
    c.location = at(n);
    YAML::Node name_node = n;  // where the target name was written
    if (n.IsMap()) {
      const Fields cf = fields(n, self.path, kColumnKeys);
      const Field* exclude = cf.find("exclude");
      if (exclude && boolean(*exclude)) {
        // An excluded entry documents a column left behind on purpose; it copies nothing.
        for (const Field& other : cf.items)
          if (other.name != "source" && other.name != "exclude")
            fail(at(other.key), "'" + self.path + "' has exclude: true, so '" + other.name +
                                    "' has no effect; remove '" + other.name + "' or the exclude");
        t.exclude.push_back(
            nonempty_text(require(cf, "source", "source: COLUMN (the column to leave out)")));
        continue;
      }
      const Field* kind = nullptr;
      for (const Field& k : cf.items) {
        if (k.name != "source" && k.name != "expr" && k.name != "value") continue;
        if (kind)
          fail(at(k.key), "'" + self.path + "' has both '" + kind->name + "' and '" + k.name +
                              "'; use source to copy a column, expr to compute one, or value for "
                              "a constant");
        kind = &k;
      }
      if (!kind)
        fail(at(n), "'" + self.path +
                        "' names no column; add source: COLUMN (or expr: SQL or "
                        "value: CONSTANT, with target: NAME)");
      const Field* target = cf.find("target");
      if (!target && kind->name != "source")
        fail(at(kind->key), "'" + self.path + "' has '" + kind->name +
                                "' but no 'target'; add "
                                "target: NAME for the column it fills");
      if (kind->name == "source") c.source = nonempty_text(*kind);
      if (kind->name == "expr") c.expr = nonempty_text(*kind);
      if (kind->name == "value") c.value = text(*kind);
      if (target) c.target = nonempty_text(*target);
      if (const Field* type = cf.find("type")) c.type = nonempty_text(*type);
      name_node = target ? target->value : kind->value;
    } else if (n.IsScalar()) {
      c.source = nonempty_text(self);
    } else {
      wrong_type(self, n, "a column name or a map such as {source: CPF, target: cpf}", hint);
    }
    if (c.target.empty()) c.target = fold ? lower(c.source) : c.source;
    const auto [first, fresh] = seen.emplace(fold ? lower(c.target) : c.target, at(name_node).line);
    if (!fresh)
      fail(at(name_node), "column '" + name_node.Scalar() + "' is mapped twice in '" + f.path +
                              "' (first at line " + std::to_string(first->second) +
                              "); give each column its own target name");
    t.columns.push_back(std::move(c));
  }
}

Mapping Loader::load(const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull())
    fail({file_, 1, 1},
         "the mapping file is empty; start it with version: 1, then source:, "
         "target: and tables:");
  if (!root.IsMap())
    fail(at(root),
         "the mapping file must be a map of keys (version, source, target, tables), got " +
             describe(root) + "; write 'key: value' lines at the left margin");
  const Fields top = fields(root, "", kTopKeys);
  Mapping m;
  m.file = file_;

  const Field& version = require(top, "version", "version: 1 as the first line");
  m.version = static_cast<int>(
      integer(version, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
  if (m.version != 1)
    fail(at(version.value), "unsupported version " + version.value.Scalar() +
                                "; write version: 1 (the only version this replicate reads)");
  m.source = endpoint(require(top, "source", "source: with driver: and connection: under it"), false);
  m.target = endpoint(require(top, "target", "target: with driver: postgresql and connection: under it"), true);
  // Every unset variable at once, not one per attempt.
  if (!env_.unset.empty() && env_.reading == EnvReading::read) {
    const auto& first = env_.unset.front();
    if (env_.unset.size() == 1)
      fail(first.location, "environment variable '" + first.name + "' is not set; export " + first.name +
                               " before running replicate, or change the mapping");
    std::string names;
    for (const auto& u : env_.unset)
      names += (names.empty() ? "'" : ", '") + u.name + "' (line " + std::to_string(u.location.line) + ")";
    fail(first.location, "environment variables " + names +
                             " are not set; export each before running replicate, or change the mapping");
  }
  m.unset_env = env_.unset;
  if (const Field* f = top.find("state_schema")) {
    // It is spliced into SQL (quoted) on every state query: only a plain name is taken.
    m.state_schema = nonempty_text(*f);
    if (!is_plain_identifier(m.state_schema))
      fail(at(f->value), "'state_schema' must be a plain name: a letter or _, then letters, digits "
                         "or _, at most 63 characters; write e.g. state_schema: replicate");
  }
  if (const Field* f = top.find("lease_seconds")) m.lease_seconds = static_cast<int>(integer(*f, 3, 3600));
  if (const Field* f = top.find("defaults")) {
    for (const Field& option : map_field(*f, kOptionKeys).items) {
      apply_option(defaults_, option);
      m.defaults_written.push_back({option.name, option.path, at(option.key)});
      if (option.name == "mode") defaults_mode_ = option;
      defaults_fields_.push_back(option);
    }
    if (defaults_.snapshot && defaults_.read_uncommitted)
      for (const Field& option : defaults_fields_)
        if (option.name == "snapshot")
          fail(at(option.key), "'" + option.path + "' and 'defaults.read_uncommitted'" + kIsolationClash);
  }
  m.defaults = defaults_;
  if (const Field* f = top.find("metrics")) {
    const Fields metrics_keys = map_field(*f, kMetricsKeys);
    if (const Field* listen = metrics_keys.find("listen")) {
      std::string why;
      const std::string address = nonempty_text(*listen);
      if (!metrics::parse_listen_address(address, why))
        fail(at(*listen), "'" + listen->path + "': " + why);
      m.metrics.listen = address;
      m.metrics.location = at(*listen);
    }
  }
  if (const Field* f = top.find("types")) {
    if (!f->value.IsSequence())
      wrong_type(*f, f->value, "a list", "write one '- {from: datetime2, to: timestamptz}' line per rule");
    for (std::size_t i = 0; i < f->value.size(); ++i) {
      Field item{"types", "types[" + std::to_string(i) + "]", f->key, f->value[i]};
      const Fields rule = map_field(item, kTypeRuleKeys);
      TypeRule r;
      r.from = nonempty_text(require(rule, "from", "from: datetime2 (a source type name)"));
      r.to = nonempty_text(require(rule, "to", "to: timestamptz (a PostgreSQL type)"));
      r.location = at(f->value[i]);
      m.types.push_back(std::move(r));
    }
  }

  const Field& tables =
      require(top, "tables", "tables: with entries such as - source: dbo.my_table");
  if (!tables.value.IsSequence())
    wrong_type(tables, tables.value, "a list", "write one '- source: schema.table' line per table");
  if (tables.value.size() == 0)
    fail(at(tables), "'tables' is empty; list at least one table, e.g. - source: dbo.my_table");

  // Duplicates compare as the databases would: sources case-insensitively, targets after
  // the case rule; messages show the names as written.
  std::map<std::string, int> sources, targets;
  for (std::size_t i = 0; i < tables.value.size(); ++i) {
    const std::string path = "tables[" + std::to_string(i) + "]";
    const YAML::Node node = tables.value[i];
    TableMapping t = entry(node, path);
    if (!is_pattern(t)) {
      const Location source_at = at(node["source"]);
      const auto [s, new_source] = sources.emplace(lower(t.source), source_at.line);
      if (!new_source)
        fail(source_at, "table '" + node["source"].Scalar() +
                            "' is listed twice in 'tables' (first at line " +
                            std::to_string(s->second) + "); keep one entry");
      const bool lowered = t.options.identifier_case == IdentifierCase::lower;
      const YAML::Node written = node["target"];
      const auto [d, new_target] = targets.emplace(lowered ? lower(t.target) : t.target,
                                                   written ? at(written).line : source_at.line);
      if (!new_target)
        fail(
            written ? at(written) : source_at,
            "target table '" +
                (written ? written.Scalar()
                         : resolve_target("", node["source"].Scalar(), t.options.identifier_case)) +
                "' of '" + path + "' is also the target of the entry at line " +
                std::to_string(d->second) + "; give each entry its own target");
    }
    m.tables.push_back(std::move(t));
  }
  // A default that only one mode reads, in a mapping where no table has that mode.
  for (const Field& f : defaults_fields_) {
    const auto modes = modes_of(f.name);
    if (!modes.empty() && std::none_of(m.tables.begin(), m.tables.end(), [&](const TableMapping& t) {
          return std::find(modes.begin(), modes.end(), t.options.mode) != modes.end();
        }))
      fail(at(f.key), "'" + f.path + "' does nothing: it applies to " + modes_words(modes) +
                          " only, and no table uses " + (modes.size() == 1 ? "it" : "them") +
                          "; remove it, or set mode: " + to_string(modes.front()) + " where it should apply");
  }
  return m;
}

/// FILE:LINE:COLUMN of byte `offset` of the mapping text.
Location location_of(const std::string& file, const std::string& text, std::size_t offset) {
  const std::size_t newline = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
  const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n') + 1;
  const std::size_t column = newline == std::string::npos ? offset + 1 : offset - newline;
  return {file, static_cast<int>(line), static_cast<int>(column)};
}

}  // namespace

void check_mode(const TableMapping& t, const std::vector<WrittenOption>& options, const ModeChoice& choice) {
  const Mode mode = t.options.mode;
  if (mode == Mode::mirror && !t.options.stale)
    throw ConfigError(choice.where, "mode mirror" + choice.how + " in '" + t.path +
                                        "' needs a stale marker; add stale: {column: status, value: 0, live: 1} "
                                        "(a target column) to the entry or to 'defaults'");
  if (mode == Mode::incremental && !t.options.watermark)
    throw ConfigError(choice.where,
                      "mode incremental" + choice.how + " in '" + t.path +
                          "' needs a watermark column; add watermark: "
                          "COLUMN (a modified-date or rowversion column) to the entry or to 'defaults'");
  // An option written for a table whose mode never reads it is a mistake, not a no-op.
  for (const WrittenOption& o : options)
    if (const auto modes = modes_of(o.name);
        !modes.empty() && std::find(modes.begin(), modes.end(), mode) == modes.end())
      throw ConfigError(o.location, "'" + o.path + "' does nothing in mode " + to_string(mode) + choice.how +
                                        ": it applies to " + modes_words(modes) + " only; remove it, or " +
                                        choice.change_hint + to_string(modes.front()));
}

void override_mode(Mapping& m, Mode mode) {
  const std::string how = std::string(" (--mode ") + to_string(mode) + ")";
  for (TableMapping& t : m.tables) {
    t.options.mode = mode;
    // The entry's own options first: they are the ones closest to the table.
    std::vector<WrittenOption> options = t.written;
    options.insert(options.end(), m.defaults_written.begin(), m.defaults_written.end());
    check_mode(t, options, {t.location, how, "pass --mode "});
  }
}

Mapping load_mapping(const std::string& path, EnvReading env) {
  FileText file = read_regular_file(path, kMaxMappingBytes);
  if (!file.text)
    throw ConfigError({path, 0, 0}, "cannot read the mapping file (" + file.reason + "); check the path");
  const std::string& text = *file.text;
  // YAML is text: a NUL or a byte that is not UTF-8 is refused where it stands, before
  // yaml-cpp (which would quietly turn it into U+FFFD) sees it.
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos)
    throw ConfigError(location_of(path, text, nul),
                      "a NUL byte here; a mapping file is UTF-8 text: remove it");
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    static const char* const hex = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(text[bad]);
    throw ConfigError(location_of(path, text, bad),
                      std::string("byte 0x") + hex[byte >> 4] + hex[byte & 15] +
                          " is not UTF-8; save the mapping file as UTF-8");
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    const int column = e.mark.is_null() ? 1 : e.mark.column + 1;
    throw ConfigError({path, line, column},
                      "invalid YAML: " + e.msg +
                          "; check the indentation, colons, quotes and brackets around here");
  }
  return Loader(path, std::filesystem::path(path).parent_path().string(), env).load(root);
}

}  // namespace replicate::config
