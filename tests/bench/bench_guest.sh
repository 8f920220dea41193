#!/usr/bin/env bash
# Guest reads served from memory (issue 24, item 1): prints req/s and p99 (wrk) for each
# public read at each archive size, side by side; asserts nothing (machines here are shared).
#
# Each size is a fresh database of N published lessons (plus an upcoming live and a column of
# 20, and the lessons' search rows) written through SQL in one transaction — not through the
# API — and a real
# `lectern serve` on it. Every read is asked once, then
# wrk hammers it with CONNECTIONS keep-alive connections for BENCH_SECONDS: all but the first
# answer come from the guest cache, so the figure is the cached path's.
#
# Usage: tests/bench/bench_guest.sh [BUILD_DIR]
#   env: SIZES="30 30000", BENCH_SECONDS=10, CONNECTIONS=32,
#        MODES="cached" (add "uncached" for the same reads with [http] api_cache_size = 0)
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" src/lectern tests/freeport
bench_need_tools wrk curl jq sqlite3
LECTERN=$(realpath "$BUILD/src/lectern")
FREEPORT=$(realpath "$BUILD/tests/freeport")
SIZES=${SIZES:-30 30000}
SECS=${BENCH_SECONDS:-10}
CONN=${CONNECTIONS:-32}
MODES=${MODES:-cached}
T=$(mktemp -d /tmp/lectern-guest.XXXXXX)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

# make_db DIR N: N published, ready lessons ("Lesson i …", a Chinese title part, one of four
# categories), an upcoming published live and a column "picks" of the newest 20.
make_db() {
  local d=$1 n=$2
  "$LECTERN" migrate --data-dir "$d" >/dev/null 2>&1 || bench_fail "lectern migrate failed in $d"
  sqlite3 "$d/lectern.db" <<SQL || bench_fail "could not fill the database"
PRAGMA foreign_keys = ON;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
INSERT INTO video (id, title, presenter, presenter_kind, category, description, tags, source, state,
                   visibility, duration_ms, created_at, updated_at)
SELECT printf('v%010d', i), printf('Lesson %d: 劳模讲堂第%d课', i, i), printf('讲师%d', i % 97),
       'teacher', CASE i % 4 WHEN 0 THEN '思想引领' WHEN 1 THEN '科学普及' WHEN 2 THEN '体育艺术' ELSE '文化历史' END,
       'A lesson on safety at work. 安全生产与职业健康。', '["lesson"]', 'upload', 'ready', 'published',
       600000, unixepoch() - 86400 - i * 60, unixepoch() - 86400 - i * 60
FROM n;
INSERT INTO video (id, title, source, state, visibility, scheduled_start, created_at, updated_at)
VALUES ('upcoming-live', '直播：开学第一课', 'live', 'scheduled', 'published', unixepoch() + 86400,
        unixepoch() - 3600, unixepoch() - 3600);
INSERT INTO topic_column (slug, title, created_at, updated_at) VALUES ('picks', '精选', unixepoch() - 3600, unixepoch() - 3600);
INSERT INTO topic_column_item (column_id, video_id, position, featured)
SELECT (SELECT id FROM topic_column WHERE slug = 'picks'), printf('v%010d', i), i - 1, i <= 3
FROM (WITH RECURSIVE m(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM m WHERE i < min($n, 20)) SELECT i FROM m);
-- The search rows as src/db/db_search.c writes them (under the video's rowid; CJK runs as overlapping pairs plus the
-- last character), so the server finds its index complete and does not rebuild it at start
-- (that rebuild takes many minutes at 30,000 lessons on a busy machine).
INSERT INTO video_search (rowid, video_id, title, presenter, tags, description)
SELECT rowid, id, printf('Lesson %d: 劳模 模讲 讲堂 堂第 第 %d 课', CAST(substr(id, 2) AS INTEGER), CAST(substr(id, 2) AS INTEGER)),
       printf('讲师 师 %d', CAST(substr(id, 2) AS INTEGER) % 97), 'lesson',
       'A lesson on safety at work. 安全 全生 生产 产与 与职 职业 业健 健康 康'
FROM video WHERE id LIKE 'v%';
INSERT INTO video_search (rowid, video_id, title, presenter, tags, description)
VALUES ((SELECT rowid FROM video WHERE id = 'upcoming-live'), 'upcoming-live', '直播 播 开学 学第 第一 一课 课', '', '', '');
COMMIT;
SQL
}

