#!/usr/bin/env bash
# Integration: a whole points lottery over HTTP against a real `lectern serve`. Members earn
# points by watching (the real /ws path, tests/tools/watch_client.c), buy tickets (a retry
# with the same key spends once, parallel purchases never pass the limits), the draw freezes
# with a commitment that is the SHA-256 of the published entry list, runs with public values,
# its record verifies with `lectern lottery verify` (and a tampered one does not), winners see
# their codes, the public sees them masked, and disqualification promotes the next reserve.
# With --browser (integration-lottery_web, suite browser) points are granted by an
# editor's correction instead of watching, and tests/web/lottery.mjs shows the page in
# Chromium and verifies the draw there.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}" "${WATCH_CLIENT:?}"
for tool in ffmpeg jq curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done
BROWSER=; [ "${1:-}" = --browser ] && BROWSER=1
if [ -n "$BROWSER" ] && ! { command -v node >/dev/null && [ -x /usr/bin/chromium ] &&
    [ -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ]; }; then
  echo "1..0 # SKIP the browser test needs node, /usr/bin/chromium and web/node_modules"; exit 77
fi

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null; }
j=$(add 编辑 editor yes); EDITOR=$(jq -r .token <<<"$j"); EDITOR_ID=$(jq -r .id <<<"$j")
declare -A TOKEN ID
for who in a b c; do
  j=$(add "王$who" viewer yes); TOKEN[$who]=$(jq -r .token <<<"$j"); ID[$who]=$(jq -r .id <<<"$j")
done
j=$(add "未实名" viewer); TOKEN[u]=$(jq -r .token <<<"$j"); ID[u]=$(jq -r .id <<<"$j")
check "members created" test -n "${TOKEN[a]}" -a -n "${TOKEN[u]}" -a -n "$EDITOR"

if [ -z "$BROWSER" ]; then
  ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x180:rate=15:duration=100" -f lavfi -i "sine=duration=100" \
    -c:v libx264 -preset ultrafast -g 30 -c:a aac -shortest "$T_TMP/lesson.mp4"
  V=$("$LECTERN" import "$T_TMP/lesson.mp4" --data-dir "$D" --title "积分课" --wait 2>/dev/null | jq -r .id)
  eq "the lesson is ready" ready "$("$LECTERN" video show "$V" --data-dir "$D" 2>/dev/null | jq -r .state)"
