/* export.c: verification_key.json from a .zkey, in the exact text `snarkjs zkey export
 * verificationkey` writes (key order, decimal strings, z = 1, Fq2 as [c0, c1], e(alpha, beta)). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prover/json.h"
#include "prover/prover.h"
#include "prover/readers_int.h"
#include "prover/util.h"

/* The files are built as jansson trees and written by prover/json.h's snarkjs-layout writer. Every
 * append goes through add(), which marks the tree failed when an allocation did (jansson's
 * constructors return NULL, which the setters refuse), so a short tree is never written. */
typedef struct {
    int failed;
} tree_t;

static json_t *add(tree_t *t, json_t *parent, const char *key, json_t *v) {
    int rc = !v ? -1 : key ? json_object_set_new(parent, key, v) : json_array_append_new(parent, v);
    if (rc) t->failed = 1;
    return v;
}

static json_t *str(tree_t *t, const char *s) {
    json_t *v = json_string(s);
    if (!v) t->failed = 1;
    return v;
}

static json_t *g1_json(tree_t *t, const g1_affine_t *p) {
    char x[80], y[80];
    int z1;
    g1_affine_to_dec(x, y, &z1, p);
    json_t *a = json_array();
    add(t, a, NULL, str(t, x));
    add(t, a, NULL, str(t, y));
    add(t, a, NULL, str(t, z1 ? "1" : "0"));
    return a;
}

static json_t *fq2_json(tree_t *t, const char *c0, const char *c1) {
    json_t *a = json_array();
    add(t, a, NULL, str(t, c0));
    add(t, a, NULL, str(t, c1));
    return a;
}

static json_t *g2_json(tree_t *t, const g2_affine_t *p) {
    char c[4][80];
    int z1;
    g2_affine_to_dec(c, &z1, p);
    json_t *a = json_array();
    add(t, a, NULL, fq2_json(t, c[0], c[1]));
    add(t, a, NULL, fq2_json(t, c[2], c[3]));
    add(t, a, NULL, fq2_json(t, z1 ? "1" : "0", "0"));
    return a;
}

/* The tree's text in snarkjs's layout, or ZBP_ERR_NOMEM; the tree is released either way. */
static int finish(tree_t *t, json_t *root, char **out, size_t *len) {
    char *text = !t->failed && root ? zbp_json_dump_snarkjs(root, len) : NULL;
    json_decref(root);
    if (!text) return ZBP_ERR_NOMEM;
    *out = text;
    return ZBP_OK;
}

