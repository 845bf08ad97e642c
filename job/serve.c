/* serve.c: `zbprover serve`, the attested job loop: a reader thread that cuts stdin into capped
 * lines, a dispatcher that answers them in order, and a worker thread per proof so that a job past
 * --job-timeout can be answered while it runs on (docs/job-protocol.md). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "job/job_int.h"
#include "zbp_config.h"

/* ---- the input queue: owned jointly by the reader thread and the server, freed by the last ----
 */
typedef struct {
    char *line; /* NULL for an over-long line (its bytes were discarded) */
    size_t len;
} entry_t;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    entry_t *ring;
    size_t cap, head, count, bytes;
    size_t max_line, max_bytes;
    bool eof, closed;
    int refs;
    int fd;
} inq_t;

static volatile sig_atomic_t g_term; /* SIGTERM or SIGINT arrived */

static void on_signal(int sig) {
    (void)sig;
    g_term = 1;
}

static void inq_unref(inq_t *q) {
    pthread_mutex_lock(&q->mu);
    bool last = --q->refs == 0;
    pthread_mutex_unlock(&q->mu);
    if (!last) return;
    for (size_t i = 0; i < q->count; i++) {
        entry_t *e = &q->ring[(q->head + i) % q->cap];
        if (e->line) OPENSSL_cleanse(e->line, e->len);
        free(e->line);
    }
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->nonempty);
    pthread_cond_destroy(&q->nonfull);
    free(q->ring);
    free(q);
}

/* Blocks while the queue is full (by count, or by bytes when something is already queued), which
 * pushes back on the writer through the pipe. Returns false when the server has gone. */
static bool inq_push(inq_t *q, char *line, size_t len) {
    pthread_mutex_lock(&q->mu);
    while (!q->closed && (q->count == q->cap || (q->count && q->bytes + len > q->max_bytes)))
        pthread_cond_wait(&q->nonfull, &q->mu);
    bool ok = !q->closed;
    if (ok) {
        q->ring[(q->head + q->count) % q->cap] = (entry_t){line, len};
        q->count++;
        q->bytes += len;
        pthread_cond_signal(&q->nonempty);
    }
    pthread_mutex_unlock(&q->mu);
    if (!ok) free(line);
    return ok;
}

/* The reader: lines of at most max_line bytes; the rest of a longer line is read and dropped, so
 * memory stays bounded whatever arrives. A last line without a newline still counts. */
static void *reader_main(void *arg) {
    inq_t *q = arg;
    size_t cap = 0, len = 0;
    char *cur = NULL, chunk[65536];
    bool overlong = false, alive = true;
    while (alive) {
        ssize_t n = read(q->fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (size_t i = 0; i < (size_t)n && alive;) {
            char *nl = memchr(chunk + i, '\n', (size_t)n - i);
            size_t seg = nl ? (size_t)(nl - chunk) - i : (size_t)n - i;
            if (!overlong && len + seg > q->max_line) {
                overlong = true;
                if (cur) OPENSSL_cleanse(cur, len);
                free(cur);
                cur = NULL;
                cap = len = 0;
            }
            if (!overlong && seg) {
                if (len + seg + 1 > cap) {
                    size_t nc = cap ? cap : 4096;
                    while (nc < len + seg + 1)
                        nc *= 2;
                    if (nc > q->max_line + 1) nc = q->max_line + 1;
                    /* Grown by copy, not realloc, so no stale copy of a witness is left in
                     * freed memory. */
                    char *p = malloc(nc);
                    if (p && len) memcpy(p, cur, len);
                    if (cur) OPENSSL_cleanse(cur, len);
                    free(cur);
                    cur = p;
                    if (!p) { /* out of memory: treat the line as over-long */
                        overlong = true;
                        cap = len = 0;
                    } else {
                        cap = nc;
                    }
                }
                if (!overlong) {
                    memcpy(cur + len, chunk + i, seg);
                    len += seg;
                }
            }
            i += seg;
            if (nl) {
                i++;
                alive = inq_push(q, overlong ? NULL : cur, len);
                cur = NULL;
                cap = len = 0;
                overlong = false;
            }
        }
        OPENSSL_cleanse(chunk, (size_t)n); /* it may have held part of a witness */
    }
    if (alive && (len || overlong))
        alive = inq_push(q, overlong ? NULL : cur, len);
    else
        free(cur);
    pthread_mutex_lock(&q->mu);
    q->eof = true;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->mu);
    inq_unref(q);
    return NULL;
}

