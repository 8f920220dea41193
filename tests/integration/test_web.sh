#!/usr/bin/env bash
# Integration: the editor console in headless Chromium (tests/web/editor.mjs) against a
# real server. Screenshots go to $LECTERN_ARTIFACTS/editor/.
source "$(dirname "$0")/../lib/assert.sh"
: "${LECTERN:?set LECTERN to the lectern binary}" "${FREEPORT:?}" "${LECTERN_SOURCE_DIR:?}"

WEB=$LECTERN_SOURCE_DIR/web
for need in node /usr/bin/chromium ffmpeg; do
  command -v "$need" >/dev/null || { echo "# skip: $need missing (scripts/install-deps installs it)"; exit 77; }
done
[ -d "$WEB/node_modules/playwright-core" ] || { echo "# skip: run npm ci in web/ (scripts/install-deps does)"; exit 77; }

D=$T_TMP/data
PORT=$($FREEPORT)
EDITOR=$("$LECTERN" member add --data-dir "$D" --name "网页编辑" --role editor 2>/dev/null | jq -r .token)
VIEWER=$("$LECTERN" member add --data-dir "$D" --name "学员" --role viewer 2>/dev/null | jq -r .token)
ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440 -t 4 \
  -c:v libx264 -g 25 -pix_fmt yuv420p -c:a aac -shortest "$T_TMP/lesson.mp4"
check "test clip made" test -s "$T_TMP/lesson.mp4"
ffmpeg -v error -f lavfi -i color=c=orange:size=320x180 -frames:v 1 "$T_TMP/picture.jpg"
check "test picture made" test -s "$T_TMP/picture.jpg"
start_server "$D" "$PORT" || { not_ok "server starts"; tap_done; exit 1; }
ok "server starts"

ARTIFACTS=${LECTERN_ARTIFACTS:-$T_TMP/artifacts}/editor
relay_browser < <(BASE_URL="http://127.0.0.1:$PORT" EDITOR_TOKEN=$EDITOR VIEWER_TOKEN=$VIEWER CLIP=$T_TMP/lesson.mp4 PICTURE=$T_TMP/picture.jpg \
         ARTIFACTS=$ARTIFACTS node "$LECTERN_SOURCE_DIR/tests/web/editor.mjs" 2>&1)
check "screenshots kept in $ARTIFACTS" test -s "$ARTIFACTS/05-column-built.png"
eq "server still healthy" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/healthz")"
stop_server
eq "clean exit" 0 "$SERVER_STATUS"
tap_done
