/* verify.c: Groth16 verification as `snarkjs groth16 verify` does it, reading the same JSON files,
 * plus the checks snarkjs leaves out (G2 subgroup membership, the count of public signals). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"

/* A coordinate: a JSON string of decimal digits. */
static int dec_string(const json_t *v, const char **s, size_t *len) {
    return (*s = zbp_json_str(v, len)) != NULL;
}

/* Each coordinate must be a canonical decimal below q; says which one is not. */
static int check_numbers(const char *const *s, const size_t *l, size_t n, const char *name, char *err,
                         size_t errlen) {
    for (size_t i = 0; i < n; i++) {
        fq_t t;
        int st = fq_from_dec(&t, s[i], l[i]);
        if (st == ZBP_ERR_RANGE)
            return zbp_fail(err, errlen, st, "%s: coordinate %zu is not below the field modulus q", name, i);
        if (st != ZBP_OK)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: coordinate %zu is not a canonical decimal string", name, i);
    }
    return ZBP_OK;
}

/* G1 as [x, y] or [x, y, z]. */
static int read_g1(g1_affine_t *r, const json_t *v, const char *name, char *err, size_t errlen) {
    const char *s[3] = {NULL, NULL, "1"};
    size_t l[3] = {0, 0, 1};
    if (!v) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: missing", name);
    size_t nv = json_array_size(v);
    if (!json_is_array(v) || (nv != 2 && nv != 3))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: expected an array of 2 or 3 decimal strings", name);
    for (size_t i = 0; i < nv; i++)
        if (!dec_string(json_array_get(v, i), &s[i], &l[i]))
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s[%zu]: expected a decimal string", name, i);
    int st = check_numbers(s, l, (size_t)3, name, err, errlen);
    if (st != ZBP_OK) return st;
    if (g1_affine_from_dec(r, s[0], l[0], s[1], l[1], s[2], l[2]) != ZBP_OK)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: point is not on the curve G1", name);
    return ZBP_OK;
}

/* G2 as [[x0, x1], [y0, y1]] or with a third pair z; then checked to lie in G2. */
static int read_g2(g2_affine_t *r, const json_t *v, const char *name, char *err, size_t errlen) {
    const char *s[6] = {NULL, NULL, NULL, NULL, "1", "0"};
    size_t l[6] = {0, 0, 0, 0, 1, 1};
    if (!v) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: missing", name);
    size_t nv = json_array_size(v);
    if (!json_is_array(v) || (nv != 2 && nv != 3))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: expected an array of 2 or 3 pairs", name);
    for (size_t i = 0; i < nv; i++) {
        const json_t *pair = json_array_get(v, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s[%zu]: expected a pair [c0, c1]", name, i);
        for (size_t k = 0; k < 2; k++)
            if (!dec_string(json_array_get(pair, k), &s[2 * i + k], &l[2 * i + k]))
                return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s[%zu][%zu]: expected a decimal string",
                            name, i, k);
    }
    int st = check_numbers(s, l, (size_t)6, name, err, errlen);
    if (st != ZBP_OK) return st;
    if (g2_affine_from_dec(r, s, l) != ZBP_OK)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: point is not on the curve G2", name);
    if (!g2_affine_in_subgroup_vartime(r))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: point is on the twist but not in the subgroup G2",
                    name);
    return ZBP_OK;
}

