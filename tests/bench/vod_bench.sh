#!/usr/bin/env bash
# Import benchmark: prints figures, asserts nothing (machines here are shared and noisy).
#
# A 2-minute 1080p30 clip (made here) transcoded into the default ladder — by `lectern import
# --wait` and by ffmpeg's CLI making the same ladder (1080p re-encode + 720p + 480p + 360p,
# the same x264 preset/tune/bitrates/VBV/keyframe interval, AAC 128k stereo, 4 s HLS
# segments) — in the same run, twice each, interleaved. Prints wall-time and CPU-time ratios
# (lectern / ffmpeg) and the x264 settings that differ (read from the SEI x264 writes).
#
# Usage: tests/bench/vod_bench.sh [BUILD_DIR]   (env: BENCH_SECONDS=120, BENCH_ROUNDS=2)
set -u
BUILD=${1:-build}
source "$(dirname "$0")/bench_lib.sh"
bench_need_build "$BUILD" src/lectern
bench_need_tools ffmpeg ffprobe jq
LECTERN=$(realpath "$BUILD/src/lectern")
SECS=${BENCH_SECONDS:-120}
ROUNDS=${BENCH_ROUNDS:-2}
T=$(mktemp -d /tmp/lectern-vodbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
now_ms() { date +%s%3N; }
cpu_of_times() { tail -1 | awk '{ split($1, u, "m"); split($2, s, "m"); print u[1]*60 + u[2] + s[1]*60 + s[2] }'; }

echo "# lectern import benchmark — $(date -u +%FT%TZ), $(nproc) cores, ${SECS}s 1080p30 clip, $ROUNDS rounds"
CLIP=$T/clip.mp4
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -f lavfi -i "sine=f=440:sample_rate=48000" \
  -t "$SECS" -c:v libx264 -preset veryfast -pix_fmt yuv420p -b:v 6000k -c:a aac -b:a 128k "$CLIP"

# The ladder lectern makes for 1080p30: source re-encoded at w*h*fps*0.1 kbit/s (6221), then
# 2800/1200/700; x264 VBV 0.6 s of the bitrate; key-int-max 240, keyint_min 24, a forced
# keyframe every 4 s; AAC 128k stereo 48 kHz; 4 s segments.
X264=(-preset veryfast -tune zerolatency -g 240 -keyint_min 24 -force_key_frames "expr:gte(t,n_forced*4)")
ladder_args() { # $1: output dir; sets LADDER
  LADDER=(-filter_complex "[0:v]split=4[a][b][c][d];[b]scale=1280:720[v720];[c]scale=854:480[v480];[d]scale=640:360[v360]")
  local rung
  for rung in "a:source:6221" "v720:720p:2800" "v480:480p:1200" "v360:360p:700"; do
    IFS=: read -r label name kbps <<<"$rung"
    mkdir -p "$1/$name"
    LADDER+=(-map "[$label]" -map 0:a -c:v libx264 "${X264[@]}" -b:v "${kbps}k" -maxrate "${kbps}k"
      -bufsize "$((kbps * 6 / 10))k" -c:a aac -b:a 128k -ac 2 -ar 48000
      -f hls -hls_time 4 -hls_playlist_type vod -hls_segment_filename "$1/$name/seg%06d.ts" "$1/$name/index.m3u8")
  done
}

l_wall=0; l_cpu=0; f_wall=0; f_cpu=0
for round in $(seq 1 "$ROUNDS"); do
  D=$T/data$round
  "$LECTERN" migrate --data-dir "$D" >/dev/null 2>&1
  t0=$(now_ms)
  c=$( { "$LECTERN" import --data-dir "$D" --log-level error "$CLIP" --title "bench $round" --wait >"$T/l$round.json" 2>/dev/null; times; } | cpu_of_times)
  w=$(( $(now_ms) - t0 ))
  state=$(jq -r .state "$T/l$round.json")
  [ "$state" = ready ] || bench_fail "lectern's import in round $round ended '$state', not ready"
  echo "round $round: lectern  ${w} ms wall, ${c} CPU s ($state, $(jq -r '.renditions | length' "$T/l$round.json") renditions, $(jq -r .duration "$T/l$round.json") s)"
  l_wall=$((l_wall + w)); l_cpu=$(awk -v a="$l_cpu" -v b="$c" 'BEGIN { print a + b }')
  LID=$(jq -r .id "$T/l$round.json")

  O=$T/ff$round; mkdir -p "$O"; ladder_args "$O"
  t0=$(now_ms)
  c=$( { ffmpeg -nostdin -v error -i "$CLIP" "${LADDER[@]}"; times; } 2>/dev/null | cpu_of_times)
  w=$(( $(now_ms) - t0 ))
  echo "round $round: ffmpeg   ${w} ms wall, ${c} CPU s"
  f_wall=$((f_wall + w)); f_cpu=$(awk -v a="$f_cpu" -v b="$c" 'BEGIN { print a + b }')
done

bench_positive "lectern's CPU" "$l_cpu"
bench_positive "ffmpeg's CPU" "$f_cpu"
x264_opts() { ffmpeg -nostdin -v quiet -i "$1" -map 0:v -c copy -f h264 - | strings | grep -m1 -o 'options: .*' | tr ' ' '\n' | grep -v '^options:' | sort; }
diff <(x264_opts "$D/media/$LID/480p/seg000000.ts") <(x264_opts "$O/480p/seg000000.ts") |
  awk '/^[<>]/ { d[$1] = d[$1] " " $2 } END { printf "x264 settings that differ (480p), lectern:%s | ffmpeg:%s\n", d["<"], d[">"] }'
awk -v lw="$l_wall" -v lc="$l_cpu" -v fw="$f_wall" -v fc="$f_cpu" -v n="$ROUNDS" 'BEGIN {
  printf "lectern: %.1f s wall, %.1f CPU s (mean of %d)\n", lw / n / 1000, lc / n, n
  printf "ffmpeg:  %.1f s wall, %.1f CPU s (mean of %d)\n", fw / n / 1000, fc / n, n
  printf "ratio lectern/ffmpeg: wall %.2f, CPU %.2f   (target <= 1.0)\n", lw / fw, lc / fc }'
