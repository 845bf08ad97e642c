/* ntt.c: the transforms: the context and its per-size plans, the four-step passes over memory
 * (column blocks, row blocks, bit reversal) with OpenMP, and the public entry points. */
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ntt/ntt_internal.h"

/* ---- context --------------------------------------------------------------------------------- */

static int set_msg(ntt_ctx_t *ctx, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    return status;
}

static int default_threads(int threads) {
    if (threads > 0) return threads;
    int t = omp_get_max_threads();
    return t > 0 ? t : 1;
}

int ntt_ctx_create(ntt_ctx_t **out, int threads, size_t memory_budget) {
    if (!out || threads < 0) return ZBP_ERR_INPUT;
    *out = NULL;
    ntt_ctx_t *ctx = calloc(1, sizeof *ctx);
    if (!ctx) return ZBP_ERR_NOMEM;
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return ZBP_ERR_NOMEM;
    }
    ctx->threads = default_threads(threads);
    ctx->budget = memory_budget ? memory_budget : NTT_DEFAULT_BUDGET;
    *out = ctx;
    return ZBP_OK;
}

static void plan_free(ntt_plan_t *pl) {
    if (!pl) return;
    /* Every table of a plan lives in one allocation, which starts with w4x[0]. */
    free(pl->w4x[0]);
    free(pl);
}

