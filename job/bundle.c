/* bundle.c: the client's side of the binding: a bundle's check (the proof verifies, the PROOF
 * transcript recomputed from the answer's own fields equals REPORT_DATA, the report verifies
 * under a policy, CRLs included), on texts in memory (job_bundle_verify, under both
 * zbprover_verify_bundle and check-bundle) or files, and the KEY transcript check a client does
 * before sealing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job/job_int.h"

static void add(job_bundle_verdict_t *v, const char *name, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fails closed as attest's verdict does: the status counts before the line is kept. */
static void add(job_bundle_verdict_t *v, const char *name, int status, const char *fmt, ...) {
    if (status != SNP_CHECK_PASS && status != SNP_CHECK_SKIP) v->ok = false;
    if (v->n >= JOB_BUNDLE_MAX_LINES) {
        v->dropped++;
        v->ok = false;
        return;
    }
    snprintf(v->checks[v->n].name, sizeof v->checks[v->n].name, "%s", name);
    v->checks[v->n].status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->checks[v->n].detail, sizeof v->checks[v->n].detail, fmt, ap);
    va_end(ap);
    v->n++;
}

/* Reads a whole (small) file into a NUL-terminated buffer. */
static int read_text(const char *path, size_t max, char **out, size_t *len, char *err,
                     size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) return job_fail(err, errlen, 2, "%s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *b = malloc(cap);
    while (b) {
        if (n + 1 >= cap) {
            if (cap > max) break;
            char *p = realloc(b, cap * 2);
            if (!p) {
                free(b);
                b = NULL;
                break;
            }
            b = p;
            cap *= 2;
        }
        size_t k = fread(b + n, 1, cap - 1 - n, f);
        n += k;
        if (k == 0) break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!b) return job_fail(err, errlen, 3, "out of memory");
    if (bad || n > max) {
        free(b);
        return job_fail(err, errlen, 2, "%s: %s", path, bad ? "read error" : "too large");
    }
    b[n] = 0;
    *out = b;
    *len = n;
    return 0;
}

static int parse_text(json_t **doc, job_text_t t, char *err, size_t errlen) {
    zbp_json_error_t je;
    if (zbp_json_parse(doc, t.text, t.len, NULL, &je))
        return job_fail(err, errlen, 2, "%s: line %zu, column %zu: %s", t.name, je.line, je.column,
                        je.message);
    return 0;
}

static const json_t *str_at(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return v && zbp_json_str(v, NULL) ? v : NULL;
}

static int hex_field(const json_t *obj, const char *key, uint8_t *out, size_t min, size_t max,
                     size_t *len, const char *where, char *err, size_t errlen) {
    const json_t *v = str_at(obj, key);
    size_t n = 0;
    if (!v || zbp_hex_decode(out, max, &n, json_string_value(v), json_string_length(v)) || n < min)
        return job_fail(err, errlen, 2, "%s: %s must be hex of %zu%s%zu bytes", where, key, min,
                        min == max ? "" : " to ", min == max ? (size_t)0 : max);
    if (len) *len = n;
    return 0;
}

/* The PROOF transcript's inputs from the parsed proof and signals: canonical big-endian bytes. */
static int proof_binding(uint8_t rd[64], const uint8_t *job_id, size_t job_id_len,
                         const uint8_t *tid, size_t tlen, const uint8_t zsha[32],
                         const groth16_proof_t *p, const fr_t *pub, size_t n) {
    attest_proof_binding_t b;
    memset(&b, 0, sizeof b);
    uint8_t *pubs = malloc(n ? 32 * n : 1);
    if (!pubs) return 3;
    for (size_t i = 0; i < n; i++)
        fr_to_bytes_be(pubs + 32 * i, &pub[i]);
    b.job_id = job_id;
    b.job_id_len = job_id_len;
    b.ticket_id = tid;
    b.ticket_id_len = tlen;
    memcpy(b.zkey_sha256, zsha, 32);
    b.publics = pubs;
    b.n_public = (uint32_t)n;
    fq_to_bytes_be(b.proof[0], &p->a.x);
    fq_to_bytes_be(b.proof[1], &p->a.y);
    fq_to_bytes_be(b.proof[2], &p->b.x.c0);
    fq_to_bytes_be(b.proof[3], &p->b.x.c1);
    fq_to_bytes_be(b.proof[4], &p->b.y.c0);
    fq_to_bytes_be(b.proof[5], &p->b.y.c1);
    fq_to_bytes_be(b.proof[6], &p->c.x);
    fq_to_bytes_be(b.proof[7], &p->c.y);
    int rc = attest_binding_proof(rd, &b, NULL, 0, NULL);
    free(pubs);
    return rc ? 3 : 0;
}

