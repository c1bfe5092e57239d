#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The SQL Server benchmark: bi_credores from a live SQL Server (or the Babelfish
# lab) into a private PostgreSQL, against the TDS read ceiling (one bare ODBC
# stream reading SELECT * with row arrays: bench/odbc_read.cpp) and the write
# ceiling (psql \copy of the same rows from a file), with peak RSS and the CPU
# seconds each process spent per row.
#
#   MSSQL_HOST=127.0.0.1 MSSQL_USER=... MSSQL_PASSWORD=... bash bench/mssql.sh   # as root
#
# ROWS (1000000), WORKERS ("defaults 1 2 4"; "defaults" = the mapping's own, no --workers), SKIP_SEED=1 to keep the table loaded by an
# earlier run, MSSQL_PORT (1433), MSSQL_SERVER_USER (the OS user the SQL Server
# runs as, for its CPU seconds: "babel" for the lab; none = not measured).
# Defaults are those of mappings/bi_credores.yaml but for `verify` (timed apart).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd -P)
run="$root/bench/.run/mssql"
pg_dir="$run/pg"
rows=${ROWS:-1000000}
workers_list=${WORKERS:-defaults 1 2 4}
server_user=${MSSQL_SERVER_USER:-babel}
: "${MSSQL_HOST:?set MSSQL_HOST}" "${MSSQL_USER:?set MSSQL_USER}" "${MSSQL_PASSWORD:?set MSSQL_PASSWORD}"
export MSSQL_PORT=${MSSQL_PORT:-1433}
mkdir -p "$run/logs"

[[ -x build/replicate ]] || bash scripts/setup.sh
cmake --build build --target odbc_read >/dev/null
[[ -x /usr/bin/time ]] || apt-get install -y -q --no-install-recommends time

if [[ ${SKIP_SEED:-0} != 1 ]]; then ROWS=$rows bash scripts/mssql-seed.sh; fi

