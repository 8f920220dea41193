#!/usr/bin/env bash
# Browser: a member reads an article on a phone-sized page and earns the read rate once
# (tests/web/article.mjs) against a real `lectern serve`; then the console's articles tab.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}"
for tool in jq curl node; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done
[ -x /usr/bin/chromium ] && [ -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ] ||
  { echo "1..0 # SKIP needs /usr/bin/chromium and web/node_modules"; exit 77; }

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT/api/v1
EDITOR=$("$LECTERN" member add --data-dir "$D" --name 编辑 --role editor 2>/dev/null | jq -r .token)
VIEWER=$("$LECTERN" member add --data-dir "$D" --name 读者 --role viewer --real-name-verified 2>/dev/null | jq -r .token)
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
ed() { local m=$1 p=$2; shift 2; curl -s -X "$m" -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$@" "$U$p"; }
from=$(TZ=Asia/Shanghai date -d yesterday +%F); until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
eq "a campaign paying 3 a minute of reading" 201 "$(ed POST /campaigns -o /dev/null -w '%{http_code}' \
  -d "{\"name\":\"读书\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",\"activities\":[{\"activity\":\"read\",\"rate\":3}]}")"
BODY='**王师傅**的故事。<script>window.pwned=1</script>\n\n[点我](javascript:alert(1)) <img src=x onerror=alert(1)>'
A=$(ed POST /articles -d "{\"title\":\"劳模精神薪火相传\",\"summary\":\"一位焊工的三十年\",\"author\":\"王师傅\",\"body\":\"$BODY\",\"publish\":true}" | jq -r .id)
check "a published article" test "$A" -gt 0
relay_browser < <(BASE_URL=http://127.0.0.1:$PORT TOKEN=$VIEWER EDITOR_TOKEN=$EDITOR ARTICLE=$A \
  ARTIFACTS="${LECTERN_ARTIFACTS:-$T_TMP}/articles" node "$LECTERN_SOURCE_DIR/tests/web/article.mjs" 2>&1)
stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
