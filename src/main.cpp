// replicate: the thin entry point; everything else lives in the core library.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return replicate::cli::main(argc, argv); }
