/* msm_impl.h: the Pippenger engine written once over a group, instantiated by msm_g1.c and
 * msm_g2.c. Before including it, define G (g1 or g2), F (its field type), F_ADD, F_SUB, F_DBL,
 * F_NEG, F_MUL, F_SQR, F_IS_ZERO, F_EQ, F_INV_VARTIME, F_ONE_V, MSM_GROUP (1 or 2), and for G1 the GLV
 * hooks MSM_GLV_SPLIT(mag1, neg1, mag2, neg2, k) and MSM_ENDO_X(r, x) (r = beta x). */
#ifndef G
#error "msm_impl.h needs G, F and the field operations defined"
#endif

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "msm/msm_internal.h"

#define MI_CAT2(a, b) a##_##b
#define MI_CAT(a, b) MI_CAT2(a, b)
#define FN(name) MI_CAT(G, name)
#define AFF FN(affine_t)
#define JAC FN(jac_t)
#define XYZZ FN(xyzz_t)

#ifdef MSM_ENDO_X
#define MSM_HAS_ENDO 1
#else
#define MSM_HAS_ENDO 0
#endif

static inline int FN(msm_aff_is_inf)(const AFF *a) { return F_IS_ZERO(&a->x) & F_IS_ZERO(&a->y); }

#define MSM_QCAP 2 /* queued points per bucket once the deferral queue holds a quarter batch */
#define MSM_PT_AHEAD 16 /* points prefetched this many entries ahead in the scan */
#define MSM_RED_K 512 /* chains of the batched bucket reduction (msm_reduce_batched) */

/* ---- the batch-affine kernel ----------------------------------------------------------------------
 * *acc[i] += add[i] for distinct accumulators (buckets), one shared inversion (Montgomery's trick).
 * Unlike curve/'s G_batch_add_affine_ptr_vartime it takes the addends contiguous (gathered, with
 * sign and endomorphism already applied, so both passes read them sequentially) and runs two
 * independent prefix-product chains (even and odd pairs), so that the out-of-order core overlaps
 * two multiplications where one chain would wait on each product's latency. Identities, P = Q and
 * P = -Q are handled. scratch: 2n F; kind: n bytes. Returns the nontrivial additions. */
enum { MK_GENERAL = 0, MK_DOUBLE = 1, MK_OPPOSITE = 2, MK_TRIVIAL = 3 };

/* Lazy reduction: the prefix chains, the inverse shares and the slope only feed products, so
 * they take F_MUL_LAZY (no final subtraction on the ADX path: values < 2p, see fq_mul_lazy); the
 * inversion's input, lambda^2 and y3 come from full products, so every stored coordinate is
 * canonical. A group without a lazy product uses its full one. */
#ifndef F_MUL_LAZY
#define F_MUL_LAZY F_MUL
#endif
/* Likewise the differences that only feed a product (x2 − x1, y2 − y1, x1 − x3) may stay open,
 * below 2p (field/field_open.h). */
#ifndef F_SUB_LAZY
#define F_SUB_LAZY F_SUB
#endif

/* The second pass for one pair: the slope from its share of the inverse, then the sum. */
static inline void FN(msm_ba_one)(AFF *a, const AFF *b, uint8_t kind, F *inv, const F *pre,
                                  const F *den) {
    if (kind == MK_TRIVIAL) {
        if (FN(msm_aff_is_inf)(a)) *a = *b;
        return;
    }
    if (kind == MK_OPPOSITE) {
        memset(a, 0, sizeof *a);
        return;
    }
    F dinv, lam, t, x3;
    F_MUL_LAZY(&dinv, inv, pre);
    F_MUL_LAZY(inv, inv, den);
    if (kind == MK_DOUBLE) {
        F_SQR(&t, &a->x);
        F_DBL(&lam, &t);
        F_ADD(&t, &lam, &t);
    } else {
        F_SUB_LAZY(&t, &b->y, &a->y);
    }
    F_MUL_LAZY(&lam, &t, &dinv);
    F_SQR(&t, &lam);
    F_SUB(&t, &t, &a->x);
    F_SUB(&x3, &t, &b->x);
    F_SUB_LAZY(&t, &a->x, &x3);
    F_MUL(&t, &lam, &t);
    F_SUB(&a->y, &t, &a->y);
    a->x = x3;
}

/* flatten: gcc otherwise keeps the field multiplication out of line here (a call and a branch on
 * the ISA flag per product, a third of the kernel's time); inlined, the products of neighbouring
 * pairs interleave. */
__attribute__((flatten)) static size_t FN(msm_batch_add)(AFF *const *acc, const AFF *add, size_t n, F *scratch,
                                uint8_t *kind) {
    F *pre = scratch, *den = scratch + n;
    F chain[2] = {F_ONE_V, F_ONE_V};
    size_t nontrivial = 0;
    for (size_t i = 0; i < n; i++) {
        const AFF *a = acc[i], *b = &add[i];
        uint8_t k;
        if (FN(msm_aff_is_inf)(a) || FN(msm_aff_is_inf)(b)) {
            k = MK_TRIVIAL;
        } else if (F_EQ(&a->x, &b->x)) {
            if (F_EQ(&a->y, &b->y) && !F_IS_ZERO(&a->y)) {
                k = MK_DOUBLE;
                F_DBL(&den[i], &a->y);
            } else {
                k = MK_OPPOSITE;
            }
        } else {
            k = MK_GENERAL;
            F_SUB_LAZY(&den[i], &b->x, &a->x);
        }
        kind[i] = k;
        if (k <= MK_DOUBLE) {
            pre[i] = chain[i & 1];
            F_MUL_LAZY(&chain[i & 1], &chain[i & 1], &den[i]);
            nontrivial++;
        }
    }
    F inv[2];
    if (nontrivial) {
        F t;
        F_MUL(&t, &chain[0], &chain[1]); /* canonical: the inversion's input */
        F_INV_VARTIME(&t, &t);
        F_MUL_LAZY(&inv[0], &t, &chain[1]);
        F_MUL_LAZY(&inv[1], &t, &chain[0]);
    }
    /* Walk back in pairs (i, i - 1): they sit on different chains, so the two slope chains
     * (dinv -> lambda -> lambda^2 -> y) are independent and written side by side for the core to
     * overlap; trivial pairs and a leftover element go one at a time. */
    size_t i = n;
    while (i > 0) {
        if (i < 2 || kind[i - 1] > MK_DOUBLE || kind[i - 2] > MK_DOUBLE) {
            i--;
            FN(msm_ba_one)(acc[i], &add[i], kind[i], &inv[i & 1], &pre[i], &den[i]);
            continue;
        }
        size_t i0 = i - 1, i1 = i - 2;
        AFF *a0 = acc[i0], *a1 = acc[i1];
        const AFF *b0 = &add[i0], *b1 = &add[i1];
        F d0, d1, l0, l1, t0, t1, x0, x1;
        F_MUL_LAZY(&d0, &inv[i0 & 1], &pre[i0]);
        F_MUL_LAZY(&d1, &inv[i1 & 1], &pre[i1]);
        F_MUL_LAZY(&inv[i0 & 1], &inv[i0 & 1], &den[i0]);
        F_MUL_LAZY(&inv[i1 & 1], &inv[i1 & 1], &den[i1]);
        if (kind[i0] == MK_DOUBLE) {
            F_SQR(&t0, &a0->x);
            F_DBL(&l0, &t0);
            F_ADD(&t0, &l0, &t0);
        } else {
            F_SUB_LAZY(&t0, &b0->y, &a0->y);
        }
        if (kind[i1] == MK_DOUBLE) {
            F_SQR(&t1, &a1->x);
            F_DBL(&l1, &t1);
            F_ADD(&t1, &l1, &t1);
        } else {
            F_SUB_LAZY(&t1, &b1->y, &a1->y);
        }
        F_MUL_LAZY(&l0, &t0, &d0);
        F_MUL_LAZY(&l1, &t1, &d1);
        F_SQR(&t0, &l0);
        F_SQR(&t1, &l1);
        F_SUB(&t0, &t0, &a0->x);
        F_SUB(&t1, &t1, &a1->x);
        F_SUB(&x0, &t0, &b0->x);
        F_SUB(&x1, &t1, &b1->x);
        F_SUB_LAZY(&t0, &a0->x, &x0);
        F_SUB_LAZY(&t1, &a1->x, &x1);
        F_MUL(&t0, &l0, &t0);
        F_MUL(&t1, &l1, &t1);
        F_SUB(&a0->y, &t0, &a0->y);
        F_SUB(&a1->y, &t1, &a1->y);
        a0->x = x0;
        a1->x = x1;
        i -= 2;
    }
    return nontrivial;
}

