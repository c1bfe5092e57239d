// SPDX-License-Identifier: Apache-2.0
// The mapping files shipped in mappings/ and examples/ must load, not only match the schema:
// the loader also checks duplicates, keys and placeholders. Unset ${env:...} variables get
// stand-in values for the duration of the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

namespace fs = std::filesystem;

/// Sets variables that are unset and unsets them again on the way out, so tests that look
/// for real servers in the environment (MSSQL_HOST, ...) are not fooled afterwards.
class StandInEnvironment {
 public:
  void add(const std::string& name) {
    if (std::getenv(name.c_str()) != nullptr) return;
    setenv(name.c_str(), ("stand-in-" + name).c_str(), 1);
    added_.push_back(name);
  }
  ~StandInEnvironment() {
    for (const auto& name : added_) unsetenv(name.c_str());
  }

 private:
  std::vector<std::string> added_;
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(ConfigProjectFiles, MappingsAndExamplesLoad) {
  std::vector<std::string> files;
  for (const char* dir : {"/mappings", "/examples"}) {
    const std::string root = std::string(REPLICATE_SOURCE_DIR) + dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
      // Only mapping files: other YAML (a Kubernetes manifest, say) has no top-level tables:.
      if (std::regex_search(read(e.path().string()), std::regex("(^|\n)tables:")))
        files.push_back(e.path().string());
    }
  }
  ASSERT_FALSE(files.empty()) << "no mapping files in mappings/ or examples/";
  std::sort(files.begin(), files.end());

  StandInEnvironment env;
  const std::regex placeholder(R"(\$\{env:([A-Za-z_][A-Za-z0-9_]*)\})");
  for (const auto& f : files) {
    const std::string text = read(f);
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it)
      env.add((*it)[1].str());
  }
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    // Editors find the schema through the first line (yaml-language-server), relative
    // to the file so that it works in a checkout and in /usr/share/doc alike.
    const std::string text = read(f);
    const std::string first = text.substr(0, text.find('\n'));
    const auto at = first.find("# yaml-language-server: $schema=");
    EXPECT_EQ(at, 0u) << "first line: " << first;
    if (at == 0) {
      const fs::path schema = fs::path(f).parent_path() / first.substr(std::string("# yaml-language-server: $schema=").size());
      EXPECT_TRUE(fs::exists(schema)) << schema;
    }
    try {
      const Mapping m = load_mapping(f);
      EXPECT_FALSE(m.tables.empty());
    } catch (const ConfigError& e) {
      ADD_FAILURE() << e.what();
    }
  }
}

// The mappings shown in the documentation are examples too: each YAML block that is a
// mapping (a 'tables:' line at its left margin) starts with the line editors read.
TEST(ConfigProjectFiles, DocumentedMappingsNameTheSchema) {
  std::vector<std::string> docs = {std::string(REPLICATE_SOURCE_DIR) + "/README.md"};
  for (const auto& e : fs::recursive_directory_iterator(std::string(REPLICATE_SOURCE_DIR) + "/docs"))
    if (e.is_regular_file() && e.path().extension() == ".md") docs.push_back(e.path().string());
  int mappings = 0;
  for (const auto& doc : docs) {
    std::istringstream in(read(doc));
    std::vector<std::string> block;
    bool inside = false;
    int line_no = 0, start = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      if (!inside && (line == "```yaml" || line == "```yml")) {
        inside = true;
        start = line_no;
        block.clear();
      } else if (inside && line.rfind("```", 0) == 0) {
        inside = false;
        if (std::none_of(block.begin(), block.end(), [](const auto& l) { return l.rfind("tables:", 0) == 0; }))
          continue;
        ++mappings;
        EXPECT_EQ(block.front().rfind("# yaml-language-server: $schema=", 0), 0u)
            << doc << ":" << start + 1 << ": a mapping example starts with '# yaml-language-server: $schema=...'";
      } else if (inside) {
        block.push_back(line);
      }
    }
  }
  EXPECT_GE(mappings, 1) << "no mapping example in README.md or docs/";
}

}  // namespace
}  // namespace replicate::config
