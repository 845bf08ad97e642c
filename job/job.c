/* job.c: prove jobs: one request's work in order (ticket, circuit hash against the ticket, spend,
 * circuit check, witness, prove, bind, attest), run on a worker thread so that a job past
 * --job-timeout can be answered while it runs on (docs/job-protocol.md). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"
#include "witness/witness.h"

void join_worker(server_t *s) {
    if (s->worker_joinable) pthread_join(s->worker, NULL);
    s->worker_joinable = false;
}

/* ---- prove ---- */
typedef struct {
    server_t *s;
    job_request_t req;
    char *answer; /* the answer line, ok or error */
    int code;     /* JOB_OK or the error's code */
    bool done, abandoned;
} job_t;

static void job_free(job_t *j) {
    job_request_free(&j->req);
    free(j->answer);
    free(j);
}

/* A proof coordinate as the transcript takes it: 32 bytes big-endian, canonical. */
static void coord_be(uint8_t out[32], const fq_t *x) { fq_to_bytes_be(out, x); }

/* The witness of an input (in the request, or sealed), computed by the witness program wm: its
 * object from the engine's cache (built from the bytes the loop read and hashed when absent), then
 * run in a forked child under the engine's limits. The .wtns lands in secret memory (*wbuf); the
 * input, its plaintext and the engine's copy are wiped. The program's failures are the request's
 * (bad_witness), a time limit is timeout, the environment's (no compiler, no cache) internal. */
static int witness_from_input(server_t *s, job_request_t *r, const zk_entry_t *zk, zk_entry_t *wm,
                              const uint8_t *tid, size_t tlen, uint8_t **wbuf, size_t *wlen,
                              double *object_ms, char *err, size_t errlen) {
    const job_serve_opts_t *o = s->o;
    zbp_witness_opts_t wo;
    zbp_witness_opts_init(&wo);
    if (o->witness_time_limit_s) wo.time_limit_s = o->witness_time_limit_s;
    if (o->witness_memory_limit) wo.memory_limit = o->witness_memory_limit;
    wo.cache_dir = o->witness_cache_dir;
    wo.quiet_log = 1; /* a circuit's log() can print private values: never into the loop's log */
    int timed_out = 0;
    wo.timed_out = &timed_out;
    char so[4400], sha[65], m[1600];
    double t0 = job_mono_ms();
    int st = zbp_witness_object_mem(wm->bytes, (size_t)wm->size, r->wasm, &wo, so, sizeof so, sha,
                                    m, sizeof m);
    if (st != ZBP_OK)
        return job_fail(err, errlen, job_code_of(st, JOB_BAD_WITNESS), "%s", m);
    *object_ms = job_mono_ms() - t0;
    int rc = zk_check(s->cache, wm, err, errlen); /* the program is cached from here */
    if (rc) return rc;
    json_t *doc = NULL; /* a sealed input's own document */
    const json_t *root = r->input;
    const char *iname = "input";
    if (r->wsrc == JOB_WTNS_SEALED_INPUT) {
        uint8_t *pt = NULL;
        size_t ptlen = 0;
        if ((rc = job_sealed_open(s->keys, &r->sealed, tid, tlen, zk->sha, wm->sha,
                                  o->max_witness_bytes, &pt, &ptlen, err, errlen)))
            return rc;
        iname = "sealed input";
        zbp_json_error_t je;
        st = zbp_json_parse(&doc, (const char *)pt, ptlen, NULL, &je);
        job_secret_free(pt); /* wipes it */
        if (st != ZBP_OK)
            return job_fail(err, errlen, job_code_of(st, JOB_BAD_WITNESS),
                            "sealed input: not JSON: %s at line %zu, column %zu", je.message,
                            je.line, je.column);
        root = doc;
    }
    zbp_witness_input_t in;
    uint8_t *out = NULL;
    size_t len = 0;
    st = zbp_witness_input_from_value(&in, root, iname, m, sizeof m);
    if (st == ZBP_OK) {
        st = zbp_witness_run(&out, &len, so, sha, r->wasm, &in, iname, &wo, m, sizeof m);
        zbp_witness_input_free(&in);
    }
    if (doc) {
        job_json_wipe(doc);
        json_decref(doc);
    }
    if (st != ZBP_OK)
        return job_fail(err, errlen,
                        timed_out ? JOB_TIMEOUT : job_code_of(st, JOB_BAD_WITNESS),
                        "%s", m);
    if (len > o->max_witness_bytes) {
        rc = job_fail(err, errlen, JOB_TOO_LARGE, "%s: the witness exceeds %zu bytes", r->wasm,
                      o->max_witness_bytes);
    } else if (!(*wbuf = job_secret_alloc(len + 1))) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    } else {
        memcpy(*wbuf, out, len);
        *wlen = len;
    }
    OPENSSL_cleanse(out, len);
    free(out);
    return rc;
}

