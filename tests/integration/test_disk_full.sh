#!/usr/bin/env bash
# Integration: the disk fills during a live. The data directory (database, media, uploads:
# one disk, as a default install has it) is a small filesystem of its own — a size-limited
# tmpfs, or a loop-mounted ext4 image — so the test needs root and mount(2); it is skipped
# (77) with a message where it cannot make one. A presenter publishes with ffmpeg and a
# member watches on /ws; the disk is filled and kept full by a hog. Checked: the live goes on
# with its window served and one clear log line, the server keeps answering, the database
# stays intact, nothing acknowledged to the watcher is lost; when space returns segments are
# written again after a discontinuity; a live that ends while the disk is full is finished
# once space returns (its recording playable, every segment decodable); a new live publishes.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}" "${WATCH_CLIENT:?}"

for tool in ffmpeg ffprobe jq curl sqlite3 mount umount; do
  if ! command -v $tool >/dev/null; then echo "# SKIP: $tool not installed"; tap_done; exit 77; fi
done

D=$T_TMP/data
mkdir -p "$D"
MOUNTED=
HOG_STOP=$T_TMP/hog.stop
# Processes first (they hold files on it), then the filesystem, then assert.sh's cleanup.
disk_cleanup() {
  touch "$HOG_STOP"
  for p in "${T_PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -n "$MOUNTED" ]; then umount "$D" 2>/dev/null || umount -l "$D" 2>/dev/null; fi
  [ -n "${LOOP_IMG:-}" ] && rm -f "$LOOP_IMG"
  cleanup
}
trap disk_cleanup EXIT

# A 64 MiB filesystem: tmpfs where allowed, else ext4 in a loop-mounted file.
SIZE_MB=64
if [ "$(id -u)" != 0 ]; then
  echo "# SKIP: making a small filesystem needs root (mount); run as root to test a full disk"
  tap_done; exit 77
fi
if mount -t tmpfs -o "size=${SIZE_MB}m,nr_inodes=4096,mode=0755" tmpfs "$D" 2>"$T_TMP/mount.err"; then
  MOUNTED=tmpfs
elif command -v mkfs.ext4 >/dev/null && LOOP_IMG=$T_TMP/disk.img &&
     truncate -s ${SIZE_MB}M "$LOOP_IMG" && mkfs.ext4 -q -m 0 "$LOOP_IMG" &&
     mount -o loop "$LOOP_IMG" "$D" 2>>"$T_TMP/mount.err"; then
  MOUNTED=ext4
else
  echo "# SKIP: no small filesystem can be mounted here (a tmpfs or a loop device): $(tr '\n' ' ' <"$T_TMP/mount.err")"
  tap_done; exit 77
fi
ok "the data directory is a ${SIZE_MB} MiB $MOUNTED filesystem"

