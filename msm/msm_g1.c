/* msm_g1.c: the MSM on G1: the engine of msm_impl.h over Fq, with the GLV split (k = k1 + k2 lambda,
 * half-length scalars over the points and their images phi(P) = (beta x, y)). */
#include <pthread.h>
#include <string.h>

#include "field/field_open.h"
#include "msm/msm.h"
#include "msm/msm_internal.h"

/* beta (phi's cube root of unity) read once through the curve room's face: phi(1, 1, 1) has x = beta. */
static fq_t msm_beta;
static pthread_once_t msm_beta_once = PTHREAD_ONCE_INIT;

static void msm_beta_init(void) {
    g1_jac_t one = {FQ_ONE, FQ_ONE, FQ_ONE}, r;
    g1_jac_endo(&r, &one);
    msm_beta = r.x;
}

/* ---- the array kernel for the AVX-512 IFMA batch path ------------------------------------------
 * The same batch-affine addition as msm_impl.h's scalar kernel, reorganised so that every field
 * operation on the common path is one of a few fq_*_batch calls over whole arrays (8 products per
 * IFMA vector, ~3.5x the scalar multiplication's throughput here; batch subtractions ~2x a scalar
 * one). The scalar work left per pair is the gather (copies and the exceptional-case tests) and the
 * scatter. phi's product beta x for the GLV images is applied here too, batched (the slots keep the
 * raw x and a flag), instead of one scalar product per gathered point. The shared inversion is a
 * vectorised Montgomery trick (msm_fq_vec_inv). Exceptional pairs (identities, P = -Q) are settled in
 * the gather loop; doublings take 3x^2 / 2y, patched in after the batch subtractions. */
#define MSM_VEC_SCRATCH(n) (21 * ((n) + 64) + 1536) /* the last 7 (n + 64) + 1024: the fused kernel's */

