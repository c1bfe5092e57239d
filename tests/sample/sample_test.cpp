// The sample generator: shape, determinism and realism of the rows it writes,
// checked through the sqlite3 API against a freshly generated file.
#include "sample/sample.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sample/format.hpp"

namespace replicate::sample {
namespace {

constexpr std::int64_t kRows = 2000;

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
    for (const auto& row : rows("SELECT * FROM " + table + " ORDER BY ID")) {
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

bool cnpj_digits_ok(const std::string& cnpj) {
  std::string digits;
  for (char c : cnpj)
    if (c >= '0' && c <= '9') digits.push_back(c);
  if (digits.size() != 14) return false;
  for (int check = 12; check <= 13; ++check) {
    int sum = 0;
    for (int i = 0; i < check; ++i) sum += (digits[i] - '0') * ((check - i - 1) % 8 + 2);
    const int rest = sum % 11;
    if ((rest < 2 ? 0 : 11 - rest) != digits[check] - '0') return false;
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
  EXPECT_EQ(db.scalar("SELECT MIN(ID) FROM bi_credores"), 1);
  EXPECT_EQ(db.scalar("SELECT MAX(ID) FROM bi_credores"), kRows);
}

TEST_F(SampleFile, HasThirtyNineColumnsInTableOrder) {
  Db db(path());
  const auto names = db.column("SELECT name FROM pragma_table_info('bi_credores') ORDER BY cid");
  ASSERT_EQ(names.size(), 39u);
  EXPECT_EQ(*names.front(), "ID");
  EXPECT_EQ(*names[18], "NUMERO_CONTRATO");
  EXPECT_EQ(*names.back(), "STATUS");
  EXPECT_EQ(db.scalar("SELECT pk FROM pragma_table_info('bi_credores') WHERE name = 'ID'"), 1);
}

TEST_F(SampleFile, CpfsHaveValidCheckDigitsAndSomeAreNull) {
  Db db(path());
  const std::regex format(R"(\d{3}\.\d{3}\.\d{3}-\d{2})");
  std::int64_t nulls = 0;
  for (const auto& cpf : db.column("SELECT CPF FROM bi_credores")) {
    if (!cpf) {
      ++nulls;
      continue;
    }
    EXPECT_TRUE(std::regex_match(*cpf, format)) << *cpf;
    EXPECT_TRUE(cpf_digits_ok(*cpf)) << *cpf;
  }
  EXPECT_GT(nulls, kRows / 100);  // about 3%
  EXPECT_LT(nulls, kRows * 6 / 100);
}

TEST_F(SampleFile, CnpjsHaveValidCheckDigits) {
  Db db(path());
  const std::regex format(R"(\d{2}\.\d{3}\.\d{3}/0001-\d{2})");
  for (const auto& cnpj :
       db.column("SELECT DISTINCT CNPJ_CREDOR FROM bi_credores WHERE CNPJ_CREDOR IS NOT NULL")) {
    EXPECT_TRUE(std::regex_match(*cnpj, format)) << *cnpj;
    EXPECT_TRUE(cnpj_digits_ok(*cnpj)) << *cnpj;
  }
  // One CNPJ per creditor.
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM (SELECT ID_CREDOR FROM bi_credores "
                      "WHERE CNPJ_CREDOR IS NOT NULL GROUP BY ID_CREDOR "
                      "HAVING COUNT(DISTINCT CNPJ_CREDOR) > 1)"),
            0);
}

TEST_F(SampleFile, ComplementoHoldsBothNullAndEmptyString) {
  Db db(path());
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE COMPLEMENTO IS NULL"), 0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE COMPLEMENTO = ''"), 0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE COMPLEMENTO <> ''"), 0);
}

TEST_F(SampleFile, CitiesCarryAccentsAndAgreeWithTheirUf) {
  Db db(path());
  std::map<std::string, std::string> uf_of;
  bool accented = false;
  for (const auto& row : db.rows("SELECT CIDADE, UF FROM bi_credores WHERE CIDADE IS NOT NULL")) {
    const std::string& city = *row.at(0);
    for (unsigned char c : city) accented = accented || c >= 0x80;
    auto [it, inserted] = uf_of.emplace(city, *row.at(1));
    EXPECT_EQ(it->second, *row.at(1)) << city;
  }
  EXPECT_TRUE(accented);
  EXPECT_EQ(uf_of["São Paulo"], "SP");
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE NOME_DEVEDOR GLOB '*[^ -~]*'"), 0);
}

TEST_F(SampleFile, EmailsAreLowerCaseAscii) {
  Db db(path());
  const std::regex format(R"([a-z0-9._]+@[a-z0-9.]+)");
  for (const auto& email : db.column("SELECT EMAIL FROM bi_credores WHERE EMAIL <> ''")) {
    EXPECT_TRUE(std::regex_match(*email, format)) << *email;
  }
}

TEST_F(SampleFile, DatesAreIsoTextWithinTheTenYears) {
  Db db(path());
  for (const char* column : {"DATA_CONTRATO", "DATA_VENCIMENTO", "DATA_ULTIMO_PAGAMENTO"}) {
    const std::string where = std::string(" FROM bi_credores WHERE ") + column + " IS NOT NULL";
    EXPECT_EQ(db.scalar("SELECT COUNT(*)" + where + " AND (typeof(" + column + ") <> 'text' OR " +
                        column + " NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' OR " +
                        column + " < '2016-01-01' OR " + column + " > '2025-12-31')"),
              0)
        << column;
    EXPECT_GT(db.scalar("SELECT COUNT(*)" + where), 0) << column;
  }
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE DATA_CONTRATO > DATA_VENCIMENTO"), 0);
  EXPECT_EQ(
      db.scalar("SELECT COUNT(*) FROM bi_credores WHERE DATA_ULTIMO_CONTATO IS NOT NULL AND "
                "(length(DATA_ULTIMO_CONTATO) <> 19 OR datetime(DATA_ULTIMO_CONTATO) IS NULL)"),
      0);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE length(DATA_ATUALIZACAO) <> 23 OR "
                      "strftime('%Y-%m-%d %H:%M:%f', DATA_ATUALIZACAO) <> DATA_ATUALIZACAO"),
            0);
  // Spread over the decade, not bunched in one year.
  EXPECT_GE(db.scalar("SELECT COUNT(DISTINCT substr(DATA_VENCIMENTO, 1, 4)) FROM bi_credores"), 10);
}

