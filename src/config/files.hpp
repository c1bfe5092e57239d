// SPDX-License-Identifier: Apache-2.0
// Reading the files a mapping names (the mapping itself, ${file:PATH} secrets) with a
// bound: a device, a named pipe or a huge file is refused, never read until memory ends.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace replicate::config {

struct FileText {
  std::optional<std::string> text;  // the whole file, when it could be read
  std::string reason;               // why not: "No such file or directory", "it is a directory", ...
  bool refused = false;             // not a regular file, or larger than the limit
};

/// The contents of the regular file at `path`, of at most `max_bytes`. A read error is
/// an error, never a shorter text; a named pipe is refused without waiting for a writer.
FileText read_regular_file(const std::string& path, std::size_t max_bytes);

/// "N MiB" (or "N KiB") for messages about `bytes`.
std::string size_words(std::size_t bytes);

/// Offset of the first byte of `s` that is not part of well-formed UTF-8 (overlong forms,
/// surrogates and code points past U+10FFFF included), or npos.
std::size_t invalid_utf8_at(std::string_view s);

}  // namespace replicate::config
