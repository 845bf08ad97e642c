/* kernels_curve.c: the curve room's benchmark cases: G1/G2 additions and doublings in each form,
 * batch-affine addition per element, scalar multiplications, subgroup checks, pairings and one
 * Groth16 verification, for `zbprover bench curve` and the Google Benchmark shim. */
#include <stdlib.h>
#include <string.h>

#include "bench/kernels.h"
#include "curve/curve.h"
#include "prover/prover.h"

#define N_PTS 1024 /* points per array: the batch-affine case adds N_PTS pairs per rep */

static g1_affine_t a1[N_PTS], b1[N_PTS], o1[N_PTS];
static g2_affine_t a2[N_PTS], b2[N_PTS], o2[N_PTS];
static fq_t s1[N_PTS];
static fq2_t s2[N_PTS];
static g1_jac_t jq1[64]; /* Jacobian points with Z != 1 for the general additions */
static g2_jac_t jq2[64];
static uint64_t scal[16][4];
static volatile uint64_t sink;

static void rng_fill(void *ctx, uint8_t *buf, size_t n) {
    uint64_t *s = ctx;
    for (size_t i = 0; i < n; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        buf[i] = (uint8_t)*s;
    }
}

/* Groth16 instance with known trapdoor scalars, so a valid proof is computed directly:
 * A = a G1, B = b G2, C = (ab - alpha beta - gamma sum pub_i ic_i) / delta G1 and IC_i = ic_i G1. */
#define N_PUB 2
static groth16_vk_t vk;
static g1_affine_t ic_pts[N_PUB + 1];
static groth16_proof_t proof;
static fr_t pub[N_PUB];

static void g1_from_scalar(g1_affine_t *r, const fr_t *s) {
    uint64_t k[4];
    g1_jac_t j;
    fr_from_mont(k, s);
    g1_jac_from_affine(&j, &G1_GENERATOR);
    g1_mul_vartime(&j, &j, k);
    g1_jac_to_affine_vartime(r, &j);
}
static void g2_from_scalar(g2_affine_t *r, const fr_t *s) {
    uint64_t k[4];
    g2_jac_t j;
    fr_from_mont(k, s);
    g2_jac_from_affine(&j, &G2_GENERATOR);
    g2_mul_vartime(&j, &j, k);
    g2_jac_to_affine_vartime(r, &j);
}

