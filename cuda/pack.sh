#!/usr/bin/env bash
# pack.sh: builds what cuda/check.sh runs on a lent GPU, here (no GPU needed): zbprover and
# zbp_gpu_check for sm_90 in build/cuda-sm90 (the tree scripts/test.sh compiles the CUDA sources
# in), then copies them with the shared libraries they need beyond glibc (OpenSSL's libcrypto,
# libgomp, jansson, libseccomp) into build/gpu-carry, the one path to `carry` to the device (well under its 64 MiB).
# A test build (ZBP_BUILD_TESTS=ON; only the two targets are compiled): zbp_gpu_check proves with
# fixed r and s on both devices, a hook that exists only in test builds.
# Usage: cuda/pack.sh [ARCH (90)]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
arch=${1:-90}
dir=build/cuda-sm$arch
carry=build/gpu-carry
nvcc=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
zbp_configure "$dir" "${ZBP_RELEASE_ARGS[@]}" -DZBP_CUDA=ON -DCMAKE_CUDA_COMPILER="$nvcc" \
    -DCMAKE_CUDA_ARCHITECTURES="$arch" -DZBP_BUILD_TESTS=ON -DZBP_BUILD_BENCH=OFF
nice -n 10 cmake --build "$dir" -j "$(zbp_jobs)" --target zbprover zbp_gpu_check
rm -rf "$carry"
mkdir -p "$carry/cuda" "$carry/lib"
cp "$dir/zbprover" "$carry/"
cp "$dir/cuda/zbp_gpu_check" "$carry/cuda/"
strip "$carry/zbprover" "$carry/cuda/zbp_gpu_check"
for lib in libcrypto.so.3 libgomp.so.1 libjansson.so.4 libseccomp.so.2; do
    path=$(ldd "$carry/zbprover" | awk -v l="$lib" '$1 == l {print $3}')
    [ -n "$path" ] && cp -L "$path" "$carry/lib/"
done
echo "$carry: $(du -sh "$carry" | cut -f1) (sm_$arch); on the device: cuda/check.sh $carry"
