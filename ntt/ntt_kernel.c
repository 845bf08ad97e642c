/* ntt_kernel.c: the in-cache part of the transforms: radix-4 DIF and DIT stages over C
 * interleaved columns held in scratch, and the tables of their twiddles. */
#include <string.h>

#include "field/field_open.h"
#include "ntt/ntt_internal.h"

/* ---- stage twiddle tables -------------------------------------------------------------------- */

/* Radix-4 stages of a size-2^L transform have quarters q = 2^lq for lq = L−2, L−4, ... down to
 * 0 (L even) or 1 (L odd; the remaining radix-2 layer has only unit twiddles). */
static unsigned lq_min(unsigned L) { return L & 1u; }

size_t ntt_sub_elems(unsigned L, size_t C) {
    size_t e = 0;
    for (int lq = (int)L - 2; lq >= (int)lq_min(L); lq -= 2) e += 3 * ((size_t)1 << lq) * C;
    return e;
}

static void fill(fr_t *dst, const fr_t *v, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = *v;
}

void ntt_sub_build(ntt_sub_t *sub, unsigned L, size_t C, fr_t *mem0, fr_t *mem1) {
    memset(sub, 0, sizeof *sub);
    sub->L = L;
    sub->tw[0] = mem0;
    sub->tw[1] = mem1;
    if (L < 2) return;
    size_t off = 0;
    for (int lq = (int)L - 2; lq >= (int)lq_min(L); lq -= 2) {
        sub->off[lq] = off;
        off += 3 * ((size_t)1 << lq) * C;
    }
    for (int dir = 0; dir < 2; dir++) {
        for (int lq = (int)L - 2; lq >= (int)lq_min(L); lq -= 2) {
            size_t q = (size_t)1 << lq;
            fr_t *t1 = sub->tw[dir] + sub->off[lq], *t2 = t1 + q * C, *t3 = t2 + q * C;
            fr_t W, wj = FR_ONE, w2, w3;
            fr_root_of_unity(&W, (unsigned)lq + 2); /* ω_4q: snarkjs's root of that order */
            if (dir) fr_inv(&W, &W);
            for (size_t j = 0; j < q; j++) {
                fr_sqr(&w2, &wj);
                fr_mul(&w3, &w2, &wj);
                fill(t1 + j * C, &wj, C);
                fill(t2 + j * C, &w2, C);
                fill(t3 + j * C, &w3, C);
                fr_mul(&wj, &wj, &W);
            }
        }
    }
}

/* ---- radix-4 butterflies over runs of rows ------------------------------------------------------
 * x0..x3 are four runs of len elements (rows j, j+q, j+2q, j+3q of one group, for a chunk of j);
 * t1, t2, t3 the matching runs of W^j, W^2j, W^3j; w4 a run of ω₄. The first `skip` elements have
 * j = 0, where every W power is 1: their multiplications are skipped. */

/* DIF (Gentleman-Sande), natural in:
 *   z0 = (x0+x2) + (x1+x3)              z1 = ((x0+x2) − (x1+x3))·W^2j
 *   z2 = ((x0−x2) + ω₄(x1−x3))·W^j       z3 = ((x0−x2) − ω₄(x1−x3))·W^3j
 * stored at rows j, j+q, j+2q, j+3q: the two merged radix-2 layers leave them bit-reversed. */
static void dif4_vec(fr_t *x0, fr_t *x1, fr_t *x2, fr_t *x3, const fr_t *t1, const fr_t *t2,
                     const fr_t *t3, const fr_t *w4, fr_t *tmp, size_t len, size_t skip) {
    fr_sub_batch(tmp, x0, x2, len); /* x0 − x2 */
    fr_add_batch(x0, x0, x2, len);  /* x0 + x2 */
    fr_sub_batch(x2, x1, x3, len);  /* x1 − x3 */
    fr_add_batch(x1, x1, x3, len);  /* x1 + x3 */
    fr_mul_batch(x2, x2, w4, len);  /* ω₄(x1 − x3) */
    fr_sub_batch(x3, tmp, x2, len);
    fr_add_batch(x2, tmp, x2, len);
    fr_sub_batch(tmp, x0, x1, len);
    fr_add_batch(x0, x0, x1, len);
    memcpy(x1, tmp, skip * sizeof(fr_t));
    if (len > skip) {
        fr_mul_batch(x1 + skip, tmp + skip, t2 + skip, len - skip);
        fr_mul_batch(x2 + skip, x2 + skip, t1 + skip, len - skip);
        fr_mul_batch(x3 + skip, x3 + skip, t3 + skip, len - skip);
    }
}

