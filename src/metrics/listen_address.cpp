// SPDX-License-Identifier: Apache-2.0
// HOST:PORT, [IPv6]:PORT or :PORT.
#include "metrics/listen_address.hpp"

#include <charconv>
#include <regex>

namespace replicate::metrics {

std::string ListenAddress::str() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string& why) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    why = "'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:9187, [::1]:9187, or :9187 for every interface)";
    return std::nullopt;
  }
  ListenAddress a;
  a.host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  } else if (a.host.find(':') != std::string::npos) {
    why = "'" + text + "': write an IPv6 address in brackets, e.g. [::1]:9187";
    return std::nullopt;
  }
  static const std::regex host_re(R"(^[A-Za-z0-9._:-]*$)");
  if (!std::regex_match(a.host, host_re)) {
    why = "'" + text + "': '" + a.host + "' is no host name or address";
    return std::nullopt;
  }
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || a.port < 0 || a.port > 65535) {
    why = "'" + text + "': the port '" + port + "' is not a number from 0 to 65535";
    return std::nullopt;
  }
  if (a.host.empty()) a.host = "0.0.0.0";
  return a;
}

}  // namespace replicate::metrics
