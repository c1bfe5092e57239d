#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the .deb as a user would, checks what it promises, purges it and checks
# that nothing is left: /usr/bin/replicate and its version, the man page, bash
# completion, the systemd units, the schema and examples, the replicate user.
#
#   bash scripts/test-package.sh [DEB]   # as root; default: build-deb/replicate_*.deb
#
# Runs every check, exits non-zero when one failed. Refuses to run when replicate is
# already installed, or a replicate user or /etc/replicate exists (it would remove them).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $EUID -eq 0 ]] || { echo "test-package: run as root (it installs and purges a package)" >&2; exit 1; }

deb=${1:-$(ls build-deb/replicate_*.deb 2>/dev/null | head -1)}
[[ -n $deb && -f $deb ]] || { echo "test-package: no .deb; run scripts/package.sh first" >&2; exit 1; }
deb=$(realpath "$deb")
if dpkg-query -W -f='${Status}' replicate 2>/dev/null | grep -q 'ok installed'; then
  echo "test-package: replicate is installed already; not touching it" >&2
  exit 1
fi

if getent passwd replicate >/dev/null || getent group replicate >/dev/null || [[ -e /etc/replicate ]]; then
  echo "test-package: a replicate user, group or /etc/replicate exists already; purging would remove it" >&2
  exit 1
fi

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}

readonly FILES=(
  /usr/bin/replicate
  /usr/share/man/man1/replicate.1.gz
  /usr/share/bash-completion/completions/replicate
  /lib/systemd/system/replicate@.service
  /lib/systemd/system/replicate@.timer
  /usr/share/replicate/schemas/mapping.schema.json
  /usr/share/replicate/schemas/report.schema.json
  /usr/share/replicate/schemas/plan.schema.json
  /usr/share/replicate/schemas/status.schema.json
  /usr/share/doc/replicate/monitoring/grafana-dashboard.json
  /usr/share/doc/replicate/monitoring/prometheus-alerts.yml
  /usr/share/doc/replicate/examples/quickstart.yaml
  /usr/share/doc/replicate/copyright
  /usr/share/doc/replicate/changelog.Debian.gz
)

echo "test-package: installing $deb"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "$deb" </dev/null

version=$(dpkg-deb -f "$deb" Version)
check "replicate --version prints ${version%-*}" bash -c "[[ \$(/usr/bin/replicate --version) == 'replicate ${version%-*}' ]]"
check "replicate -V" /usr/bin/replicate -V
check "man -w replicate" bash -c "[[ \$(man -w replicate) == /usr/share/man/man1/replicate.1.gz ]]"
check "man replicate renders" bash -c "MANWIDTH=80 man replicate | grep -q 'EXIT STATUS'"
for f in "${FILES[@]}"; do check "$f exists" test -e "$f"; done
check "completion offers subcommands" bash -c \
  "source /usr/share/bash-completion/completions/replicate && COMP_WORDS=(replicate pl) COMP_CWORD=1 && _replicate && [[ \${COMPREPLY[*]} == plan ]]"
check "completion offers the mapping's tables after --tables" bash -c \
  "source /usr/share/bash-completion/completions/replicate && COMP_WORDS=(replicate run /usr/share/doc/replicate/examples/quickstart.yaml --tables '') COMP_CWORD=4 && _replicate && [[ \${COMPREPLY[*]} == bi_credores ]]"
check "user replicate exists" getent passwd replicate
check "group replicate exists" getent group replicate
check "user replicate has no login shell" bash -c "[[ \$(getent passwd replicate | cut -d: -f7) == /usr/sbin/nologin ]]"
check "/etc/replicate exists" test -d /etc/replicate
for example in /usr/share/doc/replicate/examples/*.yaml; do
  check "$example names the installed schema" bash -c \
    "head -1 '$example' | grep -qx '# yaml-language-server: \\\$schema=/usr/share/replicate/schemas/mapping.schema.json'"
done
if command -v systemd-analyze >/dev/null; then
  check "units pass systemd-analyze verify" bash -c \
    "[[ -z \$(systemd-analyze verify --man=no /lib/systemd/system/replicate@.service /lib/systemd/system/replicate@.timer 2>&1) ]]"
fi

# The demo, run by the installed binary on the installed example: a sample, a private
# PostgreSQL, bi_credores replicated into it.
echo "test-package: the demo with /usr/bin/replicate"
if REPLICATE=/usr/bin/replicate MAPPING=/usr/share/doc/replicate/examples/quickstart.yaml ROWS=${DEMO_ROWS:-20000} \
  bash scripts/demo.sh >"${TMPDIR:-/tmp}/replicate-package-demo.log" 2>&1; then
  echo "ok   the demo runs with /usr/bin/replicate"
else
  echo "FAIL the demo runs with /usr/bin/replicate (log below)"
  tail -40 "${TMPDIR:-/tmp}/replicate-package-demo.log"
  failures=$((failures + 1))
fi

echo "test-package: purging"
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -q replicate </dev/null
for f in "${FILES[@]}" /usr/share/doc/replicate /usr/share/replicate /etc/replicate; do
  check "$f is gone" test ! -e "$f"
done
check "user replicate is gone" bash -c "! getent passwd replicate"
check "group replicate is gone" bash -c "! getent group replicate"
check "dpkg knows no replicate" bash -c "! dpkg-query -W replicate"

if ((failures > 0)); then
  echo "test-package: $failures check(s) failed" >&2
  exit 1
fi
echo "test-package: all checks passed"
