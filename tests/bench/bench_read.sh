#!/usr/bin/env bash
# Read-path benchmark (issue 24): prints figures, asserts nothing (machines here are shared).
#
# Builds databases of SIZES lessons (30, 3,000 and 30,000 by default) with MEMBERS members and
# LEDGER points ledger entries quickly — SQL in one transaction per database, not the API —
# starts `lectern serve` on each and measures every read of the issue's table with wrk
# (-t1 -c32, guests unless said): the videos' first page and the next by key, search (a word
# in every title and a rare one, English and Chinese), lives/upcoming, and /me/points of a
# member with 10 ledger entries and of one with 200,000. Prints req/s and p99 per read
# and size side by side (32 connections), and p95/p99 of one client (what a request costs,
# without the queue: the issue's search target is p95 < 20 ms at 30,000 lessons).
#
# The members and the ledger do not depend on the lessons: they are built once and copied
# into each size's data directory. Every lesson title holds "劳模课堂 lesson"; one in a
# thousand (and at least one) also "焊接技术 welding"; one in a hundred is an upcoming live.
#
# Usage: tests/bench/bench_read.sh [BUILD_DIR]
#   env: SIZES="30 3000 30000", MEMBERS=100000, LEDGER=10000000, DURATION=5 (s per read),
#        API_CACHE=0 (guest cache bytes; 0: off), CONNECTIONS=32, KEEP=1 (keep the data in /tmp)
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" src/lectern
bench_need_tools wrk sqlite3 curl jq python3
LECTERN=$(realpath "$BUILD/src/lectern")
SIZES=${SIZES:-30 3000 30000}
MEMBERS=${MEMBERS:-100000}
LEDGER=${LEDGER:-10000000}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
HEAVY=200000   # the entries of the member whose history is long
T=$(mktemp -d /tmp/lectern-readbench.XXXXXX)
SERVER=
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

echo "# lectern read-path benchmark — $(date -u +%FT%TZ), $(nproc) cores; wrk -t1 -c$CONNECTIONS -d${DURATION}s"
echo "# $MEMBERS members, $LEDGER ledger entries (one member with $HEAVY, one with 10); lessons: $SIZES"

since() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }
now=$(date +%s)
today=$(TZ=Asia/Shanghai date +%F)
# ---- members and ledger, once ----------------------------------------------------------
BASE=$T/base
"$LECTERN" migrate --data-dir "$BASE" >/dev/null 2>&1 || bench_fail "lectern migrate failed"
add_member() { "$LECTERN" member add --data-dir "$BASE" --name "$1" --role viewer --real-name-verified 2>/dev/null; }
light=$(add_member light) heavy=$(add_member heavy)
LIGHT_ID=$(jq -r .id <<<"$light") LIGHT_TOKEN=$(jq -r .token <<<"$light")
HEAVY_ID=$(jq -r .id <<<"$heavy") HEAVY_TOKEN=$(jq -r .token <<<"$heavy")
[ "$HEAVY_ID" != null ] && [ -n "$HEAVY_ID" ] || bench_fail "could not add the bench members"
rest=$((LEDGER - HEAVY - 10))
[ "$rest" -ge 0 ] || rest=0
per=$(( MEMBERS > 0 ? (rest + MEMBERS - 1) / MEMBERS : 1 ))
[ "$per" -ge 1 ] || per=1
start=$(date +%s.%N)
# Inserted member by member and key by key, so every index grows at its end. The aggregates
# (points_balance, points_day) are kept by migration 0008's trigger as in production.
sqlite3 "$BASE/lectern.db" >/dev/null <<SQL || bench_fail "building the ledger failed"
PRAGMA journal_mode = DELETE;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -400000;
BEGIN;
INSERT INTO campaign (name, starts_on, ends_on, time_zone, starts_at, ends_at, created_at, updated_at)
  VALUES ('bench', date($now - 3 * 86400, 'unixepoch'), date($now + 3 * 86400, 'unixepoch'), 'Asia/Shanghai',
          $now - 4 * 86400, $now + 4 * 86400, $now, $now);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $MEMBERS)
INSERT INTO member (id, display_name, role, real_name_verified, token_hash, created_at, updated_at)
  SELECT printf('bm%06d', i), 'member ' || i, 'viewer', 1, 'none', $now, $now FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $rest - 1)
