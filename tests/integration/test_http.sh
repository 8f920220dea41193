#!/usr/bin/env bash
# Integration: a real `lectern serve` on a free loopback port, read with curl.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT

ADMIN=$("$LECTERN" member add --data-dir "$D" --name "管理员" --role admin 2>/dev/null | jq -r .token)
EDITOR=$("$LECTERN" member add --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
VIEWER=$("$LECTERN" member add --data-dir "$D" --name "学员" --role viewer --real-name-verified 2>/dev/null | jq -r .token)
check "member add printed tokens" test -n "$ADMIN" -a -n "$EDITOR" -a -n "$VIEWER"

# HLS fixtures in the media root, one per MIME type served there.
mkdir -p "$D/media/v1/720p"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n' >"$D/media/v1/720p/index.m3u8"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-ENDLIST\n' >"$D/media/v1/720p/vod.m3u8"
for f in 720p/seg0.ts 720p/seg0.m4s 720p/init.mp4 thumbs.vtt poster.jpg; do echo data >"$D/media/v1/$f"; done

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts and answers /healthz"

# --- health, metrics, static -------------------------------------------------
body=$(curl -s "$U/healthz")
contains "/healthz reports ok" "$body" '"status":"ok"'
contains "/healthz checks the database" "$body" '"database":"ok"'

curl -s -o /dev/null "$U/does-not-exist"
metrics=$(curl -s "$U/metrics")
contains "/metrics has uptime" "$metrics" "lectern_uptime_seconds "
contains "/metrics counts 200s" "$metrics" 'lectern_http_requests_total{status="200"}'
contains "/metrics counts 404s" "$metrics" 'lectern_http_requests_total{status="404"}'
contains "/metrics has open connections" "$metrics" "lectern_connections_open "
gauge() { curl -s "$U/metrics" | sed -n 's/^lectern_connections_open //p'; }
exec 5<>/dev/tcp/127.0.0.1/"$PORT" 6<>/dev/tcp/127.0.0.1/"$PORT"
sleep 0.3
eq "open connections count idle sockets (2 + this request)" 3 "$(gauge)"
exec 5>&- 6>&-
sleep 0.3
eq "closed sockets leave the gauge" 1 "$(gauge)"
# Keep-alive ([http] keepalive_timeout, 5 s by default): lectern closes a connection that
# waited that long for its next request itself (http_conn.c's idle queue, not lws's timer:
# docs/delivery.md). 300 idle ones, one asking every second, one upgraded to /ws after a
# request on the same connection.
if command -v python3 >/dev/null; then
  ka=$(python3 "$(dirname "$0")/../lib/keepalive.py" "$PORT" /hls/v1/720p/index.m3u8 300 8)
  echo "# keep-alive: $ka"
  eq "keep-alive: every idle connection closed by the server" 300 "$(jq .idle_closed <<<"$ka")"
  check "keep-alive: none before 5 s, all within 7 s of its answer" \
    jq -e '.idle_closed_min_s >= 4.9 and .idle_closed_max_s <= 7' <<<"$ka"
  eq "keep-alive: a connection asking every second is answered every time" 9 "$(jq .busy_answers <<<"$ka")"
  eq "keep-alive: and stays open" true "$(jq .busy_open <<<"$ka")"
  eq "keep-alive: a /ws upgrade after a request on the same connection" true "$(jq .ws_upgraded <<<"$ka")"
  eq "keep-alive: the WebSocket is not closed as an idle HTTP connection" true "$(jq .ws_open <<<"$ka")"
  # Nothing else going on: the server wakes lws to close it (it would wait for a socket).
  ka=$(python3 "$(dirname "$0")/../lib/keepalive.py" "$PORT" /hls/v1/720p/index.m3u8 1 8 quiet)
  check "keep-alive: on a quiet server too, within 7 s ($ka)" \
    jq -e '.idle_closed == 1 and .idle_closed_max_s <= 7' <<<"$ka"
  eq "keep-alive: the server answers after it" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")"
else
  echo "# SKIP keep-alive: python3 not installed"
fi

eq "/metrics content type" "text/plain; version=0.0.4; charset=utf-8" \
  "$(curl -s -o /dev/null -w '%{content_type}' "$U/metrics")"

headers=$(curl -s -D - -o "$T_TMP/index.html" "$U/")
contains "static index served" "$headers" "HTTP/1.1 200"
contains "static index is html" "$headers" "content-type: text/html"
contains "CSP header on pages" "$headers" "content-security-policy: default-src 'self'; script-src 'self'"
check "static index body is web/index.html" cmp -s "$T_TMP/index.html" "$LECTERN_SOURCE_DIR/web/index.html"
eq "static css served" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/css/lectern.css")"
eq "unknown page is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$U/no/such/page.html")"
# The styled 404 page: web/404.html (the site's header, a way home) with status 404, for
# pages at any depth; a missing script or image still gets the short plain answer.
headers=$(curl -s -D - -o "$T_TMP/404.html" "$U/no/such/page")
contains "unknown page: status 404" "$headers" "HTTP/1.1 404"
contains "unknown page: html" "$headers" "content-type: text/html"
contains "unknown page: the CSP still applies" "$headers" "content-security-policy: default-src 'self'"
check "unknown page: body is web/404.html" cmp -s "$T_TMP/404.html" "$LECTERN_SOURCE_DIR/web/404.html"
contains "404 page has the site header" "$(cat "$T_TMP/404.html")" 'id="site-header"'
eq "missing script: plain 404" "404 text/plain; charset=utf-8" \
  "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$U/js/no-such.js")"
