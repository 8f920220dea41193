#!/usr/bin/env bash
# Soak: a live published for MINUTES with WATCHERS real-name verified members watching it on
# /ws (tests/bench/ws_bench.c, a heartbeat every 10 s, each group-committed to SQLite), an
# upload every two minutes (transcoded by the server's job pool, then deleted), and a steady
# trickle of API reads and writes beside it. Every minute the server's RSS, open descriptors
# and SQLite WAL size are sampled and printed as a table; at the end a least-squares slope
# over the samples after warm-up says whether each is flat. Figures, not assertions: exit 0
# whatever the verdict (the machine is shared), 2 when the soak could not run.
#
# Usage: tests/bench/soak.sh [MINUTES]     (default 30)
#   env: BUILD=build            the build to soak; BUILD=build-sanitize (meson -Db_sanitize=
#                               address,undefined) runs it under ASan/LSan and reports leaks
#                               found when the server exits
#        WATCHERS=2000          /ws watchers
#        WARMUP=                minutes left out of the verdict (default: a fifth, at least 2)
#        KEEP=1                 keep the data directory and logs
set -u
MINUTES=${1:-30}
BUILD=${BUILD:-build}
WATCHERS=${WATCHERS:-2000}
source "$(dirname "$0")/bench_lib.sh"
SRC=$(realpath "$(dirname "$0")/../..")
[[ "$MINUTES" =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 3 ] || bench_fail "MINUTES must be a whole number of at least 3 (got '$MINUTES')"
bench_need_build "$BUILD" src/lectern tests/ws_bench
bench_need_tools ffmpeg curl jq python3 sqlite3 awk
LECTERN=$(realpath "$BUILD/src/lectern")
BENCH=$(realpath "$BUILD/tests/ws_bench")
WARMUP=${WARMUP:-$(( MINUTES / 5 > 2 ? MINUTES / 5 : 2 ))}
T=$(mktemp -d /tmp/lectern-soak.XXXXXX)
D=$T/data
SERVER= PUB= BENCHPID= LOADS=()
stop_all() {
  # ws_bench's workers are its children: stopped by their parent's pid, before it.
  [ -n "$BENCHPID" ] && pkill -P "$BENCHPID" 2>/dev/null
  for p in "${LOADS[@]}" $BENCHPID $PUB; do kill "$p" 2>/dev/null; done
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  wait 2>/dev/null
}
trap 'stop_all; [ -n "${KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"' EXIT
ulimit -n $((WATCHERS + 4096)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The sanitizer build: the same options as the tests (tests/meson.build), and LSan's report
# kept in the server's log.
SANITIZED=
if nm -D "$LECTERN" 2>/dev/null | grep -q __asan_init || nm "$LECTERN" 2>/dev/null | grep -q __asan_init; then
  SANITIZED=1
  export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=30
  export LSAN_OPTIONS=suppressions=$SRC/tests/lsan.supp:print_suppressions=0
  export UBSAN_OPTIONS=print_stacktrace=1
fi

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(freeport)
RTMP=$(freeport)
U=http://127.0.0.1:$PORT
echo "# lectern soak — $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $MINUTES min," \
  "$WATCHERS watchers, build $BUILD${SANITIZED:+ (ASan/LSan)}"

printf '[http]\nmax_connections = %d\n[live]\nladder = copy,320x180@300\nreconnect_grace = 30\n[vod]\njobs = 1\n[log]\nlevel = info\n' \
  $((WATCHERS + 1000)) >"$T/lectern.conf"
L() { "$LECTERN" "$@" -c "$T/lectern.conf" --data-dir "$D" 2>/dev/null; }
EDITOR=$(L member add --name editor --role editor | jq -r .token)
VIEWER=$(L member add --name viewer --role viewer --real-name-verified | jq -r .token)
L member add --name watcher --role viewer --real-name-verified --count "$WATCHERS" | jq -r '.[].token' >"$T/tokens"
[ "$(grep -c . "$T/tokens")" = "$WATCHERS" ] || bench_fail "could not make $WATCHERS members"
ev=$(L event create --title "soak live")
LIVE=$(jq -r .id <<<"$ev")
KEY=$(jq -r .stream_key <<<"$ev")
# A short clip for the uploads.
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x180:rate=15:duration=6" -f lavfi -i "sine=duration=6" \
  -c:v libx264 -preset ultrafast -g 30 -c:a aac -shortest "$T/clip.mp4" || bench_fail "ffmpeg could not make the clip"

"$LECTERN" serve -c "$T/lectern.conf" --data-dir "$D" --http-port "$PORT" --rtmp-port "$RTMP" >"$T/serve.out" 2>"$T/serve.err" &
SERVER=$!
for _ in $(seq 300); do curl -sf "$U/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "$U/healthz" >/dev/null || bench_fail "the server did not start: $(tail -3 "$T/serve.err")"
auth=(-H "Authorization: Bearer $EDITOR" -H "content-type: application/json")
curl -s -o /dev/null "${auth[@]}" -X PATCH -d '{"visibility":"published"}' "$U/api/v1/videos/$LIVE"
curl -s -o /dev/null "${auth[@]}" -d "{\"name\":\"soak\",\"starts_on\":\"$(TZ=Asia/Shanghai date -d yesterday +%F)\",\"ends_on\":\"$(TZ=Asia/Shanghai date -d tomorrow +%F)\"}" \
  "$U/api/v1/campaigns"

# The live: a 640x360 test card with a 2 s GOP, for the whole soak and a minute more.
ffmpeg -nostdin -hide_banner -loglevel error -re -f lavfi -i "testsrc2=size=640x360:rate=30" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100" -t $((MINUTES * 60 + 60)) -c:v libx264 -preset veryfast \
  -tune zerolatency -g 60 -keyint_min 60 -sc_threshold 0 -pix_fmt yuv420p -b:v 1000k -c:a aac -b:a 96k \
  -f flv "rtmp://127.0.0.1:$RTMP/live/$KEY" 2>"$T/ffmpeg.err" &
PUB=$!
for _ in $(seq 300); do [ "$(curl -s -o /dev/null -w '%{http_code}' "$U/hls/$LIVE/master.m3u8")" = 200 ] && break; sleep 0.1; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$U/hls/$LIVE/master.m3u8")" = 200 ] || bench_fail "the live did not start: $(tail -3 "$T/serve.err")"

# The watchers: they join at 200 a second and stay past the last sample (ws_bench's summary
# comes at its end).
"$BENCH" --port "$PORT" --video "$LIVE" --server-pid "$SERVER" --connections "$WATCHERS" --ramp 200 \
  --duration $((MINUTES * 60 + 30)) --length $((MINUTES * 60 + 600)) --tokens "$T/tokens" >"$T/bench.out" 2>&1 &
BENCHPID=$!

# API traffic: public and member reads, a player's playlist polls, and an edit, about 5 a second.
(
  i=0
  while :; do
    i=$((i + 1))
    curl -s -o /dev/null "$U/api/v1/videos" -o /dev/null "$U/api/v1/lives/now" -o /dev/null "$U/api/v1/columns" \
      -o /dev/null "$U/api/v1/videos?q=soak" -o /dev/null "$U/hls/$LIVE/master.m3u8" \
      -o /dev/null -H "Authorization: Bearer $VIEWER" "$U/api/v1/me/points"
    curl -s -o /dev/null -H "Authorization: Bearer $VIEWER" "$U/api/v1/me/history" \
      -o /dev/null "$U/hls/$LIVE/source/index.m3u8" -o /dev/null "$U/metrics" -o /dev/null "$U/healthz"
    [ $((i % 10)) = 0 ] && curl -s -o /dev/null "${auth[@]}" -X PATCH -d "{\"description\":\"edit $i\"}" "$U/api/v1/videos/$LIVE"
    sleep 1
  done
) &
LOADS+=($!)
# Uploads: one every two minutes; the one before is deleted once it has been transcoded.
(
  prev=
  while :; do
    up=$(curl -s -H "Authorization: Bearer $EDITOR" -H 'Content-Type: video/mp4' --data-binary @"$T/clip.mp4" \
      "$U/api/v1/uploads?title=soak-upload&filename=clip.mp4" | jq -r '.id // empty')
    echo "${up:-failed}" >>"$T/uploads"
    [ -n "$prev" ] && curl -s -o /dev/null "${auth[@]}" -X DELETE "$U/api/v1/videos/$prev"
    prev=$up
    sleep 120
  done
) &
LOADS+=($!)

sample() { # minute -> one table row
  local rss fds wal conns beats
  rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status" 2>/dev/null)
  fds=$(ls "/proc/$SERVER/fd" 2>/dev/null | wc -l)
  wal=$(stat -c %s "$D/lectern.db-wal" 2>/dev/null || echo 0)
  local m
  m=$(curl -s -m 10 "$U/metrics")
  conns=$(sed -n 's/^lectern_ws_connections //p' <<<"$m")
  beats=$(sed -n 's/^lectern_heartbeats_total //p' <<<"$m")
  printf '%6s %9s %6s %9.1f %7s %11s %6s\n' "$1" "${rss:-?}" "$fds" "$(awk -v w="$wal" 'BEGIN { print w / 1024 }')" \
    "${conns:-?}" "${beats:-?}" "$(curl -s -m 10 -H "Authorization: Bearer $EDITOR" "$U/api/v1/videos/$LIVE" | jq -r .state)" |
    tee -a "$T/table"
}
printf '%6s %9s %6s %9s %7s %11s %6s\n' minute "RSS MiB" fds "WAL KiB" "/ws" heartbeats live
# Samples on the wall clock's minutes from the start (a sample takes seconds on a loaded machine;
# sleeping 60 s after each one made "minute 29" fall after the publisher and watchers had ended).
START=$(date +%s)
for minute in $(seq 0 "$MINUTES"); do
  wait_s=$((START + minute * 60 - $(date +%s)))
  [ "$wait_s" -gt 0 ] && sleep "$wait_s"
  kill -0 "$SERVER" 2>/dev/null || { echo "the server died at minute $minute: $(tail -5 "$T/serve.err")"; exit 2; }
  sample "$minute"
done

# The verdict: the slope of each column over the samples after warm-up, times their span,
# against a tolerance (a share of the mean, or an absolute floor for small figures).
verdict() { # column name floor share
  awk -v col="$1" -v name="$2" -v floor="$3" -v share="$4" -v warm="$WARMUP" '
    $1 >= warm { n++; x = $1; y = $col; sx += x; sy += y; sxx += x * x; sxy += x * y; if (n == 1) x0 = x; x1 = x }
    END {
      if (n < 3) { printf "%-16s too few samples after %d min of warm-up\n", name, warm; exit }
      slope = (n * sxy - sx * sy) / (n * sxx - sx * sx); mean = sy / n
      growth = slope * (x1 - x0); tol = mean * share; if (tol < floor) tol = floor
      printf "%-16s mean %10.1f, slope %+8.2f/min, growth over %d min %+9.1f (tolerance %.1f): %s\n",
        name, mean, slope, x1 - x0, growth, tol, growth <= tol ? "flat" : "GROWING"
    }' "$T/table"
}
echo
echo "after $WARMUP min of warm-up:"
verdict 2 "RSS (MiB)" 8 0.05 | tee "$T/verdict"
verdict 3 "descriptors" 10 0.02 | tee -a "$T/verdict"
verdict 4 "WAL (KiB)" 1024 0.25 | tee -a "$T/verdict"

# Stop the load, then the server (SIGTERM: a clean exit, where LSan reports).
for p in "${LOADS[@]}"; do kill "$p" 2>/dev/null; done
wait "$BENCHPID" 2>/dev/null
BENCHPID=
echo
sed -n '/^connections held/,/^server CPU/p' "$T/bench.out"
kill "$PUB" 2>/dev/null; wait "$PUB" 2>/dev/null; PUB=
echo "uploads: $(grep -vc failed "$T/uploads") accepted, $(grep -c failed "$T/uploads") refused"
kill -TERM "$SERVER"
wait "$SERVER"
status=$?
SERVER=
echo "server exit status: $status"
echo "server log: $(grep -c ' ERROR ' "$T/serve.err") errors, $(grep -c ' WARN ' "$T/serve.err") warnings"
grep ' ERROR ' "$T/serve.err" | sed 's/^[^ ]* //' | sort | uniq -c | sort -rn | head -5 | sed 's/^/  /'
echo "database: $(sqlite3 "$D/lectern.db" 'PRAGMA integrity_check')"
if [ -n "$SANITIZED" ]; then
  if grep -q 'ERROR: LeakSanitizer' "$T/serve.err"; then
    echo "LeakSanitizer: LEAKS at exit:"
    grep -E '^SUMMARY|Direct leak|Indirect leak' "$T/serve.err" | head -20
  elif grep -q 'ERROR: AddressSanitizer\|runtime error' "$T/serve.err"; then
    echo "AddressSanitizer/UBSan: ERRORS:"
    grep -E 'ERROR: AddressSanitizer|runtime error' "$T/serve.err" | head -10
  else
    echo "LeakSanitizer: no leaks reported at exit"
  fi
fi
# The figures mean a loaded server only while the watchers are there.
held=$(awk -v warm="$WARMUP" '$1 >= warm && $5 ~ /^[0-9]+$/ { if (min == "" || $5 < min) min = $5 } END { print min + 0 }' "$T/table")
if [ "$held" -lt $((WATCHERS * 95 / 100)) ]; then
  echo "watchers: as few as $held of $WATCHERS connected after warm-up — the load fell off (a starved client" \
    "or a server that closed them): the figures after that are not those of a loaded server" | tee -a "$T/verdict"
  echo "verdict: INCONCLUSIVE (the load fell off)"
else
  echo "watchers: at least $held of $WATCHERS connected throughout"
  grep -q GROWING "$T/verdict" && echo "verdict: something grows after warm-up (see above)" || echo "verdict: flat after warm-up"
fi