static void init_data(void) {
    static int done = 0;
    if (done) return;
    uint64_t seed = 0xc0ffee1234567ull;
    fr_t k;
    g1_jac_t p1, d1;
    g2_jac_t p2, d2;
    /* consecutive multiples of a random point: cheap to make, as good as random for timing */
    fr_random(&k, rng_fill, &seed);
    g1_affine_t r1;
    g2_affine_t r2;
    g1_from_scalar(&r1, &k);
    g2_from_scalar(&r2, &k);
    g1_jac_from_affine(&p1, &r1);
    g2_jac_from_affine(&p2, &r2);
    g1_jac_dbl_vartime(&d1, &p1);
    g2_jac_dbl_vartime(&d2, &p2);
    static g1_jac_t j1[2 * N_PTS];
    static g2_jac_t j2[2 * N_PTS];
    for (int i = 0; i < 2 * N_PTS; i++) {
        j1[i] = p1;
        j2[i] = p2;
        g1_jac_add_vartime(&p1, &p1, &d1);
        g2_jac_add_vartime(&p2, &p2, &d2);
    }
    static fq_t sc1[2 * N_PTS];
    static fq2_t sc2[2 * N_PTS];
    static g1_affine_t t1[2 * N_PTS];
    static g2_affine_t t2[2 * N_PTS];
    g1_jac_batch_to_affine_vartime(t1, j1, 2 * N_PTS, sc1);
    g2_jac_batch_to_affine_vartime(t2, j2, 2 * N_PTS, sc2);
    memcpy(jq1, j1 + 1, sizeof jq1);
    memcpy(jq2, j2 + 1, sizeof jq2);
    memcpy(a1, t1, sizeof a1);
    memcpy(b1, t1 + N_PTS, sizeof b1);
    memcpy(a2, t2, sizeof a2);
    memcpy(b2, t2 + N_PTS, sizeof b2);
    for (int i = 0; i < 16; i++) {
        fr_random(&k, rng_fill, &seed);
        fr_from_mont(scal[i], &k);
    }
    /* the Groth16 instance */
    fr_t alpha, beta, gamma, delta, a, b, ic[N_PUB + 1], t, acc;
    fr_random(&alpha, rng_fill, &seed);
    fr_random(&beta, rng_fill, &seed);
    fr_random(&gamma, rng_fill, &seed);
    fr_random(&delta, rng_fill, &seed);
    fr_random(&a, rng_fill, &seed);
    fr_random(&b, rng_fill, &seed);
    acc = FR_ZERO;
    for (int i = 0; i <= N_PUB; i++) {
        fr_random(&ic[i], rng_fill, &seed);
        g1_from_scalar(&ic_pts[i], &ic[i]);
        if (i == 0) {
            acc = ic[0];
        } else {
            fr_random(&pub[i - 1], rng_fill, &seed);
            fr_mul(&t, &pub[i - 1], &ic[i]);
            fr_add(&acc, &acc, &t);
        }
    }
    fr_t c;
    fr_mul(&c, &a, &b);
    fr_mul(&t, &alpha, &beta);
    fr_sub(&c, &c, &t);
    fr_mul(&t, &gamma, &acc);
    fr_sub(&c, &c, &t);
    fr_inv(&t, &delta);
    fr_mul(&c, &c, &t);
    vk.n_public = N_PUB;
    vk.ic = ic_pts;
    g1_from_scalar(&vk.alpha1, &alpha);
    g2_from_scalar(&vk.beta2, &beta);
    g2_from_scalar(&vk.gamma2, &gamma);
    g2_from_scalar(&vk.delta2, &delta);
    g1_from_scalar(&proof.a, &a);
    g2_from_scalar(&proof.b, &b);
    g1_from_scalar(&proof.c, &c);
    int valid = 0;
    if (groth16_verify(&vk, &proof, pub, N_PUB, &valid) != ZBP_OK || !valid) abort(); /* the bench would time the wrong thing */
    done = 1;
}

/* Latency chains: each result feeds the next operation. */
#define CHAIN(fn, T, SETUP, OP, LIMB)                                                               \
    static void fn(uint64_t reps) {                                                                 \
        init_data();                                                                                \
        T acc;                                                                                      \
        SETUP;                                                                                      \
        for (uint64_t i = 0; i < reps; i++) OP;                                                     \
        sink = LIMB;                                                                                \
    }
CHAIN(g1_jac_add_run, g1_jac_t, g1_jac_from_affine(&acc, &a1[0]),
      g1_jac_add_vartime(&acc, &acc, &jq1[i & 63]), acc.x.l[0])
CHAIN(g1_jac_dbl_run, g1_jac_t, g1_jac_from_affine(&acc, &a1[0]), g1_jac_dbl_vartime(&acc, &acc), acc.x.l[0])
CHAIN(g1_jac_add_affine_run, g1_jac_t, g1_jac_from_affine(&acc, &a1[0]),
      g1_jac_add_affine_vartime(&acc, &acc, &b1[i & (N_PTS - 1)]), acc.x.l[0])
CHAIN(g1_xyzz_add_affine_run, g1_xyzz_t, g1_xyzz_from_affine(&acc, &a1[0]),
      g1_xyzz_add_affine_vartime(&acc, &acc, &b1[i & (N_PTS - 1)]), acc.x.l[0])
CHAIN(g1_xyzz_dbl_run, g1_xyzz_t, g1_xyzz_from_affine(&acc, &a1[0]), g1_xyzz_dbl_vartime(&acc, &acc),
      acc.x.l[0])
