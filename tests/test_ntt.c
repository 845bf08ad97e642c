/* test_ntt.c: the ntt room against an O(n²) DFT (every size to 2^10), round trips (to 2^22, or
 * 2^16 under a sanitizer or ZBP_TEST_QUICK), identities (linearity, coset = scaling, exact order
 * of the generator), equal results across thread counts, batch sizes and ISA paths, errors, and
 * snarkjs's own FFT outputs (tests/fixtures/ntt/snarkjs_vectors.txt, from make_vectors.js). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntt/ntt.h"
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

/* Largest size of the round-trip sweep: 2^22 in a plain build, 2^16 when quick. */
static unsigned max_roundtrip_log(void) {
    const char *q = getenv("ZBP_TEST_QUICK");
    return (UNDER_SANITIZER || (q && *q && strcmp(q, "0"))) ? 16 : 22;
}

static fr_t *rand_vec(size_t n, test_rng_t *rng) {
    fr_t *v = malloc(n * sizeof(fr_t));
    cr_assert(v);
    for (size_t i = 0; i < n; i++) fr_random(&v[i], test_rng_bytes, rng);
    return v;
}

static fr_t *copy_vec(const fr_t *a, size_t n) {
    fr_t *v = malloc(n * sizeof(fr_t));
    cr_assert(v);
    memcpy(v, a, n * sizeof(fr_t));
    return v;
}

static void assert_vec_eq(const fr_t *got, const fr_t *want, size_t n, const char *what) {
    for (size_t i = 0; i < n; i++)
        if (!fr_equal(&got[i], &want[i]))
            cr_assert_fail("%s: first difference at index %zu of %zu (seed 0x%llx)", what, i, n,
                           (unsigned long long)test_seed());
}

