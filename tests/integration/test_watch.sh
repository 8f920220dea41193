#!/usr/bin/env bash
# Integration: watch time over /ws against a real `lectern serve`. Scripted players
# (tests/tools/watch_client.c) play honestly, cheat in every way the issue lists, or misuse
# the protocol; 40 more keep heartbeating while the server is killed with SIGKILL, and the
# ledger after the restart is compared with what they were acknowledged.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}" "${WATCH_CLIENT:?}"
for tool in ffmpeg jq curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
SECONDS_PLAYED=64
LOAD=40

add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null; }
EDITOR=$(add 编辑 editor | jq -r .token)
declare -A TOKEN ID
for who in honest rate2x forged jump parallel paused hidden replay fast; do
  j=$(add "学员-$who" viewer yes); TOKEN[$who]=$(jq -r .token <<<"$j"); ID[$who]=$(jq -r .id <<<"$j")
done
j=$(add "未实名" viewer); TOKEN[unverified]=$(jq -r .token <<<"$j"); ID[unverified]=$(jq -r .id <<<"$j")
for i in $(seq 1 $LOAD); do
  j=$(add "load-$i" viewer yes); TOKEN[load$i]=$(jq -r .token <<<"$j"); ID[load$i]=$(jq -r .id <<<"$j")
done
check "members created" test -n "${TOKEN[honest]}" -a -n "${TOKEN[load$LOAD]}" -a -n "$EDITOR"

# A 100 s recorded lesson, small so the import is quick.
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x180:rate=15:duration=100" -f lavfi -i "sine=duration=100" \
  -c:v libx264 -preset ultrafast -g 30 -c:a aac -shortest "$T_TMP/lesson.mp4"
V=$("$LECTERN" import "$T_TMP/lesson.mp4" --data-dir "$D" --title "守护健康 第一课" --wait 2>/dev/null | jq -r .id)
eq "the lesson is ready" ready "$("$LECTERN" video show "$V" --data-dir "$D" 2>/dev/null | jq -r .state)"

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
auth=(-H "Authorization: Bearer $EDITOR" -H "content-type: application/json")
curl -s -o /dev/null "${auth[@]}" -X PATCH -d '{"visibility":"published"}' "$U/api/v1/videos/$V"

# A campaign open now: yesterday to tomorrow in Asia/Shanghai, 1 point a minute, no caps.
from=$(TZ=Asia/Shanghai date -d "yesterday" +%F)
until=$(TZ=Asia/Shanghai date -d "tomorrow" +%F)
r=$(curl -s -w '\n%{http_code}' "${auth[@]}" -d "{\"name\":\"冬季学习积分\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",\"points_per_minute\":1}" "$U/api/v1/campaigns")
eq "editor creates a campaign (201)" 201 "$(tail -1 <<<"$r")"
eq "the campaign zone defaults to Asia/Shanghai" Asia/Shanghai "$(head -1 <<<"$r" | jq -r .time_zone)"
eq "an overlapping campaign is refused (409)" 409 "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" \
  -d "{\"name\":\"x\",\"starts_on\":\"$until\",\"ends_on\":\"$until\"}" "$U/api/v1/campaigns")"
eq "a viewer cannot create campaigns (403)" 403 "$(curl -s -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer ${TOKEN[honest]}" -H 'content-type: application/json' \
  -d "{\"name\":\"x\",\"starts_on\":\"$until\",\"ends_on\":\"$until\"}" "$U/api/v1/campaigns")"

# --- players ------------------------------------------------------------------------
play() { # play NAME SCENARIO TOKEN [extra args]: in the background, totals to $T_TMP/NAME.json
  local name=$1 scenario=$2 token=$3; shift 3
  "$WATCH_CLIENT" --port "$PORT" --video "$V" --duration 100 --scenario "$scenario" \
    ${token:+--token "$token"} --out "$T_TMP/$name.json" "$@" &
}
LOAD_PIDS=()
for i in $(seq 1 $LOAD); do
  play "load$i" load "${TOKEN[load$i]}" --seconds 300 --interval 0.5
  LOAD_PIDS+=($!)
done
PIDS=()
for who in honest rate2x forged jump parallel paused hidden replay fast unverified; do
  play "$who" "$([ "$who" = unverified ] && echo honest || echo "$who")" "${TOKEN[$who]}" --seconds $SECONDS_PLAYED --interval 2
  PIDS+=($!)
done
play guest guest "" --seconds $SECONDS_PLAYED --interval 2
PIDS+=($!)

sleep 5
metrics=$(curl -s "$U/metrics")
n=$(sed -n 's/^lectern_ws_connections //p' <<<"$metrics")
check "metrics count the WebSocket connections ($n)" test "${n:-0}" -ge $((LOAD + 10))
check "metrics count the watch sessions" test "$(sed -n 's/^lectern_watch_sessions //p' <<<"$metrics")" -ge $((LOAD + 10))

