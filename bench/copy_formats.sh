#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What COPY text and COPY binary cost, per column type: the measurement behind
# target::choose_copy_format (src/target/copy_binary.cpp) and its weights.
#
#   bash bench/copy_formats.sh    # as root; ROWS (default 1000000), REPEAT (default 3)
#                                 # PARTS="server replicate" (default both)
#                                 # ONLY="all date ..." (default: every group below)
#
# Two private PostgreSQL clusters: a target (bench/.run/formats-pg) and a source
# (bench/.run/formats-src), autovacuum off. The bi_credores sample (replicate sample)
# is loaded into both, and a table `extra` of the types bi_credores lacks (timestamp,
# timestamptz, boolean, double precision, uuid, bytea; 4 columns of each, generated
# with a fixed seed) is made in both.
#
# Part "server": for the whole bi_credores row and for each group of columns of one
# type, COPY ... FROM a server-side file, once in text and once in binary (files
# written by COPY ... TO), into an empty table without a key. Only the backend works:
# no client, no network. Its CPU-seconds (/proc/PID/stat of the session's backend).
#
# Part "replicate": the same groups copied by replicate (1 worker, mode full, into an
# existing table without a key) with REPLICATE_COPY_FORMAT=text and =binary, from the
# SQLite sample and from the PostgreSQL source (bi_credores groups from both, `extra`
# groups from PostgreSQL). CPU-seconds of:
#   target - the target cluster's backends (the postmaster's reaped children: the
#            sessions end before replicate exits);
#   worker - replicate itself, coordinator and worker (GNU time, children included);
#   source - the source cluster's backends (PostgreSQL source only).
# The key column id goes with every group (chunks need it): its share is in each line.
#
# Each load runs REPEAT times, text and binary interleaved, after a CHECKPOINT; the
# median is printed per million rows, with the 1-minute load average seen before the
# runs of that line (min-max): the machine is shared, and a build beside the bench
# shows there. Raw figures go to bench/.run/formats.tsv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rows=${ROWS:-1000000}
repeat=${REPEAT:-3}
parts=${PARTS:-server replicate}
only=${ONLY:-}
run=$(pwd -P)/bench/.run
pg=$run/formats-pg
srcpg=$run/formats-src
tsv=$run/formats.tsv
mkdir -p "$run/bin-formats"
[[ -x build/replicate ]] || bash scripts/setup.sh >/dev/null
[[ -x /usr/bin/time ]] || apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends time >/dev/null
# Others rebuild build/ while we run: time one fixed copy of the binary.
cp build/replicate "$run/bin-formats/replicate"
replicate=$run/bin-formats/replicate
stop_clusters() {
  bash scripts/pg-cluster.sh stop "$pg" >/dev/null 2>&1 || true
  bash scripts/pg-cluster.sh stop "$srcpg" >/dev/null 2>&1 || true
}
trap stop_clusters EXIT
bash scripts/pg-cluster.sh start "$srcpg" >/dev/null
SRCPORT=$(sed -n 's/^export PGPORT=//p' "$srcpg/env")
bash scripts/pg-cluster.sh start "$pg" >/dev/null
# shellcheck source=/dev/null
source "$pg/env"
export PGOPTIONS="-c client_min_messages=warning"
q() { psql -X -q -w -At -v ON_ERROR_STOP=1 "$@"; }
qs() { q -p "$SRCPORT" "$@"; }
for port in "$PGPORT" "$SRCPORT"; do
  q -p "$port" -c "alter system set autovacuum = off" -c "select pg_reload_conf()" >/dev/null
