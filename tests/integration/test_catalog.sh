#!/usr/bin/env bash
# Integration: the archive API over real HTTP — an editor curates a column with curl, the
# public reads it with caching headers, search in Chinese, images, bad input.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT/api/v1
EDITOR=$("$LECTERN" member add --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
VIEWER=$("$LECTERN" member add --data-dir "$D" --name "学员" --role viewer 2>/dev/null | jq -r .token)
# A short grace, so the files of a deleted video are removed while the test waits.
printf '[storage]\ndeleted_grace = 3\n' >"$T_TMP/lectern.conf"
start_server "$D" "$PORT" -c "$T_TMP/lectern.conf" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"

ed() { local m=$1 p=$2; shift 2; curl -s -X "$m" -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$U$p" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# --- an editor schedules, publishes and files a lesson ---------------------------
# A start time relative to now, so "upcoming" stays true whatever the date.
STARTS=$(date -d '+2 days' +%Y-%m-%dT%H:%M:%S%:z)
V=$(ed POST /events -d "{\"title\":\"劳模讲堂：焊花里的青春\",\"presenter\":\"王师傅\",\"kind\":\"model-worker\",\"starts\":\"$STARTS\"}" | jq -r .id)
check "event scheduled" test -n "$V" -a "$V" != null
eq "draft not public" 404 "$(code "$U/videos/$V")"
out=$(ed PATCH "/videos/$V" -d '{"visibility":"published","category":"思想引领","tags":["劳模","双减"],"description":"Welding lessons"}')
eq "PATCH over HTTP" published "$(jq -r .visibility <<<"$out")"
eq "column created (201)" 201 "$(ed POST /columns -o /dev/null -w '%{http_code}' -d '{"slug":"craft","title":"工匠课堂"}')"
out=$(ed POST /columns/craft/items -d "{\"video_id\":\"$V\",\"featured\":true}")
eq "item added" 1 "$(jq -r .item_count <<<"$out")"
eq "public column lists it" "$V" "$(curl -s "$U/columns/craft" | jq -r '.items[0].video.id')"
eq "upcoming lists it" "$V" "$(curl -s "$U/lives/upcoming" | jq -r '.videos[0].id')"

search() { curl -s -G "$U/videos" --data-urlencode "q=$1" | jq -r '.total'; }
eq "search 劳模 (URL-encoded Chinese)" 1 "$(search 劳模)"
eq "search 双减 (a tag)" 1 "$(search 双减)"
eq "search welding (English, any case)" 1 "$(search WELDING)"
eq "search 健康 finds nothing" 0 "$(search 健康)"

# --- caching headers over the wire ----------------------------------------------
h=$(curl -s -D - -o /dev/null "$U/columns")
contains "ETag on reads" "$h" "etag: \""
contains "Last-Modified on reads" "$h" "last-modified: "
contains "public Cache-Control for guests" "$h" "cache-control: public, max-age=10"
contains "Vary: Authorization" "$h" "vary: Authorization"
etag=$(sed -n 's/^etag: \(.*\)\r$/\1/p' <<<"$h")
eq "If-None-Match answers 304" 304 "$(code -H "If-None-Match: $etag" "$U/columns")"
lm=$(sed -n 's/^last-modified: \(.*\)\r$/\1/p' <<<"$h")
sleep 1.1
eq "If-Modified-Since answers 304" 304 "$(code -H "If-Modified-Since: $lm" "$U/columns")"
ed PATCH /columns/craft -o /dev/null -d '{"description":"新的介绍"}'
eq "after a change: 200 again" 200 "$(code -H "If-None-Match: $etag" "$U/columns")"
contains "signed-in reads are private" "$(curl -s -D - -o /dev/null -H "Authorization: Bearer $VIEWER" "$U/columns")" "cache-control: private, no-cache"

# --- images ----------------------------------------------------------------------
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$T_TMP/c.png"
cover=$(curl -s -X PUT -H "Authorization: Bearer $EDITOR" -H 'content-type: image/png' --data-binary @"$T_TMP/c.png" "$U/columns/craft/cover" | jq -r .cover_url)
contains "cover stored under /images/" "$cover" "/images/"
h=$(curl -s -D - -o "$T_TMP/got.png" "http://127.0.0.1:$PORT$cover")
contains "cover served as PNG" "$h" "content-type: image/png"
contains "cover immutable" "$h" "immutable"
check "cover bytes intact" cmp -s "$T_TMP/c.png" "$T_TMP/got.png"
eq "not an image: 415" 415 "$(code -X PUT -H "Authorization: Bearer $EDITOR" --data-binary '<svg/>' "$U/columns/craft/cover")"
for p in "../lectern.db" "%2e%2e/lectern.db" "..%2flectern.db"; do
  c=$(code --path-as-is "http://127.0.0.1:$PORT/images/$p")
  check "image path escape /images/$p refused ($c)" test "$c" = 400 -o "$c" = 404
done

# --- bad input over HTTP ---------------------------------------------------------
eq "viewer on an editor route: 403" 403 "$(code -X PATCH -H "Authorization: Bearer $VIEWER" -H 'content-type: application/json' -d '{"title":"x"}' "$U/videos/$V")"
eq "no credential: 401" 401 "$(code -X POST -H 'content-type: application/json' -d '{"slug":"x","title":"x"}' "$U/columns")"
out=$(ed POST /columns -d '{"slug":"Bad Slug!","title":"x"}')
eq "invalid slug named" invalid_slug "$(jq -r .error.code <<<"$out")"
out=$(ed PATCH "/videos/$V" -d '{"category":"无此分类"}')
eq "unknown category named" unknown_category "$(jq -r .error.code <<<"$out")"
out=$(ed PATCH "/videos/$V" -d '{"title":')
eq "malformed JSON named" malformed_json "$(jq -r .error.code <<<"$out")"
out=$(ed PATCH "/videos/$V" -d '{"title":"<script>alert(1)</script>'"'"'; DROP TABLE video;--"}')
eq "markup stored verbatim" "<script>alert(1)</script>'; DROP TABLE video;--" "$(jq -r .title <<<"$out")"
lacks "markup escaped on output" "$out" "<script>"
eq "the video table survived" 1 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM video")"
# schedule, 2 video edits, column create, item add, column edit, cover; refusals leave none
eq "audit log holds the changes" 7 "$(ed GET /audit | jq '.entries | length')"
eq "server still healthy" 200 "$(code "http://127.0.0.1:$PORT/healthz")"

# --- removing a column's cover -----------------------------------------------------
eq "a guest cannot remove a cover: 401" 401 "$(code -X DELETE "$U/columns/craft/cover")"
eq "a viewer cannot: 403" 403 "$(code -X DELETE -H "Authorization: Bearer $VIEWER" "$U/columns/craft/cover")"
eq "no such column: 404" 404 "$(code -X DELETE -H "Authorization: Bearer $EDITOR" "$U/columns/nope/cover")"
eq "the cover is still there" "$cover" "$(curl -s "$U/columns/craft" | jq -r .cover_url)"
eq "removed: the answer has no cover" null "$(ed DELETE /columns/craft/cover | jq -c .cover_url)"
eq "the public column shows none" null "$(curl -s "$U/columns/craft" | jq -c .cover_url)"
eq "the list shows none" null "$(curl -s "$U/columns" | jq -c '.columns[] | select(.slug == "craft") | .cover_url')"
a=$(ed GET /audit | jq -c '.entries[0] | [.action, .target_id, .detail.cover_url]')
eq "the removal is audited" '["column.cover","craft",null]' "$a"
eq "removing it again is no error" 200 "$(code -X DELETE -H "Authorization: Bearer $EDITOR" "$U/columns/craft/cover")"

# --- deleting a video: soft, audited, gone everywhere, files removed after the grace ---------
H=http://127.0.0.1:$PORT/hls
out=$(ed POST /events -d '{"title":"上传失败的课","visibility":"published"}')
X=$(jq -r .id <<<"$out")
XKEY=$(jq -r .stream_key <<<"$out")
mkdir -p "$D/media/$X/v0"
printf '#EXTM3U\n' >"$D/media/$X/master.m3u8"
printf 'segment' >"$D/media/$X/v0/0.ts"
ed POST /columns/craft/items -o /dev/null -d "{\"video_id\":\"$X\"}"
eq "before: /hls serves it" 200 "$(code "$H/$X/master.m3u8")"
eq "before: the column has it" 2 "$(curl -s "$U/columns/craft" | jq .item_count)"
sqlite3 "$D/lectern.db" "INSERT INTO points_ledger (member_id, amount, reason, video_id, idempotency_key, created_at) VALUES ('m1', 4, 'watch', '$X', 'watch:m1:$X:1', 1)"
eq "a viewer cannot delete: 403" 403 "$(code -X DELETE -H "Authorization: Bearer $VIEWER" "$U/videos/$X")"
out=$(ed DELETE "/videos/$X")
eq "deleted (the columns it left named)" '["craft"]' "$(jq -c .columns <<<"$out")"
check "its files wait in the trash" test -f "$D/media/.deleted/$X/master.m3u8"
eq "404 by id for guests" 404 "$(code "$U/videos/$X")"
eq "404 by id for editors" 404 "$(code -H "Authorization: Bearer $EDITOR" "$U/videos/$X")"
eq "deleting again: 404" 404 "$(code -X DELETE -H "Authorization: Bearer $EDITOR" "$U/videos/$X")"
lacks "gone from the public list" "$(curl -s "$U/videos")" "$X"
lacks "gone from the editors' list" "$(ed GET '/videos?visibility=any&per_page=100')" "$X"
lacks "gone from upcoming lives" "$(curl -s "$U/lives/upcoming")" "$X"
eq "gone from search" 0 "$(curl -s -G "$U/videos" --data-urlencode "q=上传失败" | jq .total)"
eq "gone from the column" 1 "$(curl -s "$U/columns/craft" | jq .item_count)"
eq "/hls refuses its playlist" 404 "$(code "$H/$X/master.m3u8")"
eq "/hls refuses its segments" 404 "$(code "$H/$X/v0/0.ts")"
c=$(code "$H/.deleted/$X/master.m3u8")
check "/hls never serves the trash ($c)" test "$c" = 400 -o "$c" = 404
a=$(ed GET "/audit?target_type=video&target_id=$X" | jq -c '.entries[0] | [.action, .detail.title, .detail.columns]')
eq "audited with what it was" '["video.delete","上传失败的课",["craft"]]' "$a"
for _ in $(seq 1 100); do [ -e "$D/media/.deleted/$X" ] || break; sleep 0.1; done
check "files removed after the grace (3 s)" test ! -e "$D/media/.deleted/$X" -a ! -e "$D/media/$X"
eq "the purge is recorded" 1 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM video WHERE id = '$X' AND deleted_at IS NOT NULL AND media_purged_at >= deleted_at")"
eq "points earned on it stay in the ledger" 4 "$(sqlite3 "$D/lectern.db" "SELECT sum(amount) FROM points_ledger WHERE video_id = '$X'")"
eq "its stream key is gone" 0 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM video WHERE id = '$X' AND stream_key_hash IS NOT NULL")"
check "the old key was not empty" test -n "$XKEY"

# --- a new stream key ------------------------------------------------------------------
out=$(ed POST "/videos/$V/rekey")
NEWKEY=$(jq -r .stream_key <<<"$out")
check "a new key shown once" test "${#NEWKEY}" -ge 20
contains "with its URL" "$(jq -r .rtmp_url <<<"$out")" "/$NEWKEY"
eq "the key is audited, not stored there" '"video.rekey"' "$(ed GET "/audit?target_id=$V" | jq '.entries[0].action')"
lacks "the audit log never holds the key" "$(ed GET /audit)" "$NEWKEY"
# Browsers send "Content-Length: 0" with a POST that has no body: one answer, not two.
out=$(curl -s -X POST -H "Authorization: Bearer $EDITOR" -H 'content-length: 0' "$U/videos/$V/rekey")
check "an empty POST body gets one JSON answer" jq -e '.stream_key | length > 20' <<<"$out"
out=$("$LECTERN" event rekey --data-dir "$D" "$V" 2>/dev/null)
CLIKEY=$(jq -r .stream_key <<<"$out")
check "lectern event rekey prints a new key" test "${#CLIKEY}" -ge 20 -a "$CLIKEY" != "$NEWKEY"
eq "the CLI's rekey is audited as the command line" '"cli"' "$(ed GET "/audit?target_id=$V" | jq '.entries[0].member_id')"
eq "lectern event rekey of a deleted video: not_found" not_found "$("$LECTERN" event rekey --data-dir "$D" "$X" 2>/dev/null | jq -r .error.code)"


# --- guests' reads from memory (issue 24): kept, and never stale after a write ----------
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
curl -s "$U/lives/upcoming" >/dev/null
h0=$(metric lectern_api_cache_hits_total)
eq "upcoming, read again" "$V" "$(curl -s "$U/lives/upcoming" | jq -r '.videos[0].id')"
check "the repeated guest read came from memory" test "$(metric lectern_api_cache_hits_total)" -gt "${h0:-0}"
eq "a member's read is not a guest's" "private, no-cache" \
  "$(curl -s -D - -o /dev/null -H "Authorization: Bearer $VIEWER" "$U/lives/upcoming" | tr -d '\r' | sed -n 's/^cache-control: //Ip')"
# Another process writes the database: the next guest read says so.
sqlite3 "$D/lectern.db" "UPDATE video SET title = '改过的标题', updated_at = unixepoch() WHERE id = '$V'"
eq "another process's write is seen at once" "改过的标题" "$(curl -s "$U/lives/upcoming" | jq -r '.videos[0].title')"
ed PATCH "/videos/$V" -d '{"title":"再改一次"}' >/dev/null
eq "an editor's change is seen at once" "再改一次" "$(curl -s "$U/videos/$V" | jq -r .title)"
eq "…in every kept answer" "再改一次" "$(curl -s "$U/lives/upcoming" | jq -r '.videos[0].title')"

stop_server
eq "clean exit" 0 "$SERVER_STATUS"
tap_done
