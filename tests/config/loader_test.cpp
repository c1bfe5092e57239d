// SPDX-License-Identifier: Apache-2.0
// load_mapping on valid files: every key lands in the right field, defaults merge into
// tables, placeholders resolve, and secrets stay out of what can be printed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

namespace fs = std::filesystem;

const std::string kValidDir = std::string(REPLICATE_SOURCE_DIR) + "/tests/config/valid";

/// A fresh directory per call, so tests never share files.
fs::path scratch_dir() {
  static std::atomic<int> counter{0};
  fs::path dir = fs::temp_directory_path() / ("replicate-config-test-" + std::to_string(getpid()) +
                                              "-" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

const char* const kHeader =
    "version: 1\n"
    "source: {driver: sqlite, connection: a.sqlite}\n"
    "target: {driver: postgresql, connection: \"host=localhost dbname=x\"}\n";

TEST(ConfigLoader, FullFixtureFillsEveryField) {
  setenv("REPLICATE_TEST_HOST", "mssql.example", 1);
  setenv("REPLICATE_TEST_USER", "reader", 1);
  setenv("REPLICATE_TEST_PASSWORD", "pa55-full", 1);
  const Mapping m = load_mapping(kValidDir + "/full.yaml");

  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.source.driver, Driver::odbc);
  EXPECT_EQ(m.source.dialect, Dialect::mssql);
  EXPECT_NE(m.source.connection.find("Server=mssql.example;"), std::string::npos);
  EXPECT_NE(m.source.connection.find("PWD=pa55-full;"), std::string::npos);
  // As it connects, secrets masked (issue 11 item 9).
  EXPECT_NE(m.source.connection_display.find("Server=mssql.example;"), std::string::npos);
  EXPECT_NE(m.source.connection_display.find("PWD=***"), std::string::npos);
  EXPECT_EQ(m.source.connection_display.find("pa55-full"), std::string::npos);
  EXPECT_EQ(m.source.location.line, 5);
  EXPECT_EQ(m.target.driver, Driver::postgresql);
  EXPECT_EQ(m.target.dialect, Dialect::postgresql);
  EXPECT_EQ(m.target.connection,
            "host=localhost dbname=bi_clientes user=replicate password=pa55-full");
  EXPECT_EQ(m.state_schema, "replicate_state");
  EXPECT_EQ(m.metrics.listen, std::optional<std::string>("127.0.0.1:9187"));

  EXPECT_EQ(m.defaults.batch_size, 2000);
  EXPECT_EQ(m.defaults.workers, 8);
  EXPECT_EQ(m.defaults.chunk_rows, 50000);
  EXPECT_EQ(m.defaults.mode, Mode::append);
  EXPECT_EQ(m.defaults.max_attempts, 3);
  EXPECT_EQ(m.defaults.max_rejects, 10);
  EXPECT_EQ(m.defaults.on_conflict, OnConflict::skip);
  EXPECT_EQ(m.defaults.create, CreateTable::always);
  EXPECT_TRUE(m.defaults.verify);
  EXPECT_TRUE(m.defaults.indexes);
  EXPECT_TRUE(m.defaults.read_uncommitted);
  EXPECT_FALSE(m.defaults.snapshot);
  EXPECT_FALSE(m.defaults.watermark);
  ASSERT_EQ(m.tables.size(), 3u);

  const TableMapping& credores = m.tables[0];
  EXPECT_EQ(credores.source, "dbo.BI_CREDORES");
  EXPECT_EQ(credores.target, "public.bi_credores");  // default target, lower-cased
  EXPECT_EQ(credores.key, std::vector<std::string>{"id"});
  EXPECT_EQ(credores.where, "STATUS <> 9");
  EXPECT_TRUE(credores.columns_auto);
  EXPECT_EQ(credores.exclude, (std::vector<std::string>{"FOTO", "ASSINATURA"}));
  EXPECT_EQ(credores.options.batch_size, 2000);  // all from defaults
  EXPECT_EQ(credores.options.mode, Mode::append);
  EXPECT_EQ(credores.options.max_rejects, 10);
  EXPECT_EQ(credores.location.line, 28);

  const TableMapping& titulos = m.tables[1];
  EXPECT_EQ(titulos.target, "staging.titulos");
  EXPECT_EQ(titulos.key, std::vector<std::string>{"ID_TITULO"});  // key as a plain string
  EXPECT_EQ(titulos.options.mode, Mode::incremental);             // overridden
  EXPECT_EQ(titulos.options.watermark, "DT_ALTERACAO");
  EXPECT_EQ(titulos.options.batch_size, 500);
  EXPECT_EQ(titulos.options.workers, 8);                  // inherited
  EXPECT_FALSE(titulos.options.max_rejects.has_value());  // unlimited
  EXPECT_EQ(titulos.options.max_attempts, 2);  // on_conflict would do nothing in mode incremental
  EXPECT_EQ(titulos.options.identifier_case, IdentifierCase::preserve);
  EXPECT_FALSE(titulos.columns_auto);
  ASSERT_EQ(titulos.columns.size(), 4u);
  EXPECT_EQ(titulos.columns[0].source, "ID_TITULO");
  EXPECT_EQ(titulos.columns[0].target, "ID_TITULO");  // case: preserve keeps it
  EXPECT_EQ(titulos.columns[1].target, "cpf");
  EXPECT_EQ(titulos.columns[1].type, "varchar(14)");
  EXPECT_EQ(titulos.columns[2].expr, "UPPER(NOME)");
  EXPECT_EQ(titulos.columns[2].source, "");
  EXPECT_EQ(titulos.columns[3].value, "1");
  EXPECT_EQ(titulos.columns[3].target, "status");
  EXPECT_EQ(titulos.exclude, std::vector<std::string>{"FOTO"});  // from {exclude: true}

  const TableMapping& pattern = m.tables[2];
  EXPECT_TRUE(is_pattern(pattern));
  EXPECT_EQ(pattern.source, "");
  EXPECT_EQ(pattern.include, (std::vector<std::string>{"dbo.bi_*", "dbo.cad_*"}));
  EXPECT_EQ(pattern.exclude, std::vector<std::string>{"dbo.bi_tmp*"});
  EXPECT_EQ(pattern.target, "bi.{table}");
  EXPECT_EQ(pattern.options.mode, Mode::full);
  EXPECT_TRUE(pattern.options.swap);
}

TEST(ConfigLoader, MinimalFixtureTakesBuiltInDefaults) {
  const Mapping m = load_mapping(kValidDir + "/minimal.yaml");
  EXPECT_EQ(m.source.driver, Driver::sqlite);
  EXPECT_EQ(m.source.dialect, Dialect::sqlite);
  EXPECT_EQ(m.state_schema, "replicate");
  EXPECT_EQ(m.metrics.listen, std::nullopt);
  EXPECT_EQ(m.target.connection_display,
            "postgresql://replicate:***@localhost:5432/demo?sslmode=disable");
  ASSERT_EQ(m.tables.size(), 1u);
  const TableMapping& t = m.tables[0];
  EXPECT_EQ(t.target, "public.customers");
  EXPECT_TRUE(t.key.empty());
  EXPECT_TRUE(t.columns_auto);
  const TableOptions builtin;
  EXPECT_EQ(t.options.batch_size, builtin.batch_size);
  EXPECT_EQ(t.options.workers, default_workers());  // one per core, 1 to 8
  EXPECT_GE(t.options.workers, 1);
  EXPECT_LE(t.options.workers, 8);
  EXPECT_EQ(t.options.chunk_rows, 0);  // from the row estimate (plan::chunk_rows_for)
  EXPECT_EQ(t.options.mode, Mode::full);
  EXPECT_EQ(t.options.max_attempts, 5);
  EXPECT_EQ(t.options.max_rejects, 0);
  EXPECT_EQ(t.options.on_conflict, OnConflict::error);
  EXPECT_EQ(t.options.create, CreateTable::if_missing);
  EXPECT_EQ(t.options.identifier_case, IdentifierCase::lower);
  EXPECT_FALSE(t.options.swap);
}

TEST(ConfigLoader, DefaultsMergeTableKeysWin) {
  const fs::path dir = scratch_dir();
  const Mapping m = load_mapping(
      write_file(dir / "m.yaml", std::string(kHeader) + "defaults: {workers: 2, verify: true}\n"
                                                        "tables:\n"
                                                        "  - source: a\n"
                                                        "  - source: b\n"
                                                        "    workers: 9\n"
                                                        "    verify: false\n"));
  EXPECT_EQ(m.tables[0].options.workers, 2);
  EXPECT_TRUE(m.tables[0].options.verify);
  EXPECT_EQ(m.tables[1].options.workers, 9);
  EXPECT_FALSE(m.tables[1].options.verify);
  EXPECT_EQ(m.tables[1].options.batch_size, 4000);
}

TEST(ConfigLoader, EnvAndFileInterpolation) {
  const fs::path dir = scratch_dir();
  fs::copy_file(kValidDir + "/interpolation.yaml", dir / "m.yaml");
  write_file(dir / "secret.txt", "file-secret\n");
  setenv("REPLICATE_TEST_USER", "alice", 1);
  const Mapping m = load_mapping((dir / "m.yaml").string());
  EXPECT_EQ(m.source.connection,
            "Driver={PostgreSQL Unicode};Server=localhost;Database=src;UID=alice;PWD=file-secret");
  EXPECT_EQ(m.source.dialect, Dialect::postgresql);  // guessed from Driver=
  EXPECT_EQ(
      m.source.connection_display,
      "Driver={PostgreSQL Unicode};Server=localhost;Database=src;UID=alice;PWD=***");
  EXPECT_EQ(m.target.connection, "host=localhost dbname=dst user=alice password='literal pass'");
  EXPECT_EQ(m.target.connection_display,
            "host=localhost dbname=dst user=alice password=***");
  EXPECT_EQ(m.tables[0].where, "note <> '${not_a_placeholder}'");  // $${ escape
}

TEST(ConfigLoader, AbsoluteFilePathAndPlaceholderTargets) {
  const fs::path dir = scratch_dir();
  const std::string secret = write_file(dir / "pw", "abs-secret");
  const Mapping m =
      load_mapping(write_file(dir / "m.yaml",
                              "version: 1\n"
                              "source: {driver: odbc, connection: \"DSN=x;PWD=${file:" +
                                  secret +
                                  "}\"}\n"
                                  "target: {driver: postgresql, connection: \"host=h\"}\n"
                                  "tables:\n"
                                  "  - source: Sales.OrderLines\n"
                                  "    target: \"{schema}_copy.{table}\"\n"));
  EXPECT_EQ(m.source.connection, "DSN=x;PWD=abs-secret");
  EXPECT_EQ(m.source.dialect, Dialect::automatic);  // a DSN names no driver
  EXPECT_EQ(m.tables[0].target, "sales_copy.orderlines");
}

TEST(ConfigLoader, MissingVariableNamesItButNoSecret) {
  setenv("REPLICATE_TEST_PASSWORD", "never-shown-1", 1);
  unsetenv("REPLICATE_TEST_UNSET");
  const fs::path dir = scratch_dir();
  const std::string path = write_file(
      dir / "m.yaml",
      "version: 1\n"
      "source: {driver: sqlite, connection: a.sqlite}\n"
      "target:\n"
      "  driver: postgresql\n"
      "  connection: \"password=${env:REPLICATE_TEST_PASSWORD} user=${env:REPLICATE_TEST_UNSET}\"\n"
      "tables: [{source: t}]\n");
  try {
    load_mapping(path);
    FAIL() << "loaded with an unset variable";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what, path +
                        ":5:15: environment variable 'REPLICATE_TEST_UNSET' is not set; export "
                        "REPLICATE_TEST_UNSET before running replicate, or change the mapping");
    EXPECT_EQ(what.find("never-shown-1"), std::string::npos);
  }
}

