#!/usr/bin/env bash
# make.sh: builds the benchmark circuits into bench/circuits/out/<name>/ (not committed: up to
# gigabytes): circuit.r1cs and the witness calculator with the pinned circom2 (WASM), input.json,
# witness.wtns with `snarkjs wtns calculate`, and an INSECURE development key circuit.zkey with
# verification_key.json from `zbprover setup --insecure-dev` (no ceremony; benchmarks only).
#
#   bash bench/circuits/make.sh [name ...]     default: every size up to 2^20
#   ZBP_BINARY=/path/to/zbprover               default: build/zbprover
#
# Names: poseidon_{16,18,20,22} (a chain of Poseidon(2) hashes, 517 constraints each at circom's
# default -O1) and sha256_{16,18,20} (circomlib's SHA-256 over 2, 8 and 33 blocks, about 31.3K
# constraints per block); the number is log2 of the proving domain. poseidon_22 is built only when
# named (about 4M constraints: several minutes and a few GB; see bench/README.md for the times).
# Each step's wall time and peak memory go to out/<name>/make.log.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/node_modules/.bin"
zbp=${ZBP_BINARY:-$root/build/zbprover}
[ -x "$bin/snarkjs" ] && [ -x "$bin/circom2" ] || {
    echo "make.sh: run 'npm ci' in $root first (snarkjs and circom2 are devDependencies)" >&2
    exit 2
}
[ -x "$zbp" ] || { echo "make.sh: no zbprover at $zbp (build it, or set ZBP_BINARY)" >&2; exit 2; }

# name -> template, parameter, public signals of main, input generator
declare -A TEMPLATE=(
    [poseidon_16]="PoseidonChain 120" [poseidon_18]="PoseidonChain 500"
    [poseidon_20]="PoseidonChain 2000" [poseidon_22]="PoseidonChain 8000"
    [sha256_16]="Sha256Blocks 952" [sha256_18]="Sha256Blocks 4000" [sha256_20]="Sha256Blocks 16800"
)
default=(poseidon_16 sha256_16 poseidon_18 sha256_18 poseidon_20 sha256_20)
if [ $# -gt 0 ]; then names=("$@"); else names=("${default[@]}"); fi

# Runs a step under /usr/bin/time with its stdout in a file, and appends "step: seconds, peak KB"
# to the log.
timed() {
    local log=$1 step=$2 stdout=$3
    shift 3
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$log.rss" "$@" >"$stdout"
    t1=$(date +%s.%N)
    printf '%-10s %8.1f s  peak %8d KB\n' "$step" "$(echo "$t1 - $t0" | bc)" "$(tail -1 "$log.rss")" |
        tee -a "$log"
    rm -f "$log.rss"
}

cd "$root"
for name in "${names[@]}"; do
    spec=${TEMPLATE[$name]:-}
    [ -n "$spec" ] || { echo "make.sh: unknown circuit '$name' (known: ${!TEMPLATE[*]})" >&2; exit 2; }
    read -r tmpl param <<<"$spec"
    out="bench/circuits/out/$name"
    mkdir -p "$out"
    log="$out/make.log"
    : >"$log"
    echo "== $name ($tmpl($param))"
    case $tmpl in
    PoseidonChain)
        file=poseidon_chain.circom
        main="component main {public [salt]} = PoseidonChain($param);"
        printf '{"seed": "12345", "salt": "678"}\n' >"$out/input.json"
        ;;
    Sha256Blocks)
        file=sha256_blocks.circom
        main="component main = Sha256Blocks($param);"
        # A fixed pseudo-random message, so that every run proves the same witness.
        python3 -c "import json,random; r=random.Random($param); print(json.dumps({'in':[r.randrange(2) for _ in range($param)]}))" \
            >"$out/input.json"
        ;;
    esac
    # circom2 runs under WASI and sees paths relative to the working directory only.
    printf 'pragma circom 2.0.0;\ninclude "%s";\n%s\n' "$file" "$main" >"$out/$name.circom"
    timed "$log" circom "$out/circom.out" "$bin/circom2" "$out/$name.circom" --r1cs --wasm \
        -l node_modules -l bench/circuits -o "$out"
    grep -E "constraints|wires" "$out/circom.out" | tee -a "$log"
    mv "$out/$name.r1cs" "$out/circuit.r1cs"
    timed "$log" witness /dev/null "$bin/snarkjs" wtns calculate "$out/${name}_js/$name.wasm" \
        "$out/input.json" "$out/witness.wtns"
    timed "$log" setup /dev/null "$zbp" setup --insecure-dev "$out/circuit.r1cs" \
        "$out/circuit.zkey" --vk "$out/verification_key.json"
    ls -l "$out/circuit.zkey" | awk '{printf "zkey       %8.1f MB\n", $5/1e6}' | tee -a "$log"
done
