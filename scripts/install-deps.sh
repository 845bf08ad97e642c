#!/usr/bin/env bash
# install-deps.sh [build|test|bench|all]: installs what zbprover needs on Debian 12 (as root),
# skipping what is already there, then the npm packages (snarkjs, circom2) when package.json exists.
#   build  what the program needs to build and the demo to run (compilers, CMake, OpenSSL, jansson, node)
#   test   build, plus the test suite's libraries (Criterion, GMP, Google Benchmark)  [the default]
#   bench  build, plus gnuplot for bench/compare.py's plot
#   all    all of the above
# Another apt or dpkg holding the package manager's lock (unattended upgrades, a second session)
# is waited for, up to ZBP_APT_LOCK_TIMEOUT seconds (default 600), instead of failing at once.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(build-essential cmake ninja-build pkg-config python3 libssl-dev libjansson-dev libseccomp-dev wabt) # jansson: JSON; libseccomp: serve's workers' filter; wabt: wasm2c, the witness engine's translator, also at run time
test_pkgs=(libcriterion-dev libgmp-dev libbenchmark-dev valgrind)
bench_pkgs=(gnuplot-nox)

what=${1:-test}
case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  test) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}") ;;
  bench) pkgs=("${build_pkgs[@]}" "${bench_pkgs[@]}") ;;
  all) pkgs=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  -h | --help)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-deps: unknown set '$what' (build, test, bench or all)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  wait_s=${ZBP_APT_LOCK_TIMEOUT:-600}
  # With this option apt (2.x, Debian 12's) waits for dpkg's lock and the package lists' lock and
  # says what it waits for; older apts fail at once on the lists' lock, so update is also retried.
  lock=(-o "DPkg::Lock::Timeout=$wait_s")
  deadline=$((SECONDS + wait_s))
  said=0
  until out=$(apt-get "${lock[@]}" update -qq 2>&1); do
    if ! grep -q "Could not get lock\|Unable to lock" <<<"$out" || [ $SECONDS -ge $deadline ]; then
      echo "$out" >&2
      exit 1
    fi
    [ $said -eq 1 ] || echo "install-deps: another apt holds the package lists; waiting (up to ${wait_s} s)" >&2
    said=1
    sleep 3
  done
  if [ -t 2 ]; then
    apt-get "${lock[@]}" install -y --no-install-recommends "${missing[@]}"
  else
    apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ -f package.json ] && [ -f package-lock.json ]; then
  # npm ci takes a while: skip it when node_modules was installed from this very lock file.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "install-deps: npm ci (snarkjs, circom2)" >&2
    if [ -t 2 ]; then
      npm ci --no-audit --no-fund --progress=true --loglevel=warn
    else
      npm ci --no-audit --no-fund --progress=false --loglevel=error >/dev/null
    fi
  fi
fi
