// SPDX-License-Identifier: Apache-2.0
// Where the registry goes: served over HTTP while a run is going (--metrics-listen),
// written for node_exporter's textfile collector (--metrics-textfile), pushed to a
// Pushgateway (--metrics-push). HTTP is cpp-httplib's.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "metrics/listen_address.hpp"
#include "metrics/registry.hpp"

namespace replicate::metrics {

/// Serves GET /metrics (the registry's text) from a thread of its own until destroyed.
class Server {
 public:
  /// Binds at once: throws std::runtime_error naming the address when it cannot.
  Server(const Registry& registry, const ListenAddress& address);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  /// The port bound (the one chosen when the address said 0).
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

/// Writes `text` to `path` as node_exporter's textfile collector wants it: a new file of
/// mode 0644 in the same folder, synced, renamed over `path` (never a half-written file).
/// Throws std::runtime_error naming the path.
void write_textfile(const std::string& path, const std::string& text);

/// Why `url` is no Pushgateway URL we can push to (http:// or https://, a host), or "".
std::string push_url_problem(const std::string& url);

/// PUTs `text` to URL/metrics/job/replicate/mapping/<mapping>, replacing that group's
/// metrics. Returns "" when the Pushgateway took it, else what went wrong.
std::string push(const std::string& url, const std::string& mapping, const std::string& text);

}  // namespace replicate::metrics
