/* test_prove.c: the Groth16 prover on the snarkjs fixtures: every proof verifies against snarkjs's
 * verification_key.json, public signals equal snarkjs's, fixed r and s give the same bits on any
 * thread count, and a witness that does not satisfy the circuit (or belongs to another circuit)
 * is refused with a message instead of a proof. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "prover/prover.h"
#include "testutil.h"

static const char *CIRCUITS[] = {"multiplier", "poseidon", "comparator", "many_public", "no_public"};
#define N_CIRCUITS (sizeof CIRCUITS / sizeof CIRCUITS[0])

static void fixture(char *out, size_t n, const char *circuit, const char *file) {
    const char *d = test_env_dir("ZBP_TEST_DATA");
    if (!d) cr_skip_test("ZBP_TEST_DATA is not set");
    snprintf(out, n, "%s/fixtures/%s/%s", d, circuit, file);
}

static void open_pair(zbp_zkey_t *z, zbp_wtns_t *w, const char *circuit) {
    char zp[1024], wp[1024], err[512];
    fixture(zp, sizeof zp, circuit, "circuit.zkey");
    fixture(wp, sizeof wp, circuit, "witness.wtns");
    cr_assert_eq(zbp_zkey_open(z, zp, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(zbp_wtns_open(w, wp, err, sizeof err), ZBP_OK, "%s", err);
}

static int same_proof(const zbp_proof_t *a, const zbp_proof_t *b) {
    return g1_affine_equal(&a->a, &b->a) && g2_affine_equal(&a->b, &b->b) &&
           g1_affine_equal(&a->c, &b->c);
}

Test(prove, fixtures_verify_with_snarkjs_keys) {
    char dir[] = "/tmp/zbp-prove-XXXXXX";
    cr_assert(mkdtemp(dir));
    for (size_t i = 0; i < N_CIRCUITS; i++) {
        zbp_zkey_t z;
        zbp_wtns_t w;
        open_pair(&z, &w, CIRCUITS[i]);
        zbp_proof_t p;
        zbp_profile_t prof;
        char err[512];
        cr_assert_eq(zbp_groth16_prove(&p, &z, &w, NULL, &prof, err, sizeof err), ZBP_OK, "%s: %s",
                     CIRCUITS[i], err);
        cr_assert_eq(p.n_public, z.n_public);
        cr_assert_eq(prof.domain_size, z.domain_size);
        char pp[1100], up[1100], vk[1024], want_pub[1024];
        snprintf(pp, sizeof pp, "%s/proof.json", dir);
        snprintf(up, sizeof up, "%s/public.json", dir);
        cr_assert_eq(zbp_write_proof_files(pp, up, &p, err, sizeof err), ZBP_OK, "%s", err);
        fixture(vk, sizeof vk, CIRCUITS[i], "verification_key.json");
        int valid = 0;
        cr_assert_eq(groth16_verify_files(vk, up, pp, &valid, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert(valid, "%s: the proof does not verify", CIRCUITS[i]);
        /* public.json is exactly snarkjs's */
        fixture(want_pub, sizeof want_pub, CIRCUITS[i], "public.json");
        char cmd[2300];
        snprintf(cmd, sizeof cmd, "cmp -s %s %s", up, want_pub);
        cr_assert_eq(system(cmd), 0, "%s: public.json differs from snarkjs's", CIRCUITS[i]);
        zbp_proof_free(&p);
        zbp_zkey_close(&z);
        zbp_wtns_close(&w);
    }
    char cmd[100];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(prove, fixed_randomizers_are_deterministic_on_any_thread_count) {
    zbp_zkey_t z;
    zbp_wtns_t w;
    open_pair(&z, &w, "poseidon");
    zbp_prove_opts_t o;
    zbp_prove_opts_init(&o);
    o.fixed_rs = 1;
    o.r[0] = 12345;
    o.s[0] = 67890;
    o.s[3] = 0x0123456789abcdefull; /* a full-width s */
    zbp_proof_t p[3];
    char err[512];
    for (int t = 1; t <= 3; t++) {
        o.threads = t;
        cr_assert_eq(zbp_groth16_prove(&p[t - 1], &z, &w, &o, NULL, err, sizeof err), ZBP_OK, "%s", err);
    }
    cr_assert(same_proof(&p[0], &p[1]) && same_proof(&p[0], &p[2]), "thread counts disagree");
    /* different randomizers: a different, still valid proof */
    o.r[0] = 1;
    zbp_proof_t q;
    cr_assert_eq(zbp_groth16_prove(&q, &z, &w, &o, NULL, err, sizeof err), ZBP_OK);
    cr_assert(!same_proof(&p[0], &q));
    /* r = s = 0: deterministic and still valid (docs/formats.md: not zero-knowledge) */
    memset(o.r, 0, 32);
    memset(o.s, 0, 32);
    zbp_proof_t zero;
    cr_assert_eq(zbp_groth16_prove(&zero, &z, &w, &o, NULL, err, sizeof err), ZBP_OK, "%s", err);
    /* the OS generator gives a fresh proof each time */
    zbp_proof_t r1, r2;
    cr_assert_eq(zbp_groth16_prove(&r1, &z, &w, NULL, NULL, err, sizeof err), ZBP_OK);
    cr_assert_eq(zbp_groth16_prove(&r2, &z, &w, NULL, NULL, err, sizeof err), ZBP_OK);
    cr_assert(!same_proof(&r1, &r2), "two proofs with fresh randomizers are equal");
    for (int t = 0; t < 3; t++) zbp_proof_free(&p[t]);
    zbp_proof_free(&q);
    zbp_proof_free(&zero);
    zbp_proof_free(&r1);
    zbp_proof_free(&r2);
    zbp_zkey_close(&z);
    zbp_wtns_close(&w);
}

