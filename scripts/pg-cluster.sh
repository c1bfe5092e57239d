#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A private, throw-away PostgreSQL cluster for the tests and the demo.
#
#   scripts/pg-cluster.sh start [--password-file FILE] DIR
#   scripts/pg-cluster.sh stop DIR
#   scripts/pg-cluster.sh status DIR
#
# start leaves DIR/conninfo ("host=127.0.0.1 port=N user=postgres dbname=postgres")
# and DIR/env (shell exports of PGHOST, PGPORT, PGUSER, PGDATABASE). Without
# --password-file the cluster trusts every local connection; with it, initdb sets
# that password for user postgres and the server asks for it (scram-sha-256). The
# password is never written into conninfo or env.
#
# PostgreSQL refuses to run as root, so when we are root the server runs as the
# `postgres` system user. That user may not be able to reach DIR (for instance a
# clone under /root, mode 700); then data, socket and log live in a private
# directory under /tmp, recorded in DIR/runtime, and DIR/log links to the log.
# A start on a cluster that is not running always begins from a fresh initdb.
# PG_EXTRA_LISTEN (addresses) and PG_EXTRA_HBA (a network, trusted) open it to a
# test's private network namespace as well.
set -euo pipefail

readonly FIRST_PORT=54329
readonly LAST_PORT=54529

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start [--password-file FILE] DIR | stop DIR | status DIR" >&2
  exit 2
}

find_pg_bin() {
  local dir
  if [[ -n "${PG_BIN:-}" ]]; then
    echo "$PG_BIN"
    return
  fi
  # Prefer 15 (what Debian 12 ships), else the newest installed version.
  for dir in /usr/lib/postgresql/15/bin $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return
    fi
  done
  die "no PostgreSQL server binaries found under /usr/lib/postgresql/*/bin.
  Install them with: bash scripts/setup.sh as root   (or: apt-get install postgresql)"
}

# Runs a command as the user that owns the cluster: `postgres` when we are root,
# ourselves otherwise. Descriptor 9 (our lock) is closed so the server never
# inherits it.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$PG_USER" -- "$@" 9>&-
  else
    "$@" 9>&-
  fi
}

give_to_pg() {
  if [[ $EUID -eq 0 ]]; then
    chown -R "$PG_USER:" "$@"
  fi
}

log_tail() {
  local log=$1
  if [[ -r "$log" ]]; then
    echo "---- last lines of $log ----" >&2
    tail -n 40 "$log" >&2
    echo "----" >&2
  fi
}

read_state() {
  DATA=$(cat "$DIR/datadir" 2>/dev/null || true)
  RUNTIME=$(cat "$DIR/runtime" 2>/dev/null || true)
  PORT=$(cat "$DIR/port" 2>/dev/null || true)
  AUTH=$(cat "$DIR/auth" 2>/dev/null || true)
}

# True when the cluster recorded in DIR runs and answers on its port.
is_running() {
  read_state
  [[ -n "$DATA" && -n "$PORT" && -f "$DIR/conninfo" ]] || return 1
  [[ -d "$DATA" ]] || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1 || return 1
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 5 >/dev/null 2>&1
}

password_accepted() {
  [[ "$AUTH" == scram-sha-256 ]] || return 1
  PGPASSWORD=$(head -n 1 "$PASSWORD_FILE") PGCONNECT_TIMEOUT=5 \
    "$PG_BIN/psql" -X -w -q -At -h 127.0.0.1 -p "$PORT" -U postgres -d postgres \
    -c 'select 1' >/dev/null 2>&1
}

port_in_use() {
  local port=$1
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    return 0
  fi
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]; then
    return 0
  fi
  return 1
}

# Removes what a previous cluster in DIR left: its data, its /tmp runtime dir and
# its state files. The log stays for post-mortems (a link becomes a copy).
cleanup_state() {
  read_state
  if [[ -L "$DIR/log" ]]; then
    local target
    target=$(readlink "$DIR/log")
    rm -f "$DIR/log"
    if [[ -f "$target" ]]; then
      cp "$target" "$DIR/log" || true
    fi
  fi
  if [[ -n "$RUNTIME" && "$RUNTIME" == /tmp/replicate-pg.* && -d "$RUNTIME" ]]; then
    rm -rf "$RUNTIME"
  fi
  if [[ -d "$DIR/data" ]]; then
    rm -rf "$DIR/data"
  fi
  rm -f "$DIR/conninfo" "$DIR/env" "$DIR/port" "$DIR/datadir" "$DIR/runtime" "$DIR/auth"
}

