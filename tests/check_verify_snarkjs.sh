#!/usr/bin/env bash
# check_verify_snarkjs.sh: `zbprover verify` on every snarkjs fixture (exit 0), on a changed public
# signal and a changed proof (exit 1), and on malformed inputs (exit 2, one line on stderr). When
# node_modules/.bin/snarkjs exists, snarkjs must give the same verdicts on the same files.
set -uo pipefail

bin=${ZBP_BINARY:?ZBP_BINARY must name the zbprover program}
src=${ZBP_SOURCE_DIR:?ZBP_SOURCE_DIR must name the repository root}
fix="$src/tests/fixtures"
snarkjs="$src/node_modules/.bin/snarkjs"
[ -x "$snarkjs" ] || snarkjs=""
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

# expect <want-exit> <label> <vk> <public> <proof>
expect() {
    local want=$1 label=$2
    shift 2
    "$bin" verify "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $label: exit $rc, expected $want; stderr: $(cat "$work/err")"
        fails=$((fails + 1))
        return
    fi
    case $want in
    0) grep -qx 'OK!' "$work/out" || { echo "FAIL $label: no OK! on stdout"; fails=$((fails + 1)); } ;;
    1) grep -q 'Invalid proof' "$work/err" || { echo "FAIL $label: no 'Invalid proof'"; fails=$((fails + 1)); } ;;
    2) [ "$(wc -l <"$work/err")" = 1 ] || { echo "FAIL $label: stderr is not one line"; fails=$((fails + 1)); } ;;
    esac
    [ "$want" = 0 ] || [ ! -s "$work/out" ] || { echo "FAIL $label: stdout not empty"; fails=$((fails + 1)); }
    echo "ok   $label (exit $rc)"
    if [ -n "$snarkjs" ] && [ "$want" != 2 ]; then
        "$snarkjs" groth16 verify "$@" >"$work/sout" 2>&1
        local src_rc=$?
        # snarkjs exits 0 for OK! and 1 otherwise (its CLI maps every failure to 1)
        if [ "$src_rc" != "$want" ]; then
            echo "FAIL $label: snarkjs exits $src_rc, zbprover $want"
            fails=$((fails + 1))
        fi
    fi
}

# Rewrites a JSON file with a Python expression over `d` (the parsed document).
mutate() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(d, open(sys.argv[3], "w"), indent=1)' "$@"
}

circuits=()
for d in "$fix"/*/verification_key.json; do circuits+=("$(basename "$(dirname "$d")")"); done
[ ${#circuits[@]} -gt 0 ] || { echo "no fixtures under $fix"; exit 1; }

for c in "${circuits[@]}"; do
    d="$fix/$c"
    expect 0 "$c: snarkjs proof" "$d/verification_key.json" "$d/public.json" "$d/proof.json"
    npub=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$d/public.json")
    if [ "$npub" -gt 0 ]; then
        mutate "$d/public.json" 'd[0] = str((int(d[0]) + 1) % 21888242871839275222246405745257275088548364400416034343698204186575808495617)' "$work/pub.json"
        expect 1 "$c: changed public signal" "$d/verification_key.json" "$work/pub.json" "$d/proof.json"
        mutate "$d/public.json" 'd.append("1")' "$work/pub.json"
        expect 2 "$c: one public signal too many" "$d/verification_key.json" "$work/pub.json" "$d/proof.json"
    fi
    # pi_c replaced by -pi_c: still on the curve, wrong proof
    mutate "$d/proof.json" 'd["pi_c"][1] = str(21888242871839275222246405745257275088696311157297823662689037894645226208583 - int(d["pi_c"][1]))' "$work/proof.json"
    expect 1 "$c: changed proof (pi_c negated)" "$d/verification_key.json" "$d/public.json" "$work/proof.json"
    # pi_a swapped with pi_c
    mutate "$d/proof.json" 'd["pi_a"], d["pi_c"] = d["pi_c"], d["pi_a"]' "$work/proof.json"
    expect 1 "$c: changed proof (pi_a, pi_c swapped)" "$d/verification_key.json" "$d/public.json" "$work/proof.json"
    # bad input: a point off the curve, a coordinate >= q, broken JSON
    mutate "$d/proof.json" 'd["pi_a"][1] = str(int(d["pi_a"][1]) ^ 1)' "$work/proof.json"
    expect 2 "$c: pi_a off the curve" "$d/verification_key.json" "$d/public.json" "$work/proof.json"
    mutate "$d/proof.json" 'd["pi_b"][0][0] = "21888242871839275222246405745257275088696311157297823662689037894645226208583"' "$work/proof.json"
    expect 2 "$c: coordinate equal to q" "$d/verification_key.json" "$d/public.json" "$work/proof.json"
    head -c 100 "$d/proof.json" >"$work/proof.json"
    expect 2 "$c: truncated proof.json" "$d/verification_key.json" "$d/public.json" "$work/proof.json"
    mutate "$d/verification_key.json" 'd["vk_alpha_1"][0] = "7"' "$work/vk.json"
    expect 2 "$c: vk_alpha_1 off the curve" "$work/vk.json" "$d/public.json" "$d/proof.json"
done
expect 2 "missing file" "$work/nonexistent.json" "$fix/multiplier/public.json" "$fix/multiplier/proof.json"

if [ -z "$snarkjs" ]; then
    echo "SKIPPED: check_verify_snarkjs: the snarkjs cross-check ($src/node_modules/.bin/snarkjs not found: run npm ci)"
else
    echo "snarkjs agreed on every verdict"
fi
[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all verify checks passed"
