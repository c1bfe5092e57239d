#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark: how fast replicate moves bi_credores into PostgreSQL, against
# the single-stream ceiling (psql \copy from a CSV file), pgloader and the
# original system's 4000-row INSERT batches, all on this machine in this run.
#
#   bash bench/run.sh    # as root
#
# It installs what is missing (pgloader, GNU time; builds build/replicate with
# scripts/setup.sh if there is none), starts a private PostgreSQL in
# bench/.run/pg (stopped on exit), and for each size in ROWS:
#   1. writes a SQLite sample with `replicate sample` and loads it once, with
#      replicate, into database bench_src_N: the PostgreSQL source;
#   2. times replicate with its defaults (a mapping with no workers, batch_size or
#      chunk_rows, no --workers: what a user gets) and with 1, 2 and 4 workers, from
#      SQLite and from PostgreSQL, each into a fresh database;
#   3. times `psql \copy bi_credores FROM file.csv CSV` into the same DDL with its key
#      in place, and into the shape replicate creates for a full copy: no key during
#      the load, then ADD PRIMARY KEY, timed together (the ceiling: one COPY stream,
#      nothing to read or convert);
#   4. times pgloader on the same SQLite file, with its defaults and with a 4 GB heap;
#   5. times the original system's load: multi-row INSERTs of 4000 rows;
# then, on the first size, OFFSET paging against keyset paging reads, and
# prints the table (bench/report.py). Everything lands in bench/.run/.
#
# Environment: ROWS (default "1000000 2000000"), WORKERS (default "1 2 4"),
# REPEAT (runs of each timed load, default 1; the report shows the median),
# SKIP="pgloader inserts paging" to leave some parts out, KEEP_RUNNING=1 to
# leave the cluster up. Every figure is measured here; nothing is assumed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd -P)
bench="$root/bench"
run="$bench/.run"
pg_dir="$run/pg"
rows_list=${ROWS:-1000000 2000000}
workers_list=${WORKERS:-1 2 4}
repeat=${REPEAT:-1}
skip=" ${SKIP:-} "
py=/usr/bin/python3
results="$run/results.tsv"
machine="$run/machine.txt"

step() { printf '\n==> %s\n' "$*"; }
skipped() { [[ "$skip" == *" $1 "* ]]; }
load1() { cut -d' ' -f1 /proc/loadavg; }

if [[ $EUID -ne 0 ]]; then
  echo "bench: run as root (sudo bash bench/run.sh): it installs packages and starts PostgreSQL as the postgres user" >&2
  exit 1
fi

