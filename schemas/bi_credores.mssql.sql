-- bi_credores on SQL Server (database BI_CLIENTES): the debt-collection BI table
-- that mappings/bi_credores.yaml replicates into PostgreSQL. One row per contract
-- in collection; a debtor (ID_DEVEDOR) may owe several creditors.
-- schemas/bi_credores.sqlite.sql is the same table for the SQLite sample.
CREATE TABLE dbo.bi_credores (
  ID                    int IDENTITY(1,1) NOT NULL,
  ID_CREDOR             int NOT NULL,
  NOME_CREDOR           nvarchar(120) NOT NULL,
  CNPJ_CREDOR           varchar(18) NULL,       -- 00.000.000/0001-00
  ID_DEVEDOR            bigint NOT NULL,
  NOME_DEVEDOR          nvarchar(150) NOT NULL,
  CPF                   varchar(14) NULL,       -- 000.000.000-00
  DATA_NASCIMENTO       date NULL,
  SEXO                  char(1) NULL,           -- M / F
  EMAIL                 varchar(120) NULL,
  TELEFONE              varchar(20) NULL,
  LOGRADOURO            nvarchar(200) NULL,
  NUMERO                varchar(10) NULL,
  COMPLEMENTO           nvarchar(80) NULL,
  BAIRRO                nvarchar(80) NULL,
  CIDADE                nvarchar(80) NULL,
  UF                    char(2) NULL,
  CEP                   varchar(9) NULL,        -- 00000-000
  NUMERO_CONTRATO       varchar(30) NOT NULL,
  PRODUTO               nvarchar(60) NULL,
  CARTEIRA              varchar(40) NULL,
  DATA_CONTRATO         date NULL,
  DATA_VENCIMENTO       date NOT NULL,
  DIAS_ATRASO           int NULL,
  VALOR_ORIGINAL        decimal(15,2) NOT NULL,
  VALOR_ATUALIZADO      decimal(15,2) NULL,
  VALOR_JUROS           decimal(15,2) NULL,
  VALOR_MULTA           decimal(15,2) NULL,
  VALOR_PAGO            money NULL,
  QTD_PARCELAS          smallint NULL,
  FAIXA_ATRASO          varchar(20) NULL,       -- 0-30, 31-60, 61-90, 91-180, 181-360, 360+
  STATUS_COBRANCA       varchar(20) NULL,
  SCORE_RECUPERACAO     decimal(5,4) NULL,      -- 0.0000 .. 1.0000
  FLAG_ACORDO           bit NOT NULL CONSTRAINT DF_bi_credores_FLAG_ACORDO DEFAULT (0),
  DATA_ULTIMO_PAGAMENTO date NULL,
  DATA_ULTIMO_CONTATO   datetime NULL,
  OBSERVACAO            nvarchar(max) NULL,
  DATA_ATUALIZACAO      datetime2(3) NOT NULL,
  STATUS                tinyint NOT NULL CONSTRAINT DF_bi_credores_STATUS DEFAULT (1),
  CONSTRAINT PK_bi_credores PRIMARY KEY CLUSTERED (ID)
);
GO