CHAIN(g2_jac_add_run, g2_jac_t, g2_jac_from_affine(&acc, &a2[0]),
      g2_jac_add_vartime(&acc, &acc, &jq2[i & 63]), acc.x.c0.l[0])
CHAIN(g2_jac_dbl_run, g2_jac_t, g2_jac_from_affine(&acc, &a2[0]), g2_jac_dbl_vartime(&acc, &acc),
      acc.x.c0.l[0])
CHAIN(g2_jac_add_affine_run, g2_jac_t, g2_jac_from_affine(&acc, &a2[0]),
      g2_jac_add_affine_vartime(&acc, &acc, &b2[i & (N_PTS - 1)]), acc.x.c0.l[0])
CHAIN(g2_xyzz_add_affine_run, g2_xyzz_t, g2_xyzz_from_affine(&acc, &a2[0]),
      g2_xyzz_add_affine_vartime(&acc, &acc, &b2[i & (N_PTS - 1)]), acc.x.c0.l[0])
#undef CHAIN

static void g1_xyzz_add_run(uint64_t reps) {
    init_data();
    g1_xyzz_t acc, q;
    g1_xyzz_from_affine(&acc, &a1[0]);
    g1_xyzz_dbl_affine_vartime(&q, &b1[0]); /* ZZ != 1 on both sides after the first step */
    for (uint64_t i = 0; i < reps; i++) g1_xyzz_add_vartime(&acc, &acc, &q);
    sink = acc.x.l[0];
}

/* Batch-affine addition: N_PTS independent sums per rep (the MSM's bucket step). */
static void g1_batch_add_run(uint64_t reps) {
    init_data();
    for (uint64_t r = 0; r < reps; r++) g1_batch_add_affine_vartime(o1, a1, b1, N_PTS, s1);
    sink = o1[N_PTS - 1].x.l[0];
}
static void g2_batch_add_run(uint64_t reps) {
    init_data();
    for (uint64_t r = 0; r < reps; r++) g2_batch_add_affine_vartime(o2, a2, b2, N_PTS, s2);
    sink = o2[N_PTS - 1].x.c0.l[0];
}

#define MUL(fn, G, PTS, MULFN)                                                                      \
    static void fn(uint64_t reps) {                                                                 \
        init_data();                                                                                \
        G##_jac_t p, r;                                                                             \
        G##_jac_from_affine(&p, &PTS[1]);                                                           \
        for (uint64_t i = 0; i < reps; i++) MULFN(&r, &p, scal[i & 15]);                            \
        sink = (uint64_t)G##_jac_is_infinity(&r);                                                   \
    }
MUL(g1_mul_wnaf_run, g1, a1, g1_mul_vartime)
MUL(g1_mul_glv_run, g1, a1, g1_mul_glv_vartime)
MUL(g1_mul_ct_run, g1, a1, g1_mul)
MUL(g2_mul_wnaf_run, g2, a2, g2_mul_vartime)
MUL(g2_mul_ct_run, g2, a2, g2_mul)
#undef MUL

static void g2_subgroup_run(uint64_t reps) {
    init_data();
    int ok = 1;
    for (uint64_t i = 0; i < reps; i++) ok &= g2_affine_in_subgroup_vartime(&a2[i & (N_PTS - 1)]);
    sink = (uint64_t)ok;
}

