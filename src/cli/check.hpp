// SPDX-License-Identifier: Apache-2.0
// `replicate check FILE`: connections, servers, encryption, matched tables and the
// privileges a run needs, tried without changing anything.
#pragma once

#include "config/mapping.hpp"

namespace replicate::cli {

/// Prints what it finds for mapping `m`; exit 0 when a run has all it needs, 3 when a
/// privilege or table is missing (a connection failure throws, as for other commands).
int check_mapping(const config::Mapping& m);

}  // namespace replicate::cli