/* The answer's own fields, as the transcript needs them. */
typedef struct {
    const json_t *id, *att, *kind;
    uint8_t tid[JOB_TICKET_ID_MAX], zsha[32], rd_claim[64];
    size_t tlen;
} answer_t;

static int read_answer(answer_t *a, const json_t *root, const char *bp, char *err,
                       size_t errlen) {
    const json_t *okv = json_object_get(root, "ok");
    if (!json_is_object(root) || !okv || !json_is_true(okv))
        return job_fail(err, errlen, 2, "%s: not a successful prove answer (\"ok\": true)", bp);
    if (!(a->id = str_at(root, "id")))
        return job_fail(err, errlen, 2, "%s: id: a string is required", bp);
    const json_t *tv = str_at(root, "ticket_id");
    if (!tv || zbp_hex_decode(a->tid, sizeof a->tid, &a->tlen, json_string_value(tv), json_string_length(tv)))
        return job_fail(err, errlen, 2, "%s: ticket_id must be hex (\"\" when there is no ticket)",
                        bp);
    int rc = hex_field(root, "zkey_sha256", a->zsha, 32, 32, NULL, bp, err, errlen);
    if (rc) return rc;
    a->att = json_object_get(root, "attestation");
    if (!a->att || !json_is_object(a->att))
        return job_fail(err, errlen, 2, "%s: attestation: an object is required", bp);
    if ((rc = hex_field(a->att, "report_data", a->rd_claim, 64, 64, NULL, bp, err, errlen)))
        return rc;
    a->kind = str_at(a->att, "kind");
    if (!a->kind || (!zbp_json_string_is(a->kind, "snp") && !zbp_json_string_is(a->kind, "sim") &&
                     !zbp_json_string_is(a->kind, "none")))
        return job_fail(err, errlen, 2, "%s: attestation.kind must be snp, sim or none", bp);
    return 0;
}

/* The proof under the client's key, the transcript recomputed into rd, and what the client
 * expects of the answer. */
static int check_proof(job_bundle_verdict_t *v, const answer_t *a, const json_t *root,
                       job_text_t bundle, job_text_t vkt, const job_bundle_opts_t *o,
                       uint8_t rd[64], char *err, size_t errlen) {
    json_t *vkdoc = NULL;
    groth16_vk_t vk;
    bool have_vk = false;
    fr_t *pub = NULL;
    size_t npub = 0;
    char m[768];
    int rc = parse_text(&vkdoc, vkt, err, errlen);
    if (rc) goto out;
    int st = groth16_vk_from_json(&vk, vkdoc, m, sizeof m);
    if (st) {
        rc = job_fail(err, errlen, st == ZBP_ERR_NOMEM ? 3 : 2, "%s: %s", vkt.name, m);
        goto out;
    }
    have_vk = true;
    groth16_proof_t proof;
    if ((st = groth16_proof_from_json(&proof, json_object_get(root, "proof"), m, sizeof m)) ||
        (st = groth16_public_from_json(&pub, &npub, json_object_get(root, "public"), m, sizeof m))) {
        rc = job_fail(err, errlen, st == ZBP_ERR_NOMEM ? 3 : 2, "%s: %s", bundle.name, m);
        goto out;
    }
    int valid = 0;
    if (npub != vk.n_public)
        add(v, "proof", SNP_CHECK_FAIL, "%zu public signals, the key expects %zu", npub,
            vk.n_public);
    else if (groth16_verify(&vk, &proof, pub, npub, &valid) || !valid)
        add(v, "proof", SNP_CHECK_FAIL, "the Groth16 proof does not verify with %s", vkt.name);
    else
        add(v, "proof", SNP_CHECK_PASS, "Groth16 proof valid (%zu public signals)", npub);
    if ((rc = proof_binding(rd, (const uint8_t *)json_string_value(a->id), json_string_length(a->id), a->tid, a->tlen, a->zsha,
                            &proof, pub, npub))) {
        rc = job_fail(err, errlen, 3, "binding transcript failed");
        goto out;
    }
    char hex[129];
    zbp_hex_encode(hex, rd, 64);
    /* The claim is only compared here; the report's own REPORT_DATA is held to rd below. */
    if (memcmp(rd, a->rd_claim, 64))
        add(v, "transcript", SNP_CHECK_FAIL,
            "report_data differs from SHA-512 of the PROOF transcript %.32s...", hex);
    else
        add(v, "transcript", SNP_CHECK_PASS, "SHA-512(ZBPROVER-PROOF-V1 ...) = %.32s...", hex);
    if (o->expect_job_id)
        add(v, "job-id",
            strlen(o->expect_job_id) == json_string_length(a->id) &&
                    !memcmp(o->expect_job_id, json_string_value(a->id), json_string_length(a->id))
                ? SNP_CHECK_PASS
                : SNP_CHECK_FAIL,
            "id %s", o->expect_job_id);
    if (o->expect_ticket_id) {
        char th[2 * JOB_TICKET_ID_MAX + 1];
        zbp_hex_encode(th, a->tid, a->tlen);
        add(v, "ticket-id", !strcasecmp(th, o->expect_ticket_id) ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
            "ticket_id %s", th);
    }
    if (o->expect_zkey_sha256) {
        char zh[65];
        zbp_hex_encode(zh, a->zsha, 32);
        add(v, "zkey", !strcasecmp(zh, o->expect_zkey_sha256) ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
            "zkey_sha256 %s", zh);
    }
out:
    free(pub);
    if (have_vk) groth16_vk_free(&vk);
    json_decref(vkdoc);
    return rc;
}

