// SPDX-License-Identifier: Apache-2.0
// docs/replicate.1 against the binary's --help: every subcommand and every option (each
// form) is documented where it belongs, the exit codes are README's, and groff renders the
// page without a warning. A new option without a line in the man page fails here.
#include <gtest/gtest.h>

#include <regex>

#include "packaging/packaging_support.hpp"

namespace replicate::test {
namespace {

/// The man page as a reader sees the words: `\-` as `-`, font changes dropped.
std::string plain_man_page() {
  std::string text = source_file("docs/replicate.1");
  text = std::regex_replace(text, std::regex(R"(\\-)"), "-");
  return std::regex_replace(text, std::regex(R"(\\f[BIRP])"), "");
}

/// The lines of `text` from the line starting with `heading` to the next line starting with
/// `.SH` (or `.SS` when `heading` is a `.SS`); empty when there is no such heading.
std::string section(const std::string& text, const std::string& heading) {
  std::istringstream lines(text);
  std::string out;
  bool inside = false;
  const bool subsection = heading.rfind(".SS", 0) == 0;
  for (std::string line; std::getline(lines, line);) {
    if (inside && (line.rfind(".SH", 0) == 0 || (subsection && line.rfind(".SS", 0) == 0))) break;
    if (line == heading) inside = true;
    if (inside) out += line + "\n";
  }
  return out;
}

/// `option` as a word of `text`: `-w` is not found inside `--workers`.
bool mentions(const std::string& text, const std::string& option) {
  const std::string quoted = std::regex_replace(option, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)");
  return std::regex_search(text, std::regex("(^|[\\s,|\\[(])" + quoted + "($|[\\s,|\\])])"));
}

HelpText help_of(const std::string& subcommand) {
  const auto r = run_command(shell_quote(REPLICATE_BINARY) + (subcommand.empty() ? "" : " " + subcommand) + " --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return parse_help(r.output);
}

TEST(ManPage, HasEverySection) {
  const std::string page = source_file("docs/replicate.1");
  ASSERT_FALSE(page.empty()) << "docs/replicate.1 is missing";
  for (const char* s : {"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT",
                        "FILES", "EXAMPLES", "SEE ALSO"})
    EXPECT_FALSE(section(page, std::string(".SH ") + s).empty()) << "docs/replicate.1 has no .SH " << s;
}

TEST(ManPage, DocumentsEveryGlobalOption) {
  const auto help = help_of("");
  ASSERT_FALSE(help.options.empty()) << "no option read from replicate --help";
  const std::string options = section(plain_man_page(), ".SH OPTIONS");
  for (const auto& o : help.options)
    EXPECT_TRUE(mentions(options, o)) << "replicate --help lists " << o << "; docs/replicate.1 (OPTIONS) does not";
}

TEST(ManPage, DocumentsEverySubcommandAndItsOptions) {
  const auto help = help_of("");
  ASSERT_GE(help.subcommands.size(), 6u) << "subcommands read from replicate --help: too few";
  const std::string page = plain_man_page();
  for (const auto& sub : help.subcommands) {
    const std::string text = section(page, ".SS " + sub);
    EXPECT_FALSE(text.empty()) << "replicate --help lists subcommand " << sub
                               << "; docs/replicate.1 has no '.SS " << sub << "' under COMMANDS";
    for (const auto& o : help_of(sub).options)
      EXPECT_TRUE(mentions(text, o)) << "replicate " << sub << " --help lists " << o
                                     << "; docs/replicate.1 (.SS " << sub << ") does not";
  }
}

TEST(ManPage, ExitStatusIsReadmesTable) {
  const std::string readme = source_file("README.md");
  const auto table = readme.find("## Exit codes");
  ASSERT_NE(table, std::string::npos) << "README.md has no '## Exit codes'";
  const std::string exit_status = section(plain_man_page(), ".SH EXIT STATUS");
  const std::regex row(R"(\n\| (\d+) \|)");
  int codes = 0;
  for (std::sregex_iterator it(readme.begin() + table, readme.end(), row), end; it != end; ++it) {
    ++codes;
    EXPECT_NE(exit_status.find(".B " + (*it)[1].str() + "\n"), std::string::npos)
        << "exit code " << (*it)[1] << " is in README.md, not in docs/replicate.1's EXIT STATUS";
  }
  EXPECT_GE(codes, 6) << "exit codes read from README.md: too few";
}

TEST(ManPage, RendersWithoutWarnings) {
  if (run_command("command -v groff").exit_code != 0)
    GTEST_SKIP() << "SKIPPED: groff is not installed (Debian package groff-base); the man page was not rendered";
  const auto r = run_command("groff -ww -man -z " + shell_quote(std::string(REPLICATE_SOURCE_DIR) + "/docs/replicate.1"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "") << "groff warns about docs/replicate.1";
}

}  // namespace
}  // namespace replicate::test
