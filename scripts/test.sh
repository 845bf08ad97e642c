#!/usr/bin/env bash
# test.sh: the whole test suite, from a fresh machine: installs dependencies, builds the Release
# tree with warnings as errors and runs every test, then builds and runs the suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bash scripts/install-deps.sh

# Real SEV-SNP vectors live beside the project when they exist; tests skip without them.
if [ -z "${ZB_SNP_VECTORS:-}" ] && [ -d "$root/../shared/vectors/snp" ]; then
  export ZB_SNP_VECTORS="$root/../shared/vectors/snp"
fi
jobs=$(nproc 2>/dev/null || echo 2)

echo "== Release build (-Werror) =="
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DZBP_WERROR=ON >/dev/null
cmake --build build/release -j "$jobs"
echo "== Tests (Release) =="
ctest --test-dir build/release --output-on-failure -j "$jobs"

if [ "${ZBP_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== ASan + UBSan build =="
  cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZBP_WERROR=ON \
        -DZBP_SANITIZE=ON -DZBP_BUILD_BENCH=OFF -DZBP_CUDA=OFF >/dev/null
  cmake --build build/asan -j "$jobs"
  echo "== Tests (ASan + UBSan) =="
  # Fewer fuzz mutations under the sanitizers: the same code paths, a fraction of the time.
  ZBP_FUZZ_ROUNDS=300 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j "$jobs"
fi
echo "test.sh: all tests passed"
