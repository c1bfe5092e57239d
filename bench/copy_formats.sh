#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What COPY text and COPY binary cost the PostgreSQL backend, per column type of
# bi_credores: the question behind "binary COPY where it is cheaper for the backend".
#
#   bash bench/copy_formats.sh    # as root; ROWS (default 1000000), REPEAT (default 3)
#
# It loads a replicate sample into a private PostgreSQL, then for the whole table and
# for each group of its columns of one type (integers, numerics, dates, timestamps,
# text, booleans) writes the rows once as a COPY text file and once as a COPY binary
# file (COPY ... TO, server side), and times COPY ... FROM each file into an empty
# table of the same columns (no key), REPEAT times interleaved, after a CHECKPOINT.
# Server-side files: no client, no network, only the backend's parsing and writing.
# Prints the median seconds and the backend's CPU-seconds per million rows per format.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows=${ROWS:-1000000}
repeat=${REPEAT:-3}
run=$(pwd -P)/bench/.run
pg=$run/formats-pg
mkdir -p "$run"
[[ -x build/replicate ]] || bash scripts/setup.sh >/dev/null
trap 'bash scripts/pg-cluster.sh stop "$pg" >/dev/null 2>&1 || true' EXIT
bash scripts/pg-cluster.sh start "$pg" >/dev/null
# shellcheck source=/dev/null
source "$pg/env"
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -q -w -At -v ON_ERROR_STOP=1 "$@"; }

src=$run/formats_$rows.sqlite
[[ -s $src ]] || build/replicate -q sample --rows "$rows" --output "$src"
cat >"$run/formats.yaml" <<EOF
version: 1
source: {driver: sqlite, connection: "$src"}
target: {driver: postgresql, connection: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"}
defaults: {mode: full, workers: 2}
tables:
  - {source: bi_credores, target: public.bi_credores, columns: auto}
EOF
build/replicate -q "$run/formats.yaml"
files=$pg/files
mkdir -p "$files"
chown postgres "$files" 2>/dev/null || true

# Column groups by the type PostgreSQL has for them.
group_columns() {  # group_columns SQL-CONDITION-ON-format_type
  q -c "select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
        where attrelid = 'public.bi_credores'::regclass and attnum > 0 and not attisdropped
          and ($1)"
}
declare -A groups=(
  [all]="true"
  [integer]="format_type(atttypid, atttypmod) in ('integer', 'bigint', 'smallint')"
  [numeric]="format_type(atttypid, atttypmod) like 'numeric%'"
  [date]="format_type(atttypid, atttypmod) = 'date'"
  [timestamp]="format_type(atttypid, atttypmod) like 'timestamp%'"
  [text]="format_type(atttypid, atttypmod) like 'character varying%' or format_type(atttypid, atttypmod) = 'text'"
  [boolean]="format_type(atttypid, atttypmod) = 'boolean'"
)
order=(all integer numeric date timestamp text boolean)

backend_cpu() {  # CPU seconds (user+sys) of the backend with pid $1 so far
  awk '{print ($14 + $15) / 100}' "/proc/$1/stat"
}

printf '%-10s %5s %-7s %10s %10s %14s\n' group cols format "median s" "cpu s" "cpu s / M rows"
for g in "${order[@]}"; do
  cols=$(group_columns "${groups[$g]}")
  [[ -n $cols ]] || continue
  ncols=$(awk -F', ' '{print NF}' <<<"$cols")
  q -c "drop table if exists f_$g; create table f_$g as select $cols from public.bi_credores limit 0"
  q -c "copy (select $cols from public.bi_credores) to '$files/$g.txt'"
  q -c "copy (select $cols from public.bi_credores) to '$files/$g.bin' with (format binary)"
  declare -A secs=() cpus=()
  for _ in $(seq 1 "$repeat"); do
    for fmt in text binary; do
      file=$files/$g.txt
      opt=""
      [[ $fmt == binary ]] && { file=$files/$g.bin; opt="with (format binary)"; }
      q -c "truncate f_$g" -c checkpoint
      # One session: its backend pid, CPU before and after, wall time around the COPY.
      coproc PSQL { psql -X -q -w -At -v ON_ERROR_STOP=1 2>&1; }
      echo "select pg_backend_pid();" >&"${PSQL[1]}"
      read -r pid <&"${PSQL[0]}"
      before=$(backend_cpu "$pid")
      start=$(date +%s.%N)
      echo "copy f_$g from '$file' $opt; select 1;" >&"${PSQL[1]}"
      read -r _ <&"${PSQL[0]}"
      end=$(date +%s.%N)
      after=$(backend_cpu "$pid")
      exec {PSQL[1]}>&-
      wait "$PSQL_PID" 2>/dev/null || true
      secs[$fmt]+="$(echo "$end - $start" | bc) "
      cpus[$fmt]+="$(echo "$after - $before" | bc) "
    done
  done
  for fmt in text binary; do
    med=$(tr ' ' '\n' <<<"${secs[$fmt]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    cpu=$(tr ' ' '\n' <<<"${cpus[$fmt]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-10s %5s %-7s %10.2f %10.2f %14.2f\n' "$g" "$ncols" "$fmt" "$med" "$cpu" "$(echo "$cpu * 1000000 / $rows" | bc -l)"
  done
  unset secs cpus
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(q -c 'show server_version')"