PORT=$($FREEPORT)
RTMP_PORT=$($FREEPORT)
U=http://127.0.0.1:$PORT
R=rtmp://127.0.0.1:$RTMP_PORT/live
CONF=$T_TMP/lectern.conf
# Two rungs (a copy and a small encode) keep the machine's load down; a short grace so an
# ended live is finished soon.
printf '[live]\nreconnect_grace = 2\nladder = copy,320x180@300\n' >"$CONF"
L() { "$LECTERN" "$@" -c "$CONF" --data-dir "$D" 2>/dev/null; }
EDITOR=$(L member add --name "编辑" --role editor | jq -r .token)
j=$(L member add --name "学员" --role viewer --real-name-verified)
WATCHER=$(jq -r .token <<<"$j")
WATCHER_ID=$(jq -r .id <<<"$j")
db() { sqlite3 -cmd ".timeout 10000" "$D/lectern.db" "$1"; }
ed() { curl -s -m 10 -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$@"; }
code() { curl -s -m 10 -o /dev/null -w '%{http_code}' "$@"; }
video_state() { ed "$U/api/v1/videos/$1" | jq -r .state; }
wait_state() { # ID STATE SECONDS
  for _ in $(seq 1 $(($3 * 10))); do [ "$(video_state "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}
avail_kb() { df -k --output=avail "$D" | tail -1 | tr -d ' '; }
segs() { grep -c '^seg' "$1" 2>/dev/null || echo 0; }

# The hog fills the disk and keeps it full: its blocks, and its inodes (so the server cannot
# even make a temporary file: whatever it frees is taken again before it can use it).
hog_start() {
  rm -f "$HOG_STOP"
  mkdir -p "$D/hog.d"
  ( i=0
    while [ ! -e "$HOG_STOP" ]; do
      dd if=/dev/zero of="$D/hog" bs=4k oflag=append conv=notrunc 2>/dev/null
      while : 2>/dev/null >"$D/hog.d/$i"; do i=$((i + 1)); done
      sleep 0.02
    done ) &
  HOG=$!
  T_PIDS+=("$HOG")
  local n
  for n in $(seq 1 100); do
    if [ "$(avail_kb)" -lt 8 ] && ! : 2>/dev/null >"$D/probe.$n"; then return 0; fi
    rm -f "$D/probe.$n"
    sleep 0.1
  done
  return 1
}
hog_stop() { touch "$HOG_STOP"; wait "$HOG" 2>/dev/null; rm -rf "$D/hog" "$D/hog.d"; }

publish() { # SECONDS KEY (SIGINT ends it early, cleanly: ffmpeg unpublishes)
  local run=
  [ "$BASHPID" != "$$" ] && run=exec # in the background: $! is ffmpeg itself
  $run ffmpeg -nostdin -hide_banner -loglevel error -re \
    -f lavfi -i "testsrc2=size=640x360:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=44100" \
    -t "$1" -c:v libx264 -preset veryfast -tune zerolatency -g 60 -keyint_min 60 -sc_threshold 0 \
    -pix_fmt yuv420p -b:v 1000k -c:a aac -b:a 96k -f flv "$R/$2"
}

ev=$(L event create --title "满盘直播")
ID=$(jq -r .id <<<"$ev")
KEY=$(jq -r .stream_key <<<"$ev")
start_server "$D" "$PORT" -c "$CONF" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
ed -o /dev/null -X PATCH -d '{"visibility":"published"}' "$U/api/v1/videos/$ID"
ed -o /dev/null -d "{\"name\":\"满盘\",\"starts_on\":\"$(TZ=Asia/Shanghai date -d yesterday +%F)\",\"ends_on\":\"$(TZ=Asia/Shanghai date -d tomorrow +%F)\"}" \
  "$U/api/v1/campaigns"

publish 300 "$KEY" 2>"$T_TMP/ffmpeg1.err" &
PUB=$!
T_PIDS+=("$PUB")
REC=$D/media/$ID/source/recording.m3u8
for _ in $(seq 1 300); do [ "$(segs "$REC")" -ge 3 ] && break; sleep 0.1; done
check "the live is on air with segments ($(segs "$REC"))" test "$(segs "$REC")" -ge 3
# A member watches it and keeps its acknowledgements (to $T_TMP, not the full disk).
"$WATCH_CLIENT" --port "$PORT" --video "$ID" --scenario load --token "$WATCHER" --seconds 300 --interval 1 \
  --out "$T_TMP/watcher.json" &
WATCH=$!
T_PIDS+=("$WATCH")
sleep 2

# --- the disk fills while the live goes on ---------------------------------------------
before=$(segs "$REC")
check "the disk is full (hog running)" hog_start
for _ in $(seq 1 100); do grep -q 'the disk is full' "$D.err" && break; sleep 0.1; done
sleep 2
contains "one clear log line says the disk is full" "$(cat "$D.err")" "the disk is full (cannot write"
contains "… and what it means for the live" "$(cat "$D.err")" "the live goes on and its recording will have a gap"
# Once for the loss, not per segment and rung: a small rung's segment that still fits does not
# end it (only every rung writing again does). Should a whole segment of every rung get in
# meanwhile, the loss has ended and the next is said again, after its "written again" line.
log=$(cat "$D.err")
n=$(grep -c '\[live\] .*the disk is full' <<<"$log")
back=$(grep -c '\[live\] .*segments are written again' <<<"$log")
eq "… said once, not per segment and rung ($n, $back between)" 1 "$((n - back))"
eq "the server keeps answering (/healthz)" 200 "$(code "$U/healthz")"
eq "reads keep working" live "$(video_state "$ID")"
eq "the live window is still served" 200 "$(code "$U/hls/$ID/source/index.m3u8")"
lacks "… as a live playlist (no ENDLIST)" "$(curl -s "$U/hls/$ID/source/index.m3u8")" "ENDLIST"
check "… listing the segments made before the disk filled" test "$(curl -s "$U/hls/$ID/source/index.m3u8" | grep -c '^seg')" -ge 3
# SQLite reuses its WAL file after each checkpoint, so a small change may still be saved on
# a full disk; when it is not, the editor is told why (507, storage_full: unit-tested in
# test_api_kit with a database at its max_page_count).
edit=$(ed -w '\n%{http_code}' -X PATCH -d '{"description":"写不进去"}' "$U/api/v1/videos/$ID")
case "$(tail -1 <<<"$edit") $(head -1 <<<"$edit" | jq -r '.error.code // .description')" in
  "200 写不进去"|"507 storage_full") ok "an edit is saved or refused with 507 storage_full ($(tail -1 <<<"$edit"))" ;;
  *) not_ok "an edit is saved or refused with 507 storage_full" "got: $edit" ;;
esac
check "no segment was listed while full" test "$(segs "$REC")" -le $((before + 1))
eq "the database is intact while full (integrity_check)" ok "$(db 'PRAGMA integrity_check')"

