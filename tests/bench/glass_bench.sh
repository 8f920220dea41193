#!/usr/bin/env bash
# Glass-to-glass benchmark (issue 22, benchmark (a)): how long after a frame is made it is on
# screen in Chromium playing the live with hls.js in the watch page, for LL-HLS ([live]
# part_duration = 333, the default) and regular HLS (part_duration = 0). Prints figures, asserts nothing.
#
# For each mode: a fresh server with its own data dir and config; a live scheduled (published,
# through the API as an editor); tests/tools/clock_frames.py making 1280x720 frames at 30 fps
# paced by the wall clock, each with the wall-clock ms burned in as blocks, encoded by ffmpeg
# (libx264 veryfast, zerolatency, 2 s GOP, with a sine tone as audio) and published over RTMP
# in real time; the watch page in headless Chromium (tests/bench/glass_bench.mjs) reads the
# stamp of every frame it presents and compares it with the wall clock when the frame is shown.
# The first SKIP_SECONDS of playback are left out (startup). Before that, the page's reader
# must read frames of known stamps passed through x264 at 720p and 360p exactly (or the
# benchmark stops, exit 2): a wrong reader cannot produce plausible numbers.
#
# Usage: tests/bench/glass_bench.sh [BUILD_DIR]
#   env: BENCH_SECONDS=60, MODES="ll regular", SKIP_SECONDS=5, LL_PART_MS=333 (the ll mode's
#        part_duration), LIVE_CONF (more [live] lines for both modes, e.g. "ingest_batch_ms = 0")
set -u
BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/bench_lib.sh"
bench_need_build "$BUILD" src/lectern tests/freeport
bench_need_tools ffmpeg curl jq python3 node
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || bench_fail "no /usr/bin/chromium (scripts/install-deps installs it)"
[ -d "$HERE/../../web/node_modules/playwright-core" ] || bench_fail "web/node_modules/playwright-core is missing"
LECTERN=$(realpath "$BUILD/src/lectern")
FREEPORT=$(realpath "$BUILD/tests/freeport")
GEN="$HERE/../tools/clock_frames.py"
SECS=${BENCH_SECONDS:-60}
MODES=${MODES:-"ll regular"}
T=$(mktemp -d /tmp/lectern-glass.XXXXXX)
SRV= PUB=
cleanup() {
  [ -n "$PUB" ] && kill "$PUB" 2>/dev/null
  [ -n "$SRV" ] && kill -TERM "$SRV" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

echo "# lectern glass-to-glass latency, Chromium + hls.js — $(date -u +%FT%TZ), $(nproc) cores," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), ${SECS}s per mode"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# The reader's self-check frames: two complementary stamps (every bit both ways), through
# x264 at a low quality, at the source's size and at the 360p rendition's.
SELFTEST=
for v in 1513919201 2781048094; do
  for size in 1280x720 640x360; do
    python3 "$GEN" --still "$v" | ffmpeg -nostdin -v error -f rawvideo -pix_fmt yuv420p -s 1280x720 -i - \
      -vf "scale=${size/x/:}" -c:v libx264 -preset veryfast -crf 32 -frames:v 1 "$T/still-$v-$size.mp4" &&
      ffmpeg -nostdin -v error -i "$T/still-$v-$size.mp4" -frames:v 1 "$T/still-$v-$size.png" ||
      bench_fail "could not make the self-check frame $v at $size"
    SELFTEST+="$v:$T/still-$v-$size.png,"
  done
done

run_mode() { # MODE: ll | regular
  local mode=$1 part=${LL_PART_MS:-333}
  [ "$mode" = regular ] && part=0
  local D=$T/d-$mode CONF=$T/$mode.conf PORT RPORT TOKEN ev ID KEY
  PORT=$($FREEPORT); RPORT=$($FREEPORT)
  printf '[live]\nreconnect_grace = 0\npart_duration = %s\n%b\n' "$part" "${LIVE_CONF:-}" >"$CONF"
  TOKEN=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name bench --role editor 2>"$T/member.err" | jq -r .token)
  [ -n "$TOKEN" ] && [ "$TOKEN" != null ] || { cat "$T/member.err" >&2; bench_fail "$mode: no editor token"; }
  "$LECTERN" serve -c "$CONF" --data-dir "$D" --http-port "$PORT" --rtmp-port "$RPORT" --log-level warn \
    >"$T/serve-$mode.out" 2>"$T/serve-$mode.err" &
  SRV=$!
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
  ev=$(curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"title":"glass bench","visibility":"published"}' "http://127.0.0.1:$PORT/api/v1/events")
  ID=$(jq -r .id <<<"$ev"); KEY=$(jq -r .stream_key <<<"$ev")
  [ -n "$KEY" ] && [ "$KEY" != null ] || bench_fail "$mode: could not schedule a live: $ev"
  python3 "$GEN" --fps 30 | ffmpeg -nostdin -v error -f rawvideo -pix_fmt yuv420p -s 1280x720 -framerate 30 -i - \
    -re -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -c:v libx264 -preset veryfast -tune zerolatency -g 60 -keyint_min 60 -sc_threshold 0 -b:v 2500k \
    -c:a aac -b:a 96k -f flv "rtmp://127.0.0.1:$RPORT/live/$KEY" 2>"$T/ffmpeg-$mode.err" &
  PUB=$!
  for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/hls/$ID/master.m3u8" && break; sleep 0.1; done
  curl -sf -o /dev/null "http://127.0.0.1:$PORT/hls/$ID/master.m3u8" || {
    sed 's/^/# /' "$T/ffmpeg-$mode.err" "$T/serve-$mode.err" | tail -20
    bench_fail "$mode: the live did not start"
  }
  BASE_URL="http://127.0.0.1:$PORT" LIVE=$ID LABEL="$mode (part_duration $part${LIVE_CONF:+, $LIVE_CONF})" SELFTEST=$SELFTEST \
    BENCH_SECONDS=$SECS SKIP_SECONDS=${SKIP_SECONDS:-5} node "$HERE/glass_bench.mjs"
  local rc=$?
  echo "# load average after $mode: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill "$PUB" 2>/dev/null; wait "$PUB" 2>/dev/null; PUB=
  kill -TERM "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null; SRV=
  [ $rc = 0 ] || { sed 's/^/# /' "$T/ffmpeg-$mode.err" | tail -5; bench_fail "$mode: the measurement failed"; }
}

for mode in $MODES; do
  case $mode in ll | regular) run_mode "$mode" ;; *) bench_fail "unknown mode '$mode' (ll, regular)" ;; esac
done
