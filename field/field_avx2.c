/* field_avx2.c: the AVX2 batch backend for Fq and Fr (4 lanes, 29-bit digits, vpmuludq).
 *
 * Compiled with -mavx2 -mbmi2; the rest of the library calls into this file only after cpuid
 * reports AVX2 (with OS-enabled YMM state).
 *
 * Layout. Four elements (4 little-endian 64-bit limbs each) are loaded with four 256-bit loads
 * and transposed (4×4) into four limb vectors, lane e holding element e. For mul/sqr the 4×64-bit
 * limbs are re-cut into nine 29-bit digits (one per 64-bit lane), so that every digit product
 * (vpmuludq, 32×32 -> 64 bits) is below 2^58 and a whole column of them fits a 64-bit lane.
 *
 * Montgomery radix. Nine 29-bit digits make a Montgomery product divide by 2^261, while the
 * library's Montgomery form uses R = 2^256. Since a < p < 2^254:
 *   mul: the multiplicand is cut as 32·a (< 2^259, still nine digits), so
 *        MontMul29(32a, b) = 32ab·2^-261 = ab·2^-256 (mod p);
 *   sqr: the operand is cut as x = 4a (< 2^256) and the product taken is 2·x² = 32a², with the
 *        doubling folded into the digit multipliers (x·(4x) off the diagonal, x·(2x) on it).
 * The Montgomery output (X + m·p)/2^261 with X < 2^259·p and m < 2^261 is < p/4 + p < 2p, so one
 * conditional subtraction of p fully reduces.
 *
 * The product is scanned column by column (the "FIPS" order): column k collects all digit
 * products x_i·y_(k-i) and m_j·p_(k-j); for k < 9 it then picks m_k = -col·p^-1 mod 2^29 so that
 * the column becomes 0 mod 2^29; its high bits carry into column k+1. Columns 9..17 yield the
 * result digits directly, normalized. Column sums stay below 27·2^58 + 2^35 < 2^63.
 *
 * add/sub work on the 64-bit limb vectors with carries computed by unsigned comparisons (AVX2 has
 * only signed 64-bit compares: both operands are offset by 2^63). Tails (n not a multiple of 4)
 * go through a zero-padded stack block. Outputs may alias inputs element for element: every block
 * is loaded completely before it is stored. No branch or memory index depends on element values. */
#include <immintrin.h>
#include <string.h>

#include "field/field_batch.h"

#define ZBP_M29 ((1ull << 29) - 1)

/* Small fixed-count loops are fully unrolled so that the digit arrays can live in registers and
 * the shift counts become immediates. */
#define ZBP256_UNROLL _Pragma("GCC unroll 20")

/* ---- transposition ----------------------------------------------------------------------------- */

/* 4 AoS elements at x (16 qwords) -> v[j] = limb j of elements 0..3. Its own inverse. */
static inline void zbp256_transpose(__m256i v[4], const __m256i z[4]) {
    __m256i a = _mm256_unpacklo_epi64(z[0], z[1]); /* e0l0 e1l0 | e0l2 e1l2 */
    __m256i b = _mm256_unpackhi_epi64(z[0], z[1]); /* e0l1 e1l1 | e0l3 e1l3 */
    __m256i c = _mm256_unpacklo_epi64(z[2], z[3]); /* e2l0 e3l0 | e2l2 e3l2 */
    __m256i d = _mm256_unpackhi_epi64(z[2], z[3]);
    v[0] = _mm256_permute2x128_si256(a, c, 0x20);
    v[1] = _mm256_permute2x128_si256(b, d, 0x20);
    v[2] = _mm256_permute2x128_si256(a, c, 0x31);
    v[3] = _mm256_permute2x128_si256(b, d, 0x31);
}

static inline void zbp256_load4(__m256i v[4], const uint64_t *x) {
    __m256i z[4];
    ZBP256_UNROLL
    for (int j = 0; j < 4; j++) z[j] = _mm256_loadu_si256((const __m256i *)(x + 4 * j));
    zbp256_transpose(v, z);
}

static inline void zbp256_store4(uint64_t *x, const __m256i v[4]) {
    __m256i z[4];
    zbp256_transpose(z, v);
    ZBP256_UNROLL
    for (int j = 0; j < 4; j++) _mm256_storeu_si256((__m256i *)(x + 4 * j), z[j]);
}

/* ---- 64 <-> 29-bit digits ---------------------------------------------------------------------- */

/* o[i] = digit i of (v << K): bits [29i - K, 29i - K + 29) of v, masked. v < 2^254 and K <= 5, so
 * nine digits hold it. */