/* The work of one prove request, in order: ticket, circuit hash (against the ticket), spend,
 * circuit check, witness, prove, bind, attest. */
static int prove_job(server_t *s, job_request_t *r, char **answer, char *err, size_t errlen) {
    const job_serve_opts_t *o = s->o;
    double t0 = job_mono_ms(), t_ticket, t_load, t_wtns, t_prove, t_attest;
    const uint8_t *tid = NULL;
    size_t tlen = 0;
    int rc = JOB_OK;
    zk_entry_t *zk = NULL, *wm = NULL;
    bool from_input = r->wsrc == JOB_WTNS_INPUT || r->wsrc == JOB_WTNS_SEALED_INPUT;
    double t_object = -1;
    zbp_wtns_t w;
    bool w_open = false;
    uint8_t *wbuf = NULL;
    size_t wlen = 0;
    zbp_proof_t proof;
    bool have_proof = false;
    char m[1024];

    if (s->hub) { /* the cheap checks first: no work for a bad ticket */
        if (!r->has_ticket) return job_fail(err, errlen, JOB_BAD_TICKET, "a ticket is required");
        if ((rc = job_ticket_check(s->hub, &r->ticket, job_unix_now(), err, errlen))) return rc;
        if (job_replay_contains(s->replay, r->ticket.id, r->ticket.id_len))
            return job_fail(err, errlen, JOB_REPLAYED_TICKET, "ticket: already spent");
        tid = r->ticket.id;
        tlen = r->ticket.id_len;
    }
    t_ticket = job_mono_ms();
    /* The circuit's bytes and hash (from the cache, or read whole into the loop's memory): a
     * ticket for another circuit is refused here, before the file is parsed or checked, and its
     * ticket stays unspent. */
    if ((rc = zk_open(s->cache, r->zkey, false, &zk, err, errlen))) return rc;
    if (s->hub && (rc = job_ticket_check_circuit(&r->ticket, zk->sha, err, errlen))) goto out;
    /* The witness program's bytes and hash, also before the spend: a missing file costs no ticket.
     * (Its object is built after the spend: that is the expensive part.) */
    if (from_input && (rc = zk_open(s->cache, r->wasm, true, &wm, err, errlen))) goto out;
    if (s->hub) {
        /* Spent (on disk) before the expensive work: a crash from here on cannot let it be used
         * again, and a bad circuit costs its ticket. */
        if ((rc = job_replay_spend(s->replay, tid, tlen, r->ticket.expires, err, errlen))) goto out;
        log_line(s, "info", "ticket_spent", r, -1, NULL, -1);
    }
    if ((rc = zk_check(s->cache, zk, err, errlen))) goto out;
    t_load = job_mono_ms();
    if (s->test_delay_ms > 0) {
        long ms = (long)s->test_delay_ms;
        struct timespec d = {ms / 1000, ms % 1000 * 1000000L};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
    }

    double tw = job_mono_ms();
    if (from_input) {
        if ((rc = witness_from_input(s, r, zk, wm, tid, tlen, &wbuf, &wlen, &t_object, err,
                                     errlen)))
            goto out;
        int st2 = zbp_wtns_from_memory(&w, wbuf, wlen, "the computed witness", m, sizeof m);
        if (st2 != ZBP_OK) {
            rc = job_fail(err, errlen, job_code_of(st2, JOB_BAD_WITNESS), "%s",
                          m);
            goto out;
        }
        w_open = true;
    } else if (r->wsrc == JOB_WTNS_PATH) {
        /* Read whole into secret memory: never blocks (a FIFO is refused), and the file cannot
         * change under the prover. */
        struct stat st;
        if ((rc = job_file_read(r->wtns, o->max_witness_bytes, true, JOB_BAD_WITNESS,
                                JOB_TOO_LARGE, &wbuf, &wlen, &st, err, errlen)))
            goto out;
        int st2 = zbp_wtns_from_memory(&w, wbuf, wlen, r->wtns, m, sizeof m);
        if (st2 != ZBP_OK) {
            rc = job_fail(err, errlen, job_code_of(st2, JOB_BAD_WITNESS), "%s",
                          m);
            goto out;
        }
        w_open = true;
    } else {
        const char *name = r->wsrc == JOB_WTNS_B64 ? "wtns_b64" : "sealed witness";
        if (r->wsrc == JOB_WTNS_B64) {
            if (job_b64_decoded_max(r->wtns_len) > o->max_witness_bytes + 2) {
                rc = job_fail(err, errlen, JOB_TOO_LARGE, "wtns_b64: the witness exceeds %zu bytes",
                              o->max_witness_bytes);
                goto out;
            }
            wbuf = job_secret_alloc(job_b64_decoded_max(r->wtns_len) + 1);
            if (!wbuf) {
                rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
                goto out;
            }
            if (job_b64_decode(wbuf, &wlen, r->wtns, r->wtns_len)) {
                rc = job_fail(err, errlen, JOB_BAD_WITNESS, "wtns_b64: not canonical base64");
                goto out;
            }
            if (wlen > o->max_witness_bytes) {
                rc = job_fail(err, errlen, JOB_TOO_LARGE, "wtns_b64: the witness exceeds %zu bytes",
                              o->max_witness_bytes);
                goto out;
            }
        } else if ((rc = job_sealed_open(s->keys, &r->sealed, tid, tlen, zk->sha, NULL,
                                         o->max_witness_bytes, &wbuf, &wlen, err, errlen))) {
            goto out;
        }
        int st2 = zbp_wtns_from_memory(&w, wbuf, wlen, name, m, sizeof m);
        if (st2 != ZBP_OK) {
            rc = job_fail(err, errlen, job_code_of(st2, JOB_BAD_WITNESS), "%s",
                          m);
            goto out;
        }
        w_open = true;
    }
    if (w.n_witness != zk->z.n_vars) {
        rc = job_fail(err, errlen, JOB_BAD_WITNESS,
                      "the witness has %u values, the circuit %u variables", w.n_witness,
                      zk->z.n_vars);
        goto out;
    }
    t_wtns = job_mono_ms();

    zbp_prove_opts_t po;
    zbp_prove_opts_init(&po);
    po.threads = o->threads;
    /* The prover checks the proof with the key's pairing equation before returning it, and
     * refuses a witness that does not satisfy the circuit (ZBP_ERR_INPUT); on the loop's device
     * (--device), with the circuit kept resident there. */
    zbp_circuit_t *circ;
    if ((rc = zk_circuit(s->cache, zk, o->device, &circ, err, errlen))) goto out;
    zbp_profile_t prof;
    int st2 = zbp_circuit_prove(circ, &proof, &w, &po, &prof, m, sizeof m);
    if (prof.device_note[0]) log_line(s, "warn", "device_fallback", r, -1, prof.device_note, -1);
    if (st2 != ZBP_OK) {
        rc = job_fail(err, errlen,
                      job_code_of(st2, JOB_BAD_WITNESS),
                      "%s", m);
        goto out;
    }
    have_proof = true;
    zbp_wtns_close(&w);
    w_open = false;
    if (wbuf) OPENSSL_cleanse(wbuf, wlen);
    t_prove = job_mono_ms();

    /* The binding transcript over the exact values the answer carries. */
    attest_proof_binding_t bind;
    memset(&bind, 0, sizeof bind);
    bind.job_id = (const uint8_t *)r->id;
    bind.job_id_len = r->id_len;
    bind.ticket_id = tid;
    bind.ticket_id_len = tlen;
    memcpy(bind.zkey_sha256, zk->sha, 32);
    uint8_t *pubs = malloc(proof.n_public ? 32 * proof.n_public : 1);
    if (!pubs) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < proof.n_public; i++)
        fr_to_bytes_be(pubs + 32 * i, &proof.pub[i]);
    bind.publics = pubs;
    bind.n_public = (uint32_t)proof.n_public;
    coord_be(bind.proof[0], &proof.a.x);
    coord_be(bind.proof[1], &proof.a.y);
    coord_be(bind.proof[2], &proof.b.x.c0);
    coord_be(bind.proof[3], &proof.b.x.c1);
    coord_be(bind.proof[4], &proof.b.y.c0);
    coord_be(bind.proof[5], &proof.b.y.c1);
    coord_be(bind.proof[6], &proof.c.x);
    coord_be(bind.proof[7], &proof.c.y);
    uint8_t rd[64];
    int brc = attest_binding_proof(rd, &bind, NULL, 0, NULL);
    free(pubs);
    if (brc) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "binding transcript failed");
        goto out;
    }

    char *ptext = NULL, *utext = NULL;
    size_t plen = 0, ulen = 0;
    if (zbp_proof_json(&ptext, &plen, &proof) || zbp_public_json(&utext, &ulen, &proof)) {
        free(ptext);
        rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        goto out;
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
    jb_str(&b, prof.device);
    rc = attest_object(s, &b, rd, err, errlen);
    t_attest = job_mono_ms();
    jb_key(&b, "timing_ms");
    jb_obj(&b);
    jb_key(&b, "ticket");
    jb_ms(&b, t_ticket - t0);
    jb_key(&b, "load");
    jb_ms(&b, t_load - t_ticket);
    jb_key(&b, "witness");
    jb_ms(&b, t_wtns - tw);
    if (t_object >= 0) { /* of which: the program's object (built, or found in the cache) */
        jb_key(&b, "witness_object");
        jb_ms(&b, t_object);
    }
    jb_key(&b, "prove");
    jb_ms(&b, t_prove - t_wtns);
    jb_key(&b, "attest");
    jb_ms(&b, t_attest - t_prove);
    jb_key(&b, "total");
    jb_ms(&b, t_attest - t0);
    jb_obj_end(&b);
    jb_obj_end(&b);
    if (!rc && b.failed) rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    if (rc)
        jb_free(&b);
    else
        *answer = b.buf;
out:
    if (w_open) zbp_wtns_close(&w);
    job_secret_free(wbuf); /* wipes it */
    if (have_proof) zbp_proof_free(&proof);
    if (zk) zk_release(s->cache, zk);
    if (wm) zk_release(s->cache, wm);
    return rc;
}

