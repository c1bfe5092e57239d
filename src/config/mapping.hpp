// SPDX-License-Identifier: Apache-2.0
// The mapping file as plain structs: what the user wrote, with secrets resolved.
// Nothing here touches a database; see loader.cpp for YAML -> Mapping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace replicate::config {

/// Where a value was written in a mapping file (1-based line and column).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  /// "file:line:column", or just "file" when no line is known (an unreadable file).
  std::string str() const;
};

enum class Driver { odbc, postgresql, sqlite };
enum class Dialect { automatic, mssql, postgresql, sqlite, generic };
enum class Mode { full, append, incremental, mirror };
enum class OnConflict { skip, update, error };
enum class CreateTable { if_missing, always, never };
enum class IdentifierCase { lower, preserve };
/// mirror mode: what happens to target rows the source no longer has.
enum class Obsolete { remove, keep };  // spelled "delete" | "keep" in YAML

/// mirror mode: the column that marks target rows stale before the copy and live after.
struct StaleMark {
  std::string column;
  std::string value = "0";  // stale
  std::string live = "1";
};

/// One side of a copy: a driver and its connection string.
struct Endpoint {
  Driver driver = Driver::postgresql;
  /// postgresql/sqlite for those drivers; for odbc as written, else guessed from Driver=
  /// (guess_dialect), else automatic: the source asks the driver when it connects.
  Dialect dialect = Dialect::automatic;
  /// The connection string with ${env:..}/${file:..} resolved. Secret: never print it.
  std::string connection;
  /// The connection string as written, with literal passwords masked: safe to print.
  std::string connection_display;
  /// Every value a placeholder put into `connection`: masked in any message that quotes
  /// a driver (mask_secrets), since drivers echo parts of what they were given.
  std::vector<std::string> secrets;
  Location location;
};

/// One column of an explicit `columns:` list (with `columns: auto` the list is empty).
struct ColumnMapping {
  std::string source;                // source column name (empty when `value`/`expr` only)
  std::string target;                // target column name (default: source, case-folded)
  std::optional<std::string> type;   // target SQL type override, e.g. "varchar(14)"
  std::optional<std::string> expr;   // source-side SQL expression
  std::optional<std::string> value;  // constant, as written ("1", "2024-01-01")
  Location location;                 // the entry in the `columns:` list
};

/// Worker processes when a mapping does not say: one per CPU core this process may use
/// (sched_getaffinity, so a cgroup cpuset or `taskset` counts), at least 1 and at most 8.
/// Each worker keeps one reader and one PostgreSQL backend busy; more workers than cores
/// only queue for them (measured: 4 workers on 2 cores are no faster than 2, bench/README).
/// A run also stays below the target's free connections (engine::Coordinator).
int default_workers();

/// Keys that may appear under `defaults:` and be overridden per table.
struct TableOptions {
  int batch_size = 4000;
  int workers = default_workers();
  /// 0: from the row estimate (plan::chunk_rows_for): about four chunks per worker,
  /// 10,000 to 1,000,000 rows each; 50,000 when the estimate is unknown.
  std::int64_t chunk_rows = 0;
  Mode mode = Mode::full;
  int max_attempts = 5;
  std::optional<std::int64_t> max_rejects = 0;  // nullopt = unlimited
  OnConflict on_conflict = OnConflict::error;
  CreateTable create = CreateTable::if_missing;
  IdentifierCase identifier_case = IdentifierCase::lower;
  bool swap = false;
  bool verify = false;
  bool indexes = false;
  bool read_uncommitted = false;
  bool snapshot = false;
  std::optional<std::string> watermark;
  std::optional<StaleMark> stale;       // mirror only
  Obsolete obsolete = Obsolete::remove;  // mirror only
  /// `throttle: {rows_per_second: N}`: the table's run moves at most N rows a second, all
  /// its workers on all hosts together (`replicate throttle` changes it while it runs).
  std::optional<double> rows_per_second;
};

/// An option key written in a mapping (in a table entry or under `defaults`), and where:
/// what a mode's checks name when the option means nothing in that mode.
struct WrittenOption {
  std::string name;  // "on_conflict"
  std::string path;  // "tables[2].on_conflict", "defaults.on_conflict"
  Location location;
};

