#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark: how fast replicate moves bi_credores into PostgreSQL, against
# the single-stream ceiling (psql \copy from a CSV file), pgloader, pgcopydb and
# the original system's 4000-row INSERT batches, all on this machine in this run.
#
#   bash bench/run.sh    # as root
#
# It installs what is missing (pgloader, pgcopydb, GNU time; builds build/replicate
# with scripts/setup.sh if there is none), starts a private PostgreSQL in
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
#   4. times pgloader from the same SQLite file and from bench_src_N, with its
#      defaults and with a 4 GB heap;
#   5. times `pgcopydb copy table-data` from bench_src_N into the shape replicate
#      creates (no key), with as many jobs as replicate's default workers here and
#      with each of WORKERS (the table split into that many key ranges), checks its
#      rows against the source (count + md5), then times ADD PRIMARY KEY after it;
#   6. times the original system's load: multi-row INSERTs of 4000 rows (first run
#      of each size only, unless REPEAT_INSERTS=1: it is context, not a target);
# then, on the first size, OFFSET paging against keyset paging reads, and
# prints the tables and the issue's targets (bench/report.py). Everything lands in
# bench/.run/. Each timed step records the 1-minute load average before and after.
#
# Environment: ROWS (default "1000000 2000000"; "1000000 4000000" for the memory
# target), WORKERS (default "1 2 4"), REPEAT (runs of each timed load, interleaved,
# default 3; the report shows the median; REPEAT=1 for a quick run),
# SKIP="pgloader pgloader-pg pgcopydb inserts paging" to leave some parts out
# (pgloader-pg: only pgloader's PostgreSQL-source runs), REPEAT_INSERTS=1 to time
# the INSERT batches on every run, KEEP_RUNNING=1 to leave the cluster up. Every
# figure is measured here; nothing is assumed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd -P)
bench="$root/bench"
run="$bench/.run"
pg_dir="$run/pg"
rows_list=${ROWS:-1000000 2000000}
workers_list=${WORKERS:-1 2 4}
repeat=${REPEAT:-3}
skip=" ${SKIP:-} "
py=/usr/bin/python3
results="$run/results.tsv"
machine="$run/machine.txt"

step() { printf '\n==> %s\n' "$*"; }
skipped() { [[ "$skip" == *" $1 "* ]]; }
load1() { cut -d' ' -f1 /proc/loadavg; }
bench_t0=$(date +%s)

if [[ $EUID -ne 0 ]]; then
  echo "bench: run as root (sudo bash bench/run.sh): it installs packages and starts PostgreSQL as the postgres user" >&2
  exit 1
