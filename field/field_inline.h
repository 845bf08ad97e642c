/* field_inline.h: the hot 4-limb Montgomery arithmetic, inline, for Fq and Fr. Included by
 * field.h; other rooms reach it only through field.h's names. Two scalar paths: portable C
 * (unsigned __int128) and x86-64 MULX/ADCX/ADOX inline assembly, chosen by one flag read once. */
#ifndef ZBP_FIELD_INLINE_H
#define ZBP_FIELD_INLINE_H

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned __int128 zbp_u128;

/* A 4-limb Montgomery field: everything the generic code needs, in one constant struct. */
typedef struct {
    uint64_t p[4];   /* modulus, canonical */
    uint64_t pinv;   /* -p^-1 mod 2^64 */
    uint64_t one[4]; /* 2^256 mod p */
    uint64_t r2[4];  /* 2^512 mod p */
    uint64_t p52[5]; /* modulus in 52-bit limbs (IFMA path) */
    uint64_t pinv52; /* -p^-1 mod 2^52 */
} zbp_mont_t;

extern const zbp_mont_t zbp_fq_mont, zbp_fr_mont;

/* Nonzero when the scalar path uses MULX/ADX; set once by zbp_field_init/select. */
extern int zbp_field_use_adx;

/* ---- generic limb helpers (constant time) ------------------------------------------------------- */

/* Carry and borrow chains. On x86-64 these are the ADC/SBB intrinsics (baseline ISA, no flags
 * needed); gcc keeps unsigned __int128 borrow chains poorly (it spills them), so it is used only
 * as the fallback for other targets. */
#if defined(__x86_64__)
#include <x86intrin.h>
#define ZBP_ADC(c, a, b, out) _addcarry_u64((c), (a), (b), (unsigned long long *)(out))
#define ZBP_SBB(c, a, b, out) _subborrow_u64((c), (a), (b), (unsigned long long *)(out))
#else
static inline unsigned char zbp_adc_fallback(unsigned char c, uint64_t a, uint64_t b, uint64_t *o) {
    zbp_u128 t = (zbp_u128)a + b + c;
    *o = (uint64_t)t;
    return (unsigned char)(t >> 64);
}
static inline unsigned char zbp_sbb_fallback(unsigned char c, uint64_t a, uint64_t b, uint64_t *o) {
    zbp_u128 t = (zbp_u128)a - b - c;
    *o = (uint64_t)t;
    return (unsigned char)((t >> 64) & 1);
}
#define ZBP_ADC(c, a, b, out) zbp_adc_fallback((c), (a), (b), (out))
#define ZBP_SBB(c, a, b, out) zbp_sbb_fallback((c), (a), (b), (out))
#endif

/* r = t - p if t >= p else t, for t = (t0..t3) < 2p. Takes the limbs by value so that callers'
 * temporaries stay in registers. */
static inline void zbp_mont_reduce4(uint64_t r[4], uint64_t t0, uint64_t t1, uint64_t t2,
                                    uint64_t t3, const uint64_t p[4]) {
    uint64_t d0, d1, d2, d3;
    unsigned char b = ZBP_SBB(0, t0, p[0], &d0);
    b = ZBP_SBB(b, t1, p[1], &d1);
    b = ZBP_SBB(b, t2, p[2], &d2);
    b = ZBP_SBB(b, t3, p[3], &d3);
    uint64_t keep = 0 - (uint64_t)b; /* all ones when t < p: keep t */
    r[0] = (t0 & keep) | (d0 & ~keep);
    r[1] = (t1 & keep) | (d1 & ~keep);
    r[2] = (t2 & keep) | (d2 & ~keep);
    r[3] = (t3 & keep) | (d3 & ~keep);
}

static inline void zbp_mont_reduce_once(uint64_t r[4], const uint64_t t[4], const uint64_t p[4]) {
    zbp_mont_reduce4(r, t[0], t[1], t[2], t[3], p);
}

static inline void zbp_mont_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t p[4]) {
    /* a, b < p < 2^254: the sum fits in 256 bits, no carry out. */
    uint64_t t0, t1, t2, t3;
    unsigned char c = ZBP_ADC(0, a[0], b[0], &t0);
    c = ZBP_ADC(c, a[1], b[1], &t1);
    c = ZBP_ADC(c, a[2], b[2], &t2);
    (void)ZBP_ADC(c, a[3], b[3], &t3);
    zbp_mont_reduce4(r, t0, t1, t2, t3, p);
}

