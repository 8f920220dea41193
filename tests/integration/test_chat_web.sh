#!/usr/bin/env bash
# Browser: the live chat (issue 19) in headless Chromium — two pages on one live, a message
# typed in one appears in the other (tests/web/chat.mjs). See docs/chat.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

if ! command -v node >/dev/null || [ ! -x /usr/bin/chromium ] || [ ! -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ]; then
  echo "# skip: needs node, /usr/bin/chromium and web/node_modules"; exit 77
fi
D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
EDITOR=$("$LECTERN" member add --data-dir "$D" --name "主持人" --role editor 2>/dev/null | jq -r .token)
MEMBER=$("$LECTERN" member add --data-dir "$D" --name "学员甲" --role viewer --real-name-verified 2>/dev/null | jq -r .token)
L=$("$LECTERN" event create --data-dir "$D" --title "劳模讲堂 直播互动" 2>/dev/null | jq -r .id)
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
# On air (set in the database once the server runs; test_live.sh publishes real lives).
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $(($(date +%s) - 60)), 'scheduled', 'live');"

relay_browser < <(BASE_URL=$U LIVE=$L MEMBER=$MEMBER EDITOR=$EDITOR ARTIFACTS="${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/chat" \
  node "$LECTERN_SOURCE_DIR/tests/web/chat.mjs" 2>&1)
eq "the deletion was audited" 1 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM audit_log WHERE action = 'chat.delete'")"

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
