#!/usr/bin/env bash
# check_info_export.sh: `zbprover info` on each fixture's .zkey/.wtns/.r1cs and `zbprover
# export-vk`, whose output must equal snarkjs's verification_key.json byte for byte; bad inputs
# exit 2 with one line on stderr naming the file.
set -u
bin=${ZBP_BINARY:?}
fx=${ZBP_SOURCE_DIR:?}/tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass=0
check() { # name, expected exit, command...
  local name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL $name: exit $got, want $want"; cat "$tmp/err"; fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}
for c in multiplier poseidon comparator many_public no_public; do
  check "info zkey $c" 0 "$bin" info "$fx/$c/circuit.zkey"
  grep -q "^public " "$tmp/out" || { echo "FAIL info zkey $c: no public line"; fail=$((fail + 1)); }
  check "info zkey --json $c" 0 "$bin" info "$fx/$c/circuit.zkey" --json
  check "info wtns $c" 0 "$bin" info "$fx/$c/witness.wtns"
  check "info r1cs $c" 0 "$bin" info "$fx/$c/circuit.r1cs"
  check "export-vk $c" 0 "$bin" export-vk "$fx/$c/circuit.zkey" "$tmp/vk.json"
  if cmp -s "$tmp/vk.json" "$fx/$c/verification_key.json"; then pass=$((pass + 1)); else
    echo "FAIL export-vk $c: differs from snarkjs's verification_key.json"; fail=$((fail + 1)); fi
  # the constraint count agrees with the .r1cs
  zc=$("$bin" info "$fx/$c/circuit.zkey" --json | sed 's/.*"constraints": \([0-9]*\).*/\1/')
  rc=$("$bin" info "$fx/$c/circuit.r1cs" --json | sed 's/.*"constraints": \([0-9]*\).*/\1/')
  [ "$zc" = "$rc" ] && pass=$((pass + 1)) || { echo "FAIL constraints $c: zkey $zc r1cs $rc"; fail=$((fail + 1)); }
done
head -c 1000 "$fx/poseidon/circuit.zkey" > "$tmp/trunc.zkey"
check "info truncated" 2 "$bin" info "$tmp/trunc.zkey"
grep -q "trunc.zkey" "$tmp/err" || { echo "FAIL: message does not name the file"; fail=$((fail + 1)); }
check "export-vk missing" 2 "$bin" export-vk "$tmp/nope.zkey" "$tmp/vk2.json"
check "export-vk unwritable" 2 "$bin" export-vk "$fx/multiplier/circuit.zkey" "$tmp/no/dir/vk.json"
check "export-vk usage" 2 "$bin" export-vk "$fx/multiplier/circuit.zkey"
check "info usage" 2 "$bin" info
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
