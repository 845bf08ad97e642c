/* test_field.c: every field operation of every path against GMP (mpz) on random inputs and on the
 * edge values, plus algebraic identities. The Montgomery images are computed by GMP (x·2^256 mod
 * p), never by the code under test, so a wrong to_mont cannot hide a wrong mul. */
#include <criterion/criterion.h>
#include <gmp.h>
#include <stdio.h>
#include <string.h>

#include "field/field.h"
#include "field/field_batch.h"
#include "testutil.h"

#define N_RANDOM 100000

typedef struct {
    const char *name;
    const zbp_mont_t *f;
    mpz_t p, R, Rinv; /* modulus, 2^256 mod p, its inverse */
} fld_t;

static fld_t FQ, FR;

static void limbs_to_mpz(mpz_t r, const uint64_t a[4]) { mpz_import(r, 4, -1, 8, 0, 0, a); }

static void mpz_to_limbs(uint64_t r[4], const mpz_t a) {
    memset(r, 0, 32);
    size_t count = 0;
    mpz_export(r, &count, -1, 8, 0, 0, a);
    cr_assert(count <= 4);
}

static void fld_init(fld_t *F, const char *name, const zbp_mont_t *f) {
    F->name = name;
    F->f = f;
    mpz_inits(F->p, F->R, F->Rinv, NULL);
    limbs_to_mpz(F->p, f->p);
    mpz_set_ui(F->R, 1);
    mpz_mul_2exp(F->R, F->R, 256);
    mpz_mod(F->R, F->R, F->p);
    mpz_invert(F->Rinv, F->R, F->p);
}

static void setup(void) {
    fld_init(&FQ, "fq", &zbp_fq_mont);
    fld_init(&FR, "fr", &zbp_fr_mont);
}

/* Montgomery image of a canonical x, by GMP. */
static void to_mont_gmp(uint64_t r[4], const mpz_t x, const fld_t *F) {
    mpz_t t;
    mpz_init(t);
    mpz_mul(t, x, F->R);
    mpz_mod(t, t, F->p);
    mpz_to_limbs(r, t);
    mpz_clear(t);
}

/* Canonical value of a Montgomery image, by GMP. */
static void from_mont_gmp(mpz_t r, const uint64_t a[4], const fld_t *F) {
    limbs_to_mpz(r, a);
    mpz_mul(r, r, F->Rinv);
    mpz_mod(r, r, F->p);
}

/* The edge values named by the issue, reduced mod p, followed by random values. */
#define N_EDGE 16
static void value(mpz_t x, int i, const fld_t *F, test_rng_t *rng) {
    switch (i) {
    case 0: mpz_set_ui(x, 0); return;
    case 1: mpz_set_ui(x, 1); return;
    case 2: mpz_set_ui(x, 2); return;
    case 3: mpz_sub_ui(x, F->p, 1); return;
    case 4: mpz_sub_ui(x, F->p, 2); return;
    case 5: mpz_sub_ui(x, F->p, 1); mpz_fdiv_q_2exp(x, x, 1); return;
    case 6: mpz_set_ui(x, 1); mpz_mul_2exp(x, x, 64); mpz_sub_ui(x, x, 1); return;
    case 7: mpz_set_ui(x, 1); mpz_mul_2exp(x, x, 64); return;
    case 8: mpz_set_ui(x, 1); mpz_mul_2exp(x, x, 128); return;
    case 9: mpz_set_ui(x, 1); mpz_mul_2exp(x, x, 255); mpz_mod(x, x, F->p); return;
    case 10: mpz_set_ui(x, 1); mpz_mul_2exp(x, x, 256); mpz_sub_ui(x, x, 1); mpz_mod(x, x, F->p); return;
    case 11: mpz_set_ui(x, 1); mpz_mul_2exp(x, x, 192); mpz_sub_ui(x, x, 1); return;
    case 12: mpz_sub_ui(x, F->p, 1); mpz_fdiv_q_2exp(x, x, 1); mpz_add_ui(x, x, 1); return;
    case 13: mpz_set(x, F->R); return;          /* Montgomery one as a plain value */
    case 14: mpz_set_ui(x, 5); return;          /* the non-residue */
    case 15: mpz_set_ui(x, 1); mpz_mul_2exp(x, x, 253); return;
    default: {
        uint64_t l[4];
        do {
            for (int k = 0; k < 4; k++) l[k] = test_rng_u64(rng);
            /* mix in sparse shapes: high limbs zero or all ones, to stress carries */
            uint64_t shape = test_rng_u64(rng) % 8;
            if (shape == 0) l[3] = l[2] = 0;
            if (shape == 1) l[0] = l[1] = ~0ull;
            l[3] &= 0x3fffffffffffffffull;
            limbs_to_mpz(x, l);
        } while (mpz_cmp(x, F->p) >= 0);
        return;
    }
    }
}