/* Scratch (F elements) a batch of n additions needs, and the kernel a group may replace: G1 on
 * the AVX-512 IFMA batch path uses an array kernel (msm_g1.c) built on fq_mul_batch. */
#ifdef MSM_VEC_ADD
#define MSM_SCRATCH(n) (MSM_VEC_SCRATCH(n))
#else
#define MSM_SCRATCH(n) (2 * (n))
#endif

/* vec: the caller's MSM_VEC_ON(), read once per task. On the array kernel `kind` carries, per
 * addend, whether its x still needs phi's factor (lazy endomorphism; NULL: none does); the addends
 * are then rewritten in place. */
static size_t FN(msm_add)(AFF *const *acc, AFF *add, size_t n, F *scratch, uint8_t *kind, int vec) {
#ifdef MSM_VEC_ADD
    if (vec) return MSM_VEC_ADD(acc, add, n, scratch, kind);
#else
    (void)vec;
#endif
    return FN(msm_batch_add)(acc, add, n, scratch, kind);
}

/* Whether this group's array kernel applies phi itself (see msm_add). */
#if defined(MSM_VEC_ADD) && MSM_HAS_ENDO
#define MSM_LAZY_ENDO 1
#else
#define MSM_LAZY_ENDO 0
#endif

/* ---- per-thread workspace and bucket accumulation ------------------------------------------------ */

typedef struct {
    const AFF *pt;
    const F *ex; /* phi's x, precomputed (msm_level_t.ex), or NULL */
    uint32_t b;
    uint8_t neg, endo;
} FN(msm_qitem_t);

typedef struct {
    AFF *buckets;          /* this task's bucket range; the identity is all zeros */
    uint64_t *inb;         /* bit b: bucket b has an addition in the open batch (cleared per
                              batch from accp; a bitmap stays in L1 where a stamp array did not) */
    uint64_t *live;        /* bit b: bucket b has been filled (it may have cancelled to the identity
                              since: the kernels handle that); 8 KiB for 2^16 buckets, so deciding
                              fill or add does not wait on the bucket's line, which is only
                              prefetched for the batch */
    XYZZ *spill;           /* overflow accumulators (allocated on first use, kept at infinity
                              between tasks: only the listed ones are ever touched) */
    uint32_t *spill_list;  /* the buckets with a live accumulator, nspill of them */
    uint8_t *spill_mark;   /* spill_mark[b]: b is on the list */
    XYZZ *spill_tmp;       /* batch_max accumulators being folded back into their buckets */
    size_t nspill;
    size_t seg_max, batch_max, batch;
    AFF **accp;
    AFF *addbuf;
    F *scratch;
    uint8_t *kind;
    size_t cnt;
    FN(msm_qitem_t) *queue;
    size_t qlen, qmax;
    uint16_t *qcnt;        /* qcnt[b]: points of bucket b waiting in the queue (<= qmax) */
    msm_stats_t st;
    int failed;
    int vec; /* the array kernel is on for this task (MSM_VEC_ON() read once) */
    AFF *red; /* 2 MSM_RED_K affine running sums for the batched reduction */
} FN(msm_ws_t);

static void FN(msm_ws_free)(FN(msm_ws_t) *w) {
    free(w->buckets);
    free(w->inb);
    free(w->live);
    free(w->spill);
    free(w->spill_list);
    free(w->spill_mark);
    free(w->spill_tmp);
    free(w->accp);
    free(w->addbuf);
    free(w->scratch);
    free(w->kind);
    free(w->queue);
    free(w->qcnt);
    free(w->red);
    memset(w, 0, sizeof *w);
}

/* Cache-line aligned: a bucket (G1: 64 bytes) then sits in one line, so the one prefetch the
 * scan issues for it covers both coordinates. malloc's large blocks start 16 bytes into a page,
 * so every G1 bucket straddled two lines and the kernel's first read of its y missed (perf: ~20%
 * of the ADX kernel's samples on that load). */
static void *FN(msm_alloc64)(size_t bytes) {
    return aligned_alloc(64, (bytes + 63) & ~(size_t)63);
}

static int FN(msm_ws_init)(FN(msm_ws_t) *w, size_t seg_max, size_t batch_max) {
    memset(w, 0, sizeof *w);
    w->seg_max = seg_max;
    w->batch_max = batch_max;
    w->qmax = 2 * batch_max + 16;
    w->buckets = FN(msm_alloc64)((seg_max ? seg_max : 1) * sizeof(AFF));
    w->inb = malloc((seg_max / 64 + 1) * sizeof(uint64_t));
    w->live = malloc((seg_max / 64 + 1) * sizeof(uint64_t));
    w->accp = malloc(batch_max * sizeof(AFF *));
    w->addbuf = FN(msm_alloc64)(batch_max * sizeof(AFF));
    w->scratch = malloc(MSM_SCRATCH(batch_max) * sizeof(F));
    w->kind = malloc(batch_max);
    w->queue = malloc(w->qmax * sizeof(FN(msm_qitem_t)));
    w->qcnt = malloc((seg_max ? seg_max : 1) * sizeof(uint16_t));
    w->red = FN(msm_alloc64)(2 * MSM_RED_K * sizeof(AFF));
    if (!w->buckets || !w->inb || !w->live || !w->accp || !w->addbuf || !w->scratch || !w->kind ||
        !w->queue || !w->qcnt || !w->red) {
        FN(msm_ws_free)(w);
        return ZBP_ERR_NOMEM;
    }
    return ZBP_OK;
}

