#!/usr/bin/env bash
# check_install.sh: the drop-in for rapidsnark, as its users meet it. `cmake --install` of this
# build into a temporary prefix; the files a user expects there; libzbprover.so exporting the
# public face and nothing else; pkg-config's flags naming the installed headers only; a program
# written against rapidsnark's prover.h (tests/rapidsnark_client.c) built with those flags against
# the shared and then the static library, run on the bundled fixture, its proof verified; and the
# installed `prover` link behaving as rapidsnark's CLI (arguments, compact JSON, exit status 1).
set -u
src=${ZBP_SOURCE_DIR:?}
build=${ZBP_BUILD_DIR:?}
cc=${CC:-cc}
fx=$src/tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

prefix=$tmp/prefix
if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  echo "FAIL: cmake --install $build"
  exit 1
fi
libdir=$(dirname "$(find "$prefix" -name zbprover.pc | head -1)")/..
libdir=$(cd "$libdir" && pwd)
for f in bin/zbprover include/zbprover/zbprover.h include/zbprover/prover.h \
         include/zbprover/zbprover_export.h; do
  [ -f "$prefix/$f" ] && ok || bad "not installed: $f"
done
for f in libzbprover.a libzbprover.so; do
  [ -e "$libdir/$f" ] && ok || bad "not installed: $libdir/$f"
done
[ "$(readlink "$prefix/bin/prover")" = zbprover ] && ok || bad "bin/prover is not a link to zbprover"

