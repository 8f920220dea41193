#!/usr/bin/env bash
# The layers, by include: a folder of src/ may include headers only from itself and the
# folders below it (the link check in src/meson.build catches calls; this catches types and
# macros taken from above). Prints "N passed, N failed".
cd "${LECTERN_SOURCE_DIR:-$(dirname "$0")/../..}/src" || exit 1
declare -A below=(
  [core]=""
  [db]="core"
  [auth]="core db"
  [points]="core db"
  [club]="core db auth points"
  [lottery]="core db auth points"
  [rtmp]="core"
  [srt]="core rtmp"
  [media]="core db auth rtmp"
  [watch]="core db auth points"
  [chat]="core db"
  [http]="core db auth points club lottery rtmp media watch chat"
  [cli]="core db auth points club lottery rtmp srt media watch chat http"
)
pass=0; fail=0
for dir in */; do
  dir=${dir%/}
  if [ -z "${below[$dir]+x}" ]; then
    echo "not ok - src/$dir is not in the layer table (tests/lint/layers.sh)"; fail=$((fail + 1)); continue
  fi
  # One pass: every "#include "<folder>/…" naming a folder that is neither this one nor below.
  bad=$(grep -HE '^#include "[a-z_]+/' "$dir"/*.[ch] 2>/dev/null |
        awk -v self="$dir" -v ok=" ${below[$dir]} " -F'"' '{
          split($2, p, "/"); f = $1; sub(/:.*/, "", f)
          if (p[1] != self && index(ok, " " p[1] " ") == 0) printf " %s→%s/", f, p[1] }')
  if [ -z "$bad" ]; then
    echo "ok - src/$dir includes only itself and below (${below[$dir]:-nothing})"; pass=$((pass + 1))
  else
    echo "not ok - src/$dir includes from above:$bad"; fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