stop_server() {
  read_state
  if [[ -n "$DATA" && -f "$DATA/postmaster.pid" ]]; then
    if ! as_pg "$PG_BIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null 2>&1; then
      # A server that ignores a fast stop gets an immediate one.
      as_pg "$PG_BIN/pg_ctl" stop -D "$DATA" -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
  fi
}

cmd_start() {
  if is_running; then
    # Without --password-file any running cluster will do. With it, the running
    # one must accept that password, or it is replaced.
    if [[ "$WANT_AUTH" == trust ]] || password_accepted; then
      echo "pg-cluster: already running in $DIR (port $PORT)"
      return 0
    fi
    echo "pg-cluster: the cluster running in $DIR does not ask for the password in $PASSWORD_FILE; starting a fresh one"
  fi
  stop_server
  cleanup_state
  # A start that fails half-way leaves no server and no /tmp dirs behind.
  trap 'if [[ $? -ne 0 ]]; then stop_server; cleanup_state; fi' EXIT

  # The runtime dir (socket, and data/log when DIR is out of reach) is always in
  # /tmp: short socket paths, and reachable by the postgres user.
  RUNTIME=$(mktemp -d /tmp/replicate-pg.XXXXXX)
  echo "$RUNTIME" >"$DIR/runtime"
  mkdir "$RUNTIME/sock"
  give_to_pg "$RUNTIME"
  chmod 700 "$RUNTIME"

  local log
  mkdir -m 700 "$DIR/data"
  : >"$DIR/log"
  give_to_pg "$DIR/data" "$DIR/log"
  if as_pg test -w "$DIR/data" -a -w "$DIR/log"; then
    DATA="$DIR/data"
    log="$DIR/log"
  else
    rm -rf "$DIR/data" "$DIR/log"
    DATA="$RUNTIME/data"
    log="$RUNTIME/server.log"
    : >"$log"
    give_to_pg "$log"
    ln -s "$log" "$DIR/log"
    echo "pg-cluster: user $PG_USER cannot reach $DIR; data and log live in $RUNTIME"
  fi
  echo "$DATA" >"$DIR/datadir"
  echo "$WANT_AUTH" >"$DIR/auth"

  local locale=C
  if locale -a 2>/dev/null | grep -qiE '^C\.utf-?8$'; then
    locale=C.UTF-8
  fi
  local initdb_args=(-D "$DATA" -U postgres --encoding=UTF8 --locale="$locale" --no-instructions --no-sync)
  local pwfile=""
  if [[ "$WANT_AUTH" == scram-sha-256 ]]; then
    # initdb runs as postgres and may not read the caller's file: hand it a copy.
    pwfile="$RUNTIME/pwfile"
    head -n 1 "$PASSWORD_FILE" >"$pwfile"
    chmod 600 "$pwfile"
    give_to_pg "$pwfile"
    initdb_args+=(-A scram-sha-256 --pwfile="$pwfile")
  else
    initdb_args+=(-A trust)
  fi
  if ! as_pg "$PG_BIN/initdb" "${initdb_args[@]}" >>"$log" 2>&1; then
    rm -f "$pwfile"
    log_tail "$log"
    die "initdb failed for $DATA (log: $log)"
  fi
  rm -f "$pwfile"

  {
    echo ""
    echo "# Added by scripts/pg-cluster.sh: a disposable cluster, speed over durability."
    echo "listen_addresses = '127.0.0.1${PG_EXTRA_LISTEN:+,$PG_EXTRA_LISTEN}'"
    echo "unix_socket_directories = '$RUNTIME/sock'"
    echo "max_connections = 200"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    echo "log_line_prefix = '%m [%p] %q%u@%d '"
    # Containers often have a tiny /dev/shm; parallel queries would then fail.
    local shm_kb
    shm_kb=$(df --output=avail -k /dev/shm 2>/dev/null | tail -n 1 | tr -d ' ' || echo 0)
    if [[ ! "$shm_kb" =~ ^[0-9]+$ ]] || ((shm_kb < 1048576)); then
      echo "dynamic_shared_memory_type = mmap"
    fi
  } >>"$DATA/postgresql.conf"
  # PG_EXTRA_LISTEN/PG_EXTRA_HBA: also listen on these addresses and trust clients
  # from this network (a test's private network namespace, never a real network).
  if [[ -n "${PG_EXTRA_HBA:-}" ]]; then
    echo "host all all $PG_EXTRA_HBA trust" >>"$DATA/pg_hba.conf"
  fi

  # Choose a free port and start; one start at a time on this machine (lock), and
  # another port if something else grabs ours between the check and the bind.
  local port started=0 log_size
  for ((port = FIRST_PORT; port <= LAST_PORT; port++)); do
    port_in_use "$port" && continue
    log_size=$(stat -c %s "$log")
    if as_pg "$PG_BIN/pg_ctl" start -D "$DATA" -l "$log" -w -t 60 -s -o "-p $port" >/dev/null 2>&1; then
      started=1
      break
    fi
    if tail -c +$((log_size + 1)) "$log" |
      grep -qiE 'could not (bind|create listen socket)|address already in use|lock file .* already exists'; then
      as_pg "$PG_BIN/pg_ctl" stop -D "$DATA" -m immediate >/dev/null 2>&1 || true
      continue
    fi
    log_tail "$log"
    die "the server in $DATA did not start on port $port (log: $log)"
  done
  if ((started == 0)); then
    log_tail "$log"
    die "no free TCP port on 127.0.0.1 between $FIRST_PORT and $LAST_PORT"
  fi

  PORT=$port
  echo "$PORT" >"$DIR/port"
  if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 30; then
    log_tail "$log"
    die "the server started but does not answer on 127.0.0.1:$PORT (log: $log)"
  fi
  cat >"$DIR/env" <<EOF
export PGHOST=127.0.0.1
export PGPORT=$PORT
export PGUSER=postgres
export PGDATABASE=postgres
EOF
  # Written last: its presence means "a server answers here".
  echo "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" >"$DIR/conninfo.tmp"
  mv "$DIR/conninfo.tmp" "$DIR/conninfo"
  trap - EXIT
  echo "pg-cluster: started in $DIR on 127.0.0.1:$PORT (auth: $WANT_AUTH, data: $DATA)"
}

