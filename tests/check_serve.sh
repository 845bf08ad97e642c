#!/usr/bin/env bash
# check_serve.sh: `zbprover serve` end to end through tests/serve_client.js (Node's built-in crypto
# only): jobs on every fixture circuit with sim attestation, check-bundle, transcripts recomputed
# independently, tickets (replay, also across SIGKILL; expiry; signature; circuit; Ed25519 and
# RSA-PSS), sealed witnesses, a flood of bad lines with flat memory, timeouts, SIGTERM and EOF.
set -u
bin=${ZBP_BINARY:?}
src=${ZBP_SOURCE_DIR:?}
if ! command -v node >/dev/null; then
  echo "SKIPPED: check_serve: node is not installed"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ZBP_BINARY=$bin ZBP_SOURCE_DIR=$src timeout 300 node "$src/tests/serve_client.js" "$tmp"
