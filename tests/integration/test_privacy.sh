#!/usr/bin/env bash
# Integration: members' data under China's PIPL (issue 17.5) over real HTTP — a member downloads
# their own data, nobody else can read it, an admin exports and erases one member (CLI and API),
# the erased member's session and credential stop, points stay, erasing twice changes nothing.
# See docs/privacy.md.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" --real-name-verified 2>/dev/null; }
ADMIN_JSON=$(add "管理员" admin); ADMIN=$(echo "$ADMIN_JSON" | jq -r .token); ADMIN_ID=$(echo "$ADMIN_JSON" | jq -r .id)
EDITOR=$(add "编辑" editor | jq -r .token)
V_JSON=$(add "王小明" viewer); V=$(echo "$V_JSON" | jq -r .token); V_ID=$(echo "$V_JSON" | jq -r .id)
W_JSON=$(add "李小红" viewer); W=$(echo "$W_JSON" | jq -r .token); W_ID=$(echo "$W_JSON" | jq -r .id)
X_ID=$(add "赵大勇" viewer | jq -r .id)
printf 'a good password\n' | "$LECTERN" member passwd "$V_ID" --login wangxm --data-dir "$D" >/dev/null 2>&1
"$LECTERN" member link "$V_ID" --data-dir "$D" >/dev/null 2>&1
check "members made" test -n "$ADMIN" -a -n "$V" -a -n "$W" -a -n "$X_ID"

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
code() { curl -s -o "$T_TMP/resp" -D "$T_TMP/headers" -w '%{http_code}' "$@"; }
json() { curl -s -H 'Content-Type: application/json' "$@"; }
as_admin=(-H "Authorization: Bearer $ADMIN")

# Points for V (corrections: new ledger entries) and W, a browser session for V.
for k in 1 2; do
  json -H "Authorization: Bearer $EDITOR" --data "{\"member\":\"$V_ID\",\"amount\":$((k * 3)),\"note\":\"奖励\",\"key\":\"p-$k\"}" \
    "$U/api/v1/points/corrections" >/dev/null
done
json -H "Authorization: Bearer $EDITOR" --data "{\"member\":\"$W_ID\",\"amount\":4,\"note\":\"奖励\",\"key\":\"p-w\"}" \
  "$U/api/v1/points/corrections" >/dev/null
J=$T_TMP/v.jar
eq "V signs in with a password" 201 "$(code -c "$J" -H 'Content-Type: application/json' \
  --data '{"login":"wangxm","password":"a good password"}' "$U/api/v1/session")"
SID=$(sed -n 's/^#HttpOnly_127.0.0.1\tFALSE\t\/\tFALSE\t[0-9]*\tlectern_session\t//p' "$J")
BALANCE=$(curl -s -H "Authorization: Bearer $V" "$U/api/v1/me/points" | jq -r .balance)
eq "V has points" 9 "$BALANCE"