/// One entry of `tables:`: a single table (`source`) or a pattern entry (`include`).
struct TableMapping {
  std::string source;  // "schema.table" or "table" as written; empty for patterns
  std::string target;  // "schema.table", {schema}/{table} filled; default public.<table>
  /// Table name globs ("dbo.bi_*"); non-empty makes this a pattern entry whose `exclude`
  /// holds table globs and whose `target` may hold {schema}/{table} ("public.{table}").
  std::vector<std::string> include;
  std::vector<std::string> key;  // empty = use the source primary key
  bool columns_auto = true;
  std::vector<ColumnMapping> columns;  // the explicit list; empty with columns: auto
  /// Source columns left out (`exclude:` with auto, or list entries with exclude: true);
  /// for a pattern entry, table globs left out of `include`.
  std::vector<std::string> exclude;
  std::optional<std::string> where;  // source-side filter
  TableOptions options;
  Location location;
  std::string path;                    // "tables[2]", for messages
  std::vector<WrittenOption> written;  // the options this entry itself sets, in file order
};

/// A whole mapping file, loaded, interpolated and checked.
/// A mapping-wide type rule: source columns of native type `from` (a base name such as
/// "datetime2", or a full spelling such as "datetime2(7)") become PostgreSQL type `to`.
struct TypeRule {
  std::string from;
  std::string to;
  Location location;
};

/// A ${env:NAME} whose variable is not set, and where it is written.
struct UnsetVariable {
  std::string name;
  Location location;
};

/// `metrics:`, for monitoring a run.
struct MetricsOptions {
  /// `listen`: HOST:PORT to serve /metrics on while the mapping runs (--metrics-listen wins).
  std::optional<std::string> listen;
  Location location;  // where `listen` is written
};

struct Mapping {
  std::string file;
  /// With EnvReading::names_only: the ${env:} variables that are not set, in file order.
  std::vector<UnsetVariable> unset_env;
  std::vector<TypeRule> types;
  int version = 1;
  Endpoint source;
  Endpoint target;
  std::string state_schema = "replicate";
  TableOptions defaults;
  std::vector<WrittenOption> defaults_written;  // the options `defaults:` sets, in file order
  std::vector<TableMapping> tables;
  MetricsOptions metrics;
  /// `lease_seconds`: how long a host that has gone silent (cut off, frozen) keeps the chunk
  /// it was copying before the target ends its session and another host may take it.
  int lease_seconds = 30;
};

/// A mapping file that cannot be used. what() is "FILE:LINE:COLUMN: message".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(Location where, const std::string& message);
  const Location& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  Location where_;
  std::string message_;
};

/// How load_mapping treats ${env:NAME}.
enum class EnvReading {
  read,        // values are read; unset variables are an error naming every one of them
  names_only,  // values are not read (`validate`): a stand-in takes their place, never
               // printed nor used to connect, and unset variables go to Mapping::unset_env
};

/// Load, interpolate and validate one mapping file. Throws ConfigError.
Mapping load_mapping(const std::string& path, EnvReading env = EnvReading::read);

/// How a table's mode was chosen, for the messages of check_mode.
struct ModeChoice {
  Location where;           // the `mode:` that set it (or the entry, when none did)
  std::string how;          // said after "mode X": "" for the file, " (--mode X)" for the command line
  std::string change_hint;  // followed by a mode name: "set mode: ", "pass --mode "
};

/// The rules a table's mode sets, as the loader applies them to a mode written in the file:
/// mirror needs `stale`, incremental needs `watermark`, and each of `options` (those written
/// for the table) must be one its mode reads. Throws ConfigError at the first one broken.
void check_mode(const TableMapping& table, const std::vector<WrittenOption>& options, const ModeChoice& choice);

/// `run --mode`: every table of `mapping` in `mode`, checked by check_mode against the
/// options its entry and `defaults` write, as if the file said `mode: MODE`.
void override_mode(Mapping& mapping, Mode mode);

/// Mask secrets in a connection string: values of pwd/password/... keys become "***".
std::string redact_connection(const std::string& connection);

/// Of `values` (what placeholders put into `connection`), those a message must mask:
/// every one a secret field holds (password=, PWD=, a URI's user:password@) or that the
/// redacted string does not show; and the secret fields' own values. Hosts, ports, users
/// and database names stay readable.
std::vector<std::string> secret_values(const std::string& connection, const std::vector<std::string>& values);

/// The largest file ${file:PATH} reads; anything else but a regular file is refused too.
inline constexpr std::size_t kMaxSecretFileBytes = 1024 * 1024;

