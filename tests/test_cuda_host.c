/* test_cuda_host.c: the GPU backend's arithmetic (cuda/ff.h, cuda/ec.h) and per-thread kernel
 * bodies (cuda/msm_core.h, cuda/ntt_core.h) compiled as host C and checked bit for bit against
 * field/, curve/, msm/ and ntt/ on random inputs; the device selection and `prove --device`; and,
 * only where a GPU is present, the GPU MSM and NTT against the CPU. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/cuda.h"
#include "cuda/ec.h"
#include "cuda/msm_core.h"
#include "cuda/ntt_core.h"
#include "msm/msm.h"
#include "ntt/ntt.h"
#include "testutil.h"

#define ROUNDS 2000

/* The backend's types are field/'s and curve/'s bytes under other names. */
_Static_assert(sizeof(zc_fq_t) == sizeof(fq_t), "Fq layout");
_Static_assert(sizeof(zc_fq2_t) == sizeof(fq2_t), "Fq2 layout");
_Static_assert(sizeof(zc_g1_xyzz_t) == sizeof(g1_xyzz_t), "G1 XYZZ layout");
_Static_assert(sizeof(zc_g2_xyzz_t) == sizeof(g2_xyzz_t), "G2 XYZZ layout");
_Static_assert(sizeof(zc_g2_affine_t) == sizeof(g2_affine_t), "G2 affine layout");

/* The same bytes read as the backend's type: a union, not a pointer cast, so that the compiler
 * knows the two views alias. */
#define CAS(T, x) (((union { __typeof__(x) in; T out; }){.in = (x)}).out)

static test_rng_t rng;
static void init_rng(void) { test_rng_seed(&rng, test_seed()); }

/* Random elements, plus the edge values 0, 1 and p - 1 now and then. */
static void rand_fq(fq_t *r, int i) {
    if (i % 97 == 0) *r = FQ_ZERO;
    else if (i % 97 == 1) *r = FQ_ONE;
    else if (i % 97 == 2) fq_neg(r, &FQ_ONE);
    else fq_random(r, test_rng_bytes, &rng);
}
static void rand_fr(fr_t *r, int i) {
    if (i % 97 == 0) *r = FR_ZERO;
    else if (i % 97 == 1) *r = FR_ONE;
    else if (i % 97 == 2) fr_neg(r, &FR_ONE);
    else fr_random(r, test_rng_bytes, &rng);
}

Test(cuda_host, constants_match_field, .init = init_rng) {
    const uint32_t qp[8] = ZC_FQ_P, rp[8] = ZC_FR_P, qone[8] = ZC_FQ_ONE, rone[8] = ZC_FR_ONE;
    cr_assert_eq(memcmp(qp, FQ_MODULUS, 32), 0);
    cr_assert_eq(memcmp(rp, FR_MODULUS, 32), 0);
    cr_assert_eq(memcmp(qone, &FQ_ONE, 32), 0);
    cr_assert_eq(memcmp(rone, &FR_ONE, 32), 0);
    cr_assert_eq((uint32_t)zbp_fq_mont.pinv, ZC_FQ_PINV);
    cr_assert_eq((uint32_t)zbp_fr_mont.pinv, ZC_FR_PINV);
}

