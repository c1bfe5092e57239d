#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The systemd units under a real systemd: boots a Debian 12 container with
# systemd-nspawn, installs the .deb in it as a user would, and checks that the
# sandboxed replicate@.service copies a table, reads its secrets from NAME.env,
# reaches PostgreSQL over a socket and over TCP and loads an ODBC driver; that a failed
# run is a failed unit (exit code kept) which starts an OnFailure= unit; that
# `systemctl stop` interrupts a run (exit 4) and the next start resumes it; that
# the timer is scheduled and a drop-in moves it; and that a --report drop-in
# with StateDirectory= writes its report.
#
#   bash scripts/test-systemd.sh [DEB]   # as root; default: build-deb/replicate_*.deb
#
# The first run makes the container's root with debootstrap from Debian's mirror
# (a few minutes; kept in /var/lib/machines/replicate-systemd-test for the next run;
# FRESH=1 makes it again). Not part of .ci/run: it needs systemd-nspawn to boot a
# container, which a CI sandbox may not allow.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $EUID -eq 0 ]] || { echo "test-systemd: run as root" >&2; exit 1; }
deb=${1:-$(ls build-deb/replicate_*.deb 2>/dev/null | head -1)}
[[ -n $deb && -f $deb ]] || { echo "test-systemd: no .deb; run scripts/package.sh first" >&2; exit 1; }

readonly ROOT=/var/lib/machines/replicate-systemd-test
readonly ROWS=${ROWS:-2000000}

for pkg in debootstrap systemd-container; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "$pkg" </dev/null
done
if [[ ${FRESH:-0} == 1 ]]; then rm -rf "$ROOT"; fi
if [[ ! -x $ROOT/lib/systemd/systemd ]]; then
  echo "test-systemd: making a Debian 12 root in $ROOT (debootstrap)"
  rm -rf "$ROOT"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,postgresql,odbc-postgresql,unixodbc \
    bookworm "$ROOT" http://deb.debian.org/debian >/dev/null
fi
cp "$deb" "$ROOT/root/replicate.deb"

log=$(mktemp)
systemd-nspawn -D "$ROOT" --register=no --keep-unit -b >"$log" 2>&1 &
nspawn=$!
# shellcheck disable=SC2317  # called by the trap
stop_container() {
  kill "$nspawn" 2>/dev/null || true
  wait "$nspawn" 2>/dev/null || true
  rm -f "$log"
}
trap stop_container EXIT
init=
for _ in $(seq 1 60); do
  # The container's init: a process named systemd below systemd-nspawn.
  for pid in $(pgrep -P "$nspawn" 2>/dev/null || true); do
    if [[ $(ps -o comm= -p "$pid") == systemd ]]; then init=$pid; else init=$(pgrep -P "$pid" -x systemd | head -1 || true); fi
    [[ -n $init ]] && break
  done
  [[ -n $init ]] && break
  sleep 1
