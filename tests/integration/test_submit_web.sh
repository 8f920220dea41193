#!/usr/bin/env bash
# Integration (browser): a member sends a video from a phone-sized page with tus-js-client
# (tests/web/submit.mjs), the upload cut and resumed; the editor accepts it in the console; a
# text with a picture attached through the picture button; the accepted video put to a vote and
# voted for from the phone.
# Checks afterwards that the stored file is the one sent and the video is public, credited to
# its author, in the column. Times are relative to now.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}"

if ! command -v node >/dev/null || [ ! -x /usr/bin/chromium ] || [ ! -d "$LECTERN_SOURCE_DIR/web/node_modules/playwright-core" ] \
   || ! command -v ffmpeg >/dev/null; then
  echo "# skip: needs node, /usr/bin/chromium, web/node_modules and ffmpeg"; exit 77
fi
D=$T_TMP/data
PORT=$($FREEPORT)
B=http://127.0.0.1:$PORT
U=$B/api/v1
add() { "$LECTERN" member add --data-dir "$D" --name "$1" --role "$2" ${3:+--real-name-verified} 2>/dev/null | jq -r .token; }
EDITOR=$(add 编辑 editor yes)
VIEWER=$(add 手机用户 viewer yes)
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"
ed() { local m=$1 p=$2; shift 2; curl -s -X "$m" -H "Authorization: Bearer $EDITOR" -H 'content-type: application/json' "$U$p" "$@"; }
iso() { date -d "$1" +%Y-%m-%dT%H:%M:%S%:z; }
CALL=$(ed POST /calls -d "{\"title\":\"劳动者微视频\",\"kinds\":[\"video\",\"text\",\"pdf\"],\"opens_at\":\"$(iso '-1 hour')\",
  \"closes_at\":\"$(iso '+7 days')\",\"fields\":[{\"name\":\"unit\",\"label\":\"工作单位\",\"required\":true}],
  \"max_bytes\":52428800,\"max_seconds\":120}" | jq -r .id)
check "a call is open" test "$CALL" -gt 0
ed POST /columns -d '{"slug":"wei-shi-pin","title":"微视频展播"}' -o /dev/null
# Over 4 MiB, so the page sends at least two pieces.
CLIP=$T_TMP/phone.mp4
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=320x240:rate=25:duration=3" -f lavfi -i "sine=duration=3" \
  -c:v libx264 -preset ultrafast -b:v 16M -minrate 16M -maxrate 16M -bufsize 2M -x264-params nal-hrd=cbr -g 25 -c:a aac -shortest "$CLIP"
check "the clip is over 4 MiB" test "$(stat -c %s "$CLIP")" -gt 4194304

PIC=$T_TMP/photo.png
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=160x120:rate=1:duration=1" -frames:v 1 "$PIC"
relay_browser < <(BASE_URL=$B TOKEN=$VIEWER EDITOR=$EDITOR CLIP=$CLIP PIC=$PIC CALL=劳动者微视频 \
  ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/submit node "$LECTERN_SOURCE_DIR/tests/web/submit.mjs" 2>&1)
S=$(ed GET "/submissions?call=$CALL&kind=video" | jq -r '.submissions[0]')
VV=$(jq -r .video_id <<<"$S")
eq "the stored file is the clip, byte for byte" "$(sha256sum <"$CLIP")" "$(sha256sum <"$D/uploads/$VV/source.mp4")"
eq "accepted" accepted "$(jq -r .state <<<"$S")"
eq "the video is public, credited to the member" "published 手机用户" "$(curl -s "$U/videos/$VV" | jq -r '"\(.visibility) \(.presenter)"')"
eq "no unfinished upload is left" 0 "$(sqlite3 "$D/lectern.db" "SELECT count(*) FROM submission_upload WHERE finished_at IS NULL")"
T=$(ed GET "/submissions?call=$CALL&kind=text" | jq -r '.submissions[0].body')
P=$(grep -o '/images/[0-9a-f]*\.png' <<<"$T")
eq "the text's picture is the photo, byte for byte" "$(sha256sum <"$PIC")" "$(sha256sum <"$D$P")"
eq "the phone's vote for the accepted video is in the log" "$VV" "$(sqlite3 "$D/lectern.db" "SELECT item_id FROM vote_ballot")"
stop_server
tap_done