/* r = +-p or +-phi(p); ex: phi's x already computed (then endo is 0), or NULL. */
static inline void FN(msm_load)(AFF *r, const AFF *p, int neg, int endo, const F *ex) {
#if MSM_HAS_ENDO
    if (ex)
        r->x = *ex;
    else if (endo)
        MSM_ENDO_X(&r->x, &p->x);
    else
        r->x = p->x;
#else
    (void)endo;
    (void)ex;
    r->x = p->x;
#endif
    if (neg)
        F_NEG(&r->y, &p->y);
    else
        r->y = p->y;
}

static void FN(msm_run_batch)(FN(msm_ws_t) *w) {
    MSM_CHECK(w->cnt <= w->batch && w->batch <= w->batch_max && w->qlen <= w->qmax);
    if (w->cnt) {
        w->st.additions += FN(msm_add)(w->accp, w->addbuf, w->cnt, w->scratch,
                                       !w->vec || MSM_LAZY_ENDO ? w->kind : NULL, w->vec);
        w->st.inversions++;
    }
    for (size_t k = 0; k < w->cnt; k++) { /* the batch's buckets are free again */
        size_t b = (size_t)(w->accp[k] - w->buckets);
        MSM_CHECK(b < w->seg_max && (w->inb[b >> 6] >> (b & 63) & 1));
        w->inb[b >> 6] &= ~((uint64_t)1 << (b & 63));
    }
    w->cnt = 0;
}

/* Puts a point whose bucket is not in the open batch: a copy into an empty bucket, or a slot. */
static inline void FN(msm_slot)(FN(msm_ws_t) *w, uint32_t b, const AFF *pt, int neg, int endo,
                                const F *ex) {
    AFF *bk = &w->buckets[b];
    uint64_t bit = (uint64_t)1 << (b & 63);
    if (!(w->live[b >> 6] & bit)) {
        w->live[b >> 6] |= bit;
        FN(msm_load)(bk, pt, neg, endo, ex);
        w->st.fills++;
        return;
    }
    __builtin_prefetch(bk, 1);
    if (sizeof(AFF) > 64) __builtin_prefetch((const char *)bk + 64, 1); /* G2: y's line */
    w->inb[b >> 6] |= bit;
    w->accp[w->cnt] = bk;
#if MSM_LAZY_ENDO
    if (w->vec) { /* the array kernel multiplies by beta, batched */
        FN(msm_load)(&w->addbuf[w->cnt], pt, neg, 0, ex);
        w->kind[w->cnt++] = (uint8_t)endo;
        return;
    }
#endif
    FN(msm_load)(&w->addbuf[w->cnt], pt, neg, endo, ex);
    w->cnt++;
}

/* Moves deferred points into the open batch while it has room and their buckets are free. */
static void FN(msm_drain)(FN(msm_ws_t) *w) {
    size_t keep = 0;
    for (size_t i = 0; i < w->qlen; i++) {
        FN(msm_qitem_t) it = w->queue[i];
        if (w->cnt < w->batch && !(w->inb[it.b >> 6] & ((uint64_t)1 << (it.b & 63)))) {
            w->qcnt[it.b]--;
            FN(msm_slot)(w, it.b, it.pt, it.neg, it.endo, it.ex);
        } else
            w->queue[keep++] = it;
    }
    w->qlen = keep;
}

static void FN(msm_flush)(FN(msm_ws_t) *w) {
    do {
        FN(msm_run_batch)(w);
        FN(msm_drain)(w);
    } while (w->cnt == w->batch);
}

static void FN(msm_spill)(FN(msm_ws_t) *w, uint32_t b, const AFF *pt, int neg, int endo,
                          const F *ex) {
    if (!w->spill) {
        w->spill = malloc(w->seg_max * sizeof(XYZZ));
        w->spill_list = malloc(w->seg_max * sizeof(uint32_t));
        w->spill_mark = calloc(w->seg_max, 1);
        w->spill_tmp = malloc(w->batch_max * sizeof(XYZZ));
        if (!w->spill || !w->spill_list || !w->spill_mark || !w->spill_tmp) {
            free(w->spill);
            free(w->spill_list);
            free(w->spill_mark);
            free(w->spill_tmp);
            w->spill = w->spill_tmp = NULL;
            w->spill_list = NULL;
            w->spill_mark = NULL;
            w->failed = 1;
            return;
        }
        for (size_t i = 0; i < w->seg_max; i++) FN(xyzz_set_infinity)(&w->spill[i]);
    }
    if (!w->spill_mark[b]) {
        w->spill_mark[b] = 1;
        w->spill_list[w->nspill++] = b;
    }
    AFF p;
    FN(msm_load)(&p, pt, neg, endo, ex);
    FN(xyzz_add_affine_vartime)(&w->spill[b], &w->spill[b], &p);
    w->st.spills++;
}

/* Folds the spilled accumulators back into their (affine) buckets, one shared inversion per
 * batch_max of them, and leaves them at infinity: the reduction then sees affine buckets only, so
 * the batched reduction applies whatever spilled (a few buckets of repeated witness values used
 * to send a whole window to the XYZZ running sum: ~400 ns per bucket instead of ~100). */
static void FN(msm_spill_fold)(FN(msm_ws_t) *w) {
    for (size_t a = 0; a < w->nspill; a += w->batch_max) {
        size_t m = w->nspill - a < w->batch_max ? w->nspill - a : w->batch_max;
        for (size_t j = 0; j < m; j++) {
            uint32_t b = w->spill_list[a + j];
            w->spill_tmp[j] = w->spill[b];
            if (!FN(msm_aff_is_inf)(&w->buckets[b])) {
                FN(xyzz_add_affine_vartime)(&w->spill_tmp[j], &w->spill_tmp[j], &w->buckets[b]);
                w->st.reduction_adds++;
            }
        }
        FN(xyzz_batch_to_affine_vartime)(w->addbuf, w->spill_tmp, m, w->scratch);
        w->st.inversions++;
        for (size_t j = 0; j < m; j++) {
            uint32_t b = w->spill_list[a + j];
            w->buckets[b] = w->addbuf[j];
            FN(xyzz_set_infinity)(&w->spill[b]);
            w->spill_mark[b] = 0;
        }
    }
    w->nspill = 0;
}

static inline void FN(msm_put)(FN(msm_ws_t) *w, uint32_t b, const AFF *pt, int neg, int endo,
                               const F *ex) {
    if (w->inb[b >> 6] & ((uint64_t)1 << (b & 63))) {
        /* Its bucket already has an addition in this batch: defer it to a later batch. When many
         * points pile onto few buckets (equal small scalars), the queue fills; the excess goes
         * through an XYZZ accumulator instead, so no pattern makes batches degenerate. */
        if (w->qlen < w->qmax && (w->qcnt[b] < MSM_QCAP || w->qlen < w->batch / 4)) {
            w->qcnt[b]++;
            w->queue[w->qlen++] = (FN(msm_qitem_t)){pt, ex, b, (uint8_t)neg, (uint8_t)endo};
            w->st.collisions++;
        } else {
            FN(msm_spill)(w, b, pt, neg, endo, ex);
        }
        return;
    }
    FN(msm_slot)(w, b, pt, neg, endo, ex);
    if (w->cnt == w->batch) FN(msm_flush)(w);
}

