#!/usr/bin/env bash
# check.sh: the GPU backend's whole check on a machine with an NVIDIA GPU (a lent H100/H200), in
# one call, building nothing: it runs binaries built elsewhere (cuda/README.md: built for sm_90 on
# the development machine and carried over). Stages run cheapest first, each its own process
# under `timeout`, and each one's output is appended to $OUT/check.txt as it comes, with one line
# per stage in $OUT/summary.txt, so that a run cut short still reports everything before the cut:
#   1. environment: nvidia-smi, the architectures in the binary, the device as the backend sees it
#   2. smoke: G1 MSM and NTT of 2^10 against the CPU
#   3. correctness against the CPU: the CLI proves the bundled fixture with --device cuda and the
#      proof verifies; --device auto chooses the GPU and keeps it (no fallback said); `serve
#      --device cuda` proves two jobs on one resident circuit (prover/'s zbp_circuit_t, as the CLI); MSM G1 to 2^20 and G2 to 2^18 with random, edge (0, 1, >= r, r - 1),
#      witness-like, all-one and all-zero scalars on points with identities, duplicates and
#      opposites; NTT in every order, direction and coset to 2^24; whole proofs (fixture and a
#      synthetic 2^16 circuit) GPU against CPU with the same r, s: same proof, same public
#      signals, both pass the pairing check
#   4. timings with the data resident on the device: MSM G1 2^20 (random, witness-like), 2^22,
#      2^24 with the MSM's phases, G2 2^20, NTT 2^20 and 2^24, whole proofs of 2^16 and 2^20
#   5. compute-sanitizer (memcheck) on the smoke test
# Usage: cuda/check.sh [BUILD_DIR]   (default build/gpu-carry, which cuda/pack.sh makes;
#        $OUT default ./gpu-check-out)
# Exit status 0 when every stage that ran passed. CHECK_BUDGET (seconds, default 540) bounds the
# whole run: a stage that might not finish inside what is left is skipped, and says so.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/gpu-carry}
[ -d "$build" ] && build=$(cd "$build" && pwd)
out=${OUT:-$PWD/gpu-check-out}
budget=${CHECK_BUDGET:-540}
mkdir -p "$out"
log=$out/check.txt
summary=$out/summary.txt
: >"$log"
: >"$summary"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
failed=0
last_rc=0
# pack.sh carries the shared libraries beside the binaries, in case the device's system lacks them
[ -d "$build/lib" ] && export LD_LIBRARY_PATH="$build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
gpu=$build/cuda/zbp_gpu_check
zbp=$build/zbprover
fix=$root/tests/fixtures/poseidon

# stage NAME TIMEOUT COMMAND...: runs COMMAND under timeout, appending its output to the log.
stage() {
    local name=$1 limit=$2
    shift 2
    local left=$((budget - ($(date +%s) - start)))
    if [ "$left" -lt "$limit" ]; then
        echo "SKIPPED $name: ${left} s left of the ${budget} s budget, the stage may take ${limit} s" | tee -a "$summary" >>"$log"
        return 0
    fi
    echo "== $name (timeout ${limit} s) ==" >>"$log"
    local t0 rc=0
    t0=$(date +%s)
    timeout -k 5 "$limit" "$@" >>"$log" 2>&1 || rc=$?
    local took=$(($(date +%s) - t0))
    local verdict=PASS
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then verdict=TIMEOUT; elif [ "$rc" != 0 ]; then verdict=FAIL; fi
    [ "$verdict" = PASS ] || failed=1
    last_rc=$rc
    echo "$verdict $name: exit $rc, ${took} s" | tee -a "$summary" >>"$log"
}

{
    echo "# zbprover GPU check, $(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "# binaries: $build; budget ${budget} s"
} >>"$log"
for f in "$gpu" "$zbp"; do
    [ -x "$f" ] || { echo "FAIL: no $f (build it first: cuda/README.md)" | tee -a "$summary" >>"$log"; exit 1; }
done

# 1. environment
stage nvidia-smi 20 nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total,clocks.max.sm --format=csv
cuobjdump=$(command -v cuobjdump || echo /usr/local/cuda/bin/cuobjdump)
if [ -x "$cuobjdump" ]; then
    stage archs 30 bash -c "'$cuobjdump' --list-elf '$gpu' | sed 's/.*\\.\\(sm_[0-9a-z]*\\)\\..*/\\1/' | sort | uniq -c; '$cuobjdump' --list-ptx '$gpu' | sed 's/.*\\.\\(sm_[0-9a-z]*\\)\\..*/PTX \\1/' | sort | uniq -c"
fi
if ! [ -x "$cuobjdump" ]; then
    echo "SKIPPED archs: no cuobjdump here (the info stage names the build's architectures)" | tee -a "$summary" >>"$log"
fi
stage info 30 "$gpu" info

# 2. smoke
stage smoke 60 "$gpu" smoke
if [ "$last_rc" = 3 ]; then # 3: no usable GPU (the message is in the log): nothing else can run
    echo "STOPPED: no usable GPU (see smoke in check.txt)" | tee -a "$summary" >>"$log"
    cat "$summary"
    exit 1
fi

