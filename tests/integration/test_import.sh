#!/usr/bin/env bash
# Integration: recorded lessons imported with `lectern import`, transcoded by the CLI and by
# the server; refusals; a server killed mid-job resumes it; the jobs API; cancelling.
source "$(dirname "$0")/../lib/assert.sh"
source "$(dirname "$0")/../lib/hls_check.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

for tool in ffmpeg ffprobe jq curl sqlite3; do
  if ! command -v $tool >/dev/null; then echo "# SKIP: $tool not installed"; tap_done; exit 77; fi
done

D=$T_TMP/data
PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
CLIP=$T_TMP/lesson.mp4
# 30 s of 720p30 with AAC, keyframes wherever x264 likes (the import re-cuts them).
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=1280x720:rate=30" -f lavfi -i "sine=f=440:sample_rate=48000" \
  -t 30 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac "$CLIP"
src_dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$CLIP")

EDITOR=$("$LECTERN" member add --data-dir "$D" --name "编辑" --role editor 2>/dev/null | jq -r .token)
VIEWER=$("$LECTERN" member add --data-dir "$D" --name "学员" --role viewer 2>/dev/null | jq -r .token)
db() { sqlite3 "$D/lectern.db" "$1"; }

# --- import --wait: the CLI transcodes it -------------------------------------------------
out=$("$LECTERN" import --data-dir "$D" --log-level warn "$CLIP" --title "劳模讲堂 第一课" --presenter "王师傅" \
  --kind model-worker --wait 2>"$T_TMP/import.err")
eq "import --wait exits 0" 0 "$?"
contains "progress is shown while it runs" "$(cat "$T_TMP/import.err")" "import: 100%"
ID=$(jq -r .id <<<"$out")
eq "the video is ready" ready "$(jq -r .state <<<"$out")"
eq "it is an upload" upload "$(jq -r .source <<<"$out")"
check "duration within 0.5 s of the source ($src_dur)" jq -e --argjson s "$src_dur" '(.duration - $s) | fabs <= 0.5' <<<"$out"
eq "three renditions" 3 "$(jq '.renditions | length' <<<"$out")"
JOB=$(jq -r .job_id <<<"$out")
eq "its job is done" "done|1.0" "$(db "SELECT state || '|' || progress FROM job WHERE id = '$JOB'")"

start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
M=$D/media/$ID
check_ladder "$M" "$U" "$ID" 4 "$src_dur" 0.5 none
check "a poster image was made" test -s "$M/poster.jpg"
vtt=$(curl -s "$U/hls/$ID/storyboard.vtt")
eq "the storyboard lists a thumbnail every 5 s of 30 s" 6 "$(grep -c '^storyboard/thumb[0-9]*\.jpg$' <<<"$vtt")"
contains "its cues carry time ranges" "$vtt" "00:00:25.000 --> 00:00:30."
thumb=$(grep -m1 '^storyboard/' <<<"$vtt")
eq "its thumbnails are served as JPEG" "200 image/jpeg" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$U/hls/$ID/$thumb")"
check "the uploaded file is kept under uploads/" test -s "$D/uploads/$ID/source.mp4"

# --- the jobs API ---------------------------------------------------------------------------
j=$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/jobs/$JOB")
eq "GET /api/v1/jobs/<id> shows the job" "done 1 $ID" "$(jq -r '"\(.state) \(.progress) \(.video_id)"' <<<"$j")"
eq "viewers may not read jobs" 403 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $VIEWER" "$U/api/v1/jobs/$JOB")"
eq "guests may not read jobs" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/jobs/$JOB")"
eq "an unknown job is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $EDITOR" "$U/api/v1/jobs/nope")"
eq "an ended job cannot be cancelled" 409 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $EDITOR" "$U/api/v1/jobs/$JOB/cancel")"