fi
if ! [[ "$repeat" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench: REPEAT must be a positive integer, not '$repeat'" >&2
  exit 2
fi

step "Installing what is missing"
need=()
command -v pgloader >/dev/null 2>&1 || need+=(pgloader)
command -v pgcopydb >/dev/null 2>&1 || skipped pgcopydb || need+=(pgcopydb)
[[ -x /usr/bin/time ]] || need+=(time)
[[ -x $py ]] || need+=(python3)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" ||
    { apt-get update -q && apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}"; }
fi
if [[ ! -x build/replicate ]]; then
  step "No build/replicate: building with scripts/setup.sh"
  bash scripts/setup.sh
fi
if ! command -v psql >/dev/null || ! command -v pg_dump >/dev/null; then
  echo "bench: psql/pg_dump missing; run sudo bash scripts/setup.sh" >&2
  exit 1
fi

mkdir -p "$run/bin" "$run/logs" "$run/pgloader" "$run/pgcopydb"
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
# The server's log: pgcopydb's runs log their statements' durations there (its VACUUM).
server_log="$pg_dir/log"

sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fresh_db() {
  sql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}
count_rows() { sql -d "$1" -c "SELECT count(*) FROM public.bi_credores" 2>/dev/null || echo 0; }
# "count:md5" of the table's rows in key order (an md5 per row, then one over those, so
# 4M rows stay far below the 1 GB text limit). Same column types give the same text.
rows_digest() {
  sql -d "$1" -c "SELECT count(*) || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY t.id)), '')
                  FROM public.bi_credores t" 2>/dev/null || echo "?"
}
# Dirty buffers of the previous run must not be written on this run's clock.
settle() { sql -d postgres -c "CHECKPOINT"; sync; }
# Cores this process may use (sched_getaffinity, as replicate counts them; nproc
# would also heed OMP_NUM_THREADS).
cores=$("$py" -c 'import os; print(len(os.sched_getaffinity(0)))')

{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "host=$(uname -n) ($(uname -sr))"
  echo "nproc=$cores"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "memory=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the bench's first step)"
  echo "postgresql=$(sql -d postgres -c 'SHOW server_version') (scripts/pg-cluster.sh: fsync=off, synchronous_commit=off, full_page_writes=off)"
  echo "pgloader=$(pgloader --version 2>/dev/null | head -n 1)"
  if ! skipped pgcopydb; then
    echo "pgcopydb=$(pgcopydb --version 2>/dev/null | sed -n 's/^pgcopydb version //p' | head -n 1) (Debian package $(dpkg-query -W -f '${Version}' pgcopydb 2>/dev/null || echo '?'))"
  fi
  echo "replicate=$($replicate --version) ($(grep -m1 CMAKE_BUILD_TYPE build/CMakeCache.txt 2>/dev/null | cut -d= -f2 || echo '?') build)"
  dirty=$(git status --porcelain --untracked-files=no -- src CMakeLists.txt | awk '{print $2}' | tr '\n' ' ')
  echo "commit=$(git rev-parse --short HEAD)${dirty:+ + uncommitted changes in: $dirty}"
  echo "binary_sha256=$(sha256sum "$replicate" | cut -c1-16)"
  echo "settings=ROWS=\"$rows_list\" WORKERS=\"$workers_list\" REPEAT=$repeat SKIP=\"${SKIP:-}\" REPEAT_INSERTS=${REPEAT_INSERTS:-0}"
} >"$machine"
cat "$machine"

printf 'rows\tmethod\tsource\tworkers\trep\tseconds\trows_loaded\trss_coordinator_kb\trss_worker_kb\trss_max_kb\ttool_rows_per_s\tload_before\tload_after\tstatus\tnote\n' >"$results"

# record ROWS METHOD SOURCE WORKERS REP SECONDS LOADED RSS_C RSS_W RSS_MAX TOOL_RATE STATUS NOTE [LOAD_BEFORE LOAD_AFTER]
# The loads default to those timed() took around the last timed command.
record() {
  local note=${13//$'\t'/ }
  local l0=${14:-$T_LOAD_BEFORE} l1=${15:-$T_LOAD_AFTER}
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10}" "${11}" "$l0" "$l1" "${12}" "${note//$'\n'/ }" >>"$results"
  printf 'bench: %-30s %-10s w=%-7s rows=%-8s %8ss  loaded=%-8s RSS max %s KB  load %s>%s  [%s] %s\n' \
    "$2" "$3" "$4" "$1" "$6" "$7" "${10}" "$l0" "$l1" "${12}" "${note:0:160}"
}

# timed LOG CMD...: runs CMD with stdout+stderr to LOG; sets T_SECONDS, T_RSS_KB, T_RC and
# T_LOAD_BEFORE / T_LOAD_AFTER (the 1-minute load average just before and just after).
timed() {
  local log=$1
  shift
  local t0 t1
  T_LOAD_BEFORE=$(load1)
  t0=$(date +%s%N)
  set +e
  /usr/bin/time -f '%M' -o "$log.time" "$@" >"$log" 2>&1
  T_RC=$?
  set -e
  t1=$(date +%s%N)
  T_LOAD_AFTER=$(load1)
  T_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  T_RSS_KB=$(tail -n 1 "$log.time" | grep -E '^[0-9]+$' || echo 0)
}

# status_of N LOADED: "ok", or why not.
status_of() {
  if ((T_RC != 0)); then
    echo "failed (exit $T_RC)"
  elif [[ "$2" != "$1" ]]; then
    echo "failed ($2 of $1 rows)"
  else
    echo ok
  fi
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
  local n=$1 source=$2 w=$3 rep=$4 log last status note
  log="$run/logs/replicate_${source}_${n}_w${w}_r${rep}.log"
  fresh_db bench_tgt
  settle
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
  status=$(status_of "$n" "$loaded")
  note=""
  if [[ $status != ok ]]; then
    note=$(grep -iE 'error|fail' "$log" | tail -n 3 | tr '\n' ' ')
  elif [[ $w == default ]]; then
    # The defaults line is the one the targets use: its rows must be the source's rows.
    if [[ $(rows_digest bench_tgt) == "$src_digest" ]]; then
      note="rows = bench_src_$n (count + md5)"
    else
      status="failed (rows differ from bench_src_$n)"
    fi
  fi
  [[ -z "$worker" ]] && note="no 'peak memory' summary line in the log; $note"
  record "$n" replicate "$source" "$w" "$rep" "$T_SECONDS" "$loaded" "$coord" "$worker" "$T_RSS_KB" "$rate" "$status" "$note"
}

# target_with_source_ddl N: fresh bench_tgt holding an empty bi_credores with the
# DDL replicate created in bench_src_N (columns, types, primary key).
target_with_source_ddl() {
  fresh_db bench_tgt
  pg_dump -s -t public.bi_credores "bench_src_$1" | sql -d bench_tgt >/dev/null
}

# target_without_key N: target_with_source_ddl, then the primary key dropped: the shape
# replicate creates for a full copy (the key is built after the load). Sets PK_COLS.
target_without_key() {
  target_with_source_ddl "$1"
  local pk
  pk=$(sql -d bench_tgt -c "SELECT conname FROM pg_constraint WHERE conrelid = 'public.bi_credores'::regclass AND contype = 'p'")
  PK_COLS=$(sql -d bench_tgt -c "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) FROM pg_constraint c
    CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
    WHERE c.conrelid = 'public.bi_credores'::regclass AND c.contype = 'p'")
  sql -d bench_tgt -c "ALTER TABLE public.bi_credores DROP CONSTRAINT \"$pk\""
}

# pgcopydb_run N JOBS REP: `pgcopydb copy table-data` of bench_src_N into the shape
# replicate creates (no key), with JOBS table jobs; for JOBS > 1 the table is split
# into JOBS key ranges (--split-tables-larger-than, as the environment variable
# copy table-data reads: pg_table_size / JOBS), since one table is otherwise one
# COPY whatever the jobs. Then ADD PRIMARY KEY, timed on its own; the second line
# adds both times.
pgcopydb_run() {
  local n=$1 jobs=$2 rep=$3 log keylog status note loaded digest log_at vacuum parts
  log="$run/logs/pgcopydb_${n}_j${jobs}_r${rep}.log"
  keylog="$run/logs/pgcopydb_key_${n}_j${jobs}_r${rep}.log"
  target_without_key "$n"
  local split_env=()
  if ((jobs > 1)); then
    local bytes
    bytes=$(sql -d "bench_src_$n" -c "SELECT pg_table_size('public.bi_credores')")
    split_env=(PGCOPYDB_SPLIT_TABLES_LARGER_THAN="$((bytes / jobs + 1))B")
  fi
  printf '[include-only-table]\npublic.bi_credores\n' >"$run/pgcopydb/filters.ini"
  settle
  log_at=$(stat -L -c %s "$server_log" 2>/dev/null || echo 0)
  # PGOPTIONS reaches pgcopydb's libpq sessions only: their statements' durations go to
  # the server log, so the report can say what its VACUUM ANALYZE took.
  timed "$log" env PGCOPYDB_SOURCE_PGURI="postgres://$PGUSER@$PGHOST:$PGPORT/bench_src_$n" \
    PGCOPYDB_TARGET_PGURI="postgres://$PGUSER@$PGHOST:$PGPORT/bench_tgt" "${split_env[@]}" \
    PGOPTIONS="-c log_min_duration_statement=0" \
    pgcopydb copy table-data --dir "$run/pgcopydb/work" --restart --table-jobs "$jobs" \
    --filters "$run/pgcopydb/filters.ini"
  local t_copy=$T_SECONDS rss_copy=$T_RSS_KB load_before=$T_LOAD_BEFORE
  loaded=$(count_rows bench_tgt)
  status=$(status_of "$n" "$loaded")
  vacuum=$(tail -c +$((log_at + 1)) "$server_log" 2>/dev/null |
    sed -n 's/.*duration: \([0-9.]*\) ms  statement: VACUUM ANALYZE.*/\1/p' |
    awk '{s += $1} END {if (NR) printf "%.2f", s / 1000}')
  parts=$(grep -cE 'INFO  COPY ("|\()' "$log" || true)
  note="$parts COPY part(s); vacuum_s=${vacuum:-?} (its VACUUM ANALYZE, inside its time)"
  if [[ $status == ok ]]; then
    digest=$(rows_digest bench_tgt)
    if [[ "$digest" == "$src_digest" ]]; then
      note="$note; rows = bench_src_$n (count + md5)"
    else
      status="failed (rows differ from bench_src_$n)"
      note="$note; digest $digest, source $src_digest"
    fi
  else
    note="$note; $( (grep -E 'ERROR|FATAL' "$log" || tail -n 3 "$log") | tail -n 3 | tr '\n' ' ')"
  fi
  record "$n" "pgcopydb copy table-data" postgresql "$jobs" "$rep" "$t_copy" "$loaded" "" "" "$rss_copy" "" "$status" "$note"

  # The key on a clock of its own, straight after the copy (no CHECKPOINT between, as in
  # replicate's run and in the \copy-then-key ceiling).
  timed "$keylog" psql -X -v ON_ERROR_STOP=1 -d bench_tgt -c "ALTER TABLE public.bi_credores ADD PRIMARY KEY ($PK_COLS)"
  local total rss
  total=$(awk -v a="$t_copy" -v b="$T_SECONDS" 'BEGIN {printf "%.2f", a + b}')
  rss=$((rss_copy > T_RSS_KB ? rss_copy : T_RSS_KB))
  if ((T_RC != 0)) && [[ $status == ok ]]; then status="failed (ADD PRIMARY KEY exit $T_RC)"; fi
  record "$n" "pgcopydb table-data, key after" postgresql "$jobs" "$rep" "$total" "$loaded" "" "" "$rss" "" "$status" \
    "copy $t_copy s + key $T_SECONDS s" "$load_before" "$T_LOAD_AFTER"
}

# pgloader_run N SOURCE HEAP REP   (SOURCE sqlite or postgresql; HEAP "default" or MB)
pgloader_run() {
  local n=$1 source=$2 heap=$3 rep=$4 method=pgloader heap_args=() from log loaded status note
  if [[ $heap != default ]]; then
    method="pgloader (${heap} MB heap)"
    heap_args=(--dynamic-space-size "$heap")
  fi
  from="sqlite://$run/src_$n.sqlite"
  [[ $source == postgresql ]] && from="pgsql://$PGUSER@$PGHOST:$PGPORT/bench_src_$n"
  step "$n rows, run $rep/$repeat: $method from $source"
  fresh_db bench_tgt
  settle
  log="$run/logs/pgloader_${source}_${heap}_${n}_r$rep.log"
  timed "$log" pgloader "${heap_args[@]}" --root-dir "$run/pgloader/" \
    "$from" "pgsql://$PGUSER@$PGHOST:$PGPORT/bench_tgt"
  loaded=$(count_rows bench_tgt)
  status=$(status_of "$n" "$loaded")
  note=$(grep -E 'Total import time' "$log" | tail -n 1 | tr -s ' ' || true)
  if [[ $status != ok ]]; then
    note=$( (grep -E 'FATAL|ERROR|error|Heap exhausted' "$log" || tail -n 5 "$log") | tail -n 3 | tr '\n' ' ')
  fi
  record "$n" "$method" "$source" "-" "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" "$status" "$note"
}

# pgcopydb's job counts: replicate's default worker count first, then WORKERS.
pgcopydb_jobs=""
default_workers=""

for n in $rows_list; do
  step "$n rows: the sources"
  src="$run/src_$n.sqlite"
  rm -f "$src"
  "$replicate" sample --rows "$n" --output "$src"
  fresh_db "bench_src_$n"
  BENCH_SQLITE="$src" BENCH_TARGET_DB="bench_src_$n" "$replicate" -q --workers 2 "$run/map_sqlite.yaml"
  sql -d "bench_src_$n" -c "DROP SCHEMA replicate CASCADE" -c "VACUUM (ANALYZE) public.bi_credores"
  [[ $(count_rows "bench_src_$n") == "$n" ]] || { echo "bench: bench_src_$n does not hold $n rows" >&2; exit 1; }
  # What the defaults line and pgcopydb must reproduce, row for row (not timed).
  src_digest=$(rows_digest "bench_src_$n")

  if [[ -z "$default_workers" ]]; then
    # What the defaults line gets: `replicate plan` resolves the default as a run does
    # (cores this process may use, 1 to 8, no more than the target's free connections).
    fresh_db bench_tgt
    default_workers=$(BENCH_SOURCE_DB="bench_src_$n" BENCH_TARGET_DB=bench_tgt \
      "$replicate" plan "$run/map_postgresql_defaults.yaml" 2>/dev/null | sed -n 's/.*workers: \([0-9]*\).*/\1/p' | head -n 1)
    if [[ -z "$default_workers" ]]; then
      default_workers=$((cores < 1 ? 1 : cores > 8 ? 8 : cores))
      echo "bench: 'replicate plan' did not say its workers; assuming $default_workers (cores $cores, 1 to 8)"
    fi
    echo "replicate_default_workers=$default_workers (replicate plan of the defaults mapping; cores this process may use: $cores)" >>"$machine"
    echo "bench: replicate's default here: $default_workers worker(s) (cores this process may use: $cores)"
    for j in $default_workers $workers_list; do
      [[ " $pgcopydb_jobs " == *" $j "* ]] || pgcopydb_jobs+="${pgcopydb_jobs:+ }$j"
    done
  fi

  csv="$run/bi_credores_$n.csv"
  timed "$run/logs/copy_out_$n.log" psql -X -v ON_ERROR_STOP=1 -d "bench_src_$n" \
    -c "\\copy public.bi_credores TO '$csv' CSV"
  # Rows from the "COPY n" line, not lines of the file: CSV fields may hold newlines.
  record "$n" "COPY TO csv (export)" postgresql 1 1 "$T_SECONDS" \
    "$(sed -n 's/^COPY \([0-9]*\)$/\1/p' "$run/logs/copy_out_$n.log")" "" "" "$T_RSS_KB" "" \
    "$([[ $T_RC == 0 ]] && echo ok || echo "failed (exit $T_RC)")" "$(du -h "$csv" | cut -f1) CSV file, not a load"

  if ! skipped inserts; then
    step "$n rows: writing the 4000-row INSERT statements (not timed)"
    "$py" "$bench/insert_sql.py" "$src" "$run/inserts_$n.sql" 4000
  fi

  for ((rep = 1; rep <= repeat; rep++)); do
    step "$n rows, run $rep/$repeat: psql \\copy from CSV (the ceiling)"
    target_with_source_ddl "$n"
    settle
    timed "$run/logs/copy_in_${n}_r$rep.log" psql -X -v ON_ERROR_STOP=1 -d bench_tgt \
      -c "\\copy public.bi_credores FROM '$csv' CSV"
    loaded=$(count_rows bench_tgt)
    record "$n" "psql \\copy (ceiling)" csv 1 "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" \
      "$(status_of "$n" "$loaded")" "$(tail -n 2 "$run/logs/copy_in_${n}_r$rep.log" | tr '\n' ' ')"

    # The same shape as the table replicate creates for a full copy: no key during the
    # load, the key built after it (timed together).
    step "$n rows, run $rep/$repeat: psql \\copy from CSV, then the key (replicate's shape)"
    target_without_key "$n"
    settle
    timed "$run/logs/copy_in_keyafter_${n}_r$rep.log" psql -X -v ON_ERROR_STOP=1 -d bench_tgt \
      -c "\\copy public.bi_credores FROM '$csv' CSV" -c "ALTER TABLE public.bi_credores ADD PRIMARY KEY ($PK_COLS)"
    loaded=$(count_rows bench_tgt)
    record "$n" "psql \\copy, key after (ceiling)" csv 1 "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" \
      "$(status_of "$n" "$loaded")" "$(tail -n 2 "$run/logs/copy_in_keyafter_${n}_r$rep.log" | tr '\n' ' ')"

    for source in sqlite postgresql; do
      for w in default $workers_list; do
        step "$n rows, run $rep/$repeat: replicate from $source, $w worker(s)"
        replicate_run "$n" "$source" "$w" "$rep"
      done
    done

    if ! skipped pgcopydb; then
      for jobs in $pgcopydb_jobs; do
        step "$n rows, run $rep/$repeat: pgcopydb copy table-data, $jobs job(s), then the key"
        pgcopydb_run "$n" "$jobs" "$rep"
      done
    fi

    if ! skipped pgloader; then
      # Its defaults, and with a 4 GB heap: with the defaults SBCL's 1 GB heap often
      # runs out on this table, and then there is no figure to compare with.
      for source in sqlite postgresql; do
        [[ $source == postgresql ]] && skipped pgloader-pg && continue
        for heap in default 4096; do
          pgloader_run "$n" "$source" "$heap" "$rep"
        done
      done
    fi

    if ! skipped inserts && { ((rep == 1)) || [[ "${REPEAT_INSERTS:-0}" == 1 ]]; }; then
      step "$n rows, run $rep/$repeat: 4000-row INSERT batches (the original system)"
      target_with_source_ddl "$n"
      settle
      timed "$run/logs/inserts_${n}_r$rep.log" psql -X -q -v ON_ERROR_STOP=1 -d bench_tgt -f "$run/inserts_$n.sql"
      loaded=$(count_rows bench_tgt)
      record "$n" "INSERT 4000-row batches" sqlite 1 "$rep" "$T_SECONDS" "$loaded" "" "" "$T_RSS_KB" "" \
        "$(status_of "$n" "$loaded")" "$(tail -n 2 "$run/logs/inserts_${n}_r$rep.log" | tr '\n' ' ')"
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

{
  echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
  echo "duration=$((($(date +%s) - bench_t0) / 60)) min $((($(date +%s) - bench_t0) % 60)) s (the whole bench, installs and samples included)"
} >>"$machine"
step "Results (bench/.run/results.tsv; logs in bench/.run/logs)"
"$py" "$bench/report.py" "$run"
