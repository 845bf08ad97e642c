/* ntt_core.h: the radix-2 butterflies of the GPU NTT and their index arithmetic, host C and device
 * code alike, so the host tests run every stage through them and compare with ntt/. */
#ifndef ZBP_CUDA_NTT_CORE_H
#define ZBP_CUDA_NTT_CORE_H

#include "cuda/ff.h"

/* Coset powers g^j come from two small tables, lo[j mod 2^B] hi[j >> B], B = ZC_COSET_LO_BITS: one
 * product per element instead of a power, for any j below 2^28. */
#define ZC_COSET_LO_BITS 14

ZC_HD uint32_t zc_bitrev(uint32_t i, unsigned log_n) {
    if (log_n == 0) return 0;
#if defined(__CUDA_ARCH__)
    return __brev(i) >> (32 - log_n);
#else
    uint32_t r = 0;
    for (unsigned b = 0; b < log_n; b++) r |= ((i >> b) & 1u) << (log_n - 1 - b);
    return r;
#endif
}

/* The twiddle table holds tw[k] = w_N^k for k < N/2, N = 2^tw_log, w_N snarkjs's root; since
 * w_n = w_N^(N/n), one table serves every size up to N. A butterfly of stage s (half-span
 * m = 2^s) uses w_(2m)^k = tw[k << (tw_log - 1 - s)]; the inverse transform's w^-k is
 * -tw[N/2 - k'] for k' > 0 (w_N^(N/2) = -1), which the butterflies fold into their signs. */

/* Butterfly t (0 <= t < n/2) of decimation-in-frequency stage s: natural order in, and after
 * stages s = log_n - 1 .. 0, bit-reversed order out. d is the whole array (or a block's copy of
 * an aligned slice of 2^(s+1) or more elements: the index arithmetic only uses t's low bits). */
ZC_HD void zc_ntt_dif(zc_fr_t *d, const zc_fr_t *tw, unsigned tw_log, unsigned s, uint32_t t,
                      int inverse) {
    uint32_t m = 1u << s, k = t & (m - 1u);
    uint32_t i = ((t >> s) << (s + 1)) | k, j = i + m;
    uint32_t idx = k << (tw_log - 1 - s);
    zc_fr_t u = d[i], v = d[j], diff;
    zc_fr_add(&d[i], &u, &v);
    if (idx == 0) {
        zc_fr_sub(&d[j], &u, &v);
    } else if (inverse) {
        zc_fr_sub(&diff, &v, &u); /* (u - v) w^-k = (v - u) tw[N/2 - idx] */
        zc_fr_mul(&d[j], &diff, &tw[(1u << (tw_log - 1)) - idx]);
    } else {
        zc_fr_sub(&diff, &u, &v);
        zc_fr_mul(&d[j], &diff, &tw[idx]);
    }
}

/* Butterfly t of decimation-in-time stage s: bit-reversed order in, and after stages
 * s = 0 .. log_n - 1, natural order out. */
ZC_HD void zc_ntt_dit(zc_fr_t *d, const zc_fr_t *tw, unsigned tw_log, unsigned s, uint32_t t,
                      int inverse) {
    uint32_t m = 1u << s, k = t & (m - 1u);
    uint32_t i = ((t >> s) << (s + 1)) | k, j = i + m;
    uint32_t idx = k << (tw_log - 1 - s);
    zc_fr_t u = d[i], v = d[j], x;
    if (idx == 0) {
        zc_fr_add(&d[i], &u, &v);
        zc_fr_sub(&d[j], &u, &v);
    } else if (inverse) {
        zc_fr_mul(&x, &v, &tw[(1u << (tw_log - 1)) - idx]); /* v w^-k = -x */
        zc_fr_sub(&d[i], &u, &x);
        zc_fr_add(&d[j], &u, &x);
    } else {
        zc_fr_mul(&x, &v, &tw[idx]);
        zc_fr_add(&d[i], &u, &x);
        zc_fr_sub(&d[j], &u, &x);
    }
}

/* Entry j of a power table, f·base^j, by square and multiply over j's bits (at most 14 of each
 * for the tables below, whose entries are j < 2^B and j < 2^(28-B)): one thread per entry fills the
 * coset and twiddle tables on the device, so nothing is computed on the host or copied per
 * transform. Exact arithmetic: the same words as the host's running products f·base·base···. */
ZC_HD void zc_pow_entry(zc_fr_t *r, const zc_fr_t *base, const zc_fr_t *f, uint32_t j) {
    zc_fr_t acc = *f, b = *base;
    while (j) {
        if (j & 1u) zc_fr_mul(&acc, &acc, &b);
        j >>= 1;
        if (j) zc_fr_sqr(&b, &b);
    }
    *r = acc;
}

/* d[pos] *= lo[e mod 2^B] hi[e >> B] with e = pos, or bitrev(pos) when the data are in
 * bit-reversed order: the coset factors g^e (and n^-1, folded into hi by the caller). */
ZC_HD void zc_ntt_scale(zc_fr_t *d, uint32_t pos, unsigned log_n, int bitrev, const zc_fr_t *lo,
                        const zc_fr_t *hi) {
    uint32_t e = bitrev ? zc_bitrev(pos, log_n) : pos;
    zc_fr_t f;
    zc_fr_mul(&f, &lo[e & ((1u << ZC_COSET_LO_BITS) - 1u)], &hi[e >> ZC_COSET_LO_BITS]);
    zc_fr_mul(&d[pos], &d[pos], &f);
}

#endif