static inline __attribute__((always_inline)) void zbp256_to29(__m256i o[9], const __m256i v[4],
                                                               const int K) {
    const __m256i m29 = _mm256_set1_epi64x((long long)ZBP_M29);
    o[0] = _mm256_and_si256(_mm256_slli_epi64(v[0], K), m29);
    ZBP256_UNROLL
    for (int i = 1; i < 9; i++) {
        const int s = 29 * i - K, w = s / 64, off = s % 64;
        __m256i d = _mm256_srli_epi64(v[w], off);
        if (off > 35 && w < 3) d = _mm256_or_si256(d, _mm256_slli_epi64(v[w + 1], 64 - off));
        o[i] = i < 8 ? _mm256_and_si256(d, m29) : d; /* the top digit is < 2^27 */
    }
}

/* Normalized digits (each < 2^29, the top one exact) -> 64-bit limbs. */
static inline __attribute__((always_inline)) void zbp256_from29(__m256i v[4], const __m256i d[9]) {
    ZBP256_UNROLL
    for (int w = 0; w < 4; w++) v[w] = _mm256_setzero_si256();
    ZBP256_UNROLL
    for (int i = 0; i < 9; i++) {
        const int s = 29 * i, w = s / 64, off = s % 64;
        v[w] = _mm256_or_si256(v[w], _mm256_slli_epi64(d[i], off));
        if (off > 35 && w < 3) v[w + 1] = _mm256_or_si256(v[w + 1], _mm256_srli_epi64(d[i], 64 - off));
    }
}

/* ---- per-call constants ------------------------------------------------------------------------ */

typedef struct {
    __m256i p29[9];  /* the modulus in 29-bit digits */
    __m256i pinv29;  /* -p^-1 mod 2^29 */
    __m256i pc29[9]; /* 2^29 - p29[0], then 2^29 - 1 - p29[j]: the biased digits of -p */
    __m256i p64[4];  /* the modulus in 64-bit limbs (add/sub) */
} zbp256_consts_t;

/* Derived from f->p and f->pinv only: -p^-1 mod 2^29 = (-p^-1 mod 2^64) mod 2^29. */
static inline void zbp256_consts(zbp256_consts_t *c, const zbp_mont_t *f) {
    const uint64_t *p = f->p;
    for (int i = 0; i < 9; i++) {
        const int s = 29 * i, w = s / 64, off = s % 64;
        uint64_t d = p[w] >> off;
        if (off > 35 && w < 3) d |= p[w + 1] << (64 - off);
        d &= ZBP_M29;
        c->p29[i] = _mm256_set1_epi64x((long long)d);
        c->pc29[i] = _mm256_set1_epi64x((long long)((1ull << 29) - (i > 0) - d));
    }
    c->pinv29 = _mm256_set1_epi64x((long long)(f->pinv & ZBP_M29));
    for (int j = 0; j < 4; j++) c->p64[j] = _mm256_set1_epi64x((long long)p[j]);
}

/* ---- Montgomery product ------------------------------------------------------------------------- */

/* r = MontMul29 of the digit vectors, fully reduced, as 64-bit limbs. Plain product: column k
 * gets x_i·y_(k-i). Square (sqr != 0): y is ignored; x2 = 2x and x4 = 4x digits (< 2^31, still
 * valid vpmuludq inputs) give column k the terms x_i·x4_(k-i) for i < k-i and x_h·x2_h for
 * k = 2h, i.e. twice the column of x². */
