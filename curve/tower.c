/* tower.c: Fq2 inversion and square roots, Fq6 and Fq12 arithmetic, the Frobenius maps, the
 * cyclotomic squaring and the sparse line multiplication that the Miller loop runs on. */
#include "curve/tower.h"

#include <string.h>

#include "curve/constants.h"

const fq2_t FQ2_ZERO = {{{0, 0, 0, 0}}, {{0, 0, 0, 0}}};
const fq2_t FQ2_ONE = {G1_GEN_X_INIT, {{0, 0, 0, 0}}}; /* the generator's x is 1 */
#define FQ2_ZERO_INIT {{{0, 0, 0, 0}}, {{0, 0, 0, 0}}}
#define FQ6_ZERO_INIT {FQ2_ZERO_INIT, FQ2_ZERO_INIT, FQ2_ZERO_INIT}
const fq12_t FQ12_ONE = {{{G1_GEN_X_INIT, {{0, 0, 0, 0}}}, FQ2_ZERO_INIT, FQ2_ZERO_INIT}, FQ6_ZERO_INIT};

static const fq2_t FROB[3][5] = FQ12_FROB_INIT;

/* ---- Fq2 ------------------------------------------------------------------------------------------ */

/* 1/(a0 + a1 u) = (a0 - a1 u) / (a0^2 + a1^2): one Fq inversion. */
static void fq2_inv_with(fq2_t *r, const fq2_t *a, void (*inv)(fq_t *, const fq_t *)) {
    fq_t t0, t1;
    fq_sqr(&t0, &a->c0);
    fq_sqr(&t1, &a->c1);
    fq_add(&t0, &t0, &t1);
    inv(&t0, &t0);
    fq_mul(&r->c0, &a->c0, &t0);
    fq_mul(&t1, &a->c1, &t0);
    fq_neg(&r->c1, &t1);
}
void fq2_inv(fq2_t *r, const fq2_t *a) { fq2_inv_with(r, a, fq_inv); }
void fq2_inv_vartime(fq2_t *r, const fq2_t *a) { fq2_inv_with(r, a, fq_inv_vartime); }

/* The "complex method": sqrt(a0 + a1 u) = x0 + x1 u with x0^2 = (a0 ± |a|)/2, x1 = a1/(2 x0),
 * where |a| = sqrt(a0^2 + a1^2) is the norm's root in Fq. Variable time (public inputs only). */
int fq2_sqrt(fq2_t *r, const fq2_t *a) {
    fq_t n, s, t, half, x0, x1;
    if (fq_is_zero(&a->c1)) {
        /* -1 is a non-square in Fq (q = 3 mod 4), so exactly one of a0, -a0 is a square. */
        if (fq_sqrt_vartime(&x0, &a->c0)) {
            r->c0 = x0;
            r->c1 = FQ_ZERO;
        } else {
            fq_neg(&t, &a->c0);
            if (!fq_sqrt_vartime(&x1, &t)) return 0;
            r->c0 = FQ_ZERO;
            r->c1 = x1;
        }
        return 1;
    }
    fq_sqr(&n, &a->c0);
    fq_sqr(&t, &a->c1);
    fq_add(&n, &n, &t);
    if (!fq_sqrt_vartime(&s, &n)) return 0;
    fq_dbl(&half, &FQ_ONE);
    fq_inv_vartime(&half, &half);
    fq_add(&t, &a->c0, &s);
    fq_mul(&t, &t, &half);
    if (!fq_sqrt_vartime(&x0, &t)) {
        fq_sub(&t, &a->c0, &s);
        fq_mul(&t, &t, &half);
        if (!fq_sqrt_vartime(&x0, &t)) return 0;
    }
    fq_dbl(&x1, &x0);
    fq_inv_vartime(&x1, &x1);
    fq_mul(&x1, &x1, &a->c1);
    fq2_t cand = {x0, x1}, chk;
    fq2_sqr(&chk, &cand);
    if (!fq2_equal(&chk, a)) return 0;
    *r = cand;
    return 1;
}

void fq2_batch_inv(fq2_t *r, const fq2_t *a, size_t n, fq2_t *scratch) {
    fq2_t acc = FQ2_ONE, inv, t;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc; /* product of the nonzero a[0..i-1] */
        if (!fq2_is_zero(&a[i])) fq2_mul(&acc, &acc, &a[i]);
    }
    fq2_inv_vartime(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        if (fq2_is_zero(&a[i])) {
            r[i] = FQ2_ZERO;
            continue;
        }
        fq2_mul(&t, &inv, &scratch[i]);
        fq2_mul(&inv, &inv, &a[i]);
        r[i] = t;
    }
}

