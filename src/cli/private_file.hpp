// SPDX-License-Identifier: Apache-2.0
// Files replicate writes for the user (--report): never through a symbolic link, never
// half-written, readable by the owner only since they may hold row data (sample keys).
#pragma once

#include <string>

namespace replicate::cli {

/// Why `path` cannot take a file we write (it is a symbolic link, a directory, its folder
/// is missing), or "" when it can. Checked before the work starts, so a bad --report
/// fails in a second and not after an hour of copying.
std::string unwritable_reason(const std::string& path);

/// Writes `text` to `path`: a new file of mode 0600 created with O_EXCL in the same folder,
/// synced and renamed over `path`. A symbolic link at `path` is refused, never followed
/// (and rename replaces a link that appears meanwhile instead of writing through it).
/// Throws std::runtime_error naming the path.
void write_private_file(const std::string& path, const std::string& text);

/// The same with another mode (e.g. 0644 for a metrics textfile others read). The temporary
/// name starts with a dot, so collectors that read `*.prom` never see it half-written.
void write_file_atomically(const std::string& path, const std::string& text, unsigned mode);

}  // namespace replicate::cli
