/* msm_common.c: the parts of the MSM that do not depend on the group: the cost model that picks
 * the window and the thread split, scalar classification, table bookkeeping. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <unistd.h>

#include "msm/msm_internal.h"

/* Costs in multiplications of the group's base field (Fq for G1, Fq2 for G2; scalar-multiplication
 * throughput, ~16.5 ns and ~72 ns here), fitted to `zbprover bench msm --window c` sweeps of G1 and
 * G2 at 2^16..2^22 on the development machine (bench/results/msm-*.md) before the fused IFMA
 * kernels (msm_avx512.c) roughly halved `add`; with GLV's measured half length (127 bits, no
 * ninth window) the model's choice, c = 16 from 2^16 to 2^22 on G1, is still the measured best
 * (bench/results/msm-2026-12-01.md), so the constants were left as fitted:
 *  add   one batch-affine addition, all in: the array kernel's products and subtractions, the
 *        gather and scatter, the bucket bookkeeping (~90 ns on G1, ~220 ns on G2 with IFMA);
 *  inv   a variable-time inversion (~2.9 us when fitted, binary Euclid; 1.5 us since the divsteps;
 *        an Fq2 one ~55 Fq2 products), shared by a batch;
 *  red   one bucket of the reduction: two batch-affine additions in msm_reduce_batched (~180 ns
 *        on G1 with their gathers; a small range falls back to two XYZZ additions);
 *  scan  one item's digit, its class and range tests, per task that scans it (~22 ns: a task
 *        scans every item, so splitting windows into bucket ranges multiplies it);
 *  miss  an addition whose bucket is outside L2 (mostly hidden: the batch gathers many at once);
 *  tlb   the same once the bucket array exceeds the TLB's reach (measured: G1 at 2^22 took
 *        3.9 s at c = 18, 7.4 s at c = 19, 10.6 s at c = 20). */
static const msm_costs_t COSTS_G1 = {5.5, 170.0, 11.0, 1.3, 0.5, 6.0, 64.0};
static const msm_costs_t COSTS_G2 = {3.0, 55.0, 7.0, 0.6, 0.3, 3.0, 128.0};

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

/* Extra cost per addition for a bucket array of `bytes`. */
static double msm_miss(const msm_costs_t *k, double bytes) {
    const double share = l2_share(), tlb_reach = 8.0 * 1024 * 1024;
    double m = bytes > share ? k->miss * (1.0 - share / bytes) : 0.0;
    if (bytes > tlb_reach) m += k->tlb * (1.0 - tlb_reach / bytes);
    return m;
}

/* One task: a window's bucket range of nb buckets receiving `adds` of the n items it scans. The
 * batch is the range's (windows that reach fewer buckets fill it with bucket copies). */
static double msm_task_cost(const msm_costs_t *k, double n, double adds, double nb) {
    return n * k->scan + adds * (k->add + msm_miss(k, nb * k->bucket_bytes) +
                                 k->inv / (double)msm_batch_for((size_t)nb)) +
           nb * k->red;
}

/* Additions into nb buckets from n items with uniform digits: the first into a bucket is a copy. */
static double msm_adds(double n, double nb) {
    double a = n - nb * -expm1(-n / nb);
    return a > 0 ? a : 0;
}

double msm_cost_estimate(size_t npoints, unsigned bits, unsigned c, int group) {
    const msm_costs_t *k = msm_costs(group);
    const double n = (double)npoints, nb = (double)((size_t)1 << (c - 1));
    const unsigned W = msm_windows_for(bits, c);
    double total = 0;
    for (unsigned w = 0; w < W; w++) {
        /* The top window reaches fewer buckets: fewer fills and reductions. */
        double reach = (double)msm_window_buckets(bits, w, c);
        total += msm_task_cost(k, n, msm_adds(n, reach), nb) - (nb - reach) * k->red;
    }
    return total;
}

unsigned msm_window_for(size_t npoints, unsigned bits, int group) {
    return msm_window_threads(npoints, bits, group, 1);
}

/* Each (window, bucket range) is one task; a range scans every item but adds only its own. The
 * makespan is that of the tasks as the scheduler hands them out (top window first, each to the
 * first free thread), each window costed by the buckets its digits really reach: GLV's 129 bits
 * at c = 16 leave a ninth window of one bit, nearly free, where counting it as a full window made
 * the model pick c = 17 (measured at 2^18: 172 ms at c = 16, 194 ms at c = 17). */
static double msm_makespan(size_t items, unsigned bits, unsigned nwin, unsigned c, int group,
                           int threads, unsigned s) {
    const msm_costs_t *k = msm_costs(group);
    const double n = (double)items, nb = (double)((size_t)1 << (c - 1)), seg = nb / s;
    const int exact = nwin == msm_windows_for(bits, c); /* else a table's virtual windows */
    double load[64] = {0};
    const int T = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    const double tail = msm_miss(k, seg * k->bucket_bytes) + k->inv / (double)msm_batch_for((size_t)seg);
    for (unsigned v = nwin; v-- > 0;) {
        double reach = exact ? (double)msm_window_buckets(bits, v, c) : nb;
        for (unsigned r = 0; r < s; r++) {
            double rr = reach - r * seg; /* the buckets of this range that digits reach */
            rr = rr < 0 ? 0 : rr > seg ? seg : rr;
            /* the items whose digit falls here: a window reaching few buckets also has many zero
             * digits (one reaching only the carry: about half) */
            double nr = n * (reach / (reach + 1)) * rr / reach;
            double task = n * k->scan + msm_adds(nr, rr > 1 ? rr : 1) * (k->add + tail) + rr * k->red;
            int t = 0;
            for (int i = 1; i < T; i++)
                if (load[i] < load[t]) t = i;
            load[t] += task;
        }
    }
    double m = 0;
    for (int i = 0; i < T; i++)
        if (load[i] > m) m = load[i];
    return m;
}

unsigned msm_segments_for(size_t items, unsigned bits, unsigned nwin, unsigned c, int group,
                          int threads) {
    if (threads <= 1) return 1;
    size_t nb = (size_t)1 << (c - 1);
    unsigned best = 1;
    double best_cost = INFINITY;
    /* Beyond 16 tasks a thread the balance cannot improve by much, and the model gets slow. */
    for (unsigned s = 1; s <= 256 && s <= nb && (s == 1 || (size_t)nwin * s <= 16u * (unsigned)threads);
         s++) {
        double cost = msm_makespan(items, bits, nwin, c, group, threads, s);
        if (cost < best_cost * 0.999) {
            best_cost = cost;
            best = s;
        }
    }
    return best;
}

unsigned msm_window_threads(size_t items, unsigned bits, int group, int threads) {
    unsigned best = MSM_WINDOW_MIN;
    double best_cost = INFINITY;
    for (unsigned c = MSM_WINDOW_MIN; c <= MSM_WINDOW_MAX; c++) {
        unsigned W = msm_windows_for(bits, c);
        double cost = threads <= 1
                          ? msm_cost_estimate(items, bits, c, group)
                          : msm_makespan(items, bits, W, c, group, threads,
                                         msm_segments_for(items, bits, W, c, group, threads));
        if (cost < best_cost) {
            best_cost = cost;
            best = c;
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
