#!/usr/bin/env bash
# Integration: limits under abuse (issue 23). While a live is published with ffmpeg and
# watched (playlist fetches, a /ws player), the server is abused in turn: slowloris, many
# RTMP connections from one address, oversized headers and bodies, a /ws client that reads
# nothing, uploads that claim or decode to huge pictures, FTS5 syntax in search. Each is
# refused or bounded with a clear answer and a log line, and the live and its viewers are
# served throughout (checked at the end from what the watchers saw).
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}" "${WATCH_CLIENT:?}" "${ABUSE_CLIENT:?}"

for tool in ffmpeg jq curl perl python3; do
  if ! command -v $tool >/dev/null; then echo "# SKIP: $tool not installed"; tap_done; exit 77; fi
done

D=$T_TMP/data
PORT=$($FREEPORT)
RTMP_PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
CONF=$T_TMP/lectern.conf
# Limits tightened where the defaults would make the test slow: the header deadline (10 s by
# default), the upload size (8G), the /ws message rate (2 a second would take a minute to
# fill a non-reader's queue) and the per-address RTMP cap (8). The copy-only ladder keeps
# the live light on a shared machine.
cat >"$CONF" <<'EOF'
[http]
header_timeout = 3
[rtmp]
max_connections_per_address = 4
[vod]
max_file_size = 1M
[watch]
message_rate = 100
[live]
ladder = copy
EOF

