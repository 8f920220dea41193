# Shared by the benchmark scripts (sourced): they print figures and stop with a clear message,
# exit 2, when what they need is missing or a measurement came out empty — never a ratio of 0.

# bench_fail MESSAGE: says why the benchmark cannot go on, and stops it.
bench_fail() {
  echo "benchmark stopped: $*" >&2
  exit 2
}

# bench_need_build BUILD_DIR FILE...: each FILE (relative to BUILD_DIR) is an executable there.
bench_need_build() {
  local build=$1; shift
  [ -d "$build" ] || bench_fail "no build directory '$build' (meson setup $build && meson compile -C $build)"
  local f
  for f in "$@"; do
    [ -x "$build/$f" ] || bench_fail "$build/$f is missing: build it first (meson compile -C $build; the benchmark needs the whole build, not only src/lectern)"
  done
}

# bench_need_tools TOOL...: each TOOL is on PATH.
bench_need_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || bench_fail "'$t' is not installed (scripts/install-deps installs the benchmarks' tools)"
  done
}

# bench_positive NAME VALUE: VALUE is a number above zero, or the measurement failed.
bench_positive() {
  awk -v v="$2" 'BEGIN { exit !(v + 0 > 0) }' || bench_fail "$1 measured '${2:-nothing}': the measurement failed (see the output above)"
}
