// SPDX-License-Identifier: Apache-2.0
// Every source, script and CMake file says its license in one line near its top
// (after a shebang), so a file added without it fails here instead of in review.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "packaging/packaging_support.hpp"

namespace replicate::test {
namespace {

namespace fs = std::filesystem;

bool ours(const fs::path& p) {
  const std::string ext = p.extension().string();
  const std::string name = p.filename().string();
  return ext == ".cpp" || ext == ".hpp" || ext == ".sh" || ext == ".py" || ext == ".cmake" ||
         name == "CMakeLists.txt";
}

TEST(License, EverySourceScriptAndCMakeFileHasAnSpdxLine) {
  const fs::path top = REPLICATE_SOURCE_DIR;
  ASSERT_FALSE(source_file("LICENSE").empty()) << "LICENSE is missing";
  EXPECT_NE(source_file("LICENSE").find("Apache License"), std::string::npos);
  int checked = 0;
  for (const char* dir : {"src", "tests", "scripts", "bench", "packaging"}) {
    for (auto it = fs::recursive_directory_iterator(top / dir); it != fs::recursive_directory_iterator(); ++it) {
      const auto& e = *it;
      // Installed packages (npm's) and a bench's generated files are not ours.
      const std::string name = e.path().filename().string();
      if (e.is_directory() && (name == "node_modules" || name == ".run")) {
        it.disable_recursion_pending();
        continue;
      }
      if (!e.is_regular_file() || !ours(e.path())) continue;
      std::ifstream in(e.path());
      std::string first, second;
      std::getline(in, first);
      std::getline(in, second);
      const std::string line = first.rfind("#!", 0) == 0 ? second : first;
      ++checked;
      EXPECT_NE(line.find("SPDX-License-Identifier: Apache-2.0"), std::string::npos)
          << fs::relative(e.path(), top).string() << ": the first line (after a shebang) is not the SPDX line";
    }
  }
  for (const char* f : {"CMakeLists.txt", ".ci/run", "packaging/bash-completion/replicate",
                        "packaging/systemd/replicate@.service", "packaging/systemd/replicate@.timer"}) {
    const std::string text = source_file(f);
    EXPECT_NE(text.substr(0, 200).find("SPDX-License-Identifier: Apache-2.0"), std::string::npos) << f;
  }
  EXPECT_GT(checked, 100) << "too few files found under " << top;
}

}  // namespace
}  // namespace replicate::test
