#!/usr/bin/env bash
# Integration: the lectern command line — config errors, data dir and database refusals, JSON output.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data

# --- config errors: exit 1, message names the file, the key, what is allowed --
conf_err() { # conf_err "what" "file text" "expected fragment"
  printf '%b' "$2" >"$T_TMP/bad.conf"
  out=$("$LECTERN" serve -c "$T_TMP/bad.conf" --data-dir "$D" 2>&1 >/dev/null); st=$?
  eq "$1: exit 1" 1 "$st"
  contains "$1: names the file" "$out" "bad.conf"
  contains "$1: says what is wrong" "$out" "$3"
}
conf_err "unknown key" '[server]\nhttp_prot = 8080\n' "unknown key [server] http_prot"
conf_err "wrong type" '[server]\nhttp_port = eighty\n' "http_port = 'eighty' is not allowed: expected an integer from 1 to 65535"
conf_err "out of range" '[http]\nidle_timeout = 0\n' "idle_timeout"
conf_err "bad enum" '[log]\nlevel = chatty\n' "one of error|warn|info|debug"
out=$("$LECTERN" serve --data-dir "$D" --http-port 70000 2>&1 >/dev/null); st=$?
eq "bad --http-port: exit 1" 1 "$st"
contains "bad --http-port: names the flag" "$out" "--http-port"
out=$("$LECTERN" member list -c "$T_TMP/none.conf" 2>&1 >/dev/null); st=$?
eq "missing config file: exit 1" 1 "$st"
contains "missing config file: named" "$out" "none.conf"

"$LECTERN" config sample >"$T_TMP/sample.conf"
check "config sample matches samples/config/lectern.conf" cmp -s "$T_TMP/sample.conf" "$LECTERN_SOURCE_DIR/samples/config/lectern.conf"
out=$("$LECTERN" config check -c "$LECTERN_SOURCE_DIR/samples/config/lectern.conf" --data-dir "$D")
eq "sample config checks ok" "true" "$(echo "$out" | jq -r .ok)"

# --- data dir and database refusals --------------------------------------------
echo "a file" >"$T_TMP/notadir"
out=$("$LECTERN" migrate --data-dir "$T_TMP/notadir" 2>&1 >/dev/null); st=$?
eq "data dir is a file: exit 1" 1 "$st"
contains "data dir is a file: says so" "$out" "notadir"

mkdir -p "$T_TMP/bad1"
head -c 4096 /dev/urandom >"$T_TMP/bad1/lectern.db"
sum=$(sha256sum <"$T_TMP/bad1/lectern.db")
out=$("$LECTERN" migrate --data-dir "$T_TMP/bad1" 2>&1 >/dev/null); st=$?
eq "not a database: exit 1" 1 "$st"
contains "not a database: says so" "$out" "not an SQLite database"
eq "not a database: file untouched" "$sum" "$(sha256sum <"$T_TMP/bad1/lectern.db")"

mkdir -p "$T_TMP/new"
sqlite3 "$T_TMP/new/lectern.db" "CREATE TABLE t(x); PRAGMA user_version = 9999;"
sum=$(sha256sum <"$T_TMP/new/lectern.db")
out=$("$LECTERN" serve --data-dir "$T_TMP/new" --http-port "$($FREEPORT)" 2>&1 >/dev/null); st=$?
eq "newer database: exit 1" 1 "$st"
contains "newer database: says so" "$out" "newer than this lectern"
eq "newer database: file untouched" "$sum" "$(sha256sum <"$T_TMP/new/lectern.db")"

# --- JSON output ----------------------------------------------------------------
out=$("$LECTERN" migrate --data-dir "$D" 2>/dev/null)
eq "migrate prints the schema version" "$(ls "$LECTERN_SOURCE_DIR"/schemas/sql/*.sql | sed 's#.*/0*##; s#_.*##' | sort -n | tail -1)" "$(echo "$out" | jq -r .schema_version)"
out=$("$LECTERN" member add --data-dir "$D" --name "张劳模" --role viewer --real-name-verified 2>/dev/null)
eq "member add: role" viewer "$(echo "$out" | jq -r .role)"
eq "member add: verified" true "$(echo "$out" | jq -r .real_name_verified)"
contains "member add: token shown once" "$(echo "$out" | jq -r .token)" "lct1."
eq "member add: name kept in UTF-8" "张劳模" "$(echo "$out" | jq -r .display_name)"
out=$("$LECTERN" member list --data-dir "$D" 2>/dev/null)
eq "member list: one member" 1 "$(echo "$out" | jq '.members | length')"
lacks "member list: no tokens" "$out" "token"
out=$("$LECTERN" member add --data-dir "$D" --name "x" --role root 2>/dev/null); st=$?
eq "member add bad role: exit 1" 1 "$st"
eq "member add bad role: JSON error" usage "$(echo "$out" | jq -r .error.code)"

out=$("$LECTERN" demo --data-dir "$D" 2>/dev/null)
eq "demo: editor created" editor "$(echo "$out" | jq -r .members.editor.role)"
eq "demo: three columns" 3 "$(echo "$out" | jq '.columns | length')"
eq "demo credentials file is private" 600 "$(stat -c %a "$D/demo-credentials.json")"
out2=$("$LECTERN" demo --data-dir "$D" 2>/dev/null)
eq "demo: second run changes nothing" "$(echo "$out" | jq -S .)" "$(echo "$out2" | jq -S .)"
eq "demo: members not duplicated" 5 "$("$LECTERN" member list --data-dir "$D" 2>/dev/null | jq '.members | length')"

# A search index emptied behind the server's back is rebuilt by the next command that opens
# the store (cli_open_store runs the sync after db_open).
"$LECTERN" event create --data-dir "$D" --title "劳模讲堂 index" >/dev/null 2>&1
sqlite3 "$D/lectern.db" "DELETE FROM video_search"
"$LECTERN" migrate --data-dir "$D" >/dev/null 2>&1
eq "the search index is rebuilt when the store is opened" \
  "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM video")" "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM video_search")"

# `points check` recomputes the points aggregates from the ledger (issue 24): exit 0 when they
# agree, 1 with the difference listed when a ledger row was changed behind the server's back.
sqlite3 "$D/lectern.db" "INSERT INTO points_ledger (member_id, amount, reason, campaign_id, local_day,
  idempotency_key, created_at) VALUES ('m-cli', 5, 'watch', 1, '2026-03-01', 'cli:1', 0),
  ('m-cli', 2, 'correction', NULL, NULL, 'cli:2', 0)"
out=$("$LECTERN" points check --data-dir "$D" 2>/dev/null); st=$?
eq "points check: agrees, exit 0" 0 "$st"
eq "points check: ok" true "$(echo "$out" | jq -r .ok)"
sqlite3 "$D/lectern.db" "DROP TRIGGER points_ledger_no_update; UPDATE points_ledger SET amount = 50 WHERE idempotency_key = 'cli:1'"
out=$("$LECTERN" points check --data-dir "$D" 2>/dev/null); st=$?
eq "points check: an edited ledger, exit 1" 1 "$st"
eq "points check: names the member and the balance" "m-cli 52 7" \
  "$(echo "$out" | jq -r '.listed[] | select(.field == "balance") | "\(.member_id) \(.ledger) \(.aggregate)"')"

eq "unknown command: exit 2" 2 "$("$LECTERN" frobnicate >/dev/null 2>&1; echo $?)"

tap_done