stop_cluster() { bash "$root/scripts/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true; }
trap stop_cluster EXIT
bash scripts/pg-cluster.sh start "$pg_dir" >/dev/null
# shellcheck source=/dev/null
source "$pg_dir/env"
export PGHOST PGPORT PGUSER
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# CPU seconds spent so far by the processes of OS user $1: live ones plus what
# their parents reaped (a PostgreSQL-based server's ended backends count in its
# postmaster's cutime/cstime).
cpu_of_user() {
  local user=$1
  id -u "$user" >/dev/null 2>&1 || { echo 0; return; }
  local total=0 pid
  for pid in $(pgrep -u "$user"); do
    [[ -r /proc/$pid/stat ]] || continue
    total=$(awk -v t="$total" '{ sub(/^.*\) /, ""); print t + $12 + $13 + $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo "$total")
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
pg_cpu() { cpu_of_user postgres; }
src_cpu() { cpu_of_user "$server_user"; }

results="$run/results.tsv"
printf 'method\tworkers\tseconds\trows\trows_per_s\tx_read_ceiling\trss_max_mb\ttool_cpu_s\tsource_cpu_s\tpg_cpu_s\tus_per_row_tool\tus_per_row_source\tus_per_row_pg\n' >"$results"
ceiling_rate=0

record() {  # method workers seconds rows rss_kb tool_cpu src_cpu pg_cpu
  local rate x
  rate=$(awk -v r="$4" -v s="$3" 'BEGIN { printf "%.0f", (s > 0 ? r / s : 0) }')
  x=$(awk -v a="$rate" -v c="$ceiling_rate" 'BEGIN { printf "%.2f", (c > 0 ? a / c : 0) }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\n' "$1" "$2" "$3" "$4" "$rate" "$x" \
    "$(awk -v k="$5" 'BEGIN { print k / 1024 }')" "$6" "$7" "$8" \
    "$(awk -v c="$6" -v r="$4" 'BEGIN { print (r ? c * 1e6 / r : 0) }')" \
    "$(awk -v c="$7" -v r="$4" 'BEGIN { print (r ? c * 1e6 / r : 0) }')" \
    "$(awk -v c="$8" -v r="$4" 'BEGIN { print (r ? c * 1e6 / r : 0) }')" >>"$results"
}

# timed LOG CMD...: sets SECS, RSS_KB, TOOL_CPU, SRC_CPU, PG_CPU
timed() {
  local log=$1 t0 t1 s0 s1 p0 p1
  shift
  s0=$(src_cpu); p0=$(pg_cpu); t0=$(date +%s%N)
  /usr/bin/time -f '%M %U %S' -o "$log.time" "$@" >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
  t1=$(date +%s%N)
  sleep 1  # ended backends are reaped into their postmaster's child times
  s1=$(src_cpu); p1=$(pg_cpu)
  SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  read -r RSS_KB u s <"$log.time"
  TOOL_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
  SRC_CPU=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')
  PG_CPU=$(awk -v a="$p0" -v b="$p1" 'BEGIN { printf "%.2f", b - a }')
}

# The seed's rows as a tab-separated file (NULL as an empty field; the sample holds
# no tabs, newlines or empty strings), made once from the seed's SQLite file.
sample=$(ls "$root"/build/seed/bi_credores_"${rows}"_*.sqlite | head -n 1)
tsv="${sample%.sqlite}.tsv"
if [[ ! -s $tsv ]]; then
  cols=$(sqlite3 "$sample" "SELECT group_concat(name, ', ') FROM pragma_table_info('bi_credores')")
  sqlite3 -separator $'\t' -noheader "$sample" "SELECT $cols FROM bi_credores ORDER BY 1" >"$tsv.part"
  mv "$tsv.part" "$tsv"
fi
conn="Driver=FreeTDS;Server=$MSSQL_HOST;Port=$MSSQL_PORT;Database=BI_CLIENTES;UID=$MSSQL_USER;PWD=$MSSQL_PASSWORD;TDS_Version=7.4;Encryption=require;ClientCharset=UTF-8"
echo "bench: TDS read ceiling (one stream, SELECT *, row arrays of 1000)"
export BENCH_MSSQL_CONN=$conn
ODBC_READ_CONNECTION_ENV=BENCH_MSSQL_CONN timed "$run/logs/odbc_read.log" build/bench/odbc_read - \
  "SELECT * FROM dbo.bi_credores" 1000
read_rows=$(awk '{print $2}' "$run/logs/odbc_read.log")
ceiling_rate=$(awk -v r="$read_rows" -v s="$SECS" 'BEGIN { printf "%.0f", r / s }')
record "odbc_read (TDS ceiling)" 1 "$SECS" "$read_rows" "$RSS_KB" "$TOOL_CPU" "$SRC_CPU" "$PG_CPU"

# What the source spent per row before the native fetch: the same read with the
# per-value CONVERTs the SELECT used to carry (dates style 23, decimals to varchar),
# on the first CONVERT_ROWS rows (100,000): per row is what counts, and on Babelfish
# the whole table takes minutes.
convert_rows=${CONVERT_ROWS:-100000}
echo "bench: $convert_rows rows read with the previous per-value CONVERTs (source CPU before)"
old_cols=$(sqlite3 "$sample" "SELECT group_concat(CASE WHEN type = 'DATE' THEN 'CONVERT(char(10), [' || name || '], 23)'
  WHEN type LIKE 'DECIMAL%' THEN 'CONVERT(varchar(50), [' || name || '])' ELSE '[' || name || ']' END, ', ')
  FROM pragma_table_info('bi_credores')")
ODBC_READ_CONNECTION_ENV=BENCH_MSSQL_CONN timed "$run/logs/odbc_read_convert.log" build/bench/odbc_read - \
  "SELECT TOP ($convert_rows) $old_cols FROM dbo.bi_credores ORDER BY id" 1000
record "odbc_read, previous CONVERTs" 1 "$SECS" "$(awk '{print $2}' "$run/logs/odbc_read_convert.log")" "$RSS_KB" \
  "$TOOL_CPU" "$SRC_CPU" "$PG_CPU"

# The flagship mapping as it is, but verify timed on its own below.
sed 's/^\(  *\)verify: true/\1verify: false/' "$root/mappings/bi_credores.yaml" >"$run/bi_credores.yaml"
grep -q 'verify: false' "$run/bi_credores.yaml" || { echo "bench: could not turn verify off in the mapping copy" >&2; exit 1; }

for w in $workers_list; do
  echo "bench: replicate, $w worker(s)"
  sql -d postgres -c "DROP DATABASE IF EXISTS bi_clientes" -c "CREATE DATABASE bi_clientes"
  sql -d postgres -c CHECKPOINT
  flags=()
  [[ $w == defaults ]] || flags=(--workers "$w")
  PGPASSWORD=unused timed "$run/logs/replicate_w$w.log" build/replicate "${flags[@]}" "$run/bi_credores.yaml"
  loaded=$(sql -d bi_clientes -c "SELECT count(*) FROM public.bi_credores")
  [[ $loaded == "$rows" ]] || { echo "bench: replicate loaded $loaded of $rows rows" >&2; exit 1; }
  record "replicate" "$w" "$SECS" "$loaded" "$RSS_KB" "$TOOL_CPU" "$SRC_CPU" "$PG_CPU"
done

echo "bench: replicate verify (chunk checksums; hashed by the server where it can)"
PGPASSWORD=unused timed "$run/logs/verify.log" build/replicate verify "$root/mappings/bi_credores.yaml"
record "replicate verify" 1 "$SECS" "$rows" "$RSS_KB" "$TOOL_CPU" "$SRC_CPU" "$PG_CPU"

echo "bench: write ceiling (psql \\copy of the seed's rows into the same table)"
sql -d bi_clientes -c "TRUNCATE public.bi_credores" -c CHECKPOINT
timed "$run/logs/copy.log" psql -X -q -d bi_clientes -c "\\copy public.bi_credores FROM '$tsv' WITH (FORMAT text, NULL '')"
record "psql \\copy (write ceiling)" 1 "$SECS" "$rows" "$RSS_KB" "$TOOL_CPU" "$SRC_CPU" "$PG_CPU"

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $rows rows"
  echo "# server: $(PGPASSWORD=unused build/replicate plan "$root/mappings/bi_credores.yaml" 2>/dev/null | sed -n 's/^server: *//p')"
  column -t -s $'\t' "$results"
} | tee "$run/summary.txt"
