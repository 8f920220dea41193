#!/usr/bin/env bash
# Integration: members sign in as themselves (issue 17) — browser sessions over real HTTP with
# curl's cookie jar: the cookie and its attributes, CSRF refusals, /ws taking the session,
# sign-out, idle and absolute expiry, Secure behind HTTPS. See docs/identity.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
WS_HELLO=(node "$LECTERN_SOURCE_DIR/tests/tools/ws_hello.mjs")

EDITOR_JSON=$("$LECTERN" member add --data-dir "$D" --name "编辑" --role editor 2>/dev/null)
EDITOR=$(echo "$EDITOR_JSON" | jq -r .token)
EDITOR_ID=$(echo "$EDITOR_JSON" | jq -r .id)
VIEWER_JSON=$("$LECTERN" member add --data-dir "$D" --name "学员" --role viewer --real-name-verified 2>/dev/null)
VIEWER=$(echo "$VIEWER_JSON" | jq -r .token)
VIEWER_ID=$(echo "$VIEWER_JSON" | jq -r .id)
OTHER_ID=$("$LECTERN" member add --data-dir "$D" --name "学员二" --role viewer 2>/dev/null | jq -r .id)
check "members made" test -n "$EDITOR" -a -n "$VIEWER"

# --- passwords and links from the CLI ----------------------------------------------------------
out=$(printf 'correct horse 马\n' | "$LECTERN" member passwd "$VIEWER_ID" --login Zhang.San --data-dir "$D" 2>/dev/null)
eq "member passwd: the sign-in name" "Zhang.San" "$(echo "$out" | jq -r .login)"
check "… prints no password it was given" bash -c "! grep -q horse <<<'$out'"
out=$(printf 'short\n' | "$LECTERN" member passwd "$OTHER_ID" --login li --data-dir "$D" 2>/dev/null)
eq "member passwd: a short password is refused" invalid_password "$(echo "$out" | jq -r .error.code)"
out=$(printf 'another password\n' | "$LECTERN" member passwd "$OTHER_ID" --login zhang.san --data-dir "$D" 2>/dev/null)
eq "member passwd: a name taken (any case) is refused" login_taken "$(echo "$out" | jq -r .error.code)"
EDITOR_PW=$("$LECTERN" member passwd "$EDITOR_ID" --login editor-1 --generate --data-dir "$D" 2>/dev/null | jq -r .password)
check "member passwd --generate prints the new password once" test "${#EDITOR_PW}" -ge 12
hash=$(sqlite3 "$D/lectern.db" "SELECT password_hash FROM member_login WHERE member_id = '$VIEWER_ID'")
contains "the password is stored as argon2id" "$hash" '$argon2id$v=19$m=19456,t=2,p=1$'
LINK1=$("$LECTERN" member link "$OTHER_ID" --data-dir "$D" 2>/dev/null | jq -r .link)
LINK2=$("$LECTERN" member link "$OTHER_ID" --data-dir "$D" 2>/dev/null | jq -r .link)
contains "member link: a sign-in page link" "$LINK1" "/signin.html#link=lsl1."
eq "member link: an unknown member" not_found "$("$LECTERN" member link nobody --data-dir "$D" 2>/dev/null | jq -r .error.code)"

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }

code() { curl -s -o "$T_TMP/resp" -w '%{http_code}' "$@"; }
# sign_in JAR TOKEN [BASE]: POST /api/v1/session; the cookies go to JAR, the body to $T_TMP/resp.
sign_in() {
  curl -s -o "$T_TMP/resp" -D "$T_TMP/headers" -w '%{http_code}' -c "$1" -H 'Content-Type: application/json' \
    --data "{\"token\":\"$2\"}" "${3:-$U}/api/v1/session"
}
cookie_of() { sed -n 's/^#HttpOnly_127.0.0.1\tFALSE\t\/\tFALSE\t[0-9]*\tlectern_session\t//p' "$1"; }

