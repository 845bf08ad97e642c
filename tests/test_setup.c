/* test_setup.c: the insecure development setup on every fixture's .r1cs: the key has snarkjs's
 * header sizes and exactly `zkey new`'s coefficient section, its points are valid with the same
 * identities (all-zero points) as snarkjs's key, the fixture's witness proves and verifies under
 * it, its contribution names it insecure, and every run draws new toxic waste. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prover/prover.h"
#include "prover/readers_int.h"
#include "testutil.h"

static const char *CIRCUITS[] = {"multiplier", "poseidon", "comparator", "many_public", "no_public"};
#define N_CIRCUITS (sizeof CIRCUITS / sizeof CIRCUITS[0])

static void fixture(char *out, size_t n, const char *circuit, const char *file) {
    const char *d = test_env_dir("ZBP_TEST_DATA");
    if (!d) cr_skip_test("ZBP_TEST_DATA is not set");
    snprintf(out, n, "%s/fixtures/%s/%s", d, circuit, file);
}

/* Runs the setup of `circuit` into dir/<circuit>.zkey and opens the result. */
static void make_key(zbp_zkey_t *z, char *path, size_t pathlen, const char *dir,
                     const char *circuit, int threads) {
    char rp[1024], err[512];
    fixture(rp, sizeof rp, circuit, "circuit.r1cs");
    zbp_r1cs_t r;
    cr_assert_eq(zbp_r1cs_open(&r, rp, err, sizeof err), ZBP_OK, "%s", err);
    snprintf(path, pathlen, "%s/%s.zkey", dir, circuit);
    zbp_setup_opts_t o;
    zbp_setup_opts_init(&o);
    o.threads = threads;
    zbp_setup_stats_t st;
    cr_assert_eq(zbp_setup_insecure_dev(&r, path, &o, &st, err, sizeof err), ZBP_OK, "%s: %s",
                 circuit, err);
    cr_assert_eq(st.n_vars, r.n_wires);
    cr_assert_eq(st.n_constraints, r.n_constraints);
    zbp_r1cs_close(&r);
    cr_assert_eq(zbp_zkey_open(z, path, err, sizeof err), ZBP_OK, "%s", err);
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return 0;
    return 1;
}

