/* ff.h: BN254's Fq, Fr and Fq2 for the GPU backend, written once in portable C that compiles both
 * as host C11 (so the CPU test suite checks it bit for bit against field/) and as CUDA device code. */
#ifndef ZBP_CUDA_FF_H
#define ZBP_CUDA_FF_H

#include <stdint.h>

/* Device code wants every helper inlined into the kernel: calls cost registers and local memory.
 * The host build gets plain static inline functions. */
/* ZC_HD_CALL: one out-of-line copy per kernel on the device, for the large group formulas (a
 * point addition is ~3,000 instructions): inlined at each of its call sites they multiplied
 * ptxas's time and registers (and spilled). On the host both are plain inline functions.
 * ZC_ALIGN16: device types aligned for 16-byte vector loads (LDG.128/LDS.128) in CUDA
 * compilations only; host C keeps field/'s 8-byte alignment, with the same size and layout. */
#if defined(__CUDACC__)
#define ZC_HD static __host__ __device__ __forceinline__
#define ZC_HD_CALL static __host__ __device__ __noinline__
#define ZC_ALIGN16 __align__(16)
#else
#define ZC_HD static inline
#define ZC_HD_CALL static inline
#define ZC_ALIGN16
#endif

/* 8 little-endian 32-bit limbs, Montgomery form with R = 2^256: on a little-endian machine the same
 * bytes as field/'s 4 × 64-bit fq_t/fr_t, so arrays move between the two without conversion.
 * 32-bit limbs because the GPU's integer multiplier is 32 bits wide (a 64-bit product costs four). */
typedef struct ZC_ALIGN16 { uint32_t l[8]; } zc_fq_t;
typedef struct ZC_ALIGN16 { uint32_t l[8]; } zc_fr_t;
typedef struct { zc_fq_t c0, c1; } zc_fq2_t; /* c0 + c1 u, u^2 = -1: the layout of field/'s fq2_t */

/* The constants, written as the 64-bit words of field/constants.h so that they can be compared by
 * eye (tests/test_cuda_host.c compares them by machine). */
#define ZC_W(x) (uint32_t)(x##ull), (uint32_t)(x##ull >> 32)
#define ZC_FQ_P {ZC_W(0x3c208c16d87cfd47), ZC_W(0x97816a916871ca8d), ZC_W(0xb85045b68181585d), ZC_W(0x30644e72e131a029)}
#define ZC_FQ_ONE {ZC_W(0xd35d438dc58f0d9d), ZC_W(0x0a78eb28f5c70b3d), ZC_W(0x666ea36f7879462c), ZC_W(0x0e0a77c19a07df2f)}
#define ZC_FQ_PINV 0xe4866389u /* -q^-1 mod 2^32: the low word of field/'s -q^-1 mod 2^64 */
#define ZC_FR_P {ZC_W(0x43e1f593f0000001), ZC_W(0x2833e84879b97091), ZC_W(0xb85045b68181585d), ZC_W(0x30644e72e131a029)}
#define ZC_FR_ONE {ZC_W(0xac96341c4ffffffb), ZC_W(0x36fc76959f60cd29), ZC_W(0x666ea36f7879462e), ZC_W(0x0e0a77c19a07df2f)}
#define ZC_FR_R2 {ZC_W(0x1bb8e645ae216da7), ZC_W(0x53fe3ab1e35c59e3), ZC_W(0x8c49833d53bb8085), ZC_W(0x0216d0b17f4e44a5)}
#define ZC_FR_PINV 0xefffffffu

/* ---- limb arithmetic over any modulus p < 2^255 with a top limb below 2^30 ---------------------- */

/* r = t - p if t >= p, else t (t < 2p). Both candidates are computed and one is selected by mask,
 * so warps do not diverge on the data. */
ZC_HD void zc_reduce_once(uint32_t r[8], const uint32_t t[8], const uint32_t p[8]) {
    uint32_t d[8];
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t x = (uint64_t)t[i] - p[i] - borrow;
        d[i] = (uint32_t)x;
        borrow = (x >> 32) & 1;
    }
    uint32_t keep = 0u - (uint32_t)borrow; /* all ones when t < p */
    for (int i = 0; i < 8; i++) r[i] = (t[i] & keep) | (d[i] & ~keep);
}

ZC_HD void zc_add(uint32_t r[8], const uint32_t a[8], const uint32_t b[8], const uint32_t p[8]) {
    uint32_t t[8];
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) { /* a + b < 2p < 2^256: no carry out of the top limb */
        c += (uint64_t)a[i] + b[i];
        t[i] = (uint32_t)c;
        c >>= 32;
    }
    zc_reduce_once(r, t, p);
}

ZC_HD void zc_sub(uint32_t r[8], const uint32_t a[8], const uint32_t b[8], const uint32_t p[8]) {
    uint32_t t[8];
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t x = (uint64_t)a[i] - b[i] - borrow;
        t[i] = (uint32_t)x;
        borrow = (x >> 32) & 1;
    }
    uint32_t mask = 0u - (uint32_t)borrow; /* a < b: add p back */
    uint64_t c = 0;
    for (int i = 0; i < 8; i++) {
        c += (uint64_t)t[i] + (p[i] & mask);
        r[i] = (uint32_t)c;
        c >>= 32;
    }
}

