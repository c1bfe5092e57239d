#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo: build, make a SQLite sample, start a private PostgreSQL (with a real
# password), replicate examples/quickstart.yaml into it and show the result.
#
#   bash scripts/demo.sh    # as root
#
# ROWS=N changes the sample's size (default 100000). KEEP_RUNNING=1 leaves the
# cluster up afterwards so you can look around (stop it with
# `bash scripts/pg-cluster.sh stop .run/demo-pg`). REPLICATE=/usr/bin/replicate runs an
# installed binary instead of building one (MAPPING names the mapping to run; default
# examples/quickstart.yaml). The exit code is replicate's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd -P)
rows=${ROWS:-100000}
run_dir="$root/.run"
pg_dir="$run_dir/demo-pg"
sample="$run_dir/sample.sqlite"

step() { printf '\n==> %s\n' "$*"; }

replicate=${REPLICATE:-build/replicate}
mapping=${MAPPING:-examples/quickstart.yaml}
if [[ -z ${REPLICATE:-} ]]; then
  step "Installing what is missing and building"
  bash scripts/setup.sh
else
  step "Installing what is missing; running $replicate"
  SKIP_BUILD=1 bash scripts/setup.sh
fi

step "Starting a private PostgreSQL in .run/demo-pg"
mkdir -p "$pg_dir"
if [[ ! -s "$pg_dir/password" ]]; then
  # A fresh random password, readable by us only; it reaches replicate through
  # PGPASSWORD in its environment, never on a command line or in a file it reads.
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24 >"$pg_dir/password")
fi
# shellcheck disable=SC2317  # called by the trap
stop_cluster() {
  if [[ "${KEEP_RUNNING:-0}" == 1 ]]; then
    echo "demo: the cluster keeps running (KEEP_RUNNING=1): source $pg_dir/env;" \
      "PGPASSWORD is in $pg_dir/password; stop it with: bash scripts/pg-cluster.sh stop $pg_dir"
    return
  fi
  bash "$root/scripts/pg-cluster.sh" stop "$pg_dir" || true
}
trap stop_cluster EXIT
bash scripts/pg-cluster.sh start --password-file "$pg_dir/password" "$pg_dir"

# shellcheck source=/dev/null
source "$pg_dir/env"
PGPASSWORD=$(cat "$pg_dir/password")
export PGPASSWORD

step "Creating database bi_clientes"
exists=$(psql -X -w -At -d postgres -c "select 1 from pg_database where datname = 'bi_clientes'")
if [[ "$exists" != 1 ]]; then
  psql -X -w -q -d postgres -c "create database bi_clientes"
fi

step "Making a $rows-row SQLite sample in .run/sample.sqlite"
rm -f "$sample"
"$replicate" sample --rows "$rows" --output "$sample"

export REPLICATE_SAMPLE="$sample"
export PGDATABASE=bi_clientes

step "Replicating $mapping into bi_clientes on 127.0.0.1:$PGPORT"
set +e
"$replicate" "$mapping"
rc=$?
# From here on nothing may change the exit code: it is replicate's.

step "What the target holds now"
# Every user table outside replicate's own state schema, with its row count.
mapfile -t tables < <(psql -X -w -At -c "
  select quote_ident(table_schema) || '.' || quote_ident(table_name)
  from information_schema.tables
  where table_type = 'BASE TABLE'
    and table_schema not in ('pg_catalog', 'information_schema', 'replicate')
  order by 1")
if ((${#tables[@]} == 0)); then
  echo "(no tables)"
fi
for t in "${tables[@]}"; do
  printf '%-40s %s rows, %s columns\n' "$t" "$(psql -X -w -At -c "select count(*) from $t")" \
    "$(psql -X -w -At -c "select count(*) from pg_attribute where attrelid = '$t'::regclass and attnum > 0 and not attisdropped")"
done
for t in "${tables[@]}"; do
  if [[ "$t" == *bi_credores ]]; then
    echo
    psql -X -w -P pager=off -c "select * from $t order by 1 limit 3"
    break
  fi
done

echo
if ((rc == 0)); then
  echo "demo: replicate finished successfully"
else
  echo "demo: replicate exited with code $rc"
fi
exit "$rc"
