#!/usr/bin/env bash
# Integration: single sign-on through the union's OpenID Connect provider and the roster
# (issue 17 items 1 and 3). A real provider on loopback (npm's oidc-provider, pinned in
# tests/oidc/) with its own login page, driven in headless Chromium: the member lands signed
# in, is real-name verified because the roster has the member number, and earns points over
# /ws with the session cookie. A provider that misbehaves on purpose (tests/oidc/hostile.mjs)
# gives the refusals: wrong state, replayed code, another key, an unknown kid (the key set
# fetched again once), expired token, wrong audience, wrong nonce, the provider's error, a
# provider that is down. The roster import from the CLI (good, malformed, duplicate lines,
# the same file twice) and the console. See docs/identity.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}" "${WATCH_CLIENT:?}"
for tool in node ffmpeg jq curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done
OIDC_DIR=$LECTERN_SOURCE_DIR/tests/oidc
[ -d "$OIDC_DIR/node_modules/oidc-provider" ] || { echo "1..0 # SKIP tests/oidc/node_modules missing (scripts/install-deps)"; exit 77; }
BROWSER=1
[ -x /usr/bin/chromium ] && [ -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ] || BROWSER=

# start_node NAME SCRIPT VAR=VALUE…: a provider in the background; waits for its "ready" line.
start_node() {
  local name=$1 script=$2; shift 2
  (cd "$OIDC_DIR" && exec env "$@" node "$script") >"$T_TMP/$name.log" 2>&1 &
  local pid=$!
  T_PIDS+=("$pid")
  eval "${name}_PID=$pid"
  for _ in $(seq 1 300); do
    grep -q '^ready ' "$T_TMP/$name.log" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "# $name did not start:"; sed 's/^/#   /' "$T_TMP/$name.log"; return 1
}
code() { curl -s -o "$T_TMP/page" -w '%{http_code}' "$@"; }
# flow U JAR MODE [STATE_OVERRIDE]: start at lectern U (cookies in JAR), let the hostile provider
# answer in MODE, come back; prints the callback's status (the page in $T_TMP/page).
flow() {
  local u=$1 jar=$2 mode=$3 loc cb
  loc=$(curl -s -o /dev/null -c "$jar" -w '%{redirect_url}' "$u/api/v1/oidc/start?return_to=/me.html")
  cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc&mode=$mode")
  [ -n "${4:-}" ] && cb=$(sed "s/state=[^&]*/state=$4/" <<<"$cb")
  echo "$cb" >"$T_TMP/last_callback"
  curl -s -o "$T_TMP/page" -D "$T_TMP/headers" -b "$jar" -c "$jar" -w '%{http_code}' "$cb"
}
sessions() { sqlite3 -cmd ".timeout 5000" "$1/lectern.db" "SELECT count(*) FROM session"; }

# --- the roster from the CLI ------------------------------------------------------------------
D=$T_TMP/data
printf '%s\n' 'member_number,name,unit,phone,id_number' \
  '1001,张三,"市总工会, 机关工会",138-0013-8000,' \
  '1002,李四,区总工会,,11010519491231002X' \
  '1001,张三丰,市总工会,,' \
  '1003,王五,某单位,12ab,' \
  ',无编号,某单位,,' \
  '1004,赵六,某单位' \
  '1005,"钱七,某单位,,' >"$T_TMP/roster.csv"
r=$("$LECTERN" member import "$T_TMP/roster.csv" --data-dir "$D" 2>/dev/null)
eq "roster import: two members added" 2 "$(jq .added <<<"$r")"
eq "… five lines refused" 5 "$(jq '.refused | length' <<<"$r")"
eq "… a duplicate member number names the first line" "member_number 1001 is already on line 2" "$(jq -r '.refused[] | select(.line == 4) | .reason' <<<"$r")"
contains "… a malformed phone says which column, never the value" "$(jq -r '.refused[] | select(.line == 5) | .reason' <<<"$r")" "phone is not a number"
lacks "… and the value is not repeated" "$r" "12ab"
contains "… an empty member number" "$(jq -r '.refused[] | select(.line == 6) | .reason' <<<"$r")" "member_number is empty"
contains "… a short line" "$(jq -r '.refused[] | select(.line == 7) | .reason' <<<"$r")" "3 fields where the header has 5"
contains "… an unclosed quote" "$(jq -r '.refused[] | select(.line == 8) | .reason' <<<"$r")" "not closed"
r=$("$LECTERN" member import "$T_TMP/roster.csv" --data-dir "$D" 2>/dev/null)
eq "the same file again changes nothing" "0 0 2" "$(jq -r '"\(.added) \(.updated) \(.unchanged)"' <<<"$r")"
sed -i 's/1002,李四,区总工会/1002,李四,区总工会二部/' "$T_TMP/roster.csv"
r=$("$LECTERN" member import "$T_TMP/roster.csv" --data-dir "$D" 2>/dev/null)
eq "a changed unit is an update" "0 1 1" "$(jq -r '"\(.added) \(.updated) \(.unchanged)"' <<<"$r")"
eq "a file without the header is refused whole" invalid_roster \
  "$(printf '1001,张三\n' >"$T_TMP/nohead.csv"; "$LECTERN" member import "$T_TMP/nohead.csv" --data-dir "$D" 2>/dev/null | jq -r .error.code)"
