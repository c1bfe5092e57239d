// SPDX-License-Identifier: Apache-2.0
// The sample generator: shape, determinism and realism of the rows it writes,
// checked through the sqlite3 API against a freshly generated file.
#include "sample/sample.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sample/format.hpp"

namespace replicate::sample {
namespace {

constexpr std::int64_t kRows = 2000;

// The original system's table, column for column (schemas/bi_credores.mssql.sql).
const std::vector<std::string> kSpecColumns = {"id",
                                               "CPF",
                                               "DEVEDOR_ID",
                                               "CONT_ID",
                                               "NUMERO_CONTRATO",
                                               "ACORDO_ID",
                                               "MIN_VENCIMENTO",
                                               "MAX_VENCIMENTO",
                                               "PLANO",
                                               "MIN_PARCELAS",
                                               "MAX_PARCELAS",
                                               "MAX_ATRASO",
                                               "TT_PARCELAS",
                                               "CIDADE",
                                               "UF",
                                               "DATA_BATIMENTO",
                                               "DATA_INCLUSAO",
                                               "DATA_IMPORTACAO",
                                               "DATA_VENCIMENTO_ANTIGO",
                                               "DATA_ULTIMO_ACIONAMENTO",
                                               "DATA_PROXIMO_ACIONAMENTO",
                                               "ACAO_ID",
                                               "SALDO",
                                               "SALDO_DEV_TT",
                                               "TT_CONTRATOS",
                                               "CPC",
                                               "FAIXA_CREDOR",
                                               "FAIXA_CREDOR_MJ",
                                               "DESCRICAO",
                                               "PER_PLANO_PAGO",
                                               "PNP",
                                               "TOTAL_ESFORCO",
                                               "ESFORCO_DISCADOR",
                                               "PISITIVAS",
                                               "NEGATIVAS",
                                               "DATA_BASE",
                                               "STATUS",
                                               "PRODUTO_ID",
                                               "DATA_ACIONAMENTO_COLCHAO"};

const std::vector<std::string> kDateColumns = {
    "MIN_VENCIMENTO",          "MAX_VENCIMENTO",           "DATA_BATIMENTO",
    "DATA_INCLUSAO",           "DATA_IMPORTACAO",          "DATA_VENCIMENTO_ANTIGO",
    "DATA_ULTIMO_ACIONAMENTO", "DATA_PROXIMO_ACIONAMENTO", "DATA_BASE",
    "DATA_ACIONAMENTO_COLCHAO"};

// Nullable columns whose NULLs mean nothing in particular: about one in ten.
// ACORDO_ID is NULL when there is no agreement and DATA_ACIONAMENTO_COLCHAO when
// the contract never went to the reserve; STATUS is always 1.
const std::vector<std::string> kTenPercentNullColumns = {"CONT_ID",
                                                         "NUMERO_CONTRATO",
                                                         "MIN_VENCIMENTO",
                                                         "MAX_VENCIMENTO",
                                                         "PLANO",
                                                         "MIN_PARCELAS",
                                                         "MAX_PARCELAS",
                                                         "MAX_ATRASO",
                                                         "TT_PARCELAS",
                                                         "UF",
                                                         "DATA_BATIMENTO",
                                                         "DATA_INCLUSAO",
                                                         "DATA_IMPORTACAO",
                                                         "DATA_VENCIMENTO_ANTIGO",
                                                         "DATA_ULTIMO_ACIONAMENTO",
                                                         "DATA_PROXIMO_ACIONAMENTO",
                                                         "ACAO_ID",
                                                         "SALDO",
                                                         "SALDO_DEV_TT",
                                                         "TT_CONTRATOS",
                                                         "CPC",
                                                         "FAIXA_CREDOR",
                                                         "FAIXA_CREDOR_MJ",
                                                         "DESCRICAO",
                                                         "PER_PLANO_PAGO",
                                                         "PNP",
                                                         "TOTAL_ESFORCO",
                                                         "ESFORCO_DISCADOR",
                                                         "PISITIVAS",
                                                         "NEGATIVAS",
                                                         "DATA_BASE",
                                                         "PRODUTO_ID"};

// Unique per test and process, so parallel ctest runs never share a file.
std::string temp_path(const std::string& stem) {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path();
  return (dir / ("replicate_sample_" + stem + "_" + std::to_string(::getpid()) + "_" +
                 std::to_string(counter++) + ".sqlite"))
      .string();
}

/// A read-only connection to a generated file.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      throw std::runtime_error("open " + path + ": " + sqlite3_errmsg(db_));
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  /// Every row of `sql`, each value as text (nullopt for NULL).
  std::vector<std::vector<std::optional<std::string>>> rows(const std::string& sql) const {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    }
    std::vector<std::vector<std::optional<std::string>>> result;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      auto& row = result.emplace_back();
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
          row.emplace_back();
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
          row.emplace_back(
              std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))));
        }
      }
    }
    sqlite3_finalize(stmt);
    return result;
  }

  /// The first column of `sql`, NULLs included.
  std::vector<std::optional<std::string>> column(const std::string& sql) const {
    std::vector<std::optional<std::string>> values;
    for (auto& row : rows(sql)) values.push_back(row.at(0));
    return values;
  }

  std::int64_t scalar(const std::string& sql) const { return std::stoll(*rows(sql).at(0).at(0)); }

  /// Every value with its storage class: equal dumps mean equal contents.
  std::string dump(const std::string& table) const {
    std::ostringstream out;
    for (const auto& row : rows("SELECT * FROM " + table + " ORDER BY id")) {
      for (const auto& value : row) out << (value ? "v:" + *value : std::string("NULL")) << '\x1f';
      out << '\n';
    }
    return out.str();
  }

 private:
  sqlite3* db_ = nullptr;
};

