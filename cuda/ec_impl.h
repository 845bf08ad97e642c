/* ec_impl.h: the XYZZ group formulas written once over a field, included twice by ec.h (G1 over Fq,
 * G2 over Fq2). The formulas and their order of operations are curve/point_impl.h's, so results
 * agree with curve/ coordinate for coordinate, not only as points. */
#ifndef ZC_G
#error "ec_impl.h is included by ec.h with ZC_G, ZC_F and the field operations defined"
#endif

#define ZC_CAT2(a, b) a##_##b
#define ZC_CAT(a, b) ZC_CAT2(a, b)
#define ZC_FN(name) ZC_CAT(ZC_G, name)
#define ZC_AFF ZC_FN(affine_t)
#define ZC_XYZZ ZC_FN(xyzz_t)

/* zkey form: the identity is x = y = 0 (not on the curve). */
ZC_HD int ZC_FN(affine_is_infinity)(const ZC_AFF *a) { return ZC_F_IS_ZERO(&a->x) & ZC_F_IS_ZERO(&a->y); }

ZC_HD void ZC_FN(affine_neg)(ZC_AFF *r, const ZC_AFF *a) {
    r->x = a->x;
    ZC_F_NEG(&r->y, &a->y); /* (0, 0) stays (0, 0) */
}

ZC_HD void ZC_FN(xyzz_set_infinity)(ZC_XYZZ *r) {
    ZC_F_SET_ONE(&r->x);
    ZC_F_SET_ONE(&r->y);
    ZC_F_SET_ZERO(&r->zz);
    ZC_F_SET_ZERO(&r->zzz);
}

ZC_HD int ZC_FN(xyzz_is_infinity)(const ZC_XYZZ *a) { return ZC_F_IS_ZERO(&a->zz); }

ZC_HD void ZC_FN(xyzz_from_affine)(ZC_XYZZ *r, const ZC_AFF *a) {
    if (ZC_FN(affine_is_infinity)(a)) {
        ZC_FN(xyzz_set_infinity)(r);
        return;
    }
    r->x = a->x;
    r->y = a->y;
    ZC_F_SET_ONE(&r->zz);
    ZC_F_SET_ONE(&r->zzz);
}

ZC_HD void ZC_FN(xyzz_neg)(ZC_XYZZ *r, const ZC_XYZZ *a) {
    *r = *a;
    ZC_F_NEG(&r->y, &a->y);
}

/* dbl-2008-s-1 (a = 0); ZZ = 0 stays 0, so the identity needs no branch. */
ZC_HD void ZC_FN(xyzz_dbl)(ZC_XYZZ *r, const ZC_XYZZ *a) {
    ZC_F u, v, w, s, m, t;
    ZC_F_DBL(&u, &a->y);
    ZC_F_SQR(&v, &u);
    ZC_F_MUL(&w, &u, &v);
    ZC_F_MUL(&s, &a->x, &v);
    ZC_F_SQR(&m, &a->x);
    ZC_F_DBL(&t, &m);
    ZC_F_ADD(&m, &m, &t);
    ZC_F_MUL(&r->zz, &v, &a->zz);
    ZC_F_MUL(&r->zzz, &w, &a->zzz);
    ZC_F_MUL(&w, &w, &a->y);
    ZC_F_SQR(&t, &m);
    ZC_F_SUB(&t, &t, &s);
    ZC_F_SUB(&r->x, &t, &s);
    ZC_F_SUB(&t, &s, &r->x);
    ZC_F_MUL(&t, &m, &t);
    ZC_F_SUB(&r->y, &t, &w);
}

/* mdbl-2008-s-1: doubling an affine point. */
ZC_HD void ZC_FN(xyzz_dbl_affine)(ZC_XYZZ *r, const ZC_AFF *a) {
    if (ZC_FN(affine_is_infinity)(a)) {
        ZC_FN(xyzz_set_infinity)(r);
        return;
    }
    ZC_F u, v, w, s, m, t;
    ZC_F_DBL(&u, &a->y);
    ZC_F_SQR(&v, &u);
    ZC_F_MUL(&w, &u, &v);
    ZC_F_MUL(&s, &a->x, &v);
    ZC_F_SQR(&m, &a->x);
    ZC_F_DBL(&t, &m);
    ZC_F_ADD(&m, &m, &t);
    r->zz = v;
    r->zzz = w;
    ZC_F_MUL(&w, &w, &a->y);
    ZC_F_SQR(&t, &m);
    ZC_F_SUB(&t, &t, &s);
    ZC_F_SUB(&r->x, &t, &s);
    ZC_F_SUB(&t, &s, &r->x);
    ZC_F_MUL(&t, &m, &t);
    ZC_F_SUB(&r->y, &t, &w);
}

