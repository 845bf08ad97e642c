/* msm_avx512.c: the MSM's batch-affine additions on G1 and G2 fused into two passes of IFMA code.
 *
 * The array kernel in msm_g1.c calls one fq_*_batch function per field operation: every call
 * transposes its operands into limb vectors, re-cuts them into 52-bit limbs, and undoes both on
 * the way out, and the ten arrays it streams through do not fit in L1. Here the values of a block
 * of 8 pairs stay in registers from one operation to the next, and only what the second pass
 * needs is kept, already transposed and cut:
 *
 *   pass 1, per block:  d = x2 - x1, n = y2 - y1, s = x1 + x2 (64-bit limb vectors, mod p);
 *                       pre = chain;  chain *= d            (8 chains of 8 lanes, interleaved)
 *   the 64 chain ends are inverted together (msm_fq_vec_inv: one field inversion);
 *   pass 2, backwards:  1/d = cinv pre;  cinv *= d;  lambda = n / d;
 *                       x3 = lambda^2 - s;  y3 = lambda (x1 - x3) - y1.
 *
 * Six Montgomery products per addition, as before. Radix (field_avx512.c): a 5x52-bit product
 * divides by 2^260 where the library's Montgomery form has 2^256, so one operand of every product
 * is cut as 16a (a cut with a 4-bit shift: free when the value is converted from 64-bit limbs
 * anyway): d and n are cut that way, pre is stored that way, and lambda is re-cut once (from52 and
 * a shifted cut, about ten instructions, against ~130 for a product). With one operand below 16p
 * and the other below p the product's output is below 2p before its final subtraction, so every
 * value stays canonical and the 64-bit subtractions need one conditional correction each.
 *
 * Preconditions (the caller, msm_g1.c, settles every exceptional pair in its gather loop and
 * sends batches with doublings to the array kernel): m is a multiple of 8, no x1 equals its x2,
 * every value is canonical. Outputs go to x2 and y2. Only called after cpuid reported IFMA. */
#include "field/field_avx512_impl.h"
#include "msm/msm_internal.h"

#define G1F_CHAINS 8 /* vector chains of the shared inversion: 64 products in flight */

/* What pass 2 needs of one block of 8 pairs, in limb vectors (27 zmm). */
typedef struct {
    __m512i d16[5], n16[5], pre16[5]; /* 52-bit limbs of 16 d, 16 n, 16 pre */
    __m512i s[4], x1[4], y1[4];       /* 64-bit limbs */
} g1f_block_t;

size_t msm_g1_ifma_work_bytes(size_t m) {
    return 64 + (m / 8) * sizeof(g1f_block_t) + (16 * G1F_CHAINS + 8 * G1F_CHAINS + 576) * sizeof(fq_t);
}

/* The inversion chains of both kernels: nc vector chains start at one; after pass 1 their ends
 * are inverted together (msm_fq_vec_inv: one field inversion for 8 nc values) and cut back into
 * 52-bit limbs for pass 2. ends needs room for msm_fq_vec_inv's padding. */
static inline __attribute__((always_inline)) void fk_chain_init(__m512i (*chain)[5], size_t nc,
                                                                const int v2) {
    __m512i one[4];
    ZBP512_UNROLL
    for (int j = 0; j < 4; j++) one[j] = _mm512_set1_epi64((long long)zbp_fq_mont.one[j]);
    for (size_t k = 0; k < nc; k++) ZBP512_TO52(chain[k], one, 0, v2);
}

static inline __attribute__((always_inline)) void fk_chain_invert(__m512i (*cinv)[5],
                                                                  __m512i (*chain)[5], size_t nc,
                                                                  fq_t *ends, fq_t *einv,
                                                                  fq_t *iw, const int v2) {
    __m512i v[4];
    for (size_t q = 0; q < nc; q++) {
        zbp512_from52(v, chain[q], v2);
        zbp512_store8((uint64_t *)(ends + 8 * q), v);
    }
    msm_fq_vec_inv(einv, ends, 8 * nc, iw);
    for (size_t q = 0; q < nc; q++) {
        zbp512_load8(v, (const uint64_t *)(einv + 8 * q));
        ZBP512_TO52(cinv[q], v, 0, v2);
    }
}

