// SPDX-License-Identifier: Apache-2.0
// With --log-format json, a command's printed output (plan, status, check, validate, sample,
// verify) becomes one JSON event on stdout, so that every line there is JSON.
#pragma once

#include <functional>
#include <string>

namespace replicate::cli {

/// Runs `body`. In JSON log format, what it prints on stdout is captured and written
/// afterwards as one event of `action`: the text as `message`, and as `data` when the
/// text is itself one JSON document (`verify --json`). Text format: `body` alone.
int with_output_as_event(const std::string& action, const std::function<int()>& body);

}  // namespace replicate::cli
