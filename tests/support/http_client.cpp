// SPDX-License-Identifier: Apache-2.0
#include "support/http_client.hpp"

#include <httplib.h>

namespace replicate::test {

HttpResult http_get(const std::string& host_port, const std::string& path) {
  httplib::Client client("http://" + host_port);
  client.set_connection_timeout(10);
  client.set_read_timeout(10);
  auto res = client.Get(path);
  if (!res) return {0, httplib::to_string(res.error())};
  return {res->status, res->body};
}

}  // namespace replicate::test
