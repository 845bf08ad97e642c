/* point_impl.h: the group formulas written once over a field, instantiated by g1.c (over Fq) and
 * g2.c (over Fq2). Before including it, define G (the prefix, g1 or g2), F (the field type), the
 * field operations F_ADD, F_SUB, F_DBL, F_NEG, F_MUL, F_SQR, F_IS_ZERO, F_EQ, F_INV_VARTIME, the
 * constants F_ZERO_V and F_ONE_V, and CURVE_B and CURVE_B3 (pointers to b and 3b). */
#ifndef G
#error "point_impl.h needs G, F and the field operations defined"
#endif

#include <stdint.h>
#include <string.h>

#define PI_CAT2(a, b) a##_##b
#define PI_CAT(a, b) PI_CAT2(a, b)
#define FN(name) PI_CAT(G, name)
#define AFF FN(affine_t)
#define JAC FN(jac_t)
#define XYZZ FN(xyzz_t)

/* ---- affine ----------------------------------------------------------------------------------------- */

int FN(affine_is_infinity)(const AFF *a) { return F_IS_ZERO(&a->x) & F_IS_ZERO(&a->y); }

void FN(affine_set_infinity)(AFF *r) {
    r->x = F_ZERO_V;
    r->y = F_ZERO_V;
}

void FN(affine_neg)(AFF *r, const AFF *a) {
    r->x = a->x;
    F_NEG(&r->y, &a->y); /* the identity (0, 0) stays (0, 0) */
}

int FN(affine_equal)(const AFF *a, const AFF *b) { return F_EQ(&a->x, &b->x) & F_EQ(&a->y, &b->y); }

int FN(affine_is_on_curve)(const AFF *a) {
    if (FN(affine_is_infinity)(a)) return 1;
    F l, t;
    F_SQR(&l, &a->y);
    F_SQR(&t, &a->x);
    F_MUL(&t, &t, &a->x);
    F_ADD(&t, &t, CURVE_B);
    return F_EQ(&l, &t);
}

/* ---- Jacobian --------------------------------------------------------------------------------------- */

void FN(jac_set_infinity)(JAC *r) {
    r->x = F_ONE_V;
    r->y = F_ONE_V;
    r->z = F_ZERO_V;
}

int FN(jac_is_infinity)(const JAC *a) { return F_IS_ZERO(&a->z); }

