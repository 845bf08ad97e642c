/* serve.c: `zbprover serve`, the attested job loop: the dispatcher that answers the input queue's
 * lines in order (queue.c), the answers and logs, `key` and `info`, the attestation setup, and the
 * loop's start and end. Prove jobs are in job.c, the circuit cache in cache.c
 * (docs/job-protocol.md, docs/job-guarantees.md). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"
#include "zbp_config.h"

static volatile sig_atomic_t g_term; /* SIGTERM or SIGINT arrived */

static void on_signal(int sig) {
    (void)sig;
    g_term = 1;
}

/* A log line's first members, as every log line has them: the wall time, the level, the event. */
static void log_begin(jb_t *b, const char *level, const char *event) {
    jb_init(b);
    jb_obj(b);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    jb_key(b, "ts");
    jb_ms(b, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    jb_key(b, "level");
    jb_str(b, level);
    jb_key(b, "event");
    jb_str(b, event);
}

void log_line(server_t *s, const char *level, const char *event, const job_request_t *r,
                     int code, const char *message, double ms) {
    jb_t b;
    log_begin(&b, level, event);
    if (r && r->id) {
        jb_key(&b, "id");
        jb_strn(&b, r->id, r->id_len);
    }
    if (r && r->op) {
        static const char *names[] = {"", "prove", "key", "ping", "info", "shutdown"};
        jb_key(&b, "op");
        jb_str(&b, names[r->op]);
    }
    if (code >= 0) {
        jb_key(&b, "code");
        jb_str(&b, code ? job_code_name(code) : "ok");
    }
    if (message) {
        jb_key(&b, "message");
        jb_str(&b, message);
    }
    if (ms >= 0) {
        jb_key(&b, "ms");
        jb_ms(&b, ms);
    }
    jb_obj_end(&b);
    if (!b.failed) {
        pthread_mutex_lock(&s->log_mu);
        fprintf(stderr, "%s\n", b.buf);
        fflush(stderr);
        pthread_mutex_unlock(&s->log_mu);
    }
    jb_free(&b);
}

void answer_head(jb_t *b, const job_request_t *r, bool ok) {
    jb_init(b);
    jb_obj(b);
    jb_key(b, "id");
    if (r && r->id)
        jb_strn(b, r->id, r->id_len);
    else
        jb_null(b);
    jb_key(b, "ok");
    jb_bool(b, ok);
}

char *error_answer(const job_request_t *r, int code, const char *message) {
    jb_t b;
    answer_head(&b, r, false);
    jb_key(&b, "error");
    jb_obj(&b);
    jb_key(&b, "code");
    jb_str(&b, job_code_name(code));
    jb_key(&b, "message");
    jb_str(&b, message);
    jb_obj_end(&b);
    jb_obj_end(&b);
    if (b.failed) {
        jb_free(&b);
        return NULL;
    }
    return b.buf;
}

/* Writes one answer line. False when stdout is gone (then the loop ends). */
bool emit_answer(server_t *s, char *text) {
    bool ok = text && fprintf(s->out, "%s\n", text) >= 0 && fflush(s->out) == 0;
    if (!text) /* only an allocation failure gets here: say so in the fewest bytes */
        ok =
            fputs("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"out of "
                  "memory\"}}\n",
                  s->out) >= 0 &&
            fflush(s->out) == 0;
    free(text);
    return ok;
}

/* The attestation object for report_data: a report from the backend unless attestation is off. */
int attest_object(server_t *s, jb_t *b, const uint8_t rd[64], char *err, size_t errlen) {
    jb_key(b, "attestation");
    jb_obj(b);
    jb_key(b, "kind");
    jb_str(b, s->kind);
    jb_key(b, "report_data");
    jb_hex(b, rd, 64);
    if (s->attest_on) {
        attest_result_t res;
        char m[768];
        pthread_mutex_lock(&s->attest_mu);
        int rc = attest_get_report(&res, &s->aopts, rd, false, m, sizeof m);
        pthread_mutex_unlock(&s->attest_mu);
        if (rc) return job_fail(err, errlen, JOB_ATTESTATION_FAILED, "attestation: %s", m);
        char *b64 = job_b64_encode(res.report, SNP_REPORT_SIZE);
        attest_result_free(&res);
        if (!b64) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        jb_key(b, "report_b64");
        jb_str(b, b64);
        free(b64);
        if (s->certs_pem) {
            jb_key(b, "certs");
            jb_str(b, s->certs_pem);
        }
    }
    jb_obj_end(b);
    return JOB_OK;
}

/* ---- key, info ---- */
static int do_key(server_t *s, const job_request_t *r, char **answer, char *err, size_t errlen) {
    const uint8_t *tid = NULL;
    size_t tlen = 0;
    if (s->hub) {
        if (!r->has_ticket) return job_fail(err, errlen, JOB_BAD_TICKET, "a ticket is required");
        int rc = job_ticket_check(s->hub, &r->ticket, job_unix_now(), err, errlen);
        if (rc) return rc;
        if (job_replay_contains(s->replay, r->ticket.id, r->ticket.id_len))
            return job_fail(err, errlen, JOB_REPLAYED_TICKET, "ticket: already spent");
        tid = r->ticket.id;
        tlen = r->ticket.id_len;
    }
    uint8_t kid[JOB_KEY_ID_LEN], pub[32], rd[64];
    int rc = job_keystore_create(s->keys, tid, tlen, kid, pub, err, errlen);
    if (rc) return rc;
    if (attest_binding_key(rd, tid, tlen, pub, NULL, 0, NULL))
        return job_fail(err, errlen, JOB_INTERNAL, "binding transcript failed");
    jb_t b;
    answer_head(&b, r, true);
    jb_key(&b, "key_id");
    jb_hex(&b, kid, JOB_KEY_ID_LEN);
    jb_key(&b, "public");
    jb_hex(&b, pub, 32);
    jb_key(&b, "ticket_id");
    jb_hex(&b, tid ? tid : (const uint8_t *)"", tlen);
    jb_key(&b, "alg");
    jb_str(&b, JOB_SEAL_ALG);
    jb_key(&b, "expires_in_s");
    jb_u64(&b, (uint64_t)s->o->key_ttl_s);
    rc = attest_object(s, &b, rd, err, errlen);
    jb_obj_end(&b);
    /* The key's id and public half stay only in its slot, which is wiped at use or expiry. */
    OPENSSL_cleanse(kid, sizeof kid);
    OPENSSL_cleanse(pub, sizeof pub);
    if (!rc && b.failed) rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    if (rc)
        jb_free(&b);
    else
        *answer = b.buf;
    return rc;
}

static char *info_answer(server_t *s, const job_request_t *r) {
    jb_t b;
    answer_head(&b, r, true);
    jb_key(&b, "version");
    jb_str(&b, ZBP_VERSION);
    jb_key(&b, "backends");
    jb_obj(&b);
    jb_key(&b, "device");
    jb_arr(&b);
    jb_str(&b, "cpu");
    int gpus = 0;
    if (zbp_device_check("cuda", NULL, NULL, 0) == ZBP_OK) /* the GPUs this build can use */
        for (; gpus < 64; gpus++) {
            char spec[16];
            snprintf(spec, sizeof spec, "cuda:%d", gpus);
            if (zbp_device_check(spec, NULL, NULL, 0) != ZBP_OK) break;
            jb_str(&b, spec);
        }
    jb_arr_end(&b);
    jb_key(&b, "attest");
    jb_arr(&b);
    if (access("/sys/kernel/config/tsm/report", F_OK) == 0) jb_str(&b, "tsm");
    if (access("/dev/sev-guest", F_OK) == 0) jb_str(&b, "ioctl");
    jb_str(&b, "sim");
    jb_str(&b, "none");
    jb_arr_end(&b);
    jb_obj_end(&b);
    jb_key(&b, "device"); /* --device as given: where new circuits are opened */
    jb_str(&b, s->o->device ? s->o->device : "cpu");
    jb_key(&b, "attestation");
    jb_str(&b, s->kind);
    jb_key(&b, "tickets");
    if (s->hub)
        jb_str(&b, job_hubkey_type(s->hub));
    else
        jb_null(&b);
    zk_cache_info(s->cache, &b);
    pool_info(s->pool, &b);
    pthread_mutex_lock(&s->mu);
    jb_key(&b, "jobs");
    jb_obj(&b);
    jb_key(&b, "done");
    jb_u64(&b, s->jobs_done);
    jb_key(&b, "failed");
    jb_u64(&b, s->jobs_failed);
    jb_obj_end(&b);
    jb_key(&b, "prover_busy");
    jb_bool(&b, s->running > 0);
    jb_key(&b, "jobs_running");
    jb_u64(&b, s->running);
    pthread_mutex_unlock(&s->mu);
    jb_key(&b, "queue");
    jb_u64(&b, inq_depth(s->q));
    jb_key(&b, "keys_outstanding");
    jb_u64(&b, job_keystore_count(s->keys));
    if (s->replay) {
        jb_key(&b, "tickets_spent_live");
        jb_u64(&b, job_replay_count(s->replay));
    }
    jb_obj_end(&b);
    if (b.failed) {
        jb_free(&b);
        return NULL;
    }
    return b.buf;
}

/* One line in, one line out. Returns false when the loop must stop (shutdown, stdout gone). */
static bool handle(server_t *s, entry_t *e) {
    double t0 = job_mono_ms();
    job_request_t r;
    memset(&r, 0, sizeof r);
    char err[1280] = "", *answer = NULL;
    int code;
    bool stop = false;
    if (e->too_long) {
        code = job_fail(err, sizeof err, JOB_TOO_LARGE, "the line exceeds %zu bytes",
                        inq_max_line(s->q));
    } else {
        code = job_request_parse(&r, e->line, e->len, err, sizeof err);
        OPENSSL_cleanse(e->line, e->len); /* a witness may have been on it */
    }
    if (!code) {
        /* With one job at a time, every other request is served after the jobs before it, as
         * it always was (info then sees their results); with --workers N it is served at once,
         * its answer kept in its place. */
        if (r.op != JOB_OP_PROVE && s->max_workers == 1 && !pipeline_flush(s, true)) {
            job_request_free(&r);
            return false;
        }
        switch (r.op) {
        case JOB_OP_PING: {
            jb_t b;
            answer_head(&b, &r, true);
            jb_obj_end(&b);
            answer = b.failed ? NULL : b.buf;
            if (b.failed) jb_free(&b);
            break;
        }
        case JOB_OP_INFO: answer = info_answer(s, &r); break;
        case JOB_OP_SHUTDOWN: {
            jb_t b;
            answer_head(&b, &r, true);
            jb_obj_end(&b);
            answer = b.failed ? NULL : b.buf;
            if (b.failed) jb_free(&b);
            stop = true;
            break;
        }
        case JOB_OP_KEY: code = do_key(s, &r, &answer, err, sizeof err); break;
        case JOB_OP_PROVE:
            code = pipeline_prove(s, &r, &answer);
            if (!code) { /* on its way: the job answers and logs in its slot */
                job_request_free(&r);
                return true;
            }
            break;
        default: code = job_fail(err, sizeof err, JOB_BAD_REQUEST, "unknown op"); break;
        }
    }
    bool logged = code < 0;
    if (code < 0) code = -code;
    if (code && !answer) answer = error_answer(&r, code, err);
    if (r.op == JOB_OP_PROVE) {
        pthread_mutex_lock(&s->mu);
        if (code)
            s->jobs_failed++;
        else
            s->jobs_done++;
        pthread_mutex_unlock(&s->mu);
    }
    if (!logged) {
        /* The error's message for the log is the answer's own (it holds no secrets). */
        const char *msg = NULL;
        char mbuf[1280];
        if (code && answer) {
            json_t *d;
            if (!zbp_json_parse(&d, answer, strlen(answer), NULL, NULL)) {
                const json_t *m = json_object_get(json_object_get(d, "error"), "message");
                if (m && zbp_json_str(m, NULL)) {
                    snprintf(mbuf, sizeof mbuf, "%s", json_string_value(m));
                    msg = mbuf;
                }
                json_decref(d);
            }
        }
        log_line(s, code ? "warn" : "info", "answer", &r, code, msg, job_mono_ms() - t0);
    }
    job_request_free(&r);
    if (!pipeline_answer(s, answer)) return false;
    return !stop;
}

void job_serve_opts_init(job_serve_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->attest = JOB_ATTEST_AUTO;
    o->max_witness_bytes = (size_t)64 << 20;
    o->max_queue = 16;
    o->job_timeout_s = 600;
    o->zkey_cache_bytes = (size_t)4 << 30;
    o->max_keys = 64;
    o->key_ttl_s = 600;
}

/* The backend and the certificates answers carry; a probe report proves the backend works. */
static int attest_setup(server_t *s, char *err, size_t errlen) {
    const job_serve_opts_t *o = s->o;
    attest_opts_init(&s->aopts);
    s->kind = "none";
    if (o->attest == JOB_ATTEST_NONE) return 0;
    if (o->attest == JOB_ATTEST_SIM) {
        s->aopts.backend = ATTEST_BACKEND_SIM;
        s->aopts.sim_dir = o->sim_dir;
        s->kind = "sim";
    } else {
        bool present = access("/sys/kernel/config/tsm/report", F_OK) == 0 ||
                       access("/dev/sev-guest", F_OK) == 0;
        if (!present) {
            if (o->attest == JOB_ATTEST_SNP) {
                job_fail(err, errlen, 3,
                         "--attest snp: no SEV-SNP device (neither configfs-tsm "
                         "nor /dev/sev-guest)");
                return 3;
            }
            log_line(s, "warn", "attestation_off", NULL, -1,
                     "--attest auto: no SEV-SNP device here, so answers carry kind \"none\" and no "
                     "report (a simulated report is made only with --attest sim)",
                     -1);
            return 0;
        }
        s->aopts.backend = ATTEST_BACKEND_AUTO;
        s->kind = "snp";
    }
    uint8_t zero[64] = {0};
    attest_result_t res;
    char m[768];
    int rc = attest_get_report(&res, &s->aopts, zero, true, m, sizeof m);
    if (rc) {
        job_fail(err, errlen, 3, "attestation (%s): %s", s->kind, m);
        return 3;
    }
    s->attest_on = true;
    if (o->certs_dir) {
        rc = job_certs_pem_from_path(&s->certs_pem, o->certs_dir, err, errlen);
        attest_result_free(&res);
        return rc ? 2 : 0;
    }
    if (res.certs && res.certs_len) {
        rc = job_certs_pem_from_table(&s->certs_pem, res.certs, res.certs_len, m, sizeof m);
        if (rc) /* answers can go without certificates; clients then bring their own */
            log_line(s, "warn", "certificates", NULL, -1, m, -1);
    }
    attest_result_free(&res);
    return 0;
}

/* The options' bounds (the CLI checks them too; a library caller may not). */
static int check_opts(const job_serve_opts_t *o, char *err, size_t errlen) {
    if (o->hub_key && !o->replay_log)
        return job_fail(err, errlen, 2,
                        "--hub-key needs --replay-log (spent tickets must stay "
                        "spent across restarts)");
    if (o->max_witness_bytes < 1 || o->max_witness_bytes > JOB_MAX_WITNESS_LIMIT)
        return job_fail(err, errlen, 2, "--max-witness-bytes: 1 to %llu",
                        (unsigned long long)JOB_MAX_WITNESS_LIMIT);
    if (o->max_line_bytes > JOB_MAX_LINE_LIMIT)
        return job_fail(err, errlen, 2, "--max-line-bytes: 1 to %llu",
                        (unsigned long long)JOB_MAX_LINE_LIMIT);
    if (o->max_queue < 1 || o->max_queue > JOB_MAX_QUEUE_LIMIT)
        return job_fail(err, errlen, 2, "--max-queue: 1 to %d", JOB_MAX_QUEUE_LIMIT);
    if (o->max_keys < 1 || o->max_keys > JOB_MAX_KEYS_LIMIT)
        return job_fail(err, errlen, 2, "--max-keys: 1 to %d", JOB_MAX_KEYS_LIMIT);
    if (o->zkey_cache_bytes > JOB_MAX_CACHE_LIMIT)
        return job_fail(err, errlen, 2, "--zkey-cache-bytes: at most %llu",
                        (unsigned long long)JOB_MAX_CACHE_LIMIT);
    if (o->workers > JOB_MAX_WORKERS_LIMIT)
        return job_fail(err, errlen, 2, "--workers: 1 to %d", JOB_MAX_WORKERS_LIMIT);
    if (o->threads < 0 || o->threads > JOB_MAX_THREADS_LIMIT)
        return job_fail(err, errlen, 2, "--threads: 1 to %d", JOB_MAX_THREADS_LIMIT);
    /* The device is settled before anything is served: cuda without a usable GPU cannot serve
     * (3), a malformed value is the options' fault (2); auto without a GPU means the CPU. */
    char dm[512];
    int dst = zbp_device_check(o->device, NULL, dm, sizeof dm);
    if (dst != ZBP_OK) return job_fail(err, errlen, job_bundle_code_of(dst), "%s", dm);
    if (!(o->job_timeout_s >= 0 && o->job_timeout_s <= JOB_MAX_SECONDS_LIMIT) ||
        !(o->key_ttl_s >= 0 && o->key_ttl_s <= JOB_MAX_SECONDS_LIMIT))
        return job_fail(err, errlen, 2, "--job-timeout and --key-ttl: 0 to %d seconds",
                        JOB_MAX_SECONDS_LIMIT);
    return 0;
}

/* Test builds only: ZBP_SERVE_TEST_DELAY_MS makes every job sleep after spending its ticket. */
static int test_hooks(server_t *s, char *err, size_t errlen) {
    (void)s, (void)err, (void)errlen;
#ifdef ZBP_TEST_HOOKS /* test builds only */
    const char *delay = getenv("ZBP_SERVE_TEST_DELAY_MS");
    if (delay && *delay) {
        char *end;
        s->test_delay_ms = strtod(delay, &end);
        /* Bounded like the options: a day at most (a larger value would overflow the sleep). */
        if (*end || !(s->test_delay_ms >= 0 && s->test_delay_ms <= 86400e3)) {
            return job_fail(err, errlen, 2, "ZBP_SERVE_TEST_DELAY_MS: 0 to 86400000 (ms)");
        }
        log_line(s, "warn", "test_hook", NULL, -1,
                 "ZBP_SERVE_TEST_DELAY_MS is set: every job sleeps after spending its ticket", -1);
    }
#endif
    return 0;
}

/* The circuit cache, the workers, attestation, the hub key and the replay log, the key store and
 * the input queue. 0, or the exit status (2 or 3) with err. */
static int server_open(server_t *s, int in_fd, size_t *max_line, char *err, size_t errlen) {
    const job_serve_opts_t *o = s->o;
    if (!(s->cache = zk_cache_new(o->zkey_cache_bytes)) || !(s->pool = pool_new(o)))
        return job_fail(err, errlen, 3, "out of memory");
    int rc = attest_setup(s, err, errlen);
    if (rc) return rc;
    if (o->hub_key && job_hubkey_load(&s->hub, o->hub_key, err, errlen)) return 2;
    if (o->replay_log && s->hub) {
        int r2 = job_replay_open(&s->replay, o->replay_log, job_unix_now(), err, errlen);
        if (r2) return r2 == JOB_BAD_REQUEST ? 2 : 3;
    }
    if (!(s->keys = job_keystore_new(o->max_keys, o->key_ttl_s)))
        return job_fail(err, errlen, 3, "out of memory");
    *max_line = o->max_line_bytes ? o->max_line_bytes
                                  : o->max_witness_bytes / 3 * 4 + 8 + ((size_t)1 << 16);
    if (!(s->q = inq_new(in_fd, o->max_queue, *max_line)))
        return job_fail(err, errlen, 3, "out of memory");
    return 0;
}

static void log_start(server_t *s, size_t max_line) {
    jb_t b;
    log_begin(&b, "info", "start");
    jb_key(&b, "version");
    jb_str(&b, ZBP_VERSION);
    jb_key(&b, "attestation");
    jb_str(&b, s->kind);
    jb_key(&b, "tickets");
    if (s->hub)
        jb_str(&b, job_hubkey_type(s->hub));
    else
        jb_null(&b);
    jb_key(&b, "max_line_bytes");
    jb_u64(&b, max_line);
    jb_key(&b, "max_witness_bytes");
    jb_u64(&b, s->o->max_witness_bytes);
    jb_key(&b, "max_queue");
    jb_u64(&b, s->o->max_queue);
    jb_key(&b, "job_timeout_s");
    jb_ms(&b, s->o->job_timeout_s);
    jb_obj_end(&b);
    if (!b.failed) {
        pthread_mutex_lock(&s->log_mu);
        fprintf(stderr, "%s\n", b.buf);
        fflush(stderr);
        pthread_mutex_unlock(&s->log_mu);
    }
    jb_free(&b);
}

/* Lines in, answers out, until EOF, shutdown, a signal or stdout gone: why it stopped. */
static const char *serve_loop(server_t *s) {
    entry_t ent;
    int got;
    const char *why = "eof";
    for (;;) {
        /* Every 100 ms at most: look at the signal flag, and wipe keys whose time is up. */
        job_keystore_sweep(s->keys);
        if (g_term) break;
        /* While jobs run, every 5 ms: their answers go out as soon as they are at the head. */
        pthread_mutex_lock(&s->mu);
        bool pending = s->slots != NULL;
        pthread_mutex_unlock(&s->mu);
        if ((got = inq_pop(s->q, &ent, pending ? 5 : 100)) == 0) break;
        if (got < 0) {
            if (pending && !pipeline_flush(s, false)) break;
            continue;
        }
        /* Blank lines are skipped: they carry no request to answer. */
        bool blank = !ent.too_long;
        for (size_t i = 0; blank && i < ent.len; i++)
            blank = ent.line[i] == ' ' || ent.line[i] == '\t' || ent.line[i] == '\r';
        bool go_on = (blank || handle(s, &ent)) && pipeline_flush(s, false);
        job_secret_free(ent.line);
        job_stack_scrub();
        if (!go_on) {
            why = "shutdown";
            break;
        }
        if (g_term) break;
    }
    return g_term ? "signal" : why;
}

/* SIGTERM/SIGINT set a flag (the current job is finished and answered first); the threads
 * started here block them, so the handler always runs on this thread. SIGPIPE: a closed stdout
 * shows as a write error instead of killing the process. SIGXFSZ: a write past a file-size limit
 * (RLIMIT_FSIZE) fails with EFBIG, answered as an I/O failure, instead of killing the loop. */
static void signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN);
}