eq "HEAD of an unknown page: 404" 404 "$(curl -s -I -o /dev/null -w '%{http_code}' "$U/nope.html")"

# OpenGraph meta in the lesson page as sent (crawlers run no script): filled by the server
# for a video viewers may see, every value escaped; nothing for drafts or unknown ids.
og_ed() { curl -s -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$@"; }
OGV=$(og_ed "$U/api/v1/events" -d "{\"title\":\"匠心 \\\"课\\\" <b>&</b>\",\"presenter\":\"王师傅\",\"starts\":\"$(date -u -d '+1 hour' +%FT%TZ)\",\"visibility\":\"published\"}" | jq -r .id)
og_ed -X PATCH "$U/api/v1/videos/$OGV" -d '{"description":"用焊枪画直线。<script>alert(1)</script>"}' >/dev/null
page=$(curl -s "$U/watch.html?v=$OGV")
contains "og:title escaped" "$page" '<meta property="og:title" content="匠心 &quot;课&quot; &lt;b&gt;&amp;&lt;/b&gt;">'
contains "og:description escaped" "$page" '<meta property="og:description" content="用焊枪画直线。&lt;script&gt;alert(1)&lt;/script&gt;">'
contains "og:type video" "$page" '<meta property="og:type" content="video.other">'
contains "og:url absolute" "$page" "<meta property=\"og:url\" content=\"http://127.0.0.1:$PORT/watch.html?v=$OGV\">"
contains "page title is the lesson's" "$page" '<title>匠心 &quot;课&quot; &lt;b&gt;&amp;&lt;/b&gt; · 工会公益课堂</title>'
lacks "no raw markup from the video" "$page" '<script>alert'
lacks "marker replaced" "$page" '<!--og-->'
check "the page's scripts are still there" grep -q 'src="/js/video-page.js"' <<<"$page"
DRAFT=$(og_ed "$U/api/v1/events" -d "{\"title\":\"内部草稿\",\"starts\":\"$(date -u -d '+1 hour' +%FT%TZ)\"}" | jq -r .id)
page=$(curl -s "$U/watch.html?v=$DRAFT")
lacks "a draft's title is not disclosed" "$page" '内部草稿'
lacks "no og meta for a draft" "$page" 'og:title'
check "unknown id: the plain page" cmp -s <(curl -s "$U/watch.html?v=nosuchvideo") "$LECTERN_SOURCE_DIR/web/watch.html"
check "no id: the plain page" cmp -s <(curl -s "$U/watch.html") "$LECTERN_SOURCE_DIR/web/watch.html"
lacks "CORS off by default" "$headers" "access-control-allow-origin"
# npm packages: hls.js is served at /vendor/hls/ (from web/node_modules); the rest is not served.
if [ -f "$LECTERN_SOURCE_DIR/web/node_modules/hls.js/dist/hls.min.js" ]; then
  eq "hls.js served at /vendor/hls/" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/vendor/hls/hls.min.js")"
  eq "hls.js is javascript" "text/javascript; charset=utf-8" \
    "$(curl -s -o /dev/null -w '%{content_type}' "$U/vendor/hls/hls.min.js")"
  eq "Chart.js served at /vendor/chart/" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/vendor/chart/chart.umd.min.js")"
  eq "the QR code library served at /vendor/qrcode/" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/vendor/qrcode/qrcode.js")"
fi
for p in /node_modules/hls.js/package.json /node_modules/playwright-core/package.json /package.json \
         /package-lock.json /vendor/hls/../package.json /vendor/hls/x/hls.min.js /vendor/other.js \
         /vendor/chart/../package.json /vendor/qrcode/ /vendor/chart/chunks/helpers.dataset.js; do
  eq "not served: $p" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$U$p")"
done

# --- HLS mount: MIME types and Cache-Control ---------------------------------
mime() { curl -s -o /dev/null -w '%{content_type}' "$U/hls/v1/$1"; }
eq "m3u8 MIME" "application/vnd.apple.mpegurl" "$(mime 720p/index.m3u8)"
eq "ts MIME" "video/mp2t" "$(mime 720p/seg0.ts)"
eq "m4s MIME" "video/iso.segment" "$(mime 720p/seg0.m4s)"
eq "mp4 MIME" "video/mp4" "$(mime 720p/init.mp4)"
eq "vtt MIME" "text/vtt; charset=utf-8" "$(mime thumbs.vtt)"
eq "jpg MIME" "image/jpeg" "$(mime poster.jpg)"
cc() { curl -s -D - -o /dev/null "$U/hls/v1/$1" | tr -d '\r' | sed -n 's/^cache-control: //p'; }
eq "live playlist cached 1 s" "public, max-age=1" "$(cc 720p/index.m3u8)"
eq "finished playlist cached long" "public, max-age=3600" "$(cc 720p/vod.m3u8)"
eq "segments immutable" "public, max-age=31536000, immutable" "$(cc 720p/seg0.ts)"

# A playlist kept in memory is answered with its kept whole answer (docs/delivery.md): the
# same status line, headers and body as the usual way, which HEAD and HTTP/1.0 still take.
PL=$U/hls/v1/720p/index.m3u8
reads() { curl -s "$U/metrics" | sed -n "s/^lectern_hls_playlist_reads_total{from=\"$1\"} //p"; }
curl -s -o /dev/null "$PL"; sleep 0.2; curl -s -o /dev/null "$PL" # seen, then kept
before=$(reads kept_answer)
got=$(curl -s -D "$T_TMP/kept.h" "$PL")
eq "a kept playlist: answered whole from memory" $((before + 1)) "$(reads kept_answer)"
eq "a kept playlist: its body is the file" "$(cat "$D/media/v1/720p/index.m3u8")" "$got"
curl -s -I "$PL" >"$T_TMP/head.h"
eq "a kept playlist: the same headers as the usual way's (HEAD)" "$(sort "$T_TMP/head.h")" "$(sort "$T_TMP/kept.h")"
eq "HEAD is not answered with the kept answer" $((before + 1)) "$(reads kept_answer)"
h10=$(curl -s --http1.0 -D - -o /dev/null "$PL" | tr -d '\r')
contains "HTTP/1.0 gets an HTTP/1.0 answer, the usual way" "$h10" "HTTP/1.0 200 OK"
eq "HTTP/1.0 is not answered with the kept answer" $((before + 1)) "$(reads kept_answer)"
# Rewritten as the writer does (rename): the new text at once, never the old answer.
printf '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg0.ts\n' >"$D/media/v1/720p/index.m3u8.tmp"
mv "$D/media/v1/720p/index.m3u8.tmp" "$D/media/v1/720p/index.m3u8"
contains "a rewritten playlist is served as it is now" "$(curl -s "$PL")" "seg0.ts"
sleep 0.2; curl -s -o /dev/null "$PL"
contains "and then from its new kept answer" "$(curl -s "$PL")" "seg0.ts"
check "the new kept answer was used ($(reads kept_answer))" test "$(reads kept_answer)" -ge $((before + 2))
eq "missing segment is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$U/hls/v1/720p/seg9.ts")"

