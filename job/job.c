/* job.c: a prove job's work in order (ticket, circuit hash against the ticket, spend, circuit
 * check, witness or input, the proof from the circuit's worker and its check, bind, attest), on
 * the job's thread (dispatch.c) (docs/job-protocol.md). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"
#include "witness/witness.h"

/* A proof coordinate as the transcript takes it: 32 bytes big-endian, canonical. */
static void coord_be(uint8_t out[32], const fq_t *x) { fq_to_bytes_be(out, x); }

typedef struct {
    double t0, ticket, load, witness_end, prove_end, attest;
    double object, start, w_witness, w_prove; /* -1: not measured */
    char device[16];                           /* what made the proof (the worker says) */
} timing_t;
static void answer_timing(jb_t *b, const timing_t *t);

/* The worker's answer checked here, never trusted: proof.json and public.json parsed (every point
 * on its curve, G2 in its subgroup), the public signals those of the witness when the witness is
 * ours, and the pairing equation with the key's verification key. *bad: the worker lied. */
static int check_result(const zk_entry_t *zk, const frame_result_t *res, const zbp_wtns_t *w,
                        zbp_proof_t *proof, bool *bad, char *err, size_t errlen) {
    json_t *dp = NULL, *du = NULL;
    groth16_proof_t gp;
    char m[400];
    int rc = JOB_INTERNAL, valid = 0;
    *bad = true;
    memset(proof, 0, sizeof *proof);
    if (zbp_json_parse(&dp, res->proof, res->proof_len, NULL, NULL) ||
        zbp_json_parse(&du, res->pub, res->pub_len, NULL, NULL) ||
        groth16_proof_from_json(&gp, dp, m, sizeof m) ||
        groth16_public_from_json(&proof->pub, &proof->n_public, du, m, sizeof m)) {
        rc = job_fail(err, errlen, rc, "the worker's proof does not parse");
        goto out;
    }
    proof->a = gp.a, proof->b = gp.b, proof->c = gp.c;
    if (proof->n_public != zk->z.n_public) {
        rc = job_fail(err, errlen, rc, "the worker's proof has %zu public signals, the key %u",
                      proof->n_public, zk->z.n_public);
        goto out;
    }
    for (size_t i = 0; w && i < proof->n_public; i++) { /* the witness's own w[1..n_public] */
        fr_t x;
        if (fr_from_bytes_le(&x, w->values + 32 * (i + 1)) != ZBP_OK ||
            memcmp(&x, &proof->pub[i], sizeof x)) {
            rc = job_fail(err, errlen, rc, "the worker's public signal %zu is not the witness's", i);
            goto out;
        }
    }
    if (zbp_zkey_verify_proof(&zk->z, proof, &valid, m, sizeof m) != ZBP_OK || !valid) {
        rc = job_fail(err, errlen, rc,
                      "the worker's proof fails the pairing check with the key's verification key");
        goto out;
    }
    *bad = false;
    rc = JOB_OK;
out:
    json_decref(dp); /* NULL is fine */
    json_decref(du);
    return rc;
}

/* The job in the circuit's worker: the frame out, the result in and checked. A worker that died,
 * broke the protocol or returned a wrong proof is ended; the next job gets a fresh one. */
static int run_in_worker(server_t *s, job_t *j, const zk_entry_t *zk, const zk_entry_t *wm, const char *so,
                         uint32_t kind, const uint8_t *payload, size_t len, const zbp_wtns_t *w,
                         zbp_proof_t *proof, timing_t *t, char *err, size_t errlen) {
    pworker_t *wk;
    int rc = pool_acquire(s->pool, zk, wm, so, &wk, &t->start, err, errlen);
    if (rc) return rc;
    job_set_active(s, j, wk);
    uint8_t *body = NULL;
    frame_result_t res;
    rc = pool_job(s->pool, wk, kind, payload, len, &body, &res, err, errlen);
    job_set_active(s, j, NULL);
    bool end = rc != JOB_OK;
    if (!rc && res.code) {
        end = res.flags & FRAME_RETIRE;
        rc = job_fail(err, errlen, (int)res.code, "%.*s", (int)res.msg_len, res.msg);
    } else if (!rc) {
        t->w_witness = res.witness_ms;
        t->w_prove = res.prove_ms;
        memcpy(t->device, res.device, sizeof t->device);
        if (res.msg_len) { /* its GPU left for the CPU (--device auto): said once, in the log */
            char note[600];
            snprintf(note, sizeof note, "%.*s", (int)res.msg_len, res.msg);
            log_line(s, "warn", "device_fallback", NULL, -1, note, -1);
        }
        rc = check_result(zk, &res, w, proof, &end, err, errlen);
        if (end) {
            log_line(s, "error", "worker_wrong_proof", NULL, -1, err, -1);
            zbp_proof_free(proof);
        }
    }
    free(body);
    pool_release(s->pool, wk, end);
    return rc;
}

