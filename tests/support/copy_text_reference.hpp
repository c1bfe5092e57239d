// SPDX-License-Identifier: Apache-2.0
// COPY text escaping written out longhand, byte by byte: the reference the tests
// hold the word-at-a-time escaping (util/copy_text) to.
#pragma once

#include <string>

namespace replicate::test {

inline std::string copy_escaped_longhand(const std::string& in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace replicate::test