# --- uploads over HTTP: the body streams to disk, the server's job transcodes it ------------
up() { # TOKEN QUERY FILE [curl args]: prints the status code; the answer goes to $T_TMP/up.json
  local tok=$1 q=$2 f=$3; shift 3
  curl -s -o "$T_TMP/up.json" -w '%{http_code}' -X POST ${tok:+-H "Authorization: Bearer $tok"} \
    -H 'Content-Type: video/mp4' --data-binary @"$f" "$@" "$U/api/v1/uploads?$q"
}
eq "an editor's upload is accepted (202)" 202 "$(up "$EDITOR" 'title=%E5%BF%97%E6%84%BF%E8%80%85%E8%AF%BE%E5%A0%82&kind=volunteer&filename=talk.MP4' "$CLIP")"
UP=$(jq -r .id "$T_TMP/up.json"); UJOB=$(jq -r .job_id "$T_TMP/up.json")
eq "the answer is the video, processing, with its job" "processing 志愿者课堂" "$(jq -r '"\(.state) \(.title)"' "$T_TMP/up.json")"
check "the upload is stored as uploads/<video>/source.mp4, byte for byte" cmp "$CLIP" "$D/uploads/$UP/source.mp4"
for _ in $(seq 1 600); do [ "$(db "SELECT state FROM job WHERE id = '$UJOB'")" = done ] && break; sleep 0.1; done
v=$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/videos/$UP")
eq "the server transcoded it: ready with three renditions" "ready 3" "$(jq -r '"\(.state) \(.renditions | length)"' <<<"$v")"
eq "viewers may not upload" 403 "$(up "$VIEWER" 'title=x' "$CLIP")"
eq "guests may not upload" 401 "$(up "" 'title=x' "$CLIP")"
eq "an upload without a title is refused" 400 "$(up "$EDITOR" 'kind=teacher' "$CLIP")"
eq "a declared size over [vod] max_file_size is refused before the body" 413 \
  "$(up "$EDITOR" 'title=big' "$CLIP" -H 'Content-Length: 99999999999999')"
echo "not a video" >"$T_TMP/notes.txt"
eq "a text body is accepted as an upload" 202 "$(up "$EDITOR" 'title=notes&filename=notes.mp4' "$T_TMP/notes.txt")"
NJOB=$(jq -r .job_id "$T_TMP/up.json"); NV=$(jq -r .id "$T_TMP/up.json")
for _ in $(seq 1 100); do [ "$(db "SELECT state FROM job WHERE id = '$NJOB'")" = failed ] && break; sleep 0.1; done
contains "its job fails with the probe's reason" "$(db "SELECT error FROM job WHERE id = '$NJOB'")" "not a media file"
eq "its video is failed" failed "$(db "SELECT state FROM video WHERE id = '$NV'")"
curl -s -X POST -H "Authorization: Bearer $EDITOR" --limit-rate 400k --data-binary @"$CLIP" \
  "$U/api/v1/uploads?title=dropped" >/dev/null &
DROP=$!
for _ in $(seq 1 50); do ls -A "$D/uploads" | grep -q '^\.incoming' && break; sleep 0.1; done
check "an upload in progress streams to a temporary file" sh -c "ls -A '$D/uploads' | grep -q '^\.incoming'"
kill "$DROP"; wait "$DROP" 2>/dev/null
for _ in $(seq 1 50); do ls -A "$D/uploads" | grep -q '^\.incoming' || break; sleep 0.1; done
eq "a dropped upload and the refused ones leave no temporary behind" "" "$(ls -A "$D/uploads" | grep '^\.incoming' || true)"
check "the server is healthy after the dropped upload" curl -sf "$U/healthz"

# --- containers and codecs: whatever this machine decodes ------------------------------------
for spec in "webm|VP9 + Opus|-c:v libvpx-vp9 -deadline realtime -cpu-used 8 -c:a libopus" \
            "mkv|HEVC + MP3|-c:v libx265 -preset ultrafast -x265-params log-level=error -c:a libmp3lame" \
            "mov|H.264 + AAC|-c:v libx264 -preset ultrafast -c:a aac" \
            "ts|H.264 + MP2|-c:v libx264 -preset ultrafast -c:a mp2" \
            "flv|H.264 + AAC|-c:v libx264 -preset ultrafast -c:a aac" \
            "mp4|AV1 + AAC|-c:v libaom-av1 -cpu-used 8 -c:a aac"; do
  IFS='|' read -r ext what args <<<"$spec"
  # shellcheck disable=SC2086 # ARGS are ffmpeg options, split on purpose
  ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=640x360:rate=30:duration=3" -f lavfi -i "sine=duration=3" \
    $args -pix_fmt yuv420p "$T_TMP/in.$ext" 2>/dev/null
  r=$("$LECTERN" import --data-dir "$D" --log-level error "$T_TMP/in.$ext" --title "$ext" --wait 2>/dev/null |
    jq -r '"\(.state) \((.duration // 0) * 10 | round / 10)"')
  eq "a .$ext file with $what is imported (3 s)" "ready 3" "$r"
done

