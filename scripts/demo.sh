#!/usr/bin/env bash
# demo.sh: the README's first command. Installs dependencies, builds the Release tree, then runs
# the main job on the bundled example (tests/fixtures/poseidon: a circom Poseidon circuit's .zkey
# and .wtns, made by tests/fixtures/make_fixtures.sh with circom2 and snarkjs): prove, verify
# with zbprover and with snarkjs, and bind the proof to a simulated SEV-SNP report.
# It builds in the same Release configuration as scripts/test.sh (scripts/common.sh), so that the
# tests afterwards reuse what it compiled; it needs none of the test libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
bash scripts/install-deps.sh build
zbp_configure "$ZBP_RELEASE_DIR" "${ZBP_RELEASE_ARGS[@]}" -DZBP_BUILD_TESTS=OFF
zbp_build "$ZBP_RELEASE_DIR" zbprover
bin=$ZBP_RELEASE_DIR/zbprover
ex=tests/fixtures/poseidon
out=build/demo
mkdir -p "$out"
"$bin" --version
echo "== info"
"$bin" info "$ex/circuit.zkey"
echo "== prove"
"$bin" prove "$ex/circuit.zkey" "$ex/witness.wtns" "$out/proof.json" "$out/public.json" \
  --profile "$out/profile.json"
echo "proof: $out/proof.json  public: $out/public.json  profile: $out/profile.json"
echo "== verify (zbprover)"
"$bin" verify "$ex/verification_key.json" "$out/public.json" "$out/proof.json"
if [ -x node_modules/.bin/snarkjs ]; then
  echo "== verify (snarkjs)"
  node_modules/.bin/snarkjs groth16 verify "$ex/verification_key.json" "$out/public.json" "$out/proof.json"
fi
echo "== attestation (simulated: this machine has no SEV-SNP; never used unless asked by name)"
# REPORT_DATA = SHA-512 of the proof transcript; a report from the simulated signer carries it.
data=$(python3 - "$out/proof.json" "$out/public.json" "$ex/circuit.zkey" <<'PY'
import hashlib, json, struct, sys
proof = json.load(open(sys.argv[1])); pub = json.load(open(sys.argv[2]))
zkey = hashlib.sha256(open(sys.argv[3], "rb").read()).digest()
lp = lambda b: struct.pack("<I", len(b)) + b
be = lambda s: int(s).to_bytes(32, "big")
t = b"ZBPROVER-PROOF-V1" + lp(b"demo-job") + lp(b"") + zkey + struct.pack("<I", len(pub))
t += b"".join(be(x) for x in pub)
a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
t += be(a[0]) + be(a[1]) + be(b[0][0]) + be(b[0][1]) + be(b[1][0]) + be(b[1][1]) + be(c[0]) + be(c[1])
print(hashlib.sha512(t).hexdigest())
PY
)
"$bin" attest report "$out/report.bin" --data "$data" --backend sim --sim-dir "$out/sim"
"$bin" attest verify "$out/report.bin" --certs "$out/sim" --trust-root "$out/sim/ark.pem" \
  --report-data "$data"
echo "demo: proof verified; report bound to it (REPORT_DATA = $data)"