fi

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
ed=(-H "Authorization: Bearer $EDITOR" -H "content-type: application/json")
as() { local who=$1; shift; curl -s -H "Authorization: Bearer ${TOKEN[$who]}" -H "content-type: application/json" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
balance() { as "$1" "$U/api/v1/me/points" | jq -r .balance; }

# --- points: watching (the real /ws path), or an editor's grant for the browser run -----------
if [ -z "$BROWSER" ]; then
  curl -s -o /dev/null "${ed[@]}" -X PATCH -d '{"visibility":"published"}' "$U/api/v1/videos/$V"
  from=$(TZ=Asia/Shanghai date -d "yesterday" +%F); until=$(TZ=Asia/Shanghai date -d "tomorrow" +%F)
  eq "a campaign of 100 points a minute" 201 "$(code "${ed[@]}" -d "{\"name\":\"抽奖积分\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",\"points_per_minute\":100}" "$U/api/v1/campaigns")"
  PIDS=()
  for who in a b c u; do
    "$WATCH_CLIENT" --port "$PORT" --video "$V" --duration 100 --scenario honest --token "${TOKEN[$who]}" \
      --seconds 70 --interval 2 --out "$T_TMP/$who.json" &
    PIDS+=($!)
  done
  wait "${PIDS[@]}"
  for who in a b c; do eq "member $who earned 100 points by watching" 100 "$(balance $who)"; done
  eq "the unverified member earned nothing" 0 "$(balance u)"
else
  for who in a b c; do
    curl -s -o /dev/null "${ed[@]}" -d "{\"member\":\"${ID[$who]}\",\"amount\":100,\"note\":\"抽奖测试\"}" "$U/api/v1/points/corrections"
  done
  eq "points granted" 100 "$(balance a)"
fi

# --- the lottery -----------------------------------------------------------------------------
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
r=$(curl -s -w '\n%{http_code}' "${ed[@]}" -d "{\"title\":\"职工积分抽奖\",\"rules\":\"每张券 10 积分，每人最多 5 张。\",\"opens_at\":\"$(iso '-1 hour')\",\"closes_at\":\"$(iso '+1 day')\",\"points_per_ticket\":10,\"max_tickets\":5,\"reserve_percent\":100}" "$U/api/v1/lotteries")
eq "editor creates a lottery (201)" 201 "$(tail -1 <<<"$r")"
L=$(head -1 <<<"$r" | jq -r .id)
eq "a viewer cannot create one (403)" 403 "$(code -H "Authorization: Bearer ${TOKEN[a]}" -H 'content-type: application/json' -d '{}' "$U/api/v1/lotteries")"
DR=$(curl -s "${ed[@]}" -d "{\"freeze_at\":\"$(iso '+1 hour')\"}" "$U/api/v1/lotteries/$L/draws" | jq -r .id)
check "a draw freezing in an hour" test "$DR" -gt 0
T1=$(curl -s "${ed[@]}" -d '{"position":1,"name":"一等奖 手机券","quantity":1,"value":"手机"}' "$U/api/v1/lottery-draws/$DR/tiers" | jq -r .id)
T2=$(curl -s "${ed[@]}" -d '{"position":2,"name":"二等奖 电影券","quantity":1,"value":"50 元"}' "$U/api/v1/lottery-draws/$DR/tiers" | jq -r .id)
eq "codes imported from CSV" 1 "$(curl -s "${ed[@]}" -d '{"csv":"code\nPHONE-7731\n"}' "$U/api/v1/lottery-tiers/$T1/codes" | jq -r .added)"
eq "codes imported from CSV (second tier)" 1 "$(curl -s "${ed[@]}" -d '{"csv":"MOVIE-4410,50\n"}' "$U/api/v1/lottery-tiers/$T2/codes" | jq -r .added)"

pub=$(curl -s "$U/api/v1/lotteries/$L")
eq "the public sees the rules" "每张券 10 积分，每人最多 5 张。" "$(jq -r .rules <<<"$pub")"
eq "the draw is open, no commitment yet" "open null" "$(jq -r '.draws[0] | "\(.state) \(.entries_sha256)"' <<<"$pub")"
eq "the tiers show their stock" "1 1" "$(jq -r '.draws[0].tiers | map(.codes) | join(" ")' <<<"$pub")"

r=$(as a -w '\n%{http_code}' -d '{"tickets":5,"key":"tab1-0001"}' "$U/api/v1/lotteries/$L/tickets")
eq "a buys 5 tickets (201)" 201 "$(tail -1 <<<"$r")"
eq "50 points spent" 50 "$(head -1 <<<"$r" | jq -r .balance)"
r=$(as a -w '\n%{http_code}' -d '{"tickets":5,"key":"tab1-0001"}' "$U/api/v1/lotteries/$L/tickets")
eq "the same purchase again answers what it did (200, replay)" "200 true" "$(tail -1 <<<"$r") $(head -1 <<<"$r" | jq -r .replay)"
eq "and spends nothing more" 50 "$(balance a)"
eq "over the most tickets per draw (409 max_tickets)" max_tickets "$(as a -d '{"tickets":1}' "$U/api/v1/lotteries/$L/tickets" | jq -r .error.code)"
eq "the unverified member may not enter (403)" 403 "$(code -H "Authorization: Bearer ${TOKEN[u]}" -H 'content-type: application/json' -d '{"tickets":1}' "$U/api/v1/lotteries/$L/tickets")"
eq "b buys 3" 201 "$(as b -o /dev/null -w '%{http_code}' -d '{"tickets":3}' "$U/api/v1/lotteries/$L/tickets")"
# c from many tabs at once: eight purchases of one ticket in parallel, 5 may pass.
PIDS=()
for i in $(seq 1 8); do
  as c -o "$T_TMP/c$i" -w '%{http_code}\n' -d "{\"tickets\":1,\"key\":\"tab$i\"}" "$U/api/v1/lotteries/$L/tickets" > "$T_TMP/c$i.code" &
  PIDS+=($!)
done
wait "${PIDS[@]}" # not a bare wait: the server is a child too
passed=$(cat "$T_TMP"/c*.code | grep -c 201)
eq "parallel purchases: exactly 5 of 8 pass the limit" 5 "$passed"
eq "parallel purchases: balance is 100 - 10 per ticket" $((100 - 10 * passed)) "$(balance c)"
mine=$(as c "$U/api/v1/lotteries/$L/mine")
eq "c holds 5 tickets in the draw" 5 "$(jq -r '.entries[0].tickets' <<<"$mine")"
CODE_C=$(jq -r .code <<<"$mine")

# --- freeze: the commitment before any randomness -------------------------------------------
fz=$(curl -s "${ed[@]}" -X POST "$U/api/v1/lottery-draws/$DR/freeze")
SHA=$(jq -r .entries_sha256 <<<"$fz")
eq "frozen with 3 entries and 13 tickets" "frozen 3 13" "$(jq -r '"\(.state) \(.entries) \(.tickets)"' <<<"$fz")"
curl -s "$U/api/v1/lottery-draws/$DR/entries" > "$T_TMP/entries.txt"
eq "the commitment is the SHA-256 of the published entry list" "$SHA" "$(sha256sum "$T_TMP/entries.txt" | cut -d' ' -f1)"
contains "the entry list holds c's code and tickets" "$(cat "$T_TMP/entries.txt")" "$CODE_C 5"
lacks "the entry list names no member" "$(cat "$T_TMP/entries.txt")" "${ID[a]}"
eq "no tickets after the freeze (409 closed)" closed "$(as b -d '{"tickets":1}' "$U/api/v1/lotteries/$L/tickets" | jq -r .error.code)"
eq "no record before the draw (404)" 404 "$(code "$U/api/v1/lottery-draws/$DR/record")"

# --- the draw ---------------------------------------------------------------------------------
eq "public values are checked (400)" 400 "$(code "${ed[@]}" -d '{"public_values":["a/b"]}' "$U/api/v1/lottery-draws/$DR/draw")"
r=$(curl -s -w '\n%{http_code}' "${ed[@]}" -d '{"public_values":["福利彩票 2026001: 03 11 17 22 25 31 + 09","drand 5000000"]}' "$U/api/v1/lottery-draws/$DR/draw")
eq "the draw runs (200)" 200 "$(tail -1 <<<"$r")"
eq "two prizes awarded" 2 "$(head -1 <<<"$r" | jq '.prizes | length')"
eq "a second draw is refused (409)" 409 "$(code "${ed[@]}" -d '{"public_values":["x"]}' "$U/api/v1/lottery-draws/$DR/draw")"
curl -s -D "$T_TMP/h" "$U/api/v1/lottery-draws/$DR/record" > "$T_TMP/record.json"
contains "the record downloads as a file" "$(cat "$T_TMP/h")" "lottery-draw-$DR.json"
v=$("$LECTERN" lottery verify "$T_TMP/record.json" --commitment "$SHA" 2>/dev/null)
eq "lectern lottery verify: the record checks out against the commitment" true "$(jq -r .ok <<<"$v")"
eq "3 picks: 2 prizes and the reserve" "3 2" "$(jq -r '"\(.picks) \(.prizes)"' <<<"$v")"
sed 's/drand 5000000/drand 5000001/' "$T_TMP/record.json" > "$T_TMP/tampered.json"
"$LECTERN" lottery verify "$T_TMP/tampered.json" --commitment "$SHA" >/dev/null 2>&1
eq "a tampered public value fails verification (exit 1)" 1 "$?"
jq -c --arg c "$CODE_C" '.entries |= map(if .[0] == $c then [.[0], 50] else . end)' "$T_TMP/record.json" > "$T_TMP/tampered2.json"
"$LECTERN" lottery verify "$T_TMP/tampered2.json" --commitment "$SHA" >/dev/null 2>&1
eq "a tampered entry list fails verification (exit 1)" 1 "$?"

# --- after the draw: codes for winners only, masked for the public, the reserve promoted --------
prizes=$(curl -s "${ed[@]}" "$U/api/v1/lottery-draws/$DR/prizes")
FIRST=$(jq -r '.prizes[0].id' <<<"$prizes")
FIRST_WHO=$(jq -r '.prizes[0].member_id' <<<"$prizes")
who_of() { for w in a b c; do [ "${ID[$w]}" = "$1" ] && echo "$w"; done; }
W=$(who_of "$FIRST_WHO")
eq "the first prize's winner sees the phone code" PHONE-7731 "$(as "$W" "$U/api/v1/lotteries/$L/mine" | jq -r '.prizes[0].code')"
pub=$(curl -s "$U/api/v1/lotteries/$L")
contains "the public sees winners masked" "$(jq -r '.draws[0].winners[0].winner' <<<"$pub")" "王*·…"
lacks "the public never sees a redemption code" "$pub" "PHONE-7731"
lacks "the public never sees member ids" "$pub" "$FIRST_WHO"
RESERVE_WHO=$(jq -r '.winners[2]' <<<"$v")
eq "a viewer cannot disqualify (403)" 403 "$(code -H "Authorization: Bearer ${TOKEN[a]}" -H 'content-type: application/json' -d '{"reason":"x"}' "$U/api/v1/lottery-prizes/$FIRST/disqualify")"
eq "a reason is required (400)" 400 "$(code "${ed[@]}" -d '{}' "$U/api/v1/lottery-prizes/$FIRST/disqualify")"
dq=$(curl -s "${ed[@]}" -d '{"reason":"刷积分"}' "$U/api/v1/lottery-prizes/$FIRST/disqualify")
check "disqualification promotes the next reserve" test "$(jq -r .next_prize <<<"$dq")" != null
prizes=$(curl -s "${ed[@]}" "$U/api/v1/lottery-draws/$DR/prizes")
eq "the prize went to the reserve pick (3) with the same code" "3 PHONE-7731 $RESERVE_WHO" \
  "$(jq -r '.prizes[] | select(.state == "won" and .tier == "一等奖 手机券") | "\(.pick) \(.code) \(.entry_code)"' <<<"$prizes")"
R=$(who_of "$(jq -r '.prizes[] | select(.state == "won" and .pick == 3) | .member_id' <<<"$prizes")")
eq "the reserve now sees the code" PHONE-7731 "$(as "$R" "$U/api/v1/lotteries/$L/mine" | jq -r '.prizes[0].code')"
eq "the disqualified winner no longer does" "disqualified null" "$(as "$W" "$U/api/v1/lotteries/$L/mine" | jq -r '.prizes[0] | "\(.state) \(.code)"')"
eq "the disqualification is audited" 1 "$(curl -s "${ed[@]}" "$U/api/v1/audit?action=lottery.disqualify" | jq ".entries | length")"
eq "the reserve claims the prize" claimed "$(as "$R" -X POST "$U/api/v1/lottery-prizes/$(jq -r '.next_prize' <<<"$dq")/claim" | jq -r .state)"

if [ -n "$BROWSER" ]; then
  # A second draw, open for half an hour: the disqualified winner (free to enter again) buys.
  curl -s -o /dev/null "${ed[@]}" -d "{\"freeze_at\":\"$(iso '+30 min')\"}" "$U/api/v1/lotteries/$L/draws"
  PW=$("$LECTERN" member passwd "${ID[$R]}" --login lottery-winner --generate --data-dir "$D" 2>/dev/null | jq -r .password)
  BPW=$("$LECTERN" member passwd "${ID[$W]}" --login lottery-buyer --generate --data-dir "$D" 2>/dev/null | jq -r .password)
  EPW=$("$LECTERN" member passwd "$EDITOR_ID" --login lottery-editor --generate --data-dir "$D" 2>/dev/null | jq -r .password)
  relay_browser < <(BASE_URL=$U LOGIN=lottery-winner PASSWORD=$PW BUYER_LOGIN=lottery-buyer BUYER_PASSWORD=$BPW \
    EDITOR_LOGIN=lottery-editor EDITOR_PASSWORD=$EPW \
    LOTTERY=$L COMMITMENT=$SHA WINNERS="$(jq -c .winners <<<"$v")" \
    ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/lottery node "$LECTERN_SOURCE_DIR/tests/web/lottery.mjs" 2>&1)
fi

stop_server
eq "the server stops cleanly" 0 "$SERVER_STATUS"
eq "lectern points check: the ledger and its aggregates agree" true "$("$LECTERN" points check --data-dir "$D" 2>/dev/null | jq -r .ok)"
tap_done
