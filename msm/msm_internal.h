/* msm_internal.h: inside the msm room. What msm_common.c shares with the G1/G2 engines
 * (msm_impl.h): signed-digit extraction, the pass and task description, the cost model's plan. */
#ifndef ZBP_MSM_INTERNAL_H
#define ZBP_MSM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "msm/msm.h"

#define MSM_MAX_LEVELS 64   /* table levels (chunks of a scalar sharing one set of buckets) */
#define MSM_BATCH_MAX 1024  /* additions per shared inversion, at most */
#define MSM_SMALL_BITS 32   /* |k| below 2^32 (k or r - k) is a "small" scalar */

/* Invariants of the scratch layout and the plan (workspace sizes against the passes, batch fill,
 * the kernel's scratch carving, the task order the combination assumes), checked in a build with
 * -DZBP_CHECK_INVARIANTS=ON (CMake option): a broken one aborts with its file and line. Compiled
 * out otherwise (the expression is not evaluated). */
#ifdef ZBP_CHECK_INVARIANTS
#include <stdio.h>
#include <stdlib.h>
#define MSM_CHECK(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: MSM invariant broken: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
#else
#define MSM_CHECK(cond) ((void)0)
#endif

/* One kind of input to a pass: entry e contributes digit(sc_e, woff + v) times base[idx[e]] to
 * virtual window v (negated when neg[e] is set, through phi when endo is set). */
typedef struct {
    const void *base;     /* affine points indexed by point index */
    const uint64_t *sc;   /* scalars, `limbs` limbs each */
    unsigned limbs;
    int sc_indexed;       /* 1: sc is indexed by point index (the caller's array), 0: by entry */
    const uint8_t *neg;   /* per entry, or NULL */
    unsigned woff;        /* window offset of this level's digits */
    int endo;             /* G1 only: use phi(P) = (beta x, y) */
    const void *ex;       /* with endo: beta x per entry, precomputed (the ADX path), or NULL */
} msm_level_t;

/* A Pippenger pass: entries (point indices) over levels, `nwin` virtual windows of c bits, each
 * window's 2^(c-1) buckets split into `segments` ranges. */
typedef struct {
    const uint32_t *idx;
    size_t count;
    unsigned nlevels;
    msm_level_t lv[MSM_MAX_LEVELS];
    unsigned c, nwin, segments;
    unsigned bits;        /* the scalars' bit length (per level: digits of windows woff + v) */
    size_t nbuckets, seg_buckets;
    size_t batch;         /* additions per shared inversion */
} msm_pass_t;

typedef struct {
    unsigned pass, v, seg;
} msm_task_t;

/* The table behind msm_table_t: levels-1 arrays of n points after `pts` (level j at j-1). */
struct msm_table {
    int group;            /* 1 or 2 */
    const void *points;   /* level 0: the caller's array */
    size_t n;
    unsigned c, wpc, levels; /* window, windows per level, levels */
    void *pts;
    size_t bytes;
};

/* Signed (Booth) digit of window w (bits [w c, w c + c)) of a limbs-limb integer:
 * bits[wc, wc+c) + bit(wc-1) - 2^c bit(wc+c-1), in [-2^(c-1), 2^(c-1)]. Each digit depends on
 * c + 1 bits only, so windows are independent (no carry chain) and any thread computes any
 * window's digits on the fly. The digits of windows 0 .. W-1 sum (times 2^(wc)) to k whenever
 * k < 2^(Wc-1). */
static inline int32_t msm_booth(const uint64_t *k, unsigned limbs, unsigned w, unsigned c) {
    unsigned s = w * c;
    uint64_t u;
    if (s == 0) {
        u = (k[0] << 1); /* bit -1 is 0 */
    } else {
        unsigned pos = s - 1, word = pos >> 6, off = pos & 63;
        u = word < limbs ? k[word] >> off : 0;
        if (off && off + c + 1 > 64 && word + 1 < limbs) u |= k[word + 1] << (64 - off);
    }
    u &= ((uint64_t)2 << c) - 1; /* c + 1 bits */
    return (int32_t)((u >> 1) + (u & 1)) - (int32_t)((u >> c) << c);
}

/* Bit length of a 4-limb integer. */
static inline unsigned msm_bitlen4(const uint64_t k[4]) {
    for (int i = 3; i >= 0; i--)
        if (k[i]) return (unsigned)(64 * i + 64 - __builtin_clzll(k[i]));
    return 0;
}

/* Per group constants of the cost model, in multiplications of the group's base field. */
typedef struct {
    double add;      /* batch-affine addition without its share of the inversion */
    double inv;      /* one inversion */
    double red;      /* one bucket of the running-sum reduction (mixed + general XYZZ add) */
    double scan;     /* reading one item's digit (per segment that scans it) */
    double miss;     /* extra per addition when the buckets overflow half of L2 (scaled by the excess) */
    double tlb;      /* extra per addition when they overflow the 4 KiB-page TLB's reach (8 MiB) */
    double bucket_bytes;
} msm_costs_t;

const msm_costs_t *msm_costs(int group);
size_t msm_batch_for(size_t seg_buckets);
unsigned msm_windows_for(unsigned bits, unsigned c);
/* Buckets that digits of window w of bits-bit scalars can reach (all 2^(c-1) but in the top window). */
size_t msm_window_buckets(unsigned bits, unsigned w, unsigned c);
/* The number of bucket ranges per window for nwin windows on `threads` threads (makespan model). */
unsigned msm_segments_for(size_t items, unsigned bits, unsigned nwin, unsigned c, int group,
                          int threads);
/* The window for `items` (scalar, point) pairs of `bits`-bit scalars on `threads` threads: the c
 * whose best bucket-range split has the smallest modelled makespan. */
unsigned msm_window_threads(size_t items, unsigned bits, int group, int threads);
int msm_threads(const msm_opts_t *opts);

/* Scalar classes. */
enum { MSM_ZERO = 0, MSM_ONE = 1, MSM_SMALL = 2, MSM_FULL = 3 };
/* Classifies k (< 2^256): zero, +-1, |k| < 2^MSM_SMALL_BITS as k or r - k (magnitude and sign
 * out), or full. Values >= r are reduced first for the test. */
int msm_classify(const uint64_t k[4], uint64_t *mag, uint8_t *neg);

/* out[k] = 1/in[k], k < m, for the array kernels (G1's and G2's, through Fq norms): Montgomery's
 * trick over interleaved chains with fq_mul_batch. Every in[k] nonzero; in[] is padded in place
 * and needs room for m + 63 elements; work: m + 512 elements. Variable time (public data). */
void msm_fq_vec_inv(fq_t *out, fq_t *in, size_t m, fq_t *work);

/* G1 batch-affine additions (x2, y2) += (x1, y1) as one fused IFMA kernel (msm_avx512.c; call
 * only when the IFMA batch path is on): m a multiple of 8, no pair with x1 = x2 or an identity,
 * canonical values; results in x2, y2. work: msm_g1_ifma_work_bytes(m) bytes, any alignment. */
void msm_g1_ifma_add(fq_t *x2, fq_t *y2, const fq_t *x1, const fq_t *y1, size_t m, void *work);
size_t msm_g1_ifma_work_bytes(size_t m);
/* The same on G2 over component arrays A[0..7] = x1.c0, x1.c1, y1.c0, y1.c1, x2.c0, x2.c1, y2.c0,
 * y2.c1 (m entries each, m a multiple of 8); results in A[4..7]. */
void msm_g2_ifma_add(fq_t *const *A, size_t m, void *work);
size_t msm_g2_ifma_work_bytes(size_t m);

#endif
