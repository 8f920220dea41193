#!/usr/bin/env bash
# Lottery benchmark: prints figures, asserts only that the ledger held (machines here are
# shared and noisy). tests/bench/lottery_bench.c draws MEMBERS entries holding TICKETS
# tickets for a 1,014-prize pool (14 + 500 + 500) and 10 % reserves — the pure draw with its
# record and verification, then freeze and draw on SQLite in one transaction — printing time
# and peak memory, then buys tickets from THREADS connections at once for BUY_SECONDS seconds
# (1,000 members with 20 points each, racing each other) and prints purchases per second,
# negative balances (must be 0) and `points check` differences (must be 0).
#
# Usage: tests/bench/bench_lottery.sh [BUILD_DIR]
#        (env: MEMBERS=100000 TICKETS=1000000 THREADS=4 BUY_SECONDS=5)
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" tests/lottery_bench
T=$(mktemp -d /tmp/lectern-lotterybench.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
echo "# lectern lottery benchmark — $(date -u +%FT%TZ), $(nproc) cores"
LECTERN_LOG_LEVEL=warning "$BUILD/tests/lottery_bench" "$T" "${MEMBERS:-100000}" "${TICKETS:-1000000}" \
  "${THREADS:-4}" "${BUY_SECONDS:-5}" 2> >(grep -v ' INFO ' >&2)
