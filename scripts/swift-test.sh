#!/usr/bin/env bash
# Runs `swift test` with at most SCHEDULER_TEST_WIDTH test cases at once (default: four per
# core), keeps the whole output in .build/test-output.log, and when a test fails prints the
# failing tests and expectations again (the last 100 such lines) at the very end, where a CI
# log's tail shows them.
#
# Why a width: Swift Testing otherwise starts every test case at once. On two cores ~500 of
# them, with the servers and processes they start, queue for the CPU, and a test's own
# wall-clock bounds (a lease, an SMTP timeout, "within 10 s") then measure that queue instead
# of the code. Swift 6.3 reads the width from SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH.
set -uo pipefail
cd "$(dirname "$0")/.."
width=${SCHEDULER_TEST_WIDTH:-$((4 * $(nproc)))}
# Swift Testing ignores a width that is not a positive number and runs everything at once.
if ! [[ $width =~ ^[1-9][0-9]*$ ]]; then
  echo "SCHEDULER_TEST_WIDTH must be a positive number of test cases, not '$width'" >&2
  exit 2
fi
log=.build/test-output.log
mkdir -p .build
SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$width "${SWIFT:-swift}" test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo
  echo "swift test failed (exit $status); its failures, from $log:"
  grep -a -E $'^(\e\\[[0-9;]*m)?✘|Fatal error:|Program crashed|exited with unexpected signal' "$log" | grep -a -v '│' | tail -n 100
fi
exit "$status"