/* ---- Fq6 ------------------------------------------------------------------------------------------ */

void fq6_add(fq6_t *r, const fq6_t *a, const fq6_t *b) {
    fq2_add(&r->c0, &a->c0, &b->c0);
    fq2_add(&r->c1, &a->c1, &b->c1);
    fq2_add(&r->c2, &a->c2, &b->c2);
}
void fq6_sub(fq6_t *r, const fq6_t *a, const fq6_t *b) {
    fq2_sub(&r->c0, &a->c0, &b->c0);
    fq2_sub(&r->c1, &a->c1, &b->c1);
    fq2_sub(&r->c2, &a->c2, &b->c2);
}
void fq6_neg(fq6_t *r, const fq6_t *a) {
    fq2_neg(&r->c0, &a->c0);
    fq2_neg(&r->c1, &a->c1);
    fq2_neg(&r->c2, &a->c2);
}

/* Karatsuba over the three coefficients: 6 Fq2 products. */
void fq6_mul(fq6_t *r, const fq6_t *a, const fq6_t *b) {
    fq2_t t0, t1, t2, s, u, c0, c1, c2;
    fq2_mul(&t0, &a->c0, &b->c0);
    fq2_mul(&t1, &a->c1, &b->c1);
    fq2_mul(&t2, &a->c2, &b->c2);
    fq2_add(&s, &a->c1, &a->c2);
    fq2_add(&u, &b->c1, &b->c2);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t1);
    fq2_sub(&s, &s, &t2);
    fq2_mul_xi(&s, &s);
    fq2_add(&c0, &s, &t0);
    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&u, &b->c0, &b->c1);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&s, &s, &t1);
    fq2_mul_xi(&u, &t2);
    fq2_add(&c1, &s, &u);
    fq2_add(&s, &a->c0, &a->c2);
    fq2_add(&u, &b->c0, &b->c2);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&s, &s, &t2);
    fq2_add(&c2, &s, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

/* Chung-Hasan SQR2: 2 squarings and 3 products in Fq2. */
void fq6_sqr(fq6_t *r, const fq6_t *a) {
    fq2_t s0, s1, s2, s3, s4, t;
    fq2_sqr(&s0, &a->c0);
    fq2_mul(&s1, &a->c0, &a->c1);
    fq2_dbl(&s1, &s1);
    fq2_sub(&t, &a->c0, &a->c1);
    fq2_add(&t, &t, &a->c2);
    fq2_sqr(&s2, &t);
    fq2_mul(&s3, &a->c1, &a->c2);
    fq2_dbl(&s3, &s3);
    fq2_sqr(&s4, &a->c2);
    fq2_t c0, c1, c2;
    fq2_mul_xi(&t, &s3);
    fq2_add(&c0, &s0, &t);
    fq2_mul_xi(&t, &s4);
    fq2_add(&c1, &s1, &t);
    fq2_add(&c2, &s1, &s2);
    fq2_add(&c2, &c2, &s3);
    fq2_sub(&c2, &c2, &s0);
    fq2_sub(&c2, &c2, &s4);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void fq6_mul_v(fq6_t *r, const fq6_t *a) {
    fq2_t t;
    fq2_mul_xi(&t, &a->c2);
    r->c2 = a->c1;
    r->c1 = a->c0;
    r->c0 = t;
}

static void fq6_mul_fq2(fq6_t *r, const fq6_t *a, const fq2_t *b) {
    fq2_mul(&r->c0, &a->c0, b);
    fq2_mul(&r->c1, &a->c1, b);
    fq2_mul(&r->c2, &a->c2, b);
}

/* a * (b0 + b1 v): 5 Fq2 products. */
static void fq6_mul_by_01(fq6_t *r, const fq6_t *a, const fq2_t *b0, const fq2_t *b1) {
    fq2_t t0, t1, s, u, c0, c1, c2;
    fq2_mul(&t0, &a->c0, b0);
    fq2_mul(&t1, &a->c1, b1);
    fq2_add(&s, &a->c1, &a->c2); /* (a1 + a2) b1 - t1 = a2 b1 */
    fq2_mul(&s, &s, b1);
    fq2_sub(&s, &s, &t1);
    fq2_mul_xi(&s, &s);
    fq2_add(&c0, &s, &t0);
    fq2_add(&s, &a->c0, &a->c1);
    fq2_add(&u, b0, b1);
    fq2_mul(&s, &s, &u);
    fq2_sub(&s, &s, &t0);
    fq2_sub(&c1, &s, &t1);
    fq2_add(&s, &a->c0, &a->c2); /* (a0 + a2) b0 - t0 = a2 b0 */
    fq2_mul(&s, &s, b0);
    fq2_sub(&s, &s, &t0);
    fq2_add(&c2, &s, &t1);
    r->c0 = c0;
    r->c1 = c1;
    r->c2 = c2;
}

void fq6_inv(fq6_t *r, const fq6_t *a) {
    fq2_t c0, c1, c2, t, s;
    fq2_sqr(&c0, &a->c0); /* c0 = a0^2 - xi a1 a2 */
    fq2_mul(&t, &a->c1, &a->c2);
    fq2_mul_xi(&t, &t);
    fq2_sub(&c0, &c0, &t);
    fq2_sqr(&c1, &a->c2); /* c1 = xi a2^2 - a0 a1 */
    fq2_mul_xi(&c1, &c1);
    fq2_mul(&t, &a->c0, &a->c1);
    fq2_sub(&c1, &c1, &t);
    fq2_sqr(&c2, &a->c1); /* c2 = a1^2 - a0 a2 */
    fq2_mul(&t, &a->c0, &a->c2);
    fq2_sub(&c2, &c2, &t);
    fq2_mul(&t, &a->c2, &c1); /* norm = a0 c0 + xi (a2 c1 + a1 c2) */
    fq2_mul(&s, &a->c1, &c2);
    fq2_add(&t, &t, &s);
    fq2_mul_xi(&t, &t);
    fq2_mul(&s, &a->c0, &c0);
    fq2_add(&t, &t, &s);
    fq2_inv(&t, &t);
    fq2_mul(&r->c0, &c0, &t);
    fq2_mul(&r->c1, &c1, &t);
    fq2_mul(&r->c2, &c2, &t);
}

/* ---- Fq12 ----------------------------------------------------------------------------------------- */

void fq12_mul(fq12_t *r, const fq12_t *a, const fq12_t *b) {
    fq6_t t0, t1, s, u;
    fq6_mul(&t0, &a->c0, &b->c0);
    fq6_mul(&t1, &a->c1, &b->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_add(&u, &b->c0, &b->c1);
    fq6_mul(&s, &s, &u);
    fq6_sub(&s, &s, &t0);
    fq6_sub(&r->c1, &s, &t1);
    fq6_mul_v(&t1, &t1);
    fq6_add(&r->c0, &t0, &t1);
}

/* Complex squaring: (a0 + a1 w)^2 = (a0 + a1)(a0 + v a1) - t - v t + 2t w, t = a0 a1. */
void fq12_sqr(fq12_t *r, const fq12_t *a) {
    fq6_t t, s, u, vt;
    fq6_mul(&t, &a->c0, &a->c1);
    fq6_add(&s, &a->c0, &a->c1);
    fq6_mul_v(&u, &a->c1);
    fq6_add(&u, &u, &a->c0);
    fq6_mul(&s, &s, &u);
    fq6_mul_v(&vt, &t);
    fq6_sub(&s, &s, &t);
    fq6_sub(&r->c0, &s, &vt);
    fq6_add(&r->c1, &t, &t);
}

void fq12_conj(fq12_t *r, const fq12_t *a) {
    r->c0 = a->c0;
    fq6_neg(&r->c1, &a->c1);
}

/* (a0 + a1 w)^-1 = (a0 - a1 w) / (a0^2 - v a1^2). */
void fq12_inv(fq12_t *r, const fq12_t *a) {
    fq6_t t0, t1;
    fq6_sqr(&t0, &a->c0);
    fq6_sqr(&t1, &a->c1);
    fq6_mul_v(&t1, &t1);
    fq6_sub(&t0, &t0, &t1);
    fq6_inv(&t0, &t0);
    fq6_mul(&r->c0, &a->c0, &t0);
    fq6_mul(&t1, &a->c1, &t0);
    fq6_neg(&r->c1, &t1);
}

void fq12_frobenius(fq12_t *r, const fq12_t *a, int k) {
    /* coefficient pointers in w-power order: w^0..w^5 */
    const fq2_t *in[6] = {&a->c0.c0, &a->c1.c0, &a->c0.c1, &a->c1.c1, &a->c0.c2, &a->c1.c2};
    fq2_t g[6];
    for (int i = 0; i < 6; i++) {
        if (k & 1)
            fq2_conj(&g[i], in[i]);
        else
            g[i] = *in[i];
        if (i > 0) fq2_mul(&g[i], &g[i], &FROB[k - 1][i - 1]);
    }
    r->c0.c0 = g[0];
    r->c1.c0 = g[1];
    r->c0.c1 = g[2];
    r->c1.c1 = g[3];
    r->c0.c2 = g[4];
    r->c1.c2 = g[5];
}

/* (x0 + x1 s)^2 in Fq4 = Fq2[s]/(s^2 - xi). */
static void fq4_sqr(fq2_t *r0, fq2_t *r1, const fq2_t *x0, const fq2_t *x1) {
    fq2_t t0, t1, s;
    fq2_sqr(&t0, x0);
    fq2_sqr(&t1, x1);
    fq2_add(&s, x0, x1);
    fq2_sqr(&s, &s);
    fq2_sub(&s, &s, &t0);
    fq2_sub(r1, &s, &t1);
    fq2_mul_xi(&t1, &t1);
    fq2_add(r0, &t0, &t1);
}

/* 3x - 2y and 3x + 2y with additions only. */
static void three_minus_two(fq2_t *r, const fq2_t *x, const fq2_t *y) {
    fq2_t t;
    fq2_sub(&t, x, y);
    fq2_dbl(&t, &t);
    fq2_add(r, &t, x);
}
static void three_plus_two(fq2_t *r, const fq2_t *x, const fq2_t *y) {
    fq2_t t;
    fq2_add(&t, x, y);
    fq2_dbl(&t, &t);
    fq2_add(r, &t, x);
}

/* Granger-Scott: see Fq12 as Fq4[w]/(w^3 - s), s = w^3, a = A + B w + C w^2 with
 * A = g0 + g3 s, B = g1 + g4 s, C = g2 + g5 s (g_i the coefficient of w^i). In the cyclotomic
 * subgroup a^2 = (3A^2 - 2 conj A) + (3 s C^2 + 2 conj B) w + (3B^2 - 2 conj C) w^2. */
void fq12_cyclotomic_sqr(fq12_t *r, const fq12_t *a) {
    const fq2_t g0 = a->c0.c0, g1 = a->c1.c0, g2 = a->c0.c1, g3 = a->c1.c1, g4 = a->c0.c2,
                g5 = a->c1.c2;
    fq2_t A0, A1, B0, B1, C0, C1, t;
    fq4_sqr(&A0, &A1, &g0, &g3);
    fq4_sqr(&B0, &B1, &g1, &g4);
    fq4_sqr(&C0, &C1, &g2, &g5);
    three_minus_two(&r->c0.c0, &A0, &g0);
    three_plus_two(&r->c1.c1, &A1, &g3);
    fq2_mul_xi(&t, &C1); /* s C^2 = xi C1 + C0 s */
    three_plus_two(&r->c1.c0, &t, &g1);
    three_minus_two(&r->c0.c2, &C0, &g4);
    three_minus_two(&r->c0.c1, &B0, &g2);
    three_plus_two(&r->c1.c2, &B1, &g5);
}

void fq12_mul_by_line(fq12_t *r, const fq12_t *a, const fq2_t *l0, const fq2_t *l1, const fq2_t *l2) {
    fq6_t t0, t1, s;
    fq2_t m;
    fq6_mul_fq2(&t0, &a->c0, l0);
    fq6_mul_by_01(&t1, &a->c1, l1, l2);
    fq6_add(&s, &a->c0, &a->c1);
    fq2_add(&m, l0, l1);
    fq6_mul_by_01(&s, &s, &m, l2);
    fq6_sub(&s, &s, &t0);
    fq6_sub(&r->c1, &s, &t1);
    fq6_mul_v(&t1, &t1);
    fq6_add(&r->c0, &t0, &t1);
}

void fq12_pow_vartime(fq12_t *r, const fq12_t *a, const uint64_t *e, size_t nlimbs) {
    fq12_t acc = FQ12_ONE, base = *a;
    int started = 0;
    for (size_t i = nlimbs; i-- > 0;) {
        for (int b = 63; b >= 0; b--) {
            if (started) fq12_sqr(&acc, &acc);
            if ((e[i] >> b) & 1) {
                fq12_mul(&acc, &acc, &base);
                started = 1;
            }
        }
    }
    *r = acc;
}

int fq12_equal(const fq12_t *a, const fq12_t *b) {
    /* Elements are fully reduced, so equal values have equal bytes. */
    return memcmp(a, b, sizeof *a) == 0;
}

int fq12_is_one(const fq12_t *a) { return fq12_equal(a, &FQ12_ONE); }
