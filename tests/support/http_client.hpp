// SPDX-License-Identifier: Apache-2.0
// A plain HTTP GET for tests that read what a server answers (/metrics, Prometheus's
// API, a Pushgateway). cpp-httplib underneath, kept out of the other test files.
#pragma once

#include <string>

namespace replicate::test {

struct HttpResult {
  int status = 0;     // 0 when no answer came
  std::string body;   // or, with status 0, what went wrong
};

/// GET http://HOST:PORT + path, waiting at most 10 seconds.
HttpResult http_get(const std::string& host_port, const std::string& path);

}  // namespace replicate::test
