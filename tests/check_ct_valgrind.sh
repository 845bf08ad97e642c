#!/usr/bin/env bash
# check_ct_valgrind.sh: the prover's constant-time operations under valgrind with their secrets
# marked undefined (tests/ct_valgrind.c says what is covered). Passes when memcheck sees no branch
# or address that depends on a secret, AND sees the leak of the variable-time control, so that a
# harness that stopped seeing anything would fail. Skipped without valgrind, and in the sanitizer
# build (valgrind cannot run AddressSanitizer's binaries).
set -euo pipefail
prog=${ZBP_BUILD_DIR:?}/tests/ct_valgrind
if [ -n "${ZBP_SANITIZE_FLAGS:-}" ]; then
  echo "SKIPPED: ct_valgrind: the sanitizer build cannot run under valgrind"
  exit 77
fi
if ! command -v valgrind >/dev/null 2>&1; then
  echo "SKIPPED: ct_valgrind: valgrind is not installed (apt-get install valgrind)"
  exit 77
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
vg=(valgrind --tool=memcheck --error-exitcode=1 --track-origins=yes --quiet)
# valgrind's CPUID hides ADX: where the CPU has it, ZBP_ASSUME_ADX=1 puts the ADX path under test
# too (the program then also runs the portable path).
assume=0
grep -qw adx /proc/cpuinfo 2>/dev/null && grep -qw bmi2 /proc/cpuinfo && assume=1
if ! ZBP_ASSUME_ADX=$assume "${vg[@]}" "$prog" ct >"$log" 2>&1; then
  cat "$log" >&2
  echo "FAIL: a constant-time operation branches or indexes on a secret (valgrind's report above)" >&2
  exit 1
fi
cat "$log"
[ $assume = 1 ] || echo "SKIPPED: ct_valgrind: the ADX path (this CPU has no ADX); the portable path was checked"
if "${vg[@]}" "$prog" vartime >"$log" 2>&1; then
  cat "$log" >&2
  echo "FAIL: the control (a variable-time inversion of a secret) was not reported: the harness sees nothing" >&2
  exit 1
fi
grep -q "depends on uninitialised value" "$log" || {
  cat "$log" >&2
  echo "FAIL: the control failed for another reason than a secret-dependent branch" >&2
  exit 1
}
echo "ok: no secret-dependent branch or address in the constant-time operations; the control's leak is seen"