Test(setup, fixtures_match_snarkjs_layout_and_prove) {
    char dir[] = "/tmp/zbp-setup-XXXXXX";
    cr_assert(mkdtemp(dir));
    for (size_t i = 0; i < N_CIRCUITS; i++) {
        const char *c = CIRCUITS[i];
        char path[1100], err[512], sp[1024], wp[1024];
        zbp_zkey_t z, ref;
        make_key(&z, path, sizeof path, dir, c, i % 2 ? 1 : 2);
        fixture(sp, sizeof sp, c, "circuit.zkey");
        cr_assert_eq(zbp_zkey_open(&ref, sp, err, sizeof err), ZBP_OK, "%s", err);
        /* zkey new's sizes and coefficient records, byte for byte */
        cr_assert_eq(z.n_vars, ref.n_vars, "%s", c);
        cr_assert_eq(z.n_public, ref.n_public, "%s", c);
        cr_assert_eq(z.domain_size, ref.domain_size, "%s", c);
        cr_assert_eq(z.n_coefs, ref.n_coefs, "%s", c);
        cr_assert_eq(memcmp(z.coefs, ref.coefs, (size_t)z.n_coefs * 44), 0,
                     "%s: coefficient section differs from snarkjs's", c);
        cr_assert_eq(zbp_zkey_check_points(&z, err, sizeof err), ZBP_OK, "%s", err);
        /* identities (all-zero points) where snarkjs has them, and only there */
        for (uint32_t k = 0; k < z.n_vars; k++) {
            cr_assert_eq(all_zero(z.a + 64 * (size_t)k, 64), all_zero(ref.a + 64 * (size_t)k, 64),
                         "%s: A[%u]", c, k);
            cr_assert_eq(all_zero(z.b1 + 64 * (size_t)k, 64), all_zero(ref.b1 + 64 * (size_t)k, 64),
                         "%s: B1[%u]", c, k);
            cr_assert_eq(all_zero(z.b2 + 128 * (size_t)k, 128),
                         all_zero(ref.b2 + 128 * (size_t)k, 128), "%s: B2[%u]", c, k);
        }
        /* gamma is the generator; delta is not */
        cr_assert(g2_affine_equal(&z.gamma2, &G2_GENERATOR));
        cr_assert(!g1_affine_equal(&z.delta1, &G1_GENERATOR));
        cr_assert_eq(z.n_contributions, 1);

        /* the fixture's witness proves under the new key (zbp_groth16_prove checks the proof
         * with the key's own verification key), and the exported key verifies the files */
        zbp_wtns_t w;
        fixture(wp, sizeof wp, c, "witness.wtns");
        cr_assert_eq(zbp_wtns_open(&w, wp, err, sizeof err), ZBP_OK, "%s", err);
        zbp_proof_t p;
        cr_assert_eq(zbp_groth16_prove(&p, &z, &w, NULL, NULL, err, sizeof err), ZBP_OK, "%s: %s",
                     c, err);
        char vk[1200], pp[1200], up[1200];
        snprintf(vk, sizeof vk, "%s/%s.vk.json", dir, c);
        snprintf(pp, sizeof pp, "%s/%s.proof.json", dir, c);
        snprintf(up, sizeof up, "%s/%s.public.json", dir, c);
        cr_assert_eq(zbp_write_vk_json(vk, &z, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert_eq(zbp_write_proof_files(pp, up, &p, err, sizeof err), ZBP_OK, "%s", err);
        int valid = 0;
        cr_assert_eq(groth16_verify_files(vk, up, pp, &valid, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert(valid, "%s: the proof does not verify under the exported key", c);
        /* the snarkjs fixture's key does not accept it: the keys really differ */
        char svk[1024];
        fixture(svk, sizeof svk, c, "verification_key.json");
        cr_assert_eq(groth16_verify_files(svk, up, pp, &valid, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert(!valid, "%s: a proof under the dev key verifies under snarkjs's key", c);
        zbp_proof_free(&p);
        zbp_wtns_close(&w);
        zbp_zkey_close(&ref);
        zbp_zkey_close(&z);
        unlink(vk);
        unlink(pp);
        unlink(up);
        unlink(path);
    }
    cr_assert_eq(rmdir(dir), 0, "leftover files in %s", dir);
}

Test(setup, contribution_names_the_key_insecure) {
    char dir[] = "/tmp/zbp-setup-XXXXXX";
    cr_assert(mkdtemp(dir));
    char path[1100];
    zbp_zkey_t z;
    make_key(&z, path, sizeof path, dir, "multiplier", 0);
    const zbp_section_t *s10 = &z.file.sec[10];
    cr_assert_not_null(s10->p);
    /* csHash, count 1, then deltaAfter, g1_s, g1_sx, g2_spx, transcript, type, params */
    cr_assert_eq(zbp_rd32(s10->p + 64), 1);
    const uint8_t *rec = s10->p + 68;
    g1_affine_t delta_after, g1_s, g1_sx;
    g2_affine_t g2_spx;
    cr_assert_eq(g1_affine_from_zkey(&delta_after, rec), ZBP_OK);
    cr_assert_eq(g1_affine_from_zkey(&g1_s, rec + 64), ZBP_OK);
    cr_assert_eq(g1_affine_from_zkey(&g1_sx, rec + 128), ZBP_OK);
    cr_assert_eq(g2_affine_from_zkey(&g2_spx, rec + 192), ZBP_OK);
    cr_assert(g1_affine_equal(&delta_after, &z.delta1));
    cr_assert(g1_affine_equal(&g1_sx, &z.delta1));
    cr_assert(g2_affine_equal(&g2_spx, &z.delta2));
    const uint8_t *tail = rec + 192 + 128 + 64;
    cr_assert_eq(zbp_rd32(tail), 0); /* type: normal */
    uint32_t plen = zbp_rd32(tail + 4);
    size_t nl = strlen(ZBP_SETUP_DEV_NAME);
    cr_assert_eq(plen, 2 + nl);
    cr_assert_eq(tail[8], 1);
    cr_assert_eq(tail[9], nl);
    cr_assert_eq(memcmp(tail + 10, ZBP_SETUP_DEV_NAME, nl), 0);
    cr_assert_eq(s10->size, (uint64_t)(tail + 10 + nl - s10->p), "section 10 has extra bytes");
    zbp_zkey_close(&z);
    unlink(path);
    rmdir(dir);
}

Test(setup, every_run_draws_new_toxic_waste) {
    char dir[] = "/tmp/zbp-setup-XXXXXX";
    cr_assert(mkdtemp(dir));
    char p1[1100], p2[1100];
    zbp_zkey_t a, b;
    make_key(&a, p1, sizeof p1, dir, "poseidon", 0);
    char moved[1200];
    snprintf(moved, sizeof moved, "%s/first.zkey", dir);
    cr_assert_eq(rename(p1, moved), 0);
    make_key(&b, p2, sizeof p2, dir, "poseidon", 0);
    cr_assert(!g1_affine_equal(&a.alpha1, &b.alpha1));
    cr_assert(!g1_affine_equal(&a.delta1, &b.delta1));
    cr_assert_neq(memcmp(a.h, b.h, 64), 0);
    zbp_zkey_close(&a);
    zbp_zkey_close(&b);
    unlink(moved);
    unlink(p2);
    rmdir(dir);
}

Test(setup, unwritable_output_is_an_input_error_and_leaves_nothing) {
    char rp[1024], err[512];
    fixture(rp, sizeof rp, "multiplier", "circuit.r1cs");
    zbp_r1cs_t r;
    cr_assert_eq(zbp_r1cs_open(&r, rp, err, sizeof err), ZBP_OK, "%s", err);
    const char *path = "/nonexistent-dir-zbp/x.zkey";
    /* a directory that does not exist is the caller's path (exit 2), not the machine's */
    cr_assert_eq(zbp_setup_insecure_dev(&r, path, NULL, NULL, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, path), "the message names the file: %s", err);
    zbp_r1cs_close(&r);
}
