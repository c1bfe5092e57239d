// SPDX-License-Identifier: Apache-2.0
// The worker side: move one chunk from source to target in one target transaction,
// and the `replicate worker` process loop around it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "plan/plan.hpp"
#include "source/connection.hpp"

namespace replicate::engine {

/// `replicate worker FILE`: read JSON commands on stdin, answer on stdout. Returns an exit code.
int worker_main(const std::string& mapping_file);

}  // namespace replicate::engine
