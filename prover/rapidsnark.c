/* rapidsnark.c: include/prover.h, rapidsnark's C prover interface, over the prover room's readers
 * and prover; and the compact proof/public JSON that rapidsnark writes (also used by the CLI when
 * it runs as `prover`). docs/rapidsnark.md lists where the behaviour differs from rapidsnark's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prover.h> /* include/prover.h (a quoted name would find prover/prover.h first) */

#include "prover/prover.h"
#include "prover/readers_int.h"

/* rapidsnark's capacities: every proof and public text this file writes fits them (a number below
 * q or r has at most 77 digits; tests/test_rapidsnark.c checks the bound with the largest ones). */
#define RS_PROOF_CAP 810ull
#define RS_PUBLIC_CAP(n) (82ull * (unsigned long long)(n) + 4ull)

/* ---- compact JSON: rapidsnark's layout (keys sorted, no spaces, no newline) ----
 * rapidsnark's keys in sorted order are the snarkjs order without "curve", so the same trees are
 * written compact. */

static int compact(json_t *v, char **out, size_t *len) {
    *out = v ? zbp_json_dump_compact(v, len) : NULL;
    json_decref(v);
    return *out ? ZBP_OK : ZBP_ERR_NOMEM;
}

zbp_status zbp_proof_json_compact(char **out, size_t *len, const zbp_proof_t *p) {
    return compact(zbp_proof_value(p, 0), out, len);
}

zbp_status zbp_public_json_compact(char **out, size_t *len, const fr_t *pub, size_t n) {
    return compact(zbp_public_value(pub, n), out, len);
}

/* ---- the prover object ---- */

typedef struct {
    zbp_zkey_t z; /* mapped from a file, or borrowed from the caller's buffer */
    zbp_circuit_t *circ; /* on $ZBP_DEVICE (default cpu): with cuda, the key stays on the GPU */
} rs_prover_t;

static size_t msg_cap(unsigned long long maxsize) {
    return maxsize > (unsigned long long)SIZE_MAX ? SIZE_MAX : (size_t)maxsize;
}

static int fail(char *msg, unsigned long long maxsize, int code, const char *text) {
    if (msg && maxsize) snprintf(msg, msg_cap(maxsize), "%s", text);
    return code;
}

static int rs_create(void **obj, const void *buf, unsigned long long size, const char *path,
                     char *msg, unsigned long long maxsize) {
    if (!obj) return fail(msg, maxsize, PROVER_ERROR, "null prover object pointer");
    if (!path && !buf) return fail(msg, maxsize, PROVER_ERROR, "null zkey buffer");
    if (!path && size > (unsigned long long)SIZE_MAX)
        return fail(msg, maxsize, PROVER_ERROR, "zkey: larger than this machine's address space");
    rs_prover_t *p = calloc(1, sizeof *p);
    if (!p) return fail(msg, maxsize, PROVER_ERROR, "out of memory");
    char err[512] = "";
    int st = path ? zbp_zkey_open(&p->z, path, err, sizeof err)
                  : zbp_zkey_from_memory(&p->z, buf, (size_t)size, "zkey", err, sizeof err);
    if (st != ZBP_OK) {
        free(p);
        return fail(msg, maxsize, PROVER_ERROR, err);
    }
    if ((st = zbp_circuit_open(&p->circ, &p->z, zbp_api_device(), err, sizeof err)) != ZBP_OK) {
        zbp_zkey_close(&p->z);
        free(p);
        char m[600];
        snprintf(m, sizeof m, "ZBP_DEVICE=%s: %s", zbp_api_device(), err);
        return fail(msg, maxsize, PROVER_ERROR, m);
    }
    *obj = p;
    return PROVER_OK;
}

int groth16_prover_create(void **prover_object, const void *zkey_buffer,
                          unsigned long long zkey_size, char *error_msg,
                          unsigned long long error_msg_maxsize) {
    return rs_create(prover_object, zkey_buffer, zkey_size, NULL, error_msg, error_msg_maxsize);
}

int groth16_prover_create_zkey_file(void **prover_object, const char *zkey_file_path,
                                    char *error_msg, unsigned long long error_msg_maxsize) {
    if (!zkey_file_path) return fail(error_msg, error_msg_maxsize, PROVER_ERROR, "null zkey path");
    return rs_create(prover_object, NULL, 0, zkey_file_path, error_msg, error_msg_maxsize);
}

