// SPDX-License-Identifier: Apache-2.0
// The address /metrics is served on (--metrics-listen, `metrics: listen:`), checked
// when the mapping loads rather than when the server starts.
#pragma once

#include <optional>
#include <string>

namespace replicate::metrics {

/// HOST:PORT to listen on. HOST is a name, an IPv4 address or a [bracketed] IPv6
/// address; empty means every interface. PORT 0 takes a free port.
struct ListenAddress {
  std::string host;
  int port = 0;
  std::string str() const;
};

/// The address `text` names, or nullopt with `why` saying what is wrong.
std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string& why);

}  // namespace replicate::metrics