typedef void (*mulfn)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t p[4],
                      uint64_t pinv);

static void check_mul(const fld_t *F, mulfn mul, const char *path) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed());
    mpz_t a, b, e, got;
    mpz_inits(a, b, e, got, NULL);
    for (int i = 0; i < N_RANDOM; i++) {
        value(a, i < N_EDGE * N_EDGE ? i / N_EDGE : N_EDGE, F, &rng);
        value(b, i < N_EDGE * N_EDGE ? i % N_EDGE : N_EDGE, F, &rng);
        uint64_t A[4], B[4], Rl[4];
        to_mont_gmp(A, a, F);
        to_mont_gmp(B, b, F);
        mul(Rl, A, B, F->f->p, F->f->pinv);
        mpz_mul(e, a, b);
        mpz_mod(e, e, F->p);
        uint64_t E[4];
        to_mont_gmp(E, e, F);
        if (memcmp(Rl, E, 32)) {
            char *sa = mpz_get_str(NULL, 10, a), *sb = mpz_get_str(NULL, 10, b);
            cr_assert_fail("%s mul (%s) wrong for a=%s b=%s (seed %llu, i=%d)", F->name, path, sa, sb,
                    (unsigned long long)test_seed(), i);
        }
        /* squaring through the same routine */
        mul(Rl, A, A, F->f->p, F->f->pinv);
        mpz_mul(e, a, a);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E, e, F);
        cr_assert(!memcmp(Rl, E, 32), "%s sqr (%s) wrong at i=%d", F->name, path, i);
    }
    mpz_clears(a, b, e, got, NULL);
}

/* The dedicated squaring of each path, against GMP on every edge value and random ones. */
typedef void (*sqrfn)(uint64_t r[4], const uint64_t a[4], const uint64_t p[4], uint64_t pinv);

static void check_sqr(const fld_t *F, sqrfn sqr, const char *path) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed());
    mpz_t a, e;
    mpz_inits(a, e, NULL);
    for (int i = 0; i < N_RANDOM; i++) {
        value(a, i < N_EDGE ? i : N_EDGE, F, &rng);
        uint64_t A[4], Rl[4], E[4];
        to_mont_gmp(A, a, F);
        sqr(Rl, A, F->f->p, F->f->pinv);
        mpz_mul(e, a, a);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E, e, F);
        if (memcmp(Rl, E, 32)) {
            char *sa = mpz_get_str(NULL, 10, a);
            cr_assert_fail("%s sqr (%s) wrong for a=%s (seed %llu, i=%d)", F->name, path, sa,
                           (unsigned long long)test_seed(), i);
        }
        sqr(A, A, F->f->p, F->f->pinv); /* in place */
        cr_assert(!memcmp(A, E, 32), "%s sqr (%s) in place wrong at i=%d", F->name, path, i);
    }
    mpz_clears(a, e, NULL);
}

TestSuite(field, .init = setup);

/* The lazy product (zbp_mont_mul_adx_lazy) and the ADX product and square on redundant inputs:
 * each operand is x or x + p (every value a lazy product may return, 0..2p-1), on every edge
 * value and random ones. The lazy result must be < 2p and congruent to GMP's; the full product and
 * square must be canonical. */
static void limbs_add_p(uint64_t r[4], const uint64_t a[4], const uint64_t p[4]) {
    unsigned char c = 0;
    for (int k = 0; k < 4; k++) c = ZBP_ADC(c, a[k], p[k], &r[k]);
}

static void check_lazy(const fld_t *F) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed());
    mpz_t a, b, e, got, twop;
    mpz_inits(a, b, e, got, twop, NULL);
    mpz_mul_2exp(twop, F->p, 1);
    for (int i = 0; i < N_RANDOM; i++) {
        value(a, i < N_EDGE * N_EDGE ? i / N_EDGE : N_EDGE, F, &rng);
        value(b, i < N_EDGE * N_EDGE ? i % N_EDGE : N_EDGE, F, &rng);
        uint64_t A[2][4], B[2][4], Rl[4], E[4], E2[4];
        to_mont_gmp(A[0], a, F);
        to_mont_gmp(B[0], b, F);
        limbs_add_p(A[1], A[0], F->f->p);
        limbs_add_p(B[1], B[0], F->f->p);
        mpz_mul(e, a, b);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E, e, F);
        mpz_mul(e, a, a);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E2, e, F);
        for (int ra = 0; ra < 2; ra++) {
            for (int rb = 0; rb < 2; rb++) {
                zbp_mont_mul_adx_lazy(Rl, A[ra], B[rb], F->f->p, F->f->pinv);
                limbs_to_mpz(got, Rl);
                cr_assert(mpz_cmp(got, twop) < 0, "%s lazy mul not below 2p at i=%d", F->name, i);
                mpz_mod(got, got, F->p);
                mpz_to_limbs(Rl, got);
                cr_assert(!memcmp(Rl, E, 32), "%s lazy mul wrong at i=%d (%d, %d; seed %llu)",
                          F->name, i, ra, rb, (unsigned long long)test_seed());
                zbp_mont_mul_adx(Rl, A[ra], B[rb], F->f->p, F->f->pinv);
                cr_assert(!memcmp(Rl, E, 32), "%s mul of redundant inputs wrong at i=%d (%d, %d)",
                          F->name, i, ra, rb);
            }
            zbp_mont_sqr_adx(Rl, A[ra], F->f->p, F->f->pinv);
            cr_assert(!memcmp(Rl, E2, 32), "%s sqr of a redundant input wrong at i=%d (%d)", F->name,
                      i, ra);
        }
    }
    mpz_clears(a, b, e, got, twop, NULL);
}

