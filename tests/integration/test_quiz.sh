#!/usr/bin/env bash
# Integration: the daily quiz over HTTP against a real `lectern serve` — a bank imported with
# the CLI and the API, a campaign whose table of activities pays for it, members taking it.
# Every member response is kept raw and checked: no question's answer or explanation before
# that member's answer to it is locked. One attempt a day, late answers, concurrent
# submissions counted once, a retired question never served, caps.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}"
for tool in jq curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null; }
EDITOR=$(add 编辑 editor | jq -r .token)
declare -A TOKEN ID
for who in a b c; do j=$(add "学员-$who" viewer yes); TOKEN[$who]=$(jq -r .token <<<"$j"); ID[$who]=$(jq -r .id <<<"$j"); done
j=$(add 未实名 viewer); TOKEN[u]=$(jq -r .token <<<"$j"); ID[u]=$(jq -r .id <<<"$j")

# The bank: three questions from a CSV (the right option says RIGHT, each explanation EXPL),
# and one more over the API that is then retired.
cat >"$T_TMP/bank.csv" <<'CSV'
key,kind,category,question,options,answer,explanation
q1,single,劳模,劳模精神的核心是什么？,wrong-a|RIGHT-1|wrong-b,B,EXPL-1 爱岗敬业
q2,multiple,安全,"Which are safe, both?",RIGHT-2a|wrong|RIGHT-2b|wrong2,A|C,EXPL-2
q3,truefalse,常识,水在标准大气压下 100 ℃ 沸腾,,对,EXPL-3
CSV
r=$("$LECTERN" quiz import "$T_TMP/bank.csv" --data-dir "$D" 2>/dev/null)
eq "quiz import reads the CSV" "3 3" "$(jq -r '"\(.questions) \(.added)"' <<<"$r")"
r=$("$LECTERN" quiz import "$T_TMP/bank.csv" --data-dir "$D" 2>/dev/null)
eq "importing the same file again adds nothing" 3 "$(jq -r .unchanged <<<"$r")"
printf 'question,options,answer\nbroken,a|b,Z\n' >"$T_TMP/bad.csv"
r=$("$LECTERN" quiz import "$T_TMP/bad.csv" --data-dir "$D" 2>/dev/null); st=$?
eq "a bad file is refused with its row" "1 row 2" "$st $(jq -r .error.message <<<"$r" | grep -o 'row 2')"

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
ed=(-H "Authorization: Bearer $EDITOR" -H "content-type: application/json")
r=$(curl -s "${ed[@]}" -d '{"questions":[{"key":"old","text":"RETIRED question","options":["x","y"],"answer":0,"explanation":"EXPL-old"}]}' "$U/api/v1/quiz/questions")
eq "editors import over the API" 1 "$(jq -r .added <<<"$r")"
OLD=$(curl -s "${ed[@]}" "$U/api/v1/quiz/questions" | jq -r '.questions[] | select(.key == "old") | .id')
eq "editors retire a question" retired "$(curl -s "${ed[@]}" -X PATCH -d '{"status":"retired"}' "$U/api/v1/quiz/questions/$OLD" | jq -r .status)"
eq "members may not import (403)" 403 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN[a]}" \
  -H 'content-type: application/json' -d '{"questions":[]}' "$U/api/v1/quiz/questions")"

# A campaign open now whose quiz pays 2 a correct answer, at most 5 a day; 3 questions of 6 s
# (short, so the late answer below waits only 7 s; long enough for a loaded machine).
from=$(TZ=Asia/Shanghai date -d yesterday +%F); until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
r=$(curl -s -w '\n%{http_code}' "${ed[@]}" -d "{\"name\":\"答题\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",
  \"activities\":[{\"activity\":\"quiz\",\"rate\":2,\"daily_cap\":5,\"questions\":3,\"seconds\":6}]}" "$U/api/v1/campaigns")
eq "a campaign with a quiz row (201)" 201 "$(tail -1 <<<"$r")"
eq "its table: watch, live bonus, quiz" "watch live_bonus quiz" "$(head -1 <<<"$r" | jq -r '[.activities[].activity] | join(" ")')"
eq "the rules page's API shows it to guests" "2 5" "$(curl -s "$U/api/v1/rules" | jq -r '.campaign.activities[] | select(.activity == "quiz") | "\(.rate) \(.daily_cap)"')"

# --- a member's quiz; every answer kept raw --------------------------------------------
N=0
call() { # call WHO METHOD PATH [BODY]: the raw body in $T_TMP/WHO.N, the status in $S
  N=$((N + 1)); OUT=$T_TMP/$1.$N
  S=$(curl -s -o "$OUT" -w '%{http_code}' -X "$2" -H "Authorization: Bearer ${TOKEN[$1]}" \
      -H 'content-type: application/json' ${4:+-d "$4"} "$U/api/v1$3")
}
# No question's answer or explanation in any response before its answer is locked: the raw
# body holds exactly as many explanations and "answer" arrays as locked questions.
wire_ok() {
  local locked expl answers
  locked=$(jq '[.attempt.items[]? | select(.state == "locked")] | length' "$OUT")
  expl=$(grep -o 'EXPL-[0-9a-z]*' "$OUT" | wc -l)
  answers=$(grep -o '"answer"' "$OUT" | wc -l)
  eq "raw response $N: answers and explanations only of the $locked locked question(s)" "$locked $locked" "$expl $answers"
}
right_of() { # the shown positions of the RIGHT options of question $1 in $OUT, as a JSON array
  jq -c --argjson p "$1" '[.attempt.items[$p].options | to_entries[] | select(.value | startswith("RIGHT") or . == "正确") | .key]' "$OUT"
}

