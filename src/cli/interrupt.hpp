// SPDX-License-Identifier: Apache-2.0
// SIGINT and SIGTERM outside the copy phase: the process ends at once with exit code 4,
// after writing what was prepared for that moment (a log line, the --report file).
#pragma once

#include <string>

namespace replicate::cli {

/// Stands for the time of the signal in prepared text (RFC 3339, as util::timestamp_now).
inline constexpr const char* kSignalTime = "@@SIGNAL_TIME@@";
/// Stands for the signal's name (SIGINT or SIGTERM) in prepared text.
inline constexpr const char* kSignalName = "@@SIGNAL_NAME@@";

struct InterruptOutput {
  std::string log;          // written on stderr
  std::string report_path;  // "" for none
  std::string report;       // the file's content
};

/// What the handler writes from now on. Called whenever it changes (a mapping starts, a copy
/// ends): the handler itself only copies bytes, which is all a signal handler may do.
void set_interrupt_output(const InterruptOutput& output);

/// The default output: an error line naming the signal, in the log format.
InterruptOutput default_interrupt_output();

/// SIGINT and SIGTERM end the process at once with exit code 4, whatever it is waiting
/// for (a catalog query, a lock, a checksum). The copy phase replaces this with its own
/// handling (finish the chunks in flight), and gives the default back when it ends.
void exit_on_interrupts();

/// From here on SIGINT and SIGTERM wait (for ever): the final report is being written with
/// the real exit code, and a signal must not replace it with a prepared one.
void hold_interrupts();

}  // namespace replicate::cli
