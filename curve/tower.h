/* tower.h: the BN254 extension tower for G2 and the pairing: Fq2 = Fq[u]/(u^2+1),
 * Fq6 = Fq2[v]/(v^3 - xi) with xi = 9+u, Fq12 = Fq6[w]/(w^2 - v). Fq2 is inline (G2's formulas
 * run on it); Fq6 and Fq12 live in tower.c. It sits in curve/ so the field room stays Fq/Fr only. */
#ifndef ZBP_CURVE_TOWER_H
#define ZBP_CURVE_TOWER_H

#include "field/field.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct { fq_t c0, c1; } fq2_t;      /* c0 + c1 u, the layout of a zkey's G2 coordinate */
typedef struct { fq2_t c0, c1, c2; } fq6_t; /* c0 + c1 v + c2 v^2 */
typedef struct { fq6_t c0, c1; } fq12_t;    /* c0 + c1 w; coefficient of w^i: c(i%2).c(i/2) */

ZBP_INTERNAL extern const fq2_t FQ2_ZERO, FQ2_ONE;
ZBP_INTERNAL extern const fq12_t FQ12_ONE;

/* ---- Fq2, inline. Outputs may alias inputs. ----------------------------------------------------- */
static inline void fq2_add(fq2_t *r, const fq2_t *a, const fq2_t *b) {
    fq_add(&r->c0, &a->c0, &b->c0);
    fq_add(&r->c1, &a->c1, &b->c1);
}
static inline void fq2_sub(fq2_t *r, const fq2_t *a, const fq2_t *b) {
    fq_sub(&r->c0, &a->c0, &b->c0);
    fq_sub(&r->c1, &a->c1, &b->c1);
}
static inline void fq2_dbl(fq2_t *r, const fq2_t *a) {
    fq_dbl(&r->c0, &a->c0);
    fq_dbl(&r->c1, &a->c1);
}
static inline void fq2_neg(fq2_t *r, const fq2_t *a) {
    fq_neg(&r->c0, &a->c0);
    fq_neg(&r->c1, &a->c1);
}
static inline void fq2_conj(fq2_t *r, const fq2_t *a) { /* also the Frobenius a^q, as q = 3 mod 4 */
    r->c0 = a->c0;
    fq_neg(&r->c1, &a->c1);
}
/* Karatsuba: 3 Fq products instead of 4. */
static inline void fq2_mul(fq2_t *r, const fq2_t *a, const fq2_t *b) {
    fq_t t0, t1, sa, sb;
    fq_mul(&t0, &a->c0, &b->c0);
    fq_mul(&t1, &a->c1, &b->c1);
    fq_add(&sa, &a->c0, &a->c1);
    fq_add(&sb, &b->c0, &b->c1);
    fq_mul(&sa, &sa, &sb);
    fq_sub(&r->c0, &t0, &t1);
    fq_sub(&sa, &sa, &t0);
    fq_sub(&r->c1, &sa, &t1);
}
/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u: 2 products. */
static inline void fq2_sqr(fq2_t *r, const fq2_t *a) {
    fq_t s, d, m;
    fq_add(&s, &a->c0, &a->c1);
    fq_sub(&d, &a->c0, &a->c1);
    fq_mul(&m, &a->c0, &a->c1);
    fq_mul(&r->c0, &s, &d);
    fq_dbl(&r->c1, &m);
}
static inline void fq2_mul_fq(fq2_t *r, const fq2_t *a, const fq_t *b) {
    fq_mul(&r->c0, &a->c0, b);
    fq_mul(&r->c1, &a->c1, b);
}
/* a * xi = (9 a0 - a1) + (9 a1 + a0) u, with additions only. */
static inline void fq2_mul_xi(fq2_t *r, const fq2_t *a) {
    fq_t t0, t1;
    fq_dbl(&t0, &a->c0);
    fq_dbl(&t0, &t0);
    fq_dbl(&t0, &t0);
    fq_add(&t0, &t0, &a->c0);
    fq_dbl(&t1, &a->c1);
    fq_dbl(&t1, &t1);
    fq_dbl(&t1, &t1);
    fq_add(&t1, &t1, &a->c1);
    fq_sub(&t0, &t0, &a->c1);
    fq_add(&r->c1, &t1, &a->c0);
    r->c0 = t0;
}
static inline int fq2_is_zero(const fq2_t *a) { return fq_is_zero(&a->c0) & fq_is_zero(&a->c1); }
static inline int fq2_equal(const fq2_t *a, const fq2_t *b) {
    return fq_equal(&a->c0, &b->c0) & fq_equal(&a->c1, &b->c1);
}

void fq2_inv(fq2_t *r, const fq2_t *a);         /* constant time; inv(0) = 0 */
void fq2_inv_vartime(fq2_t *r, const fq2_t *a); /* inv(0) = 0 */
int fq2_sqrt(fq2_t *r, const fq2_t *a);         /* 1 and a root when a is a square, else 0 */
/* Montgomery's trick over Fq2, zeros map to zero; scratch holds n elements; r may equal a. */
void fq2_batch_inv(fq2_t *r, const fq2_t *a, size_t n, fq2_t *scratch);

/* ---- Fq6 ------------------------------------------------------------------------------------------ */
void fq6_add(fq6_t *r, const fq6_t *a, const fq6_t *b);
void fq6_sub(fq6_t *r, const fq6_t *a, const fq6_t *b);
void fq6_neg(fq6_t *r, const fq6_t *a);
void fq6_mul(fq6_t *r, const fq6_t *a, const fq6_t *b);
void fq6_sqr(fq6_t *r, const fq6_t *a);
void fq6_mul_v(fq6_t *r, const fq6_t *a); /* a * v */
void fq6_inv(fq6_t *r, const fq6_t *a);

/* ---- Fq12 ----------------------------------------------------------------------------------------- */
void fq12_mul(fq12_t *r, const fq12_t *a, const fq12_t *b);
void fq12_sqr(fq12_t *r, const fq12_t *a);
void fq12_conj(fq12_t *r, const fq12_t *a); /* a^(q^6); the inverse in the cyclotomic subgroup */
void fq12_inv(fq12_t *r, const fq12_t *a);
void fq12_frobenius(fq12_t *r, const fq12_t *a, int k); /* a^(q^k), k = 1, 2, 3 */
/* Granger-Scott squaring: valid only for a in the cyclotomic subgroup (a^(q^4 - q^2 + 1) = 1
 * after the easy part of the final exponentiation), where it costs about half of fq12_sqr. */
void fq12_cyclotomic_sqr(fq12_t *r, const fq12_t *a);
/* r = a * (l0 + (l1 + l2 v) w): a line function of the D-type twist, 13 Fq2 products. */
void fq12_mul_by_line(fq12_t *r, const fq12_t *a, const fq2_t *l0, const fq2_t *l1, const fq2_t *l2);
void fq12_pow_vartime(fq12_t *r, const fq12_t *a, const uint64_t *e, size_t nlimbs);
int fq12_is_one(const fq12_t *a);
int fq12_equal(const fq12_t *a, const fq12_t *b);

#ifdef __cplusplus
}
#endif

#endif
