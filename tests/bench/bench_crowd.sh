#!/usr/bin/env bash
# The crowd at the start of a live (issue 24, item 4): prints p99 per kind of request and the
# totals; asserts nothing beyond "all served" (machines here are shared and noisy).
#
# A real `lectern serve` with 30 published lessons and a published live on air (ffmpeg
# publishes a generated 240p stream over RTMP; the live's ladder is the copied source only,
# so its transcoding does not compete with the crowd). Then VIEWERS viewers arrive evenly
# over OVER seconds (tests/tools/crowd_client.c): each opens the home page and the live's
# page as a browser would — HTML, CSS, scripts, the home page's four API reads, the video,
# the master playlist and the first media playlist — on one keep-alive connection, then opens
# /ws, says hello as a guest and holds it HOLD seconds. Each side has at most 20,000
# descriptors (the hard limit here): HOLD keeps the /ws held at once (about VIEWERS / OVER ×
# HOLD) below that, with room for the requests in flight.
#
# Usage: tests/bench/bench_crowd.sh [BUILD_DIR]   (env: VIEWERS=20000, OVER=60, HOLD=40)
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" src/lectern tests/freeport tests/crowd_client
bench_need_tools ffmpeg curl jq sqlite3
LECTERN=$(realpath "$BUILD/src/lectern")
FREEPORT=$(realpath "$BUILD/tests/freeport")
CROWD=$(realpath "$BUILD/tests/crowd_client")
VIEWERS=${VIEWERS:-20000}
OVER=${OVER:-60}
HOLD=${HOLD:-40}
T=$(mktemp -d /tmp/lectern-crowd.XXXXXX)
SRV= PUB=
trap '[ -n "$PUB" ] && kill "$PUB" 2>/dev/null; [ -n "$SRV" ] && kill "$SRV" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
ulimit -n "$(ulimit -Hn)"
held=$(awk -v v="$VIEWERS" -v o="$OVER" -v h="$HOLD" 'BEGIN { printf "%d", v / o * h }')
[ "$held" -lt $(( $(ulimit -n) - 1500 )) ] ||
  bench_fail "about $held /ws held at once do not fit in $(ulimit -n) descriptors: lower HOLD"

echo "# lectern crowd benchmark — $(date -u +%FT%TZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $VIEWERS viewers arriving over $OVER s, each holding /ws $HOLD s (about $held at once)"
D=$T/data
"$LECTERN" migrate --data-dir "$D" >/dev/null 2>&1 || bench_fail "lectern migrate failed"
read -r ID KEY <<<"$("$LECTERN" event create --data-dir "$D" --title "开学第一课（直播）" 2>/dev/null | jq -r '.id + " " + .stream_key')"
[ -n "$ID" ] && [ -n "$KEY" ] && [ "$KEY" != null ] || bench_fail "the live could not be scheduled"
sqlite3 "$D/lectern.db" <<SQL || bench_fail "could not fill the database"
BEGIN;
UPDATE video SET visibility = 'published' WHERE id = '$ID';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
INSERT INTO video (id, title, presenter, presenter_kind, category, source, state, visibility, duration_ms,
                   created_at, updated_at)
SELECT printf('v%010d', i), printf('Lesson %d: 劳模讲堂第%d课', i, i), '讲师', 'teacher', '科学普及', 'upload',
       'ready', 'published', 600000, unixepoch() - i * 3600, unixepoch() - i * 3600 FROM n;
INSERT INTO topic_column (slug, title, created_at, updated_at) VALUES ('picks', '精选', unixepoch(), unixepoch());
INSERT INTO topic_column_item (column_id, video_id, position, featured)
SELECT 1, printf('v%010d', i), i - 1, i <= 3 FROM (WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < 8) SELECT i FROM m);
COMMIT;
SQL

