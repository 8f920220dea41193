#!/usr/bin/env bash
# Live-chat benchmark (issue 19): prints figures, asserts nothing (machines here are shared).
#
# A real `lectern serve` with a live on air (its state set in the database: no transcode
# runs here, so the figures leave out the live's own CPU); VIEWERS connections join its chat
# from 127.0.0.1-8 (members with tokens, made with `lectern member add --count`); the first
# CHATTERS post a message every 2 s and tap LIKES likes a second between them.
# tests/bench/chat_bench.c prints messages posted and delivered per second, the share of
# posted × viewers delivered, p50/p99 post-to-delivery, the server's RSS per connection and CPU.
#
# Usage: tests/bench/chat_bench.sh [BUILD_DIR]
#   (env: VIEWERS=20000, CHATTERS=50, LIKES=500, DURATION=60)
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" src/lectern tests/chat_bench
bench_need_tools curl jq python3 sqlite3
LECTERN=$(realpath "$BUILD/src/lectern")
BENCH=$(realpath "$BUILD/tests/chat_bench")
VIEWERS=${VIEWERS:-20000}
CHATTERS=${CHATTERS:-50}
LIKES=${LIKES:-500}
DURATION=${DURATION:-60}
T=$(mktemp -d /tmp/lectern-chatbench.XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
ulimit -n $((VIEWERS + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "# lectern live-chat benchmark — $(date -u +%FT%TZ), $(nproc) cores, $VIEWERS viewers, $CHATTERS chatters, $LIKES likes/s"
D=$T/data
"$LECTERN" member add --data-dir "$D" --name viewer --role viewer --real-name-verified --count "$VIEWERS" \
  2>/dev/null | jq -r '.[].token' >"$T/tokens"
L=$("$LECTERN" event create --data-dir "$D" --title "bench live" 2>/dev/null | jq -r .id)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
printf '[http]\nmax_connections = %d\n[rtmp]\nmax_connections = 8\n[log]\nlevel = warn\n' $((VIEWERS + 1000)) >"$T/lectern.conf"
"$LECTERN" serve -c "$T/lectern.conf" --data-dir "$D" --http-port "$PORT" --rtmp-port "$(free_port)" >"$T/serve.out" 2>"$T/serve.err" &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || bench_fail "the server did not start: $(tail -3 "$T/serve.err")"
# On air (once the server runs: at start it finishes lives left on air).
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $(date +%s), 'scheduled', 'live');"

# The bench client runs on the same cores: its own CPU (its workers included) tells whether
# it, not the server, was the limit.
TIMEFORMAT='bench client CPU:        %U s user + %S s system over %R s (connecting included)'
time "$BENCH" --port "$PORT" --video "$L" --server-pid "$SERVER" --connections "$VIEWERS" --chatters "$CHATTERS" \
  --likes "$LIKES" --duration "$DURATION" --tokens "$T/tokens"
echo "server metrics after the run:"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^lectern_(ws_connections|chat_[a-z_]+|ws_errors_total|ws_dropped_total|ws_resyncs_total|ws_direct_total|ws_parallel_total)[ {]'
grep -c . "$T/serve.err" | sed 's/^/server log lines (warn and above): /'
