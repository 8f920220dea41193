#!/usr/bin/env bash
# The long fuzz run (docs/fuzzing.md): every fuzz target for SECONDS (default 3600) from the
# corpus grown by earlier runs, two at a time, niced; prints executions, coverage and crashes
# per target. Record the figures in docs/fuzzing.md.
#   tests/bench/fuzz_bench.sh [SECONDS] [TARGET...]
cd "$(dirname "$0")/../.."
SECS=${1:-3600}; [ $# -gt 0 ] && shift
FUZZ_JOBS=${FUZZ_JOBS:-2} exec nice scripts/fuzz "$SECS" "$@"
