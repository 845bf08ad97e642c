#!/usr/bin/env bash
# check_cli_progress.sh: what the CLI shows people. Progress goes to stderr on a terminal only
# (run under `script`, which gives the command a pseudo-terminal), each step as a line with
# ZBP_PROGRESS=1, nothing in a log; `prove --profile FILE` keeps its JSON and adds a table on a
# terminal or with --profile-table; `info` tells a file's type from its contents and refuses, by
# name, what it cannot read; `bench` lists every benchmark.
set -u
bin=${ZBP_BINARY:?}
src=${ZBP_SOURCE_DIR:?}
fx=$src/tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
z=$fx/poseidon/circuit.zkey
w=$fx/poseidon/witness.wtns

# In a log: no progress, no table; the JSON profile is written.
"$bin" prove "$z" "$w" "$tmp/p.json" "$tmp/u.json" --profile "$tmp/prof.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ ! -s "$tmp/err" ] && [ ! -s "$tmp/out" ] && ok ||
  { cat "$tmp/err"; bad "prove in a log wrote to stdout or stderr"; }
python3 -c 'import json,sys; json.load(open(sys.argv[1]))["phases_ms"]["msm_a"]' "$tmp/prof.json" &&
  ok || bad "--profile FILE is not the JSON profile"
# --profile-table: the table on stderr even in a log, with every phase and the total.
"$bin" prove "$z" "$w" "$tmp/p.json" "$tmp/u.json" --profile-table >"$tmp/out" 2>"$tmp/err"
for row in "phase" "msm B2 (G2)" "transforms" "verify" "total" "peak memory"; do
  grep -qF "$row" "$tmp/err" && ok || bad "--profile-table: no '$row' in: $(head -3 "$tmp/err")"
done
[ ! -s "$tmp/out" ] && ok || bad "--profile-table wrote to stdout"
# ZBP_PROGRESS=1: each phase of the proof as a line of its own.
ZBP_PROGRESS=1 "$bin" prove "$z" "$w" "$tmp/p.json" "$tmp/u.json" 2>"$tmp/err" >/dev/null
for phase in "witness" "transforms" "msm A (G1)" "msm H (G1)" "verify"; do
  grep -qF "zbprover prove: $phase (" "$tmp/err" && ok || bad "ZBP_PROGRESS=1: no '$phase' line"
done
ZBP_PROGRESS=1 "$bin" bench msm --curve g1 --log-size 6 --repeat 2 2>"$tmp/err" >/dev/null
grep -qF "zbprover bench msm: run 2 of 2" "$tmp/err" && ok || bad "bench msm: no progress lines"

# On a terminal: bench msm's progress line is drawn; a proof under a second draws none but the
# profile table comes with --profile FILE.
if command -v script >/dev/null; then
  # No delay before the line: a quiet fast machine finishes this in well under the default 250 ms.
  ZBP_PROGRESS_DELAY_MS=0 script -qec "'$bin' bench msm --curve g1 --log-size 10 --repeat 3" /dev/null >"$tmp/tty" 2>&1
  grep -qF "zbprover bench msm:" "$tmp/tty" && ok || bad "bench msm on a terminal: no progress"
  grep -q "ratio" "$tmp/tty" && ok || bad "bench msm on a terminal: no result"
  ZBP_PROGRESS_DELAY_MS=0 script -qec "'$bin' bench ntt --log-size 10 --samples 2" /dev/null >"$tmp/tty" 2>&1
  grep -qF "zbprover bench ntt:" "$tmp/tty" && ok || bad "bench ntt on a terminal: no progress"
  script -qec "'$bin' prove '$z' '$w' '$tmp/p.json' '$tmp/u.json' --profile '$tmp/prof2.json'" \
    /dev/null >"$tmp/tty" 2>&1
  grep -qF "msm B2 (G2)" "$tmp/tty" && [ -s "$tmp/prof2.json" ] && ok ||
    bad "prove --profile FILE on a terminal: no table"
  ZBP_PROGRESS=0 script -qec "'$bin' bench msm --curve g1 --log-size 6 --repeat 1" /dev/null \
    >"$tmp/tty" 2>&1
  grep -qF "zbprover bench msm:" "$tmp/tty" && bad "ZBP_PROGRESS=0 still draws progress" || ok
else
  echo "SKIPPED: check_cli_progress: the terminal cases (no \`script\` here)"
fi

# info: by contents, not by name.
cp "$z" "$tmp/key.bin"
"$bin" info "$tmp/key.bin" >"$tmp/out" 2>&1 && grep -q "^constraints" "$tmp/out" && ok ||
  bad "info on a .zkey under another name"
report=$src/tests/fuzz/corpus/fuzz_snp_report/synthetic-v2-milan.bin
"$bin" info "$report" >"$tmp/out" 2>&1 && ok || { cat "$tmp/out"; bad "info on an SNP report"; }
for f in "$fx/poseidon/proof.json" "$fx/poseidon/input.json"; do
  "$bin" info "$f" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF "$f: a JSON file" "$tmp/err" &&
    ! grep -q "report" "$tmp/out" && ok || bad "info on $(basename "$f"): exit $rc, $(cat "$tmp/err")"
done
head -c 1184 /dev/zero >"$tmp/zeros.bin"
"$bin" info "$tmp/zeros.bin" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "$tmp/zeros.bin: of an unknown type" "$tmp/err" && ok ||
  bad "info on 1184 zero bytes: $(cat "$tmp/err")"
: >"$tmp/empty"
"$bin" info "$tmp/empty" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -qF "an empty file" "$tmp/err" && ok || bad "info on an empty file: $(cat "$tmp/err")"

# bench: its usage names every benchmark.
"$bin" bench >/dev/null 2>"$tmp/err"
grep -q "msm" "$tmp/err" && ok || bad "bench's usage does not list msm: $(cat "$tmp/err")"
"$bin" --help | grep -q "field, curve, ntt, msm" && ok || bad "--help: bench does not list msm"

echo "check_cli_progress: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