/* snarkjs maps these names to its bn128 curve (getCurveFromName, case-insensitive). */
static int curve_name_ok(const json_t *v) {
    size_t n;
    const char *str = zbp_json_str(v, &n);
    if (!str || n > 16) return 0;
    char low[17];
    for (size_t i = 0; i <= n; i++) {
        char c = str[i];
        low[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    return !strcmp(low, "bn128") || !strcmp(low, "bn254") || !strcmp(low, "altbn128");
}

zbp_status groth16_vk_from_json(groth16_vk_t *vk, const json_t *root, char *err, size_t errlen) {
    memset(vk, 0, sizeof *vk);
    if (!json_is_object(root))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "expected a JSON object");
    const json_t *proto = json_object_get(root, "protocol");
    if (proto && !zbp_json_string_is(proto, "groth16"))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "protocol: expected \"groth16\"");
    const json_t *curve = json_object_get(root, "curve");
    if (curve && !curve_name_ok(curve))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "curve: expected \"bn128\"");
    uint64_t n_public;
    int st = zbp_json_get_u64(json_object_get(root, "nPublic"), &n_public);
    if (st != ZBP_OK)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "nPublic: missing or not a non-negative integer");
    const json_t *ic = json_object_get(root, "IC");
    if (!json_is_array(ic))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "IC: missing or not an array");
    if (json_array_size(ic) != n_public + 1)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "IC: has %zu points, nPublic + 1 = %llu expected",
                    json_array_size(ic), (unsigned long long)n_public + 1);
    if ((st = read_g1(&vk->alpha1, json_object_get(root, "vk_alpha_1"), "vk_alpha_1", err, errlen)) ||
        (st = read_g2(&vk->beta2, json_object_get(root, "vk_beta_2"), "vk_beta_2", err, errlen)) ||
        (st = read_g2(&vk->gamma2, json_object_get(root, "vk_gamma_2"), "vk_gamma_2", err, errlen)) ||
        (st = read_g2(&vk->delta2, json_object_get(root, "vk_delta_2"), "vk_delta_2", err, errlen)))
        return st;
    vk->ic = malloc(json_array_size(ic) * sizeof *vk->ic);
    if (!vk->ic) return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < json_array_size(ic); i++) {
        char name[32];
        snprintf(name, sizeof name, "IC[%zu]", i);
        if ((st = read_g1(&vk->ic[i], json_array_get(ic, i), name, err, errlen)) != ZBP_OK) {
            groth16_vk_free(vk);
            return st;
        }
    }
    vk->n_public = (size_t)n_public;
    return ZBP_OK;
}

void groth16_vk_free(groth16_vk_t *vk) {
    free(vk->ic);
    vk->ic = NULL;
    vk->n_public = 0;
}

zbp_status groth16_proof_from_json(groth16_proof_t *proof, const json_t *root, char *err, size_t errlen) {
    if (!json_is_object(root))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "expected a JSON object");
    const json_t *proto = json_object_get(root, "protocol");
    if (proto && !zbp_json_string_is(proto, "groth16"))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "protocol: expected \"groth16\"");
    const json_t *curve = json_object_get(root, "curve");
    if (curve && !curve_name_ok(curve))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "curve: expected \"bn128\"");
    int st;
    if ((st = read_g1(&proof->a, json_object_get(root, "pi_a"), "pi_a", err, errlen)) ||
        (st = read_g2(&proof->b, json_object_get(root, "pi_b"), "pi_b", err, errlen)) ||
        (st = read_g1(&proof->c, json_object_get(root, "pi_c"), "pi_c", err, errlen)))
        return st;
    return ZBP_OK;
}

zbp_status groth16_public_from_json(fr_t **pub, size_t *n, const json_t *root, char *err, size_t errlen) {
    *pub = NULL;
    *n = 0;
    if (!json_is_array(root))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "expected an array of decimal strings");
    size_t count = json_array_size(root);
    if (count == 0) return ZBP_OK;
    fr_t *v = malloc(count * sizeof *v);
    if (!v) return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++) {
        size_t sl;
        const char *s = zbp_json_str(json_array_get(root, i), &sl);
        int st = s ? fr_from_dec(&v[i], s, sl) : ZBP_ERR_INPUT;
        if (st != ZBP_OK) {
            free(v);
            return st == ZBP_ERR_RANGE
                       ? zbp_fail(err, errlen, st, "signal %zu: not below the scalar field modulus r", i)
                       : zbp_fail(err, errlen, ZBP_ERR_INPUT, "signal %zu: not a canonical decimal string", i);
        }
    }
    *pub = v;
    *n = count;
    return ZBP_OK;
}