/* r = k p for a small public k (bucket-range offsets), double-and-add in XYZZ. */
static void FN(msm_xyzz_mul_small)(XYZZ *r, const XYZZ *p, uint64_t k, msm_stats_t *st) {
    XYZZ acc;
    FN(xyzz_set_infinity)(&acc);
    for (int i = 63; i >= 0; i--) {
        if (!FN(xyzz_is_infinity)(&acc)) {
            FN(xyzz_dbl_vartime)(&acc, &acc);
            st->reduction_adds++;
        }
        if ((k >> i) & 1) {
            FN(xyzz_add_vartime)(&acc, &acc, p);
            st->reduction_adds++;
        }
    }
    *r = acc;
}

/* ---- the bucket reduction, batched ------------------------------------------------------------------
 * sum = sum_b (b + 1) B_b and run = sum_b B_b over nb buckets. The running sum is a chain of
 * dependent additions; cut into K chunks of L buckets, the K chains advance in lockstep, so each
 * step is two batch-affine additions of K independent pairs (run_k += B_{kL+i}, then sum_k +=
 * run_k) sharing one inversion each, on the array kernel where there is one: ~2 x 50 ns per
 * bucket instead of two XYZZ additions (~400 ns). Then sum = sum_k sum_k + L sum_k k run_k, the
 * last by a short XYZZ running sum over the K chunk totals and a small multiple. Returns 0 (the
 * caller reduces in XYZZ) when the range is too small for chunks to pay. Spilled buckets have been
 * folded back into the affine ones before (msm_spill_fold). */
static int FN(msm_reduce_batched)(FN(msm_ws_t) *w, size_t nb, XYZZ *run_out, XYZZ *sum_out) {
    size_t K = MSM_RED_K;
    if (K > w->batch_max) K = w->batch_max;
    if (K > nb / 8) K = nb / 8;
    if (K < 16) return 0;
    const size_t L = (nb + K - 1) / K;
    MSM_CHECK(K <= MSM_RED_K && K <= w->batch_max && K * L >= nb);
    AFF *run = w->red, *sum = w->red + MSM_RED_K;
    uint8_t *kind = w->vec ? NULL : w->kind; /* no phi flags on the array kernel */
    memset(run, 0, K * sizeof(AFF));
    memset(sum, 0, K * sizeof(AFF));
    for (size_t i = L; i-- > 0;) {
        size_t m = 0;
        for (size_t k = 0; k < K; k++) {
            size_t b = k * L + i;
            if (b >= nb || FN(msm_aff_is_inf)(&w->buckets[b])) continue;
            w->accp[m] = &run[k];
            w->addbuf[m++] = w->buckets[b];
        }
        if (m) {
            w->st.reduction_adds += FN(msm_add)(w->accp, w->addbuf, m, w->scratch, kind, w->vec);
            w->st.inversions++;
        }
        m = 0;
        for (size_t k = 0; k < K; k++) {
            if (FN(msm_aff_is_inf)(&run[k])) continue;
            w->accp[m] = &sum[k];
            w->addbuf[m++] = run[k];
        }
        if (m) {
            w->st.reduction_adds += FN(msm_add)(w->accp, w->addbuf, m, w->scratch, kind, w->vec);
            w->st.inversions++;
        }
    }
    XYZZ R, T, S;
    FN(xyzz_set_infinity)(&R);
    FN(xyzz_set_infinity)(&T);
    FN(xyzz_set_infinity)(&S);
    for (size_t k = K; k-- > 0;) {
        if (!FN(msm_aff_is_inf)(&run[k])) {
            FN(xyzz_add_affine_vartime)(&R, &R, &run[k]);
            w->st.reduction_adds++;
        }
        if (k && !FN(xyzz_is_infinity)(&R)) { /* T = sum_{k >= 1} k run_k */
            FN(xyzz_add_vartime)(&T, &T, &R);
            w->st.reduction_adds++;
        }
        if (!FN(msm_aff_is_inf)(&sum[k])) {
            FN(xyzz_add_affine_vartime)(&S, &S, &sum[k]);
            w->st.reduction_adds++;
        }
    }
    if (!FN(xyzz_is_infinity)(&T)) {
        XYZZ t;
        FN(msm_xyzz_mul_small)(&t, &T, L, &w->st);
        FN(xyzz_add_vartime)(&S, &S, &t);
        w->st.reduction_adds++;
    }
    *run_out = R;
    *sum_out = S;
    return 1;
}

/* One task: window v, bucket range seg of pass p. Leaves sum over its buckets of (b + 1) B_b in res. */
static void FN(msm_task)(const msm_pass_t *p, unsigned v, unsigned seg, FN(msm_ws_t) *w, XYZZ *res) {
    size_t lo = (size_t)seg * p->seg_buckets;
    size_t nb = p->nbuckets - lo < p->seg_buckets ? p->nbuckets - lo : p->seg_buckets;
    memset(w->buckets, 0, nb * sizeof(AFF));
    memset(w->inb, 0, (nb / 64 + 1) * sizeof(uint64_t));
    memset(w->qcnt, 0, nb * sizeof(uint16_t));
    memset(w->live, 0, (nb / 64 + 1) * sizeof(uint64_t));
#ifdef MSM_VEC_ON
    w->vec = MSM_VEC_ON();
#else
    w->vec = 0;
#endif
    w->cnt = 0;
    w->qlen = 0;
    w->nspill = 0;
    const unsigned c = p->c;
    /* In the top window few buckets are reachable: size the batch by those, or nearly every
     * point would collide with one already in the batch. */
    size_t used = 1;
    for (unsigned j = 0; j < p->nlevels; j++) {
        size_t u = msm_window_buckets(p->bits, p->lv[j].woff + v, c);
        if (u > used) used = u;
    }
    used = used > lo ? used - lo : 1;
    const size_t reach = used < nb ? used : nb;
    /* Bucket replicas: a window that reaches few buckets (the top one: 2^8 of them for GLV's 129
     * bits at c = 15) would get batches of reach/4 additions, so one inversion per few dozen points.
     * Give each reachable bucket 2^rs copies, filled in turn, while the range's array has room and
     * the batch is below its maximum; the copies are summed in the reduction (reach 2^rs additions,
     * a few thousand, against the inversions saved). */
    unsigned rs = 0;
    while ((reach << (rs + 1)) <= nb && msm_batch_for(reach << rs) < MSM_BATCH_MAX) rs++;
    const size_t rmask = ((size_t)1 << rs) - 1;
    size_t rr = 0;
    w->batch = msm_batch_for(reach << rs);
    MSM_CHECK(nb <= w->seg_max && (reach << rs) <= nb && w->batch <= w->batch_max);
    for (unsigned j = 0; j < p->nlevels; j++) {
        const msm_level_t *L = &p->lv[j];
        const AFF *base = (const AFF *)L->base;
        const unsigned w_at = L->woff + v, limbs = L->limbs;
        const F *exs = (const F *)L->ex;
        const int endo = L->endo && !exs;
        for (size_t e = 0; e < p->count; e++) {
            uint32_t pi = p->idx[e];
            if (e + MSM_PT_AHEAD < p->count) __builtin_prefetch(&base[p->idx[e + MSM_PT_AHEAD]]);
            const uint64_t *sc = L->sc + (L->sc_indexed ? (size_t)pi : e) * limbs;
            int32_t d = msm_booth(sc, limbs, w_at, c);
            if (!d) continue;
            int neg = L->neg ? L->neg[e] : 0;
            if (d < 0) {
                d = -d;
                neg ^= 1;
            }
            size_t b = (size_t)d - 1 - lo;
            if (b >= nb) continue;
            const AFF *pt = &base[pi];
            if (FN(msm_aff_is_inf)(pt)) continue;
            if (rs) b = (b << rs) | (rr++ & rmask);
            FN(msm_put)(w, (uint32_t)b, pt, neg, endo, exs ? &exs[e] : NULL);
        }
    }
    FN(msm_drain)(w);
    while (w->cnt) FN(msm_flush)(w);
    if (w->nspill) FN(msm_spill_fold)(w);
    /* Running sum from the top bucket down: run = B_top + ... + B_b, sum += run. */
    XYZZ run, sum;
    FN(xyzz_set_infinity)(&run);
    FN(xyzz_set_infinity)(&sum);
    const int batched = !rs && FN(msm_reduce_batched)(w, nb, &run, &sum);
    for (size_t b = batched ? 0 : rs ? reach : nb; b-- > 0;) {
        for (size_t q = b << rs; q <= ((b << rs) | rmask); q++) { /* the bucket's copies */
            if (!FN(msm_aff_is_inf)(&w->buckets[q])) {
                FN(xyzz_add_affine_vartime)(&run, &run, &w->buckets[q]);
                w->st.reduction_adds++;
            }
        }
        if (!FN(xyzz_is_infinity)(&run)) {
            FN(xyzz_add_vartime)(&sum, &sum, &run);
            w->st.reduction_adds++;
        }
    }
    /* sum = sum (b - lo + 1) B_b; the range's weights start at lo + 1: add lo times the total. */
    if (lo && !FN(xyzz_is_infinity)(&run)) {
        XYZZ t;
        FN(msm_xyzz_mul_small)(&t, &run, lo, &w->st);
        FN(xyzz_add_vartime)(&sum, &sum, &t);
        w->st.reduction_adds++;
    }
    *res = sum;
}

