// SPDX-License-Identifier: Apache-2.0
// Generates realistic bi_credores rows: one row per contract in collection, a
// debtor's contracts on consecutive rows with the same CPF (valid check digits),
// DEVEDOR_ID and city; due dates, delays and bands that agree with each other;
// balances in exact cents, skewed as real portfolios are; and about one NULL in
// ten in every nullable column.
#include "sample/row_generator.hpp"

#include <algorithm>

#include "sample/format.hpp"
#include "sample/vocabulary.hpp"

namespace replicate::sample {
namespace {

// Column positions, in table order.
enum Col : std::size_t {
  kId,
  kCpf,
  kDevedorId,
  kContId,
  kNumeroContrato,
  kAcordoId,
  kMinVencimento,
  kMaxVencimento,
  kPlano,
  kMinParcelas,
  kMaxParcelas,
  kMaxAtraso,
  kTtParcelas,
  kCidade,
  kUf,
  kDataBatimento,
  kDataInclusao,
  kDataImportacao,
  kDataVencimentoAntigo,
  kDataUltimoAcionamento,
  kDataProximoAcionamento,
  kAcaoId,
  kSaldo,
  kSaldoDevTt,
  kTtContratos,
  kCpc,
  kFaixaCredor,
  kFaixaCredorMj,
  kDescricao,
  kPerPlanoPago,
  kPnp,
  kTotalEsforco,
  kEsforcoDiscador,
  kPisitivas,
  kNegativas,
  kDataBase,
  kStatus,
  kProdutoId,
  kDataAcionamentoColchao,
};
static_assert(kDataAcionamentoColchao + 1 == kColumnCount, "one enumerator per column");

// The original system's types. Its INTEGER columns are declared INT: SQLite
// stores both alike, and replicate maps INT to PostgreSQL integer (as SQL
// Server's int) but INTEGER to bigint (SQLite's integers are 64-bit). id stays
// INTEGER PRIMARY KEY, SQLite's rowid.
constexpr std::array<ColumnSpec, kColumnCount> kColumns = {{
    {"id", "INTEGER PRIMARY KEY"},
    {"CPF", "VARCHAR(14) NOT NULL"},
    {"DEVEDOR_ID", "BIGINT NOT NULL"},
    {"CONT_ID", "SMALLINT"},
    {"NUMERO_CONTRATO", "VARCHAR(50)"},
    {"ACORDO_ID", "VARCHAR(9)"},
    {"MIN_VENCIMENTO", "DATE"},
    {"MAX_VENCIMENTO", "DATE"},
    {"PLANO", "SMALLINT"},
    {"MIN_PARCELAS", "SMALLINT"},
    {"MAX_PARCELAS", "SMALLINT"},
    {"MAX_ATRASO", "INT"},
    {"TT_PARCELAS", "INT"},
    {"CIDADE", "VARCHAR(30) NOT NULL"},
    {"UF", "VARCHAR(2)"},
    {"DATA_BATIMENTO", "DATE"},
    {"DATA_INCLUSAO", "DATE"},
    {"DATA_IMPORTACAO", "DATE"},
    {"DATA_VENCIMENTO_ANTIGO", "DATE"},
    {"DATA_ULTIMO_ACIONAMENTO", "DATE"},
    {"DATA_PROXIMO_ACIONAMENTO", "DATE"},
    {"ACAO_ID", "INT"},
    {"SALDO", "DECIMAL(38,2)"},
    {"SALDO_DEV_TT", "DECIMAL(38,2)"},
    {"TT_CONTRATOS", "INT"},
    {"CPC", "INT"},
    {"FAIXA_CREDOR", "VARCHAR(30)"},
    {"FAIXA_CREDOR_MJ", "VARCHAR(30)"},
    {"DESCRICAO", "VARCHAR(50)"},
    {"PER_PLANO_PAGO", "INT"},
    {"PNP", "INT DEFAULT 0"},
    {"TOTAL_ESFORCO", "INT DEFAULT 0"},
    {"ESFORCO_DISCADOR", "INT DEFAULT 0"},
    {"PISITIVAS", "INT DEFAULT 0"},
    {"NEGATIVAS", "INT DEFAULT 0"},
    {"DATA_BASE", "DATE"},
    {"STATUS", "INT DEFAULT 1"},
    {"PRODUTO_ID", "VARCHAR(50)"},
    {"DATA_ACIONAMENTO_COLCHAO", "DATE"},
}};

// The sample's calendar: contracts due since 2015, the snapshot taken in the last
// days of January 2026, so a file generated today and next year is the same file.
constexpr std::int64_t kFirstDay = days_from_civil(2015, 1, 1);
constexpr std::int64_t kBaseDay = days_from_civil(2026, 1, 30);

// Debtor ids of a collection system that has numbered people for years: past
// the 32-bit range, so a BIGINT that fits in an int would be caught.
constexpr std::int64_t kDebtorIdBase = 4'100'000'000;

// 10^(k/20) * 10^9, k = 0..19: the steps of the balance scale, twenty a decade,
// so balances come from integer arithmetic alone.
constexpr std::array<std::int64_t, 20> kDecadeSteps = {
    1000000000, 1122018454, 1258925412, 1412537545, 1584893192, 1778279410, 1995262315,
    2238721139, 2511886432, 2818382931, 3162277660, 3548133892, 3981071706, 4466835922,
    5011872336, 5623413252, 6309573445, 7079457844, 7943282347, 8912509381};

constexpr std::int64_t kPow10[] = {1,      10,      100,      1000,      10000,
                                   100000, 1000000, 10000000, 100000000, 1000000000};

// Payment plans: number of installments, and how often each is sold.
constexpr std::array<int, 10> kPlans = {1, 3, 6, 10, 12, 18, 24, 36, 48, 60};
constexpr std::array<int, 10> kPlanWeights = {6, 8, 10, 12, 20, 10, 16, 8, 5, 5};

const char* delay_band(std::int64_t days, bool due) {
  if (!due) return "A VENCER";
  if (days <= 30) return "0-30";
  if (days <= 60) return "31-60";
  if (days <= 90) return "61-90";
  if (days <= 180) return "91-180";
  if (days <= 360) return "181-360";
  if (days <= 720) return "361-720";
  if (days <= 1080) return "721-1080";
  if (days <= 1800) return "1081-1800";
  return "ACIMA DE 1800";
}

// The same delay in the coarser bands the BI's summaries group by.
const char* delay_band_mj(std::int64_t days, bool due) {
  if (!due) return "A VENCER";
  if (days <= 90) return "ATÉ 90 DIAS";
  if (days <= 360) return "91 A 360 DIAS";
  if (days <= 1800) return "361 A 1800 DIAS";
  return "ACIMA DE 1800 DIAS";
}

// Collections skew towards old debt: a third of a real portfolio is past a year,
// and the oldest fell due on the calendar's first day.
std::int64_t draw_delay(Prng& rng, std::int64_t base) {
  const auto band = rng.below(100);
  if (band < 12) return rng.between(0, 30);
  if (band < 22) return rng.between(31, 60);
  if (band < 30) return rng.between(61, 90);
  if (band < 45) return rng.between(91, 180);
  if (band < 65) return rng.between(181, 360);
  if (band < 77) return rng.between(361, 720);
  if (band < 90) return rng.between(721, 1800);
  return rng.between(1801, base - kFirstDay);
}

template <class T>
std::vector<int> running_sum(std::span<const T> items) {
  std::vector<int> sums;
  int total = 0;
  for (const auto& item : items) sums.push_back(total += item.weight);
  return sums;
}

std::size_t pick_weighted(Prng& rng, const std::vector<int>& cumulative) {
  const auto target = static_cast<int>(rng.below(static_cast<std::uint64_t>(cumulative.back())));
  return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), target) -
                                  cumulative.begin());
}