/// Replace ${env:NAME}, ${env:NAME:-default} (the default when NAME is unset or empty, as
/// in a shell) and ${file:PATH} in `text` ($${ is a literal ${); relative PATHs start at `base_dir`. Errors name the variable or path, never a value, at `where`.
std::string interpolate(const std::string& text, const std::string& base_dir,
                        const Location& where);

/// How a connection string is written, which decides how a substituted value is quoted.
enum class ConnectionStyle {
  plain,  // a SQLite file name: substituted as it is
  libpq,  // keyword=value pairs: in '...' (' and backslash escaped) when it must be
  uri,    // postgresql://...: percent-encoded
  odbc,   // Key=value;... : {braced} with } doubled when it holds ; { } or edge spaces
};

/// What interpolate_connection does with ${env:NAME}: reads it (EnvReading::read) or
/// puts a stand-in in its place (names_only). An unset variable gets a stand-in too and is
/// recorded in `unset`, so that every one can be named at once.
struct EnvPlaceholders {
  EnvReading reading = EnvReading::read;
  std::vector<UnsetVariable> unset;
  /// The last string was one placeholder that got a stand-in: its syntax is unknown.
  bool whole_stand_in = false;
};

/// interpolate() for the connection string of field `field`, each value quoted for `style`
/// so that it stays one value; a placeholder that is the whole string is taken as it is.
/// The substituted values (never a stand-in) are appended to `secrets`.
std::string interpolate_connection(const std::string& text, ConnectionStyle style,
                                   const std::string& field, const std::string& base_dir,
                                   const Location& where, std::vector<std::string>& secrets,
                                   EnvPlaceholders& env);

/// A value that may not hold placeholders (every one but the connection strings): `text`
/// with $${ turned into ${; a ${env:..} or ${file:..} is an error naming `field`.
std::string literal_value(const std::string& text, const std::string& field, const Location& where);

/// A libpq connection string (keyword/value or URI) as an equivalent URI with every value
/// percent-encoded: no spaces and no quotes, so SOCI's PostgreSQL backend, which splits
/// its connection string at spaces and re-joins key=value pairs unquoted, passes it to
/// libpq unchanged. A string libpq cannot parse is returned as it is.
std::string libpq_as_uri(const std::string& conninfo);

/// `text` with every occurrence of each non-empty secret replaced by "***", in one pass
/// (a replacement is never searched again, so it cannot loop).
std::string mask_secrets(const std::string& text, const std::vector<std::string>& secrets);

/// `text` with every occurrence of `from` replaced by `to`, in one left-to-right pass.
std::string replace_all(const std::string& text, const std::string& from, const std::string& to);

/// The candidate closest to `word` by edit distance, or "" when none is close enough.
std::string suggest(const std::string& word, const std::vector<std::string>& candidates);

/// The dialect an ODBC connection string's Driver= names (FreeTDS, psqlODBC, ...), or automatic.
Dialect guess_dialect(const std::string& odbc_connection);

/// Split "schema.table" into {schema, table}; [brackets] and "quotes" may hide dots and are
/// removed. The schema is "" when the name is unqualified.
std::pair<std::string, std::string> split_table_name(const std::string& name);

/// The target table for `source_table`: `target` with {schema}/{table} filled from the source
/// (lower-cased under IdentifierCase::lower); an empty `target` means "public.{table}".
std::string resolve_target(const std::string& target, const std::string& source_table,
                           IdentifierCase identifier_case);

/// True when `name` matches the glob `pattern` (`*`, `?`; case-insensitive), e.g. "dbo.bi_*".
/// Linear in the name's length times the pattern's (no exponential backtracking).
bool glob_match(const std::string& pattern, const std::string& name);

/// True for a name the target can hold unquoted and we can always quote: a letter or _,
/// then letters, digits or _, at most 63 bytes (PostgreSQL's NAMEDATALEN - 1).
bool is_plain_identifier(const std::string& name);

/// True for a pattern entry (`include:`), whose tables the plan expands.
inline bool is_pattern(const TableMapping& t) { return !t.include.empty(); }

const char* to_string(Driver d);
const char* to_string(Dialect d);
const char* to_string(Mode m);
const char* to_string(OnConflict c);
const char* to_string(CreateTable c);
const char* to_string(IdentifierCase c);
const char* to_string(Obsolete o);

}  // namespace replicate::config