static void bitrev_perm(fr_t *x, unsigned k) {
    size_t n = (size_t)1 << k;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        for (unsigned b = 0; b < k; b++) j |= ((i >> b) & 1) << (k - 1 - b);
        if (i < j) {
            fr_t t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
}

static void fr_small(fr_t *r, uint64_t v) {
    const uint64_t l[4] = {v, 0, 0, 0};
    fr_to_mont(r, l);
}

/* out[i] = scale · Σ_j x[j]·w^(ij), by Horner in w^i: the O(n²) reference. */
static void dft(fr_t *out, const fr_t *x, size_t n, const fr_t *w, const fr_t *scale) {
    fr_t wi = FR_ONE;
    for (size_t i = 0; i < n; i++) {
        fr_t acc = FR_ZERO;
        for (size_t j = n; j-- > 0;) {
            fr_mul(&acc, &acc, &wi);
            fr_add(&acc, &acc, &x[j]);
        }
        fr_mul(&out[i], &acc, scale);
        fr_mul(&wi, &wi, w);
    }
}

/* x[i] *= g^i */
static void scale_powers(fr_t *x, size_t n, const fr_t *g) {
    fr_t p = FR_ONE;
    for (size_t i = 0; i < n; i++) {
        fr_mul(&x[i], &x[i], &p);
        fr_mul(&p, &p, g);
    }
}

static ntt_ctx_t *new_ctx(int threads) {
    ntt_ctx_t *ctx;
    cr_assert_eq(ntt_ctx_create(&ctx, threads, 0), ZBP_OK);
    return ctx;
}

/* Runs one transform on a copy of x and checks it against want. */
static void check_one(ntt_ctx_t *ctx, const fr_t *x, const fr_t *want, unsigned k, ntt_dir_t dir,
                      ntt_order_t order, const fr_t *coset, const char *what) {
    size_t n = (size_t)1 << k;
    fr_t *v = copy_vec(x, n);
    fr_t *p = v;
    int st = ntt_transform(ctx, &p, 1, k, dir, order, coset);
    cr_assert_eq(st, ZBP_OK, "%s 2^%u: status %d (%s)", what, k, st, ntt_ctx_message(ctx));
    char buf[128];
    snprintf(buf, sizeof buf, "%s, size 2^%u", what, k);
    assert_vec_eq(v, want, n, buf);
    free(v);
}

/* Every variant (direction, order, coset) of every size to 2^10 against the O(n²) DFT, on each
 * field path this CPU has: the butterflies differ between the vector path and the scalar ones. */
static void check_against_dft(ntt_ctx_t *ctx, unsigned k, test_rng_t *rng) {
    size_t n = (size_t)1 << k;
    fr_t *x = rand_vec(n, rng), *want = malloc(n * sizeof(fr_t)), *xr = copy_vec(x, n),
         *wr = malloc(n * sizeof(fr_t));
    fr_t w, wi, inv_n, gi, shifts[2];
    ntt_domain_root(&w, k);
    fr_inv(&wi, &w);
    fr_small(&inv_n, n);
    fr_inv(&inv_n, &inv_n);
    ntt_snarkjs_shift(&shifts[0], k);
    fr_random(&shifts[1], test_rng_bytes, rng);
    bitrev_perm(xr, k);

    /* forward, in all three orders */
    dft(want, x, n, &w, &FR_ONE);
    check_one(ctx, x, want, k, NTT_FORWARD, NTT_NN, NULL, "forward NN");
    check_one(ctx, xr, want, k, NTT_FORWARD, NTT_RN, NULL, "forward RN");
    memcpy(wr, want, n * sizeof(fr_t));
    bitrev_perm(wr, k);
    check_one(ctx, x, wr, k, NTT_FORWARD, NTT_NR, NULL, "forward NR");

    /* inverse */
    dft(want, x, n, &wi, &inv_n);
    check_one(ctx, x, want, k, NTT_INVERSE, NTT_NN, NULL, "inverse NN");
    check_one(ctx, xr, want, k, NTT_INVERSE, NTT_RN, NULL, "inverse RN");
    memcpy(wr, want, n * sizeof(fr_t));
    bitrev_perm(wr, k);
    check_one(ctx, x, wr, k, NTT_INVERSE, NTT_NR, NULL, "inverse NR");

    /* coset forward and inverse, snarkjs's shift and a random one */
    for (int which = 0; which < 2; which++) {
        const fr_t *s = &shifts[which];
        fr_t *xs = copy_vec(x, n);
        scale_powers(xs, n, s);
        dft(want, xs, n, &w, &FR_ONE);
        check_one(ctx, x, want, k, NTT_FORWARD, NTT_NN, s, "coset forward NN");
        check_one(ctx, xr, want, k, NTT_FORWARD, NTT_RN, s, "coset forward RN");
        memcpy(wr, want, n * sizeof(fr_t));
        bitrev_perm(wr, k);
        check_one(ctx, x, wr, k, NTT_FORWARD, NTT_NR, s, "coset forward NR");

        fr_inv(&gi, s);
        dft(want, x, n, &wi, &inv_n);
        scale_powers(want, n, &gi);
        check_one(ctx, x, want, k, NTT_INVERSE, NTT_NN, s, "coset inverse NN");
        check_one(ctx, xr, want, k, NTT_INVERSE, NTT_RN, s, "coset inverse RN");
        memcpy(wr, want, n * sizeof(fr_t));
        bitrev_perm(wr, k);
        check_one(ctx, x, wr, k, NTT_INVERSE, NTT_NR, s, "coset inverse NR");
        free(xs);
    }
    free(x);
    free(want);
    free(xr);
    free(wr);
}

Test(ntt, against_dft_every_size_to_2_10) {
    zbp_isa_t saved = zbp_field_batch_isa();
    for (int isa = 0; isa < ZBP_ISA_COUNT; isa++) {
        if (zbp_field_select((zbp_isa_t)isa) != ZBP_OK) {
            cr_log_info("ntt: %s path not on this CPU: skipped", zbp_isa_name((zbp_isa_t)isa));
            continue;
        }
        test_rng_t rng;
        test_rng_seed(&rng, test_seed());
        ntt_ctx_t *ctx = new_ctx(2);
        for (unsigned k = 0; k <= 10; k++) check_against_dft(ctx, k, &rng);
        ntt_ctx_free(ctx);
    }
    cr_assert_eq(zbp_field_select(saved), ZBP_OK);
}

Test(ntt, round_trips_every_size) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 1);
    ntt_ctx_t *ctx = new_ctx(0);
    unsigned kmax = max_roundtrip_log();
    fr_t *x = rand_vec((size_t)1 << kmax, &rng);
    for (unsigned k = 0; k <= kmax; k++) {
        size_t n = (size_t)1 << k;
        fr_t *v = copy_vec(x, n);
        char what[96];
        /* NN both ways */
        cr_assert_eq(ntt_forward(ctx, v, k, NTT_NN), ZBP_OK);
        cr_assert_eq(ntt_inverse(ctx, v, k, NTT_NN), ZBP_OK);
        snprintf(what, sizeof what, "inverse(forward(x)) NN, 2^%u", k);
        assert_vec_eq(v, x, n, what);
        /* NR then RN: no bit reversal anywhere */
        cr_assert_eq(ntt_forward(ctx, v, k, NTT_NR), ZBP_OK);
        cr_assert_eq(ntt_inverse(ctx, v, k, NTT_RN), ZBP_OK);
        snprintf(what, sizeof what, "inverse RN(forward NR(x)), 2^%u", k);
        assert_vec_eq(v, x, n, what);
        /* coset, on the sizes where the smaller sweep already runs */
        if (k <= 16 || k == kmax) {
            cr_assert_eq(ntt_coset_forward(ctx, v, k, NTT_NR, NULL), ZBP_OK);
            cr_assert_eq(ntt_coset_inverse(ctx, v, k, NTT_RN, NULL), ZBP_OK);
            snprintf(what, sizeof what, "coset inverse RN(coset forward NR(x)), 2^%u", k);
            assert_vec_eq(v, x, n, what);
        }
        free(v);
    }
    free(x);
    ntt_ctx_free(ctx);
}

