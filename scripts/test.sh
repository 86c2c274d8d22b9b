#!/usr/bin/env bash
# The test command: every test target, with a one-line count at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
echo
echo "== summary"
grep -E "^(✔|✘|􁁛|􀢄).*Test run with|Executed [0-9]+ tests" "$log" | sed 's/\x1b\[[0-9;]*m//g' | tail -n 2
exit "$status"
