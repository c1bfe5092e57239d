// SPDX-License-Identifier: Apache-2.0
// The command line: CLI11 front end, exit codes, output. No business logic here.
#pragma once

namespace replicate::cli {

/// Parse arguments, run the chosen command, return the process exit code.
int main(int argc, char** argv);

}  // namespace replicate::cli