/* ---- +-1 scalars: sum of (possibly negated) points, a batch-affine tree per block ----------------- */
#define MSM_ONES_BLOCK 4096

static void FN(msm_ones_task)(const AFF *points, const uint32_t *idx, const uint8_t *neg, size_t a,
                              size_t b, XYZZ *res, msm_stats_t *st, int *failed) {
    AFF *buf = malloc(MSM_ONES_BLOCK * sizeof(AFF));
    AFF **accp = malloc(MSM_ONES_BLOCK / 2 * sizeof(AFF *));
    F *scratch = malloc(MSM_SCRATCH(MSM_ONES_BLOCK / 2) * sizeof(F));
    uint8_t *kind = malloc(MSM_ONES_BLOCK / 2);
    FN(xyzz_set_infinity)(res);
#ifdef MSM_VEC_ON
    const int vec = MSM_VEC_ON();
#else
    const int vec = 0;
#endif
    if (!buf || !accp || !scratch || !kind) {
        *failed = 1;
    } else {
        size_t i = a;
        while (i < b) {
            size_t cnt = 0;
            for (; i < b && cnt < MSM_ONES_BLOCK; i++) {
                const AFF *pt = &points[idx[i]];
                if (FN(msm_aff_is_inf)(pt)) continue;
                FN(msm_load)(&buf[cnt++], pt, neg[i], 0, NULL);
            }
            /* Halve while the halves are worth an inversion; the last few go through XYZZ. */
            while (cnt >= 32) {
                size_t h = cnt / 2;
                for (size_t k = 0; k < h; k++) accp[k] = &buf[k];
                st->additions += FN(msm_add)(accp, buf + h, h, scratch, vec ? NULL : kind, vec);
                st->inversions++;
                if (cnt & 1) buf[h] = buf[cnt - 1];
                cnt = h + (cnt & 1);
            }
            for (size_t k = 0; k < cnt; k++) {
                if (FN(msm_aff_is_inf)(&buf[k])) continue;
                FN(xyzz_add_affine_vartime)(res, res, &buf[k]);
                st->reduction_adds++;
            }
        }
    }
    free(buf);
    free(accp);
    free(scratch);
    free(kind);
}

static void FN(msm_stats_add)(msm_stats_t *t, const msm_stats_t *s) {
    t->additions += s->additions;
    t->fills += s->fills;
    t->reduction_adds += s->reduction_adds;
    t->inversions += s->inversions;
    t->collisions += s->collisions;
    t->spills += s->spills;
}

/* ---- the whole MSM -------------------------------------------------------------------------------- */

enum { MSM_PASS_FULL = 0, MSM_PASS_SMALL = 1, MSM_PASS_ONES = 2 };

static void FN(msm_plan_pass)(msm_pass_t *p, unsigned bits, unsigned force_c, int threads) {
    size_t items = p->count * p->nlevels;
    p->bits = bits;
    if (!p->c) p->c = force_c ? force_c : msm_window_threads(items, bits, MSM_GROUP, threads);
    if (!p->nwin) p->nwin = msm_windows_for(bits, p->c);
    p->nbuckets = (size_t)1 << (p->c - 1);
    p->segments = msm_segments_for(items, bits, p->nwin, p->c, MSM_GROUP, threads);
    p->seg_buckets = (p->nbuckets + p->segments - 1) / p->segments;
    p->segments = (unsigned)((p->nbuckets + p->seg_buckets - 1) / p->seg_buckets);
    p->batch = msm_batch_for(p->seg_buckets);
}

/* The scalars sorted into classes (step 1 of the README's algorithm): one index array in point
 * order (ones, then small, then full), the signs and magnitudes of the ±1 and small scalars, the
 * GLV halves and signs of the full ones (2 limbs each: the first nfull halves, then the second). */
typedef struct {
    size_t cnt[4], off[4];
    unsigned small_bits, full_bits; /* the largest bit lengths: small magnitudes, full (or halves) */
    uint32_t *idx;
    uint8_t *ones_neg, *small_neg, *glv_neg;
    uint64_t *small_mag, *glv_sc;
    F *glv_x; /* beta x of each full entry's point (phi's x), or NULL: see msm_run */
} FN(msm_classes_t);

static void FN(msm_classes_free)(FN(msm_classes_t) *cl) {
    free(cl->idx);
    free(cl->ones_neg);
    free(cl->small_neg);
    free(cl->small_mag);
    free(cl->glv_sc);
    free(cl->glv_neg);
    free(cl->glv_x);
}

