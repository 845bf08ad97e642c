/* msm_g1.c: the MSM on G1: the engine of msm_impl.h over Fq, with the GLV split (k = k1 + k2 lambda,
 * half-length scalars over the points and their images phi(P) = (beta x, y)). */
#include <pthread.h>
#include <string.h>

#include "msm/msm.h"

/* beta (phi's cube root of unity) read once through the curve room's face: phi(1, 1, 1) has x = beta. */
static fq_t msm_beta;
static pthread_once_t msm_beta_once = PTHREAD_ONCE_INIT;

static void msm_beta_init(void) {
    g1_jac_t one = {FQ_ONE, FQ_ONE, FQ_ONE}, r;
    g1_jac_endo(&r, &one);
    msm_beta = r.x;
}

/* ---- the array kernel for the AVX-512 IFMA batch path ------------------------------------------
 * The same batch-affine addition as msm_impl.h's scalar kernel, reorganised so that every product
 * is one of a few fq_mul_batch/fq_sqr_batch calls over arrays (8 products per IFMA vector, ~3.5x
 * the scalar multiplication's throughput here): Montgomery's trick over `ch` interleaved chains
 * (step s multiplies chain j by the denominator s ch + j: one batch call per step), the chains'
 * ends inverted together (fq_batch_inv), peeled back two batch calls per step, then the slopes,
 * their squares and the y products in three whole-array calls. Exceptional pairs (identities,
 * P = -Q) are settled in the gather loop, doublings take 3x^2 / 2y. */
#define MSM_VEC_SCRATCH(n) (11 * ((n) + 64))

static size_t g1_msm_vec_add(g1_affine_t *const *acc, const g1_affine_t *add, size_t n, fq_t *scr) {
    const size_t cap = n + 64;
    fq_t *den = scr, *pre = den + cap, *dinv = pre + cap, *x1 = dinv + cap, *y1 = x1 + cap;
    fq_t *x2 = y1 + cap, *num = x2 + cap, *lam = num + cap, *t = lam + cap;
    uint32_t *map = (uint32_t *)(void *)(t + cap); /* the last cap elements: 8 indices each */
    size_t m = 0;
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
            fq_dbl(&den[m], &a->y);
            fq_sqr(&num[m], &a->x);
            fq_t n2;
            fq_dbl(&n2, &num[m]);
            fq_add(&num[m], &num[m], &n2);
        } else {
            fq_sub(&den[m], &b->x, &a->x);
            fq_sub(&num[m], &b->y, &a->y);
        }
        x1[m] = a->x;
        y1[m] = a->y;
        x2[m] = b->x;
        map[m] = (uint32_t)i;
        m++;
    }
    if (!m) return 0;
    const size_t ch = m >= 256 ? 64 : m >= 64 ? 16 : 8, steps = (m + ch - 1) / ch;
    for (size_t k = m; k < steps * ch; k++) den[k] = FQ_ONE; /* padding: harmless factors */
    fq_t chain[64], cinv[64], tmp[64];
    for (size_t j = 0; j < ch; j++) chain[j] = FQ_ONE;
    for (size_t s = 0; s < steps; s++) {
        memcpy(pre + s * ch, chain, ch * sizeof(fq_t));
        fq_mul_batch(chain, chain, den + s * ch, ch);
    }
    /* The chains' ends inverted together: fq_batch_inv's inversion is the constant-time one
     * (Fermat, ~3x dearer); these values are public-by-design MSM data, so use binary Euclid. */
    tmp[0] = chain[0];
    for (size_t j = 1; j < ch; j++) fq_mul(&tmp[j], &tmp[j - 1], &chain[j]);
    fq_t inv;
    fq_inv_vartime(&inv, &tmp[ch - 1]);
    for (size_t j = ch - 1; j > 0; j--) {
        fq_mul(&cinv[j], &inv, &tmp[j - 1]);
        fq_mul(&inv, &inv, &chain[j]);
    }
    cinv[0] = inv;
    for (size_t s = steps; s-- > 0;) {
        fq_mul_batch(dinv + s * ch, cinv, pre + s * ch, ch);
        fq_mul_batch(cinv, cinv, den + s * ch, ch);
    }
    fq_mul_batch(lam, num, dinv, m);
    fq_sqr_batch(t, lam, m);
    for (size_t k = 0; k < m; k++) {
        fq_sub(&t[k], &t[k], &x1[k]);
        fq_sub(&x2[k], &t[k], &x2[k]); /* x3 */
        fq_sub(&t[k], &x1[k], &x2[k]);
    }
    fq_mul_batch(t, lam, t, m);
    for (size_t k = 0; k < m; k++) {
        g1_affine_t *a = acc[map[k]];
        a->x = x2[k];
        fq_sub(&a->y, &t[k], &y1[k]);
    }
    return m;
}

#define MSM_VEC_ADD(acc, add, n, scr) g1_msm_vec_add((acc), (add), (n), (scr))
/* Asked per batch (one load): zbp_field_select may change the path between calls (tests do). */
#define MSM_VEC_ON() (zbp_field_batch_isa() == ZBP_ISA_AVX512)

#define G g1
#define F fq_t
#define F_ADD fq_add
#define F_SUB fq_sub
#define F_DBL fq_dbl
#define F_NEG fq_neg
#define F_MUL fq_mul
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