TEST(ConfigLoader, ErrorsQuoteValuesAsWrittenNotResolved) {
  setenv("REPLICATE_TEST_MODE", "never-shown-2", 1);
  const fs::path dir = scratch_dir();
  const std::string path = write_file(dir / "m.yaml", std::string(kHeader) +
                                                          "tables:\n"
                                                          "  - source: t\n"
                                                          "    mode: ${env:REPLICATE_TEST_MODE}\n");
  try {
    load_mapping(path);
    FAIL() << "loaded an invalid mode";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ":6:11: invalid value '${env:REPLICATE_TEST_MODE}' for 'tables[0].mode'; "
                  "allowed values: full, append, incremental, mirror");
  }
}

TEST(ConfigLoader, LiteralPasswordNeverInDisplay) {
  const fs::path dir = scratch_dir();
  const Mapping m = load_mapping(
      write_file(dir / "m.yaml",
                 "version: 1\n"
                 "source: {driver: odbc, dialect: generic, connection: "
                 "\"Driver=FreeTDS;UID=sa;PWD=hunter2\"}\n"
                 "target: {driver: postgresql, connection: \"host=h password=hunter3\"}\n"
                 "tables: [{source: t}]\n"));
  EXPECT_EQ(m.source.dialect, Dialect::generic);  // written beats guessed
  EXPECT_EQ(m.source.connection_display, "Driver=FreeTDS;UID=sa;PWD=***");
  EXPECT_EQ(m.target.connection_display, "host=h password=***");
}