// Independent of the generator's own check: the textbook (sum * 10) mod 11 form.
bool cpf_digits_ok(const std::string& cpf) {
  std::string digits;
  for (char c : cpf)
    if (c >= '0' && c <= '9') digits.push_back(c);
  if (digits.size() != 11) return false;
  for (int check = 9; check <= 10; ++check) {
    int sum = 0;
    for (int i = 0; i < check; ++i) sum += (digits[i] - '0') * (check + 1 - i);
    if ((sum * 10 % 11) % 10 != digits[check] - '0') return false;
  }
  return true;
}

class SampleFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = new std::string(temp_path("shared"));
    write_sample({.rows = kRows, .seed = 42, .output = *path_});
  }
  static void TearDownTestSuite() {
    std::filesystem::remove(*path_);
    delete path_;
    path_ = nullptr;
  }
  static const std::string& path() { return *path_; }

 private:
  static inline std::string* path_ = nullptr;
};

TEST_F(SampleFile, HasTheRequestedRowsWithContiguousIds) {
  Db db(path());
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores"), kRows);
  EXPECT_EQ(db.scalar("SELECT MIN(id) FROM bi_credores"), 1);
  EXPECT_EQ(db.scalar("SELECT MAX(id) FROM bi_credores"), kRows);
}

TEST_F(SampleFile, HasTheOriginalTablesThirtyNineColumnsInOrder) {
  Db db(path());
  std::vector<std::string> names;
  for (const auto& name :
       db.column("SELECT name FROM pragma_table_info('bi_credores') ORDER BY cid")) {
    names.push_back(*name);
  }
  EXPECT_EQ(names, kSpecColumns);
  EXPECT_EQ(db.scalar("SELECT pk FROM pragma_table_info('bi_credores') WHERE name = 'id'"), 1);
  const auto not_null = db.column(
      "SELECT name FROM pragma_table_info('bi_credores') WHERE \"notnull\" = 1 ORDER BY cid");
  ASSERT_EQ(not_null.size(), 3u);  // and id, the rowid
  EXPECT_EQ(*not_null[0], "CPF");
  EXPECT_EQ(*not_null[1], "DEVEDOR_ID");
  EXPECT_EQ(*not_null[2], "CIDADE");
}

