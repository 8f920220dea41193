#!/usr/bin/env bash
# Integration (browser): the vote page on a phone-sized screen (tests/web/vote.mjs) against a
# real server with a vote open on three lessons. Times are relative to now.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

if ! command -v node >/dev/null || [ ! -x /usr/bin/chromium ] || [ ! -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ]; then
  echo "# skip: needs node, /usr/bin/chromium and web/node_modules"; exit 77
fi
D=$T_TMP/data
PORT=$($FREEPORT)
B=http://127.0.0.1:$PORT
U=$B/api/v1
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null | jq -r .token; }
EDITOR=$(add 编辑 editor yes)
VIEWER=$(add 投票人 viewer yes)
UNV=$(add 未认证 viewer)
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
ed() { local m=$1 p=$2; shift 2; curl -s -X "$m" -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$U$p" "$@"; }
iso() { date -d "$1" +%Y-%m-%dT%H:%M:%S%:z; }
items=""; ids=""
for t in 焊花里的青春 "田埂上的课堂：一位乡村教师的三十年" 夜校的灯; do
  v=$(ed POST /events -d "{\"title\":\"$t\",\"starts\":\"$(iso '+2 days')\",\"visibility\":\"published\"}" | jq -r .id)
  items+="{\"id\":\"$v\"},"; ids+="$v "
done
VOTE=$(ed POST /votes -d "{\"title\":\"最美微视频评选\",\"description\":\"为你喜欢的作品投票\",\"opens_at\":\"$(iso '-1 hour')\",
  \"closes_at\":\"$(iso '+2 days')\",\"votes_per_day\":2,\"tally\":\"live\",\"items\":[${items%,}]}" | jq -r .id)
eq "vote opened" open "$(ed POST "/votes/$VOTE/open" | jq -r .state)"

relay_browser < <(BASE_URL=$B VOTE=$VOTE TOKEN=$VIEWER UNVERIFIED=$UNV EDITOR=$EDITOR ITEMS="${ids% }" \
  ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/vote node "$LECTERN_SOURCE_DIR/tests/web/vote.mjs" 2>&1)
eq "the browser's two votes are in the log" 2 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM vote_ballot WHERE contest_id = $VOTE")"
eq "the console's new vote is open" open "$(ed GET /votes | jq -r '.votes[] | select(.title == "优秀案例投票") | .state')"
stop_server
tap_done