/* A job still running after its timeout answer uses the server and the libraries: it finishes
 * (its answer was given) before anything is torn down; then the workers are ended. */
static void server_close(server_t *s) {
    pthread_mutex_lock(&s->mu);
    while (s->running)
        pthread_cond_wait(&s->cv, &s->mu);
    for (int k = 0; k < s->n_zombies; k++)
        pthread_join(s->zombies[k], NULL);
    pthread_mutex_unlock(&s->mu);
    job_keystore_free(s->keys);
    job_replay_close(s->replay);
    job_hubkey_free(s->hub);
    pool_free(s->pool);
    zk_cache_free(s->cache);
    free(s->certs_pem);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->attest_mu);
    pthread_mutex_destroy(&s->log_mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}

int job_serve(const job_serve_opts_t *o, int in_fd, FILE *out, char *err, size_t errlen) {
    int rc = check_opts(o, err, errlen);
    if (rc) return rc;
    /* Witnesses and private keys live in this process: no core file, no ptrace by its user. */
    job_secure_process();
    server_t *s = calloc(1, sizeof *s);
    if (!s) return job_fail(err, errlen, 3, "out of memory");
    s->o = o;
    s->out = out;
    s->max_workers = o->workers ? o->workers : 1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->attest_mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    size_t max_line = 0;
    if ((rc = test_hooks(s, err, errlen)) || (rc = server_open(s, in_fd, &max_line, err, errlen))) {
        if (s->q) inq_unref(s->q);
        server_close(s);
        return rc;
    }
    signals();
    pthread_t reader;
    if (inq_start(s->q, &reader)) {
        inq_unref(s->q);
        server_close(s);
        return job_fail(err, errlen, 3, "cannot start the reader thread");
    }
    log_start(s, max_line);
    const char *why = serve_loop(s);
    pipeline_flush(s, true); /* every request read is answered, in order */
    log_line(s, "info", "stop", NULL, -1, why, -1);
    inq_close(s->q, reader);
    server_close(s);
    return 0;
}