void ntt_ctx_free(ntt_ctx_t *ctx) {
    if (!ctx) return;
    for (int k = 0; k <= NTT_MAX_LOG; k++) plan_free(ctx->plans[k]);
    free(ctx->scratch_mem);
    free(ctx->call_mem);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

int ntt_ctx_set_threads(ntt_ctx_t *ctx, int threads) {
    if (!ctx || threads < 0) return ZBP_ERR_INPUT;
    pthread_mutex_lock(&ctx->lock);
    ctx->threads = default_threads(threads);
    pthread_mutex_unlock(&ctx->lock);
    return ZBP_OK;
}

int ntt_ctx_threads(const ntt_ctx_t *ctx) { return ctx->threads; }
size_t ntt_ctx_bytes(const ntt_ctx_t *ctx) { return ctx->held; }
size_t ntt_ctx_budget(const ntt_ctx_t *ctx) { return ctx->budget; }
const char *ntt_ctx_message(const ntt_ctx_t *ctx) { return ctx->msg; }

/* ---- plans ----------------------------------------------------------------------------------- */

/* The split n = n1·n2. Both sub-sizes near √n keep a block (sub-size × C elements) in L2; an even
 * sub-size avoids the radix-2 layer, so an even k is split into two even halves when it can be. */
static void split(unsigned k, unsigned *k1, unsigned *k2, size_t *C) {
    *k1 = k / 2;
    *k2 = k - *k1;
    if ((*k1 & 1u) && (*k2 & 1u) && *k1 > 0) {
        (*k1)--;
        (*k2)++;
    }
    /* 16 columns while a block is at most 2^10 rows (512 KiB), then 8: a run of 8 is one vector
     * of the 8-lane path, and the block stays within L2 up to 2^12 rows. */
    size_t c = *k2 <= 10 ? 16 : 8;
    size_t n1 = (size_t)1 << *k1, n2 = (size_t)1 << *k2;
    if (c > n1) c = n1;
    if (c > n2) c = n2;
    *C = c;
}

static size_t plan_table_elems(unsigned k1, unsigned k2, size_t C) {
    size_t n2 = (size_t)1 << k2;
    return 2 * NTT_CHUNK + 2 * (n2 / C) + 2 * C + 2 * ntt_sub_elems(k1, C) +
           2 * ntt_sub_elems(k2, C);
}

static size_t scratch_elems(unsigned k1, unsigned k2, size_t C) {
    size_t n1 = (size_t)1 << k1, n2 = (size_t)1 << k2;
    size_t S = (n1 > n2 ? n1 : n2) * C;
    if (S < 512) S = 512; /* two 16×16 bit-reversal tiles */
    size_t X = (n1 / 2 ? n1 / 2 : 1) * C;
    size_t e = S + n1 * C + X + NTT_CHUNK + (k1 + 2) * C;
    return (e + 7) & ~(size_t)7; /* keep each thread's area 256-byte aligned */
}

static size_t call_elems(unsigned k1, unsigned k2, size_t C) {
    size_t n1 = (size_t)1 << k1, n2 = (size_t)1 << k2;
    /* the coset table, the powers it is built from, and two jobs' small vectors (A per block, A
     * and B per column) */
    return (n1 > n2 ? n1 : n2) * C + n2 + 2 * (n2 / C + 2 * C);
}

size_t ntt_bytes_needed(unsigned log_n, int threads) {
    if (log_n > NTT_MAX_LOG) return 0;
    unsigned k1, k2;
    size_t C;
    split(log_n, &k1, &k2, &C);
    size_t t = (size_t)default_threads(threads);
    return sizeof(ntt_plan_t) +
           sizeof(fr_t) * (plan_table_elems(k1, k2, C) + t * scratch_elems(k1, k2, C) +
                           call_elems(k1, k2, C));
}

static fr_t *alloc_fr(size_t n) {
    size_t bytes = (n ? n : 1) * sizeof(fr_t);
    bytes = (bytes + 63) & ~(size_t)63;
    return aligned_alloc(64, bytes);
}

static int plan_build(ntt_ctx_t *ctx, unsigned k) {
    unsigned k1, k2;
    size_t C;
    split(k, &k1, &k2, &C);
    size_t elems = plan_table_elems(k1, k2, C), bytes = sizeof(ntt_plan_t) + elems * sizeof(fr_t);
    if (ctx->held + bytes > ctx->budget)
        return set_msg(ctx, ZBP_ERR_NOMEM,
                       "ntt: tables for size 2^%u need %zu bytes; budget %zu, %zu held", k, bytes,
                       ctx->budget, ctx->held);
    ntt_plan_t *pl = calloc(1, sizeof *pl);
    fr_t *mem = alloc_fr(elems);
    if (!pl || !mem) {
        free(pl);
        free(mem);
        return set_msg(ctx, ZBP_ERR_NOMEM, "ntt: out of memory for the tables of size 2^%u", k);
    }
    pl->k = k;
    pl->k1 = k1;
    pl->k2 = k2;
    pl->n1 = (size_t)1 << k1;
    pl->n2 = (size_t)1 << k2;
    pl->C = C;
    pl->bytes = bytes;
    size_t nb = pl->n2 / C;
    pl->w4x[0] = mem;
    pl->w4x[1] = mem + NTT_CHUNK;
    pl->blk[0] = mem + 2 * NTT_CHUNK;
    pl->blk[1] = pl->blk[0] + nb;
    pl->wc[0] = pl->blk[1] + nb;
    pl->wc[1] = pl->wc[0] + C;
    fr_t *p = pl->wc[1] + C;
    size_t e1 = ntt_sub_elems(k1, C), e2 = ntt_sub_elems(k2, C);
    ntt_sub_build(&pl->sub[0], k1, C, p, p + e1);
    p += 2 * e1;
    ntt_sub_build(&pl->sub[1], k2, C, p, p + e2);

    fr_t w4, w4i, w, wi;
    fr_root_of_unity(&w4, 2);
    fr_inv(&w4i, &w4);
    for (size_t i = 0; i < NTT_CHUNK; i++) {
        pl->w4x[0][i] = w4;
        pl->w4x[1][i] = w4i;
    }
    fr_root_of_unity(&w, k);
    fr_inv(&wi, &w);
    /* blk[b] = ω^(bC): step by ω^C. */
    fr_t wC = FR_ONE, wiC = FR_ONE;
    for (size_t c = 0; c < C; c++) {
        pl->wc[0][c] = wC;
        pl->wc[1][c] = wiC;
        fr_mul(&wC, &wC, &w);
        fr_mul(&wiC, &wiC, &wi);
    }
    fr_t a = FR_ONE, ai = FR_ONE;
    for (size_t b = 0; b < nb; b++) {
        pl->blk[0][b] = a;
        pl->blk[1][b] = ai;
        fr_mul(&a, &a, &wC);
        fr_mul(&ai, &ai, &wiC);
    }
    /* n⁻¹ = (2⁻¹)^k, with 2⁻¹ = (r+1)/2 */
    fr_t two, inv2;
    fr_add(&two, &FR_ONE, &FR_ONE);
    fr_inv(&inv2, &two);
    pl->inv_n = FR_ONE;
    for (unsigned i = 0; i < k; i++) fr_mul(&pl->inv_n, &pl->inv_n, &inv2);

    ctx->plans[k] = pl;
    ctx->held += bytes;
    return ZBP_OK;
}

/* Scratch for `threads` threads at the plan's size, grown (never shrunk) as needed. */
static int scratch_ensure(ntt_ctx_t *ctx, const ntt_plan_t *pl) {
    size_t per = scratch_elems(pl->k1, pl->k2, pl->C);
    int t = ctx->threads;
    if (per <= ctx->scratch_per_thread && t <= ctx->scratch_threads) {
        per = ctx->scratch_per_thread;
    } else {
        if (per < ctx->scratch_per_thread) per = ctx->scratch_per_thread;
        if (t < ctx->scratch_threads) t = ctx->scratch_threads;
        size_t old = ctx->scratch_per_thread * (size_t)ctx->scratch_threads * sizeof(fr_t);
        size_t bytes = per * (size_t)t * sizeof(fr_t);
        if (ctx->held - old + bytes > ctx->budget)
            return set_msg(ctx, ZBP_ERR_NOMEM,
                           "ntt: scratch for size 2^%u on %d threads needs %zu bytes; budget %zu, "
                           "%zu held by tables",
                           pl->k, t, bytes, ctx->budget, ctx->held - old);
        free(ctx->scratch_mem);
        ctx->held -= old;
        ctx->scratch_per_thread = 0;
        ctx->scratch_threads = 0;
        ctx->scratch_mem = alloc_fr(per * (size_t)t);
        if (!ctx->scratch_mem)
            return set_msg(ctx, ZBP_ERR_NOMEM, "ntt: out of memory for %zu bytes of scratch",
                           bytes);
        ctx->scratch_per_thread = per;
        ctx->scratch_threads = t;
        ctx->held += bytes;
    }
    size_t ce = call_elems(pl->k1, pl->k2, pl->C);
    if (ce > ctx->call_elems) {
        size_t old = ctx->call_elems * sizeof(fr_t), bytes = ce * sizeof(fr_t);
        if (ctx->held - old + bytes > ctx->budget)
            return set_msg(ctx, ZBP_ERR_NOMEM,
                           "ntt: coset tables for size 2^%u need %zu bytes; budget %zu, %zu held",
                           pl->k, bytes, ctx->budget, ctx->held - old);
        free(ctx->call_mem);
        ctx->held -= old;
        ctx->call_elems = 0;
        ctx->call_mem = alloc_fr(ce);
        if (!ctx->call_mem)
            return set_msg(ctx, ZBP_ERR_NOMEM, "ntt: out of memory for %zu bytes of tables", bytes);
        ctx->call_elems = ce;
        ctx->held += bytes;
    }
    return ZBP_OK;
}

static int prepare_locked(ntt_ctx_t *ctx, unsigned k, const ntt_plan_t **out) {
    if (k > NTT_MAX_LOG)
        return set_msg(ctx, ZBP_ERR_RANGE, "ntt: size 2^%u exceeds Fr's 2-adicity (2^%d)", k,
                       NTT_MAX_LOG);
    int st;
    if (!ctx->plans[k] && (st = plan_build(ctx, k)) != ZBP_OK) return st;
    if ((st = scratch_ensure(ctx, ctx->plans[k])) != ZBP_OK) return st;
    *out = ctx->plans[k];
    return ZBP_OK;
}

int ntt_prepare(ntt_ctx_t *ctx, unsigned log_n) {
    if (!ctx) return ZBP_ERR_INPUT;
    pthread_mutex_lock(&ctx->lock);
    ctx->msg[0] = 0;
    const ntt_plan_t *pl;
    int st = prepare_locked(ctx, log_n, &pl);
    pthread_mutex_unlock(&ctx->lock);
    return st;
}

static ntt_scratch_t scratch_of(const ntt_ctx_t *ctx, const ntt_plan_t *pl, int tid) {
    ntt_scratch_t s;
    size_t n1 = pl->n1, n2 = pl->n2, C = pl->C;
    size_t S = (n1 > n2 ? n1 : n2) * C;
    if (S < 512) S = 512;
    s.S = ctx->scratch_mem + (size_t)tid * ctx->scratch_per_thread;
    s.P = s.S + S;
    s.X = s.P + n1 * C;
    s.tmp = s.X + (n1 / 2 ? n1 / 2 : 1) * C;
    s.vec = s.tmp + NTT_CHUNK;
    return s;
}

/* ---- one transform: the job and its passes ------------------------------------------------------
 * nr: the column pass runs DIF over each block of C columns, then multiplies by the twiddles; the
 * row pass runs DIF over each block of C rows. The output is bit-reversed: position r·n2 + p holds
 * X[bitrev_k1(r) + n1·bitrev_k2(p)] = X[bitrev_k(r·n2 + p)].
 * rn: the transpose: row pass DIT, then the column pass multiplies by the same twiddles and runs
 * DIT. A coset scaling s^i (or a scale such as n⁻¹) splits into a factor constant along each
 * column or row of a pass, which is folded into the twiddles for free, and a factor that depends
 * on the position within the sub-transform, applied as one multiplication where the block is
 * gathered or scattered. */

enum { COSET_NONE, COSET_NAT, COSET_REV };
/* COSET_NAT: the scaled index is the natural one (input of nr, output of rn): s^(j1·n2) per row of
 * a column block, s^(b0+c) per column, folded into A below. COSET_REV: the scaled index is the
 * bit-reversed position (output of nr, input of rn): s^(n1·bitrev(p)) per position of a row block,
 * s^bitrev(r) per row, folded into B below. */

typedef struct {
    const ntt_ctx_t *ctx;
    const ntt_plan_t *pl;
    int dir;  /* 0: ω, 1: ω⁻¹ */
    int vec;  /* vector butterflies */
    int mode; /* COSET_* */
    const fr_t *T;    /* COSET_NAT: (s^n2)^j1 per row; COSET_REV: (s^n1)^bitrev(p); C copies each */
    const fr_t *Ablk; /* per column block: scale·s^(b·C) (COSET_NAT) or scale */
    const fr_t *Ac;   /* per column: s^c (COSET_NAT) or 1 */
    const fr_t *Bc;   /* per column: ω^(±c)·s (COSET_REV) or ω^(±c) */
} job_t;

static void expand_row(fr_t *X, const fr_t *row, size_t C, size_t rows) {
    memcpy(X, row, C * sizeof(fr_t));
    for (size_t done = 1; done < rows;) {
        size_t n = done < rows - done ? done : rows - done;
        memcpy(X + done * C, X, n * C * sizeof(fr_t));
        done += n;
    }
}

/* P[r][c] = A[c]·B[c]^bitrev_k1(r), the column twiddle ω_n^((b0+c)·bitrev(r)) with the scale and
 * the coset folded in. Built by doubling: the rows with bit (k1−1−t) set are the rows without it
 * times B^(2^t), so each step is one batch multiplication over all rows built so far. */
static void column_twiddles(const job_t *jb, size_t b, ntt_scratch_t *sc) {
    const ntt_plan_t *pl = jb->pl;
    size_t C = pl->C;
    unsigned k1 = pl->k1;
    fr_t *A = sc->vec, *E = A + C; /* E[t·C + c] = B[c]^(2^t) */
    for (size_t c = 0; c < C; c++) {
        fr_mul(&A[c], &jb->Ablk[b], &jb->Ac[c]);
        fr_mul(&E[c], &pl->blk[jb->dir][b], &jb->Bc[c]);
    }
    for (unsigned t = 1; t < k1; t++) fr_sqr_batch(E + t * C, E + (t - 1) * C, C);
    memcpy(sc->P, A, C * sizeof(fr_t));
    for (int t = (int)k1 - 1; t >= 0; t--) {
        size_t len = (size_t)1 << (k1 - 1 - (unsigned)t);
        expand_row(sc->X, E + (size_t)t * C, C, len);
        fr_mul_batch(sc->P + len * C, sc->P, sc->X, len * C);
    }
}

static void gather_cols(fr_t *S, const fr_t *data, const ntt_plan_t *pl, size_t b0) {
    size_t n1 = pl->n1, n2 = pl->n2, C = pl->C;
    for (size_t j = 0; j < n1; j++) {
        /* The rows of a block are n2·32 bytes apart: beyond what the hardware prefetcher
         * follows. */
        if (j + 8 < n1) {
            const char *ahead = (const char *)(data + (j + 8) * n2 + b0);
            for (size_t o = 0; o < C * sizeof(fr_t); o += 64) __builtin_prefetch(ahead + o, 0, 0);
        }
        memcpy(S + j * C, data + j * n2 + b0, C * sizeof(fr_t));
    }
}

static void scatter_cols(fr_t *data, const fr_t *S, const ntt_plan_t *pl, size_t b0) {
    size_t n1 = pl->n1, n2 = pl->n2, C = pl->C;
    for (size_t j = 0; j < n1; j++) memcpy(data + j * n2 + b0, S + j * C, C * sizeof(fr_t));
}

/* Rows r0..r0+C, each contiguous, into interleaved S[p·C + c] (and back). */
static void gather_rows(fr_t *S, const fr_t *data, const ntt_plan_t *pl, size_t r0) {
    size_t n2 = pl->n2, C = pl->C;
    for (size_t p0 = 0; p0 < n2; p0 += 8) {
        size_t pe = p0 + 8 < n2 ? p0 + 8 : n2;
        for (size_t c = 0; c < C; c++) {
            const fr_t *row = data + (r0 + c) * n2;
            for (size_t p = p0; p < pe; p++) S[p * C + c] = row[p];
        }
    }
}

static void scatter_rows(fr_t *data, const fr_t *S, const ntt_plan_t *pl, size_t r0) {
    size_t n2 = pl->n2, C = pl->C;
    for (size_t p0 = 0; p0 < n2; p0 += 8) {
        size_t pe = p0 + 8 < n2 ? p0 + 8 : n2;
        for (size_t c = 0; c < C; c++) {
            fr_t *row = data + (r0 + c) * n2;
            for (size_t p = p0; p < pe; p++) row[p] = S[p * C + c];
        }
    }
}

static void column_block(const job_t *jb, fr_t *data, size_t b, ntt_scratch_t *sc, int rn) {
    const ntt_plan_t *pl = jb->pl;
    size_t n1C = pl->n1 * pl->C;
    gather_cols(sc->S, data, pl, b * pl->C);
    column_twiddles(jb, b, sc);
    if (!rn) {
        if (jb->mode == COSET_NAT) fr_mul_batch(sc->S, sc->S, jb->T, n1C);
        ntt_block_dif(pl, &pl->sub[0], jb->dir, sc->S, sc->tmp, jb->vec);
        fr_mul_batch(sc->S, sc->S, sc->P, n1C);
    } else {
        fr_mul_batch(sc->S, sc->S, sc->P, n1C);
        ntt_block_dit(pl, &pl->sub[0], jb->dir, sc->S, sc->tmp, jb->vec);
        if (jb->mode == COSET_NAT) fr_mul_batch(sc->S, sc->S, jb->T, n1C);
    }
    scatter_cols(data, sc->S, pl, b * pl->C);
}

static void row_block(const job_t *jb, fr_t *data, size_t b, ntt_scratch_t *sc, int rn) {
    const ntt_plan_t *pl = jb->pl;
    size_t n2C = pl->n2 * pl->C;
    gather_rows(sc->S, data, pl, b * pl->C);
    if (!rn) {
        ntt_block_dif(pl, &pl->sub[1], jb->dir, sc->S, sc->tmp, jb->vec);
        if (jb->mode == COSET_REV) fr_mul_batch(sc->S, sc->S, jb->T, n2C);
    } else {
        if (jb->mode == COSET_REV) fr_mul_batch(sc->S, sc->S, jb->T, n2C);
        ntt_block_dit(pl, &pl->sub[1], jb->dir, sc->S, sc->tmp, jb->vec);
    }
    scatter_rows(data, sc->S, pl, b * pl->C);
}

/* The passes are written with orphaned worksharing loops: inside the transform's parallel region
 * (par = 1) the threads share the blocks, first come first served so that a thread delayed by
 * the OS does not hold the pass back; outside it (par = 0) one thread runs them all. */
typedef void (*block_fn)(const job_t *, fr_t *, size_t, ntt_scratch_t *, int);

static void pass_blocks(const job_t *jb, fr_t *data, size_t nblocks, block_fn fn, int rn,
                        ntt_scratch_t *sc, int par) {
    if (par) {
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblocks; b++) fn(jb, data, b, sc, rn);
    } else {
        for (size_t b = 0; b < nblocks; b++) fn(jb, data, b, sc, rn);
    }
}

