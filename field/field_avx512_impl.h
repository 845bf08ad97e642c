/* field_avx512_impl.h: inside the field room. The AVX-512 IFMA primitives on registers (transposition,
 * 64 <-> 52-bit limbs, the Montgomery reduction rounds, 64-bit limb add/sub with k-mask carries),
 * shared by the batch backend (field_avx512.c) and by kernels that keep their values in registers
 * across several operations (msm/msm_avx512.c). Include only from files compiled with the IFMA
 * flags (CMake gives them to every *_avx512.c). The layout and radix notes are in field_avx512.c. */
#ifndef ZBP_FIELD_AVX512_IMPL_H
#define ZBP_FIELD_AVX512_IMPL_H

#include <cpuid.h>
#include <immintrin.h>
#include <string.h>

#include "field/field_batch.h"

#define ZBP_M52 ((1ull << 52) - 1)

/* Every small fixed-count loop below is fully unrolled at any optimization level that unrolls at
 * all, so that the limb arrays live in registers (at -O2 GCC would otherwise keep them in memory). */
#define ZBP512_UNROLL _Pragma("GCC unroll 16")

/* ---- transposition ----------------------------------------------------------------------------- */

/* 8 AoS elements at x (32 qwords) -> v[j] = limb j of each element, lanes in order 0,2,1,3,4,6,5,7. */
static inline void zbp512_load8(__m512i v[4], const uint64_t *x) {
    __m512i z0 = _mm512_loadu_si512((const void *)(x + 0));  /* e0 e1 */
    __m512i z1 = _mm512_loadu_si512((const void *)(x + 8));  /* e2 e3 */
    __m512i z2 = _mm512_loadu_si512((const void *)(x + 16)); /* e4 e5 */
    __m512i z3 = _mm512_loadu_si512((const void *)(x + 24)); /* e6 e7 */
    __m512i u0 = _mm512_unpacklo_epi64(z0, z1); /* e0l0 e2l0 | e0l2 e2l2 | e1l0 e3l0 | e1l2 e3l2 */
    __m512i h0 = _mm512_unpackhi_epi64(z0, z1); /* the same with l1, l3 */
    __m512i u1 = _mm512_unpacklo_epi64(z2, z3);
    __m512i h1 = _mm512_unpackhi_epi64(z2, z3);
    v[0] = _mm512_shuffle_i64x2(u0, u1, _MM_SHUFFLE(2, 0, 2, 0));
    v[2] = _mm512_shuffle_i64x2(u0, u1, _MM_SHUFFLE(3, 1, 3, 1));
    v[1] = _mm512_shuffle_i64x2(h0, h1, _MM_SHUFFLE(2, 0, 2, 0));
    v[3] = _mm512_shuffle_i64x2(h0, h1, _MM_SHUFFLE(3, 1, 3, 1));
}

/* The inverse of zbp512_load8. */
static inline void zbp512_store8(uint64_t *x, const __m512i v[4]) {
    const __m512i lo_idx = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i hi_idx = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    __m512i a01 = _mm512_unpacklo_epi64(v[0], v[1]); /* e0 | e1 | e4 | e5 (limbs 0,1) */
    __m512i b01 = _mm512_unpackhi_epi64(v[0], v[1]); /* e2 | e3 | e6 | e7 (limbs 0,1) */
    __m512i a23 = _mm512_unpacklo_epi64(v[2], v[3]); /* e0 | e1 | e4 | e5 (limbs 2,3) */
    __m512i b23 = _mm512_unpackhi_epi64(v[2], v[3]); /* e2 | e3 | e6 | e7 (limbs 2,3) */
    _mm512_storeu_si512((void *)(x + 0), _mm512_permutex2var_epi64(a01, lo_idx, a23));
    _mm512_storeu_si512((void *)(x + 8), _mm512_permutex2var_epi64(b01, lo_idx, b23));
    _mm512_storeu_si512((void *)(x + 16), _mm512_permutex2var_epi64(a01, hi_idx, a23));
    _mm512_storeu_si512((void *)(x + 24), _mm512_permutex2var_epi64(b01, hi_idx, b23));
}

/* ---- 64 <-> 52-bit limbs ----------------------------------------------------------------------- */