/* Pass 2's step back along the chains for blocks b+nb-1 down to b (the higher block first: it is
 * the later chain step): pre[q] is block q's chain prefix and d[q] the value it multiplied into its
 * chain (both cut as 16a); inv[q] = 1/d[q], and the chain's running inverse loses the block. */
static inline __attribute__((always_inline)) void fk_chain_pop(__m512i (*inv)[5], __m512i (*pre)[5],
                                                               __m512i (*d)[5], __m512i (*cinv)[5],
                                                               size_t *k, size_t nc,
                                                               const zbp512_consts_t *c,
                                                               const int nb) {
    __m512i ci[2][5];
    size_t kk[2];
    ZBP512_UNROLL
    for (int q = nb - 1; q >= 0; q--) {
        kk[q] = *k;
        *k = *k ? *k - 1 : nc - 1;
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) ci[q][j] = cinv[kk[q]][j];
    }
    zbp512_mm(inv, pre, ci, c, nb); /* 1/d */
    zbp512_mm(ci, d, ci, c, nb);    /* the chain without this block */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) cinv[kk[q]][j] = ci[q][j];
    }
}

/* Pass 1 on blocks b .. b+nb-1: differences and sum, the chains' prefixes, the chain products. */
static inline __attribute__((always_inline)) void g1f_pass1(const fq_t *x2, const fq_t *y2,
                                                            const fq_t *x1, const fq_t *y1,
                                                            g1f_block_t *wb,
                                                            __m512i (*chain)[5], size_t *k,
                                                            size_t nc, size_t b,
                                                            const zbp512_consts_t *c, const int v2,
                                                            const int nb) {
    __m512i d16[2][5], ch[2][5], v[4];
    size_t kk[2];
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        g1f_block_t *w = &wb[b + q];
        __m512i a[4], u[4], d[4];
        zbp512_load8(a, (const uint64_t *)(x1 + 8 * (b + q)));
        zbp512_load8(u, (const uint64_t *)(x2 + 8 * (b + q)));
        zbp512_submod(d, u, a, c);
        ZBP512_TO52(d16[q], d, 4, v2);
        zbp512_addmod(w->s, a, u, c);
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) w->d16[j] = d16[q][j];
        ZBP512_UNROLL
        for (int j = 0; j < 4; j++) w->x1[j] = a[j];
        zbp512_load8(a, (const uint64_t *)(y1 + 8 * (b + q)));
        zbp512_load8(u, (const uint64_t *)(y2 + 8 * (b + q)));
        zbp512_submod(d, u, a, c);
        ZBP512_TO52(w->n16, d, 4, v2);
        ZBP512_UNROLL
        for (int j = 0; j < 4; j++) w->y1[j] = a[j];
        kk[q] = *k;
        *k = *k + 1 == nc ? 0 : *k + 1;
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) ch[q][j] = chain[kk[q]][j];
        zbp512_from52(v, ch[q], v2);
        ZBP512_TO52(w->pre16, v, 4, v2);
    }
    zbp512_mm(ch, d16, ch, c, nb);
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) chain[kk[q]][j] = ch[q][j];
    }
}

