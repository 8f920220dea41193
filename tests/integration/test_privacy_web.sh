#!/usr/bin/env bash
# Integration (browser): members' data pages (issue 17.5) — /me.html's download and the
# console's export and erase buttons, driven in headless Chromium by tests/web/privacy.mjs.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}" "${LECTERN_SOURCE_DIR:?}"
WEB=$LECTERN_SOURCE_DIR/web
for need in node /usr/bin/chromium jq curl; do
  command -v "$need" >/dev/null || { echo "1..0 # SKIP $need missing (scripts/install-deps installs it)"; exit 77; }
done
[ -d "$WEB/node_modules/playwright-core" ] || { echo "1..0 # SKIP run npm ci in web/ (scripts/install-deps does)"; exit 77; }

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" --real-name-verified 2>/dev/null; }
ADMIN=$(add "管理员" admin | jq -r .token)
MEMBER=$(add "王小明" viewer | jq -r .id)
TARGET=$(add "李小红" viewer | jq -r .id)
printf 'a good password\n' | "$LECTERN" member passwd "$MEMBER" --login wangxm --data-dir "$D" >/dev/null 2>&1
check "members made" test -n "$ADMIN" -a -n "$MEMBER" -a -n "$TARGET"
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }

ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/privacy
relay_browser < <(BASE_URL=$U LOGIN=wangxm PASSWORD='a good password' MEMBER=$MEMBER ADMIN_TOKEN=$ADMIN \
  TARGET=$TARGET ARTIFACTS=$ARTIFACTS node "$LECTERN_SOURCE_DIR/tests/web/privacy.mjs" 2>&1)
eq "the console's erasure reached the database" "已注销会员 1" \
  "$(sqlite3 -cmd ".timeout 10000" -separator ' ' "$D/lectern.db" "SELECT display_name, erased_at IS NOT NULL FROM member WHERE id = '$TARGET'")"
stop_server
eq "clean exit" 0 "$SERVER_STATUS"
tap_done
