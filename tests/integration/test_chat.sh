#!/usr/bin/env bash
# Integration: the live chat (issue 19) over real /ws and HTTP — scripted members
# (tests/tools/chat_members.mjs: honest chatters, a spammer, a banned member, a guest, bad
# input, a moderator's delete and mute, likes), then what was stored, audited and counted.
# See docs/chat.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT

add() { "$LECTERN" member add --data-dir "$D" "$@" 2>/dev/null; }
EDITOR=$(add --name "主持人" --role editor | jq -r .token)
A=$(add --name "学员甲" --role viewer --real-name-verified | jq -r .token)
B_JSON=$(add --name "学员乙" --role viewer --real-name-verified)
B=$(jq -r .token <<<"$B_JSON"); B_ID=$(jq -r .id <<<"$B_JSON")
SPAMMER=$(add --name "广告号" --role viewer --real-name-verified | jq -r .token)
BANNED_JSON=$(add --name "捣乱者" --role viewer --real-name-verified)
BANNED=$(jq -r .token <<<"$BANNED_JSON"); BANNED_ID=$(jq -r .id <<<"$BANNED_JSON")
UNVERIFIED=$(add --name "未实名" --role viewer | jq -r .token)
check "members made" test -n "$EDITOR" -a -n "$A" -a -n "$B" -a -n "$SPAMMER" -a -n "$BANNED" -a -n "$UNVERIFIED"

L=$("$LECTERN" event create --data-dir "$D" --title "劳模讲堂 直播互动" 2>/dev/null | jq -r .id)
# Every batch, to however few connections, goes through the parallel fan-out (threads
# send()ing the wire frame themselves): in production only batches to 1000+ viewers do.
printf '[watch]\nfanout_threads = 3\nfanout_parallel_from = 1\n' >"$T_TMP/chat.conf"
start_server "$D" "$PORT" -c "$T_TMP/chat.conf" || { not_ok "server starts"; tap_done; exit 1; }
# A live on air for 600 s: the state is set in the database once the server runs (at start it
# finishes lives left on air; test_live.sh publishes real lives).
now=$(date +%s)
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $((now - 600)), 'scheduled', 'live');"
auth=(-H "Authorization: Bearer $EDITOR")
code() { curl -s -o "$T_TMP/resp" -w '%{http_code}' "$@"; }

# --- the moderators' API ----------------------------------------------------------------------
eq "ban a member (every live, until lifted): 201" 201 "$(code "${auth[@]}" -H 'Content-Type: application/json' \
  --data "{\"member\":\"$BANNED_ID\",\"kind\":\"ban\",\"reason\":\"辱骂\"}" "$U/api/v1/chat/sanctions")"
eq "a sanction needs an editor" 403 "$(code -H "Authorization: Bearer $A" -H 'Content-Type: application/json' \
  --data "{\"member\":\"$B_ID\",\"kind\":\"ban\"}" "$U/api/v1/chat/sanctions")"
eq "a sanction of an unknown kind: 400" 400 "$(code "${auth[@]}" -H 'Content-Type: application/json' \
  --data "{\"member\":\"$B_ID\",\"kind\":\"kick\"}" "$U/api/v1/chat/sanctions")"
eq "add a sensitive word: 201" 201 "$(code "${auth[@]}" -H 'Content-Type: application/json' --data '{"word":"加微信"}' "$U/api/v1/chat/words")"
eq "… stored folded" "加微信" "$(jq -r .normalized "$T_TMP/resp")"
eq "the same word again (full-width, spaced): 409" 409 "$(code "${auth[@]}" -H 'Content-Type: application/json' --data '{"word":"加 微，信"}' "$U/api/v1/chat/words")"
eq "a word of punctuation only: 400" 400 "$(code "${auth[@]}" -H 'Content-Type: application/json' --data '{"word":"，。"}' "$U/api/v1/chat/words")"
eq "settings of an unknown live: 404" 404 "$(code "${auth[@]}" "$U/api/v1/videos/nope/chat")"
eq "the live's settings: open by default" open "$(curl -s "${auth[@]}" "$U/api/v1/videos/$L/chat" | jq -r .mode)"
eq "a bad mode: 400" 400 "$(code "${auth[@]}" -X PATCH -H 'Content-Type: application/json' --data '{"mode":"closed"}' "$U/api/v1/videos/$L/chat")"