Test(field, lazy_mul_adx_fq) {
    if (!zbp_isa_supported(ZBP_ISA_ADX)) cr_skip_test("ADX/BMI2 not on this CPU");
    check_lazy(&FQ);
}
Test(field, lazy_mul_adx_fr) {
    if (!zbp_isa_supported(ZBP_ISA_ADX)) cr_skip_test("ADX/BMI2 not on this CPU");
    check_lazy(&FR);
}

/* Each path's product, and its dedicated squaring. */
Test(field, mul_portable_fq) {
    check_mul(&FQ, zbp_mont_mul_portable, "portable");
    check_sqr(&FQ, zbp_mont_sqr_portable, "portable");
}
Test(field, mul_portable_fr) {
    check_mul(&FR, zbp_mont_mul_portable, "portable");
    check_sqr(&FR, zbp_mont_sqr_portable, "portable");
}
Test(field, mul_adx_fq) {
    if (!zbp_isa_supported(ZBP_ISA_ADX)) cr_skip_test("ADX/BMI2 not on this CPU");
    check_mul(&FQ, zbp_mont_mul_adx, "adx");
    check_sqr(&FQ, zbp_mont_sqr_adx, "adx");
}
Test(field, mul_adx_fr) {
    if (!zbp_isa_supported(ZBP_ISA_ADX)) cr_skip_test("ADX/BMI2 not on this CPU");
    check_mul(&FR, zbp_mont_mul_adx, "adx");
    check_sqr(&FR, zbp_mont_sqr_adx, "adx");
}

/* add, sub, neg, dbl through the typed API, against GMP. */
static void check_addsub(const fld_t *F) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 1);
    mpz_t a, b, e;
    mpz_inits(a, b, e, NULL);
    for (int i = 0; i < N_RANDOM; i++) {
        value(a, i < N_EDGE * N_EDGE ? i / N_EDGE : N_EDGE, F, &rng);
        value(b, i < N_EDGE * N_EDGE ? i % N_EDGE : N_EDGE, F, &rng);
        uint64_t A[4], B[4], R[4], E[4];
        to_mont_gmp(A, a, F);
        to_mont_gmp(B, b, F);
        zbp_mont_add(R, A, B, F->f->p);
        mpz_add(e, a, b);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E, e, F);
        cr_assert(!memcmp(R, E, 32), "%s add wrong at i=%d", F->name, i);
        zbp_mont_sub(R, A, B, F->f->p);
        mpz_sub(e, a, b);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E, e, F);
        cr_assert(!memcmp(R, E, 32), "%s sub wrong at i=%d", F->name, i);
        zbp_mont_neg(R, A, F->f->p);
        mpz_neg(e, a);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E, e, F);
        cr_assert(!memcmp(R, E, 32), "%s neg wrong at i=%d", F->name, i);
        zbp_mont_add(R, A, A, F->f->p);
        mpz_mul_2exp(e, a, 1);
        mpz_mod(e, e, F->p);
        to_mont_gmp(E, e, F);
        cr_assert(!memcmp(R, E, 32), "%s dbl wrong at i=%d", F->name, i);
    }
    mpz_clears(a, b, e, NULL);
}
Test(field, addsub_fq) { check_addsub(&FQ); }
Test(field, addsub_fr) { check_addsub(&FR); }

