# assert.sh: tiny assertion helpers for the integration tests (sourced, bash).
# Each check prints "ok N - what" or "not ok N - what"; tap_done prints the
# closing "N passed, N failed" line CI reads and sets the exit status.
set -u
T_PASS=0
T_FAIL=0
T_N=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lectern-it.XXXXXX")
T_PIDS=()

ok() { T_N=$((T_N + 1)); T_PASS=$((T_PASS + 1)); echo "ok $T_N - $1"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $1"; [ $# -gt 1 ] && echo "#   $2"; return 0; }

# check "what" command...: passes when the command succeeds.
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what" "command failed: $*"; fi; }
# eq "what" expected actual
eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected '$2', got '$3'"; fi; }
# contains "what" haystack needle
contains() { case "$2" in *"$3"*) ok "$1" ;; *) not_ok "$1" "'$3' not found in: ${2:0:400}" ;; esac; }
lacks() { case "$2" in *"$3"*) not_ok "$1" "'$3' unexpectedly found" ;; *) ok "$1" ;; esac; }

cleanup() {
  for p in "${T_PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  if [ -n "${LECTERN_TEST_KEEP:-}" ]; then echo "# kept $T_TMP"; else rm -rf "$T_TMP"; fi
}
trap cleanup EXIT

# start_server DATA_DIR PORT [args...]: starts lectern serve, waits for /healthz.
start_server() {
  local data=$1 port=$2; shift 2
  # RTMP on a free port too, unless the caller chose one (RTMP_PORT).
  RTMP_PORT=${RTMP_PORT:-$($FREEPORT)}
  "$LECTERN" serve --data-dir "$data" --http-port "$port" --rtmp-port "$RTMP_PORT" "$@" >"$data.out" 2>"$data.err" &
  SERVER_PID=$!
  T_PIDS+=("$SERVER_PID")
  for _ in $(seq 1 200); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "# server died:"; sed 's/^/#   /' "$data.err"; return 1; fi
    sleep 0.05
  done
  echo "# server did not become healthy"; return 1
}

# stop_server: SIGTERM, waits, sets SERVER_STATUS.
stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID"
  SERVER_STATUS=$?
}

tap_done() {
  echo "$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
}

# relay_browser < <(node tests/web/X.mjs): a browser test's TAP lines counted as ours
# ("browser: …"); its other lines kept as comments. A test that dies before its closing
# "N passed, N failed" line is a failure too.
relay_browser() {
  local line what why ended=
  while IFS= read -r line; do
    case "$line" in
      "ok "*) ok "browser: ${line#ok * - }" ;;
      "not ok "*) what=${line#not ok * - }; read -r why; not_ok "browser: $what" "${why#\#   }" ;;
      [0-9]*" passed, "[0-9]*" failed") ended=1; echo "# browser: $line" ;;
      *) echo "# $line" ;;
    esac
  done
  if [ -n "$ended" ]; then ok "browser test ran to its end"; else not_ok "browser test ran to its end" "it stopped early (see above)"; fi
}
