/* msm.h: the face of the msm room. Multi-scalar multiplication sum k_i P_i on BN254's G1 and G2 on
 * the CPU: Pippenger with signed digits, batch-affine buckets, GLV on G1, OpenMP. */
#ifndef ZBP_MSM_H
#define ZBP_MSM_H

#include <stddef.h>
#include <stdint.h>

#include "curve/curve.h"
#include "field/field.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Window sizes the cost model may choose, and that opts->window may force. */
#define MSM_WINDOW_MIN 1
#define MSM_WINDOW_MAX 20

/* What one call did; filled when opts->stats is not NULL (counters are totals over all threads). */
typedef struct {
    uint64_t additions;      /* batch-affine point additions (the nontrivial ones: ~6M each) */
    uint64_t fills;          /* point copied into an empty bucket: no field work */
    uint64_t reduction_adds; /* XYZZ additions and doublings of the bucket reductions and combining */
    uint64_t inversions;     /* shared inversions (one per batch) */
    uint64_t collisions;     /* points deferred because their bucket was already in the batch */
    uint64_t spills;         /* points added through XYZZ after the deferral queue filled */
    /* the scalars' classes (see msm/README.md); a scalar whose point is the identity counts as zero */
    size_t n_zero, n_one, n_small, n_full;
    unsigned window;         /* c of the main pass (0 if it had no points) */
    unsigned windows;        /* its window count (virtual windows with a table) */
    unsigned segments;       /* bucket ranges per window (the thread split) */
    unsigned small_window;   /* c of the small-scalar pass (0 if none) */
    int glv;                 /* 1 when the main pass used the GLV split */
    int threads;             /* threads used */
} msm_stats_t;

/* Precomputed multiples of fixed bases (the zkey's points): level j holds 2^(j s) P_i for
 * j = 1 .. levels-1 (level 0 is the caller's array itself, never copied), so each scalar is cut
 * into `levels` chunks that share one set of buckets. Built once per circuit, used read-only by
 * any number of calls, also from several threads at once. */
typedef struct msm_table msm_table_t;

typedef struct {
    int threads;               /* 0: OpenMP's default (omp_get_max_threads) */
    unsigned window;           /* 0: the cost model; else c in [MSM_WINDOW_MIN, MSM_WINDOW_MAX]
                                  for every pass (tests); ignored when a table is given */
    int no_glv;                /* 1: G1 without the GLV split (tests, comparisons) */
    int no_fastpath;           /* 1: zero, one and small scalars go through the main pass too */
    const msm_table_t *table;  /* from msm_table_g1/g2_build on these very points, or NULL */
    msm_stats_t *stats;        /* filled when not NULL */
} msm_opts_t;

/* out = sum_i scalars[i] points[i].
 * points: affine, exactly as a .zkey stores them (little-endian Montgomery limbs, the identity as
 *   all zeros), read in place; any mix of identities, repeats and opposites is fine. G2 points
 *   must be in G2 (the zkey reader checks), G1 points on the curve.
 * scalars: 4 little-endian 64-bit limbs of a canonical (not Montgomery) integer, any value below
 *   2^256 (values >= r are taken mod r). A .wtns section's 32-byte little-endian values are this
 *   layout on a little-endian machine; pass them as (const uint64_t (*)[4]) from an 8-byte
 *   aligned buffer.
 * opts may be NULL (defaults). Returns ZBP_OK, ZBP_ERR_INPUT (bad window, n too large, a table
 *   built for other points) or ZBP_ERR_NOMEM. Variable time: bucket choice and the fast paths
 *   depend on the scalars (see the threat note in msm/README.md). */
int msm_g1(g1_jac_t *out, const g1_affine_t *points, const uint64_t (*scalars)[4], size_t n,
           const msm_opts_t *opts);
int msm_g2(g2_jac_t *out, const g2_affine_t *points, const uint64_t (*scalars)[4], size_t n,
           const msm_opts_t *opts);

/* Builds a table for `points` (kept by pointer: the array must outlive the table) using at most
 * mem_budget bytes for the extra levels. A budget below one extra level (64 n bytes for G1, 128 n
 * for G2) gives ZBP_ERR_RANGE. threads as in msm_opts_t. */
int msm_table_g1_build(msm_table_t **out, const g1_affine_t *points, size_t n, size_t mem_budget,
                       int threads);
int msm_table_g2_build(msm_table_t **out, const g2_affine_t *points, size_t n, size_t mem_budget,
                       int threads);
size_t msm_table_bytes(const msm_table_t *t); /* memory the table holds */
unsigned msm_table_levels(const msm_table_t *t);
void msm_table_free(msm_table_t *t);

/* The cost model (exposed for the benchmark and the tests): the window c it picks for `npoints`
 * bucket insertions per window of `bits`-bit scalars on G1 (group 1) or G2 (group 2), and its
 * estimate of the work in multiplications of that group's base field (Fq or Fq2). */
unsigned msm_window_for(size_t npoints, unsigned bits, int group);
double msm_cost_estimate(size_t npoints, unsigned bits, unsigned c, int group);

#ifdef __cplusplus
}
#endif

#endif