/* The answer: the PROOF transcript over the exact values it carries, then the report. */
static int answer_proof(server_t *s, job_request_t *r, const zk_entry_t *zk, const zk_entry_t *wm,
                        const uint8_t *tid, size_t tlen, const zbp_proof_t *proof, timing_t *t,
                        char **answer, char *err, size_t errlen) {
    attest_proof_binding_t bind;
    memset(&bind, 0, sizeof bind);
    bind.job_id = (const uint8_t *)r->id;
    bind.job_id_len = r->id_len;
    bind.ticket_id = tid;
    bind.ticket_id_len = tlen;
    memcpy(bind.zkey_sha256, zk->sha, 32);
    uint8_t *pubs = malloc(proof->n_public ? 32 * proof->n_public : 1), rd[64];
    if (!pubs) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    for (size_t i = 0; i < proof->n_public; i++)
        fr_to_bytes_be(pubs + 32 * i, &proof->pub[i]);
    bind.publics = pubs;
    bind.n_public = (uint32_t)proof->n_public;
    const fq_t *co[8] = {&proof->a.x,    &proof->a.y,    &proof->b.x.c0, &proof->b.x.c1,
                         &proof->b.y.c0, &proof->b.y.c1, &proof->c.x,    &proof->c.y};
    for (int i = 0; i < 8; i++)
        coord_be(bind.proof[i], co[i]);
    int brc = attest_binding_proof(rd, &bind, NULL, 0, NULL);
    free(pubs);
    if (brc) return job_fail(err, errlen, JOB_INTERNAL, "binding transcript failed");
    char *ptext = NULL, *utext = NULL;
    size_t plen = 0, ulen = 0;
    if (zbp_proof_json(&ptext, &plen, proof) || zbp_public_json(&utext, &ulen, proof)) {
        free(ptext);
        return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    }
    jb_t b;
    answer_head(&b, r, true);
    jb_key(&b, "proof");
    jb_value_compact(&b, ptext, plen);
    jb_key(&b, "public");
    jb_value_compact(&b, utext, ulen);
    free(ptext);
    free(utext);
    jb_key(&b, "zkey_sha256");
    jb_hex(&b, zk->sha, 32);
    if (wm) { /* what computed the witness (not in the PROOF transcript: docs/binding.md) */
        jb_key(&b, "wasm_sha256");
        jb_hex(&b, wm->sha, 32);
    }
    jb_key(&b, "ticket_id");
    jb_hex(&b, tid ? tid : (const uint8_t *)"", tlen);
    jb_key(&b, "device"); /* what made the proof (not bound: for information, like timing_ms) */
    jb_str(&b, t->device);
    int rc = attest_object(s, &b, rd, err, errlen);
    t->attest = job_mono_ms();
    answer_timing(&b, t);
    jb_obj_end(&b);
    if (!rc && b.failed) rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    if (rc)
        jb_free(&b);
    else
        *answer = b.buf;
    return rc;
}
/* "timing_ms": for information only (not in the transcript). witness: reading or opening the
 * witness here, plus the worker's run of the witness program; prove: the rest of the worker's
 * round trip and the check of its proof; worker_start: when this job started its worker. */
static void answer_timing(jb_t *b, const timing_t *t) {
    double ww = t->w_witness > 0 ? t->w_witness : 0;
    jb_key(b, "timing_ms");
    jb_obj(b);
    jb_key(b, "ticket");
    jb_ms(b, t->ticket - t->t0);
    jb_key(b, "load");
    jb_ms(b, t->load - t->ticket);
    jb_key(b, "witness");
    jb_ms(b, t->witness_end - t->load + ww);
    if (t->object >= 0) { /* of which: the program's object (built, or found in the cache) */
        jb_key(b, "witness_object");
        jb_ms(b, t->object);
    }
    if (t->start >= 0) {
        jb_key(b, "worker_start");
        jb_ms(b, t->start);
    }
    jb_key(b, "prove");
    jb_ms(b, t->prove_end - t->witness_end - ww);
    jb_key(b, "attest");
    jb_ms(b, t->attest - t->prove_end);
    jb_key(b, "total");
    jb_ms(b, t->attest - t->t0);
    jb_obj_end(b);
}

/* The ticket's signature, expiry and replay entry: cheap, so a bad ticket costs no work. */
static int ticket_phase(server_t *s, job_request_t *r, const uint8_t **tid, size_t *tlen,
                        char *err, size_t errlen) {
    if (!s->hub) return JOB_OK;
    if (!r->has_ticket) return job_fail(err, errlen, JOB_BAD_TICKET, "a ticket is required");
    int rc = job_ticket_check(s->hub, &r->ticket, job_unix_now(), err, errlen);
    if (rc) return rc;
    if (job_replay_contains(s->replay, r->ticket.id, r->ticket.id_len))
        return job_fail(err, errlen, JOB_REPLAYED_TICKET, "ticket: already spent");
    *tid = r->ticket.id;
    *tlen = r->ticket.id_len;
    return JOB_OK;
}