void FN(jac_from_affine)(JAC *r, const AFF *a) {
    if (FN(affine_is_infinity)(a)) {
        FN(jac_set_infinity)(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    r->z = F_ONE_V;
}

void FN(jac_neg)(JAC *r, const JAC *a) {
    r->x = a->x;
    F_NEG(&r->y, &a->y);
    r->z = a->z;
}

int FN(jac_equal)(const JAC *a, const JAC *b) {
    int ia = FN(jac_is_infinity)(a), ib = FN(jac_is_infinity)(b);
    if (ia | ib) return ia & ib;
    F z1z1, z2z2, u1, u2, s1, s2;
    F_SQR(&z1z1, &a->z);
    F_SQR(&z2z2, &b->z);
    F_MUL(&u1, &a->x, &z2z2);
    F_MUL(&u2, &b->x, &z1z1);
    F_MUL(&s1, &a->y, &z2z2);
    F_MUL(&s1, &s1, &b->z);
    F_MUL(&s2, &b->y, &z1z1);
    F_MUL(&s2, &s2, &a->z);
    return F_EQ(&u1, &u2) & F_EQ(&s1, &s2);
}

/* dbl-2009-l (a = 0). Z = 0 stays Z = 0, so the identity needs no branch. */
void FN(jac_dbl_vartime)(JAC *r, const JAC *a) {
    F A, B, C, D, E, Fv, t;
    F_SQR(&A, &a->x);
    F_SQR(&B, &a->y);
    F_SQR(&C, &B);
    F_ADD(&D, &a->x, &B);
    F_SQR(&D, &D);
    F_SUB(&D, &D, &A);
    F_SUB(&D, &D, &C);
    F_DBL(&D, &D);
    F_DBL(&E, &A);
    F_ADD(&E, &E, &A);
    F_SQR(&Fv, &E);
    F_MUL(&t, &a->y, &a->z); /* Z3 first: r may alias a */
    F_DBL(&r->z, &t);
    F_DBL(&t, &D);
    F_SUB(&r->x, &Fv, &t);
    F_SUB(&t, &D, &r->x);
    F_MUL(&t, &E, &t);
    F_DBL(&C, &C);
    F_DBL(&C, &C);
    F_DBL(&C, &C);
    F_SUB(&r->y, &t, &C);
}

/* add-2007-bl, with the exceptional cases dispatched first. */
void FN(jac_add_vartime)(JAC *r, const JAC *a, const JAC *b) {
    if (FN(jac_is_infinity)(a)) {
        *r = *b;
        return;
    }
    if (FN(jac_is_infinity)(b)) {
        *r = *a;
        return;
    }
    F z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t;
    F_SQR(&z1z1, &a->z);
    F_SQR(&z2z2, &b->z);
    F_MUL(&u1, &a->x, &z2z2);
    F_MUL(&u2, &b->x, &z1z1);
    F_MUL(&s1, &a->y, &b->z);
    F_MUL(&s1, &s1, &z2z2);
    F_MUL(&s2, &b->y, &a->z);
    F_MUL(&s2, &s2, &z1z1);
    F_SUB(&h, &u2, &u1);
    F_SUB(&rr, &s2, &s1);
    if (F_IS_ZERO(&h)) {
        if (F_IS_ZERO(&rr)) {
            FN(jac_dbl_vartime)(r, a);
        } else {
            FN(jac_set_infinity)(r);
        }
        return;
    }
    F_DBL(&rr, &rr);
    F_DBL(&i, &h);
    F_SQR(&i, &i);
    F_MUL(&j, &h, &i);
    F_MUL(&v, &u1, &i);
    F_ADD(&t, &a->z, &b->z);
    F_SQR(&t, &t);
    F_SUB(&t, &t, &z1z1);
    F_SUB(&t, &t, &z2z2);
    F_MUL(&r->z, &t, &h);
    F_SQR(&t, &rr);
    F_SUB(&t, &t, &j);
    F_SUB(&t, &t, &v);
    F_SUB(&r->x, &t, &v);
    F_SUB(&t, &v, &r->x);
    F_MUL(&t, &rr, &t);
    F_MUL(&s1, &s1, &j);
    F_DBL(&s1, &s1);
    F_SUB(&r->y, &t, &s1);
}

/* madd-2007-bl. */
void FN(jac_add_affine_vartime)(JAC *r, const JAC *a, const AFF *b) {
    if (FN(affine_is_infinity)(b)) {
        *r = *a;
        return;
    }
    if (FN(jac_is_infinity)(a)) {
        FN(jac_from_affine)(r, b);
        return;
    }
    F z1z1, u2, s2, h, hh, i, j, rr, v, t;
    F_SQR(&z1z1, &a->z);
    F_MUL(&u2, &b->x, &z1z1);
    F_MUL(&s2, &b->y, &a->z);
    F_MUL(&s2, &s2, &z1z1);
    F_SUB(&h, &u2, &a->x);
    F_SUB(&rr, &s2, &a->y);
    if (F_IS_ZERO(&h)) {
        if (F_IS_ZERO(&rr)) {
            FN(jac_dbl_vartime)(r, a);
        } else {
            FN(jac_set_infinity)(r);
        }
        return;
    }
    F_DBL(&rr, &rr);
    F_SQR(&hh, &h);
    F_DBL(&i, &hh);
    F_DBL(&i, &i);
    F_MUL(&j, &h, &i);
    F_MUL(&v, &a->x, &i);
    F y1 = a->y;
    F_ADD(&t, &a->z, &h);
    F_SQR(&t, &t);
    F_SUB(&t, &t, &z1z1);
    F_SUB(&r->z, &t, &hh);
    F_SQR(&t, &rr);
    F_SUB(&t, &t, &j);
    F_SUB(&t, &t, &v);
    F_SUB(&r->x, &t, &v);
    F_SUB(&t, &v, &r->x);
    F_MUL(&t, &rr, &t);
    F_MUL(&y1, &y1, &j);
    F_DBL(&y1, &y1);
    F_SUB(&r->y, &t, &y1);
}

void FN(jac_to_affine_vartime)(AFF *r, const JAC *a) {
    if (FN(jac_is_infinity)(a)) {
        FN(affine_set_infinity)(r);
        return;
    }
    F zi, zi2;
    F_INV_VARTIME(&zi, &a->z);
    F_SQR(&zi2, &zi);
    F_MUL(&r->x, &a->x, &zi2);
    F_MUL(&zi2, &zi2, &zi);
    F_MUL(&r->y, &a->y, &zi2);
}

void FN(jac_batch_to_affine_vartime)(AFF *r, const JAC *a, size_t n, F *scratch) {
    F acc = F_ONE_V, inv, zi, zi2;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc; /* product of the nonzero Z of a[0..i-1] */
        if (!FN(jac_is_infinity)(&a[i])) F_MUL(&acc, &acc, &a[i].z);
    }
    F_INV_VARTIME(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        if (FN(jac_is_infinity)(&a[i])) {
            FN(affine_set_infinity)(&r[i]);
            continue;
        }
        F_MUL(&zi, &inv, &scratch[i]);
        F_MUL(&inv, &inv, &a[i].z);
        F_SQR(&zi2, &zi);
        F x = a[i].x, y = a[i].y;
        F_MUL(&r[i].x, &x, &zi2);
        F_MUL(&zi2, &zi2, &zi);
        F_MUL(&r[i].y, &y, &zi2);
    }
}

/* ---- XYZZ ------------------------------------------------------------------------------------------- */

/* The formulas, shared with the GPU backend (cuda/ec_impl.h): curve/xyzz_formulas.h. */
#define XF_FN FN
#define XF_F F
#define XF_AFF AFF
#define XF_XYZZ XYZZ
#define XF_ADD F_ADD
#define XF_SUB F_SUB
#define XF_DBL F_DBL
#define XF_MUL F_MUL
#define XF_SQR F_SQR
#define XF_IS_ZERO F_IS_ZERO
#define XF_SET_ONE(r) (*(r) = F_ONE_V)
#define XF_SET_ZERO(r) (*(r) = F_ZERO_V)
#define XF_AFF_IS_INF(a) FN(affine_is_infinity)(a)
#define XF_DECL
#define XF_DECL_CALL
#define XF_DBL_INTO_COPY 0
#define XF_DECL_MADD
#include "curve/xyzz_formulas.h"

/* Z = ZZZ: then Z^2 = ZZZ^2 = ZZ^3, so X' = X ZZ^2 and Y' = Y ZZZ^2. */
void FN(xyzz_to_jac_vartime)(JAC *r, const XYZZ *a) {
    if (FN(xyzz_is_infinity)(a)) {
        FN(jac_set_infinity)(r);
        return;
    }
    F t;
    F_SQR(&t, &a->zz);
    F_MUL(&r->x, &a->x, &t);
    F_SQR(&t, &a->zzz);
    F_MUL(&r->y, &a->y, &t);
    r->z = a->zzz;
}

/* 1/(ZZ ZZZ) gives both 1/ZZ = t ZZZ and 1/ZZZ = t ZZ with one inversion. */
void FN(xyzz_to_affine_vartime)(AFF *r, const XYZZ *a) {
    if (FN(xyzz_is_infinity)(a)) {
        FN(affine_set_infinity)(r);
        return;
    }
    F t, i;
    F_MUL(&t, &a->zz, &a->zzz);
    F_INV_VARTIME(&t, &t);
    F_MUL(&i, &t, &a->zzz);
    F_MUL(&r->x, &a->x, &i);
    F_MUL(&i, &t, &a->zz);
    F_MUL(&r->y, &a->y, &i);
}

void FN(xyzz_batch_to_affine_vartime)(AFF *r, const XYZZ *a, size_t n, F *scratch) {
    F acc = F_ONE_V, inv, t, i2, zz, zzz;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (!FN(xyzz_is_infinity)(&a[i])) {
            F_MUL(&t, &a[i].zz, &a[i].zzz);
            F_MUL(&acc, &acc, &t);
        }
    }
    F_INV_VARTIME(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        if (FN(xyzz_is_infinity)(&a[i])) {
            FN(affine_set_infinity)(&r[i]);
            continue;
        }
        zz = a[i].zz;
        zzz = a[i].zzz;
        F_MUL(&t, &zz, &zzz);
        F_MUL(&i2, &inv, &scratch[i]); /* 1/(ZZ ZZZ) */
        F_MUL(&inv, &inv, &t);
        F x = a[i].x, y = a[i].y;
        F_MUL(&t, &i2, &zzz);
        F_MUL(&r[i].x, &x, &t);
        F_MUL(&t, &i2, &zz);
        F_MUL(&r[i].y, &y, &t);
    }
}

