// SPDX-License-Identifier: Apache-2.0
// packaging/bash-completion/replicate, sourced in bash and called as bash calls it
// (COMP_WORDS, COMP_CWORD, then COMPREPLY read back): subcommands, every option each
// subcommand's --help lists, option values, mapping files, and table names after --tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "packaging/packaging_support.hpp"

namespace replicate::test {
namespace {

namespace fs = std::filesystem;

class Completion : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command("command -v bash").exit_code != 0) GTEST_SKIP() << "SKIPPED: no bash";
    char dir_template[] = "/tmp/replicate-completion.XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    fs::create_directory(dir_ / "maps");
    std::ofstream(dir_ / "notes.txt") << "not a mapping\n";
    std::ofstream(dir_ / "other.yml") << "version: 1\n";
    std::ofstream(dir_ / "bi.yaml") << R"(version: 1
source:
  driver: sqlite
  connection: "${env:SAMPLE}"
target:
  driver: postgresql
  connection: "dbname=x"
defaults:
  workers: 2
tables:
  - source: dbo.bi_credores   # the main table
    target: public.bi_credores
    columns:
      - source: CPF
        target: cpf
  - {source: "dbo.pagamentos", target: public.pagamentos}
  - include: ["dbo.bi_*"]
    target: "public.{table}"
  - target: public.acordos
    source: 'dbo.acordos'
)";
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  /// COMPREPLY for the words typed, word `cword` being completed (by default the last),
  /// in the test directory.
  std::set<std::string> complete(const std::vector<std::string>& words, int cword = -1) {
    std::string array;
    for (const auto& w : words) array += " " + shell_quote(w);
    const std::string script = "source " + shell_quote(std::string(REPLICATE_SOURCE_DIR) +
                                                       "/packaging/bash-completion/replicate") +
                               " && cd " + shell_quote(dir_) + " && COMP_WORDS=(" + array + ") && COMP_CWORD=" +
                               std::to_string(cword < 0 ? words.size() - 1 : cword) + " && _replicate && printf '%s\\n' \"${COMPREPLY[@]}\"";
    const auto r = run_command("bash --norc --noprofile -c " + shell_quote(script));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::set<std::string> out;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) out.insert(line);
    return out;
  }

  fs::path dir_;
};

using Set = std::set<std::string>;

TEST_F(Completion, SubcommandsAndMappingFilesFirst) {
  EXPECT_EQ(complete({"replicate", ""}),
            (Set{"run", "validate", "check", "plan", "verify", "status", "scale", "throttle", "sample", "bi.yaml", "other.yml", "maps"}));
  EXPECT_EQ(complete({"replicate", "v"}), (Set{"validate", "verify"}));
  EXPECT_EQ(complete({"replicate", "plan", ""}), (Set{"bi.yaml", "other.yml", "maps"}));
  EXPECT_EQ(complete({"replicate", "-w", "4", "b"}), (Set{"bi.yaml"}));
}

TEST_F(Completion, EveryOptionOfEverySubcommandsHelp) {
  const auto top = run_command(shell_quote(REPLICATE_BINARY) + " --help");
  ASSERT_EQ(top.exit_code, 0) << top.output;
  const auto help = parse_help(top.output);
  ASSERT_FALSE(help.subcommands.empty());
  const auto offered = complete({"replicate", "-"});
  for (const auto& o : help.options) EXPECT_TRUE(offered.count(o)) << "replicate -<TAB> does not offer " << o;
  for (const auto& sub : help.subcommands) {
    const auto r = run_command(shell_quote(REPLICATE_BINARY) + " " + sub + " --help");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto sub_offered = complete({"replicate", sub, "-"});
    for (const auto& o : parse_help(r.output).options)
      EXPECT_TRUE(sub_offered.count(o)) << "replicate " << sub << " -<TAB> does not offer " << o;
    EXPECT_TRUE(complete({"replicate", sub.substr(0, 3)}).count(sub)) << sub;
  }
}

TEST_F(Completion, OptionValues) {
  EXPECT_EQ(complete({"replicate", "--log-format", ""}), (Set{"text", "json"}));
  EXPECT_EQ(complete({"replicate", "verify", "--source-hashing", "s"}), (Set{"source"}));
  EXPECT_EQ(complete({"replicate", "sample", "--rows", ""}), Set{});
  EXPECT_EQ(complete({"replicate", "sample", "--output", "no"}), (Set{"notes.txt"}));
  EXPECT_EQ(complete({"replicate", "run", "--mode", ""}), (Set{"full", "append", "incremental", "mirror"}));
  EXPECT_EQ(complete({"replicate", "--mode", "i"}), (Set{"incremental"}));
  // --mode's value is no subcommand: plan's options after it would be run's.
  EXPECT_EQ(complete({"replicate", "run", "--mode", "full", "--t"}), (Set{"--tables"}));
}

TEST_F(Completion, TableNamesOfTheMappingAfterTables) {
  const Set all{"dbo.bi_credores", "dbo.pagamentos", "dbo.acordos"};
  EXPECT_EQ(complete({"replicate", "plan", "bi.yaml", "--tables", ""}), all);
  EXPECT_EQ(complete({"replicate", "bi.yaml", "--tables", "dbo.p"}), (Set{"dbo.pagamentos"}));
  // The mapping may follow, and a list goes on after a comma.
  EXPECT_EQ(complete({"replicate", "--tables", "dbo.bi_credores,dbo.a", "bi.yaml"}, 2),
            (Set{"dbo.bi_credores,dbo.acordos"}));
  EXPECT_EQ(complete({"replicate", "--tables", "dbo.bi_credores,dbo.a"}), Set{}) << "no mapping: nothing";
  EXPECT_EQ(complete({"replicate", "run", "maps/../bi.yaml", "--tables", "dbo.bi_credores,dbo.a"}),
            (Set{"dbo.bi_credores,dbo.acordos"}));
}

}  // namespace
}  // namespace replicate::test
