#!/usr/bin/env bash
# check.sh: the GPU backend's whole check for a machine with an NVIDIA GPU (a lent H200): builds
# only what it needs (no GMP, Criterion or Google Benchmark), checks every kernel against the CPU
# on fresh random inputs, proves and verifies a bundled circuit through the CLI, then prints the
# timing table last. Output: bench/results/gpu-<date>-<device>.txt. Sized for about 5 minutes.
# Usage: cuda/check.sh [max_msm_log (22)] [max_ntt_log (24)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ZBP_GPU_BUILD:-/tmp/zbp-gpu-build}
max_msm=${1:-22}
max_ntt=${2:-24}

# One architecture, the card's own: a full three-architecture build would spend the budget
# compiling. CMake reads it from the driver through nvidia-smi.
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d '. ')
arch=${arch:-90}
cmake -S "$root" -B "$build" -G Ninja -DZBP_CUDA=ON -DZBP_BUILD_TESTS=OFF -DZBP_BUILD_BENCH=OFF \
      -DCMAKE_CUDA_ARCHITECTURES="$arch" >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 3; }
ninja -C "$build" zbprover zbp_gpu_check

device=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr -cs 'A-Za-z0-9' '-' | sed 's/-$//')
mkdir -p "$root/bench/results"
out="$root/bench/results/gpu-$(date +%F)-${device:-gpu}.txt"
fix="$root/tests/fixtures/poseidon"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
    echo "# zbprover GPU check, $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "# cuda/check.sh $max_msm $max_ntt; build $build (sm_$arch)"
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
    echo
    echo "## CLI: prove --device cuda, then verify"
    st=0
    "$build/zbprover" prove "$fix/circuit.zkey" "$fix/witness.wtns" "$tmp/proof.json" "$tmp/public.json" \
        --device cuda --profile "$tmp/profile.json" || st=$?
    echo "prove --device cuda: exit $st"
    if [ "$st" = 0 ]; then
        "$build/zbprover" verify "$fix/verification_key.json" "$tmp/public.json" "$tmp/proof.json" && echo "verify: OK"
        cmp -s "$tmp/public.json" "$fix/public.json" && echo "public.json: equal to snarkjs's"
        cat "$tmp/profile.json"; echo
    fi
    echo
    echo "## kernels against the CPU, then timings"
    "$build/cuda/zbp_gpu_check" "$fix/circuit.zkey" "$fix/witness.wtns" "$max_msm" "$max_ntt"
} 2>&1 | tee "$out"
echo "written: $out"
grep -q '^PASSED' "$out" && grep -q '^verify: OK' "$out"