eq "each import is audited" 3 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM audit_log WHERE action = 'roster.import'")"
eq "the unit is kept (quoted comma)" "市总工会, 机关工会" "$(sqlite3 "$D/lectern.db" "SELECT unit FROM roster WHERE member_number = '1001'")"
if grep -qa -e '13800138000' -e '138-0013-8000' -e '11010519491231002X' "$D/lectern.db" "$D/lectern.db-wal" 2>/dev/null; then
  not_ok "phone and ID numbers are not stored in clear"
else
  ok "phone and ID numbers are not stored in clear"
fi
eq "… but as a keyed hash" 64 "$(sqlite3 "$D/lectern.db" "SELECT length(contact_hash) FROM roster WHERE member_number = '1002'")"

# --- a lesson, a campaign, an admin ------------------------------------------------------------
ADMIN_JSON=$("$LECTERN" member add --data-dir "$D" --name "管理员" --role admin 2>/dev/null)
ADMIN=$(jq -r .token <<<"$ADMIN_JSON")
ADMIN_PW=$("$LECTERN" member passwd "$(jq -r .id <<<"$ADMIN_JSON")" --login admin-1 --generate --data-dir "$D" 2>/dev/null | jq -r .password)
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x180:rate=15:duration=90" -f lavfi -i "sine=duration=90" \
  -c:v libx264 -preset ultrafast -g 30 -c:a aac -shortest "$T_TMP/lesson.mp4"
V=$("$LECTERN" import "$T_TMP/lesson.mp4" --data-dir "$D" --title "统一身份 第一课" --wait 2>/dev/null | jq -r .id)
eq "the lesson is ready" ready "$("$LECTERN" video show "$V" --data-dir "$D" 2>/dev/null | jq -r .state)"

# --- lectern with the real provider ---------------------------------------------------------------
OP=$($FREEPORT) PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT ISSUER=http://127.0.0.1:$OP
cat >"$T_TMP/real.conf" <<CONF
[http]
public_url = $U
[oidc]
issuer = $ISSUER
client_id = lectern-test
client_secret = a-test-secret-of-the-client
userinfo = yes
CONF
start_node OP provider.mjs PORT="$OP" CLIENT_ID=lectern-test CLIENT_SECRET=a-test-secret-of-the-client \
  REDIRECT_URI="$U/api/v1/oidc/callback" POST_LOGOUT_URI="$U/signin.html" \
  ACCOUNTS='{"zhangsan":{"name":"张三","member_number":"1001","unit":"市总工会"}}' \
  || { not_ok "oidc-provider starts"; tap_done; exit 1; }
ok "oidc-provider starts"
start_server "$D" "$PORT" -c "$T_TMP/real.conf" || { not_ok "server starts"; tap_done; exit 1; }
REAL_ERR=$D.err
auth=(-H "Authorization: Bearer $ADMIN" -H "content-type: application/json")
curl -s -o /dev/null "${auth[@]}" -X PATCH -d '{"visibility":"published"}' "$U/api/v1/videos/$V"
from=$(TZ=Asia/Shanghai date -d "yesterday" +%F) until=$(TZ=Asia/Shanghai date -d "tomorrow" +%F)
eq "a campaign open now" 201 "$(code "${auth[@]}" -d "{\"name\":\"统一身份积分\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",\"points_per_minute\":1}" "$U/api/v1/campaigns")"
eq "GET /oidc: single sign-on is offered" true "$(curl -s "$U/api/v1/oidc" | jq .enabled)"

# The roster card's file: what the roster holds now, and two bad lines.
printf '%s\n' 'member_number,name,unit,phone,id_number' \
  '1001,张三,"市总工会, 机关工会",138-0013-8000,' \
  '1002,李四,区总工会二部,,11010519491231002X' '1001,重复,x,,' ',x,x,,' >"$T_TMP/roster-console.csv"

