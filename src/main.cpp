// SPDX-License-Identifier: Apache-2.0
// replicate: the thin entry point; everything else lives in the core library.
#include "cli/cli.hpp"
#include "source/connection.hpp"

int main(int argc, char** argv) {
  replicate::source::prepare_process();
  return replicate::cli::main(argc, argv);
}
