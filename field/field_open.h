/* field_open.h: sums and differences left open (not reduced) for operands that only feed a
 * product. For canonical a, b: a + b and a − b + p are both below 2p, which the ADX product takes
 * (see fq_mul_lazy in field.h) and returns canonical; the portable product wants canonical
 * inputs, so the *_lazy forms below are open only on the ADX path and the plain operation
 * elsewhere. Saves fq_add/fq_sub's conditional correction (compare or mask, second carry chain). */
#ifndef ZBP_FIELD_OPEN_H
#define ZBP_FIELD_OPEN_H

#include "field/field.h"

/* r = a + b, no reduction: < 2p for a, b < p. */
static inline void zbp_limbs_add_open(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    unsigned char c = ZBP_ADC(0, a[0], b[0], &r[0]);
    c = ZBP_ADC(c, a[1], b[1], &r[1]);
    c = ZBP_ADC(c, a[2], b[2], &r[2]);
    (void)ZBP_ADC(c, a[3], b[3], &r[3]);
}

/* r = a − b + p: in (0, 2p) for a, b < p, so neither the sum nor the difference leaves 256 bits. */
static inline void zbp_limbs_sub_open(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                      const uint64_t p[4]) {
    uint64_t t0, t1, t2, t3;
    unsigned char c = ZBP_ADC(0, a[0], p[0], &t0);
    c = ZBP_ADC(c, a[1], p[1], &t1);
    c = ZBP_ADC(c, a[2], p[2], &t2);
    (void)ZBP_ADC(c, a[3], p[3], &t3);
    c = ZBP_SBB(0, t0, b[0], &r[0]);
    c = ZBP_SBB(c, t1, b[1], &r[1]);
    c = ZBP_SBB(c, t2, b[2], &r[2]);
    (void)ZBP_SBB(c, t3, b[3], &r[3]);
}

#define ZBP_FIELD_OPEN(T, pre, F)                                                                   \
    static inline void pre##_add_open(T *r, const T *a, const T *b) {                              \
        zbp_limbs_add_open(r->l, a->l, b->l);                                                      \
    }                                                                                              \
    static inline void pre##_sub_open(T *r, const T *a, const T *b) {                              \
        zbp_limbs_sub_open(r->l, a->l, b->l, (F).p);                                               \
    }                                                                                              \
    /* open on the ADX path (the product's input), reduced elsewhere */                            \
    static inline void pre##_sub_lazy(T *r, const T *a, const T *b) {                              \
        if (zbp_field_use_adx)                                                                     \
            pre##_sub_open(r, a, b);                                                               \
        else                                                                                       \
            pre##_sub(r, a, b);                                                                    \
    }
ZBP_FIELD_OPEN(fq_t, fq, zbp_fq_mont)
ZBP_FIELD_OPEN(fr_t, fr, zbp_fr_mont)
#undef ZBP_FIELD_OPEN

#endif
