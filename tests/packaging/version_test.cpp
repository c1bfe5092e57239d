// SPDX-License-Identifier: Apache-2.0
// The version has one source, CMake's project(VERSION): `--version` and `-V` print it.
// scripts/package.sh checks that the .deb carries the same one.
#include <gtest/gtest.h>

#include <regex>

#include "packaging/packaging_support.hpp"

namespace replicate::test {
namespace {

TEST(Version, LongAndShortFlagsPrintTheProjectVersion) {
  for (const char* flag : {"--version", "-V"}) {
    const auto r = run_command(shell_quote(REPLICATE_BINARY) + " " + flag);
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.output;
    EXPECT_EQ(r.output, std::string("replicate ") + REPLICATE_VERSION + "\n") << flag;
  }
}

TEST(Version, ProjectVersionIsSemantic) {
  EXPECT_TRUE(std::regex_match(std::string(REPLICATE_VERSION), std::regex(R"(\d+\.\d+\.\d+)"))) << REPLICATE_VERSION;
}

}  // namespace
}  // namespace replicate::test
