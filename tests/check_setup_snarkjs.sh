#!/usr/bin/env bash
# check_setup_snarkjs.sh: `zbprover setup --insecure-dev` on every fixture's .r1cs. The CLI refuses
# without the flag and leaves no file; with it, our proof verifies under the --vk key. When
# node_modules has snarkjs: `snarkjs zkey export verificationkey` on our key gives our --vk file byte
# for byte, `snarkjs groth16 prove` with our key and the fixture's witness verifies (with both
# verifiers), our proof verifies with `snarkjs groth16 verify`, and `snarkjs zkey contribute` reads
# our contributions section and adds to it.
set -u
bin=${ZBP_BINARY:?}
src=${ZBP_SOURCE_DIR:?}
fx=$src/tests/fixtures
snarkjs=$src/node_modules/.bin/snarkjs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
have_snarkjs=0
if [ -x "$snarkjs" ] && command -v node >/dev/null; then have_snarkjs=1; else
  echo "SKIPPED: check_setup_snarkjs: the snarkjs cross-check ($snarkjs not found: run npm ci)"; fi

# Refusals: no flag, no file; bad usage exits 2.
"$bin" setup "$fx/multiplier/circuit.r1cs" "$tmp/refused.zkey" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q -- "--insecure-dev" "$tmp/err" && ok || bad "setup without --insecure-dev"
[ ! -e "$tmp/refused.zkey" ] && ok || bad "a refused setup wrote a key"
"$bin" setup --insecure-dev "$fx/multiplier/circuit.r1cs" 2>/dev/null
[ $? -eq 2 ] && ok || bad "setup with one path exits 2"
"$bin" setup --insecure-dev "$tmp/missing.r1cs" "$tmp/m.zkey" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "missing.r1cs" "$tmp/err" && ok || bad "a missing r1cs is not named"
"$bin" setup --insecure-dev "$fx/multiplier/circuit.zkey" "$tmp/m.zkey" 2>/dev/null
[ $? -eq 2 ] && [ ! -e "$tmp/m.zkey" ] && ok || bad "a .zkey given as the r1cs is not refused"

for c in multiplier poseidon comparator many_public no_public; do
  d=$tmp/$c
  mkdir -p "$d"
  if ! "$bin" setup --insecure-dev "$fx/$c/circuit.r1cs" "$d/circuit.zkey" --vk "$d/vk.json" \
       2>"$d/err"; then bad "setup $c: $(cat "$d/err")"; continue; fi
  grep -q "INSECURE" "$d/err" && ok || bad "setup $c does not warn that the key is insecure"
  grep -aq "INSECURE DEV SETUP - zbprover" "$d/circuit.zkey" && ok || bad "$c: no insecure contribution"
  "$bin" prove "$d/circuit.zkey" "$fx/$c/witness.wtns" "$d/proof.json" "$d/public.json" 2>"$d/err" \
    && ok || bad "prove $c under the dev key: $(cat "$d/err")"
  "$bin" verify "$d/vk.json" "$d/public.json" "$d/proof.json" >/dev/null 2>&1 \
    && ok || bad "zbprover verify rejects our proof of $c under the dev key"
  cmp -s "$d/public.json" "$fx/$c/public.json" && ok || bad "$c: public.json differs from snarkjs's"
  [ $have_snarkjs = 1 ] || continue

  "$snarkjs" zkey export verificationkey "$d/circuit.zkey" "$d/svk.json" >/dev/null 2>&1 \
    && ok || bad "snarkjs cannot export the vk of $c's dev key"
  cmp -s "$d/vk.json" "$d/svk.json" && ok || bad "$c: our --vk differs from snarkjs's export"
  "$snarkjs" groth16 verify "$d/svk.json" "$d/public.json" "$d/proof.json" >/dev/null 2>&1 \
    && ok || bad "snarkjs rejects our proof of $c under the dev key"
  if "$snarkjs" groth16 prove "$d/circuit.zkey" "$fx/$c/witness.wtns" "$d/sproof.json" \
       "$d/spublic.json" >/dev/null 2>&1; then
    ok
    "$snarkjs" groth16 verify "$d/svk.json" "$d/spublic.json" "$d/sproof.json" >/dev/null 2>&1 \
      && ok || bad "snarkjs rejects its own proof of $c under our dev key"
    "$bin" verify "$d/vk.json" "$d/spublic.json" "$d/sproof.json" >/dev/null 2>&1 \
      && ok || bad "zbprover verify rejects snarkjs's proof of $c under our dev key"
  else bad "snarkjs groth16 prove fails with $c's dev key"; fi
done

# snarkjs reads our contributions section: a contribution on top of the dev key works end to end.
if [ $have_snarkjs = 1 ] && [ -e "$tmp/poseidon/circuit.zkey" ]; then
  d=$tmp/poseidon
  if "$snarkjs" zkey contribute "$d/circuit.zkey" "$d/c2.zkey" --name=second -e=entropy \
       >/dev/null 2>&1; then
    ok
    "$bin" info "$d/c2.zkey" | grep -Eq "^contributions +2$" && ok || bad "contribute: not 2 contributions"
    "$snarkjs" zkey export verificationkey "$d/c2.zkey" "$d/c2vk.json" >/dev/null 2>&1
    "$bin" prove "$d/c2.zkey" "$fx/poseidon/witness.wtns" "$d/p2.json" "$d/u2.json" 2>/dev/null &&
      "$snarkjs" groth16 verify "$d/c2vk.json" "$d/u2.json" "$d/p2.json" >/dev/null 2>&1 \
      && ok || bad "a proof under the contributed dev key does not verify"
  else bad "snarkjs zkey contribute cannot read the dev key"; fi
fi

echo "check_setup_snarkjs: $pass passed, $fail failed"
[ $fail -eq 0 ]
