/* job_input.c: what a prove job hands its worker: the witness's bytes (a file, base64, or a sealed
 * witness opened here: the worker never sees the key or the ciphertext), or, for a job from inputs,
 * the witness program's object (built or found here, from the bytes the loop hashed) and the
 * input as JSON text (the request's member, or a sealed input's plaintext). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"
#include "witness/witness.h"

/* The JSON text of v into out (NULL: only counted); its length. Strings are escaped as JSON needs
 * (the reader decoded them: quotes, backslashes and control characters come back escaped). */
static size_t text_of(const json_value_t *v, char *out) {
    size_t n = 0;
#define PUT(c) (out ? (void)(out[n] = (c)) : (void)0, n++)
    switch (v->type) {
    case JSON_NULL: return out ? (memcpy(out, "null", 4), 4) : 4;
    case JSON_FALSE: return out ? (memcpy(out, "false", 5), 5) : 5;
    case JSON_TRUE: return out ? (memcpy(out, "true", 4), 4) : 4;
    case JSON_NUMBER:
        if (out) memcpy(out, v->u.str, v->len);
        return v->len;
    case JSON_STRING:
        PUT('"');
        for (size_t i = 0; i < v->len; i++) {
            unsigned char c = (unsigned char)v->u.str[i];
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
    case JSON_ARRAY:
        PUT('[');
        for (size_t i = 0; i < v->len; i++) {
            if (i) PUT(',');
            n += text_of(&v->u.items[i], out ? out + n : NULL);
        }
        PUT(']');
        return n;
    case JSON_OBJECT:
        PUT('{');
        for (size_t i = 0; i < v->len; i++) {
            json_value_t k = {JSON_STRING, 0, v->u.members[i].key_len, {.str = v->u.members[i].key}};
            if (i) PUT(',');
            n += text_of(&k, out ? out + n : NULL);
            PUT(':');
            n += text_of(&v->u.members[i].value, out ? out + n : NULL);
        }
        PUT('}');
        return n;
    }
#undef PUT
    return n;
}

int job_input_text(const json_value_t *v, uint8_t **out, size_t *len, char *err, size_t errlen) {
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
        return job_fail(err, errlen, st == ZBP_ERR_INPUT ? JOB_BAD_WITNESS : JOB_INTERNAL, "%s", m);
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
