#!/usr/bin/env bash
# Integration (issue 22): file delivery and a CDN edge.
#  - Range requests on a segment (first bytes, middle, suffix, past the end → 416, several
#    ranges → the whole file), HEAD, keep-alive, over the sendfile path.
#  - nginx proxy_cache in front of lectern (started here, on loopback) while a live is
#    published with ffmpeg: playlists cached for 1 s, segments kept, nothing per-viewer
#    cached, and 1,000 simulated viewers fetching every segment through it: the origin sees
#    about one request per segment per rendition (the ratio is printed).
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

for tool in ffmpeg jq curl; do
  if ! command -v $tool >/dev/null; then echo "# SKIP: $tool not installed"; tap_done; exit 77; fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
CONF=$T_TMP/lectern.conf
printf '[live]\nreconnect_grace = 0\n' >"$CONF"
EDITOR=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
VIEWER=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name "学员" --role viewer 2>/dev/null | jq -r .token)
# debug: the origin logs every request it answers ("GET /hls/… -> 200"), which the CDN part counts
start_server "$D" "$PORT" -c "$CONF" --log-level debug || { not_ok "server starts"; tap_done; exit 1; }

# --- Range, HEAD, keep-alive on a segment ------------------------------------------------
mkdir -p "$D/media/rangetest/source"
SEG=$D/media/rangetest/source/seg000000.ts
head -c 1500000 /dev/urandom >"$SEG"
S=$U/hls/rangetest/source/seg000000.ts
hdr=$(curl -s -D - -o "$T_TMP/r" -H 'Range: bytes=0-187' "$S")
contains "first bytes: 206" "$hdr" "HTTP/1.1 206"
contains "with Content-Range" "$hdr" "content-range: bytes 0-187/1500000"
contains "and the range's length" "$hdr" "content-length: 188"
check "the first 188 bytes are the file's" cmp "$T_TMP/r" <(head -c 188 "$SEG")
curl -s -o "$T_TMP/r" -H 'Range: bytes=700000-899999' "$S"
check "a middle range is the file's bytes" cmp "$T_TMP/r" <(tail -c +700001 "$SEG" | head -c 200000)
curl -s -o "$T_TMP/r" -H 'Range: bytes=-1000' "$S"
check "a suffix range is the file's last bytes" cmp "$T_TMP/r" <(tail -c 1000 "$SEG")
curl -s -o "$T_TMP/r" -H 'Range: bytes=1400000-' "$S"
check "an open range runs to the end" cmp "$T_TMP/r" <(tail -c 100000 "$SEG")
hdr=$(curl -s -D - -o /dev/null -H 'Range: bytes=2000000-' "$S")
contains "a range past the end: 416" "$hdr" "HTTP/1.1 416"
contains "which says the size" "$hdr" "content-range: bytes */1500000"
hdr=$(curl -s -D - -o "$T_TMP/r" -H 'Range: bytes=0-1,5-6' "$S")
contains "several ranges: the whole file, 200" "$hdr" "HTTP/1.1 200"
check "all of it" cmp "$T_TMP/r" "$SEG"
hdr=$(curl -s -D - -o "$T_TMP/r" "$S")
contains "a segment says it takes ranges" "$hdr" "accept-ranges: bytes"
contains "and keeps its cache rule" "$hdr" "cache-control: public, max-age=31536000, immutable"
contains "and the security headers" "$hdr" "x-content-type-options: nosniff"
check "the whole segment is the file" cmp "$T_TMP/r" "$SEG"
hdr=$(curl -s -I "$S")
contains "HEAD: the length" "$hdr" "content-length: 1500000"
eq "HEAD: no body" 0 "$(curl -s -I -o /dev/null -w '%{size_download}' "$S")"
v=$(curl -sv -o /dev/null -o /dev/null -o /dev/null "$S" -H 'Range: bytes=0-9' "$S" "$U/healthz" 2>&1)
contains "keep-alive: the next requests reuse the connection" "$v" "Re-using existing connection"
eq "three answers, one connection" 1 "$(grep -c 'Connected to' <<<"$v")"
eq "a segment that is not there is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -H 'Range: bytes=0-1' "$U/hls/rangetest/source/seg000009.ts")"