TEST(ConfigLoader, ModeOverrideIsCheckedAsAModeInTheFile) {
  const fs::path dir = scratch_dir();
  const std::string file = write_file(dir / "m.yaml", std::string(kHeader) +
                                                          "defaults:\n  watermark: updated_at\n"
                                                          "tables:\n"
                                                          "  - source: a\n"
                                                          "  - source: b\n    mode: append\n    on_conflict: update\n");
  auto error_of = [&](Mode mode) {
    Mapping m = load_mapping(file);
    try {
      override_mode(m, mode);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    for (const auto& t : m.tables) EXPECT_EQ(t.options.mode, mode);
    return std::string("(no error)");
  };
  // incremental: a has the default watermark; b's on_conflict applies to append only.
  EXPECT_EQ(error_of(Mode::incremental),
            file + ":10:5: 'tables[1].on_conflict' does nothing in mode incremental (--mode incremental): it applies "
                   "to mode append only; remove it, or pass --mode append");
  // append: the default watermark is read by no table any more.
  Mapping m = load_mapping(file);
  m.tables.erase(m.tables.begin() + 1);
  try {
    override_mode(m, Mode::append);
    ADD_FAILURE() << "--mode append with a watermark in defaults was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), file + ":5:3: 'defaults.watermark' does nothing in mode append (--mode append): "
                                            "it applies to modes incremental and full only; remove it, or pass "
                                            "--mode incremental");
  }
  // mirror needs a stale marker, named at the entry.
  EXPECT_EQ(error_of(Mode::mirror), file + ":7:5: mode mirror (--mode mirror) in 'tables[0]' needs a stale marker; "
                                           "add stale: {column: status, value: 0, live: 1} (a target column) to the "
                                           "entry or to 'defaults'");
}

}  // namespace
}  // namespace replicate::config
