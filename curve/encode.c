/* encode.c: G1 and G2 points in snarkjs's two encodings: the zkey's little-endian Montgomery bytes
 * (all zeros for the identity) and JSON's decimal strings with a z coordinate. */
#include <string.h>

#include "curve/curve.h"

/* A zkey coordinate is the raw Montgomery limbs: load them and require them below q, which makes
 * the representation canonical. */
static int load_mont(fq_t *r, const uint8_t in[32]) {
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        for (int j = 7; j >= 0; j--) v = (v << 8) | in[8 * i + j];
        r->l[i] = v;
    }
    for (int i = 3; i >= 0; i--) {
        if (r->l[i] < FQ_MODULUS[i]) return ZBP_OK;
        if (r->l[i] > FQ_MODULUS[i]) return ZBP_ERR_RANGE;
    }
    return ZBP_ERR_RANGE; /* equal to q */
}

static void store_mont(uint8_t out[32], const fq_t *a) {
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[8 * i + j] = (uint8_t)(a->l[i] >> (8 * j));
}

zbp_status g1_affine_from_zkey(g1_affine_t *r, const uint8_t in[64]) {
    int st;
    if ((st = load_mont(&r->x, in)) != ZBP_OK || (st = load_mont(&r->y, in + 32)) != ZBP_OK) return st;
    return g1_affine_is_on_curve(r) ? ZBP_OK : ZBP_ERR_INPUT;
}

zbp_status g2_affine_from_zkey(g2_affine_t *r, const uint8_t in[128]) {
    int st;
    if ((st = load_mont(&r->x.c0, in)) != ZBP_OK || (st = load_mont(&r->x.c1, in + 32)) != ZBP_OK ||
        (st = load_mont(&r->y.c0, in + 64)) != ZBP_OK || (st = load_mont(&r->y.c1, in + 96)) != ZBP_OK)
        return st;
    return g2_affine_in_subgroup_vartime(r) ? ZBP_OK : ZBP_ERR_INPUT;
}

void g1_affine_to_zkey(uint8_t out[64], const g1_affine_t *a) {
    store_mont(out, &a->x);
    store_mont(out + 32, &a->y);
}

void g2_affine_to_zkey(uint8_t out[128], const g2_affine_t *a) {
    store_mont(out, &a->x.c0);
    store_mont(out + 32, &a->x.c1);
    store_mont(out + 64, &a->y.c0);
    store_mont(out + 96, &a->y.c1);
}

zbp_status g1_affine_from_dec(g1_affine_t *r, const char *xs, size_t xl, const char *ys, size_t yl,
                       const char *zs, size_t zl) {
    fq_t x, y, z;
    int st;
    if ((st = fq_from_dec(&x, xs, xl)) != ZBP_OK || (st = fq_from_dec(&y, ys, yl)) != ZBP_OK ||
        (st = fq_from_dec(&z, zs, zl)) != ZBP_OK)
        return st;
    if (fq_is_zero(&z)) {
        g1_affine_set_infinity(r);
        return ZBP_OK;
    }
    g1_jac_t j = {x, y, z};
    g1_jac_to_affine_vartime(r, &j); /* z = 1 costs one inversion of 1; not worth a special case */
    return g1_affine_is_on_curve(r) && !g1_affine_is_infinity(r) ? ZBP_OK : ZBP_ERR_INPUT;
}

zbp_status g2_affine_from_dec(g2_affine_t *r, const char *const s[6], const size_t len[6]) {
    fq_t v[6];
    for (int i = 0; i < 6; i++) {
        int st = fq_from_dec(&v[i], s[i], len[i]);
        if (st != ZBP_OK) return st;
    }
    g2_jac_t j = {{v[0], v[1]}, {v[2], v[3]}, {v[4], v[5]}};
    if (g2_jac_is_infinity(&j)) {
        g2_affine_set_infinity(r);
        return ZBP_OK;
    }
    g2_jac_to_affine_vartime(r, &j);
    return g2_affine_is_on_curve(r) && !g2_affine_is_infinity(r) ? ZBP_OK : ZBP_ERR_INPUT;
}

void g1_affine_to_dec(char x[80], char y[80], int *z_is_one, const g1_affine_t *a) {
    if (g1_affine_is_infinity(a)) {
        strcpy(x, "0");
        strcpy(y, "1");
        *z_is_one = 0;
        return;
    }
    fq_to_dec(x, &a->x);
    fq_to_dec(y, &a->y);
    *z_is_one = 1;
}

void g2_affine_to_dec(char out[4][80], int *z_is_one, const g2_affine_t *a) {
    if (g2_affine_is_infinity(a)) {
        strcpy(out[0], "0");
        strcpy(out[1], "0");
        strcpy(out[2], "1");
        strcpy(out[3], "0");
        *z_is_one = 0;
        return;
    }
    fq_to_dec(out[0], &a->x.c0);
    fq_to_dec(out[1], &a->x.c1);
    fq_to_dec(out[2], &a->y.c0);
    fq_to_dec(out[3], &a->y.c1);
    *z_is_one = 1;
}