/* The typed wrappers route to the right modulus (an fq op on Fr data would differ). */
Test(field, typed_wrappers) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 2);
    for (int i = 0; i < 1000; i++) {
        fq_t a, b, r1;
        fr_t c, d, r2;
        fq_random(&a, test_rng_bytes, &rng);
        fq_random(&b, test_rng_bytes, &rng);
        fr_random(&c, test_rng_bytes, &rng);
        fr_random(&d, test_rng_bytes, &rng);
        uint64_t e[4];
        fq_mul(&r1, &a, &b);
        zbp_mont_mul_portable(e, a.l, b.l, FQ_MODULUS, zbp_fq_mont.pinv);
        cr_assert(!memcmp(e, r1.l, 32));
        fr_mul(&r2, &c, &d);
        zbp_mont_mul_portable(e, c.l, d.l, FR_MODULUS, zbp_fr_mont.pinv);
        cr_assert(!memcmp(e, r2.l, 32));
        fq_sub(&r1, &a, &b);
        fq_add(&r1, &r1, &b);
        cr_assert(fq_equal(&r1, &a));
        fr_neg(&r2, &c);
        fr_add(&r2, &r2, &c);
        cr_assert(fr_is_zero(&r2));
    }
}

/* Everything built on the multiplication, under one scalar path (selected per test process). */
static void check_derived(const fld_t *F, zbp_isa_t isa, int n) {
    if (!zbp_isa_supported(isa)) cr_skip_test("%s not on this CPU", zbp_isa_name(isa));
    cr_assert_eq(zbp_field_select(isa == ZBP_ISA_ADX ? ZBP_ISA_ADX : ZBP_ISA_PORTABLE), ZBP_OK);
    int is_fq = F->f == &zbp_fq_mont;
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 3);
    mpz_t a, e, t;
    mpz_inits(a, e, t, NULL);
    for (int i = 0; i < n; i++) {
        value(a, i < N_EDGE ? i : N_EDGE, F, &rng);
        fq_t x; /* the same layout serves fr through the casts below */
        to_mont_gmp(x.l, a, F);
        uint64_t R1[4], R2[4], E[4];
        /* inverses */
        if (is_fq) {
            fq_inv((fq_t *)R1, &x);
            fq_inv_vartime((fq_t *)R2, &x);
        } else {
            fr_inv((fr_t *)R1, (fr_t *)&x);
            fr_inv_vartime((fr_t *)R2, (fr_t *)&x);
        }
        if (mpz_sgn(a) == 0) {
            mpz_set_ui(e, 0);
        } else {
            mpz_invert(e, a, F->p);
        }
        to_mont_gmp(E, e, F);
        cr_assert(!memcmp(R1, E, 32), "%s inv wrong at i=%d", F->name, i);
        cr_assert(!memcmp(R2, E, 32), "%s inv_vartime wrong at i=%d", F->name, i);
        /* pow with a random exponent */
        uint64_t ex[4];
        for (int k = 0; k < 4; k++) ex[k] = test_rng_u64(&rng);
        if (is_fq)
            fq_pow((fq_t *)R1, &x, ex);
        else
            fr_pow((fr_t *)R1, (fr_t *)&x, ex);
        limbs_to_mpz(t, ex);
        mpz_powm(e, a, t, F->p);
        to_mont_gmp(E, e, F);
        cr_assert(!memcmp(R1, E, 32), "%s pow wrong at i=%d", F->name, i);
        /* legendre and sqrt */
        int leg = is_fq ? fq_legendre_vartime(&x) : fr_legendre_vartime((fr_t *)&x);
        int want = mpz_legendre(a, F->p);
        cr_assert_eq(leg, want, "%s legendre wrong at i=%d", F->name, i);
        int ok = is_fq ? fq_sqrt_vartime((fq_t *)R1, &x) : fr_sqrt_vartime((fr_t *)R1, (fr_t *)&x);
        cr_assert_eq(ok, want >= 0, "%s sqrt existence wrong at i=%d", F->name, i);
        if (ok) {
            from_mont_gmp(t, R1, F);
            mpz_mul(t, t, t);
            mpz_mod(t, t, F->p);
            cr_assert(mpz_cmp(t, a) == 0, "%s sqrt^2 != a at i=%d", F->name, i);
        }
    }
    mpz_clears(a, e, t, NULL);
}
Test(field, derived_fq_portable) { check_derived(&FQ, ZBP_ISA_PORTABLE, 3000); }
Test(field, derived_fr_portable) { check_derived(&FR, ZBP_ISA_PORTABLE, 3000); }
Test(field, derived_fq_adx) { check_derived(&FQ, ZBP_ISA_ADX, 3000); }
Test(field, derived_fr_adx) { check_derived(&FR, ZBP_ISA_ADX, 3000); }