# --- the CDN edge ------------------------------------------------------------------------------
if [ ! -x "$NGINX" ]; then
  echo "# SKIP (CDN): nginx is not installed"; stop_server; tap_done; exit 0
fi
EDGE=$($FREEPORT)
E=http://127.0.0.1:$EDGE
mkdir -p "$T_TMP/nginx/cache" "$T_TMP/nginx/tmp"
# The configuration docs/cdn.md shows, with this test's ports and paths.
sed -e "s|@EDGE_PORT@|$EDGE|; s|@ORIGIN@|127.0.0.1:$PORT|; s|@DIR@|$T_TMP/nginx|g" \
  "$(dirname "$0")/../../docs/cdn-nginx.conf" >"$T_TMP/nginx/nginx.conf"
# As root nginx's workers would run as nobody, who may not write into this test's directory.
[ "$(id -u)" = 0 ] && sed -i '1i user root;' "$T_TMP/nginx/nginx.conf"
"$NGINX" -p "$T_TMP/nginx" -c "$T_TMP/nginx/nginx.conf" -e "$T_TMP/nginx/error.log" \
  -g "daemon off; pid $T_TMP/nginx/nginx.pid;" 2>"$T_TMP/nginx/start.err" &
NGX=$!
T_PIDS+=("$NGX")
# nginx's workers outlive a master killed with -9 (the shared cleanup): ask it to stop first.
trap 'kill -TERM "$NGX" 2>/dev/null; sleep 0.3; cleanup' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "$E/healthz" && break; sleep 0.05; done
check "nginx proxies to lectern" curl -sf -o /dev/null "$E/healthz"
mark=$(wc -l <"$D.err") # the origin's log from here on: what reached it through the edge