# --- a member downloads their own data ----------------------------------------------------------
eq "GET /me/data with the session cookie: 200" 200 "$(code -b "$J" "$U/api/v1/me/data")"
contains "… a file to save" "$(grep -i '^content-disposition:' "$T_TMP/headers")" "attachment; filename=\"lectern-data-$V_ID.json\""
eq "… about V" "$V_ID 王小明" "$(jq -r '"\(.member_id) \(.profile.display_name)"' "$T_TMP/resp")"
eq "… the sign-in name" wangxm "$(jq -r '.sign_in_names[0].login_name' "$T_TMP/resp")"
eq "… the browser session (metadata)" password "$(jq -r '.browser_sessions[0].method' "$T_TMP/resp")"
eq "… the sign-in link (metadata)" 1 "$(jq -r '.sign_in_links | length' "$T_TMP/resp")"
eq "… the points ledger and balance" "2 9" "$(jq -r '"\(.points_ledger | length) \(.points_balance.balance)"' "$T_TMP/resp")"
eq "… the audit entries about V (the corrections)" 2 "$(jq -r '[.audit_entries[] | select(.action == "points.correct")] | length' "$T_TMP/resp")"
check "… and no hash or secret" bash -c "! grep -Eq 'argon2|token_hash|password_hash|id_hash|lct1\\.' '$T_TMP/resp'"
check "… and nothing of W's" bash -c "! grep -q '$W_ID\\|李小红' '$T_TMP/resp'"
eq "GET /me/data with a bearer credential: 200" 200 "$(code -H "Authorization: Bearer $V" "$U/api/v1/me/data")"
eq "a guest gets none: 401" 401 "$(code "$U/api/v1/me/data")"
eq "another member cannot read V's data: 403" 403 "$(code -H "Authorization: Bearer $W" "$U/api/v1/members/$V_ID/data")"
eq "… nor an editor: 403" 403 "$(code -H "Authorization: Bearer $EDITOR" "$U/api/v1/members/$V_ID/data")"
eq "… nor erase it: 403" 403 "$(code -H "Authorization: Bearer $W" -X POST "$U/api/v1/members/$V_ID/erase")"
eq "… not even an editor: 403" 403 "$(code -H "Authorization: Bearer $EDITOR" -X POST "$U/api/v1/members/$V_ID/erase")"
eq "the page links to the download" 1 "$(curl -s "$U/me.html" | grep -c 'href="/api/v1/me/data"')"

# --- an admin exports -------------------------------------------------------------------------
eq "admin exports V: 200" 200 "$(code "${as_admin[@]}" "$U/api/v1/members/$V_ID/data")"
eq "… the same member" "$V_ID" "$(jq -r .member_id "$T_TMP/resp")"
eq "… recorded (who looked)" "member.export $ADMIN_ID" "$(curl -s "${as_admin[@]}" "$U/api/v1/audit?action=member.export&target_id=$V_ID" \
  | jq -r '.entries[0] | "\(.action) \(.member_id)"')"
eq "an unknown member: 404" 404 "$(code "${as_admin[@]}" "$U/api/v1/members/nobody/data")"
out=$("$LECTERN" member export "$W_ID" --data-dir "$D" 2>/dev/null)
eq "lectern member export: W's data" "$W_ID 李小红 4" "$(echo "$out" | jq -r '"\(.member_id) \(.profile.display_name) \(.points_balance.balance)"')"
eq "lectern member export: an unknown member" not_found "$("$LECTERN" member export nobody --data-dir "$D" 2>/dev/null | jq -r .error.code)"

# --- an admin erases --------------------------------------------------------------------------
eq "an admin cannot erase themselves: 409" 409 "$(code "${as_admin[@]}" -X POST "$U/api/v1/members/$ADMIN_ID/erase")"
# V's player is open on /ws with the session when the admin erases.
node "$LECTERN_SOURCE_DIR/tests/tools/ws_hello.mjs" "$PORT" "lectern_session=$SID" "$U" keep >"$T_TMP/ws.out" 2>&1 &
WS_PID=$!
for _ in $(seq 50); do grep -q welcome "$T_TMP/ws.out" && break; sleep 0.1; done
eq "V's /ws connection is signed in" "$V_ID" "$(head -1 "$T_TMP/ws.out" | jq -r .member.id)"
eq "admin erases V: 200" 200 "$(code "${as_admin[@]}" -X POST "$U/api/v1/members/$V_ID/erase")"
eq "… first time" false "$(jq -r .already_erased "$T_TMP/resp")"
eq "… sign-in name, session and link removed" "1 1 1" "$(jq -r '.changed | "\(.member_login) \(.session) \(.signin_link)"' "$T_TMP/resp")"
wait "$WS_PID"
eq "V's open /ws connection is ended" "unauthorized closed" "$(sed -n 2p "$T_TMP/ws.out" | jq -r .code) $(sed -n 3p "$T_TMP/ws.out")"
eq "V's session cookie stops: 401" 401 "$(code -b "$J" "$U/api/v1/me")"
eq "V's credential stops: 401" 401 "$(code -H "Authorization: Bearer $V" "$U/api/v1/me")"
eq "V's password no longer signs in: 401" 401 "$(code -H 'Content-Type: application/json' \
  --data '{"login":"wangxm","password":"a good password"}' "$U/api/v1/session")"