call a GET /me/quiz; eq "before starting: no attempt" "200 null" "$S $(jq -c .attempt "$OUT")"
grep -qi 'cache-control' <(curl -sI -H "Authorization: Bearer ${TOKEN[a]}" "$U/api/v1/me/quiz") && \
  lacks "a member's quiz is never public" "$(curl -sI -H "Authorization: Bearer ${TOKEN[a]}" "$U/api/v1/me/quiz" | tr -d '\r')" "public"
call a POST /me/quiz; eq "start (201)" 201 "$S"; wire_ok
eq "three questions, the first shown, the rest pending" "open pending pending" "$(jq -r '[.attempt.items[].state] | join(" ")' "$OUT")"
lacks "the retired question is not served" "$(cat "$OUT")" RETIRED
check "a pending question's text is not sent" test "$(jq '.attempt.items[1] | has("text")' "$OUT")" = false
c=$(right_of 0)
call a POST /me/quiz '{}'; eq "a second attempt the same day is refused (409)" 409 "$S"
call a POST /me/quiz/answers "{\"position\":0,\"choices\":$c}"; eq "answer 1 (200)" 200 "$S"; wire_ok
eq "answer 1 is right, with its explanation" "true" "$(jq -r '.attempt.items[0].correct' "$OUT")"
call a POST /me/quiz/next; wire_ok
c=$(right_of 1)
# Six submissions of the same answer at once: one counts, the others are refused.
for i in 1 2 3 4 5 6; do
  curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer ${TOKEN[a]}" -H 'content-type: application/json' \
    -d "{\"position\":1,\"choices\":$c}" "$U/api/v1/me/quiz/answers" >>"$T_TMP/race" &
  RACE+=($!)
done
wait "${RACE[@]}"  # not the server
eq "concurrent submissions: one 200, five 409" "1 5" "$(grep -c 200 "$T_TMP/race") $(grep -c 409 "$T_TMP/race")"
call a POST /me/quiz/next; wire_ok
c=$(right_of 2)
sleep 7  # the limit is 6 s on the server's clock
call a POST /me/quiz/answers "{\"position\":2,\"choices\":$c}"; wire_ok
eq "a late answer, right or not, scores nothing" "false true" "$(jq -r '.attempt.items[2] | "\(.correct) \(.late)"' "$OUT")"
eq "finished: 2 right, 4 points" "true 2 4" "$(jq -r '.attempt | "\(.finished) \(.correct) \(.points)"' "$OUT")"
call a GET /me/points
eq "/me/points: today's quiz progress" "4 5" "$(jq -r '.today.activities[] | select(.activity == "quiz") | "\(.points) \(.cap)"' "$OUT")"
DAY=$(jq -r .today.date "$OUT")
eq "one ledger entry, key quiz:<member>:<day>" "1 4" "$(sqlite3 "$D/lectern.db" \
  "SELECT count(*), sum(amount) FROM points_ledger WHERE reason = 'quiz' AND idempotency_key = 'quiz:${ID[a]}:$DAY'" | tr '|' ' ')"

# --- caps, and the last answer raced ------------------------------------------------------
call b POST /me/quiz; wire_ok
for p in 0 1 2; do
  [ $p -gt 0 ] && { call b POST /me/quiz/next; wire_ok; }
  c=$(right_of $p)
  if [ $p -lt 2 ]; then call b POST /me/quiz/answers "{\"position\":$p,\"choices\":$c}"; wire_ok
  else
    for i in 1 2 3 4 5; do
      curl -s -o /dev/null -H "Authorization: Bearer ${TOKEN[b]}" -H 'content-type: application/json' \
        -d "{\"position\":2,\"choices\":$c}" "$U/api/v1/me/quiz/answers" &
      RACE2+=($!)
    done
    wait "${RACE2[@]}"
  fi
done
call b GET /me/quiz; wire_ok
eq "3 right × 2 capped at 5, paid once" "3 5" "$(jq -r '.attempt | "\(.correct) \(.points)"' "$OUT")"
eq "the ledger holds 5 for b" 5 "$(sqlite3 "$D/lectern.db" "SELECT sum(amount) FROM points_ledger WHERE member_id = '${ID[b]}'")"

# Member c and an unverified member: still no retired question; the unverified earns nothing.
for who in c u; do
  call $who POST /me/quiz; wire_ok; lacks "$who: the retired question is not served" "$(cat "$OUT")" RETIRED
  for p in 0 1 2; do
    [ $p -gt 0 ] && { call $who POST /me/quiz/next; lacks "$who: the retired question is not served" "$(cat "$OUT")" RETIRED; }
    call $who POST /me/quiz/answers "{\"position\":$p,\"choices\":$(right_of $p)}"; wire_ok
  done
done
eq "an unverified member earns nothing" "3 0" "$(jq -r '.attempt | "\(.correct) \(.points)"' "$OUT")"
call a POST /me/quiz/answers '{"position":9,"choices":[0]}'; eq "no such question (404)" 404 "$S"
call a POST /me/quiz/answers '{"position":"x"}'; eq "a bad body (400)" 400 "$S"

r=$(curl -s "${ed[@]}" "$U/api/v1/quiz/questions")
# Every served question answered right except a's late one, which may be any of the three
# (the order is the server's): each active question answered 4 times, 11 of the 12 right.
eq "editors see correct rates (3 questions × 4 answers, 11 right: a's late one is not)" "4 4 4 12 11" \
  "$(jq -r '[.questions[] | select(.key != "old")] | "\(map(.answered) | join(" ")) \(map(.answered) | add) \(map(.answered * .correct_rate) | add | round)"' <<<"$r")"
eq "the retired question was never answered" 0 "$(jq -r '.questions[] | select(.key == "old") | .answered' <<<"$r")"
check "points check: aggregates equal the ledger" "$LECTERN" points check --data-dir "$D"

stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