zbp_status zbp_vk_json(char **out, size_t *len, const zbp_zkey_t *z) {
    tree_t t = {0};
    json_t *o = json_object();
    if (!o) return ZBP_ERR_NOMEM;
    add(&t, o, "protocol", str(&t, "groth16"));
    add(&t, o, "curve", str(&t, "bn128"));
    add(&t, o, "nPublic", json_integer((json_int_t)z->n_public));
    add(&t, o, "vk_alpha_1", g1_json(&t, &z->alpha1));
    add(&t, o, "vk_beta_2", g2_json(&t, &z->beta2));
    add(&t, o, "vk_gamma_2", g2_json(&t, &z->gamma2));
    add(&t, o, "vk_delta_2", g2_json(&t, &z->delta2));
    /* e(alpha1, beta2) as [[c0.c0, c0.c1, c0.c2], [c1.c0, c1.c1, c1.c2]], each Fq2 as [c0, c1]. */
    fq12_t ab;
    pairing(&ab, &z->alpha1, &z->beta2);
    json_t *abj = add(&t, o, "vk_alphabeta_12", json_array());
    const fq6_t *c6[2] = {&ab.c0, &ab.c1};
    for (int a = 0; a < 2 && abj; a++) {
        const fq2_t *c2[3] = {&c6[a]->c0, &c6[a]->c1, &c6[a]->c2};
        json_t *row = add(&t, abj, NULL, json_array());
        for (int b = 0; b < 3 && row; b++) {
            char s0[80], s1[80];
            fq_to_dec(s0, &c2[b]->c0);
            fq_to_dec(s1, &c2[b]->c1);
            add(&t, row, NULL, fq2_json(&t, s0, s1));
        }
    }
    json_t *ic = add(&t, o, "IC", json_array());
    for (uint32_t i = 0; i <= z->n_public && ic; i++) {
        uint8_t buf[64];
        g1_affine_t p;
        memcpy(buf, z->ic + (size_t)i * 64, 64);
        if (g1_affine_from_zkey(&p, buf) != ZBP_OK) {
            json_decref(o);
            return ZBP_ERR_INPUT;
        }
        add(&t, ic, NULL, g1_json(&t, &p));
    }
    return finish(&t, o, out, len);
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

/* pi_a, pi_b, pi_c and protocol, then curve when snarkjs's layout has it (rapidsnark's has not). */
json_t *zbp_proof_value(const zbp_proof_t *p, int with_curve) {
    tree_t t = {0};
    json_t *o = json_object();
    if (!o) return NULL;
    add(&t, o, "pi_a", g1_json(&t, &p->a));
    add(&t, o, "pi_b", g2_json(&t, &p->b));
    add(&t, o, "pi_c", g1_json(&t, &p->c));
    add(&t, o, "protocol", str(&t, "groth16"));
    if (with_curve) add(&t, o, "curve", str(&t, "bn128"));
    if (t.failed) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *zbp_public_value(const fr_t *pub, size_t n) {
    tree_t t = {0};
    json_t *a = json_array();
    for (size_t i = 0; i < n && a; i++) {
        char d[80];
        fr_to_dec(d, &pub[i]);
        add(&t, a, NULL, str(&t, d));
    }
    if (t.failed) {
        json_decref(a);
        return NULL;
    }
    return a;
}

zbp_status zbp_proof_json(char **out, size_t *len, const zbp_proof_t *p) {
    tree_t t = {0};
    return finish(&t, zbp_proof_value(p, 1), out, len);
}

zbp_status zbp_public_json(char **out, size_t *len, const zbp_proof_t *p) {
    tree_t t = {0};
    return finish(&t, zbp_public_value(p->pub, p->n_public), out, len);
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

static json_t *ms(double v) { return json_real(round(v * 1e3) / 1e3); } /* 3 decimals */

json_t *zbp_profile_value(const zbp_profile_t *f) {
    tree_t t = {0};
    json_t *o = json_object();
    if (!o) return NULL;
    add(&t, o, "backend", str(&t, f->device[0] ? f->device : "cpu"));
    add(&t, o, "threads", json_integer(f->threads));
    add(&t, o, "field_scalar", str(&t, zbp_isa_name(zbp_field_scalar_isa())));
    add(&t, o, "field_batch", str(&t, zbp_isa_name(zbp_field_batch_isa())));
    add(&t, o, "constraints", json_integer(f->n_constraints));
    add(&t, o, "domain_size", json_integer(f->domain_size));
    add(&t, o, "variables", json_integer(f->n_vars));
    add(&t, o, "public", json_integer(f->n_public));
    json_t *ph = add(&t, o, "phases_ms", json_object());
    if (ph) {
        const struct { const char *k; double v; } phases[] = {
            {"load", f->load_ms},     {"witness", f->witness_ms}, {"abc", f->abc_ms},
            {"ntt", f->ntt_ms},       {"h", f->h_ms},             {"msm_a", f->msm_a_ms},
            {"msm_b1", f->msm_b1_ms}, {"msm_b2", f->msm_b2_ms},   {"msm_c", f->msm_c_ms},
            {"msm_h", f->msm_h_ms},   {"finish", f->finish_ms},   {"verify", f->verify_ms},
            {"output", f->output_ms}};
        for (size_t k = 0; k < sizeof phases / sizeof phases[0]; k++)
            add(&t, ph, phases[k].k, ms(phases[k].v));
    }
    /* Each MSM's plan and work: window c, windows, bucket ranges, the scalar classes, the
     * batch-affine additions, the shared inversions and the deferred points. */
    static const char *const names[5] = {"a", "b1", "b2", "c", "h"};
    json_t *msm = add(&t, o, "msm", json_object());
    for (int k = 0; k < 5 && msm; k++) {
        const zbp_msm_profile_t *m = &f->msm[k];
        json_t *x = add(&t, msm, names[k], json_object());
        if (!x) break;
        add(&t, x, "window", json_integer(m->window));
        add(&t, x, "windows", json_integer(m->windows));
        add(&t, x, "ranges", json_integer(m->ranges));
        add(&t, x, "zero", json_integer((json_int_t)m->zero));
        add(&t, x, "one", json_integer((json_int_t)m->one));
        add(&t, x, "small", json_integer((json_int_t)m->small));
        add(&t, x, "full", json_integer((json_int_t)m->full));
        add(&t, x, "additions", json_integer((json_int_t)m->additions));
        add(&t, x, "inversions", json_integer((json_int_t)m->inversions));
        add(&t, x, "deferred", json_integer((json_int_t)m->collisions));
    }
    add(&t, o, "peak_rss_mib", json_real(round(f->peak_rss_mib * 10) / 10));
    add(&t, o, "prove_ms", ms(f->total_ms));
    add(&t, o, "total_ms", ms(f->load_ms + f->total_ms + f->output_ms));
    if (t.failed) {
        json_decref(o);
        return NULL;
    }
    return o;
}

zbp_status zbp_write_json_file(const char *path, json_t *v, char *err, size_t errlen) {
    size_t len;
    char *text = v ? zbp_json_dump_snarkjs(v, &len) : NULL;
    json_decref(v);
    if (!text) return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "%s: out of memory", path);
    int rc = zbp_write_file_atomic(path, text, len);
    int e = errno;
    free(text);
    if (rc != 0)
        return zbp_fail(err, errlen, zbp_status_of_errno(e), "%s: cannot write: %s", path, strerror(e));
    return ZBP_OK;
}

zbp_status zbp_write_profile_json(const char *path, const zbp_profile_t *f, char *err, size_t errlen) {
    return zbp_write_json_file(path, zbp_profile_value(f), err, errlen);
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