void groth16_prover_destroy(void *prover_object) {
    rs_prover_t *p = prover_object;
    if (!p) return;
    zbp_circuit_free(p->circ);
    zbp_zkey_close(&p->z);
    free(p);
}

/* The witness's public values w[1..n] in Montgomery form (malloc'ed; NULL when n = 0). */
static int witness_public(fr_t **out, const zbp_wtns_t *w, uint32_t n) {
    *out = NULL;
    if (!n) return ZBP_OK;
    fr_t *pub = malloc((size_t)n * sizeof *pub);
    if (!pub) return ZBP_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++)
        if (fr_from_bytes_le(&pub[i], w->values + (size_t)(i + 1) * 32) != ZBP_OK) {
            free(pub); /* a public signal >= r: the witness is not one of this field */
            return ZBP_ERR_RANGE;
        }
    *out = pub;
    return ZBP_OK;
}

int groth16_prover_prove(void *prover_object, const void *wtns_buffer,
                         unsigned long long wtns_size, char *proof_buffer,
                         unsigned long long *proof_size, char *public_buffer,
                         unsigned long long *public_size, char *error_msg,
                         unsigned long long error_msg_maxsize) {
    rs_prover_t *p = prover_object;
    if (!p) return fail(error_msg, error_msg_maxsize, PROVER_ERROR, "null prover object");
    if (!wtns_buffer) return fail(error_msg, error_msg_maxsize, PROVER_ERROR, "null witness buffer");
    if (!proof_buffer || !proof_size)
        return fail(error_msg, error_msg_maxsize, PROVER_ERROR, "null proof buffer or size");
    if (!public_buffer || !public_size)
        return fail(error_msg, error_msg_maxsize, PROVER_ERROR, "null public buffer or size");
    if (wtns_size > (unsigned long long)SIZE_MAX)
        return fail(error_msg, error_msg_maxsize, PROVER_ERROR,
                    "witness: larger than this machine's address space");
    char err[512] = "";
    zbp_wtns_t w;
    if (zbp_wtns_from_memory(&w, wtns_buffer, (size_t)wtns_size, "witness", err, sizeof err) !=
        ZBP_OK)
        return fail(error_msg, error_msg_maxsize, PROVER_ERROR, err);
    const zbp_zkey_t *z = &p->z;
    if (w.n_witness != z->n_vars) {
        snprintf(err, sizeof err, "witness: %u values, but the key's circuit has %u variables",
                 w.n_witness, z->n_vars);
        zbp_wtns_close(&w);
        return fail(error_msg, error_msg_maxsize, PROVER_INVALID_WITNESS_LENGTH, err);
    }

    /* The public signals are the witness's: their text is known before the proof, so a short
     * public buffer is reported without proving (the proof's capacity is then the bound). */
    fr_t *pub = NULL;
    char *ptext = NULL, *utext = NULL;
    size_t plen = 0, ulen = 0;
    int code = PROVER_ERROR;
    if (witness_public(&pub, &w, z->n_public) != ZBP_OK ||
        zbp_public_json_compact(&utext, &ulen, pub, z->n_public) != ZBP_OK) {
        fail(error_msg, error_msg_maxsize, PROVER_ERROR, "out of memory");
        goto out;
    }
    if (*public_size < ulen + 1) {
        snprintf(err, sizeof err,
                 "buffer too small for the public signals: %llu bytes needed, %llu given",
                 (unsigned long long)ulen + 1, *public_size);
        *public_size = ulen + 1;
        if (*proof_size < RS_PROOF_CAP) *proof_size = RS_PROOF_CAP;
        code = fail(error_msg, error_msg_maxsize, PROVER_ERROR_SHORT_BUFFER, err);
        goto out;
    }

    zbp_proof_t proof;
    zbp_profile_t prof;
    int st = zbp_circuit_prove(p->circ, &proof, &w, NULL, &prof, err, sizeof err);
    /* this interface has no other channel for the one fallback notice */
    if (prof.device_note[0]) fprintf(stderr, "zbprover: %s\n", prof.device_note);
    if (st != ZBP_OK) {
        fail(error_msg, error_msg_maxsize, PROVER_ERROR, err);
        goto out;
    }
    st = zbp_proof_json_compact(&ptext, &plen, &proof);
    zbp_proof_free(&proof);
    if (st != ZBP_OK) {
        fail(error_msg, error_msg_maxsize, PROVER_ERROR, "out of memory");
        goto out;
    }
    if (*proof_size < plen + 1) {
        snprintf(err, sizeof err, "buffer too small for the proof: %llu bytes needed, %llu given",
                 (unsigned long long)plen + 1, *proof_size);
        *proof_size = plen + 1;
        *public_size = ulen + 1;
        code = fail(error_msg, error_msg_maxsize, PROVER_ERROR_SHORT_BUFFER, err);
        goto out;
    }
    memcpy(proof_buffer, ptext, plen + 1);
    memcpy(public_buffer, utext, ulen + 1);
    *proof_size = plen;
    *public_size = ulen;
    if (error_msg && error_msg_maxsize) error_msg[0] = 0;
    code = PROVER_OK;
out:
    free(pub);
    free(ptext);
    free(utext);
    zbp_wtns_close(&w);
    return code;
}

