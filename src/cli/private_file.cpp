// SPDX-License-Identifier: Apache-2.0
// Writing report files safely: temp file in the same folder + rename, mode 0600.
#include "cli/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace replicate::cli {

namespace {

std::string folder_of(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

std::string unwritable_reason(const std::string& path) {
  if (path.empty()) return "the file name is empty";
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) return "it is a symbolic link, which replicate never writes through";
    if (S_ISDIR(st.st_mode)) return "it is a directory";
    if (!S_ISREG(st.st_mode)) return "it is not a regular file";
  } else if (errno != ENOENT) {
    return std::strerror(errno);
  }
  struct stat dir {};
  const std::string folder = folder_of(path);
  if (::stat(folder.c_str(), &dir) != 0) return "its folder " + folder + ": " + std::strerror(errno);
  if (!S_ISDIR(dir.st_mode)) return "its folder " + folder + " is not a directory";
  if (::access(folder.c_str(), W_OK | X_OK) != 0) return "its folder " + folder + ": " + std::strerror(errno);
  return "";
}

void write_file_atomically(const std::string& path, const std::string& text, unsigned mode) {
  auto failed = [&](const std::string& why) {
    return std::runtime_error("cannot write " + path + " (" + why + ")");
  };
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
    throw failed("it is a symbolic link, which replicate never writes through");
  const std::string name = std::filesystem::path(path).filename().string();
  std::string temp = folder_of(path) + "/." + name + ".XXXXXX";
  std::vector<char> buf(temp.begin(), temp.end());
  buf.push_back('\0');
  // mkstemp: O_CREAT | O_EXCL, mode 0600; it never opens an existing file or link.
  const int fd = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) throw failed(std::strerror(errno));
  temp.assign(buf.data());
  auto abandon = [&](const std::string& why) {
    ::close(fd);
    ::unlink(temp.c_str());
    return failed(why);
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw abandon(std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  // mkstemp made it 0600 and the umask does not apply: the mode is exactly `mode`.
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0 || ::fsync(fd) != 0) throw abandon(std::strerror(errno));
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    throw failed(std::strerror(errno));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw failed(std::strerror(err));
  }
}

void write_private_file(const std::string& path, const std::string& text) { write_file_atomically(path, text, 0600); }

}  // namespace replicate::cli