if [ -n "$BROWSER" ]; then
  relay_browser < <(BASE_URL=$U ISSUER=$ISSUER LOGIN=zhangsan ADMIN_LOGIN=admin-1 ADMIN_PASSWORD=$ADMIN_PW \
    ROSTER_CSV=$T_TMP/roster-console.csv OUT=$T_TMP/browser.json \
    ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/oidc node "$LECTERN_SOURCE_DIR/tests/web/oidc.mjs" 2>&1)
  SID=$(jq -r .session "$T_TMP/browser.json" 2>/dev/null)
  CALLBACK=$(jq -r .callback "$T_TMP/browser.json" 2>/dev/null)
  check "the browser's session: 43 characters" test "${#SID}" -eq 43
  MEMBER=$(curl -s -b "lectern_session=$SID" "$U/api/v1/me")
  eq "the member by the session cookie" "张三" "$(jq -r .display_name <<<"$MEMBER")"
  eq "… real-name verified through the roster" true "$(jq -r .real_name_verified <<<"$MEMBER")"
  MID=$(jq -r .id <<<"$MEMBER")
  eq "the provider account is linked with its member number and unit" "1001|市总工会" \
    "$(sqlite3 "$D/lectern.db" "SELECT member_number || '|' || unit FROM member_identity WHERE member_id = '$MID'")"
  eq "signing in twice (the sign-out browser) made no second member" 1 \
    "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM member_identity WHERE issuer = '$ISSUER'")"

  # Points over /ws with the session cookie, in the background while the refusals are tested.
  "$WATCH_CLIENT" --port "$PORT" --video "$V" --duration 90 --scenario honest --cookie "lectern_session=$SID" \
    --seconds 64 --interval 2 --out "$T_TMP/points.json" &
  WATCH_PID=$!
  T_PIDS+=("$WATCH_PID")

  # Replays against the real provider.
  eq "the callback used again: refused (400)" 400 "$(code -b "$T_TMP/none.jar" "$CALLBACK")"
  contains "… with a page in Chinese first" "$(cat "$T_TMP/page")" "登录请求无效"
  loc=$(curl -s -o /dev/null -c "$T_TMP/replay.jar" -w '%{redirect_url}' "$U/api/v1/oidc/start")
  state=$(sed -n 's/.*[?&]state=\([^&]*\).*/\1/p' <<<"$loc")
  old_code=$(sed -n 's/.*[?&]code=\([^&]*\).*/\1/p' <<<"$CALLBACK")
  eq "the code replayed with a fresh state: the provider refuses it (400)" 400 \
    "$(code -b "$T_TMP/replay.jar" "$U/api/v1/oidc/callback?code=$old_code&state=$state")"
  contains "… said on the page" "$(cat "$T_TMP/page")" "已失效"
  contains "… and in the log" "$(cat "$REAL_ERR")" "the provider refused the code (invalid_grant)"
else
  echo "# skip: the browser part needs /usr/bin/chromium and web/node_modules/playwright-core"
fi

