/* pairing.c: the optimal ate pairing on BN254: a multi-pair Miller loop over 6x+2 with projective
 * line functions on the twist, and the final exponentiation (easy part, then the BN hard part). */
#include "curve/curve.h"

#include "curve/constants.h"

static const fq2_t G2_B3 = G2_B3_INIT;
static const fq_t HALF = FQ_HALF_INIT;
static const fq2_t PSI_X = PSI_X_INIT, PSI_Y = PSI_Y_INIT, PSI2_X = PSI2_X_INIT;
static const int8_t ATE_NAF[ATE_NAF_LEN] = ATE_NAF_INIT;
static const int8_t X_NAF[BN_X_NAF_LEN] = BN_X_NAF_INIT;

/* T on the twist in homogeneous projective form (X/Z, Y/Z), the form in which both steps come
 * with their line for free. */
typedef struct { fq2_t x, y, z; } twist_proj_t;

/* Pairs per Miller loop pass: the running points live on the stack, so more pairs are done in
 * several passes whose results are multiplied (still one final exponentiation). */
#define PAIRS_PER_PASS 8

/* The precomputed per-pair data: P's coordinates (yP negated once for the doubling line), Q and
 * -Q for the NAF's signed digits. */
typedef struct {
    fq_t xp, yp, neg_yp;
    g2_affine_t q, neg_q;
    twist_proj_t t;
} pair_state_t;

/* Doubling step (Costello-Lange-Naehrig as given by Aranha et al. 2010, eq. 11): T = 2T and the
 * tangent at T evaluated at P, scaled by an Fq2 factor the final exponentiation removes:
 * l = -2YZ yP + 3X^2 xP w + (3b'Z^2 - Y^2) w^3. */
static void dbl_step(fq12_t *f, pair_state_t *s) {
    twist_proj_t *t = &s->t;
    fq2_t a, b, c, e, ff, g, h, i, j, e2, l0, l1;
    fq2_mul(&a, &t->x, &t->y);
    fq2_mul_fq(&a, &a, &HALF);
    fq2_sqr(&b, &t->y);
    fq2_sqr(&c, &t->z);
    fq2_mul(&e, &c, &G2_B3);
    fq2_dbl(&ff, &e);
    fq2_add(&ff, &ff, &e);
    fq2_add(&g, &b, &ff);
    fq2_mul_fq(&g, &g, &HALF);
    fq2_add(&h, &t->y, &t->z);
    fq2_sqr(&h, &h);
    fq2_add(&i, &b, &c);
    fq2_sub(&h, &h, &i);
    fq2_sub(&i, &e, &b);
    fq2_sqr(&j, &t->x);
    fq2_sqr(&e2, &e);
    fq2_sub(&t->x, &b, &ff);
    fq2_mul(&t->x, &t->x, &a);
    fq2_sqr(&t->y, &g);
    fq2_dbl(&a, &e2);
    fq2_add(&a, &a, &e2);
    fq2_sub(&t->y, &t->y, &a);
    fq2_mul(&t->z, &b, &h);
    fq2_mul_fq(&l0, &h, &s->neg_yp);
    fq2_dbl(&l1, &j);
    fq2_add(&l1, &l1, &j);
    fq2_mul_fq(&l1, &l1, &s->xp);
    fq12_mul_by_line(f, f, &l0, &l1, &i);
}

/* Mixed addition step: T = T + Q (Q affine) and the chord through them at P:
 * l = L yP - theta xP w + (theta xQ - L yQ) w^3, theta = Y - yQ Z, L = X - xQ Z. */