/* The report, held to REPORT_DATA = rd. The kind is bound to how it can verify: "sim" only under
 * a trust root (the simulator's), "snp" only under AMD's pinned roots, "none" only when asked. */
static int check_report(job_bundle_verdict_t *v, const answer_t *a, const char *bp,
                        snp_certs_t *certs, const job_bundle_opts_t *o, const uint8_t rd[64],
                        char *err, size_t errlen) {
    if (zbp_json_string_is(a->kind, "none")) {
        add(v, "attestation", o->allow_unattested ? SNP_CHECK_SKIP : SNP_CHECK_FAIL,
            o->allow_unattested ? "kind none: unattested, accepted by --allow-unattested"
                                : "kind none: no report binds this proof (--allow-unattested "
                                  "accepts the proof alone)");
        return 0;
    }
    bool sim = zbp_json_string_is(a->kind, "sim");
    bool rooted = o->policy.trust_root || o->policy.trust_root_data;
    if (sim != rooted) {
        add(v, "attestation", SNP_CHECK_FAIL, "%s",
            sim ? "kind sim: a simulated report attests nothing; only --trust-root with the "
                  "simulator's ark.pem accepts it"
                : "kind snp: --trust-root is for simulated reports; real ones chain to AMD's "
                  "pinned roots");
        return 0;
    }
    const json_t *rb = str_at(a->att, "report_b64");
    size_t rlen = 0;
    uint8_t *rep = rb ? malloc(zbp_b64_decoded_max(json_string_length(rb)) + 1) : NULL;
    char m[768];
    int rc = 0;
    snp_report_t r;
    if (!rep || zbp_b64_decode(rep, &rlen, json_string_value(rb), json_string_length(rb)) || rlen != SNP_REPORT_SIZE)
        rc = job_fail(err, errlen, 2, "%s: attestation.report_b64 must be base64 of a %d-byte report",
                      bp, SNP_REPORT_SIZE);
    else if (snp_report_parse(&r, rep, rlen, m, sizeof m))
        rc = job_fail(err, errlen, 2, "%s: attestation.report_b64: %s", bp, m);
    free(rep);
    if (rc) return rc;
    const json_t *pem = str_at(a->att, "certs");
    if (pem && (rc = snp_certs_add_blob(certs, (const uint8_t *)json_string_value(pem), json_string_length(pem),
                                        "attestation.certs", m, sizeof m)))
        return job_fail(err, errlen, rc == ATTEST_EINPUT ? 2 : 3, "%s: %s", bp, m);
    snp_policy_t p = o->policy;
    p.report_data = rd;
    snp_verdict_t sv;
    rc = attest_verify(&sv, &r, certs, &p, m, sizeof m);
    if (rc != ATTEST_OK && rc != ATTEST_REJECTED)
        return job_fail(err, errlen, rc == ATTEST_EINPUT ? 2 : 3, "%s: the report: %s", bp, m);
    for (size_t i = 0; i < sv.n; i++)
        add(v, sv.checks[i].name, sv.checks[i].status, "%s", sv.checks[i].detail);
    if (sv.dropped)
        add(v, "checks", SNP_CHECK_FAIL, "%zu attestation checks were not recorded", sv.dropped);
    if (!sv.ok) v->ok = false; /* the report's verdict, not only its copied lines */
    v->attested = sv.ok;
    v->revocation_checked = sv.revocation_checked;
    v->vek_revocation_checked = sv.vek_revocation_checked;
    return 0;
}

