/* test_witness_native.c: the witness object's native Fr functions (witness/glue_fr.c) against the
 * module's own translated ones, in the module's memory: a fixture's program is built into an object
 * (wasm2c and cc, as `zbprover wtns compile`), loaded here, and its self-test runs each native and
 * the module's function on the same random and edge operands (every tagged form, 0, q-1, q, p/2,
 * 2^256-1, short negatives, aliased and skewed pointers), comparing the memory and the results
 * after each call. The test fails when the object does not use the natives at all. Whole witnesses
 * against snarkjs's, with and without the natives: tests/check_witness.sh. */
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "field/field.h"
#include "testutil.h"
#include "witness/glue.h"
#include "witness/witness.h"

static void h_exception(void *ctx, uint32_t code) { (void)ctx, (void)code; }
static void h_text(void *ctx, const char *msg) { (void)ctx, (void)msg; }
static void h_show(void *ctx, const uint32_t *w, uint32_t n) { (void)ctx, (void)w, (void)n; }
static void h_fr_mul(uint64_t *r, const uint64_t *a, const uint64_t *b) {
    fr_t x, y, z;
    memcpy(x.l, a, 32);
    memcpy(y.l, b, 32);
    fr_mul(&z, &x, &y);
    memcpy(r, z.l, 32);
}

/* Builds the fixture's object, opens it (with the host's field multiplication or the object's
 * portable one) and runs the self-test. */
static void selftest(const char *circuit, int host_mul, uint32_t rounds) {
    if (system("command -v wasm2c >/dev/null && command -v cc >/dev/null") != 0)
        cr_skip_test("wasm2c or cc missing (Debian's wabt; scripts/install-deps.sh)");
    const char *data = test_env_dir("ZBP_TEST_DATA");
    if (!data) cr_skip_test("ZBP_TEST_DATA is not set");
    char wasm[4096], dir[] = "/tmp/zbp-native-XXXXXX", so[4200], err[600];
    snprintf(wasm, sizeof wasm, "%s/fixtures/witness/%s/circuit.wasm", data, circuit);
    cr_assert(mkdtemp(dir) != NULL);
    snprintf(so, sizeof so, "%s/m.so", dir);
    unsetenv("ZBP_WITNESS_NATIVE");
    int st = zbp_witness_compile(wasm, so, err, sizeof err);
    cr_assert_eq(st, ZBP_OK, "%s", err);
    void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    unlink(so);
    rmdir(dir);
    cr_assert(h != NULL, "%s", dlerror());
    zbpw_open_fn open_fn = (zbpw_open_fn)dlsym(h, "zbpw_open");
    zbpw_fr_selftest_fn test = (zbpw_fr_selftest_fn)dlsym(h, "zbpw_fr_selftest");
    cr_assert(open_fn && test, "the object has no zbpw_open or zbpw_fr_selftest");
    zbpw_host_t host = {NULL, h_exception, h_text, h_text, h_show, host_mul ? h_fr_mul : NULL};
    cr_assert_eq(open_fn(&host), 0);
    char what[300] = "";
    uint64_t seed = test_seed();
    int bad = test(seed, rounds, what, sizeof what);
    cr_assert_neq(bad, -1, "%s: the object does not use the native Fr functions", circuit);
    cr_assert_eq(bad, 0, "%s (seed %llu): %d differences; first: %s", circuit,
                 (unsigned long long)seed, bad, what);
}

Test(witness_native, multiplier_host_field) { selftest("multiplier", 1, 400000); }
Test(witness_native, arrays_portable_mul) { selftest("arrays", 0, 400000); }
