/* dispatch.c: prove jobs on threads of their own, up to --workers at once, and the answers in
 * request order: every request gets a slot in a FIFO; a request answered at once fills its slot,
 * a prove fills it when its job ends (or when its time runs out), and slots leave the FIFO from
 * its head only, so answers come out in the order the requests came. A job past --job-timeout in
 * its worker ends that worker (pool_kill) and answers `timeout`; before it reaches its worker (the
 * supervisor's own checks cannot be stopped safely) it is answered `timeout` at once and finishes
 * in the background, its result logged as `late_result`, holding its place among the --workers. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"

struct job {
    server_t *s;
    job_request_t req;
    char *answer; /* the job's answer line, ok or error */
    int code;
    bool done, abandoned;
    double t0, deadline; /* job_mono_ms; deadline 0: none */
    pworker_t *active;   /* its worker while the job is there (under s->mu) */
    pthread_t thread;
    char idbuf[JOB_ID_MAX + 1];
    size_t id_len;
};

typedef struct slot {
    struct slot *next;
    job_t *j;     /* a prove in flight, or NULL */
    char *answer; /* the answer when ready (a job's timeout answer too) */
    bool ready;
} slot_t;

static void job_free(job_t *j) {
    job_request_free(&j->req);
    free(j->answer);
    free(j);
}

/* A request with the job's id only, for answers and logs after the request has gone. */
static job_request_t id_only(const job_t *j) {
    job_request_t r;
    memset(&r, 0, sizeof r);
    r.id = j->idbuf;
    r.id_len = j->id_len;
    r.op = JOB_OP_PROVE;
    return r;
}

void job_set_active(server_t *s, job_t *j, pworker_t *w) {
    if (!j) return;
    pthread_mutex_lock(&s->mu);
    j->active = w;
    pthread_mutex_unlock(&s->mu);
}