TEST_F(SampleFile, DeclaredTypesAreTheOriginalOnes) {
  Db db(path());
  std::map<std::string, std::string> type;
  for (const auto& row : db.rows("SELECT name, type FROM pragma_table_info('bi_credores')"))
    type[*row.at(0)] = *row.at(1);
  EXPECT_EQ(type["id"], "INTEGER");
  EXPECT_EQ(type["CPF"], "VARCHAR(14)");
  EXPECT_EQ(type["DEVEDOR_ID"], "BIGINT");
  EXPECT_EQ(type["CONT_ID"], "SMALLINT");
  EXPECT_EQ(type["NUMERO_CONTRATO"], "VARCHAR(50)");
  EXPECT_EQ(type["ACORDO_ID"], "VARCHAR(9)");
  EXPECT_EQ(type["CIDADE"], "VARCHAR(30)");
  EXPECT_EQ(type["UF"], "VARCHAR(2)");
  EXPECT_EQ(type["SALDO"], "DECIMAL(38,2)");
  EXPECT_EQ(type["SALDO_DEV_TT"], "DECIMAL(38,2)");
  EXPECT_EQ(type["MAX_ATRASO"], "INT");  // INTEGER in the original: see row_generator.cpp
  for (const auto& column : kDateColumns) EXPECT_EQ(type[column], "DATE") << column;
  EXPECT_EQ(
      db.scalar("SELECT COUNT(*) FROM pragma_table_info('bi_credores') WHERE dflt_value = '0'"), 5);
  EXPECT_EQ(*db.column("SELECT dflt_value FROM pragma_table_info('bi_credores') "
                       "WHERE name = 'STATUS'")
                 .at(0),
            "1");
}

TEST_F(SampleFile, NotNullColumnsAreNeverNullAndStatusIsLive) {
  Db db(path());
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE CPF IS NULL OR DEVEDOR_ID IS NULL "
                      "OR CIDADE IS NULL OR CIDADE = ''"),
            0);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE STATUS IS NOT 1"), 0);
}

TEST_F(SampleFile, NullableColumnsAreNullAboutOneTimeInTen) {
  Db db(path());
  for (const auto& column : kTenPercentNullColumns) {
    const auto nulls = db.scalar("SELECT COUNT(*) FROM bi_credores WHERE " + column + " IS NULL");
    EXPECT_GE(nulls, kRows * 6 / 100) << column;
    EXPECT_LE(nulls, kRows * 14 / 100) << column;
  }
  const auto no_agreement = db.scalar("SELECT COUNT(*) FROM bi_credores WHERE ACORDO_ID IS NULL");
  EXPECT_GT(no_agreement, kRows / 4);
  EXPECT_LT(no_agreement, kRows * 9 / 10);
  const auto never_in_reserve =
      db.scalar("SELECT COUNT(*) FROM bi_credores WHERE DATA_ACIONAMENTO_COLCHAO IS NULL");
  EXPECT_GT(never_in_reserve, kRows * 6 / 10);
  EXPECT_LT(never_in_reserve, kRows * 9 / 10);
}

