/* export.c: verification_key.json from a .zkey, in the exact text `snarkjs zkey export
 * verificationkey` writes (key order, decimal strings, z = 1, Fq2 as [c0, c1], e(alpha, beta)). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

zbp_status zbp_vk_json(char **out, size_t *len, const zbp_zkey_t *z) {
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

zbp_status zbp_write_vk_json(const char *path, const zbp_zkey_t *z, char *err, size_t errlen) {
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
        return zbp_fail(err, errlen, zbp_status_of_errno(e), "%s: cannot write: %s", path,
                        strerror(e));
    }
    free(text);
    return ZBP_OK;
}

/* ---- proof.json, public.json, the profile ---- */

static void proof_text(jsonw_t *w, const zbp_proof_t *p) {
    jsonw_begin_object(w);
    jsonw_key(w, "pi_a");
    g1_json(w, &p->a);
    jsonw_key(w, "pi_b");
    g2_json(w, &p->b);
    jsonw_key(w, "pi_c");
    g1_json(w, &p->c);
    jsonw_key(w, "protocol");
    jsonw_string(w, "groth16");
    jsonw_key(w, "curve");
    jsonw_string(w, "bn128");
    jsonw_end_object(w);
}

static int finish(jsonw_t *w, char **out, size_t *len) {
    if (w->failed) {
        jsonw_free(w);
        return ZBP_ERR_NOMEM;
    }
    *out = w->buf;
    *len = w->len;
    return ZBP_OK;
}

zbp_status zbp_proof_json(char **out, size_t *len, const zbp_proof_t *p) {
    jsonw_t w;
    jsonw_init(&w);
    proof_text(&w, p);
    return finish(&w, out, len);
}

zbp_status zbp_public_json(char **out, size_t *len, const zbp_proof_t *p) {
    jsonw_t w;
    jsonw_init(&w);
    jsonw_begin_array(&w);
    for (size_t i = 0; i < p->n_public; i++) {
        char d[80];
        fr_to_dec(d, &p->pub[i]);
        jsonw_string(&w, d);
    }
    jsonw_end_array(&w);
    return finish(&w, out, len);
}

zbp_status zbp_write_proof_files(const char *proof_path, const char *public_path, const zbp_proof_t *p,
                          char *err, size_t errlen) {
    char *pt = NULL, *pu = NULL;
    size_t pl, ul;
    if (zbp_proof_json(&pt, &pl, p) != ZBP_OK || zbp_public_json(&pu, &ul, p) != ZBP_OK) {
        free(pt);
        return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory");
    }
    int st = ZBP_OK;
    if (zbp_write_file_atomic(proof_path, pt, pl) != 0) {
        st = zbp_fail(err, errlen, zbp_status_of_errno(errno), "%s: cannot write: %s", proof_path,
                      strerror(errno));
    } else if (zbp_write_file_atomic(public_path, pu, ul) != 0) {
        st = zbp_fail(err, errlen, zbp_status_of_errno(errno), "%s: cannot write: %s", public_path,
                      strerror(errno));
        unlink(proof_path); /* neither or both */
    }
    free(pt);
    free(pu);
    return st;
}