static inline __attribute__((always_inline)) void zbp256_montmul(__m256i r[4], const __m256i x[9],
                                                                  const __m256i y[9], const int sqr,
                                                                  const zbp256_consts_t *c) {
    const __m256i m29 = _mm256_set1_epi64x((long long)ZBP_M29);
    __m256i x2[9], x4[9], m[9], z[9];
    if (sqr) {
        ZBP256_UNROLL
        for (int i = 0; i < 9; i++) {
            x2[i] = _mm256_add_epi64(x[i], x[i]);
            x4[i] = _mm256_slli_epi64(x[i], 2);
        }
    }
    __m256i carry = _mm256_setzero_si256();
    ZBP256_UNROLL
    for (int k = 0; k < 17; k++) {
        /* Two partial sums of the terms that do not depend on the previous column; the carry and
         * m_(k-1)·p_1 (which do) are added last, so that the critical path per column is only
         * m_(k-1) -> two adds -> m_k. */
        __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
        int n = 0;
        const int lo = k < 9 ? 0 : k - 8, hi = k < 9 ? k : 8;
        if (sqr) {
            ZBP256_UNROLL
            for (int i = lo; i < k - i; i++) {
                __m256i pr = _mm256_mul_epu32(x[i], x4[k - i]);
                if (n++ & 1) s1 = _mm256_add_epi64(s1, pr); else s0 = _mm256_add_epi64(s0, pr);
            }
            if ((k & 1) == 0) {
                __m256i pr = _mm256_mul_epu32(x[k / 2], x2[k / 2]);
                if (n++ & 1) s1 = _mm256_add_epi64(s1, pr); else s0 = _mm256_add_epi64(s0, pr);
            }
        } else {
            ZBP256_UNROLL
            for (int i = lo; i <= hi; i++) {
                __m256i pr = _mm256_mul_epu32(x[i], y[k - i]);
                if (n++ & 1) s1 = _mm256_add_epi64(s1, pr); else s0 = _mm256_add_epi64(s0, pr);
            }
        }
        /* m_j·p_(k-j) for the earlier rounds j < min(k, 9) with k - j <= 8; the last one, j = k-1,
         * separately. */
        const int jend = k < 10 ? k - 1 : 9;
        ZBP256_UNROLL
        for (int j = lo; j < jend; j++) {
            __m256i pr = _mm256_mul_epu32(m[j], c->p29[k - j]);
            if (n++ & 1) s1 = _mm256_add_epi64(s1, pr); else s0 = _mm256_add_epi64(s0, pr);
        }
        __m256i s = _mm256_add_epi64(s0, s1);
        if (k >= 1 && k < 10) s = _mm256_add_epi64(s, _mm256_mul_epu32(m[k - 1], c->p29[1]));
        s = _mm256_add_epi64(s, carry);
        if (k < 9) {
            m[k] = _mm256_and_si256(_mm256_mul_epu32(s, c->pinv29), m29);
            s = _mm256_add_epi64(s, _mm256_mul_epu32(m[k], c->p29[0])); /* now 0 mod 2^29 */
        } else {
            z[k - 9] = _mm256_and_si256(s, m29);
        }
        carry = _mm256_srli_epi64(s, 29);
    }
    z[8] = carry; /* the result is < 2p < 2^255: the top digit is exact and below 2^24 */
    /* e = z - p with biased digits: e_j = z_j + (2^29 - [j>0] - p_j) + nb, nb = e_(j-1) >> 29 being
     * "no borrow" out of digit j-1. nb out of the top digit is 1 exactly when z >= p. */
    __m256i e[9], nb = _mm256_setzero_si256();
    ZBP256_UNROLL
    for (int j = 0; j < 9; j++) {
        e[j] = _mm256_add_epi64(_mm256_add_epi64(z[j], c->pc29[j]), nb);
        nb = _mm256_srli_epi64(e[j], 29);
        e[j] = _mm256_and_si256(e[j], m29);
    }
    /* The top digit: e_8 = z_8 + 2^29 - 1 - p_8 + nb_7 is below 2^30, and bit 29 is nb_8. */
    const __m256i keep = _mm256_sub_epi64(nb, _mm256_set1_epi64x(1)); /* all ones when z < p */
    ZBP256_UNROLL
    for (int j = 0; j < 9; j++) z[j] = _mm256_blendv_epi8(e[j], z[j], keep);
    zbp256_from29(r, z);
}

/* ---- add / sub ----------------------------------------------------------------------------------- */

/* Unsigned a < b per 64-bit lane, as all-ones/zero. */
static inline __m256i zbp256_ltu(__m256i a, __m256i b) {
    const __m256i bias = _mm256_set1_epi64x((long long)0x8000000000000000ull);
    return _mm256_cmpgt_epi64(_mm256_xor_si256(b, bias), _mm256_xor_si256(a, bias));
}

/* s = a + b mod 2^256 limb-wise with carries (carries are all-ones masks, so "+ carry" is "- mask"). */
static inline void zbp256_add4(__m256i s[4], const __m256i a[4], const __m256i b[4]) {
    __m256i cy = _mm256_setzero_si256();
    ZBP256_UNROLL
    for (int j = 0; j < 4; j++) {
        __m256i t = _mm256_add_epi64(a[j], b[j]);
        __m256i c1 = zbp256_ltu(t, a[j]);
        __m256i u = _mm256_sub_epi64(t, cy);
        /* carry out: t wrapped, or t was all ones and the carry in made it wrap to zero */
        cy = _mm256_or_si256(c1, _mm256_and_si256(cy, _mm256_cmpeq_epi64(u, _mm256_setzero_si256())));
        s[j] = u;
    }
}

