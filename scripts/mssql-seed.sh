#!/usr/bin/env bash
# Loads the bi_credores sample into a SQL Server (or a Babelfish lab) for the live
# tests and bench/mssql.sh: database BI_CLIENTES (created when missing), table
# dbo.bi_credores recreated from schemas/bi_credores.mssql.sql, ROWS rows from
# `replicate sample` bulk-loaded with FreeTDS's freebcp (TDS bulk copy, ids kept).
#
#   MSSQL_HOST=127.0.0.1 MSSQL_USER=... MSSQL_PASSWORD=... ROWS=1000000 bash scripts/mssql-seed.sh
#
# MSSQL_PORT (1433), MSSQL_DATABASE (BI_CLIENTES), SEED (sample seed, default 1),
# REPLICATE (the binary, default build/replicate). The password reaches freebcp and
# tsql on standard input, never on a command line. The sample file is cached in
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
tsv="$cache/bi_credores_${rows}_${seed}.tsv"

command -v freebcp >/dev/null && command -v tsql >/dev/null || {
  echo "mssql-seed: freebcp and tsql come with Debian's freetds-bin: apt-get install freetds-bin" >&2
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

if [[ ! -s $tsv ]]; then
  echo "mssql-seed: writing $rows sample rows (seed $seed)"
  rm -f "$sample"
  "$replicate" sample --rows "$rows" --seed "$seed" --output "$sample" >/dev/null
  # Tab-separated in the table's column order; NULL is an empty field to freebcp.
  cols=$(sqlite3 "$sample" "SELECT group_concat(name, ', ') FROM pragma_table_info('bi_credores')")
  sqlite3 -separator $'\t' -noheader "$sample" "SELECT $cols FROM bi_credores ORDER BY 1" >"$tsv.part"
  mv "$tsv.part" "$tsv"
fi

echo "mssql-seed: recreating $database.dbo.bi_credores on $MSSQL_HOST:$port"
tsql_run "" "IF DB_ID(N'$database') IS NULL CREATE DATABASE $database" >/dev/null
tsql_run "$database" "DROP TABLE IF EXISTS dbo.bi_credores" >/dev/null
tsql_run "$database" "$(grep -v '^--' schemas/bi_credores.mssql.sql | sed 's/--.*$//')" >/dev/null

echo "mssql-seed: bulk-loading $(wc -l <"$tsv") rows with freebcp"
start=$(date +%s.%N)
printf '%s\n' "$MSSQL_PASSWORD" |
  freebcp "$database.dbo.bi_credores" in "$tsv" -c -t $'\t' -r $'\n' -E -b 10000 \
    -S "$MSSQL_HOST:$port" -U "$MSSQL_USER" -P - >"$cache/freebcp.log" 2>&1 || {
  grep -v -i password "$cache/freebcp.log" | tail -20 >&2
  exit 1
}
end=$(date +%s.%N)
count=$(tsql_run "$database" "SELECT COUNT(*) FROM dbo.bi_credores" | tr -dc '0-9')
echo "mssql-seed: $count rows in $database.dbo.bi_credores ($(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s)"
[[ $count == "$rows" ]] || { echo "mssql-seed: expected $rows rows" >&2; exit 1; }
