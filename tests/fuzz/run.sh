#!/usr/bin/env bash
# run.sh EXE NAME SECONDS WORKDIR: one fuzz target, as scripts/fuzz and the fuzz build's meson
# test run it. First every kept regression input and seed is replayed (each must pass), then
# libFuzzer runs SECONDS from the seeds, adding what it finds to WORKDIR/corpus/NAME (never
# the repository's corpus); a crash is saved in WORKDIR/crashes/NAME/. Prints the figures and
# "N passed, N failed" (the replayed inputs, and the run).
set -uo pipefail
exe=$1 name=$2 secs=$3 work=$4
src="$(cd "$(dirname "$0")" && pwd)"
seeds=$src/corpus/$name regress=$src/regressions/$name
corpus=$work/corpus/$name crashes=$work/crashes/$name
mkdir -p "$corpus" "$crashes"
log=$work/$name.log
# Readable stacks, our leak suppressions (GLib's and GStreamer's process-lifetime caches), and
# UBSan findings as crashes.
for s in /usr/lib/llvm-15/bin/llvm-symbolizer /usr/bin/llvm-symbolizer; do
  [ -x "$s" ] && { export ASAN_SYMBOLIZER_PATH=$s; break; }
done
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/../lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0 fail=0

inputs=()
for d in "$regress" "$seeds"; do
  [ -d "$d" ] && while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$d" -type f -print0 | sort -z)
done
# libFuzzer runs each file given as an argument once, without fuzzing.
if [ ${#inputs[@]} -gt 0 ]; then
  if "$exe" -rss_limit_mb=4096 "${inputs[@]}" >"$work/$name.replay.log" 2>&1; then
    pass=$((pass + ${#inputs[@]}))
    echo "fuzz $name: replayed ${#inputs[@]} regression and seed inputs"
  else
    fail=$((fail + 1))
    echo "fuzz $name: FAILED replaying the regression and seed inputs:"
    grep -E "Running:|ERROR|SUMMARY|check failed|^    #[0-9]" "$work/$name.replay.log" | head -40
  fi
fi

# -close_fd_mask=3 would hide our own diagnostics; log lines already go to /dev/null.
"$exe" -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
  -artifact_prefix="$crashes/" "$corpus" "$seeds" >"$log" 2>&1
rc=$?
execs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+')
ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+')
corp=$(grep -oE 'corp: [0-9]+' <<<"$last" | grep -oE '[0-9]+')
speed=$(grep -oE '^stat::average_exec_per_sec: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
ncrash=$(find "$crashes" -type f | wc -l)
printf 'fuzz %s: %s executions in %ss (%s/s), coverage %s edges, %s features, corpus %s, crash files %s\n' \
  "$name" "${execs:-?}" "$secs" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$ncrash"
if [ $rc -eq 0 ]; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
  echo "fuzz $name: FAILED (libFuzzer exit $rc); the input is in $crashes/, the log in $log:"
  grep -E "ERROR|SUMMARY|check failed|^    #[0-9]|Test unit written" "$log" | head -40
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