TEST_F(SampleFile, CpfsHaveValidCheckDigitsOnePerDebtor) {
  Db db(path());
  const std::regex format(R"(\d{3}\.\d{3}\.\d{3}-\d{2})");
  for (const auto& cpf : db.column("SELECT CPF FROM bi_credores")) {
    ASSERT_TRUE(cpf.has_value());
    EXPECT_TRUE(std::regex_match(*cpf, format)) << *cpf;
    EXPECT_TRUE(cpf_digits_ok(*cpf)) << *cpf;
    EXPECT_TRUE(is_valid_cpf(*cpf)) << *cpf;
  }
  // A debtor is one person in one city, on consecutive rows, with one total.
  EXPECT_EQ(
      db.scalar("SELECT COUNT(*) FROM (SELECT DEVEDOR_ID FROM bi_credores GROUP BY DEVEDOR_ID "
                "HAVING COUNT(DISTINCT CPF) > 1 OR COUNT(DISTINCT CIDADE) > 1 "
                "OR COUNT(DISTINCT SALDO_DEV_TT) > 1 OR MAX(id) - MIN(id) + 1 <> COUNT(*))"),
      0);
  const auto debtors = db.scalar("SELECT COUNT(DISTINCT DEVEDOR_ID) FROM bi_credores");
  EXPECT_GT(debtors, kRows / 2);  // many debtors have several contracts...
  EXPECT_LT(debtors, kRows * 9 / 10);
  EXPECT_EQ(db.scalar("SELECT COUNT(DISTINCT CPF) FROM bi_credores"), debtors);
  // ...and the ones in other portfolios count too.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM (SELECT DEVEDOR_ID, MAX(TT_CONTRATOS) AS tt, COUNT(*) "
                      "AS n FROM bi_credores GROUP BY DEVEDOR_ID) WHERE tt < n"),
            0);
  // Big integers: past 32 bits, so an int column would not hold them.
  EXPECT_GT(db.scalar("SELECT MIN(DEVEDOR_ID) FROM bi_credores"), 2147483647LL);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE typeof(DEVEDOR_ID) <> 'integer'"), 0);
}

TEST_F(SampleFile, CitiesCarryAccentsAndAgreeWithTheirUf) {
  Db db(path());
  std::map<std::string, std::string> uf_of;
  for (const auto& row : db.rows("SELECT CIDADE, UF FROM bi_credores WHERE UF IS NOT NULL")) {
    const std::string& city = *row.at(0);
    auto [it, inserted] = uf_of.emplace(city, *row.at(1));
    EXPECT_EQ(it->second, *row.at(1)) << city;
    EXPECT_TRUE(std::regex_match(*row.at(1), std::regex("[A-Z]{2}"))) << *row.at(1);
  }
  EXPECT_EQ(uf_of["São Paulo"], "SP");
  EXPECT_EQ(uf_of["Florianópolis"], "SC");
  EXPECT_GT(uf_of.size(), 30u);
  // Accented names, within VARCHAR(30) counted in characters (SQLite's length()).
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE CIDADE GLOB '*[^ -~]*'"), kRows / 4);
  EXPECT_LE(db.scalar("SELECT MAX(length(CIDADE)) FROM bi_credores"), 30);
  EXPECT_GT(db.scalar("SELECT MAX(length(CAST(CIDADE AS BLOB))) - MAX(length(CIDADE)) "
                      "FROM bi_credores"),
            0);
}

TEST_F(SampleFile, DatesAreIsoTextFrom2015To2026InTheirOrder) {
  Db db(path());
  for (const auto& column : kDateColumns) {
    const std::string where = " FROM bi_credores WHERE " + column + " IS NOT NULL";
    EXPECT_EQ(db.scalar("SELECT COUNT(*)" + where + " AND (typeof(" + column + ") <> 'text' OR " +
                        column + " NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' OR date(" +
                        column + ") IS NOT " + column + " OR " + column + " < '2015-01-01' OR " +
                        column + " > '2026-12-31')"),
              0)
        << column;
    EXPECT_GT(db.scalar("SELECT COUNT(*)" + where), 0) << column;
  }
  // Comparisons with NULL are not true: only rows holding both dates count.
  for (const char* broken : {
           "MIN_VENCIMENTO > MAX_VENCIMENTO",
           "DATA_PROXIMO_ACIONAMENTO <= DATA_ULTIMO_ACIONAMENTO",
           "DATA_VENCIMENTO_ANTIGO > MIN_VENCIMENTO",
           "DATA_INCLUSAO > DATA_IMPORTACAO",
           "DATA_IMPORTACAO > DATA_BATIMENTO",
           "DATA_BATIMENTO > DATA_BASE",
           "DATA_ULTIMO_ACIONAMENTO < DATA_INCLUSAO",
           "DATA_ULTIMO_ACIONAMENTO > DATA_BASE",
           "DATA_ACIONAMENTO_COLCHAO < DATA_INCLUSAO",
       }) {
    EXPECT_EQ(db.scalar(std::string("SELECT COUNT(*) FROM bi_credores WHERE ") + broken), 0)
        << broken;
  }
  // Spread over the decade, not bunched in one year.
  EXPECT_GE(db.scalar("SELECT COUNT(DISTINCT substr(MIN_VENCIMENTO, 1, 4)) FROM bi_credores"), 11);
}

