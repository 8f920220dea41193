#!/usr/bin/env bash
# Integration: the viewer app (web/*.html) in headless Chromium (tests/web/viewer.mjs) against
# a real server: a real imported lesson in a column, a live published by ffmpeg over RTMP,
# real-name members and a guest watching with the watch-time client on /ws and an open points
# campaign. Screenshots go to $LECTERN_ARTIFACTS/viewer/.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}" "${LECTERN_SOURCE_DIR:?}"

WEB=$LECTERN_SOURCE_DIR/web
for need in node /usr/bin/chromium ffmpeg jq sqlite3; do
  command -v "$need" >/dev/null || { echo "# skip: $need missing (scripts/install-deps installs it)"; exit 77; }
done
[ -d "$WEB/node_modules/playwright-core" ] && [ -f "$WEB/node_modules/hls.js/dist/hls.min.js" ] ||
  { echo "# skip: run npm ci in web/ (scripts/install-deps does)"; exit 77; }

D=$T_TMP/data
PORT=$($FREEPORT)
RTMP_PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
CONF=$T_TMP/lectern.conf
# A light ladder (the source and one encoded rung) keeps three players, a live and the
# server within two cores; 4 s thumbnails, 4 s VOD segments; a 60 s live window, so that a
# player can fall 20 s behind the live edge (and be offered "back to live").
printf '[live]\nladder = copy,426x240@300\nwindow = 30\n[vod]\nstoryboard_interval = 4\n' >"$CONF"
add() { "$LECTERN" member add -c "$CONF" --data-dir "$D" "$@" 2>/dev/null | jq -r .token; }
EDITOR=$(add --name "编辑" --role editor)
MEMBER=$(add --name "实名学员" --role viewer --real-name-verified)
HIDDEN=$(add --name "后台学员" --role viewer --real-name-verified)
SPEED=$(add --name "倍速学员" --role viewer --real-name-verified)

# The lesson: 100 s at 640x360 with a tone (long enough that the member earns a point, at 60 s
# credited, and still pauses more than 5 s before the end for the resume step), imported into the ladder before the server starts.
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440 -t 100 \
  -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p -c:a aac -shortest "$T_TMP/lesson.mp4"
VIDEO=$("$LECTERN" import "$T_TMP/lesson.mp4" -c "$CONF" --data-dir "$D" --title "劳模讲堂：焊花里的匠心" \
  --presenter "王师傅" --kind model-worker --wait 2>/dev/null | jq -r .id)
check "lesson imported" test -n "$VIDEO" -a "$VIDEO" != null
check "lesson has a storyboard" test -s "$D/media/$VIDEO/storyboard.vtt"
# The next lesson of the column (for the end screen): 12 s.
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=550 -t 12 \
  -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p -c:a aac -shortest "$T_TMP/next.mp4"
NEXT=$("$LECTERN" import "$T_TMP/next.mp4" -c "$CONF" --data-dir "$D" --title "劳模讲堂：第二课" \
  --presenter "王师傅" --kind model-worker --wait 2>/dev/null | jq -r .id)
check "next lesson imported" test -n "$NEXT" -a "$NEXT" != null
ffmpeg -v error -f lavfi -i color=c=0xc0392b:size=640x360 -frames:v 1 "$T_TMP/live-poster.jpg"