/* Pass 2 on blocks b+nb-1 down to b: the inverses, lambda, x3 and y3. */
static inline __attribute__((always_inline)) void g1f_pass2(fq_t *x2, fq_t *y2,
                                                            const g1f_block_t *wb,
                                                            __m512i (*cinv)[5], size_t *k,
                                                            size_t nc, size_t b,
                                                            const zbp512_consts_t *c, const int v2,
                                                            const int nb) {
    __m512i pre[2][5], d16[2][5], n16[2][5], inv[2][5], lam[2][5], lam16[2][5], t52[2][5], v[4],
        x3[2][4], t[4], y3[4];
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g1f_block_t *w = &wb[b + q];
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) {
            pre[q][j] = w->pre16[j];
            d16[q][j] = w->d16[j];
            n16[q][j] = w->n16[j];
        }
    }
    fk_chain_pop(inv, pre, d16, cinv, k, nc, c, nb);
    zbp512_mm(lam, n16, inv, c, nb);  /* lambda = n/d */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        zbp512_from52(v, lam[q], v2);
        ZBP512_TO52(lam16[q], v, 4, v2);
    }
    zbp512_mm(t52, lam16, lam, c, nb); /* lambda^2 */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g1f_block_t *w = &wb[b + q];
        zbp512_from52(v, t52[q], v2);
        zbp512_submod(x3[q], v, w->s, c);
        zbp512_submod(t, w->x1, x3[q], c);
        ZBP512_TO52(t52[q], t, 0, v2);
    }
    zbp512_mm(t52, lam16, t52, c, nb); /* lambda (x1 - x3) */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g1f_block_t *w = &wb[b + q];
        zbp512_from52(v, t52[q], v2);
        zbp512_submod(y3, v, w->y1, c);
        zbp512_store8((uint64_t *)(x2 + 8 * (b + q)), x3[q]);
        zbp512_store8((uint64_t *)(y2 + 8 * (b + q)), y3);
    }
}

static inline __attribute__((always_inline)) void g1f_run(fq_t *x2, fq_t *y2, const fq_t *x1,
                                                          const fq_t *y1, size_t m,
                                                          g1f_block_t *wb, fq_t *ends,
                                                          fq_t *einv, fq_t *iw, const int v2) {
    zbp512_consts_t c;
    zbp512_consts(&c, &zbp_fq_mont);
    const size_t nblk = m / 8, nc = nblk < G1F_CHAINS ? nblk : G1F_CHAINS;
    __m512i chain[G1F_CHAINS][5], cinv[G1F_CHAINS][5];
    fk_chain_init(chain, nc, v2);

    /* pass 1, two blocks at a time (consecutive blocks are on different chains) */
    size_t b = 0, k = 0;
    for (; b + 2 <= nblk; b += 2) g1f_pass1(x2, y2, x1, y1, wb, chain, &k, nc, b, &c, v2, 2);
    if (b < nblk) g1f_pass1(x2, y2, x1, y1, wb, chain, &k, nc, b, &c, v2, 1);
    fk_chain_invert(cinv, chain, nc, ends, einv, iw, v2);

    /* pass 2, from the last block: each chain's inverse is peeled back one factor per block */
    k = (nblk - 1) % nc;
    b = nblk;
    if (nblk & 1) {
        b--;
        g1f_pass2(x2, y2, wb, cinv, &k, nc, b, &c, v2, 1);
    }
    while (b) {
        b -= 2;
        g1f_pass2(x2, y2, wb, cinv, &k, nc, b, &c, v2, 2);
    }
}

void msm_g1_ifma_add(fq_t *x2, fq_t *y2, const fq_t *x1, const fq_t *y1, size_t m, void *work) {
    if (m == 0) return;
    g1f_block_t *wb = (g1f_block_t *)(((uintptr_t)work + 63) & ~(uintptr_t)63);
    fq_t *ends = (fq_t *)(void *)(wb + m / 8), *einv = ends + 16 * G1F_CHAINS; /* ends: padding room */
    fq_t *iw = einv + 8 * G1F_CHAINS;
    if (zbp512_have_vbmi2())
        g1f_run(x2, y2, x1, y1, m, wb, ends, einv, iw, 1);
    else
        g1f_run(x2, y2, x1, y1, m, wb, ends, einv, iw, 0);
}

/* ---- G2: the same two passes over Fq2 ---------------------------------------------------------------
 * Every Fq2 value is two Fq limb vectors. The shared inversion goes through norms,
 * 1/(a + bu) = (a - bu)/(a^2 + b^2), so the chains multiply Fq norms; products by Karatsuba
 * (3 Fq products), lambda^2 as (a + b)(a - b) + 2ab u. 15 Fq products per addition:
 *   pass 1:  d = x2 - x1, n = y2 - y1, s = x1 + x2;  N = da^2 + db^2;  pre = chain;  chain *= N
 *   pass 2:  1/N = cinv pre;  cinv *= N;  u = d/N (two products);  lambda = n conj(u)-wise (3);
 *            lambda^2 (2);  x3 = lambda^2 - s;  y3 = lambda (x1 - x3) - y1 (3). */