TEST_F(SampleFile, InstallmentsAgreeWithThePlan) {
  Db db(path());
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE MIN_PARCELAS < 1 OR "
                      "MIN_PARCELAS > MAX_PARCELAS OR MAX_PARCELAS > PLANO OR "
                      "TT_PARCELAS <> MAX_PARCELAS - MIN_PARCELAS + 1 OR "
                      "PER_PLANO_PAGO NOT BETWEEN 0 AND 99 OR "
                      "PER_PLANO_PAGO <> (MIN_PARCELAS - 1) * 100 / PLANO"),
            0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE MIN_PARCELAS < MAX_PARCELAS"), 0);
  EXPECT_GT(db.scalar("SELECT COUNT(DISTINCT PLANO) FROM bi_credores"), 5);
  // Monthly installments: the last open one is due (TT_PARCELAS - 1) months after the first.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE MAX_VENCIMENTO IS NOT "
                      "date(MIN_VENCIMENTO, '+' || (TT_PARCELAS - 1) || ' months') AND "
                      "MIN_VENCIMENTO IS NOT NULL AND MAX_VENCIMENTO IS NOT NULL AND "
                      "TT_PARCELAS IS NOT NULL"),
            0);
}

TEST_F(SampleFile, DelayMatchesDueDateAndBands) {
  Db db(path());
  // Days from the first open installment to the snapshot; 0 and 'A VENCER' when not yet due.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE MAX_ATRASO <> "
                      "MAX(0, CAST(julianday(DATA_BASE) - julianday(MIN_VENCIMENTO) AS INTEGER))"),
            0);
  EXPECT_EQ(db.scalar(R"(SELECT COUNT(*) FROM bi_credores WHERE FAIXA_CREDOR IS NOT CASE
                           WHEN MIN_VENCIMENTO > DATA_BASE THEN 'A VENCER'
                           WHEN MAX_ATRASO <= 30 THEN '0-30' WHEN MAX_ATRASO <= 60 THEN '31-60'
                           WHEN MAX_ATRASO <= 90 THEN '61-90' WHEN MAX_ATRASO <= 180 THEN '91-180'
                           WHEN MAX_ATRASO <= 360 THEN '181-360' WHEN MAX_ATRASO <= 720 THEN '361-720'
                           WHEN MAX_ATRASO <= 1080 THEN '721-1080' WHEN MAX_ATRASO <= 1800 THEN '1081-1800'
                           ELSE 'ACIMA DE 1800' END
                         AND FAIXA_CREDOR IS NOT NULL AND MAX_ATRASO IS NOT NULL
                         AND MIN_VENCIMENTO IS NOT NULL AND DATA_BASE IS NOT NULL)"),
            0);
  EXPECT_EQ(db.scalar("SELECT COUNT(DISTINCT FAIXA_CREDOR) FROM bi_credores"), 10);
  std::set<std::string> mj;
  for (const auto& band : db.column("SELECT DISTINCT FAIXA_CREDOR_MJ FROM bi_credores "
                                    "WHERE FAIXA_CREDOR_MJ IS NOT NULL"))
    mj.insert(*band);
  EXPECT_EQ(mj, (std::set<std::string>{"A VENCER", "ATÉ 90 DIAS", "91 A 360 DIAS",
                                       "361 A 1800 DIAS", "ACIMA DE 1800 DIAS"}));
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE (FAIXA_CREDOR = 'A VENCER') <> "
                      "(FAIXA_CREDOR_MJ = 'A VENCER')"),
            0);
  // Collections skew towards old debt.
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE MAX_ATRASO > 360"), kRows / 5);
}