Test(ntt, linearity) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 2);
    ntt_ctx_t *ctx = new_ctx(0);
    const unsigned sizes[] = {5, 12, 15, 18};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned k = sizes[s];
        size_t n = (size_t)1 << k;
        fr_t *x = rand_vec(n, &rng), *y = rand_vec(n, &rng), *z = malloc(n * sizeof(fr_t)), a;
        fr_random(&a, test_rng_bytes, &rng);
        for (size_t i = 0; i < n; i++) {
            fr_mul(&z[i], &x[i], &a);
            fr_add(&z[i], &z[i], &y[i]);
        }
        cr_assert_eq(ntt_forward(ctx, x, k, NTT_NN), ZBP_OK);
        cr_assert_eq(ntt_forward(ctx, y, k, NTT_NN), ZBP_OK);
        cr_assert_eq(ntt_forward(ctx, z, k, NTT_NN), ZBP_OK);
        for (size_t i = 0; i < n; i++) {
            fr_t t;
            fr_mul(&t, &x[i], &a);
            fr_add(&t, &t, &y[i]);
            cr_assert(fr_equal(&t, &z[i]), "linearity fails at %zu of 2^%u", i, k);
        }
        free(x);
        free(y);
        free(z);
    }
    ntt_ctx_free(ctx);
}

/* A coset transform equals scaling by the powers of the shift and then the plain transform (and
 * for the inverse, the plain inverse then scaling by the inverse powers), in each order. */
Test(ntt, coset_equals_scaling_then_transform) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 3);
    ntt_ctx_t *ctx = new_ctx(0);
    const unsigned sizes[] = {1, 7, 11, 14, 17, 20};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned k = sizes[s];
        if (k > max_roundtrip_log()) continue;
        size_t n = (size_t)1 << k;
        fr_t g, gi;
        if (s & 1)
            fr_random(&g, test_rng_bytes, &rng);
        else
            ntt_snarkjs_shift(&g, k);
        fr_inv(&gi, &g);
        fr_t *x = rand_vec(n, &rng), *want = copy_vec(x, n), *v;
        scale_powers(want, n, &g);
        cr_assert_eq(ntt_forward(ctx, want, k, NTT_NN), ZBP_OK);
        for (int order = NTT_NN; order <= NTT_RN; order++) {
            v = copy_vec(x, n);
            if (order == NTT_RN) bitrev_perm(v, k);
            cr_assert_eq(ntt_coset_forward(ctx, v, k, (ntt_order_t)order, &g), ZBP_OK);
            if (order == NTT_NR) bitrev_perm(v, k);
            assert_vec_eq(v, want, n, "coset forward vs scale + forward");
            free(v);
        }
        memcpy(want, x, n * sizeof(fr_t));
        cr_assert_eq(ntt_inverse(ctx, want, k, NTT_NN), ZBP_OK);
        scale_powers(want, n, &gi);
        for (int order = NTT_NN; order <= NTT_RN; order++) {
            v = copy_vec(x, n);
            if (order == NTT_RN) bitrev_perm(v, k);
            cr_assert_eq(ntt_coset_inverse(ctx, v, k, (ntt_order_t)order, &g), ZBP_OK);
            if (order == NTT_NR) bitrev_perm(v, k);
            assert_vec_eq(v, want, n, "coset inverse vs inverse + scale");
            free(v);
        }
        free(x);
        free(want);
    }
    ntt_ctx_free(ctx);
}