/* ---- batch-affine addition ----------------------------------------------------------------------------
 * Pass 1 multiplies the slope denominators (x2 - x1, or 2y for a doubling) into a running product,
 * keeping the prefix products in scratch; one inversion; pass 2 walks back, peeling each
 * denominator's inverse off the running inverse. The pair's kind is recomputed in pass 2 (a few
 * comparisons) rather than stored, so scratch is exactly n elements. */
enum { BA_GENERAL = 0, BA_DOUBLE = 1, BA_TRIVIAL = 2 };

static inline int FN(ba_kind)(const AFF *a, const AFF *b, F *den) {
    if (FN(affine_is_infinity)(a) || FN(affine_is_infinity)(b)) return BA_TRIVIAL;
    if (F_EQ(&a->x, &b->x)) {
        if (!F_EQ(&a->y, &b->y) || F_IS_ZERO(&a->y)) return BA_TRIVIAL; /* a = -b: identity */
        F_DBL(den, &a->y);
        return BA_DOUBLE;
    }
    F_SUB(den, &b->x, &a->x);
    return BA_GENERAL;
}

static inline void FN(ba_finish)(AFF *out, const AFF *a, const AFF *b, int kind, const F *dinv) {
    F lam, t, x3;
    if (kind == BA_TRIVIAL) {
        if (FN(affine_is_infinity)(a))
            *out = *b;
        else if (FN(affine_is_infinity)(b))
            *out = *a;
        else
            FN(affine_set_infinity)(out);
        return;
    }
    if (kind == BA_DOUBLE) {
        F_SQR(&t, &a->x);
        F_DBL(&lam, &t);
        F_ADD(&t, &lam, &t);
    } else {
        F_SUB(&t, &b->y, &a->y);
    }
    F_MUL(&lam, &t, dinv);
    F_SQR(&t, &lam);
    F_SUB(&t, &t, &a->x);
    F_SUB(&x3, &t, &b->x);
    F_SUB(&t, &a->x, &x3);
    F_MUL(&t, &lam, &t);
    F_SUB(&out->y, &t, &a->y);
    out->x = x3;
}