/* In-place bit reversal of 2^k elements. An index is split as (a: 4 bits | m: k−8 bits | b: 4
 * bits); reversal maps tile m (16 runs of 16 adjacent elements) onto tile bitrev(m) transposed,
 * so each pair of tiles is read and written once, in runs of 512 bytes. */
static void bitrev_tile_load(fr_t *t, const fr_t *x, unsigned k, size_t m) {
    for (size_t a = 0; a < 16; a++)
        memcpy(t + a * 16, x + (a << (k - 4)) + (m << 4), 16 * sizeof(fr_t));
}

static void bitrev_tile_store(fr_t *x, const fr_t *t, unsigned k, size_t m) {
    /* element (a, b) of tile m receives element (bitrev4(b), bitrev4(a)) of the source tile */
    for (size_t a = 0; a < 16; a++) {
        fr_t *dst = x + (a << (k - 4)) + (m << 4);
        size_t ra = ntt_bitrev(a, 4);
        for (size_t b = 0; b < 16; b++) dst[b] = t[ntt_bitrev(b, 4) * 16 + ra];
    }
}

static void bitrev_tile_pair(fr_t *x, unsigned k, size_t m, ntt_scratch_t *sc) {
    size_t mr = ntt_bitrev(m, k - 8);
    if (mr < m) return; /* done with its partner */
    fr_t *ta = sc->S, *tb = sc->S + 256;
    bitrev_tile_load(ta, x, k, m);
    if (mr == m) {
        bitrev_tile_store(x, ta, k, m);
    } else {
        bitrev_tile_load(tb, x, k, mr);
        bitrev_tile_store(x, tb, k, m);
        bitrev_tile_store(x, ta, k, mr);
    }
}

