#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite: installs what is missing, builds, and runs every test with
# ctest. The suite starts and stops its own PostgreSQL (scripts/pg-cluster.sh,
# under build/test-pg); nothing else needs to be running.
#
#   bash scripts/test.sh    # as root
#
# Extra arguments go to ctest (e.g. -R Support).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

build_dir=${BUILD_DIR:-build}
echo "test: running the suite in $build_dir"
set +e
(cd "$build_dir" && ctest --output-on-failure -j2 --timeout 900 "$@")
rc=$?
set -e
if ((rc == 0)); then
  echo "test: ALL TESTS PASSED"
else
  echo "test: TESTS FAILED (ctest exit code $rc; details above, server log in $build_dir/test-pg/log)"
fi
exit "$rc"
