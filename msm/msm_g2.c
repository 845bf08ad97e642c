/* msm_g2.c: the MSM on G2: the engine of msm_impl.h over Fq2 (no endomorphism split: psi acts as
 * [q], whose short decomposition needs four 64-bit parts; left for later, see msm/README.md). */
#include "msm/msm.h"

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