typedef struct {
    __m512i d16a[5], d16b[5], n16a[5], n16b[5], n16s[5], nrm16[5], pre16[5]; /* 52-bit cuts, x16 */
    __m512i x1a[4], x1b[4], y1a[4], y1b[4], sa[4], sb[4];                  /* 64-bit limbs */
} g2f_block_t;

size_t msm_g2_ifma_work_bytes(size_t m) {
    return 64 + (m / 8) * sizeof(g2f_block_t) + (16 * G1F_CHAINS + 8 * G1F_CHAINS + 576) * sizeof(fq_t);
}

#define G2F_LOAD(v, arr, blk) zbp512_load8((v), (const uint64_t *)((arr) + 8 * (blk)))

/* Pass 1 on blocks b .. b+nb-1 (component arrays: 0 x1a, 1 x1b, 2 y1a, 3 y1b, 4 x2a, 5 x2b, 6 y2a,
 * 7 y2b). */
static inline __attribute__((always_inline)) void g2f_pass1(fq_t *const *A, g2f_block_t *wb,
                                                            __m512i (*chain)[5], size_t *k,
                                                            size_t nc, size_t b,
                                                            const zbp512_consts_t *c, const int v2,
                                                            const int nb) {
    __m512i sq0[2][5], sq1[2][5], sq2[2][5], sq3[2][5], ch[2][5], nrm[2][5], v[4], w4[4];
    size_t kk[2];
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        g2f_block_t *w = &wb[b + q];
        __m512i x1[4], x2[4], d[4];
        /* real parts */
        G2F_LOAD(x1, A[0], b + q);
        G2F_LOAD(x2, A[4], b + q);
        zbp512_submod(d, x2, x1, c);
        ZBP512_TO52(w->d16a, d, 4, v2);
        ZBP512_TO52(sq1[q], d, 0, v2);
        zbp512_addmod(w->sa, x1, x2, c);
        ZBP512_UNROLL
        for (int j = 0; j < 4; j++) w->x1a[j] = x1[j];
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) sq0[q][j] = w->d16a[j];
        /* imaginary parts */
        G2F_LOAD(x1, A[1], b + q);
        G2F_LOAD(x2, A[5], b + q);
        zbp512_submod(d, x2, x1, c);
        ZBP512_TO52(w->d16b, d, 4, v2);
        ZBP512_TO52(sq3[q], d, 0, v2);
        zbp512_addmod(w->sb, x1, x2, c);
        ZBP512_UNROLL
        for (int j = 0; j < 4; j++) w->x1b[j] = x1[j];
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) sq2[q][j] = w->d16b[j];
        /* n = y2 - y1 and na + nb */
        __m512i na[4], nbv[4];
        G2F_LOAD(x1, A[2], b + q);
        G2F_LOAD(x2, A[6], b + q);
        zbp512_submod(na, x2, x1, c);
        ZBP512_UNROLL
        for (int j = 0; j < 4; j++) w->y1a[j] = x1[j];
        G2F_LOAD(x1, A[3], b + q);
        G2F_LOAD(x2, A[7], b + q);
        zbp512_submod(nbv, x2, x1, c);
        ZBP512_UNROLL
        for (int j = 0; j < 4; j++) w->y1b[j] = x1[j];
        ZBP512_TO52(w->n16a, na, 4, v2);
        ZBP512_TO52(w->n16b, nbv, 4, v2);
        zbp512_addmod(d, na, nbv, c);
        ZBP512_TO52(w->n16s, d, 4, v2);
    }
    zbp512_mm(sq0, sq0, sq1, c, nb); /* da^2 */
    zbp512_mm(sq2, sq2, sq3, c, nb); /* db^2 */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        g2f_block_t *w = &wb[b + q];
        zbp512_from52(v, sq0[q], v2);
        zbp512_from52(w4, sq2[q], v2);
        zbp512_addmod(v, v, w4, c);
        ZBP512_TO52(nrm[q], v, 4, v2);
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) w->nrm16[j] = nrm[q][j];
        kk[q] = *k;
        *k = *k + 1 == nc ? 0 : *k + 1;
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) ch[q][j] = chain[kk[q]][j];
        zbp512_from52(v, ch[q], v2);
        ZBP512_TO52(w->pre16, v, 4, v2);
    }
    zbp512_mm(ch, nrm, ch, c, nb);
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) chain[kk[q]][j] = ch[q][j];
    }
}

