#!/usr/bin/env bash
# Integration: articles against a real `lectern serve` — an editor writes one in Markdown with
# hostile bits, previews and publishes it over the API; it sits in its column between videos
# and is found by search (Chinese and English); an honest reader earns the campaign's read
# rate once over /ws, cheating readers (too fast, hidden, two tabs, replayed reports, a second
# reading) earn nothing (docs/articles.md).
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}"
for tool in jq curl node sqlite3; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT/api/v1
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null; }
EDITOR=$(add 编辑 editor | jq -r .token)
declare -A TOKEN ID
for who in honest fast hidden tabs replay; do
  j=$(add "读者-$who" viewer yes); TOKEN[$who]=$(jq -r .token <<<"$j"); ID[$who]=$(jq -r .id <<<"$j")
done
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
ed() { local m=$1 p=$2; shift 2; curl -s -X "$m" -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$@" "$U$p"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# A campaign whose read row pays 3 a minute of the estimate.
from=$(TZ=Asia/Shanghai date -d yesterday +%F); until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
eq "a campaign with a read row (201)" 201 "$(ed POST /campaigns -o /dev/null -w '%{http_code}' \
  -d "{\"name\":\"读书\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",\"activities\":[{\"activity\":\"read\",\"rate\":3,\"daily_cap\":20}]}")"

# --- writing -------------------------------------------------------------------------------
BODY='# 劳模精神\n\n**王师傅**的故事：welding lessons for apprentices。<script>alert(1)</script>\n\n[点我](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n![车间](/images/none.png)'
r=$(ed POST /articles/preview -d "{\"body\":\"$BODY\"}")
contains "the preview is the server's rendering" "$(jq -r .html <<<"$r")" "<strong>王师傅</strong>"
for bad in '<script' 'javascript:' 'onerror=alert'; do
  lacks "the preview drops $bad" "$(jq -r .html <<<"$r" | tr 'A-Z' 'a-z' | grep -v '^<!--' )" "$bad"
done
r=$(ed POST /articles -w '\n%{http_code}' -d "{\"title\":\"劳模精神薪火相传\",\"summary\":\"一位焊工的三十年\",\"body\":\"$BODY\"}")
eq "an editor writes a draft (201)" "201 draft" "$(tail -1 <<<"$r") $(head -1 <<<"$r" | jq -r .status)"
A=$(head -1 <<<"$r" | jq -r .id)
html=$(head -1 <<<"$r" | jq -r .html)
lacks "the stored rendering has no script" "$html" "<script"
lacks "nor javascript: links" "$html" "javascript:"
eq "a draft is 404 to the public" 404 "$(code "$U/articles/$A")"
eq "and 404 to members" 404 "$(code -H "Authorization: Bearer ${TOKEN[honest]}" "$U/articles/$A")"
eq "members may not write (403)" 403 "$(code -H "Authorization: Bearer ${TOKEN[honest]}" -H 'content-type: application/json' -d '{"title":"x"}' "$U/articles")"
eq "a title is required (400)" 400 "$(ed POST /articles -o /dev/null -w '%{http_code}' -d '{"summary":"x"}')"
eq "an outside cover is refused (400)" 400 "$(ed PATCH /articles/$A -o /dev/null -w '%{http_code}' -d '{"cover_url":"http://evil/x.png"}')"
eq "a typo is refused (400)" 400 "$(ed PATCH /articles/$A -o /dev/null -w '%{http_code}' -d '{"titel":"x"}')"
eq "a draft cannot be read for points" not_found "$(node "$LECTERN_SOURCE_DIR/tests/tools/read_client.mjs" "$PORT" "${TOKEN[honest]}" "$A" fast | jq -r 'select(.type == "error") | .code' | head -1)"
eq "publishing" published "$(ed POST /articles/$A/publish | jq -r .status)"
r=$(curl -s "$U/articles/$A")
eq "the public reads it (no Markdown source)" "劳模精神薪火相传 null" "$(jq -r '"\(.title) \(.body)"' <<<"$r")"
RS=$(jq -r .read_seconds <<<"$r")
eq "its reading time is the rule's minimum (short)" 10 "$RS"
eq "the audit log has it" "article.create article.publish" "$(ed GET "/audit?target_type=article" | jq -r '[.entries[].action] | reverse | join(" ")')"

# --- columns and search ---------------------------------------------------------------------
# Two upcoming lives (times relative to now: nothing here depends on today's date).
S1=$(date -d '+2 days' +%Y-%m-%dT%H:%M:%S%:z); S2=$(date -d '+3 days' +%Y-%m-%dT%H:%M:%S%:z)
V1=$(ed POST /events -d "{\"title\":\"焊接第一课\",\"visibility\":\"published\",\"starts\":\"$S1\"}" | jq -r .id)
V2=$(ed POST /events -d "{\"title\":\"焊接第二课\",\"visibility\":\"published\",\"starts\":\"$S2\"}" | jq -r .id)
eq "a column (201)" 201 "$(ed POST /columns -o /dev/null -w '%{http_code}' -d '{"slug":"craft","title":"工匠"}')"
ed POST /columns/craft/items -o /dev/null -d "{\"video_id\":\"$V1\"}"
ed POST /columns/craft/items -o /dev/null -d "{\"video_id\":\"$V2\"}"
eq "the article is put between the two videos" 1 "$(ed PUT /columns/craft/articles/$A -d '{"position":1}' | jq -r '.articles[0].position')"
eq "the column's public articles" "$A 1" "$(curl -s "$U/columns/craft/articles" | jq -r '.articles[] | "\(.id) \(.position)"')"
eq "videos keep their order" "$V1 $V2" "$(curl -s "$U/columns/craft" | jq -r '[.items[].video.id] | join(" ")')"
eq "articles narrowed to the column" "$A" "$(curl -s "$U/articles?column=craft" | jq -r '.articles[].id')"
eq "search finds it by a Chinese word" "$A" "$(curl -s "$U/articles?q=%E5%8A%B3%E6%A8%A1" | jq -r '.articles[].id')"
eq "and by an English word in the body (stemmed)" "$A" "$(curl -s "$U/articles?q=lesson" | jq -r '.articles[].id')"
eq "a word it lacks finds nothing" 0 "$(curl -s "$U/articles?q=%E8%B6%B3%E7%90%83" | jq -r '.total')"
r=$(ed POST /articles -d '{"title":"草稿：劳模","body":"未发布"}')
DRAFT=$(jq -r .id <<<"$r")
eq "drafts are not found by the public" "$A" "$(curl -s "$U/articles?q=%E5%8A%B3%E6%A8%A1" | jq -r '[.articles[].id] | join(" ")')"
eq "editors list drafts with all=true" 2 "$(ed GET "/articles?all=true" | jq -r '.total')"

# --- reading over /ws ------------------------------------------------------------------------
read_as() { node "$LECTERN_SOURCE_DIR/tests/tools/read_client.mjs" "$PORT" "${TOKEN[$1]}" "$A" "$2"; }
balance() { curl -s -H "Authorization: Bearer ${TOKEN[$1]}" "$U/me/points" | jq -r .balance; }
out=$(read_as honest honest)
eq "an honest reader is told the rule" "10 5 true" "$(jq -r 'select(.type == "read.started") | "\(.read_seconds) \(.need_seconds) \(.earns)"' <<<"$out")"
eq "and earns the read rate once (3 a started minute)" 3 "$(jq -s '[.[] | select(.type == "read.ack") | .earned] | add' <<<"$out")"
contains "points.update is pushed" "$out" '"type":"points.update"'
eq "the balance shows it" 3 "$(balance honest)"
eq "the ledger entry is a read" "read" "$(curl -s -H "Authorization: Bearer ${TOKEN[honest]}" "$U/me/points" | jq -r '.history[0].reason')"
out=$(read_as honest honest)
eq "a second reading starts done" true "$(jq -r 'select(.type == "read.started") | .done' <<<"$out")"
eq "and earns nothing" "0 3" "$(jq -s '[.[] | select(.type == "read.ack") | .earned] | add' <<<"$out") $(balance honest)"
out=$(read_as fast fast)
eq "too fast: credit is what the server's clock saw" true "$(jq -s '[.[] | select(.type == "read.ack") | .credited_seconds] | max < 5' <<<"$out")"
eq "too fast earns nothing" 0 "$(balance fast)"
out=$(read_as hidden hidden)
eq "hidden: nothing credited" 0 "$(jq -s '[.[] | select(.type == "read.ack") | .credited_seconds] | max' <<<"$out")"
eq "hidden earns nothing" 0 "$(balance hidden)"
out=$(read_as tabs tabs)
contains "two tabs: the other is superseded" "$out" '"reason":"superseded"'
contains "and its reports refused" "$out" '"code":"no_session"'
eq "two tabs count the time once, not twice" true "$(sed -n 's/^2://p' <<<"$out" | jq -s '[.[] | select(.type == "read.ack") | .credited_seconds] | max <= 4')"
eq "two tabs for 4 s earn nothing" 0 "$(balance tabs)"
out=$(read_as replay replay)
contains "a replayed report is stale" "$out" '"code":"stale"'
eq "replaying earns nothing" 0 "$(balance replay)"
eq "one read entry in the whole ledger" 1 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM points_ledger WHERE reason = 'read'")"

# --- deleting ------------------------------------------------------------------------------
eq "deleting" true "$(ed DELETE /articles/$DRAFT | jq -r .deleted)"
eq "a deleted article is 404 to editors too" 404 "$(code -H "Authorization: Bearer $EDITOR" "$U/articles/$DRAFT")"

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