/* On the ADX path the sums that only feed a product stay open (field/field_open.h). */
/* flatten: with the lazy loop beside the plain one gcc would call the product out of line. */
__attribute__((flatten)) static void dif4_scalar(fr_t *x0, fr_t *x1, fr_t *x2, fr_t *x3, const fr_t *t1, const fr_t *t2,
                        const fr_t *t3, const fr_t *w4, size_t len, size_t skip) {
    if (zbp_field_use_adx) {
        /* The same butterflies with the sums that feed a product left open (< 2p). */
        for (size_t i = 0; i < len; i++) {
            fr_t s0, d0, s1, d1;
            fr_add(&s0, &x0[i], &x2[i]);
            fr_sub(&d0, &x0[i], &x2[i]);
            fr_add(&s1, &x1[i], &x3[i]);
            fr_sub_open(&d1, &x1[i], &x3[i]);
            fr_mul(&d1, &d1, w4);
            fr_add(&x0[i], &s0, &s1);
            if (i >= skip) {
                fr_t u;
                fr_sub_open(&u, &s0, &s1);
                fr_mul(&x1[i], &u, &t2[i]);
                fr_add_open(&u, &d0, &d1);
                fr_mul(&x2[i], &u, &t1[i]);
                fr_sub_open(&u, &d0, &d1);
                fr_mul(&x3[i], &u, &t3[i]);
            } else {
                fr_sub(&x1[i], &s0, &s1);
                fr_add(&x2[i], &d0, &d1);
                fr_sub(&x3[i], &d0, &d1);
            }
        }
        return;
    }
    for (size_t i = 0; i < len; i++) {
        fr_t s0, d0, s1, d1;
        fr_add(&s0, &x0[i], &x2[i]);
        fr_sub(&d0, &x0[i], &x2[i]);
        fr_add(&s1, &x1[i], &x3[i]);
        fr_sub(&d1, &x1[i], &x3[i]);
        fr_mul(&d1, &d1, w4);
        fr_add(&x0[i], &s0, &s1);
        fr_sub(&x1[i], &s0, &s1);
        fr_add(&x2[i], &d0, &d1);
        fr_sub(&x3[i], &d0, &d1);
        if (i >= skip) {
            fr_mul(&x1[i], &x1[i], &t2[i]);
            fr_mul(&x2[i], &x2[i], &t1[i]);
            fr_mul(&x3[i], &x3[i], &t3[i]);
        }
    }
}

/* DIT (Cooley-Tukey), the transpose of the DIF butterfly: with a = x0, b = x1·W^2j, c = x2·W^j,
 * d = x3·W^3j:
 *   z0 = (a+b) + (c+d),  z1 = (a−b) + ω₄(c−d),  z2 = (a+b) − (c+d),  z3 = (a−b) − ω₄(c−d). */
static void dit4_vec(fr_t *x0, fr_t *x1, fr_t *x2, fr_t *x3, const fr_t *t1, const fr_t *t2,
                     const fr_t *t3, const fr_t *w4, fr_t *tmp, size_t len, size_t skip) {
    if (len > skip) {
        fr_mul_batch(x1 + skip, x1 + skip, t2 + skip, len - skip);
        fr_mul_batch(x2 + skip, x2 + skip, t1 + skip, len - skip);
        fr_mul_batch(x3 + skip, x3 + skip, t3 + skip, len - skip);
    }
    fr_sub_batch(tmp, x0, x1, len); /* a − b */
    fr_add_batch(x0, x0, x1, len);  /* a + b */
    fr_sub_batch(x1, x2, x3, len);  /* c − d */
    fr_add_batch(x2, x2, x3, len);  /* c + d */
    fr_mul_batch(x1, x1, w4, len);  /* ω₄(c − d) */
    fr_sub_batch(x3, tmp, x1, len);
    fr_add_batch(x1, tmp, x1, len);
    fr_sub_batch(tmp, x0, x2, len);
    fr_add_batch(x0, x0, x2, len);
    memcpy(x2, tmp, len * sizeof(fr_t));
}