TEST_F(SampleFile, BalancesAreSkewedDecimalsWithCents) {
  Db db(path());
  // Read back as SQLite prints its REAL/INTEGER values: never more than two places.
  const std::regex two_places(R"(\d+(\.\d{1,2})?)");
  std::vector<double> balances;
  for (const auto& value :
       db.column("SELECT SALDO FROM bi_credores WHERE SALDO IS NOT NULL ORDER BY SALDO")) {
    EXPECT_TRUE(std::regex_match(*value, two_places)) << *value;
    balances.push_back(std::stod(*value));
  }
  ASSERT_FALSE(balances.empty());
  const double median = balances[balances.size() / 2];
  double sum = 0;
  for (double b : balances) sum += b;
  EXPECT_GT(median, 200.0);
  EXPECT_LT(median, 10000.0);
  EXPECT_GT(sum / static_cast<double>(balances.size()), median * 1.3);  // a long right tail
  EXPECT_GT(balances.back(), median * 30);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE SALDO < 100"), 0);
  // Whole amounts (stored as INTEGER by NUMERIC affinity) and cents (REAL) both occur.
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE typeof(SALDO) = 'integer'"), 0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE typeof(SALDO) = 'real'"), kRows / 2);
  // The debtor's total covers each contract, and all of them together.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE SALDO_DEV_TT < SALDO"), 0);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM (SELECT DEVEDOR_ID, MAX(SALDO_DEV_TT) AS tt, "
                      "SUM(SALDO) AS s FROM bi_credores GROUP BY DEVEDOR_ID) WHERE tt < s - 0.005"),
            0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE SALDO_DEV_TT > SALDO"), kRows / 4);
}

TEST_F(SampleFile, CountsAreSmallAndAgree) {
  Db db(path());
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE TOTAL_ESFORCO < 0 OR "
                      "ESFORCO_DISCADOR > TOTAL_ESFORCO OR PISITIVAS + NEGATIVAS > TOTAL_ESFORCO "
                      "OR CPC > PISITIVAS OR PNP > CPC OR PNP > 3 OR TOTAL_ESFORCO > 300"),
            0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE TOTAL_ESFORCO = 0"), 0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE CPC > 0"), kRows / 10);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE PNP > 0"), 0);
}

TEST_F(SampleFile, ContractsAgreementsAndProductsHaveTheirFormats) {
  Db db(path());
  const std::regex contract(R"([A-Z]{3}-20(1[5-9]|2[0-6])-\d{9})");
  for (const auto& value : db.column("SELECT NUMERO_CONTRATO FROM bi_credores "
                                     "WHERE NUMERO_CONTRATO IS NOT NULL")) {
    EXPECT_TRUE(std::regex_match(*value, contract)) << *value;
  }
  EXPECT_EQ(db.scalar("SELECT COUNT(*) - COUNT(DISTINCT NUMERO_CONTRATO) FROM bi_credores "
                      "WHERE NUMERO_CONTRATO IS NOT NULL"),
            0);
  const std::regex agreement(R"([1-9]\d{8})");
  for (const auto& value :
       db.column("SELECT ACORDO_ID FROM bi_credores WHERE ACORDO_ID IS NOT NULL")) {
    EXPECT_TRUE(std::regex_match(*value, agreement)) << *value;
  }
  const std::regex product(R"([A-Z][A-Z_]+)");
  for (const auto& value :
       db.column("SELECT DISTINCT PRODUTO_ID FROM bi_credores WHERE PRODUTO_ID IS NOT NULL")) {
    EXPECT_TRUE(std::regex_match(*value, product)) << *value;
  }
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE CONT_ID NOT BETWEEN 1 AND 12"), 0);
  EXPECT_EQ(db.scalar("SELECT COUNT(DISTINCT CONT_ID) FROM bi_credores"), 12);
  // One creditor, one contract prefix.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM (SELECT CONT_ID FROM bi_credores WHERE CONT_ID IS NOT "
                      "NULL AND NUMERO_CONTRATO IS NOT NULL GROUP BY CONT_ID "
                      "HAVING COUNT(DISTINCT substr(NUMERO_CONTRATO, 1, 3)) > 1)"),
            0);
}