# --- refusals, from a provider that misbehaves on purpose --------------------------------------
D2=$T_TMP/data2 HP=$($FREEPORT) PORT2=$($FREEPORT)
U2=http://127.0.0.1:$PORT2 HOSTILE=http://127.0.0.1:$HP
printf '[http]\npublic_url = %s\n[oidc]\nissuer = %s\nclient_id = lectern\nclient_secret = s\n' "$U2" "$HOSTILE" >"$T_TMP/hostile.conf"
SERVER_PID_REAL=${SERVER_PID:-}
RTMP_PORT=$($FREEPORT) start_server "$D2" "$PORT2" -c "$T_TMP/hostile.conf" || { not_ok "second server starts"; tap_done; exit 1; }
eq "provider down: the start answers 502" 502 "$(code -c "$T_TMP/down.jar" "$U2/api/v1/oidc/start")"
contains "… with a page that says so, Chinese first" "$(cat "$T_TMP/page")" "暂时无法连接统一身份认证平台"
contains "… and in English" "$(cat "$T_TMP/page")" "cannot be reached"
start_node HP hostile.mjs PORT="$HP" CLIENT_ID=lectern || { not_ok "hostile provider starts"; tap_done; exit 1; }
J=$T_TMP/h.jar
eq "a correct sign-in through it works (303)" 303 "$(flow "$U2" "$J" good)"
contains "… to where the member was going" "$(grep -i '^location:' "$T_TMP/headers")" "/me.html"
HID=$(curl -s -b "$J" "$U2/api/v1/me" | jq -r .id)
check "… signed in" test -n "$HID" -a "$HID" != null
eq "… not verified: H-1 is on no roster" false "$(curl -s -b "$J" "$U2/api/v1/me" | jq .real_name_verified)"
eq "the same account again is the same member" 303 "$(flow "$U2" "$J" good)"
eq "… member" "$HID" "$(curl -s -b "$J" "$U2/api/v1/me" | jq -r .id)"
before=$(sessions "$D2")
refused() { # refused WHAT MODE STATUS PAGE_TEXT LOG_TEXT [STATE]
  rm -f "$T_TMP/r.jar"
  eq "$1: $3" "$3" "$(flow "$U2" "$T_TMP/r.jar" "$2" "${6:-}")"
  contains "… a clear page" "$(cat "$T_TMP/page")" "$4"
  check "… no session cookie" bash -c "! grep -q lectern_session '$T_TMP/r.jar'"
  contains "… a log line" "$(tail -n 5 "$D2.err")" "$5"
}
refused "wrong state" good 400 "登录请求无效" "the state is unknown" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
eq "a sign-in to replay: 303" 303 "$(flow "$U2" "$T_TMP/rp.jar" good)"
eq "… its callback a second time: 400" 400 "$(code -b "$T_TMP/rp.jar" "$(cat "$T_TMP/last_callback")")"
rm -f "$T_TMP/nc.jar"
loc=$(curl -s -o /dev/null -c "$T_TMP/nc.jar" -w '%{redirect_url}' "$U2/api/v1/oidc/start")
cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc&mode=good")
eq "a state from another browser (no state cookie): 400" 400 "$(code "$cb")"
refused "ID token signed by another key" otherkey 401 "无法验证" "signature is not valid"
f0=$(curl -s "$HOSTILE/stats" | jq .jwks_fetches)
refused "ID token with a key the provider never published" unknownkid 401 "无法验证" "names a key the provider does not publish"
eq "… the key set was fetched again exactly once" $((f0 + 1)) "$(curl -s "$HOSTILE/stats" | jq .jwks_fetches)"
refused "expired ID token" expired 401 "无法验证" "has expired"
refused "ID token for another client (audience)" audience 401 "无法验证" "for another client"
refused "ID token with another nonce" nonce 401 "无法验证" "nonce"
refused "the provider answers with an error" error 403 "取消了登录" "the provider answered with an error (access_denied)"
eq "no refusal started a session" "$((before + 1))" "$(sessions "$D2")"
curl -s -X POST "$HOSTILE/rotate" >/dev/null
f0=$(curl -s "$HOSTILE/stats" | jq .jwks_fetches)
eq "the provider rotated its key: the new kid is fetched and taken (303)" 303 "$(flow "$U2" "$T_TMP/rot.jar" rotated)"
eq "… with one more fetch of the key set" $((f0 + 1)) "$(curl -s "$HOSTILE/stats" | jq .jwks_fetches)"
loc=$(curl -s -o /dev/null -c "$T_TMP/dn.jar" -w '%{redirect_url}' "$U2/api/v1/oidc/start")
cb=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc&mode=good")
kill "$HP_PID"; wait "$HP_PID" 2>/dev/null
eq "provider down at the code exchange: 502" 502 "$(code -b "$T_TMP/dn.jar" "$cb")"
contains "… a clear page" "$(cat "$T_TMP/page")" "没有响应"
check "… no session cookie" bash -c "! grep -q lectern_session '$T_TMP/dn.jar'"
eq "no refusal started a session (still)" "$((before + 2))" "$(sessions "$D2")"
stop_server
SERVER_PID=$SERVER_PID_REAL

# --- points over /ws with the session cookie ------------------------------------------------------
if [ -n "$BROWSER" ]; then
  wait "$WATCH_PID"
  check "the SSO member earned points over /ws with the session cookie" test "$(jq -r .points "$T_TMP/points.json")" -ge 1
  check "… and /me/points shows them" test "$(curl -s -b "lectern_session=$SID" "$U/api/v1/me/points" | jq .balance)" -ge 1
fi

# --- nothing personal in the logs ---------------------------------------------------------------
logs=$(cat "$D.err" "$D2.err")
lacks "the logs hold no member name" "$logs" "张三"
lacks "… no provider login" "$logs" "zhangsan"
lacks "… no subject" "$logs" "hostile-user"
lacks "… no code" "$logs" "code="
stop_server
tap_done
