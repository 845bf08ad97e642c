/* serve_int.h: inside the job loop (`zbprover serve`): the pieces serve.c, queue.c, cache.c and
 * job.c share. Not part of the room's face. */
#ifndef ZBP_JOB_SERVE_INT_H
#define ZBP_JOB_SERVE_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "job/job_int.h"

/* ---- queue.c: the input queue, shared by the reader thread and the dispatcher ---- */
typedef struct {
    char *line; /* a job_secret_alloc block, or NULL (an empty or over-long line) */
    size_t len;
    bool too_long; /* the line was over the limit, and its bytes were discarded */
} entry_t;

typedef struct inq inq_t;
/* A queue of at most max_queue lines of at most max_line bytes read from fd. */
inq_t *inq_new(int fd, size_t max_queue, size_t max_line);
/* Starts the reader thread (with SIGTERM/SIGINT blocked in it); 0 or an errno. */
int inq_start(inq_t *q, pthread_t *reader);
/* Waits up to wait_ms for the next entry: 1 with *e (free e->line with job_secret_free), 0 at
 * EOF with nothing left, -1 when the wait ran out. */
int inq_pop(inq_t *q, entry_t *e, int wait_ms);
size_t inq_depth(inq_t *q);
size_t inq_max_line(const inq_t *q);
/* The server is done with the queue: the reader stops at its next push. Joins the reader when it
 * has seen EOF, else detaches it (blocked in read(2) on a stdin still open), and drops the
 * server's reference. */
void inq_close(inq_t *q, pthread_t reader);
void inq_unref(inq_t *q);

/* ---- file.c: files a request names, and memory for secrets ---- */
/* Reads a regular file whole into memory of its own (job_secret_alloc'ed when secret, else
 * malloc'ed), without ever blocking on it: O_NONBLOCK, then fstat, and anything but a regular
 * file is refused before a byte is read. st gets the fstat of the descriptor read. JOB_OK;
 * too_large_code when the file exceeds max bytes; else bad_code with the reason. */
int job_file_read(const char *path, size_t max, bool secret, int bad_code, int too_large_code,
                  uint8_t **buf, size_t *len, struct stat *st, char *err, size_t errlen);

/* ---- cache.c: the circuit cache ---- */
typedef struct zk_entry {
    struct zk_entry *next;
    char *path;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    uint8_t *bytes; /* the file's bytes as read and hashed: the loop's own memory */
    bool wasm;      /* a witness program (bytes and sha only), not a .zkey */
    zbp_zkey_t z;   /* parsed from bytes */
    uint8_t sha[32];
    bool checked; /* parsed, and every point checked (a program: its object built) */
    int refs;
    bool cached; /* in the list (else freed at its last release) */
    uint64_t uses;
    double last_ms;
} zk_entry_t;

typedef struct zk_cache zk_cache_t;
zk_cache_t *zk_cache_new(size_t budget);
void zk_cache_free(zk_cache_t *c);
/* The circuit at path, in two steps so that a ticket can be held against the file's hash before
 * any expensive work. zk_open: from the cache when the file is the one cached (same device, inode,
 * size and mtime: then checked already), else read whole into the loop's own memory and hashed
 * (e->checked false). zk_check: for a fresh entry, parse it and check every point, then cache it
 * within the budget. What is proved is exactly the bytes that were hashed and checked, whatever
 * happens to the file meanwhile. */
int zk_open(zk_cache_t *c, const char *path, bool wasm, zk_entry_t **out, char *err,
            size_t errlen);
int zk_check(zk_cache_t *c, zk_entry_t *e, char *err, size_t errlen);
void zk_release(zk_cache_t *c, zk_entry_t *e);
/* "circuits": [...], "programs": [...], "cache_bytes": n into an open object. */
void zk_cache_info(zk_cache_t *c, jb_t *b);

/* ---- pool.c: the workers, one per circuit ---- */
typedef struct pworker {
    struct pworker *next;
    uint8_t key[64]; /* the .zkey's SHA-256, then the program's (zeros without one) */
    bool has_program;
    pid_t pid; /* also its process group */
    int sock;
    char conf[160];  /* the confinement it reported */
    char device[16]; /* where it proves: cpu, cuda:N */
    uint64_t jobs;
    double last_ms;
    size_t bytes; /* counted in the circuit budget */
    bool busy, dead, killed; /* killed: by the supervisor, for --job-timeout */
} pworker_t;
typedef struct pool pool_t;
pool_t *pool_new(const job_serve_opts_t *o);
void pool_free(pool_t *p); /* ends every worker */
/* The circuit's worker (wm: its witness program, so_path: the program's compiled object), started
 * when there is none (*start_ms: how long that took, else -1), and marked busy. */
