// SPDX-License-Identifier: Apache-2.0
// util::without_row_data: error text for logs and state keeps what happened and
// where, never the row content PostgreSQL quotes. Issue 14, item 10.
#include <gtest/gtest.h>

#include "util/error.hpp"

namespace replicate::util {
namespace {

TEST(WithoutRowData, CopyContextKeepsTableLineAndColumnButNotTheValue) {
  EXPECT_EQ(without_row_data("target: COPY failed: ERROR:  canceling statement due to statement timeout\n"
                             "CONTEXT:  COPY bi_credores, line 3, column nome: \"MARIA DA SILVA\""),
            "target: COPY failed: ERROR:  canceling statement due to statement timeout\n"
            "CONTEXT:  COPY bi_credores, line 3, column nome");
}

TEST(WithoutRowData, CopyContextOfAWholeLineDropsTheLine) {
  EXPECT_EQ(without_row_data("ERROR:  busy\nCONTEXT:  PL/pgSQL function f() line 3 at RAISE\n"
                             "COPY t, line 1: \"1\tMARIA\t123.456.789-00\""),
            "ERROR:  busy\nCONTEXT:  PL/pgSQL function f() line 3 at RAISE\nCOPY t, line 1");
}

TEST(WithoutRowData, AValueSpanningLinesIsDroppedWhole) {
  EXPECT_EQ(without_row_data("ERROR:  x\nCONTEXT:  COPY t, line 2, column v: \"first\nsecond\nthird\"\n"
                             "HINT:  try again"),
            "ERROR:  x\nCONTEXT:  COPY t, line 2, column v\nHINT:  try again");
}

TEST(WithoutRowData, FailingRowAndKeyDetailsLoseTheirValues) {
  EXPECT_EQ(without_row_data("ERROR:  new row for relation \"t\" violates check constraint \"c\"\n"
                             "DETAIL:  Failing row contains (7, JOSE, 123.456.789-00)."),
            "ERROR:  new row for relation \"t\" violates check constraint \"c\"\n"
            "DETAIL:  Failing row contains (value withheld).");
  EXPECT_EQ(without_row_data("ERROR:  duplicate key value violates unique constraint \"t_pkey\"\n"
                             "DETAIL:  Key (cpf)=(123.456.789-00) already exists."),
            "ERROR:  duplicate key value violates unique constraint \"t_pkey\"\n"
            "DETAIL:  Key (cpf)=(...) already exists.");
  EXPECT_EQ(without_row_data("DETAIL:  Key (a, \"b)\")=(1, x) is not present in table \"p\"."),
            "DETAIL:  Key (a, \"b)\")=(...) is not present in table \"p\".");
}

TEST(WithoutRowData, ValuesQuotedByInputFunctionsAreWithheld) {
  EXPECT_EQ(without_row_data("ERROR:  invalid input syntax for type integer: \"123.456.789-00\""),
            "ERROR:  invalid input syntax for type integer: (value withheld)");
  EXPECT_EQ(without_row_data("ERROR:  value \"99999999999\" is out of range for type integer"),
            "ERROR:  value (value withheld) is out of range for type integer");
  EXPECT_EQ(without_row_data("DETAIL:  Token \"MARIA\" is invalid."), "DETAIL:  Token (value withheld) is invalid.");
}

TEST(WithoutRowData, MessagesWithoutRowDataAreUnchanged) {
  for (const std::string m :
       {"target: cannot run query: ERROR:  relation \"public.t\" does not exist\nLINE 1: SELECT 1 FROM public.t",
        "ERROR:  null value in column \"cpf\" of relation \"t\" violates not-null constraint",
        "ERROR:  invalid byte sequence for encoding \"UTF8\": 0x00\nCONTEXT:  COPY t, line 1",
        "ERROR:  value too long for type character varying(10)\nCONTEXT:  COPY t, line 4, column v: null input",
        "worker 123 was killed by signal 9 during the chunk", "server closed the connection unexpectedly"})
    EXPECT_EQ(without_row_data(m), m);
}

}  // namespace
}  // namespace replicate::util
