#!/usr/bin/env bash
# Benchmark (issue 22, item 1): lectern's file serving against nginx (Debian, one worker,
# sendfile on) on the same files, in interleaved rounds: a 1.5 MB segment, a playlist, a
# poster-sized image. Prints requests per second per round and the ratio lectern / nginx, and
# each server's CPU time per request (and nginx's / lectern's: 1.0 = as cheap as nginx).
#
#   tests/bench/bench_files.sh [BUILD_DIR]   (env: ROUNDS=3, SECONDS_PER=5, CONNS=64, PIN=1, PROBE=0)
#
# PROBE=1: while wrk loads lectern, tests/tools/loop_probe.mjs (node) asks the API and says
# hello on /ws every 100 ms, on wrk's core: each lectern round also prints how the main loop
# answered them meanwhile (p50 / p95 / max ms, and any that failed) — serving files must not
# starve the rest of the server. Off by default: the probe runs in lectern's rounds only and
# takes part of wrk's core there, so the ratios of such a run are biased against lectern.
#
# Both servers run on loopback and share the machine with wrk (-t1): on a shared machine the
# figures move with the load around it; compare the ratio within one run, not across runs.
# With two cores or more (and PIN=1, the default) each server runs on the first core and wrk
# on the second (taskset): otherwise where the scheduler puts wrk beside the server moves a
# round's figures by a quarter either way, for either server.
set -u
source "$(dirname "$0")/bench_lib.sh"
BUILD=${1:-build}
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER:-5}
CONNS=${CONNS:-64}
bench_need_build "$BUILD" src/lectern tests/freeport
bench_need_tools wrk curl jq
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || bench_fail "nginx is not installed (scripts/install-deps)"
LECTERN=$(realpath "$BUILD/src/lectern")
FREEPORT=$(realpath "$BUILD/tests/freeport")
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-files.XXXXXX")
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT

# The same files for both: a video directory as lectern writes it.
M=$T/data/media/benchvideo/source
mkdir -p "$M"
head -c 1500000 /dev/urandom >"$M/seg000000.ts"
head -c 60000 /dev/urandom >"$T/data/media/benchvideo/poster.jpg"
{
  echo '#EXTM3U'; echo '#EXT-X-VERSION:3'; echo '#EXT-X-TARGETDURATION:2'; echo '#EXT-X-MEDIA-SEQUENCE:100'
  for i in $(seq 100 105); do
    echo "#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:0$((i - 100)).000Z"; echo '#EXTINF:2.000,'; echo "seg$(printf %06d $i).ts"
  done
} >"$M/index.m3u8"

SERVER_CPU=() WRK_CPU=()
if [ "${PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  SERVER_CPU=(taskset -c 0) WRK_CPU=(taskset -c 1)
fi
LP=$($FREEPORT); NP=$($FREEPORT)
"${SERVER_CPU[@]}" "$LECTERN" serve --data-dir "$T/data" --http-port "$LP" --rtmp-port "$($FREEPORT)" >"$T/lectern.out" 2>"$T/lectern.err" &
PIDS+=($!)
mkdir -p "$T/nginx/tmp"
cat >"$T/nginx/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo 'user root;' )
worker_processes 1;
events { worker_connections $(( CONNS + 1024 )); }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $T/nginx/tmp; proxy_temp_path $T/nginx/tmp; fastcgi_temp_path $T/nginx/tmp;
  uwsgi_temp_path $T/nginx/tmp; scgi_temp_path $T/nginx/tmp;
  types { video/mp2t ts; application/vnd.apple.mpegurl m3u8; image/jpeg jpg; }
  server {
    listen 127.0.0.1:$NP;
    location /hls/ { alias $T/data/media/; add_header Cache-Control "public, max-age=1"; }
  }
}
CONF
"${SERVER_CPU[@]}" "$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" -g "daemon off; pid $T/nginx/nginx.pid;" &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -sf -o /dev/null "http://127.0.0.1:$LP/healthz" && curl -sf -o /dev/null "http://127.0.0.1:$NP/hls/benchvideo/poster.jpg" && break
  sleep 0.1
done
for p in "$LP" "$NP"; do
  cmp -s <(curl -s "http://127.0.0.1:$p/hls/benchvideo/source/seg000000.ts") "$M/seg000000.ts" ||
    bench_fail "port $p does not serve the segment as it is on disk"