static void *worker_main(void *arg) {
    job_t *j = arg;
    server_t *s = j->s;
    char err[1280] = "";
    char *answer = NULL;
    int code = prove_job(s, &j->req, &answer, err, sizeof err);
    job_stack_scrub(); /* the witness passed through this thread's stack */
    if (code) answer = error_answer(&j->req, code, err);
    /* The base64 witness, if any, lives in the request's document: wipe it now. */
    if (j->req.wsrc == JOB_WTNS_B64) OPENSSL_cleanse((char *)j->req.wtns, j->req.wtns_len);
    if (j->req.input) job_json_wipe(j->req.input); /* and an input's values */
    pthread_mutex_lock(&s->mu);
    j->answer = answer;
    j->code = code;
    j->done = true;
    bool abandoned = j->abandoned;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    if (abandoned) { /* the dispatcher answered `timeout` long ago: the result goes to the log */
        log_line(s, code ? "warn" : "info", "late_result", &j->req, code, code ? err : NULL, -1);
        job_free(j);
        pthread_mutex_lock(&s->mu);
        s->worker_busy = false; /* last touch of the server: it may be torn down after this */
        pthread_cond_broadcast(&s->cv);
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

/* Runs a prove request on a worker thread and waits up to the timeout. *answer gets the line. */
int dispatch_prove(server_t *s, job_request_t *r, char **answer) {
    pthread_mutex_lock(&s->mu);
    bool busy = s->worker_busy;
    if (!busy) s->worker_busy = true;
    pthread_mutex_unlock(&s->mu);
    if (busy) {
        *answer = error_answer(r, JOB_BUSY, "the prover is still busy with a job that timed out");
        return JOB_BUSY;
    }
    job_t *j = calloc(1, sizeof *j);
    if (!j) {
        pthread_mutex_lock(&s->mu);
        s->worker_busy = false;
        pthread_mutex_unlock(&s->mu);
        *answer = error_answer(r, JOB_INTERNAL, "out of memory");
        return JOB_INTERNAL;
    }
    j->s = s;
    j->req = *r; /* the job owns the request's document from here */
    memset(r, 0, sizeof *r);
    join_worker(s); /* the previous one has finished its job (worker_busy was false) */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old); /* the signal handler runs on the dispatcher */
    int e = pthread_create(&s->worker, NULL, worker_main, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    s->worker_joinable = e == 0;
    if (e) {
        *r = j->req;
        free(j);
        pthread_mutex_lock(&s->mu);
        s->worker_busy = false;
        pthread_mutex_unlock(&s->mu);
        *answer = error_answer(r, JOB_INTERNAL, "cannot start a worker thread");
        return JOB_INTERNAL;
    }
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    double t = s->o->job_timeout_s;
    if (t > 0) {
        dl.tv_sec += (time_t)t;
        dl.tv_nsec += (long)((t - (double)(time_t)t) * 1e9);
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
    }
    int code;
    pthread_mutex_lock(&s->mu);
    while (!j->done) {
        if (t <= 0)
            pthread_cond_wait(&s->cv, &s->mu);
        else if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) == ETIMEDOUT && !j->done)
            break;
    }
    if (j->done) {
        s->worker_busy = false;
        pthread_mutex_unlock(&s->mu);
        join_worker(s);
        *answer = j->answer;
        j->answer = NULL;
        code = j->code;
        *r = j->req; /* back to the caller for the log line */
        memset(&j->req, 0, sizeof j->req);
        job_free(j);
        return code;
    }
    j->abandoned = true; /* the worker frees it when it finishes */
    char m[160];
    snprintf(m, sizeof m,
             "the job ran past --job-timeout (%.3f s); the prover stays busy until it "
             "finishes",
             t);
    /* The request belongs to the worker now: answer from a copy of its id. */
    job_request_t idonly;
    memset(&idonly, 0, sizeof idonly);
    char idbuf[JOB_ID_MAX + 1];
    memcpy(idbuf, j->req.id, j->req.id_len);
    idonly.id = idbuf;
    idonly.id_len = j->req.id_len;
    idonly.op = JOB_OP_PROVE;
    pthread_mutex_unlock(&s->mu);
    *answer = error_answer(&idonly, JOB_TIMEOUT, m);
    log_line(s, "warn", "answer", &idonly, JOB_TIMEOUT, m, -1);
    return -JOB_TIMEOUT; /* already logged */
}