static inline void zbp_mont_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const uint64_t p[4]) {
    uint64_t t0, t1, t2, t3;
    unsigned char c = ZBP_SBB(0, a[0], b[0], &t0);
    c = ZBP_SBB(c, a[1], b[1], &t1);
    c = ZBP_SBB(c, a[2], b[2], &t2);
    c = ZBP_SBB(c, a[3], b[3], &t3);
    uint64_t mask = 0 - (uint64_t)c; /* all ones when a < b: add p back */
    c = ZBP_ADC(0, t0, p[0] & mask, &r[0]);
    c = ZBP_ADC(c, t1, p[1] & mask, &r[1]);
    c = ZBP_ADC(c, t2, p[2] & mask, &r[2]);
    (void)ZBP_ADC(c, t3, p[3] & mask, &r[3]);
}

static inline void zbp_mont_neg(uint64_t r[4], const uint64_t a[4], const uint64_t p[4]) {
    /* p - a, but 0 stays 0. */
    uint64_t nz = a[0] | a[1] | a[2] | a[3];
    uint64_t mask = 0 - (uint64_t)((nz | (0 - nz)) >> 63);
    uint64_t t0, t1, t2, t3;
    unsigned char c = ZBP_SBB(0, p[0], a[0], &t0);
    c = ZBP_SBB(c, p[1], a[1], &t1);
    c = ZBP_SBB(c, p[2], a[2], &t2);
    (void)ZBP_SBB(c, p[3], a[3], &t3);
    r[0] = t0 & mask;
    r[1] = t1 & mask;
    r[2] = t2 & mask;
    r[3] = t3 & mask;
}

/* Montgomery product a·b·2^-256 mod p, CIOS. Both BN254 moduli have a top limb below 2^62, so the
 * running value never needs a fifth limb between rounds (the "no-carry" variant): each round
 * keeps t < 2p. */
static inline void zbp_mont_mul_portable(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                         const uint64_t p[4], uint64_t pinv) {
    uint64_t t[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        zbp_u128 x = (zbp_u128)a[0] * b[i] + t[0];
        uint64_t A = (uint64_t)(x >> 64);
        t[0] = (uint64_t)x;
        uint64_t m = t[0] * pinv;
        x = (zbp_u128)m * p[0] + t[0];
        uint64_t C = (uint64_t)(x >> 64);
        for (int j = 1; j < 4; j++) {
            x = (zbp_u128)a[j] * b[i] + t[j] + A;
            A = (uint64_t)(x >> 64);
            t[j] = (uint64_t)x;
            x = (zbp_u128)m * p[j] + t[j] + C;
            C = (uint64_t)(x >> 64);
            t[j - 1] = (uint64_t)x;
        }
        t[3] = C + A;
    }
    zbp_mont_reduce_once(r, t, p);
}

#if defined(__x86_64__) && defined(__OPTIMIZE__)
/* (Unoptimized builds cannot allocate the asm's thirteen registers; they get the portable path and
 * report the ADX path as unavailable.)
 * The same CIOS with two carry chains: ADOX adds the low halves, ADCX the high halves, so the
 * products of one row retire without waiting on one flag. t lives in five registers that rotate
 * one place per round (the limb shifted out is zero and becomes the next round's top limb).
 * The limbs are operands, not pointers: a's as "rm" (registers where the caller has them, so a
 * dependent chain x = x·y keeps x in registers instead of storing and reloading it around every
 * product; memory where registers run short, e.g. with a frame pointer), b's and p's as memory
 * (one base register each, none for a global modulus).
 * Runs only where zbp_cpu_caps() reports BMI2 and ADX. */
#define ZBP_ADX_ROUND(i, T0, T1, T2, T3, T4)                                                         \
    "movq %[b" #i "], %%rdx\n\t"                                                                  \
    "xorl %k[z], %k[z]\n\t"                                                                        \
    "mulxq %[a0], %[lo], %[hi]\n\t"                                                              \
    "adoxq %[lo], %[" #T0 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #T1 "]\n\t"                                                                  \
    "mulxq %[a1], %[lo], %[hi]\n\t"                                                              \
    "adoxq %[lo], %[" #T1 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #T2 "]\n\t"                                                                  \
    "mulxq %[a2], %[lo], %[hi]\n\t"                                                             \
    "adoxq %[lo], %[" #T2 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #T3 "]\n\t"                                                                  \
    "mulxq %[a3], %[lo], %[" #T4 "]\n\t"                                                        \
    "adoxq %[lo], %[" #T3 "]\n\t"                                                                  \
    "adcxq %[z], %[" #T4 "]\n\t"                                                                   \
    "adoxq %[z], %[" #T4 "]\n\t"                                                                   \
    "movq %[" #T0 "], %%rdx\n\t"                                                                   \
    "imulq %[pinv], %%rdx\n\t"                                                                     \
    "xorl %k[z], %k[z]\n\t"                                                                        \
    "mulxq %[p0], %[lo], %[hi]\n\t"                                                              \
    "adoxq %[lo], %[" #T0 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #T1 "]\n\t"                                                                  \
    "mulxq %[p1], %[lo], %[hi]\n\t"                                                              \
    "adoxq %[lo], %[" #T1 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #T2 "]\n\t"                                                                  \
    "mulxq %[p2], %[lo], %[hi]\n\t"                                                             \
    "adoxq %[lo], %[" #T2 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #T3 "]\n\t"                                                                  \
    "mulxq %[p3], %[lo], %[hi]\n\t"                                                             \
    "adoxq %[lo], %[" #T3 "]\n\t"                                                                  \
    "adcxq %[hi], %[" #T4 "]\n\t"                                                                  \
    "adoxq %[z], %[" #T4 "]\n\t"

