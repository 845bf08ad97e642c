/* msm_common.c: the parts of the MSM that do not depend on the group: the cost model that picks
 * the window and the thread split, scalar classification, table bookkeeping. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <unistd.h>

#include "msm/msm_internal.h"

/* Costs in multiplications of the group's base field (Fq for G1, Fq2 for G2), from the formulas
 * and checked against `zbprover bench curve` / `bench msm` on the development machine:
 *  add   batch-affine addition: 5M + 1S, plus the subtractions, the gather copy and the
 *        prefix-product bookkeeping, which cost about one more multiplication;
 *  inv   a variable-time binary-Euclid inversion (~2.9 us = ~170 Fq multiplications; an Fq2
 *        inversion is one Fq inversion plus ~4 Fq products, ~55 Fq2 multiplications);
 *  red   one bucket of the running sum: a mixed XYZZ add (8M + 2S) and a general one (12M + 2S),
 *        plus their subtractions;
 *  scan  computing one item's digit and testing its range (a few integer operations; relatively
 *        cheaper on G2, whose field multiplication is 3x dearer);
 *  miss  an addition whose bucket is not in L2 (a memory round trip, partly overlapped). */
static const msm_costs_t COSTS_G1 = {7.0, 170.0, 28.0, 0.25, 4.0, 64.0};
static const msm_costs_t COSTS_G2 = {7.0, 55.0, 28.0, 0.08, 1.5, 128.0};

const msm_costs_t *msm_costs(int group) { return group == 2 ? &COSTS_G2 : &COSTS_G1; }

/* Bytes of buckets one thread may keep before they start to leave L2: half of the core's L2, the
 * other half being the stream of points, the batch and its scratch. */
static double l2_share(void) {
    static double share = 0;
    if (share == 0) {
        long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        share = l2 > 0 ? (double)l2 / 2 : 512.0 * 1024;
    }
    return share;
}

/* A batch as large as possible for the inversion's sake, yet small beside the bucket count so
 * that few points collide with a bucket already in the batch (each collision is deferred). */
size_t msm_batch_for(size_t seg_buckets) {
    size_t b = seg_buckets / 4;
    if (b > MSM_BATCH_MAX) b = MSM_BATCH_MAX;
    if (b < 4) b = seg_buckets < 4 ? seg_buckets : 4;
    return b ? b : 1;
}

unsigned msm_windows_for(unsigned bits, unsigned c) { return (bits + c) / c; } /* ceil((b+1)/c) */

size_t msm_window_buckets(unsigned bits, unsigned w, unsigned c) {
    size_t nb = (size_t)1 << (c - 1);
    if (bits <= w * c) return 1; /* only the carry out of the window below */
    unsigned top = bits - w * c;  /* the window's digits are at most 2^top */
    if (top >= c - 1 + 1) return nb;
    size_t used = (size_t)1 << top;
    return used < nb ? used : nb;
}

double msm_cost_estimate(size_t npoints, unsigned bits, unsigned c, int group) {
    const msm_costs_t *k = msm_costs(group);
    const double n = (double)npoints, share = l2_share();
    const unsigned W = msm_windows_for(bits, c);
    double total = 0;
    for (unsigned w = 0; w < W; w++) {
        /* The top window uses only the buckets its few bits reach: fewer reductions, but also
         * smaller batches (a larger share of an inversion per addition). */
        double nb = (double)msm_window_buckets(bits, w, c);
        /* The first point into an empty bucket is a copy, not an addition. */
        double filled = nb * -expm1(-n / nb), adds = n - filled;
        if (adds < 0) adds = 0;
        double bytes = nb * k->bucket_bytes;
        double miss = bytes > share ? k->miss * (1.0 - share / bytes) : 0.0;
        total += adds * (k->add + miss + k->inv / (double)msm_batch_for((size_t)nb)) + n * k->scan +
                 nb * k->red;
    }
    return total;
}

