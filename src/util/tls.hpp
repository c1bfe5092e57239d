// SPDX-License-Identifier: Apache-2.0
// Encryption of database connections: what replicate asks for when a mapping does not
// say (verified TLS to any server not on this machine), and which explicit choices
// are weaker and deserve a warning.
#pragma once

#include <optional>
#include <string>

namespace replicate::util {

/// The libpq connection string (keyword/value or URI) replicate opens: `conninfo` as
/// written, plus `sslmode=verify-full` and, unless named, the system's CA certificates
/// (`sslrootcert=system` from libpq 16, the Debian CA bundle before) when neither it,
/// PGSSLMODE nor a service names an sslmode and some host is not on this machine
/// (localhost, 127.0.0.0/8, ::1 and Unix sockets need no TLS).
std::string pg_conninfo_with_tls(const std::string& conninfo);

/// The ODBC connection string replicate opens. FreeTDS 1.3 ignores Driver 18's
/// `Encrypt=yes` and connects unencrypted: for FreeTDS it becomes `Encryption=require`.
/// Throws std::invalid_argument for `Encrypt=strict`, which FreeTDS 1.3 cannot honour.
std::string odbc_connection_with_tls(const std::string& connection);

/// An explicit setting of `connection` (or, for a libpq string naming no sslmode,
/// PGSSLMODE) that leaves it unencrypted or its certificate unchecked, as written
/// ("sslmode=require", "encrypt=no", ...); nullopt when there is none.
std::optional<std::string> weak_tls_setting(const std::string& connection);

}  // namespace replicate::util
