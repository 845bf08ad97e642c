/* request.c: one request line of the job protocol, parsed and checked into a job_request_t
 * (docs/job-protocol.md, "Requests"). Nothing here touches files, keys or the prover. */
#include <string.h>

#include "job/job_int.h"

/* Request lines are bounded by the reader; the limits here bound the parser's own work. A
 * circuit's input (`input`) is the one member with many values: 2^20 of them at most. */
static const zbp_json_limits_t request_limits = {.max_depth = 16, .max_bytes = 0,
                                             .max_values = 1 << 20};

/* A path: a non-empty string without NUL bytes (a \u0000 escape would cut it short). */
static int path_member(const json_t *obj, const char *key, const char **out) {
    size_t n;
    const char *s = zbp_json_str(json_object_get(obj, key), &n);
    if (!s || !n || strlen(s) != n || n > 4095) return -1;
    *out = s;
    return 0;
}

static bool id_usable(const json_t *v) {
    size_t n;
    const char *s = zbp_json_str(v, &n);
    if (!s || n == 0 || n > JOB_ID_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return false; /* also refuses NUL */
    }
    return true;
}

int job_request_parse(job_request_t *r, const char *text, size_t len, char *err, size_t errlen) {
    memset(r, 0, sizeof *r);
    zbp_json_error_t je;
    zbp_json_limits_t lim = request_limits;
    lim.max_bytes = len + 1;
    if (zbp_json_parse(&r->doc, text, len, &lim, &je) != 0)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "not JSON: %s at column %zu", je.message,
                        je.column);
    const json_t *root = r->doc;
    if (!json_is_object(root))
        return job_fail(err, errlen, JOB_BAD_REQUEST, "a request is a JSON object");
    const json_t *id = json_object_get(root, "id");
    if (!id_usable(id))
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "id: a string of 1 to %d bytes without control characters is required",
                        JOB_ID_MAX);
    r->id = json_string_value(id);
    r->id_len = json_string_length(id);
    const json_t *op = json_object_get(root, "op");
    if (!op || !zbp_json_str(op, NULL))
        return job_fail(err, errlen, JOB_BAD_REQUEST, "op: a string is required");
    static const struct {
        const char *name;
        job_op_t op;
    } ops[] = {
        {"prove", JOB_OP_PROVE}, {"key", JOB_OP_KEY},           {"ping", JOB_OP_PING},
        {"info", JOB_OP_INFO},   {"shutdown", JOB_OP_SHUTDOWN},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (zbp_json_string_is(op, ops[i].name)) r->op = ops[i].op;
    if (r->op == JOB_OP_NONE)
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "op: unknown (prove, key, ping, info or shutdown)");

    const json_t *ticket = json_object_get(root, "ticket");
    if (ticket && !json_is_null(ticket) && (r->op == JOB_OP_PROVE || r->op == JOB_OP_KEY)) {
        int rc = job_ticket_from_json(&r->ticket, ticket, err, errlen);
        if (rc) return rc;
        r->has_ticket = true;
    }
    if (r->op != JOB_OP_PROVE) return JOB_OK;

    if (path_member(root, "zkey", &r->zkey))
        return job_fail(err, errlen, JOB_BAD_REQUEST, "zkey: the .zkey's path is required");
    const json_t *w = json_object_get(root, "wtns"), *b = json_object_get(root, "wtns_b64"),
                       *s = json_object_get(root, "sealed"), *in = json_object_get(root, "input");
    if (!!w + !!b + !!s + !!in != 1)
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "give the witness as exactly one of wtns, wtns_b64, sealed and input");
    if (w) {
        if (path_member(root, "wtns", &r->wtns))
            return job_fail(err, errlen, JOB_BAD_REQUEST, "wtns: a path is required");
        r->wtns_len = json_string_length(w);
        r->wsrc = JOB_WTNS_PATH;
    } else if (b) {
        if (!zbp_json_str(b, NULL) || json_string_length(b) == 0)
            return job_fail(err, errlen, JOB_BAD_REQUEST, "wtns_b64: base64 text is required");
        r->wtns = json_string_value(b);
        r->wtns_len = json_string_length(b);
        r->wsrc = JOB_WTNS_B64;
    } else if (s) {
        int rc = job_sealed_from_json(&r->sealed, s, err, errlen);
        if (rc) return rc;
        r->wsrc = r->sealed.input ? JOB_WTNS_SEALED_INPUT : JOB_WTNS_SEALED;
    } else {
        if (!json_is_object(in))
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
    if (!from_input && json_object_get(root, "wasm"))
        return job_fail(err, errlen, JOB_BAD_REQUEST,
                        "wasm: only with an input (a witness needs no witness program)");
    return JOB_OK;
}

/* Every string of the document (keys too) wiped: a wtns_b64 text, a sealed ciphertext or an input
 * must not outlive its request, whether the request was served or failed while it was parsed. */
void job_json_wipe(const json_t *v) {
    if (v) zbp_json_wipe((json_t *)v); /* the request's document is ours to overwrite */
}

void job_request_wipe(job_request_t *r) {
    if (r->doc) job_json_wipe(r->doc);
}

void job_request_free(job_request_t *r) {
    job_request_wipe(r);
    json_decref(r->doc);
    memset(r, 0, sizeof *r);
}
