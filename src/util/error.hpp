// SPDX-License-Identifier: Apache-2.0
// Errors that carry what a caller needs to decide: the side, the kind (so retry
// policy is decided once), the SQLSTATE, and context added as they travel up.
#pragma once

#include <stdexcept>
#include <string>

namespace replicate::util {

enum class ErrorKind {
  connection,  // lost or refused connection: retry
  transient,   // deadlock, serialization failure, timeout: retry
  constraint,  // unique/not-null/check violation
  data,        // a value the target refuses
  permission,
  missing,     // table or column not found
  internal,
};

const char* to_string(ErrorKind k);
bool is_retryable(ErrorKind k);

/// An error from a database, classified.
class DbError : public std::runtime_error {
 public:
  DbError(ErrorKind kind, std::string side, std::string message, std::string sqlstate = "");
  ErrorKind kind() const { return kind_; }
  const std::string& side() const { return side_; }
  const std::string& sqlstate() const { return sqlstate_; }
  bool retryable() const { return is_retryable(kind_); }
  /// Prefix context ("while copying dbo.x chunk 3/8"); keeps kind and state.
  void add_context(const std::string& context);
  const char* what() const noexcept override { return full_.c_str(); }

 private:
  ErrorKind kind_;
  std::string side_;
  std::string sqlstate_;
  std::string full_;
};

/// `message` without the row content a database error may quote: the value and line
/// in a COPY context ("COPY t, line 3, column cpf: \"123...\""), the row of a
/// "Failing row contains (...)" detail, the values of "Key (a)=(...)", and a value a
/// type's input function quotes ("invalid input syntax for type integer: \"x\"").
/// What happened and where stay. For logs and state; rejects keep the row, in the target.
std::string without_row_data(const std::string& message);

/// Classify a SQLSTATE (5 characters) into a kind.
ErrorKind classify_sqlstate(const std::string& sqlstate);

/// Named process exit codes.
enum ExitCode : int {
  exit_ok = 0,
  exit_table_failed = 1,
  exit_config = 2,
  exit_connect = 3,
  exit_interrupted = 4,
  exit_internal = 5,
};

}  // namespace replicate::util
