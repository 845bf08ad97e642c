#!/usr/bin/env bash
# check_ntt_snarkjs.sh: regenerates the NTT golden vectors with snarkjs's field library
# (ffjavascript) and compares them with the committed tests/fixtures/ntt/snarkjs_vectors.txt,
# which test_ntt checks zbprover's transforms against. Skipped (exit 77, which ctest reports as
# skipped) without node or ffjavascript.
set -euo pipefail
src=${ZBP_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
dir="$src/tests/fixtures/ntt"
if ! command -v node >/dev/null 2>&1; then
  echo "SKIPPED: check_ntt_snarkjs: node is not installed"
  exit 77
fi
# require() resolves from the script's folder upwards (the repository's node_modules after
# `npm ci`) or through NODE_PATH.
if ! (cd "$dir" && node -e 'require.resolve("ffjavascript")' >/dev/null 2>&1); then
  echo "SKIPPED: check_ntt_snarkjs: ffjavascript not found (run npm ci, or set NODE_PATH)"
  exit 77
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
node "$dir/make_vectors.js" "$tmp"
# The header names the ffjavascript version; the values must match exactly.
if ! diff -q <(grep -v '^#' "$dir/snarkjs_vectors.txt") <(grep -v '^#' "$tmp") >/dev/null; then
  echo "FAIL: snarkjs_vectors.txt differs from what make_vectors.js computes with ffjavascript" >&2
  diff <(grep -v '^#' "$dir/snarkjs_vectors.txt") <(grep -v '^#' "$tmp") | head -20 >&2
  exit 1
fi
echo "ok: $(grep -c '^vector' "$tmp") NTT vectors match ffjavascript $(sed -n 's/.*ffjavascript \([0-9.]*\).*/\1/p' "$tmp" | head -1)"