step "Installing what is missing"
need=()
command -v pgloader >/dev/null 2>&1 || need+=(pgloader)
[[ -x /usr/bin/time ]] || need+=(time)
[[ -x $py ]] || need+=(python3)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${need[@]}" ||
    { apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"; }
fi
if [[ ! -x build/replicate ]]; then
  step "No build/replicate: building with scripts/setup.sh"
  bash scripts/setup.sh
fi
if ! command -v psql >/dev/null || ! command -v pg_dump >/dev/null; then
  echo "bench: psql/pg_dump missing; run sudo bash scripts/setup.sh" >&2
  exit 1
fi

mkdir -p "$run/bin" "$run/logs" "$run/pgloader"
rm -f "$run/paging.tsv" "$run/logs/"*
# Others rebuild build/ while we run: time one fixed copy of the binary.
cp build/replicate "$run/bin/replicate"
replicate="$run/bin/replicate"

step "Starting a private PostgreSQL in bench/.run/pg"
# shellcheck disable=SC2317  # called by the trap
stop_cluster() {
  if [[ "${KEEP_RUNNING:-0}" == 1 ]]; then
    echo "bench: the cluster keeps running (source $pg_dir/env; stop: bash scripts/pg-cluster.sh stop $pg_dir)"
    return
  fi
  bash "$root/scripts/pg-cluster.sh" stop "$pg_dir" || true
}
trap stop_cluster EXIT
bash scripts/pg-cluster.sh start "$pg_dir"
# shellcheck source=/dev/null
source "$pg_dir/env"
export PGHOST PGPORT PGUSER PGDATABASE

sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fresh_db() {
  sql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}
count_rows() { sql -d "$1" -c "SELECT count(*) FROM public.bi_credores" 2>/dev/null || echo 0; }
# Dirty buffers of the previous run must not be written on this run's clock.
settle() { sql -d postgres -c "CHECKPOINT"; sync; }

{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "host=$(uname -n) ($(uname -sr))"
  echo "nproc=$(nproc)"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "memory=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "postgresql=$(sql -d postgres -c 'SHOW server_version') (scripts/pg-cluster.sh: fsync=off, synchronous_commit=off, full_page_writes=off)"
  echo "pgloader=$(pgloader --version 2>/dev/null | head -n 1)"
  echo "replicate=$($replicate --version) ($(grep -m1 CMAKE_BUILD_TYPE build/CMakeCache.txt 2>/dev/null | cut -d= -f2 || echo '?') build)"
  dirty=$(git status --porcelain --untracked-files=no -- src CMakeLists.txt | awk '{print $2}' | tr '\n' ' ')
  echo "commit=$(git rev-parse --short HEAD)${dirty:+ + uncommitted changes in: $dirty}"
  echo "binary_sha256=$(sha256sum "$replicate" | cut -c1-16)"
} >"$machine"
cat "$machine"

printf 'rows\tmethod\tsource\tworkers\trep\tseconds\trows_loaded\trss_coordinator_kb\trss_worker_kb\trss_max_kb\ttool_rows_per_s\tload_before\tload_after\tstatus\tnote\n' >"$results"

# record ROWS METHOD SOURCE WORKERS REP SECONDS LOADED RSS_C RSS_W RSS_MAX TOOL_RATE LOAD0 STATUS NOTE
record() {
  local note=${14//$'\t'/ }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" "${11}" "${12}" "$(load1)" "${13}" "${note//$'\n'/ }" >>"$results"
  printf 'bench: %-24s %-10s w=%-2s rows=%-8s %8ss  loaded=%-8s RSS max %s KB  [%s] %s\n' \
    "$2" "$3" "$4" "$1" "$6" "$7" "${10}" "${13}" "${note:0:160}"
}

# timed LOG CMD...: runs CMD with stdout+stderr to LOG; sets T_SECONDS, T_RSS_KB, T_RC.
timed() {
  local log=$1
  shift
  local t0 t1
  t0=$(date +%s%N)
  set +e
  /usr/bin/time -f '%M' -o "$log.time" "$@" >"$log" 2>&1
  T_RC=$?
  set -e
  t1=$(date +%s%N)
  T_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  T_RSS_KB=$(tail -n 1 "$log.time" | grep -E '^[0-9]+$' || echo 0)
}

write_mappings() {
  cat >"$run/map_sqlite.yaml" <<'EOF'
# Written by bench/run.sh: SQLite sample -> PostgreSQL.
version: 1
source:
  driver: sqlite
  connection: "${env:BENCH_SQLITE}"
target:
  driver: postgresql
  connection: "host=${env:PGHOST} port=${env:PGPORT} dbname=${env:BENCH_TARGET_DB} user=${env:PGUSER}"
defaults:
  workers: 2          # the runs pass --workers
  batch_size: 4000
  chunk_rows: 50000
  mode: full
tables:
  - source: bi_credores
    target: public.bi_credores
    columns: auto
EOF
  cat >"$run/map_postgresql.yaml" <<'EOF'
# Written by bench/run.sh: PostgreSQL database bench_src_N -> another database.
version: 1
source:
  driver: postgresql
  connection: "host=${env:PGHOST} port=${env:PGPORT} dbname=${env:BENCH_SOURCE_DB} user=${env:PGUSER}"
target:
  driver: postgresql
  connection: "host=${env:PGHOST} port=${env:PGPORT} dbname=${env:BENCH_TARGET_DB} user=${env:PGUSER}"
defaults:
  workers: 2          # the runs pass --workers
  batch_size: 4000
  chunk_rows: 50000
  mode: full
tables:
  - source: public.bi_credores
    target: public.bi_credores
    columns: auto
EOF
  # What a user gets who writes no tuning at all: no workers, batch_size or chunk_rows.
  for source in sqlite postgresql; do
    grep -vE '^  (workers|batch_size|chunk_rows):' "$run/map_$source.yaml" >"$run/map_${source}_defaults.yaml"
  done
}
write_mappings

# replicate_run N SOURCE WORKERS REP   (WORKERS "default": the defaults mapping, no --workers)
replicate_run() {
  local n=$1 source=$2 w=$3 rep=$4 log load0 last status note
  log="$run/logs/replicate_${source}_${n}_w${w}_r${rep}.log"
  fresh_db bench_tgt
  settle
  load0=$(load1)
  local args=(--workers "$w" "$run/map_$source.yaml")
  [[ $w == default ]] && args=("$run/map_${source}_defaults.yaml")
  BENCH_SQLITE="$run/src_$n.sqlite" BENCH_SOURCE_DB="bench_src_$n" BENCH_TARGET_DB=bench_tgt \
    timed "$log" "$replicate" "${args[@]}"
  # The summary's last line: "...: N rows in 1 table, S.SSs total, R rows/s; peak memory:
  # coordinator X MB, largest worker Y MB" (src/cli/cli.cpp).
  last=$(grep -E 'rows/s; peak memory: coordinator' "$log" | tail -n 1 || true)
  local rate="" coord="" worker=""
  if [[ "$last" =~ ([0-9,]+)\ rows/s\;\ peak\ memory:\ coordinator\ ([0-9.]+)\ MB,\ largest\ worker\ ([0-9.]+)\ MB ]]; then
    rate=${BASH_REMATCH[1]//,/}
    coord=$(awk -v m="${BASH_REMATCH[2]}" 'BEGIN {printf "%d", m * 1024}')
    worker=$(awk -v m="${BASH_REMATCH[3]}" 'BEGIN {printf "%d", m * 1024}')
  fi
  local loaded
  loaded=$(count_rows bench_tgt)
  status=ok
  note=""
  if ((T_RC != 0)) || [[ "$loaded" != "$n" ]]; then
    status="failed (exit $T_RC)"
    note=$(grep -iE 'error|fail' "$log" | tail -n 3 | tr '\n' ' ')
  fi
  record "$n" replicate "$source" "$w" "$rep" "$T_SECONDS" "$loaded" "$coord" "$worker" "$T_RSS_KB" "$rate" "$load0" "$status" "$note"
}

# target_with_source_ddl N: fresh bench_tgt holding an empty bi_credores with the
# DDL replicate created in bench_src_N (columns, types, primary key).
target_with_source_ddl() {
  fresh_db bench_tgt
  pg_dump -s -t public.bi_credores "bench_src_$1" | sql -d bench_tgt >/dev/null
}

for n in $rows_list; do
  step "$n rows: the sources"
  src="$run/src_$n.sqlite"
  rm -f "$src"
  "$replicate" sample --rows "$n" --output "$src"
  fresh_db "bench_src_$n"
  BENCH_SQLITE="$src" BENCH_TARGET_DB="bench_src_$n" "$replicate" -q --workers 2 "$run/map_sqlite.yaml"
  sql -d "bench_src_$n" -c "DROP SCHEMA replicate CASCADE" -c "VACUUM (ANALYZE) public.bi_credores"
  [[ $(count_rows "bench_src_$n") == "$n" ]] || { echo "bench: bench_src_$n does not hold $n rows" >&2; exit 1; }

  csv="$run/bi_credores_$n.csv"
  timed "$run/logs/copy_out_$n.log" psql -X -v ON_ERROR_STOP=1 -d "bench_src_$n" \
    -c "\\copy public.bi_credores TO '$csv' CSV"
  # Rows from the "COPY n" line, not lines of the file: CSV fields may hold newlines.
  record "$n" "COPY TO csv (export)" postgresql 1 1 "$T_SECONDS" \
    "$(sed -n 's/^COPY \([0-9]*\)$/\1/p' "$run/logs/copy_out_$n.log")" "" "" "$T_RSS_KB" "" "$(load1)" \
    "$([[ $T_RC == 0 ]] && echo ok || echo "failed (exit $T_RC)")" "$(du -h "$csv" | cut -f1) CSV file, not a load"

  if ! skipped inserts; then
    step "$n rows: writing the 4000-row INSERT statements (not timed)"
    "$py" "$bench/insert_sql.py" "$src" "$run/inserts_$n.sql" 4000
  fi

  for ((rep = 1; rep <= repeat; rep++)); do
    step "$n rows, run $rep/$repeat: psql \\copy from CSV (the ceiling)"
    target_with_source_ddl "$n"
    settle
    load0=$(load1)
    timed "$run/logs/copy_in_${n}_r$rep.log" psql -X -v ON_ERROR_STOP=1 -d bench_tgt \
      -c "\\copy public.bi_credores FROM '$csv' CSV"
    loaded=$(count_rows bench_tgt)
    status=ok
    if ((T_RC != 0)) || [[ "$loaded" != "$n" ]]; then status="failed (exit $T_RC)"; fi
    record "$n" "psql \\copy (ceiling)" csv 1 "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" "$load0" "$status" \
      "$(tail -n 2 "$run/logs/copy_in_${n}_r$rep.log" | tr '\n' ' ')"

    # The same shape as the table replicate creates for a full copy: no key during the
    # load, the key built after it (timed together).
    step "$n rows, run $rep/$repeat: psql \\copy from CSV, then the key (replicate's shape)"
    target_with_source_ddl "$n"
    pk=$(sql -d bench_tgt -c "SELECT conname FROM pg_constraint WHERE conrelid = 'public.bi_credores'::regclass AND contype = 'p'")
    pkcols=$(sql -d bench_tgt -c "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) FROM pg_constraint c
      CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
      WHERE c.conrelid = 'public.bi_credores'::regclass AND c.contype = 'p'")
    sql -d bench_tgt -c "ALTER TABLE public.bi_credores DROP CONSTRAINT \"$pk\""
    settle
    load0=$(load1)
    timed "$run/logs/copy_in_keyafter_${n}_r$rep.log" psql -X -v ON_ERROR_STOP=1 -d bench_tgt \
      -c "\\copy public.bi_credores FROM '$csv' CSV" -c "ALTER TABLE public.bi_credores ADD PRIMARY KEY ($pkcols)"
    loaded=$(count_rows bench_tgt)
    status=ok
    if ((T_RC != 0)) || [[ "$loaded" != "$n" ]]; then status="failed (exit $T_RC)"; fi
    record "$n" "psql \\copy, key after (ceiling)" csv 1 "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" "$load0" \
      "$status" "$(tail -n 2 "$run/logs/copy_in_keyafter_${n}_r$rep.log" | tr '\n' ' ')"

    for source in sqlite postgresql; do
      for w in default $workers_list; do
        step "$n rows, run $rep/$repeat: replicate from $source, $w worker(s)"
        replicate_run "$n" "$source" "$w" "$rep"
      done
    done

    if ! skipped pgloader; then
      # Its defaults, and with a 4 GB heap: with the defaults SBCL's 1 GB heap often
      # runs out on this table, and then there is no figure to compare with.
      for heap in default 4096; do
        method=pgloader
        heap_args=()
        if [[ $heap != default ]]; then
          method="pgloader (${heap} MB heap)"
          heap_args=(--dynamic-space-size "$heap")
        fi
        step "$n rows, run $rep/$repeat: $method from SQLite"
        fresh_db bench_tgt
        settle
        load0=$(load1)
        log="$run/logs/pgloader_${heap}_${n}_r$rep.log"
        timed "$log" pgloader "${heap_args[@]}" --root-dir "$run/pgloader/" \
          "sqlite://$src" "pgsql://$PGUSER@$PGHOST:$PGPORT/bench_tgt"
        loaded=$(count_rows bench_tgt)
        status=ok
        note=$(grep -E 'Total import time' "$log" | tail -n 1 | tr -s ' ' || true)
        if ((T_RC != 0)) || [[ "$loaded" != "$n" ]]; then
          status="failed (exit $T_RC)"
          note=$( (grep -E 'FATAL|ERROR|error|Heap exhausted' "$log" || tail -n 5 "$log") | tail -n 3 | tr '\n' ' ')
        fi
        record "$n" "$method" sqlite "-" "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" "$load0" "$status" "$note"
      done
    fi

    if ! skipped inserts; then
      step "$n rows, run $rep/$repeat: 4000-row INSERT batches (the original system)"
      target_with_source_ddl "$n"
      settle
      load0=$(load1)
      timed "$run/logs/inserts_${n}_r$rep.log" psql -X -q -v ON_ERROR_STOP=1 -d bench_tgt -f "$run/inserts_$n.sql"
      loaded=$(count_rows bench_tgt)
      status=ok
      if ((T_RC != 0)) || [[ "$loaded" != "$n" ]]; then status="failed (exit $T_RC)"; fi
      record "$n" "INSERT 4000-row batches" sqlite 1 "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" "$load0" "$status" \
        "$(tail -n 2 "$run/logs/inserts_${n}_r$rep.log" | tr '\n' ' ')"
    fi
  done
  rm -f "$csv" "$run/inserts_$n.sql"
done

if ! skipped paging; then
  first=${rows_list%% *}
  step "$first rows: OFFSET paging against keyset paging (reads, PostgreSQL bench_src_$first)"
  settle
  "$py" "$bench/paging.py" "bench_src_$first" "$first" "$run/paging.tsv" 4000
fi

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$machine"
step "Results (bench/.run/results.tsv; logs in bench/.run/logs)"
"$py" "$bench/report.py" "$run"