/* d = a - b mod 2^256; returns all-ones in lanes where a < b. */
static inline __m256i zbp256_sub4(__m256i d[4], const __m256i a[4], const __m256i b[4]) {
    __m256i bw = _mm256_setzero_si256();
    ZBP256_UNROLL
    for (int j = 0; j < 4; j++) {
        __m256i b1 = zbp256_ltu(a[j], b[j]);
        __m256i eq = _mm256_and_si256(bw, _mm256_cmpeq_epi64(a[j], b[j]));
        d[j] = _mm256_add_epi64(_mm256_sub_epi64(a[j], b[j]), bw); /* bw is 0 or -1 */
        bw = _mm256_or_si256(b1, eq);
    }
    return bw;
}

/* ---- blocks of 4 --------------------------------------------------------------------------------- */

static inline __attribute__((always_inline)) void zbp256_mul_block(uint64_t *r, const uint64_t *a,
                                                                    const uint64_t *b,
                                                                    const zbp256_consts_t *c) {
    __m256i va[4], vb[4], x[9], y[9];
    zbp256_load4(va, a);
    zbp256_load4(vb, b);
    zbp256_to29(x, va, 5); /* 32a */
    zbp256_to29(y, vb, 0);
    zbp256_montmul(va, x, y, 0, c);
    zbp256_store4(r, va);
}

static inline __attribute__((always_inline)) void zbp256_sqr_block(uint64_t *r, const uint64_t *a,
                                                                    const zbp256_consts_t *c) {
    __m256i va[4], x[9];
    zbp256_load4(va, a);
    zbp256_to29(x, va, 2); /* 4a; the product taken is 2·(4a)² = 32a² */
    zbp256_montmul(va, x, x, 1, c);
    zbp256_store4(r, va);
}

static inline void zbp256_add_block(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                    const zbp256_consts_t *c) {
    __m256i va[4], vb[4], s[4], d[4];
    zbp256_load4(va, a);
    zbp256_load4(vb, b);
    zbp256_add4(s, va, vb); /* < 2^255: no carry out */
    __m256i lt = zbp256_sub4(d, s, c->p64); /* s < p: keep s */
    ZBP256_UNROLL
    for (int j = 0; j < 4; j++) s[j] = _mm256_blendv_epi8(d[j], s[j], lt);
    zbp256_store4(r, s);
}

static inline void zbp256_sub_block(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                    const zbp256_consts_t *c) {
    __m256i va[4], vb[4], d[4], q[4];
    zbp256_load4(va, a);
    zbp256_load4(vb, b);
    __m256i bw = zbp256_sub4(d, va, vb); /* a < b: add p back (mod 2^256) */
    ZBP256_UNROLL
    for (int j = 0; j < 4; j++) q[j] = _mm256_and_si256(c->p64[j], bw);
    zbp256_add4(va, d, q);
    zbp256_store4(r, va);
}

/* ---- the table entries ----------------------------------------------------------------------------- */

/* Whole blocks of 4, then the tail through a zero-padded stack copy (zero is a valid element). */
#define ZBP256_BINARY(name, blk)                                                                    \
    static void name(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n,                  \
                     const zbp_mont_t *f) {                                                         \
        if (n == 0) return;                                                                         \
        zbp256_consts_t c;                                                                          \
        zbp256_consts(&c, f);                                                                       \
        size_t i = 0;                                                                               \
        for (; i + 4 <= n; i += 4) blk(r + 4 * i, a + 4 * i, b + 4 * i, &c);                        \
        if (i < n) {                                                                                \
            uint64_t ta[16] = {0}, tb[16] = {0}, tr[16];                                            \
            size_t k = n - i;                                                                       \
            memcpy(ta, a + 4 * i, k * 32);                                                          \
            memcpy(tb, b + 4 * i, k * 32);                                                          \
            blk(tr, ta, tb, &c);                                                                    \
            memcpy(r + 4 * i, tr, k * 32);                                                          \
        }                                                                                           \
    }

ZBP256_BINARY(zbp256_mul, zbp256_mul_block)
ZBP256_BINARY(zbp256_add, zbp256_add_block)
ZBP256_BINARY(zbp256_sub, zbp256_sub_block)

static void zbp256_sqr(uint64_t *r, const uint64_t *a, size_t n, const zbp_mont_t *f) {
    if (n == 0) return;
    zbp256_consts_t c;
    zbp256_consts(&c, f);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) zbp256_sqr_block(r + 4 * i, a + 4 * i, &c);
    if (i < n) {
        uint64_t ta[16] = {0}, tr[16];
        size_t k = n - i;
        memcpy(ta, a + 4 * i, k * 32);
        zbp256_sqr_block(tr, ta, &c);
        memcpy(r + 4 * i, tr, k * 32);
    }
}

const zbp_batch_ops_t zbp_batch_avx2 = {"avx2", zbp256_mul, zbp256_sqr, zbp256_add, zbp256_sub};
