// SPDX-License-Identifier: Apache-2.0
// redact_connection: passwords never reach a log, an error or `plan` output.
#include <gtest/gtest.h>

#include "config/mapping.hpp"

namespace replicate::config {
namespace {

TEST(ConfigRedact, OdbcPassword) {
  EXPECT_EQ(redact_connection("Driver=FreeTDS;Server=h;UID=sa;PWD=hunter2;TDS_Version=7.4"),
            "Driver=FreeTDS;Server=h;UID=sa;PWD=***;TDS_Version=7.4");
}

TEST(ConfigRedact, OdbcBracedValueWithEscapes) {
  EXPECT_EQ(redact_connection("Driver={ODBC Driver 18 for SQL Server};Pwd={a;b}}c};Server=x"),
            "Driver={ODBC Driver 18 for SQL Server};Pwd=***;Server=x");
}

TEST(ConfigRedact, OdbcEverySecretKeyAnyCase) {
  EXPECT_EQ(redact_connection("DSN=x;Password=a;SECRET=b;token=c;PassWD=d;Trailing=1"),
            "DSN=x;Password=***;SECRET=***;token=***;PassWD=***;Trailing=1");
}

TEST(ConfigRedact, OdbcValueWithSpaces) {
  EXPECT_EQ(redact_connection("Server=h;PWD=two words;UID=u"), "Server=h;PWD=***;UID=u");
  EXPECT_EQ(redact_connection("PWD=two words"), "PWD=***");
}

TEST(ConfigRedact, LibpqPlainAndQuoted) {
  EXPECT_EQ(redact_connection("host=db user=u password=hunter2 dbname=x"),
            "host=db user=u password=*** dbname=x");
  EXPECT_EQ(redact_connection("host=db password='a b\\' c' dbname=x"),
            "host=db password=*** dbname=x");
  EXPECT_EQ(redact_connection("host=db password = spaced sslpassword=k"),
            "host=db password = *** sslpassword=***");
}

TEST(ConfigRedact, AmbiguousStringsAreMaskedEitherWay) {
  // A libpq password holding ';', and an ODBC string made of libpq-looking keys.
  EXPECT_EQ(redact_connection("host=x password=a;b port=5"), "host=x password=*** port=5");
  EXPECT_EQ(redact_connection("user=x;password=y"), "user=x;password=***");
  // An unknown libpq key must not hide the password behind it.
  EXPECT_EQ(redact_connection("hots=x password=y"), "hots=x password=***");
}

TEST(ConfigRedact, UriUserInfoAndQuery) {
  EXPECT_EQ(redact_connection("postgresql://app:hunter2@db:5432/x?sslmode=require&password=p"),
            "postgresql://app:***@db:5432/x?sslmode=require&password=***");
  EXPECT_EQ(redact_connection("postgres://app@db/x"), "postgres://app@db/x");
  EXPECT_EQ(redact_connection("postgresql://db/x"), "postgresql://db/x");
}

TEST(ConfigRedact, PlaceholdersStayVisible) {
  EXPECT_EQ(redact_connection("UID=u;PWD=${env:MSSQL_PASSWORD}"),
            "UID=u;PWD=${env:MSSQL_PASSWORD}");
  EXPECT_EQ(redact_connection("host=h password=${file:pg.pass}"),
            "host=h password=${file:pg.pass}");
  EXPECT_EQ(redact_connection("postgresql://u:${env:P}@h/db"), "postgresql://u:${env:P}@h/db");
  EXPECT_EQ(redact_connection("UID=u;PWD={${env:MSSQL_PASSWORD}};Server=s"),
            "UID=u;PWD={${env:MSSQL_PASSWORD}};Server=s");
  // A literal mixed with a placeholder is partly secret.
  EXPECT_EQ(redact_connection("UID=u;PWD=x${env:P}"), "UID=u;PWD=***");
}

TEST(ConfigRedact, NothingSecretIsUnchanged) {
  EXPECT_EQ(redact_connection("Driver=SQLite3;Database=/tmp/a.db"),
            "Driver=SQLite3;Database=/tmp/a.db");
  EXPECT_EQ(redact_connection("demo.sqlite"), "demo.sqlite");
  EXPECT_EQ(redact_connection(""), "");
}

TEST(SecretValues, HostsPortsAndUsersStayReadablePasswordsDoNot) {
  // Placeholder values: host, port, user, and a password holding the port's digit.
  EXPECT_EQ(secret_values("host=db1 port=1 user=app password=pw-1", {"db1", "1", "app", "pw-1"}),
            (std::vector<std::string>{"pw-1"}));
  EXPECT_EQ(secret_values("postgresql://app:a%20b@db1:5432/x", {"app", "a b", "db1", "5432"}),
            (std::vector<std::string>{"a b", "a%20b"}));
  EXPECT_EQ(secret_values("Driver=FreeTDS;Server=s;UID=u;PWD={p;w}", {"s", "u", "p;w"}),
            (std::vector<std::string>{"p;w", "{p;w}"}));
  // A password that is also the user name is masked everywhere.
  EXPECT_EQ(secret_values("host=h user=same password=same", {"h", "same"}), (std::vector<std::string>{"same"}));
}

}  // namespace
}  // namespace replicate::config