/* Conversions: Montgomery, bytes, decimal, all against GMP. */
static void check_conversions(const fld_t *F) {
    int is_fq = F->f == &zbp_fq_mont;
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 4);
    mpz_t a, t;
    mpz_inits(a, t, NULL);
    for (int i = 0; i < 20000; i++) {
        value(a, i < N_EDGE ? i : N_EDGE, F, &rng);
        uint64_t plain[4], M[4], back[4];
        mpz_to_limbs(plain, a);
        to_mont_gmp(M, a, F);
        fq_t x;
        if (is_fq) fq_to_mont(&x, plain); else fr_to_mont((fr_t *)&x, plain);
        cr_assert(!memcmp(x.l, M, 32), "%s to_mont wrong at %d", F->name, i);
        if (is_fq) fq_from_mont(back, &x); else fr_from_mont(back, (fr_t *)&x);
        cr_assert(!memcmp(back, plain, 32), "%s from_mont wrong at %d", F->name, i);
        /* bytes */
        uint8_t le[32], be[32], gle[32] = {0}, gbe[32] = {0};
        size_t cnt;
        mpz_export(gle, &cnt, -1, 1, 0, 0, a);
        for (int k = 0; k < 32; k++) gbe[k] = gle[31 - k];
        if (is_fq) { fq_to_bytes_le(le, &x); fq_to_bytes_be(be, &x); }
        else { fr_to_bytes_le(le, (fr_t *)&x); fr_to_bytes_be(be, (fr_t *)&x); }
        cr_assert(!memcmp(le, gle, 32) && !memcmp(be, gbe, 32), "%s to_bytes wrong at %d", F->name, i);
        fq_t y;
        int st = is_fq ? fq_from_bytes_le(&y, gle) : fr_from_bytes_le((fr_t *)&y, gle);
        cr_assert(st == ZBP_OK && !memcmp(y.l, M, 32));
        st = is_fq ? fq_from_bytes_be(&y, gbe) : fr_from_bytes_be((fr_t *)&y, gbe);
        cr_assert(st == ZBP_OK && !memcmp(y.l, M, 32));
        /* decimal */
        char dec[80];
        if (is_fq) fq_to_dec(dec, &x); else fr_to_dec(dec, (fr_t *)&x);
        char *gd = mpz_get_str(NULL, 10, a);
        cr_assert_str_eq(dec, gd, "%s to_dec wrong at %d", F->name, i);
        st = is_fq ? fq_from_dec(&y, gd, strlen(gd)) : fr_from_dec((fr_t *)&y, gd, strlen(gd));
        cr_assert(st == ZBP_OK && !memcmp(y.l, M, 32), "%s from_dec wrong at %d", F->name, i);
        free(gd);
    }
    mpz_clears(a, t, NULL);
}
Test(field, conversions_fq) { check_conversions(&FQ); }
Test(field, conversions_fr) { check_conversions(&FR); }

/* Non-canonical input is rejected with a status, never reduced. */
static void check_rejects(const fld_t *F) {
    int is_fq = F->f == &zbp_fq_mont;
    fq_t y;
#define DEC(s) (is_fq ? fq_from_dec(&y, s, strlen(s)) : fr_from_dec((fr_t *)&y, s, strlen(s)))
    mpz_t v;
    mpz_init(v);
    char *ps = mpz_get_str(NULL, 10, F->p);
    cr_assert_eq(DEC(ps), ZBP_ERR_RANGE, "p itself must be rejected");
    mpz_add_ui(v, F->p, 1);
    char *p1 = mpz_get_str(NULL, 10, v);
    cr_assert_eq(DEC(p1), ZBP_ERR_RANGE);
    mpz_sub_ui(v, F->p, 1);
    char *pm1 = mpz_get_str(NULL, 10, v);
    cr_assert_eq(DEC(pm1), ZBP_OK);
    cr_assert_eq(DEC("115792089237316195423570985008687907853269984665640564039457584007913129639936"),
                 ZBP_ERR_RANGE, "2^256 must be rejected");
    cr_assert_eq(DEC("1157920892373161954235709850086879078532699846656405640394575840079131296399360"),
                 ZBP_ERR_INPUT, "79 digits must be rejected");
    cr_assert_eq(DEC(""), ZBP_ERR_INPUT);
    cr_assert_eq(DEC("-1"), ZBP_ERR_INPUT);
    cr_assert_eq(DEC("+1"), ZBP_ERR_INPUT);
    cr_assert_eq(DEC("01"), ZBP_ERR_INPUT);
    cr_assert_eq(DEC("1 "), ZBP_ERR_INPUT);
    cr_assert_eq(DEC(" 1"), ZBP_ERR_INPUT);
    cr_assert_eq(DEC("0x10"), ZBP_ERR_INPUT);
    cr_assert_eq(DEC("12a"), ZBP_ERR_INPUT);
    cr_assert_eq(DEC("0"), ZBP_OK);
    cr_assert(is_fq ? fq_is_zero(&y) : fr_is_zero((fr_t *)&y));
    /* a length shorter than the string: only the prefix counts */
    cr_assert_eq(is_fq ? fq_from_dec(&y, "12x", 2) : fr_from_dec((fr_t *)&y, "12x", 2), ZBP_OK);
    cr_assert_eq(is_fq ? fq_from_dec(&y, NULL, 0) : fr_from_dec((fr_t *)&y, NULL, 0), ZBP_ERR_INPUT);
#undef DEC
    /* bytes: p, p+1, all ones */
    uint8_t le[32] = {0}, be[32];
    size_t cnt;
    mpz_export(le, &cnt, -1, 1, 0, 0, F->p);
    for (int k = 0; k < 32; k++) be[k] = le[31 - k];
    cr_assert_eq(is_fq ? fq_from_bytes_le(&y, le) : fr_from_bytes_le((fr_t *)&y, le), ZBP_ERR_RANGE);
    cr_assert_eq(is_fq ? fq_from_bytes_be(&y, be) : fr_from_bytes_be((fr_t *)&y, be), ZBP_ERR_RANGE);
    memset(le, 0xff, 32);
    cr_assert_eq(is_fq ? fq_from_bytes_le(&y, le) : fr_from_bytes_le((fr_t *)&y, le), ZBP_ERR_RANGE);
    free(ps);
    free(p1);
    free(pm1);
    mpz_clear(v);
}
Test(field, rejects_fq) { check_rejects(&FQ); }
Test(field, rejects_fr) { check_rejects(&FR); }

