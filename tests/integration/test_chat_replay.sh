#!/usr/bin/env bash
# Integration: the chat replay with the recording (issue 19.5) — scripted members chat in a
# live over real /ws (tests/tools/chat_replay_members.mjs), a moderator deletes a message, the
# live becomes a recording whose playlist starts 3 s after going on air and has a reconnect's
# 12 s gap; the public replay route then gives the messages in order at their media times,
# without deleted or never-released ones, by window and page; the statistics and /metrics
# count the interactions. See docs/chat.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT

add() { "$LECTERN" member add --data-dir "$D" "$@" 2>/dev/null; }
EDITOR=$(add --name "主持人" --role editor | jq -r .token)
A=$(add --name "学员甲" --role viewer --real-name-verified | jq -r .token)
B=$(add --name "学员乙" --role viewer --real-name-verified | jq -r .token)
check "members made" test -n "$EDITOR" -a -n "$A" -a -n "$B"

L=$("$LECTERN" event create --data-dir "$D" --title "劳模讲堂 回放互动" 2>/dev/null | jq -r .id)
UPLOAD=$("$LECTERN" event create --data-dir "$D" --title "没有直播过" 2>/dev/null | jq -r .id)
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
# On air since 60 s ago (the state is set in the database once the server runs; test_live.sh
# publishes real lives and checks their playlists' dates).
S=$(( $(date +%s) - 60 ))
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id = '$L';
  UPDATE video SET state = 'ready', visibility = 'published', source = 'upload' WHERE id = '$UPLOAD';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $S, 'scheduled', 'live');"
auth=(-H "Authorization: Bearer $EDITOR")
code() { curl -s -o "$T_TMP/resp" -w '%{http_code}' "$@"; }

# --- the live: scripted chatters --------------------------------------------------------------------
TOKENS=$(jq -n --arg a "$A" --arg b "$B" '{a: $a, b: $b}')
node --experimental-websocket --no-warnings "$LECTERN_SOURCE_DIR/tests/tools/chat_replay_members.mjs" "$PORT" "$L" "$TOKENS" >"$T_TMP/members.out" 2>&1
relay_browser <"$T_TMP/members.out"
SAID=$(sed -n 's/^# said //p' "$T_TMP/members.out")
eq "five messages said" 5 "$(jq length <<<"${SAID:-[]}")"
sleep 0.5  # the last batch stored
eq "no replay while live: 409" 409 "$(code "$U/api/v1/videos/$L/chat/replay")"
eq "… not_ready" not_ready "$(jq -r .error.code "$T_TMP/resp")"
ID4=$(sqlite3 "$D/lectern.db" "SELECT id FROM chat_message WHERE text = '第四条：要删掉的话'")
eq "the moderator deletes one during the live" 200 "$(code "${auth[@]}" -X DELETE "$U/api/v1/videos/$L/chat/messages/$ID4")"
# A message a moderation delay held and the live ended before releasing it.
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "INSERT INTO chat_message (video_id, member_id, text, live_time, created_at, state)
  SELECT '$L', member_id, '从未放行', live_time + 0.5, created_at, 'held' FROM chat_message WHERE id = $ID4;"

# --- the live becomes a recording -----------------------------------------------------------------
# Its first frame 3 s after going on air, 15 segments of 2 s; the presenter's connection drops and
# comes back 12 s later (S+45); 30 more segments. A message at live time t (>= 45) plays at
# media time 30 + (t - 45) = t - 15.
pdt() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
mkdir -p "$D/media/$L/720p"
{
  printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n'
  for i in $(seq 0 14); do printf '#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.000,\nseg%05d.ts\n' "$(pdt $((S + 3 + 2 * i)))" "$i"; done
  printf '#EXT-X-DISCONTINUITY\n'
  for i in $(seq 0 29); do printf '#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:2.000,\nseg%05d.ts\n' "$(pdt $((S + 45 + 2 * i)))" "$((15 + i))"; done
  printf '#EXT-X-ENDLIST\n'
} >"$D/media/$L/720p/index.m3u8"
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'ready', duration_ms = 90000 WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $(date +%s), 'live', 'ready');
  INSERT INTO rendition (video_id, name, width, height, bandwidth, codecs, playlist)
    VALUES ('$L', '720p', 1280, 720, 2800000, 'avc1.64001f', '720p/index.m3u8');"

# --- the replay ----------------------------------------------------------------------------------
eq "the whole recording, a guest: 200" 200 "$(code "$U/api/v1/videos/$L/chat/replay?from=0&to=90")"
R=$(cat "$T_TMP/resp")
eq "the messages in the order they were said, the deleted one absent" \
  "$(jq -c '[.[] | select(. != "第四条：要删掉的话")]' <<<"$SAID")" "$(jq -c '[.messages[].text]' <<<"$R")"
eq "the held, never released one absent" 0 "$(jq '[.messages[] | select(.text == "从未放行")] | length' <<<"$R")"
eq "each at its media time: live time − 15 s (3 s to the first frame, 12 s of gap)" 0 \
  "$(jq '[.messages[] | select(((.media_time - (.live_time - 15)) | fabs) > 0.11)] | length' <<<"$R")"
check "… posted about a minute on air, so about 45 s into the recording" \
  test "$(jq '.messages[0].media_time | floor' <<<"$R")" -ge 44 -a "$(jq '.messages[0].media_time | floor' <<<"$R")" -le 60