/* AVX512_VBMI2 double shifts, as inline assembly (see the header):
 *   SHRD(lo, hi, n) = (lo >> n) | (hi << (64 - n));   SHLD(hi, lo, n) = (hi << n) | (lo >> (64 - n)). */
#define ZBP512_SHRD(lo, hi, n)                                                                      \
    __extension__({                                                                                 \
        __m512i r_;                                                                                 \
        __asm__("vpshrdq $" #n ", %2, %1, %0" : "=v"(r_) : "v"(lo), "v"(hi));                       \
        r_;                                                                                         \
    })
#define ZBP512_SHLD(hi, lo, n)                                                                      \
    __extension__({                                                                                 \
        __m512i r_;                                                                                 \
        __asm__("vpshldq $" #n ", %2, %1, %0" : "=v"(r_) : "v"(hi), "v"(lo));                       \
        r_;                                                                                         \
    })

/* o = limbs of (v << K) in radix 2^52, K in {0, 2, 4}: limb i is bits [52i - K, 52i - K + 52) of v.
 * Bits above 52 are left as garbage (IFMA ignores them). v < 2^254, so v << 4 < 2^258 and the
 * top limb needs no mask. `v2` (a constant at every call) selects the VBMI2 form. */
#define ZBP512_TO52(o, v, K, v2)                                                                    \
    do {                                                                                            \
        (o)[0] = (K) ? _mm512_slli_epi64((v)[0], (K)) : (v)[0];                                     \
        if (v2) {                                                                                   \
            (o)[1] = ZBP512_SHRD((v)[0], (v)[1], 52 - K);                                           \
            (o)[2] = ZBP512_SHRD((v)[1], (v)[2], 40 - K);                                           \
            (o)[3] = ZBP512_SHRD((v)[2], (v)[3], 28 - K);                                           \
        } else {                                                                                    \
            (o)[1] = _mm512_or_si512(_mm512_srli_epi64((v)[0], 52 - (K)),                           \
                                     _mm512_slli_epi64((v)[1], 12 + (K)));                          \
            (o)[2] = _mm512_or_si512(_mm512_srli_epi64((v)[1], 40 - (K)),                           \
                                     _mm512_slli_epi64((v)[2], 24 + (K)));                          \
            (o)[3] = _mm512_or_si512(_mm512_srli_epi64((v)[2], 28 - (K)),                           \
                                     _mm512_slli_epi64((v)[3], 36 + (K)));                          \
        }                                                                                           \
        (o)[4] = _mm512_srli_epi64((v)[3], 16 - (K));                                               \
    } while (0)

/* 52-bit limbs -> 64-bit limbs. Bits 0..51 of each limb are the value's digits; bits above 52
 * (carries already propagated to the next limb) are ignored. The top limb must be exact (< 2^48).
 * Baseline: vpternlogq 0xF8 computes A | (B & C), the mask dropping the garbage shifted down from
 * bit 52. VBMI2: limb j shifted left by 12 loses its garbage, then one double shift joins it to
 * limb j+1. */
static inline __attribute__((always_inline)) void zbp512_from52(__m512i v[4], const __m512i t[5],
                                                                 const int v2) {
    if (v2) {
        v[0] = ZBP512_SHLD(t[1], _mm512_slli_epi64(t[0], 12), 52);
        v[1] = ZBP512_SHLD(t[2], _mm512_slli_epi64(t[1], 12), 40);
        v[2] = ZBP512_SHLD(t[3], _mm512_slli_epi64(t[2], 12), 28);
        v[3] = ZBP512_SHLD(t[4], _mm512_slli_epi64(t[3], 12), 16);
    } else {
        const __m512i k52 = _mm512_set1_epi64((long long)((1ull << 52) - 1));
        const __m512i k40 = _mm512_set1_epi64((long long)((1ull << 40) - 1));
        const __m512i k28 = _mm512_set1_epi64((long long)((1ull << 28) - 1));
        const __m512i k16 = _mm512_set1_epi64((long long)((1ull << 16) - 1));
        v[0] = _mm512_ternarylogic_epi64(_mm512_slli_epi64(t[1], 52), t[0], k52, 0xF8);
        v[1] = _mm512_ternarylogic_epi64(_mm512_slli_epi64(t[2], 40), _mm512_srli_epi64(t[1], 12),
                                         k40, 0xF8);
        v[2] = _mm512_ternarylogic_epi64(_mm512_slli_epi64(t[3], 28), _mm512_srli_epi64(t[2], 24),
                                         k28, 0xF8);
        v[3] = _mm512_ternarylogic_epi64(_mm512_slli_epi64(t[4], 16), _mm512_srli_epi64(t[3], 36),
                                         k16, 0xF8);
    }
}

/* A fresh zero register for an IFMA accumulator: the xor idiom is resolved at register rename,
 * where the compiler would otherwise copy one shared zero register for every accumulator. */
static inline __m512i zbp512_zero(void) {
    __m512i z;
    __asm__ volatile("vpxord %0, %0, %0" : "=v"(z));
    return z;
}

/* ---- per-call constants ------------------------------------------------------------------------ */

typedef struct {
    __m512i p52[5]; /* the modulus in 52-bit limbs, broadcast */
    __m512i pinv52; /* -p^-1 mod 2^52 */
    __m512i p64[4]; /* the modulus in 64-bit limbs (add/sub) */
} zbp512_consts_t;

/* Derived from f->p and f->pinv (rather than f->p52/pinv52) so this file depends only on the
 * canonical modulus: p52 is the 52-bit cut of p, and -p^-1 mod 2^52 = (-p^-1 mod 2^64) mod 2^52. */
static inline void zbp512_consts(zbp512_consts_t *c, const zbp_mont_t *f) {
    const uint64_t *p = f->p;
    uint64_t q[5];
    q[0] = p[0] & ZBP_M52;
    q[1] = ((p[0] >> 52) | (p[1] << 12)) & ZBP_M52;
    q[2] = ((p[1] >> 40) | (p[2] << 24)) & ZBP_M52;
    q[3] = ((p[2] >> 28) | (p[3] << 36)) & ZBP_M52;
    q[4] = p[3] >> 16;
    ZBP512_UNROLL
    for (int j = 0; j < 5; j++) c->p52[j] = _mm512_set1_epi64((long long)q[j]);
    c->pinv52 = _mm512_set1_epi64((long long)(f->pinv & ZBP_M52));
    ZBP512_UNROLL
    for (int j = 0; j < 4; j++) c->p64[j] = _mm512_set1_epi64((long long)p[j]);
}

/* 1 when the CPU has AVX512_VBMI2 (CPUID.(EAX=7,ECX=0):ECX bit 6). Cached: cpuid is slow under
 * a hypervisor. ZBP512_NO_VBMI2 forces the baseline path (tests of that path). */
static inline int zbp512_have_vbmi2(void) {
#ifdef ZBP512_NO_VBMI2
    return 0;
#else
    static int cached = -1; /* -1 unknown; the value is idempotent, so relaxed atomics suffice */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        unsigned a, b, c, d;
        v = __get_cpuid_count(7, 0, &a, &b, &c, &d) ? (int)((c >> 6) & 1) : 0;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
#endif
}

/* ---- Montgomery product ------------------------------------------------------------------------- */

/* After the five rounds, t[5..9] holds T = t·2^-260 (< 2p) unnormalized (the carry out of t[4]
 * is already in t[5]). Two carry chains: u = T with its limbs' carries passed up, and d = T - p
 * the same with signed (arithmetic) carries. Both keep the passed-up bits above bit 52 of each
 * limb as garbage, which zbp512_from52 ignores; their top limbs are exact, and d[4] < 0 exactly
 * when T < p: then r = u, else r = d. */
static inline __attribute__((always_inline)) void zbp512_final(__m512i r[5], const __m512i t[10],
                                                                const zbp512_consts_t *c) {
    __m512i u[5], d[5];
    u[0] = t[5];
    d[0] = _mm512_sub_epi64(t[5], c->p52[0]);
    ZBP512_UNROLL
    for (int j = 1; j < 5; j++) {
        u[j] = _mm512_add_epi64(t[5 + j], _mm512_srli_epi64(u[j - 1], 52));
        d[j] = _mm512_add_epi64(_mm512_sub_epi64(t[5 + j], c->p52[j]), _mm512_srai_epi64(d[j - 1], 52));
    }
    __mmask8 neg = _mm512_movepi64_mask(d[4]);
    ZBP512_UNROLL
    for (int j = 0; j < 5; j++) r[j] = _mm512_mask_blend_epi64(neg, d[j], u[j]);
}

/* ---- mul / sqr blocks ---------------------------------------------------------------------------- */

/* Up to ZBP512_NB independent blocks of 8 (nb, a constant at every call) go through each step
 * together, so that their dependency chains (IFMA latency 4, one accumulator chain per column,
 * the serial reduction factors) interleave in program order and each fills the other's stalls.
 * The reduction is folded into the product: round i runs as soon as column i is final. */
#define ZBP512_NB 2

/* One reduction round on the 10-column accumulator t: adds m·p·2^(52i) with m chosen so that
 * column i becomes 0 mod 2^52, and carries column i's high bits into column i+1.
 * Column i itself is never updated: writing it as H·2^52 + L (L < 2^52), adding lo(m·p0) =
 * (-L) mod 2^52 would leave exactly (H + [L != 0])·2^52, and that carry is (t_i + 2^52 - 1) >> 52,
 * computed from t_i alone, in parallel with m. The high half of m·p0 goes into the carry register,
 * so column i+1 waits on one IFMA after m rather than two.
 * `biased` (a constant at every call): column i already holds t_i + 2^52 - 1 (its accumulator
 * started there instead of at zero), which saves the addition: the carry is then t_i >> 52, and
 * since (t_i + 2^52 - 1)·pinv = t_i·pinv - pinv (mod 2^52), m = pinv + that product's low half,
 * one IFMA that accumulates into pinv instead of into zero. */
static inline __attribute__((always_inline)) void zbp512_round(__m512i t[ZBP512_NB][10], int i,
                                                                const zbp512_consts_t *c, int nb,
                                                                const int biased) {
    const __m512i k52 = _mm512_set1_epi64((long long)ZBP_M52);
    __m512i m[ZBP512_NB], cy[ZBP512_NB];
    ZBP512_UNROLL
    for (int b = 0; b < nb; b++)
        m[b] = _mm512_madd52lo_epu64(biased ? c->pinv52 : zbp512_zero(), t[b][i], c->pinv52);
    ZBP512_UNROLL
    for (int b = 0; b < nb; b++)
        cy[b] = _mm512_srli_epi64(biased ? t[b][i] : _mm512_add_epi64(t[b][i], k52), 52);
    ZBP512_UNROLL
    for (int b = 0; b < nb; b++) cy[b] = _mm512_madd52hi_epu64(cy[b], m[b], c->p52[0]);
    ZBP512_UNROLL
    for (int b = 0; b < nb; b++) t[b][i + 1] = _mm512_madd52lo_epu64(t[b][i + 1], m[b], c->p52[1]);
    ZBP512_UNROLL
    for (int b = 0; b < nb; b++) t[b][i + 1] = _mm512_add_epi64(t[b][i + 1], cy[b]);
    ZBP512_UNROLL
    for (int j = 2; j < 5; j++) {
        ZBP512_UNROLL
        for (int b = 0; b < nb; b++) {
            t[b][i + j] = _mm512_madd52lo_epu64(t[b][i + j], m[b], c->p52[j]);
            t[b][i + j] = _mm512_madd52hi_epu64(t[b][i + j], m[b], c->p52[j - 1]);
        }
    }
    ZBP512_UNROLL
    for (int b = 0; b < nb; b++) t[b][i + 5] = _mm512_madd52hi_epu64(t[b][i + 5], m[b], c->p52[4]);
}


/* ---- add / sub blocks (64-bit limbs, carries in k-masks) ------------------------------------------ */

/* s = a + b (< 2^255, no carry out of the top limb). */
static inline void zbp512_add4(__m512i s[4], const __m512i a[4], const __m512i b[4]) {
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i zero = _mm512_setzero_si512();
    __mmask8 cy;
    s[0] = _mm512_add_epi64(a[0], b[0]);
    cy = _mm512_cmplt_epu64_mask(s[0], a[0]);
    ZBP512_UNROLL
    for (int j = 1; j < 4; j++) {
        __m512i t = _mm512_add_epi64(a[j], b[j]);
        __mmask8 c1 = _mm512_cmplt_epu64_mask(t, a[j]);
        t = _mm512_mask_add_epi64(t, cy, t, one);
        /* t + 1 wrapped to 0: a carry out too (then c1 was 0). */
        if (j < 3) cy = c1 | _mm512_mask_cmpeq_epu64_mask(cy, t, zero);
        s[j] = t;
    }
}

/* d = a - b mod 2^256; returns the lanes that borrowed out of the top limb (a < b). */
static inline __mmask8 zbp512_sub4(__m512i d[4], const __m512i a[4], const __m512i b[4]) {
    const __m512i one = _mm512_set1_epi64(1);
    __mmask8 bw;
    d[0] = _mm512_sub_epi64(a[0], b[0]);
    bw = _mm512_cmplt_epu64_mask(a[0], b[0]);
    ZBP512_UNROLL
    for (int j = 1; j < 4; j++) {
        __mmask8 b1 = _mm512_cmplt_epu64_mask(a[j], b[j]);
        __mmask8 eq = _mm512_mask_cmpeq_epu64_mask(bw, a[j], b[j]); /* a_j == b_j and borrow in */
        __m512i t = _mm512_sub_epi64(a[j], b[j]);
        d[j] = _mm512_mask_sub_epi64(t, bw, t, one);
        bw = b1 | eq;
    }
    return bw;
}


/* ---- whole operations on registers ------------------------------------------------------------------ */

/* z[q] = x[q] y[q] 2^-260 mod p, canonical, for nb (1..ZBP512_NB, a constant) independent blocks
 * whose dependency chains interleave (one product alone is latency-bound: its five reduction
 * rounds are serial). Operand scanning with the reduction folded in: round i adds x y_i, then
 * m_i p. Needs x y < 2^260 p (one operand cut as 16a with a < 2p, the other below 2p). z may alias
 * x or y. */
static inline __attribute__((always_inline)) void zbp512_mm(__m512i (*z)[5], __m512i (*x)[5],
                                                            __m512i (*y)[5],
                                                            const zbp512_consts_t *c, const int nb) {
    const __m512i k52 = _mm512_set1_epi64((long long)ZBP_M52);
    __m512i t[ZBP512_NB][10];
    ZBP512_UNROLL
    for (int k = 0; k < 10; k++) {
        ZBP512_UNROLL
        for (int q = 0; q < nb; q++) t[q][k] = k < 5 ? k52 : zbp512_zero(); /* biased rounds */
    }
    ZBP512_UNROLL
    for (int i = 0; i < 5; i++) {
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) {
            ZBP512_UNROLL
            for (int q = 0; q < nb; q++) {
                t[q][i + j] = _mm512_madd52lo_epu64(t[q][i + j], x[q][j], y[q][i]);
                t[q][i + j + 1] = _mm512_madd52hi_epu64(t[q][i + j + 1], x[q][j], y[q][i]);
            }
        }
        zbp512_round(t, i, c, nb, 1);
    }
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) zbp512_final(z[q], t[q], c);
}