done

# The server's CPU time (user + system, clock ticks) so far: the lectern process, nginx's worker.
cpu_ticks() { # PID
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}
LPID=${PIDS[0]}
NWORKER=$(pgrep -P "${PIDS[1]}" | head -n1)
[ -n "$NWORKER" ] || bench_fail "no nginx worker process"
TICK_US=$((1000000 / $(getconf CLK_TCK)))
# Requests per second and the server's CPU microseconds per request (less noisy than req/s on
# a shared machine: it does not move with what else gets the cores meanwhile).
rps() { # PORT PATH SERVER_PID
  local before after
  before=$(cpu_ticks "$3")
  "${WRK_CPU[@]}" wrk -t1 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$1$2" 2>/dev/null >"$T/wrk.out"
  after=$(cpu_ticks "$3")
  awk -v t="$((after - before))" -v us="$TICK_US" '
    / requests in / { n = $1 } /Requests\/sec/ { r = $2 }
    END { if (n > 0) printf "%s %.2f\n", r, t * us / n }' "$T/wrk.out"
}
PROBE_JS=$(realpath "$(dirname "$0")/../tools/loop_probe.mjs")
[ "${PROBE:-0}" = 1 ] && ! command -v node >/dev/null && { echo "bench_files: no node: no main-loop probe"; PROBE=0; }
# lectern's round: rps, with the probe beside it when asked for (its JSON in $T/probe.json).
lectern_rps() { # PATH
  local probe=
  rm -f "$T/probe.json"
  if [ "${PROBE:-0}" = 1 ]; then
    "${WRK_CPU[@]}" node --experimental-websocket --no-warnings "$PROBE_JS" "$LP" "$((SECS > 1 ? SECS - 1 : 1))" >"$T/probe.json" 2>/dev/null &
    probe=$!
  fi
  rps "$LP" "$1" "$LPID"
  [ -n "$probe" ] && wait "$probe"
}
echo "bench_files: $ROUNDS interleaved rounds, wrk -t1 -c$CONNS -d${SECS}s, $([ ${#SERVER_CPU[@]} -gt 0 ] && echo "servers on core 0, wrk on core 1" || echo "not pinned"), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for what in source/seg000000.ts source/index.m3u8 poster.jpg; do
  ratios=() cpu_ratios=()
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then l=$(lectern_rps "/hls/benchvideo/$what"); n=$(rps "$NP" "/hls/benchvideo/$what" "$NWORKER")
    else n=$(rps "$NP" "/hls/benchvideo/$what" "$NWORKER"); l=$(lectern_rps "/hls/benchvideo/$what"); fi
    read -r l lcpu <<<"$l"
    read -r n ncpu <<<"$n"
    bench_positive "lectern $what" "$l"
    bench_positive "nginx $what" "$n"
    ratio=$(awk -v a="$l" -v b="$n" 'BEGIN { printf "%.2f", a / b }')
    cpu_ratio=$(awk -v a="$lcpu" -v b="$ncpu" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
    ratios+=("$ratio") cpu_ratios+=("$cpu_ratio")
    printf '  %-22s round %d: lectern %9.0f req/s %6.2f us CPU/req, nginx %9.0f req/s %6.2f us CPU/req, ratio %s, CPU ratio %s\n' \
      "$what" "$r" "$l" "$lcpu" "$n" "$ncpu" "$ratio" "$cpu_ratio"
    if [ -s "$T/probe.json" ]; then
      jq -r '"    main loop meanwhile: API \(.api.p50) / \(.api.p95) / \(.api.max) ms (\(.api.asked) asked, \(.api.failed) failed), /ws hello \(.ws.p50) / \(.ws.p95) / \(.ws.max) ms (\(.ws.asked) asked, \(.ws.failed) failed)"' "$T/probe.json"
    elif [ "${PROBE:-0}" = 1 ]; then
      echo "    main loop meanwhile: the probe printed nothing"
    fi
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  printf '%-24s ratios %s, median %s (target >= 0.8); CPU per request, nginx / lectern: %s\n' "$what" "${ratios[*]}" "$median" "${cpu_ratios[*]}"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