/* Identities over random elements: a·a⁻¹ = 1, (a+b)(a−b) = a²−b², sqrt² = a for squares. */
Test(field, identities) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 5);
    for (int i = 0; i < 5000; i++) {
        fq_t a, b, s, d, l, r, t, inv;
        fq_random(&a, test_rng_bytes, &rng);
        fq_random(&b, test_rng_bytes, &rng);
        fq_inv(&inv, &a);
        fq_mul(&t, &a, &inv);
        cr_assert(fq_is_zero(&a) || fq_equal(&t, &FQ_ONE));
        fq_add(&s, &a, &b);
        fq_sub(&d, &a, &b);
        fq_mul(&l, &s, &d);
        fq_sqr(&r, &a);
        fq_sqr(&t, &b);
        fq_sub(&r, &r, &t);
        cr_assert(fq_equal(&l, &r));
        fq_sqr(&t, &a);
        cr_assert(fq_sqrt_vartime(&r, &t));
        fq_sqr(&r, &r);
        cr_assert(fq_equal(&r, &t));

        fr_t x, y, xi, u, v;
        fr_random(&x, test_rng_bytes, &rng);
        fr_random(&y, test_rng_bytes, &rng);
        fr_inv(&xi, &x);
        fr_mul(&u, &x, &xi);
        cr_assert(fr_is_zero(&x) || fr_equal(&u, &FR_ONE));
        fr_sqr(&u, &x);
        cr_assert(fr_sqrt_vartime(&v, &u));
        fr_sqr(&v, &v);
        cr_assert(fr_equal(&v, &u));
        (void)y;
    }
}

/* Fr's domain: w_k has exact order 2^k, w_28 = 5^t, and the values snarkjs uses. */
Test(field, roots_of_unity) {
    for (unsigned k = 0; k <= FR_TWO_ADICITY; k++) {
        fr_t w, t;
        fr_root_of_unity(&w, k);
        t = w;
        for (unsigned i = 0; i < k; i++) fr_sqr(&t, &t);
        cr_assert(fr_equal(&t, &FR_ONE), "w_%u^(2^%u) != 1", k, k);
        if (k > 0) {
            t = w;
            for (unsigned i = 0; i + 1 < k; i++) fr_sqr(&t, &t);
            cr_assert(!fr_equal(&t, &FR_ONE), "w_%u has order below 2^%u", k, k);
        }
    }
    /* docs/formats.md section 7 */
    const char *w28 = "19103219067921713944291392827692070036145651957329286315305642004821462161904";
    const char *w10 = "3161067157621608152362653341354432744960400845131437947728257924963983317266";
    const char *w11 = "1120550406532664055539694724667294622065367841900378087843176726913374367458";
    char buf[80];
    fr_t w;
    fr_root_of_unity(&w, 28);
    fr_to_dec(buf, &w);
    cr_assert_str_eq(buf, w28);
    fr_root_of_unity(&w, 10);
    fr_to_dec(buf, &w);
    cr_assert_str_eq(buf, w10);
    fr_root_of_unity(&w, 11);
    fr_to_dec(buf, &w);
    cr_assert_str_eq(buf, w11);
    /* w_1 = -1 */
    fr_root_of_unity(&w, 1);
    fr_t m1;
    fr_neg(&m1, &FR_ONE);
    cr_assert(fr_equal(&w, &m1));
    /* 5 is a non-residue of Fr */
    fr_t five;
    cr_assert_eq(fr_from_dec(&five, "5", 1), ZBP_OK);
    cr_assert_eq(fr_legendre_vartime(&five), -1);
}