/* Classifies in parallel chunks, then compacts each class in the same chunks, in point order. */
static int FN(msm_classify_all)(FN(msm_classes_t) *cl, const AFF *points,
                                const uint64_t (*scalars)[4], size_t n, int threads, int fast,
                                int glv, int phi_x) {
    memset(cl, 0, sizeof *cl);
    const size_t nchunks = (size_t)threads * 4 < n ? (size_t)threads * 4 : n;
    size_t(*counts)[4] = calloc(nchunks, sizeof *counts);
    unsigned(*maxbits)[2] = calloc(nchunks, sizeof *maxbits); /* small, full bit lengths */
    uint8_t *cls = malloc(n);
    int rc = ZBP_OK;
    if (!counts || !maxbits || !cls) {
        rc = ZBP_ERR_NOMEM;
        goto done;
    }
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (size_t ch = 0; ch < nchunks; ch++) {
        size_t a = n * ch / nchunks, b = n * (ch + 1) / nchunks;
        for (size_t i = a; i < b; i++) {
            uint64_t mag;
            uint8_t ng;
            int k = fast ? msm_classify(scalars[i], &mag, &ng) : MSM_FULL;
            /* A point at infinity adds nothing whatever its scalar: counted as a zero, so that the
             * window is planned for the points that are really there (a .zkey's A and B sections
             * hold the identity for every wire its matrix does not use: half of them, in some
             * circuits). */
            if (k != MSM_ZERO && FN(msm_aff_is_inf)(&points[i])) k = MSM_ZERO;
            cls[i] = (uint8_t)k;
            counts[ch][k]++;
            if (k == MSM_SMALL) {
                unsigned bl = (unsigned)(64 - __builtin_clzll(mag));
                if (bl > maxbits[ch][0]) maxbits[ch][0] = bl;
            } else if (k == MSM_FULL && !glv) {
                unsigned bl = msm_bitlen4(scalars[i]);
                if (bl > maxbits[ch][1]) maxbits[ch][1] = bl;
            }
        }
    }
    size_t *cnt = cl->cnt, *off = cl->off;
    for (size_t ch = 0; ch < nchunks; ch++) {
        for (int k = 0; k < 4; k++) cnt[k] += counts[ch][k];
        if (maxbits[ch][0] > cl->small_bits) cl->small_bits = maxbits[ch][0];
    }
    off[MSM_SMALL] = cnt[MSM_ONE];
    off[MSM_FULL] = cnt[MSM_ONE] + cnt[MSM_SMALL];
    size_t nidx = off[MSM_FULL] + cnt[MSM_FULL];
    cl->idx = malloc((nidx ? nidx : 1) * sizeof *cl->idx);
    cl->ones_neg = malloc(cnt[MSM_ONE] + 1);
    cl->small_neg = malloc(cnt[MSM_SMALL] + 1);
    cl->small_mag = malloc((cnt[MSM_SMALL] + 1) * sizeof *cl->small_mag);
    if (glv) {
        cl->glv_sc = malloc((2 * cnt[MSM_FULL] + 1) * 2 * sizeof *cl->glv_sc);
        cl->glv_neg = malloc(2 * cnt[MSM_FULL] + 1);
        if (phi_x) cl->glv_x = malloc((cnt[MSM_FULL] + 1) * sizeof *cl->glv_x);
    }
    if (!cl->idx || !cl->ones_neg || !cl->small_neg || !cl->small_mag ||
        (glv && (!cl->glv_sc || !cl->glv_neg || (phi_x && !cl->glv_x)))) {
        rc = ZBP_ERR_NOMEM;
        goto done;
    }
    for (size_t ch = 0, run[4] = {0}; ch < nchunks; ch++) {
        size_t t[4];
        for (int k = 1; k < 4; k++) {
            t[k] = run[k];
            run[k] += counts[ch][k];
            counts[ch][k] = t[k]; /* now the chunk's first slot in its class */
        }
    }
    uint32_t *idx = cl->idx;
    uint8_t *ones_neg = cl->ones_neg, *small_neg = cl->small_neg;
    uint64_t *small_mag = cl->small_mag;
#ifdef MSM_GLV_SPLIT
    const size_t nfull = cnt[MSM_FULL];
    uint64_t *glv_sc = cl->glv_sc;
    uint8_t *glv_neg = cl->glv_neg;
    F *glv_x = cl->glv_x;
#else
    (void)phi_x;
#endif
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (size_t ch = 0; ch < nchunks; ch++) {
        size_t a = n * ch / nchunks, b = n * (ch + 1) / nchunks;
        size_t pos[4] = {0, counts[ch][1], counts[ch][2], counts[ch][3]};
        for (size_t i = a; i < b; i++) {
            int k = cls[i];
            if (k == MSM_ZERO) continue;
            size_t e = pos[k]++;
            idx[off[k] + e] = (uint32_t)i;
            if (k == MSM_FULL) {
#ifdef MSM_GLV_SPLIT
                if (glv) {
                    int n1, n2;
                    MSM_GLV_SPLIT(&glv_sc[2 * e], &n1, &glv_sc[2 * (nfull + e)], &n2, scalars[i]);
                    glv_neg[e] = (uint8_t)n1;
                    glv_neg[nfull + e] = (uint8_t)n2;
                    if (glv_x) MSM_ENDO_X(&glv_x[e], &points[i].x);
                    /* the halves' real length (about 127 bits): an unused 129th bit would cost a
                     * window of its own at c = 16 */
                    const uint64_t both[2] = {glv_sc[2 * e] | glv_sc[2 * (nfull + e)],
                                              glv_sc[2 * e + 1] | glv_sc[2 * (nfull + e) + 1]};
                    unsigned bl = both[1] ? 128 - (unsigned)__builtin_clzll(both[1])
                                 : both[0] ? 64 - (unsigned)__builtin_clzll(both[0]) : 0;
                    if (bl > maxbits[ch][1]) maxbits[ch][1] = bl;
                }
#endif
                continue;
            }
            uint64_t mag;
            uint8_t ng;
            msm_classify(scalars[i], &mag, &ng);
            if (k == MSM_ONE) {
                ones_neg[e] = ng;
            } else {
                small_neg[e] = ng;
                small_mag[e] = mag;
            }
        }
    }
    for (size_t ch = 0; ch < nchunks; ch++)
        if (maxbits[ch][1] > cl->full_bits) cl->full_bits = maxbits[ch][1];
    if (glv && !cl->full_bits) cl->full_bits = 1; /* every half zero: one window still plans the pass */
done:
    free(counts);
    free(maxbits);
    free(cls);
    return rc;
}

/* The work of one MSM: the two Pippenger passes (full, small) and the task list, full-pass windows
 * and ranges first (the largest), then small, then the ±1 tree blocks; the workspace sizes. */
typedef struct {
    msm_pass_t pass[2];
    msm_task_t *tasks;
    size_t nt, nones, ones_tasks, seg_max, batch_max;
} FN(msm_plan_t);

