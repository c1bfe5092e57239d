// SPDX-License-Identifier: Apache-2.0
// `replicate plan` output: what would be done, per table, with secrets redacted.
#pragma once

#include <string>

#include "plan/plan.hpp"

namespace replicate::cli {

std::string format_plan(const plan::Plan& plan);

/// What a run will do to one table, in words: the mode's steps, its watermark window
/// (when the plan has one), conflicts, stale marking, deletes or keeps.
std::string describe_action(const plan::TablePlan& table);

}  // namespace replicate::cli