/* Known constants from docs/formats.md: Montgomery one and R^2 as snarkjs prints them. */
Test(field, known_constants) {
    uint8_t be[32];
    /* FQ_ONE's representation is R mod q = 0x0e0a77c1...c58f0d9d */
    static const uint64_t r_mod_q[4] = {0xd35d438dc58f0d9dull, 0x0a78eb28f5c70b3dull,
                                        0x666ea36f7879462cull, 0x0e0a77c19a07df2full};
    cr_assert(!memcmp(FQ_ONE.l, r_mod_q, 32));
    cr_assert_eq(zbp_fq_mont.pinv, 0x87d20782e4866389ull);
    cr_assert_eq(zbp_fr_mont.pinv, 0xc2e1f593efffffffull);
    fq_to_bytes_be(be, &FQ_ONE);
    for (int i = 0; i < 31; i++) cr_assert_eq(be[i], 0);
    cr_assert_eq(be[31], 1);
}

Test(field, batch_inverse) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 6);
    for (size_t n = 0; n < 70; n++) {
        fq_t a[70], r[70], s[70];
        fr_t c[70], rc[70];
        for (size_t i = 0; i < n; i++) {
            fq_random(&a[i], test_rng_bytes, &rng);
            fr_random(&c[i], test_rng_bytes, &rng);
            if (test_rng_u64(&rng) % 7 == 0) a[i] = FQ_ZERO; /* zeros stay zero */
        }
        cr_assert_eq(fq_batch_inv_vartime(r, a, n, NULL), ZBP_OK);
        for (size_t i = 0; i < n; i++) {
            fq_t e;
            fq_inv_vartime(&e, &a[i]);
            cr_assert(fq_equal(&e, &r[i]), "fq batch inv wrong at n=%zu i=%zu", n, i);
        }
        memcpy(r, a, sizeof(fq_t) * n); /* in place, with caller scratch */
        cr_assert_eq(fq_batch_inv_vartime(r, r, n, s), ZBP_OK);
        for (size_t i = 0; i < n; i++) {
            fq_t e;
            fq_inv(&e, &a[i]);
            cr_assert(fq_equal(&e, &r[i]));
        }
        cr_assert_eq(fr_batch_inv_vartime(rc, c, n, NULL), ZBP_OK);
        for (size_t i = 0; i < n; i++) {
            fr_t e;
            fr_inv(&e, &c[i]);
            cr_assert(fr_equal(&e, &rc[i]));
        }
    }
}

Test(field, random_is_canonical_and_spread) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 7);
    int top_set = 0;
    for (int i = 0; i < 20000; i++) {
        fq_t a;
        fq_random(&a, test_rng_bytes, &rng);
        uint64_t x[4];
        fq_from_mont(x, &a);
        mpz_t v;
        mpz_init(v);
        limbs_to_mpz(v, a.l);
        cr_assert(mpz_cmp(v, FQ.p) < 0);
        mpz_clear(v);
        top_set += (x[3] >> 61) & 1;
    }
    /* q is about 1.512·2^253, so [2^253, q) holds about 33.9% of the range (6771 of 20000 expected,
     * standard deviation about 67): rejection sampling neither clips nor skews the top */
    cr_assert(top_set > 6300 && top_set < 7250, "suspicious distribution: %d", top_set);
}

