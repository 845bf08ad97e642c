/* test_curve.c: G1 and G2 arithmetic: group laws on random points, every representation against
 * affine, the formulas' exceptional cases, batch-affine addition against one-by-one addition,
 * scalar multiplication (wNAF, ladder, GLV) against double-and-add, membership and encodings. */
#include <criterion/criterion.h>
#include <gmp.h>
#include <string.h>

#include "curve/curve.h"
#include "testutil.h"

static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ull, 0x2833e84879b97091ull,
                                    0xb85045b68181585dull, 0x30644e72e131a029ull};

static void rand_scalar(uint64_t k[4], test_rng_t *rng) {
    fr_t s;
    fr_random(&s, test_rng_bytes, rng);
    fr_from_mont(k, &s);
}

/* Double-and-add over the bits with the general Jacobian addition: the slow reference. */
#define NAIVE_MUL(G)                                                                               \
    static void G##_mul_naive(G##_jac_t *r, const G##_jac_t *p, const uint64_t k[4]) {             \
        G##_jac_t acc, base = *p;                                                                  \
        G##_jac_set_infinity(&acc);                                                                \
        for (int i = 0; i < 256; i++) {                                                            \
            if ((k[i / 64] >> (i % 64)) & 1) G##_jac_add_vartime(&acc, &acc, &base);                       \
            G##_jac_add_vartime(&base, &base, &base);                                                      \
        }                                                                                          \
        *r = acc;                                                                                  \
    }
NAIVE_MUL(g1)
NAIVE_MUL(g2)

static void g1_random(g1_jac_t *r, test_rng_t *rng) {
    uint64_t k[4];
    g1_jac_t g;
    rand_scalar(k, rng);
    g1_jac_from_affine(&g, &G1_GENERATOR);
    g1_mul_vartime(r, &g, k);
}
static void g2_random(g2_jac_t *r, test_rng_t *rng) {
    uint64_t k[4];
    g2_jac_t g;
    rand_scalar(k, rng);
    g2_jac_from_affine(&g, &G2_GENERATOR);
    g2_mul_vartime(r, &g, k);
}

/* Scales a Jacobian point by a random z so that tests see Z != 1. */
static void g1_rescale(g1_jac_t *p, test_rng_t *rng) {
    fq_t z, z2, z3;
    fq_random(&z, test_rng_bytes, rng);
    fq_sqr(&z2, &z);
    fq_mul(&z3, &z2, &z);
    fq_mul(&p->x, &p->x, &z2);
    fq_mul(&p->y, &p->y, &z3);
    fq_mul(&p->z, &p->z, &z);
}
static void g2_rescale(g2_jac_t *p, test_rng_t *rng) {
    fq2_t z, z2, z3;
    fq_random(&z.c0, test_rng_bytes, rng);
    fq_random(&z.c1, test_rng_bytes, rng);
    fq2_sqr(&z2, &z);
    fq2_mul(&z3, &z2, &z);
    fq2_mul(&p->x, &p->x, &z2);
    fq2_mul(&p->y, &p->y, &z3);
    fq2_mul(&p->z, &p->z, &z);
}

