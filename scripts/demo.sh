#!/usr/bin/env bash
# demo.sh: the README's first command: installs dependencies, builds the Release tree and runs
# the main job on the bundled example. Until the prover lands, that job is the version report and
# the field benchmark on every path this CPU has.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc 2>/dev/null || echo 2)" --target zbprover
bin=build/release/zbprover
"$bin" --version
"$bin" bench field
