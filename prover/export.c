/* export.c: verification_key.json from a .zkey, in the exact text `snarkjs zkey export
 * verificationkey` writes (key order, decimal strings, z = 1, Fq2 as [c0, c1], e(alpha, beta)). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "prover/jsonw.h"
#include "prover/prover.h"
#include "prover/readers_int.h"

static void g1_json(jsonw_t *w, const g1_affine_t *p) {
    char x[80], y[80];
    int z1;
    g1_affine_to_dec(x, y, &z1, p);
    jsonw_begin_array(w);
    jsonw_string(w, x);
    jsonw_string(w, y);
    jsonw_string(w, z1 ? "1" : "0");
    jsonw_end_array(w);
}

static void fq2_json(jsonw_t *w, const char *c0, const char *c1) {
    jsonw_begin_array(w);
    jsonw_string(w, c0);
    jsonw_string(w, c1);
    jsonw_end_array(w);
}

static void g2_json(jsonw_t *w, const g2_affine_t *p) {
    char c[4][80];
    int z1;
    g2_affine_to_dec(c, &z1, p);
    jsonw_begin_array(w);
    fq2_json(w, c[0], c[1]);
    fq2_json(w, c[2], c[3]);
    fq2_json(w, z1 ? "1" : "0", "0");
    jsonw_end_array(w);
}

int zbp_vk_json(char **out, size_t *len, const zbp_zkey_t *z) {
    jsonw_t w;
    jsonw_init(&w);
    jsonw_begin_object(&w);
    jsonw_key(&w, "protocol");
    jsonw_string(&w, "groth16");
    jsonw_key(&w, "curve");
    jsonw_string(&w, "bn128");
    jsonw_key(&w, "nPublic");
    jsonw_uint(&w, z->n_public);
    jsonw_key(&w, "vk_alpha_1");
    g1_json(&w, &z->alpha1);
    jsonw_key(&w, "vk_beta_2");
    g2_json(&w, &z->beta2);
    jsonw_key(&w, "vk_gamma_2");
    g2_json(&w, &z->gamma2);
    jsonw_key(&w, "vk_delta_2");
    g2_json(&w, &z->delta2);
    /* e(alpha1, beta2) as [[c0.c0, c0.c1, c0.c2], [c1.c0, c1.c1, c1.c2]], each Fq2 as [c0, c1]. */
    fq12_t ab;
    pairing(&ab, &z->alpha1, &z->beta2);
    jsonw_key(&w, "vk_alphabeta_12");
    jsonw_begin_array(&w);
    const fq6_t *c6[2] = {&ab.c0, &ab.c1};
    for (int a = 0; a < 2; a++) {
        const fq2_t *c2[3] = {&c6[a]->c0, &c6[a]->c1, &c6[a]->c2};
        jsonw_begin_array(&w);
        for (int b = 0; b < 3; b++) {
            char s0[80], s1[80];
            fq_to_dec(s0, &c2[b]->c0);
            fq_to_dec(s1, &c2[b]->c1);
            fq2_json(&w, s0, s1);
        }
        jsonw_end_array(&w);
    }
    jsonw_end_array(&w);
    jsonw_key(&w, "IC");
    jsonw_begin_array(&w);
    for (uint32_t i = 0; i <= z->n_public; i++) {
        uint8_t buf[64];
        g1_affine_t p;
        memcpy(buf, z->ic + (size_t)i * 64, 64);
        if (g1_affine_from_zkey(&p, buf) != ZBP_OK) {
            jsonw_free(&w);
            return ZBP_ERR_INPUT;
        }
        g1_json(&w, &p);
    }
    jsonw_end_array(&w);
    jsonw_end_object(&w);
    if (w.failed) {
        jsonw_free(&w);
        return ZBP_ERR_NOMEM;
    }
    *out = w.buf;
    *len = w.len;
    return ZBP_OK;
}

int zbp_write_vk_json(const char *path, const zbp_zkey_t *z, char *err, size_t errlen) {
    char *text;
    size_t len;
    int st = zbp_vk_json(&text, &len, z);
    if (st == ZBP_ERR_INPUT)
        return zbp_fail(err, errlen, st, "%s: section 3 (IC): a point is not canonical or not on the curve",
                        z->file.name);
    if (st != ZBP_OK) return zbp_fail(err, errlen, st, "out of memory");
    if (zbp_write_file_atomic(path, text, len) != 0) {
        int e = errno;
        free(text);
        return zbp_fail(err, errlen, ZBP_ERR_IO, "%s: cannot write: %s", path, strerror(e));
    }
    free(text);
    return ZBP_OK;
}
