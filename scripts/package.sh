#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the Debian package as it is released, from a clean build directory: Release,
# with Debian's hardening flags (dpkg-buildflags, hardening=+all: FORTIFY, stack
# protector, relro, BIND_NOW, PIE); then checks it and runs lintian --pedantic on it.
#
#   bash scripts/package.sh     # as root, or with the packages installed; leaves
#                               # build-deb/replicate_<version>-1_<arch>.deb
#
# BUILD_DIR (default: build-deb) is removed first. Exits non-zero when the build, the
# checks or lintian (an error or a warning) fail. Overrides of lintian tags live in
# packaging/debian/lintian-overrides, each with its reason.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly PACKAGES=(lintian dpkg-dev fakeroot)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  echo "package: installing ${missing[*]}"
  [[ $EUID -eq 0 ]] || { echo "package: missing ${missing[*]}; run as root or install them" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi

build_dir=${BUILD_DIR:-build-deb}
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
eval "$(dpkg-buildflags --export=sh)"
# Objects compiled with these flags elsewhere (a build/ configured the same way) are
# reused from ccache: the build directory's name does not go into the hash.
export CCACHE_NOHASHDIR=1

rm -rf "$build_dir"
# Release, with -O2 and -g from dpkg-buildflags (CMake's own Release flags would replace
# them with -O3); the package strips the binary.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-DNDEBUG \
  -DCMAKE_CXX_FLAGS="$CPPFLAGS $CXXFLAGS" -DCMAKE_EXE_LINKER_FLAGS="$LDFLAGS" -DBUILD_TESTING=OFF
cmake --build "$build_dir" -j"${JOBS:-2}"
(cd "$build_dir" && cpack -G DEB)

debs=("$build_dir"/replicate_*.deb)
deb=${debs[0]}
[[ -f $deb ]] || { echo "package: no .deb in $build_dir" >&2; exit 1; }

# The package carries the binary's version (one source: CMake's project VERSION).
binary_version=$("$build_dir/replicate" --version | awk '{print $2}')
deb_version=$(dpkg-deb -f "$deb" Version)
if [[ $deb_version != "$binary_version-1" ]]; then
  echo "package: the .deb is version $deb_version, replicate --version says $binary_version" >&2
  exit 1
fi
# The hardening the flags promise, read from the packaged binary.
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
binary=$unpacked/usr/bin/replicate
# Read whole first: `tool | grep -q` fails under pipefail when grep stops reading early.
dynamic=$(readelf -d "$binary")
segments=$(readelf -l "$binary")
header=$(readelf -h "$binary")
symbols=$(nm -D "$binary")
hardening_ok=1
grep -q 'BIND_NOW' <<<"$dynamic" || { echo "package: no BIND_NOW" >&2; hardening_ok=0; }
grep -q 'GNU_RELRO' <<<"$segments" || { echo "package: no RELRO" >&2; hardening_ok=0; }
grep -q 'DYN (Position-Independent' <<<"$header" || { echo "package: not PIE" >&2; hardening_ok=0; }
grep -q '__stack_chk_fail' <<<"$symbols" || { echo "package: no stack protector" >&2; hardening_ok=0; }
grep -qE '__[a-z_]+_chk@' <<<"$symbols" || { echo "package: no FORTIFY functions" >&2; hardening_ok=0; }
((hardening_ok)) || exit 1
echo "package: hardening: PIE, RELRO, BIND_NOW, stack protector, FORTIFY"
echo "package: $deb"
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends

echo "package: lintian --pedantic $deb"
set +e
lintian --pedantic --display-info --fail-on error,warning "$deb"
rc=$?
set -e
# Overridden tags are not shown above; each is here with its reason.
lintian --pedantic --show-overrides "$deb" 2>/dev/null | grep -E '^(O|N):' || true
if ((rc == 0)); then
  echo "package: lintian: no errors, no warnings"
else
  echo "package: lintian failed (exit $rc)" >&2
fi
exit $rc