# --- traversal: nothing outside the roots, ever -------------------------------
for p in "/hls/../lectern.db" "/hls/%2e%2e/lectern.db" "/hls/%2E%2E/lectern.db" \
         "/hls/%252e%252e/lectern.db" "/hls/..%2flectern.db" "/hls/..%252flectern.db" \
         "/hls/v1/../../lectern.db" "/hls/v1/..%5c..%5clectern.db" "/hls//etc/passwd" \
         "/hls/%2fetc%2fpasswd" "/hls/.%2e/.%2e/lectern.db" "/../lectern.db" "/%2e%2e/data/lectern.db" \
         "/hls/v1/%00../../lectern.db" "/secret.key" "/hls/../secret.key" "/hls/.hidden.ts"; do
  code=$(curl -s --path-as-is -o "$T_TMP/trav" -w '%{http_code}' "$U$p")
  if [ "$code" != 200 ] && ! grep -q "SQLite format" "$T_TMP/trav" && [ "$(wc -c <"$T_TMP/trav")" -lt 200 ]; then
    ok "traversal refused ($code): $p"
  else
    not_ok "traversal refused: $p" "got $code"
  fi
done
eq "validator answers 400 for double-encoding" 400 \
  "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$U/hls/%252e%252e/lectern.db")"
eq "validator answers 400 for backslashes" 400 \
  "$(curl -s --path-as-is -o /dev/null -w '%{http_code}' "$U/hls/v1/..%5c..%5clectern.db")"
contains "refusals are logged" "$(cat "$D.err")" "refused path outside media root"