ev=$(curl -s -X POST -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' \
  -d '{"title":"CDN 课"}' "$U/api/v1/events")
ID=$(jq -r .id <<<"$ev")
KEY=$(jq -r .stream_key <<<"$ev")
RTMP=rtmp://127.0.0.1:$RTMP_PORT/live/$KEY
ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i "testsrc2=size=854x480:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100" -t 24 -c:v libx264 -preset veryfast \
  -tune zerolatency -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -b:v 1200k \
  -c:a aac -b:a 96k -f flv "$RTMP" 2>"$T_TMP/ffmpeg.err" &
PUB=$!
T_PIDS+=("$PUB")
for _ in $(seq 1 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$E/hls/$ID/master.m3u8")" = 200 ] && break
  sleep 0.1
done
master=$(curl -s "$E/hls/$ID/master.m3u8")
RENDS=$(grep -v '^#' <<<"$master" | cut -d/ -f1 | tr '\n' ' ')
check "the live's master comes through the edge (renditions: $RENDS)" test -n "$RENDS"

first=$(grep -v '^#' <<<"$master" | head -1)
# Header names in lower case (nginx writes its own capitalised).
hdrs() { curl -s -D - -o /dev/null "$@" | tr 'A-Z' 'a-z'; }
h1=$(hdrs "$E/hls/$ID/$first")
h2=$(hdrs "$E/hls/$ID/$first")
contains "a live playlist is cached 1 s" "$h1" "cache-control: public, max-age=1"
contains "a second fetch within the second is an edge HIT" "$h2" "x-cache-status: hit"
sleep 2.2 # nginx counts max-age in whole seconds of its own clock
lacks "two seconds on, the edge does not serve its copy without asking the origin" "$(hdrs "$E/hls/$ID/$first")" "x-cache-status: hit"
seg=$(curl -s "$E/hls/$ID/$first" | grep -m1 '^seg')
curl -s -o /dev/null "$E/hls/$ID/${first%/*}/$seg"
hs=$(hdrs "$E/hls/$ID/${first%/*}/$seg")
contains "a segment is kept (immutable)" "$hs" "immutable"
contains "and served from the edge" "$hs" "x-cache-status: hit"

# Nothing per-viewer: a member's request through the edge, then a guest's.
hv=$(curl -s -D - -o "$T_TMP/me1" -H "Authorization: Bearer $VIEWER" "$E/api/v1/me" | tr 'A-Z' 'a-z')
contains "a member's /me through the edge is answered" "$hv" "200"
hg=$(curl -s -D - -o "$T_TMP/me2" "$E/api/v1/me" | tr 'A-Z' 'a-z')
lacks "a guest after the member does not get the member's answer" "$(cat "$T_TMP/me2")" "学员"
lacks "the member's answer was not served from the edge" "$hg" "x-cache-status: hit"
hs=$(hdrs -H "Authorization: Bearer $VIEWER" "$E/hls/$ID/${first%/*}/$seg")
lacks "a segment carries no Set-Cookie, even for a member" "$hs" "set-cookie"
lacks "nor does a playlist" "$(hdrs -H "Authorization: Bearer $VIEWER" "$E/hls/$ID/$first")" "set-cookie"
hc=$(hdrs "$E/api/v1/videos")
lacks "the guest catalog through the edge sets no cookie" "$hc" "set-cookie"

# LL-HLS through the edge: 50 viewers waiting for the same next part (blocking playlist
# request) are one request held at the origin, and the answer is kept by its query.
pl=$(curl -s "$U/hls/$ID/$first")
msn=$(( $(sed -n 's/^#EXT-X-MEDIA-SEQUENCE://p' <<<"$pl") + $(grep -c '^#EXTINF' <<<"$pl") ))
part=$(awk '/^#EXTINF/ { n = 0 } /^#EXT-X-PART:/ { n++ } END { print n + 0 }' <<<"$pl")
LLQ="_HLS_msn=$msn&_HLS_part=$part"
m0=$(wc -l <"$D.err")
: >"$T_TMP/llcodes"
llpids=()
for _ in $(seq 1 50); do
  curl -s -o /dev/null -w '%{http_code}\n' "$E/hls/$ID/$first?$LLQ" >>"$T_TMP/llcodes" &
  llpids+=($!)
done
wait "${llpids[@]}"
eq "LL-HLS: 50 blocking requests for the next part through the edge, all 200" "50" "$(grep -c '^200$' "$T_TMP/llcodes")"
origin_ll=$(tail -n +"$((m0 + 1))" "$D.err" | grep -c "GET /hls/$ID/$first -> 200")
# (at most 3: the origin's log may still be flushing the plain request just before)
check "LL-HLS: they reached the origin about once, not 50 times ($origin_ll)" test "$origin_ll" -le 3 -a "$origin_ll" -ge 1
hl=$(hdrs "$E/hls/$ID/$first?$LLQ")
contains "LL-HLS: the blocking answer is kept by its query (HIT)" "$hl" "x-cache-status: hit"
contains "LL-HLS: for three target durations" "$hl" "cache-control: public, max-age=6"
lacks "LL-HLS: a plain playlist request is not answered with it" "$(hdrs "$E/hls/$ID/$first?x=$RANDOM")" "max-age=6"

# 1,000 viewers: each takes the playlist of every rendition, then each segment in it not yet
# fetched, every second until the live ends (curl --parallel, 1,000 requests a round).
ROUNDS=0
expected=0
declare -A seen
for round in $(seq 1 40); do
  kill -0 "$PUB" 2>/dev/null || break
  : >"$T_TMP/urls"
  for r in $RENDS; do
    pl=$(curl -s "$E/hls/$ID/$r/index.m3u8")
    for s in $(grep '^seg' <<<"$pl"); do
      [ -n "${seen[$r/$s]:-}" ] && continue
      seen[$r/$s]=1
      for v in $(seq 1 1000); do echo "url = \"$E/hls/$ID/$r/$s\""; echo "output = /dev/null"; done >>"$T_TMP/urls"
    done
    for v in $(seq 1 1000); do echo "url = \"$E/hls/$ID/$r/index.m3u8\""; echo "output = /dev/null"; done >>"$T_TMP/urls"
  done
  n=$(grep -c '^url' "$T_TMP/urls")
  expected=$((expected + n))
  echo "# round $round: $n requests"
  timeout 60 curl -s -Z --parallel-max 100 -K "$T_TMP/urls" -w '%{http_code}\n' >>"$T_TMP/codes" 2>/dev/null
  ROUNDS=$((ROUNDS + 1))
  sleep 0.5
done
wait "$PUB"
total=$(wc -l <"$T_TMP/codes")
bad=$(grep -vc '^200$' "$T_TMP/codes")
eq "every viewer request of $ROUNDS rounds was made (1,000 per segment and playlist)" "$expected" "$total"
check "and there were enough of them" test "$total" -ge 8000
eq "every viewer request was answered 200" 0 "$bad"
# What the origin answered meanwhile: every /hls request in its debug log.
tail -n +"$mark" "$D.err" | grep -o "GET /hls/$ID/[^ ]* -> 200" | sed 's/ -> 200//; s/^GET //' >"$T_TMP/origin"
segs=${#seen[@]}
origin_segs=$(grep -c '\.ts$' "$T_TMP/origin")
ratio=$(awk -v o="$origin_segs" -v s="$segs" 'BEGIN { printf "%.2f", s ? o / s : 0 }')
echo "# CDN: $segs segments x 1000 viewers; the origin served $origin_segs segment requests: $ratio per segment per rendition"
per=$(grep '\.ts$' "$T_TMP/origin" | sort | uniq -c | sort -rn | head -1)
echo "# most asked of one segment at the origin: $per"
check "the origin served about one request per segment per rendition ($ratio)" \
  awk -v r="$ratio" -v s="$segs" 'BEGIN { exit !(s > 4 && r >= 0.9 && r <= 1.1) }'
pls=$(grep -c '\.m3u8$' "$T_TMP/origin")
echo "# playlists: $ROUNDS rounds x 1000 viewers x $(wc -w <<<"$RENDS") renditions; the origin served $pls"
check "the origin served about one playlist request per rendition per second at most ($pls)" \
  test "$pls" -le $(( (ROUNDS * 3 + 10) * $(wc -w <<<"$RENDS") ))

kill "$NGX" 2>/dev/null; wait "$NGX" 2>/dev/null
stop_server

# --- stalled and slow readers of a file ---------------------------------------------------
# Another server on the same data: a reader that takes nothing is closed [http]
# send_stall_timeout (3 s here) after its file last moved; one that reads slowly but steadily
# is not (http_conn.c's sending queue), even past [http] idle_timeout (2 s here: lws's own
# timer on the request, which must not cut a long download).
printf '[http]\nsend_stall_timeout = 3\nidle_timeout = 2\n' >"$T_TMP/stall.conf"
head -c 40000000 /dev/zero >"$D/media/rangetest/source/big.mp4"
PORT=$($FREEPORT)
if ! command -v python3 >/dev/null; then
  echo "# SKIP stalled readers: python3 not installed"
elif start_server "$D" "$PORT" -c "$T_TMP/stall.conf"; then
  st=$(python3 "$(dirname "$0")/../lib/stall.py" "$PORT" /hls/rangetest/source/big.mp4 8)
  echo "# stall: $st"
  check "a reader that takes nothing is closed 3-5 s after it stalled ($st)" \
    jq -e '.stalled_closed_s != null and .stalled_closed_s >= 2.9 and .stalled_closed_s <= 5.5' <<<"$st"
  check "a slow steady reader is kept past idle_timeout and gets its bytes ($st)" \
    jq -e '.slow_open and .slow_bytes > 500000 and .open_at_end == .open_at_start - 1' <<<"$st"
  stop_server
else
  not_ok "the second server starts"
fi
tap_done