static void *job_main(void *arg) {
    job_t *j = arg;
    server_t *s = j->s;
    char err[1280] = "";
    char *answer = NULL;
    int code = prove_job(s, j, &j->req, &answer, err, sizeof err);
    job_stack_scrub(); /* the witness passed through this thread's stack */
    if (code) answer = error_answer(&j->req, code, err);
    /* The base64 witness, if any, lives in the request's document: wipe it now. */
    if (j->req.wsrc == JOB_WTNS_B64) OPENSSL_cleanse((char *)j->req.wtns, j->req.wtns_len);
    if (j->req.input) job_json_wipe(j->req.input); /* and an input's values */
    job_request_t idr = id_only(j);
    pthread_mutex_lock(&s->mu);
    bool abandoned = j->abandoned;
    if (code)
        s->jobs_failed += !abandoned;
    else
        s->jobs_done += !abandoned;
    pthread_mutex_unlock(&s->mu);
    log_line(s, code ? "warn" : "info", abandoned ? "late_result" : "answer", &idr, code,
             code ? err : NULL, job_mono_ms() - j->t0);
    pthread_mutex_lock(&s->mu);
    j->answer = answer;
    j->code = code;
    j->done = true;
    s->running--;
    if (abandoned) { /* its slot was answered `timeout`: nobody else holds it */
        if (s->n_zombies < JOB_MAX_WORKERS_LIMIT) s->zombies[s->n_zombies++] = j->thread;
        job_free(j);
    }
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void push(server_t *s, slot_t *sl) {
    slot_t **p = &s->slots;
    while (*p)
        p = &(*p)->next;
    *p = sl;
}

bool pipeline_answer(server_t *s, char *answer) {
    slot_t *sl = calloc(1, sizeof *sl);
    if (!sl) return emit_answer(s, answer); /* out of memory: in order all the same, if late */
    sl->answer = answer;
    sl->ready = true;
    pthread_mutex_lock(&s->mu);
    push(s, sl);
    pthread_mutex_unlock(&s->mu);
    return true;
}

/* Under s->mu: the jobs past their time. In a worker: the worker is ended (the job then answers
 * timeout itself). Before: answered now, abandoned to finish in the background. */
static void deadlines(server_t *s) {
    double now = job_mono_ms();
    for (slot_t *sl = s->slots; sl; sl = sl->next) {
        job_t *j = sl->j;
        if (!j || sl->ready || j->done || !j->deadline || now < j->deadline) continue;
        double t = s->o->job_timeout_s;
        if (j->active) {
            pool_kill(s->pool, j->active);
            j->deadline = 0;
            continue;
        }
        char m[200];
        snprintf(m, sizeof m,
                 "the job ran past --job-timeout (%.3f s) before it reached its worker; it "
                 "finishes in the background",
                 t);
        job_request_t idr = id_only(j);
        sl->answer = error_answer(&idr, JOB_TIMEOUT, m);
        sl->ready = true;
        sl->j = NULL;
        j->abandoned = true;
        s->jobs_failed++;
        log_line(s, "warn", "answer", &idr, JOB_TIMEOUT, m, -1);
    }
}

/* Emits the ready answers at the head. all: first wait for every slot. False when stdout is gone. */
bool pipeline_flush(server_t *s, bool all) {
    bool ok = true;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        deadlines(s);
        for (int k = 0; k < s->n_zombies; k++)
            pthread_join(s->zombies[k], NULL); /* finished: returns at once */
        s->n_zombies = 0;
        slot_t *sl = s->slots;
        if (sl && !sl->ready && sl->j && sl->j->done) {
            sl->answer = sl->j->answer;
            sl->j->answer = NULL;
            pthread_join(sl->j->thread, NULL);
            job_free(sl->j);
            sl->j = NULL;
            sl->ready = true;
        }
        if (sl && sl->ready) {
            s->slots = sl->next;
            pthread_mutex_unlock(&s->mu);
            ok = emit_answer(s, sl->answer) && ok;
            free(sl);
            pthread_mutex_lock(&s->mu);
            continue;
        }
        if (!sl || !all) break;
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 20 * 1000000L;
        if (dl.tv_nsec >= 1000000000L) dl.tv_sec++, dl.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&s->cv, &s->mu, &dl);
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

/* Waits (answering what is ready meanwhile) until fewer than --workers jobs run. False when only
 * jobs that timed out hold the places: then the prove is answered busy. */
static bool wait_place(server_t *s) {
    for (;;) {
        pthread_mutex_lock(&s->mu);
        size_t live = 0;
        for (slot_t *sl = s->slots; sl; sl = sl->next)
            live += sl->j != NULL;
        bool room = s->running < s->max_workers, stuck = !room && live == 0;
        pthread_mutex_unlock(&s->mu);
        if (room) return true;
        if (stuck) return false;
        pipeline_flush(s, false);
        pthread_mutex_lock(&s->mu);
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_nsec += 20 * 1000000L;
        if (dl.tv_nsec >= 1000000000L) dl.tv_sec++, dl.tv_nsec -= 1000000000L;
        if (s->running >= s->max_workers) pthread_cond_timedwait(&s->cv, &s->mu, &dl);
        pthread_mutex_unlock(&s->mu);
    }
}

int pipeline_prove(server_t *s, job_request_t *r, char **answer) {
    if (!wait_place(s)) {
        *answer = error_answer(r, JOB_BUSY, "the prover is still busy with a job that timed out");
        return JOB_BUSY;
    }
    job_t *j = calloc(1, sizeof *j);
    slot_t *sl = calloc(1, sizeof *sl);
    if (!j || !sl) {
        free(j), free(sl);
        *answer = error_answer(r, JOB_INTERNAL, "out of memory");
        return JOB_INTERNAL;
    }
    j->s = s;
    j->req = *r; /* the job owns the request's document from here */
    memset(r, 0, sizeof *r);
    memcpy(j->idbuf, j->req.id, j->req.id_len);
    j->id_len = j->req.id_len;
    j->t0 = job_mono_ms();
    j->deadline = s->o->job_timeout_s > 0 ? j->t0 + s->o->job_timeout_s * 1e3 : 0;
    sl->j = j;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_mutex_lock(&s->mu);
    pthread_sigmask(SIG_BLOCK, &block, &old); /* the signal handler runs on the dispatcher */
    int e = pthread_create(&j->thread, NULL, job_main, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!e) {
        s->running++;
        push(s, sl);
    }
    pthread_mutex_unlock(&s->mu);
    if (e) {
        *r = j->req;
        free(j), free(sl);
        *answer = error_answer(r, JOB_INTERNAL, "cannot start a job thread");
        return JOB_INTERNAL;
    }
    return JOB_OK; /* answered in its slot */
}