# Protocol misuse while everyone plays: each case answered, the connection kept or closed
# as schemas/ws/error.schema.json says, the server unharmed.
abuse=$("$WATCH_CLIENT" --port "$PORT" --scenario abuse)
case_is() { jq -r --arg c "$1" "select(.case == \$c) | $2" <<<"$abuse"; }
for c in malformed_json:malformed_json not_object:invalid_message unknown_type:unknown_type \
         wrong_field_type:invalid_field unknown_field:invalid_field no_hello:hello_required \
         binary:invalid_message heartbeat_without_session:no_session negative_position:invalid_field; do
  eq "${c%%:*} answered with ${c#*:}, connection kept" "${c#*:} true" "$(case_is "${c%%:*}" '"\(.code) \(.open)"')"
done
# (The close frame's code, 1009/1008, does not always reach the client before the socket
# closes on the event loop; that the connection is closed after the error is what counts.)
eq "oversize frame: too_large, then closed" "too_large false" "$(case_is oversize '"\(.code) \(.open)"')"
eq "oversize in fragments: too_large, then closed" "too_large false" "$(case_is fragmented_oversize '"\(.code) \(.open)"')"
eq "bad token: unauthorized, then closed" "unauthorized false" "$(case_is bad_token '"\(.code) \(.open)"')"
check "a flood is rate limited" test "$(case_is flood .rate_limited)" -ge 10
eq "WebSocket upgrades elsewhere than /ws are refused" false "$(case_is other_path .upgraded)"
eq "the server still answers" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz")"

for pid in "${PIDS[@]}"; do wait "$pid"; done
res() { jq -r "$2" "$T_TMP/$1.json"; }
me() { curl -s -H "Authorization: Bearer ${TOKEN[$1]}" "$U/api/v1/me/$2"; }
balance() { me "$1" points | jq -r .balance; }
history_credited() { me "$1" history | jq -r --arg v "$V" '[.videos[] | select(.video_id == $v) | .credited_seconds][0] // 0'; }

hc=$(res honest .credited)
hb=$(balance honest)
check "honest player: credited close to the time played ($hc s of $SECONDS_PLAYED)" test "$hc" -ge $((SECONDS_PLAYED - 8)) -a "$hc" -le $((SECONDS_PLAYED + 1))
eq "honest player: acknowledged seconds are the stored seconds" "$hc" "$(history_credited honest)"
eq "honest player: one point per credited minute" $((hc / 60)) "$hb"
check "honest player: points were pushed (points.update)" test "$(res honest .balance)" -ge 1
eq "honest player: no errors" "{}" "$(jq -c .errors "$T_TMP/honest.json")"
for who in rate2x forged jump parallel fast replay; do
  c=$(history_credited "$who")
  check "$who: credited $c s, not more than the honest player's $hc (+1)" test "$c" -le $((hc + 1))
  check "$who: balance $(balance "$who") not above the honest player's $hb" test "$(balance "$who")" -le "$hb"
done
for who in paused hidden; do
  eq "$who: nothing credited" 0 "$(history_credited "$who")"
  eq "$who: no points" 0 "$(balance "$who")"
done
check "replayed heartbeats refused as stale" test "$(res replay '.errors.stale // 0')" -ge 20
check "forged positions past the end refused" test "$(res forged '.errors.position_out_of_range // 0')" -ge 1
contains "parallel sessions: one supersedes the other" "$(res parallel .ended)" superseded
uc=$(history_credited unverified)
check "member without real-name verification: watching counted ($uc s)" test "$uc" -ge $((SECONDS_PLAYED - 8))
eq "member without real-name verification: no points" 0 "$(balance unverified)"
eq "/me/points says who earns" "false" "$(me unverified points | jq -r .earns_points)"
check "guest: acknowledged and counted" test "$(res guest .credited)" -ge $((SECONDS_PLAYED - 8))
eq "/me/points needs a member" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/me/points")"
p=$(me honest points)
eq "/me/points history lists the watch entries" "$hb" "$(jq '[.history[] | select(.reason == "watch") | .amount] | add // 0' <<<"$p")"
eq "/me/points today counts in the campaign's zone" "$(TZ=Asia/Shanghai date +%F)" "$(jq -r .today.date <<<"$p")"

