// Generates realistic bi_credores rows: valid CPF/CNPJ check digits, places that
// agree with their UF/DDD/CEP, money in exact cents, delays consistent with dates,
// and the NULLs, empty strings and awkward characters a real table holds.
#include "sample/row_generator.hpp"

#include <algorithm>

#include "sample/format.hpp"
#include "sample/vocabulary.hpp"

namespace replicate::sample {
namespace {

// Column positions, in table order.
enum Col : std::size_t {
  kId,
  kIdCredor,
  kNomeCredor,
  kCnpjCredor,
  kIdDevedor,
  kNomeDevedor,
  kCpf,
  kDataNascimento,
  kSexo,
  kEmail,
  kTelefone,
  kLogradouro,
  kNumero,
  kComplemento,
  kBairro,
  kCidade,
  kUf,
  kCep,
  kNumeroContrato,
  kProduto,
  kCarteira,
  kDataContrato,
  kDataVencimento,
  kDiasAtraso,
  kValorOriginal,
  kValorAtualizado,
  kValorJuros,
  kValorMulta,
  kValorPago,
  kQtdParcelas,
  kFaixaAtraso,
  kStatusCobranca,
  kScoreRecuperacao,
  kFlagAcordo,
  kDataUltimoPagamento,
  kDataUltimoContato,
  kObservacao,
  kDataAtualizacao,
  kStatus,
};
static_assert(kStatus + 1 == kColumnCount, "one enumerator per column");

constexpr std::array<ColumnSpec, kColumnCount> kColumns = {{
    {"ID", "INTEGER PRIMARY KEY"},
    {"ID_CREDOR", "INTEGER NOT NULL"},
    {"NOME_CREDOR", "VARCHAR(120) NOT NULL"},
    {"CNPJ_CREDOR", "VARCHAR(18)"},
    {"ID_DEVEDOR", "BIGINT NOT NULL"},
    {"NOME_DEVEDOR", "VARCHAR(150) NOT NULL"},
    {"CPF", "VARCHAR(14)"},
    {"DATA_NASCIMENTO", "DATE"},
    {"SEXO", "CHAR(1)"},
    {"EMAIL", "VARCHAR(120)"},
    {"TELEFONE", "VARCHAR(20)"},
    {"LOGRADOURO", "VARCHAR(200)"},
    {"NUMERO", "VARCHAR(10)"},
    {"COMPLEMENTO", "VARCHAR(80)"},
    {"BAIRRO", "VARCHAR(80)"},
    {"CIDADE", "VARCHAR(80)"},
    {"UF", "CHAR(2)"},
    {"CEP", "VARCHAR(9)"},
    {"NUMERO_CONTRATO", "VARCHAR(30) NOT NULL"},
    {"PRODUTO", "VARCHAR(60)"},
    {"CARTEIRA", "VARCHAR(40)"},
    {"DATA_CONTRATO", "DATE"},
    {"DATA_VENCIMENTO", "DATE NOT NULL"},
    {"DIAS_ATRASO", "INTEGER"},
    {"VALOR_ORIGINAL", "DECIMAL(15,2) NOT NULL"},
    {"VALOR_ATUALIZADO", "DECIMAL(15,2)"},
    {"VALOR_JUROS", "DECIMAL(15,2)"},
    {"VALOR_MULTA", "DECIMAL(15,2)"},
    {"VALOR_PAGO", "DECIMAL(19,4)"},
    {"QTD_PARCELAS", "SMALLINT"},
    {"FAIXA_ATRASO", "VARCHAR(20)"},
    {"STATUS_COBRANCA", "VARCHAR(20)"},
    {"SCORE_RECUPERACAO", "DECIMAL(5,4)"},
    {"FLAG_ACORDO", "BOOLEAN NOT NULL DEFAULT 0"},
    {"DATA_ULTIMO_PAGAMENTO", "DATE"},
    {"DATA_ULTIMO_CONTATO", "DATETIME"},
    {"OBSERVACAO", "TEXT"},
    {"DATA_ATUALIZACAO", "DATETIME NOT NULL"},
    {"STATUS", "SMALLINT NOT NULL DEFAULT 1"},
}};

// The sample's calendar: ten years of contracts, delays measured on a fixed day
// so a file generated today and next year is the same file.
constexpr std::int64_t kFirstDay = days_from_civil(2016, 1, 1);
constexpr std::int64_t kLastDay = days_from_civil(2025, 12, 31);
constexpr std::int64_t kReferenceDay = days_from_civil(2026, 1, 1);

constexpr std::int64_t kDebtorIdBase = 10'000'000;

const char* delay_band(std::int64_t days) {
  if (days <= 30) return "0-30";
  if (days <= 60) return "31-60";
  if (days <= 90) return "61-90";
  if (days <= 180) return "91-180";
  if (days <= 360) return "181-360";
  return "360+";
}

// Collections skew towards old debt: a third of a real portfolio is past a year.
std::int64_t draw_delay(Prng& rng) {
  const auto band = rng.below(100);
  if (band < 12) return rng.between(1, 30);
  if (band < 22) return rng.between(31, 60);
  if (band < 30) return rng.between(61, 90);
  if (band < 45) return rng.between(91, 180);
  if (band < 65) return rng.between(181, 360);
  return rng.between(361, kReferenceDay - kFirstDay);
}

std::int64_t draw_original_cents(Prng& rng) {
  const auto band = rng.below(100);
  std::int64_t cents;
  if (band < 40)
    cents = rng.between(5'000, 100'000);
  else if (band < 75)
    cents = rng.between(100'000, 500'000);
  else if (band < 95)
    cents = rng.between(500'000, 2'000'000);
  else
    cents = rng.between(2'000'000, 8'000'000);
  // Whole amounts are common in contracts, and "1500.00" is the case SQLite's
  // NUMERIC affinity stores as INTEGER rather than REAL: worth having in the data.
  if (rng.chance(100)) cents -= cents % 100;
  return cents;
}

const char* draw_collection_status(Prng& rng, bool agreement, bool paid_in_full,
                                   std::int64_t delay) {
  if (paid_in_full) return "QUITADO";
  if (agreement) return rng.chance(750) ? "ACORDO_ATIVO" : "ACORDO_QUEBRADO";
  const auto pick = rng.below(100);
  if (pick < 40) return "EM_ABERTO";
  if (pick < 60) return "EM_NEGOCIACAO";
  if (pick < 75) return "SEM_CONTATO";
  if (pick < 85) return delay > 180 ? "JUDICIAL" : "EM_ABERTO";
  if (pick < 95) return "PROTESTADO";
  return "NEGATIVADO";
}

}  // namespace

std::span<const ColumnSpec> columns() { return kColumns; }

RowGenerator::RowGenerator(std::uint64_t seed, std::int64_t rows)
    : seed_(seed),
      // Seven contracts for every ten debtors: some debtors owe several creditors.
      debtor_pool_(std::max<std::int64_t>(1, rows * 7 / 10)),
      rng_(derive_seed(seed, 0)) {
  Prng creditor_rng(derive_seed(seed, 1));
  for (std::size_t i = 0; i < creditors().size(); ++i) {
    std::string cnpj;
    append_cnpj(cnpj, creditor_rng);
    creditor_cnpj_.push_back(std::move(cnpj));
  }
  int total = 0;
  for (const auto& city : cities()) city_cumulative_.push_back(total += city.weight);
}

std::size_t RowGenerator::pick_city(Prng& rng) const {
  const auto target =
      static_cast<int>(rng.below(static_cast<std::uint64_t>(city_cumulative_.back())));
  return static_cast<std::size_t>(
      std::upper_bound(city_cumulative_.begin(), city_cumulative_.end(), target) -
      city_cumulative_.begin());
}

// Everything about a person comes from a stream keyed by the debtor, so a debtor
// with three contracts has the same name, CPF and address on all three.
void RowGenerator::fill_debtor(std::int64_t debtor, Row& row) {
  Prng rng(derive_seed(seed_, static_cast<std::uint64_t>(debtor) + 2));
  const auto& first = rng.pick(first_names());
  const auto& surname1 = rng.pick(surnames());
  const auto& surname2 = rng.pick(surnames());
  const bool two_surnames = rng.chance(600);

  std::string& name = row[kNomeDevedor].set_text();
  name.append(first.name).append(" ").append(surname1);
  if (two_surnames) name.append(" ").append(surname2);

  row[kSexo].set_text().push_back(first.sex);
  append_cpf(row[kCpf].set_text(), rng);
  append_date(row[kDataNascimento].set_text(),
              rng.between(days_from_civil(1945, 1, 1), days_from_civil(2001, 12, 31)));

  // E-mail addresses are ASCII: accents folded, the apostrophe of D'Ávila dropped.
  std::string& email = row[kEmail].set_text();
  append_ascii_lower(email, first.name);
  static constexpr std::array kSeparators = {".", "_", ""};
  email.append(kSeparators[rng.below(kSeparators.size())]);
  append_ascii_lower(email, two_surnames ? surname2 : surname1);
  if (rng.chance(400)) append_number(email, static_cast<std::uint64_t>(rng.between(1, 2005)), 0);
  email.append("@").append(rng.pick(email_domains()));

  const auto& city = cities()[pick_city(rng)];
  append_phone(row[kTelefone].set_text(), rng, city.ddd, rng.chance(700));
  row[kLogradouro]
      .set_text()
      .append(rng.pick(street_types()))
      .append(" ")
      .append(rng.pick(street_names()));
  if (rng.chance(40))
    row[kNumero].set_text().append("S/N");
  else
    append_number(row[kNumero].set_text(), static_cast<std::uint64_t>(rng.between(1, 4999)), 0);
  // COMPLEMENTO holds both kinds of nothing: NULL and ''. Copies must keep them apart.
  const auto complement_kind = rng.below(100);
  if (complement_kind < 15)
    row[kComplemento].set_null();
  else if (complement_kind < 55)
    row[kComplemento].set_text();
  else
    row[kComplemento].set_text().append(rng.pick(complements()));
  row[kBairro].set_text().append(rng.pick(neighbourhoods()));
  row[kCidade].set_text().append(city.name);
  row[kUf].set_text().append(city.uf);
  std::string& cep = row[kCep].set_text();
  append_number(cep, static_cast<std::uint64_t>(rng.between(city.cep_lo, city.cep_hi)), 5);
  cep.push_back('-');
  append_number(cep, rng.below(1000), 3);
}

void RowGenerator::fill(std::int64_t id, Row& row) {
  Prng& rng = rng_;
  row[kId].set_integer(id);

  const auto creditor_index = rng.below(creditors().size());
  const Creditor& creditor = creditors()[creditor_index];
  row[kIdCredor].set_integer(creditor.id);
  row[kNomeCredor].set_text().append(creditor.name);
  if (rng.chance(10))
    row[kCnpjCredor].set_null();
  else
    row[kCnpjCredor].set_text().append(creditor_cnpj_[creditor_index]);

  const auto debtor =
      static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(debtor_pool_)));
  row[kIdDevedor].set_integer(kDebtorIdBase + debtor);
  fill_debtor(debtor, row);
  // Gaps in the person's data, decided per row: each creditor's file is incomplete
  // in its own way.
  if (rng.chance(30)) row[kCpf].set_null();
  if (rng.chance(40)) row[kDataNascimento].set_null();
  if (rng.chance(20)) row[kSexo].set_null();
  const auto email_gap = rng.below(1000);
  if (email_gap < 100)
    row[kEmail].set_null();
  else if (email_gap < 120)
    row[kEmail].set_text();
  if (rng.chance(50)) row[kTelefone].set_null();
  if (rng.chance(20)) row[kLogradouro].set_null();
  if (rng.chance(20)) row[kNumero].set_null();
  if (rng.chance(30)) row[kBairro].set_null();
  if (rng.chance(10)) {
    row[kCidade].set_null();
    row[kUf].set_null();
  }
  if (rng.chance(30)) row[kCep].set_null();

