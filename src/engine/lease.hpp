// SPDX-License-Identifier: Apache-2.0
// How long a silent host keeps a chunk: the target session settings and socket options
// that make a lost peer noticed in seconds, on both ends of a connection.
#pragma once

#include <string>

#include "source/connection.hpp"

namespace replicate::engine {

/// Session settings for a target connection that holds chunks: the server ends the
/// session of a peer it has not heard from for about `lease_seconds` (TCP keepalives,
/// tcp_user_timeout), or that stays idle inside a chunk's transaction for 4 leases, which
/// releases the chunk's row lock. One SET statement; empty settings for none.
std::string lease_session_sql(int lease_seconds);

/// The same on this side: keepalives and TCP_USER_TIMEOUT on the connection's socket, so
/// a process cut off from the target gets an error instead of waiting for hours. Nothing
/// for a Unix-domain socket, which cannot be cut off.
void set_lease_socket_options(source::Connection& target, int lease_seconds);

}  // namespace replicate::engine
