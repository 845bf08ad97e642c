#!/usr/bin/env bash
# check_witness.sh: `zbprover wtns calculate|compile` and `fullprove` on the committed fixtures of
# tests/fixtures/witness (made by its make.sh with circom2 and snarkjs; neither is needed here):
# every witness byte-identical to snarkjs's, also from inputs written differently that snarkjs reads
# as the same numbers (hex, negative, above p, exponents, whitespace, booleans, other nesting); the
# object cache (one per run: each program is compiled once) under concurrent use; prebuilt objects;
# fullprove's proof checked by `zbprover verify`; and each failure of issue #16 item 4 exiting 2 with
# one line that names it: missing, unknown and miscounted signals, values that are not numbers, a
# failing circuit assert (circom's own message), files that are not circom witness programs, a
# trap, a stack overflow, the time limit and the memory limit (modules built from fake.wat with
# wabt's wat2wasm).
set -u
bin=${ZBP_BINARY:?}
src=${ZBP_SOURCE_DIR:?}
fx=$src/tests/fixtures/witness
command -v wasm2c >/dev/null && command -v cc >/dev/null || {
  echo "SKIPPED: wasm2c or cc missing (Debian's wabt; scripts/install-deps.sh)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache
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
same() { # name, file, expected file
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); else echo "FAIL $1: $2 differs from $3"; fail=$((fail + 1)); fi
}
says() { # name, phrase: the last command's stderr is one line containing the phrase
  if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "$2" "$tmp/err"; then pass=$((pass + 1)); else
    echo "FAIL $1: stderr should be one line with '$2':"; cat "$tmp/err"; fail=$((fail + 1)); fi
}
calc() { "$bin" wtns calculate --quiet-log "$@"; }

# 1. snarkjs's witnesses, byte for byte
for c in multiplier arrays many assert; do
  check "calculate $c" 0 calc "$fx/$c/circuit.wasm" "$fx/$c/input.json" "$tmp/$c.wtns"
  same "calculate $c" "$tmp/$c.wtns" "$fx/$c/input.wtns"
done
[ "$(ls "$tmp/cache/zbprover" | wc -l)" -eq 4 ] && pass=$((pass + 1)) ||
  { echo "FAIL: the cache should hold 4 objects:"; ls -la "$tmp/cache/zbprover"; fail=$((fail + 1)); }

# the multiplication paths: the module's own (ZBP_WITNESS_NATIVE=0), the object's portable 64-bit
# one (ZBP_WITNESS_FIELD=portable), the project's field code (the default, above)
for c in arrays many; do
  check "module's multiplication $c" 0 env ZBP_WITNESS_NATIVE=0 "$bin" wtns calculate --quiet-log \
    "$fx/$c/circuit.wasm" "$fx/$c/input.json" "$tmp/$c.w.wtns"
  same "module's multiplication $c" "$tmp/$c.w.wtns" "$fx/$c/input.wtns"
  check "portable multiplication $c" 0 env ZBP_WITNESS_FIELD=portable "$bin" wtns calculate --quiet-log \
    "$fx/$c/circuit.wasm" "$fx/$c/input.json" "$tmp/$c.p.wtns"
  same "portable multiplication $c" "$tmp/$c.p.wtns" "$fx/$c/input.wtns"
done

# 2. the same numbers written otherwise give the same bytes
p=21888242871839275222246405745257275088548364400416034343698204186575808495617
m=$fx/multiplier
n=0
for v in '{"a": 3, "b": 11}' '{"a": "0x3", "b": " 11\n"}' '{"b": 1.1e1, "a": "+3"}' \
         '{"a": [3], "b": [[11]]}' '{"a": "0X03", "b": "0b1011"}' '{"a": 30e-1, "b": "0o13"}' \
         '{"a": "-021888242871839275222246405745257275088548364400416034343698204186575808495614", "b": 11}' \
         '{"a": "21888242871839275222246405745257275088548364400416034343698204186575808495620", "b": "11"}' \
         '{"a": "0x912ceb58a394e07d28f0d12384840917789bb8d96d2c51b3cba5e0bbd0000006", "b": 11}' \
         '{"a": 109441214359196376111232028726286375442741822002080171718491020932879042478088, "b": 11}'; do
  n=$((n + 1))
  printf '%s' "$v" >"$tmp/in$n.json"
  check "equivalent input $n" 0 calc "$m/circuit.wasm" "$tmp/in$n.json" "$tmp/eq.wtns"
  same "equivalent input $n ($v)" "$tmp/eq.wtns" "$m/input.wtns"