#define FIELD_CASES(T, ZT, pre, zpre, rnd)                                                         \
    for (int i = 0; i < ROUNDS; i++) {                                                             \
        T a, b, want;                                                                              \
        ZT zgot;                                                                                   \
        rnd(&a, i);                                                                                \
        rnd(&b, i / 3);                                                                            \
        pre##_add(&want, &a, &b);                                                                  \
        zpre##_add(&zgot, &CAS(ZT, a), &CAS(ZT, b));                                        \
        cr_assert_eq(memcmp(&want, &zgot, 32), 0, #pre " add, round %d", i);                        \
        pre##_sub(&want, &a, &b);                                                                  \
        zpre##_sub(&zgot, &CAS(ZT, a), &CAS(ZT, b));                                        \
        cr_assert_eq(memcmp(&want, &zgot, 32), 0, #pre " sub, round %d", i);                        \
        pre##_neg(&want, &a);                                                                      \
        zpre##_neg(&zgot, &CAS(ZT, a));                                                     \
        cr_assert_eq(memcmp(&want, &zgot, 32), 0, #pre " neg, round %d", i);                        \
        pre##_dbl(&want, &a);                                                                      \
        zpre##_dbl(&zgot, &CAS(ZT, a));                                                     \
        cr_assert_eq(memcmp(&want, &zgot, 32), 0, #pre " dbl, round %d", i);                        \
        pre##_mul(&want, &a, &b);                                                                  \
        zpre##_mul(&zgot, &CAS(ZT, a), &CAS(ZT, b));                                        \
        cr_assert_eq(memcmp(&want, &zgot, 32), 0, #pre " mul, round %d", i);                        \
        pre##_sqr(&want, &a);                                                                      \
        zpre##_sqr(&zgot, &CAS(ZT, a));                                                     \
        cr_assert_eq(memcmp(&want, &zgot, 32), 0, #pre " sqr, round %d", i);                        \
        cr_assert_eq(zpre##_is_zero(&CAS(ZT, a)), pre##_is_zero(&a));                              \
        cr_assert_eq(zpre##_equal(&CAS(ZT, a), &CAS(ZT, b)), pre##_equal(&a, &b));                 \
        uint64_t canon[4];                                                                         \
        uint32_t zcanon[8];                                                                        \
        pre##_from_mont(canon, &a);                                                                \
        zpre##_from_mont(zcanon, &CAS(ZT, a));                                                     \
        cr_assert_eq(memcmp(canon, zcanon, 32), 0, #pre " from_mont, round %d", i);                \
        if (i % 40 == 0) { /* the inversion is 256 squarings: fewer rounds */                      \
            pre##_inv(&want, &a);                                                                  \
            zpre##_inv(&zgot, &CAS(ZT, a));                                                 \
            cr_assert_eq(memcmp(&want, &zgot, 32), 0, #pre " inv, round %d", i);                    \
        }                                                                                          \
    }

Test(cuda_host, fq_matches_field, .init = init_rng) { FIELD_CASES(fq_t, zc_fq_t, fq, zc_fq, rand_fq) }
Test(cuda_host, fr_matches_field, .init = init_rng) {
    FIELD_CASES(fr_t, zc_fr_t, fr, zc_fr, rand_fr)
    for (int i = 0; i < ROUNDS; i++) {
        fr_t a, want;
        zc_fr_t zgot;
        rand_fr(&a, i);
        uint64_t canon[4];
        fr_from_mont(canon, &a);
        fr_to_mont(&want, canon);
        uint32_t c32[8];
        memcpy(c32, canon, 32);
        zc_fr_to_mont(&zgot, c32);
        cr_assert_eq(memcmp(&want, &zgot, 32), 0, "fr to_mont, round %d", i);
    }
}

Test(cuda_host, fq2_matches_tower, .init = init_rng) {
    for (int i = 0; i < ROUNDS; i++) {
        fq2_t a, b, want;
        zc_fq2_t zgot;
        rand_fq(&a.c0, i);
        rand_fq(&a.c1, i + 5);
        rand_fq(&b.c0, i / 2);
        rand_fq(&b.c1, i / 3);
        fq2_mul(&want, &a, &b);
        zc_fq2_mul(&zgot, &CAS(zc_fq2_t, a), &CAS(zc_fq2_t, b));
        cr_assert_eq(memcmp(&want, &zgot, sizeof want), 0, "fq2 mul, round %d", i);
        fq2_sqr(&want, &a);
        zc_fq2_sqr(&zgot, &CAS(zc_fq2_t, a));
        cr_assert_eq(memcmp(&want, &zgot, sizeof want), 0, "fq2 sqr, round %d", i);
        fq2_sub(&want, &a, &b);
        zc_fq2_sub(&zgot, &CAS(zc_fq2_t, a), &CAS(zc_fq2_t, b));
        cr_assert_eq(memcmp(&want, &zgot, sizeof want), 0, "fq2 sub, round %d", i);
    }
}

static void rand_scalar(uint64_t k[4]) {
    fr_t x;
    fr_random(&x, test_rng_bytes, &rng);
    memcpy(k, x.l, 32);
}

/* Random points of G1 and G2: multiples of the generators. */
static void rand_g1(g1_affine_t *r) {
    uint64_t k[4];
    rand_scalar(k);
    g1_jac_t g, p;
    g1_jac_from_affine(&g, &G1_GENERATOR);
    g1_mul_vartime(&p, &g, k);
    g1_jac_to_affine_vartime(r, &p);
}
static void rand_g2(g2_affine_t *r) {
    uint64_t k[4];
    rand_scalar(k);
    g2_jac_t g, p;
    g2_jac_from_affine(&g, &G2_GENERATOR);
    g2_mul_vartime(&p, &g, k);
    g2_jac_to_affine_vartime(r, &p);
}

/* Every XYZZ formula on random points, on the exceptional cases (P + P, P - P, identities), both
 * ways, compared coordinate for coordinate with curve/. */
#define CURVE_CASES(G, ZG, rnd, N)                                                                 \
    for (int i = 0; i < (N); i++) {                                                                \
        G##_affine_t p, q, np;                                                                     \
        rnd(&p);                                                                                   \
        rnd(&q);                                                                                   \
        G##_affine_neg(&np, &p);                                                                   \
        G##_xyzz_t a, b, inf, want, got;                                                           \
        ZG##_xyzz_t zgot;                                                                          \
        G##_xyzz_from_affine(&a, &p);                                                              \
        G##_xyzz_add_affine_vartime(&a, &a, &q); /* nontrivial ZZ, ZZZ */                                  \
        G##_xyzz_from_affine(&b, &q);                                                              \
        G##_xyzz_dbl_vartime(&b, &b);                                                                      \
        G##_xyzz_set_infinity(&inf);                                                               \
        const G##_xyzz_t *xs[4] = {&a, &b, &inf, &a};                                              \
        const G##_affine_t *as[4] = {&p, &q, &np, &p};                                             \
        for (int u = 0; u < 4; u++) {                                                              \
            G##_xyzz_dbl_vartime(&want, xs[u]);                                                            \
            ZG##_xyzz_dbl_vartime(&zgot, &CAS(ZG##_xyzz_t, *xs[u]));                       \
            cr_assert_eq(memcmp(&want, &zgot, sizeof want), 0, #G " dbl %d/%d", i, u);              \
            G##_xyzz_dbl_affine_vartime(&want, as[u]);                                                     \
            ZG##_xyzz_dbl_affine_vartime(&zgot, &CAS(ZG##_affine_t, *as[u]));              \
            cr_assert_eq(memcmp(&want, &zgot, sizeof want), 0, #G " dbl_affine %d/%d", i, u);       \
            for (int v = 0; v < 4; v++) {                                                          \
                G##_xyzz_add_vartime(&want, xs[u], xs[v]);                                                 \
                ZG##_xyzz_add_vartime(&zgot, &CAS(ZG##_xyzz_t, *xs[u]),                    \
                              &CAS(ZG##_xyzz_t, *xs[v]));                                          \
                cr_assert_eq(memcmp(&want, &zgot, sizeof want), 0, #G " add %d/%d/%d", i, u, v);    \
                G##_xyzz_add_affine_vartime(&want, xs[u], as[v]);                                          \
                ZG##_xyzz_add_affine_vartime(&zgot, &CAS(ZG##_xyzz_t, *xs[u]),             \
                                     &CAS(ZG##_affine_t, *as[v]));                                 \
                cr_assert_eq(memcmp(&want, &zgot, sizeof want), 0, #G " madd %d/%d/%d", i, u, v);   \
            }                                                                                      \
        }                                                                                          \
        /* P + (-P) through the mixed addition: the identity */                                    \
        G##_xyzz_from_affine(&a, &p);                                                              \
        ZG##_xyzz_add_affine_vartime(&zgot, &CAS(ZG##_xyzz_t, a), &CAS(ZG##_affine_t, np)); \
        memcpy(&got, &zgot, sizeof got);                                                           \
        cr_assert(G##_xyzz_is_infinity(&got), #G " P - P is not the identity");                    \
        /* the small multiple against the scalar multiplication */                                 \
        uint32_t k = (uint32_t)test_rng_u64(&rng) & 0xfffff;                                       \
        ZG##_xyzz_mul_u32(&zgot, &CAS(ZG##_xyzz_t, a), k);                         \
        G##_jac_t pj, kj, gj;                                                                      \
        uint64_t kk[4] = {k, 0, 0, 0};                                                             \
        G##_jac_from_affine(&pj, &p);                                                              \
        G##_mul_vartime(&kj, &pj, kk);                                                             \
        memcpy(&got, &zgot, sizeof got);                                                           \
        G##_xyzz_to_jac_vartime(&gj, &got);                                                                \
        cr_assert(G##_jac_equal(&kj, &gj), #G " mul_u32 by %u", k);                                \
    }

Test(cuda_host, g1_xyzz_matches_curve, .init = init_rng) { CURVE_CASES(g1, zc_g1, rand_g1, 40) }
Test(cuda_host, g2_xyzz_matches_curve, .init = init_rng) { CURVE_CASES(g2, zc_g2, rand_g2, 10) }

/* Signed digits put back together give the scalar (reduced mod r), for every window size. */
Test(cuda_host, signed_digits_rebuild_the_scalar, .init = init_rng) {
    for (unsigned c = ZC_MSM_C_MIN; c <= ZC_MSM_C_MAX; c++) {
        unsigned nwin = zc_msm_windows(c);
        for (int i = 0; i < 200; i++) {
            uint64_t s[4];
            for (int k = 0; k < 4; k++) s[k] = test_rng_u64(&rng);
            if (i == 0) memset(s, 0xff, sizeof s); /* 2^256 - 1: five subtractions of r */
            if (i == 1) memcpy(s, FR_MODULUS, 32);
            if (i == 2) {
                memcpy(s, FR_MODULUS, 32);
                s[0]--;
            }
            uint64_t want[4];
            memcpy(want, s, 32);
            zc_scalar_reduce(want);
            int below = 0;
            for (int k = 3; k >= 0; k--)
                if (want[k] != FR_MODULUS[k]) {
                    below = want[k] < FR_MODULUS[k];
                    break;
                }
            cr_assert(below, "not reduced below r");
            /* sum d_w 2^(c w) as a signed 320-bit number in five limbs */
            __int128 acc[6] = {0};
            uint32_t carry = 0;
            for (unsigned w = 0; w < nwin; w++) {
                int32_t d = zc_msm_digit(want, w, c, &carry);
                cr_assert(d >= -(1 << (c - 1)) && d <= (1 << (c - 1)), "digit %d out of range", d);
                uint32_t key = zc_msm_key(w, d, c, nwin);
                cr_assert(key < (1u << zc_msm_key_bits(c, nwin)));
                if (d) cr_assert_eq(key >> (c - 1), w);
                unsigned bit = w * c;
                acc[bit / 64] += (__int128)d * ((__int128)1 << (bit % 64)); /* d may be negative */
            }
            cr_assert_eq(carry, 0u, "c = %u: a carry left after the top window", c);
            for (int k = 0; k < 5; k++) { /* normalize */
                __int128 lo = (__int128)(uint64_t)acc[k];
                acc[k + 1] += (acc[k] - lo) >> 64;
                acc[k] = lo;
            }
            for (int k = 0; k < 4; k++)
                cr_assert_eq((uint64_t)acc[k], want[k], "c = %u: limb %d differs", c, k);
            cr_assert_eq(acc[4], 0);
        }
    }
}

/* The GPU's index pipeline after the digits, run on the host through the kernels' own per-thread
 * functions (cuda/msm_core.h): pairs in the kernels' layout (window-major), a stable sort by key
 * (CUB's radix sort is stable), run-length encoding, run and chunk offsets, chunk owners by binary
 * search, chunk sums, the rounds of the chunk tree, the runs' sums stored in their buckets. Checks
 * the memory bounds on the way (runs, chunks). */
typedef struct {
    uint32_t key, val, at;
} emu_pair_t;
static int emu_pair_cmp(const void *x, const void *y) {
    const emu_pair_t *a = x, *b = y;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    return a->at < b->at ? -1 : a->at > b->at;
}

typedef struct {
    uint32_t nruns, total_chunks, max_chunks;
    uint32_t *run_keys, *counts, *run_off, *nchunks, *chunk_off;
    emu_pair_t *pairs;
} emu_index_t;

static void emu_index(emu_index_t *x, const uint64_t (*sc)[4], size_t n, unsigned c) {
    unsigned nwin = zc_msm_windows(c);
    uint32_t sentinel = (uint32_t)nwin << (c - 1);
    size_t N = n * nwin;
    x->pairs = malloc(N * sizeof *x->pairs);
    cr_assert(x->pairs);
    for (size_t i = 0; i < n; i++) {
        uint64_t s[4];
        memcpy(s, sc[i], 32);
        zc_scalar_reduce(s);
        uint32_t carry = 0;
        for (unsigned w = 0; w < nwin; w++) {
            int32_t d = zc_msm_digit(s, w, c, &carry);
            size_t at = (size_t)w * n + i;
            x->pairs[at] = (emu_pair_t){zc_msm_key(w, d, c, nwin),
                                        (uint32_t)i | (d < 0 ? ZC_MSM_NEG_BIT : 0u), (uint32_t)at};
        }
    }
    qsort(x->pairs, N, sizeof *x->pairs, emu_pair_cmp);
    uint64_t R = zc_msm_runs_bound(n, c);
    x->run_keys = malloc(R * 4);
    x->counts = malloc(R * 4);
    x->run_off = malloc(R * 4);
    x->nchunks = malloc(R * 4);
    x->chunk_off = malloc(R * 4);
    cr_assert(x->run_keys && x->counts && x->run_off && x->nchunks && x->chunk_off);
    x->nruns = 0;
    for (size_t k = 0; k < N; k++) {
        if (k == 0 || x->pairs[k].key != x->pairs[k - 1].key) {
            cr_assert(x->nruns < R, "more runs than zc_msm_runs_bound = %llu", (unsigned long long)R);
            x->run_keys[x->nruns] = x->pairs[k].key;
            x->counts[x->nruns++] = 0;
        }
        x->counts[x->nruns - 1]++;
    }
    uint32_t off = 0, coff = 0;
    x->max_chunks = 0;
    for (uint32_t r = 0; r < x->nruns; r++) {
        x->run_off[r] = off;
        off += x->counts[r];
        x->nchunks[r] = zc_msm_run_chunks(x->counts[r], x->run_keys[r], sentinel);
        x->chunk_off[r] = coff;
        coff += x->nchunks[r];
        if (x->nchunks[r] > x->max_chunks) x->max_chunks = x->nchunks[r];
    }
    x->total_chunks = coff;
    cr_assert(coff <= zc_msm_chunks_bound(n, c), "more chunks than zc_msm_chunks_bound");
}

static void emu_index_free(emu_index_t *x) {
    free(x->pairs);
    free(x->run_keys);
    free(x->counts);
    free(x->run_off);
    free(x->nchunks);
    free(x->chunk_off);
}

#define EMULATE_MSM(G, ZG, N, C, SEGS, out_aff, pts, sc)                                           \
    do {                                                                                           \
        unsigned nwin = zc_msm_windows(C), nb = 1u << ((C) - 1);                                   \
        emu_index_t ix;                                                                            \
        emu_index(&ix, (const uint64_t(*)[4])(sc), (N), (C));                                      \
        ZG##_xyzz_t *part = malloc((ix.total_chunks + 1) * sizeof *part);                          \
        ZG##_xyzz_t *bk = malloc((size_t)nwin * nb * sizeof *bk);                                  \
        cr_assert(part && bk);                                                                     \
        for (uint32_t ch = 0; ch < ix.total_chunks; ch++) {                                        \
            uint32_t r = zc_msm_chunk_owner(ix.chunk_off, ix.nruns, ch), beg, end;                 \
            cr_assert(r < ix.nruns && ix.chunk_off[r] <= ch && ch < ix.chunk_off[r] + ix.nchunks[r]); \
            zc_msm_chunk_range(ix.run_off[r], ix.counts[r], ch - ix.chunk_off[r], &beg, &end);     \
            cr_assert(beg < end && end - beg <= ZC_MSM_CHUNK);                                     \
            ZG##_xyzz_set_infinity(&part[ch]);                                                     \
            for (uint32_t k = beg; k < end; k++) {                                                 \
                uint32_t v = ix.pairs[k].val;                                                      \
                ZG##_affine_t p = CAS(ZG##_affine_t, pts[v & ~ZC_MSM_NEG_BIT]);                    \
                if (v & ZC_MSM_NEG_BIT) ZG##_affine_neg(&p, &p);                                   \
                ZG##_xyzz_add_affine_vartime(&part[ch], &part[ch], &p);                                    \
            }                                                                                      \
        }                                                                                          \
        /* the rounds, each one parallel on the GPU: the chunk a thread reads must not be written \
         * in the same round (checked), and the order here (descending) would show it if it were */ \
        for (uint32_t st_ = 1; st_ < ix.max_chunks; st_ *= 2)                                      \
            for (uint32_t ch = ix.total_chunks; ch-- > 0;) {                                       \
                uint32_t r = zc_msm_chunk_owner(ix.chunk_off, ix.nruns, ch);                       \
                uint32_t j = ch - ix.chunk_off[r];                                                 \
                if (!zc_msm_tree_pair(j, ix.nchunks[r], st_)) continue;                            \
                cr_assert(!zc_msm_tree_pair(j + st_, ix.nchunks[r], st_), "a race in round %u", st_); \
                ZG##_xyzz_add_vartime(&part[ch], &part[ch], &part[ch + st_]);                              \
            }                                                                                      \
        for (size_t j = 0; j < (size_t)nwin * nb; j++) ZG##_xyzz_set_infinity(&bk[j]);             \
        for (uint32_t r = 0; r < ix.nruns; r++)                                                    \
            if (ix.nchunks[r]) bk[ix.run_keys[r]] = part[ix.chunk_off[r]];                         \
        ZG##_xyzz_t total, seg, win;                                                               \
        ZG##_xyzz_set_infinity(&total);                                                            \
        for (unsigned w = nwin; w-- > 0;) {                                                        \
            for (unsigned dk_ = 0; dk_ < (C); dk_++) ZG##_xyzz_dbl_vartime(&total, &total);                \
            ZG##_xyzz_set_infinity(&win);                                                          \
            for (unsigned sg = 0; sg < (SEGS); sg++) {                                             \
                uint32_t lo = nb * sg / (SEGS), hi = nb * (sg + 1) / (SEGS);                       \
                ZG##_bucket_segment(&seg, bk + (size_t)w * nb, lo, hi);                            \
                ZG##_xyzz_add_vartime(&win, &win, &seg);                                                   \
            }                                                                                      \
            ZG##_xyzz_add_vartime(&total, &total, &win);                                                   \
        }                                                                                          \
        G##_xyzz_t total_c;                                                                        \
        memcpy(&total_c, &total, sizeof total_c);                                                  \
        G##_xyzz_to_affine_vartime(&out_aff, &total_c);                                                    \
        emu_max_chunks = ix.max_chunks;                                                            \
        free(part);                                                                                \
        free(bk);                                                                                  \
        emu_index_free(&ix);                                                                       \
    } while (0)
static uint32_t emu_max_chunks; /* the last emulation's largest run, in chunks */

static void fill_scalars(uint64_t (*sc)[4], size_t n) {
    for (size_t i = 0; i < n; i++) {
        rand_scalar(sc[i]);
        if (i % 7 == 0) memset(sc[i], 0, 32);            /* zeros */
        if (i % 11 == 0) memcpy(sc[i], (uint64_t[4]){1, 0, 0, 0}, 32);
        if (i % 13 == 0) memset(sc[i], 0xff, 32);        /* >= r: taken mod r */
    }
}

Test(cuda_host, msm_bucket_method_matches_msm_g1, .init = init_rng) {
    size_t n = 300;
    g1_affine_t *pts = malloc(n * sizeof *pts);
    uint64_t(*sc)[4] = malloc(n * sizeof *sc);
    cr_assert(pts && sc);
    for (size_t i = 0; i < n; i++) rand_g1(&pts[i]);
    pts[5] = pts[4];                 /* a repeat: doubling inside a bucket */
    g1_affine_neg(&pts[9], &pts[8]); /* an opposite */
    g1_affine_set_infinity(&pts[12]);
    fill_scalars(sc, n);
    g1_jac_t want;
    cr_assert_eq(msm_g1(&want, pts, (const uint64_t(*)[4])sc, n, NULL), ZBP_OK);
    g1_affine_t want_aff, got;
    g1_jac_to_affine_vartime(&want_aff, &want);
    unsigned cs[3] = {4, 7, 10}, segs[3] = {1, 3, 16};
    for (int k = 0; k < 3; k++) {
        EMULATE_MSM(g1, zc_g1, n, cs[k], segs[k], got, pts, sc);
        cr_assert(g1_affine_equal(&got, &want_aff), "c = %u differs from msm_g1", cs[k]);
    }
    free(pts);
    free(sc);
}

Test(cuda_host, msm_bucket_method_matches_msm_g2, .init = init_rng) {
    size_t n = 60;
    g2_affine_t *pts = malloc(n * sizeof *pts);
    uint64_t(*sc)[4] = malloc(n * sizeof *sc);
    cr_assert(pts && sc);
    for (size_t i = 0; i < n; i++) rand_g2(&pts[i]);
    pts[3] = pts[2];
    fill_scalars(sc, n);
    g2_jac_t want;
    cr_assert_eq(msm_g2(&want, pts, (const uint64_t(*)[4])sc, n, NULL), ZBP_OK);
    g2_affine_t want_aff, got;
    g2_jac_to_affine_vartime(&want_aff, &want);
    EMULATE_MSM(g2, zc_g2, n, 6u, 4u, got, pts, sc);
    cr_assert(g2_affine_equal(&got, &want_aff), "G2 differs from msm_g2");
    free(pts);
    free(sc);
}

/* Scalars as real witnesses make them: mostly 1, 0 and small values, some -1 (= r - 1: a nonzero
 * digit in every window) and a few random ones, so that digit 1 of window 0 holds most points and
 * its bucket spans many chunks (the chunk tree's rounds). */
static void fill_witness_like(uint64_t (*sc)[4], size_t n) {
    static const uint64_t rm1[4] = {0x43e1f593f0000000ull, 0x2833e84879b97091ull,
                                    0xb85045b68181585dull, 0x30644e72e131a029ull};
    for (size_t i = 0; i < n; i++) {
        unsigned k = i % 20;
        memset(sc[i], 0, 32);
        if (k < 12) sc[i][0] = 1;
        else if (k < 15) sc[i][0] = 0;
        else if (k < 17) sc[i][0] = 2 + i % 5;
        else if (k < 18) memcpy(sc[i], rm1, 32);
        else rand_scalar(sc[i]);
    }
}

Test(cuda_host, msm_index_pipeline_with_witness_like_scalars, .init = init_rng) {
    size_t n = 6000;
    g1_affine_t *pts = malloc(n * sizeof *pts);
    uint64_t(*sc)[4] = malloc(n * sizeof *sc);
    cr_assert(pts && sc);
    for (size_t i = 0; i < n; i++) rand_g1(&pts[i]);
    for (size_t i = 100; i < 140; i++) pts[i] = pts[i - 40];              /* duplicates */
    for (size_t i = 200; i < 240; i++) g1_affine_neg(&pts[i], &pts[i - 40]); /* opposites */
    g1_affine_set_infinity(&pts[300]);
    fill_witness_like(sc, n);
    g1_jac_t want;
    cr_assert_eq(msm_g1(&want, pts, (const uint64_t(*)[4])sc, n, NULL), ZBP_OK);
    g1_affine_t want_aff, got;
    g1_jac_to_affine_vartime(&want_aff, &want);
    EMULATE_MSM(g1, zc_g1, n, 8u, 8u, got, pts, sc);
    cr_assert(g1_affine_equal(&got, &want_aff), "witness-like scalars: differs from msm_g1");
    /* 60% ones in one bucket: ~3600 points, ~57 chunks, six rounds of the tree */
    cr_assert_geq(emu_max_chunks, 32u, "the hot bucket spans only %u chunks", emu_max_chunks);
    free(pts);
    free(sc);
}

/* Device memory of one MSM, by the bounds msm.cu allocates to: G1 of 2^24 and 2^26 points and G2
 * of 2^24 fit an H100's 80 GB (78 GiB usable) with their inputs uploaded; and the per-run arrays
 * are sized by runs (windows 2^(c-1)), far below pairs (n windows). */
Test(cuda_host, msm_scratch_bounds_fit_an_h100) {
    const uint64_t gib = (uint64_t)1 << 30, h100 = 78 * gib;
    for (unsigned lg = 20; lg <= 26; lg += 2) {
        uint64_t n = (uint64_t)1 << lg;
        unsigned c = zc_msm_pick_window(n);
        uint64_t pairs = n * zc_msm_windows(c), runs = zc_msm_runs_bound(n, c);
        cr_assert(runs * 8 < pairs, "2^%u: %llu runs against %llu pairs", lg,
                  (unsigned long long)runs, (unsigned long long)pairs);
        cr_assert(pairs < ((uint64_t)1 << 32), "2^%u: the pairs' 32-bit count overflows", lg);
        uint64_t g1 = zc_msm_scratch_bytes(n, c, sizeof(zc_g1_affine_t), sizeof(zc_g1_xyzz_t), 1);
        uint64_t g2 = zc_msm_scratch_bytes(n, c, sizeof(zc_g2_affine_t), sizeof(zc_g2_xyzz_t), 1);
        /* at least the inputs and the sort's four arrays */
        cr_assert_geq(g1, n * (64 + 32) + 16 * pairs);
        cr_assert_lt(g1, h100, "G1 2^%u needs %.1f GiB", lg, (double)g1 / (double)gib);
        if (lg <= 24) cr_assert_lt(g2, h100, "G2 2^%u needs %.1f GiB", lg, (double)g2 / (double)gib);
    }
    /* the figures, for cuda/README.md */
    uint64_t n24 = (uint64_t)1 << 24, n26 = (uint64_t)1 << 26;
    cr_log_info("MSM scratch with inputs: G1 2^24 %.1f GiB, G1 2^26 %.1f GiB, G2 2^24 %.1f GiB",
                (double)zc_msm_scratch_bytes(n24, zc_msm_pick_window(n24), 64, 128, 1) / (double)gib,
                (double)zc_msm_scratch_bytes(n26, zc_msm_pick_window(n26), 64, 128, 1) / (double)gib,
                (double)zc_msm_scratch_bytes(n24, zc_msm_pick_window(n24), 128, 256, 1) / (double)gib);
}

/* The GPU NTT's stage structure run on the host: every stage of DIF or DIT through the kernels'
 * butterflies (with a twiddle table larger than the transform, as the GPU's cache shares one),
 * the coset and n^-1 factors through the two-table scaling, compared with ntt/ in every order. */
static void twiddles(zc_fr_t *tw, unsigned tw_log) {
    fr_t w, acc = FR_ONE;
    fr_root_of_unity(&w, tw_log);
    for (size_t k = 0; k < ((size_t)1 << (tw_log - 1)); k++) {
        memcpy(&tw[k], &acc, 32);
        fr_mul(&acc, &acc, &w);
    }
}

/* lo[j] = g^j, hi[j] = f g^(j 2^B) for the scaling factors f g^e */
static void coset_tables(zc_fr_t *lo, zc_fr_t *hi, size_t nhi, const fr_t *g, const fr_t *f) {
    fr_t acc = FR_ONE, step;
    for (size_t j = 0; j < ((size_t)1 << ZC_COSET_LO_BITS); j++) {
        memcpy(&lo[j], &acc, 32);
        fr_mul(&acc, &acc, g);
    }
    step = acc; /* g^(2^B) */
    acc = *f;
    for (size_t j = 0; j < nhi; j++) {
        memcpy(&hi[j], &acc, 32);
        fr_mul(&acc, &acc, &step);
    }
}

/* The device's factor tables (zc_pow_entry, one thread per entry) equal the host's running
 * products word for word: lo = g^j, hi = f (g^(2^B))^j, and the twiddles w^k. */
Test(cuda_host, pow_entries_match_running_products, .init = init_rng) {
    const size_t nlo = (size_t)1 << ZC_COSET_LO_BITS, nhi = 64;
    zc_fr_t *lo = malloc(nlo * sizeof *lo), hi[64];
    cr_assert(lo);
    fr_t g, f, step, one = FR_ONE;
    fr_random(&g, test_rng_bytes, &rng);
    fr_random(&f, test_rng_bytes, &rng);
    coset_tables(lo, hi, nhi, &g, &f);
    step = g;
    for (unsigned k = 0; k < ZC_COSET_LO_BITS; k++) fr_sqr(&step, &step);
    zc_fr_t zg, zf, zone, zstep, got;
    memcpy(&zg, &g, 32);
    memcpy(&zf, &f, 32);
    memcpy(&zone, &one, 32);
    memcpy(&zstep, &step, 32);
    for (uint32_t j = 0; j < nlo; j++) {
        zc_pow_entry(&got, &zg, &zone, j);
        cr_assert_eq(memcmp(&got, &lo[j], 32), 0, "lo[%u]", j);
    }
    for (uint32_t j = 0; j < nhi; j++) {
        zc_pow_entry(&got, &zstep, &zf, j);
        cr_assert_eq(memcmp(&got, &hi[j], 32), 0, "hi[%u]", j);
    }
    /* and the largest exponent a 2^28 table asks for */
    fr_t want = f;
    uint64_t e[4] = {(1u << 14) - 1, 0, 0, 0};
    fr_t p;
    fr_pow(&p, &step, e);
    fr_mul(&want, &want, &p);
    zc_pow_entry(&got, &zstep, &zf, (1u << 14) - 1);
    cr_assert_eq(memcmp(&got, &want, 32), 0, "hi[2^14 - 1]");
    free(lo);
}

Test(cuda_host, ntt_stages_match_ntt, .init = init_rng) {
    const unsigned tw_log = 12;
    zc_fr_t *tw = malloc(sizeof(zc_fr_t) << (tw_log - 1));
    zc_fr_t *lo = malloc(sizeof(zc_fr_t) << ZC_COSET_LO_BITS), hi[4];
    cr_assert(tw && lo);
    twiddles(tw, tw_log);
    ntt_ctx_t *ctx;
    cr_assert_eq(ntt_ctx_create(&ctx, 1, 0), ZBP_OK);
    for (unsigned log_n = 1; log_n <= 10; log_n++) {
        size_t n = (size_t)1 << log_n;
        fr_t *x = malloc(n * sizeof *x), *want = malloc(n * sizeof *x), *got = malloc(n * sizeof *x);
        cr_assert(x && want && got);
        for (size_t i = 0; i < n; i++) fr_random(&x[i], test_rng_bytes, &rng);
        fr_t g, one = FR_ONE, ninv, ginv, nf;
        ntt_snarkjs_shift(&g, log_n);
        fr_inv(&ginv, &g);
        uint64_t nl[4] = {n, 0, 0, 0};
        fr_to_mont(&nf, nl);
        fr_inv(&ninv, &nf);
        for (int order = 0; order < 3; order++) {
            for (int inverse = 0; inverse < 2; inverse++) {
                for (int coset = 0; coset < 2; coset++) {
                    memcpy(want, x, n * sizeof *x);
                    cr_assert_eq(ntt_transform(ctx, &want, 1, log_n,
                                               inverse ? NTT_INVERSE : NTT_FORWARD,
                                               (ntt_order_t)order, coset ? &g : NULL),
                                 ZBP_OK);
                    memcpy(got, x, n * sizeof *x);
                    zc_fr_t *d = (zc_fr_t *)got;
                    int in_rev = order == NTT_RN;
                    if (!inverse && coset) { /* scale the input by g^j */
                        coset_tables(lo, hi, 4, &g, &one);
                        for (uint32_t p = 0; p < n; p++) zc_ntt_scale(d, p, log_n, in_rev, lo, hi);
                    }
                    if (order == NTT_RN) {
                        for (unsigned s = 0; s < log_n; s++)
                            for (uint32_t t = 0; t < n / 2; t++) zc_ntt_dit(d, tw, tw_log, s, t, inverse);
                    } else {
                        for (unsigned s = log_n; s-- > 0;)
                            for (uint32_t t = 0; t < n / 2; t++) zc_ntt_dif(d, tw, tw_log, s, t, inverse);
                        if (order == NTT_NN)
                            for (uint32_t p = 0; p < n; p++) {
                                uint32_t q = zc_bitrev(p, log_n);
                                if (p < q) {
                                    zc_fr_t tmp = d[p];
                                    d[p] = d[q];
                                    d[q] = tmp;
                                }
                            }
                    }
                    if (inverse) { /* n^-1 g^-j on the output, whose order is NR's bit reversal */
                        coset_tables(lo, hi, 4, coset ? &ginv : &one, &ninv);
                        int out_rev = order == NTT_NR;
                        for (uint32_t p = 0; p < n; p++) zc_ntt_scale(d, p, log_n, out_rev, lo, hi);
                    }
                    cr_assert_eq(memcmp(want, got, n * sizeof *x), 0,
                                 "2^%u, order %d, inverse %d, coset %d", log_n, order, inverse, coset);
                }
            }
        }
        free(x);
        free(want);
        free(got);
    }
    ntt_ctx_free(ctx);
    free(tw);
    free(lo);
}

/* ---- the device face ------------------------------------------------------------------------------ */

static int have_gpu(void) {
    int count = 0;
    char why[256];
    return zbp_cuda_available(&count, why, sizeof why) == ZBP_OK && count > 0;
}

Test(cuda_device, available_reports_why_not) {
    int count = -1;
    char why[256] = "";
    int st = zbp_cuda_available(&count, why, sizeof why);
    if (st == ZBP_OK) cr_skip_test("a GPU is present here (%s): nothing to check", why);
    cr_assert_eq(st, ZBP_ERR_UNSUPPORTED);
    cr_assert_eq(count, 0);
    cr_assert(why[0], "no reason given");
    int dev = 7;
    char err[512];
    cr_assert_eq(zbp_device_parse("auto", &dev, err, sizeof err), ZBP_OK);
    cr_assert_eq(dev, -1, "auto must fall back to the CPU");
    cr_assert_eq(zbp_device_parse("cuda", &dev, err, sizeof err), ZBP_ERR_UNSUPPORTED);
    cr_assert(strstr(err, "no usable GPU"), "%s", err);
    cr_assert_eq(zbp_device_parse("cuda:1", &dev, err, sizeof err), ZBP_ERR_UNSUPPORTED);
}

Test(cuda_device, parse_rejects_malformed_values) {
    int dev;
    char err[512];
    cr_assert_eq(zbp_device_parse("cpu", &dev, err, sizeof err), ZBP_OK);
    cr_assert_eq(dev, -1);
    cr_assert_eq(zbp_device_parse("gpu", &dev, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert_eq(zbp_device_parse("cuda:", &dev, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert_eq(zbp_device_parse("cuda:x", &dev, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert_eq(zbp_device_parse("cudax", &dev, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert_eq(zbp_device_parse("cuda:-1", &dev, err, sizeof err), ZBP_ERR_INPUT);
}

/* Runs `zbprover prove ... --device <spec>` on the poseidon fixture; returns the exit status and
 * the first line of stderr in msg. */
static int run_prove(const char *spec, char *msg, size_t len) {
    const char *bin = getenv("ZBP_BINARY"), *data = test_env_dir("ZBP_TEST_DATA");
    if (!bin || !data) cr_skip_test("ZBP_BINARY or ZBP_TEST_DATA is not set");
    char dir[] = "/tmp/zbp-cuda-XXXXXX";
    cr_assert(mkdtemp(dir));
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "%s prove %s/fixtures/poseidon/circuit.zkey %s/fixtures/poseidon/witness.wtns "
             "%s/proof.json %s/public.json --device %s 2>%s/err; echo $? >%s/rc",
             bin, data, data, dir, dir, spec, dir, dir);
    cr_assert_eq(system(cmd), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/rc", dir);
    FILE *f = fopen(path, "r");
    int rc = -1;
    cr_assert(f && fscanf(f, "%d", &rc) == 1);
    fclose(f);
    snprintf(path, sizeof path, "%s/err", dir);
    f = fopen(path, "r");
    msg[0] = '\0';
    if (f && !fgets(msg, (int)len, f)) msg[0] = '\0';
    if (f) fclose(f);
    snprintf(path, sizeof path, "%s/proof.json", dir);
    f = fopen(path, "r");
    int wrote = f != NULL;
    if (f) fclose(f);
    if (rc != 0) cr_assert(!wrote, "a failed prove left proof.json behind");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    return rc;
}

Test(cuda_device, prove_device_cuda_without_gpu_exits_3) {
    if (have_gpu()) cr_skip_test("a GPU is present here: --device cuda proves");
    char msg[1024];
    int rc = run_prove("cuda", msg, sizeof msg);
    cr_assert_eq(rc, 3, "exit %d: %s", rc, msg);
    cr_assert(strstr(msg, "--device cuda") && strstr(msg, "no usable GPU"), "unclear: %s", msg);
    rc = run_prove("cuda:3", msg, sizeof msg);
    cr_assert_eq(rc, 3, "exit %d: %s", rc, msg);
    rc = run_prove("tpu", msg, sizeof msg);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, msg);
}

Test(cuda_device, prove_device_auto_and_cpu_prove) {
    char msg[1024];
    int rc = run_prove("auto", msg, sizeof msg);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, msg);
    rc = run_prove("cpu", msg, sizeof msg);
    cr_assert_eq(rc, 0, "exit %d: %s", rc, msg);
}

/* ---- on a GPU only ---------------------------------------------------------------------------------- */

Test(cuda_gpu, msm_and_ntt_match_the_cpu, .init = init_rng) {
    if (!have_gpu()) cr_skip_test("no usable GPU here: the GPU kernels are checked by cuda/check.sh");
    char err[512];
    zbp_cuda_t *ctx;
    cr_assert_eq(zbp_cuda_open(&ctx, 0, err, sizeof err), ZBP_OK, "%s", err);
    size_t n = 1000;
    g1_affine_t *pts = malloc(n * sizeof *pts);
    uint64_t(*sc)[4] = malloc(n * sizeof *sc);
    cr_assert(pts && sc);
    for (size_t i = 0; i < n; i++) rand_g1(&pts[i]);
    fill_scalars(sc, n);
    g1_jac_t want, got;
    cr_assert_eq(msm_g1(&want, pts, (const uint64_t(*)[4])sc, n, NULL), ZBP_OK);
    cr_assert_eq(zbp_cuda_msm_g1(ctx, &got, pts, (const uint64_t(*)[4])sc, n, 0, err, sizeof err),
                 ZBP_OK, "%s", err);
    cr_assert(g1_jac_equal(&want, &got), "GPU G1 MSM differs from msm_g1");
    fr_t *x = malloc(4096 * sizeof *x), *y = malloc(4096 * sizeof *x);
    cr_assert(x && y);
    for (size_t i = 0; i < 4096; i++) fr_random(&x[i], test_rng_bytes, &rng);
    memcpy(y, x, 4096 * sizeof *x);
    ntt_ctx_t *nc;
    cr_assert_eq(ntt_ctx_create(&nc, 0, 0), ZBP_OK);
    cr_assert_eq(ntt_forward(nc, x, 12, NTT_NN), ZBP_OK);
    cr_assert_eq(zbp_cuda_ntt(ctx, y, 12, NTT_FORWARD, NTT_NN, NULL, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(memcmp(x, y, 4096 * sizeof *x), 0, "GPU NTT differs from ntt_forward");
    ntt_ctx_free(nc);
    free(x);
    free(y);
    free(pts);
    free(sc);
    zbp_cuda_close(ctx);
}
