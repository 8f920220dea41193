#!/usr/bin/env bash
# Integration (issue 22): lives published by real ffmpeg over SRT (MPEG-TS, the stream key as
# the streamid), beside RTMP. Covers refusals in the handshake (unknown key, a mode other than
# publish, a second publisher, a wrong passphrase), the HLS ladder while live (ffprobe), a
# dropped connection continued within the grace after a DISCONTINUITY, and the recording.
source "$(dirname "$0")/../lib/assert.sh"
source "$(dirname "$0")/../lib/hls_check.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

for tool in ffmpeg ffprobe jq curl; do
  if ! command -v $tool >/dev/null; then echo "# SKIP: $tool not installed"; tap_done; exit 77; fi
done
if ! ffmpeg -hide_banner -protocols 2>/dev/null | grep -qx '  srt'; then
  echo "# SKIP: this ffmpeg has no SRT"; tap_done; exit 77
fi

D=$T_TMP/data
PORT=$($FREEPORT)
SRT_PORT=$($FREEPORT) # a free TCP port; the UDP one of the same number is as good as free here
U=http://127.0.0.1:$PORT
PASS=lectern-srt-secret
CONF=$T_TMP/lectern.conf
printf '[live]\nreconnect_grace = 6\n[srt]\nport = %s\npassphrase = %s\n' "$SRT_PORT" "$PASS" >"$CONF"

EDITOR=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
start_server "$D" "$PORT" -c "$CONF" || { not_ok "server starts"; tap_done; exit 1; }
contains "the server says where SRT listens" "$(cat "$D.out")" "srt://127.0.0.1:$SRT_PORT?streamid=<stream key>"

