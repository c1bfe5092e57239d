// SPDX-License-Identifier: Apache-2.0
// Word lists for the sample. Creditors are invented on purpose: a sample should
// never look like a real company's debtor list.
#include "sample/vocabulary.hpp"

#include <array>

namespace replicate::sample {
namespace {

using namespace std::string_view_literals;

// Weights follow population, roughly; every name fits CIDADE's 30 characters.
constexpr std::array kCities = {
    City{"São Paulo", "SP", 120},
    City{"Rio de Janeiro", "RJ", 70},
    City{"Belo Horizonte", "MG", 30},
    City{"Brasília", "DF", 30},
    City{"Salvador", "BA", 28},
    City{"Fortaleza", "CE", 27},
    City{"Curitiba", "PR", 20},
    City{"Manaus", "AM", 20},
    City{"Recife", "PE", 17},
    City{"Goiânia", "GO", 16},
    City{"Belém", "PA", 15},
    City{"Porto Alegre", "RS", 15},
    City{"São Luís", "MA", 11},
    City{"Maceió", "AL", 10},
    City{"Campinas", "SP", 12},
    City{"Natal", "RN", 9},
    City{"Teresina", "PI", 9},
    City{"João Pessoa", "PB", 8},
    City{"Florianópolis", "SC", 6},
    City{"Ribeirão Preto", "SP", 7},
    City{"Jundiaí", "SP", 4},
    City{"São José dos Campos", "SP", 7},
    City{"Uberlândia", "MG", 7},
    City{"Cuiabá", "MT", 6},
    City{"Aracaju", "SE", 6},
    City{"Vitória", "ES", 4},
    City{"Campo Grande", "MS", 9},
    City{"Niterói", "RJ", 5},
    City{"Juiz de Fora", "MG", 6},
    City{"Londrina", "PR", 6},
    City{"Joinville", "SC", 6},
    City{"Caxias do Sul", "RS", 5},
    City{"Feira de Santana", "BA", 6},
    City{"Santos", "SP", 4},
    City{"Petrópolis", "RJ", 3},
    City{"Macapá", "AP", 5},
    City{"Palmas", "TO", 3},
    City{"Porto Velho", "RO", 5},
    City{"Rio Branco", "AC", 4},
    City{"Boa Vista", "RR", 4},
    City{"Anápolis", "GO", 4},
    City{"Mossoró", "RN", 3},
    City{"São João de Meriti", "RJ", 4},
    City{"Aparecida de Goiânia", "GO", 4},
    City{"Santa Bárbara d'Oeste", "SP", 2},
    City{"Governador Valadares", "MG", 2},
    City{"Vitória da Conquista", "BA", 3},
    City{"Jaboatão dos Guararapes", "PE", 5},
    City{"Santana do Livramento", "RS", 1},
    City{"Embu das Artes", "SP", 2},
};

constexpr std::array kBankProducts = {"CARTAO_CREDITO"sv, "CREDITO_PESSOAL"sv, "CHEQUE_ESPECIAL"sv,
                                      "CONSIGNADO_INSS"sv, "FIN_VEICULO"sv};
constexpr std::array kFinanceProducts = {"EMPRESTIMO_PESSOAL"sv, "FIN_VEICULO"sv, "CDC"sv,
                                         "CDC_ELETRO"sv};
constexpr std::array kRetailProducts = {"CREDIARIO"sv, "CARTAO_LOJA"sv, "CARNE"sv};
constexpr std::array kTelecomProducts = {"TELEFONIA_MOVEL_POS"sv, "BANDA_LARGA_FIBRA"sv,
                                         "TV_ASSINATURA"sv, "COMBO_TRIPLO"sv};
constexpr std::array kUtilityProducts = {"ENERGIA_RESIDENCIAL"sv, "ENERGIA_COMERCIAL"sv};
constexpr std::array kWaterProducts = {"AGUA_ESGOTO"sv};
constexpr std::array kEducationProducts = {"MENSALIDADE_ESCOLAR"sv, "MENSALIDADE_GRADUACAO"sv,
                                           "MENSALIDADE_POS_GRADUACAO_EAD"sv};

constexpr std::array kCreditors = {
    Creditor{1, "HRZ", kBankProducts, 22},     Creditor{2, "FPC", kFinanceProducts, 12},
    Creditor{3, "LTI", kRetailProducts, 10},   Creditor{4, "CTL", kTelecomProducts, 14},
    Creditor{5, "CEC", kUtilityProducts, 6},   Creditor{6, "CUA", kBankProducts, 9},
    Creditor{7, "FSL", kEducationProducts, 5}, Creditor{8, "CVI", kBankProducts, 4},
    Creditor{9, "CFF", kFinanceProducts, 8},   Creditor{10, "ANS", kWaterProducts, 3},
    Creditor{11, "MEB", kRetailProducts, 5},   Creditor{12, "BCG", kBankProducts, 2},
};

// A collection agency's action codes: contact with the right person (CPC),
// promises, failed calls, messages, and the reasons a debt stops being worked.
constexpr std::array kActions = {
    Action{101, "ACORDO FORMALIZADO", 6},
    Action{102, "PROMESSA DE PAGAMENTO", 7},
    Action{103, "PAGAMENTO À VISTA COM DESCONTO", 2},
    Action{201, "CPC - CONTATO COM O TITULAR", 8},
    Action{202, "RECADO COM TERCEIRO", 7},
    Action{203, "RECADO COM CÔNJUGE", 3},
    Action{301, "NÃO ATENDE", 16},
    Action{302, "CAIXA POSTAL", 12},
    Action{303, "TELEFONE INEXISTENTE", 5},
    Action{304, "NÚMERO NÃO PERTENCE AO TITULAR", 4},
    Action{401, "E-MAIL ENVIADO", 6},
    Action{402, "SMS ENVIADO", 8},
    Action{403, "WHATSAPP ENVIADO", 6},
    Action{501, "NEGOCIAÇÃO EM ANDAMENTO", 4},
    Action{502, "CLIENTE SEM CONDIÇÕES DE PAGAMENTO", 3},
    Action{503, "CONTESTA A DÍVIDA", 2},
    Action{504, "ALEGA PAGAMENTO - AGUARDANDO COMPROVANTE", 2},
    Action{601, "TITULAR FALECIDO", 1},
    Action{701, "ENDEREÇO NÃO LOCALIZADO", 2},
    Action{801, "BOLETO ENVIADO POR E-MAIL", 5},
    Action{802, "PIX NÃO IDENTIFICADO", 1},
};

// Each at most 50 characters, in Latin-1 (the source's varchar), and each with
// something a naive text pipeline mangles: quotes, an apostrophe, a backslash,
// '%', ';'. No tabs or line breaks: a short description does not hold them, and
// the seed loaders' tab-separated files could not carry them (the fidelity
// test's awkward table covers control characters).
constexpr std::array kOperatorNotes = {
    "Cliente disse: \"vou pagar sexta\""sv,
    "Falou com Sr. D'Ávila, retornar às 14h"sv,
    "Ligação 1: não atendeu; ligação 2: caixa postal"sv,
    "Boleto enviado, venc. dia 10"sv,
    "Retorno agendado: confirmar c/ supervisor"sv,
    "Comprovante em C:\\cobranca\\pix.pdf"sv,
    "Desconto de 40% à vista; aguarda aprovação"sv,
    "Promessa: R$ 150,00 até 05/02 via PIX"sv,
};

}  // namespace

std::span<const City> cities() { return kCities; }
std::span<const Creditor> creditors() { return kCreditors; }
std::span<const Action> actions() { return kActions; }
std::span<const std::string_view> operator_notes() { return kOperatorNotes; }

}  // namespace replicate::sample