int job_bundle_verify(job_bundle_verdict_t *v, job_text_t bundle, job_text_t vk, snp_certs_t *certs,
                      const job_bundle_opts_t *o, char *err, size_t errlen) {
    memset(v, 0, sizeof *v);
    v->ok = true;
    json_t *doc = NULL;
    answer_t a;
    uint8_t rd[64];
    memset(&a, 0, sizeof a);
    int rc = parse_text(&doc, bundle, err, errlen);
    if (!rc) rc = read_answer(&a, doc, bundle.name, err, errlen);
    if (!rc) rc = check_proof(v, &a, doc, bundle, vk, o, rd, err, errlen);
    if (!rc) rc = check_report(v, &a, bundle.name, certs, o, rd, err, errlen);
    json_decref(doc);
    return rc ? rc : v->ok ? 0 : 1;
}

int job_bundle_check(job_bundle_verdict_t *v, const char *bundle_path, const job_bundle_opts_t *o,
                     char *err, size_t errlen) {
    memset(v, 0, sizeof *v);
    char *bt = NULL, *vt = NULL, m[768];
    size_t bl = 0, vl = 0;
    snp_certs_t *certs = snp_certs_new();
    int rc = certs ? 0 : job_fail(err, errlen, 3, "out of memory");
    if (!rc) rc = read_text(bundle_path, (size_t)64 << 20, &bt, &bl, err, errlen);
    if (!rc) rc = read_text(o->vk_path, (size_t)64 << 20, &vt, &vl, err, errlen);
    for (size_t i = 0; !rc && i < o->n_certs; i++)
        if ((rc = snp_certs_load(certs, o->certs[i], m, sizeof m)))
            rc = job_fail(err, errlen, rc == ATTEST_EINPUT ? 2 : 3, "%s", m);
    for (size_t i = 0; !rc && i < o->n_crls; i++)
        if ((rc = snp_certs_load_crl(certs, o->crls[i], m, sizeof m)))
            rc = job_fail(err, errlen, rc == ATTEST_EINPUT ? 2 : 3, "%s", m);
    if (!rc)
        rc = job_bundle_verify(v, (job_text_t){bundle_path, bt, bl}, (job_text_t){o->vk_path, vt, vl},
                               certs, o, err, errlen);
    free(bt);
    free(vt);
    snp_certs_free(certs);
    return rc;
}

int job_key_answer_read(const json_t *a, uint8_t key_id[JOB_KEY_ID_LEN], uint8_t pub[32],
                        uint8_t *ticket_id, size_t *ticket_id_len, char *err, size_t errlen) {
    const json_t *okv = json_object_get(a, "ok");
    if (!json_is_object(a) || !okv || !json_is_true(okv))
        return job_fail(err, errlen, 2, "not a successful key answer (\"ok\": true)");
    int rc;
    if ((rc = hex_field(a, "key_id", key_id, JOB_KEY_ID_LEN, JOB_KEY_ID_LEN, NULL, "key answer",
                        err, errlen)) ||
        (rc = hex_field(a, "public", pub, 32, 32, NULL, "key answer", err, errlen)))
        return rc;
    const json_t *tv = str_at(a, "ticket_id");
    if (!tv || zbp_hex_decode(ticket_id, JOB_TICKET_ID_MAX, ticket_id_len, json_string_value(tv), json_string_length(tv)))
        return job_fail(err, errlen, 2, "key answer: ticket_id must be hex");
    const json_t *att = json_object_get(a, "attestation");
    uint8_t claim[64], rd[64];
    if (!json_is_object(att) ||
        (rc = hex_field(att, "report_data", claim, 64, 64, NULL, "key answer: attestation", err,
                        errlen)))
        return rc ? rc : job_fail(err, errlen, 2, "key answer: attestation: an object is required");
    if (attest_binding_key(rd, ticket_id, *ticket_id_len, pub, NULL, 0, NULL))
        return job_fail(err, errlen, 3, "binding transcript failed");
    if (memcmp(rd, claim, 64))
        return job_fail(err, errlen, 1,
                        "key answer: report_data is not SHA-512 of the KEY "
                        "transcript of this public key and ticket id");
    const json_t *rb = str_at(att, "report_b64");
    if (rb) {
        uint8_t *rep = malloc(zbp_b64_decoded_max(json_string_length(rb)) + 1);
        size_t n = 0;
        snp_report_t r;
        char m[512];
        bool ok = rep && !zbp_b64_decode(rep, &n, json_string_value(rb), json_string_length(rb)) && n == SNP_REPORT_SIZE &&
                  !snp_report_parse(&r, rep, n, m, sizeof m);
        free(rep);
        if (!ok) return job_fail(err, errlen, 2, "key answer: report_b64 is not a report");
        if (memcmp(r.report_data, rd, 64))
            return job_fail(err, errlen, 1,
                            "key answer: the report's REPORT_DATA does not bind "
                            "this public key");
    }
    return 0;
}
