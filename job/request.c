/* request.c: one request line of the job protocol, parsed and checked into a job_request_t
 * (docs/job-protocol.md, "Requests"). Nothing here touches files, keys or the prover. */
#include <string.h>

#include <openssl/crypto.h>

#include "job/job_int.h"

/* Request lines are bounded by the reader; the limits here bound the parser's own work. A
 * circuit's input (`input`) is the one member with many values: 2^20 of them at most. */
static const json_limits_t request_limits = {.max_depth = 16, .max_bytes = 0,
                                             .max_values = 1 << 20};

static const json_value_t *member(const json_value_t *obj, const char *key, json_type_t type) {
    const json_value_t *v = json_get(obj, key);
    return v && v->type == type ? v : NULL;
}

/* A path: a non-empty string without NUL bytes (a \u0000 escape would cut it short). */
static int path_member(const json_value_t *obj, const char *key, const char **out) {
    const json_value_t *v = member(obj, key, JSON_STRING);
    if (!v || !v->len || strlen(v->u.str) != v->len || v->len > 4095) return -1;
    *out = v->u.str;
    return 0;
}

static bool id_usable(const json_value_t *v) {
    if (!v || v->type != JSON_STRING || v->len == 0 || v->len > JOB_ID_MAX) return false;
    for (size_t i = 0; i < v->len; i++) {
        unsigned char c = (unsigned char)v->u.str[i];
        if (c < 0x20 || c == 0x7f) return false; /* also refuses NUL */
    }
    return true;
}

int job_request_parse(job_request_t *r, const char *text, size_t len, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    json_error_t je;
    json_limits_t lim = request_limits;
    lim.max_bytes = len + 1;
    if (json_parse(&r->doc, text, len, &lim, &je) != 0)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "not JSON: %s at column %zu", je.message,
                        je.column);
    const json_value_t *root = json_root(r->doc);
    if (root->type != JSON_OBJECT)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "a request is a JSON object");
    const json_value_t *id = json_get(root, "id");
    if (!id_usable(id))
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "id: a string of 1 to %d bytes without control characters is required",
                        JOB_ID_MAX);
    r->id = id->u.str;
    r->id_len = id->len;
    const json_value_t *op = json_get(root, "op");
    if (!op || op->type != JSON_STRING)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "op: a string is required");
    static const struct {
        const char *name;
        job_op_t op;
    } ops[] = {
        {"prove", JOB_OP_PROVE}, {"key", JOB_OP_KEY},           {"ping", JOB_OP_PING},
        {"info", JOB_OP_INFO},   {"shutdown", JOB_OP_SHUTDOWN},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (json_string_is(op, ops[i].name)) r->op = ops[i].op;
    if (r->op == JOB_OP_NONE)
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "op: unknown (prove, key, ping, info or shutdown)");

    const json_value_t *ticket = json_get(root, "ticket");
    if (ticket && ticket->type != JSON_NULL && (r->op == JOB_OP_PROVE || r->op == JOB_OP_KEY)) {
        int rc = job_ticket_from_json(&r->ticket, ticket, err, errlen);
        if (rc) return rc;
        r->has_ticket = true;
    }
    if (r->op != JOB_OP_PROVE) return JOB_OK;

    if (path_member(root, "zkey", &r->zkey))
        return job_fail(err, errlen, JOB_BAD_REQUEST, "zkey: the .zkey's path is required");
    const json_value_t *w = json_get(root, "wtns"), *b = json_get(root, "wtns_b64"),
                       *s = json_get(root, "sealed"), *in = json_get(root, "input");
    if (!!w + !!b + !!s + !!in != 1)
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "give the witness as exactly one of wtns, wtns_b64, sealed and input");
    if (w) {
        if (path_member(root, "wtns", &r->wtns))
            return job_fail(err, errlen, JOB_BAD_REQUEST, "wtns: a path is required");
        r->wtns_len = w->len;
        r->wsrc = JOB_WTNS_PATH;
    } else if (b) {
        if (b->type != JSON_STRING || b->len == 0)
            return job_fail(err, errlen, JOB_BAD_REQUEST, "wtns_b64: base64 text is required");
        r->wtns = b->u.str;
        r->wtns_len = b->len;
        r->wsrc = JOB_WTNS_B64;
    } else if (s) {
        int rc = job_sealed_from_json(&r->sealed, s, err, errlen);
        if (rc) return rc;
        r->wsrc = r->sealed.input ? JOB_WTNS_SEALED_INPUT : JOB_WTNS_SEALED;
    } else {
        if (in->type != JSON_OBJECT)
            return job_fail(err, errlen, JOB_BAD_REQUEST,
                            "input: a JSON object of the circuit's input signals is required");
        r->input = in;
        r->wsrc = JOB_WTNS_INPUT;
    }
    /* The witness program goes with an input, and only with one. */
    bool from_input = r->wsrc == JOB_WTNS_INPUT || r->wsrc == JOB_WTNS_SEALED_INPUT;
    if (from_input && path_member(root, "wasm", &r->wasm))
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "wasm: the witness program's path is required with an input");
    if (!from_input && json_get(root, "wasm"))
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "wasm: only with an input (a witness needs no witness program)");
    return JOB_OK;
}

/* Every string of the document (keys too) wiped: a wtns_b64 text, a sealed ciphertext or an input
 * must not outlive its request, whether the request was served or failed while it was parsed. */
void job_json_wipe(const json_value_t *v) {
    if (v->type == JSON_STRING || v->type == JSON_NUMBER) {
        OPENSSL_cleanse((char *)v->u.str, v->len);
    } else if (v->type == JSON_ARRAY) {
        for (size_t i = 0; i < v->len; i++)
            job_json_wipe(&v->u.items[i]);
    } else if (v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->len; i++) {
            OPENSSL_cleanse((char *)v->u.members[i].key, v->u.members[i].key_len);
            job_json_wipe(&v->u.members[i].value);
        }
    }
}

void job_request_wipe(job_request_t *r) {
    if (r->doc) job_json_wipe(json_root(r->doc));
}

void job_request_free(job_request_t *r) {
    job_request_wipe(r);
    json_free(r->doc);
    memset(r, 0, sizeof *r);
}