/* The prover's step: coset_extend = inverse NN, then coset forward NN with snarkjs's shift. */
Test(ntt, coset_extend_matches_the_two_transforms) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 4);
    ntt_ctx_t *ctx = new_ctx(0);
    const unsigned sizes[] = {0, 3, 10, 13, 19};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned k = sizes[s];
        if (k > max_roundtrip_log()) continue;
        size_t n = (size_t)1 << k;
        fr_t *a = rand_vec(n, &rng), *b = rand_vec(n, &rng), *c = rand_vec(n, &rng);
        fr_t *wa = copy_vec(a, n), *wb = copy_vec(b, n), *wc = copy_vec(c, n);
        fr_t *w[3] = {wa, wb, wc}, *d[3] = {a, b, c};
        for (int i = 0; i < 3; i++) {
            cr_assert_eq(ntt_inverse(ctx, w[i], k, NTT_NN), ZBP_OK);
            cr_assert_eq(ntt_coset_forward(ctx, w[i], k, NTT_NN, NULL), ZBP_OK);
        }
        cr_assert_eq(ntt_coset_extend(ctx, d, 3, k, NULL), ZBP_OK);
        for (int i = 0; i < 3; i++) assert_vec_eq(d[i], w[i], n, "coset_extend");
        for (int i = 0; i < 3; i++) {
            free(d[i]);
            free(w[i]);
        }
    }
    ntt_ctx_free(ctx);
}

/* ω = w[k] has order exactly 2^k: ω^(2^(k−1)) = −1 (so its order divides 2^k and not 2^(k−1)).
 * snarkjs's shift squares to ω_k and its n-th power is −1, so the coset misses the domain; at
 * k = 28 it is 25, which is no power of ω_28 at all (25^(2^28) ≠ 1). */
Test(ntt, generator_has_exact_order) {
    fr_t minus_one;
    fr_neg(&minus_one, &FR_ONE);
    for (unsigned k = 0; k <= NTT_MAX_LOG; k++) {
        fr_t w, t;
        ntt_domain_root(&w, k);
        t = w;
        for (unsigned i = 0; i + 1 < k; i++) fr_sqr(&t, &t);
        if (k == 0) {
            cr_assert(fr_equal(&w, &FR_ONE));
            continue;
        }
        cr_assert(fr_equal(&t, &minus_one), "w[%u]^(2^%u) != -1", k, k - 1);
        fr_sqr(&t, &t);
        cr_assert(fr_equal(&t, &FR_ONE), "w[%u]^(2^%u) != 1", k, k);

        fr_t g;
        ntt_snarkjs_shift(&g, k);
        for (unsigned i = 0; i < k; i++) fr_sqr(&g, &g);
        if (k < NTT_MAX_LOG) {
            cr_assert(fr_equal(&g, &minus_one), "shift^n != -1 at k = %u", k);
        } else {
            fr_t s25;
            fr_small(&s25, 25);
            ntt_snarkjs_shift(&t, k);
            cr_assert(fr_equal(&t, &s25));
            cr_assert(!fr_equal(&g, &FR_ONE), "25^(2^28) == 1");
        }
    }
}

/* 1, 2 and N threads give the same bits, single transforms and batches, on sizes with many
 * blocks and an odd split. */