static void add_step(fq12_t *f, pair_state_t *s, const g2_affine_t *q) {
    twist_proj_t *t = &s->t;
    fq2_t theta, lam, c, d, e, ff, g, h, jj, l0, l1, tmp;
    fq2_mul(&tmp, &q->y, &t->z);
    fq2_sub(&theta, &t->y, &tmp);
    fq2_mul(&tmp, &q->x, &t->z);
    fq2_sub(&lam, &t->x, &tmp);
    fq2_sqr(&c, &theta);
    fq2_sqr(&d, &lam);
    fq2_mul(&e, &lam, &d);
    fq2_mul(&ff, &t->z, &c);
    fq2_mul(&g, &t->x, &d);
    fq2_add(&h, &e, &ff);
    fq2_sub(&h, &h, &g);
    fq2_sub(&h, &h, &g);
    fq2_mul(&t->x, &lam, &h);
    fq2_sub(&tmp, &g, &h);
    fq2_mul(&tmp, &tmp, &theta);
    fq2_mul(&t->y, &t->y, &e);
    fq2_sub(&t->y, &tmp, &t->y);
    fq2_mul(&t->z, &t->z, &e);
    fq2_mul(&jj, &theta, &q->x);
    fq2_mul(&tmp, &lam, &q->y);
    fq2_sub(&jj, &jj, &tmp);
    fq2_mul_fq(&l0, &lam, &s->yp);
    fq2_mul_fq(&l1, &theta, &s->xp);
    fq2_neg(&l1, &l1);
    fq12_mul_by_line(f, f, &l0, &l1, &jj);
}

static void miller_pass(fq12_t *f, pair_state_t *st, size_t n) {
    *f = FQ12_ONE;
    for (size_t j = 0; j < n; j++) {
        st[j].t.x = st[j].q.x;
        st[j].t.y = st[j].q.y;
        st[j].t.z = FQ2_ONE;
    }
    /* The top digit is 1: T starts at Q. */
    for (int i = 1; i < ATE_NAF_LEN; i++) {
        if (i > 1) fq12_sqr(f, f);
        for (size_t j = 0; j < n; j++) dbl_step(f, &st[j]);
        if (ATE_NAF[i] > 0)
            for (size_t j = 0; j < n; j++) add_step(f, &st[j], &st[j].q);
        else if (ATE_NAF[i] < 0)
            for (size_t j = 0; j < n; j++) add_step(f, &st[j], &st[j].neg_q);
    }
    /* The two extra lines of the optimal ate pairing: through psi(Q) and -psi^2(Q). */
    for (size_t j = 0; j < n; j++) {
        g2_affine_t q1, q2;
        fq2_conj(&q1.x, &st[j].q.x);
        fq2_mul(&q1.x, &q1.x, &PSI_X);
        fq2_conj(&q1.y, &st[j].q.y);
        fq2_mul(&q1.y, &q1.y, &PSI_Y);
        fq2_mul(&q2.x, &st[j].q.x, &PSI2_X); /* psi^2 scales y by -1; negated, y stays */
        q2.y = st[j].q.y;
        add_step(f, &st[j], &q1);
        add_step(f, &st[j], &q2);
    }
}

void pairing_miller_loop(fq12_t *f, const g1_affine_t *p, const g2_affine_t *q, size_t n) {
    pair_state_t st[PAIRS_PER_PASS];
    fq12_t part;
    size_t m = 0;
    int first = 1;
    *f = FQ12_ONE;
    for (size_t i = 0; i <= n; i++) {
        if (i < n) {
            /* A pair with an identity contributes 1. */
            if (g1_affine_is_infinity(&p[i]) || g2_affine_is_infinity(&q[i])) continue;
            st[m].xp = p[i].x;
            st[m].yp = p[i].y;
            fq_neg(&st[m].neg_yp, &p[i].y);
            st[m].q = q[i];
            g2_affine_neg(&st[m].neg_q, &q[i]);
            m++;
        }
        if (m == PAIRS_PER_PASS || (i == n && m > 0)) {
            miller_pass(first ? f : &part, st, m);
            if (!first) fq12_mul(f, f, &part);
            first = 0;
            m = 0;
        }
    }
}

