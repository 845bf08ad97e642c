/* msm_core.h: the per-thread pieces of the GPU MSM that do not depend on the GPU: window choice,
 * signed-digit recoding and the bucket keys. Host C and device code alike, so the host tests can
 * run the whole bucket method through them and compare with msm/. */
#ifndef ZBP_CUDA_MSM_CORE_H
#define ZBP_CUDA_MSM_CORE_H

#include "cuda/ec.h"

#define ZC_MSM_C_MIN 4
/* Buckets per reduction thread (a power of two, at most a window's 2^(c-1) buckets). */
#define ZC_MSM_SEG_LOG 4
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

/* ---- the index pipeline after the sort: runs (one per bucket met), chunks, the chunk tree ----
 * The sorted (key, value) pairs form runs of equal keys: at most nwin 2^(c-1) buckets plus the
 * zero digits' run. A run's points are summed in chunks of at most ZC_MSM_CHUNK, one thread each;
 * then a run's chunk sums are added pairwise in rounds (stride 1, 2, 4, ...), so a bucket that
 * holds a quarter of all points (digit 1 of window 0, with real witnesses) costs log2(chunks)
 * rounds of parallel additions, not thousands of dependent ones in one thread. */
#define ZC_MSM_CHUNK 64u

/* chunks of a run of `count` pairs with sort key `key`; none for the zero digits' run (with real
 * witnesses, most digits of the upper windows are zero: summing them would be wasted work) */
ZC_HD uint32_t zc_msm_run_chunks(uint32_t count, uint32_t key, uint32_t sentinel) {
    return key >= sentinel ? 0u : (count + ZC_MSM_CHUNK - 1u) / ZC_MSM_CHUNK;
}

/* chunk j of a run starting at run_off with `count` pairs covers [*begin, *end) */
ZC_HD void zc_msm_chunk_range(uint32_t run_off, uint32_t count, uint32_t j, uint32_t *begin,
                              uint32_t *end) {
    *begin = run_off + j * ZC_MSM_CHUNK;
    uint32_t e = run_off + count;
    *end = e > *begin + ZC_MSM_CHUNK ? *begin + ZC_MSM_CHUNK : e;
}

/* The run that chunk c belongs to: the last r with chunk_off[r] <= c (chunk_off is the exclusive
 * scan of the runs' chunk counts, so runs without chunks share their successor's offset and are
 * never chosen). A binary search per chunk thread: no owner table, no serial fill. */
ZC_HD uint32_t zc_msm_chunk_owner(const uint32_t *chunk_off, uint32_t nruns, uint32_t c) {
    uint32_t lo = 0, hi = nruns; /* first index with chunk_off > c lies in [lo, hi] */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        if (chunk_off[mid] <= c) lo = mid + 1u;
        else hi = mid;
    }
    return lo - 1u;
}

/* In the round of stride s, chunk j of a run of `nchunks` (j = global index - the run's first)
 * adds chunk j + s into itself when j is a multiple of 2s and j + s exists: returns 1 then. After
 * the rounds s = 1, 2, 4, ... < nchunks, chunk 0 holds the run's sum. */
ZC_HD int zc_msm_tree_pair(uint32_t j, uint32_t nchunks, uint32_t s) {
    return (j & (2u * s - 1u)) == 0u && j + s < nchunks;
}

/* ---- device memory bounds -------------------------------------------------------------------- */

/* Runs after the sort: distinct keys, at most one per bucket plus the zero digits' run, and at
 * most one per pair. */
ZC_HD uint64_t zc_msm_runs_bound(uint64_t n, unsigned c) {
    uint64_t nwin = zc_msm_windows(c), pairs = n * nwin, runs = (nwin << (c - 1)) + 1u;
    return runs < pairs ? runs : pairs;
}

/* Chunks: ceil(count / CHUNK) per run <= pairs / CHUNK + runs. */
ZC_HD uint64_t zc_msm_chunks_bound(uint64_t n, unsigned c) {
    return n * zc_msm_windows(c) / ZC_MSM_CHUNK + zc_msm_runs_bound(n, c);
}

/* What msm.cu allows for CUB's temporary storage: its radix sorts run on double buffers (no copy
 * of the N pairs), so it needs tile counters and histograms, a few bytes per 100 pairs; the
 * run-length sort of at most `runs` counts is not double-buffered. An estimate: zbp_gpu_check
 * compares it with CUB's own figure on the device. */
ZC_HD uint64_t zc_msm_cub_allowance(uint64_t n, unsigned c) {
    return n * zc_msm_windows(c) / 16u + 16u * zc_msm_runs_bound(n, c) + ((uint64_t)32 << 20);
}

/* Device bytes of one MSM of n points with window c: with_inputs adds the uploaded points and
 * scalars (the host-array entry points), which a resident circuit already holds. xyzz_bytes is
 * sizeof of the bucket type (G1 128, G2 256), point_bytes of the affine point (G1 64, G2 128).
 * Scratch is sized by these bounds: the pairs (keys, values, their sorted double buffers) by n
 * windows; everything per run or per bucket by the runs' bound, not by the pairs. */
ZC_HD uint64_t zc_msm_scratch_bytes(uint64_t n, unsigned c, unsigned point_bytes,
                                    unsigned xyzz_bytes, int with_inputs) {
    uint64_t nwin = zc_msm_windows(c), pairs = n * nwin, runs = zc_msm_runs_bound(n, c);
    uint64_t chunks = zc_msm_chunks_bound(n, c), nb = (uint64_t)1 << (c - 1);
    uint64_t b = 4u * 4u * pairs;             /* keys, values and their sorted double buffers */
    b += 4u * (2u * runs + 3u * runs + 1u);  /* run keys, counts; offsets, chunk offsets, chunks */
    b += 4u * 2u;                             /* the run count and the largest chunk count */
    b += (uint64_t)xyzz_bytes * chunks;      /* chunk sums */
    b += xyzz_bytes * nwin * nb;              /* buckets */
    b += xyzz_bytes * nwin * (nb >> ZC_MSM_SEG_LOG); /* segment sums */
    b += zc_msm_cub_allowance(n, c);
    if (with_inputs) b += n * (uint64_t)(point_bytes + 32u);
    return b;
}

#endif