EDITOR=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
start_server "$D" "$PORT" -c "$CONF" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
SERVER_LOG=$D.err
log_has() { grep -c -- "$1" "$SERVER_LOG" || true; }
ed() { curl -s -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' "$@"; }

# --- the live and its viewers ------------------------------------------------------------
ev=$(ed -X POST -d '{"title":"劳模讲堂：焊接的手艺","presenter":"王师傅","kind":"model-worker","visibility":"published"}' "$U/api/v1/events")
LIVE=$(jq -r .id <<<"$ev")
KEY=$(jq -r .stream_key <<<"$ev")
ffmpeg -nostdin -hide_banner -loglevel error -re \
  -f lavfi -i "testsrc2=size=426x240:rate=15" -f lavfi -i "sine=frequency=440:sample_rate=44100" \
  -c:v libx264 -preset ultrafast -tune zerolatency -g 30 -keyint_min 30 -sc_threshold 0 -pix_fmt yuv420p \
  -b:v 300k -c:a aac -b:a 64k -f flv "rtmp://127.0.0.1:$RTMP_PORT/live/$KEY" 2>"$T_TMP/ffmpeg.err" &
PUB=$!
T_PIDS+=("$PUB")
PLAYLIST=
for _ in $(seq 1 200); do
  PLAYLIST=$(curl -s "$U/hls/$LIVE/master.m3u8" | grep -v '^#' | head -1)
  [ -n "$PLAYLIST" ] && curl -s "$U/hls/$LIVE/$PLAYLIST" | grep -q '^seg' && break
  sleep 0.1
done
check "the live is on air (its playlist lists segments)" sh -c "curl -s '$U/hls/$LIVE/$PLAYLIST' | grep -q '^seg'"

# A viewer: the live playlist twice a second and its newest segment, each timed. It keeps
# going until the test ends; its record is read at the end.
(
  while :; do
    line=$(curl -s -o "$T_TMP/pl.m3u8" -w '%{http_code} %{time_total}' --max-time 5 "$U/hls/$LIVE/$PLAYLIST")
    echo "playlist $line $(date +%s.%N)" >>"$T_TMP/viewer.log"
    seg=$(grep '^seg' "$T_TMP/pl.m3u8" 2>/dev/null | tail -1)
    if [ -n "$seg" ]; then
      echo "segment $(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 \
        "$U/hls/$LIVE/${PLAYLIST%/*}/$seg")" >>"$T_TMP/viewer.log"
    fi
    sleep 0.5
  done
) &
T_PIDS+=("$!")
VIEWER_PID=$!
# A /ws player on the live, a heartbeat a second, for the length of the test.
WATCH_SECONDS=75
"$WATCH_CLIENT" --port "$PORT" --video "$LIVE" --scenario guest --seconds "$WATCH_SECONDS" --interval 1 \
  >"$T_TMP/watcher.json" 2>"$T_TMP/watcher.err" &
WATCHER=$!
T_PIDS+=("$WATCHER")
STARTED=$(date +%s)

# --- slowloris: many connections sending a header a byte at a time ---------------------------
sl=$("$ABUSE_CLIENT" slowloris --port "$PORT" --conns 200 --gap-ms 500 --seconds 12)
eq "slowloris: 200 connections opened" 200 "$(jq .opened <<<"$sl")"
eq "slowloris: the header deadline closed every one" 200 "$(jq .closed <<<"$sl")"
check "slowloris: none before the 3 s deadline, all within 5 s ($sl)" \
  jq -e '.first_close >= 2.5 and .last_close <= 5' <<<"$sl"
contains "slowloris: the closes are logged" "$(cat "$SERVER_LOG")" "that sent no whole request within 3 s"
check "slowloris: /metrics counts them" \
  sh -c "curl -s '$U/metrics' | grep -Eq '^lectern_http_header_timeouts_total (2[0-9][0-9])$'"

# --- many RTMP connections from one address ------------------------------------------------
# The publisher holds one of the four 127.0.0.1 may have; six more get three.
"$ABUSE_CLIENT" tcp-hold --port "$RTMP_PORT" --conns 6 --seconds 4 >"$T_TMP/hold1.json" &
H1=$!
T_PIDS+=("$H1")
for _ in $(seq 1 40); do [ -s "$T_TMP/hold1.json" ] && break; sleep 0.1; done
h=$(cat "$T_TMP/hold1.json")
eq "rtmp: three of six more connections from one address are kept, three refused" "3 3" \
  "$(jq -r '"\(.held) \(.refused)"' <<<"$h")"
contains "rtmp: the refusal is logged" "$(cat "$SERVER_LOG")" "RTMP connections open from this address (rtmp max_connections_per_address)"
h=$("$ABUSE_CLIENT" tcp-hold --port "$RTMP_PORT" --conns 2 --bind 127.0.0.2 --seconds 0)
eq "rtmp: another address still gets in meanwhile" "2 0" "$(jq -r '"\(.held) \(.refused)"' <<<"$h")"
wait "$H1"
check "rtmp: the publisher was not the one dropped (ffmpeg still running)" kill -0 "$PUB"

# --- oversized headers and bodies ---------------------------------------------------------
cookie=$(head -c 12000 /dev/zero | tr '\0' 'c')
code=$(curl -s -o "$T_TMP/431.json" -w '%{http_code}' -H "Cookie: s=$cookie" "$U/api/v1/videos")
eq "a 12 KB header block: 431" 431 "$code"
eq "431 with a JSON error" headers_too_large "$(jq -r .error.code "$T_TMP/431.json")"
contains "431 says the limit" "$(jq -r .error.message "$T_TMP/431.json")" "over the 8192 byte limit"
contains "the 431 is logged" "$(cat "$SERVER_LOG")" "(431, [http] max_header_bytes 8192)"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Huge: $(head -c 40000 /dev/zero | tr '\0' 'h')" "$U/api/v1/videos")
eq "a 40 KB header fills lws's store: closed without an answer" 000 "$code"
contains "and logged" "$(cat "$SERVER_LOG")" "Ran out of header data space"
code=$(curl -s -o "$T_TMP/414.json" -w '%{http_code}' "$U/api/v1/videos/$(head -c 3000 /dev/zero | tr '\0' 'v')")
eq "a 3000-byte path: 414" 414 "$code"
eq "414 with a JSON error" uri_too_long "$(jq -r .error.code "$T_TMP/414.json")"

head -c 1100000 /dev/zero | tr '\0' ' ' | sed 's/^/{"title":"x"/; s/$/}/' >"$T_TMP/big.json"
code=$(ed -o "$T_TMP/413.json" -w '%{http_code}' -X POST --data-binary @"$T_TMP/big.json" "$U/api/v1/events")
eq "an API JSON body over 1 MiB: 413" 413 "$code"
eq "413 with a JSON error" payload_too_large "$(jq -r .error.code "$T_TMP/413.json")"
# lws 4.1 does not decode chunked request bodies (the chunks would be read as a next,
# smuggled request): a body without a length is refused before it is read.
code=$(ed -o "$T_TMP/411.json" -w '%{http_code}' -X POST -H 'Transfer-Encoding: chunked' --data-binary @"$T_TMP/big.json" "$U/api/v1/events")
eq "the same body chunked (no length given): 411" 411 "$code"
eq "411 with a JSON error" length_required "$(jq -r .error.code "$T_TMP/411.json")"
contains "the 411 is logged" "$(cat "$SERVER_LOG")" "refused a request body sent with Transfer-Encoding (411)"
contains "the 413s are logged" "$(cat "$SERVER_LOG")" "refused a request body over 1048576 bytes (413, [http] max_body_bytes)"
head -c 1500000 /dev/urandom >"$T_TMP/big.bin"
code=$(curl -s -o "$T_TMP/413u.json" -w '%{http_code}' -H "Authorization: Bearer $EDITOR" \
  --data-binary @"$T_TMP/big.bin" "$U/api/v1/uploads?title=big")
eq "an upload over [vod] max_file_size: 413" 413 "$code"
eq "upload 413 with a JSON error" payload_too_large "$(jq -r .error.code "$T_TMP/413u.json")"
code=$(curl -s -o "$T_TMP/411u.json" -w '%{http_code}' -H "Authorization: Bearer $EDITOR" \
  -H 'Transfer-Encoding: chunked' --data-binary @"$T_TMP/big.bin" "$U/api/v1/uploads?title=big")
eq "the same upload chunked: 411 (an upload needs its length)" 411 "$code"
contains "the upload 413 is logged" "$(cat "$SERVER_LOG")" "(413, [vod] max_file_size)"
eq "refused uploads leave no file behind" "" "$(ls -A "$D/uploads" 2>/dev/null | grep '^\.incoming' || true)"

# --- requests that carry a body where none is read -------------------------------------
# Two requests in one packet, the second a GET with "Content-Length: 1": lws 4.1.6 skipped
# that body in its buffer of pipelined input and spun there for ever (the whole server
# stopped answering). Now the GET is answered and the connection closed; and a POST without
# any length is answered with "connection: close" (lws would read the next request as its
# body). Whatever happens on that connection, the server keeps answering others.
raw() { # PAYLOAD (Python bytes literal) [SECONDS]: what the server sent back until it closed,
  # or "[open]" after SECONDS (5 by default; the server's keep-alive timeout is 5 s too)
  python3 - "$PORT" "$1" "${2:-5}" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(eval(sys.argv[2]))
wait = float(sys.argv[3])
s.settimeout(wait)
got, end = b"", time.time() + wait
try:
    while time.time() < end:
        d = s.recv(65536)
        if not d:
            got += b"\n[closed]"
            break
        got += d
except socket.timeout:
    got += b"\n[open]"
sys.stdout.write(got.decode("latin-1"))
PY
}
out=$(raw 'b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"')
eq "a pipelined GET with a body: both answered" 2 "$(grep -o 'HTTP/1.1 200' <<<"$out" | wc -l)"
contains "then the connection is closed" "$out" "[closed]"
contains "and the second answer says so" "$out" "connection: close"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$U/healthz")
eq "the server still answers others" 200 "$code"
# A POST with a body pipelined behind a GET: lws 4.1.6 reads such a body from the start of its
# buffer (the POST's own headers) and spun for ever when it ended there. Closed unanswered.
out=$(raw 'b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{}\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"')
eq "a POST with a body pipelined behind a GET: the GET answered, nothing else" 1 "$(grep -o 'HTTP/1.1 [0-9]' <<<"$out" | wc -l)"
contains "and the connection closed" "$out" "[closed]"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$U/healthz")
eq "the server still answers others after it" 200 "$code"
contains "the pipelined body is logged" "$(cat "$SERVER_LOG")" "POST: a request with a body pipelined behind another: closed unanswered"
out=$(raw 'b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"' 2)
eq "a POST with a body, then a GET in the same packet: both answered" 2 "$(grep -o 'HTTP/1.1 [0-9]' <<<"$out" | wc -l)"
out=$(raw 'b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"')
eq "a POST with no length: answered once" 1 "$(grep -o 'HTTP/1.1 [0-9]' <<<"$out" | wc -l)"
contains "with connection: close, and closed" "$out" "connection: close"
contains "closed" "$out" "[closed]"
out=$(raw 'b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"' 2)
eq "a GET with Content-Length: 0 keeps the connection: both answered" 2 "$(grep -o 'HTTP/1.1 200' <<<"$out" | wc -l)"
contains "and it stays open (2 s later)" "$out" "[open]"

sweep=$(python3 "$(dirname "$0")/../lib/pipeline_sweep.py" "$PORT")
eq "pipelined packets, every method, path and body shape: still answering ($sweep)" 0 "$?"

# --- a /ws client that sends and never reads ---------------------------------------------
nr=$("$ABUSE_CLIENT" ws-noread --port "$PORT" --seconds 20 --every-ms 12 --rcvbuf 2048)
check "ws: the client that reads nothing is dropped ($nr)" jq -e '.dropped == true and .after < 15' <<<"$nr"
contains "ws: the drop is logged" "$(cat "$SERVER_LOG")" "not reading (64 messages unsent); closing"

# --- uploads that claim, or decode to, huge pictures -------------------------------------------
# A 64x64 H.264 MP4 whose sample entry says 16384x16384 (a few KB), and a decompression
# bomb: one 15000x15000 black PNG frame in an AVI (225 KB that decode to 225 MB; libav's own
# ceiling is about 16000x16000, and its PNG decoder, unlike its MJPEG one, does not weigh a
# picture against its bytes), the AVI's headers saying 64x64 so only a decoder learns the size.
ffmpeg -nostdin -v error -f lavfi -i "color=black:s=64x64:r=5:d=2" -c:v libx264 -preset ultrafast \
  -pix_fmt yuv420p "$T_TMP/claim.mp4"
perl -0777 -pi -e 's/(avc1.{24})\x00\x40\x00\x40/$1\x40\x00\x40\x00/s' "$T_TMP/claim.mp4"
ffmpeg -nostdin -v error -f rawvideo -pix_fmt gray -s 15000x15000 -r 1 -i /dev/zero -frames:v 1 \
  -c:v png -f avi "$T_TMP/bomb.avi"
perl -0777 -pi -e 's/\x98\x3a\x00\x00\x98\x3a\x00\x00/\x40\x00\x00\x00\x40\x00\x00\x00/g; s/\x98\x3a\x98\x3a(strf)/\x40\x00\x40\x00$1/g' "$T_TMP/bomb.avi"
check "the files are small (claim < 20 KB, bomb < 300 KB)" \
  test "$(stat -c %s "$T_TMP/claim.mp4")" -lt 20000 -a "$(stat -c %s "$T_TMP/bomb.avi")" -lt 300000
# The bomb's picture, decoded, is written whole: the server's peak resident size would show it.
vm_hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVER_PID/status"; }
peak_before=$(vm_hwm)
upload_job() { # FILE TITLE: prints the job's final JSON
  local up job
  up=$(curl -s -H "Authorization: Bearer $EDITOR" --data-binary @"$1" "$U/api/v1/uploads?title=$2")
  job=$(jq -r .job_id <<<"$up")
  for _ in $(seq 1 300); do
    j=$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/jobs/$job")
    case "$(jq -r .state <<<"$j")" in failed|done|cancelled) break ;; esac
    sleep 0.1
  done
  echo "$j"
}
j=$(upload_job "$T_TMP/claim.mp4" claim)
eq "an upload that claims 16384x16384: its job fails" failed "$(jq -r .state <<<"$j")"
contains "with a clear error" "$(jq -r .error <<<"$j")" "the picture is 16384x16384, over the 4096x4096 limit"
j=$(upload_job "$T_TMP/bomb.avi" bomb)
eq "an upload that decodes to 15000x15000 (225 KB to 225 MB): its job fails" failed "$(jq -r .state <<<"$j")"
contains "with a clear error" "$(jq -r .error <<<"$j")" "larger than the 4096x4096 limit"
peak_after=$(vm_hwm)
echo "# server peak resident memory: $((peak_before / 1024)) MB before the uploads, $((peak_after / 1024)) MB after"
check "no huge allocation: the server's peak memory grew by $(( (peak_after - peak_before) / 1024 )) MB (< 100)" \
  test "$peak_before" -gt 0 -a $((peak_after - peak_before)) -lt $((100 * 1024))
contains "the refusals are logged" "$(cat "$SERVER_LOG")" "over the 4096x4096 limit"

# --- search queries that are FTS5 syntax ------------------------------------------------------
eq "search finds the live by a Chinese word" "$LIVE" "$(curl -s "$U/api/v1/videos?q=%E5%8A%B3%E6%A8%A1" | jq -r '.videos[0].id')"
bad=0 answered=0 leaked=
long=$(head -c 5000 /dev/zero | tr '\0' 'a')
while IFS= read -r q; do
  out=$(curl -s -o "$T_TMP/q.json" -w '%{http_code}' -G --data-urlencode "q=$q" "$U/api/v1/videos")
  case "$out" in
    200) jq -e '.videos | type == "array"' "$T_TMP/q.json" >/dev/null || bad=$((bad + 1)) ;;
    400|414) jq -e '.error.code and .error.message' "$T_TMP/q.json" >/dev/null || bad=$((bad + 1)) ;;
    *) bad=$((bad + 1)); echo "#   q=${q:0:60}: $out" ;;
  esac
  grep -Eqi 'sqlite|fts5|syntax error|malformed MATCH|no such column' "$T_TMP/q.json" && leaked="$leaked ${q:0:40}"
  answered=$((answered + 1))
done <<EOF
"
""
"劳模
劳模"
NEAR(
NEAR(劳模 焊接
NEAR(a b, 1
NEAR(a b, -1)
*
a*
*a
"*"
OR
a OR
OR OR OR
a OR b
AND
NOT
a NOT
-a
^a
title:劳模
video_id:x
{title presenter}: 劳模
(
((((((((((((((((((((
)
a) OR (b
'
'; DROP TABLE video; --
\\
%
\x00
劳模 OR 焊接 AND NOT 手艺 NEAR( "* ^ : ( ) { } + -
$long
EOF
eq "FTS5 syntax in search ($answered queries): every answer is 200 with results or a 400 (414 when over the URL limit) error, never 500" 0 "$bad"
eq "no SQL error leaks into an answer" "" "$leaked"
code=$(curl -s -o "$T_TMP/long.json" -w '%{http_code}' -G --data-urlencode "q=${long:0:300}" "$U/api/v1/videos")
eq "a 300-byte query: 400" 400 "$code"
contains "saying the limit" "$(jq -r .error.message "$T_TMP/long.json")" "at most 200 bytes"
contains "the refused query is logged (its length, not its text)" "$(cat "$SERVER_LOG")" "refused a search query of 300 bytes"
code=$(curl -s -o "$T_TMP/long.json" -w '%{http_code}' -G --data-urlencode "q=$long" "$U/api/v1/videos")
eq "a 5000-byte query parameter: 414 (not dropped, which would list everything)" 414 "$code"
eq "414 with a JSON error" uri_too_long "$(jq -r .error.code "$T_TMP/long.json")"
lacks "the query's text is not logged" "$(cat "$SERVER_LOG")" "aaaaaaaaaaaaaaaaaaaa"
eq "no SQLite error was logged" 0 "$(log_has 'ERROR \[sqlite\]')"

# --- the live and its viewers were served throughout -----------------------------------------
# The /ws player runs WATCH_SECONDS from its start; wait for it, with the viewer still polling.
left=$((STARTED + WATCH_SECONDS + 5 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left"
wait "$WATCHER"
kill "$VIEWER_PID" 2>/dev/null; wait "$VIEWER_PID" 2>/dev/null
w=$(cat "$T_TMP/watcher.json")
check "the /ws player was never disconnected ($w)" jq -e '.disconnected == false' <<<"$w"
check "and had its heartbeats answered all along (at least $((WATCH_SECONDS - 5)) acks)" \
  jq -e ".acks >= $((WATCH_SECONDS - 5))" <<<"$w"
n=$(grep -c '^playlist' "$T_TMP/viewer.log")
gap=$(awk '$1 == "playlist" { if (t && $4 - t > g) g = $4 - t; t = $4 } END { printf "%.1f", g }' "$T_TMP/viewer.log")
check "the viewer fetched the playlist throughout ($n times, at most ${gap} s apart)" \
  awk -v n="$n" -v g="$gap" 'BEGIN { exit !(n >= 30 && g < 4) }'
eq "every playlist fetch succeeded" "" "$(grep '^playlist' "$T_TMP/viewer.log" | grep -v '^playlist 200 ' | head -3)"
eq "every segment fetch succeeded" "" "$(grep '^segment' "$T_TMP/viewer.log" | grep -v '^segment 200 ' | head -3)"
slowest=$(awk '$1 == "playlist" && $3 > m { m = $3 } END { printf "%.3f", m }' "$T_TMP/viewer.log")
check "with low delay: the slowest playlist fetch took ${slowest}s (< 1 s)" awk -v s="$slowest" 'BEGIN { exit !(s < 1) }'
check "the publisher is still on air" kill -0 "$PUB"
eq "the video is still live" live "$(ed "$U/api/v1/videos/$LIVE" | jq -r .state)"
check "the server is healthy" curl -sf "$U/healthz"

kill "$PUB" 2>/dev/null; wait "$PUB" 2>/dev/null
stop_server
eq "the server exits cleanly" 0 "$SERVER_STATUS"
tap_done