# --- API: auth, roles, error shape, limits -----------------------------------
code() { curl -s -o "$T_TMP/resp" -w '%{http_code}' "$@"; }
eq "editor route without credential: 401" 401 "$(code "$U/api/v1/members")"
contains "401 has the error shape" "$(cat "$T_TMP/resp")" '{"error":{"code":"unauthorized","message":'
eq "editor route with a bad token: 401" 401 "$(code -H "Authorization: Bearer lct1.x.AAAAAAAAAAAAAAAAAAAAAAAAAA" "$U/api/v1/members")"
eq "editor route with a viewer token: 403" 403 "$(code -H "Authorization: Bearer $VIEWER" "$U/api/v1/members")"
contains "403 has the error shape" "$(cat "$T_TMP/resp")" '"code":"forbidden"'
eq "editor route with an editor token: 200" 200 "$(code -H "Authorization: Bearer $EDITOR" "$U/api/v1/members")"
eq "/api/v1/me as viewer" 200 "$(code -H "Authorization: Bearer $VIEWER" "$U/api/v1/me")"
contains "/api/v1/me names the member" "$(cat "$T_TMP/resp")" '"display_name":"学员"'
eq "unknown API path: 404 JSON" 404 "$(code "$U/api/v1/nope")"
contains "404 JSON error shape" "$(cat "$T_TMP/resp")" '"code":"not_found"'
eq "wrong method: 405" 405 "$(code -X DELETE -H "Authorization: Bearer $ADMIN" "$U/api/v1/members")"
eq "malformed JSON: 400" 400 "$(code -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' --data '{"display_name":' "$U/api/v1/members")"
contains "malformed JSON explained" "$(cat "$T_TMP/resp")" '"code":"malformed_json"'
eq "admin creates a member" 201 "$(code -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' --data '{"display_name":"新学员","role":"viewer"}' "$U/api/v1/members")"
NEWTOK=$(jq -r .token "$T_TMP/resp")
eq "new member's token works" 200 "$(code -H "Authorization: Bearer $NEWTOK" "$U/api/v1/me")"
head -c 2000000 /dev/zero | tr '\0' 'a' >"$T_TMP/big"
eq "oversize body: 413" 413 "$(code -X POST -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' --data-binary @"$T_TMP/big" "$U/api/v1/members")"
big_header=$(head -c 20000 /dev/zero | tr '\0' 'b')
c=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big_header" "$U/healthz")
if [ "$c" != 200 ]; then ok "oversize header refused ($c)"; else not_ok "oversize header refused"; fi
eq "server still healthy after bad input" 200 "$(code "$U/healthz")"

# --- secrets at rest ----------------------------------------------------------
if grep -qa -- "${VIEWER##*.}" "$D/lectern.db" "$D/lectern.db-wal" 2>/dev/null; then
  not_ok "tokens are not stored in plain text"
else
  ok "tokens are not stored in plain text"
fi

# --- lifecycle ----------------------------------------------------------------
PORT2=$($FREEPORT)
"$LECTERN" serve --data-dir "$T_TMP/other" --http-port "$PORT" >/dev/null 2>"$T_TMP/inuse.err"
eq "port in use: exit 1" 1 "$?"
contains "port in use: clear message" "$(cat "$T_TMP/inuse.err")" "Address already in use"

stop_server
eq "SIGTERM: exit 0" 0 "$SERVER_STATUS"
contains "SIGTERM: orderly shutdown logged" "$(cat "$D.err")" "bye"

start_server "$D" "$PORT2" || not_ok "restart"
kill -INT "$SERVER_PID"; wait "$SERVER_PID"; st=$?
eq "SIGINT: exit 0" 0 "$st"

# A response in flight is finished before exit: a slow reader of a segment larger
# than the socket buffers still gets every byte.
head -c 24000000 /dev/urandom >"$D/media/v1/720p/big.ts"
start_server "$D" "$PORT2"
curl -s --limit-rate 12M -o "$T_TMP/slow" "http://127.0.0.1:$PORT2/hls/v1/720p/big.ts" &
CURL=$!
sleep 0.5
kill -TERM "$SERVER_PID"; wait "$SERVER_PID"; st=$?
wait "$CURL"
eq "drain: exit 0" 0 "$st"
eq "drain: in-flight response completed" "$(wc -c <"$D/media/v1/720p/big.ts")" "$(wc -c <"$T_TMP/slow")"

start_server "$D" "$PORT2"
kill -TERM "$SERVER_PID"; kill -TERM "$SERVER_PID"
for _ in $(seq 1 40); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$SERVER_PID" 2>/dev/null; then not_ok "second signal exits at once"; else ok "second signal exits at once"; fi
wait "$SERVER_PID" 2>/dev/null

tap_done