done
# arrays: the nested values flattened differently, booleans, negative numbers
printf '%s' '{"c": "0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
  "a": [1, 2, 31, -5, "-7", 3], "b": [[1], ["123456789012345678901234567890123456789012345678901234567890"]]}' >"$tmp/arr.json"
check "arrays flattened" 0 calc "$fx/arrays/circuit.wasm" "$tmp/arr.json" "$tmp/arr.wtns"
same "arrays flattened" "$tmp/arr.wtns" "$fx/arrays/input.wtns"

# 3. the cache under concurrent builders, a prebuilt object, another program's object
rm -rf "$tmp/cache"
for k in 1 2; do calc "$m/circuit.wasm" "$m/input.json" "$tmp/par$k.wtns" 2>"$tmp/par$k.err" & done
wait
for k in 1 2; do same "concurrent $k" "$tmp/par$k.wtns" "$m/input.wtns"; done
[ -z "$(find "$tmp/cache" -name '*.tmp.*')" ] && pass=$((pass + 1)) || { echo "FAIL: build leftovers"; fail=$((fail + 1)); }
check "compile -o" 0 "$bin" wtns compile "$fx/arrays/circuit.wasm" -o "$tmp/arrays.so"
check "prebuilt object" 0 calc "$fx/arrays/circuit.wasm" "$fx/arrays/input.json" "$tmp/pre.wtns" --witness-so "$tmp/arrays.so"
same "prebuilt object" "$tmp/pre.wtns" "$fx/arrays/input.wtns"
check "compile into the cache" 0 "$bin" wtns compile "$m/circuit.wasm"
grep -q "$tmp/cache/zbprover/witness-" "$tmp/out" && pass=$((pass + 1)) || { echo "FAIL: compile should print the cache path"; fail=$((fail + 1)); }
check "another program's object" 2 calc "$m/circuit.wasm" "$m/input.json" "$tmp/x.wtns" --witness-so "$tmp/arrays.so"
says "another program's object" "built from another circuit program"

# 4. fullprove: the proof verifies, public.json is snarkjs's
check "fullprove" 0 "$bin" fullprove "$m/input.json" "$m/circuit.wasm" "$src/tests/fixtures/multiplier/circuit.zkey" \
  "$tmp/proof.json" "$tmp/public.json" --profile "$tmp/profile.json"
check "fullprove verifies" 0 "$bin" verify "$src/tests/fixtures/multiplier/verification_key.json" "$tmp/public.json" "$tmp/proof.json"
same "fullprove public.json" "$tmp/public.json" "$src/tests/fixtures/multiplier/public.json"
grep -q '"witness_calculation"' "$tmp/profile.json" && pass=$((pass + 1)) || { echo "FAIL: profile lacks the witness"; fail=$((fail + 1)); }
rm -f "$tmp/proof2.json" "$tmp/public2.json"
check "fullprove bad input" 2 "$bin" fullprove "$fx/assert/fail.json" "$fx/assert/circuit.wasm" \
  "$src/tests/fixtures/multiplier/circuit.zkey" "$tmp/proof2.json" "$tmp/public2.json"
says "fullprove bad input" "Bounded_0 line: 8"
[ ! -e "$tmp/proof2.json" ] && [ ! -e "$tmp/public2.json" ] && pass=$((pass + 1)) || { echo "FAIL: fullprove left output"; fail=$((fail + 1)); }
check "fullprove usage" 2 "$bin" fullprove "$m/input.json" "$m/circuit.wasm"