# The shared library's dynamic symbols: exactly the public headers' functions (ZBPROVER_API),
# which are also exactly the version script's names.
want=$(sed -n 's/^ZBPROVER_API [^(]*[ *]\([a-z0-9_]*\)(.*/\1/p' "$src"/include/*.h | sort)
map=$(sed -n 's/^ *\([a-z0-9_]*\);$/\1/p' "$src/include/libzbprover.map" | sort)
[ "$want" = "$map" ] && [ "$(echo "$want" | wc -l)" -ge 11 ] && ok ||
  bad "include/libzbprover.map does not list the ZBPROVER_API functions: $(diff <(echo "$want") <(echo "$map"))"
got=$(nm -D --defined-only "$libdir/libzbprover.so" | awk '$2 ~ /^[TWDBR]$/ {print $3}' | sort)
if [ "$got" = "$want" ]; then ok; else
  bad "libzbprover.so exports other symbols than the public face:"
  diff <(echo "$want") <(echo "$got") | head -20
fi

# pkg-config: the installed include directory, not the source tree.
export PKG_CONFIG_PATH=$libdir/pkgconfig
cflags=$(pkg-config --cflags zbprover) && libs=$(pkg-config --libs zbprover) && ok ||
  bad "pkg-config --cflags --libs zbprover failed"
cflags=$(echo $cflags) # (pkg-config ends the line with a space)
case "$cflags" in *"$src"*) bad "pkg-config's cflags name the source tree: $cflags" ;; *) ok ;; esac
[ "$(cd "${cflags#-I}" 2>/dev/null && pwd)" = "$prefix/include/zbprover" ] && ok ||
  bad "pkg-config --cflags is '$cflags', not -I<prefix>/include/zbprover"

# The rapidsnark program: compiled against the installed header, linked (a) with the shared
# library, (b) with the static one; each proves the fixture and rejects what rapidsnark rejects.
san=${ZBP_SANITIZE_FLAGS:-}
z=$fx/poseidon/circuit.zkey
w=$fx/poseidon/witness.wtns
other=$fx/multiplier/witness.wtns
vk=$fx/poseidon/verification_key.json
# shellcheck disable=SC2086
if $cc $san -std=c11 -Wall -Wextra -Werror $cflags "$src/tests/rapidsnark_client.c" -o "$tmp/client" \
     $libs -Wl,-rpath,"$libdir" 2>"$tmp/cc.log"; then ok; else
  cat "$tmp/cc.log"; bad "the rapidsnark client does not build against the shared library"; fi
static_libs=$(pkg-config --static --libs-only-L --libs-only-other zbprover)
static_deps=$(pkg-config --static --libs-only-l zbprover | sed 's/-lzbprover//')
# shellcheck disable=SC2086
if $cc $san -std=c11 -Wall -Wextra -Werror $cflags "$src/tests/rapidsnark_client.c" \
     -o "$tmp/client_static" $static_libs "$libdir/libzbprover.a" $static_deps 2>"$tmp/cc2.log"; then ok; else
  cat "$tmp/cc2.log"; bad "the rapidsnark client does not build against the static library"; fi
if ldd "$tmp/client" 2>/dev/null | grep -q "libzbprover.so"; then ok; else
  bad "the shared client does not load libzbprover.so"; fi
if ldd "$tmp/client_static" 2>/dev/null | grep -q "libzbprover.so"; then
  bad "the static client loads libzbprover.so"; else ok; fi
for c in client client_static; do
  if [ -x "$tmp/$c" ] && "$tmp/$c" "$z" "$w" "$other" "$tmp/$c.proof.json" "$tmp/$c.public.json"; then
    if "$prefix/bin/zbprover" verify "$vk" "$tmp/$c.public.json" "$tmp/$c.proof.json" >/dev/null; then ok; else
      bad "$c: its proof does not verify"; fi
  else
    bad "$c failed"
  fi
done

# `prover`: rapidsnark's CLI. Compact JSON with rapidsnark's keys, both files, exit 0.
prover=$prefix/bin/prover
if "$prover" "$z" "$w" "$tmp/p.json" "$tmp/u.json" >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then ok; else
  cat "$tmp/out"; bad "prover: did not prove quietly"; fi
"$prefix/bin/zbprover" verify "$vk" "$tmp/u.json" "$tmp/p.json" >/dev/null && ok || bad "prover: proof rejected"
python3 - "$tmp/p.json" "$tmp/u.json" <<'PY' && ok || bad "prover: not rapidsnark's compact JSON"
import json, sys
for path in sys.argv[1:]:
    t = open(path).read()
    assert " " not in t and "\n" not in t, path + ": not compact"
    json.loads(t)
p = json.loads(open(sys.argv[1]).read())
assert list(p) == ["pi_a", "pi_b", "pi_c", "protocol"], list(p)
assert p["protocol"] == "groth16" and p["pi_a"][2] == "1" and p["pi_b"][2] == ["1", "0"]
PY
if command -v node >/dev/null && [ -x "$src/node_modules/.bin/snarkjs" ]; then
  "$src/node_modules/.bin/snarkjs" groth16 verify "$vk" "$tmp/u.json" "$tmp/p.json" >/dev/null &&
    ok || bad "prover: snarkjs rejects the proof"
else
  echo "SKIPPED: check_install: snarkjs's check of the \`prover\` proof (run npm ci)"
fi
# Failures: status 1 (rapidsnark's), the message on stderr, nothing on stdout, no files left.
"$prover" "$z" "$w" "$tmp/p2.json" >"$tmp/o" 2>"$tmp/e"
[ $? -eq 1 ] && grep -q "Invalid number of parameters" "$tmp/e" && [ ! -s "$tmp/o" ] && ok ||
  bad "prover with three arguments: not rapidsnark's usage error"
"$prover" "$tmp/missing.zkey" "$w" "$tmp/p3.json" "$tmp/u3.json" >"$tmp/o" 2>"$tmp/e"
[ $? -eq 1 ] && grep -q "^Error: " "$tmp/e" && [ ! -e "$tmp/p3.json" ] && [ ! -e "$tmp/u3.json" ] && ok ||
  bad "prover with a missing key: not status 1 with 'Error: ...', or files left"
"$prover" "$z" "$other" "$tmp/p4.json" "$tmp/u4.json" >"$tmp/o" 2>"$tmp/e"
[ $? -eq 1 ] && grep -q "^Error: " "$tmp/e" && [ ! -e "$tmp/p4.json" ] && ok ||
  bad "prover with another circuit's witness: not status 1, or files left"
mkdir "$tmp/dir" # a public.json that cannot be written (a directory is in the way): neither file
"$prover" "$z" "$w" "$tmp/p5.json" "$tmp/dir" >/dev/null 2>"$tmp/e"
[ $? -eq 1 ] && [ ! -e "$tmp/p5.json" ] && grep -q "^Error: " "$tmp/e" && ok ||
  bad "prover: an unwritable public.json left proof.json behind"
"$prover" --help >"$tmp/o" && grep -q "Usage: prover" "$tmp/o" && ok || bad "prover --help"

echo "check_install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