int draw_plan(Prng& rng) {
  auto target = static_cast<int>(rng.below(100));
  for (std::size_t i = 0; i < kPlans.size(); ++i) {
    if (target < kPlanWeights[i]) return kPlans[i];
    target -= kPlanWeights[i];
  }
  return kPlans.back();
}

// Whole months from `from` to `to` (from <= to): the installments due in between.
int months_between(const CivilDate& from, const CivilDate& to) {
  return (to.year - from.year) * 12 + (to.month - from.month) - (to.day < from.day ? 1 : 0);
}

// `day` plus `months` months; day of month at most 28, so it always exists.
std::int64_t add_months(const CivilDate& date, int months) {
  const int index = date.month - 1 + months;
  return days_from_civil(date.year + index / 12, index % 12 + 1, date.day);
}

}  // namespace

std::span<const ColumnSpec> columns() { return kColumns; }

RowGenerator::RowGenerator(std::uint64_t seed, std::int64_t rows)
    : rng_(derive_seed(seed, 0)),
      rows_(rows),
      city_cumulative_(running_sum(cities())),
      creditor_cumulative_(running_sum(creditors())),
      action_cumulative_(running_sum(actions())) {}

// Log-normal-ish, from integers only: the exponent is a sum of four uniform
// draws (near enough to a normal), in twentieths of a decade around R$ 1,600
// with a spread of half a decade; one debt in fifty reaches for the millions.
std::int64_t RowGenerator::draw_balance_cents() {
  Prng& rng = rng_;
  if (rng.chance(5)) return 0;  // paid off, still listed
  std::int64_t sum = 0;
  for (int i = 0; i < 4; ++i) sum += static_cast<std::int64_t>(rng.below(1000));
  std::int64_t step = 64 + (sum - 1998) * 10 / 577;
  if (rng.chance(20)) step += rng.between(10, 40);
  step = std::clamp<std::int64_t>(step, 0, 179);
  // Fill the gap to the next step: 10^(1/20) = 1.122.
  const auto scaled = static_cast<__int128>(kDecadeSteps[static_cast<std::size_t>(step % 20)]) *
                      (1'000'000 + rng.between(0, 122'017));
  // R$ 1.00 is step 0: cents = 100 * 10^(step / 20) = scaled * 10^decade / 10^13.
  std::int64_t cents = static_cast<std::int64_t>(scaled * kPow10[step / 20] / 10'000'000'000'000LL);
  // Whole amounts are common in settlements, and "1500.00" is the case SQLite's
  // NUMERIC affinity stores as INTEGER rather than REAL: worth having in the data.
  if (rng.chance(10)) cents -= cents % 100;
  return std::max<std::int64_t>(cents, 1);
}

void RowGenerator::start_debtor(std::int64_t rows_left) {
  Prng& rng = rng_;
  ++debtors_;
  // Unique per debtor and not sequential, as ids of an old system are.
  debtor_id_ = kDebtorIdBase + debtors_ * 37 + static_cast<std::int64_t>(rng.below(37));
  cpf_.clear();
  append_cpf(cpf_, rng);
  city_ = pick_weighted(rng, city_cumulative_);

  const auto kind = rng.below(100);
  int contracts = kind < 60   ? 1
                  : kind < 85 ? 2
                  : kind < 95 ? 3
                              : static_cast<int>(rng.between(4, kMaxContracts));
  contracts = static_cast<int>(std::min<std::int64_t>(contracts, rows_left));
  contracts_ = contracts;
  next_contract_ = 0;
  total_cents_ = 0;
  for (int i = 0; i < contracts; ++i)
    total_cents_ += balance_cents_[static_cast<std::size_t>(i)] = draw_balance_cents();
  // Some debtors also owe in portfolios outside this table: the totals count them.
  all_contracts_ = contracts;
  if (rng.chance(100)) {
    const auto others = static_cast<int>(rng.between(1, 3));
    all_contracts_ += others;
    for (int i = 0; i < others; ++i) total_cents_ += draw_balance_cents();
  }
}

void RowGenerator::fill(std::int64_t id, Row& row) {
  if (next_contract_ == contracts_) start_debtor(rows_ - id + 1);
  Prng& rng = rng_;
  // About one value in ten is missing in every nullable column.
  auto gap = [&rng] { return rng.chance(100); };
  auto put_date = [&](Col col, std::int64_t day) {
    if (gap())
      row[col].set_null();
    else
      append_date(row[col].set_text(), day);
  };
  auto put_integer = [&](Col col, std::int64_t value) {
    if (gap())
      row[col].set_null();
    else
      row[col].set_integer(value);
  };
  auto put_text = [&](Col col, std::string_view text) {
    if (gap())
      row[col].set_null();
    else
      row[col].set_text().append(text);
  };

  row[kId].set_integer(id);
  row[kCpf].set_text().append(cpf_);
  row[kDevedorId].set_integer(debtor_id_);
  const City& city = cities()[city_];
  row[kCidade].set_text().append(city.name);
  put_text(kUf, city.uf);

  const Creditor& creditor = creditors()[pick_weighted(rng, creditor_cumulative_)];
  put_integer(kContId, creditor.id);

  // The snapshot: the debtor's file was refreshed on one of the last few days.
  const std::int64_t base = kBaseDay - static_cast<std::int64_t>(rng.below(5));

  // Installments: the first open one (MIN_PARCELAS) is due MAX_ATRASO days before
  // the snapshot, or not yet due; later open ones fall due monthly after it.
  const int plan = draw_plan(rng);
  const bool due = !rng.chance(50);
  std::int64_t first_due = due ? base - draw_delay(rng, base) : base + rng.between(1, 60);
  CivilDate first = civil_from_days(first_due);
  if (first.day > 28) {  // a day every month has: earlier if due, later if not
    first = due                 ? CivilDate{first.year, first.month, 28}
            : first.month == 12 ? CivilDate{first.year + 1, 1, 1}
                                : CivilDate{first.year, first.month + 1, 1};
    first_due = days_from_civil(first.year, first.month, first.day);
  }
  const std::int64_t delay = due ? base - first_due : 0;
  const int first_open = static_cast<int>(rng.between(1, plan));
  const int due_since = due ? months_between(first, civil_from_days(base)) + 1 : 1;
  const int open = static_cast<int>(
      rng.between(1, std::max(1, std::min({plan - first_open + 1, due_since, 24}))));
  const int last_open = first_open + open - 1;
  put_integer(kPlano, plan);
  put_integer(kMinParcelas, first_open);
  put_integer(kMaxParcelas, last_open);
  put_integer(kTtParcelas, open);
  put_integer(kPerPlanoPago, (first_open - 1) * 100 / plan);
  put_date(kMinVencimento, first_due);
  put_date(kMaxVencimento, add_months(first, open - 1));
  put_integer(kMaxAtraso, delay);
  put_text(kFaixaCredor, delay_band(delay, due));
  put_text(kFaixaCredorMj, delay_band_mj(delay, due));
  // Before a renegotiation the debt was due earlier.
  put_date(kDataVencimentoAntigo, std::max(kFirstDay, first_due - rng.between(0, 720)));

  // The contract's life in collection, in order: included, imported, reconciled.
  const std::int64_t included =
      due ? std::min(base, first_due + rng.between(1, 90)) : base - rng.between(0, 30);
  const std::int64_t imported = std::min(base, included + rng.between(0, 3));
  put_date(kDataInclusao, included);
  put_date(kDataImportacao, imported);
  put_date(kDataBatimento, rng.between(imported, base));

  if (gap()) {
    row[kNumeroContrato].set_null();
  } else {
    std::string& contract = row[kNumeroContrato].set_text();
    contract.append(creditor.contract_prefix).push_back('-');
    append_number(contract, static_cast<std::uint64_t>(civil_from_days(included).year), 4);
    contract.push_back('-');
    append_number(contract, static_cast<std::uint64_t>(id), 9);
  }
  put_text(kProdutoId, rng.pick(creditor.products));

  // Contact effort: attempts, the dialler's share, answered and failed calls,
  // contacts with the right person (CPC) and promises not kept (PNP).
  const std::int64_t effort = rng.chance(150)   ? 0
                              : rng.chance(900) ? rng.between(1, 40)
                                                : rng.between(41, 300);
  const std::int64_t positive = rng.between(0, effort / 4);
  const std::int64_t cpc = rng.between(0, std::min<std::int64_t>(positive, 12));
  put_integer(kTotalEsforco, effort);
  put_integer(kEsforcoDiscador, effort * rng.between(50, 95) / 100);
  put_integer(kPisitivas, positive);
  put_integer(kNegativas, rng.between(0, effort - positive));
  put_integer(kCpc, cpc);
  put_integer(kPnp, rng.between(0, std::min<std::int64_t>(cpc, 3)));

  // An agreement is likelier once the right person was reached.
  const bool agreement = rng.chance(cpc > 0 ? 550 : 150);
  if (agreement) {
    append_number(row[kAcordoId].set_text(),
                  static_cast<std::uint64_t>(rng.between(100'000'000, 999'999'999)), 9);
  } else {
    row[kAcordoId].set_null();
  }
  const Action& action = agreement && rng.chance(600)
                             ? actions()[0]
                             : actions()[pick_weighted(rng, action_cumulative_)];
  put_integer(kAcaoId, action.id);
  // No '' anywhere: bcp's character format (scripts/mssql-seed.sh) reads an
  // empty field as NULL, so a seeded SQL Server would differ from the sample.
  const auto note_kind = rng.below(1000);
  if (note_kind < 100)
    row[kDescricao].set_null();
  else if (note_kind < 130)
    row[kDescricao].set_text().append(rng.pick(operator_notes()));
  else
    row[kDescricao].set_text().append(action.description);

  const std::int64_t last_action = rng.between(included, base);
  put_date(kDataUltimoAcionamento, last_action);
  put_date(kDataProximoAcionamento, last_action + rng.between(1, 30));
  // A quarter of the contracts were moved to the "colchão", the reserve worked last.
  if (rng.chance(250))
    append_date(row[kDataAcionamentoColchao].set_text(), rng.between(included, base));
  else
    row[kDataAcionamentoColchao].set_null();

  // Balances in integer cents: exact all the way to the text bound into SQLite.
  const std::int64_t balance = balance_cents_[static_cast<std::size_t>(next_contract_)];
  if (gap())
    row[kSaldo].set_null();
  else
    append_scaled(row[kSaldo].set_text(), balance, 2);
  if (gap())
    row[kSaldoDevTt].set_null();
  else
    append_scaled(row[kSaldoDevTt].set_text(), total_cents_, 2);
  put_integer(kTtContratos, all_contracts_);

  put_date(kDataBase, base);
  row[kStatus].set_integer(1);  // live: mirror mode marks rows 0 while it runs
  ++next_contract_;
}

}  // namespace replicate::sample
