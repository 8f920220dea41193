#!/usr/bin/env bash
# Integration: questions to the presenter (issue 19, items 2 and 6) over real /ws and HTTP —
# scripted members (tests/tools/qa_members.mjs) ask and upvote, a guest and a banned member
# are refused, pre-moderation holds a question, the presenter link opens its own live only
# (a wrong or rotated link is refused) and answers questions; then the points paid (capped,
# once per question), the audit, the presenter marked in the chat, /metrics. See docs/chat.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT

add() { "$LECTERN" member add --data-dir "$D" "$@" 2>/dev/null; }
EDITOR=$(add --name "主持人" --role editor | jq -r .token)
A_JSON=$(add --name "学员甲" --role viewer --real-name-verified)
A=$(jq -r .token <<<"$A_JSON"); A_ID=$(jq -r .id <<<"$A_JSON")
B_JSON=$(add --name "学员乙" --role viewer --real-name-verified)
B=$(jq -r .token <<<"$B_JSON"); B_ID=$(jq -r .id <<<"$B_JSON")
BANNED_JSON=$(add --name "捣乱者" --role viewer --real-name-verified)
BANNED=$(jq -r .token <<<"$BANNED_JSON"); BANNED_ID=$(jq -r .id <<<"$BANNED_JSON")
P_JSON=$(add --name "王师傅" --role viewer --real-name-verified)
P=$(jq -r .token <<<"$P_JSON"); P_ID=$(jq -r .id <<<"$P_JSON")
check "members made" test -n "$EDITOR" -a -n "$A" -a -n "$B" -a -n "$BANNED" -a -n "$P"

L=$("$LECTERN" event create --data-dir "$D" --title "劳模讲堂 提问" 2>/dev/null | jq -r .id)
L2=$("$LECTERN" event create --data-dir "$D" --title "另一场直播" 2>/dev/null | jq -r .id)
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
now=$(date +%s)
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id IN ('$L', '$L2');
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $((now - 300)), 'scheduled', 'live');
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L2', $((now - 300)), 'scheduled', 'live');"
auth=(-H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json')
code() { curl -s -o "$T_TMP/resp" -w '%{http_code}' "$@"; }

# A campaign open now whose question row pays 5 an approved question, at most 8 a day.
from=$(TZ=Asia/Shanghai date -d yesterday +%F); until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
eq "a campaign paying approved questions: 201" 201 "$(code "${auth[@]}" --data "{\"name\":\"提问\",\"starts_on\":\"$from\",
  \"ends_on\":\"$until\",\"activities\":[{\"activity\":\"question\",\"rate\":5,\"daily_cap\":8}]}" "$U/api/v1/campaigns")"
eq "ban a member: 201" 201 "$(code "${auth[@]}" --data "{\"member\":\"$BANNED_ID\",\"kind\":\"ban\"}" "$U/api/v1/chat/sanctions")"

# The presenter link: editors only, lives only, shown once.
eq "a member may not make a presenter link" 403 "$(code -H "Authorization: Bearer $A" -X POST "$U/api/v1/videos/$L/presenter-link")"
eq "the live has none yet" false "$(curl -s "${auth[@]}" "$U/api/v1/videos/$L/presenter-link" | jq -r .exists)"
eq "make one, naming the presenter's account: 200" 200 "$(code "${auth[@]}" --data "{\"member\":\"$P_ID\"}" "$U/api/v1/videos/$L/presenter-link")"
KEY_OLD=$(jq -r .key "$T_TMP/resp")
check "… a link to the presenter view" grep -q '"path":"/presenter.html#key=lcp1' "$T_TMP/resp"
eq "… stored hashed: the key is nowhere in the database" 0 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM presenter_link WHERE token_hash = '$KEY_OLD'")"
eq "rotate it: 200" 200 "$(code "${auth[@]}" --data "{\"member\":\"$P_ID\"}" "$U/api/v1/videos/$L/presenter-link")"
KEY=$(jq -r .key "$T_TMP/resp")
eq "the old link is refused" 401 "$(code -H 'Content-Type: application/json' --data "{\"key\":\"$KEY_OLD\"}" "$U/api/v1/presenter")"
eq "a made-up link is refused" 401 "$(code -H 'Content-Type: application/json' --data '{"key":"lcp1.'"$L"'.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}' "$U/api/v1/presenter")"
FORGED="lcp1.$L2.${KEY##*.}"
eq "the link's secret with another live's id is refused" 401 "$(code -H 'Content-Type: application/json' --data "{\"key\":\"$FORGED\"}" "$U/api/v1/presenter")"
eq "the presenter view opens with the link (no account): 200" 200 "$(code -H 'Content-Type: application/json' --data "{\"key\":\"$KEY\"}" "$U/api/v1/presenter")"
eq "… of its live, on air" "$L true" "$(jq -r '"\(.video) \(.live)"' "$T_TMP/resp")"
eq "a presenter link is not a member credential" 401 "$(code -H "Authorization: Bearer $KEY" "$U/api/v1/me")"