members=$(curl -s "${as_admin[@]}" "$U/api/v1/members?q=$V_ID")
eq "V is listed under the pseudonym, disabled, erased" "已注销会员 true true" \
  "$(echo "$members" | jq -r '.members[0] | "\(.display_name) \(.disabled) \(.erased_at != null)"')"
eq "nobody can enable V again: 409" 409 "$(code "${as_admin[@]}" -X PATCH -H 'Content-Type: application/json' \
  --data '{"disabled":false}' "$U/api/v1/members/$V_ID")"
eq "the erasure is audited once, by the admin" "1 $ADMIN_ID" "$(curl -s "${as_admin[@]}" "$U/api/v1/audit?action=member.erase&target_id=$V_ID" \
  | jq -r '"\(.entries | length) \(.entries[0].member_id)"')"
check "… without the erased data" bash -c "! curl -s -H 'Authorization: Bearer $ADMIN' '$U/api/v1/audit?action=member.erase' | grep -q '王小明\\|wangxm'"
db="$D/lectern.db"
eq "the points ledger keeps V's entries" 2 "$(sqlite3 "$db" "SELECT count(*) FROM points_ledger WHERE member_id = '$V_ID'")"
eq "… and the balance" "$BALANCE" "$(sqlite3 "$db" "SELECT balance FROM points_balance WHERE member_id = '$V_ID'")"
eq "no row in the database names V any more" "0 0" "$(sqlite3 "$db" "SELECT count(*) FROM member WHERE display_name = '王小明'") $(sqlite3 "$db" "SELECT count(*) FROM member_login WHERE login_name = 'wangxm'")"
eq "erase again: 200" 200 "$(code "${as_admin[@]}" -X POST "$U/api/v1/members/$V_ID/erase")"
eq "… harmless (already erased, nothing changed)" "true 0" "$(jq -r '"\(.already_erased) \(.changed | length)"' "$T_TMP/resp")"
eq "… and not audited twice" 1 "$(curl -s "${as_admin[@]}" "$U/api/v1/audit?action=member.erase&target_id=$V_ID" | jq -r '.entries | length')"
eq "W is untouched" "李小红 200" "$(curl -s -H "Authorization: Bearer $W" "$U/api/v1/me" | jq -r .display_name) $(code -H "Authorization: Bearer $W" "$U/api/v1/me/data")"

# --- the command line -------------------------------------------------------------------------
out=$("$LECTERN" member erase "$X_ID" --data-dir "$D" 2>/dev/null)
eq "lectern member erase: done" "$X_ID false" "$(echo "$out" | jq -r '"\(.member) \(.already_erased)"')"
out=$("$LECTERN" member erase "$X_ID" --data-dir "$D" 2>/dev/null)
eq "… twice: already erased" true "$(echo "$out" | jq -r .already_erased)"
eq "lectern member erase: an unknown member" not_found "$("$LECTERN" member erase nobody --data-dir "$D" 2>/dev/null | jq -r .error.code)"
eq "member passwd refuses an erased member" erased "$(printf 'a new password\n' | "$LECTERN" member passwd "$V_ID" --data-dir "$D" 2>/dev/null | jq -r .error.code)"
eq "member link refuses an erased member" not_found "$("$LECTERN" member link "$V_ID" --data-dir "$D" 2>/dev/null | jq -r .error.code)"
eq "the command line's erasure is audited" "member.erase cli" "$(curl -s "${as_admin[@]}" "$U/api/v1/audit?action=member.erase&target_id=$X_ID" \
  | jq -r '.entries[0] | "\(.action) \(.member_id)"')"
stop_server

out=$("$LECTERN" points check --data-dir "$D" 2>/dev/null); st=$?
eq "points check: the ledger and its totals still agree" "0 true" "$st $(echo "$out" | jq -r .ok)"
tap_done
