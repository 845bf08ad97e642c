/* msm_g2.c: the MSM on G2: the engine of msm_impl.h over Fq2 (no endomorphism split: psi acts as
 * [q], whose short decomposition needs four 64-bit parts; left for later, see msm/README.md). */
#include <string.h>

#include "msm/msm.h"
#include "msm/msm_internal.h"

/* ---- the array kernel for the AVX-512 IFMA batch path ------------------------------------------
 * G1's array kernel (msm_g1.c) over Fq2, with every Fq2 array kept as two Fq component arrays so
 * that each Fq2 operation is a few fq_*_batch calls: products by Karatsuba (3 Fq products), squares
 * as (a+b)(a-b), 2ab (2), and the shared inversion through norms, 1/(a + bu) = (a - bu)/(a^2 + b^2),
 * so that only Fq values go through msm_fq_vec_inv. 15 Fq products per addition, 8 to an IFMA
 * vector, against the scalar kernel's 6 Fq2 products of 3 scalar Fq products each plus the Fq2
 * prefix chains. Exceptional pairs as in G1's kernel. */
enum { V_X1A, V_X1B, V_Y1A, V_Y1B, V_X2A, V_X2B, V_Y2A, V_Y2B, V_DA, V_DB, V_NA, V_NB, V_NRM, V_NINV,
       V_LA, V_LB, V_T0, V_T1, V_T2, V_T3, V_T4, V_MAP, V_NARR };
/* In Fq2 units (two Fq each): V_NARR arrays of cap Fq, the inversion's cap + 512, and the fused
 * kernel's 16 cap + 1536 (msm_g2_ifma_work_bytes: 472 bytes per pair and 25 KiB). */
#define MSM_VEC_SCRATCH(n) (((V_NARR + 17) * ((n) + 64) + 2048) / 2 + 1)

/* r = a b over component arrays (Karatsuba); r may not alias a or b; t: three cap arrays. */
static void g2v_mul(fq_t *ra, fq_t *rb, const fq_t *aa, const fq_t *ab, const fq_t *ba,
                    const fq_t *bb, size_t m, fq_t *t0, fq_t *t1, fq_t *t2) {
    fq_mul_batch(t0, aa, ba, m);          /* v0 */
    fq_mul_batch(t1, ab, bb, m);          /* v1 */
    fq_add_batch(ra, aa, ab, m);
    fq_add_batch(rb, ba, bb, m);
    fq_mul_batch(t2, ra, rb, m);          /* (a0 + a1)(b0 + b1) */
    fq_sub_batch(ra, t0, t1, m);          /* v0 - v1 (u^2 = -1) */
    fq_sub_batch(rb, t2, t0, m);
    fq_sub_batch(rb, rb, t1, m);          /* v2 - v0 - v1 */
}

