#!/usr/bin/env bash
# Integration (issue 22): Low-Latency HLS on a live published with ffmpeg over RTMP.
#  - tests/lib/llhls_check.py on the live (RFC 8216bis server rules: parts, SERVER-CONTROL,
#    PART-INF, PRELOAD-HINT, RENDITION-REPORT, parts aligned across renditions, blocking
#    reload answered soon after the part appears and not before, 400s)
#  - a regular client's view: the same playlist without query, segments as before
#  - the recording after the live: VOD, no parts listed, no part files left
# With --browser (integration-llhls_web, suite browser): instead of the checker, the watch page
# in headless Chromium plays the live with hls.js in low-latency mode (tests/web/llhls.mjs).
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"
BROWSER=0
[ "${1:-}" = --browser ] && BROWSER=1

for tool in ffmpeg jq curl python3; do
  if ! command -v $tool >/dev/null; then echo "# SKIP: $tool not installed"; tap_done; exit 77; fi
done
if [ $BROWSER = 1 ]; then
  WEB=${LECTERN_SOURCE_DIR:?}/web
  command -v node >/dev/null && [ -x /usr/bin/chromium ] && [ -d "$WEB/node_modules/playwright-core" ] ||
    { echo "# skip: node, chromium or playwright-core missing"; exit 77; }
fi

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
CONF=$T_TMP/lectern.conf
printf '[live]\nreconnect_grace = 0\n' >"$CONF" # part_duration: the default
EDITOR=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
start_server "$D" "$PORT" -c "$CONF" || { not_ok "server starts"; tap_done; exit 1; }

ev=$(curl -s -X POST -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' \
  -d '{"title":"低延迟课","visibility":"published"}' "$U/api/v1/events")
ID=$(jq -r .id <<<"$ev")
KEY=$(jq -r .stream_key <<<"$ev")
ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i "testsrc2=size=854x480:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100" -t $((BROWSER ? 120 : 30)) -c:v libx264 -preset veryfast \
  -tune zerolatency -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -b:v 1200k \
  -c:a aac -b:a 96k -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/$KEY" 2>"$T_TMP/ffmpeg.err" &
PUB=$!
T_PIDS+=("$PUB")

# Until every rendition lists three whole segments (their parts with them).
for _ in $(seq 1 300); do
  m=$(curl -s "$U/hls/$ID/master.m3u8")
  n=0 ok=1
  for r in $(grep -v '^#' <<<"$m"); do
    n=$((n + 1))
    [ "$(curl -s "$U/hls/$ID/$r" | grep -c '^seg')" -ge 3 ] || ok=0
  done
  [ "$n" -ge 2 ] && [ $ok = 1 ] && break
  sleep 0.1
done
check "the live has two renditions with three segments" test "$n" -ge 2 -a $ok = 1

first=$(grep -v '^#' <<<"$m" | head -1)
pl=$(curl -s -D "$T_TMP/h" "$U/hls/$ID/$first")
contains "a plain request still gets the live playlist at once" "$(cat "$T_TMP/h")" "200"
contains "cached for a second as before" "$(cat "$T_TMP/h")" "cache-control: public, max-age=1"
contains "with its whole segments for regular players" "$pl" "#EXTINF:"

if [ $BROWSER = 1 ]; then
  relay_browser < <(BASE_URL=$U LIVE=$ID ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/llhls \
    node "$LECTERN_SOURCE_DIR/tests/web/llhls.mjs" 2>&1)
  kill "$PUB" 2>/dev/null
  stop_server
  tap_done
  exit
fi

python3 "$(dirname "$0")/../lib/llhls_check.py" "$U" "$ID" --rounds 4 >"$T_TMP/check.out" 2>&1
rc=$?
sed 's/^/# /' "$T_TMP/check.out"
eq "llhls_check.py passes on the live" 0 "$rc"
grep -q '^ok .*blocking 0: answered within' "$T_TMP/check.out"
check "and it ran the blocking checks" test $? = 0

# Held requests: a blocking request whose connection goes away is dropped, not answered late.
# Part 4 of the segment after the one being written: more than a segment away.
pl=$(curl -s "$U/hls/$ID/$first")
next=$(( $(sed -n 's/^#EXT-X-MEDIA-SEQUENCE://p' <<<"$pl") + $(grep -c '^#EXTINF' <<<"$pl") + 1 ))
code=$(curl -s -o /dev/null -m 0.5 -w '%{http_code}' "$U/hls/$ID/$first?_HLS_msn=$next&_HLS_part=4" || true)
eq "a request for a part more than a segment ahead is held (curl gives up first)" 000 "$code"
check "the server still answers meanwhile" curl -sf -o /dev/null "$U/healthz"

wait "$PUB"
for _ in $(seq 1 200); do
  st=$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/videos/$ID" | jq -r .state)
  [ "$st" = ready ] && break
  sleep 0.2
done
eq "the live is finished" ready "$st"
rec=$(curl -s "$U/hls/$ID/$first")
contains "the recording is VOD" "$rec" "#EXT-X-ENDLIST"
lacks "and lists no parts" "$rec" "#EXT-X-PART"
lacks "nor the LL-HLS server control" "$rec" "SERVER-CONTROL"
eq "no part files are left" 0 "$(find "$D/media/$ID" -name '*-p*.ts' | wc -l)"
t0=$(date +%s%N)
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/hls/$ID/$first?_HLS_msn=99999")
eq "a blocking request on a finished recording is answered at once" 200 "$code"
check "without waiting (three target durations)" test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000

stop_server
tap_done