# --- scripted members over /ws ------------------------------------------------------------------
TOKENS=$(jq -n --arg a "$A" --arg b "$B" --arg b_id "$B_ID" --arg s "$SPAMMER" --arg x "$BANNED" --arg u "$UNVERIFIED" --arg e "$EDITOR" \
  '{a: $a, b: $b, b_id: $b_id, spammer: $s, banned: $x, unverified: $u, editor: $e}')
relay_browser < <(node --experimental-websocket --no-warnings "$LECTERN_SOURCE_DIR/tests/tools/chat_members.mjs" "$PORT" "$L" "$TOKENS" 2>&1)

# --- what was stored, audited and counted --------------------------------------------------------
msgs=$(curl -s "${auth[@]}" "$U/api/v1/videos/$L/chat/messages")
check "stored messages are readable by live time" test "$(jq '.messages | length' <<<"$msgs")" -ge 4
eq "HTML is stored as the text it was" 1 "$(jq '[.messages[] | select(.text == "<script>alert(\"x\")</script><b>bold?</b>")] | length' <<<"$msgs")"
eq "the deleted message is not among them" 0 "$(jq '[.messages[] | select(.text == "大家好，老师好！")] | length' <<<"$msgs")"
eq "… but kept, marked deleted by the editor (for the audit)" deleted "$(sqlite3 "$D/lectern.db" "SELECT state FROM chat_message WHERE text = '大家好，老师好！'")"
check "live times are seconds on air" test "$(jq '[.messages[].live_time] | min' <<<"$msgs" | cut -d. -f1)" -ge 590
early=$(curl -s "${auth[@]}" "$U/api/v1/videos/$L/chat/messages?from=0&to=100" | jq '.messages | length')
eq "… and select by live time (none in the first 100 s)" 0 "$early"
eq "no points for chatting" 0 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM points_ledger")"
check "likes stored per 10 s bucket" test "$(sqlite3 "$D/lectern.db" "SELECT sum(count) FROM chat_likes WHERE video_id = '$L' AND bucket >= 59")" -ge 57
audit=$(curl -s "${auth[@]}" "$U/api/v1/audit?action=chat&limit=50")
for action in chat.ban chat.word_add chat.delete chat.mute chat.auto_mute; do
  eq "audited: $action" 1 "$(jq --arg a "$action" '[.entries[] | select(.action == $a)] | length' <<<"$audit")"
done
metrics=$(curl -s "$U/metrics")
check "/metrics: messages" test "$(sed -n 's/^lectern_chat_messages_total //p' <<<"$metrics")" -ge 4
eq "/metrics: deleted" 1 "$(sed -n 's/^lectern_chat_deleted_total //p' <<<"$metrics")"
check "/metrics: likes" test "$(sed -n 's/^lectern_chat_likes_total //p' <<<"$metrics")" -ge 57
check "/metrics: batches written at once, not each through a writable callback" \
  test "$(sed -n 's/^lectern_ws_direct_total //p' <<<"$metrics")" -ge 1
check "/metrics: … by the parallel fan-out's threads" \
  test "$(sed -n 's/^lectern_ws_parallel_total //p' <<<"$metrics")" -ge 1
check "/metrics: refused by reason (rate_limited)" test "$(sed -n 's/^lectern_chat_refused_total{reason="rate_limited"} //p' <<<"$metrics")" -ge 10

# Lifting the ban (audited) lets the member post again.
SID=$(curl -s "${auth[@]}" "$U/api/v1/chat/sanctions" | jq -r --arg m "$BANNED_ID" '.sanctions[] | select(.member.id == $m) | .id')
eq "lift the ban: 200" 200 "$(code "${auth[@]}" -X DELETE "$U/api/v1/chat/sanctions/$SID")"
eq "lift it again: 404" 404 "$(code "${auth[@]}" -X DELETE "$U/api/v1/chat/sanctions/$SID")"

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