/* add-2008-s, exceptional cases first (identities, P = Q, P = -Q). */
ZC_HD void ZC_FN(xyzz_add)(ZC_XYZZ *r, const ZC_XYZZ *a, const ZC_XYZZ *b) {
    if (ZC_FN(xyzz_is_infinity)(a)) {
        *r = *b;
        return;
    }
    if (ZC_FN(xyzz_is_infinity)(b)) {
        *r = *a;
        return;
    }
    ZC_F u1, u2, s1, s2, p, rr, pp, ppp, q, t;
    ZC_F_MUL(&u1, &a->x, &b->zz);
    ZC_F_MUL(&u2, &b->x, &a->zz);
    ZC_F_MUL(&s1, &a->y, &b->zzz);
    ZC_F_MUL(&s2, &b->y, &a->zzz);
    ZC_F_SUB(&p, &u2, &u1);
    ZC_F_SUB(&rr, &s2, &s1);
    if (ZC_F_IS_ZERO(&p)) {
        if (ZC_F_IS_ZERO(&rr))
            ZC_FN(xyzz_dbl)(r, a);
        else
            ZC_FN(xyzz_set_infinity)(r);
        return;
    }
    ZC_F_SQR(&pp, &p);
    ZC_F_MUL(&ppp, &p, &pp);
    ZC_F_MUL(&q, &u1, &pp);
    ZC_F_MUL(&t, &a->zz, &b->zz);
    ZC_F_MUL(&r->zz, &t, &pp);
    ZC_F_MUL(&t, &a->zzz, &b->zzz);
    ZC_F_MUL(&r->zzz, &t, &ppp);
    ZC_F_SQR(&t, &rr);
    ZC_F_SUB(&t, &t, &ppp);
    ZC_F_SUB(&t, &t, &q);
    ZC_F_SUB(&r->x, &t, &q);
    ZC_F_SUB(&t, &q, &r->x);
    ZC_F_MUL(&t, &rr, &t);
    ZC_F_MUL(&s1, &s1, &ppp);
    ZC_F_SUB(&r->y, &t, &s1);
}

/* madd-2008-s: the bucket accumulator's step, 8M + 2S. */
ZC_HD void ZC_FN(xyzz_add_affine)(ZC_XYZZ *r, const ZC_XYZZ *a, const ZC_AFF *b) {
    if (ZC_FN(affine_is_infinity)(b)) {
        *r = *a;
        return;
    }
    if (ZC_FN(xyzz_is_infinity)(a)) {
        ZC_FN(xyzz_from_affine)(r, b);
        return;
    }
    ZC_F u2, s2, p, rr, pp, ppp, q, t, y1;
    ZC_F_MUL(&u2, &b->x, &a->zz);
    ZC_F_MUL(&s2, &b->y, &a->zzz);
    ZC_F_SUB(&p, &u2, &a->x);
    ZC_F_SUB(&rr, &s2, &a->y);
    if (ZC_F_IS_ZERO(&p)) {
        if (ZC_F_IS_ZERO(&rr))
            ZC_FN(xyzz_dbl_affine)(r, b);
        else
            ZC_FN(xyzz_set_infinity)(r);
        return;
    }
    ZC_F_SQR(&pp, &p);
    ZC_F_MUL(&ppp, &p, &pp);
    ZC_F_MUL(&q, &a->x, &pp);
    ZC_F_MUL(&y1, &a->y, &ppp);
    ZC_F_MUL(&r->zz, &a->zz, &pp);
    ZC_F_MUL(&r->zzz, &a->zzz, &ppp);
    ZC_F_SQR(&t, &rr);
    ZC_F_SUB(&t, &t, &ppp);
    ZC_F_SUB(&t, &t, &q);
    ZC_F_SUB(&r->x, &t, &q);
    ZC_F_SUB(&t, &q, &r->x);
    ZC_F_MUL(&t, &rr, &t);
    ZC_F_SUB(&r->y, &t, &y1);
}

/* k·a for a small k (a bucket index, below 2^31): double and add from the top bit. */
ZC_HD void ZC_FN(xyzz_mul_u32)(ZC_XYZZ *r, const ZC_XYZZ *a, uint32_t k) {
    ZC_XYZZ acc;
    ZC_FN(xyzz_set_infinity)(&acc);
    for (int i = 31; i >= 0; i--) {
        ZC_FN(xyzz_dbl)(&acc, &acc);
        if ((k >> i) & 1u) ZC_FN(xyzz_add)(&acc, &acc, a);
    }
    *r = acc;
}

/* One thread's share of a window's bucket reduction: for the buckets b[lo..hi) (b[j] holds the
 * points whose digit is j + 1) returns sum (j + 1) b[j]. The running-sum trick gives
 * sum (j - lo + 1) b[j] with two additions per bucket; the missing lo * sum b[j] is one small
 * multiplication. Splitting a window into segments this way lets many threads share it. */
ZC_HD void ZC_FN(bucket_segment)(ZC_XYZZ *r, const ZC_XYZZ *b, uint32_t lo, uint32_t hi) {
    ZC_XYZZ acc, tot, t;
    ZC_FN(xyzz_set_infinity)(&acc);
    ZC_FN(xyzz_set_infinity)(&tot);
    for (uint32_t j = hi; j-- > lo;) {
        ZC_FN(xyzz_add)(&acc, &acc, &b[j]);
        ZC_FN(xyzz_add)(&tot, &tot, &acc);
    }
    ZC_FN(xyzz_mul_u32)(&t, &acc, lo);
    ZC_FN(xyzz_add)(r, &tot, &t);
}

#undef ZC_CAT2
#undef ZC_CAT
#undef ZC_FN
#undef ZC_AFF
#undef ZC_XYZZ