# A question on the other live, which this presenter link must not reach.
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "INSERT INTO qa_question (video_id, member_id, text, live_time, created_at) VALUES ('$L2', '$A_ID', '别的直播的问题', 1, $now)"
OTHER=$(sqlite3 "$D/lectern.db" "SELECT id FROM qa_question WHERE video_id = '$L2'")
eq "the presenter may not decide another live's question" 404 "$(code -H 'Content-Type: application/json' \
  --data "{\"key\":\"$KEY\",\"action\":\"dismiss\"}" "$U/api/v1/presenter/questions/$OTHER")"
eq "… which is untouched" open "$(sqlite3 "$D/lectern.db" "SELECT state FROM qa_question WHERE id = $OTHER")"

TOKENS=$(jq -n --arg a "$A" --arg b "$B" --arg x "$BANNED" --arg p "$P" --arg e "$EDITOR" --arg k "$KEY" --arg pid "$P_ID" \
  '{a: $a, b: $b, banned: $x, presenter: $p, presenter_id: $pid, editor: $e, key: $k}')
relay_browser < <(node --experimental-websocket --no-warnings "$LECTERN_SOURCE_DIR/tests/tools/qa_members.mjs" "$PORT" "$L" "$TOKENS" 2>&1)

# Points: 5 for A's approved question, 3 for A's answered one (the daily cap of 8), 5 for B's;
# none for the dismissed one, none twice, none for chatting.
eq "A earned 8 (capped at 8 a day)" 8 "$(sqlite3 "$D/lectern.db" "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE member_id = '$A_ID' AND reason = 'question'")"
eq "B earned 5" 5 "$(sqlite3 "$D/lectern.db" "SELECT coalesce(sum(amount), 0) FROM points_ledger WHERE member_id = '$B_ID' AND reason = 'question'")"
eq "three questions paid, each once, by its id" 3 "$(sqlite3 "$D/lectern.db" "SELECT count(DISTINCT idempotency_key) FROM points_ledger WHERE reason = 'question' AND idempotency_key LIKE 'question:%'")"
eq "no points but for questions" 0 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM points_ledger WHERE reason <> 'question'")"
eq "upvotes stored once per member" 0 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM (SELECT 1 FROM qa_vote GROUP BY question_id, member_id HAVING count(*) > 1)")"
audit=$(curl -s "${auth[@]}" "$U/api/v1/audit?action=qa&limit=50")
for action in qa.settings qa.approve qa.answer_live qa.answer qa.dismiss; do
  check "audited: $action" test "$(jq --arg a "$action" '[.entries[] | select(.action == $a)] | length' <<<"$audit")" -ge 1
done
eq "the presenter's decisions are audited as the presenter's" presenter "$(sqlite3 "$D/lectern.db" "SELECT DISTINCT member_id FROM audit_log WHERE action = 'qa.answer_live'")"
eq "audited: the presenter link (without the link)" 0 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM audit_log WHERE action = 'video.presenter_link' AND detail LIKE '%lcp1%'")"
metrics=$(curl -s "$U/metrics")
check "/metrics: batches written at once by the main loop (fewer than 1000 viewers: no threads)" \
  test "$(sed -n 's/^lectern_ws_direct_total //p' <<<"$metrics")" -ge 1 -a \
       "$(sed -n 's/^lectern_ws_parallel_total //p' <<<"$metrics")" = 0
check "/metrics: questions" test "$(sed -n 's/^lectern_qa_questions_total //p' <<<"$metrics")" -ge 4
check "/metrics: upvotes" test "$(sed -n 's/^lectern_qa_votes_total //p' <<<"$metrics")" -ge 2

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
