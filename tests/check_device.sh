#!/usr/bin/env bash
# check_device.sh: the device choice from the outside, through the prover's face (zbp_circuit_t):
# `prove --device` and `serve --device` without a GPU (cuda refused: exit 3 and one line; auto
# proves on the CPU), and, with the test builds' fake GPU ($ZBP_TEST_FAKE_GPU, ZBP_TEST_HOOKS), a
# proof made "on the GPU", auto's fallback said once on stderr (CLI) or in the log (loop), the
# device in the answer and in `info`, and a loop answer when cuda's GPU cannot hold the key.
set -u
bin=${ZBP_BINARY:?}
src=${ZBP_SOURCE_DIR:?}
fx=$src/tests/fixtures/poseidon
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
prove() { # prove DEVICE [env...]: exit status in $rc, stderr in $tmp/err
  local dev=$1; shift
  env "$@" "$bin" prove "$fx/circuit.zkey" "$fx/witness.wtns" "$tmp/proof.json" "$tmp/public.json" \
    --device "$dev" --profile "$tmp/prof.json" 2>"$tmp/err"
  rc=$?
}
verifies() {
  "$bin" verify "$fx/verification_key.json" "$tmp/public.json" "$tmp/proof.json" >/dev/null 2>&1 &&
    cmp -s "$tmp/public.json" "$fx/public.json"
}

gpu=0
"$bin" prove "$fx/circuit.zkey" "$fx/witness.wtns" "$tmp/p" "$tmp/u" --device cuda 2>/dev/null && gpu=1
if [ $gpu = 0 ]; then
  prove cuda
  [ $rc = 3 ] || fail "prove --device cuda without a GPU: exit $rc, want 3"
  grep -q "prove: --device cuda: no usable GPU" "$tmp/err" || fail "prove --device cuda: $(cat "$tmp/err")"
  prove auto
  [ $rc = 0 ] && verifies || fail "prove --device auto without a GPU: exit $rc: $(cat "$tmp/err")"
  [ ! -s "$tmp/err" ] || fail "auto without a GPU is quiet, said: $(cat "$tmp/err")"
  grep -q '"backend": "cpu"' "$tmp/prof.json" || fail "profile: $(head -3 "$tmp/prof.json")"
  echo '{"id":"p","op":"ping"}' | "$bin" serve --attest none --device cuda >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc = 3 ] || fail "serve --device cuda without a GPU: exit $rc, want 3"
  grep -q "serve: --device cuda: no usable GPU" "$tmp/err" || fail "serve --device cuda: $(cat "$tmp/err")"
  [ ! -s "$tmp/out" ] || fail "serve --device cuda served: $(cat "$tmp/out")"
fi
echo '{"id":"p","op":"ping"}' | "$bin" serve --attest none --device tpu >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] || fail "serve --device tpu: exit $rc, want 2"
grep -q "auto, cpu or cuda\[:N\]" "$tmp/err" || fail "serve --device tpu: $(cat "$tmp/err")"

# ---- the fake GPU of test builds ----
prove cuda ZBP_TEST_FAKE_GPU=ok
if [ $gpu = 0 ] && [ $rc != 0 ]; then
  echo "check_device: no test hooks in this binary (ZBP_BUILD_TESTS=OFF): the fake GPU part is skipped"
  exit 0
fi
[ $rc = 0 ] && verifies || fail "prove --device cuda on the fake GPU: exit $rc: $(cat "$tmp/err")"
grep -q '"backend": "cuda:0"' "$tmp/prof.json" || fail "the profile does not name the GPU"
for mode in fail wrong nomem; do
  prove auto ZBP_TEST_FAKE_GPU=$mode
  [ $rc = 0 ] && verifies || fail "auto, fake GPU $mode: exit $rc: $(cat "$tmp/err")"
  [ "$(grep -c 'prove: --device auto: .*CPU' "$tmp/err")" = 1 ] ||
    fail "auto, fake GPU $mode: the fallback is not said once: $(cat "$tmp/err")"
  grep -q '"backend": "cpu"' "$tmp/prof.json" || fail "auto, fake GPU $mode: profile"
done
prove cuda ZBP_TEST_FAKE_GPU=fail
[ $rc = 3 ] || fail "cuda, fake GPU fail: exit $rc, want 3"
grep -q "illegal memory access" "$tmp/err" || fail "cuda, fake GPU fail: $(cat "$tmp/err")"

# the loop: two jobs on one cached circuit, then info
req() {
  printf '{"id":"1","op":"prove","zkey":"%s","wtns":"%s"}\n' "$fx/circuit.zkey" "$fx/witness.wtns"
  printf '{"id":"2","op":"prove","zkey":"%s","wtns":"%s"}\n' "$fx/circuit.zkey" "$fx/witness.wtns"
  echo '{"id":"i","op":"info"}'
}
serve() { # serve DEVICE MODE
  req | ZBP_TEST_FAKE_GPU=$2 timeout 120 "$bin" serve --attest none --device "$1" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc = 0 ] || fail "serve --device $1, fake GPU $2: exit $rc: $(cat "$tmp/err")"
}
serve cuda ok
[ "$(grep -c '"ok":true,"proof".*"device":"cuda:0"' "$tmp/out")" = 2 ] || fail "serve cuda: $(cut -c1-300 "$tmp/out")"
# the circuit's worker holds it on the GPU (serve's workers, docs/threat-model.md)
grep '"id":"i"' "$tmp/out" | grep -q '"device":"cuda","attestation".*"uses":2.*"workers":\[{[^]]*"device":"cuda:0"' ||
  fail "serve cuda: info: $(grep '"id":"i"' "$tmp/out")"
grep '"id":"i"' "$tmp/out" | grep -q '"backends":{"device":\["cpu","cuda:0"\]' ||
  fail "serve cuda: info's backends: $(grep '"id":"i"' "$tmp/out")"
serve auto wrong
grep '"id":"1"' "$tmp/out" | grep -q '"ok":true.*"device":"cpu"' || fail "serve auto, wrong GPU proof: $(cut -c1-300 "$tmp/out")"
grep '"id":"2"' "$tmp/out" | grep -q '"ok":true.*"device":"cpu"' || fail "serve auto, second job: $(cut -c1-300 "$tmp/out")"
[ "$(grep -c '"event":"device_fallback"' "$tmp/err")" = 1 ] || fail "serve auto: the fallback is not logged once: $(cat "$tmp/err")"
serve cuda nomem
[ "$(grep -c '"ok":false,"error":{"code":"internal","message":"--device cuda: GPU 0: out of memory' "$tmp/out")" = 2 ] ||
  fail "serve cuda, key too large: $(cat "$tmp/out")"
serve cpu fail
[ "$(grep -c '"ok":true,"proof".*"device":"cpu"' "$tmp/out")" = 2 ] || fail "serve cpu: $(cut -c1-300 "$tmp/out")"
echo "check_device: ok"
