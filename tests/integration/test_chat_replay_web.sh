#!/usr/bin/env bash
# Browser: the chat replay with the recording (issue 19.5) in headless Chromium — a real
# imported lesson made the recording of a live (source, state log), with messages stored at
# live times 4 s, 6 s (deleted) and 12 s, a question answered in text at 8 s (and a dismissed
# one at 9 s), and likes (2 in the first 10 s, 3 in the next): the
# page shows each message at about its media time, the like count as it stood then, and follows
# seeks (tests/web/chat_replay.mjs). See docs/chat.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

for need in node /usr/bin/chromium ffmpeg jq sqlite3; do
  command -v "$need" >/dev/null || { echo "# skip: needs $need"; exit 77; }
done
[ -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ] || { echo "# skip: needs web/node_modules"; exit 77; }
D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
CONF=$T_TMP/lectern.conf
# A light ladder: the source and one small rung.
printf '[live]\nladder = copy,426x240@300\n' >"$CONF"
MEMBER=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name "学员甲" --role viewer --real-name-verified 2>/dev/null | jq -r .id)
EDITOR=$("$LECTERN" member add -c "$CONF" --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)

# 20 s of picture and tone, imported (its playlist has no dates: media time = live time).
ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440 -t 20 \
  -c:v libx264 -preset veryfast -g 50 -pix_fmt yuv420p -c:a aac -shortest "$T_TMP/live.mp4"
V=$("$LECTERN" import "$T_TMP/live.mp4" -c "$CONF" --data-dir "$D" --title "劳模讲堂 回放" --wait 2>/dev/null | jq -r .id)
check "recording imported" test -n "$V" -a "$V" != null
# It becomes the recording of a live that went on air an hour ago, with its chat.
S=$(( $(date +%s) - 3600 ))
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET source = 'live', visibility = 'published' WHERE id = '$V';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$V', $S, 'scheduled', 'live');
  INSERT INTO chat_message (video_id, member_id, text, live_time, created_at) VALUES
    ('$V', '$MEMBER', '<b>四秒</b> 老师好', 4.0, $((S + 4))),
    ('$V', '$MEMBER', '十二秒：后来的话', 12.0, $((S + 12)));
  INSERT INTO chat_message (video_id, member_id, text, live_time, created_at, state) VALUES
    ('$V', '$MEMBER', '被删除的话', 6.0, $((S + 6)), 'deleted');
  INSERT INTO chat_likes (video_id, bucket, count) VALUES ('$V', 0, 2), ('$V', 1, 3);
  INSERT INTO qa_question (video_id, member_id, text, live_time, created_at, state, votes, answer) VALUES
    ('$V', '$MEMBER', '八秒的提问：<i>怎么练</i>', 8.0, $((S + 8)), 'answered', 4, '多练习'),
    ('$V', '$MEMBER', '驳回的提问', 9.0, $((S + 9)), 'dismissed', 0, NULL);"
start_server "$D" "$PORT" -c "$CONF" || { not_ok "server starts"; tap_done; exit 1; }
eq "the replay route has the two shown messages" 2 "$(curl -s "$U/api/v1/videos/$V/chat/replay?from=0&to=60" | jq '.messages | length')"
eq "… and the one question let through" 1 "$(curl -s "$U/api/v1/videos/$V/chat/replay?from=0&to=60" | jq '.questions | length')"

relay_browser < <(BASE_URL=$U VIDEO=$V EDITOR_TOKEN=$EDITOR ARTIFACTS="${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/chat-replay" \
  node "$LECTERN_SOURCE_DIR/tests/web/chat_replay.mjs" 2>&1)

eq "the message the editor deleted in the replay is gone from the route" 1 \
  "$(curl -s "$U/api/v1/videos/$V/chat/replay?from=0&to=60" | jq '.messages | length')"
eq "… and audited" 1 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM audit_log WHERE action = 'chat.delete'")"
stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
