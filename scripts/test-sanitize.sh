#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite again, built with AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer, in a second build directory (build-asan). Every
# replicate process the tests start (workers included) writes its sanitizer report
# to a file under build-asan/sanitizer-logs, so a finding in a worker the
# coordinator survives still fails this script.
#
#   bash scripts/test-sanitize.sh   # as root
#
# Extra arguments go to ctest (e.g. -R Config). SANITIZE_BUILD_DIR overrides the
# build directory.
#
# -fno-sanitize=vptr: Debian's SOCI is built without the typeinfo UBSan's vptr
# check needs, so every call into it would be reported.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

started=$(date +%s)
SKIP_BUILD=1 bash scripts/setup.sh

build_dir=${SANITIZE_BUILD_DIR:-build-asan}
flags="-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
echo "sanitize: building in $build_dir ($flags)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build_dir" -j"$(nproc 2>/dev/null || echo 2)" --target replicate replicate_tests

logs="$root/$build_dir/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
chmod 1777 "$logs"  # processes run as other users (none today) may still report
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:log_path=$logs/asan"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"

echo "sanitize: running the suite in $build_dir"
set +e
(cd "$build_dir" && ctest --output-on-failure -j2 --timeout 900 "$@")
rc=$?
set -e

reports=$(find "$logs" -type f | sort)
if [[ -n "$reports" ]]; then
  echo "sanitize: SANITIZER REPORTS (one file per process):"
  for f in $reports; do
    echo "---- $f"
    head -n 60 "$f"
  done
  ((rc == 0)) && rc=1
fi

elapsed=$(($(date +%s) - started))
if ((rc == 0)); then
  echo "sanitize: ALL TESTS PASSED, no sanitizer report (${elapsed}s)"
else
  echo "sanitize: FAILED (ctest exit code or reports above; ${elapsed}s)"
fi
exit "$rc"
