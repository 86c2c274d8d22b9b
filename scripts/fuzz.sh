#!/usr/bin/env bash
# Fuzzes the wire decoder and RaftNode.step with libFuzzer and the address sanitizer for
# SECONDS (default 60), from a seed corpus of real frames, and prints executions and crashes
# (docs/FUZZING.md). The fuzz build lives in .build-fuzz (every module instrumented).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
echo "== build the fuzz target (libFuzzer, address sanitizer, undefined-behaviour sanitizer for C) into .build-fuzz"
swift build --scratch-path .build-fuzz --product raftlab-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=undefined -Xswiftc -DFUZZING 2>&1 | tail -n 2
echo "== build raftlab"
swift build -c release --product raftlab 2>&1 | tail -n 1
echo "== fuzz for $seconds s"
.build/release/raftlab bench fuzz --binary .build-fuzz/debug/raftlab-fuzz --seconds "$seconds"
