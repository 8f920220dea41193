#!/usr/bin/env bash
# Browser: questions to the presenter (issue 19.2) in headless Chromium — a member's watch
# page and the presenter view (opened with the live's presenter link, no account) on one
# live: the question asked on the viewer page shows in the presenter view, the presenter
# answers it live and the viewer page marks it (tests/web/qa.mjs). See docs/chat.md.
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
L=$("$LECTERN" event create --data-dir "$D" --title "劳模讲堂 提问" 2>/dev/null | jq -r .id)
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "UPDATE video SET state = 'live', visibility = 'published' WHERE id = '$L';
  INSERT INTO video_state_log (video_id, at, from_state, to_state) VALUES ('$L', $(($(date +%s) - 60)), 'scheduled', 'live');"
KEY=$(curl -s -X POST -H "Authorization: Bearer $EDITOR" "$U/api/v1/videos/$L/presenter-link" | jq -r .key)
check "a presenter link" test "${KEY#lcp1.}" != "$KEY"

relay_browser < <(BASE_URL=$U LIVE=$L MEMBER=$MEMBER KEY=$KEY ARTIFACTS="${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/qa" \
  node "$LECTERN_SOURCE_DIR/tests/web/qa.mjs" 2>&1)
eq "the presenter's answer was audited" 1 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM audit_log WHERE action = 'qa.answer_live' AND member_id = 'presenter'")"

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