Test(ntt, thread_counts_agree) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 5);
    const unsigned sizes[] = {9, 16, 19};
    ntt_ctx_t *c1 = new_ctx(1), *c2 = new_ctx(2), *c5 = new_ctx(5);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned k = sizes[s];
        if (k > max_roundtrip_log()) continue;
        size_t n = (size_t)1 << k;
        fr_t *x = rand_vec(n, &rng);
        fr_t *v1[3], *v2[3], *v5[3];
        for (int i = 0; i < 3; i++) {
            v1[i] = copy_vec(x, n);
            v2[i] = copy_vec(x, n);
            v5[i] = copy_vec(x, n);
            fr_mul(&v1[i][0], &v1[i][0], &x[i]); /* make the batch members differ */
            v2[i][0] = v5[i][0] = v1[i][0];
        }
        cr_assert_eq(ntt_transform(c1, v1, 3, k, NTT_FORWARD, NTT_NN, NULL), ZBP_OK);
        cr_assert_eq(ntt_transform(c2, v2, 3, k, NTT_FORWARD, NTT_NN, NULL), ZBP_OK);
        cr_assert_eq(ntt_transform(c5, v5, 3, k, NTT_FORWARD, NTT_NN, NULL), ZBP_OK);
        cr_assert_eq(ntt_coset_extend(c1, v1, 3, k, NULL), ZBP_OK);
        cr_assert_eq(ntt_coset_extend(c2, v2, 3, k, NULL), ZBP_OK);
        cr_assert_eq(ntt_coset_extend(c5, v5, 3, k, NULL), ZBP_OK);
        for (int i = 0; i < 3; i++) {
            assert_vec_eq(v2[i], v1[i], n, "2 threads vs 1");
            assert_vec_eq(v5[i], v1[i], n, "5 threads vs 1");
            /* and each batch member equals its single transform */
            fr_t *single = copy_vec(x, n);
            fr_mul(&single[0], &single[0], &x[i]);
            cr_assert_eq(ntt_forward(c2, single, k, NTT_NN), ZBP_OK);
            cr_assert_eq(ntt_coset_extend(c2, &single, 1, k, NULL), ZBP_OK);
            assert_vec_eq(single, v1[i], n, "batch member vs single transform");
            free(single);
            free(v1[i]);
            free(v2[i]);
            free(v5[i]);
        }
        free(x);
    }
    ntt_ctx_free(c1);
    ntt_ctx_free(c2);
    ntt_ctx_free(c5);
}

/* Every batch path this CPU has (the vector butterflies run only on AVX-512 IFMA) gives the
 * same bits as the portable one. */
Test(ntt, isa_paths_agree) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 6);
    zbp_isa_t saved = zbp_field_batch_isa();
    const unsigned sizes[] = {4, 11, 16};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        unsigned k = sizes[s];
        size_t n = (size_t)1 << k;
        fr_t *x = rand_vec(n, &rng), *ref = NULL;
        for (int isa = 0; isa < ZBP_ISA_COUNT; isa++) {
            if (zbp_field_select((zbp_isa_t)isa) != ZBP_OK) {
                cr_log_info("ntt: %s path not on this CPU: skipped", zbp_isa_name((zbp_isa_t)isa));
                continue;
            }
            ntt_ctx_t *ctx = new_ctx(2);
            fr_t *v = copy_vec(x, n);
            cr_assert_eq(ntt_forward(ctx, v, k, NTT_NN), ZBP_OK);
            cr_assert_eq(ntt_coset_extend(ctx, &v, 1, k, NULL), ZBP_OK);
            cr_assert_eq(ntt_inverse(ctx, v, k, NTT_RN), ZBP_OK);
            if (!ref)
                ref = v;
            else {
                assert_vec_eq(v, ref, n, zbp_isa_name((zbp_isa_t)isa));
                free(v);
            }
            ntt_ctx_free(ctx);
        }
        free(ref);
        free(x);
    }
    cr_assert_eq(zbp_field_select(saved), ZBP_OK);
}