unsigned msm_window_for(size_t npoints, unsigned bits, int group) {
    unsigned best = MSM_WINDOW_MIN;
    double best_cost = INFINITY;
    for (unsigned c = MSM_WINDOW_MIN; c <= MSM_WINDOW_MAX; c++) {
        double cost = msm_cost_estimate(npoints, bits, c, group);
        if (cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

/* Each (window, bucket range) is one task; a range scans every item but adds only its own. More
 * ranges balance the threads better and cost more scanning: pick the count with the smallest
 * modelled makespan (rounds of equal tasks over the threads). */
unsigned msm_segments_for(size_t items, unsigned nwin, unsigned c, int group, int threads) {
    if (threads <= 1) return 1;
    const msm_costs_t *k = msm_costs(group);
    double n = (double)items;
    size_t nb = (size_t)1 << (c - 1);
    unsigned best = 1;
    double best_cost = INFINITY;
    for (unsigned s = 1; s <= 256 && s <= nb; s++) {
        double seg = (double)nb / s;
        double task = n * k->scan + n / s * (k->add + k->inv / (double)msm_batch_for((size_t)seg)) +
                      seg * k->red;
        double rounds = ceil((double)nwin * s / threads);
        double cost = rounds * task;
        if (cost < best_cost * 0.999) {
            best_cost = cost;
            best = s;
        }
    }
    return best;
}

int msm_threads(const msm_opts_t *opts) {
    int t = opts && opts->threads > 0 ? opts->threads : omp_get_max_threads();
    return t < 1 ? 1 : t;
}

int msm_classify(const uint64_t k_in[4], uint64_t *mag, uint8_t *neg) {
    uint64_t k[4] = {k_in[0], k_in[1], k_in[2], k_in[3]};
    /* k < 2^256 < 6r: at most five subtractions of r. */
    for (int round = 0; round < 5; round++) {
        uint64_t d[4];
        unsigned char b = 0;
        for (int i = 0; i < 4; i++) b = ZBP_SBB(b, k[i], FR_MODULUS[i], &d[i]);
        if (b) break;
        for (int i = 0; i < 4; i++) k[i] = d[i];
    }
    *neg = 0;
    if ((k[1] | k[2] | k[3]) == 0) {
        *mag = k[0];
        if (k[0] == 0) return MSM_ZERO;
        if (k[0] == 1) return MSM_ONE;
        if (k[0] >> MSM_SMALL_BITS == 0) return MSM_SMALL;
        return MSM_FULL;
    }
    uint64_t t[4];
    unsigned char b = 0;
    for (int i = 0; i < 4; i++) b = ZBP_SBB(b, FR_MODULUS[i], k[i], &t[i]);
    if ((t[1] | t[2] | t[3]) == 0 && t[0] >> MSM_SMALL_BITS == 0) {
        *mag = t[0];
        *neg = 1;
        return t[0] == 1 ? MSM_ONE : MSM_SMALL;
    }
    return MSM_FULL;
}

size_t msm_table_bytes(const msm_table_t *t) { return t ? t->bytes : 0; }
unsigned msm_table_levels(const msm_table_t *t) { return t ? t->levels : 0; }

void msm_table_free(msm_table_t *t) {
    if (!t) return;
    free(t->pts);
    free(t);
}

/* ---- the array kernels' shared inversion ------------------------------------------------------- */

/* out[k] = 1 / in[k] for k < m (every in[k] nonzero; in[] is padded in place with ones up to a
 * multiple of its chain count, so it needs room for m + 63 elements). `ch` interleaved chains:
 * step s multiplies chain j by in[s ch + j], one batch call per step; the ch chain ends are
 * inverted by the same routine (recursively, 64 -> 8), and only the last 8 by scalar products and
 * one inversion. `work` holds m + 63 + 4 ch elements per level (<= m + 512 in all). The values are
 * public MSM data, so the inversion is the variable-time one. */
void msm_fq_vec_inv(fq_t *out, fq_t *in, size_t m, fq_t *work) {
    if (m <= 8) {
        fq_t pre[8], acc = in[0];
        for (size_t k = 1; k < m; k++) {
            pre[k] = acc;
            fq_mul(&acc, &acc, &in[k]);
        }
        fq_inv_vartime(&acc, &acc);
        for (size_t k = m; k-- > 1;) {
            fq_mul(&out[k], &acc, &pre[k]);
            fq_mul(&acc, &acc, &in[k]);
        }
        out[0] = acc;
        return;
    }
    const size_t ch = m >= 512 ? 64 : m >= 128 ? 16 : 8, steps = (m + ch - 1) / ch;
    for (size_t k = m; k < steps * ch; k++) in[k] = FQ_ONE; /* padding: harmless factors */
    fq_t *pre = work, *chain = pre + steps * ch, *cinv = chain + ch, *next = cinv + ch;
    memcpy(chain, in, ch * sizeof(fq_t)); /* step 0: the chains start at their first factor */
    for (size_t s = 1; s < steps; s++) {
        memcpy(pre + s * ch, chain, ch * sizeof(fq_t));
        fq_mul_batch(chain, chain, in + s * ch, ch);
    }
    msm_fq_vec_inv(cinv, chain, ch, next);
    for (size_t s = steps; s-- > 1;) {
        fq_mul_batch(out + s * ch, cinv, pre + s * ch, ch < m - s * ch ? ch : m - s * ch);
        fq_mul_batch(cinv, cinv, in + s * ch, ch);
    }
    memcpy(out, cinv, (ch < m ? ch : m) * sizeof(fq_t));
}