# --- sign-in: a credential exchanged for a session cookie -----------------------------------
J=$T_TMP/viewer.jar
eq "sign in with a credential: 201" 201 "$(sign_in "$J" "$VIEWER")"
set_cookie=$(grep -i '^set-cookie: lectern_session=' "$T_TMP/headers" | tr -d '\r')
contains "cookie is HttpOnly" "$set_cookie" "HttpOnly"
contains "cookie is SameSite=Lax" "$set_cookie" "SameSite=Lax"
contains "cookie is for the whole site" "$set_cookie" "Path=/"
contains "cookie lasts the session's lifetime" "$set_cookie" "Max-Age=2592000"
check "no Secure on a plain-HTTP site" bash -c "! grep -qi 'secure' <<<'$set_cookie'"
contains "a readable companion says a session is held" "$(grep -i '^set-cookie: lectern_signed_in=1' "$T_TMP/headers")" "lectern_signed_in=1"
CSRF=$(jq -r .csrf_token "$T_TMP/resp")
eq "the answer names the member" "$VIEWER_ID" "$(jq -r .member.id "$T_TMP/resp")"
SID=$(cookie_of "$J")
eq "session id: 43 random characters" 43 "${#SID}"
eq "the cookie alone signs in" 200 "$(code -b "$J" "$U/api/v1/me")"
contains "… as the member" "$(cat "$T_TMP/resp")" '"display_name":"学员"'
eq "GET /session gives the CSRF token" "$CSRF" "$(curl -s -b "$J" "$U/api/v1/session" | jq -r .csrf_token)"
eq "a wrong credential: 401" 401 "$(sign_in "$T_TMP/x.jar" "lct1.nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")"
check "… and no cookie" bash -c "! grep -q lectern_session '$T_TMP/x.jar' 2>/dev/null"
eq "a form's body type is refused (login CSRF)" 415 "$(code -H 'Content-Type: text/plain' --data "{\"token\":\"$VIEWER\"}" "$U/api/v1/session")"
sqlite3 "$D/lectern.db" "PRAGMA wal_checkpoint;" >/dev/null 2>&1
if grep -qa -- "$SID" "$D/lectern.db" "$D/lectern.db-wal" 2>/dev/null; then
  not_ok "the session id is not stored in clear"
else
  ok "the session id is not stored in clear"
fi

# --- CSRF: changes made with the cookie need the token ---------------------------------------
EJ=$T_TMP/editor.jar
sign_in "$EJ" "$EDITOR" >/dev/null
ECSRF=$(jq -r .csrf_token "$T_TMP/resp")
eq "cookie write without X-CSRF-Token: 403" 403 "$(code -b "$EJ" -H 'Content-Type: application/json' --data '{"name":"会话一"}' "$U/api/v1/categories")"
contains "… says why" "$(cat "$T_TMP/resp")" '"code":"csrf"'
eq "… with another session's token: 403" 403 "$(code -b "$EJ" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data '{"name":"会话一"}' "$U/api/v1/categories")"
eq "… with its own token: 201" 201 "$(code -b "$EJ" -H "X-CSRF-Token: $ECSRF" -H 'Content-Type: application/json' --data '{"name":"会话一"}' "$U/api/v1/categories")"
eq "a bearer write needs no token" 201 "$(code -H "Authorization: Bearer $EDITOR" -H 'Content-Type: application/json' --data '{"name":"会话二"}' "$U/api/v1/categories")"
eq "an upload with the cookie but no token: 403" 403 "$(code -b "$EJ" --data-binary x "$U/api/v1/uploads?title=t")"
eq "the editor's sign-in is audited" "member.sign_in" "$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/audit?action=member.sign_in" | jq -r '[.entries[] | select(.action == "member.sign_in")][0].action')"

# --- /ws takes the session from the upgrade's cookie -------------------------------------------
welcome=$("${WS_HELLO[@]}" "$PORT" "lectern_session=$SID" "$U")
eq "/ws hello without a token: the session's member" "$VIEWER_ID" "$(echo "$welcome" | jq -r .member.id)"
eq "… who earns points (real-name verified)" true "$(echo "$welcome" | jq -r .earns_points)"
welcome=$("${WS_HELLO[@]}" "$PORT" "lectern_session=$SID" "http://evil.example")
eq "/ws from another site's page: the cookie is ignored (a guest)" null "$(echo "$welcome" | jq -r .member)"
contains "… and logged" "$(cat "$D.err")" "upgrade from another site"

