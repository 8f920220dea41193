#!/usr/bin/env bash
# Integration: the editor console's campaigns, members, corrections, audit log and
# statistics charts (issue 15.6) in headless Chromium (tests/web/console.mjs) against a real
# server, with statistics made by scripted watchers (tests/tools/watch_client): members and
# a guest watch a published lesson, guests watch a live while it is on air. Screenshots go
# to $LECTERN_ARTIFACTS/console/.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}" "${WATCH_CLIENT:?}" "${LECTERN_SOURCE_DIR:?}"
WEB=$LECTERN_SOURCE_DIR/web
for need in node /usr/bin/chromium ffmpeg jq curl sqlite3; do
  command -v "$need" >/dev/null || { echo "1..0 # SKIP $need missing (scripts/install-deps installs it)"; exit 77; }
done
[ -d "$WEB/node_modules/playwright-core" ] && [ -f "$WEB/node_modules/chart.js/dist/chart.umd.min.js" ] ||
  { echo "1..0 # SKIP run npm ci in web/ (scripts/install-deps does)"; exit 77; }

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
LESSON_S=80
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null; }
EDITOR=$(add 统计编辑 editor | jq -r .token)
declare -A TOKEN ID
for who in 1 2 3 4; do
  j=$(add "学员$who" viewer yes); TOKEN[$who]=$(jq -r .token <<<"$j"); ID[$who]=$(jq -r .id <<<"$j")
done
j=$(add "待认证学员" viewer); ID[unverified]=$(jq -r .id <<<"$j")
j=$(add "刷课学员" viewer yes); ID[cheat]=$(jq -r .id <<<"$j")
check "members created" test -n "$EDITOR" -a -n "${TOKEN[4]}" -a -n "${ID[cheat]}"

ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x180:rate=15:duration=$LESSON_S" -f lavfi -i "sine=duration=$LESSON_S" \
  -c:v libx264 -preset ultrafast -g 30 -c:a aac -shortest "$T_TMP/lesson.mp4"
V=$("$LECTERN" import "$T_TMP/lesson.mp4" --data-dir "$D" --title "统计课：安全用电" --wait 2>/dev/null | jq -r .id)
eq "the lesson is ready" ready "$("$LECTERN" video show "$V" --data-dir "$D" 2>/dev/null | jq -r .state)"
L=$("$LECTERN" event create --data-dir "$D" --title "统计课：劳模直播" 2>/dev/null | jq -r .id)
check "a live scheduled" test -n "$L"

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
auth=(-H "Authorization: Bearer $EDITOR" -H "content-type: application/json")
eq "the lesson is published" 200 "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X PATCH -d '{"visibility":"published"}' "$U/api/v1/videos/$V")"
# A campaign open now (yesterday to tomorrow in its zone): the watchers earn in it.
from=$(TZ=Asia/Shanghai date -d yesterday +%F)
until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
K=$(curl -s "${auth[@]}" -d "{\"name\":\"冬季学习积分\",\"starts_on\":\"$from\",\"ends_on\":\"$until\"}" "$U/api/v1/campaigns" | jq -r .id)
check "an open campaign ($K)" test "$K" -ge 1

# --- watchers -----------------------------------------------------------------------
# Four members watch the lesson for 66 s (one point each), a guest for 20 s.
PIDS=()
for who in 1 2 3 4; do
  "$WATCH_CLIENT" --port "$PORT" --video "$V" --duration $LESSON_S --scenario honest --token "${TOKEN[$who]}" \
    --seconds 66 --interval 2 --out "$T_TMP/m$who.json" &
  PIDS+=($!)
done
"$WATCH_CLIENT" --port "$PORT" --video "$V" --duration $LESSON_S --scenario guest --seconds 20 --interval 2 --out "$T_TMP/guest.json" &
PIDS+=($!)
# The live goes on air now (its state is set in the database, as test_watch.sh does;
# test_live.sh publishes real lives); three guests join a few seconds apart, overlapping.
now=$(date +%s)
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $now, 'scheduled', 'live');"
for i in 1 2 3; do
  ( sleep $(( (i - 1) * 3 )); "$WATCH_CLIENT" --port "$PORT" --video "$L" --scenario guest --seconds 12 --interval 1 \
      --out "$T_TMP/live$i.json" ) &
  LIVE_PIDS[$i]=$!
done
for i in 1 2 3; do wait "${LIVE_PIDS[$i]}"; done
sleep 2
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'ready' WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $(date +%s), 'live', 'ready');"
check "live watchers were counted" test "$(jq .credited "$T_TMP/live1.json")" -ge 5
for pid in "${PIDS[@]}"; do wait "$pid"; done
for who in 1 2 3 4; do
  check "member $who earned a point watching" test "$(jq .points "$T_TMP/m$who.json")" -ge 1
done
stats=$(curl -s "${auth[@]}" "$U/api/v1/videos/$V/stats")
eq "lesson stats: five views" 5 "$(jq .views <<<"$stats")"
eq "lesson stats: views per day add up" 5 "$(jq '[.views_per_day[].views] | add' <<<"$stats")"
check "lesson stats: retention at 60 s" test "$(jq '.retention[6].viewers' <<<"$stats")" -ge 4
lstats=$(curl -s "${auth[@]}" "$U/api/v1/videos/$L/stats")
check "live stats: concurrent viewers reached 2 or more" test "$(jq '[.live_viewers.points[].viewers] | max' <<<"$lstats")" -ge 2

# --- the console ------------------------------------------------------------------------
ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/console
audited=$(sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "SELECT coalesce(max(id), 0) FROM audit_log")
relay_browser < <(BASE_URL=$U EDITOR_TOKEN=$EDITOR LESSON=$V LIVE=$L CAMPAIGN=$K \
  UNVERIFIED=${ID[unverified]} CHEAT=${ID[cheat]} EARNER=${ID[1]} EARNER_TOKEN=${TOKEN[1]} \
  ARTIFACTS=$ARTIFACTS node "$LECTERN_SOURCE_DIR/tests/web/console.mjs" 2>&1)
check "screenshots kept in $ARTIFACTS" test -s "$ARTIFACTS/05-stats-lesson.png"

# What the console did, as the database and the API see it.
m=$(curl -s "${auth[@]}" "$U/api/v1/members?q=%E5%88%B7%E8%AF%BE")
eq "disqualified with the reason given in the console" "true 同一设备多账号刷课" "$(jq -r '.members[0] | "\(.disqualified) \(.disqualified_reason)"' <<<"$m")"
eq "verified in the console" 1 "$(sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "SELECT real_name_verified FROM member WHERE id = '${ID[unverified]}'")"
eq "the correction is in the ledger" "5 线下活动补记" "$(sqlite3 -cmd ".timeout 10000" -separator ' ' "$D/lectern.db" "SELECT amount, note FROM points_ledger WHERE member_id = '${ID[1]}' AND reason = 'correction'")"
eq "every change the console made is audited (and its sign-in)" "campaign.create campaign.update member.sign_in member.update member.update points.correct" \
  "$(sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log WHERE id > $audited ORDER BY action)")"
eq "server still healthy" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")"
stop_server
eq "clean exit" 0 "$SERVER_STATUS"
tap_done