static size_t g2_msm_vec_add(g2_affine_t *const *acc, g2_affine_t *add, size_t n, fq2_t *scr,
                             const uint8_t *endo) {
    (void)endo; /* G2 has no endomorphism split */
    const size_t cap = n + 64;
    fq_t *A[V_NARR];
    for (int k = 0; k < V_NARR; k++) A[k] = (fq_t *)(void *)scr + (size_t)k * cap;
    fq_t *work = A[V_NARR - 1] + cap;
    void *fused = work + cap + 512;
    uint32_t *map = (uint32_t *)(void *)A[V_MAP], *dbl = map + cap; /* 8 indices per element */
    size_t m = 0, nd = 0;
    for (size_t i = 0; i < n; i++) {
        g2_affine_t *a = acc[i];
        const g2_affine_t *b = &add[i];
        int ainf = fq2_is_zero(&a->x) & fq2_is_zero(&a->y), binf = fq2_is_zero(&b->x) & fq2_is_zero(&b->y);
        if (ainf | binf) {
            if (ainf) *a = *b;
            continue;
        }
        if (fq2_equal(&a->x, &b->x)) {
            if (!fq2_equal(&a->y, &b->y) || fq2_is_zero(&a->y)) {
                memset(a, 0, sizeof *a); /* P + (-P) */
                continue;
            }
            dbl[nd++] = (uint32_t)m;
        }
        A[V_X1A][m] = a->x.c0;
        A[V_X1B][m] = a->x.c1;
        A[V_Y1A][m] = a->y.c0;
        A[V_Y1B][m] = a->y.c1;
        A[V_X2A][m] = b->x.c0;
        A[V_X2B][m] = b->x.c1;
        A[V_Y2A][m] = b->y.c0;
        A[V_Y2B][m] = b->y.c1;
        map[m] = (uint32_t)i;
        m++;
    }
    if (!m) return 0;
    if (!nd) {
        /* No doubling (the common case): the fused kernel, padded to whole blocks of 8 with
         * harmless pairs (0, 0) + (1, 0). */
        size_t m8 = (m + 7) & ~(size_t)7;
        for (size_t k = m; k < m8; k++) {
            for (int j = 0; j < 8; j++) memset(&A[j][k], 0, sizeof(fq_t));
            A[V_X2A][k] = FQ_ONE;
        }
        MSM_CHECK((char *)fused + msm_g2_ifma_work_bytes(m8) <= (char *)(scr + MSM_VEC_SCRATCH(n)));
        msm_g2_ifma_add(A, m8, fused);
        goto scatter;
    }
    fq_sub_batch(A[V_DA], A[V_X2A], A[V_X1A], m);
    fq_sub_batch(A[V_DB], A[V_X2B], A[V_X1B], m);
    fq_sub_batch(A[V_NA], A[V_Y2A], A[V_Y1A], m);
    fq_sub_batch(A[V_NB], A[V_Y2B], A[V_Y1B], m);
    for (size_t k = 0; k < nd; k++) { /* doubling: lambda = 3 x^2 / 2 y */
        size_t j = dbl[k];
        fq2_t x = {A[V_X1A][j], A[V_X1B][j]}, y = {A[V_Y1A][j], A[V_Y1B][j]}, d, s, s2;
        fq2_dbl(&d, &y);
        fq2_sqr(&s, &x);
        fq2_dbl(&s2, &s);
        fq2_add(&s, &s2, &s);
        A[V_DA][j] = d.c0;
        A[V_DB][j] = d.c1;
        A[V_NA][j] = s.c0;
        A[V_NB][j] = s.c1;
    }
    /* 1/den = conj(den) / N(den): invert the norms (nonzero: den is). */
    fq_sqr_batch(A[V_T0], A[V_DA], m);
    fq_sqr_batch(A[V_T1], A[V_DB], m);
    fq_add_batch(A[V_NRM], A[V_T0], A[V_T1], m);
    msm_fq_vec_inv(A[V_NINV], A[V_NRM], m, work);
    fq_mul_batch(A[V_T3], A[V_DA], A[V_NINV], m); /* u0 */
    fq_mul_batch(A[V_T4], A[V_DB], A[V_NINV], m); /* u1: 1/den = u0 - u1 u */
    /* lambda = num (u0 - u1 u) = (na u0 + nb u1) + ((na + nb)(u0 - u1) - na u0 + nb u1) u */
    fq_mul_batch(A[V_T0], A[V_NA], A[V_T3], m);
    fq_mul_batch(A[V_T1], A[V_NB], A[V_T4], m);
    fq_add_batch(A[V_LA], A[V_NA], A[V_NB], m);
    fq_sub_batch(A[V_LB], A[V_T3], A[V_T4], m);
    fq_mul_batch(A[V_T2], A[V_LA], A[V_LB], m);
    fq_add_batch(A[V_LA], A[V_T0], A[V_T1], m);
    fq_add_batch(A[V_LB], A[V_T2], A[V_T1], m);
    fq_sub_batch(A[V_LB], A[V_LB], A[V_T0], m);
    /* lambda^2 = (la + lb)(la - lb) + 2 la lb u */
    fq_add_batch(A[V_T0], A[V_LA], A[V_LB], m);
    fq_sub_batch(A[V_T1], A[V_LA], A[V_LB], m);
    fq_mul_batch(A[V_T2], A[V_T0], A[V_T1], m);
    fq_mul_batch(A[V_T3], A[V_LA], A[V_LB], m);
    fq_add_batch(A[V_T3], A[V_T3], A[V_T3], m);
    /* x3 = lambda^2 - x1 - x2 (into X2), t = x1 - x3 */
    fq_sub_batch(A[V_T2], A[V_T2], A[V_X1A], m);
    fq_sub_batch(A[V_X2A], A[V_T2], A[V_X2A], m);
    fq_sub_batch(A[V_T3], A[V_T3], A[V_X1B], m);
    fq_sub_batch(A[V_X2B], A[V_T3], A[V_X2B], m);
    fq_sub_batch(A[V_DA], A[V_X1A], A[V_X2A], m);
    fq_sub_batch(A[V_DB], A[V_X1B], A[V_X2B], m);
    /* y3 = lambda t - y1 (into Y2) */
    g2v_mul(A[V_NA], A[V_NB], A[V_LA], A[V_LB], A[V_DA], A[V_DB], m, A[V_T0], A[V_T1], A[V_T2]);
    fq_sub_batch(A[V_Y2A], A[V_NA], A[V_Y1A], m);
    fq_sub_batch(A[V_Y2B], A[V_NB], A[V_Y1B], m);
scatter:
    for (size_t k = 0; k < m; k++) {
        g2_affine_t *a = acc[map[k]];
        a->x.c0 = A[V_X2A][k];
        a->x.c1 = A[V_X2B][k];
        a->y.c0 = A[V_Y2A][k];
        a->y.c1 = A[V_Y2B][k];
    }
    return m;
}

#define MSM_VEC_ADD(acc, add, n, scr, endo) g2_msm_vec_add((acc), (add), (n), (scr), (endo))
/* Asked once per task: zbp_field_select may change the path between calls (tests do). */
#define MSM_VEC_ON() (zbp_field_batch_isa() == ZBP_ISA_AVX512)

#define G g2
#define F fq2_t
#define F_ADD fq2_add
#define F_SUB fq2_sub
#define F_DBL fq2_dbl
#define F_NEG fq2_neg
#define F_MUL fq2_mul
#define F_SQR fq2_sqr
#define F_IS_ZERO fq2_is_zero
#define F_EQ fq2_equal
#define F_INV_VARTIME fq2_inv_vartime
#define F_ONE_V FQ2_ONE
#define MSM_GROUP 2
#include "msm/msm_impl.h"

int msm_g2(g2_jac_t *out, const g2_affine_t *points, const uint64_t (*scalars)[4], size_t n,
           const msm_opts_t *opts) {
    return g2_msm_run(out, points, scalars, n, opts);
}

int msm_table_g2_build(msm_table_t **out, const g2_affine_t *points, size_t n, size_t mem_budget,
                       int threads) {
    return g2_msm_table_build(out, points, n, mem_budget, threads);
}