static void miller_loop_run(uint64_t reps) {
    init_data();
    fq12_t f;
    for (uint64_t i = 0; i < reps; i++) pairing_miller_loop(&f, &a1[i & 15], &a2[i & 15], 1);
    sink = f.c0.c0.c0.l[0];
}
static void final_exp_run(uint64_t reps) {
    init_data();
    fq12_t f;
    pairing_miller_loop(&f, &a1[0], &a2[0], 1);
    for (uint64_t i = 0; i < reps; i++) pairing_final_exp(&f, &f);
    sink = f.c0.c0.c0.l[0];
}
static void pairing_run(uint64_t reps) {
    init_data();
    fq12_t f;
    for (uint64_t i = 0; i < reps; i++) pairing(&f, &a1[i & 15], &a2[i & 15]);
    sink = f.c0.c0.c0.l[0];
}
static void pairing4_run(uint64_t reps) {
    init_data();
    int ok = 0;
    for (uint64_t i = 0; i < reps; i++) ok += pairing_product_is_one(&a1[i & 15], &a2[i & 15], 4);
    sink = (uint64_t)ok;
}
static void verify_run(uint64_t reps) {
    init_data();
    int valid = 0, all = 1;
    for (uint64_t i = 0; i < reps; i++) {
        all &= groth16_verify(&vk, &proof, pub, N_PUB, &valid) == ZBP_OK && valid;
    }
    sink = (uint64_t)all;
}
/* What `zbprover verify` adds to groth16_verify: the membership checks of the four G2 points. */
static void verify_with_checks_run(uint64_t reps) {
    init_data();
    int valid = 0, all = 1;
    for (uint64_t i = 0; i < reps; i++) {
        all &= g2_affine_in_subgroup_vartime(&vk.beta2) & g2_affine_in_subgroup_vartime(&vk.gamma2) &
               g2_affine_in_subgroup_vartime(&vk.delta2) & g2_affine_in_subgroup_vartime(&proof.b);
        all &= groth16_verify(&vk, &proof, pub, N_PUB, &valid) == ZBP_OK && valid;
    }
    sink = (uint64_t)all;
}

static const zbp_bench_case_t curve_cases[] = {
    {"g1_jac_add_vartime", "latency", 0, 1, g1_jac_add_run},
    {"g1_jac_dbl_vartime", "latency", 0, 1, g1_jac_dbl_run},
    {"g1_jac_add_affine_vartime", "latency", 0, 1, g1_jac_add_affine_run},
    {"g1_xyzz_add_vartime", "latency", 0, 1, g1_xyzz_add_run},
    {"g1_xyzz_add_affine_vartime", "latency", 0, 1, g1_xyzz_add_affine_run},
    {"g1_xyzz_dbl_vartime", "latency", 0, 1, g1_xyzz_dbl_run},
    {"g1_batch_add_affine", "throughput", 0, N_PTS, g1_batch_add_run},
    {"g1_mul_wnaf", "latency", 0, 1, g1_mul_wnaf_run},
    {"g1_mul_glv", "latency", 0, 1, g1_mul_glv_run},
    {"g1_mul", "latency", 0, 1, g1_mul_ct_run},
    {"g2_jac_add_vartime", "latency", 0, 1, g2_jac_add_run},
    {"g2_jac_dbl_vartime", "latency", 0, 1, g2_jac_dbl_run},
    {"g2_jac_add_affine_vartime", "latency", 0, 1, g2_jac_add_affine_run},
    {"g2_xyzz_add_affine_vartime", "latency", 0, 1, g2_xyzz_add_affine_run},
    {"g2_batch_add_affine", "throughput", 0, N_PTS, g2_batch_add_run},
    {"g2_mul_wnaf", "latency", 0, 1, g2_mul_wnaf_run},
    {"g2_mul", "latency", 0, 1, g2_mul_ct_run},
    {"g2_subgroup_check", "latency", 0, 1, g2_subgroup_run},
    {"miller_loop", "latency", 0, 1, miller_loop_run},
    {"final_exp", "latency", 0, 1, final_exp_run},
    {"pairing", "latency", 0, 1, pairing_run},
    {"pairing_product_4", "latency", 0, 1, pairing4_run},
    {"groth16_verify", "latency", 0, 1, verify_run},
    {"groth16_verify_checked", "latency", 0, 1, verify_with_checks_run},
};

const zbp_bench_case_t *zbp_bench_curve_cases(size_t *count) {
    *count = sizeof curve_cases / sizeof curve_cases[0];
    return curve_cases;
}