TEST_F(SampleFile, DescricaoHoldsAccentsQuotesAndBackslashes) {
  Db db(path());
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE DESCRICAO GLOB '*[^ -~]*'"), 0);
  EXPECT_LE(db.scalar("SELECT MAX(length(DESCRICAO)) FROM bi_credores"), 50);
  std::string all;
  for (const auto& text : db.column("SELECT DESCRICAO FROM bi_credores WHERE DESCRICAO <> ''"))
    all += *text + "|";
  for (const char* needle : {"\"", "\\", "'", "%", "NÃO ATENDE"}) {
    EXPECT_NE(all.find(needle), std::string::npos) << "missing " << needle;
  }
  // Most descriptions describe the row's action.
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE ACAO_ID = 301 "
                      "AND DESCRICAO = 'NÃO ATENDE'"),
            0);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE ACAO_ID = 301 "
                      "AND DESCRICAO = 'CAIXA POSTAL'"),
            0);
}

// scripts/mssql-seed.sh loads the sample into SQL Server as tab-separated text
// with bcp's character format: a tab or line break would cut a row, and an empty
// field is NULL there. No text value may hold either.
TEST_F(SampleFile, TextSurvivesBcpCharacterFormat) {
  Db db(path());
  for (const char* column : {"CPF", "NUMERO_CONTRATO", "ACORDO_ID", "CIDADE", "UF", "FAIXA_CREDOR",
                             "FAIXA_CREDOR_MJ", "DESCRICAO", "PRODUTO_ID"}) {
    const std::string c = column;
    EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE " + c + " = '' OR instr(" + c +
                        ", char(9)) OR instr(" + c + ", char(10)) OR instr(" + c + ", char(13))"),
              0)
        << column;
  }
}

TEST(SampleWrite, SameSeedGivesSameRowsAndOtherSeedDiffers) {
  const auto first = temp_path("seed42a");
  const auto second = temp_path("seed42b");
  const auto other = temp_path("seed43");
  write_sample({.rows = 500, .seed = 42, .output = first});
  write_sample({.rows = 500, .seed = 42, .output = second});
  write_sample({.rows = 500, .seed = 43, .output = other});
  const std::string dump = Db(first).dump("bi_credores");
  EXPECT_EQ(dump, Db(second).dump("bi_credores"));
  EXPECT_NE(dump, Db(other).dump("bi_credores"));
  for (const auto& path : {first, second, other}) std::filesystem::remove(path);
}

TEST(SampleWrite, ReplacesAnExistingFile) {
  const auto path = temp_path("replace");
  std::ofstream(path) << "not a database";
  write_sample({.rows = 10, .output = path});
  EXPECT_EQ(Db(path).scalar("SELECT COUNT(*) FROM bi_credores"), 10);
  write_sample({.rows = 3, .output = path});
  EXPECT_EQ(Db(path).scalar("SELECT COUNT(*) FROM bi_credores"), 3);
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  std::filesystem::remove(path);
}

