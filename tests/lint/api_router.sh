#!/usr/bin/env bash
# The API router stays on top: in src/, only the router itself (http/api.c) and the HTTP
# server include http/api.h or use what only it declares (the route table, api_handle);
# handlers and helpers include http/api_kit.h. Prints "N passed, N failed".
cd "${LECTERN_SOURCE_DIR:-$(dirname "$0")/../..}/src" || exit 1
pass=0; fail=0
allowed="http/api.c http/http_server.c"
check() { # NAME, grep pattern
  local bad=""
  for f in $(grep -rlE "$2" --include='*.[ch]' . | sed 's|^\./||' | sort); do
    case " $allowed http/api.h " in *" $f "*) ;; *) bad+=" $f" ;; esac
  done
  if [ -z "$bad" ]; then
    echo "ok - $1 only in: $allowed"; pass=$((pass + 1))
  else
    echo "not ok - $1 in:$bad"; fail=$((fail + 1))
  fi
}
check 'includes of http/api.h' '#include "http/api\.h"'
check 'uses of the route table or dispatch' '\b(api_routes|api_handle|ApiRoute|ApiHandler)\b'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
