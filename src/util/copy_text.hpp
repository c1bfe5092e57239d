// SPDX-License-Identifier: Apache-2.0
// COPY text format primitives, shared by the COPY writer and by cursors that encode
// rows for it directly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace replicate::util {

/// Write `in[0, n)` escaped for COPY text format at `out`, which has room for 2n
/// bytes; returns the end of what was written.
char* copy_escaped(char* out, const char* in, std::size_t n);

/// Append `value` to `out` escaped for COPY text format.
void append_copy_escaped(std::string& out, const std::string& value);

/// True when `in[0, n)` needs no escaping (the common case), checked a word at a time.
bool copy_clean(const char* in, std::size_t n);

/// One field of a COPY text line back to its value (a NULL, \N, is to be tested first).
std::string copy_unescaped(std::string_view field);

/// True when `value` is text PostgreSQL can hold: valid UTF-8 without a NUL byte.
bool is_pg_text(std::string_view value);

/// Append `value` escaped for COPY text format, and besides every byte that is not
/// part of valid UTF-8, and every NUL, as COPY's \xNN escape: the result is valid
/// text whatever the value holds, and COPY's own rules read the bytes back.
void append_copy_escaped_bytes(std::string& out, std::string_view value);

}  // namespace replicate::util
