/* curve.h: the face of the curve room. BN254's G1 (y^2 = x^3 + 3 over Fq) and G2 (the D-type twist
 * y^2 = x^3 + 3/(9+u) over Fq2) in affine, Jacobian and XYZZ form, batch-affine addition, scalar
 * multiplication, membership checks, the GLV endomorphism, and the optimal ate pairing. */
#ifndef ZBP_CURVE_H
#define ZBP_CURVE_H

#include <stddef.h>
#include <stdint.h>

#include "curve/tower.h"
#include "field/field.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- representations ----------------------------------------------------------------------------
 * affine   (x, y); the point at infinity is x = y = 0, which is not on either curve. This is the
 *          byte layout of a .zkey point section (little-endian Montgomery limbs), so zkey points
 *          are used in place.
 * Jacobian (X, Y, Z) for (X/Z^2, Y/Z^3); infinity has Z = 0.
 * XYZZ     (X, Y, ZZ, ZZZ) for (X/ZZ, Y/ZZZ) with ZZ^3 = ZZZ^2; infinity has ZZ = ZZZ = 0. Its
 *          additions cost a few more products than Jacobian's but its doubling-free mixed add is
 *          the cheapest general accumulator (8M + 2S), which is what Pippenger's buckets need. */
typedef struct { fq_t x, y; } g1_affine_t;
typedef struct { fq_t x, y, z; } g1_jac_t;
typedef struct { fq_t x, y, zz, zzz; } g1_xyzz_t;
typedef struct { fq2_t x, y; } g2_affine_t;
typedef struct { fq2_t x, y, z; } g2_jac_t;
typedef struct { fq2_t x, y, zz, zzz; } g2_xyzz_t;

ZBP_INTERNAL extern const g1_affine_t G1_GENERATOR;
ZBP_INTERNAL extern const g2_affine_t G2_GENERATOR;

/* ---- the group operations, the same for G1 and G2 (G = g1 or g2, F = fq_t or fq2_t) ---------------
 * Outputs come first and may alias inputs. The naming rule of the whole library: no suffix means
 * constant time (no branch or memory access depends on the values), `_vartime` means the run time
 * depends on the data. The formulas below branch on whether an input is the identity or on
 * P == ±Q (the exceptional cases), so they are all _vartime; the predicates (is_infinity, equal,
 * is_on_curve) and conversions from affine answer about public points. Only G_mul is for secrets.
 *
 *   G_affine_is_infinity(a), G_affine_set_infinity(a), G_affine_neg(r, a), G_affine_equal(a, b)
 *   G_affine_is_on_curve(a)       1 if y^2 = x^3 + b or a is the identity
 *   G_jac_set_infinity(r), G_jac_is_infinity(a), G_jac_from_affine(r, a), G_jac_neg(r, a)
 *   G_jac_equal(a, b)             1 when both stand for the same point
 *   G_jac_dbl_vartime(r, a)               2M + 5S
 *   G_jac_add_vartime(r, a, b)            11M + 5S; handles a = b (doubles), a = -b and identities
 *   G_jac_add_affine_vartime(r, a, b)     mixed, 7M + 4S; b may be the affine identity
 *   G_jac_to_affine_vartime(r, a)         one inversion
 *   G_jac_batch_to_affine_vartime(r, a, n, scratch)   one inversion for n points; scratch: n F elements
 *   G_xyzz_set_infinity(r), G_xyzz_is_infinity(a), G_xyzz_from_affine(r, a)
 *   G_xyzz_dbl_vartime(r, a)              6M + 3S;   G_xyzz_dbl_affine_vartime(r, a): 4M + 2S (doubles an affine point)
 *   G_xyzz_add_vartime(r, a, b)           12M + 2S; G_xyzz_add_affine_vartime(r, a, b): 8M + 2S
 *   G_xyzz_to_jac_vartime(r, a), G_xyzz_to_affine_vartime(r, a)
 *   G_xyzz_batch_to_affine_vartime(r, a, n, scratch)  scratch: n F elements
 *
 * Batch-affine addition, one shared inversion for n independent sums (about 5M + 1S + n^-1 of an
 * inversion per sum): the MSM's bucket accumulation.
 *   G_batch_add_affine_vartime(out, a, b, n, scratch)
 *       out[i] = a[i] + b[i]; out may equal a or b (the same index only). Handles a[i] = b[i]
 *       (doubling), a[i] = -b[i] (the identity) and identity inputs. scratch: n F elements.
 *   G_batch_add_affine_ptr_vartime(acc, add, neg, n, scratch)
 *       *acc[i] += neg && neg[i] ? -*add[i] : *add[i], in place, through pointers (buckets and
 *       points gathered without copying). The acc[i] must be distinct from each other and from
 *       every add[j] with j != i. neg may be NULL. scratch: n F elements.
 *
 * Scalar multiplication; scalars are 4 little-endian limbs of a canonical integer (any value
 * below 2^256, not reduced mod r: multiplying by r itself gives the identity).
 *   G_mul_vartime(r, p, k)        width-5 wNAF with an affine table; for public scalars
 *   G_mul(r, p, k)                Montgomery ladder over all 256 bits with complete projective
 *                                 formulas and masked swaps: no branch or memory access depends on
 *                                 k or p. For secret scalars (the proof's r and s).
 */