# wrk_run URL: "req/s p99_ms non2xx requests" of BENCH_SECONDS of keep-alive GETs.
wrk_run() {
  wrk -t1 -c"$CONN" -d"${SECS}s" --latency "$1" 2>&1 | awk '
    / requests in / { n = $1 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; if (v ~ /us$/) ms = v / 1000; else if (v ~ /ms$/) ms = v + 0; else if (v ~ /s$/) ms = v * 1000; else ms = v }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.2f %s %d\n", rps, ms, (bad ? bad : 0), n }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime+stime, 1/100 s

READS=(
  "videos (first page)|/api/v1/videos"
  "home list|/api/v1/videos?state=ready&sort=newest&per_page=8"
  "search ?q=lesson|/api/v1/videos?q=lesson"
  "search ?q=劳模|/api/v1/videos?q=%E5%8A%B3%E6%A8%A1"
  "lives/upcoming|/api/v1/lives/upcoming"
  "lives/now|/api/v1/lives/now"
  "columns|/api/v1/columns"
  "a video|/api/v1/videos/v0000000001"
)

echo "# lectern guest reads — $(date -u +%FT%TZ), $(nproc) cores, wrk -t1 -c$CONN -d${SECS}s per read, load average $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A RESULT
for mode in $MODES; do
  for n in $SIZES; do
    d=$T/data-$n
    [ -f "$d/lectern.db" ] || make_db "$d" "$n"
    size=64; [ "$mode" = uncached ] && size=0
    printf '[http]\nmax_connections = 2048\napi_cache_size = %d\n' "$size" >"$T/lectern.conf"
    PORT=$($FREEPORT)
    "$LECTERN" serve -c "$T/lectern.conf" --data-dir "$d" --http-port "$PORT" --rtmp-port "$($FREEPORT)" \
      --log-level warn >"$T/serve.out" 2>"$T/serve.err" &
    SRV=$!
    t0=$(date +%s)
    # At start the server builds the search index of every lesson: minutes at 30,000 on a busy machine.
    for _ in $(seq 6000); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    up=$(( $(date +%s) - t0 ))
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || bench_fail "the server did not start: $(tail -3 "$T/serve.err")"
    total=$(curl -sf "http://127.0.0.1:$PORT/api/v1/videos" | jq -r .total)
    # Totals are counted to at most 1000 (db_video.c LIST_TOTAL_MAX; "at least" past it).
    want=$(( n < 1000 ? n : 1000 ))
    [ "$total" -ge "$want" ] || bench_fail "the server lists $total lessons, wanted $want"
    for r in "${READS[@]}"; do
      name=${r%%|*}; path=${r#*|}
      code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path")
      [ "$code" = 200 ] || bench_fail "$path answered $code"
      c0=$(cpu_ticks "$SRV")
      read -r rps p99 bad count <<<"$(wrk_run "http://127.0.0.1:$PORT$path")"
      c1=$(cpu_ticks "$SRV")
      # Uncached, a read may take longer than the whole run: 0 answers is then the figure.
      [ "$mode" = uncached ] || bench_positive "$name req/s" "$rps"
      [ "$bad" = 0 ] || bench_fail "$path: $bad answers were not 2xx"
      [ "$count" -gt 0 ] || count=1
      # The server's CPU per answer: steadier than req/s when other work shares the cores.
      us=$(( (c1 - c0) * 10000 / count ))
      RESULT["$mode|$n|$name"]="$rps $p99 $us"
      echo "  $mode, $n lessons, $name: $rps req/s, p99 $p99 ms, $us µs CPU per answer"
    done
    hits=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^lectern_api_cache_hits_total/ { print $2 }')
    misses=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^lectern_api_cache_misses_total/ { print $2 }')
    echo "$mode, $n lessons (server up in $up s): cache hits ${hits:-0}, misses ${misses:-0}; server RSS $(awk '/VmRSS/ { print $2 " " $3 }' /proc/$SRV/status)"
    kill "$SRV"; wait "$SRV" 2>/dev/null; SRV=
  done
done

echo
for mode in $MODES; do
  echo "## $mode (req/s, p99 ms, server CPU µs per answer)"
  printf '| %-22s |' "read"
  for n in $SIZES; do printf ' %s lessons |' "$(printf "%'d" "$n")"; done
  echo
  printf '|%s|' "------------------------"; for _ in $SIZES; do printf '%s|' "-----------------"; done; echo
  for r in "${READS[@]}"; do
    name=${r%%|*}
    printf '| %-22s |' "$name"
    for n in $SIZES; do
      read -r rps p99 us <<<"${RESULT[$mode|$n|$name]}"
      printf ' %s req/s, %s ms, %s µs |' "$(printf "%'d" "$rps")" "$p99" "$us"
    done
    echo
  done
  echo
done
