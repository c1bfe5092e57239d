// SPDX-License-Identifier: Apache-2.0
// interpolate(): ${env:NAME}, ${file:PATH}, the $${ escape, and errors that show no value.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

namespace fs = std::filesystem;

const Location kAt{"m.yaml", 4, 9};

std::string error_of(const std::string& text, const std::string& base_dir = "") {
  try {
    interpolate(text, base_dir, kAt);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigInterpolate, EnvironmentVariables) {
  setenv("REPLICATE_TEST_A", "alpha", 1);
  setenv("REPLICATE_TEST_EMPTY", "", 1);
  EXPECT_EQ(interpolate("x=${env:REPLICATE_TEST_A};y=${env:REPLICATE_TEST_A}", "", kAt),
            "x=alpha;y=alpha");
  EXPECT_EQ(interpolate("[${env:REPLICATE_TEST_EMPTY}]", "", kAt), "[]");
  EXPECT_EQ(interpolate("no placeholders $ or $$ here", "", kAt), "no placeholders $ or $$ here");
}

TEST(ConfigInterpolate, DefaultWhenTheVariableIsUnsetOrEmpty) {
  setenv("REPLICATE_TEST_A", "alpha", 1);
  setenv("REPLICATE_TEST_EMPTY", "", 1);
  unsetenv("REPLICATE_TEST_NOPE");
  // Set: its value; unset or empty: the default, as a shell's ${NAME:-default}.
  EXPECT_EQ(interpolate("host=${env:REPLICATE_TEST_A:-localhost}", "", kAt), "host=alpha");
  EXPECT_EQ(interpolate("host=${env:REPLICATE_TEST_NOPE:-localhost}", "", kAt), "host=localhost");
  EXPECT_EQ(interpolate("host=${env:REPLICATE_TEST_EMPTY:-localhost}", "", kAt), "host=localhost");
  // An empty default is a default too: the placeholder may be left out.
  EXPECT_EQ(interpolate("[${env:REPLICATE_TEST_NOPE:-}]", "", kAt), "[]");
  // A default may hold ':' and '-'; it ends at the first '}'.
  EXPECT_EQ(interpolate("${env:REPLICATE_TEST_NOPE:-a:-b}c}", "", kAt), "a:-bc}");
  EXPECT_EQ(error_of("${env:REPLICATE_TEST_NOPE:-${env:HOME}}"),
            "m.yaml:4:9: the default in '${env:REPLICATE_TEST_NOPE:-' holds a placeholder; a default is "
            "literal text (up to the first '}')");
  EXPECT_EQ(error_of("${env::-x}"),
            "m.yaml:4:9: invalid placeholder '${env::-x}'; use ${env:NAME} or ${file:PATH}, or write $${ for "
            "a literal ${");
}

TEST(ConfigInterpolate, ConnectionDefaultsAreQuotedAndNeverReportedUnset) {
  unsetenv("REPLICATE_TEST_NOPE");
  setenv("REPLICATE_TEST_EMPTY", "", 1);
  std::vector<std::string> secrets;
  EnvPlaceholders read;
  EXPECT_EQ(interpolate_connection("host=h password=${env:REPLICATE_TEST_NOPE:-two words}", ConnectionStyle::libpq,
                                   "source.connection", "", kAt, secrets, read),
            "host=h password='two words'");
  EXPECT_TRUE(read.unset.empty());
  // validate reads no environment: a variable with a default is not named as unset.
  EnvPlaceholders names{EnvReading::names_only};
  interpolate_connection("host=${env:REPLICATE_TEST_NOPE:-h} port=${env:REPLICATE_TEST_EMPTY:-5432} "
                         "user=${env:REPLICATE_TEST_NOPE}",
                         ConnectionStyle::libpq, "source.connection", "", kAt, secrets, names);
  ASSERT_EQ(names.unset.size(), 1u);
  EXPECT_EQ(names.unset[0].name, "REPLICATE_TEST_NOPE");
}

TEST(ConfigInterpolate, EscapeKeepsALiteralPlaceholder) {
  EXPECT_EQ(interpolate("$${env:HOME} and $${", "", kAt), "${env:HOME} and ${");
}

TEST(ConfigInterpolate, FilesRelativeOrAbsoluteOneNewlineStripped) {
  const fs::path dir = fs::temp_directory_path() / ("replicate-interp-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "lf") << "secret\n";
  std::ofstream(dir / "crlf") << "secret\r\n";
  std::ofstream(dir / "two") << "secret\n\n";
  std::ofstream(dir / "none") << "secret";
  EXPECT_EQ(interpolate("${file:lf}", dir.string(), kAt), "secret");
  EXPECT_EQ(interpolate("${file:crlf}", dir.string(), kAt), "secret");
  EXPECT_EQ(interpolate("${file:two}", dir.string(), kAt), "secret\n");
  EXPECT_EQ(interpolate("<${file:" + (dir / "none").string() + "}>", "/elsewhere", kAt),
            "<secret>");
  fs::remove_all(dir);
}

TEST(ConfigInterpolate, ErrorsNameTheVariableOrPathOnly) {
  unsetenv("REPLICATE_TEST_NOPE");
  EXPECT_EQ(error_of("${env:REPLICATE_TEST_NOPE}"),
            "m.yaml:4:9: environment variable 'REPLICATE_TEST_NOPE' is not set; export "
            "REPLICATE_TEST_NOPE before running replicate, or change the mapping");
  EXPECT_EQ(
      error_of("${file:missing.txt}", "/nonexistent-dir"),
      "m.yaml:4:9: cannot read file 'missing.txt' (No such file or directory); check the path, "
      "which is relative to the mapping file's directory unless absolute");
  EXPECT_EQ(error_of("${file:.}", "/tmp"),
            "m.yaml:4:9: cannot read file '.' (it is a directory); check the path, which is "
            "relative to the mapping file's directory unless absolute");
}

TEST(ConfigInterpolate, MalformedPlaceholders) {
  EXPECT_EQ(error_of("a ${env:X"),
            "m.yaml:4:9: unterminated placeholder '${env:X'; close it with '}', or write $${ for a "
            "literal ${");
  EXPECT_EQ(error_of("${HOME}"),
            "m.yaml:4:9: invalid placeholder '${HOME}'; use ${env:NAME} or ${file:PATH}, or write "
            "$${ for a literal ${");
  EXPECT_EQ(error_of("${env:}"),
            "m.yaml:4:9: invalid placeholder '${env:}'; use ${env:NAME} or ${file:PATH}, or write "
            "$${ for a literal ${");
}

TEST(ConfigInterpolate, BrokenPlaceholderDoesNotEchoWhatFollows) {
  const std::string what = error_of("${env:X;PWD=hunter2");
  EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
  EXPECT_NE(what.find("'${env:X'"), std::string::npos) << what;
  const std::string closed = error_of("${env:X;PWD=hunter2}");
  EXPECT_EQ(closed.find("hunter2"), std::string::npos) << closed;
}

}  // namespace
}  // namespace replicate::config