#define ZBP_CURVE_DECLARE(G, F)                                                                    \
    int G##_affine_is_infinity(const G##_affine_t *a);                                             \
    void G##_affine_set_infinity(G##_affine_t *r);                                                 \
    void G##_affine_neg(G##_affine_t *r, const G##_affine_t *a);                                   \
    int G##_affine_equal(const G##_affine_t *a, const G##_affine_t *b);                            \
    int G##_affine_is_on_curve(const G##_affine_t *a);                                             \
    void G##_jac_set_infinity(G##_jac_t *r);                                                       \
    int G##_jac_is_infinity(const G##_jac_t *a);                                                   \
    void G##_jac_from_affine(G##_jac_t *r, const G##_affine_t *a);                                 \
    void G##_jac_neg(G##_jac_t *r, const G##_jac_t *a);                                            \
    int G##_jac_equal(const G##_jac_t *a, const G##_jac_t *b);                                     \
    void G##_jac_dbl_vartime(G##_jac_t *r, const G##_jac_t *a);                                    \
    void G##_jac_add_vartime(G##_jac_t *r, const G##_jac_t *a, const G##_jac_t *b);                \
    void G##_jac_add_affine_vartime(G##_jac_t *r, const G##_jac_t *a, const G##_affine_t *b);      \
    void G##_jac_to_affine_vartime(G##_affine_t *r, const G##_jac_t *a);                           \
    void G##_jac_batch_to_affine_vartime(G##_affine_t *r, const G##_jac_t *a, size_t n, F *scratch);\
    void G##_xyzz_set_infinity(G##_xyzz_t *r);                                                     \
    int G##_xyzz_is_infinity(const G##_xyzz_t *a);                                                 \
    void G##_xyzz_from_affine(G##_xyzz_t *r, const G##_affine_t *a);                               \
    void G##_xyzz_dbl_vartime(G##_xyzz_t *r, const G##_xyzz_t *a);                                 \
    void G##_xyzz_dbl_affine_vartime(G##_xyzz_t *r, const G##_affine_t *a);                        \
    void G##_xyzz_add_vartime(G##_xyzz_t *r, const G##_xyzz_t *a, const G##_xyzz_t *b);            \
    void G##_xyzz_add_affine_vartime(G##_xyzz_t *r, const G##_xyzz_t *a, const G##_affine_t *b);   \
    void G##_xyzz_to_jac_vartime(G##_jac_t *r, const G##_xyzz_t *a);                               \
    void G##_xyzz_to_affine_vartime(G##_affine_t *r, const G##_xyzz_t *a);                         \
    void G##_xyzz_batch_to_affine_vartime(G##_affine_t *r, const G##_xyzz_t *a, size_t n, F *scratch);\
    void G##_batch_add_affine_vartime(G##_affine_t *out, const G##_affine_t *a,                    \
                                      const G##_affine_t *b, size_t n, F *scratch);                \
    void G##_batch_add_affine_ptr_vartime(G##_affine_t *const *acc, const G##_affine_t *const *add,\
                                          const uint8_t *neg, size_t n, F *scratch);               \
    void G##_mul_vartime(G##_jac_t *r, const G##_jac_t *p, const uint64_t k[4]);                   \
    void G##_mul(G##_jac_t *r, const G##_jac_t *p, const uint64_t k[4]);

ZBP_CURVE_DECLARE(g1, fq_t)
ZBP_CURVE_DECLARE(g2, fq2_t)
#undef ZBP_CURVE_DECLARE

/* ---- G1 extras: the GLV endomorphism ----------------------------------------------------------------
 * phi(x, y) = (beta x, y) with beta a cube root of unity in Fq; on G1 it equals [lambda]. */
void g1_jac_endo(g1_jac_t *r, const g1_jac_t *a);
/* k = k1 + k2 lambda (mod r) with k1 = (neg1 ? -1 : 1) mag1, likewise k2, and mag1, mag2 < 2^128.
 * k is any integer below 2^256 (reduced mod r first). Constant time. */
