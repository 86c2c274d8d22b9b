#!/usr/bin/env bash
# The test command: every test target, with a one-line count at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Serial: several tests wait on real processes and sockets with deadlines, and would starve
# while long CPU-bound tests (the model checker's, the random schedules) hold every thread of
# the concurrency pool. One test at a time keeps every deadline honest on a 2-core machine.
swift test --no-parallel "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo
echo "== summary"
grep -E "^(✔|✘|􁁛|􀢄).*Test run with|Executed [0-9]+ tests" "$log" | sed 's/\x1b\[[0-9;]*m//g' | tail -n 2
exit "$status"