TEST(SampleWrite, ZeroRowsAndACustomTableName) {
  const auto path = temp_path("custom");
  write_sample({.rows = 0, .output = path, .table = "credores \"teste\""});
  EXPECT_EQ(Db(path).scalar(R"(SELECT COUNT(*) FROM "credores ""teste""")"), 0);
  std::filesystem::remove(path);
}

// The last debtor's contracts are cut to the rows left: no id past --rows.
TEST(SampleWrite, EveryRowCountEndsOnTheLastId) {
  const auto path = temp_path("cut");
  for (std::int64_t rows : {1, 2, 3, 7}) {
    write_sample({.rows = rows, .output = path});
    Db db(path);
    EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores"), rows);
    EXPECT_EQ(db.scalar("SELECT MAX(id) FROM bi_credores"), rows);
  }
  std::filesystem::remove(path);
}

TEST(SampleWrite, UnwritablePathNamesThePathAndSqlitesError) {
  const std::string path = "/nonexistent-replicate-dir/sample.sqlite";
  try {
    write_sample({.rows = 10, .output = path});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("unable to open database file"), std::string::npos) << message;
  }
  EXPECT_THROW(write_sample({.rows = -1, .output = temp_path("negative")}), std::runtime_error);
  EXPECT_THROW(write_sample({.rows = 1, .output = ""}), std::runtime_error);
}

TEST(SampleDocuments, CpfCheckDigitsAgreeWithPublishedExamples) {
  // Well-known valid examples, and the same with one digit changed.
  for (const char* cpf : {"529.982.247-25", "111.444.777-35"}) {
    EXPECT_TRUE(is_valid_cpf(cpf)) << cpf;
    EXPECT_TRUE(cpf_digits_ok(cpf)) << cpf;
  }
  EXPECT_FALSE(is_valid_cpf("529.982.247-24"));
  EXPECT_FALSE(is_valid_cpf("111.111.111-11"));  // arithmetic passes; the rule forbids it
  EXPECT_FALSE(is_valid_cpf("529.982.247-2"));
}

TEST(SampleDdl, SchemaFileMatchesTheGeneratorsDdl) {
  std::ifstream file(std::string(REPLICATE_SOURCE_DIR) + "/schemas/bi_credores.sqlite.sql");
  ASSERT_TRUE(file) << "schemas/bi_credores.sqlite.sql is missing";
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), sqlite_ddl("bi_credores"));
}

// The SQL Server DDL names the same columns in the same order, with the spec's
// types: SQLite's INT is the original INTEGER, SQL Server's int.
TEST(SampleDdl, SqlServerSchemaHasTheSameColumns) {
  std::ifstream file(std::string(REPLICATE_SOURCE_DIR) + "/schemas/bi_credores.mssql.sql");
  ASSERT_TRUE(file) << "schemas/bi_credores.mssql.sql is missing";
  const std::regex column_line(R"(^  ([A-Za-z_]+) +([a-z]+(\([0-9,]+\))?) .*)");
  std::vector<std::string> names;
  std::map<std::string, std::string> type;
  for (std::string line; std::getline(file, line);) {
    std::smatch m;
    if (std::regex_match(line, m, column_line) && m[1] != "CONSTRAINT") {
      names.push_back(m[1]);
      type[m[1]] = m[2];
    }
  }
  EXPECT_EQ(names, kSpecColumns);
  EXPECT_EQ(type["id"], "int");
  EXPECT_EQ(type["SALDO"], "decimal(38,2)");
  EXPECT_EQ(type["MAX_ATRASO"], "int");
  EXPECT_EQ(type["DEVEDOR_ID"], "bigint");
  EXPECT_EQ(type["CIDADE"], "varchar(30)");
}

TEST(SampleDdl, QuotesTheTableName) {
  const auto ddl = sqlite_ddl("a\"b");
  EXPECT_NE(ddl.find("\nCREATE TABLE \"a\"\"b\" (\n"), std::string::npos) << ddl;
}

}  // namespace
}  // namespace replicate::sample