# 3. correctness
stage cli-prove 60 bash -c "'$zbp' prove '$fix/circuit.zkey' '$fix/witness.wtns' '$work/proof.json' '$work/public.json' --device cuda --profile '$work/profile.json' && '$zbp' verify '$fix/verification_key.json' '$work/public.json' '$work/proof.json' && cmp '$work/public.json' '$fix/public.json' && cat '$work/profile.json'"
# auto must choose the GPU and keep it (a fallback would be said on stderr: it fails the stage)
stage cli-prove-auto 60 bash -c "'$zbp' prove '$fix/circuit.zkey' '$fix/witness.wtns' '$work/proof.json' '$work/public.json' --device auto --profile '$work/profile.json' 2>'$work/auto.err'; rc=\$?; cat '$work/auto.err'; [ \$rc = 0 ] && [ ! -s '$work/auto.err' ] && grep -q '\"backend\": \"cuda:0\"' '$work/profile.json' && '$zbp' verify '$fix/verification_key.json' '$work/public.json' '$work/proof.json'"
# the job loop through the same handle: two jobs on one circuit kept resident on the GPU, then info
serve_check() {
    local req=$work/serve-req.txt
    printf '{"id":"1","op":"prove","zkey":"%s","wtns":"%s"}\n{"id":"2","op":"prove","zkey":"%s","wtns":"%s"}\n{"id":"i","op":"info"}\n' \
        "$fix/circuit.zkey" "$fix/witness.wtns" "$fix/circuit.zkey" "$fix/witness.wtns" >"$req"
    "$zbp" serve --attest none --device cuda <"$req" >"$work/serve-out.txt" 2>"$work/serve-err.txt" || { cat "$work/serve-err.txt"; return 1; }
    cut -c1-400 "$work/serve-out.txt"
    [ "$(grep -c '"ok":true,"proof".*"device":"cuda:0"' "$work/serve-out.txt")" = 2 ] || return 1
    grep '"id":"i"' "$work/serve-out.txt" | grep -q '"uses":2,"device":"cuda:0"' || return 1
    python3 -c 'import json,sys; a=json.loads(open(sys.argv[1]).readline()); json.dump(a["proof"],open(sys.argv[2],"w")); json.dump(a["public"],open(sys.argv[3],"w"))' \
        "$work/serve-out.txt" "$work/sp.json" "$work/su.json" &&
        "$zbp" verify "$fix/verification_key.json" "$work/su.json" "$work/sp.json"
}
export -f serve_check
export fix
stage serve-cuda 90 bash -c serve_check
stage prove-fixture 60 "$gpu" prove "$fix/circuit.zkey" "$fix/witness.wtns"
for lg in 10 14 18 20; do stage "msm-g1-2^$lg" 90 "$gpu" msm g1 "$lg"; done
for lg in 10 14 18; do stage "msm-g2-2^$lg" 90 "$gpu" msm g2 "$lg"; done
for lg in 10 12 16 20 22 24; do stage "ntt-2^$lg" 90 "$gpu" ntt "$lg"; done
synth() { # synth LOG: a synthetic circuit of domain 2^LOG and its insecure key, in $work/synth-LOG
    python3 "$root/cuda/synth_circuit.py" "$1" "$work/synth-$1" &&
        "$zbp" setup --insecure-dev "$work/synth-$1/circuit.r1cs" "$work/synth-$1/circuit.zkey" 2>&1 | tail -1
}
export -f synth
export root work zbp
stage synth-2^16 90 bash -c "synth 16"
stage prove-synth-2^16 60 "$gpu" prove "$work/synth-16/circuit.zkey" "$work/synth-16/witness.wtns"

# 4. timings, data on the device
stage bench-msm-g1-2^20-random 60 "$gpu" bench-msm g1 20 random
stage bench-msm-g1-2^20-witness 60 "$gpu" bench-msm g1 20 witness
stage bench-msm-g1-2^22-random 90 "$gpu" bench-msm g1 22 random
stage bench-msm-g1-2^24-random 120 "$gpu" bench-msm g1 24 random
stage bench-msm-g1-2^24-witness 120 "$gpu" bench-msm g1 24 witness
stage bench-msm-g2-2^20-random 90 "$gpu" bench-msm g2 20 random
stage bench-ntt-2^20 60 "$gpu" bench-ntt 20
stage bench-ntt-2^24 60 "$gpu" bench-ntt 24
stage bench-prove-2^16 60 "$gpu" bench-prove "$work/synth-16/circuit.zkey" "$work/synth-16/witness.wtns"
stage synth-2^20 150 bash -c "synth 20"
stage bench-prove-2^20 120 "$gpu" bench-prove "$work/synth-20/circuit.zkey" "$work/synth-20/witness.wtns"

# 5. compute-sanitizer, last: slow, and a small case is enough
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [ -x "$sanitizer" ]; then
    stage sanitizer-smoke 180 "$sanitizer" --tool memcheck --error-exitcode 9 "$gpu" smoke
else
    echo "SKIPPED sanitizer: no compute-sanitizer" | tee -a "$summary" >>"$log"
fi

echo "total $(($(date +%s) - start)) s; $(grep -c '^PASS' "$summary") passed, $(grep -c -v '^PASS\|^SKIPPED' "$summary") failed, $(grep -c '^SKIPPED' "$summary") skipped" | tee -a "$summary" >>"$log"
cat "$summary"
exit $failed
