/* ec_impl.h: the GPU's group operations over a field, included twice by ec.h (G1 over Fq, G2 over
 * Fq2): curve/'s XYZZ formulas (curve/xyzz_formulas.h, one text for both backends) and what only
 * the GPU's MSM needs (negation, small multiples, a bucket segment's weighted sum). */
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

/* set_infinity, is_infinity, from_affine, the doublings and the additions: curve/'s formulas,
 * the same text (curve/xyzz_formulas.h), so results agree with curve/ coordinate for coordinate.
 * The doublings and the general addition are out of line on the device (ZC_HD_CALL): each kernel
 * holds one copy of each, however many call sites (the bucket reduction has seven); the mixed
 * addition, the chunk sums' hot loop, is inlined. */
#define XF_FN ZC_FN
#define XF_F ZC_F
#define XF_AFF ZC_AFF
#define XF_XYZZ ZC_XYZZ
#define XF_ADD ZC_F_ADD
#define XF_SUB ZC_F_SUB
#define XF_DBL ZC_F_DBL
#define XF_MUL ZC_F_MUL
#define XF_SQR ZC_F_SQR
#define XF_IS_ZERO ZC_F_IS_ZERO
#define XF_SET_ONE ZC_F_SET_ONE
#define XF_SET_ZERO ZC_F_SET_ZERO
#define XF_AFF_IS_INF(a) ZC_FN(affine_is_infinity)(a)
#define XF_DECL ZC_HD
#define XF_DECL_CALL ZC_HD_CALL
#define XF_DBL_INTO_COPY 1
#define XF_DECL_MADD ZC_HD
#include "curve/xyzz_formulas.h"

ZC_HD void ZC_FN(xyzz_neg)(ZC_XYZZ *r, const ZC_XYZZ *a) {
    *r = *a;
    ZC_F_NEG(&r->y, &a->y);
}

/* k·a for a small k (a bucket index, below 2^31): double and add from the top bit. */
ZC_HD void ZC_FN(xyzz_mul_u32)(ZC_XYZZ *r, const ZC_XYZZ *a, uint32_t k) {
    ZC_XYZZ acc;
    ZC_FN(xyzz_set_infinity)(&acc);
    for (int i = 31; i >= 0; i--) {
        ZC_FN(xyzz_dbl_vartime)(&acc, &acc);
        if ((k >> i) & 1u) ZC_FN(xyzz_add_vartime)(&acc, &acc, a);
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
        ZC_FN(xyzz_add_vartime)(&acc, &acc, &b[j]);
        ZC_FN(xyzz_add_vartime)(&tot, &tot, &acc);
    }
    ZC_FN(xyzz_mul_u32)(&t, &acc, lo);
    ZC_FN(xyzz_add_vartime)(r, &tot, &t);
}

#undef ZC_CAT2
#undef ZC_CAT
#undef ZC_FN
#undef ZC_AFF
#undef ZC_XYZZ
