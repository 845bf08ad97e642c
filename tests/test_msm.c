/* test_msm.c: msm_g1 and msm_g2 against a naive double-and-add sum: every size 0..300, random sizes
 * up to 2^12, edge scalars (0, 1, r-1, r-2, >= r), repeated, opposite and identity points, every
 * window the cost model can pick, 1/2/3 threads, the fast paths on and off, GLV on and off, tables.
 * Sizes shrink under a sanitizer or ZBP_TEST_QUICK (every path is still reached). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "msm/msm.h"
#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

static int quick(void) {
    const char *q = getenv("ZBP_TEST_QUICK");
    return UNDER_SANITIZER || (q && *q && strcmp(q, "0"));
}

static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ull, 0x2833e84879b97091ull,
                                    0xb85045b68181585dull, 0x30644e72e131a029ull};

/* r - d for small d. */
static void r_minus(uint64_t k[4], uint64_t d) {
    unsigned char b = 0;
    b = ZBP_SBB(b, R_LIMBS[0], d, &k[0]);
    for (int i = 1; i < 4; i++) b = ZBP_SBB(b, R_LIMBS[i], 0, &k[i]);
}

enum { SC_RANDOM, SC_MIXED, SC_SMALL };

/* Scalar mixes: uniform mod r; a witness-like mix of every class the MSM distinguishes (0, +-1,
 * small, r - small, full, unreduced >= r); small values only (many equal ones). */
static void gen_scalar(uint64_t k[4], int kind, test_rng_t *rng) {
    memset(k, 0, 32);
    if (kind == SC_SMALL) {
        k[0] = test_rng_u64(rng) % 7;
        return;
    }
    unsigned sel = kind == SC_RANDOM ? 99 : (unsigned)(test_rng_u64(rng) % 100);
    if (sel < 15) return;                                /* zero */
    if (sel < 30) { k[0] = 1; return; }                  /* one */
    if (sel < 35) { r_minus(k, 1); return; }             /* -1 */
    if (sel < 45) { k[0] = test_rng_u64(rng) >> (32 + sel % 30); return; } /* small */
    if (sel < 50) { r_minus(k, 2 + (test_rng_u64(rng) >> 40)); return; }  /* -small */
    if (sel < 55) { k[0] = test_rng_u64(rng); k[1] = test_rng_u64(rng) >> 20; return; } /* mid */
    if (sel < 60) { for (int i = 0; i < 4; i++) k[i] = test_rng_u64(rng); return; }   /* >= r often */
    fr_t s;
    fr_random(&s, test_rng_bytes, rng);
    fr_from_mont(k, &s);
}

/* Per group: random points (a random walk, so cheap and distinct), the naive reference and a
 * comparison helper. */