/* Pass 2 on blocks b+nb-1 down to b; x3 into A[4], A[5], y3 into A[6], A[7]. */
static inline __attribute__((always_inline)) void g2f_pass2(fq_t *const *A, const g2f_block_t *wb,
                                                            __m512i (*cinv)[5], size_t *k,
                                                            size_t nc, size_t b,
                                                            const zbp512_consts_t *c, const int v2,
                                                            const int nb) {
    __m512i o[2][5], p[2][5], r[2][5], inv[2][5], u0[2][5], u1[2][5], t0[2][5], t1[2][5],
        t2[2][5], la16[2][5], ls16[2][5], e0[2][5], e1[2][5], v[4], w4[4], la[2][4], lb[2][4];
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g2f_block_t *w = &wb[b + q];
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) {
            o[q][j] = w->pre16[j];
            p[q][j] = w->nrm16[j];
        }
    }
    fk_chain_pop(inv, o, p, cinv, k, nc, c, nb); /* inv = 1/N */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g2f_block_t *w = &wb[b + q];
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) {
            o[q][j] = w->d16a[j];
            p[q][j] = w->d16b[j];
        }
    }
    zbp512_mm(u0, o, inv, c, nb); /* 1/d = u0 - u1 u */
    zbp512_mm(u1, p, inv, c, nb);
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g2f_block_t *w = &wb[b + q];
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) {
            o[q][j] = w->n16a[j];
            p[q][j] = w->n16b[j];
            r[q][j] = w->n16s[j];
        }
        zbp512_from52(v, u0[q], v2);
        zbp512_from52(w4, u1[q], v2);
        zbp512_submod(v, v, w4, c);
        ZBP512_TO52(e0[q], v, 0, v2); /* u0 - u1 */
    }
    zbp512_mm(t0, o, u0, c, nb); /* na u0 */
    zbp512_mm(t1, p, u1, c, nb); /* nb u1 */
    zbp512_mm(t2, r, e0, c, nb); /* (na + nb)(u0 - u1) */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        /* la = na u0 + nb u1, lb = (na + nb)(u0 - u1) - na u0 + nb u1 */
        __m512i a0[4], a1[4], a2[4];
        zbp512_from52(a0, t0[q], v2);
        zbp512_from52(a1, t1[q], v2);
        zbp512_from52(a2, t2[q], v2);
        zbp512_addmod(la[q], a0, a1, c);
        zbp512_submod(a2, a2, a0, c);
        zbp512_addmod(lb[q], a2, a1, c);
        zbp512_addmod(v, la[q], lb[q], c);
        ZBP512_TO52(ls16[q], v, 4, v2);     /* 16 (la + lb) */
        zbp512_submod(v, la[q], lb[q], c);
        ZBP512_TO52(e0[q], v, 0, v2);       /* la - lb */
        ZBP512_TO52(la16[q], la[q], 4, v2); /* 16 la */
        ZBP512_TO52(e1[q], lb[q], 0, v2);   /* lb */
    }
    zbp512_mm(t0, ls16, e0, c, nb); /* (la + lb)(la - lb): lambda^2's real part */
    zbp512_mm(t1, la16, e1, c, nb); /* la lb: half its imaginary part */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g2f_block_t *w = &wb[b + q];
        __m512i x3a[4], x3b[4], ta[4], tb[4];
        zbp512_from52(v, t0[q], v2);
        zbp512_submod(x3a, v, w->sa, c);
        zbp512_from52(v, t1[q], v2);
        zbp512_addmod(v, v, v, c);
        zbp512_submod(x3b, v, w->sb, c);
        zbp512_store8((uint64_t *)(A[4] + 8 * (b + q)), x3a);
        zbp512_store8((uint64_t *)(A[5] + 8 * (b + q)), x3b);
        zbp512_submod(ta, w->x1a, x3a, c);
        zbp512_submod(tb, w->x1b, x3b, c);
        ZBP512_TO52(e0[q], ta, 0, v2);
        ZBP512_TO52(e1[q], tb, 0, v2);
        zbp512_addmod(v, ta, tb, c);
        ZBP512_TO52(u0[q], v, 0, v2); /* ta + tb */
    }
    zbp512_mm(t0, la16, e0, c, nb); /* la ta */
    zbp512_mm(t2, ls16, u0, c, nb); /* (la + lb)(ta + tb) */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        __m512i lb16[5];
        ZBP512_TO52(lb16, lb[q], 4, v2);
        ZBP512_UNROLL
        for (int j = 0; j < 5; j++) o[q][j] = lb16[j];
    }
    zbp512_mm(t1, o, e1, c, nb); /* lb tb */
    ZBP512_UNROLL
    for (int q = 0; q < nb; q++) {
        const g2f_block_t *w = &wb[b + q];
        __m512i a0[4], a1[4], a2[4], y[4];
        zbp512_from52(a0, t0[q], v2);
        zbp512_from52(a1, t1[q], v2);
        zbp512_from52(a2, t2[q], v2);
        zbp512_submod(y, a0, a1, c); /* la ta - lb tb */
        zbp512_submod(y, y, w->y1a, c);
        zbp512_store8((uint64_t *)(A[6] + 8 * (b + q)), y);
        zbp512_submod(a2, a2, a0, c);
        zbp512_submod(a2, a2, a1, c); /* la tb + lb ta */
        zbp512_submod(y, a2, w->y1b, c);
        zbp512_store8((uint64_t *)(A[7] + 8 * (b + q)), y);
    }
}