done
postmaster_of() { head -n 1 "$(q -p "$1" -c 'show data_directory')/postmaster.pid"; }
target_pm=$(postmaster_of "$PGPORT")
source_pm=$(postmaster_of "$SRCPORT")
children_cpu() { awk '{print ($16 + $17) / 100}' "/proc/$1/stat"; }  # reaped children, user+sys
backend_cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }   # the process itself
load1() { cut -d' ' -f1 /proc/loadavg; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { tr ' ' '\n' | grep . | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {print (lo==hi ? lo : lo "-" hi)}'; }
per_m() { echo "$1 * 1000000 / $rows" | bc -l; }

echo "copy_formats: $rows rows, $repeat runs each; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "PostgreSQL $(q -c 'show server_version'), replicate $(git rev-parse --short HEAD)" \
  "$(git status --porcelain --untracked-files=no -- src | grep -q . && echo '+ uncommitted changes')"

# --- the data ---------------------------------------------------------------------
src=$run/formats_$rows.sqlite
[[ -s $src ]] || "$replicate" -q sample --rows "$rows" --output "$src"
for port in "$PGPORT" "$SRCPORT"; do
  cat >"$run/formats-load.yaml" <<EOF
version: 1
source: {driver: sqlite, connection: "$src"}
target: {driver: postgresql, connection: "host=$PGHOST port=$port user=$PGUSER dbname=postgres"}
defaults: {mode: full, workers: 2}
tables:
  - {source: bi_credores, target: public.bi_credores, columns: auto}
EOF
  "$replicate" -q "$run/formats-load.yaml"
  # The types bi_credores lacks, the same rows on both clusters (a fixed seed).
  q -p "$port" -c "drop table if exists extra" -c "select setseed(0.12)" -c "create table extra as
    select i as id,
      timestamp '1995-01-01' + random() * interval '30 years' as ts1, timestamp '1995-01-01' + random() * interval '30 years' as ts2,
      timestamp '1995-01-01' + random() * interval '30 years' as ts3, timestamp '1995-01-01' + random() * interval '30 years' as ts4,
      timestamptz '1995-01-01 UTC' + random() * interval '30 years' as tz1, timestamptz '1995-01-01 UTC' + random() * interval '30 years' as tz2,
      timestamptz '1995-01-01 UTC' + random() * interval '30 years' as tz3, timestamptz '1995-01-01 UTC' + random() * interval '30 years' as tz4,
      random() < 0.5 as b1, random() < 0.5 as b2, random() < 0.5 as b3, random() < 0.5 as b4,
      random() * 1e6 as f1, random() * 1e6 as f2, random() * 1e6 as f3, random() * 1e6 as f4,
      md5(i || 'a')::uuid as u1, md5(i || 'b')::uuid as u2, md5(i || 'c')::uuid as u3, md5(i || 'd')::uuid as u4,
      decode(md5(i || 'e'), 'hex') as by1, decode(md5(i || 'f'), 'hex') as by2,
      decode(md5(i || 'g'), 'hex') as by3, decode(md5(i || 'h'), 'hex') as by4
    from generate_series(1, $rows) i" -c "alter table extra add primary key (id)" -c "analyze extra"
done

# Groups: name, table, condition on format_type of its columns.
groups=(
  "all bi_credores true"
  "integer bi_credores format_type(atttypid,atttypmod)~'^(integer|bigint|smallint)$'"
  "numeric bi_credores format_type(atttypid,atttypmod)~'^numeric'"
  "date bi_credores format_type(atttypid,atttypmod)='date'"
  "text bi_credores format_type(atttypid,atttypmod)~'^(character varying|text)'"
  "timestamp extra format_type(atttypid,atttypmod)='timestamp without time zone'"
  "timestamptz extra format_type(atttypid,atttypmod)='timestamp with time zone'"
  "boolean extra format_type(atttypid,atttypmod)='boolean'"
  "float8 extra format_type(atttypid,atttypmod)='double precision'"
  "uuid extra format_type(atttypid,atttypmod)='uuid'"
  "bytea extra format_type(atttypid,atttypmod)='bytea'"
)
columns_of() {  # columns_of TABLE CONDITION [with_id]: quoted names, ", "-separated
  q -c "select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
        where attrelid = 'public.$1'::regclass and attnum > 0 and not attisdropped
          and (($2) ${3:+or attname = 'id'})"
}
printf 'part\tgroup\tcolumns\tsource\tformat\trep\tseconds\ttarget_cpu\tworker_cpu\tsource_cpu\tload1\n' >"$tsv"

# --- part 1: the backend alone, server-side files --------------------------------
if [[ " $parts " == *" server "* ]]; then
  files=$pg/files
  mkdir -p "$files"
  chown postgres "$files" 2>/dev/null || true
  echo
  echo "Part 1: COPY FROM a server-side file, backend CPU-seconds per million rows (median of $repeat)"
  printf '%-11s %4s  %-28s %-28s %7s  %s\n' group cols "text: s wall / backend cpu" "binary: s wall / backend cpu" "saved" "load 1m"
  for g in "${groups[@]}"; do
    read -r name table cond <<<"$g"
    [[ -z $only || " $only " == *" $name "* ]] || continue
    cols=$(columns_of "$table" "$cond")
    [[ -n $cols ]] || continue
    ncols=$(awk -F', ' '{print NF}' <<<"$cols")
    q -c "drop table if exists f_$name; create table f_$name as select $cols from public.$table limit 0"
    q -c "copy (select $cols from public.$table) to '$files/$name.txt'"
    q -c "copy (select $cols from public.$table) to '$files/$name.bin' with (format binary)"
    declare -A secs=() cpus=()
    loads=""
    for rep in $(seq 1 "$repeat"); do
      for fmt in text binary; do
        file=$files/$name.txt
        opt=""
        [[ $fmt == binary ]] && { file=$files/$name.bin; opt="with (format binary)"; }
        q -c "truncate f_$name" -c checkpoint
        load=$(load1)
        loads+="$load "
        # One session: its backend pid, CPU before and after, wall time around the COPY.
        coproc PSQL { psql -X -q -w -At -v ON_ERROR_STOP=1 2>&1; }
        echo "select pg_backend_pid();" >&"${PSQL[1]}"
        read -r pid <&"${PSQL[0]}"
        before=$(backend_cpu "$pid")
        start=$(date +%s.%N)
        echo "copy f_$name from '$file' $opt; select 1;" >&"${PSQL[1]}"
        read -r _ <&"${PSQL[0]}"
        end=$(date +%s.%N)
        after=$(backend_cpu "$pid")
        exec {PSQL[1]}>&-
        wait "$PSQL_PID" 2>/dev/null || true
        s=$(echo "$end - $start" | bc)
        c=$(echo "$after - $before" | bc)
        secs[$fmt]+="$s "
        cpus[$fmt]+="$c "
        printf 'server\t%s\t%s\t-\t%s\t%s\t%s\t%s\t-\t-\t%s\n' "$name" "$ncols" "$fmt" "$rep" "$s" "$c" "$load" >>"$tsv"
      done
    done
    ts=$(median <<<"${secs[text]}"); tc=$(median <<<"${cpus[text]}")
    bs=$(median <<<"${secs[binary]}"); bc_=$(median <<<"${cpus[binary]}")
    printf '%-11s %4s  %8.2f s / %6.2f cpu-s     %8.2f s / %6.2f cpu-s     %6.0f%%  %s\n' "$name" "$ncols" \
      "$(per_m "$ts")" "$(per_m "$tc")" "$(per_m "$bs")" "$(per_m "$bc_")" \
      "$(echo "if ($tc > 0) ($tc - $bc_) * 100 / $tc else 0" | bc -l)" "$(range <<<"$loads")"
    unset secs cpus
  done
fi

# --- part 2: replicate, text against binary ---------------------------------------
if [[ " $parts " == *" replicate "* ]]; then
  echo
  echo "Part 2: replicate (1 worker), CPU-seconds per million rows (median of $repeat): target backends,"
  echo "replicate (coordinator + worker), source backends, their sum; text -> binary. \"saved\": what binary"
  echo "saves of target + replicate, in CPU-ns per value (per row and column, id included)."
  printf '%-11s %4s %-10s  %-17s %-17s %-17s %-17s %8s  %-13s %s\n' group cols source "target" "replicate" "source" \
    "sum" "saved" "wall s" "load 1m"
  for g in "${groups[@]}"; do
    read -r name table cond <<<"$g"
    [[ -z $only || " $only " == *" $name "* ]] || continue
    cols=$(columns_of "$table" "$cond" with_id)
    [[ -n $cols ]] || continue
    ncols=$(awk -F', ' '{print NF}' <<<"$cols")
    q -c "drop table if exists r_$name; create table r_$name as select $cols from public.$table limit 0"
    list=""
    for c in ${cols//,/ }; do list+="{source: $c, target: $c}, "; done
    sources=(postgresql)
    [[ $table == bi_credores ]] && sources=(sqlite postgresql)
    for from in "${sources[@]}"; do
      qualified=public.$table
      if [[ $from == sqlite ]]; then
        qualified=$table
        source_yaml="{driver: sqlite, connection: \"$src\"}"
      else
        source_yaml="{driver: postgresql, connection: \"host=$PGHOST port=$SRCPORT user=$PGUSER dbname=postgres\"}"
      fi
      map=$run/formats-$name-$from.yaml
      cat >"$map" <<EOF
version: 1
source: $source_yaml
target: {driver: postgresql, connection: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"}
defaults: {mode: full, workers: 1, create: never}
tables:
  - {source: $qualified, target: public.r_$name, key: [id], columns: [${list%, }]}
EOF
      declare -A secs=() tcpu=() wcpu=() scpu=()
      loads=""
      for rep in $(seq 1 "$repeat"); do
        for fmt in text binary; do
          q -c "truncate r_$name" -c checkpoint
          qs -c checkpoint
          load=$(load1)
          loads+="$load "
          t0=$(children_cpu "$target_pm")
          s0=$(children_cpu "$source_pm")
          start=$(date +%s.%N)
          REPLICATE_COPY_FORMAT=$fmt /usr/bin/time -f '%U %S' -o "$run/formats-time.txt" "$replicate" -q "$map"
          end=$(date +%s.%N)
          sleep 0.3  # the postmasters reap the sessions
          t1=$(children_cpu "$target_pm")
          s1=$(children_cpu "$source_pm")
          n=$(q -c "select count(*) from r_$name")
          [[ $n == "$rows" ]] || { echo "copy_formats: r_$name has $n rows, not $rows" >&2; exit 1; }
          s=$(echo "$end - $start" | bc)
          tc=$(echo "$t1 - $t0" | bc)
          wc=$(awk '{print $1 + $2}' "$run/formats-time.txt")
          sc=$(echo "$s1 - $s0" | bc)
          [[ $from == sqlite ]] && sc=0
          secs[$fmt]+="$s "; tcpu[$fmt]+="$tc "; wcpu[$fmt]+="$wc "; scpu[$fmt]+="$sc "
          printf 'replicate\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$ncols" "$from" "$fmt" "$rep" "$s" \
            "$tc" "$wc" "$sc" "$load" >>"$tsv"
        done
      done
      cell() {  # cell ARRAY: "text -> binary" medians per million rows
        local -n a=$1
        printf '%5.2f -> %5.2f' "$(per_m "$(median <<<"${a[text]}")")" "$(per_m "$(median <<<"${a[binary]}")")"
      }
      declare -A sums=()
      for fmt in text binary; do
        sums[$fmt]=$(echo "$(median <<<"${tcpu[$fmt]}") + $(median <<<"${wcpu[$fmt]}") + $(median <<<"${scpu[$fmt]}")" | bc -l)
      done
      saved=$(echo "($(median <<<"${tcpu[text]}") + $(median <<<"${wcpu[text]}") - $(median <<<"${tcpu[binary]}") \
        - $(median <<<"${wcpu[binary]}")) * 1000000000 / ($rows * $ncols)" | bc -l)
      printf '%-11s %4s %-10s  %-17s %-17s %-17s %-17s %8.1f  %-13s %s\n' "$name" "$ncols" "$from" "$(cell tcpu)" \
        "$(cell wcpu)" "$(cell scpu)" "$(cell sums)" "$saved" \
        "$(printf '%.2f -> %.2f' "$(median <<<"${secs[text]}")" "$(median <<<"${secs[binary]}")")" "$(range <<<"$loads")"
      unset secs tcpu wcpu scpu sums
    done
  done
fi
echo
echo "machine: $(nproc) cores, load at the end $(cut -d' ' -f1-3 /proc/loadavg); raw figures: $tsv"