Test(prove, unsatisfied_witness_is_refused) {
    char zp[1024], wp[1024], err[512];
    fixture(zp, sizeof zp, "poseidon", "circuit.zkey");
    fixture(wp, sizeof wp, "poseidon", "witness.wtns");
    FILE *f = fopen(wp, "rb");
    cr_assert(f);
    uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    zbp_zkey_t z;
    cr_assert_eq(zbp_zkey_open(&z, zp, err, sizeof err), ZBP_OK);
    /* change one internal wire: the values stay below r, but a constraint breaks */
    size_t last = len - 32;
    buf[last] ^= 1;
    zbp_wtns_t w;
    cr_assert_eq(zbp_wtns_from_memory(&w, buf, len, "bad.wtns", err, sizeof err), ZBP_OK, "%s", err);
    zbp_proof_t p;
    int st = zbp_groth16_prove(&p, &z, &w, NULL, NULL, err, sizeof err);
    cr_assert_eq(st, ZBP_ERR_INPUT);
    cr_assert(strstr(err, "does not satisfy") && strstr(err, "bad.wtns"), "%s", err);
    cr_assert_null(p.pub);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
}

Test(prove, witness_of_another_circuit) {
    char zp[1024], wp[1024], err[512];
    fixture(zp, sizeof zp, "multiplier", "circuit.zkey");
    fixture(wp, sizeof wp, "poseidon", "witness.wtns");
    zbp_zkey_t z;
    zbp_wtns_t w;
    cr_assert_eq(zbp_zkey_open(&z, zp, err, sizeof err), ZBP_OK);
    cr_assert_eq(zbp_wtns_open(&w, wp, err, sizeof err), ZBP_OK);
    zbp_proof_t p;
    cr_assert_eq(zbp_groth16_prove(&p, &z, &w, NULL, NULL, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "522 values") && strstr(err, "another circuit"), "%s", err);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
}

/* A proof of the multiplier fixture and a fresh directory for its files (dir: a mkdtemp template). */
static void proof_and_dir(zbp_zkey_t *z, zbp_wtns_t *w, zbp_proof_t *p, char *dir) {
    char err[512];
    open_pair(z, w, "multiplier");
    cr_assert_eq(zbp_groth16_prove(p, z, w, NULL, NULL, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert(mkdtemp(dir));
}

/* The directory holds nothing (no output, no temporary file); then it is removed. */
static void assert_empty_and_remove(const char *dir) {
    char cmd[200];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\" && rm -rf %s", dir, dir);
    cr_assert_eq(system(cmd), 0, "files left in %s", dir);
}

Test(prove, unwritable_outputs_leave_nothing) {
    zbp_zkey_t z;
    zbp_wtns_t w;
    zbp_proof_t p;
    char err[512], dir[] = "/tmp/zbp-prove-out-XXXXXX";
    proof_and_dir(&z, &w, &p, dir);
    char pp[1100], up[1100];
    snprintf(pp, sizeof pp, "%s/proof.json", dir);
    snprintf(up, sizeof up, "%s/no/such/dir/public.json", dir);
    /* a directory that does not exist is the caller's path: input (exit 2) */
    cr_assert_eq(zbp_write_proof_files(pp, up, &p, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "public.json"), "%s", err);
    cr_assert_neq(access(pp, F_OK), 0, "proof.json was left behind");
    assert_empty_and_remove(dir);
    zbp_proof_free(&p);
    zbp_zkey_close(&z);
    zbp_wtns_close(&w);
}

/* A write that fails underneath (here a file-size limit of 0, as a full disk would: EFBIG instead
 * of ENOSPC) is the machine's failure, ZBP_ERR_IO (exit 3), not the caller's input. */
Test(prove, a_failing_write_is_an_io_error) {
    zbp_zkey_t z;
    zbp_wtns_t w;
    zbp_proof_t p;
    char err[512], dir[] = "/tmp/zbp-prove-full-XXXXXX";
    proof_and_dir(&z, &w, &p, dir);
    char pp[1100], up[1100];
    snprintf(pp, sizeof pp, "%s/proof.json", dir);
    snprintf(up, sizeof up, "%s/public.json", dir);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit zero = {0, RLIM_INFINITY}, old;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    zero.rlim_max = old.rlim_max;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &zero), 0);
    int st = zbp_write_proof_files(pp, up, &p, err, sizeof err);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    cr_assert_eq(st, ZBP_ERR_IO, "%d: %s", st, err);
    cr_assert(strstr(err, "proof.json"), "%s", err);
    assert_empty_and_remove(dir);
    zbp_proof_free(&p);
    zbp_zkey_close(&z);
    zbp_wtns_close(&w);
}