void FN(batch_add_affine_vartime)(AFF *out, const AFF *a, const AFF *b, size_t n, F *scratch) {
    F acc = F_ONE_V, den, inv, dinv;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (FN(ba_kind)(&a[i], &b[i], &den) != BA_TRIVIAL) F_MUL(&acc, &acc, &den);
    }
    F_INV_VARTIME(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        AFF ai = a[i], bi = b[i];
        int kind = FN(ba_kind)(&ai, &bi, &den);
        if (kind != BA_TRIVIAL) {
            F_MUL(&dinv, &inv, &scratch[i]);
            F_MUL(&inv, &inv, &den);
        }
        FN(ba_finish)(&out[i], &ai, &bi, kind, &dinv);
    }
}

void FN(batch_add_affine_ptr_vartime)(AFF *const *acc_p, const AFF *const *add_p, const uint8_t *neg,
                                      size_t n, F *scratch) {
    F acc = F_ONE_V, den, inv, dinv;
    AFF b;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        b = *add_p[i];
        if (neg && neg[i]) FN(affine_neg)(&b, &b);
        if (FN(ba_kind)(acc_p[i], &b, &den) != BA_TRIVIAL) F_MUL(&acc, &acc, &den);
    }
    F_INV_VARTIME(&inv, &acc);
    for (size_t i = n; i-- > 0;) {
        AFF a = *acc_p[i];
        b = *add_p[i];
        if (neg && neg[i]) FN(affine_neg)(&b, &b);
        int kind = FN(ba_kind)(&a, &b, &den);
        if (kind != BA_TRIVIAL) {
            F_MUL(&dinv, &inv, &scratch[i]);
            F_MUL(&inv, &inv, &den);
        }
        FN(ba_finish)(acc_p[i], &a, &b, kind, &dinv);
    }
}

/* ---- scalar multiplication ------------------------------------------------------------------------------ */

/* Width-w NAF of a 256-bit integer, least significant digit first; returns the digit count
 * (at most 257). Each nonzero digit is odd with |d| < 2^(w-1), and any two are w apart. */
