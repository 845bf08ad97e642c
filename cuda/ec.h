/* ec.h: BN254 G1 and G2 points for the GPU backend (affine in zkey form, XYZZ accumulators), host
 * and device code alike; the formulas live once in ec_impl.h. */
#ifndef ZBP_CUDA_EC_H
#define ZBP_CUDA_EC_H

#include "cuda/ff.h"

/* The layouts of curve/'s g1_affine_t, g1_xyzz_t, g2_affine_t and g2_xyzz_t. */
typedef struct { zc_fq_t x, y; } zc_g1_affine_t;
typedef struct { zc_fq_t x, y, zz, zzz; } zc_g1_xyzz_t;
typedef struct { zc_fq2_t x, y; } zc_g2_affine_t;
typedef struct { zc_fq2_t x, y, zz, zzz; } zc_g2_xyzz_t;

#define ZC_G zc_g1
#define ZC_F zc_fq_t
#define ZC_F_ADD zc_fq_add
#define ZC_F_SUB zc_fq_sub
#define ZC_F_DBL zc_fq_dbl
#define ZC_F_NEG zc_fq_neg
#define ZC_F_MUL zc_fq_mul
#define ZC_F_SQR zc_fq_sqr
#define ZC_F_IS_ZERO zc_fq_is_zero
#define ZC_F_SET_ONE zc_fq_set_one
#define ZC_F_SET_ZERO zc_fq_set_zero
#include "cuda/ec_impl.h"
#undef ZC_G
#undef ZC_F
#undef ZC_F_ADD
#undef ZC_F_SUB
#undef ZC_F_DBL
#undef ZC_F_NEG
#undef ZC_F_MUL
#undef ZC_F_SQR
#undef ZC_F_IS_ZERO
#undef ZC_F_SET_ONE
#undef ZC_F_SET_ZERO

#define ZC_G zc_g2
#define ZC_F zc_fq2_t
#define ZC_F_ADD zc_fq2_add
#define ZC_F_SUB zc_fq2_sub
#define ZC_F_DBL zc_fq2_dbl
#define ZC_F_NEG zc_fq2_neg
#define ZC_F_MUL zc_fq2_mul
#define ZC_F_SQR zc_fq2_sqr
#define ZC_F_IS_ZERO zc_fq2_is_zero
#define ZC_F_SET_ONE zc_fq2_set_one
#define ZC_F_SET_ZERO zc_fq2_set_zero
#include "cuda/ec_impl.h"
#undef ZC_G
#undef ZC_F
#undef ZC_F_ADD
#undef ZC_F_SUB
#undef ZC_F_DBL
#undef ZC_F_NEG
#undef ZC_F_MUL
#undef ZC_F_SQR
#undef ZC_F_IS_ZERO
#undef ZC_F_SET_ONE
#undef ZC_F_SET_ZERO

#endif