static int FN(msm_plan)(FN(msm_plan_t) *pl, const FN(msm_classes_t) *cl, const AFF *points,
                        const uint64_t (*scalars)[4], size_t n, const msm_table_t *tab, int glv,
                        unsigned force_c, int threads, msm_stats_t *stats) {
    memset(pl, 0, sizeof *pl);
    msm_pass_t *pf = &pl->pass[MSM_PASS_FULL], *ps = &pl->pass[MSM_PASS_SMALL];
    const size_t nfull = cl->cnt[MSM_FULL];
    pf->idx = cl->idx + cl->off[MSM_FULL];
    pf->count = nfull;
    if (nfull) {
        if (tab) {
            pf->nlevels = tab->levels;
            for (unsigned j = 0; j < tab->levels; j++) {
                pf->lv[j] = (msm_level_t){j ? (const void *)((const AFF *)tab->pts + (size_t)(j - 1) * n)
                                            : (const void *)points,
                                          &scalars[0][0], 4, 1, NULL, j * tab->wpc, 0, NULL};
            }
            pf->c = tab->c;
            pf->nwin = tab->wpc;
            FN(msm_plan_pass)(pf, cl->full_bits, 0, threads);
        } else if (glv) {
            pf->nlevels = 2;
            pf->lv[0] = (msm_level_t){points, cl->glv_sc, 2, 0, cl->glv_neg, 0, 0, NULL};
            pf->lv[1] = (msm_level_t){points, cl->glv_sc + 2 * nfull, 2, 0, cl->glv_neg + nfull, 0, 1,
                                      cl->glv_x};
            FN(msm_plan_pass)(pf, cl->full_bits, force_c, threads);
        } else {
            pf->nlevels = 1;
            pf->lv[0] = (msm_level_t){points, &scalars[0][0], 4, 1, NULL, 0, 0, NULL};
            FN(msm_plan_pass)(pf, cl->full_bits, force_c, threads);
        }
        stats->window = pf->c;
        stats->windows = pf->nwin;
        stats->segments = pf->segments;
    }
    ps->idx = cl->idx + cl->off[MSM_SMALL];
    ps->count = cl->cnt[MSM_SMALL];
    if (ps->count) {
        ps->nlevels = 1;
        ps->lv[0] = (msm_level_t){points, cl->small_mag, 1, 0, cl->small_neg, 0, 0, NULL};
        FN(msm_plan_pass)(ps, cl->small_bits, force_c, threads);
        stats->small_window = ps->c;
    }

    /* Blocks of 4 tree blocks per task, but spread over the threads once there are 1024 or more. */
    const size_t nones = cl->cnt[MSM_ONE];
    size_t ones_tasks = (nones + MSM_ONES_BLOCK * 4 - 1) / (MSM_ONES_BLOCK * 4);
    size_t ones_want = (nones + 1023) / 1024 < (size_t)threads ? (nones + 1023) / 1024 : (size_t)threads;
    if (ones_tasks < ones_want) ones_tasks = ones_want;
    size_t ntasks = ones_tasks;
    for (int k = 0; k < 2; k++)
        if (pl->pass[k].count) ntasks += (size_t)pl->pass[k].nwin * pl->pass[k].segments;
    pl->tasks = malloc((ntasks ? ntasks : 1) * sizeof *pl->tasks);
    if (!pl->tasks) return ZBP_ERR_NOMEM;
    size_t nt = 0;
    pl->seg_max = pl->batch_max = 1;
    for (unsigned k = 0; k < 2; k++) {
        const msm_pass_t *p = &pl->pass[k];
        if (!p->count) continue;
        if (p->seg_buckets > pl->seg_max) pl->seg_max = p->seg_buckets;
        if (p->batch > pl->batch_max) pl->batch_max = p->batch;
        for (unsigned v = p->nwin; v-- > 0;)
            for (unsigned s = 0; s < p->segments; s++) pl->tasks[nt++] = (msm_task_t){k, v, s};
    }
    for (size_t k = 0; k < ones_tasks; k++) pl->tasks[nt++] = (msm_task_t){MSM_PASS_ONES, 0, (unsigned)k};
    pl->nt = nt;
    pl->nones = nones;
    pl->ones_tasks = ones_tasks;
    return ZBP_OK;
}

/* Runs the plan's tasks on the threads, each with its own workspace; res[t] gets task t's sum. */
static int FN(msm_execute)(const FN(msm_plan_t) *pl, const FN(msm_classes_t) *cl, const AFF *points,
                           int threads, XYZZ *res, msm_stats_t *stats) {
    int failed = 0;
#pragma omp parallel num_threads(threads)
    {
        FN(msm_ws_t) ws;
        int ok = FN(msm_ws_init)(&ws, pl->seg_max, pl->batch_max) == ZBP_OK;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 1)
        for (size_t t = 0; t < pl->nt; t++) {
            if (!ok) continue;
            const msm_task_t *tk = &pl->tasks[t];
            if (tk->pass == MSM_PASS_ONES) {
                size_t a = pl->nones * tk->seg / pl->ones_tasks;
                size_t b = pl->nones * (tk->seg + 1) / pl->ones_tasks;
                int f = 0;
                FN(msm_ones_task)(points, cl->idx, cl->ones_neg, a, b, &res[t], &ws.st, &f);
                if (f) ws.failed = 1;
            } else {
                MSM_CHECK(pl->pass[tk->pass].seg_buckets <= ws.seg_max);
                MSM_CHECK(pl->pass[tk->pass].batch <= ws.batch_max);
                FN(msm_task)(&pl->pass[tk->pass], tk->v, tk->seg, &ws, &res[t]);
            }
        }
        if (ok) {
            if (ws.failed) {
#pragma omp atomic write
                failed = 1;
            }
#pragma omp critical(msm_stats)
            FN(msm_stats_add)(stats, &ws.st);
            FN(msm_ws_free)(&ws);
        }
    }
    return failed ? ZBP_ERR_NOMEM : ZBP_OK;
}

/* Per pass, the window sums by Horner from the top window; then the passes and the ±1 sums. The
 * tasks are in the plan's order: each pass's windows from the top, its ranges inside. */
static void FN(msm_combine)(JAC *out, const FN(msm_plan_t) *pl, const XYZZ *res, msm_stats_t *stats) {
    XYZZ total;
    FN(xyzz_set_infinity)(&total);
    size_t t = 0;
    for (unsigned k = 0; k < 2; k++) {
        const msm_pass_t *p = &pl->pass[k];
        if (!p->count) continue;
        XYZZ acc;
        FN(xyzz_set_infinity)(&acc);
        for (unsigned v = p->nwin; v-- > 0;) {
            if (!FN(xyzz_is_infinity)(&acc))
                for (unsigned i = 0; i < p->c; i++) {
                    FN(xyzz_dbl_vartime)(&acc, &acc);
                    stats->reduction_adds++;
                }
            for (unsigned s = 0; s < p->segments; s++, t++) {
                MSM_CHECK(pl->tasks[t].pass == k && pl->tasks[t].v == v && pl->tasks[t].seg == s);
                FN(xyzz_add_vartime)(&acc, &acc, &res[t]);
                stats->reduction_adds++;
            }
        }
        FN(xyzz_add_vartime)(&total, &total, &acc);
    }
    for (; t < pl->nt; t++) {
        MSM_CHECK(pl->tasks[t].pass == MSM_PASS_ONES);
        FN(xyzz_add_vartime)(&total, &total, &res[t]);
        stats->reduction_adds++;
    }
    FN(xyzz_to_jac_vartime)(out, &total);
}