  // Dates: the delay is drawn first and the due date derived from it, so that
  // DIAS_ATRASO = 2026-01-01 - DATA_VENCIMENTO holds exactly.
  const std::int64_t delay = draw_delay(rng);
  const std::int64_t due = kReferenceDay - delay;
  const std::int64_t signed_on = std::max(kFirstDay, due - rng.between(30, 1080));

  std::string& contract = row[kNumeroContrato].set_text();
  contract.append(creditor.contract_prefix).push_back('-');
  append_number(contract, static_cast<std::uint64_t>(civil_from_days(signed_on).year), 4);
  contract.push_back('-');
  append_number(contract, static_cast<std::uint64_t>(id), 8);

  if (rng.chance(10))
    row[kProduto].set_null();
  else
    row[kProduto].set_text().append(rng.pick(creditor.products));
  if (rng.chance(30))
    row[kCarteira].set_null();
  else
    row[kCarteira].set_text().append(rng.pick(portfolios()));
  if (rng.chance(20))
    row[kDataContrato].set_null();
  else
    append_date(row[kDataContrato].set_text(), signed_on);
  append_date(row[kDataVencimento].set_text(), due);
  row[kDiasAtraso].set_integer(delay);
  row[kFaixaAtraso].set_text().append(delay_band(delay));

