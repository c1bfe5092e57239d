#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages replicate needs (only those missing) and builds it
# into build/. Safe to run again: installed packages are skipped, the build is
# incremental.
#
#   bash scripts/setup.sh   # as root (or as a user with sudo)
#
# BUILD_DIR (default: build) and BUILD_TYPE (default: RelWithDebInfo) override
# where and how it builds; SKIP_BUILD=1 only installs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly PACKAGES=(
  build-essential cmake g++ pkg-config ccache dpkg-dev
  libyaml-cpp-dev libsoci-dev libpq-dev libcli11-dev libboost-dev libboost-filesystem-dev
  libfmt-dev nlohmann-json3-dev libgtest-dev
  unixodbc unixodbc-dev odbc-postgresql libsqliteodbc tdsodbc
  postgresql sqlite3 libsqlite3-dev libssl-dev
  freetds-bin python3-jsonschema python3-yaml
  libcpp-httplib-dev prometheus prometheus-pushgateway
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
# node and npm run the schema check (tests/schema): Debian's packages, unless a node with
# its own npm is installed already (another nodejs package, which Debian's npm conflicts with).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 ||
      { echo "setup: missing packages and not root; run: sudo bash $0" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
  echo "setup: all packages present"
fi

# ajv and yaml for tests/schema/check.mjs, kubernetes-models and typescript for the
# Kubernetes manifests' check, at the versions its package-lock.json pins; again whenever
# that lock file changed since (a copy of it is kept in node_modules).
if ! cmp -s tests/schema/package-lock.json tests/schema/node_modules/.installed-package-lock.json; then
  echo "setup: installing the test checkers' npm packages (tests/schema)"
  npm ci --prefix tests/schema --no-audit --no-fund
  cp tests/schema/package-lock.json tests/schema/node_modules/.installed-package-lock.json
fi

if [[ "${SKIP_BUILD:-0}" == 1 ]]; then
  exit 0
fi

build_dir=${BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)
echo "setup: building in $build_dir with $jobs jobs"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}"
cmake --build "$build_dir" -j"$jobs"
echo "setup: built $build_dir/replicate"