# --- sign-out --------------------------------------------------------------------------------
eq "sign-out without the token: 403" 403 "$(code -b "$J" -X DELETE "$U/api/v1/session")"
eq "sign-out: 200" 200 "$(curl -s -o /dev/null -D "$T_TMP/headers" -w '%{http_code}' -b "$J" -H "X-CSRF-Token: $CSRF" -X DELETE "$U/api/v1/session")"
contains "… removes the cookie" "$(grep -i '^set-cookie: lectern_session=' "$T_TMP/headers")" "Max-Age=0"
eq "the old cookie no longer signs in" 401 "$(code -b "lectern_session=$SID" "$U/api/v1/me")"
contains "… says the session ended" "$(cat "$T_TMP/resp")" '"code":"session_expired"'
eq "… and is a guest on public pages" 200 "$(code -b "lectern_session=$SID" "$U/api/v1/videos")"
welcome=$("${WS_HELLO[@]}" "$PORT" "lectern_session=$SID" "$U")
eq "… and on /ws" null "$(echo "$welcome" | jq -r .member)"
eq "the credential still works for scripts" 200 "$(code -H "Authorization: Bearer $VIEWER" "$U/api/v1/me")"

# --- password and link sign-in, rate limits ----------------------------------------------------
pw_in() { # pw_in LOGIN PASSWORD [BASE]: POST /api/v1/session with a name and password
  curl -s -o "$T_TMP/resp" -D "$T_TMP/headers" -w '%{http_code}' -c "$T_TMP/pw.jar" -H 'Content-Type: application/json' \
    --data "$(jq -nc --arg l "$1" --arg p "$2" '{login: $l, password: $p}')" "${3:-$U}/api/v1/session"
}
eq "name and password sign in (name in any case)" 201 "$(pw_in zhang.san 'correct horse 马')"
eq "… as the member" "$VIEWER_ID" "$(jq -r .member.id "$T_TMP/resp")"
eq "… by password" password "$(jq -r .method "$T_TMP/resp")"
eq "… and the cookie signs in" 200 "$(code -b "$T_TMP/pw.jar" "$U/api/v1/me")"
out=$(printf 'correct horse 马\n' | "$LECTERN" member passwd "$VIEWER_ID" --data-dir "$D" 2>/dev/null)
eq "a new password ends the member's sessions" 1 "$(echo "$out" | jq -r .sessions_ended)"
eq "… the cookie no longer signs in" 401 "$(code -b "$T_TMP/pw.jar" "$U/api/v1/me")"
eq "… the name stays when not given" Zhang.San "$(echo "$out" | jq -r .login)"
eq "a wrong password: 401" 401 "$(pw_in Zhang.San 'wrong horse')"
contains "… says so, not which part" "$(cat "$T_TMP/resp")" '"code":"bad_password"'
eq "an unknown name: the same 401" 401 "$(pw_in nobody 'correct horse 马')"
contains "… with the same code" "$(cat "$T_TMP/resp")" '"code":"bad_password"'
for _ in 1 2 3; do pw_in Zhang.San 'wrong horse' >/dev/null; done
eq "the fifth failure for the account is still answered" 401 "$(pw_in Zhang.San 'wrong horse')"
eq "then the account is locked: 429" 429 "$(pw_in Zhang.San 'wrong horse')"
contains "… says when to try again" "$(grep -i '^retry-after:' "$T_TMP/headers")" "etry-after: "
check "… within the window" test "$(grep -i '^retry-after:' "$T_TMP/headers" | tr -dc 0-9)" -le 900
eq "… even for the right password" 429 "$(pw_in Zhang.San 'correct horse 马')"
eq "another account is not locked" 201 "$(pw_in editor-1 "$EDITOR_PW")"
eq "a one-time link signs in" 201 "$(code -H 'Content-Type: application/json' --data "{\"link\":\"${LINK1#*#link=}\"}" "$U/api/v1/session")"
eq "… as its member" "$OTHER_ID" "$(jq -r .member.id "$T_TMP/resp")"
eq "… once" 401 "$(code -H 'Content-Type: application/json' --data "{\"link\":\"${LINK1#*#link=}\"}" "$U/api/v1/session")"
contains "… then says it is no longer valid" "$(cat "$T_TMP/resp")" '"code":"bad_link"'
if grep -qa -- "${LINK2#*#link=lsl1.}" "$D/lectern.db" "$D/lectern.db-wal" 2>/dev/null; then
  not_ok "links are not stored in clear"
else
  ok "links are not stored in clear"
fi
check "no password, link or address in the log" bash -c "! grep -qE 'horse|lsl1\\.|127\\.0\\.0\\.1 ' '$D.err'"

