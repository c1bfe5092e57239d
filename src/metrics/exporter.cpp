// SPDX-License-Identifier: Apache-2.0
// The HTTP endpoint, the textfile and the Pushgateway client.
#include "metrics/exporter.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cli/private_file.hpp"

namespace replicate::metrics {

namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

/// scheme://authority and the path after it (no trailing slash), or nullopt.
std::optional<std::pair<std::string, std::string>> split_url(const std::string& url) {
  static const std::regex re(R"(^(https?://[^/?#@\s]+)(/[^?#\s]*)?$)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(url, m, re)) return std::nullopt;
  std::string path = m[2].str();
  while (!path.empty() && path.back() == '/') path.pop_back();
  return std::make_pair(m[1].str(), path);
}

/// A grouping-key label value as a path segment: as it is when it is plain, else the
/// Pushgateway's `@base64` form (URL-safe alphabet), which takes any value.
std::string grouping_segment(const std::string& label, const std::string& value) {
  const bool plain = !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
  if (plain) return label + "/" + value;
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < value.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(value[i]) << 16) | (static_cast<unsigned char>(value[i + 1]) << 8) |
                       static_cast<unsigned char>(value[i + 2]);
    for (int s : {18, 12, 6, 0}) out += alphabet[(n >> s) & 63];
  }
  if (i + 1 == value.size()) {
    const unsigned n = static_cast<unsigned char>(value[i]) << 16;
    out += std::string{alphabet[(n >> 18) & 63], alphabet[(n >> 12) & 63]} + "==";
  } else if (i + 2 == value.size()) {
    const unsigned n = (static_cast<unsigned char>(value[i]) << 16) | (static_cast<unsigned char>(value[i + 1]) << 8);
    out += std::string{alphabet[(n >> 18) & 63], alphabet[(n >> 12) & 63], alphabet[(n >> 6) & 63]} + "=";
  }
  return label + "@base64/" + (out.empty() ? "=" : out);
}

}  // namespace

struct Server::Impl {
  httplib::Server http;
  std::thread thread;
  std::atomic<bool> ended{false};  // listen_after_bind returned
};

Server::Server(const Registry& registry, const ListenAddress& address) : impl_(std::make_unique<Impl>()) {
  auto& http = impl_->http;
  // Two threads answer: a scrape is cheap, and the copy needs the cores. One request per
  // connection, so that a socket is never held open across a worker's fork.
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  http.set_keep_alive_max_count(1);
  // httplib's default adds SO_REUSEPORT, with which a second process binds a port in use
  // and takes half its scrapes: only SO_REUSEADDR (a restart binds at once), and no
  // inheritance by the workers.
  http.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
  });
  http.Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.render(), kContentType);
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("replicate: metrics are at /metrics\n", "text/plain; charset=utf-8");
  });
  port_ = address.port == 0 ? http.bind_to_any_port(address.host) : (http.bind_to_port(address.host, address.port)
                                                                         ? address.port
                                                                         : -1);
  if (port_ <= 0)
    throw std::runtime_error("cannot listen on " + address.str() + " (" +
                             (errno ? std::string(std::strerror(errno)) : std::string("address not available")) +
                             "); choose another address or port");
  impl_->thread = std::thread([this] {
    impl_->http.listen_after_bind();
    impl_->ended = true;
  });
}

Server::~Server() {
  // stop() is a no-op until the server thread is listening, which would then never end.
  while (!impl_->http.is_running() && !impl_->ended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->http.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void write_textfile(const std::string& path, const std::string& text) {
  // Readable by node_exporter's user; written aside and renamed, never through a link.
  cli::write_file_atomically(path, text, 0644);
}

std::string push_url_problem(const std::string& url) {
  if (!split_url(url))
    return "'" + url + "' is not a Pushgateway URL: http://HOST:PORT or https://HOST:PORT, optionally with a path "
           "(no user, query or fragment)";
  return "";
}

std::string push(const std::string& url, const std::string& mapping, const std::string& text) {
  const auto parts = split_url(url);
  if (!parts) return push_url_problem(url);
  httplib::Client client(parts->first);
  if (!client.is_valid()) return "cannot use " + parts->first;
  client.set_connection_timeout(10);
  client.set_read_timeout(30);
  client.set_write_timeout(30);
  const std::string path = parts->second + "/metrics/job/replicate/" + grouping_segment("mapping", mapping);
  auto res = client.Put(path, text, kContentType);
  if (!res) return "cannot push to " + url + ": " + httplib::to_string(res.error());
  if (res->status / 100 != 2)
    return "the Pushgateway at " + url + " answered " + std::to_string(res->status) + ": " +
           res->body.substr(0, 300);
  return "";
}

}  // namespace replicate::metrics