/* Waits for the next entry. Returns 1 with *e, 0 at EOF with nothing left, -1 on a signal. */
static int inq_pop(inq_t *q, entry_t *e) {
    pthread_mutex_lock(&q->mu);
    int rc;
    for (;;) {
        if (g_term) {
            rc = -1;
            break;
        }
        if (q->count) {
            *e = q->ring[q->head];
            q->head = (q->head + 1) % q->cap;
            q->count--;
            q->bytes -= e->len;
            pthread_cond_signal(&q->nonfull);
            rc = 1;
            break;
        }
        if (q->eof) {
            rc = 0;
            break;
        }
        /* The signal handler cannot touch a condition variable: look at the flag now and then. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&q->nonempty, &q->mu, &ts);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static size_t inq_depth(inq_t *q) {
    pthread_mutex_lock(&q->mu);
    size_t n = q->count;
    pthread_mutex_unlock(&q->mu);
    return n;
}

/* ---- the circuit cache ---- */
typedef struct zk_entry {
    struct zk_entry *next;
    char *path;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    zbp_zkey_t z;
    uint8_t sha[32];
    int refs;
    bool cached; /* in the list (else freed at its last release) */
    uint64_t uses;
    double last_ms;
} zk_entry_t;

/* ---- the server ---- */
typedef struct {
    const job_serve_opts_t *o;
    FILE *out;
    inq_t *q;
    job_hubkey_t *hub;
    job_replay_t *replay;
    job_keystore_t *keys;
    attest_opts_t aopts;
    bool attest_on;
    const char *kind;
    char *certs_pem;
    double test_delay_ms;
    pthread_mutex_t mu; /* cache, counters, worker state */
    pthread_cond_t cv;
    pthread_mutex_t attest_mu, log_mu;
    zk_entry_t *cache;
    size_t cache_bytes;
    uint64_t jobs_done, jobs_failed;
    bool worker_busy;
    /* The last worker thread, joined before the next starts and before teardown: a thread still
     * in its exit path (running OpenSSL's thread-local destructors) must not race the process's
     * exit handlers. */
    pthread_t worker;
    bool worker_joinable;
} server_t;

static void join_worker(server_t *s) {
    if (s->worker_joinable) pthread_join(s->worker, NULL);
    s->worker_joinable = false;
}

static void log_line(server_t *s, const char *level, const char *event, const job_request_t *r,
                     int code, const char *message, double ms) {
    jb_t b;
    jb_init(&b);
    jb_obj(&b);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    jb_key(&b, "ts");
    jb_ms(&b, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    jb_key(&b, "level");
    jb_str(&b, level);
    jb_key(&b, "event");
    jb_str(&b, event);
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

static void answer_head(jb_t *b, const job_request_t *r, bool ok) {
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

static char *error_answer(const job_request_t *r, int code, const char *message) {
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
static bool emit(server_t *s, char *text) {
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
static int attest_object(server_t *s, jb_t *b, const uint8_t rd[64], char *err, size_t errlen) {
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

/* ---- the circuit cache ---- */
static void zk_free(zk_entry_t *e) {
    zbp_zkey_close(&e->z);
    free(e->path);
    free(e);
}

/* Drops unreferenced entries, least recently used first, until need more bytes fit. */
static void zk_make_room(server_t *s, size_t need) {
    while (s->cache_bytes + need > s->o->zkey_cache_bytes) {
        zk_entry_t **victim = NULL;
        for (zk_entry_t **p = &s->cache; *p; p = &(*p)->next)
            if (!(*p)->refs && (!victim || (*p)->last_ms < (*victim)->last_ms)) victim = p;
        if (!victim) return;
        zk_entry_t *e = *victim;
        *victim = e->next;
        s->cache_bytes -= (size_t)e->size;
        zk_free(e);
    }
}

static bool same_file(const zk_entry_t *e, const struct stat *st) {
    return e->dev == st->st_dev && e->ino == st->st_ino && e->size == st->st_size &&
           e->mtime.tv_sec == st->st_mtim.tv_sec && e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The circuit at path: from the cache when the file is the one cached (same inode, size and
 * mtime), else read, fully checked (every point) and hashed, then cached within the budget. */
static int zk_acquire(server_t *s, const char *path, zk_entry_t **out, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0)
        return job_fail(err, errlen, JOB_BAD_ZKEY, "%s: %s", path, strerror(errno));
    pthread_mutex_lock(&s->mu);
    for (zk_entry_t **p = &s->cache; *p;) {
        zk_entry_t *e = *p;
        if (strcmp(e->path, path)) {
            p = &e->next;
        } else if (same_file(e, &st)) {
            e->refs++;
            e->uses++;
            e->last_ms = job_mono_ms();
            pthread_mutex_unlock(&s->mu);
            *out = e;
            return JOB_OK;
        } else { /* the file changed: forget the old one */
            *p = e->next;
            s->cache_bytes -= (size_t)e->size;
            e->cached = false;
            if (!e->refs) zk_free(e);
        }
    }
    pthread_mutex_unlock(&s->mu);
    zk_entry_t *e = calloc(1, sizeof *e);
    if (!e || !(e->path = strdup(path))) {
        free(e);
        return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    }
    char m[1024];
    int st2 = zbp_zkey_open(&e->z, path, m, sizeof m);
    if (st2 == ZBP_OK && (st2 = zbp_zkey_check_points(&e->z, m, sizeof m)) != ZBP_OK)
        zbp_zkey_close(&e->z);
    if (st2 != ZBP_OK) {
        free(e->path);
        free(e);
        return job_fail(err, errlen, st2 == ZBP_ERR_NOMEM ? JOB_INTERNAL : JOB_BAD_ZKEY, "%s", m);
    }
    zbp_zkey_sha256(&e->z, e->sha);
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->size = st.st_size;
    e->mtime = st.st_mtim;
    e->refs = 1;
    e->uses = 1;
    e->last_ms = job_mono_ms();
    pthread_mutex_lock(&s->mu);
    if ((size_t)e->size <= s->o->zkey_cache_bytes) {
        zk_make_room(s, (size_t)e->size);
        if (s->cache_bytes + (size_t)e->size <= s->o->zkey_cache_bytes) {
            e->cached = true;
            e->next = s->cache;
            s->cache = e;
            s->cache_bytes += (size_t)e->size;
        }
    }
    pthread_mutex_unlock(&s->mu);
    *out = e;
    return JOB_OK;
}

static void zk_release(server_t *s, zk_entry_t *e) {
    pthread_mutex_lock(&s->mu);
    bool drop = --e->refs == 0 && !e->cached;
    if (e->cached && !e->refs) zk_make_room(s, 0);
    pthread_mutex_unlock(&s->mu);
    if (drop) zk_free(e);
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

/* The work of one prove request, in order: ticket, circuit, spend, witness, prove, bind, attest. */
static int prove_job(server_t *s, job_request_t *r, char **answer, char *err, size_t errlen) {
    const job_serve_opts_t *o = s->o;
    double t0 = job_mono_ms(), t_ticket, t_load, t_wtns, t_prove, t_attest;
    const uint8_t *tid = NULL;
    size_t tlen = 0;
    int rc = JOB_OK;
    zk_entry_t *zk = NULL;
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
    if ((rc = zk_acquire(s, r->zkey, &zk, err, errlen))) return rc;
    t_load = job_mono_ms();
    if (s->hub) {
        if ((rc = job_ticket_check_circuit(&r->ticket, zk->sha, err, errlen))) goto out;
        /* Spent (on disk) before any proving: a crash from here on cannot let it be used again. */
        if ((rc = job_replay_spend(s->replay, tid, tlen, r->ticket.expires, err, errlen))) goto out;
        log_line(s, "info", "ticket_spent", r, -1, NULL, -1);
    }
    if (s->test_delay_ms > 0) {
        long ms = (long)s->test_delay_ms;
        struct timespec d = {ms / 1000, ms % 1000 * 1000000L};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
    }

    double tw = job_mono_ms();
    if (r->wsrc == JOB_WTNS_PATH) {
        struct stat st;
        if (stat(r->wtns, &st) != 0) {
            rc = job_fail(err, errlen, JOB_BAD_WITNESS, "%s: %s", r->wtns, strerror(errno));
            goto out;
        }
        if ((uint64_t)st.st_size > o->max_witness_bytes) {
            rc = job_fail(err, errlen, JOB_TOO_LARGE, "%s: the witness exceeds %zu bytes", r->wtns,
                          o->max_witness_bytes);
            goto out;
        }
        int st2 = zbp_wtns_open(&w, r->wtns, m, sizeof m);
        if (st2 != ZBP_OK) {
            rc = job_fail(err, errlen, st2 == ZBP_ERR_NOMEM ? JOB_INTERNAL : JOB_BAD_WITNESS, "%s",
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
            wbuf = malloc(job_b64_decoded_max(r->wtns_len) + 1);
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
        } else if ((rc = job_sealed_open(s->keys, &r->sealed, tid, tlen, zk->sha,
                                         o->max_witness_bytes, &wbuf, &wlen, err, errlen))) {
            goto out;
        }
        int st2 = zbp_wtns_from_memory(&w, wbuf, wlen, name, m, sizeof m);
        if (st2 != ZBP_OK) {
            rc = job_fail(err, errlen, st2 == ZBP_ERR_NOMEM ? JOB_INTERNAL : JOB_BAD_WITNESS, "%s",
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
     * refuses a witness that does not satisfy the circuit (ZBP_ERR_INPUT). */
    int st2 = zbp_groth16_prove(&proof, &zk->z, &w, &po, NULL, m, sizeof m);
    if (st2 != ZBP_OK) {
        rc = job_fail(err, errlen,
                      st2 == ZBP_ERR_INPUT || st2 == ZBP_ERR_RANGE ? JOB_BAD_WITNESS : JOB_INTERNAL,
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
    jb_key(&b, "ticket_id");
    jb_hex(&b, tid ? tid : (const uint8_t *)"", tlen);
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
    if (wbuf) {
        OPENSSL_cleanse(wbuf, wlen);
        free(wbuf);
    }
    if (have_proof) zbp_proof_free(&proof);
    if (zk) zk_release(s, zk);
    return rc;
}

static void *worker_main(void *arg) {
    job_t *j = arg;
    server_t *s = j->s;
    char err[1280] = "";
    char *answer = NULL;
    int code = prove_job(s, &j->req, &answer, err, sizeof err);
    if (code) answer = error_answer(&j->req, code, err);
    /* The base64 witness, if any, lives in the request's document: wipe it now. */
    if (j->req.wsrc == JOB_WTNS_B64) OPENSSL_cleanse((char *)j->req.wtns, j->req.wtns_len);
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
static int dispatch_prove(server_t *s, job_request_t *r, char **answer) {
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
    jb_arr_end(&b);
    jb_key(&b, "attest");
    jb_arr(&b);
    if (access("/sys/kernel/config/tsm/report", F_OK) == 0) jb_str(&b, "tsm");
    if (access("/dev/sev-guest", F_OK) == 0) jb_str(&b, "ioctl");
    jb_str(&b, "sim");
    jb_str(&b, "none");
    jb_arr_end(&b);
    jb_obj_end(&b);
    jb_key(&b, "attestation");
    jb_str(&b, s->kind);
    jb_key(&b, "tickets");
    if (s->hub)
        jb_str(&b, job_hubkey_type(s->hub));
    else
        jb_null(&b);
    pthread_mutex_lock(&s->mu);
    jb_key(&b, "circuits");
    jb_arr(&b);
    for (zk_entry_t *e = s->cache; e; e = e->next) {
        jb_obj(&b);
        jb_key(&b, "path");
        jb_str(&b, e->path);
        jb_key(&b, "zkey_sha256");
        jb_hex(&b, e->sha, 32);
        jb_key(&b, "bytes");
        jb_u64(&b, (uint64_t)e->size);
        jb_key(&b, "uses");
        jb_u64(&b, e->uses);
        jb_obj_end(&b);
    }
    jb_arr_end(&b);
    jb_key(&b, "cache_bytes");
    jb_u64(&b, s->cache_bytes);
    jb_key(&b, "jobs");
    jb_obj(&b);
    jb_key(&b, "done");
    jb_u64(&b, s->jobs_done);
    jb_key(&b, "failed");
    jb_u64(&b, s->jobs_failed);
    jb_obj_end(&b);
    jb_key(&b, "prover_busy");
    jb_bool(&b, s->worker_busy);
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
    if (!e->line) {
        code =
            job_fail(err, sizeof err, JOB_TOO_LARGE, "the line exceeds %zu bytes", s->q->max_line);
    } else {
        code = job_request_parse(&r, e->line, e->len, err, sizeof err);
        OPENSSL_cleanse(e->line, e->len); /* a witness may have been on it */
    }
    if (!code) {
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
            code = dispatch_prove(s, &r, &answer);
            if (code > 0) /* the worker's message is in the answer; log its code */
                snprintf(err, sizeof err, "see the answer");
            break;
        default: code = job_fail(err, sizeof err, JOB_BAD_REQUEST, "unknown op"); break;
        }
    }
    bool logged = code < 0;
    if (code < 0) code = -code;
    if (code && !answer) answer = error_answer(&r, code, err);
    if (r.op == JOB_OP_PROVE || (code == JOB_TIMEOUT)) {
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
            json_doc_t *d;
            if (!json_parse(&d, answer, strlen(answer), NULL, NULL)) {
                const json_value_t *m = json_get(json_get(json_root(d), "error"), "message");
                if (m && m->type == JSON_STRING) {
                    snprintf(mbuf, sizeof mbuf, "%s", m->u.str);
                    msg = mbuf;
                }
                json_free(d);
            }
        }
        log_line(s, code ? "warn" : "info", "answer", &r, code, msg, job_mono_ms() - t0);
    }
    job_request_free(&r);
    if (!emit(s, answer)) return false;
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

int job_serve(const job_serve_opts_t *o, int in_fd, FILE *out, char *err, size_t errlen) {
    if (o->hub_key && !o->replay_log)
        return job_fail(err, errlen, 2,
                        "--hub-key needs --replay-log (spent tickets must stay "
                        "spent across restarts)");
    if (!o->max_queue || !o->max_witness_bytes)
        return job_fail(err, errlen, 2, "--max-queue and --max-witness-bytes must be positive");
    server_t *s = calloc(1, sizeof *s);
    if (!s) return job_fail(err, errlen, 3, "out of memory");
    s->o = o;
    s->out = out;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->attest_mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    int rc = 0;
    const char *delay = getenv("ZBP_SERVE_TEST_DELAY_MS");
    if (delay && *delay) {
        s->test_delay_ms = strtod(delay, NULL);
        log_line(s, "warn", "test_hook", NULL, -1,
                 "ZBP_SERVE_TEST_DELAY_MS is set: every job sleeps after spending its ticket", -1);
    }
    if ((rc = attest_setup(s, err, errlen))) goto done;
    if (o->hub_key && job_hubkey_load(&s->hub, o->hub_key, err, errlen)) {
        rc = 2;
        goto done;
    }
    if (o->replay_log && s->hub) {
        int r2 = job_replay_open(&s->replay, o->replay_log, job_unix_now(), err, errlen);
        if (r2) {
            rc = r2 == JOB_BAD_REQUEST ? 2 : 3;
            goto done;
        }
    }
    if (!(s->keys = job_keystore_new(o->max_keys, o->key_ttl_s))) {
        rc = job_fail(err, errlen, 3, "out of memory");
        goto done;
    }
    inq_t *q = calloc(1, sizeof *q);
    size_t max_line = o->max_line_bytes ? o->max_line_bytes
                                        : o->max_witness_bytes / 3 * 4 + 8 + ((size_t)1 << 16);
    if (q) q->ring = calloc(o->max_queue, sizeof *q->ring);
    if (!q || !q->ring) {
        if (q) free(q);
        rc = job_fail(err, errlen, 3, "out of memory");
        goto done;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    pthread_cond_init(&q->nonfull, NULL);
    q->cap = o->max_queue;
    q->max_line = max_line;
    q->max_bytes = max_line;
    q->refs = 2;
    q->fd = in_fd;
    s->q = q;

    /* SIGTERM/SIGINT set a flag (the current job is finished and answered first); the threads
     * started here block them, so the handler always runs on this thread. SIGPIPE: a closed
     * stdout shows as a write error instead of killing the process. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    pthread_t reader;
    int e = pthread_create(&reader, NULL, reader_main, q);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        q->refs = 1;
        inq_unref(q);
        s->q = NULL;
        rc = job_fail(err, errlen, 3, "cannot start the reader thread");
        goto done;
    }
    {
        jb_t b;
        jb_init(&b);
        jb_obj(&b);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        jb_key(&b, "ts");
        jb_ms(&b, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
        jb_key(&b, "level");
        jb_str(&b, "info");
        jb_key(&b, "event");
        jb_str(&b, "start");
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
        jb_u64(&b, o->max_witness_bytes);
        jb_key(&b, "max_queue");
        jb_u64(&b, o->max_queue);
        jb_key(&b, "job_timeout_s");
        jb_ms(&b, o->job_timeout_s);
        jb_obj_end(&b);
        if (!b.failed) {
            pthread_mutex_lock(&s->log_mu);
            fprintf(stderr, "%s\n", b.buf);
            fflush(stderr);
            pthread_mutex_unlock(&s->log_mu);
        }
        jb_free(&b);
    }
    entry_t ent;
    int got;
    const char *why = "eof";
    while ((got = inq_pop(q, &ent)) == 1) {
        /* Blank lines are skipped: they carry no request to answer. */
        bool blank = ent.line != NULL;
        for (size_t i = 0; blank && i < ent.len; i++)
            blank = ent.line[i] == ' ' || ent.line[i] == '\t' || ent.line[i] == '\r';
        bool go_on = blank || handle(s, &ent);
        free(ent.line);
        if (!go_on) {
            why = "shutdown";
            break;
        }
        if (g_term) break;
    }
    if (got == -1 || g_term) why = "signal";
    log_line(s, "info", "stop", NULL, -1, why, -1);
    pthread_mutex_lock(&q->mu);
    bool reader_done = q->eof;
    q->closed = true;
    pthread_cond_broadcast(&q->nonfull);
    pthread_mutex_unlock(&q->mu);
    if (reader_done)
        pthread_join(reader, NULL);
    else
        pthread_detach(reader); /* blocked in read(2) on a stdin still open: the exit ends it */
    inq_unref(q);
done:
    /* A worker still running a timed-out job uses the server and the libraries: let it finish
     * (its answer was given) before tearing anything down. */
    pthread_mutex_lock(&s->mu);
    while (s->worker_busy)
        pthread_cond_wait(&s->cv, &s->mu);
    pthread_mutex_unlock(&s->mu);
    join_worker(s);
    job_keystore_free(s->keys);
    job_replay_close(s->replay);
    job_hubkey_free(s->hub);
    while (s->cache) {
        zk_entry_t *z = s->cache;
        s->cache = z->next;
        zk_free(z);
    }
    free(s->certs_pem);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->attest_mu);
    pthread_mutex_destroy(&s->log_mu);
    pthread_cond_destroy(&s->cv);
    free(s);
    return rc;
}