/* r = a + b mod p and r = a - b mod p on canonical 64-bit limb vectors; r may alias a or b. */
static inline __attribute__((always_inline)) void zbp512_addmod(__m512i r[4], const __m512i a[4],
                                                                const __m512i b[4],
                                                                const zbp512_consts_t *c) {
    __m512i s[4], d[4];
    zbp512_add4(s, a, b);
    __mmask8 lt = zbp512_sub4(d, s, c->p64); /* s < p: keep s */
    ZBP512_UNROLL
    for (int j = 0; j < 4; j++) r[j] = _mm512_mask_blend_epi64(lt, d[j], s[j]);
}

static inline __attribute__((always_inline)) void zbp512_submod(__m512i r[4], const __m512i a[4],
                                                                const __m512i b[4],
                                                                const zbp512_consts_t *c) {
    __m512i d[4], q[4];
    const __m512i zero = _mm512_setzero_si512();
    __mmask8 bw = zbp512_sub4(d, a, b); /* a < b: add p back */
    ZBP512_UNROLL
    for (int j = 0; j < 4; j++) q[j] = _mm512_mask_mov_epi64(zero, bw, c->p64[j]);
    zbp512_add4(r, d, q); /* d + p wraps mod 2^256 to the right value; carry out ignored */
}

#endif