  // Money in integer cents: exact all the way to the text bound into SQLite.
  const std::int64_t original = draw_original_cents(rng);
  const std::int64_t monthly_rate_bp = rng.between(100, 800);
  const std::int64_t interest =
      std::min(original * 3, original * monthly_rate_bp * delay / (30 * 10'000));
  const std::int64_t fine = (original * 2 + 50) / 100;  // 2%: the consumer-code cap
  const std::int64_t updated = original + interest + fine;
  append_scaled(row[kValorOriginal].set_text(), original, 2);
  if (rng.chance(20))
    row[kValorAtualizado].set_null();
  else
    append_scaled(row[kValorAtualizado].set_text(), updated, 2);
  if (rng.chance(20))
    row[kValorJuros].set_null();
  else
    append_scaled(row[kValorJuros].set_text(), interest, 2);
  if (rng.chance(20))
    row[kValorMulta].set_null();
  else
    append_scaled(row[kValorMulta].set_text(), fine, 2);

  const bool agreement = rng.chance(180);
  row[kFlagAcordo].set_integer(agreement ? 1 : 0);
  const bool paid_something = rng.chance(agreement ? 700 : 150);
  // Agreements are how debts get settled: a third of those paying pay in full.
  const bool paid_in_full = paid_something && rng.chance(agreement ? 330 : 50);
  const std::int64_t paid_percent = paid_in_full ? 100 : paid_something ? rng.between(5, 99) : 0;
  const std::int64_t paid = updated * paid_percent / 100;
  if (paid_something) {
    // money has four decimals; card-fee splits leave fractions of a cent.
    if (rng.chance(150))
      append_scaled(row[kValorPago].set_text(), paid * 100 + rng.between(1, 99), 4);
    else
      append_scaled(row[kValorPago].set_text(), paid, 2);
  } else if (rng.chance(250)) {
    row[kValorPago].set_text().append("0.00");
  } else {
    row[kValorPago].set_null();
  }
  if (rng.chance(30))
    row[kQtdParcelas].set_null();
  else
    row[kQtdParcelas].set_integer(agreement ? rng.between(2, 24) : rng.between(1, 60));

  const char* status = draw_collection_status(rng, agreement, paid_in_full, delay);
  if (rng.chance(10))
    row[kStatusCobranca].set_null();
  else
    row[kStatusCobranca].set_text().append(status);

  // Older debt is harder to recover; an agreement makes recovery likelier.
  std::int64_t score = 9500 - std::min<std::int64_t>(delay, 3650) * 2 + rng.between(-1500, 1500);
  if (agreement) score += 1000;
  score = std::clamp<std::int64_t>(score, 0, 10'000);
  if (rng.chance(40))
    row[kScoreRecuperacao].set_null();
  else
    append_scaled(row[kScoreRecuperacao].set_text(), score, 4);

  if (paid_something)
    append_date(row[kDataUltimoPagamento].set_text(), rng.between(due, kLastDay));
  else
    row[kDataUltimoPagamento].set_null();
  if (rng.chance(150)) {
    row[kDataUltimoContato].set_null();
  } else {
    append_datetime(row[kDataUltimoContato].set_text(), rng.between(due, kLastDay),
                    rng.between(8 * 3600, 20 * 3600 + 59 * 60 + 59), -1);
  }

  const auto note_kind = rng.below(1000);
  if (note_kind < 790) {
    row[kObservacao].set_null();
  } else if (note_kind < 800) {
    row[kObservacao].set_text();
  } else {
    std::string& note = row[kObservacao].set_text();
    note.append(rng.pick(notes()));
    if (rng.chance(200)) note.append(" | ").append(rng.pick(notes()));
  }

  append_datetime(row[kDataAtualizacao].set_text(), rng.between(due, kLastDay),
                  rng.between(0, 86'399), static_cast<int>(rng.below(1000)));
  row[kStatus].set_integer(rng.chance(960) ? 1 : 0);
}

}  // namespace replicate::sample