/* ---- the shared group-law checks, for G1 and for G2 ------------------------------------------------ */
#define GROUP_TESTS(G, F, GEN)                                                                         \
    Test(G, generator_and_order) {                                                                  \
        G##_jac_t g, r;                                                                             \
        cr_assert(G##_affine_is_on_curve(&GEN));                                          \
        G##_jac_from_affine(&g, &GEN);                                                    \
        G##_mul_vartime(&r, &g, R_LIMBS);                                                           \
        cr_assert(G##_jac_is_infinity(&r), "r G != O");                                             \
        G##_mul(&r, &g, R_LIMBS);                                                                \
        cr_assert(G##_jac_is_infinity(&r), "r G != O (ladder)");                                    \
        G##_mul_naive(&r, &g, R_LIMBS);                                                             \
        cr_assert(G##_jac_is_infinity(&r), "r G != O (naive)");                                     \
        uint64_t rm1[4] = {R_LIMBS[0] - 1, R_LIMBS[1], R_LIMBS[2], R_LIMBS[3]};                     \
        G##_mul_vartime(&r, &g, rm1);                                                               \
        G##_jac_t ng;                                                                               \
        G##_jac_neg(&ng, &g);                                                                       \
        cr_assert(G##_jac_equal(&r, &ng), "(r-1) G != -G");                                         \
    }                                                                                               \
    Test(G, group_laws) {                                                                           \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() ^ 0x11);                                                    \
        for (int it = 0; it < 50; it++) {                                                           \
            G##_jac_t a, b, c, t1, t2, o, na;                                                       \
            G##_random(&a, &rng);                                                                   \
            G##_random(&b, &rng);                                                                   \
            G##_random(&c, &rng);                                                                   \
            G##_rescale(&a, &rng);                                                                  \
            G##_rescale(&b, &rng);                                                                  \
            /* associativity and commutativity */                                                   \
            G##_jac_add_vartime(&t1, &a, &b);                                                               \
            G##_jac_add_vartime(&t1, &t1, &c);                                                              \
            G##_jac_add_vartime(&t2, &b, &c);                                                               \
            G##_jac_add_vartime(&t2, &a, &t2);                                                              \
            cr_assert(G##_jac_equal(&t1, &t2), "associativity");                                    \
            G##_jac_add_vartime(&t1, &a, &b);                                                               \
            G##_jac_add_vartime(&t2, &b, &a);                                                               \
            cr_assert(G##_jac_equal(&t1, &t2), "commutativity");                                    \
            /* identity */                                                                          \
            G##_jac_set_infinity(&o);                                                               \
            G##_jac_add_vartime(&t1, &a, &o);                                                               \
            cr_assert(G##_jac_equal(&t1, &a));                                                      \
            G##_jac_add_vartime(&t1, &o, &a);                                                               \
            cr_assert(G##_jac_equal(&t1, &a));                                                      \
            G##_jac_dbl_vartime(&t1, &o);                                                                   \
            cr_assert(G##_jac_is_infinity(&t1));                                                    \
            /* inverse */                                                                           \
            G##_jac_neg(&na, &a);                                                                   \
            G##_jac_add_vartime(&t1, &a, &na);                                                              \
            cr_assert(G##_jac_is_infinity(&t1), "P + (-P) != O");                                   \
            /* doubling is self-addition (the add must detect P == Q in another Z) */               \
            G##_jac_dbl_vartime(&t1, &a);                                                                   \
            G##_jac_t a2 = a;                                                                       \
            G##_rescale(&a2, &rng);                                                                 \
            G##_jac_add_vartime(&t2, &a, &a2);                                                              \
            cr_assert(G##_jac_equal(&t1, &t2), "dbl != add(P, P)");                                 \
            G##_jac_t na2;                                                                          \
            G##_jac_neg(&na2, &a2);                                                                 \
            G##_jac_add_vartime(&t2, &a, &na2);                                                             \
            cr_assert(G##_jac_is_infinity(&t2), "add(P, -P) in another Z");                         \
            /* results stay on the curve */                                                         \
            G##_affine_t af;                                                                        \
            G##_jac_add_vartime(&t1, &a, &b);                                                               \
            G##_jac_to_affine_vartime(&af, &t1);                                                            \
            cr_assert(G##_affine_is_on_curve(&af));                                                 \
            cr_assert(!G##_affine_is_infinity(&af));                                                \
        }                                                                                           \
    }                                                                                               \
    Test(G, representations_agree) {                                                                \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() ^ 0x22);                                                    \
        for (int it = 0; it < 50; it++) {                                                           \
            G##_jac_t a, b, sum, dbl, t;                                                            \
            G##_affine_t aa, ba, ra, xa;                                                            \
            G##_random(&a, &rng);                                                                   \
            G##_random(&b, &rng);                                                                   \
            G##_jac_to_affine_vartime(&aa, &a);                                                             \
            G##_jac_to_affine_vartime(&ba, &b);                                                             \
            G##_rescale(&a, &rng);                                                                  \
            G##_jac_add_vartime(&sum, &a, &b);                                                              \
            G##_jac_dbl_vartime(&dbl, &a);                                                                  \
            /* mixed addition, including its doubling and cancelling cases */                       \
            G##_jac_add_affine_vartime(&t, &a, &ba);                                                        \
            cr_assert(G##_jac_equal(&t, &sum), "mixed add");                                        \
            G##_jac_add_affine_vartime(&t, &a, &aa);                                                        \
            cr_assert(G##_jac_equal(&t, &dbl), "mixed add of P to P");                              \
            G##_affine_t naa;                                                                       \
            G##_affine_neg(&naa, &aa);                                                              \
            G##_jac_add_affine_vartime(&t, &a, &naa);                                                       \
            cr_assert(G##_jac_is_infinity(&t), "mixed add of -P to P");                             \
            G##_affine_t inf;                                                                       \
            G##_affine_set_infinity(&inf);                                                          \
            G##_jac_add_affine_vartime(&t, &a, &inf);                                                       \
            cr_assert(G##_jac_equal(&t, &a));                                                       \
            G##_jac_t o;                                                                            \
            G##_jac_set_infinity(&o);                                                               \
            G##_jac_add_affine_vartime(&t, &o, &aa);                                                        \
            cr_assert(G##_jac_equal(&t, &a));                                                       \
            /* XYZZ */                                                                              \
            G##_xyzz_t x, y, xs;                                                                    \
            G##_xyzz_from_affine(&x, &aa);                                                          \
            G##_xyzz_from_affine(&y, &ba);                                                          \
            G##_xyzz_dbl_vartime(&x, &x);  /* ZZ != 1 from here on */                                       \
            G##_xyzz_dbl_affine_vartime(&xs, &aa);                                                          \
            G##_xyzz_to_jac_vartime(&t, &xs);                                                               \
            cr_assert(G##_jac_equal(&t, &dbl), "xyzz dbl_affine");                                  \
            G##_xyzz_to_jac_vartime(&t, &x);                                                                \
            cr_assert(G##_jac_equal(&t, &dbl), "xyzz dbl");                                         \
            G##_xyzz_dbl_vartime(&y, &y);                                                                   \
            G##_xyzz_add_vartime(&xs, &x, &y); /* 2a + 2b */                                                \
            G##_jac_t want;                                                                         \
            G##_jac_dbl_vartime(&want, &sum);                                                               \
            G##_xyzz_to_jac_vartime(&t, &xs);                                                               \
            cr_assert(G##_jac_equal(&t, &want), "xyzz add");                                        \
            G##_xyzz_add_affine_vartime(&xs, &x, &ba); /* 2a + b */                                         \
            G##_jac_add_vartime(&want, &dbl, &b);                                                           \
            G##_xyzz_to_affine_vartime(&xa, &xs);                                                           \
            G##_jac_to_affine_vartime(&ra, &want);                                                          \
            cr_assert(G##_affine_equal(&xa, &ra), "xyzz add_affine / to_affine");                   \
            /* xyzz exceptional cases: equal, opposite, identity */                                 \
            G##_xyzz_t e;                                                                           \
            G##_xyzz_from_affine(&e, &aa);                                                          \
            G##_xyzz_dbl_vartime(&e, &e);                                                                   \
            G##_xyzz_t e2 = e;                                                                      \
            G##_xyzz_add_vartime(&xs, &e, &e2);                                                             \
            G##_jac_dbl_vartime(&want, &dbl);                                                               \
            G##_xyzz_to_jac_vartime(&t, &xs);                                                               \
            cr_assert(G##_jac_equal(&t, &want), "xyzz add(P, P)");                                  \
            G##_xyzz_t ne = e;                                                                      \
            F##_neg(&ne.y, &ne.y);                                                                  \
            G##_xyzz_add_vartime(&xs, &e, &ne);                                                             \
            cr_assert(G##_xyzz_is_infinity(&xs), "xyzz add(P, -P)");                                \
            G##_xyzz_t xo;                                                                          \
            G##_xyzz_set_infinity(&xo);                                                             \
            G##_xyzz_add_vartime(&xs, &xo, &e);                                                             \
            G##_xyzz_to_jac_vartime(&t, &xs);                                                               \
            cr_assert(G##_jac_equal(&t, &dbl));                                                     \
            G##_xyzz_add_affine_vartime(&xs, &xo, &aa);                                                     \
            G##_xyzz_to_jac_vartime(&t, &xs);                                                               \
            cr_assert(G##_jac_equal(&t, &a));                                                       \
            G##_xyzz_from_affine(&e, &aa);                                                          \
            G##_xyzz_add_affine_vartime(&xs, &e, &aa);                                                      \
            G##_xyzz_to_jac_vartime(&t, &xs);                                                               \
            cr_assert(G##_jac_equal(&t, &dbl), "xyzz add_affine(P, P)");                            \
            G##_xyzz_add_affine_vartime(&xs, &e, &naa);                                                     \
            cr_assert(G##_xyzz_is_infinity(&xs), "xyzz add_affine(P, -P)");                         \
            G##_xyzz_add_affine_vartime(&xs, &e, &inf);                                                     \
            G##_xyzz_to_jac_vartime(&t, &xs);                                                               \
            cr_assert(G##_jac_equal(&t, &a));                                                       \
        }                                                                                           \
    }                                                                                               \
    Test(G, batch_to_affine) {                                                                      \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() ^ 0x33);                                                    \
        enum { N = 37 };                                                                            \
        G##_jac_t j[N];                                                                             \
        G##_xyzz_t x[N];                                                                            \
        G##_affine_t a[N], b[N], c[N];                                                              \
        F##_t scratch[N];                                                                           \
        for (int i = 0; i < N; i++) {                                                               \
            if (i % 7 == 3)                                                                         \
                G##_jac_set_infinity(&j[i]);                                                        \
            else                                                                                    \
                G##_random(&j[i], &rng);                                                            \
            G##_rescale(&j[i], &rng);                                                               \
            G##_jac_to_affine_vartime(&a[i], &j[i]);                                                        \
            G##_xyzz_from_affine(&x[i], &a[i]);                                                     \
            G##_xyzz_dbl_vartime(&x[i], &x[i]);                                                             \
        }                                                                                           \
        G##_jac_batch_to_affine_vartime(b, j, N, scratch);                                                  \
        G##_xyzz_batch_to_affine_vartime(c, x, N, scratch);                                                 \
        for (int i = 0; i < N; i++) {                                                               \
            cr_assert(G##_affine_equal(&a[i], &b[i]), "jac batch %d", i);                           \
            G##_jac_t d;                                                                            \
            G##_affine_t da;                                                                        \
            G##_jac_dbl_vartime(&d, &j[i]);                                                                 \
            G##_jac_to_affine_vartime(&da, &d);                                                             \
            cr_assert(G##_affine_equal(&da, &c[i]), "xyzz batch %d", i);                            \
        }                                                                                           \
        G##_jac_batch_to_affine_vartime(b, j, 0, scratch); /* n = 0 is a no-op */                           \
    }                                                                                               \
    Test(G, batch_add_affine) {                                                                     \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() ^ 0x44);                                                    \
        enum { N = 64 };                                                                            \
        G##_affine_t a[N], b[N], out[N], acc[N];                                                    \
        G##_affine_t *accp[N];                                                                      \
        const G##_affine_t *addp[N];                                                                \
        uint8_t neg[N];                                                                             \
        F##_t scratch[N];                                                                           \
        for (int i = 0; i < N; i++) {                                                               \
            G##_jac_t p;                                                                            \
            G##_random(&p, &rng);                                                                   \
            G##_jac_to_affine_vartime(&a[i], &p);                                                           \
            G##_random(&p, &rng);                                                                   \
            G##_jac_to_affine_vartime(&b[i], &p);                                                           \
            switch (i % 8) { /* every exceptional case, spread through the batch */                 \
            case 1: b[i] = a[i]; break;                                                             \
            case 2: G##_affine_neg(&b[i], &a[i]); break;                                            \
            case 3: G##_affine_set_infinity(&a[i]); break;                                          \
            case 4: G##_affine_set_infinity(&b[i]); break;                                          \
            case 5: G##_affine_set_infinity(&a[i]); G##_affine_set_infinity(&b[i]); break;          \
            default: break;                                                                         \
            }                                                                                       \
            neg[i] = (uint8_t)(i % 3 == 0);                                                         \
        }                                                                                           \
        G##_batch_add_affine_vartime(out, a, b, N, scratch);                                        \
        for (int i = 0; i < N; i++) {                                                               \
            G##_jac_t ja, want;                                                                     \
            G##_affine_t wa;                                                                        \
            G##_jac_from_affine(&ja, &a[i]);                                                        \
            G##_jac_add_affine_vartime(&want, &ja, &b[i]);                                                  \
            G##_jac_to_affine_vartime(&wa, &want);                                                          \
            cr_assert(G##_affine_equal(&wa, &out[i]), "batch add pair %d", i);                      \
            /* the pointer form, with negation flags, in place */                                   \
            acc[i] = a[i];                                                                          \
            accp[i] = &acc[i];                                                                      \
            addp[i] = &b[i];                                                                        \
        }                                                                                           \
        G##_batch_add_affine_ptr_vartime(accp, addp, neg, N, scratch);                              \
        for (int i = 0; i < N; i++) {                                                               \
            G##_jac_t ja, want;                                                                     \
            G##_affine_t wa, bb = b[i];                                                             \
            if (neg[i]) G##_affine_neg(&bb, &bb);                                                   \
            G##_jac_from_affine(&ja, &a[i]);                                                        \
            G##_jac_add_affine_vartime(&want, &ja, &bb);                                                    \
            G##_jac_to_affine_vartime(&wa, &want);                                                          \
            cr_assert(G##_affine_equal(&wa, &acc[i]), "ptr batch add pair %d", i);                  \
        }                                                                                           \
        /* in place through the array form: out aliases a */                                        \
        memcpy(acc, a, sizeof a);                                                                   \
        G##_batch_add_affine_vartime(acc, acc, b, N, scratch);                                      \
        cr_assert(memcmp(acc, out, sizeof out) == 0, "aliased batch add");                          \
    }                                                                                               \
    Test(G, scalar_mul) {                                                                           \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() ^ 0x55);                                                    \
        uint64_t edge[][4] = {{0, 0, 0, 0},                                                         \
                              {1, 0, 0, 0},                                                         \
                              {2, 0, 0, 0},                                                         \
                              {15, 0, 0, 0},                                                        \
                              {R_LIMBS[0] + 1, R_LIMBS[1], R_LIMBS[2], R_LIMBS[3]},                 \
                              {~0ull, ~0ull, ~0ull, ~0ull},                                         \
                              {0, 0, 0, 1ull << 63}};                                               \
        for (int it = 0; it < 20 + (int)(sizeof edge / sizeof edge[0]); it++) {                     \
            uint64_t k[4];                                                                          \
            if (it < (int)(sizeof edge / sizeof edge[0]))                                           \
                memcpy(k, edge[it], sizeof k);                                                      \
            else                                                                                    \
                rand_scalar(k, &rng);                                                               \
            G##_jac_t p, want, got;                                                                 \
            G##_random(&p, &rng);                                                                   \
            G##_rescale(&p, &rng);                                                                  \
            G##_mul_naive(&want, &p, k);                                                            \
            G##_mul_vartime(&got, &p, k);                                                           \
            cr_assert(G##_jac_equal(&got, &want), "wnaf, case %d", it);                             \
            G##_mul(&got, &p, k);                                                                \
            cr_assert(G##_jac_equal(&got, &want), "ladder, case %d", it);                           \
        }                                                                                           \
        G##_jac_t o, got;                                                                           \
        uint64_t k[4] = {12345, 0, 0, 0};                                                           \
        G##_jac_set_infinity(&o);                                                                   \
        G##_mul_vartime(&got, &o, k);                                                               \
        cr_assert(G##_jac_is_infinity(&got));                                                       \
        G##_mul(&got, &o, k);                                                                    \
        cr_assert(G##_jac_is_infinity(&got));                                                       \
    }

GROUP_TESTS(g1, fq, G1_GENERATOR)
GROUP_TESTS(g2, fq2, G2_GENERATOR)

/* ---- G1: GLV ------------------------------------------------------------------------------------ */

Test(g1, glv_split_recombines) {
    static const uint64_t lambda_l[4] = {0xb8ca0b2d36636f23ull, 0xcc37a73fec2bc5e9ull,
                                         0x048b6e193fd84104ull, 0x30644e72e131a029ull};
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x66);
    fr_t lambda;
    fr_to_mont(&lambda, lambda_l);
    for (int it = 0; it < 20000; it++) {
        uint64_t k[4];
        if (it == 0) memset(k, 0, sizeof k);
        else if (it == 1) memcpy(k, R_LIMBS, sizeof k), k[0]--;
        else if (it == 2) memcpy(k, lambda_l, sizeof k);
        else if (it == 3) memset(k, 0xff, sizeof k); /* not reduced: 2^256 - 1 */
        else if (it == 4) memcpy(k, R_LIMBS, sizeof k);
        else rand_scalar(k, &rng);
        uint64_t m1[2], m2[2];
        int n1, n2;
        g1_glv_split(m1, &n1, m2, &n2, k);
        uint64_t l1[4] = {m1[0], m1[1], 0, 0}, l2[4] = {m2[0], m2[1], 0, 0};
        fr_t a, b, want;
        fr_to_mont(&a, l1);
        fr_to_mont(&b, l2);
        if (n1) fr_neg(&a, &a);
        if (n2) fr_neg(&b, &b);
        fr_mul(&b, &b, &lambda);
        fr_add(&a, &a, &b);
        /* k mod r by GMP */
        mpz_t kz, rz;
        mpz_inits(kz, rz, NULL);
        mpz_import(kz, 4, -1, 8, 0, 0, k);
        mpz_import(rz, 4, -1, 8, 0, 0, R_LIMBS);
        mpz_mod(kz, kz, rz);
        uint64_t kr[4] = {0, 0, 0, 0};
        mpz_export(kr, NULL, -1, 8, 0, 0, kz);
        mpz_clears(kz, rz, NULL);
        fr_to_mont(&want, kr);
        cr_assert(fr_equal(&a, &want), "k1 + k2 lambda != k (case %d)", it);
        /* the analytic bound 1.25 (|A1| + |A2|) < 0x8c00... * 2^64 */
        cr_assert(m1[1] < 0x8c00000000000000ull && m2[1] < 0x8c00000000000000ull, "case %d", it);
    }
}

Test(g1, glv_endomorphism_and_mul) {
    static const uint64_t lambda_l[4] = {0xb8ca0b2d36636f23ull, 0xcc37a73fec2bc5e9ull,
                                         0x048b6e193fd84104ull, 0x30644e72e131a029ull};
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x77);
    for (int it = 0; it < 30; it++) {
        g1_jac_t p, e, want, got;
        g1_random(&p, &rng);
        g1_rescale(&p, &rng);
        g1_jac_endo(&e, &p);
        g1_mul_vartime(&want, &p, lambda_l);
        cr_assert(g1_jac_equal(&e, &want), "phi != [lambda]");
        uint64_t k[4];
        if (it == 0) memcpy(k, R_LIMBS, sizeof k);
        else if (it == 1) memset(k, 0, sizeof k);
        else if (it == 2) memset(k, 0xff, sizeof k);
        else rand_scalar(k, &rng);
        g1_mul_vartime(&want, &p, k);
        g1_mul_glv_vartime(&got, &p, k);
        cr_assert(g1_jac_equal(&got, &want), "glv mul, case %d", it);
    }
}

/* ---- G2: psi and membership ---------------------------------------------------------------------- */

/* A random point of the twist, almost surely outside G2 (the twist's order is r times a
 * cofactor of about 2^254). */
static void g2_random_twist(g2_affine_t *r, test_rng_t *rng) {
    static const fq2_t b = {{{0x3bf938e377b802a8ull, 0x020b1b273633535dull, 0x26b7edf049755260ull,
                              0x2514c6324384a86dull}},
                            {{0x38e7ecccd1dcff67ull, 0x65f0b37d93ce0d3eull, 0xd749d0dd22ac00aaull,
                              0x0141b9ce4a688d4dull}}};
    for (;;) {
        fq2_t x, t;
        fq_random(&x.c0, test_rng_bytes, rng);
        fq_random(&x.c1, test_rng_bytes, rng);
        fq2_sqr(&t, &x);
        fq2_mul(&t, &t, &x);
        fq2_add(&t, &t, &b);
        if (fq2_sqrt(&r->y, &t)) {
            r->x = x;
            return;
        }
    }
}

Test(g2, subgroup_check) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x88);
    cr_assert(g2_affine_in_subgroup_vartime(&G2_GENERATOR));
    g2_affine_t inf;
    g2_affine_set_infinity(&inf);
    cr_assert(g2_affine_in_subgroup_vartime(&inf));
    /* cofactor h = 2q - r */
    mpz_t q, r, h;
    mpz_inits(q, r, h, NULL);
    mpz_import(q, 4, -1, 8, 0, 0, FQ_MODULUS);
    mpz_import(r, 4, -1, 8, 0, 0, R_LIMBS);
    mpz_mul_2exp(h, q, 1);
    mpz_sub(h, h, r);
    uint64_t hl[4] = {0, 0, 0, 0};
    mpz_export(hl, NULL, -1, 8, 0, 0, h);
    mpz_clears(q, r, h, NULL);
    for (int it = 0; it < 20; it++) {
        g2_jac_t p, c;
        g2_affine_t a, ca;
        g2_random(&p, &rng);
        g2_jac_to_affine_vartime(&a, &p);
        cr_assert(g2_affine_in_subgroup_vartime(&a), "a multiple of the generator");
        g2_random_twist(&a, &rng);
        cr_assert(g2_affine_is_on_curve(&a));
        cr_assert(!g2_affine_in_subgroup_vartime(&a), "a random twist point");
        /* clearing the cofactor lands in G2, where psi acts as [q] */
        g2_jac_from_affine(&p, &a);
        g2_mul_vartime(&c, &p, hl);
        g2_jac_to_affine_vartime(&ca, &c);
        cr_assert(g2_affine_in_subgroup_vartime(&ca), "h * point");
        g2_jac_t o;
        g2_mul_vartime(&o, &c, R_LIMBS);
        cr_assert(g2_jac_is_infinity(&o));
        /* a point off the curve is never a member */
        fq_add(&a.y.c0, &a.y.c0, &FQ_ONE);
        cr_assert(!g2_affine_is_on_curve(&a));
        cr_assert(!g2_affine_in_subgroup_vartime(&a));
    }
}

Test(g2, psi_is_frobenius_eigenvalue) {
    /* On G2, psi^2 - t psi + q = 0 holds with psi = [q mod r]; check psi(psi(P)) + [q]P = [t]psi(P)
     * via the characteristic polynomial, t = q + 1 - #E(Fq) = 6x^2 + 1. */
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0x99);
    const uint64_t x = 0x44e992b44a6909f1ull;
    mpz_t t, q;
    mpz_inits(t, q, NULL);
    mpz_set_ui(t, x);
    mpz_mul_ui(t, t, x);
    mpz_mul_ui(t, t, 6);
    mpz_add_ui(t, t, 1);
    mpz_import(q, 4, -1, 8, 0, 0, FQ_MODULUS);
    uint64_t tl[4] = {0, 0, 0, 0}, ql[4] = {0, 0, 0, 0};
    mpz_export(tl, NULL, -1, 8, 0, 0, t);
    mpz_export(ql, NULL, -1, 8, 0, 0, q);
    mpz_clears(t, q, NULL);
    for (int it = 0; it < 5; it++) {
        g2_affine_t a;
        g2_jac_t p, p1, p2, qp, lhs, rhs;
        g2_random_twist(&a, &rng); /* holds on the whole twist, not only G2 */
        g2_jac_from_affine(&p, &a);
        g2_jac_psi(&p1, &p);
        g2_jac_psi(&p2, &p1);
        g2_mul_vartime(&qp, &p, ql);
        g2_jac_add_vartime(&lhs, &p2, &qp);
        g2_mul_vartime(&rhs, &p1, tl);
        cr_assert(g2_jac_equal(&lhs, &rhs));
    }
}

/* ---- encodings ------------------------------------------------------------------------------------ */

Test(encode, zkey_round_trip_and_rejections) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() ^ 0xaa);
    uint8_t buf[128], zero[128];
    memset(zero, 0, sizeof zero);
    g1_affine_t a1, b1;
    g2_affine_t a2, b2;
    g1_jac_t j1;
    g2_jac_t j2;
    g1_random(&j1, &rng);
    g2_random(&j2, &rng);
    g1_jac_to_affine_vartime(&a1, &j1);
    g2_jac_to_affine_vartime(&a2, &j2);
    g1_affine_to_zkey(buf, &a1);
    cr_assert(memcmp(buf, &a1, 64) == 0, "zkey layout is the in-memory layout (little endian)");
    cr_assert_eq(g1_affine_from_zkey(&b1, buf), ZBP_OK);
    cr_assert(g1_affine_equal(&a1, &b1));
    g2_affine_to_zkey(buf, &a2);
    cr_assert_eq(g2_affine_from_zkey(&b2, buf), ZBP_OK);
    cr_assert(g2_affine_equal(&a2, &b2));
    /* identity: all zeros */
    cr_assert_eq(g1_affine_from_zkey(&b1, zero), ZBP_OK);
    cr_assert(g1_affine_is_infinity(&b1));
    cr_assert_eq(g2_affine_from_zkey(&b2, zero), ZBP_OK);
    cr_assert(g2_affine_is_infinity(&b2));
    /* the generator's x = 1 is R mod q in Montgomery bytes: 9d 0d 8f c5 ... */
    g1_affine_to_zkey(buf, &G1_GENERATOR);
    cr_assert(buf[0] == 0x9d && buf[1] == 0x0d && buf[2] == 0x8f && buf[3] == 0xc5);
    /* a coordinate >= q, and a point off the curve */
    g1_affine_to_zkey(buf, &a1);
    memset(buf + 32, 0xff, 32);
    cr_assert_eq(g1_affine_from_zkey(&b1, buf), ZBP_ERR_RANGE);
    g1_affine_to_zkey(buf, &a1);
    buf[40] ^= 1;
    cr_assert_eq(g1_affine_from_zkey(&b1, buf), ZBP_ERR_INPUT);
    g2_affine_to_zkey(buf, &a2);
    buf[100] ^= 1;
    cr_assert_eq(g2_affine_from_zkey(&b2, buf), ZBP_ERR_INPUT);
    /* on the twist but outside G2 */
    g2_affine_t tw;
    g2_random_twist(&tw, &rng);
    g2_affine_to_zkey(buf, &tw);
    cr_assert_eq(g2_affine_from_zkey(&b2, buf), ZBP_ERR_INPUT);
}

Test(encode, decimal) {
    g1_affine_t a;
    cr_assert_eq(g1_affine_from_dec(&a, "1", 1, "2", 1, "1", 1), ZBP_OK);
    cr_assert(g1_affine_equal(&a, &G1_GENERATOR));
    cr_assert_eq(g1_affine_from_dec(&a, "1", 1, "3", 1, "1", 1), ZBP_ERR_INPUT);
    cr_assert_eq(g1_affine_from_dec(&a, "0", 1, "0", 1, "1", 1), ZBP_ERR_INPUT);
    cr_assert_eq(g1_affine_from_dec(&a, "0", 1, "1", 1, "0", 1), ZBP_OK);
    cr_assert(g1_affine_is_infinity(&a));
    const char *q = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
    cr_assert_eq(g1_affine_from_dec(&a, q, strlen(q), "2", 1, "1", 1), ZBP_ERR_RANGE);
    /* Jacobian z: (1, 2) with z = 2 is (4, 16, 2) */
    cr_assert_eq(g1_affine_from_dec(&a, "4", 1, "16", 2, "2", 1), ZBP_OK);
    cr_assert(g1_affine_equal(&a, &G1_GENERATOR));
    char x[80], y[80];
    int z1;
    g1_affine_to_dec(x, y, &z1, &G1_GENERATOR);
    cr_assert_str_eq(x, "1");
    cr_assert_str_eq(y, "2");
    cr_assert_eq(z1, 1);
    /* G2 generator, as in every verification_key.json's vk_gamma_2 before a contribution */
    const char *s[6] = {
        "10857046999023057135944570762232829481370756359578518086990519993285655852781",
        "11559732032986387107991004021392285783925812861821192530917403151452391805634",
        "8495653923123431417604973247489272438418190587263600148770280649306958101930",
        "4082367875863433681332203403145435568316851327593401208105741076214120093531", "1", "0"};
    size_t len[6];
    for (int i = 0; i < 6; i++) len[i] = strlen(s[i]);
    g2_affine_t b;
    cr_assert_eq(g2_affine_from_dec(&b, s, len), ZBP_OK);
    cr_assert(g2_affine_equal(&b, &G2_GENERATOR));
    char out[4][80];
    g2_affine_to_dec(out, &z1, &b);
    for (int i = 0; i < 4; i++) cr_assert_str_eq(out[i], s[i]);
    const char *inf[6] = {"0", "0", "1", "0", "0", "0"};
    size_t il[6] = {1, 1, 1, 1, 1, 1};
    cr_assert_eq(g2_affine_from_dec(&b, inf, il), ZBP_OK);
    cr_assert(g2_affine_is_infinity(&b));
    g2_affine_to_dec(out, &z1, &b);
    cr_assert_eq(z1, 0);
    cr_assert_str_eq(out[2], "1");
}
