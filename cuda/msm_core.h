/* msm_core.h: the per-thread pieces of the GPU MSM that do not depend on the GPU: window choice,
 * signed-digit recoding and the bucket keys. Host C and device code alike, so the host tests can
 * run the whole bucket method through them and compare with msm/. */
#ifndef ZBP_CUDA_MSM_CORE_H
#define ZBP_CUDA_MSM_CORE_H

#include "cuda/ec.h"

#define ZC_MSM_C_MIN 4
#define ZC_MSM_C_MAX 22

/* Windows of c bits with signed digits in [-2^(c-1), 2^(c-1)] for scalars below r < 2^254: the
 * top window must absorb the last carry, hence 254/c + 1 (one more than ceil(254/c) only when c
 * divides 254). */
ZC_HD unsigned zc_msm_windows(unsigned c) { return 254u / c + 1u; }

/* Work model in bucket additions: every window inserts each point once (a mixed addition) and
 * reduces its 2^(c-1) buckets with two full additions each (about 2.5 mixed additions' cost). */
ZC_HD double zc_msm_cost(double n, unsigned c) {
    return (double)zc_msm_windows(c) * (n + 2.5 * 2.0 * (double)(1u << (c - 1)));
}

ZC_HD unsigned zc_msm_pick_window(uint64_t n) {
    unsigned best = ZC_MSM_C_MIN;
    for (unsigned c = ZC_MSM_C_MIN + 1; c <= ZC_MSM_C_MAX; c++)
        if (zc_msm_cost((double)n, c) < zc_msm_cost((double)n, best)) best = c;
    return best;
}

/* The scalar reduced below r (a canonical input may be any value below 2^256: at most five
 * subtractions). Variable time, as the whole MSM is. */
ZC_HD void zc_scalar_reduce(uint64_t s[4]) {
    const uint64_t r[4] = {0x43e1f593f0000001ull, 0x2833e84879b97091ull, 0xb85045b68181585dull,
                           0x30644e72e131a029ull};
    for (;;) {
        int ge = 1;
        for (int i = 3; i >= 0; i--) {
            if (s[i] != r[i]) {
                ge = s[i] > r[i];
                break;
            }
        }
        if (!ge) return;
        uint64_t borrow = 0;
        for (int i = 0; i < 4; i++) {
            uint64_t d = s[i] - r[i] - borrow;
            borrow = (s[i] < r[i]) | ((s[i] == r[i]) & (borrow != 0));
            s[i] = d;
        }
    }
}

/* Bits [off, off + c) of a 256-bit scalar, c <= 31. */
ZC_HD uint32_t zc_scalar_bits(const uint64_t s[4], unsigned off, unsigned c) {
    unsigned w = off >> 6, b = off & 63;
    uint64_t v = w < 4 ? s[w] >> b : 0;
    if (b + c > 64 && w + 1 < 4) v |= s[w + 1] << (64 - b); /* b > 0 here */
    return (uint32_t)v & ((1u << c) - 1u);
}

/* Window `win`'s signed digit; windows must be taken in order 0, 1, ... with one carry word
 * (starting at 0). sum d_win 2^(c win) equals the scalar. */
ZC_HD int32_t zc_msm_digit(const uint64_t s[4], unsigned win, unsigned c, uint32_t *carry) {
    uint32_t v = zc_scalar_bits(s, win * c, c) + *carry;
    if (v > (1u << (c - 1))) {
        *carry = 1;
        return (int32_t)v - (int32_t)(1u << c);
    }
    *carry = 0;
    return (int32_t)v;
}

/* The sort key of a (window, digit) pair: window-major, then bucket |d| - 1, so one radix sort
 * groups every window's buckets; digit 0 gets the key past the last bucket, which the run-length
 * pass drops. The value stored beside it is the point index with the sign in the top bit. */
ZC_HD uint32_t zc_msm_key(unsigned win, int32_t d, unsigned c, unsigned nwin) {
    if (d == 0) return (uint32_t)nwin << (c - 1);
    uint32_t mag = (uint32_t)(d < 0 ? -d : d);
    return ((uint32_t)win << (c - 1)) | (mag - 1u);
}
#define ZC_MSM_NEG_BIT 0x80000000u

/* Bits a radix sort of these keys must look at. */
ZC_HD unsigned zc_msm_key_bits(unsigned c, unsigned nwin) {
    uint32_t top = (uint32_t)nwin << (c - 1);
    unsigned b = 0;
    while (b < 32 && (top >> b) != 0) b++;
    return b;
}

#endif