static inline void zbp_mont_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                    const uint64_t p[4], uint64_t pinv) {
    uint64_t r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4, lo, hi, z;
    /* After four rounds t = (r4, r0, r1, r2) < 2p; the final conditional subtraction of p stays
     * inside the asm (SUB/SBB then CMOVAE), so the compiler has no carry chain to spill. */
    __asm__(ZBP_ADX_ROUND(0, r0, r1, r2, r3, r4)
            ZBP_ADX_ROUND(1, r1, r2, r3, r4, r0)
            ZBP_ADX_ROUND(2, r2, r3, r4, r0, r1)
            ZBP_ADX_ROUND(3, r3, r4, r0, r1, r2)
            "movq %[r4], %[lo]\n\t"
            "subq %[p0], %[lo]\n\t"
            "movq %[r0], %[hi]\n\t"
            "sbbq %[p1], %[hi]\n\t"
            "movq %[r1], %[z]\n\t"
            "sbbq %[p2], %[z]\n\t"
            "movq %[r2], %[r3]\n\t"
            "sbbq %[p3], %[r3]\n\t"
            "cmovaeq %[lo], %[r4]\n\t"
            "cmovaeq %[hi], %[r0]\n\t"
            "cmovaeq %[z], %[r1]\n\t"
            "cmovaeq %[r3], %[r2]\n\t"
            : [r0] "+&r"(r0), [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [r4] "=&r"(r4),
              [lo] "=&r"(lo), [hi] "=&r"(hi), [z] "=&r"(z)
            : [a0] "rm"(a[0]), [a1] "rm"(a[1]), [a2] "rm"(a[2]), [a3] "rm"(a[3]),
              [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]), [b3] "m"(b[3]),
              [p0] "m"(p[0]), [p1] "m"(p[1]), [p2] "m"(p[2]), [p3] "m"(p[3]), [pinv] "rm"(pinv)
            : "rdx", "cc");
    r[0] = r4;
    r[1] = r0;
    r[2] = r1;
    r[3] = r2;
}
#undef ZBP_ADX_ROUND
#define ZBP_HAVE_ADX_ASM 1
#else
#define zbp_mont_mul_adx zbp_mont_mul_portable
#define ZBP_HAVE_ADX_ASM 0
#endif

static inline void zbp_mont_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4],
                                const zbp_mont_t *f) {
    if (zbp_field_use_adx)
        zbp_mont_mul_adx(r, a, b, f->p, f->pinv);
    else
        zbp_mont_mul_portable(r, a, b, f->p, f->pinv);
}

static inline int zbp_limbs_is_zero(const uint64_t a[4]) {
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}
static inline int zbp_limbs_equal(const uint64_t a[4], const uint64_t b[4]) {
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

/* ---- the typed face ----------------------------------------------------------------------------- */
#define ZBP_FIELD_INLINES(T, pre, F)                                                                \
    static inline void pre##_add(T *r, const T *a, const T *b) { zbp_mont_add(r->l, a->l, b->l, (F).p); } \
    static inline void pre##_sub(T *r, const T *a, const T *b) { zbp_mont_sub(r->l, a->l, b->l, (F).p); } \
    static inline void pre##_neg(T *r, const T *a) { zbp_mont_neg(r->l, a->l, (F).p); }             \
    static inline void pre##_dbl(T *r, const T *a) { zbp_mont_add(r->l, a->l, a->l, (F).p); }       \
    static inline void pre##_mul(T *r, const T *a, const T *b) { zbp_mont_mul(r->l, a->l, b->l, &(F)); } \
    static inline void pre##_sqr(T *r, const T *a) { zbp_mont_mul(r->l, a->l, a->l, &(F)); }        \
    static inline int pre##_is_zero(const T *a) { return zbp_limbs_is_zero(a->l); }                 \
    static inline int pre##_equal(const T *a, const T *b) { return zbp_limbs_equal(a->l, b->l); }

ZBP_FIELD_INLINES(fq_t, fq, zbp_fq_mont)
ZBP_FIELD_INLINES(fr_t, fr, zbp_fr_mont)
#undef ZBP_FIELD_INLINES

#ifdef __cplusplus
}
#endif

#endif
