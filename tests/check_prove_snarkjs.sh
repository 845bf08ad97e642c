#!/usr/bin/env bash
# check_prove_snarkjs.sh: `zbprover prove` on every fixture, then `snarkjs groth16 verify` (when
# node_modules has snarkjs) and `zbprover verify` both accept; the files have snarkjs's exact
# layout; a tampered public.json is rejected by both; each bad input exits 2 with one line naming
# the file, and leaves no output behind.
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
  echo "SKIPPED: check_prove_snarkjs: the snarkjs cross-check ($snarkjs not found: run npm ci)"; fi

# The layout of a JSON file with every decimal number replaced: keys, order, nesting, z values.
shape() { python3 -c '
import json,sys,re
t=open(sys.argv[1]).read()
assert not t.endswith("\n"), "trailing newline"
o=json.loads(t)
def s(v):
    if isinstance(v,str): return v if v in ("0","1","groth16","bn128") else "N"
    if isinstance(v,list): return [s(x) for x in v]
    if isinstance(v,dict): return [(k,s(x)) for k,x in v.items()]
    return v
print(json.dumps(s(o)))' "$1"; }

for c in multiplier poseidon comparator many_public no_public; do
  if ! "$bin" prove "$fx/$c/circuit.zkey" "$fx/$c/witness.wtns" "$tmp/proof.json" "$tmp/public.json" \
       --profile "$tmp/profile.json" 2>"$tmp/err"; then bad "prove $c: $(cat "$tmp/err")"; continue; fi
  ok
  "$bin" verify "$fx/$c/verification_key.json" "$tmp/public.json" "$tmp/proof.json" >/dev/null 2>&1 \
    && ok || bad "zbprover verify rejects the proof of $c"
  cmp -s "$tmp/public.json" "$fx/$c/public.json" && ok || bad "public.json of $c differs from snarkjs's"
  [ "$(shape "$tmp/proof.json")" = "$(shape "$fx/$c/proof.json")" ] && ok || bad "proof.json layout of $c differs"
  python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["phases_ms"]["msm_a"]>=0 and p["domain_size"]>0; m=p["msm"]; assert set(m)=={"a","b1","b2","c","h"}; assert m["h"]["window"]>=1 and m["h"]["full"]+m["h"]["zero"]+m["h"]["one"]+m["h"]["small"]==p["domain_size"]; assert p["peak_rss_mib"]>0' \
    "$tmp/profile.json" && ok || bad "profile of $c"
  if [ $have_snarkjs = 1 ]; then
    "$snarkjs" groth16 verify "$fx/$c/verification_key.json" "$tmp/public.json" "$tmp/proof.json" \
      >"$tmp/sj" 2>&1 && grep -q "OK" "$tmp/sj" && ok || bad "snarkjs rejects the proof of $c: $(cat "$tmp/sj")"
  fi
  if [ "$c" = poseidon ]; then # a tampered public signal: both reject
    python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p[0]=str(int(p[0])+1); open(sys.argv[1],"w").write(json.dumps(p,indent=1))' "$tmp/public.json"
    "$bin" verify "$fx/$c/verification_key.json" "$tmp/public.json" "$tmp/proof.json" >/dev/null 2>&1
    [ $? -eq 1 ] && ok || bad "zbprover verify accepts a tampered public.json"
    if [ $have_snarkjs = 1 ]; then
      "$snarkjs" groth16 verify "$fx/$c/verification_key.json" "$tmp/public.json" "$tmp/proof.json" >"$tmp/sj" 2>&1
      grep -q "OK" "$tmp/sj" && bad "snarkjs accepts a tampered public.json" || ok
    fi
  fi
done

# Bad inputs: exit 2, one line naming the file, no outputs left behind.
expect2() { # name, file to find in the message, args...
  local name=$1 needle=$2
  shift 2
  rm -f "$tmp/o_proof.json" "$tmp/o_public.json"
  "$bin" prove "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  [ $rc -eq 2 ] || { bad "$name: exit $rc, want 2 ($(cat "$tmp/err"))"; return; }
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { bad "$name: stderr is not one line"; return; }
  grep -q -- "$needle" "$tmp/err" || { bad "$name: message does not name $needle: $(cat "$tmp/err")"; return; }
  [ ! -e "$tmp/o_proof.json" ] && [ ! -e "$tmp/o_public.json" ] || { bad "$name: output left behind"; return; }
  ok
}
Z=$fx/poseidon/circuit.zkey
W=$fx/poseidon/witness.wtns
head -c 5000 "$Z" > "$tmp/trunc.zkey"
head -c 100 "$W" > "$tmp/trunc.wtns"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-32]^=1; open(sys.argv[2],"wb").write(b)' "$W" "$tmp/unsat.wtns"
expect2 "missing zkey" "$tmp/none.zkey" "$tmp/none.zkey" "$W" "$tmp/o_proof.json" "$tmp/o_public.json"
expect2 "missing witness" "$tmp/none.wtns" "$Z" "$tmp/none.wtns" "$tmp/o_proof.json" "$tmp/o_public.json"
expect2 "truncated zkey" "trunc.zkey" "$tmp/trunc.zkey" "$W" "$tmp/o_proof.json" "$tmp/o_public.json"
expect2 "truncated witness" "trunc.wtns" "$Z" "$tmp/trunc.wtns" "$tmp/o_proof.json" "$tmp/o_public.json"
expect2 "witness as zkey" "witness.wtns" "$W" "$W" "$tmp/o_proof.json" "$tmp/o_public.json"
expect2 "another circuit's witness" "witness.wtns" "$fx/multiplier/circuit.zkey" "$W" "$tmp/o_proof.json" "$tmp/o_public.json"
expect2 "unsatisfied witness" "does not satisfy" "$Z" "$tmp/unsat.wtns" "$tmp/o_proof.json" "$tmp/o_public.json"
expect2 "unwritable public" "no/dir/public.json" "$Z" "$W" "$tmp/o_proof.json" "$tmp/no/dir/public.json"
expect2 "usage" "usage" "$Z" "$W" "$tmp/o_proof.json"
expect2 "bad threads" "threads" "$Z" "$W" "$tmp/o_proof.json" "$tmp/o_public.json" --threads 0
# A write that fails underneath (a file-size limit of 0 stands in for a full disk: EFBIG where a
# full disk gives ENOSPC) is the machine's failure: exit 3, one line naming the file, nothing left.
rm -f "$tmp/o_proof.json" "$tmp/o_public.json"
# (stderr through a pipe: the limit applies to the error file too)
( trap '' XFSZ; ulimit -f 0; exec "$bin" prove "$Z" "$W" "$tmp/o_proof.json" "$tmp/o_public.json" ) \
  2>&1 >/dev/null | cat >"$tmp/err"
rc=${PIPESTATUS[0]}
if [ $rc -ne 3 ]; then bad "full disk: exit $rc, want 3 ($(cat "$tmp/err"))"
elif ! grep -q "o_proof.json: cannot write" "$tmp/err" || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
  bad "full disk: message: $(cat "$tmp/err")"
elif [ -e "$tmp/o_proof.json" ] || [ -e "$tmp/o_public.json" ] || ls "$tmp" | grep -q tmp-; then
  bad "full disk: output left behind"
else ok; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