ZC_HD void zc_neg(uint32_t r[8], const uint32_t a[8], const uint32_t p[8]) {
    uint32_t nz = 0;
    for (int i = 0; i < 8; i++) nz |= a[i];
    uint32_t mask = 0u - (uint32_t)(nz != 0); /* p - 0 would be p, not the reduced 0 */
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t x = (uint64_t)p[i] - a[i] - borrow;
        r[i] = (uint32_t)x & mask;
        borrow = (x >> 32) & 1;
    }
}

/* Montgomery product a·b·2^-256 mod p, CIOS over 32-bit words. Both BN254 moduli have a top word
 * below 2^31 - 1, so the running value fits in eight words between rounds (no ninth-word carry)
 * and stays below 2p. Every product is one 32×32→64 multiply-add, which nvcc maps to IMAD.WIDE. */
ZC_HD void zc_mont_mul(uint32_t r[8], const uint32_t a[8], const uint32_t b[8], const uint32_t p[8],
                       uint32_t pinv) {
    uint32_t t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 8; i++) {
        uint64_t x = (uint64_t)a[0] * b[i] + t[0];
        uint32_t A = (uint32_t)(x >> 32);
        t[0] = (uint32_t)x;
        uint32_t m = t[0] * pinv;
        x = (uint64_t)m * p[0] + t[0];
        uint32_t C = (uint32_t)(x >> 32);
        for (int j = 1; j < 8; j++) {
            x = (uint64_t)a[j] * b[i] + t[j] + A;
            A = (uint32_t)(x >> 32);
            t[j] = (uint32_t)x;
            x = (uint64_t)m * p[j] + t[j] + C;
            C = (uint32_t)(x >> 32);
            t[j - 1] = (uint32_t)x;
        }
        t[7] = C + A;
    }
    zc_reduce_once(r, t, p);
}

ZC_HD int zc_is_zero8(const uint32_t a[8]) {
    uint32_t x = 0;
    for (int i = 0; i < 8; i++) x |= a[i];
    return x == 0;
}

ZC_HD int zc_equal8(const uint32_t a[8], const uint32_t b[8]) {
    uint32_t x = 0;
    for (int i = 0; i < 8; i++) x |= a[i] ^ b[i];
    return x == 0;
}

/* ---- the typed fields ---------------------------------------------------------------------------
 * Each wrapper declares its modulus as a local constant array: once inlined and unrolled, nvcc
 * folds the words into immediates instead of loading them from memory. */
#define ZC_FIELD_OPS(T, pre, PINIT, PINV, ONEINIT)                                                 \
    ZC_HD void pre##_add(T *r, const T *a, const T *b) {                                           \
        const uint32_t p[8] = PINIT;                                                               \
        zc_add(r->l, a->l, b->l, p);                                                               \
    }                                                                                              \
    ZC_HD void pre##_sub(T *r, const T *a, const T *b) {                                           \
        const uint32_t p[8] = PINIT;                                                               \
        zc_sub(r->l, a->l, b->l, p);                                                               \
    }                                                                                              \
    ZC_HD void pre##_dbl(T *r, const T *a) {                                                       \
        const uint32_t p[8] = PINIT;                                                               \
        zc_add(r->l, a->l, a->l, p);                                                               \
    }                                                                                              \
    ZC_HD void pre##_neg(T *r, const T *a) {                                                       \
        const uint32_t p[8] = PINIT;                                                               \
        zc_neg(r->l, a->l, p);                                                                     \
    }                                                                                              \
    ZC_HD void pre##_mul(T *r, const T *a, const T *b) {                                           \
        const uint32_t p[8] = PINIT;                                                               \
        zc_mont_mul(r->l, a->l, b->l, p, PINV);                                                    \
    }                                                                                              \
    ZC_HD void pre##_sqr(T *r, const T *a) {                                                       \
        const uint32_t p[8] = PINIT;                                                               \
        zc_mont_mul(r->l, a->l, a->l, p, PINV);                                                    \
    }                                                                                              \
    ZC_HD int pre##_is_zero(const T *a) { return zc_is_zero8(a->l); }                              \
    ZC_HD int pre##_equal(const T *a, const T *b) { return zc_equal8(a->l, b->l); }                \
    ZC_HD void pre##_set_one(T *r) {                                                               \
        const uint32_t one[8] = ONEINIT;                                                           \
        for (int i = 0; i < 8; i++) r->l[i] = one[i];                                              \
    }                                                                                              \
    ZC_HD void pre##_set_zero(T *r) {                                                              \
        for (int i = 0; i < 8; i++) r->l[i] = 0;                                                   \
    }                                                                                              \
    /* a^e for a canonical exponent of 8 words, square and multiply from the top: constant time */ \
    ZC_HD void pre##_pow(T *r, const T *a, const uint32_t e[8]) {                                  \
        T acc, t;                                                                                  \
        pre##_set_one(&acc);                                                                       \
        for (int i = 255; i >= 0; i--) {                                                           \
            pre##_sqr(&acc, &acc);                                                                 \
            pre##_mul(&t, &acc, a);                                                                \
            uint32_t m = 0u - ((e[i >> 5] >> (i & 31)) & 1u);                                      \
            for (int k = 0; k < 8; k++) acc.l[k] = (t.l[k] & m) | (acc.l[k] & ~m);                 \
        }                                                                                          \
        *r = acc;                                                                                  \
    }                                                                                              \
    /* Fermat: a^(p-2); inv(0) = 0, as field/'s */                                                 \
    ZC_HD void pre##_inv(T *r, const T *a) {                                                       \
        uint32_t e[8] = PINIT;                                                                     \
        e[0] -= 2; /* the low word of either modulus is at least 2 */                              \
        pre##_pow(r, a, e);                                                                        \
    }                                                                                              \
    /* Montgomery -> canonical words: a product with the integer 1 */                              \
    ZC_HD void pre##_from_mont(uint32_t r[8], const T *a) {                                        \
        const uint32_t p[8] = PINIT;                                                               \
        const uint32_t one[8] = {1, 0, 0, 0, 0, 0, 0, 0};                                          \
        zc_mont_mul(r, a->l, one, p, PINV);                                                        \
    }