# --- space returns mid-live -------------------------------------------------------------
hog_stop
again() { grep -c '\[live\] .*segments are written again, after [0-9]* lost' "$D.err"; }
for _ in $(seq 1 100); do [ "$(again)" -gt "$back" ] && break; sleep 0.1; done
check "space returns: segments are written again (logged with the count lost)" test "$(again)" -gt "$back"
for _ in $(seq 1 60); do [ "$(segs "$REC")" -gt $((before + 1)) ] && break; sleep 0.1; done
check "new segments are listed ($(segs "$REC") > $before)" test "$(segs "$REC")" -gt $((before + 1))
check "… after a discontinuity (their timestamps jump over the gap)" grep -q '^#EXT-X-DISCONTINUITY$' "$REC"
eq "edits work again" 200 "$(ed -o /dev/null -w '%{http_code}' -X PATCH -d '{"description":"又能写了"}' "$U/api/v1/videos/$ID")"

# --- the disk fills again and the presenter stops meanwhile -------------------------------
sleep 2
check "the disk is full again" hog_start
kill -INT "$PUB"
wait "$PUB"
eq "the presenter stops (ffmpeg ends on SIGINT: 255)" 255 "$?"
for _ in $(seq 1 100); do grep -q 'cannot finish the recording' "$D.err" && break; sleep 0.1; done
contains "the finish is refused and will be tried again" "$(cat "$D.err")" "cannot finish the recording"
# Each rung's segments stay listed: in recording.m3u8 until its VOD index.m3u8 is written.
listed() { [ -s "$D/media/$ID/$1/recording.m3u8" ] || grep -q ENDLIST "$D/media/$ID/$1/index.m3u8"; }
check "the recording stays listed while it cannot be finished (recording.m3u8 or the VOD playlist)" \
  sh -c "$(declare -f listed); D='$D' ID='$ID'; listed source && listed 180p"
eq "the server keeps answering" 200 "$(code "$U/healthz")"
kill -TERM "$WATCH"; wait "$WATCH" 2>/dev/null
eq "the database is intact (integrity_check)" ok "$(db 'PRAGMA integrity_check')"
hog_stop
wait_state "$ID" ready 30
eq "once space returns the recording is finished" ready "$(video_state "$ID")"
contains "… and the log says so" "$(cat "$D.err")" "the recording is finished after all"

# --- the recording ---------------------------------------------------------------------------
M=$D/media/$ID
for r in source 180p; do
  pl=$(cat "$M/$r/index.m3u8" 2>/dev/null)
  contains "$r: the recording is a VOD playlist" "$pl" "#EXT-X-ENDLIST"
  contains "$r: with the gap as a discontinuity" "$pl" "#EXT-X-DISCONTINUITY"
  bad=0 frames=0
  for s in $(grep '^seg' <<<"$pl"); do
    n=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$M/$r/$s" | grep -m1 .)
    [ "${n:-0}" -ge 30 ] || bad=$((bad + 1))
    frames=$((frames + ${n:-0}))
  done
  eq "$r: every listed segment is there and decodes ($frames frames)" 0 "$bad"
done
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$M/source/index.m3u8")
check "ffprobe plays the recording through its playlist ($dur s)" awk -v d="$dur" 'BEGIN { exit !(d >= 10) }'
check "the master lists both renditions" test "$(grep -c '^#EXT-X-STREAM-INF' "$M/master.m3u8")" -eq 2
check "the recording.m3u8 files are gone once finished" test ! -e "$REC"

# --- nothing acknowledged to the watcher was lost ---------------------------------------------
acked=$(jq -r .credited "$T_TMP/watcher.json")
stored=$(db "SELECT coalesce(credited, 0) FROM watch_progress WHERE member_id = '$WATCHER_ID' AND video_id = '$ID'")
check "the watcher was acknowledged some seconds ($acked)" test "${acked:-0}" -gt 0
check "every acknowledged second is stored ($stored >= $acked)" test "${stored:-0}" -ge "${acked:-0}"

# --- a new live publishes -----------------------------------------------------------------------
ev=$("$LECTERN" event create --title "空间回来了" -c "$CONF" --data-dir "$D" 2>"$T_TMP/event2.err")
eq "a new live is scheduled once space is back" 0 "$?"
ID2=$(jq -r .id <<<"$ev")
publish 8 "$(jq -r .stream_key <<<"$ev")" 2>"$T_TMP/ffmpeg2.err"
eq "a new live publishes once space is back" 0 "$?"
wait_state "$ID2" ready 30
eq "… and its recording is ready" ready "$(video_state "$ID2")"
lacks "… without a gap" "$(cat "$D/media/$ID2/source/index.m3u8")" "DISCONTINUITY"

stop_server
eq "the server exits cleanly" 0 "$SERVER_STATUS"
eq "the database is intact after it stops" ok "$(db 'PRAGMA integrity_check')"
tap_done