INSERT INTO points_ledger (member_id, amount, reason, campaign_id, local_day, idempotency_key, created_at)
  SELECT printf('bm%06d', i / $per + 1), 1, 'watch', 1,
         date($now - (i % $per) * 3600, 'unixepoch'), printf('b:%010d', i), $now - (i % $per) * 3600
  FROM n WHERE $rest > 0;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $HEAVY - 1)
INSERT INTO points_ledger (member_id, amount, reason, campaign_id, local_day, idempotency_key, created_at)
  SELECT '$HEAVY_ID', 1, 'watch', 1, date($now - ($HEAVY - i) * 300, 'unixepoch'), printf('h:%010d', i),
         $now - ($HEAVY - i) * 300 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
INSERT INTO points_ledger (member_id, amount, reason, campaign_id, local_day, idempotency_key, created_at)
  SELECT '$LIGHT_ID', 1, 'watch', 1, '$today', printf('l:%010d', i), $now - 60 * (10 - i) FROM n;
COMMIT;
PRAGMA journal_mode = WAL;
SQL
entries=$(sqlite3 "$BASE/lectern.db" "SELECT count(*) FROM points_ledger")
printf '# members and ledger (%s entries) built in %s s, %s MiB\n' "$entries" "$(since "$start")" \
  "$(( $(stat -c %s "$BASE/lectern.db") / 1048576 ))"

# ---- one size: lessons into a copy, the server, the reads ------------------------------
lua=$T/pct.lua
cat >"$lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("PCT %d %d %d\n", latency:percentile(95), latency:percentile(99),
                         summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA
declare -A RESULT ONE
READS=(videos videos_next q_lesson q_welding q_laomo q_hanjie upcoming me_10 me_200k)
declare -A LABEL=(
  [videos]="GET /videos (first page)" [videos_next]="GET /videos?after=… (next page)"
  [q_lesson]="/videos?q=lesson (every title)" [q_welding]="/videos?q=welding (rare)"
  [q_laomo]="/videos?q=劳模 (every title)" [q_hanjie]="/videos?q=焊接 (rare)"
  [upcoming]="GET /lives/upcoming" [me_10]="GET /me/points, 10 entries" [me_200k]="GET /me/points, 200,000 entries"
)

measure() { # measure SIZE NAME URL [TOKEN]
  local hdr=()
  [ -n "${4:-}" ] && hdr=(-H "Authorization: Bearer $4")
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "${hdr[@]}" "$3")
  [ "$code" = 200 ] || bench_fail "$2 at $1 lessons answered $code"
  local out rps pct
  out=$(nice wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$lua" "${hdr[@]}" "$3" 2>&1)
  rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
  pct=$(awk '/^PCT/ { printf "%.1f %.1f %d", $2 / 1000, $3 / 1000, $4 }' <<<"$out")
  bench_positive "$2 req/s at $1 lessons" "$rps"
  read -r p95 p99 errors <<<"$pct"
  [ "${errors:-0}" = 0 ] || echo "# $2 at $1 lessons: $errors errors" >&2
  RESULT[$1,$2]="$rps req/s, p99 $p99 ms"
  # With 32 connections the percentiles are mostly queueing; one client shows what a request costs.
  out=$(nice wrk -t1 -c1 -d"${DURATION}s" -s "$lua" "${hdr[@]}" "$3" 2>&1)
  pct=$(awk '/^PCT/ { printf "%.2f %.2f", $2 / 1000, $3 / 1000 }' <<<"$out")
  read -r p95 p99 <<<"$pct"
  ONE[$1,$2]="p95 $p95 ms, p99 $p99 ms"
}