/* Every batch path against GMP, over tails of every length 0..40, aliasing, and random bulk. */
static void check_batch(zbp_isa_t isa, const fld_t *F) {
    const zbp_batch_ops_t *ops = zbp_batch_ops(isa);
    if (!ops) cr_skip_test("%s not on this CPU", zbp_isa_name(isa));
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 8 + isa);
    enum { N = 1000 };
    static uint64_t A[N][4], B[N][4], R[N][4], E[4][N][4];
    mpz_t a, b, e;
    mpz_inits(a, b, e, NULL);
    int done = 0;
    while (done < N_RANDOM) {
        size_t n = done < 2000 ? (size_t)(done / 50) % 41 : N;
        for (size_t i = 0; i < n; i++) {
            int idx = done + (int)i;
            value(a, idx < N_EDGE * N_EDGE ? idx / N_EDGE : N_EDGE, F, &rng);
            value(b, idx < N_EDGE * N_EDGE ? idx % N_EDGE : N_EDGE, F, &rng);
            to_mont_gmp(A[i], a, F);
            to_mont_gmp(B[i], b, F);
            mpz_mul(e, a, b); mpz_mod(e, e, F->p); to_mont_gmp(E[0][i], e, F);
            mpz_mul(e, a, a); mpz_mod(e, e, F->p); to_mont_gmp(E[1][i], e, F);
            mpz_add(e, a, b); mpz_mod(e, e, F->p); to_mont_gmp(E[2][i], e, F);
            mpz_sub(e, a, b); mpz_mod(e, e, F->p); to_mont_gmp(E[3][i], e, F);
        }
        ops->mul(R[0], A[0], B[0], n, F->f);
        cr_assert(!memcmp(R, E[0], n * 32), "%s batch mul (%s) wrong, n=%zu", F->name, ops->name, n);
        ops->sqr(R[0], A[0], n, F->f);
        cr_assert(!memcmp(R, E[1], n * 32), "%s batch sqr (%s) wrong, n=%zu", F->name, ops->name, n);
        ops->add(R[0], A[0], B[0], n, F->f);
        cr_assert(!memcmp(R, E[2], n * 32), "%s batch add (%s) wrong, n=%zu", F->name, ops->name, n);
        ops->sub(R[0], A[0], B[0], n, F->f);
        cr_assert(!memcmp(R, E[3], n * 32), "%s batch sub (%s) wrong, n=%zu", F->name, ops->name, n);
        /* aliasing: r == a */
        memcpy(R, A, n * 32);
        ops->mul(R[0], R[0], B[0], n, F->f);
        cr_assert(!memcmp(R, E[0], n * 32), "%s batch mul in place (%s) wrong", F->name, ops->name);
        memcpy(R, A, n * 32);
        ops->sqr(R[0], R[0], n, F->f);
        cr_assert(!memcmp(R, E[1], n * 32));
        memcpy(R, A, n * 32);
        ops->add(R[0], R[0], B[0], n, F->f);
        cr_assert(!memcmp(R, E[2], n * 32));
        memcpy(R, A, n * 32);
        ops->sub(R[0], R[0], B[0], n, F->f);
        cr_assert(!memcmp(R, E[3], n * 32));
        done += n ? (int)n : 1;
    }
    mpz_clears(a, b, e, NULL);
}
Test(field, batch_portable_fq) { check_batch(ZBP_ISA_PORTABLE, &FQ); }
Test(field, batch_portable_fr) { check_batch(ZBP_ISA_PORTABLE, &FR); }
Test(field, batch_adx_fq) { check_batch(ZBP_ISA_ADX, &FQ); }
Test(field, batch_adx_fr) { check_batch(ZBP_ISA_ADX, &FR); }
Test(field, batch_avx2_fq) { check_batch(ZBP_ISA_AVX2, &FQ); }
Test(field, batch_avx2_fr) { check_batch(ZBP_ISA_AVX2, &FR); }
Test(field, batch_avx512_fq) { check_batch(ZBP_ISA_AVX512, &FQ); }
Test(field, batch_avx512_fr) { check_batch(ZBP_ISA_AVX512, &FR); }

/* The public batch entry points follow zbp_field_select. */
Test(field, batch_api_follows_selection) {
    test_rng_t rng;
    test_rng_seed(&rng, test_seed() + 9);
    fq_t a[37], b[37], r[37];
    for (int i = 0; i < 37; i++) {
        fq_random(&a[i], test_rng_bytes, &rng);
        fq_random(&b[i], test_rng_bytes, &rng);
    }
    for (int isa = 0; isa < ZBP_ISA_COUNT; isa++) {
        if (zbp_field_select((zbp_isa_t)isa) != ZBP_OK) continue;
        cr_assert_eq(zbp_field_batch_isa(), (zbp_isa_t)isa);
        fq_mul_batch(r, a, b, 37);
        for (int i = 0; i < 37; i++) {
            fq_t e;
            zbp_mont_mul_portable(e.l, a[i].l, b[i].l, FQ_MODULUS, zbp_fq_mont.pinv);
            cr_assert(fq_equal(&e, &r[i]), "isa %s", zbp_isa_name((zbp_isa_t)isa));
        }
    }
    cr_assert_eq(zbp_field_select(ZBP_ISA_COUNT), ZBP_ERR_UNSUPPORTED);
}

Test(field, isa_names_round_trip) {
    for (int i = 0; i < ZBP_ISA_COUNT; i++) {
        zbp_isa_t got;
        cr_assert_eq(zbp_isa_parse(zbp_isa_name((zbp_isa_t)i), &got), ZBP_OK);
        cr_assert_eq(got, (zbp_isa_t)i);
    }
    zbp_isa_t x;
    cr_assert_eq(zbp_isa_parse("sse9", &x), ZBP_ERR_INPUT);
}