stats=$(curl -s "${auth[@]}" "$U/api/v1/videos/$V/stats")
check "stats: views counted ($(jq .views <<<"$stats"); parallel sessions supersede each other before 10 s)" test "$(jq .views <<<"$stats")" -ge $((LOAD + 6))
# Members whose view always counts: the load, honest, rate2x, parallel, replay, unverified.
# (forged, jump and fast are held to under 10 s credited, so whether they count as viewers
# depends on timing.)
check "stats: unique viewers ($(jq .unique_viewers <<<"$stats"))" test "$(jq .unique_viewers <<<"$stats")" -ge $((LOAD + 5))
eq "stats: a guest view" 1 "$(jq .guest_views <<<"$stats")"
eq "stats: retention per 10 s of the 100 s lesson" 10 "$(jq '.retention | length' <<<"$stats")"
check "stats: watch time summed" test "$(jq .watch_seconds <<<"$stats")" -ge $((SECONDS_PLAYED * 10))
eq "stats need an editor" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/videos/$V/stats")"

# A live on air: its players are told how many watch it, and /metrics exports the count.
# (The live's state is set in the database here; test_live.sh publishes real lives.)
L=$("$LECTERN" event create --data-dir "$D" --title "劳模讲堂 直播" 2>/dev/null | jq -r .id)
now=$(date +%s)
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $((now - 600)), 'scheduled', 'live');"
for i in 1 2 3; do
  "$WATCH_CLIENT" --port "$PORT" --video "$L" --scenario guest --seconds 9 --interval 1 --out "$T_TMP/live$i.json" &
  LIVE_PIDS[$i]=$!
done
sleep 4
eq "/metrics exports the live's viewers" 3 "$(curl -s "$U/metrics" | sed -n "s/^lectern_live_viewers{video=\"$L\"} //p")"
for i in 1 2 3; do wait "${LIVE_PIDS[$i]}"; done
eq "players of the live were pushed the viewer count (live.viewers)" 3 "$(res live1 .viewers)"
check "live players are credited within the time on air" test "$(res live1 .credited)" -ge 5

# A correction is a new entry, never an edit; the same key twice is refused.
body="{\"member\":\"${ID[honest]}\",\"amount\":-1,\"note\":\"测试更正\",\"key\":\"fix-1\"}"
eq "editor corrects points (201)" 201 "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -d "$body" "$U/api/v1/points/corrections")"
eq "the same correction twice is refused (409)" 409 "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -d "$body" "$U/api/v1/points/corrections")"
eq "balance includes the correction" $((hb - 1)) "$(balance honest)"

# --- SIGKILL under load ----------------------------------------------------------------
# The load players have played ~70 s (one point each at 60 s) and keep going.
sleep 3
kill -9 "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
for pid in "${LOAD_PIDS[@]}"; do wait "$pid"; done
start_server "$D" "$PORT" || { not_ok "server restarts after SIGKILL"; tap_done; exit 1; }
ok "server restarts after SIGKILL"
lost=0 twice=0 acked_points=0 stored_points=0 disconnected=0
for i in $(seq 1 $LOAD); do
  m=${ID[load$i]}
  acked=$(res "load$i" .credited)
  [ "$(res "load$i" .disconnected)" = true ] && disconnected=$((disconnected + 1))
  acked_points=$((acked_points + $(res "load$i" .points)))
  read -r credited earned < <(sqlite3 -cmd ".timeout 10000" -separator ' ' "$D/lectern.db" \
    "SELECT credited, earned_seconds FROM watch_progress WHERE member_id = '$m' AND video_id = '$V'")
  sum=$(sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE member_id = '$m'")
  stored_points=$((stored_points + sum))
  [ "${credited:-0}" -lt "$acked" ] && lost=$((lost + 1))
  [ "$sum" -ne $(( ${earned:-0} / 60 )) ] && twice=$((twice + 1))
done
eq "every load player saw the server go away" $LOAD $disconnected
eq "nothing acknowledged was lost (stored seconds >= acknowledged, all $LOAD players)" 0 $lost
eq "points match the stored minutes exactly: none twice, none lost" 0 $twice
check "stored points ($stored_points) include every acknowledged point ($acked_points)" test "$stored_points" -ge "$acked_points" -a "$acked_points" -ge $LOAD
eq "every ledger key is unique" 0 "$(sqlite3 -cmd ".timeout 10000" "$D/lectern.db" 'SELECT count(*) - count(DISTINCT idempotency_key) FROM points_ledger')"

# After the restart a player resumes where the stored position says, and earns no minute twice.
before=$(sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "SELECT count(*) FROM points_ledger WHERE member_id = '${ID[load1]}'")
"$WATCH_CLIENT" --port "$PORT" --video "$V" --duration 100 --scenario honest --token "${TOKEN[load1]}" \
  --seconds 3 --interval 1 --out "$T_TMP/resume.json"
check "resume position offered after the restart ($(res resume .resume) s)" test "$(res resume '.resume | floor')" -ge 60
eq "no minute paid twice after the restart" "$before" "$(sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "SELECT count(*) FROM points_ledger WHERE member_id = '${ID[load1]}' AND reason = 'watch'")"
stop_server
eq "server exits cleanly" 0 "$SERVER_STATUS"
tap_done