for size in $SIZES; do
  D=$T/d$size
  cp -a "$BASE" "$D"
  start=$(date +%s.%N)
  sqlite3 "$D/lectern.db" >/dev/null <<SQL || bench_fail "building $size lessons failed"
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $size)
INSERT INTO video (id, title, presenter, presenter_kind, category, source, state, visibility, duration_ms,
                   scheduled_start, created_at, updated_at)
  SELECT printf('bv%06d', i),
         '劳模课堂 lesson ' || i || CASE WHEN i % 1000 = 7 OR i = $size THEN ' 焊接技术 welding' ELSE '' END,
         '王师傅', CASE i % 4 WHEN 0 THEN 'model-worker' WHEN 1 THEN 'volunteer' WHEN 2 THEN 'teacher' ELSE 'other' END,
         CASE i % 4 WHEN 0 THEN '思想引领' WHEN 1 THEN '科学普及' WHEN 2 THEN '体育艺术' ELSE '文化历史' END,
         CASE WHEN i % 100 = 1 THEN 'live' ELSE 'upload' END,
         CASE WHEN i % 100 = 1 THEN 'scheduled' ELSE 'ready' END, 'published', 1800000,
         CASE WHEN i % 100 = 1 THEN $now + 3600 + i * 60 END, $now - ($size - i) * 600, $now - ($size - i) * 600
  FROM n;
-- The search index as src/db/db_search.c writes it: Chinese runs as overlapping pairs plus
-- the last character, under the video's rowid.
INSERT INTO video_search (rowid, video_id, title, presenter, tags, description)
  SELECT rowid, id, replace(replace(title, '劳模课堂', '劳模 模课 课堂 堂'), '焊接技术', '焊接 接技 技术 术'),
         '王师 师傅 傅', '', '' FROM video WHERE id GLOB 'bv*';
COMMIT;
SQL
  printf '# %s lessons built in %s s\n' "$size" "$(since "$start")"
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # The guest cache off (API_CACHE, 0 by default): this measures the database path — the
  # queries of items 2 and 3 —, not the cached answers (tests/bench/bench_guest.sh does those).
  printf '[log]\nlevel = warn\n[http]\napi_cache_size = %d\n' "${API_CACHE:-0}" >"$T/lectern.conf"
  "$LECTERN" serve -c "$T/lectern.conf" --data-dir "$D" --http-port "$PORT" --rtmp-port "$RPORT" \
    >"$T/serve.out" 2>"$T/serve.err" &
  SERVER=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || bench_fail "the server did not start: $(tail -3 "$T/serve.err")"
  U=http://127.0.0.1:$PORT/api/v1
  next=$(curl -s "$U/videos" | jq -r '.next // empty')
  for q in lesson welding 劳模 焊接; do
    echo "#   q=$q: $(curl -s -G "$U/videos" --data-urlencode "q=$q" | jq -r '"total \(.total)\(if .total_is_estimate then "+" else "" end)"')"
  done
  measure "$size" videos "$U/videos"
  if [ -n "$next" ]; then measure "$size" videos_next "$U/videos?after=$next"; else RESULT[$size,videos_next]="(one page)"; fi
  measure "$size" q_lesson "$U/videos?q=lesson"
  measure "$size" q_welding "$U/videos?q=welding"
  measure "$size" q_laomo "$U/videos?q=%E5%8A%B3%E6%A8%A1"
  measure "$size" q_hanjie "$U/videos?q=%E7%84%8A%E6%8E%A5"
  measure "$size" upcoming "$U/lives/upcoming"
  # limit=10: both answers hold the same ten entries, so only the history's length differs.
  measure "$size" me_10 "$U/me/points?limit=10" "$LIGHT_TOKEN"
  measure "$size" me_200k "$U/me/points?limit=10" "$HEAVY_TOKEN"
  kill "$SERVER"
  wait "$SERVER" 2>/dev/null
  SERVER=
  [ -n "${KEEP:-}" ] || rm -rf "$D"
done

# ---- the tables --------------------------------------------------------------------------
table() { # table TITLE ARRAY-NAME
  local -n cells=$2
  printf '\n%s\n\n| read |' "$1"
  for size in $SIZES; do printf ' %s lessons |' "$size"; done
  printf '\n|---|'
  for size in $SIZES; do printf -- '---|'; done
  printf '\n'
  for r in "${READS[@]}"; do
    printf '| %s |' "${LABEL[$r]}"
    for size in $SIZES; do printf ' %s |' "${cells[$size,$r]:-}"; done
    printf '\n'
  done
}
table "wrk -t1 -c$CONNECTIONS: throughput and p99 (with queueing)" RESULT
table "wrk -t1 -c1: latency of one request at a time" ONE
