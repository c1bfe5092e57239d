// Classification of database errors, decided once here rather than at each catch.
#include "util/error.hpp"

namespace replicate::util {

const char* to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::connection: return "connection";
    case ErrorKind::transient: return "transient";
    case ErrorKind::constraint: return "constraint";
    case ErrorKind::data: return "data";
    case ErrorKind::permission: return "permission";
    case ErrorKind::missing: return "missing";
    case ErrorKind::internal: return "internal";
  }
  return "internal";
}

bool is_retryable(ErrorKind k) { return k == ErrorKind::connection || k == ErrorKind::transient; }

DbError::DbError(ErrorKind kind, std::string side, std::string message, std::string sqlstate)
    : std::runtime_error(message), kind_(kind), side_(std::move(side)), sqlstate_(std::move(sqlstate)) {
  full_ = side_.empty() ? message : side_ + ": " + message;
}

void DbError::add_context(const std::string& context) { full_ = context + ": " + full_; }

ErrorKind classify_sqlstate(const std::string& s) {
  if (s.size() < 2) return ErrorKind::internal;
  const std::string cls = s.substr(0, 2);
  if (cls == "08" || s == "57P01" || s == "57P02" || s == "57P03" || s == "HYT01" || s == "S1T00")
    return ErrorKind::connection;
  if (s == "40001" || s == "40P01" || s == "55P03" || s == "57014" || s == "HYT00") return ErrorKind::transient;
  if (cls == "23") return ErrorKind::constraint;
  if (cls == "22") return ErrorKind::data;
  if (cls == "42") return s == "42501" ? ErrorKind::permission : ErrorKind::missing;
  if (cls == "28") return ErrorKind::permission;
  if (cls == "53") return ErrorKind::transient;  // insufficient resources: may pass
  return ErrorKind::internal;
}

}  // namespace replicate::util
