// SPDX-License-Identifier: Apache-2.0
// Hostile and careless mapping files (issue 14): files that never end, globs that
// backtrack forever, numbers that overflow, bytes that are not text, placeholders where a
// secret would be printed, passwords that break their connection string, and a
// state_schema that smuggles SQL. Each must end quickly in a ConfigError with FILE:LINE.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/cli_support.hpp"
#include "config/mapping.hpp"
#include "support/test_db.hpp"

namespace replicate::config {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kEndpoints =
    "version: 1\n"
    "source: {driver: sqlite, connection: a.sqlite}\n"
    "target: {driver: postgresql, connection: \"host=localhost dbname=x\"}\n";

std::string write_mapping(const std::string& dir, const std::string& text, const std::string& name = "m.yaml") {
  const std::string path = dir + "/" + name;
  test::write_text(path, text);
  return path;
}

/// The message of the ConfigError that loading `path` throws, or "(loaded)".
std::string load_error(const std::string& path) {
  try {
    load_mapping(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(loaded)";
}

// ---- 6: bounded ${file:} reads, linear globs, bounded numbers ----

TEST(ConfigHardening, FilePlaceholderRefusesADevice) {
  const std::string dir = test::temp_dir();
  const std::string path = write_mapping(
      dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
           "target: {driver: postgresql, connection: \"host=h password=${file:/dev/zero}\"}\ntables: [{source: t}]\n");
  ASSERT_TRUE(test::finishes_within([&] { load_error(path); }, 5s)) << "${file:/dev/zero} read without bound";
  EXPECT_EQ(load_error(path), path + ":3:42: cannot read file '/dev/zero' (it is a character device, not a regular "
                                     "file); ${file:PATH} reads only regular files of at most 1 MiB; point it at "
                                     "the file that holds the secret");
}

TEST(ConfigHardening, FilePlaceholderRefusesANamedPipeWithoutWaiting) {
  const std::string dir = test::temp_dir();
  ASSERT_EQ(mkfifo((dir + "/pipe").c_str(), 0600), 0);
  const std::string path = write_mapping(
      dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
           "target: {driver: postgresql, connection: \"host=h password=${file:pipe}\"}\ntables: [{source: t}]\n");
  ASSERT_TRUE(test::finishes_within([&] { load_error(path); }, 5s)) << "${file:FIFO} blocked";
  EXPECT_EQ(load_error(path), path + ":3:42: cannot read file 'pipe' (it is a named pipe, not a regular file); "
                                     "${file:PATH} reads only regular files of at most 1 MiB; point it at the "
                                     "file that holds the secret");
}

TEST(ConfigHardening, FilePlaceholderRefusesMoreThanOneMiB) {
  const std::string dir = test::temp_dir();
  test::write_text(dir + "/big", std::string(1024 * 1024 + 1, 'x'));
  test::write_text(dir + "/fits", std::string(1024 * 1024, 'y'));
  const std::string big = write_mapping(
      dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
           "target: {driver: postgresql, connection: \"host=h password=${file:big}\"}\ntables: [{source: t}]\n");
  EXPECT_EQ(load_error(big), big + ":3:42: cannot read file 'big' (it is larger than 1 MiB); ${file:PATH} reads "
                                   "only regular files of at most 1 MiB; point it at the file that holds the secret");
  const std::string fits = write_mapping(
      dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
           "target: {driver: postgresql, connection: \"host=h password=${file:fits}\"}\ntables: [{source: t}]\n",
      "fits.yaml");
  EXPECT_EQ(load_mapping(fits).target.connection, "host=h password=" + std::string(1024 * 1024, 'y'));
}

TEST(ConfigHardening, GlobsMatchInLinearTime) {
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  const std::string name(60, 'a');
  bool matched = true;
  ASSERT_TRUE(test::finishes_within([&] { glob_match(pattern, name); }, 5s)) << "the glob backtracks exponentially";
  matched = glob_match(pattern, name);
  EXPECT_FALSE(matched);
  EXPECT_TRUE(glob_match(pattern, name + "b"));
  // The rules themselves: * any run, ? one character, case-insensitive, anchored.
  EXPECT_TRUE(glob_match("dbo.bi_*", "DBO.BI_CREDORES"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbZc"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_FALSE(glob_match("a*b", "ab_"));
  EXPECT_TRUE(glob_match("**a**", "xax"));
  EXPECT_FALSE(glob_match("", "a"));
}

TEST(ConfigHardening, EveryNumberIsBounded) {
  const std::string dir = test::temp_dir();
  const std::string chunk = write_mapping(
      dir, kEndpoints + "tables:\n  - source: t\n    chunk_rows: 9223372036854775807\n", "chunk.yaml");
  EXPECT_EQ(load_error(chunk), chunk + ":6:17: 'tables[0].chunk_rows' is 9223372036854775807, out of range; use a "
                                       "value from 1 to 1000000000");
  const std::string rejects =
      write_mapping(dir, kEndpoints + "defaults:\n  max_rejects: 9223372036854775807\ntables: [{source: t}]\n",
                    "rejects.yaml");
  EXPECT_EQ(load_error(rejects), rejects + ":5:16: 'defaults.max_rejects' is 9223372036854775807, out of range; "
                                           "use a value from 0 to 1000000000000");
  const std::string beyond = write_mapping(
      dir, kEndpoints + "tables:\n  - source: t\n    chunk_rows: 99999999999999999999999\n", "beyond.yaml");
  EXPECT_EQ(load_error(beyond), beyond + ":6:17: 'tables[0].chunk_rows' is 99999999999999999999999, out of range; "
                                         "use a value from 1 to 1000000000");
  const std::string top =
      write_mapping(dir, kEndpoints + "tables:\n  - source: t\n    chunk_rows: 1000000000\n", "top.yaml");
  EXPECT_EQ(load_mapping(top).tables[0].options.chunk_rows, 1000000000);
}

// ---- 7: a mapping file is UTF-8 text ----

TEST(ConfigHardening, InvalidUtf8AndNulAreErrorsWhereTheyStand) {
  const std::string dir = test::temp_dir();
  const std::string bad = write_mapping(dir, kEndpoints + "tables:\n  - source: \"t\xff\"\n", "bad.yaml");
  EXPECT_EQ(load_error(bad), bad + ":5:15: byte 0xFF is not UTF-8; save the mapping file as UTF-8");
  const std::string nul =
      write_mapping(dir, kEndpoints + "tables:\n  - source: t" + std::string(1, '\0') + "x\n", "nul.yaml");
  EXPECT_EQ(load_error(nul), nul + ":5:14: a NUL byte here; a mapping file is UTF-8 text: remove it");
  const std::string overlong = write_mapping(dir, kEndpoints + "tables:\n  - source: \xc0\xaf\n", "overlong.yaml");
  EXPECT_EQ(load_error(overlong), overlong + ":5:13: byte 0xC0 is not UTF-8; save the mapping file as UTF-8");
  // Escapes make in a value what the file's bytes may not hold.
  const std::string escaped_nul = write_mapping(dir, kEndpoints + "tables:\n  - source: \"t\\0x\"\n", "enul.yaml");
  EXPECT_EQ(load_error(escaped_nul),
            escaped_nul + ":5:13: 'tables[0].source' holds a NUL character (an escape such as \\0); remove it");
  // yaml-cpp itself refuses an escaped lone surrogate, at its place.
  const std::string surrogate =
      write_mapping(dir, kEndpoints + "tables:\n  - source: \"t\\uD800\"\n", "surrogate.yaml");
  EXPECT_EQ(load_error(surrogate).rfind(surrogate + ":5:", 0), 0u) << load_error(surrogate);
  const std::string fine = write_mapping(dir, kEndpoints + "tables:\n  - source: \"dbo.créditos_ção\"\n", "ok.yaml");
  EXPECT_EQ(load_mapping(fine).tables[0].source, "dbo.créditos_ção");
}

TEST(ConfigHardening, MappingFileMustBeARegularFile) {
  const std::string dir = test::temp_dir();
  ASSERT_EQ(mkfifo((dir + "/pipe.yaml").c_str(), 0600), 0);
  ASSERT_TRUE(test::finishes_within([&] { load_error(dir + "/pipe.yaml"); }, 5s)) << "a FIFO mapping blocked";
  EXPECT_EQ(load_error(dir + "/pipe.yaml"),
            dir + "/pipe.yaml: cannot read the mapping file (it is a named pipe, not a regular file); check the path");
  ASSERT_TRUE(test::finishes_within([&] { load_error("/dev/zero"); }, 5s)) << "/dev/zero read without bound";
  EXPECT_EQ(load_error("/dev/zero"),
            "/dev/zero: cannot read the mapping file (it is a character device, not a regular file); check the path");
}

// ---- 8: placeholders only in connection strings ----

TEST(ConfigHardening, PlaceholdersOutsideConnectionsAreErrorsThatShowNoValue) {
  const std::string dir = test::temp_dir();
  test::write_text(dir + "/shadow", "root:canary-hash-5150:19000::::::\n");
  setenv("REPLICATE_TEST_CANARY", "env-canary-6160", 1);
  struct Case {
    std::string yaml, field;
    int line, column;
  };
  const Case cases[] = {
      {kEndpoints + "tables:\n  - source: \"${file:shadow}\"\n", "tables[0].source", 5, 13},
      {kEndpoints + "state_schema: \"${env:REPLICATE_TEST_CANARY}\"\ntables: [{source: t}]\n", "state_schema", 4, 15},
      {kEndpoints + "tables:\n  - source: t\n    key: [\"${env:REPLICATE_TEST_CANARY}\"]\n", "tables[0].key", 6, 11},
      {kEndpoints + "tables:\n  - source: t\n    where: \"x = '${env:REPLICATE_TEST_CANARY}'\"\n", "tables[0].where",
       6, 12},
      {kEndpoints + "tables:\n  - source: t\n    target: \"public.${env:REPLICATE_TEST_CANARY}\"\n",
       "tables[0].target", 6, 13},
      {kEndpoints + "tables:\n  - source: t\n    columns:\n      - {target: b, value: \"${file:shadow}\"}\n",
       "tables[0].columns[0].value", 7, 28},
  };
  int i = 0;
  for (const auto& c : cases) {
    const std::string path = write_mapping(dir, c.yaml, "p" + std::to_string(i++) + ".yaml");
    const std::string error = load_error(path);
    EXPECT_EQ(error, path + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": '" + c.field +
                         "' holds a placeholder, but ${env:...} and ${file:...} are read only in "
                         "'source.connection' and 'target.connection', so that no secret is ever printed; write "
                         "the value itself here (or $${ for a literal ${)");
    EXPECT_EQ(error.find("canary"), std::string::npos) << error;
  }
  // The escape still makes a literal ${ anywhere.
  const std::string escaped =
      write_mapping(dir, kEndpoints + "tables:\n  - source: t\n    where: \"note <> '$${x}'\"\n", "escaped.yaml");
  EXPECT_EQ(load_mapping(escaped).tables[0].where, "note <> '${x}'");
}

TEST(ConfigHardening, ValuesFromPlaceholdersAreMaskedInDriverMessages) {
  setenv("REPLICATE_TEST_PW", "pw-canary-7170", 1);
  const std::string dir = test::temp_dir();
  const Mapping m = load_mapping(write_mapping(
      dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
           "target: {driver: postgresql, connection: \"host=h password=${env:REPLICATE_TEST_PW}\"}\n"
           "tables: [{source: t}]\n"));
  ASSERT_EQ(m.target.secrets, std::vector<std::string>{"pw-canary-7170"});
  EXPECT_EQ(mask_secrets("FATAL: password \"pw-canary-7170\" and pw-canary-7170x", m.target.secrets),
            "FATAL: password \"***\" and ***x");
  // A secret that the mask itself contains cannot make masking loop.
  EXPECT_EQ(mask_secrets("a*b", {"*"}), "a***b");
  EXPECT_EQ(replace_all("bi_clientes: bad", "bi_clientes", "bi_clientes"), "bi_clientes: bad");
}

// ---- 9: substituted values quoted for their connection string ----

TEST(ConfigHardening, SubstitutedValuesAreQuotedForLibpq) {
  setenv("REPLICATE_TEST_PW", "a b'c\\d", 1);
  setenv("REPLICATE_TEST_EMPTY", "", 1);
  const std::string dir = test::temp_dir();
  auto target_of = [&](const std::string& connection) {
    return load_mapping(write_mapping(dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
                                           "target: {driver: postgresql, connection: \"" + connection +
                                               "\"}\ntables: [{source: t}]\n"))
        .target.connection;
  };
  EXPECT_EQ(target_of("host=h password=${env:REPLICATE_TEST_PW} user=u"), "host=h password='a b\\'c\\\\d' user=u");
  EXPECT_EQ(target_of("host=h password='${env:REPLICATE_TEST_PW}' user=u"), "host=h password='a b\\'c\\\\d' user=u");
  EXPECT_EQ(target_of("host=h password=x${env:REPLICATE_TEST_PW}"), "host=h password=xa\\ b\\'c\\\\d");
  EXPECT_EQ(target_of("host=h password=${env:REPLICATE_TEST_EMPTY} user=u"), "host=h password='' user=u");
  EXPECT_EQ(target_of("host=${env:REPLICATE_TEST_EMPTY}x user=u"), "host=x user=u");
  setenv("REPLICATE_TEST_PLAIN", "plain-1", 1);
  EXPECT_EQ(target_of("host=h user=${env:REPLICATE_TEST_PLAIN}"), "host=h user=plain-1");  // nothing to quote
  EXPECT_EQ(target_of("postgresql://u:${env:REPLICATE_TEST_PW}@h/db"), "postgresql://u:a%20b%27c%5Cd@h/db");
}

TEST(ConfigHardening, SubstitutedValuesAreBracedForOdbc) {
  setenv("REPLICATE_TEST_PW", "x;y}z", 1);
  setenv("REPLICATE_TEST_PLAIN", "plain", 1);
  const std::string dir = test::temp_dir();
  auto source_of = [&](const std::string& connection) {
    return load_mapping(write_mapping(dir, "version: 1\nsource: {driver: odbc, connection: \"" + connection +
                                               "\"}\ntarget: {driver: postgresql, connection: \"host=h\"}\n"
                                               "tables: [{source: t}]\n"))
        .source.connection;
  };
  EXPECT_EQ(source_of("DSN=d;PWD=${env:REPLICATE_TEST_PW};UID=u"), "DSN=d;PWD={x;y}}z};UID=u");
  EXPECT_EQ(source_of("DSN=d;PWD={${env:REPLICATE_TEST_PW}};UID=u"), "DSN=d;PWD={x;y}}z};UID=u");
  EXPECT_EQ(source_of("DSN=d;PWD=${env:REPLICATE_TEST_PLAIN}"), "DSN=d;PWD=plain");
  const std::string inside = write_mapping(dir, "version: 1\nsource: {driver: odbc, connection: "
                                                "\"DSN=d;PWD=a${env:REPLICATE_TEST_PW}\"}\n"
                                                "target: {driver: postgresql, connection: \"host=h\"}\n"
                                                "tables: [{source: t}]\n", "inside.yaml");
  const std::string error = load_error(inside);
  EXPECT_NE(error.find(inside + ":2:36: the value of a placeholder in 'source.connection' holds ';'"),
            std::string::npos)
      << error;
  EXPECT_EQ(error.find("x;y"), std::string::npos) << error;
}

TEST(ConfigHardening, AnUnparsableLibpqStringIsNeverEchoed) {
  const std::string dir = test::temp_dir();
  setenv("REPLICATE_TEST_WHOLE", "host=h password=abc Leak-Canary-Tail", 1);
  for (const std::string connection :
       {std::string("host=h password=abc Leak-Canary-Tail"), std::string("${env:REPLICATE_TEST_WHOLE}")}) {
    const std::string path =
        write_mapping(dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
                           "target: {driver: postgresql, connection: \"" + connection + "\"}\ntables: [{source: t}]\n");
    const std::string error = load_error(path);
    EXPECT_EQ(error, path + ":3:42: 'target.connection' is not a valid libpq connection string: a word without "
                            "'=': write keyword=value pairs separated by spaces, and put a value that holds spaces "
                            "or quotes in single quotes ('a b\\'c')");
    EXPECT_EQ(error.find("Canary"), std::string::npos) << error;
  }
  const std::string unknown =
      write_mapping(dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
                         "target: {driver: postgresql, connection: \"hots=h password=Leak-Canary\"}\n"
                         "tables: [{source: t}]\n", "unknown.yaml");
  EXPECT_EQ(load_error(unknown), unknown + ":3:42: 'target.connection' is not a valid libpq connection string: an "
                                           "unknown keyword: libpq reads host, port, dbname, user, password, "
                                           "sslmode and the other keywords of its documentation");
  // A bare database name, the string that used to send the redaction into a loop.
  const std::string bare = write_mapping(dir, "version: 1\nsource: {driver: sqlite, connection: a.sqlite}\n"
                                              "target: {driver: postgresql, connection: \"bi_clientes\"}\n"
                                              "tables: [{source: t}]\n", "bare.yaml");
  EXPECT_NE(load_error(bare).find(bare + ":3:42: 'target.connection' is not a valid libpq connection string"),
            std::string::npos);
}

// ---- 11: state_schema is a plain name ----

TEST(ConfigHardening, StateSchemaMustBeAPlainName) {
  const std::string dir = test::temp_dir();
  for (const std::string bad : {std::string("x')::text; DROP TABLE canary; SELECT ('"), std::string("a b"),
                                std::string("1abc"), std::string(64, 'a'), std::string("a.b"), std::string("\\\"q\\\"")}) {
    const std::string path =
        write_mapping(dir, kEndpoints + "state_schema: \"" + bad + "\"\ntables: [{source: t}]\n");
    EXPECT_EQ(load_error(path), path + ":4:15: 'state_schema' must be a plain name: a letter or _, then letters, "
                                       "digits or _, at most 63 characters; write e.g. state_schema: replicate")
        << bad;
  }
  for (const std::string good : {std::string("replicate"), std::string("_state2"), std::string("RunState"),
                                 std::string(63, 'a')}) {
    const std::string path = write_mapping(dir, kEndpoints + "state_schema: " + good + "\ntables: [{source: t}]\n");
    EXPECT_EQ(load_mapping(path).state_schema, good);
  }
}

}  // namespace
}  // namespace replicate::config
