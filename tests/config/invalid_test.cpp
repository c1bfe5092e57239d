// SPDX-License-Identifier: Apache-2.0
// One invalid mapping per rule under tests/config/invalid/; each file's first line pins the
// exact message: "# error: LINE:COLUMN: message".
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

namespace fs = std::filesystem;

const std::string kInvalidDir = std::string(REPLICATE_SOURCE_DIR) + "/tests/config/invalid";

std::vector<std::string> invalid_files() {
  std::vector<std::string> out;
  if (!fs::is_directory(kInvalidDir)) return out;
  for (const auto& e : fs::directory_iterator(kInvalidDir))
    if (e.path().extension() == ".yaml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

class ConfigInvalidFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfigInvalidFile, FailsWithThePinnedMessage) {
  const std::string path = GetParam();
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  const std::string prefix = "# error: ";
  ASSERT_EQ(first.rfind(prefix, 0), 0u) << path << ": first line must be '# error: LINE:COL: ...'";
  const std::string expected = path + ":" + first.substr(prefix.size());
  try {
    load_mapping(path);
    FAIL() << path << " loaded, but should fail with: " << expected;
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), expected);
    EXPECT_EQ(e.where().file, path);
    EXPECT_GT(e.where().line, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(ConfigInvalid, ConfigInvalidFile, ::testing::ValuesIn(invalid_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return fs::path(info.param).stem().string();
                         });

// Guards the parameterised test against passing vacuously on an empty directory.
TEST(ConfigInvalidDir, HoldsOneFilePerRule) { EXPECT_GE(invalid_files().size(), 15u); }

TEST(ConfigInvalidDir, UnreadableFileNamesThePath) {
  const std::string path = kInvalidDir + "/no-such-mapping.yaml";
  try {
    load_mapping(path);
    FAIL() << "loaded a file that does not exist";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": cannot read the mapping file (No such file or directory); check the path");
  }
}

TEST(ConfigInvalidDir, DirectoryIsNotAMappingFile) {
  try {
    load_mapping(kInvalidDir);
    FAIL() << "loaded a directory";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              kInvalidDir + ": cannot read the mapping file (it is a directory); check the path");
  }
}

}  // namespace
}  // namespace replicate::config