#define GROUP_HELPERS(G, GEN)                                                                          \
    static void G##_naive_mul(G##_jac_t *r, const G##_affine_t *pa, const uint64_t k[4]) {           \
        G##_jac_t acc, base;                                                                        \
        G##_jac_from_affine(&base, pa);                                                             \
        G##_jac_set_infinity(&acc);                                                                 \
        for (int i = 0; i < 256; i++) {                                                             \
            if ((k[i / 64] >> (i % 64)) & 1) G##_jac_add_vartime(&acc, &acc, &base);                        \
            G##_jac_dbl_vartime(&base, &base);                                                              \
        }                                                                                           \
        *r = acc;                                                                                   \
    }                                                                                               \
    static void G##_naive(G##_jac_t *r, const G##_affine_t *p, const uint64_t (*k)[4], size_t n) {   \
        G##_jac_t t;                                                                                \
        G##_jac_set_infinity(r);                                                                    \
        for (size_t i = 0; i < n; i++) {                                                            \
            G##_naive_mul(&t, &p[i], k[i]);                                                         \
            G##_jac_add_vartime(r, r, &t);                                                                  \
        }                                                                                           \
    }                                                                                               \
    static G##_affine_t *G##_points(size_t n, test_rng_t *rng) {                                    \
        G##_affine_t *p = malloc((n + 1) * sizeof *p);                                              \
        G##_jac_t *j = malloc((n + 1) * sizeof *j), base[16], g;                                    \
        G##_jac_from_affine(&g, &GEN);                                                               \
        for (int b = 0; b < 16; b++) {                                                              \
            uint64_t k[4];                                                                          \
            gen_scalar(k, SC_RANDOM, rng);                                                          \
            G##_mul_vartime(&base[b], &g, k);                                                       \
        }                                                                                           \
        j[0] = base[0];                                                                             \
        for (size_t i = 1; i < n; i++) G##_jac_add_vartime(&j[i], &j[i - 1], &base[test_rng_u64(rng) % 16]); \
        F_T *scr = malloc((n + 1) * sizeof *scr);                                                   \
        G##_jac_batch_to_affine_vartime(p, j, n, scr);                                                      \
        free(scr);                                                                                  \
        free(j);                                                                                    \
        return p;                                                                                   \
    }                                                                                               \
    static void G##_check(const G##_jac_t *got, const G##_jac_t *want, const char *what, size_t n) { \
        cr_assert(G##_jac_equal(got, want), "%s: wrong sum (n = %zu, seed %#llx)", what, n,         \
                  (unsigned long long)test_seed());                                                 \
    }                                                                                               \
    static void G##_run(G##_jac_t *out, const G##_affine_t *p, const uint64_t (*k)[4], size_t n,     \
                        const msm_opts_t *o) {                                                      \
        int rc = msm_##G(out, p, k, n, o);                                                          \
        cr_assert_eq(rc, ZBP_OK, "msm_" #G " returned %d (n = %zu)", rc, n);                        \
    }

#define F_T fq_t
GROUP_HELPERS(g1, G1_GENERATOR)
#undef F_T
#define F_T fq2_t
GROUP_HELPERS(g2, G2_GENERATOR)
#undef F_T

static uint64_t (*scalars(size_t n, int kind, test_rng_t *rng))[4] {
    uint64_t(*k)[4] = malloc((n + 1) * sizeof *k);
    for (size_t i = 0; i < n; i++) gen_scalar(k[i], kind, rng);
    return k;
}

/* Every size 0..300 (prefix sums of one reference), for three option sets. */
#define TEST_SIZES(G)                                                                               \
    Test(msm, G##_every_size_to_300) {                                                              \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 1);                                                       \
        const size_t N = 300;                                                                       \
        G##_affine_t *p = G##_points(N, &rng);                                                      \
        uint64_t(*k)[4] = scalars(N, SC_MIXED, &rng);                                               \
        G##_jac_t *prefix = malloc((N + 1) * sizeof *prefix), t, got;                               \
        G##_jac_set_infinity(&prefix[0]);                                                           \
        for (size_t i = 0; i < N; i++) {                                                            \
            G##_naive_mul(&t, &p[i], k[i]);                                                         \
            G##_jac_add_vartime(&prefix[i + 1], &prefix[i], &t);                                            \
        }                                                                                           \
        size_t step = quick() ? 7 : 1;                                                              \
        for (size_t n = 0; n <= N; n += (n < 40 ? 1 : step)) {                                      \
            msm_opts_t o = {.threads = 1 + (int)(n % 3)};                                           \
            G##_run(&got, p, (const uint64_t(*)[4])k, n, &o);                                       \
            G##_check(&got, &prefix[n], "default", n);                                              \
            if (n % 5 == 0) {                                                                       \
                msm_opts_t o2 = {.threads = 2, .no_fastpath = 1, .no_glv = (int)(n % 2)};           \
                G##_run(&got, p, (const uint64_t(*)[4])k, n, &o2);                                  \
                G##_check(&got, &prefix[n], "no fast path", n);                                     \
            }                                                                                       \
        }                                                                                           \
        free(prefix);                                                                               \
        free(p);                                                                                    \
        free(k);                                                                                    \
    }

TEST_SIZES(g1)
TEST_SIZES(g2)

/* Random sizes up to 2^12 (2^10 in quick mode): uniform scalars and the mixed ones. */
#define TEST_RANDOM_SIZES(G, COUNT)                                                                 \
    Test(msm, G##_random_sizes) {                                                                   \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 2);                                                       \
        size_t maxn = quick() ? 1024 : 4096;                                                        \
        for (int round = 0; round < (COUNT); round++) {                                             \
            size_t n = round == 0 ? maxn : 301 + test_rng_u64(&rng) % (maxn - 301);                 \
            G##_affine_t *p = G##_points(n, &rng);                                                  \
            uint64_t(*k)[4] = scalars(n, round % 2 ? SC_MIXED : SC_RANDOM, &rng);                  \
            G##_jac_t want, got;                                                                    \
            G##_naive(&want, p, (const uint64_t(*)[4])k, n);                                        \
            msm_stats_t st;                                                                         \
            msm_opts_t o = {.threads = 2, .stats = &st};                                            \
            G##_run(&got, p, (const uint64_t(*)[4])k, n, &o);                                       \
            G##_check(&got, &want, "random size", n);                                               \
            cr_assert_eq(st.n_zero + st.n_one + st.n_small + st.n_full, n);                         \
            msm_opts_t o2 = {.threads = 3, .no_glv = 1};                                            \
            G##_run(&got, p, (const uint64_t(*)[4])k, n, &o2);                                      \
            G##_check(&got, &want, "random size, no GLV, 3 threads", n);                            \
            free(p);                                                                                \
            free(k);                                                                                \
        }                                                                                           \
    }

TEST_RANDOM_SIZES(g1, 3)
TEST_RANDOM_SIZES(g2, 2)

/* Edge scalars and points: all zero, all one, r-1, r-2, unreduced; repeats, P with -P, identities. */
#define TEST_EDGES(G)                                                                               \
    Test(msm, G##_edges) {                                                                          \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 3);                                                       \
        const size_t n = 600;                                                                       \
        G##_affine_t *p = G##_points(n, &rng), *q = malloc(n * sizeof *q);                          \
        uint64_t(*k)[4] = calloc(n, sizeof *k);                                                     \
        G##_jac_t want, got;                                                                        \
        for (int fp = 0; fp < 2; fp++) {                                                            \
            msm_opts_t o = {.threads = 2, .no_fastpath = fp};                                       \
            /* all zero */                                                                          \
            memset(k, 0, n * sizeof *k);                                                            \
            G##_run(&got, p, (const uint64_t(*)[4])k, n, &o);                                       \
            cr_assert(G##_jac_is_infinity(&got), "all-zero scalars");                               \
            /* all one, all r-1, all r-2, all r (= 0), all 2^256-1 */                               \
            const uint64_t fills[5] = {1, 1, 2, 0, 0};                                              \
            for (int f = 0; f < 5; f++) {                                                           \
                for (size_t i = 0; i < n; i++) {                                                    \
                    if (f == 0) {                                                                   \
                        memset(k[i], 0, 32);                                                        \
                        k[i][0] = 1;                                                                \
                    } else if (f < 4) {                                                             \
                        r_minus(k[i], fills[f]);                                                    \
                    } else {                                                                        \
                        memset(k[i], 0xff, 32);                                                     \
                    }                                                                               \
                }                                                                                   \
                G##_naive(&want, p, (const uint64_t(*)[4])k, n);                                    \
                G##_run(&got, p, (const uint64_t(*)[4])k, n, &o);                                   \
                G##_check(&got, &want, "constant scalars", (size_t)f);                              \
            }                                                                                       \
            /* repeated points, opposite points and identities, with mixed and equal scalars */     \
            for (size_t i = 0; i < n; i++) {                                                        \
                switch (i % 6) {                                                                    \
                case 0: q[i] = p[0]; break;                                                         \
                case 1: G##_affine_neg(&q[i], &p[0]); break;                                        \
                case 2: G##_affine_set_infinity(&q[i]); break;                                      \
                case 3: q[i] = p[i % 7]; break;                                                     \
                case 4: G##_affine_neg(&q[i], &p[i % 7]); break;                                    \
                default: q[i] = p[i]; break;                                                        \
                }                                                                                   \
            }                                                                                       \
            for (int mix = 0; mix < 3; mix++) {                                                     \
                for (size_t i = 0; i < n; i++) {                                                    \
                    if (mix == 2) {                                                                 \
                        memset(k[i], 0, 32);                                                        \
                        k[i][0] = 12345;                                                            \
                    } else {                                                                        \
                        gen_scalar(k[i], mix ? SC_SMALL : SC_MIXED, &rng);                          \
                    }                                                                               \
                }                                                                                   \
                G##_naive(&want, q, (const uint64_t(*)[4])k, n);                                    \
                G##_run(&got, q, (const uint64_t(*)[4])k, n, &o);                                   \
                G##_check(&got, &want, "repeats, opposites, identities", (size_t)mix);              \
            }                                                                                       \
            /* P and -P with the same scalar cancel exactly */                                      \
            for (size_t i = 0; i < n; i++) {                                                        \
                if (i % 2 == 0) gen_scalar(k[i], SC_RANDOM, &rng);                                  \
                else memcpy(k[i], k[i - 1], 32);                                                    \
                if (i % 2) G##_affine_neg(&q[i], &q[i - 1]);                                        \
                else q[i] = p[i];                                                                   \
            }                                                                                       \
            G##_run(&got, q, (const uint64_t(*)[4])k, n, &o);                                       \
            cr_assert(G##_jac_is_infinity(&got), "P and -P cancel");                                \
        }                                                                                           \
        free(p);                                                                                    \
        free(q);                                                                                    \
        free(k);                                                                                    \
    }

TEST_EDGES(g1)
TEST_EDGES(g2)

/* Many points in one bucket: the deferral queue fills and the XYZZ spill takes the rest. */
Test(msm, g1_spill_path) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 4);
    const size_t n = quick() ? 1500 : 3000;
    g1_affine_t *p = g1_points(n, &rng);
    uint64_t(*k)[4] = calloc(n, sizeof *k);
    for (size_t i = 0; i < n; i++) k[i][0] = 1000 + 2 * (i % 2); /* two buckets */
    g1_jac_t want, got;
    g1_naive(&want, p, (const uint64_t(*)[4])k, n);
    msm_stats_t st;
    msm_opts_t o = {.threads = 1, .window = 11, .stats = &st};
    g1_run(&got, p, (const uint64_t(*)[4])k, n, &o);
    g1_check(&got, &want, "spill", n);
    cr_assert_gt(st.spills, 0, "the spill path was not reached");
    cr_assert_gt(st.collisions, 0);
    free(p);
    free(k);
}

/* Spilled buckets are folded back into the affine buckets before the (batched) reduction: more
 * spilled buckets than one fold batch holds, other buckets filled around them, and a bucket whose
 * points cancel (P and -P with equal scalars), so that a fold gives the identity. */
#define TEST_SPILL_FOLD(G)                                                                          \
    Test(msm, G##_spill_fold) {                                                                     \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 14);                                                      \
        const size_t n = quick() ? 1200 : 2400;                                                     \
        G##_affine_t *p = G##_points(n, &rng);                                                      \
        uint64_t(*k)[4] = calloc(n, sizeof *k);                                                     \
        for (size_t i = 0; i < n; i++) k[i][0] = 1 + i % 29; /* 29 buckets, ~80 points each */      \
        for (size_t i = 0; i + 1 < n / 4; i += 2) { /* scalar 7: pairs that cancel */               \
            k[i][0] = k[i + 1][0] = 7;                                                              \
            G##_affine_neg(&p[i + 1], &p[i]);                                                       \
        }                                                                                           \
        for (size_t i = n / 2; i < n / 2 + 40; i++) k[i][0] = 100 + i; /* other buckets */          \
        G##_jac_t want, got;                                                                        \
        G##_naive(&want, p, (const uint64_t(*)[4])k, n);                                            \
        for (unsigned c = 6; c <= 9; c++) {                                                         \
            msm_stats_t st;                                                                         \
            msm_opts_t o = {.threads = 1, .window = c, .stats = &st};                               \
            G##_run(&got, p, (const uint64_t(*)[4])k, n, &o);                                       \
            G##_check(&got, &want, "spill fold", c);                                                \
            cr_assert_gt(st.spills, 0, "window %u: the spill path was not reached", c);             \
        }                                                                                           \
        free(p);                                                                                    \
        free(k);                                                                                    \
    }
TEST_SPILL_FOLD(g1)
TEST_SPILL_FOLD(g2)

/* Every window the cost model may choose, on each pass kind (GLV, plain, small scalars). */
#define TEST_WINDOWS(G)                                                                             \
    Test(msm, G##_every_window) {                                                                   \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 5);                                                       \
        const size_t n = 70;                                                                        \
        G##_affine_t *p = G##_points(n, &rng);                                                      \
        uint64_t(*k)[4] = scalars(n, SC_MIXED, &rng);                                               \
        G##_jac_t want, got;                                                                        \
        G##_naive(&want, p, (const uint64_t(*)[4])k, n);                                            \
        for (unsigned c = MSM_WINDOW_MIN; c <= MSM_WINDOW_MAX; c++) {                               \
            for (int v = 0; v < 2; v++) {                                                           \
                msm_stats_t st;                                                                     \
                msm_opts_t o = {.threads = 2, .window = c, .no_glv = v, .stats = &st};              \
                G##_run(&got, p, (const uint64_t(*)[4])k, n, &o);                                   \
                G##_check(&got, &want, "forced window", c);                                         \
                cr_assert_eq(st.window, c);                                                         \
            }                                                                                       \
        }                                                                                           \
        msm_opts_t bad = {.window = MSM_WINDOW_MAX + 1};                                            \
        cr_assert_eq(msm_##G(&got, p, (const uint64_t(*)[4])k, n, &bad), ZBP_ERR_INPUT);           \
        free(p);                                                                                    \
        free(k);                                                                                    \
    }

TEST_WINDOWS(g1)
TEST_WINDOWS(g2)

/* 1, 2 and 3 threads give the same point (and the cost model's split changes with the count). */
#define TEST_THREADS(G)                                                                             \
    Test(msm, G##_threads_agree) {                                                                  \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 6);                                                       \
        const size_t n = quick() ? 800 : 3000;                                                      \
        G##_affine_t *p = G##_points(n, &rng);                                                      \
        uint64_t(*k)[4] = scalars(n, SC_MIXED, &rng);                                               \
        G##_jac_t r[3];                                                                             \
        for (int t = 1; t <= 3; t++) {                                                              \
            msm_opts_t o = {.threads = t};                                                          \
            G##_run(&r[t - 1], p, (const uint64_t(*)[4])k, n, &o);                                  \
        }                                                                                           \
        G##_check(&r[1], &r[0], "2 threads vs 1", n);                                               \
        G##_check(&r[2], &r[0], "3 threads vs 1", n);                                               \
        free(p);                                                                                    \
        free(k);                                                                                    \
    }

TEST_THREADS(g1)
TEST_THREADS(g2)

/* Precomputed tables: one extra level, several, the most the budget allows; misuse is refused. */
#define TEST_TABLE(G, PSIZE)                                                                        \
    Test(msm, G##_tables) {                                                                         \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 7);                                                       \
        const size_t n = quick() ? 200 : 700;                                                       \
        G##_affine_t *p = G##_points(n, &rng);                                                      \
        uint64_t(*k)[4] = scalars(n, SC_MIXED, &rng);                                               \
        G##_jac_t want, got;                                                                        \
        G##_naive(&want, p, (const uint64_t(*)[4])k, n);                                            \
        const size_t budgets[3] = {1, 3, 64};                                                       \
        for (int b = 0; b < 3; b++) {                                                               \
            msm_table_t *t = NULL;                                                                  \
            cr_assert_eq(msm_table_##G##_build(&t, p, n, budgets[b] * n * (PSIZE), 2), ZBP_OK);     \
            cr_assert_leq(msm_table_bytes(t), budgets[b] * n * (PSIZE));                           \
            cr_assert_geq(msm_table_levels(t), 1);                                                  \
            for (int thr = 1; thr <= 2; thr++) {                                                    \
                msm_opts_t o = {.threads = thr, .table = t};                                        \
                G##_run(&got, p, (const uint64_t(*)[4])k, n, &o);                                   \
                G##_check(&got, &want, "table", budgets[b]);                                        \
                msm_opts_t o2 = {.threads = thr, .table = t, .no_fastpath = 1};                     \
                G##_run(&got, p, (const uint64_t(*)[4])k, n, &o2);                                  \
                G##_check(&got, &want, "table, no fast path", budgets[b]);                          \
            }                                                                                       \
            msm_opts_t wrong = {.table = t};                                                        \
            cr_assert_eq(msm_##G(&got, p, (const uint64_t(*)[4])k, n - 1, &wrong), ZBP_ERR_INPUT);  \
            msm_table_free(t);                                                                      \
        }                                                                                           \
        msm_table_t *t = NULL;                                                                      \
        cr_assert_eq(msm_table_##G##_build(&t, p, n, n * (PSIZE) - 1, 1), ZBP_ERR_RANGE);           \
        cr_assert_null(t);                                                                          \
        free(p);                                                                                    \
        free(k);                                                                                    \
    }

TEST_TABLE(g1, sizeof(g1_affine_t))
TEST_TABLE(g2, sizeof(g2_affine_t))

/* The cost model: within range, growing with n, and the signed digits reconstruct the scalar. */
Test(msm, cost_model) {
    unsigned prev = 0;
    for (unsigned lg = 0; lg <= 26; lg++) {
        unsigned c = msm_window_for((size_t)1 << lg, 254, 1);
        cr_assert(c >= MSM_WINDOW_MIN && c <= MSM_WINDOW_MAX);
        cr_assert_geq(c + 1, prev, "window shrank from %u to %u at 2^%u", prev, c, lg);
        prev = c;
        unsigned c2 = msm_window_for((size_t)1 << lg, 254, 2);
        cr_assert(c2 >= MSM_WINDOW_MIN && c2 <= MSM_WINDOW_MAX);
        cr_assert_leq(msm_cost_estimate((size_t)1 << lg, 254, c, 1),
                      msm_cost_estimate((size_t)1 << lg, 254, c == 1 ? 2 : c - 1, 1));
    }
    cr_assert_geq(msm_window_for((size_t)1 << 20, 128, 1), 12);
}

/* Stats: the classes are counted and additions happen where they should. */
Test(msm, stats_classes) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 8);
    const size_t n = 100;
    g1_affine_t *p = g1_points(n, &rng);
    uint64_t(*k)[4] = calloc(n, sizeof *k);
    for (size_t i = 0; i < n; i++) {
        if (i < 10) continue;
        if (i < 30) k[i][0] = 1;
        else if (i < 35) r_minus(k[i], 1);
        else if (i < 60) k[i][0] = 2 + i;
        else if (i < 65) r_minus(k[i], 1000 + i);
        else gen_scalar(k[i], SC_RANDOM, &rng);
    }
    g1_jac_t want, got;
    g1_naive(&want, p, (const uint64_t(*)[4])k, n);
    msm_stats_t st;
    msm_opts_t o = {.threads = 2, .stats = &st};
    g1_run(&got, p, (const uint64_t(*)[4])k, n, &o);
    g1_check(&got, &want, "stats", n);
    cr_assert_eq(st.n_zero, 10);
    cr_assert_eq(st.n_one, 25);
    cr_assert_eq(st.n_small, 30);
    cr_assert_eq(st.n_full, 35);
    cr_assert(st.glv);
    cr_assert_gt(st.small_window, 0);
    cr_assert_gt(st.additions + st.fills, 0);
    free(p);
    free(k);
}

/* Both kernels of each group: the default runs above take the IFMA array kernel where the CPU has
 * it; here the batch path is forced to each other path the CPU has, so the scalar kernel is covered
 * too. The points repeat and cancel (P + P and P + (-P) inside one batch) and some are the
 * identity; scalars repeat too. */
#define TEST_BATCH_PATHS(G, NGLV, NFULL)                                                            \
    Test(msm, G##_every_batch_path) {                                                               \
        test_rng_t rng;                                                                             \
        test_rng_seed(&rng, test_seed() + 9);                                                       \
        const size_t n = quick() ? 400 : (NFULL);                                                   \
        G##_affine_t *p = G##_points(n, &rng), *q = malloc(n * sizeof *q);                          \
        for (size_t i = 0; i < n; i++) {                                                            \
            if (i % 5 == 1) G##_affine_neg(&q[i], &p[i / 2]);                                       \
            else if (i % 5 == 2) q[i] = p[i / 2];                                                   \
            else if (i % 5 == 3) G##_affine_set_infinity(&q[i]);                                    \
            else q[i] = p[i];                                                                       \
        }                                                                                           \
        uint64_t(*k)[4] = scalars(n, SC_MIXED, &rng);                                               \
        for (size_t i = 0; i < n; i += 7) memcpy(k[i], k[0], 32);                                   \
        G##_jac_t want, got;                                                                        \
        G##_naive(&want, q, (const uint64_t(*)[4])k, n);                                            \
        for (int isa = 0; isa < ZBP_ISA_COUNT; isa++) {                                             \
            if (zbp_field_select((zbp_isa_t)isa) != ZBP_OK) continue;                               \
            for (int glv = 0; glv < (NGLV); glv++) {                                                \
                msm_opts_t o = {.threads = 2, .no_glv = glv};                                       \
                G##_run(&got, q, (const uint64_t(*)[4])k, n, &o);                                   \
                G##_check(&got, &want, zbp_isa_name((zbp_isa_t)isa), n);                            \
            }                                                                                       \
        }                                                                                           \
        free(p);                                                                                    \
        free(q);                                                                                    \
        free(k);                                                                                    \
    }
TEST_BATCH_PATHS(g1, 2, 1500)
TEST_BATCH_PATHS(g2, 1, 600)

/* The fused IFMA kernels (msm/msm_avx512.c) directly, against the curve room's additions, on
 * block counts that exercise every shape: one block, odd and even counts, fewer blocks than
 * chains, many steps per chain. Skipped, and said so, where the CPU has no IFMA. */
#include "field/field_batch.h"
#include "msm/msm_internal.h"

static const size_t FUSED_SIZES[] = {8, 16, 24, 40, 56, 64, 72, 136, 1024, 1032};

Test(msm, g1_fused_kernel) {
    if (!zbp_batch_ops(ZBP_ISA_AVX512)) {
        cr_skip_test("no AVX-512 IFMA on this CPU: the fused kernels cannot run here");
    }
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 21);
    for (size_t si = 0; si < sizeof FUSED_SIZES / sizeof *FUSED_SIZES; si++) {
        size_t m = FUSED_SIZES[si];
        g1_affine_t *p = g1_points(2 * m, &rng);
        fq_t *x1 = malloc(m * sizeof(fq_t)), *y1 = malloc(m * sizeof(fq_t));
        fq_t *x2 = malloc(m * sizeof(fq_t)), *y2 = malloc(m * sizeof(fq_t));
        void *work = malloc(msm_g1_ifma_work_bytes(m));
        for (size_t i = 0; i < m; i++) {
            x1[i] = p[i].x;
            y1[i] = p[i].y;
            x2[i] = p[m + i].x;
            y2[i] = p[m + i].y;
        }
        msm_g1_ifma_add(x2, y2, x1, y1, m, work);
        for (size_t i = 0; i < m; i++) {
            g1_jac_t a, s;
            g1_affine_t want;
            g1_jac_from_affine(&a, &p[i]);
            g1_jac_add_affine_vartime(&s, &a, &p[m + i]);
            g1_jac_to_affine_vartime(&want, &s);
            cr_assert(fq_equal(&x2[i], &want.x) && fq_equal(&y2[i], &want.y),
                      "G1 fused kernel: pair %zu of %zu wrong", i, m);
        }
        free(p), free(x1), free(y1), free(x2), free(y2), free(work);
    }
}

Test(msm, g2_fused_kernel) {
    if (!zbp_batch_ops(ZBP_ISA_AVX512)) {
        cr_skip_test("no AVX-512 IFMA on this CPU: the fused kernels cannot run here");
    }
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 22);
    for (size_t si = 0; si < sizeof FUSED_SIZES / sizeof *FUSED_SIZES; si++) {
        size_t m = FUSED_SIZES[si];
        g2_affine_t *p = g2_points(2 * m, &rng);
        fq_t *A[8];
        for (int j = 0; j < 8; j++) A[j] = malloc(m * sizeof(fq_t));
        void *work = malloc(msm_g2_ifma_work_bytes(m));
        for (size_t i = 0; i < m; i++) {
            A[0][i] = p[i].x.c0, A[1][i] = p[i].x.c1, A[2][i] = p[i].y.c0, A[3][i] = p[i].y.c1;
            A[4][i] = p[m + i].x.c0, A[5][i] = p[m + i].x.c1;
            A[6][i] = p[m + i].y.c0, A[7][i] = p[m + i].y.c1;
        }
        msm_g2_ifma_add(A, m, work);
        for (size_t i = 0; i < m; i++) {
            g2_jac_t a, s;
            g2_affine_t want;
            g2_jac_from_affine(&a, &p[i]);
            g2_jac_add_affine_vartime(&s, &a, &p[m + i]);
            g2_jac_to_affine_vartime(&want, &s);
            cr_assert(fq_equal(&A[4][i], &want.x.c0) && fq_equal(&A[5][i], &want.x.c1) &&
                          fq_equal(&A[6][i], &want.y.c0) && fq_equal(&A[7][i], &want.y.c1),
                      "G2 fused kernel: pair %zu of %zu wrong", i, m);
        }
        for (int j = 0; j < 8; j++) free(A[j]);
        free(p), free(work);
    }
}