/* a^x in the cyclotomic subgroup, over x's NAF (inverses there are conjugates). */
static void cyc_exp_x(fq12_t *r, const fq12_t *a) {
    fq12_t acc = *a, inv;
    fq12_conj(&inv, a);
    for (int i = 1; i < BN_X_NAF_LEN; i++) {
        fq12_cyclotomic_sqr(&acc, &acc);
        if (X_NAF[i] > 0)
            fq12_mul(&acc, &acc, a);
        else if (X_NAF[i] < 0)
            fq12_mul(&acc, &acc, &inv);
    }
    *r = acc;
}

void pairing_final_exp(fq12_t *r, const fq12_t *f) {
    fq12_t t0, t1;
    /* easy part: f^((q^6 - 1)(q^2 + 1)), which lands in the cyclotomic subgroup */
    fq12_conj(&t0, f);
    fq12_inv(&t1, f);
    fq12_mul(&t0, &t0, &t1);
    fq12_frobenius(&t1, &t0, 2);
    fq12_mul(&t0, &t0, &t1);
    /* hard part: ^(m (q^4 - q^2 + 1)/r) with m = 2x(6x^2 + 3x + 1), coprime to r. This multiple of
     * the plain exponent has the short base-q form l0 + l1 q + l2 q^2 + l3 q^3 with
     *   l0 = 1 + 6x + 12x^2 + 12x^3,  l1 = 4x + 6x^2 + 12x^3,
     *   l2 = 6x + 6x^2 + 12x^3,       l3 = -1 + 4x + 6x^2 + 12x^3
     * (Fuentes-Castaneda, Knapp and Rodriguez-Henriquez, "Faster hashing to G2", 2011), so three
     * exponentiations by x suffice; and it is the power snarkjs (ffjavascript) computes, so
     * values in GT equal snarkjs's, e.g. a verification key's vk_alphabeta_12. */
    fq12_t fx, f2x, f6x, f6x2, f12x3, a, b, c, d;
    cyc_exp_x(&fx, &t0);
    fq12_cyclotomic_sqr(&f2x, &fx);
    fq12_cyclotomic_sqr(&f6x, &f2x);
    fq12_mul(&f6x, &f6x, &f2x);             /* f^(6x) */
    cyc_exp_x(&f6x2, &f6x);                 /* f^(6x^2) */
    fq12_cyclotomic_sqr(&f12x3, &f6x2);
    cyc_exp_x(&f12x3, &f12x3);              /* f^(12x^3) */
    fq12_mul(&a, &f12x3, &f6x2);
    fq12_mul(&a, &a, &f6x);                 /* f^l2 */
    fq12_conj(&t1, &f2x);
    fq12_mul(&b, &a, &t1);                  /* f^l1 = f^(l2 - 2x) */
    fq12_conj(&t1, &t0);
    fq12_mul(&c, &b, &t1);                  /* f^l3 = f^(l1 - 1) */
    fq12_mul(&d, &a, &f6x2);
    fq12_mul(&d, &d, &t0);                  /* f^l0 = f^(l2 + 6x^2 + 1) */
    fq12_frobenius(&t1, &b, 1);
    fq12_mul(&d, &d, &t1);
    fq12_frobenius(&t1, &a, 2);
    fq12_mul(&d, &d, &t1);
    fq12_frobenius(&t1, &c, 3);
    fq12_mul(r, &d, &t1);
}

void pairing(fq12_t *r, const g1_affine_t *p, const g2_affine_t *q) { pairing_multi(r, p, q, 1); }

void pairing_multi(fq12_t *r, const g1_affine_t *p, const g2_affine_t *q, size_t n) {
    fq12_t f;
    pairing_miller_loop(&f, p, q, n);
    pairing_final_exp(r, &f);
}

int pairing_product_is_one(const g1_affine_t *p, const g2_affine_t *q, size_t n) {
    fq12_t r;
    pairing_multi(&r, p, q, n);
    return fq12_is_one(&r);
}