PORT=$($FREEPORT); RPORT=$($FREEPORT)
printf '[http]\nmax_connections = %d\n[live]\nladder = copy\n[log]\nlevel = warn\n' $(( $(ulimit -n) - 600 )) >"$T/lectern.conf"
"$LECTERN" serve -c "$T/lectern.conf" --data-dir "$D" --http-port "$PORT" --rtmp-port "$RPORT" \
  >"$T/serve.out" 2>"$T/serve.err" &
SRV=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || bench_fail "the server did not start: $(tail -3 "$T/serve.err")"

LIVE_SECONDS=$(( OVER + HOLD + 120 ))
ffmpeg -nostdin -v error -re -f lavfi -i "testsrc2=size=426x240:rate=25" -f lavfi -i "sine=f=440:sample_rate=44100" \
  -t "$LIVE_SECONDS" -c:v libx264 -preset ultrafast -g 50 -keyint_min 50 -sc_threshold 0 -pix_fmt yuv420p -b:v 400k \
  -c:a aac -b:a 64k -f flv "rtmp://127.0.0.1:$RPORT/live/$KEY" 2>"$T/ffmpeg.err" &
PUB=$!
MEDIA=
for _ in $(seq 300); do
  if master=$(curl -sf "http://127.0.0.1:$PORT/hls/$ID/master.m3u8"); then
    MEDIA=$(grep -v '^#' <<<"$master" | head -1)
    [ -n "$MEDIA" ] && curl -sf "http://127.0.0.1:$PORT/hls/$ID/$MEDIA" | grep -q '^#EXTINF' && break
  fi
  sleep 0.2
done
[ -n "$MEDIA" ] || bench_fail "the live did not start: $(tail -3 "$T/serve.err") $(tail -3 "$T/ffmpeg.err")"
[ "$(curl -s "http://127.0.0.1:$PORT/api/v1/lives/now" | jq -r '.videos[0].id')" = "$ID" ] ||
  bench_fail "the live is not listed as on air"

# What a browser asks for: the home page (web/index.html and home.js's reads), then the
# live's page (web/watch.html, video-page.js's read, the player's playlists).
REQS=()
for p in / /css/lectern.css /css/viewer.css /js/i18n.js /js/site.js /js/home.js; do
  case $p in /) k=html ;; *.css) k=css ;; *) k=js ;; esac
  REQS+=(--req "$k:$p")
done
REQS+=(--req "api:/api/v1/lives/now" --req "api:/api/v1/lives/upcoming?per_page=6" --req "api:/api/v1/columns"
       --req "api:/api/v1/videos?state=ready&sort=newest&per_page=8" --req "html:/watch.html?v=$ID")
for p in /vendor/hls/hls.min.js /js/ws-client.js /js/player.js /vendor/qrcode/qrcode.js /js/share.js /js/endscreen.js /js/video-page.js; do
  REQS+=(--req "js:$p")
done
REQS+=(--req "api:/api/v1/videos/$ID" --req "master:/hls/$ID/master.m3u8" --req "media:/hls/$ID/$MEDIA")
for r in "${REQS[@]}"; do
  [ "$r" = --req ] && continue
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT${r#*:}")
  [ "$code" = 200 ] || bench_fail "${r#*:} answered $code"
done

cpu0=$(awk '{ print $14 + $15 }' "/proc/$SRV/stat")
"$CROWD" --port "$PORT" --viewers "$VIEWERS" --over "$OVER" --hold "$HOLD" "${REQS[@]}"
status=$?
cpu1=$(awk '{ print $14 + $15 }' "/proc/$SRV/stat")
echo "server CPU during the crowd: $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", (b - a) / 100 }') s; RSS now $(awk '/VmRSS/ { print $2 " " $3 }' "/proc/$SRV/status")"
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^lectern_(api_cache_(hits|misses)_total|http_responses_total|ws_connections) '
kill -0 "$PUB" 2>/dev/null || echo "note: the publisher stopped before the end: $(tail -2 "$T/ffmpeg.err")"
grep -c . "$T/serve.err" | sed 's/^/server log lines (warn and above): /'
exit $status