TEST_F(SampleFile, DelayMatchesDueDateAndBand) {
  Db db(path());
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE DIAS_ATRASO <> "
                      "CAST(julianday('2026-01-01') - julianday(DATA_VENCIMENTO) AS INTEGER)"),
            0);
  EXPECT_EQ(db.scalar(R"(SELECT COUNT(*) FROM bi_credores WHERE FAIXA_ATRASO IS NOT CASE
                           WHEN DIAS_ATRASO <= 30 THEN '0-30' WHEN DIAS_ATRASO <= 60 THEN '31-60'
                           WHEN DIAS_ATRASO <= 90 THEN '61-90' WHEN DIAS_ATRASO <= 180 THEN '91-180'
                           WHEN DIAS_ATRASO <= 360 THEN '181-360' ELSE '360+' END)"),
            0);
  EXPECT_EQ(db.scalar("SELECT COUNT(DISTINCT FAIXA_ATRASO) FROM bi_credores"), 6);
}

TEST_F(SampleFile, MoneyIsDecimalWithCents) {
  Db db(path());
  // Read back as SQLite prints its REAL/INTEGER values: never more than two places.
  const std::regex two_places(R"(\d+(\.\d{1,2})?)");
  bool has_cents = false;
  for (const auto& value : db.column("SELECT VALOR_ORIGINAL FROM bi_credores")) {
    ASSERT_TRUE(value.has_value());
    EXPECT_TRUE(std::regex_match(*value, two_places)) << *value;
    has_cents = has_cents || value->find('.') != std::string::npos;
  }
  EXPECT_TRUE(has_cents);
  const std::regex four_places(R"(\d+(\.\d{1,4})?)");
  bool has_four = false;
  for (const auto& value :
       db.column("SELECT VALOR_PAGO FROM bi_credores WHERE VALOR_PAGO IS NOT NULL")) {
    EXPECT_TRUE(std::regex_match(*value, four_places)) << *value;
    const auto dot = value->find('.');
    has_four = has_four || (dot != std::string::npos && value->size() - dot - 1 > 2);
  }
  EXPECT_TRUE(has_four);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE SCORE_RECUPERACAO < 0 OR "
                      "SCORE_RECUPERACAO > 1"),
            0);
  EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE FLAG_ACORDO NOT IN (0, 1)"), 0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE FLAG_ACORDO = 1"), 0);
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE STATUS = 1"), kRows * 9 / 10);
}

TEST_F(SampleFile, NotesContainCharactersThatNeedEscaping) {
  Db db(path());
  std::string all;
  for (const auto& note :
       db.column("SELECT OBSERVACAO FROM bi_credores WHERE OBSERVACAO IS NOT NULL")) {
    all += *note;
  }
  for (const char* needle : {"\n", "\t", "\"", "\\", "'", "às"}) {
    EXPECT_NE(all.find(needle), std::string::npos) << "missing " << needle;
  }
  EXPECT_GT(db.scalar("SELECT COUNT(*) FROM bi_credores WHERE OBSERVACAO IS NULL"), kRows / 2);
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

TEST(SampleDocuments, CheckDigitsAgreeWithPublishedExamples) {
  // Well-known valid examples, and the same with one digit changed.
  for (const char* cpf : {"529.982.247-25", "111.444.777-35"}) {
    EXPECT_TRUE(is_valid_cpf(cpf)) << cpf;
    EXPECT_TRUE(cpf_digits_ok(cpf)) << cpf;
  }
  EXPECT_FALSE(is_valid_cpf("529.982.247-24"));
  EXPECT_FALSE(is_valid_cpf("111.111.111-11"));  // arithmetic passes; the rule forbids it
  EXPECT_TRUE(is_valid_cnpj("11.222.333/0001-81"));
  EXPECT_TRUE(cnpj_digits_ok("11.222.333/0001-81"));
  EXPECT_FALSE(is_valid_cnpj("11.222.333/0001-80"));
}

TEST(SampleDdl, SchemaFileMatchesTheGeneratorsDdl) {
  std::ifstream file(std::string(REPLICATE_SOURCE_DIR) + "/schemas/bi_credores.sqlite.sql");
  ASSERT_TRUE(file) << "schemas/bi_credores.sqlite.sql is missing";
  std::stringstream text;
  text << file.rdbuf();
  EXPECT_EQ(text.str(), sqlite_ddl("bi_credores"));
}

TEST(SampleDdl, QuotesTheTableName) {
  const auto ddl = sqlite_ddl("a\"b");
  EXPECT_EQ(ddl.rfind("CREATE TABLE \"a\"\"b\" (\n", 0), 0u) << ddl;
}

}  // namespace
}  // namespace replicate::sample