int pool_acquire(pool_t *p, const zk_entry_t *zk, const zk_entry_t *wm, const char *so_path,
                 pworker_t **out, double *start_ms, char *err, size_t errlen);
/* One job frame out, its result in (*body: free() it; res points into it). A worker that dies or
 * breaks the protocol is ended, and the code and message say what ended it. */
#include "job/frame.h"
int pool_job(pool_t *p, pworker_t *w, uint32_t kind, const uint8_t *payload, size_t len,
             uint8_t **body, frame_result_t *res, char *err, size_t errlen);
/* The job is over: the worker is idle again, or ended (end, or dead). */
void pool_release(pool_t *p, pworker_t *w, bool end);
/* --job-timeout: ends the worker's process group from the dispatcher (its job then answers). */
void pool_kill(pool_t *p, pworker_t *w);
/* "workers": [...] into an open object. */
void pool_info(pool_t *p, jb_t *b);

/* ---- the server (serve.c) ---- */
typedef struct {
    const job_serve_opts_t *o;
    FILE *out;
    inq_t *q;
    zk_cache_t *cache;
    pool_t *pool;
    job_hubkey_t *hub;
    job_replay_t *replay;
    job_keystore_t *keys;
    attest_opts_t aopts;
    bool attest_on;
    const char *kind;
    char *certs_pem;
    double test_delay_ms;
    pthread_mutex_t mu; /* counters, the slots, the jobs' state */
    pthread_cond_t cv;  /* a job ended */
    pthread_mutex_t attest_mu, log_mu;
    uint64_t jobs_done, jobs_failed;
    size_t max_workers, running; /* jobs on threads now (timed-out ones still running too) */
    struct slot *slots;          /* answers in request order (dispatch.c) */
    /* Threads of jobs that timed out and have finished since: joined by the dispatcher, so that
     * no thread is still in its exit path (OpenSSL's thread-local destructors) at teardown. */
    pthread_t zombies[JOB_MAX_WORKERS_LIMIT];
    int n_zombies;
} server_t;

void log_line(server_t *s, const char *level, const char *event, const job_request_t *r, int code,
              const char *message, double ms);
void answer_head(jb_t *b, const job_request_t *r, bool ok);
char *error_answer(const job_request_t *r, int code, const char *message);
int attest_object(server_t *s, jb_t *b, const uint8_t rd[64], char *err, size_t errlen);

/* ---- job_input.c: what a job hands its worker ---- */
int job_input_text(const json_t *v, uint8_t **out, size_t *len, char *err, size_t errlen);
int job_input_object(server_t *s, job_request_t *r, zk_entry_t *wm, char *so, size_t solen,
                     double *object_ms, char *err, size_t errlen);
int job_input_payload(server_t *s, job_request_t *r, const zk_entry_t *zk, const zk_entry_t *wm,
                      const uint8_t *tid, size_t tlen, uint8_t **out, size_t *len, char *err,
                      size_t errlen);
int job_witness_bytes(server_t *s, job_request_t *r, const zk_entry_t *zk, const uint8_t *tid,
                      size_t tlen, uint8_t **wbuf, size_t *wlen, char *err, size_t errlen);

/* ---- job.c: a prove job's work ---- */
typedef struct job job_t;
/* The whole job; *answer on success, else the code with err. j: for job_set_active. */
int prove_job(server_t *s, job_t *j, job_request_t *r, char **answer, char *err, size_t errlen);

/* ---- dispatch.c: jobs on threads, answers in request order ---- */
/* The job's worker while it is there (NULL after): what a timeout ends. */
void job_set_active(server_t *s, job_t *j, pworker_t *w);
/* A prove on a thread of its own, once fewer than --workers run: JOB_OK (its slot is answered
 * when it ends), else the code with *answer (busy, internal). */
int pipeline_prove(server_t *s, job_request_t *r, char **answer);
/* An answer ready now, into its place in the order (false: stdout is gone). */
bool pipeline_answer(server_t *s, char *answer);
/* The ready answers at the head of the order out; all: wait for every one. */
bool pipeline_flush(server_t *s, bool all);
/* serve.c: writes one answer line (and frees it); false when stdout is gone */
bool emit_answer(server_t *s, char *text);

#endif