Test(ntt, errors_and_budget) {
    ntt_ctx_t *ctx;
    cr_assert_eq(ntt_ctx_create(NULL, 1, 0), ZBP_ERR_INPUT);
    cr_assert_eq(ntt_ctx_create(&ctx, -1, 0), ZBP_ERR_INPUT);
    /* a budget too small for 2^16's tables and scratch */
    cr_assert_eq(ntt_ctx_create(&ctx, 2, 64 * 1024), ZBP_OK);
    fr_t x[4] = {FR_ONE, FR_ONE, FR_ZERO, FR_ONE};
    cr_assert_eq(ntt_forward(ctx, x, 2, NTT_NN), ZBP_OK);
    cr_assert_leq(ntt_ctx_bytes(ctx), ntt_ctx_budget(ctx));
    cr_assert_eq(ntt_prepare(ctx, 16), ZBP_ERR_NOMEM);
    cr_assert(strstr(ntt_ctx_message(ctx), "budget"), "message: %s", ntt_ctx_message(ctx));
    cr_assert_leq(ntt_ctx_bytes(ctx), ntt_ctx_budget(ctx));
    cr_assert_eq(ntt_prepare(ctx, NTT_MAX_LOG + 1), ZBP_ERR_RANGE);
    cr_assert_eq(ntt_forward(ctx, NULL, 2, NTT_NN), ZBP_ERR_INPUT);
    cr_assert_eq(ntt_forward(ctx, x, 2, (ntt_order_t)7), ZBP_ERR_INPUT);
    cr_assert_eq(ntt_coset_forward(ctx, x, 2, NTT_NN, &FR_ZERO), ZBP_ERR_INPUT);
    cr_assert_eq(ntt_transform(ctx, NULL, 0, 2, NTT_FORWARD, NTT_NN, NULL), ZBP_OK);
    ntt_ctx_free(ctx);
    ntt_ctx_free(NULL);
    /* the estimate covers what a context really holds */
    cr_assert_eq(ntt_ctx_create(&ctx, 3, 0), ZBP_OK);
    cr_assert_eq(ntt_prepare(ctx, 17), ZBP_OK);
    cr_assert_eq(ntt_ctx_bytes(ctx), ntt_bytes_needed(17, 3));
    ntt_ctx_free(ctx);
    cr_assert_gt(ntt_bytes_needed(NTT_MAX_LOG, 1), 0);
    cr_assert_eq(ntt_bytes_needed(NTT_MAX_LOG + 1, 1), 0);
}

/* snarkjs's Fr.fft, Fr.ifft and the prover's coset step, from the committed golden vectors. */
static int read_block(FILE *f, unsigned *k, char *kind, fr_t **vals) {
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        if (sscanf(line, "vector %u %15s", k, kind) != 2) cr_assert_fail("bad header: %s", line);
        size_t n = (size_t)1 << *k;
        *vals = malloc(n * sizeof(fr_t));
        for (size_t i = 0; i < n; i++) {
            cr_assert(fgets(line, sizeof line, f), "truncated vector file");
            size_t len = strcspn(line, "\r\n");
            cr_assert_eq(fr_from_dec(&(*vals)[i], line, len), ZBP_OK, "bad value: %s", line);
        }
        return 1;
    }
    return 0;
}

Test(ntt, equals_snarkjs_fft) {
    const char *dir = test_env_dir("ZBP_TEST_DATA");
    if (!dir) cr_skip_test("ZBP_TEST_DATA not set");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/ntt/snarkjs_vectors.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    ntt_ctx_t *ctx = new_ctx(2);
    fr_t *input = NULL;
    unsigned k, kin = 99, blocks = 0;
    char kind[16];
    fr_t *vals;
    while (read_block(f, &k, kind, &vals)) {
        size_t n = (size_t)1 << k;
        if (!strcmp(kind, "input")) {
            free(input);
            input = vals;
            kin = k;
            continue;
        }
        cr_assert_eq(k, kin, "%s block for 2^%u without its input", kind, k);
        fr_t *v = copy_vec(input, n);
        if (!strcmp(kind, "fft")) {
            cr_assert_eq(ntt_forward(ctx, v, k, NTT_NN), ZBP_OK);
        } else if (!strcmp(kind, "ifft")) {
            cr_assert_eq(ntt_inverse(ctx, v, k, NTT_NN), ZBP_OK);
        } else if (!strcmp(kind, "coset")) {
            cr_assert_eq(ntt_coset_extend(ctx, &v, 1, k, NULL), ZBP_OK);
        } else {
            cr_assert_fail("unknown kind %s", kind);
        }
        char what[64];
        snprintf(what, sizeof what, "snarkjs %s", kind);
        assert_vec_eq(v, vals, n, what);
        free(v);
        free(vals);
        blocks++;
    }
    fclose(f);
    free(input);
    cr_assert_geq(blocks, 3 * 8, "only %u vectors checked", blocks);
    ntt_ctx_free(ctx);
}