done
[[ -n $init ]] || { echo "test-systemd: the container did not boot:" >&2; tail -20 "$log" >&2; exit 1; }
inside() { nsenter -t "$init" -a /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
inside systemctl is-system-running --wait >/dev/null || true
echo "test-systemd: booted $(inside systemctl --version | head -1)"

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
prop() { inside systemctl show -P "$2" "$1"; }

# What an earlier run of this script left (the container's root is kept) goes first.
inside bash -c 'export DEBIAN_FRONTEND=noninteractive
  systemctl disable --now replicate@demo.timer >/dev/null 2>&1 || true
  rm -rf /etc/systemd/system/replicate@* /etc/systemd/system/replicate-failed@* /var/lib/replicate
  systemctl daemon-reload
  dpkg -s replicate >/dev/null 2>&1 && apt-get purge -y -q replicate >/dev/null
  apt-get update -q >/dev/null && apt-get install -y -q /root/replicate.deb >/dev/null'
check "the .deb installs" inside /usr/bin/replicate --version

# A source a user would have (a SQLite file in /srv), a target role that reaches
# PostgreSQL through its socket (peer) and over TCP with a password from NAME.env.
inside bash -c "
set -e
rm -f /srv/sample.sqlite && replicate sample --rows $ROWS --output /srv/sample.sqlite >/dev/null
chmod 0644 /srv/sample.sqlite
cd /
su postgres -c \"psql -qc 'drop database if exists bi' -c 'drop role if exists replicate'\"
su postgres -c \"psql -qc 'create role replicate login' -c 'create database bi owner replicate'\"
sed -e 's#host=\${env:PGHOST} port=\${env:PGPORT} dbname=\${env:PGDATABASE} user=\${env:PGUSER}#host=/var/run/postgresql dbname=bi user=replicate#' \
  /usr/share/doc/replicate/examples/quickstart.yaml >/etc/replicate/demo.yaml
chown root:replicate /etc/replicate/demo.yaml && chmod 0640 /etc/replicate/demo.yaml
install -m 0600 /dev/null /etc/replicate/demo.env
echo REPLICATE_SAMPLE=/srv/sample.sqlite >/etc/replicate/demo.env
"

# 1. A night that works.
inside systemctl start replicate@demo.service || true
check "replicate@demo.service succeeds in its sandbox" [ "$(prop replicate@demo.service Result)" = success ]
check "it ran as user replicate" bash -c "[[ \$(nsenter -t $init -a journalctl -u replicate@demo.service _COMM=replicate -o verbose --no-pager | grep -m1 ' _UID=') == *_UID=\$(nsenter -t $init -a id -u replicate) ]]"
check "all $ROWS rows are in the target" [ "$(inside su postgres -c "psql -d bi -Atc 'select count(*) from public.bi_credores'")" = "$ROWS" ]
check "verify said equal in the journal" bash -c "nsenter -t $init -a journalctl -u replicate@demo.service --no-pager | grep -q 'verify: 1 of 1 tables equal'"

# 2. An interrupted night resumes: stop during the copy, then start again.
inside systemctl start --no-block replicate@demo.service
for _ in $(seq 1 100); do
  inside su postgres -c "psql -d bi -Atc \"select count(*) from replicate.chunks c join replicate.runs r using (run_id) where r.status = 'running' and c.status = 'done'\"" 2>/dev/null |
    grep -qv '^0$' && break
  sleep 0.2
done
inside systemctl stop replicate@demo.service || true
check "systemctl stop interrupts the run with exit 4" [ "$(prop replicate@demo.service ExecMainStatus)" = 4 ]
check "the interrupted run is recorded as interrupted" bash -c "[[ \$(nsenter -t $init -a su postgres -c \"psql -d bi -Atc 'select status from replicate.runs order by run_id desc limit 1'\") == interrupted ]]"
inside systemctl start replicate@demo.service || true
check "the next start resumes and succeeds" [ "$(prop replicate@demo.service Result)" = success ]
check "it resumed the interrupted run" bash -c "nsenter -t $init -a journalctl -u replicate@demo.service --no-pager -n 40 | grep -qi 'resum'"
check "still exactly $ROWS rows" [ "$(inside su postgres -c "psql -d bi -Atc 'select count(*) from public.bi_credores'")" = "$ROWS" ]

# 3. A failed night is a failed unit with replicate's exit code, and OnFailure= fires.
inside bash -c '
mkdir -p /etc/systemd/system/replicate@.service.d
printf "[Unit]\nOnFailure=replicate-failed@%%i.service\n" >/etc/systemd/system/replicate@.service.d/onfailure.conf
printf "[Service]\nType=oneshot\nExecStart=/bin/sh -c \"echo %%i >>/run/replicate-failed\"\n" >/etc/systemd/system/replicate-failed@.service
cp /etc/replicate/demo.yaml /etc/replicate/broken.yaml
sed -i "s#host=/var/run/postgresql dbname=bi user=replicate#host=/var/run/postgresql dbname=no_such_db user=replicate#" /etc/replicate/broken.yaml
cp -p /etc/replicate/demo.env /etc/replicate/broken.env
chown root:replicate /etc/replicate/broken.yaml && chmod 0640 /etc/replicate/broken.yaml
rm -f /run/replicate-failed
systemctl daemon-reload'
inside systemctl start replicate@broken.service || true
check "a run that cannot connect is a failed unit" [ "$(prop replicate@broken.service Result)" = exit-code ]
check "with replicate's exit code 3" [ "$(prop replicate@broken.service ExecMainStatus)" = 3 ]
sleep 1
check "OnFailure= started its unit" bash -c "[[ \$(cat $ROOT/run/replicate-failed 2>/dev/null || nsenter -t $init -a cat /run/replicate-failed) == broken ]]"

# 4. TCP with a password from NAME.env, through psqlODBC: the ODBC driver loads in the
# sandbox (MemoryDenyWriteExecute, SystemCallFilter) and the secret is not in the journal.
secret=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
inside bash -c "
su postgres -c \"psql -qc \\\"alter role replicate password '$secret'\\\"\"
install -m 0600 /dev/null /etc/replicate/odbc.env
printf 'PGPASSWORD=%s\nSRC_PASSWORD=%s\n' '$secret' '$secret' >/etc/replicate/odbc.env
cat >/etc/replicate/odbc.yaml <<'EOF'
version: 1
source:
  driver: odbc
  connection: \"Driver=PostgreSQL Unicode;Server=127.0.0.1;Port=5432;Database=bi;Uid=replicate;Pwd=\${env:SRC_PASSWORD}\"
target:
  driver: postgresql
  connection: \"host=127.0.0.1 dbname=bi user=replicate\"
defaults:
  mode: full
tables:
  - source: public.bi_credores
    target: public.bi_credores_copy
    columns: auto
    verify: true
EOF
chown root:replicate /etc/replicate/odbc.yaml && chmod 0640 /etc/replicate/odbc.yaml"
inside systemctl start replicate@odbc.service || true
check "an ODBC source over TCP with secrets from NAME.env works in the sandbox" [ "$(prop replicate@odbc.service Result)" = success ]
check "the copy through ODBC is complete" [ "$(inside su postgres -c "psql -d bi -Atc 'select count(*) from public.bi_credores_copy'")" = "$ROWS" ]
check "the password is nowhere in the journal" bash -c "! nsenter -t $init -a journalctl --no-pager | grep -qF '$secret'"

# 5. A report needs a writable place: the documented StateDirectory= drop-in.
inside bash -c '
mkdir -p /etc/systemd/system/replicate@demo.service.d
printf "[Service]\nStateDirectory=replicate\nExecStart=\nExecStart=/usr/bin/replicate --report /var/lib/replicate/demo.json /etc/replicate/demo.yaml\n" \
  >/etc/systemd/system/replicate@demo.service.d/report.conf
systemctl daemon-reload'
inside systemctl start replicate@demo.service || true
check "with the report drop-in the run succeeds" [ "$(prop replicate@demo.service Result)" = success ]
check "and writes /var/lib/replicate/demo.json" inside test -s /var/lib/replicate/demo.json

# 6. The timer: scheduled at 02:00 by default, moved by a drop-in.
inside systemctl enable --now replicate@demo.timer >/dev/null 2>&1 || true
check "replicate@demo.timer is active" [ "$(prop replicate@demo.timer ActiveState)" = active ]
check "its next run is at 02:xx" bash -c "nsenter -t $init -a systemctl list-timers --all --no-pager 'replicate@*' | grep -q ' 02:[0-9][0-9]:'"
inside bash -c '
mkdir -p /etc/systemd/system/replicate@demo.timer.d
printf "[Timer]\nOnCalendar=\nOnCalendar=*-*-* 03:30:00\nRandomizedDelaySec=0\n" >/etc/systemd/system/replicate@demo.timer.d/time.conf
systemctl daemon-reload && systemctl restart replicate@demo.timer'
check "a drop-in moves it to 03:30" bash -c "nsenter -t $init -a systemctl list-timers --all --no-pager 'replicate@*' | grep -q ' 03:30:00'"

inside systemctl poweroff >/dev/null 2>&1 || true
wait "$nspawn" 2>/dev/null || true
if ((failures > 0)); then
  echo "test-systemd: $failures check(s) failed" >&2
  exit 1
fi
echo "test-systemd: all checks passed"
