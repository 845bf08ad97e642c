/* g1.c: G1 = E(Fq), y^2 = x^3 + 3: the shared formulas of point_impl.h over Fq, and the GLV
 * endomorphism with its scalar decomposition and two-chain multiplication. */
#include "curve/curve.h"

#include "curve/constants.h"

static const fq_t G1_B = G1_B_INIT, G1_B3 = G1_B3_INIT;
const g1_affine_t G1_GENERATOR = {G1_GEN_X_INIT, G1_GEN_Y_INIT};

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
#define F_ZERO_V FQ_ZERO
#define F_ONE_V FQ_ONE
#define CURVE_B (&G1_B)
#define CURVE_B3 (&G1_B3)
#include "curve/point_impl.h"

/* ---- GLV ------------------------------------------------------------------------------------------ */

static const fq_t GLV_BETA = GLV_BETA_INIT;

void g1_jac_endo(g1_jac_t *r, const g1_jac_t *a) {
    fq_mul(&r->x, &a->x, &GLV_BETA);
    r->y = a->y;
    r->z = a->z;
}

/* r[0..na+nb) = a * b, schoolbook. */
static void mul_limbs(uint64_t *r, const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
    for (size_t i = 0; i < na + nb; i++) r[i] = 0;
    for (size_t i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < nb; j++) {
            zbp_u128 t = (zbp_u128)a[i] * b[j] + r[i + j] + carry;
            r[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        r[i + nb] = carry;
    }
}

/* acc (5 limbs, two's complement) -= (neg ? -1 : 1) * x * y, x and y of 2 limbs each. neg is a
 * sign of the lattice basis, a public constant, so the branch says nothing about the scalar. */
static void acc_sub_product(uint64_t acc[5], const uint64_t x[2], const uint64_t y[2], int neg) {
    uint64_t p[4];
    mul_limbs(p, x, 2, y, 2);
    unsigned char c = 0;
    if (neg) {
        for (int i = 0; i < 4; i++) c = ZBP_ADC(c, acc[i], p[i], &acc[i]);
        (void)ZBP_ADC(c, acc[4], 0, &acc[4]);
    } else {
        for (int i = 0; i < 4; i++) c = ZBP_SBB(c, acc[i], p[i], &acc[i]);
        (void)ZBP_SBB(c, acc[4], 0, &acc[4]);
    }
}

void g1_glv_split(uint64_t mag1[2], int *neg1, uint64_t mag2[2], int *neg2, const uint64_t k_in[4]) {
    static const uint64_t G1c[3] = GLV_G1_INIT, G2c[3] = GLV_G2_INIT;
    static const uint64_t A1[2] = GLV_A1_ABS_INIT, B1[2] = GLV_B1_ABS_INIT;
    static const uint64_t A2[2] = GLV_A2_ABS_INIT, B2[2] = GLV_B2_ABS_INIT;
    uint64_t k[4] = {k_in[0], k_in[1], k_in[2], k_in[3]};
    /* k < 2^256 < 6r: five masked conditional subtractions reduce it below r. */
    for (int round = 0; round < 5; round++) {
        uint64_t d[4];
        unsigned char b = 0;
        for (int i = 0; i < 4; i++) b = ZBP_SBB(b, k[i], FR_MODULUS[i], &d[i]);
        uint64_t keep = 0 - (uint64_t)b; /* borrow: k < r, keep k */
        for (int i = 0; i < 4; i++) k[i] = (k[i] & keep) | (d[i] & ~keep);
    }
    uint64_t t[7], c1[2], c2[2];
    mul_limbs(t, k, 4, G1c, 3);
    c1[0] = t[4];
    c1[1] = t[5];
    mul_limbs(t, k, 4, G2c, 3);
    c2[0] = t[4];
    c2[1] = t[5];
    /* k1 = k - c1 A1 - c2 A2 and k2 = -c1 B1 - c2 B2, with c_i = s_i |c_i|. (k1, k2) is
     * (beta1 - c1) v1 + (beta2 - c2) v2 for the exact rational coordinates beta_i of (k, 0) in the
     * basis, and the truncated G_i keep |beta_i - c_i| < 1.25, so |k1|, |k2| < 1.25 (|A1| + |A2|)
     * < 2^127.2: the low two limbs of each magnitude are all of it. */
    uint64_t a1[5] = {k[0], k[1], k[2], k[3], 0}, a2[5] = {0, 0, 0, 0, 0};
    acc_sub_product(a1, c1, A1, GLV_G1_NEG ^ GLV_A1_NEG);
    acc_sub_product(a1, c2, A2, GLV_G2_NEG ^ GLV_A2_NEG);
    acc_sub_product(a2, c1, B1, GLV_G1_NEG ^ GLV_B1_NEG);
    acc_sub_product(a2, c2, B2, GLV_G2_NEG ^ GLV_B2_NEG);
    uint64_t *acc[2] = {a1, a2};
    uint64_t *mag[2] = {mag1, mag2};
    int *neg[2] = {neg1, neg2};
    for (int j = 0; j < 2; j++) {
        uint64_t s = acc[j][4] >> 63, m = 0 - s;
        unsigned char c = (unsigned char)s; /* |x| = (x ^ m) + s */
        uint64_t lo, hi;
        c = ZBP_ADC(c, acc[j][0] ^ m, 0, &lo);
        (void)ZBP_ADC(c, acc[j][1] ^ m, 0, &hi);
        mag[j][0] = lo;
        mag[j][1] = hi;
        *neg[j] = (int)s;
    }
}

void g1_mul_glv_vartime(g1_jac_t *r, const g1_jac_t *p, const uint64_t k[4]) {
    if (g1_jac_is_infinity(p)) {
        g1_jac_set_infinity(r);
        return;
    }
    uint64_t m1[2], m2[2];
    int n1, n2;
    g1_glv_split(m1, &n1, m2, &n2, k);
    g1_affine_t t1[8], t2[8];
    g1_odd_multiples(t1, p);
    for (int i = 0; i < 8; i++) {
        fq_mul(&t2[i].x, &t1[i].x, &GLV_BETA); /* phi on the table: one product per entry */
        t2[i].y = t1[i].y;
        if (n1) g1_affine_neg(&t1[i], &t1[i]);
        if (n2) g1_affine_neg(&t2[i], &t2[i]);
    }
    int8_t d1[260], d2[260];
    const uint64_t k1[4] = {m1[0], m1[1], 0, 0}, k2[4] = {m2[0], m2[1], 0, 0};
    int l1 = g1_wnaf(d1, k1, 5), l2 = g1_wnaf(d2, k2, 5);
    int len = l1 > l2 ? l1 : l2;
    g1_jac_t acc;
    g1_affine_t neg;
    g1_jac_set_infinity(&acc);
    for (int i = len - 1; i >= 0; i--) {
        g1_jac_dbl_vartime(&acc, &acc);
        int a = i < l1 ? d1[i] : 0, b = i < l2 ? d2[i] : 0;
        if (a > 0) g1_jac_add_affine_vartime(&acc, &acc, &t1[a >> 1]);
        if (a < 0) {
            g1_affine_neg(&neg, &t1[(-a) >> 1]);
            g1_jac_add_affine_vartime(&acc, &acc, &neg);
        }
        if (b > 0) g1_jac_add_affine_vartime(&acc, &acc, &t2[b >> 1]);
        if (b < 0) {
            g1_affine_neg(&neg, &t2[(-b) >> 1]);
            g1_jac_add_affine_vartime(&acc, &acc, &neg);
        }
    }
    *r = acc;
}