# publish SECONDS STREAMID [PASSPHRASE]: an 854x480 30 fps test card with a 2 s GOP and AAC, as
# MPEG-TS over SRT.
publish() {
  local secs=$1 sid=$2 pass=${3-$PASS}
  local url="srt://127.0.0.1:$SRT_PORT?streamid=$sid"
  [ -n "$pass" ] && url+="&passphrase=$pass"
  ffmpeg -nostdin -hide_banner -loglevel error -re \
    -f lavfi -i "testsrc2=size=854x480:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -t "$secs" -c:v libx264 -preset veryfast -tune zerolatency -g 60 -keyint_min 60 -sc_threshold 0 \
    -pix_fmt yuv420p -b:v 1200k -c:a aac -b:a 96k -f mpegts "$url"
}
video_state() { curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/videos/$1" | jq -r .state; }
wait_state() { # ID STATE SECONDS
  for _ in $(seq 1 $(($3 * 10))); do
    [ "$(video_state "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

ev=$(curl -s -X POST -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' \
  -d '{"title":"SRT 课堂","presenter":"李老师","kind":"teacher"}' "$U/api/v1/events")
ID=$(jq -r .id <<<"$ev")
KEY=$(jq -r .stream_key <<<"$ev")
eq "the event answer carries the SRT URL" "srt://127.0.0.1:$SRT_PORT?streamid=$KEY" "$(jq -r .srt_url <<<"$ev")"

# --- refusals, in the handshake -------------------------------------------------------------
publish 2 "not-a-key" >/dev/null 2>&1
check "an unknown key is refused (ffmpeg fails)" test $? -ne 0
contains "the server logs why" "$(cat "$D.err")" "publish with key not-… refused: unknown stream key"
publish 2 "#!::r=live/$KEY,m=request" >/dev/null 2>&1
check "a streamid asking to play is refused" test $? -ne 0
contains "the server logs the mode" "$(cat "$D.err")" "only m=publish is accepted"
publish 2 "$KEY" "wrong-passphrase" >/dev/null 2>&1
check "a wrong passphrase is refused" test $? -ne 0
publish 2 "$KEY" "" >/dev/null 2>&1
check "no passphrase is refused when one is set" test $? -ne 0
eq "none of these made the lesson live" scheduled "$(video_state "$ID")"

# --- a live over SRT --------------------------------------------------------------------------
publish 14 "#!::r=live/$KEY,m=publish" 2>"$T_TMP/ffmpeg1.err" &
PUB=$!
T_PIDS+=("$PUB")
for _ in $(seq 1 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$U/hls/$ID/master.m3u8")" = 200 ] && break
  sleep 0.1
done
eq "the master playlist appears while live" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/hls/$ID/master.m3u8")"
eq "the video is live" live "$(video_state "$ID")"
contains "the log names the SRT publisher" "$(cat "$D.err")" "publishing from 127.0.0.1:"
out=$(publish 2 "$KEY" 2>&1)
check "a second publisher on a live key is refused" test $? -ne 0
contains "the log says it is already live" "$(cat "$D.err")" "already live from another encoder"
master=$(curl -s "$U/hls/$ID/master.m3u8")
contains "an 854x480 source is copied" "$master" "RESOLUTION=854x480"
contains "and a 360p rendition encoded" "$master" "RESOLUTION=640x360"
contains "the master names H.264 and AAC" "$master" 'mp4a.40.2'
for pl in $(grep -v '^#' <<<"$master"); do
  seg=$(curl -s "$U/hls/$ID/$pl" | grep -m1 '^seg')
  streams=$(curl -s "$U/hls/$ID/${pl%/*}/$seg" | ffprobe -v error -show_entries stream=codec_name -of csv=p=0 - | grep . | sort -u | tr '\n' ' ')
  eq "${pl%/*}: a live segment plays (ffprobe: H.264 + AAC)" "aac h264 " "$streams"
done
wait "$PUB"
eq "ffmpeg published 14 s over SRT without error" 0 "$?"

# --- the connection ends (SRT has no unpublish): within the grace, the presenter comes back ---
sleep 1
eq "after the drop the video stays live (grace)" live "$(video_state "$ID")"
publish 6 "$KEY" 2>"$T_TMP/ffmpeg2.err"
eq "the presenter reconnects with the same key" 0 "$?"
contains "the log says the presenter came back" "$(cat "$D.err")" "presenter reconnected from 127.0.0.1:"
wait_state "$ID" ready 40
eq "after the grace the recording is ready" ready "$(video_state "$ID")"

M=$D/media/$ID
check_ladder "$M" "$U" "$ID" 2 20 2.5 pdt
text=$(cat "$M/source/index.m3u8")
eq "one DISCONTINUITY where the presenter came back" 1 "$(grep -c '^#EXT-X-DISCONTINUITY$' <<<"$text")"
eq "360p has it at the same place" "$(grep -n DISCONTINUITY "$M/source/index.m3u8" | cut -d: -f1)" \
  "$(grep -n DISCONTINUITY "$M/360p/index.m3u8" | cut -d: -f1)"
check "a poster image was made" test -s "$M/poster.jpg"
out=$(publish 2 "$KEY" 2>&1)
check "the key of a finished lesson is refused" test $? -ne 0
contains "as expired" "$(cat "$D.err")" "this stream key has expired"

# --- not H.264 --------------------------------------------------------------------------------
KEY2=$("$LECTERN" event create -c "$CONF" --data-dir "$D" --title "hevc" 2>/dev/null | jq -r .stream_key)
ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i testsrc2=size=320x240:rate=15 -t 3 \
  -c:v mpeg2video -f mpegts "srt://127.0.0.1:$SRT_PORT?streamid=$KEY2&passphrase=$PASS" >/dev/null 2>&1
contains "MPEG-2 video is refused, and the log says why" "$(cat "$D.err")" "accepts H.264 video only; this stream sends MPEG-2 video"

check "the server is still healthy" curl -sf "$U/healthz"
stop_server
eq "the server stops cleanly" 0 "$SERVER_STATUS"
tap_done