static void bitrev_pass(unsigned k, fr_t *x, ntt_scratch_t *sc, int par) {
    if (k < 8) {
        size_t n = (size_t)1 << k;
        for (size_t i = 0; i < n; i++) {
            size_t j = ntt_bitrev(i, k);
            if (i < j) {
                fr_t t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
        }
        return;
    }
    size_t nm = (size_t)1 << (k - 8);
    if (par) {
#pragma omp for schedule(dynamic, 16)
        for (size_t m = 0; m < nm; m++) bitrev_tile_pair(x, k, m, sc);
    } else {
        for (size_t m = 0; m < nm; m++) bitrev_tile_pair(x, k, m, sc);
    }
}

/* The job's passes over one array. The small transforms of a parallel region run with par = 0
 * (and the region's tiny serial sizes run outside any region), everything else with par = 1. */
static void run_job(const job_t *jb, fr_t *data, int rn, int bitrev, ntt_scratch_t *sc, int par) {
    const ntt_plan_t *pl = jb->pl;
    size_t ncol = pl->n2 / pl->C, nrow = pl->n1 / pl->C;
    if (!rn) {
        pass_blocks(jb, data, ncol, column_block, 0, sc, par);
        pass_blocks(jb, data, nrow, row_block, 0, sc, par);
        /* (each worksharing loop ends in a barrier: a pass starts when the last one is written) */
        if (bitrev) bitrev_pass(pl->k, data, sc, par);
    } else {
        pass_blocks(jb, data, nrow, row_block, 1, sc, par);
        pass_blocks(jb, data, ncol, column_block, 1, sc, par);
    }
}

/* Per-call tables for a scale and a coset shift s (mode COSET_*), in the context's call memory.
 * Job `slot` (0 or 1) gets its own small vectors; only one job of a call has a coset table. */
static void job_tables(ntt_ctx_t *ctx, job_t *jb, int slot, const fr_t *scale, const fr_t *s) {
    const ntt_plan_t *pl = jb->pl;
    size_t n1 = pl->n1, n2 = pl->n2, C = pl->C, nb = n2 / C;
    fr_t *T = ctx->call_mem, *pw = T + (n1 > n2 ? n1 : n2) * C;
    fr_t *Ablk = pw + n2 + (size_t)slot * (nb + 2 * C), *Ac = Ablk + nb, *Bc = Ac + C;
    const fr_t *wc = pl->wc[jb->dir];
    for (size_t c = 0; c < C; c++) {
        Ac[c] = FR_ONE;
        Bc[c] = wc[c];
    }
    for (size_t b = 0; b < nb; b++) Ablk[b] = *scale;
    if (jb->mode == COSET_NAT) {
        /* s^(j1·n2 + b·C + c) = (s^n2)^j1 · s^(bC) · s^c */
        fr_t h = *s, v = FR_ONE, sC = FR_ONE;
        for (unsigned i = 0; i < pl->k2; i++) fr_sqr(&h, &h);
        for (size_t j = 0; j < n1; j++) {
            for (size_t c = 0; c < C; c++) T[j * C + c] = v;
            fr_mul(&v, &v, &h);
        }
        for (size_t c = 0; c < C; c++) {
            Ac[c] = sC;
            fr_mul(&sC, &sC, s);
        }
        fr_t a = *scale;
        for (size_t b = 0; b < nb; b++) {
            Ablk[b] = a;
            fr_mul(&a, &a, &sC);
        }
    } else if (jb->mode == COSET_REV) {
        /* s^(bitrev_k(r·n2 + p)) = (s^n1)^bitrev_k2(p) · s^bitrev_k1(r) */
        fr_t h = *s, v = FR_ONE;
        for (unsigned i = 0; i < pl->k1; i++) fr_sqr(&h, &h);
        for (size_t p = 0; p < n2; p++) {
            pw[p] = v;
            fr_mul(&v, &v, &h);
        }
        for (size_t p = 0; p < n2; p++) {
            const fr_t *f = &pw[ntt_bitrev(p, pl->k2)];
            for (size_t c = 0; c < C; c++) T[p * C + c] = *f;
        }
        for (size_t c = 0; c < C; c++) fr_mul(&Bc[c], &Bc[c], s);
    }
    jb->T = T;
    jb->Ablk = Ablk;
    jb->Ac = Ac;
    jb->Bc = Bc;
}

/* ---- public entry points --------------------------------------------------------------------- */

void ntt_domain_root(fr_t *out, unsigned log_n) { fr_root_of_unity(out, log_n); }

void ntt_snarkjs_shift(fr_t *out, unsigned log_n) {
    if (log_n < NTT_MAX_LOG) {
        fr_root_of_unity(out, log_n + 1);
    } else {
        /* snarkjs has no w[29]; it uses Fr.shift = nqr² = 25 (docs/formats.md §5 step 2) */
        const uint64_t v[4] = {25, 0, 0, 0};
        fr_to_mont(out, v);
    }
}

/* Small transforms of a batch run one per thread: below this size a transform has too few blocks
 * to keep the threads busy. */
#define NTT_BATCH_SERIAL_LOG 14
/* Up to this size a transform runs on one thread: it takes well under a millisecond, less than
 * what waking a team can cost on a busy machine. */
#define NTT_SERIAL_LOG 12

static int transform_locked(ntt_ctx_t *ctx, fr_t *const *data, size_t count, unsigned log_n,
                            ntt_dir_t dir, ntt_order_t order, const fr_t *coset, int extend) {
    if (!data && count) return set_msg(ctx, ZBP_ERR_INPUT, "ntt: data is NULL");
    for (size_t i = 0; i < count; i++)
        if (!data[i]) return set_msg(ctx, ZBP_ERR_INPUT, "ntt: data[%zu] is NULL", i);
    if ((unsigned)order > NTT_RN || (unsigned)dir > NTT_INVERSE)
        return set_msg(ctx, ZBP_ERR_INPUT, "ntt: unknown order or direction");
    if (coset && fr_is_zero(coset)) return set_msg(ctx, ZBP_ERR_INPUT, "ntt: coset shift is zero");
    const ntt_plan_t *pl;
    int st = prepare_locked(ctx, log_n, &pl);
    if (st != ZBP_OK) return st;
    if (!count) return ZBP_OK;

    int nth = ctx->threads;
    int vec = zbp_field_batch_isa() == ZBP_ISA_AVX512;
    /* One job, or two in sequence for extend: inverse NR, then coset forward RN whose input is
     * bit-reversed (COSET_REV). */
    job_t jobs[2];
    int rn[2] = {0, 0}, brev[2] = {0, 0}, njobs = extend ? 2 : 1;
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < njobs; i++) {
        jobs[i].ctx = ctx;
        jobs[i].pl = pl;
        jobs[i].vec = vec;
        jobs[i].mode = COSET_NONE;
    }
    fr_t s = FR_ONE;
    if (extend) {
        jobs[0].dir = 1;
        job_tables(ctx, &jobs[0], 0, &pl->inv_n, &s);
        jobs[1].dir = 0;
        jobs[1].mode = COSET_REV;
        rn[1] = 1;
        job_tables(ctx, &jobs[1], 1, &FR_ONE, coset);
    } else {
        jobs[0].dir = dir == NTT_INVERSE;
        rn[0] = order == NTT_RN;
        brev[0] = order == NTT_NN;
        if (coset) {
            if (dir == NTT_FORWARD) {
                s = *coset; /* input side: natural for NN/NR, bit-reversed for RN */
                jobs[0].mode = rn[0] ? COSET_REV : COSET_NAT;
            } else {
                fr_inv(&s, coset); /* output side: bit-reversed for NN/NR, natural for RN */
                jobs[0].mode = rn[0] ? COSET_NAT : COSET_REV;
            }
        }
        job_tables(ctx, &jobs[0], 0, dir == NTT_INVERSE ? &pl->inv_n : &FR_ONE, &s);
    }

    if (log_n <= NTT_SERIAL_LOG) nth = 1;
    if (count > 1 && nth > 1 && log_n <= NTT_BATCH_SERIAL_LOG) {
        /* one transform per thread */
#pragma omp parallel num_threads(nth)
        {
            ntt_scratch_t sc = scratch_of(ctx, pl, omp_get_thread_num());
#pragma omp for schedule(dynamic, 1)
            for (size_t i = 0; i < count; i++)
                for (int j = 0; j < njobs; j++) run_job(&jobs[j], data[i], rn[j], brev[j], &sc, 0);
        }
    } else if (nth > 1) {
        /* one parallel region for the whole call: its passes are separated by the implicit
         * barriers of their worksharing loops */
#pragma omp parallel num_threads(nth)
        {
            ntt_scratch_t sc = scratch_of(ctx, pl, omp_get_thread_num());
            for (size_t i = 0; i < count; i++)
                for (int j = 0; j < njobs; j++) run_job(&jobs[j], data[i], rn[j], brev[j], &sc, 1);
        }
    } else {
        ntt_scratch_t sc = scratch_of(ctx, pl, 0);
        for (size_t i = 0; i < count; i++)
            for (int j = 0; j < njobs; j++) run_job(&jobs[j], data[i], rn[j], brev[j], &sc, 0);
    }
    return ZBP_OK;
}

