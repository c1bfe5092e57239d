// `replicate plan` output: what would be done, per table, with secrets redacted.
#pragma once

#include <string>

#include "plan/plan.hpp"

namespace replicate::cli {

std::string format_plan(const plan::Plan& plan);

}  // namespace replicate::cli
