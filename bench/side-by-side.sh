#!/usr/bin/env bash
# The side-by-side measurement behind a results file: zbprover against rapidsnark and snarkjs on the
# benchmark circuits, natively and on the path without AVX-512 (ZBP_ISA=adx), from .wtns and from
# input.json, plus the G1 MSM against its floor and witness generation against snarkjs. Every step
# is logged with the time it started; the raw runs land in OUT (default build/side-by-side).
#
#   RAPIDSNARK=/path/to/prover bash bench/side-by-side.sh [OUT]
#
# Needs: build/release/zbprover (or $ZBP_BINARY), snarkjs (npm ci), the circuits of
# bench/circuits/make.sh, hyperfine for the witness step (skipped without it). rapidsnark is never
# built or shipped by this repository; without $RAPIDSNARK its column is left out.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build/side-by-side}
mkdir -p "$OUT"
ZBP=${ZBP_BINARY:-$PWD/build/release/zbprover}
RUNS=${RUNS:-3}
RS=()
[ -n "${RAPIDSNARK:-}" ] && RS=(--rapidsnark "$RAPIDSNARK")
CIRCUITS=${CIRCUITS:-poseidon_16,sha256_16,poseidon_18,sha256_18}
step() { echo "== $(date -u) $*"; }

step "machine"
lscpu | grep -E '^(CPU\(s\)|Model name|CPU family|Model):'
lscpu | grep -o -w -E 'adx|bmi2|avx2|avx512f|avx512ifma' | sort -u | tr '\n' ' '; echo
"$ZBP" version
uptime

step "compare native"
python3 bench/compare.py --zbprover "$ZBP" "${RS[@]}" --runs "$RUNS" --circuits "$CIRCUITS" \
    --out "$OUT" --tag native
step "compare --isa adx (ZBP_ISA=adx)"
ZBP_ISA=adx python3 bench/compare.py --zbprover "$ZBP" "${RS[@]}" --no-snarkjs --runs "$RUNS" \
    --circuits "$CIRCUITS" --out "$OUT" --tag adx
step "bench msm g1 2^18, native and adx"
"$ZBP" bench msm --curve g1 --log-size 18
ZBP_ISA=adx "$ZBP" bench msm --curve g1 --log-size 18
if command -v hyperfine >/dev/null; then
    step "wtns calculate vs snarkjs"
    for c in ${CIRCUITS//,/ }; do
        d=bench/circuits/out/$c
        [ -f "$d/input.json" ] || continue
        "$ZBP" wtns compile "$d/${c}_js/$c.wasm" >/dev/null
        hyperfine -N -w 1 -r "$RUNS" --export-json "$OUT/wtns-$c.json" \
            "$ZBP wtns calculate $d/${c}_js/$c.wasm $d/input.json $OUT/w-zbp.wtns" \
            "node_modules/.bin/snarkjs wtns calculate $d/${c}_js/$c.wasm $d/input.json $OUT/w-sjs.wtns"
        cmp "$OUT/w-zbp.wtns" "$OUT/w-sjs.wtns" && echo "$c: witnesses byte-identical"
    done
else
    step "wtns calculate vs snarkjs: skipped (no hyperfine)"
fi
step "compare --from-input"
python3 bench/compare.py --zbprover "$ZBP" "${RS[@]}" --from-input --runs 2 --circuits "$CIRCUITS" \
    --out "$OUT" --tag input
step "done"
