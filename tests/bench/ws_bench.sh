#!/usr/bin/env bash
# Watch-time benchmark: prints figures, asserts nothing (machines here are shared and noisy).
#
# A real `lectern serve` with a published 300 s lesson and an open campaign; WATCHERS real-name
# verified members (made with `lectern member add --count`) connect to /ws from 127.0.0.1-8,
# say hello with their token, start watching and send a heartbeat every 10 s. Every
# heartbeat is accounted, group-committed to SQLite (progress, statistics, ledger) and only
# then acknowledged. tests/bench/ws_bench.c prints connections held, heartbeats per second,
# p50/p99 time to acknowledgement, the server's RSS per connection and its CPU.
#
# Usage: tests/bench/ws_bench.sh [BUILD_DIR]   (env: WATCHERS=20000, DURATION=60, GUESTS=0)
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" src/lectern tests/ws_bench
bench_need_tools ffmpeg curl jq python3
LECTERN=$(realpath "$BUILD/src/lectern")
BENCH=$(realpath "$BUILD/tests/ws_bench")
WATCHERS=${WATCHERS:-20000}
DURATION=${DURATION:-60}
T=$(mktemp -d /tmp/lectern-wsbench.XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
# Each side needs a descriptor per connection (root may raise the hard limit).
ulimit -n $((WATCHERS + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "# lectern /ws benchmark — $(date -u +%FT%TZ), $(nproc) cores, $WATCHERS watchers, $DURATION s measured"
D=$T/data
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x180:rate=15:duration=300" -f lavfi -i "sine=duration=300" \
  -c:v libx264 -preset ultrafast -c:a aac -shortest "$T/lesson.mp4"
V=$("$LECTERN" import "$T/lesson.mp4" --data-dir "$D" --title "bench lesson" --wait 2>/dev/null | jq -r .id)
[ -n "$V" ] && [ "$V" != null ] || bench_fail "the lesson could not be imported"
EDITOR=$("$LECTERN" member add --data-dir "$D" --name editor --role editor 2>/dev/null | jq -r .token)
if [ "${GUESTS:-0}" = 1 ]; then
  TOKENS=()
else
  "$LECTERN" member add --data-dir "$D" --name watcher --role viewer --real-name-verified --count "$WATCHERS" \
    2>/dev/null | jq -r '.[].token' >"$T/tokens"
  TOKENS=(--tokens "$T/tokens")
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf '[http]\nmax_connections = %d\n[rtmp]\nmax_connections = 8\n[log]\nlevel = warn\n' $((WATCHERS + 1000)) >"$T/lectern.conf"
"$LECTERN" serve -c "$T/lectern.conf" --data-dir "$D" --http-port "$PORT" --rtmp-port "$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')" >"$T/serve.out" 2>"$T/serve.err" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || bench_fail "the server did not start: $(tail -3 "$T/serve.err")"
auth=(-H "Authorization: Bearer $EDITOR" -H "content-type: application/json")
curl -s -o /dev/null "${auth[@]}" -X PATCH -d '{"visibility":"published"}' "http://127.0.0.1:$PORT/api/v1/videos/$V"
curl -s -o /dev/null "${auth[@]}" -d "{\"name\":\"bench\",\"starts_on\":\"$(TZ=Asia/Shanghai date -d yesterday +%F)\",\"ends_on\":\"$(TZ=Asia/Shanghai date -d tomorrow +%F)\"}" \
  "http://127.0.0.1:$PORT/api/v1/campaigns"

"$BENCH" --port "$PORT" --video "$V" --server-pid "$SERVER" --connections "$WATCHERS" --duration "$DURATION" \
  --length 300 "${TOKENS[@]}"
echo "server metrics after the run:"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^lectern_(ws_connections|watch_sessions|heartbeats_total|watch_commits_total|watch_commit_failures_total|watch_commit_seconds_total|points_awarded_total|ws_errors_total) '
grep -c . "$T/serve.err" | sed 's/^/server log lines (warn and above): /'