__attribute__((flatten)) static void dit4_scalar(fr_t *x0, fr_t *x1, fr_t *x2, fr_t *x3, const fr_t *t1, const fr_t *t2,
                        const fr_t *t3, const fr_t *w4, size_t len, size_t skip) {
    const int lazy = zbp_field_use_adx; /* see field/field_open.h */
    for (size_t i = 0; i < len; i++) {
        fr_t a = x0[i], b = x1[i], c = x2[i], d = x3[i], s0, d0, s1, d1;
        if (i >= skip) {
            fr_mul(&b, &b, &t2[i]);
            fr_mul(&c, &c, &t1[i]);
            fr_mul(&d, &d, &t3[i]);
        }
        fr_add(&s0, &a, &b);
        fr_sub(&d0, &a, &b);
        fr_add(&s1, &c, &d);
        if (lazy)
            fr_sub_open(&d1, &c, &d);
        else
            fr_sub(&d1, &c, &d);
        fr_mul(&d1, &d1, w4);
        fr_add(&x0[i], &s0, &s1);
        fr_add(&x1[i], &d0, &d1);
        fr_sub(&x2[i], &s0, &s1);
        fr_sub(&x3[i], &d0, &d1);
    }
}

/* The radix-2 layer with half-size 1 (odd L): pairs of adjacent rows, unit twiddle, the same in
 * both directions. Additions only, so the scalar loop serves both paths. */
static void radix2_unit(fr_t *S, size_t m, size_t C) {
    for (size_t g = 0; g < m; g += 2) {
        fr_t *a = S + g * C, *b = a + C;
        for (size_t c = 0; c < C; c++) {
            fr_t s;
            fr_add(&s, &a[c], &b[c]);
            fr_sub(&b[c], &a[c], &b[c]);
            a[c] = s;
        }
    }
}

/* One radix-4 stage with quarter q over the whole block. Chunks of j run outermost so that one
 * chunk's twiddle rows serve every group while they are in L1. */
static void stage4(const ntt_plan_t *pl, const ntt_sub_t *sub, int dir, unsigned lq, fr_t *S,
                   fr_t *tmp, int vec, int dit) {
    size_t C = pl->C, m = (size_t)1 << sub->L, q = (size_t)1 << lq;
    size_t J = NTT_CHUNK / C;
    if (J > q) J = q;
    const fr_t *tw = sub->tw[dir] + sub->off[lq], *w4 = pl->w4x[dir];
    for (size_t j0 = 0; j0 < q; j0 += J) {
        size_t len = J * C, skip = j0 == 0 ? C : 0;
        const fr_t *t1 = tw + j0 * C, *t2 = t1 + q * C, *t3 = t2 + q * C;
        for (size_t g = 0; g < m; g += 4 * q) {
            fr_t *x0 = S + (g + j0) * C, *x1 = x0 + q * C, *x2 = x1 + q * C, *x3 = x2 + q * C;
            if (dit) {
                if (vec)
                    dit4_vec(x0, x1, x2, x3, t1, t2, t3, w4, tmp, len, skip);
                else
                    dit4_scalar(x0, x1, x2, x3, t1, t2, t3, w4, len, skip);
            } else {
                if (vec)
                    dif4_vec(x0, x1, x2, x3, t1, t2, t3, w4, tmp, len, skip);
                else
                    dif4_scalar(x0, x1, x2, x3, t1, t2, t3, w4, len, skip);
            }
        }
    }
}

void ntt_block_dif(const ntt_plan_t *pl, const ntt_sub_t *sub, int dir, fr_t *S, fr_t *tmp,
                   int vec) {
    unsigned L = sub->L;
    for (int lq = (int)L - 2; lq >= (int)lq_min(L); lq -= 2)
        stage4(pl, sub, dir, (unsigned)lq, S, tmp, vec, 0);
    if (L & 1u) radix2_unit(S, (size_t)1 << L, pl->C);
}

void ntt_block_dit(const ntt_plan_t *pl, const ntt_sub_t *sub, int dir, fr_t *S, fr_t *tmp,
                   int vec) {
    unsigned L = sub->L;
    if (L & 1u) radix2_unit(S, (size_t)1 << L, pl->C);
    for (unsigned lq = lq_min(L); lq + 2 <= L; lq += 2) stage4(pl, sub, dir, lq, S, tmp, vec, 1);
}
