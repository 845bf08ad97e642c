/* ntt_internal.h: inside the ntt room. The per-size plan (the four-step split and its tables),
 * the context, and the in-cache kernels (ntt_kernel.c) that the passes (ntt.c) are built from. */
#ifndef ZBP_NTT_INTERNAL_H
#define ZBP_NTT_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "ntt/ntt.h"

/* Elements per batch call in the butterflies. Four data rows, a temporary, three twiddle rows
 * and the ω₄ row of this length are 9 × 4 KiB: they stay in L1 while a stage runs. */
#define NTT_CHUNK 128
/* Most interleaved columns in one block (a run of C elements shares one twiddle). */
#define NTT_CMAX 16

/* One sub-transform size 2^L, run on C interleaved columns (element k of column c at k·C + c).
 * tw[dir] holds, for each radix-4 stage with quarter q = 2^lq (at offset off[lq]), three rows
 * W^j, W^2j, W^3j for j < q (W = ω_4q, or its inverse for dir 1), each value repeated C times so
 * that a butterfly is one batch call over a run of rows. */
typedef struct {
    unsigned L;
    size_t off[NTT_MAX_LOG + 1];
    fr_t *tw[2];
} ntt_sub_t;

/* The four-step split of n = 2^k: an n1 × n2 row-major matrix (n1 = 2^k1 rows, n2 = 2^k2
 * columns). The column pass runs sub[0] (size n1) on blocks of C adjacent columns and multiplies
 * by the twiddles ω_n^(col·bitrev(row)); the row pass runs sub[1] (size n2) on blocks of C rows. */
typedef struct {
    unsigned k, k1, k2;
    size_t n1, n2, C;
    ntt_sub_t sub[2];
    fr_t *w4x[2]; /* ω₄ (dir 0) or ω₄⁻¹ (dir 1), NTT_CHUNK copies */
    fr_t *blk[2]; /* ω_n^(±b·C) for b < n2/C: each column block's first twiddle ratio */
    fr_t *wc[2];  /* ω_n^(±c) for c < C */
    fr_t inv_n;
    size_t bytes; /* everything the plan holds */
} ntt_plan_t;

/* One thread's scratch, carved from the context's scratch memory. */
typedef struct {
    fr_t *S;   /* the block being transformed: max(n1, n2)·C elements (≥ two bit-reversal tiles) */
    fr_t *P;   /* the column twiddles of one block: n1·C */
    fr_t *X;   /* a twiddle row repeated: n1/2·C */
    fr_t *tmp; /* butterfly temporary: NTT_CHUNK */
    fr_t *vec; /* small vectors: A, B and B^(2^t) for t < k1: (k1 + 2)·C */
} ntt_scratch_t;

struct ntt_ctx {
    pthread_mutex_t lock;
    int threads;
    size_t budget, held;
    ntt_plan_t *plans[NTT_MAX_LOG + 1];
    fr_t *scratch_mem;         /* scratch_threads × scratch_per_thread elements */
    size_t scratch_per_thread; /* elements */
    int scratch_threads;
    fr_t *call_mem; /* per-call tables (coset scaling): call_elems elements */
    size_t call_elems;
    char msg[256];
};

/* Kernels (ntt_kernel.c). `vec` selects batch calls on the vector field path over runs of C
 * elements; otherwise a fused scalar loop with the inline MULX/ADX (or portable) arithmetic. */
void ntt_block_dif(const ntt_plan_t *pl, const ntt_sub_t *sub, int dir, fr_t *S, fr_t *tmp,
                   int vec); /* natural in, bit-reversed out, C interleaved columns */
void ntt_block_dit(const ntt_plan_t *pl, const ntt_sub_t *sub, int dir, fr_t *S, fr_t *tmp,
                   int vec); /* bit-reversed in, natural out */
/* Builds sub->tw for size 2^L on C columns (memory from the caller: ntt_sub_elems(L, C) per
 * direction). */
size_t ntt_sub_elems(unsigned L, size_t C);
void ntt_sub_build(ntt_sub_t *sub, unsigned L, size_t C, fr_t *mem0, fr_t *mem1);

/* x reversed in its low `bits` bits. */
static inline size_t ntt_bitrev(size_t x, unsigned bits) {
    if (bits == 0) return 0;
    uint64_t v = x;
    v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
    v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
    v = __builtin_bswap64(v);
    return (size_t)(v >> (64 - bits));
}

#endif
