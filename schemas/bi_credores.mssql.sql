-- SPDX-License-Identifier: Apache-2.0
-- bi_credores on SQL Server (database BI_CLIENTES): the debt-collection BI table
-- that mappings/bi_credores.yaml replicates into PostgreSQL, column for column as
-- the original system defines it. One row per contract in collection; a debtor
-- (DEVEDOR_ID, CPF) may have several.
-- schemas/bi_credores.sqlite.sql is the same table for the SQLite sample.
CREATE TABLE dbo.bi_credores (
  id                       int IDENTITY(1,1) NOT NULL,
  CPF                      varchar(14) NOT NULL,         -- 000.000.000-00
  DEVEDOR_ID               bigint NOT NULL,
  CONT_ID                  smallint NULL,
  NUMERO_CONTRATO          varchar(50) NULL,
  ACORDO_ID                varchar(9) NULL,
  MIN_VENCIMENTO           date NULL,
  MAX_VENCIMENTO           date NULL,
  PLANO                    smallint NULL,
  MIN_PARCELAS             smallint NULL,
  MAX_PARCELAS             smallint NULL,
  MAX_ATRASO               int NULL,
  TT_PARCELAS              int NULL,
  CIDADE                   varchar(30) NOT NULL,         -- accented (São Paulo): the server's Latin1 collation
  UF                       varchar(2) NULL,
  DATA_BATIMENTO           date NULL,
  DATA_INCLUSAO            date NULL,
  DATA_IMPORTACAO          date NULL,
  DATA_VENCIMENTO_ANTIGO   date NULL,
  DATA_ULTIMO_ACIONAMENTO  date NULL,
  DATA_PROXIMO_ACIONAMENTO date NULL,
  ACAO_ID                  int NULL,
  SALDO                    decimal(38,2) NULL,
  SALDO_DEV_TT             decimal(38,2) NULL,
  TT_CONTRATOS             int NULL,
  CPC                      int NULL,
  FAIXA_CREDOR             varchar(30) NULL,
  FAIXA_CREDOR_MJ          varchar(30) NULL,
  DESCRICAO                varchar(50) NULL,
  PER_PLANO_PAGO           int NULL,
  PNP                      int NULL CONSTRAINT DF_bi_credores_PNP DEFAULT (0),
  TOTAL_ESFORCO            int NULL CONSTRAINT DF_bi_credores_TOTAL_ESFORCO DEFAULT (0),
  ESFORCO_DISCADOR         int NULL CONSTRAINT DF_bi_credores_ESFORCO_DISCADOR DEFAULT (0),
  PISITIVAS                int NULL CONSTRAINT DF_bi_credores_PISITIVAS DEFAULT (0), -- sic: the table's own spelling
  NEGATIVAS                int NULL CONSTRAINT DF_bi_credores_NEGATIVAS DEFAULT (0),
  DATA_BASE                date NULL,
  STATUS                   int NULL CONSTRAINT DF_bi_credores_STATUS DEFAULT (1), -- 1 live, 0 stale while a mirror run works (mode: mirror)
  PRODUTO_ID               varchar(50) NULL,
  DATA_ACIONAMENTO_COLCHAO date NULL,
  CONSTRAINT PK_bi_credores PRIMARY KEY CLUSTERED (id)
);
GO
