#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Loads the bi_credores sample into a SQL Server (or a Babelfish lab) for the live
# tests and bench/mssql.sh: database BI_CLIENTES (created when missing), table
# dbo.bi_credores recreated from schemas/bi_credores.mssql.sql, ROWS rows from
# `replicate sample` loaded with FreeTDS's tsql as 1000-row INSERTs, ids kept.
# (freebcp would be faster, but Babelfish's bulk-load answers FreeTDS's with
# "Trying to read more data than available in BCP request" and loads nothing.)
#
#   MSSQL_HOST=127.0.0.1 MSSQL_USER=... MSSQL_PASSWORD=... ROWS=1000000 bash scripts/mssql-seed.sh
#
# MSSQL_PORT (1433), MSSQL_DATABASE (BI_CLIENTES), SEED (sample seed, default 1),
# REPLICATE (the binary, default build/replicate). The password reaches tsql on
# standard input, never on a command line. The sample file is cached in
# build/seed/ by row count and seed; a rerun with the same figures reuses it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${MSSQL_HOST:?set MSSQL_HOST}" "${MSSQL_USER:?set MSSQL_USER}" "${MSSQL_PASSWORD:?set MSSQL_PASSWORD}"
port=${MSSQL_PORT:-1433}
database=${MSSQL_DATABASE:-BI_CLIENTES}
rows=${ROWS:-1000000}
seed=${SEED:-1}
replicate=${REPLICATE:-build/replicate}
cache=build/seed
mkdir -p "$cache"
sample="$cache/bi_credores_${rows}_${seed}.sqlite"
sql="$cache/bi_credores_${rows}_${seed}.sql"

command -v tsql >/dev/null || {
  echo "mssql-seed: tsql comes with Debian's freetds-bin: apt-get install freetds-bin" >&2
  exit 1
}

# tsql reads the batch from stdin; the password is its first line (-P is not given).
tsql_run() {
  local db=$1 sql=$2 out
  out=$({ printf '%s\n' "$MSSQL_PASSWORD"; printf '%s\ngo\n' "$sql"; } |
    tsql -H "$MSSQL_HOST" -p "$port" -U "$MSSQL_USER" ${db:+-D "$db"} -o q 2>&1) || true
  if grep -E -q "^Msg [0-9]+|rror" <<<"$out"; then
    echo "mssql-seed: statement failed: $sql" >&2
    echo "$out" | grep -v -i "password" >&2
    return 1
  fi
  printf '%s' "$out"
}

if [[ ! -s $sql ]]; then
  echo "mssql-seed: writing $rows sample rows (seed $seed)"
  rm -f "$sample"
  "$replicate" sample --rows "$rows" --seed "$seed" --output "$sample" >/dev/null
  # INSERT statements of 1000 rows (T-SQL's limit for one VALUES list), one batch each;
  # SQLite's quote() spells every value as a literal (text as N'...', '' doubled).
  cols=$(sqlite3 "$sample" "SELECT group_concat(name, ', ') FROM pragma_table_info('bi_credores')")
  values=$(
    sqlite3 "$sample" "SELECT group_concat('CASE WHEN typeof(' || name || ') = ''text'' THEN ''N'' || quote(' || name || ') ELSE quote(' || name || ') END', ' || '','' || ') FROM pragma_table_info('bi_credores')")
  sqlite3 -noheader "$sample" "
    SELECT 'SET IDENTITY_INSERT dbo.bi_credores ON; INSERT INTO dbo.bi_credores ($cols) VALUES ' ||
           group_concat('(' || v || ')', ',') || '; SET IDENTITY_INSERT dbo.bi_credores OFF' || char(10) || 'go'
    FROM (SELECT (id - 1) / 1000 AS b, $values AS v FROM bi_credores ORDER BY id) GROUP BY b ORDER BY b" >"$sql.part"
  mv "$sql.part" "$sql"
fi

echo "mssql-seed: recreating $database.dbo.bi_credores on $MSSQL_HOST:$port"
tsql_run "" "IF DB_ID(N'$database') IS NULL CREATE DATABASE $database" >/dev/null
tsql_run "$database" "DROP TABLE IF EXISTS dbo.bi_credores" >/dev/null
tsql_run "$database" "$(grep -v '^--' schemas/bi_credores.mssql.sql | sed 's/--.*$//')" >/dev/null

echo "mssql-seed: loading $rows rows in batches of 1000"
start=$(date +%s.%N)
# tsql reads the password as its first line, then the batches; it exits 0 whatever
# happens, so its output is searched for server messages.
{ printf '%s\n' "$MSSQL_PASSWORD"; cat "$sql"; } |
  tsql -H "$MSSQL_HOST" -p "$port" -U "$MSSQL_USER" -D "$database" -o q >"$cache/load.log" 2>&1 || true
if grep -E -q "^Msg [0-9]+" "$cache/load.log"; then
  grep -v -i password "$cache/load.log" | grep -A3 -E "^Msg [0-9]+" | head -20 >&2
  exit 1
fi
end=$(date +%s.%N)
count=$(tsql_run "$database" "SELECT COUNT(*) FROM dbo.bi_credores" | tr -dc '0-9')
echo "mssql-seed: $count rows in $database.dbo.bi_credores ($(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s)"
[[ $count == "$rows" ]] || { echo "mssql-seed: expected $rows rows" >&2; exit 1; }
