#!/usr/bin/env bash
# Integration: the API's access matrix (src/http/api_access.txt) over real HTTP. A real
# `lectern serve`; every row — route and method — is requested with curl as each role (and
# HEAD beside each GET), and each status is checked against the row: ok = neither 401 nor 403
# (nor 405), 401 and 403 exactly, with the API's error code. Every other method on a path of
# the table must be refused (405), so the server has no route there the table leaves out.
# tests/unit/test_api_access.c checks the rows against the route table itself.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}" "${LECTERN_SOURCE_DIR:?}"
for tool in jq curl; do
  command -v "$tool" >/dev/null || { echo "# $tool is missing"; not_ok "$tool installed"; tap_done; exit 1; }
done

TABLE=$LECTERN_SOURCE_DIR/src/http/api_access.txt
D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT

add() { # NAME ROLE [verified]
  "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null
}
declare -A TOKEN ID
for spec in admin:admin:yes editor:editor:yes unverified:viewer: verified:viewer:yes \
            disqualified:viewer:yes disabled:viewer:yes; do
  IFS=: read -r who role verified <<<"$spec"
  j=$(add "访问-$who" "$role" "$verified")
  TOKEN[$who]=$(jq -r .token <<<"$j")
  ID[$who]=$(jq -r .id <<<"$j")
done
check "member add printed six tokens" test "$(printf '%s\n' "${TOKEN[@]}" | grep -c '^lct1\.')" -eq 6

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"

patch_member() { # WHO JSON
  curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "authorization: Bearer ${TOKEN[admin]}" \
    -H 'content-type: application/json' -d "$2" "$U/api/v1/members/${ID[$1]}"
}
eq "a viewer is disqualified" 200 "$(patch_member disqualified '{"disqualified":true,"reason":"访问矩阵测试"}')"
eq "a viewer is disabled" 200 "$(patch_member disabled '{"disabled":true}')"

# The table: the header names the roles (after method and path).
mapfile -t LINES < <(grep -v '^[[:space:]]*#' "$TABLE" | grep -v '^[[:space:]]*$')
read -r -a HEADER <<<"${LINES[0]}"
ROLES=("${HEADER[@]:2}")
eq "the table's roles" "anonymous unverified verified disqualified editor admin disabled" "${ROLES[*]}"
check "the table has rows" test "${#LINES[@]}" -gt 30

# Every request goes into one curl config (one process for all of them: spawning curl and jq
# per request costs more than the server's answers). Request N's body lands in $B/N.
B=$T_TMP/bodies
mkdir -p "$B"
CFG=$T_TMP/requests.curl
: >"$CFG"
WHAT=() WANT=()
add_request() { # METHOD PATH WHO WHAT WANT
  local n=${#WHAT[@]}
  WHAT+=("$4") WANT+=("$5")
  {
    [ "$n" -gt 0 ] && echo next
    echo "url = \"$U$2\""
    if [ "$1" = HEAD ]; then echo head; echo 'output = "/dev/null"'
    else echo "request = \"$1\""; echo "output = \"$B/$n\""; fi
    [ "$3" != anonymous ] && echo "header = \"authorization: Bearer ${TOKEN[$3]}\""
    # An empty body: a handler that runs refuses it (400) and changes nothing; an upload with
    # Content-Length 0 is "empty_upload".
    case "$1" in POST|PUT|PATCH) echo 'header = "content-type: application/json"'; echo 'data-binary = ""' ;; esac
    echo "write-out = \"$n %{http_code}\\n\""
    echo silent
  } >>"$CFG"
}

declare -A METHODS_OF
for line in "${LINES[@]:1}"; do
  read -r -a row <<<"$line"
  method=${row[0]} pattern=${row[1]}
  path=$(sed -E 's/\{[a-z_]+\}/accessnone/g' <<<"$pattern")
  METHODS_OF[$path]+=" $method"
  for i in "${!ROLES[@]}"; do
    who=${ROLES[$i]} want=${row[$((i + 2))]}
    add_request "$method" "$path" "$who" "$method $pattern as $who" "$want"
    # HEAD is answered as GET (without the body).
    [ "$method" = GET ] && add_request HEAD "$path" "$who" "HEAD $pattern as $who" "$want"
  done
done
# No method the table leaves out answers on its paths (asked as the admin, who may do all).
for path in "${!METHODS_OF[@]}"; do
  for method in GET POST PUT PATCH DELETE; do
    case " ${METHODS_OF[$path]} " in *" $method "*) continue ;; esac
    add_request "$method" "$path" admin "$method $path (no row)" none
  done
done

declare -A STATUS CODE
while read -r n status; do STATUS[$n]=$status; done < <(curl -K "$CFG")
# Each body on its own: one that is not JSON (a text entry list, an HTML sign-in page) must not
# stop the others being read (jq over all files at once stops at the first parse error).
while read -r file code; do CODE[${file##*/}]=$code; done < <(python3 - "$B" <<'PY'
import json, os, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    try:
        with open(os.path.join(d, name), encoding='utf-8') as f:
            code = ((json.load(f) or {}).get('error') or {}).get('code') or '-'
    except (ValueError, AttributeError, OSError):
        code = '-'
    print(name, code)
PY
)
eq "every request was answered" "${#WHAT[@]}" "${#STATUS[@]}"

for n in "${!WHAT[@]}"; do
  what=${WHAT[$n]} want=${WANT[$n]} status=${STATUS[$n]:-none} code=${CODE[$n]:--}
  case "$want" in
    ok) if [ "$status" != 401 ] && [ "$status" != 403 ] && [ "$status" != 405 ] && [ "$status" != none ]; then
          ok "$what: $status"
        else not_ok "$what" "got $status $code, the table says ok"; fi ;;
    401|403)
      wcode=unauthorized; [ "$want" = 403 ] && wcode=forbidden
      # HEAD has no body to read the code from.
      if [ "$status" = "$want" ] && { [ "$code" = "$wcode" ] || [[ $what == HEAD* ]]; }; then ok "$what: $want"
      else not_ok "$what" "got $status $code, the table says $want"; fi ;;
    none) if [ "$status" = 405 ]; then ok "$what: 405"; else not_ok "$what is 405" "got $status $code"; fi ;;
    *) not_ok "$what" "the table says '$want' (ok, 401 or 403)" ;;
  esac
done

check "the server is still healthy" curl -sf "$U/healthz"
stop_server
eq "the server stops cleanly" 0 "$SERVER_STATUS"
tap_done