# 5. what is wrong with the input, named
bad() { # name, json, phrase [wasm]
  printf '%s' "$2" >"$tmp/bad.json"
  check "$1" 2 calc "${4:-$m/circuit.wasm}" "$tmp/bad.json" "$tmp/bad.wtns"
  says "$1" "$3"
}
bad "missing signal" '{"a": 3}' "not all inputs are set: 1 of the circuit's 2"
bad "unknown signal" '{"a": 3, "b": 11, "q": 1}' "signal 'q' is not an input of the circuit"
bad "too few values" '{"a": [1,2,3,4,5,6], "b": [1], "c": 1}' "signal 'b' has 1 value, the circuit expects 2" "$fx/arrays/circuit.wasm"
bad "too many values" '{"a": [1,2,3,4,5,6], "b": [1,2,3], "c": 1}' "signal 'b' has 3 values, the circuit expects 2" "$fx/arrays/circuit.wasm"
bad "not a number (string)" '{"a": "abc", "b": 1}' "signal 'a': the string \"abc\" is not an integer"
bad "not a number (fraction)" '{"a": 1.5, "b": 1}' "the number 1.5 is not an integer"
bad "not a number (null)" '{"a": null, "b": 1}' "signal 'a': null is not a number"
bad "not a number (object)" '{"a": {"x": 1}, "b": 1}' "signal 'a': an object is not a number"
bad "not a number (in an array)" '{"a": [1,2,3,4,"x",6], "b": [1,2], "c": 1}' "signal 'a', value 4 (flattened)" "$fx/arrays/circuit.wasm"
bad "signed hex" '{"a": "-0x3", "b": 1}' "is not an integer"
bad "not an object" '[1, 2]' "must be a JSON object"
bad "not JSON" '{"a": 3,' "not valid JSON at line 1"
check "assert fails" 2 calc "$fx/assert/circuit.wasm" "$fx/assert/fail.json" "$tmp/x.wtns"
says "assert fails" "an assertion of the circuit failed: Error in template Bounded_0 line: 8"
[ ! -e "$tmp/x.wtns" ] && pass=$((pass + 1)) || { echo "FAIL: a failed calculate left a file"; fail=$((fail + 1)); }
check "missing input file" 2 calc "$m/circuit.wasm" "$tmp/nope.json" "$tmp/x.wtns"
grep -q "nope.json" "$tmp/err" && pass=$((pass + 1)) || { echo "FAIL: message lacks the file"; fail=$((fail + 1)); }

# 6. what is wrong with the program, named
check "not wasm" 2 calc "$m/input.json" "$m/input.json" "$tmp/x.wtns"
says "not wasm" "not a circom witness program (not a WebAssembly module)"
if command -v wat2wasm >/dev/null; then
  printf '(module (func (export "f")))' >"$tmp/other.wat"
  wat2wasm "$tmp/other.wat" -o "$tmp/other.wasm"
  check "not circom" 2 calc "$tmp/other.wasm" "$m/input.json" "$tmp/x.wtns"
  says "not circom" "not a circom 2 witness program (it has no export 'getVersion')"
  printf '(module (import "env" "system" (func (param i32))) (func (export "getVersion") (result i32) (i32.const 2)))' >"$tmp/imp.wat"
  wat2wasm "$tmp/imp.wat" -o "$tmp/imp.wasm"
  check "foreign import" 2 calc "$tmp/imp.wasm" "$m/input.json" "$tmp/x.wtns"
  says "foreign import" "it imports env.system, which the witness runtime does not provide"
  wat2wasm "$fx/fake.wat" -o "$tmp/fake.wasm"
  printf '{"x": 0}' >"$tmp/fake.json"
  check "fake module" 0 calc "$tmp/fake.wasm" "$tmp/fake.json" "$tmp/x.wtns"
  fake() { # name, value (the behaviour), phrase, limits...
    local name=$1 value=$2 phrase=$3
    shift 3
    printf '{"x": %s}' "$value" >"$tmp/fake.json"
    check "$name" 2 calc "$tmp/fake.wasm" "$tmp/fake.json" "$tmp/x.wtns" "$@"
    says "$name" "$phrase"
  }
  fake "trap" 1 "trapped (out-of-bounds memory access) computing the witness"
  fake "stack overflow" 2 "trapped (call stack exhausted)"
  fake "time limit" 3 "ran past the time limit of 1 s" --time-limit 1
  if [ -n "${ZBP_SANITIZE_FLAGS:-}" ]; then
    # witness/run.c sets no memory limits under AddressSanitizer (its allocator maps as it goes)
    echo "SKIPPED: check_witness: the memory limit case (a sanitizer build runs without memory limits)"
  else
    fake "memory limit" 4 "asked for more memory than allowed" --memory-limit 100
  fi
  fake "circom exception" 5 "the circuit refused the input: not enough memory"
else
  echo "SKIPPED: check_witness: the fake-program cases (wat2wasm missing: apt-get install wabt)"
fi
check "usage" 2 "$bin" wtns
check "bad limit" 2 calc "$m/circuit.wasm" "$m/input.json" "$tmp/x.wtns" --time-limit 0
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