static inline __attribute__((always_inline)) void g2f_run(fq_t *const *A, size_t m,
                                                          g2f_block_t *wb, fq_t *ends, fq_t *einv,
                                                          fq_t *iw, const int v2) {
    zbp512_consts_t c;
    zbp512_consts(&c, &zbp_fq_mont);
    const size_t nblk = m / 8, nc = nblk < G1F_CHAINS ? nblk : G1F_CHAINS;
    __m512i chain[G1F_CHAINS][5], cinv[G1F_CHAINS][5];
    fk_chain_init(chain, nc, v2);
    size_t b = 0, k = 0;
    for (; b + 2 <= nblk; b += 2) g2f_pass1(A, wb, chain, &k, nc, b, &c, v2, 2);
    if (b < nblk) g2f_pass1(A, wb, chain, &k, nc, b, &c, v2, 1);
    fk_chain_invert(cinv, chain, nc, ends, einv, iw, v2);
    k = (nblk - 1) % nc;
    b = nblk;
    if (nblk & 1) {
        b--;
        g2f_pass2(A, wb, cinv, &k, nc, b, &c, v2, 1);
    }
    while (b) {
        b -= 2;
        g2f_pass2(A, wb, cinv, &k, nc, b, &c, v2, 2);
    }
}

void msm_g2_ifma_add(fq_t *const *A, size_t m, void *work) {
    if (m == 0) return;
    g2f_block_t *wb = (g2f_block_t *)(((uintptr_t)work + 63) & ~(uintptr_t)63);
    fq_t *ends = (fq_t *)(void *)(wb + m / 8), *einv = ends + 16 * G1F_CHAINS;
    fq_t *iw = einv + 8 * G1F_CHAINS;
    if (zbp512_have_vbmi2())
        g2f_run(A, m, wb, ends, einv, iw, 1);
    else
        g2f_run(A, m, wb, ends, einv, iw, 0);
}
