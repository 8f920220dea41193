#!/usr/bin/env bash
# LL-HLS benchmark (issue 22, benchmark (c)): CPU of lectern serving the same live with
# Low-Latency HLS ([live] part_duration = 333, the default) and with regular HLS (part_duration = 0).
# Prints figures, asserts nothing (machines here are shared and noisy).
#
# For each mode, in BENCH_ROUNDS interleaved rounds: a fresh server, the same 720p30 clip
# published over RTMP at its own pace (ffmpeg -re, -c copy; the default ladder encodes
# 480p and 360p), and BENCH_VIEWERS simulated players polling it the way theirs would: LL
# mode with blocking playlist requests for the next part and every part fetched; regular
# mode with the playlist every second and every new segment fetched. lectern's CPU seconds
# (utime + stime) per media second are printed per round, and the ratio LL / regular of the
# means.
#
# Usage: tests/bench/llhls_bench.sh [BUILD_DIR]
#   env: BENCH_SECONDS=30, BENCH_ROUNDS=2, BENCH_VIEWERS=20
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" src/lectern tests/freeport
bench_need_tools ffmpeg curl jq python3
LECTERN=$(realpath "$BUILD/src/lectern")
FREEPORT=$(realpath "$BUILD/tests/freeport")
SECS=${BENCH_SECONDS:-30}
ROUNDS=${BENCH_ROUNDS:-2}
VIEWERS=${BENCH_VIEWERS:-20}
T=$(mktemp -d /tmp/lectern-llbench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
cpu_of() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }

echo "# lectern LL-HLS vs regular HLS CPU — $(date -u +%FT%TZ), $(nproc) cores, ${SECS}s per round, $VIEWERS viewers"
CLIP=$T/clip.mp4
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=f=440:sample_rate=44100" \
  -t "$SECS" -c:v libx264 -preset veryfast -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -b:v 2500k \
  -c:a aac -b:a 128k "$CLIP"

# A player's requests, without a player: LL follows parts with blocking reloads, regular
# polls the playlist once a second; both fetch what is new. Runs until the playlist ends.
cat >"$T/viewer.py" <<'PY'
import re, sys, time, urllib.request
url, ll = sys.argv[1], sys.argv[2] == "ll"
seen = set()
def get(u):
    try:
        with urllib.request.urlopen(u, timeout=15) as r:
            return r.read()
    except Exception:
        return b""
q = ""
while True:
    text = get(url + q).decode(errors="replace")
    if not text or "#EXT-X-ENDLIST" in text:
        if text: break
        time.sleep(0.5); continue
    names = re.findall(r'URI="([^"]+-p\d+\.ts)"', text) if ll else re.findall(r'^(seg\d+\.ts)$', text, re.M)
    for n in names:
        if n not in seen:
            seen.add(n); get(url.rsplit("/", 1)[0] + "/" + n)
    if ll:
        m = re.search(r'MEDIA-SEQUENCE:(\d+)', text)
        segs = text.count("#EXTINF")
        tail = text.rsplit("#EXTINF", 1)[-1]
        parts = tail.count("#EXT-X-PART:")
        msn = int(m.group(1)) + segs if m else 0
        q = f"?_HLS_msn={msn}&_HLS_part={parts}"
    else:
        time.sleep(1)
PY

round_cpu() { # MODE (ll|hls) → CPU s per media s
  local mode=$1 part=${LL_PART_MS:-333}
  [ "$mode" = hls ] && part=0
  local D=$T/d-$mode-$RANDOM PORT RPORT SRV ID KEY c0 c1
  PORT=$($FREEPORT); RPORT=$($FREEPORT)
  printf '[live]\nreconnect_grace = 0\npart_duration = %s\n' "$part" >"$T/$mode.conf"
  "$LECTERN" migrate --data-dir "$D" >/dev/null 2>&1
  "$LECTERN" serve -c "$T/$mode.conf" --data-dir "$D" --http-port "$PORT" --rtmp-port "$RPORT" --log-level warn \
    >"$T/serve.out" 2>"$T/serve.err" &
  SRV=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
  read -r ID KEY <<<"$("$LECTERN" event create -c "$T/$mode.conf" --data-dir "$D" --title bench 2>/dev/null | jq -r '.id + " " + .stream_key')"
  c0=$(cpu_of $SRV)
  ffmpeg -nostdin -v error -re -i "$CLIP" -c copy -f flv "rtmp://127.0.0.1:$RPORT/live/$KEY" &
  local PUB=$!
  for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/hls/$ID/master.m3u8" && break; sleep 0.1; done
  local r vs=()
  r=$(curl -s "http://127.0.0.1:$PORT/hls/$ID/master.m3u8" | grep -v '^#' | head -1)
  for _ in $(seq "$VIEWERS"); do python3 "$T/viewer.py" "http://127.0.0.1:$PORT/hls/$ID/$r" "$mode" & vs+=($!); done
  wait $PUB
  c1=$(cpu_of $SRV)
  kill "${vs[@]}" 2>/dev/null; wait "${vs[@]}" 2>/dev/null
  kill -TERM $SRV; wait $SRV 2>/dev/null
  awk -v a="$c1" -v b="$c0" -v s="$SECS" 'BEGIN { printf "%.4f\n", (a - b) / s }'
}

sum_ll=0 sum_hls=0
for round in $(seq "$ROUNDS"); do
  ll=$(round_cpu ll); bench_positive "LL-HLS CPU" "$ll"
  hls=$(round_cpu hls); bench_positive "regular HLS CPU" "$hls"
  echo "round $round: LL-HLS $ll, regular HLS $hls CPU s per media s (ratio $(awk -v a="$ll" -v b="$hls" 'BEGIN { printf "%.3f", a / b }'))"
  sum_ll=$(awk -v a="$sum_ll" -v b="$ll" 'BEGIN { print a + b }')
  sum_hls=$(awk -v a="$sum_hls" -v b="$hls" 'BEGIN { print a + b }')
done
awk -v a="$sum_ll" -v b="$sum_hls" -v n="$ROUNDS" \
  'BEGIN { printf "(c) LL-HLS / regular HLS CPU, mean of %d rounds: %.3f (%.4f vs %.4f CPU s per media s)\n", n, a / b, a / n, b / n }'