eq "media times never go backwards" true "$(jq '[.messages[].media_time] | . == sort' <<<"$R")"
eq "authors named, as text" "学员甲" "$(jq -r '.messages[0].member.display_name' <<<"$R")"
eq "likes: the total" 7 "$(jq .likes_total <<<"$R")"
eq "likes: placed in the window" 7 "$(jq '[.likes[].count] | add' <<<"$R")"
eq "likes: none before the recording's start" 0 "$(jq .likes_before <<<"$R")"
eq "likes: all before the window's end" 7 "$(curl -s "$U/api/v1/videos/$L/chat/replay?from=89&to=90" | jq .likes_before)"
eq "one page: no next" null "$(jq .next_after <<<"$R")"
eq "the first 30 s (before the chat): nothing" 0 "$(curl -s "$U/api/v1/videos/$L/chat/replay?from=0&to=30" | jq '.messages | length')"
# Seek: windows of a minute, forwards then backwards.
T0=$(jq '.messages[0].media_time | floor' <<<"$R")
eq "a window from the first message on" 4 "$(curl -s "$U/api/v1/videos/$L/chat/replay?from=$T0&to=$((T0 + 60))" | jq '.messages | length')"
eq "a window ending just after it" 1 "$(curl -s "$U/api/v1/videos/$L/chat/replay?from=0&to=$((T0 + 1))" | jq '.messages | length')"
# Pages of 3, then the rest after next_after.
P1=$(curl -s "$U/api/v1/videos/$L/chat/replay?from=0&to=90&limit=3")
eq "page 1: 3 messages" 3 "$(jq '.messages | length' <<<"$P1")"
NEXT=$(jq .next_after <<<"$P1")
eq "… and where the next starts" "$(jq '.messages[2].id' <<<"$P1")" "$NEXT"
P2=$(curl -s "$U/api/v1/videos/$L/chat/replay?from=0&to=90&limit=3&after=$NEXT")
eq "page 2: the rest, no likes again" "1 0 null" "$(jq -r '"\(.messages | length) \(.likes | length) \(.next_after)"' <<<"$P2")"
eq "pages together are the window" "$(jq -c '[.messages[].id]' <<<"$R")" "$(jq -sc '[.[].messages[].id]' <<<"$P1 $P2")"
eq "after a message not in the window: 400" 400 "$(code "$U/api/v1/videos/$L/chat/replay?from=0&to=30&after=$NEXT")"
eq "a window too wide: 400" 400 "$(code "$U/api/v1/videos/$L/chat/replay?from=0&to=7200")"
eq "to before from: 400" 400 "$(code "$U/api/v1/videos/$L/chat/replay?from=50&to=10")"
eq "an upload has no replay: 404" 404 "$(code "$U/api/v1/videos/$UPLOAD/chat/replay")"
eq "an unknown video: 404" 404 "$(code "$U/api/v1/videos/nope/chat/replay")"

# A message deleted on the recording disappears from the replay at once (the cache forgets it).
ID2=$(jq '.messages[] | select(.text == "第二条：我从上海来") | .id' <<<"$R")
eq "delete one more, after the live" 200 "$(code "${auth[@]}" -X DELETE "$U/api/v1/videos/$L/chat/messages/$ID2")"
eq "… gone from the replay" 0 "$(curl -s "$U/api/v1/videos/$L/chat/replay?from=0&to=90" | jq '[.messages[] | select(.id == '"$ID2"')] | length')"

# The live's chat mode says who reads the replay.
eq "members-only chat" 200 "$(code "${auth[@]}" -X PATCH -H 'Content-Type: application/json' --data '{"mode":"members"}' "$U/api/v1/videos/$L/chat")"
eq "… a guest: 401" 401 "$(code "$U/api/v1/videos/$L/chat/replay")"
eq "… a member reads it" 200 "$(code -H "Authorization: Bearer $A" "$U/api/v1/videos/$L/chat/replay?from=0&to=90")"
eq "chat off" 200 "$(code "${auth[@]}" -X PATCH -H 'Content-Type: application/json' --data '{"mode":"off"}' "$U/api/v1/videos/$L/chat")"
eq "… a member: 403" 403 "$(code -H "Authorization: Bearer $A" "$U/api/v1/videos/$L/chat/replay")"
eq "… a moderator still reads it" 200 "$(code "${auth[@]}" "$U/api/v1/videos/$L/chat/replay")"

# --- statistics and /metrics --------------------------------------------------------------------------
ST=$(curl -s "${auth[@]}" "$U/api/v1/videos/$L/stats")
eq "stats: interacting members" 2 "$(jq .interactions.members <<<"$ST")"
eq "stats: messages (posted, any state)" 6 "$(jq .interactions.messages <<<"$ST")"
eq "stats: deleted messages" 2 "$(jq .interactions.deleted_messages <<<"$ST")"
eq "stats: likes" 7 "$(jq .interactions.likes <<<"$ST")"
metrics=$(curl -s "$U/metrics")
check "/metrics: replay windows served (the 200s above)" test "$(sed -n 's/^lectern_chat_replay_reads_total //p' <<<"$metrics")" -ge 9
check "/metrics: replays loaded (a miss, then again after the delete)" test "$(sed -n 's/^lectern_chat_replay_loads_total //p' <<<"$metrics")" -ge 2
check "/metrics: replayed messages" test "$(sed -n 's/^lectern_chat_replay_messages_total //p' <<<"$metrics")" -ge 10
check "/metrics: chat messages" test "$(sed -n 's/^lectern_chat_messages_total //p' <<<"$metrics")" -ge 5

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