zbp_status groth16_verify(const groth16_vk_t *vk, const groth16_proof_t *proof, const fr_t *pub, size_t n,
                   int *valid) {
    *valid = 0;
    if (n != vk->n_public) return ZBP_ERR_INPUT;
    /* cpub = IC_0 + sum pub_i IC_(i+1): public scalars, so GLV and variable time are fine */
    g1_jac_t acc, term;
    g1_jac_from_affine(&acc, &vk->ic[0]);
    for (size_t i = 0; i < n; i++) {
        uint64_t k[4];
        fr_from_mont(k, &pub[i]);
        g1_jac_from_affine(&term, &vk->ic[i + 1]);
        g1_mul_glv_vartime(&term, &term, k);
        g1_jac_add_vartime(&acc, &acc, &term);
    }
    g1_affine_t p[4];
    g2_affine_t q[4];
    g1_affine_neg(&p[0], &proof->a);
    q[0] = proof->b;
    g1_jac_to_affine_vartime(&p[1], &acc);
    q[1] = vk->gamma2;
    p[2] = proof->c;
    q[2] = vk->delta2;
    p[3] = vk->alpha1;
    q[3] = vk->beta2;
    *valid = pairing_product_is_one(p, q, 4);
    return ZBP_OK;
}

/* Reads a whole file (at most 64 MiB, the JSON limit). */
static int read_file(const char *path, char **data, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        if (cap >= (64u << 20)) {
            free(buf);
            fclose(f);
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: larger than 64 MiB", path);
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (!buf) {
        fclose(f);
        return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "%s: out of memory", path);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: read error", path);
    }
    *data = buf;
    *len = n;
    return ZBP_OK;
}

static int load_json(json_t **doc, const char *path, char *err, size_t errlen) {
    char *text = NULL;
    size_t len = 0;
    int st = read_file(path, &text, &len, err, errlen);
    if (st != ZBP_OK) return st;
    zbp_json_error_t je;
    st = zbp_json_parse(doc, text, len, NULL, &je);
    free(text);
    if (st != ZBP_OK)
        return zbp_fail(err, errlen, st, "%s: line %zu, column %zu: %s", path, je.line, je.column,
                    je.message);
    return ZBP_OK;
}

zbp_status groth16_verify_files(const char *vk_path, const char *public_path, const char *proof_path,
                         int *valid, char *err, size_t errlen) {
    json_t *dvk = NULL, *dpub = NULL, *dproof = NULL;
    groth16_vk_t vk = {0};
    groth16_proof_t proof;
    fr_t *pub = NULL;
    size_t n = 0;
    char what[200];
    int st;
    *valid = 0;
    if ((st = load_json(&dvk, vk_path, err, errlen)) != ZBP_OK) goto done;
    if ((st = groth16_vk_from_json(&vk, dvk, what, sizeof what)) != ZBP_OK) {
        zbp_fail(err, errlen, st, "%s: %s", vk_path, what);
        goto done;
    }
    if ((st = load_json(&dpub, public_path, err, errlen)) != ZBP_OK) goto done;
    if ((st = groth16_public_from_json(&pub, &n, dpub, what, sizeof what)) != ZBP_OK) {
        zbp_fail(err, errlen, st, "%s: %s", public_path, what);
        goto done;
    }
    if (n != vk.n_public) {
        st = zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: %zu public signals, the key's nPublic is %zu",
                  public_path, n, vk.n_public);
        goto done;
    }
    if ((st = load_json(&dproof, proof_path, err, errlen)) != ZBP_OK) goto done;
    if ((st = groth16_proof_from_json(&proof, dproof, what, sizeof what)) != ZBP_OK) {
        zbp_fail(err, errlen, st, "%s: %s", proof_path, what);
        goto done;
    }
    st = groth16_verify(&vk, &proof, pub, n, valid);
done:
    free(pub);
    groth16_vk_free(&vk);
    json_decref(dvk);
    json_decref(dpub);
    json_decref(dproof);
    return st;
}