static size_t g1_msm_vec_add(g1_affine_t *const *acc, g1_affine_t *add, size_t n, fq_t *scr,
                             const uint8_t *endo) {
    const size_t cap = n + 64;
    fq_t *den = scr, *num = den + cap, *dinv = num + cap, *x1 = dinv + cap, *y1 = x1 + cap;
    fq_t *x2 = y1 + cap, *y2 = x2 + cap, *lam = y2 + cap, *t = lam + cap, *tx = t + cap;
    fq_t *beta = tx + cap;                          /* cap copies of beta, for the batch product */
    uint32_t *map = (uint32_t *)(void *)(beta + cap); /* 2 cap indices (8 per element)... */
    uint32_t *dbl = map + cap, *eix = dbl + cap;      /* ...doublings, phi images */
    fq_t *work = (fq_t *)(void *)(map + 8 * cap);     /* the inversion's: cap + 512 */
    void *fused = work + cap + 512;                   /* msm_g1_ifma_add's */
    if (endo) {
        size_t ne = 0;
        for (size_t i = 0; i < n; i++)
            if (endo[i]) {
                eix[ne] = (uint32_t)i;
                tx[ne++] = add[i].x;
            }
        if (ne) {
            for (size_t k = 0; k < ne; k++) beta[k] = msm_beta;
            fq_mul_batch(tx, tx, beta, ne);
            for (size_t k = 0; k < ne; k++) add[eix[k]].x = tx[k];
        }
    }
    size_t m = 0, nd = 0;
    for (size_t i = 0; i < n; i++) {
        g1_affine_t *a = acc[i];
        const g1_affine_t *b = &add[i];
        int ainf = fq_is_zero(&a->x) & fq_is_zero(&a->y), binf = fq_is_zero(&b->x) & fq_is_zero(&b->y);
        if (ainf | binf) {
            if (ainf) *a = *b;
            continue;
        }
        if (fq_equal(&a->x, &b->x)) {
            if (!fq_equal(&a->y, &b->y) || fq_is_zero(&a->y)) {
                memset(a, 0, sizeof *a); /* P + (-P) */
                continue;
            }
            dbl[nd++] = (uint32_t)m;
        }
        x1[m] = a->x;
        y1[m] = a->y;
        x2[m] = b->x;
        y2[m] = b->y;
        map[m] = (uint32_t)i;
        m++;
    }
    if (!m) return 0;
    if (!nd) {
        /* No doubling in the batch (the common case): the fused kernel, padded to whole blocks of
         * 8 with harmless pairs (0, 0) + (1, 0). */
        size_t m8 = (m + 7) & ~(size_t)7;
        for (size_t k = m; k < m8; k++) {
            memset(&x1[k], 0, sizeof(fq_t));
            memset(&y1[k], 0, sizeof(fq_t));
            x2[k] = FQ_ONE;
            memset(&y2[k], 0, sizeof(fq_t));
        }
        MSM_CHECK((char *)fused + msm_g1_ifma_work_bytes(m8) <= (char *)(scr + MSM_VEC_SCRATCH(n)));
        msm_g1_ifma_add(x2, y2, x1, y1, m8, fused);
        goto scatter;
    }
    fq_sub_batch(den, x2, x1, m);
    fq_sub_batch(num, y2, y1, m);
    for (size_t k = 0; k < nd; k++) { /* doubling: lambda = 3 x^2 / 2 y */
        size_t j = dbl[k];
        fq_t x2s, x2d;
        fq_dbl(&den[j], &y1[j]);
        fq_sqr(&x2s, &x1[j]);
        fq_dbl(&x2d, &x2s);
        fq_add(&num[j], &x2d, &x2s);
    }
    msm_fq_vec_inv(dinv, den, m, work);
    fq_mul_batch(lam, num, dinv, m);
    fq_sqr_batch(t, lam, m);
    fq_sub_batch(t, t, x1, m);
    fq_sub_batch(x2, t, x2, m);  /* x3 = lambda^2 - x1 - x2 */
    fq_sub_batch(t, x1, x2, m);
    fq_mul_batch(t, lam, t, m);
    fq_sub_batch(y2, t, y1, m);  /* y3 = lambda (x1 - x3) - y1 */
scatter:
    for (size_t k = 0; k < m; k++) {
        g1_affine_t *a = acc[map[k]];
        a->x = x2[k];
        a->y = y2[k];
    }
    return m;
}

#define MSM_VEC_ADD(acc, add, n, scr, endo) g1_msm_vec_add((acc), (add), (n), (scr), (endo))
/* Asked once per task: zbp_field_select may change the path between calls (tests do). */
#define MSM_VEC_ON() (zbp_field_batch_isa() == ZBP_ISA_AVX512)

#define G g1
#define F fq_t
#define F_ADD fq_add
#define F_SUB fq_sub
#define F_DBL fq_dbl
#define F_NEG fq_neg
#define F_MUL fq_mul
#define F_MUL_LAZY fq_mul_lazy
#define F_SUB_LAZY fq_sub_lazy
#define F_SQR fq_sqr
#define F_IS_ZERO fq_is_zero
#define F_EQ fq_equal
#define F_INV_VARTIME fq_inv_vartime
#define F_ONE_V FQ_ONE
#define MSM_GROUP 1
#define MSM_GLV_SPLIT(m1, n1, m2, n2, k) g1_glv_split((m1), (n1), (m2), (n2), (k))
#define MSM_ENDO_X(r, x) fq_mul((r), (x), &msm_beta)
#include "msm/msm_impl.h"

int msm_g1(g1_jac_t *out, const g1_affine_t *points, const uint64_t (*scalars)[4], size_t n,
           const msm_opts_t *opts) {
    pthread_once(&msm_beta_once, msm_beta_init);
    return g1_msm_run(out, points, scalars, n, opts);
}

int msm_table_g1_build(msm_table_t **out, const g1_affine_t *points, size_t n, size_t mem_budget,
                       int threads) {
    return g1_msm_table_build(out, points, n, mem_budget, threads);
}