int groth16_prover(const void *zkey_buffer, unsigned long long zkey_size, const void *wtns_buffer,
                   unsigned long long wtns_size, char *proof_buffer,
                   unsigned long long *proof_size, char *public_buffer,
                   unsigned long long *public_size, char *error_msg,
                   unsigned long long error_msg_maxsize) {
    void *obj = NULL;
    int code = groth16_prover_create(&obj, zkey_buffer, zkey_size, error_msg, error_msg_maxsize);
    if (code != PROVER_OK) return code;
    code = groth16_prover_prove(obj, wtns_buffer, wtns_size, proof_buffer, proof_size,
                                public_buffer, public_size, error_msg, error_msg_maxsize);
    groth16_prover_destroy(obj);
    return code;
}

int groth16_prover_zkey_file(const char *zkey_file_path, const void *wtns_buffer,
                             unsigned long long wtns_size, char *proof_buffer,
                             unsigned long long *proof_size, char *public_buffer,
                             unsigned long long *public_size, char *error_msg,
                             unsigned long long error_msg_maxsize) {
    void *obj = NULL;
    int code = groth16_prover_create_zkey_file(&obj, zkey_file_path, error_msg, error_msg_maxsize);
    if (code != PROVER_OK) return code;
    code = groth16_prover_prove(obj, wtns_buffer, wtns_size, proof_buffer, proof_size,
                                public_buffer, public_size, error_msg, error_msg_maxsize);
    groth16_prover_destroy(obj);
    return code;
}

/* ---- sizes ---- */

void groth16_proof_size(unsigned long long *proof_size) {
    if (proof_size) *proof_size = RS_PROOF_CAP;
}

static int public_size_of(const void *buf, unsigned long long size, const char *path,
                          unsigned long long *public_size, char *msg, unsigned long long maxsize) {
    if (!public_size) return fail(msg, maxsize, PROVER_ERROR, "null public size pointer");
    void *obj = NULL;
    int code = rs_create(&obj, buf, size, path, msg, maxsize);
    if (code != PROVER_OK) return code;
    *public_size = RS_PUBLIC_CAP(((rs_prover_t *)obj)->z.n_public);
    groth16_prover_destroy(obj);
    return PROVER_OK;
}

int groth16_public_size_for_zkey_buf(const void *zkey_buffer, unsigned long long zkey_size,
                                     unsigned long long *public_size, char *error_msg,
                                     unsigned long long error_msg_maxsize) {
    return public_size_of(zkey_buffer, zkey_size, NULL, public_size, error_msg, error_msg_maxsize);
}

int groth16_public_size_for_zkey_file(const char *zkey_fname, unsigned long long *public_size,
                                      char *error_msg, unsigned long long error_msg_maxsize) {
    if (!zkey_fname) return fail(error_msg, error_msg_maxsize, PROVER_ERROR, "null zkey path");
    return public_size_of(NULL, 0, zkey_fname, public_size, error_msg, error_msg_maxsize);
}
