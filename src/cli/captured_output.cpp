// SPDX-License-Identifier: Apache-2.0
// stdout is pointed at an unlinked temporary file while the command runs; the commands
// themselves stay as they are, printing text for people.
#include "cli/captured_output.hpp"

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "util/log.hpp"

namespace replicate::cli {

int with_output_as_event(const std::string& action, const std::function<int()>& body) {
  if (!util::log_json()) return body();
  std::fflush(stdout);
  FILE* temp = std::tmpfile();
  const int saved = temp ? ::dup(STDOUT_FILENO) : -1;
  if (saved < 0 || ::dup2(::fileno(temp), STDOUT_FILENO) < 0) {
    if (temp) std::fclose(temp);
    if (saved >= 0) ::close(saved);
    return body();  // nothing captured: the lines are the command's own
  }
  struct Restore {
    int saved;
    FILE* temp;
    ~Restore() {
      std::fflush(stdout);
      ::dup2(saved, STDOUT_FILENO);
      ::close(saved);
    }
  };
  int rc = 0;
  {
    Restore restore{saved, temp};
    rc = body();
  }
  std::string text;
  std::rewind(temp);
  char buf[65536];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, temp)) > 0;) text.append(buf, n);
  std::fclose(temp);
  if (text.empty()) return rc;
  nlohmann::json fields = nlohmann::json::object();
  const auto data = nlohmann::json::parse(text, nullptr, false);
  if (!data.is_discarded()) fields["data"] = data;
  util::log_output(action, text, fields);
  return rc;
}

}  // namespace replicate::cli
