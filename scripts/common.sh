# common.sh: sourced by demo.sh and test.sh: the one Release configuration both build in (so that
# running the demo and then the tests compiles the library once), and quiet-unless-a-terminal
# output. ZBP_CMAKE_ARGS adds options to every configuration (e.g. ZBP_CMAKE_ARGS=-DZBP_CUDA=OFF).

# The Release tree: warnings are errors in both commands, so the second one finds the first one's
# objects up to date. The caller adds what differs (tests on or off), which changes no compile flag.
ZBP_RELEASE_DIR=build/release
ZBP_RELEASE_ARGS=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DZBP_WERROR=ON)

zbp_jobs() { nproc 2>/dev/null || echo 2; }

# zbp_configure DIR ARGS...: configures DIR; on a terminal prints the configuration summary (the
# "-- zbprover" lines), otherwise nothing unless it fails (then the whole log).
zbp_configure() {
  local dir=$1
  shift
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  if ! cmake -S . -B "$dir" "$@" ${ZBP_CMAKE_ARGS:-} >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    echo "configure of $dir failed (log: $dir/configure.log)" >&2
    return 1
  fi
  if [ -t 2 ]; then grep -- '^-- zbprover' "$dir/configure.log" >&2 || true; fi
}

# zbp_build DIR [TARGET...]: ninja's one-line progress on a terminal; elsewhere only what the
# compilers say (warnings, errors), not a line per file.
zbp_build() {
  local dir=$1
  shift
  local targets=()
  [ $# -gt 0 ] && targets=(--target "$@")
  if [ -t 1 ]; then
    cmake --build "$dir" -j "$(zbp_jobs)" "${targets[@]}"
  else
    cmake --build "$dir" -j "$(zbp_jobs)" "${targets[@]}" -- --quiet
  fi
}