ZC_FIELD_OPS(zc_fq_t, zc_fq, ZC_FQ_P, ZC_FQ_PINV, ZC_FQ_ONE)
ZC_FIELD_OPS(zc_fr_t, zc_fr, ZC_FR_P, ZC_FR_PINV, ZC_FR_ONE)
#undef ZC_FIELD_OPS

/* canonical words (< r) -> Montgomery: a product with R^2 */
ZC_HD void zc_fr_to_mont(zc_fr_t *r, const uint32_t a[8]) {
    const uint32_t p[8] = ZC_FR_P, r2[8] = ZC_FR_R2;
    zc_mont_mul(r->l, a, r2, p, ZC_FR_PINV);
}

/* ---- Fq2 = Fq[u]/(u^2 + 1) ------------------------------------------------------------------------ */
ZC_HD void zc_fq2_add(zc_fq2_t *r, const zc_fq2_t *a, const zc_fq2_t *b) {
    zc_fq_add(&r->c0, &a->c0, &b->c0);
    zc_fq_add(&r->c1, &a->c1, &b->c1);
}
ZC_HD void zc_fq2_sub(zc_fq2_t *r, const zc_fq2_t *a, const zc_fq2_t *b) {
    zc_fq_sub(&r->c0, &a->c0, &b->c0);
    zc_fq_sub(&r->c1, &a->c1, &b->c1);
}
ZC_HD void zc_fq2_dbl(zc_fq2_t *r, const zc_fq2_t *a) {
    zc_fq_dbl(&r->c0, &a->c0);
    zc_fq_dbl(&r->c1, &a->c1);
}
ZC_HD void zc_fq2_neg(zc_fq2_t *r, const zc_fq2_t *a) {
    zc_fq_neg(&r->c0, &a->c0);
    zc_fq_neg(&r->c1, &a->c1);
}
/* Karatsuba: three Fq products */
ZC_HD void zc_fq2_mul(zc_fq2_t *r, const zc_fq2_t *a, const zc_fq2_t *b) {
    zc_fq_t t0, t1, sa, sb;
    zc_fq_mul(&t0, &a->c0, &b->c0);
    zc_fq_mul(&t1, &a->c1, &b->c1);
    zc_fq_add(&sa, &a->c0, &a->c1);
    zc_fq_add(&sb, &b->c0, &b->c1);
    zc_fq_mul(&sa, &sa, &sb);
    zc_fq_sub(&r->c0, &t0, &t1);
    zc_fq_sub(&sa, &sa, &t0);
    zc_fq_sub(&r->c1, &sa, &t1);
}
/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u: two products */
ZC_HD void zc_fq2_sqr(zc_fq2_t *r, const zc_fq2_t *a) {
    zc_fq_t s, d, m;
    zc_fq_add(&s, &a->c0, &a->c1);
    zc_fq_sub(&d, &a->c0, &a->c1);
    zc_fq_mul(&m, &a->c0, &a->c1);
    zc_fq_mul(&r->c0, &s, &d);
    zc_fq_dbl(&r->c1, &m);
}
ZC_HD int zc_fq2_is_zero(const zc_fq2_t *a) { return zc_fq_is_zero(&a->c0) & zc_fq_is_zero(&a->c1); }
ZC_HD int zc_fq2_equal(const zc_fq2_t *a, const zc_fq2_t *b) {
    return zc_fq_equal(&a->c0, &b->c0) & zc_fq_equal(&a->c1, &b->c1);
}
ZC_HD void zc_fq2_set_one(zc_fq2_t *r) {
    zc_fq_set_one(&r->c0);
    zc_fq_set_zero(&r->c1);
}
ZC_HD void zc_fq2_set_zero(zc_fq2_t *r) {
    zc_fq_set_zero(&r->c0);
    zc_fq_set_zero(&r->c1);
}

#endif
