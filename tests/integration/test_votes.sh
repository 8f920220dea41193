#!/usr/bin/env bash
# Integration: members' votes over real HTTP (docs/votes.md) — an editor sets a vote up on
# three lessons; members vote with curl: a second vote on an item the same day refused (also
# two sent at once), the daily limit, an unverified member refused, the rate limit; tallies
# shown as the rules say (live, delayed, final); an invalidation kept in the log and counted
# apart; the published result's SHA-256 and `lectern vote recount` equal to the log. Every
# time is relative to now (the test also runs under faketime +365d).
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT/api/v1
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null | jq -r .token; }
EDITOR=$(add 编辑 editor yes)
A=$(add 甲 viewer yes)
B=$(add 乙 viewer yes)
C=$(add 丙 viewer yes)
E=$(add 丁 viewer yes)
SPAM=$(add 刷票 viewer yes)
UNV=$(add 未认证 viewer)
# The member rate limit low enough to reach (A, the busiest voter below, stays under it); the
# address limit high (every curl is 127.0.0.1).
RATE=12
printf '[vote]\nmember_rate = %d\naddress_rate = 1000\n' "$RATE" >"$T_TMP/lectern.conf"
start_server "$D" "$PORT" -c "$T_TMP/lectern.conf" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"

req() { local tok=$1 m=$2 p=$3; shift 3; curl -s -X "$m" -H "Authorization: Bearer $tok" -H 'content-type: application/json' "$U$p" "$@"; }
ed() { req "$EDITOR" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
vote() { req "$1" POST "/votes/$2/ballots" -o /dev/null -w '%{http_code}' -d "{\"item\":\"$3\"}"; }
iso() { date -d "$1" +%Y-%m-%dT%H:%M:%S%:z; }

# A campaign open now whose activity table pays 1 point a ballot (issue 21.4), at most 5 a day.
from=$(TZ=Asia/Shanghai date -d yesterday +%F); until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
eq "a campaign paying for votes" vote "$(ed POST /campaigns -d "{\"name\":\"投票季\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",
  \"activities\":[{\"activity\":\"vote\",\"rate\":1,\"daily_cap\":5}]}" | jq -r '.activities[] | select(.activity == "vote") | .activity')"
points() { req "$1" GET /me/points | jq -r .balance; }

# Three lessons (scheduled lives are videos like any other).
V=()
for t in 焊花里的青春 田埂上的课堂 夜校的灯; do
  V+=("$(ed POST /events -d "{\"title\":\"$t\",\"starts\":\"$(iso '+2 days')\",\"visibility\":\"published\"}" | jq -r .id)")
done
check "three videos" test -n "${V[2]}" -a "${V[2]}" != null
items=$(printf '{"id":"%s"},' "${V[@]}"); items="[${items%,}]"

# mk TALLY [OPENS]: a vote open now (window from OPENS, default an hour ago, to two days on),
# two votes a day; prints its id.
mk() {
  local id
  id=$(ed POST /votes -d "{\"title\":\"最美微视频\",\"opens_at\":\"$(iso "${2:--1 hour}")\",\"closes_at\":\"$(iso '+2 days')\",
        \"votes_per_day\":2,\"tally\":\"$1\",\"tally_interval\":3600,\"items\":$items}" | jq -r .id)
  ed POST "/votes/$id/open" -o /dev/null
  echo "$id"
}
F=$(mk final)
eq "the vote is open" open "$(curl -s "$U/votes/$F" | jq -r .state)"
eq "its three items, with titles" "焊花里的青春" "$(curl -s "$U/votes/$F" | jq -r '.items[0].title')"
eq "listed publicly" "$F" "$(curl -s "$U/votes" | jq -r '.votes[0].id')"

# --- one vote per item and day, also two at once -----------------------------------
eq "A votes for lesson 1" 201 "$(vote "$A" "$F" "${V[0]}")"
eq "A again for lesson 1 the same day: refused" 409 "$(vote "$A" "$F" "${V[0]}")"
eq "…as already_voted" already_voted "$(req "$A" POST "/votes/$F/ballots" -d "{\"item\":\"${V[0]}\"}" | jq -r .error.code)"
# twice T1 T2 TOKEN VOTE ITEM1 ITEM2: both at once (waiting for these two, not the server).
twice() { vote "$1" "$2" "$3" >"$T_TMP/r1" & local p1=$!; vote "$1" "$2" "$4" >"$T_TMP/r2" & local p2=$!; wait "$p1" "$p2"; }
twice "$B" "$F" "${V[0]}" "${V[0]}"
eq "B sends the same vote twice at once: one cast, one refused" "201 409" "$(printf '%s\n%s\n' "$(cat "$T_TMP/r1")" "$(cat "$T_TMP/r2")" | sort | xargs)"

# --- the daily limit (two), also two different items at once with one left -----------
twice "$A" "$F" "${V[1]}" "${V[2]}"
eq "A's last vote of the day, two items at once: one cast" "201 409" "$(printf '%s\n%s\n' "$(cat "$T_TMP/r1")" "$(cat "$T_TMP/r2")" | sort | xargs)"
# The item of the two A has not voted for yet today.
if [ "$(cat "$T_TMP/r1")" = 201 ]; then LEFT=${V[2]}; else LEFT=${V[1]}; fi
eq "A's third vote: daily_limit" daily_limit "$(req "$A" POST "/votes/$F/ballots" -d "{\"item\":\"$LEFT\"}" | jq -r .error.code)"
eq "A's two ballots earned a point each; the refused votes nothing" 2 "$(points "$A")"
eq "…in the ledger as vote, one entry a ballot, keyed by it" "2 2" "$(sqlite3 "$D/lectern.db" "SELECT count(*) || ' ' || count(DISTINCT idempotency_key) FROM points_ledger l JOIN member m ON m.id = l.member_id WHERE m.display_name = '甲' AND l.reason = 'vote' AND l.idempotency_key LIKE 'vote:%'")"
me=$(req "$A" GET "/votes/$F/me")
eq "A's day: 2 used, 0 left" "2 0" "$(jq -r '"\(.used) \(.remaining)"' <<<"$me")"

# --- who may vote ----------------------------------------------------------------------
eq "unverified member refused (403)" 403 "$(vote "$UNV" "$F" "${V[1]}")"
eq "…as not_verified" not_verified "$(req "$UNV" GET "/votes/$F/me" | jq -r .blocked)"
eq "a guest needs a credential" 401 "$(code -X POST -H 'content-type: application/json' -d "{\"item\":\"${V[1]}\"}" "$U/votes/$F/ballots")"
eq "an item not in the vote" 404 "$(vote "$C" "$F" nope)"

# --- the rate limit: one request more than a member may make in a minute -------------------
for _ in $(seq "$RATE"); do vote "$SPAM" "$F" "${V[0]}" >/dev/null; done
h=$(curl -s -D - -o /dev/null -X POST -H "Authorization: Bearer $SPAM" -H 'content-type: application/json' -d "{\"item\":\"${V[1]}\"}" "$U/votes/$F/ballots")
contains "one request over the limit in a minute: 429" "$h" "HTTP/1.1 429"
contains "…with Retry-After" "$h" "retry-after: "
eq "others are not held back" 201 "$(vote "$C" "$F" "${V[1]}")"
eq "D votes" 201 "$(vote "$E" "$F" "${V[1]}")"

# --- tallies as the rules say ------------------------------------------------------------
eq "final: hidden from the public" hidden "$(curl -s "$U/votes/$F/results" | jq -r .shown)"
eq "final: editors count live" 6 "$(ed GET "/votes/$F/results" | jq -r .tally.valid)"
lacks "public results carry nobody's votes" "$(curl -s "$U/votes/$F/results")" "member"
contains "a guest's results may sit in a shared cache" "$(curl -s -D - -o /dev/null "$U/votes/$F/results")" "cache-control: public"
contains "a member's day is private" "$(curl -s -D - -o /dev/null -H "Authorization: Bearer $A" "$U/votes/$F/me")" "cache-control: private"
L=$(mk live)
vote "$A" "$L" "${V[2]}" >/dev/null
eq "live: the public sees the vote at once" 1 "$(curl -s "$U/votes/$L/results" | jq -r .tally.valid)"
DL=$(mk delayed '-30 minutes')
vote "$A" "$DL" "${V[2]}" >/dev/null
r=$(curl -s "$U/votes/$DL/results")
eq "delayed: the hourly snapshot (before the vote) shows none" "delayed 0" "$(jq -r '"\(.shown) \(.tally.valid)"' <<<"$r")"
eq "delayed: editors see it" 1 "$(ed GET "/votes/$DL/results" | jq -r .tally.valid)"

# --- signal report: five members from one address within minutes, all new ----------------
rep=$(ed GET "/votes/$F/report?min_new=3")
eq "shared address flagged (members)" 5 "$(jq -r '.shared_addresses[0].members' <<<"$rep")"
check "new members' burst flagged" test "$(jq -r '.new_member_bursts | length' <<<"$rep")" -ge 1
eq "the report is the editors'" 403 "$(code -H "Authorization: Bearer $A" "$U/votes/$F/report")"
DB=$D/lectern.db
eq "addresses only as 64-hex hashes" "0 0" "$(sqlite3 "$DB" "SELECT count(*) FROM vote_address WHERE length(address_hash) != 64 OR address_hash LIKE '%127.0%'") $(sqlite3 "$DB" "SELECT count(*) FROM vote_attempt WHERE subject LIKE '%127.0%'")"

# --- invalidation: kept in the log, counted apart ---------------------------------------
# The stuffer's ballot (an editor reads the member ids in the report; the test asks the log).
SB=$(sqlite3 "$DB" "SELECT b.id FROM vote_ballot b JOIN member m ON m.id = b.member_id WHERE m.display_name = '刷票' AND b.contest_id = $F")
contains "…the report names its ballot" "$(jq -c '.shared_addresses[0].ballot_ids' <<<"$rep")" "$SB"
eq "invalidation needs a reason" 400 "$(ed POST "/votes/$F/invalidations" -o /dev/null -w '%{http_code}' -d "{\"ballots\":[$SB]}")"
eq "editor invalidates one ballot" 1 "$(ed POST "/votes/$F/invalidations" -d "{\"ballots\":[$SB],\"reason\":\"同一地址短时多人投票\"}" | jq -r .marked)"
eq "the ballot stays in the log" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM vote_ballot WHERE id = $SB")"
eq "its point taken back by a correction (the ledger stays append-only)" "-1 0" "$(sqlite3 "$DB" "SELECT amount FROM points_ledger WHERE idempotency_key = 'vote-invalid:$SB'") $(points "$SPAM")"
eq "invalidating it again takes nothing more" 0 "$(ed POST "/votes/$F/invalidations" -d "{\"ballots\":[$SB],\"reason\":\"再次\"}" | jq -r .marked)"
eq "…one correction" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM points_ledger WHERE reason = 'correction'")"

eq "…marked with its reason" "同一地址短时多人投票" "$(sqlite3 "$DB" "SELECT reason FROM vote_invalidation WHERE ballot_id = $SB")"
check "the log refuses a delete" bash -c "! sqlite3 '$DB' 'DELETE FROM vote_ballot WHERE id = $SB'"
eq "tally: 5 valid, 1 invalidated" "5 1" "$(ed GET "/votes/$F/results" | jq -r '"\(.tally.valid) \(.tally.invalidated)"')"
eq "audited" vote.invalidate "$(ed GET "/audit?target_type=vote&target_id=$F" | jq -r '.entries[0].action')"

# --- close: the published result, its hash, a recount from the log ----------------------
closed=$(ed POST "/votes/$F/close")
eq "closed" closed "$(jq -r .vote.state <<<"$closed")"
res=$(curl -s "$U/votes/$F/results")
eq "public result once closed" "final 5 1" "$(jq -r '"\(.shown) \(.tally.valid) \(.tally.invalidated)"' <<<"$res")"
eq "ranked: most votes first, rank 1" true "$(jq -r '.tally.items | .[0].rank == 1 and .[0].votes >= .[1].votes and .[1].votes >= .[2].votes' <<<"$res")"
sha=$(jq -r .sha256 <<<"$res")
eq "sha256 is that of the canonical text" "$sha" "$(jq -j .canonical <<<"$res" | sha256sum | cut -d' ' -f1)"
rc=$("$LECTERN" vote recount "$F" --data-dir "$D" 2>/dev/null)
eq "lectern vote recount: matches" true "$(jq -r .match <<<"$rc")"
eq "…the same hash" "$sha" "$(jq -r .recount_sha256 <<<"$rc")"
eq "…the same text" "$(jq -r .canonical <<<"$res")" "$(jq -r .recount <<<"$rc")"
# The result counted again from the log by hand (sqlite3), item by item.
byhand=$(sqlite3 "$DB" "SELECT b.item_id || ' ' || count(*) FROM vote_ballot b LEFT JOIN vote_invalidation v ON v.ballot_id = b.id
  WHERE b.contest_id = $F AND v.ballot_id IS NULL GROUP BY b.item_id ORDER BY b.item_id" | xargs)
eq "results equal a count of the log by hand" "$byhand" "$(jq -r '[.tally.items[] | select(.votes > 0) | "\(.id) \(.votes)"] | sort | join(" ")' <<<"$res")"
eq "no vote after the close" not_open "$(req "$C" POST "/votes/$F/ballots" -d "{\"item\":\"${V[2]}\"}" | jq -r .error.code)"
eq "no invalidation after the close" 409 "$(ed POST "/votes/$F/invalidations" -o /dev/null -w '%{http_code}' -d "{\"ballots\":[$SB],\"reason\":\"x\"}")"
# A published result edited behind the server's back: the recount says so (exit 1).
sqlite3 "$DB" "UPDATE vote_contest SET result = replace(result, 'valid 5', 'valid 6') WHERE id = $F"
"$LECTERN" vote recount "$F" --data-dir "$D" >/dev/null 2>&1
eq "recount exits 1 on a tampered result" 1 "$?"

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
