/* g2.c: G2 on the D-type twist y^2 = x^3 + 3/(9+u) over Fq2: the shared formulas of point_impl.h
 * over Fq2, the psi endomorphism and the subgroup check built on it. */
#include "curve/curve.h"

#include "curve/constants.h"

static const fq2_t G2_B = G2_B_INIT, G2_B3 = G2_B3_INIT;
const g2_affine_t G2_GENERATOR = {G2_GEN_X_INIT, G2_GEN_Y_INIT};

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
#define F_ZERO_V FQ2_ZERO
#define F_ONE_V FQ2_ONE
#define CURVE_B (&G2_B)
#define CURVE_B3 (&G2_B3)
#include "curve/point_impl.h"

static const fq2_t PSI_X = PSI_X_INIT, PSI_Y = PSI_Y_INIT;

/* On Jacobian coordinates psi is (conj(X) PSI_X, conj(Y) PSI_Y, conj(Z)): conjugation is a field
 * automorphism, so it commutes with the divisions by Z^2 and Z^3. */
void g2_jac_psi(g2_jac_t *r, const g2_jac_t *a) {
    fq2_conj(&r->x, &a->x);
    fq2_mul(&r->x, &r->x, &PSI_X);
    fq2_conj(&r->y, &a->y);
    fq2_mul(&r->y, &r->y, &PSI_Y);
    fq2_conj(&r->z, &a->z);
}

int g2_affine_in_subgroup_vartime(const g2_affine_t *a) {
    static const uint64_t k[4] = G2_SUBGROUP_K_INIT;
    if (!g2_affine_is_on_curve(a)) return 0;
    if (g2_affine_is_infinity(a)) return 1;
    g2_jac_t p, lhs, rhs;
    g2_jac_from_affine(&p, a);
    g2_jac_psi(&lhs, &p);
    g2_mul_vartime(&rhs, &p, k);
    return g2_jac_equal(&lhs, &rhs);
}