void g1_glv_split(uint64_t mag1[2], int *neg1, uint64_t mag2[2], int *neg2, const uint64_t k[4]);
/* k P through the split: two interleaved 128-bit wNAF chains, about half the doublings. P must be
 * in G1 (all points on the curve are: G1's cofactor is 1). */
void g1_mul_glv_vartime(g1_jac_t *r, const g1_jac_t *p, const uint64_t k[4]);

/* ---- G2 extras ------------------------------------------------------------------------------------ */
/* psi = twist^-1 o Frobenius o twist, an endomorphism of the twist that acts on G2 as [q]. */
void g2_jac_psi(g2_jac_t *r, const g2_jac_t *a);
/* Membership in the order-r subgroup: psi(Q) == [6x^2]Q, one 127-bit multiplication instead of a
 * multiplication by r. The identity is a member. a must be on the curve (checked: 0 if not). */
int g2_affine_in_subgroup_vartime(const g2_affine_t *a);
/* G1's cofactor is 1: on the curve means in the subgroup. */
static inline int g1_affine_in_subgroup(const g1_affine_t *a) { return g1_affine_is_on_curve(a); }

/* ---- encodings ---------------------------------------------------------------------------------------
 * zkey form: 64 (G1) or 128 (G2) bytes: x, y (x.c0, x.c1, y.c0, y.c1) as 32-byte little-endian
 * Montgomery integers; all-zero bytes is the identity. Decoding rejects coordinates >= q
 * (ZBP_ERR_RANGE) and points off the curve (ZBP_ERR_INPUT); G2 decoding also checks the subgroup.
 * Encoding writes the same form. */
ZBP_MUST_USE zbp_status g1_affine_from_zkey(g1_affine_t *r, const uint8_t in[64]);
ZBP_MUST_USE zbp_status g2_affine_from_zkey(g2_affine_t *r, const uint8_t in[128]);
void g1_affine_to_zkey(uint8_t out[64], const g1_affine_t *a);
void g2_affine_to_zkey(uint8_t out[128], const g2_affine_t *a);
/* Decimal form, as in snarkjs JSON: x, y (and z) as decimal strings of canonical integers, Fq2 as
 * [c0, c1]. z = 1 means affine, z = 0 the identity, any other z Jacobian (x/z^2, y/z^3), exactly as
 * snarkjs reads them. Lengths are the strings' lengths. Results are checked for being on the curve
 * (ZBP_ERR_INPUT) but not for G2 membership; a number >= q is ZBP_ERR_RANGE. */
ZBP_MUST_USE
zbp_status g1_affine_from_dec(g1_affine_t *r, const char *x, size_t xl, const char *y, size_t yl,
                       const char *z, size_t zl);
ZBP_MUST_USE
zbp_status g2_affine_from_dec(g2_affine_t *r, const char *const s[6], const size_t len[6]);
/* x.c0, x.c1, y.c0, y.c1 (or x, y) as decimal strings; the identity as snarkjs writes it:
 * ("0", "1", z = "0") in G1 and ((0,0), (1,0), z = (0,0)) in G2. *z_is_one tells which z to write. */
void g1_affine_to_dec(char x[80], char y[80], int *z_is_one, const g1_affine_t *a);
void g2_affine_to_dec(char out[4][80], int *z_is_one, const g2_affine_t *a);

/* ---- the optimal ate pairing ------------------------------------------------------------------------
 * e(P, Q) = (f_{6x+2,Q}(P) l_{[6x+2]Q, psi(Q)}(P) l_{.., -psi^2(Q)}(P))^(m (q^12-1)/r) with the fixed
 * m = 2x(6x^2 + 3x + 1) (coprime to r): the exponent of the fast BN hard part (Fuentes-Castaneda,
 * Knapp, Rodriguez-Henriquez) and the very value snarkjs computes, so results match snarkjs's GT
 * elements (vk_alphabeta_12). Q must be in G2 and P in G1 (the caller checks membership);
 * identity inputs give 1. Work is on public data: no effort at constant time. */
void pairing_miller_loop(fq12_t *f, const g1_affine_t *p, const g2_affine_t *q, size_t n);
void pairing_final_exp(fq12_t *r, const fq12_t *f);
void pairing(fq12_t *r, const g1_affine_t *p, const g2_affine_t *q);
/* prod e(p[i], q[i]): one shared Miller loop (one squaring chain for all pairs) and one final
 * exponentiation. Returns 1 when the product is 1 in the check form. */
void pairing_multi(fq12_t *r, const g1_affine_t *p, const g2_affine_t *q, size_t n);
int pairing_product_is_one(const g1_affine_t *p, const g2_affine_t *q, size_t n);

#ifdef __cplusplus
}
#endif

#endif