static int transform(ntt_ctx_t *ctx, fr_t *const *data, size_t count, unsigned log_n,
                     ntt_dir_t dir, ntt_order_t order, const fr_t *coset, int extend) {
    if (!ctx) return ZBP_ERR_INPUT;
    pthread_mutex_lock(&ctx->lock);
    ctx->msg[0] = 0;
    int st = transform_locked(ctx, data, count, log_n, dir, order, coset, extend);
    pthread_mutex_unlock(&ctx->lock);
    return st;
}

int ntt_transform(ntt_ctx_t *ctx, fr_t *const *data, size_t count, unsigned log_n, ntt_dir_t dir,
                  ntt_order_t order, const fr_t *coset) {
    return transform(ctx, data, count, log_n, dir, order, coset, 0);
}

int ntt_forward(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order) {
    return transform(ctx, &data, 1, log_n, NTT_FORWARD, order, NULL, 0);
}

int ntt_inverse(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order) {
    return transform(ctx, &data, 1, log_n, NTT_INVERSE, order, NULL, 0);
}

int ntt_coset_forward(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order,
                      const fr_t *shift) {
    fr_t g;
    if (!shift) {
        ntt_snarkjs_shift(&g, log_n <= NTT_MAX_LOG ? log_n : NTT_MAX_LOG);
        shift = &g;
    }
    return transform(ctx, &data, 1, log_n, NTT_FORWARD, order, shift, 0);
}

int ntt_coset_inverse(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order,
                      const fr_t *shift) {
    fr_t g;
    if (!shift) {
        ntt_snarkjs_shift(&g, log_n <= NTT_MAX_LOG ? log_n : NTT_MAX_LOG);
        shift = &g;
    }
    return transform(ctx, &data, 1, log_n, NTT_INVERSE, order, shift, 0);
}

int ntt_coset_extend(ntt_ctx_t *ctx, fr_t *const *data, size_t count, unsigned log_n,
                     const fr_t *shift) {
    fr_t g;
    if (!shift) {
        ntt_snarkjs_shift(&g, log_n <= NTT_MAX_LOG ? log_n : NTT_MAX_LOG);
        shift = &g;
    }
    return transform(ctx, data, count, log_n, NTT_FORWARD, NTT_NN, shift, 1);
}
