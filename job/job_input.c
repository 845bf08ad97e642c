/* job_input.c: what a prove job hands its worker: the witness's bytes (a file, base64, or a sealed
 * witness opened here: the worker never sees the key or the ciphertext), or, for a job from inputs,
 * the witness program's object (built or found here, from the bytes the loop hashed) and the
 * input as JSON text (the request's member, or a sealed input's plaintext). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"
#include "witness/witness.h"

/* A string's JSON text (escaped as JSON needs: quotes, backslashes, control characters) into out
 * (NULL: only counted); its length. */
static size_t text_str(const char *p, size_t len, char *out) {
    size_t n = 0;
#define PUT(c) (out ? (void)(out[n] = (c)) : (void)0, n++)
    PUT('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c < 0x20) {
            static const char hx[] = "0123456789abcdef";
            PUT('\\'), PUT('u'), PUT('0'), PUT('0'), PUT(hx[c >> 4]), PUT(hx[c & 15]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
    return n;
}

/* The JSON text of v into out (NULL: only counted); its length. Numbers exactly as the request
 * wrote them (the reader's exact numbers), objects in their order (circom reads the signals in
 * the input's order). */
static size_t text_of(const json_t *v, char *out) {
    size_t n = 0, len;
    const char *t;
    char num[32];
    switch (json_typeof(v)) {
    case JSON_STRING:
        if ((t = zbp_json_number_text(v, &len))) { /* an exact number: its text as written */
            if (out) memcpy(out, t, len);
            return len;
        }
        t = zbp_json_str(v, &len);
        return text_str(t, len, out);
    case JSON_INTEGER:
        len = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        if (out) memcpy(out, num, len);
        return len;
    case JSON_ARRAY:
        PUT('[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) PUT(',');
            n += text_of(json_array_get(v, i), out ? out + n : NULL);
        }
        PUT(']');
        return n;
    case JSON_OBJECT:
        PUT('{');
        for (void *it = json_object_iter((json_t *)v); it; it = json_object_iter_next((json_t *)v, it)) {
            if (n > 1) PUT(',');
            n += text_str(json_object_iter_key(it), json_object_iter_key_len(it), out ? out + n : NULL);
            PUT(':');
            n += text_of(json_object_iter_value(it), out ? out + n : NULL);
        }
        PUT('}');
        return n;
    case JSON_TRUE: t = "true"; break;
    case JSON_FALSE: t = "false"; break;
    default: t = "null"; break; /* no real is ever in a parsed tree (prover/json.h) */
    }
#undef PUT
    len = strlen(t);
    if (out) memcpy(out, t, len);
    return len;
}

int job_input_text(const json_t *v, uint8_t **out, size_t *len, char *err, size_t errlen) {
    size_t n = text_of(v, NULL);
    if (!(*out = job_secret_alloc(n + 1))) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    text_of(v, (char *)*out);
    *len = n;
    return JOB_OK;
}

/* The witness program's object for wm (from the engine's cache, or built from the bytes the loop
 * read and hashed), its path in so; then the program is cached beside the keys. */
int job_input_object(server_t *s, job_request_t *r, zk_entry_t *wm, char *so, size_t solen,
                     double *object_ms, char *err, size_t errlen) {
    const job_serve_opts_t *o = s->o;
    zbp_witness_opts_t wo;
    zbp_witness_opts_init(&wo);
    wo.cache_dir = o->witness_cache_dir;
    char sha[65], m[1600];
    double t0 = job_mono_ms();
    int st = zbp_witness_object_mem(wm->bytes, (size_t)wm->size, r->wasm, &wo, so, solen, sha, m,
                                    sizeof m);
    if (st != ZBP_OK)
        return job_fail(err, errlen, job_code_of(st, JOB_BAD_WITNESS), "%s", m);
    *object_ms = job_mono_ms() - t0;
    return zk_check(s->cache, wm, err, errlen);
}

/* The input's text: the request's member, or the sealed input opened here (its key is wiped). */
int job_input_payload(server_t *s, job_request_t *r, const zk_entry_t *zk, const zk_entry_t *wm,
                      const uint8_t *tid, size_t tlen, uint8_t **out, size_t *len, char *err,
                      size_t errlen) {
    if (r->wsrc == JOB_WTNS_INPUT) return job_input_text(r->input, out, len, err, errlen);
    return job_sealed_open(s->keys, &r->sealed, tid, tlen, zk->sha, wm->sha, s->o->max_witness_bytes,
                           out, len, err, errlen);
}

/* A witness given with the request, into secret memory: a file (read whole, never blocking), base64,
 * or a sealed witness opened here. */
int job_witness_bytes(server_t *s, job_request_t *r, const zk_entry_t *zk, const uint8_t *tid,
                      size_t tlen, uint8_t **wbuf, size_t *wlen, char *err, size_t errlen) {
    const job_serve_opts_t *o = s->o;
    if (r->wsrc == JOB_WTNS_PATH) {
        struct stat st;
        return job_file_read(r->wtns, o->max_witness_bytes, true, JOB_BAD_WITNESS, JOB_TOO_LARGE,
                             wbuf, wlen, &st, err, errlen);
    }
    if (r->wsrc == JOB_WTNS_SEALED)
        return job_sealed_open(s->keys, &r->sealed, tid, tlen, zk->sha, NULL, o->max_witness_bytes,
                               wbuf, wlen, err, errlen);
    if (job_b64_decoded_max(r->wtns_len) > o->max_witness_bytes + 2)
        return job_fail(err, errlen, JOB_TOO_LARGE, "wtns_b64: the witness exceeds %zu bytes",
                        o->max_witness_bytes);
    if (!(*wbuf = job_secret_alloc(job_b64_decoded_max(r->wtns_len) + 1)))
        return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    if (job_b64_decode(*wbuf, wlen, r->wtns, r->wtns_len))
        return job_fail(err, errlen, JOB_BAD_WITNESS, "wtns_b64: not canonical base64");
    if (*wlen > o->max_witness_bytes)
        return job_fail(err, errlen, JOB_TOO_LARGE, "wtns_b64: the witness exceeds %zu bytes",
                        o->max_witness_bytes);
    return JOB_OK;
}
