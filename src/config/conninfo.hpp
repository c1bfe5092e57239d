// SPDX-License-Identifier: Apache-2.0
// libpq's own reading of a keyword/value or URI connection string, for the loader
// (is it valid?) and the redaction (is it libpq style?). Parsing only: nothing connects.
#pragma once

#include <optional>
#include <string>

namespace replicate::config {

/// Why libpq cannot parse `conninfo`, in words that quote none of it (libpq's own message
/// quotes the text around the fault, which may be part of a password); nullopt when it parses.
std::optional<std::string> libpq_parse_problem(const std::string& conninfo);

/// `v` percent-encoded for any part of a URI: every byte but A-Z a-z 0-9 - . _ ~ as %XX.
std::string percent_encoded(const std::string& v);

}  // namespace replicate::config