static int FN(wnaf)(int8_t *digits, const uint64_t k[4], int w) {
    uint64_t t[5] = {k[0], k[1], k[2], k[3], 0};
    int len = 0;
    const int64_t full = (int64_t)1 << w, half = full >> 1;
    while (t[0] | t[1] | t[2] | t[3] | t[4]) {
        int8_t d = 0;
        if (t[0] & 1) {
            int64_t m = (int64_t)(t[0] & (uint64_t)(full - 1));
            if (m >= half) m -= full;
            d = (int8_t)m;
            /* t -= m (m odd, |m| < 2^(w-1)): afterwards the low w bits are zero */
            if (m > 0) {
                unsigned char c = ZBP_SBB(0, t[0], (uint64_t)m, &t[0]);
                for (int i = 1; i < 5; i++) c = ZBP_SBB(c, t[i], 0, &t[i]);
            } else {
                unsigned char c = ZBP_ADC(0, t[0], (uint64_t)(-m), &t[0]);
                for (int i = 1; i < 5; i++) c = ZBP_ADC(c, t[i], 0, &t[i]);
            }
        }
        digits[len++] = d;
        for (int i = 0; i < 4; i++) t[i] = (t[i] >> 1) | (t[i + 1] << 63);
        t[4] >>= 1;
    }
    return len;
}

#define WNAF_W 5
#define WNAF_TABLE (1 << (WNAF_W - 2)) /* P, 3P, ..., 15P */

/* table[i] = (2i + 1) p in affine form, with one shared inversion. */
static void FN(odd_multiples)(AFF table[WNAF_TABLE], const JAC *p) {
    JAC jt[WNAF_TABLE], p2;
    F scratch[WNAF_TABLE];
    jt[0] = *p;
    FN(jac_dbl_vartime)(&p2, p);
    for (int i = 1; i < WNAF_TABLE; i++) FN(jac_add_vartime)(&jt[i], &jt[i - 1], &p2);
    FN(jac_batch_to_affine_vartime)(table, jt, WNAF_TABLE, scratch);
}

void FN(mul_vartime)(JAC *r, const JAC *p, const uint64_t k[4]) {
    if (FN(jac_is_infinity)(p)) {
        FN(jac_set_infinity)(r);
        return;
    }
    AFF table[WNAF_TABLE], neg;
    int8_t digits[260];
    FN(odd_multiples)(table, p);
    int len = FN(wnaf)(digits, k, WNAF_W);
    JAC acc;
    FN(jac_set_infinity)(&acc);
    for (int i = len - 1; i >= 0; i--) {
        FN(jac_dbl_vartime)(&acc, &acc);
        int d = digits[i];
        if (d > 0) {
            FN(jac_add_affine_vartime)(&acc, &acc, &table[d >> 1]);
        } else if (d < 0) {
            FN(affine_neg)(&neg, &table[(-d) >> 1]);
            FN(jac_add_affine_vartime)(&acc, &acc, &neg);
        }
    }
    *r = acc;
}

/* Renes-Costello-Batina complete formulas for a = 0 in homogeneous projective coordinates
 * (x = X/Z, y = Y/Z; the identity is (0 : 1 : 0)): one straight-line sequence for every input,
 * the identity and P = Q included, so the ladder below has no data-dependent branch. */
typedef struct { F x, y, z; } FN(proj_t);