start_server "$D" "$PORT" -c "$CONF" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
api() { curl -sf -X "$1" -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$U/api/v1$2" ${3:+-d "$3"}; }
check "lesson published" api PATCH "/videos/$VIDEO" '{"visibility":"published","description":"用焊枪画出一条直线。","tags":["劳模","工匠精神"]}'
check "chapters set" api PUT "/videos/$VIDEO/chapters" '{"chapters":[{"start":0,"title":"开场"},{"start":30,"title":"动手做"},{"start":60,"title":"总结"}]}'
check "column created" api POST /columns '{"slug":"craft","title":"大国工匠","description":"劳模工匠讲手艺。"}'
check "lesson filed and featured" api POST /columns/craft/items "{\"video_id\":\"$VIDEO\",\"featured\":true}"
check "next lesson published" api PATCH "/videos/$NEXT" '{"visibility":"published"}'
check "next lesson filed after it" api POST /columns/craft/items "{\"video_id\":\"$NEXT\"}"
today=$(TZ=Asia/Shanghai date +%F) until=$(TZ=Asia/Shanghai date -d '+7 days' +%F)
check "points campaign open" api POST /campaigns "{\"name\":\"测试积分\",\"starts_on\":\"$today\",\"ends_on\":\"$until\",\"points_per_minute\":1,\"daily_cap\":30,\"live_bonus_points\":3,\"live_bonus_minutes\":10}"
live=$(api POST /events "{\"title\":\"直播：工会送课进校园\",\"presenter\":\"赵师傅\",\"kind\":\"teacher\",\"starts\":\"$(date -u -d '+1 hour' +%FT%TZ)\",\"visibility\":\"published\"}")
LIVE=$(jq -r .id <<<"$live") KEY=$(jq -r .stream_key <<<"$live")
check "live scheduled" test -n "$KEY" -a "$KEY" != null
check "live has a poster" curl -sf -X PUT -H "Authorization: Bearer $EDITOR" -H 'content-type: image/jpeg' \
  --data-binary @"$T_TMP/live-poster.jpg" "$U/api/v1/videos/$LIVE/poster"

ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/viewer
relay_browser < <(BASE_URL=$U MEMBER_TOKEN=$MEMBER HIDDEN_TOKEN=$HIDDEN SPEED_TOKEN=$SPEED VIDEO=$VIDEO NEXT=$NEXT COLUMN=craft LIVE=$LIVE \
         PUBLISH_URL="rtmp://127.0.0.1:$RTMP_PORT/live/$KEY" ARTIFACTS=$ARTIFACTS \
         node "$LECTERN_SOURCE_DIR/tests/web/viewer.mjs" 2>&1)

# What the database says after the browsers: only the real-name member who watched with the
# tab visible has points; the guest's viewing was counted as views but earned nothing.
MID=$(cut -d. -f2 <<<"$MEMBER")
q() { sqlite3 -cmd '.timeout 10000' "$D/lectern.db" "$1"; }
eq "ledger: only the visible member earned (not the 2× one)" "$MID" "$(q "SELECT group_concat(DISTINCT member_id) FROM points_ledger")"
stats=$(api GET "/videos/$VIDEO/stats")
check "guests' viewing is counted (views)" test "$(jq -r '.guest_views // 0' <<<"$stats")" -ge 1
# OpenGraph for crawlers that run no script: in the page as sent, the poster as an absolute URL
# that serves the image.
page=$(curl -s "$U/watch.html?v=$VIDEO")
contains "og:title of the lesson" "$page" '<meta property="og:title" content="劳模讲堂：焊花里的匠心">'
contains "og:description of the lesson" "$page" '<meta property="og:description" content="用焊枪画出一条直线。">'
contains "og:type video" "$page" '<meta property="og:type" content="video.other">'
og_image=$(sed -n 's/.*<meta property="og:image" content="\([^"]*\)">.*/\1/p' <<<"$page")
eq "og:image is the poster, absolute" "$U/hls/$VIDEO/poster.jpg" "$og_image"
eq "og:image serves a JPEG" "200 image/jpeg" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$og_image")"
for f in 01-home 03-column 04-search 05-signin 06-watch-member 07-storyboard 10-me 12-watch-live 14-phone-watch \
         16-live-waiting 17-live-muted 18-live-ended 21-watch-speed 22-end-screen 23-share 24-home-live-hero \
         25-home-recording 26-not-found; do
  check "screenshot $f kept" test -s "$ARTIFACTS/$f.png"
done
eq "server still healthy" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")"
stop_server
eq "clean exit" 0 "$SERVER_STATUS"
tap_done
