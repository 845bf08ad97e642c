/* field_avx512.c: the AVX-512 IFMA batch backend for Fq and Fr (8 lanes, 52-bit limbs).
 *
 * Compiled with -mavx512f -mavx512ifma -mavx512vl -mavx512bw -mavx512dq -mbmi2 -madx; the rest of
 * the library calls into this file only after cpuid reports AVX512IFMA (with VL/BW/DQ).
 *
 * Layout. Eight elements (4 little-endian 64-bit limbs each, 32 qwords) are loaded with four
 * 512-bit loads and transposed into four "limb vectors" (lane k holds one limb of one element;
 * the lanes follow the element order 0,2,1,3,4,6,5,7, the same for every vector, and the store
 * transposes back). For mul/sqr the 4×64-bit limbs are re-cut into 5×52-bit limbs.
 *
 * Montgomery radix. A 5×52-bit Montgomery product divides by 2^260, but the library's Montgomery
 * form uses R = 2^256. Since a < p < 2^254:
 *   mul: the multiplicand is cut as 16·a (< 2^258, still five 52-bit limbs), so
 *        MontMul52(16a, b) = 16ab·2^-260 = ab·2^-256 (mod p);
 *   sqr: both operands are cut as 4·a (< 2^256), so MontMul52(4a, 4a) = a²·2^-256 (mod p).
 * Bound for the single final subtraction: the Montgomery output is (x·y + m·p)/2^260 with
 * m < 2^260, so it is < x·y/2^260 + p. For mul x·y < 2^258·p, for sqr x·y < 16p² < 2^258·p; in
 * both cases the output is < p/4 + p < 2p, and one conditional subtraction of p fully reduces.
 *
 * IFMA (vpmadd52luq/vpmadd52huq) reads only bits 0..51 of its multiplicands, so operand limbs
 * need no masking after the re-cut. Accumulators are plain 64-bit lanes: each column receives at
 * most 20 terms below 2^52 plus a carry, far below 2^64.
 *
 * The 64 <-> 52-bit re-cuts are shift/or sequences; where the CPU also has AVX512_VBMI2 (every
 * IFMA CPU except Cannon Lake) they use the double shifts vpshrdq/vpshldq instead, chosen at run
 * time by a cpuid check in this file and emitted with inline assembly, so the file needs no
 * -mavx512vbmi2 and the baseline path never executes them.
 *
 * add/sub work on the 64-bit limb vectors directly, with carries/borrows kept in k-masks.
 * Tails (n not a multiple of 8) go through a zero-padded stack block of eight elements. Outputs
 * may alias inputs element for element: every block is loaded completely before it is stored.
 * No branch or memory index depends on element values. */
#include <string.h>

#include "field/field_avx512_impl.h"

/* nb blocks of mul (b != NULL) or sqr (b == NULL; a constant at every call). The square takes
 * the off-diagonal products once, doubles them, then adds the diagonal; its round i runs after
 * diagonal i, when columns up to 2i+1 are final. */
static inline __attribute__((always_inline)) void zbp512_block(uint64_t *r, const uint64_t *a,
                                                                const uint64_t *b,
                                                                const zbp512_consts_t *c,
                                                                const int v2, const int nb) {
    __m512i va[ZBP512_NB][4], x[ZBP512_NB][5], y[ZBP512_NB][5], z[ZBP512_NB][5];
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        zbp512_load8(va[q], a + 32 * q);
        if (b) {
            ZBP512_TO52(x[q], va[q], 4, v2); /* 16a */
            zbp512_load8(va[q], b + 32 * q);
            ZBP512_TO52(y[q], va[q], 0, v2);
        } else {
            ZBP512_TO52(x[q], va[q], 2, v2); /* 4a */
        }
    }
    if (b) {
        zbp512_mm(z, x, y, c, nb);
    } else {
        __m512i t[ZBP512_NB][10];
        ZBP512_UNROLL
        for (int k = 0; k < 10; k++) {
            ZBP512_UNROLL
            for (int q = 0; q < nb; q++) t[q][k] = zbp512_zero();
        }
        ZBP512_UNROLL
        for (int i = 0; i < 5; i++) {
            ZBP512_UNROLL
            for (int j = i + 1; j < 5; j++) {
                ZBP512_UNROLL
                for (int q = 0; q < nb; q++) {
                    t[q][i + j] = _mm512_madd52lo_epu64(t[q][i + j], x[q][i], x[q][j]);
                    t[q][i + j + 1] = _mm512_madd52hi_epu64(t[q][i + j + 1], x[q][i], x[q][j]);
                }
            }
        }
        ZBP512_UNROLL
        for (int k = 1; k < 9; k++) {
            ZBP512_UNROLL
            for (int q = 0; q < nb; q++) t[q][k] = _mm512_add_epi64(t[q][k], t[q][k]);
        }
        ZBP512_UNROLL
        for (int i = 0; i < 5; i++) {
            ZBP512_UNROLL
            for (int q = 0; q < nb; q++) {
                t[q][2 * i] = _mm512_madd52lo_epu64(t[q][2 * i], x[q][i], x[q][i]);
                t[q][2 * i + 1] = _mm512_madd52hi_epu64(t[q][2 * i + 1], x[q][i], x[q][i]);
            }
            zbp512_round(t, i, c, nb, 0);
        }
        ZBP512_UNROLL
        for (int q = 0; q < nb; q++) zbp512_final(z[q], t[q], c);
    }
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        zbp512_from52(va[q], z[q], v2);
        zbp512_store8(r + 32 * q, va[q]);
    }
}