/* The circuit's bytes and hash (from the cache, or read whole into the loop's memory): a ticket
 * for another circuit is refused before the file is parsed or checked, and stays unspent; so does
 * a job whose witness program is missing. Then the spend (on disk before the expensive work: a
 * crash from here on cannot let it be used again), then the circuit's check. */
static int circuit_phase(server_t *s, job_request_t *r, bool from_input, zk_entry_t **zk,
                         zk_entry_t **wm, char *err, size_t errlen) {
    int rc = zk_open(s->cache, r->zkey, false, zk, err, errlen);
    if (rc) return rc;
    if (s->hub && (rc = job_ticket_check_circuit(&r->ticket, (*zk)->sha, err, errlen))) return rc;
    if (from_input && (rc = zk_open(s->cache, r->wasm, true, wm, err, errlen))) return rc;
    if (s->hub) {
        if ((rc = job_replay_spend(s->replay, r->ticket.id, r->ticket.id_len, r->ticket.expires,
                                   err, errlen)))
            return rc;
        log_line(s, "info", "ticket_spent", r, -1, NULL, -1);
    }
    return zk_check(s->cache, *zk, err, errlen);
}

static void test_delay(server_t *s) {
#ifdef ZBP_TEST_HOOKS
    if (s->test_delay_ms > 0) {
        long ms = (long)s->test_delay_ms;
        struct timespec d = {ms / 1000, ms % 1000 * 1000000L};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
    }
#else
    (void)s;
#endif
}

/* A witness given with the request, parsed and held against the circuit. */
static int open_witness(server_t *s, job_request_t *r, const zk_entry_t *zk, const uint8_t *tid,
                        size_t tlen, uint8_t **buf, size_t *len, zbp_wtns_t *w, char *err,
                        size_t errlen) {
    int rc = job_witness_bytes(s, r, zk, tid, tlen, buf, len, err, errlen);
    if (rc) return rc;
    const char *name = r->wsrc == JOB_WTNS_PATH  ? r->wtns
                       : r->wsrc == JOB_WTNS_B64 ? "wtns_b64"
                                                 : "sealed witness";
    char m[1024];
    int st = zbp_wtns_from_memory(w, *buf, *len, name, m, sizeof m);
    if (st != ZBP_OK)
        return job_fail(err, errlen, job_code_of(st, JOB_BAD_WITNESS), "%s", m);
    if (w->n_witness != zk->z.n_vars) {
        zbp_wtns_close(w);
        return job_fail(err, errlen, JOB_BAD_WITNESS,
                        "the witness has %u values, the circuit %u variables", w->n_witness,
                        zk->z.n_vars);
    }
    return JOB_OK;
}

/* The work of one prove request, in order: ticket, circuit hash (against the ticket), spend,
 * circuit check, witness (or input), the worker's proof and its check, bind, attest. */
int prove_job(server_t *s, job_t *j, job_request_t *r, char **answer, char *err, size_t errlen) {
    timing_t t = {.t0 = job_mono_ms(), .object = -1, .start = -1, .w_witness = -1};
    const uint8_t *tid = NULL;
    size_t tlen = 0, len = 0;
    zk_entry_t *zk = NULL, *wm = NULL;
    bool from_input = r->wsrc == JOB_WTNS_INPUT || r->wsrc == JOB_WTNS_SEALED_INPUT;
    uint8_t *buf = NULL;
    zbp_wtns_t w;
    bool w_open = false, have_proof = false;
    zbp_proof_t proof;
    char so[4400];
    int rc = ticket_phase(s, r, &tid, &tlen, err, errlen);
    if (rc) return rc;
    t.ticket = job_mono_ms();
    if ((rc = circuit_phase(s, r, from_input, &zk, &wm, err, errlen))) goto out;
    t.load = job_mono_ms();
    test_delay(s);
    if (from_input) {
        if (!(rc = job_input_object(s, r, wm, so, sizeof so, &t.object, err, errlen)))
            rc = job_input_payload(s, r, zk, wm, tid, tlen, &buf, &len, err, errlen);
    } else {
        w_open = !(rc = open_witness(s, r, zk, tid, tlen, &buf, &len, &w, err, errlen));
    }
    if (rc) goto out;
    t.witness_end = job_mono_ms();
    if ((rc = run_in_worker(s, j, zk, wm, from_input ? so : NULL,
                            from_input ? FRAME_JOB_INPUT : FRAME_JOB_WTNS, buf, len,
                            w_open ? &w : NULL, &proof, &t, err, errlen)))
        goto out;
    have_proof = true;
    t.prove_end = job_mono_ms();
    rc = answer_proof(s, r, zk, wm, tid, tlen, &proof, &t, answer, err, errlen);
out:
    if (w_open) zbp_wtns_close(&w);
    job_secret_free(buf); /* wipes it */
    if (have_proof) zbp_proof_free(&proof);
    if (zk) zk_release(s->cache, zk);
    if (wm) zk_release(s->cache, wm);
    return rc;
}
