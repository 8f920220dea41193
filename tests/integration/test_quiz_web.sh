#!/usr/bin/env bash
# Browser: a member takes the daily quiz on a phone-sized page (tests/web/quiz.mjs) against a
# real `lectern serve` with a bank imported by the CLI and a campaign that pays for the quiz;
# then the console's bank screen (import, correct rates, retire).
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?}" "${FREEPORT:?}"
for tool in jq curl node; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done
[ -x /usr/bin/chromium ] && [ -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ] ||
  { echo "1..0 # SKIP needs /usr/bin/chromium and web/node_modules"; exit 77; }

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
EDITOR=$("$LECTERN" member add --data-dir "$D" --name 编辑 --role editor 2>/dev/null | jq -r .token)
VIEWER=$("$LECTERN" member add --data-dir "$D" --name 学员 --role viewer --real-name-verified 2>/dev/null | jq -r .token)
cat >"$T_TMP/bank.json" <<'JSON'
[{"key": "w1", "kind": "single", "category": "劳模", "text": "劳模精神的核心是什么？",
  "options": ["RIGHT 爱岗敬业", "只顾自己", "得过且过"], "answer": "A", "explanation": "EXPL 爱岗敬业、争创一流"},
 {"key": "w2", "kind": "multiple", "category": "安全", "text": "下列哪些是安全生产的做法？",
  "options": ["RIGHT 佩戴安全帽", "违章作业", "RIGHT 定期检查设备"], "answer": [0, 2], "explanation": "EXPL 安全第一"},
 {"key": "w3", "kind": "truefalse", "text": "水在标准大气压下 100 ℃ 沸腾。", "answer": true, "explanation": "EXPL 常识"}]
JSON
eq "the bank is imported" 3 "$("$LECTERN" quiz import "$T_TMP/bank.json" --data-dir "$D" 2>/dev/null | jq -r .added)"
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
from=$(TZ=Asia/Shanghai date -d yesterday +%F); until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
eq "a campaign paying 2 a right answer, 5 a day" 201 "$(curl -s -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' \
  -d "{\"name\":\"答题\",\"starts_on\":\"$from\",\"ends_on\":\"$until\",\"activities\":[{\"activity\":\"quiz\",\"rate\":2,\"daily_cap\":5,\"questions\":3,\"seconds\":60}]}" \
  "$U/api/v1/campaigns")"
printf 'key,kind,question,options,answer,explanation\nw4,single,新的一题,甲|乙,A,因为\n' >"$T_TMP/more.csv"
relay_browser < <(BASE_URL=$U TOKEN=$VIEWER EDITOR_TOKEN=$EDITOR BANK_FILE=$T_TMP/more.csv ARTIFACTS="${LECTERN_ARTIFACTS:-$T_TMP}" \
  node "$LECTERN_SOURCE_DIR/tests/web/quiz.mjs" 2>&1)
stop_server
eq "server stops cleanly" 0 "$SERVER_STATUS"
tap_done
