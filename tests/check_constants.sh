#!/usr/bin/env bash
# check_constants.sh: field/constants.h must be exactly what field/gen_constants.py prints, so the
# committed constants are reproducible from the two moduli.
set -euo pipefail
src=${ZBP_SOURCE_DIR:?}
for gen in "$src"/*/gen_constants.py; do
  room=$(dirname "$gen")
  if ! diff -u "$room/constants.h" <(python3 "$gen"); then
    echo "FAIL: $room/constants.h differs from what $(basename "$room")/gen_constants.py prints" >&2
    exit 1
  fi
  echo "ok: $(basename "$room")/constants.h matches its generator"
done