# --- in the browser: the sign-in page, a link, sign-out, the console on the session ------------
if command -v node >/dev/null && [ -x /usr/bin/chromium ] && [ -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ]; then
  VPW=$("$LECTERN" member passwd "$OTHER_ID" --login browser-viewer --generate --data-dir "$D" 2>/dev/null | jq -r .password)
  relay_browser < <(BASE_URL=$U LOGIN=browser-viewer PASSWORD=$VPW LINK="/${LINK2#*/}" \
    EDITOR_LOGIN=editor-1 EDITOR_PASSWORD=$EDITOR_PW ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/identity \
    node "$LECTERN_SOURCE_DIR/tests/web/signin.mjs" 2>&1)
else
  echo "# skip: the browser part needs node, /usr/bin/chromium and web/node_modules"
fi
stop_server

# --- expiry: idle and absolute (short times from the config) ---------------------------------
cat >"$T_TMP/short.conf" <<CONF
[auth]
session_idle_timeout = 3
session_lifetime = 8
signin_failures_per_address = 3
signin_failure_window = 3
CONF
PORT2=$($FREEPORT)
U2=http://127.0.0.1:$PORT2
start_server "$D" "$PORT2" -c "$T_TMP/short.conf" || not_ok "restart with short sessions"
J2=$T_TMP/idle.jar
sign_in "$J2" "$VIEWER" "$U2" >/dev/null
eq "fresh session: 200" 200 "$(code -b "$J2" "$U2/api/v1/me")"
sleep 4.5
eq "idle longer than session_idle_timeout: 401" 401 "$(code -b "$J2" "$U2/api/v1/me")"
J3=$T_TMP/life.jar
elapsed() { echo "$(date +%s%N) $T0" | awk '{ printf "%d", ($1 - $2) / 1e6 }'; }  # ms since T0
T0=$(date +%s%N)
sign_in "$J3" "$VIEWER" "$U2" >/dev/null
alive=0 asked=0
while [ "$(elapsed)" -lt 6000 ]; do   # a request a second, well inside the idle time
  asked=$((asked + 1))
  [ "$(code -b "$J3" "$U2/api/v1/me")" = 200 ] && alive=$((alive + 1))
  sleep 1
done
eq "kept busy, the session lives… ($asked requests)" "$asked" "$alive"
sleep "$(awk -v e="$(elapsed)" 'BEGIN { printf "%.2f", (9500 - e) / 1000 }')"
eq "… until session_lifetime: 401" 401 "$(code -b "$J3" "$U2/api/v1/me")"
for _ in 1 2 3; do sign_in "$T_TMP/x.jar" "lct1.nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$U2" >/dev/null; done
eq "three failures from one address (any way): 429" 429 "$(sign_in "$T_TMP/x.jar" "$VIEWER" "$U2")"
sleep 3.2
eq "… until the window has passed" 201 "$(sign_in "$T_TMP/x.jar" "$VIEWER" "$U2")"
stop_server

# --- the demo members sign in with the names and passwords quickstart prints ------------------
DD=$T_TMP/demo
"$LECTERN" demo --data-dir "$DD" >/dev/null 2>&1
start_server "$DD" "$PORT2" || not_ok "demo server starts"
DL=$(jq -r .members.viewer.login "$DD/demo-credentials.json")
DP=$(jq -r .members.viewer.password "$DD/demo-credentials.json")
eq "the demo viewer signs in with a name and password" 201 "$(pw_in "$DL" "$DP" "$U2")"
eq "… and earns points (real-name verified)" true "$(jq -r .member.real_name_verified "$T_TMP/resp")"
eq "the demo editor too" 201 "$(pw_in "$(jq -r .members.editor.login "$DD/demo-credentials.json")" "$(jq -r .members.editor.password "$DD/demo-credentials.json")" "$U2")"
check "demo-credentials.json stays private (0600)" test "$(stat -c %a "$DD/demo-credentials.json")" = 600
stop_server

# --- Secure behind HTTPS ([http] public_url) --------------------------------------------------
printf '[http]\npublic_url = https://lecture.example.org\n' >"$T_TMP/https.conf"
start_server "$D" "$PORT2" -c "$T_TMP/https.conf" || not_ok "restart behind https"
sign_in "$T_TMP/s.jar" "$VIEWER" "$U2" >/dev/null
contains "public_url https: the cookie is Secure" "$(grep -i '^set-cookie: lectern_session=' "$T_TMP/headers")" "; Secure"
stop_server

tap_done