# --- refusals leave nothing half-made -------------------------------------------------------
echo "These are my notes, not a video." >"$T_TMP/notes.mp4"
out=$("$LECTERN" import --data-dir "$D" --log-level error "$T_TMP/notes.mp4" --title "notes" 2>"$T_TMP/refuse.err")
eq "a text file named .mp4 is refused (exit 1)" 1 "$?"
BAD=$(jq -r .id <<<"$out")
eq "its video is failed" failed "$(jq -r .state <<<"$out")"
contains "with the reason" "$(jq -r .failure_reason <<<"$out")" "not a media file"
contains "the reason is printed" "$(cat "$T_TMP/refuse.err")" "refused: not a media file"
check "no upload left behind" test ! -e "$D/uploads/$BAD"
check "no media left behind" test ! -e "$D/media/$BAD"
head -c 300000 "$CLIP" >"$T_TMP/cut.mp4"
out=$("$LECTERN" import --data-dir "$D" --log-level error "$T_TMP/cut.mp4" --title "cut" 2>/dev/null)
contains "a truncated file is refused as truncated or corrupt" "$(jq -r .failure_reason <<<"$out")" "corrupt"

# --- the server runs queued jobs; killed mid-job, it resumes after a restart ---------------
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30" -f lavfi -i "sine=f=440" \
  -t 40 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac "$T_TMP/long.mp4"
out=$("$LECTERN" import --data-dir "$D" --log-level warn "$T_TMP/long.mp4" --title "long" 2>/dev/null)
LONG=$(jq -r .id <<<"$out")
LJOB=$(jq -r .job_id <<<"$out")
eq "without --wait the video waits in processing" processing "$(jq -r .state <<<"$out")"
for _ in $(seq 1 300); do
  p=$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/jobs/$LJOB" | jq -r .progress)
  awk -v p="$p" 'BEGIN { exit !(p >= 0.15) }' && break
  sleep 0.1
done
j=$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/jobs/$LJOB")
eq "the server picked the job up" running "$(jq -r .state <<<"$j")"
check "progress and ETA are reported" jq -e '.progress > 0 and .eta_seconds != null' <<<"$j"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
eq "killed mid-job, the job is still marked running" running "$(db "SELECT state FROM job WHERE id = '$LJOB'")"
start_server "$D" "$PORT" || { not_ok "server restarts"; tap_done; exit 1; }
for _ in $(seq 1 900); do
  [ "$(db "SELECT state FROM job WHERE id = '$LJOB'")" = done ] && break
  sleep 0.2
done
eq "after the restart the job ran again and finished" "done|2" "$(db "SELECT state || '|' || attempts FROM job WHERE id = '$LJOB'")"
v=$(curl -s -H "Authorization: Bearer $EDITOR" "$U/api/v1/videos/$LONG")
eq "the resumed video is ready" ready "$(jq -r .state <<<"$v")"
check "its duration is the whole 40 s" jq -e '(.duration - 40) | fabs <= 0.5' <<<"$v"
eq "1080p gives 1080p + 720p + 480p + 360p" 4 "$(jq '.renditions | length' <<<"$v")"
eq "every rendition has all 10 segments" "10 10 10 10" \
  "$(for r in $(jq -r '.renditions[].name' <<<"$v"); do grep -c '^seg' "$D/media/$LONG/$r/index.m3u8"; done | tr '\n' ' ' | sed 's/ $//')"

# --- cancelling a queued or running job ------------------------------------------------------
out=$("$LECTERN" import --data-dir "$D" --log-level warn "$T_TMP/long.mp4" --title "to cancel" 2>/dev/null)
CID=$(jq -r .id <<<"$out"); CJOB=$(jq -r .job_id <<<"$out")
for _ in $(seq 1 100); do [ "$(db "SELECT state FROM job WHERE id = '$CJOB'")" = running ] && break; sleep 0.1; done
c=$(curl -s -X POST -H "Authorization: Bearer $EDITOR" "$U/api/v1/jobs/$CJOB/cancel")
eq "POST /api/v1/jobs/<id>/cancel cancels it" cancelled "$(jq -r .state <<<"$c")"
for _ in $(seq 1 50); do [ ! -e "$D/media/$CID" ] && break; sleep 0.1; done
check "its partial files are removed" test ! -e "$D/media/$CID"
eq "its video is failed, cancelled" "failed|cancelled by an editor" "$(db "SELECT state || '|' || failure_reason FROM video WHERE id = '$CID'")"
check "the server is still healthy" curl -sf "$U/healthz"

stop_server
eq "server exits 0" 0 "$SERVER_STATUS"
tap_done