static inline void zbp512_add_block(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                    const zbp512_consts_t *c) {
    __m512i va[4], vb[4];
    zbp512_load8(va, a);
    zbp512_load8(vb, b);
    zbp512_addmod(va, va, vb, c);
    zbp512_store8(r, va);
}

static inline void zbp512_sub_block(uint64_t *r, const uint64_t *a, const uint64_t *b,
                                    const zbp512_consts_t *c) {
    __m512i va[4], vb[4];
    zbp512_load8(va, a);
    zbp512_load8(vb, b);
    zbp512_submod(va, va, vb, c);
    zbp512_store8(r, va);
}

/* ---- the table entries ----------------------------------------------------------------------------- */

/* Whole blocks of 8, then the tail through a zero-padded stack copy (zero is a valid element). */
static inline __attribute__((always_inline)) void zbp512_mul_loop(uint64_t *r, const uint64_t *a,
                                                                   const uint64_t *b, size_t n,
                                                                   const zbp512_consts_t *c,
                                                                   const int v2) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) zbp512_block(r + 4 * i, a + 4 * i, b + 4 * i, c, v2, 2);
    for (; i + 8 <= n; i += 8) zbp512_block(r + 4 * i, a + 4 * i, b + 4 * i, c, v2, 1);
    if (i < n) {
        uint64_t ta[32] = {0}, tb[32] = {0}, tr[32];
        size_t k = n - i;
        memcpy(ta, a + 4 * i, k * 32);
        memcpy(tb, b + 4 * i, k * 32);
        zbp512_block(tr, ta, tb, c, v2, 1);
        memcpy(r + 4 * i, tr, k * 32);
    }
}

static inline __attribute__((always_inline)) void zbp512_sqr_loop(uint64_t *r, const uint64_t *a,
                                                                   size_t n,
                                                                   const zbp512_consts_t *c,
                                                                   const int v2) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) zbp512_block(r + 4 * i, a + 4 * i, NULL, c, v2, 2);
    for (; i + 8 <= n; i += 8) zbp512_block(r + 4 * i, a + 4 * i, NULL, c, v2, 1);
    if (i < n) {
        uint64_t ta[32] = {0}, tr[32];
        size_t k = n - i;
        memcpy(ta, a + 4 * i, k * 32);
        zbp512_block(tr, ta, NULL, c, v2, 1);
        memcpy(r + 4 * i, tr, k * 32);
    }
}

static void zbp512_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n,
                       const zbp_mont_t *f) {
    if (n == 0) return;
    zbp512_consts_t c;
    zbp512_consts(&c, f);
    if (zbp512_have_vbmi2())
        zbp512_mul_loop(r, a, b, n, &c, 1);
    else
        zbp512_mul_loop(r, a, b, n, &c, 0);
}

static void zbp512_sqr(uint64_t *r, const uint64_t *a, size_t n, const zbp_mont_t *f) {
    if (n == 0) return;
    zbp512_consts_t c;
    zbp512_consts(&c, f);
    if (zbp512_have_vbmi2())
        zbp512_sqr_loop(r, a, n, &c, 1);
    else
        zbp512_sqr_loop(r, a, n, &c, 0);
}

#define ZBP512_BINARY(name, blk)                                                                    \
    static void name(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n,                  \
                     const zbp_mont_t *f) {                                                         \
        zbp512_consts_t c;                                                                          \
        zbp512_consts(&c, f);                                                                       \
        size_t i = 0;                                                                               \
        for (; i + 8 <= n; i += 8) blk(r + 4 * i, a + 4 * i, b + 4 * i, &c);                        \
        if (i < n) {                                                                                \
            uint64_t ta[32] = {0}, tb[32] = {0}, tr[32];                                            \
            size_t k = n - i;                                                                       \
            memcpy(ta, a + 4 * i, k * 32);                                                          \
            memcpy(tb, b + 4 * i, k * 32);                                                          \
            blk(tr, ta, tb, &c);                                                                    \
            memcpy(r + 4 * i, tr, k * 32);                                                          \
        }                                                                                           \
    }

ZBP512_BINARY(zbp512_add, zbp512_add_block)
ZBP512_BINARY(zbp512_sub, zbp512_sub_block)

const zbp_batch_ops_t zbp_batch_avx512 = {"avx512ifma", zbp512_mul, zbp512_sqr, zbp512_add,
                                          zbp512_sub};
