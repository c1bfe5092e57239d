// SPDX-License-Identifier: Apache-2.0
#include "engine/lease.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

namespace replicate::engine {

namespace {

struct Timers {
  int idle, interval, count, user_timeout_ms;
};

/// Keepalives start after a third of the lease and give up after three probes a ninth of
/// it apart: a silent peer is dropped after about two thirds of the lease; data sent and
/// not acknowledged for the whole lease (tcp_user_timeout) ends it too.
Timers timers(int lease_seconds) {
  const int lease = std::max(3, lease_seconds);
  return {std::max(1, lease / 3), std::max(1, lease / 9), 3, lease * 1000};
}

}  // namespace

std::string lease_session_sql(int lease_seconds) {
  const Timers t = timers(lease_seconds);
  // set_config(..., false): for the session. idle_in_transaction_session_timeout covers a
  // process that is frozen (stopped, swapped out) while its kernel still answers probes.
  return fmt::format(
      "SELECT set_config('tcp_keepalives_idle', '{}', false), set_config('tcp_keepalives_interval', '{}', false), "
      "set_config('tcp_keepalives_count', '{}', false), set_config('tcp_user_timeout', '{}', false), "
      "set_config('idle_in_transaction_session_timeout', '{}', false)",
      t.idle, t.interval, t.count, t.user_timeout_ms, 4 * std::max(3, lease_seconds) * 1000);
}

void set_lease_socket_options(source::Connection& target, int lease_seconds) {
  PGconn* conn = target.native_pg();
  if (!conn) return;
  const int fd = PQsocket(conn);
  if (fd < 0) return;
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
  if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) return;
  const Timers t = timers(lease_seconds);
  const int on = 1;
  unsigned int user_timeout = static_cast<unsigned int>(t.user_timeout_ms);
  // Best effort: a socket that refuses an option keeps the system's default for it.
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &t.idle, sizeof t.idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &t.interval, sizeof t.interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &t.count, sizeof t.count);
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
}

}  // namespace replicate::engine