zbp_status zbp_write_profile_json(const char *path, const zbp_profile_t *f, char *err, size_t errlen) {
    char buf[8192];
    size_t len = 0;
    int n = snprintf(
        buf, sizeof buf,
        "{\n \"backend\": \"cpu\",\n \"threads\": %d,\n \"field_scalar\": \"%s\",\n"
        " \"field_batch\": \"%s\",\n \"constraints\": %u,\n \"domain_size\": %u,\n"
        " \"variables\": %u,\n \"public\": %u,\n \"phases_ms\": {\n  \"load\": %.3f,\n"
        "  \"witness\": %.3f,\n  \"abc\": %.3f,\n  \"ntt\": %.3f,\n  \"h\": %.3f,\n"
        "  \"msm_a\": %.3f,\n  \"msm_b1\": %.3f,\n  \"msm_b2\": %.3f,\n  \"msm_c\": %.3f,\n"
        "  \"msm_h\": %.3f,\n  \"finish\": %.3f,\n  \"verify\": %.3f,\n  \"output\": %.3f\n },\n"
        " \"msm\": {",
        f->threads, zbp_isa_name(zbp_field_scalar_isa()), zbp_isa_name(zbp_field_batch_isa()),
        f->n_constraints, f->domain_size, f->n_vars, f->n_public, f->load_ms, f->witness_ms,
        f->abc_ms, f->ntt_ms, f->h_ms, f->msm_a_ms, f->msm_b1_ms, f->msm_b2_ms, f->msm_c_ms,
        f->msm_h_ms, f->finish_ms, f->verify_ms, f->output_ms);
    /* Each MSM's plan and work: window c, windows, bucket ranges, the scalar classes, the
     * batch-affine additions, the shared inversions and the deferred points. */
    static const char *const names[5] = {"a", "b1", "b2", "c", "h"};
    for (int k = 0; k < 5 && n >= 0 && (size_t)n < sizeof buf - len; k++) {
        len += (size_t)n;
        const zbp_msm_profile_t *m = &f->msm[k];
        n = snprintf(buf + len, sizeof buf - len,
                     "%s\n  \"%s\": {\"window\": %u, \"windows\": %u, \"ranges\": %u, \"zero\": %llu, "
                     "\"one\": %llu, \"small\": %llu, \"full\": %llu, \"additions\": %llu, "
                     "\"inversions\": %llu, \"deferred\": %llu}",
                     k ? "," : "", names[k], m->window, m->windows, m->ranges,
                     (unsigned long long)m->zero, (unsigned long long)m->one,
                     (unsigned long long)m->small, (unsigned long long)m->full,
                     (unsigned long long)m->additions, (unsigned long long)m->inversions,
                     (unsigned long long)m->collisions);
    }
    if (n >= 0 && (size_t)n < sizeof buf - len) {
        len += (size_t)n;
        n = snprintf(buf + len, sizeof buf - len,
                     "\n },\n \"peak_rss_mib\": %.1f,\n \"prove_ms\": %.3f,\n \"total_ms\": %.3f\n}\n",
                     f->peak_rss_mib, f->total_ms, f->load_ms + f->total_ms + f->output_ms);
    }
    if (n < 0 || (size_t)n >= sizeof buf - len)
        return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "profile too long");
    len += (size_t)n;
    if (zbp_write_file_atomic(path, buf, len) != 0)
        return zbp_fail(err, errlen, zbp_status_of_errno(errno), "%s: cannot write: %s", path,
                        strerror(errno));
    return ZBP_OK;
}

/* ---- the key's own verification key, for checking a fresh proof ---- */
zbp_status zbp_zkey_verify_proof(const zbp_zkey_t *z, const zbp_proof_t *p, int *valid, char *err,
                          size_t errlen) {
    groth16_vk_t vk;
    memset(&vk, 0, sizeof vk);
    vk.n_public = z->n_public;
    vk.alpha1 = z->alpha1;
    vk.beta2 = z->beta2;
    vk.gamma2 = z->gamma2;
    vk.delta2 = z->delta2;
    vk.ic = malloc(((size_t)z->n_public + 1) * sizeof(g1_affine_t));
    if (!vk.ic) return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i <= z->n_public; i++) {
        uint8_t buf[64];
        memcpy(buf, z->ic + (size_t)i * 64, 64);
        if (g1_affine_from_zkey(&vk.ic[i], buf) != ZBP_OK) {
            free(vk.ic);
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: section 3 (IC): point %u is not canonical or not on the curve",
                            z->file.name, i);
        }
    }
    groth16_proof_t proof = {p->a, p->b, p->c};
    int st = groth16_verify(&vk, &proof, p->pub, p->n_public, valid);
    free(vk.ic);
    if (st != ZBP_OK) return zbp_fail(err, errlen, st, "%s: cannot verify the proof", z->file.name);
    return ZBP_OK;
}
