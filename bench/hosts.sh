#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cooperation overhead: one run of bi_credores (SQLite sample -> PostgreSQL) shared
# by 1, 2 and 3 `replicate run` processes on this machine (each its own process tree,
# standing for a host), with the same total number of workers, so that any difference
# is the cost of cooperating: claims, heartbeats, polls. Prints rows/s and, per chunk,
# the target transactions and the state-table row writes.
#
#   bash bench/hosts.sh          # as root; ROWS (1000000), TOTAL (6 workers), REPEAT (3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd -P)
run="$root/bench/.run/hosts"
rows=${ROWS:-1000000}
total=${TOTAL:-6}
repeat=${REPEAT:-3}
[[ -x build/replicate ]] || bash scripts/setup.sh
mkdir -p "$run/bin"
cp build/replicate "$run/bin/replicate"
replicate="$run/bin/replicate"
pg_dir="$run/pg"
trap 'bash "$root/scripts/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true' EXIT
bash scripts/pg-cluster.sh start "$pg_dir" >/dev/null
source "$pg_dir/env"
export PGHOST PGPORT PGUSER PGDATABASE
sample="$run/bi_credores_$rows.sqlite"
[[ -s $sample ]] || "$replicate" -q sample --rows "$rows" --output "$sample"
cat >"$run/map.yaml" <<'YAML'
# Written by bench/hosts.sh.
version: 1
source: {driver: sqlite, connection: "${env:BENCH_SQLITE}"}
target: {driver: postgresql, connection: "host=${env:PGHOST} port=${env:PGPORT} dbname=${env:BENCH_TARGET_DB} user=${env:PGUSER}"}
tables:
  - source: bi_credores
    target: public.bi_credores
YAML
sql() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); $rows rows; $total workers in all; $repeat runs each"
printf '%-7s %-8s %12s %10s %16s %18s %s\n' hosts workers seconds rows/s "xacts/chunk" "state writes/chunk" load
for hosts in 1 2 3; do
  per=$((total / hosts))
  ((per >= 1)) || continue
  secs=() xacts=() writes=() loads=()
  for ((r = 1; r <= repeat; r++)); do
    db="hosts_${hosts}_$r"
    sql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    x0=$(sql -d postgres -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'")
    l0=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s.%N)
    pids=()
    for ((h = 1; h <= hosts; h++)); do
      BENCH_SQLITE="$sample" BENCH_TARGET_DB="$db" "$replicate" -q run "$run/map.yaml" --run-name "bench-$hosts-$r" \
        --workers "$per" >"$run/host$h.out" 2>"$run/host$h.err" &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || { echo "hosts.sh: a host failed:"; cat "$run"/host*.err; exit 1; }; done
    end=$(date +%s.%N)
    sleep 1  # statistics are sent at the end of each session
    x1=$(sql -d postgres -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$db'")
    chunks=$(sql -d "$db" -c "SELECT count(*) FROM replicate.chunks")
    got=$(sql -d "$db" -c "SELECT count(*) FROM public.bi_credores")
    [[ $got == "$rows" ]] || { echo "hosts.sh: $got rows copied, not $rows"; exit 1; }
    w=$(sql -d "$db" -c "SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables WHERE schemaname = 'replicate'")
    secs+=("$(echo "$end - $start" | bc)")
    xacts+=("$(echo "scale=1; ($x1 - $x0) / $chunks" | bc)")
    writes+=("$(echo "scale=1; $w / $chunks" | bc)")
    loads+=("$l0-$(cut -d' ' -f1 /proc/loadavg)")
  done
  s=$(printf '%s\n' "${secs[@]}" | median)
  printf '%-7s %-8s %12.2f %10.0f %16s %18s %s\n' "$hosts" "$hosts x $per" "$s" "$(echo "$rows / $s" | bc -l)" \
    "$(printf '%s\n' "${xacts[@]}" | median)" "$(printf '%s\n' "${writes[@]}" | median)" "${loads[*]}"
done
