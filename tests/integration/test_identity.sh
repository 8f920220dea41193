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

EDITOR=$("$LECTERN" member add --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
VIEWER_JSON=$("$LECTERN" member add --data-dir "$D" --name "学员" --role viewer --real-name-verified 2>/dev/null)
VIEWER=$(echo "$VIEWER_JSON" | jq -r .token)
VIEWER_ID=$(echo "$VIEWER_JSON" | jq -r .id)
check "members made" test -n "$EDITOR" -a -n "$VIEWER"

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
stop_server

# --- expiry: idle and absolute (short times from the config) ---------------------------------
cat >"$T_TMP/short.conf" <<CONF
[auth]
session_idle_timeout = 2
session_lifetime = 6
CONF
PORT2=$($FREEPORT)
U2=http://127.0.0.1:$PORT2
start_server "$D" "$PORT2" -c "$T_TMP/short.conf" || not_ok "restart with short sessions"
J2=$T_TMP/idle.jar
sign_in "$J2" "$VIEWER" "$U2" >/dev/null
eq "fresh session: 200" 200 "$(code -b "$J2" "$U2/api/v1/me")"
sleep 3.2
eq "idle longer than session_idle_timeout: 401" 401 "$(code -b "$J2" "$U2/api/v1/me")"
J3=$T_TMP/life.jar
sign_in "$J3" "$VIEWER" "$U2" >/dev/null
alive=0
for _ in 1 2 3 4; do
  sleep 1.1
  [ "$(code -b "$J3" "$U2/api/v1/me")" = 200 ] && alive=$((alive + 1))
done
eq "kept busy, the session lives…" 4 "$alive"
sleep 2.2
eq "… until session_lifetime: 401" 401 "$(code -b "$J3" "$U2/api/v1/me")"
stop_server

# --- Secure behind HTTPS ([http] public_url) --------------------------------------------------
printf '[http]\npublic_url = https://lecture.example.org\n' >"$T_TMP/https.conf"
start_server "$D" "$PORT2" -c "$T_TMP/https.conf" || not_ok "restart behind https"
sign_in "$T_TMP/s.jar" "$VIEWER" "$U2" >/dev/null
contains "public_url https: the cookie is Secure" "$(grep -i '^set-cookie: lectern_session=' "$T_TMP/headers")" "; Secure"
stop_server

tap_done