cmd_stop() {
  read_state
  if [[ -z "$DATA" && -z "$RUNTIME" && ! -d "$DIR/data" ]]; then
    echo "pg-cluster: nothing to stop in $DIR"
    return 0
  fi
  stop_server
  cleanup_state
  echo "pg-cluster: stopped the cluster in $DIR"
}

cmd_status() {
  if is_running; then
    echo "pg-cluster: running in $DIR on 127.0.0.1:$PORT (auth: $AUTH, data: $DATA)"
    return 0
  fi
  echo "pg-cluster: not running in $DIR"
  return 3
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1
  shift
  WANT_AUTH=trust
  PASSWORD_FILE=""
  local dir=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --password-file)
        [[ $# -ge 2 ]] || usage
        PASSWORD_FILE=$2
        shift 2
        ;;
      --password-file=*)
        PASSWORD_FILE=${1#*=}
        shift
        ;;
      -*) usage ;;
      *)
        [[ -z "$dir" ]] || usage
        dir=$1
        shift
        ;;
    esac
  done
  [[ -n "$dir" ]] || usage
  if [[ -n "$PASSWORD_FILE" ]]; then
    [[ "$cmd" == start ]] || usage
    [[ -s "$PASSWORD_FILE" ]] || die "password file $PASSWORD_FILE is missing or empty"
    WANT_AUTH=scram-sha-256
  fi

  PG_BIN=$(find_pg_bin)
  PG_USER=${PG_CLUSTER_USER:-postgres}
  if [[ $EUID -eq 0 ]] && ! id -u "$PG_USER" >/dev/null 2>&1; then
    die "we run as root and PostgreSQL refuses to, but there is no '$PG_USER' user to run it as.
  Install Debian's postgresql package (it creates the user): bash scripts/setup.sh as root"
  fi

  mkdir -p "$dir"
  DIR=$(cd "$dir" && pwd -P)

  # One start/stop at a time on this machine: port choice is then race-free
  # between our own clusters.
  local lock=/tmp/replicate-pg-cluster.lock
  exec 9>>"$lock"
  chmod 666 "$lock" 2>/dev/null || true
  flock -w 300 9 || die "timed out waiting for $lock"

  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

main "$@"
