// SPDX-License-Identifier: Apache-2.0
// Helpers for the packaging tests: run a shell command, read a file of the repository.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace replicate::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr, interleaved
};

/// Runs `command` with /bin/sh, stderr joined to stdout.
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

/// A file of the source tree, relative to its top; empty when it cannot be read.
inline std::string source_file(const std::string& relative) {
  std::ifstream in(std::string(REPLICATE_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// What a CLI11 `--help` lists: options (each form, `-w` and `--workers`) and subcommands.
struct HelpText {
  std::vector<std::string> options;
  std::vector<std::string> subcommands;
};

/// Reads the "Options:" and "Subcommands:" blocks of CLI11's help text.
inline HelpText parse_help(const std::string& help) {
  HelpText h;
  enum class Block { other, options, subcommands } block = Block::other;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (line == "Options:") block = Block::options;
    else if (line == "Subcommands:") block = Block::subcommands;
    else if (line.empty() || line[0] != ' ') block = Block::other;
    else if (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      const std::string first = line.substr(2, line.find(' ', 2) - 2);
      if (block == Block::subcommands) h.subcommands.push_back(first);
      if (block == Block::options && first[0] == '-') {
        std::istringstream forms(first);
        for (std::string form; std::getline(forms, form, ',');) h.options.push_back(form);
      }
    }
  }
  return h;
}

/// `s` quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace replicate::test