static void FN(proj_add)(FN(proj_t) *r, const FN(proj_t) *p, const FN(proj_t) *q) {
    F t0, t1, t2, t3, t4, x3, y3, z3;
    F_MUL(&t0, &p->x, &q->x);
    F_MUL(&t1, &p->y, &q->y);
    F_MUL(&t2, &p->z, &q->z);
    F_ADD(&t3, &p->x, &p->y);
    F_ADD(&t4, &q->x, &q->y);
    F_MUL(&t3, &t3, &t4);
    F_ADD(&t4, &t0, &t1);
    F_SUB(&t3, &t3, &t4);
    F_ADD(&t4, &p->y, &p->z);
    F_ADD(&x3, &q->y, &q->z);
    F_MUL(&t4, &t4, &x3);
    F_ADD(&x3, &t1, &t2);
    F_SUB(&t4, &t4, &x3);
    F_ADD(&x3, &p->x, &p->z);
    F_ADD(&y3, &q->x, &q->z);
    F_MUL(&x3, &x3, &y3);
    F_ADD(&y3, &t0, &t2);
    F_SUB(&y3, &x3, &y3);
    F_DBL(&x3, &t0);
    F_ADD(&t0, &x3, &t0);
    F_MUL(&t2, CURVE_B3, &t2);
    F_ADD(&z3, &t1, &t2);
    F_SUB(&t1, &t1, &t2);
    F_MUL(&y3, CURVE_B3, &y3);
    F_MUL(&x3, &t4, &y3);
    F_MUL(&t2, &t3, &t1);
    F_SUB(&x3, &t2, &x3);
    F_MUL(&y3, &y3, &t0);
    F_MUL(&t1, &t1, &z3);
    F_ADD(&y3, &t1, &y3);
    F_MUL(&t0, &t0, &t3);
    F_MUL(&z3, &z3, &t4);
    F_ADD(&z3, &z3, &t0);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

static void FN(proj_dbl)(FN(proj_t) *r, const FN(proj_t) *p) {
    F t0, t1, t2, x3, y3, z3;
    F_SQR(&t0, &p->y);
    F_DBL(&z3, &t0);
    F_DBL(&z3, &z3);
    F_DBL(&z3, &z3);
    F_MUL(&t1, &p->y, &p->z);
    F_SQR(&t2, &p->z);
    F_MUL(&t2, CURVE_B3, &t2);
    F_MUL(&x3, &t2, &z3);
    F_ADD(&y3, &t0, &t2);
    F_MUL(&z3, &t1, &z3);
    F_DBL(&t1, &t2);
    F_ADD(&t2, &t1, &t2);
    F_SUB(&t0, &t0, &t2);
    F_MUL(&y3, &t0, &y3);
    F_ADD(&y3, &x3, &y3);
    F_MUL(&t1, &p->x, &p->y);
    F_MUL(&x3, &t0, &t1);
    F_DBL(&x3, &x3);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

/* Swaps a and b when mask is all ones, leaves them when it is zero, touching the same memory. */
static void FN(proj_cswap)(FN(proj_t) *a, FN(proj_t) *b, uint64_t mask) {
    uint64_t *x = (uint64_t *)(void *)a, *y = (uint64_t *)(void *)b;
    for (size_t i = 0; i < sizeof *a / sizeof(uint64_t); i++) {
        uint64_t t = (x[i] ^ y[i]) & mask;
        x[i] ^= t;
        y[i] ^= t;
    }
}

void FN(mul)(JAC *r, const JAC *p, const uint64_t k[4]) {
    /* Jacobian (X, Y, Z) -> projective (X Z, Y, Z^3); the identity (Z = 0) becomes (0 : Y : 0),
     * which the complete formulas treat as the identity too. */
    FN(proj_t) r0, r1;
    F z2;
    F_SQR(&z2, &p->z);
    F_MUL(&r1.x, &p->x, &p->z);
    r1.y = p->y;
    F_MUL(&r1.z, &z2, &p->z);
    {
        /* A Jacobian identity may carry Y = 0 (any X, Y with Z = 0 is allowed); projective
         * (0 : 0 : 0) is not a point, so map it to (0 : 1 : 0) without a branch. */
        uint64_t zmask = 0 - (uint64_t)F_IS_ZERO(&r1.z);
        F one = F_ONE_V;
        uint64_t *yy = (uint64_t *)(void *)&r1.y;
        const uint64_t *oo = (const uint64_t *)(const void *)&one;
        uint64_t *xx = (uint64_t *)(void *)&r1.x;
        for (size_t i = 0; i < sizeof(F) / sizeof(uint64_t); i++) {
            yy[i] = (yy[i] & ~zmask) | (oo[i] & zmask);
            xx[i] &= ~zmask;
        }
    }
    r0.x = F_ZERO_V;
    r0.y = F_ONE_V;
    r0.z = F_ZERO_V;
    uint64_t prev = 0;
    for (int i = 255; i >= 0; i--) {
        uint64_t bit = (k[i >> 6] >> (i & 63)) & 1;
        /* r1 - r0 = p throughout; swap so that the doubling lands on the bit's side. */
        FN(proj_cswap)(&r0, &r1, 0 - (bit ^ prev));
        prev = bit;
        FN(proj_add)(&r1, &r0, &r1);
        FN(proj_dbl)(&r0, &r0);
    }
    FN(proj_cswap)(&r0, &r1, 0 - prev);
    /* projective (X : Y : Z) -> Jacobian (X Z, Y Z^2, Z) */
    F_MUL(&r->x, &r0.x, &r0.z);
    F_SQR(&z2, &r0.z);
    F_MUL(&r->y, &r0.y, &z2);
    r->z = r0.z;
}

#undef WNAF_W
#undef WNAF_TABLE
#undef AFF
#undef JAC
#undef XYZZ
#undef FN
#undef PI_CAT
#undef PI_CAT2
