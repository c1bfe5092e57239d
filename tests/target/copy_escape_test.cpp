// SPDX-License-Identifier: Apache-2.0
// COPY text escaping works a word at a time; it must give exactly what escaping byte
// by byte gives, wherever the special bytes fall and whatever surrounds them.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "support/copy_text_reference.hpp"
#include "target/copy_writer.hpp"

namespace replicate::target {
namespace {

using test::copy_escaped_longhand;

TEST(CopyEscape, PlainTextPassesUnchanged) {
  std::string out = "x";
  append_copy_escaped(out, "Jo\xC3\xA3o da Silva, 123 - apto 4");
  EXPECT_EQ(out, "xJo\xC3\xA3o da Silva, 123 - apto 4");
}

TEST(CopyEscape, EscapesTheFourSpecialBytesOnly) {
  std::string out;
  append_copy_escaped(out, std::string("a\\b\tc\nd\re\x01\x0b\x0c\x7f\x5b\x5d", 14));
  EXPECT_EQ(out, std::string("a\\\\b\\tc\\nd\\re\x01\x0b\x0c\x7f\x5b\x5d", 18));
}

TEST(CopyEscape, UnescapesWhatPostgresqlsCopyToWrites) {
  EXPECT_EQ(util::copy_unescaped("a\\bb\\fc\\vd\\te\\\\f\\ng\\r"), "a\bb\fc\vd\te\\f\ng\r");
}

TEST(CopyEscape, MatchesByteByByteOnRandomStrings) {
  // Mostly ordinary bytes, UTF-8 lead bytes included, with the special ones and
  // their neighbours (0x08, 0x0e, 0x5b, 0x5d) sprinkled at every offset.
  const char alphabet[] = "abcXYZ019 ,.-\\\t\n\r\x08\x0e\x0b\x5b\x5d\xc3\xa7\xe2\x82\xac\x7f\x80\xff";
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof alphabet - 2);
  std::uniform_int_distribution<int> length(0, 70), rare(0, 9);
  for (int i = 0; i < 20000; ++i) {
    std::string s(static_cast<std::size_t>(length(rng)), 'a');
    for (char& c : s) c = rare(rng) == 0 ? alphabet[pick(rng)] : static_cast<char>('a' + rare(rng));
    std::string out;
    append_copy_escaped(out, s);
    ASSERT_EQ(out, copy_escaped_longhand(s)) << "input of " << s.size() << " bytes";
    ASSERT_EQ(util::copy_clean(s.data(), s.size()), out == s) << "input of " << s.size() << " bytes";
    ASSERT_EQ(util::copy_unescaped(out), s);
  }
}

}  // namespace
}  // namespace replicate::target
