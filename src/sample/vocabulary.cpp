// Word lists for the sample. Creditor names are invented on purpose: a sample
// should never look like a real company's debtor list.
#include "sample/vocabulary.hpp"

#include <array>

namespace replicate::sample {
namespace {

using namespace std::string_view_literals;

constexpr std::array kFirstNames = {
    FirstName{"João", 'M'},      FirstName{"José", 'M'},      FirstName{"Antônio", 'M'},
    FirstName{"Francisco", 'M'}, FirstName{"Carlos", 'M'},    FirstName{"Paulo", 'M'},
    FirstName{"Pedro", 'M'},     FirstName{"Lucas", 'M'},     FirstName{"Luiz", 'M'},
    FirstName{"Marcos", 'M'},    FirstName{"Luís", 'M'},      FirstName{"Gabriel", 'M'},
    FirstName{"Rafael", 'M'},    FirstName{"Sebastião", 'M'}, FirstName{"Otávio", 'M'},
    FirstName{"Vinícius", 'M'},  FirstName{"Álvaro", 'M'},    FirstName{"Caio", 'M'},
    FirstName{"Raimundo", 'M'},  FirstName{"Fábio", 'M'},     FirstName{"Márcio", 'M'},
    FirstName{"Joaquim", 'M'},   FirstName{"Cícero", 'M'},    FirstName{"Thiago", 'M'},
    FirstName{"Maria", 'F'},     FirstName{"Ana", 'F'},       FirstName{"Francisca", 'F'},
    FirstName{"Antônia", 'F'},   FirstName{"Adriana", 'F'},   FirstName{"Juliana", 'F'},
    FirstName{"Márcia", 'F'},    FirstName{"Fernanda", 'F'},  FirstName{"Patrícia", 'F'},
    FirstName{"Aline", 'F'},     FirstName{"Conceição", 'F'}, FirstName{"Letícia", 'F'},
    FirstName{"Cecília", 'F'},   FirstName{"Flávia", 'F'},    FirstName{"Lúcia", 'F'},
    FirstName{"Inês", 'F'},      FirstName{"Heloísa", 'F'},   FirstName{"Débora", 'F'},
    FirstName{"Luíza", 'F'},     FirstName{"Vitória", 'F'},   FirstName{"Raíssa", 'F'},
    FirstName{"Beatriz", 'F'},   FirstName{"Camila", 'F'},    FirstName{"Sônia", 'F'},
};

constexpr std::array kSurnames = {
    "Silva"sv,     "Santos"sv,    "Oliveira"sv,  "Souza"sv,     "Pereira"sv,    "Lima"sv,
    "Costa"sv,     "Ferreira"sv,  "Rodrigues"sv, "Almeida"sv,   "Nascimento"sv, "Carvalho"sv,
    "Ribeiro"sv,   "Barbosa"sv,   "Rocha"sv,     "Gomes"sv,     "Martins"sv,    "Araújo"sv,
    "Gonçalves"sv, "Magalhães"sv, "Simões"sv,    "Conceição"sv, "Brandão"sv,    "Assunção"sv,
    "Guimarães"sv, "Falcão"sv,    "Estêvão"sv,   "Sampaio"sv,   "Damásio"sv,    "Romão"sv,
    "Patrício"sv,  "Leão"sv,      "Cardoso"sv,   "Teixeira"sv,  "Mendonça"sv,   "Peçanha"sv,
    "D'Ávila"sv,   "Jesus"sv,     "Moraes"sv,    "Castro"sv,
};

// CEP ranges are the cities' real first-five-digit blocks, approximately.
constexpr std::array kCities = {
    City{"São Paulo", "SP", 11, 1000, 5999, 120},
    City{"Rio de Janeiro", "RJ", 21, 20000, 23799, 70},
    City{"Belo Horizonte", "MG", 31, 30000, 31999, 30},
    City{"Brasília", "DF", 61, 70000, 72799, 30},
    City{"Salvador", "BA", 71, 40000, 42499, 28},
    City{"Fortaleza", "CE", 85, 60000, 61599, 27},
    City{"Curitiba", "PR", 41, 80000, 82999, 20},
    City{"Manaus", "AM", 92, 69000, 69099, 20},
    City{"Recife", "PE", 81, 50000, 52999, 17},
    City{"Goiânia", "GO", 62, 74000, 74899, 16},
    City{"Belém", "PA", 91, 66000, 66999, 15},
    City{"Porto Alegre", "RS", 51, 90000, 91999, 15},
    City{"São Luís", "MA", 98, 65000, 65109, 11},
    City{"Maceió", "AL", 82, 57000, 57099, 10},
    City{"Campinas", "SP", 19, 13000, 13139, 12},
    City{"Natal", "RN", 84, 59000, 59139, 9},
    City{"Teresina", "PI", 86, 64000, 64099, 9},
    City{"João Pessoa", "PB", 83, 58000, 58099, 8},
    City{"Florianópolis", "SC", 48, 88000, 88099, 6},
    City{"Ribeirão Preto", "SP", 16, 14000, 14114, 7},
    City{"Jundiaí", "SP", 11, 13200, 13219, 4},
    City{"São José dos Campos", "SP", 12, 12200, 12249, 7},
    City{"Uberlândia", "MG", 34, 38400, 38415, 7},
    City{"Cuiabá", "MT", 65, 78000, 78109, 6},
    City{"Aracaju", "SE", 79, 49000, 49099, 6},
    City{"Vitória", "ES", 27, 29000, 29099, 4},
    City{"Campo Grande", "MS", 67, 79000, 79129, 9},
    City{"Niterói", "RJ", 21, 24000, 24399, 5},
    City{"Juiz de Fora", "MG", 32, 36000, 36099, 6},
    City{"Londrina", "PR", 43, 86000, 86099, 6},
    City{"Joinville", "SC", 47, 89200, 89239, 6},
    City{"Caxias do Sul", "RS", 54, 95000, 95124, 5},
    City{"Feira de Santana", "BA", 75, 44000, 44099, 6},
    City{"Santos", "SP", 13, 11000, 11099, 4},
    City{"Petrópolis", "RJ", 24, 25600, 25779, 3},
    City{"Macapá", "AP", 96, 68900, 68914, 5},
    City{"Palmas", "TO", 63, 77000, 77270, 3},
    City{"Porto Velho", "RO", 69, 76800, 76834, 5},
    City{"Rio Branco", "AC", 68, 69900, 69923, 4},
    City{"Boa Vista", "RR", 95, 69300, 69339, 4},
    City{"Anápolis", "GO", 62, 75000, 75144, 4},
    City{"Mossoró", "RN", 84, 59600, 59649, 3},
};

constexpr std::array kBankProducts = {"Cartão de Crédito"sv, "Crédito Pessoal"sv,
                                      "Cheque Especial"sv, "Crédito Consignado"sv,
                                      "Financiamento de Veículo"sv};
constexpr std::array kFinanceProducts = {"Empréstimo Pessoal"sv, "Financiamento de Veículo"sv,
                                         "Crédito Direto ao Consumidor"sv};
constexpr std::array kRetailProducts = {"Crediário"sv, "Cartão Loja"sv, "Carnê"sv};
constexpr std::array kTelecomProducts = {"Telefonia Móvel"sv, "Internet Banda Larga"sv,
                                         "TV por Assinatura"sv};
constexpr std::array kEnergyProducts = {"Energia Elétrica"sv};
constexpr std::array kWaterProducts = {"Água e Esgoto"sv};
constexpr std::array kEducationProducts = {"Mensalidade Escolar"sv, "Mensalidade Graduação"sv,
                                           "Material Didático"sv};

constexpr std::array kCreditors = {
    Creditor{1, "Banco Horizonte S.A.", "HRZ", kBankProducts},
    Creditor{2, "Financeira Paraná Crédito S.A.", "FPC", kFinanceProducts},
    Creditor{3, "Lojas Três Irmãos Varejo Ltda.", "LTI", kRetailProducts},
    Creditor{4, "Conecta Telecomunicações S.A.", "CTL", kTelecomProducts},
    Creditor{5, "Companhia Energética do Cerrado", "CEC", kEnergyProducts},
    Creditor{6, "Cartões União Administradora S.A.", "CUA", kBankProducts},
    Creditor{7, "Colégio e Faculdade São Lucas Ltda.", "FSL", kEducationProducts},
    Creditor{8, "Cooperativa de Crédito Vale do Itajaí", "CVI", kBankProducts},
    Creditor{9, "Crédito Fácil Financeira S.A.", "CFF", kFinanceProducts},
    Creditor{10, "Águas do Nordeste Saneamento S.A.", "ANS", kWaterProducts},
    Creditor{11, "Móveis & Eletro Brasil Ltda.", "MEB", kRetailProducts},
    Creditor{12, "Banco Cooperativo Gaúcho S.A.", "BCG", kBankProducts},
};

constexpr std::array kStreetTypes = {"Rua"sv,      "Rua"sv,     "Rua"sv,   "Avenida"sv, "Avenida"sv,
                                     "Travessa"sv, "Alameda"sv, "Praça"sv, "Estrada"sv};

constexpr std::array kStreetNames = {
    "das Flores"sv,
    "Sete de Setembro"sv,
    "Getúlio Vargas"sv,
    "Marechal Deodoro"sv,
    "São João"sv,
    "Tiradentes"sv,
    "XV de Novembro"sv,
    "Dom Pedro II"sv,
    "Barão do Rio Branco"sv,
    "Santos Dumont"sv,
    "Presidente Juscelino Kubitschek"sv,
    "José Bonifácio"sv,
    "Rui Barbosa"sv,
    "Visconde de Mauá"sv,
    "Nossa Senhora da Conceição"sv,
    "Castro Alves"sv,
    "Duque de Caxias"sv,
    "Princesa Isabel"sv,
    "Floriano Peixoto"sv,
    "Monteiro Lobato"sv,
    "Cecília Meireles"sv,
    "Jequitibás"sv,
    "dos Ipês"sv,
    "Paraíba"sv,
    "Amazonas"sv,
    "Goiás"sv,
    "Pará"sv,
    "Frei Caneca"sv,
    "Coronel Antônio Prado"sv,
    "Padre Anchieta"sv,
};

constexpr std::array kNeighbourhoods = {
    "Centro"sv,
    "Jardim América"sv,
    "Vila Mariana"sv,
    "Boa Vista"sv,
    "Santa Mônica"sv,
    "São Cristóvão"sv,
    "Liberdade"sv,
    "Bela Vista"sv,
    "Vila Nova"sv,
    "Jardim Botânico"sv,
    "Alvorada"sv,
    "Santo Antônio"sv,
    "Jardim Paulistano"sv,
    "Cidade Nova"sv,
    "Conjunto Habitacional Esperança"sv,
    "Parque São Jorge"sv,
    "Vila Operária"sv,
    "Industrial"sv,
    "Aeroporto"sv,
    "Ipiranga"sv,
    "Jardim Primavera"sv,
    "Vila Isabel"sv,
    "Itaúna"sv,
};

constexpr std::array kComplements = {
    "Apto 12"sv, "Apto 304"sv, "Apto 1502"sv, "Casa 2"sv, "Casa B"sv,    "Bloco B Apto 21"sv,
    "Fundos"sv,  "Sala 5"sv,   "Loja 3"sv,    "Térreo"sv, "Cobertura"sv, "Lote 7 Quadra 12"sv};

constexpr std::array kEmailDomains = {
    "gmail.com"sv,  "hotmail.com"sv,  "outlook.com"sv, "yahoo.com.br"sv, "uol.com.br"sv,
    "bol.com.br"sv, "terra.com.br"sv, "ig.com.br"sv,   "gmail.com"sv,    "gmail.com"sv};

constexpr std::array kPortfolios = {
    "PF VAREJO"sv,        "PF ALTA RENDA"sv, "PJ PME"sv,
    "CESSAO 2019"sv,      "CESSAO 2022"sv,   "AMIGAVEL 1A FASE"sv,
    "AMIGAVEL 2A FASE"sv, "CONTENCIOSO"sv,   "RECUPERACAO JUDICIAL"sv};

// Operator notes: the values that break naive text pipelines (quotes, tab,
// newline, carriage return, backslash, non-ASCII punctuation) on purpose.
constexpr std::array kNotes = {
    "Cliente pediu retorno às 14h"sv,
    "Acordo \"verbal\" com o titular"sv,
    "Ligação 1: não atendeu\nLigação 2: caixa postal"sv,
    "Devedor informou desemprego; reavaliar em 30 dias"sv,
    "Endereço não localizado pelos Correios"sv,
    "Cliente contesta o valor da multa"sv,
    "Pagamento via PIX não identificado"sv,
    "Titular falecido — aguardar inventário"sv,
    "Cobrança suspensa por decisão judicial (proc. 0001234-56.2023.8.26.0100)"sv,
    "Enviado boleto por e-mail\tvencimento dia 10"sv,
    "Comprovante salvo em C:\\cobranca\\anexos\\comprovante.pdf"sv,
    "Cliente disse: 'vou pagar semana que vem'"sv,
    "Negociação com desconto de 40% à vista"sv,
    "Telefone não pertence ao titular"sv,
    "Solicitou 2ª via do boleto"sv,
    "Informou que já pagou; aguardando comprovante"sv,
    "Prefere contato por WhatsApp após as 18h"sv,
    "Retorno agendado\r\nconfirmar com supervisor"sv,
    "Promessa de pagamento: R$ 150,00 até sexta-feira"sv,
    "Cônjuge atendeu e anotou recado"sv,
};

}  // namespace

std::span<const FirstName> first_names() { return kFirstNames; }
std::span<const std::string_view> surnames() { return kSurnames; }
std::span<const City> cities() { return kCities; }
std::span<const Creditor> creditors() { return kCreditors; }
std::span<const std::string_view> street_types() { return kStreetTypes; }
std::span<const std::string_view> street_names() { return kStreetNames; }
std::span<const std::string_view> neighbourhoods() { return kNeighbourhoods; }
std::span<const std::string_view> complements() { return kComplements; }
std::span<const std::string_view> email_domains() { return kEmailDomains; }
std::span<const std::string_view> portfolios() { return kPortfolios; }
std::span<const std::string_view> notes() { return kNotes; }

}  // namespace replicate::sample