static int FN(msm_run)(JAC *out, const AFF *points, const uint64_t (*scalars)[4], size_t n,
                       const msm_opts_t *opts) {
    msm_opts_t defaults = {0};
    if (!opts) opts = &defaults;
    const msm_table_t *tab = opts->table;
    if (n > UINT32_MAX) return ZBP_ERR_INPUT;
    if (opts->window && (opts->window < MSM_WINDOW_MIN || opts->window > MSM_WINDOW_MAX))
        return ZBP_ERR_INPUT;
    if (tab && (tab->group != MSM_GROUP || tab->points != (const void *)points || tab->n != n))
        return ZBP_ERR_INPUT;
    const int threads = msm_threads(opts);
    int glv = 0;
#ifdef MSM_GLV_SPLIT
    glv = !opts->no_glv && !tab;
#endif
    msm_stats_t stats = {0};
    stats.threads = threads;
    stats.glv = glv;
    FN(jac_set_infinity)(out);
    if (n == 0) {
        if (opts->stats) *opts->stats = stats;
        return ZBP_OK;
    }
    FN(msm_classes_t) cl;
    FN(msm_plan_t) pl;
    memset(&pl, 0, sizeof pl);
    XYZZ *res = NULL;
    /* phi's x once per point for the scalar kernel: otherwise every gather of an image into a
     * bucket (each window: about half the additions) pays one product by beta. The array kernel
     * multiplies by beta 8 to a vector, batched, and keeps its lazy flags. n_full Fq of memory. */
    int phi_x = 0;
#if MSM_HAS_ENDO
#ifdef MSM_VEC_ON
    phi_x = glv && !MSM_VEC_ON();
#else
    phi_x = glv;
#endif
#endif
    int rc = FN(msm_classify_all)(&cl, points, scalars, n, threads, !opts->no_fastpath, glv, phi_x);
    if (rc != ZBP_OK) goto done;
    stats.n_zero = cl.cnt[MSM_ZERO];
    stats.n_one = cl.cnt[MSM_ONE];
    stats.n_small = cl.cnt[MSM_SMALL];
    stats.n_full = cl.cnt[MSM_FULL];
    rc = FN(msm_plan)(&pl, &cl, points, scalars, n, tab, glv, opts->window, threads, &stats);
    if (rc != ZBP_OK) goto done;
    res = malloc((pl.nt ? pl.nt : 1) * sizeof *res);
    if (!res) {
        rc = ZBP_ERR_NOMEM;
        goto done;
    }
    rc = FN(msm_execute)(&pl, &cl, points, threads, res, &stats);
    if (rc == ZBP_OK) FN(msm_combine)(out, &pl, res, &stats);
done:
    if (opts->stats) *opts->stats = stats;
    FN(msm_classes_free)(&cl);
    free(pl.tasks);
    free(res);
    return rc;
}

/* ---- tables of fixed bases ---------------------------------------------------------------------------
 * Level j = 2^(wpc c) times level j-1: wpc c doublings per point in Jacobian form, then one shared
 * inversion per block to return to affine. Work ~ n * 256 doublings, once per circuit. */
#define MSM_TABLE_BLOCK 256

static int FN(msm_table_build)(msm_table_t **out, const AFF *points, size_t n, size_t budget,
                               int threads_opt) {
    *out = NULL;
    if (n == 0 || n > UINT32_MAX) return ZBP_ERR_INPUT;
    size_t per_level = n * sizeof(AFF);
    size_t extra = budget / per_level;
    if (extra < 1) return ZBP_ERR_RANGE;
    if (extra > MSM_MAX_LEVELS - 1) extra = MSM_MAX_LEVELS - 1;
    /* Pick c and the level count within the budget by the same cost model: a level of wpc
     * windows per chunk of the scalar, ceil(W / wpc) chunks sharing one set of buckets. */
    unsigned best_c = 0, best_wpc = 0, best_levels = 0;
    double best = 0;
    for (unsigned c = MSM_WINDOW_MIN; c <= MSM_WINDOW_MAX; c++) {
        unsigned W = msm_windows_for(256, c);
        unsigned wpc = (unsigned)((W + extra) / (extra + 1)); /* ceil(W / (extra + 1)) */
        unsigned levels = (W + wpc - 1) / wpc;
        double cost = msm_cost_estimate((size_t)levels * n, wpc * c - 1, c, MSM_GROUP);
        if (!best_c || cost < best) {
            best = cost;
            best_c = c;
            best_wpc = wpc;
            best_levels = levels;
        }
    }
    msm_table_t *t = calloc(1, sizeof *t);
    if (!t) return ZBP_ERR_NOMEM;
    t->group = MSM_GROUP;
    t->points = points;
    t->n = n;
    t->c = best_c;
    t->wpc = best_wpc;
    t->levels = best_levels;
    t->bytes = (best_levels - 1) * per_level;
    if (best_levels > 1) {
        t->pts = malloc(t->bytes);
        if (!t->pts) {
            free(t);
            return ZBP_ERR_NOMEM;
        }
    }
    const unsigned shift = best_wpc * best_c;
    const int threads = threads_opt > 0 ? threads_opt : omp_get_max_threads();
    AFF *lv = (AFF *)t->pts;
    int failed = 0;
    for (unsigned j = 1; j < best_levels; j++) {
        const AFF *prev = j == 1 ? points : lv + (size_t)(j - 2) * n;
        AFF *cur = lv + (size_t)(j - 1) * n;
        const size_t nblocks = (n + MSM_TABLE_BLOCK - 1) / MSM_TABLE_BLOCK;
#pragma omp parallel num_threads(threads)
        {
            JAC *jb = malloc(MSM_TABLE_BLOCK * sizeof(JAC));
            F *scr = malloc(MSM_TABLE_BLOCK * sizeof(F));
            if (!jb || !scr) {
#pragma omp atomic write
                failed = 1;
            }
#pragma omp for schedule(dynamic, 1)
            for (size_t bi = 0; bi < nblocks; bi++) {
                if (!jb || !scr) continue;
                size_t a = bi * MSM_TABLE_BLOCK, m = n - a < MSM_TABLE_BLOCK ? n - a : MSM_TABLE_BLOCK;
                for (size_t i = 0; i < m; i++) {
                    FN(jac_from_affine)(&jb[i], &prev[a + i]);
                    for (unsigned s = 0; s < shift; s++) FN(jac_dbl_vartime)(&jb[i], &jb[i]);
                }
                FN(jac_batch_to_affine_vartime)(cur + a, jb, m, scr);
            }
            free(jb);
            free(scr);
        }
    }
    if (failed) {
        msm_table_free(t);
        return ZBP_ERR_NOMEM;
    }
    *out = t;
    return ZBP_OK;
}

#undef MSM_HAS_ENDO
#undef MSM_SCRATCH
#undef AFF
#undef JAC
#undef XYZZ
#undef FN
#undef MI_CAT
#undef MI_CAT2
