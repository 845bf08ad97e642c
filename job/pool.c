/* pool.c: serve's workers, seen from the supervisor: one per circuit (the .zkey's SHA-256, and the
 * witness program's when jobs bring inputs), started on first use with fork and exec of this very
 * binary (`zbprover __worker`: nothing of the supervisor's memory, no key and no sealed payload,
 * crosses), kept warm, ended least recently used when the circuit budget is full, and ended at
 * once when a job goes wrong (a crash, its filter, the kernel, a timeout, a wrong proof). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "job/frame.h"
#include "job/serve_int.h"
#include "job/worker.h"

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a worker became idle, or ended */
    pworker_t *list;
    size_t bytes, budget;
    const job_serve_opts_t *o;
};

pool_t *pool_new(const job_serve_opts_t *o) {
    pool_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->budget = o->zkey_cache_bytes;
    p->o = o;
    return p;
}

/* Ends the worker's process group and reaps it; the wait status. */
static int end_worker(pworker_t *w) {
    int st = 0;
    if (w->pid > 0) {
        kill(-w->pid, SIGKILL);
        while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
    if (w->sock >= 0) close(w->sock);
    w->pid = -1;
    w->sock = -1;
    return st;
}

void pool_free(pool_t *p) {
    if (!p) return;
    while (p->list) {
        pworker_t *w = p->list;
        p->list = w->next;
        end_worker(w);
        free(w);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}

/* The key's bytes in a sealed memfd: the worker maps exactly what the supervisor hashed and
 * checked, whatever happens to the file. */
static int zkey_memfd(const zk_entry_t *zk) {
    int fd = memfd_create("zkey", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    size_t off = 0, n = (size_t)zk->size;
    while (off < n) {
        ssize_t k = write(fd, zk->bytes + off, n - off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)k;
    }
    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
    return fd;
}

/* The worker's address-space limit: the libraries and each thread's stack and malloc arena, the
 * key (mapped, and the prover's copies of its sections), the witness, and the witness program's
 * memory with wasm2c's 8 GiB reservation. A backstop: the real bound is the machine. */
static uint64_t as_limit(const job_serve_opts_t *o, const zk_entry_t *zk, bool program) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t threads = (uint64_t)(o->threads ? o->threads : (cpus > 0 ? cpus : 1));
    uint64_t as = (2ull << 30) + threads * (96ull << 20) + 8 * (uint64_t)zk->size +
                  4 * (uint64_t)o->max_witness_bytes;
    if (program) as += (o->witness_memory_limit ? o->witness_memory_limit : 8ull << 30) + (9ull << 30);
    return as;
}

typedef struct {
    char a[WORKER_ARGC][72];
    char *argv[WORKER_ARGC + 2]; /* "zbprover", then a, then NULL */
} wargv_t;

static void make_argv(wargv_t *v, const pool_t *p, const zk_entry_t *zk, const zk_entry_t *wm,
                      bool so) {
    const job_serve_opts_t *o = p->o;
    char sha[65] = "-";
    if (wm) job_hex_encode(sha, wm->sha, 32);
    double cpu = o->job_timeout_s > 0 ? o->job_timeout_s : 3600;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(v->a[0], 72, "__worker");
    snprintf(v->a[1], 72, "3");
    snprintf(v->a[2], 72, "4");
    snprintf(v->a[3], 72, "%s", so ? "5" : "-");
    snprintf(v->a[4], 72, "%s", sha);
    snprintf(v->a[5], 72, "%d", o->threads);
    snprintf(v->a[6], 72, "%llu", (unsigned long long)as_limit(o, zk, so));
    /* RLIMIT_CPU: a hundred jobs' worth of every core; a warm worker that used it up is replaced */
    snprintf(v->a[7], 72, "%llu", (unsigned long long)(cpu * 100 * (cpus > 0 ? cpus : 1)));
    snprintf(v->a[8], 72, "%u", o->witness_time_limit_s ? o->witness_time_limit_s : 600);
    snprintf(v->a[9], 72, "%llu", (unsigned long long)(o->witness_memory_limit ? o->witness_memory_limit : 8ull << 30));
    snprintf(v->a[10], 72, "%llu", (unsigned long long)o->max_witness_bytes * 2 + (64ull << 20));
    snprintf(v->a[11], 72, "%s", o->device ? o->device : "cpu");
    v->argv[0] = (char *)"zbprover";
    for (int i = 0; i < WORKER_ARGC; i++)
        v->argv[i + 1] = v->a[i];
    v->argv[WORKER_ARGC + 1] = NULL;
}

/* fork, then in the child only async-signal-safe calls: its own process group, the descriptors at
 * 3 (socket), 4 (key), 5 (object), stdin on /dev/null (read only: the loop opens no file for
 * writing during a job), stdout onto stderr (never the answers' stream), every other one closed,
 * exec. */
static pid_t spawn(int sock, int zfd, int sofd, char **argv) {
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int s2 = fcntl(sock, F_DUPFD, 10), z2 = fcntl(zfd, F_DUPFD, 10);
        int o2 = sofd >= 0 ? fcntl(sofd, F_DUPFD, 10) : -1;
        if (s2 < 0 || z2 < 0 || (sofd >= 0 && o2 < 0) || dup2(null, 0) < 0 || dup2(2, 1) < 0 ||
            dup2(s2, 3) < 0 || dup2(z2, 4) < 0 || (o2 >= 0 && dup2(o2, 5) < 0))
            _exit(127);
        close_range(o2 >= 0 ? 6 : 5, ~0U, 0);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    close(null);
    if (pid > 0) setpgid(pid, pid); /* also here: no race with a kill of the group */
    return pid;
}

/* Drops idle workers, least recently used first, until need more bytes fit the budget. */
static void make_room(pool_t *p, size_t need) {
    while (p->bytes + need > p->budget) {
        pworker_t **victim = NULL;
        for (pworker_t **q = &p->list; *q; q = &(*q)->next)
            if (!(*q)->busy && (!victim || (*q)->last_ms < (*victim)->last_ms)) victim = q;
        if (!victim) return;
        pworker_t *w = *victim;
        *victim = w->next;
        p->bytes -= w->bytes;
        end_worker(w); /* idle: its process ends at once */
        free(w);
    }
}

static int start(pool_t *p, pworker_t *w, const zk_entry_t *zk, const zk_entry_t *wm,
                 const char *so_path, char *err, size_t errlen) {
    int sv[2], zfd = -1, sofd = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
        return job_fail(err, errlen, JOB_INTERNAL, "socketpair: %s", strerror(errno));
    int rc = JOB_INTERNAL;
    if ((zfd = zkey_memfd(zk)) < 0 ||
        (so_path && (sofd = open(so_path, O_RDONLY | O_CLOEXEC)) < 0)) {
        job_fail(err, errlen, rc, "the worker's descriptors: %s", strerror(errno));
        goto out;
    }
    wargv_t v;
    make_argv(&v, p, zk, wm, so_path != NULL);
    w->pid = spawn(sv[1], zfd, sofd, v.argv);
    if (w->pid < 0) {
        job_fail(err, errlen, rc, "cannot start a worker: %s", strerror(errno));
        goto out;
    }
    close(sv[1]);
    sv[1] = -1;
    w->sock = sv[0];
    uint32_t type;
    uint8_t *body;
    size_t len;
    char m[400];
    int r = frame_recv(w->sock, 4096, false, &type, &body, &len, m, sizeof m);
    if (r || type != FRAME_HELLO || !strncmp((char *)body, "error: ", 7)) {
        if (!r && type == FRAME_HELLO) /* its own message: the key or the device it could not load */
            job_fail(err, errlen, rc, "%s", (char *)body + 7);
        else
            job_fail(err, errlen, rc, "the worker did not start: %s",
                     r > 0 ? "it ended" : r < 0 ? m : "it broke the protocol");
        free(body);
        end_worker(w);
        goto out;
    }
    /* "<device> <confinement...>": where it proves, and what it got */
    char *sp = strchr((char *)body, ' ');
    if (sp) *sp = 0;
    snprintf(w->device, sizeof w->device, "%s", (char *)body);
    snprintf(w->conf, sizeof w->conf, "%s", sp ? sp + 1 : "");
    free(body);
    rc = JOB_OK;
out:
    if (sv[1] >= 0) close(sv[1]);
    if (rc && sv[0] >= 0 && w->sock != sv[0]) close(sv[0]);
    if (zfd >= 0) close(zfd);
    if (sofd >= 0) close(sofd);
    return rc;
}

/* Under p->mu: idle workers that ended on their own (killed from outside) are dropped. */
static void reap_idle(pool_t *p) {
    for (pworker_t **q = &p->list; *q;) {
        pworker_t *w = *q;
        int st;
        if (!w->busy && waitpid(w->pid, &st, WNOHANG) == w->pid) {
            w->pid = -1;
            *q = w->next;
            p->bytes -= w->bytes;
            end_worker(w);
            free(w);
        } else {
            q = &w->next;
        }
    }
}

static void unlink_worker(pool_t *p, pworker_t *w) {
    for (pworker_t **q = &p->list; *q; q = &(*q)->next)
        if (*q == w) {
            *q = w->next;
            p->bytes -= w->bytes;
            return;
        }
}

int pool_acquire(pool_t *p, const zk_entry_t *zk, const zk_entry_t *wm, const char *so_path,
                 pworker_t **out, double *start_ms, char *err, size_t errlen) {
    uint8_t key[64] = {0};
    memcpy(key, zk->sha, 32);
    if (wm) memcpy(key + 32, wm->sha, 32);
    *start_ms = -1;
    pthread_mutex_lock(&p->mu);
    for (;;) { /* one worker per circuit: a job for a busy one waits for it */
        reap_idle(p);
        pworker_t *w = p->list;
        while (w && memcmp(w->key, key, 64))
            w = w->next;
        if (!w) break;
        if (w->busy) {
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        w->busy = true;
        w->killed = false;
        pthread_mutex_unlock(&p->mu);
        *out = w;
        return JOB_OK;
    }
    make_room(p, (size_t)zk->size);
    pworker_t *w = calloc(1, sizeof *w);
    if (!w) {
        pthread_mutex_unlock(&p->mu);
        return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    }
    memcpy(w->key, key, 64);
    w->sock = -1;
    w->pid = -1;
    w->busy = true; /* listed while it starts: a second job for it waits */
    w->bytes = (size_t)zk->size;
    w->has_program = wm != NULL;
    w->next = p->list;
    p->list = w;
    p->bytes += w->bytes;
    pthread_mutex_unlock(&p->mu);
    double t0 = job_mono_ms();
    int rc = start(p, w, zk, wm, so_path, err, errlen);
    if (rc) {
        pthread_mutex_lock(&p->mu);
        unlink_worker(p, w);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        free(w);
        return rc;
    }
    *start_ms = job_mono_ms() - t0;
    w->last_ms = job_mono_ms();
    *out = w;
    return JOB_OK;
}

/* What ended a worker that gave no answer, as the job's code and message. */
static int death(const pool_t *p, const pworker_t *w, int st, char *err, size_t errlen) {
    if (w->killed)
        return job_fail(err, errlen, JOB_TIMEOUT,
                        "the job ran past --job-timeout (%.3f s); its worker was ended",
                        p->o->job_timeout_s);
    if (WIFSIGNALED(st)) {
        int sig = WTERMSIG(st);
        if (sig == SIGALRM)
            return job_fail(err, errlen, JOB_TIMEOUT,
                            "the witness program ran past the time limit of %u s",
                            p->o->witness_time_limit_s ? p->o->witness_time_limit_s : 600);
        if (sig == SIGXCPU)
            return job_fail(err, errlen, JOB_TIMEOUT, "the worker used up its CPU-time limit");
        if (sig == SIGSYS)
            return job_fail(err, errlen, JOB_INTERNAL,
                            "the worker was killed by its seccomp filter: the circuit's code made "
                            "a system call that proving does not make");
        if (sig == SIGKILL)
            return job_fail(err, errlen, JOB_INTERNAL,
                            "the worker was killed (SIGKILL: out of memory, or from outside)");
        return job_fail(err, errlen, JOB_INTERNAL, "the worker crashed (signal %d: %s)", sig,
                        strsignal(sig));
    }
    return job_fail(err, errlen, JOB_INTERNAL, "the worker ended without an answer (exit status %d)",
                    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int pool_job(pool_t *p, pworker_t *w, uint32_t kind, const uint8_t *payload, size_t len,
             uint8_t **body, frame_result_t *res, char *err, size_t errlen) {
    uint8_t head[8] = {0};
    memcpy(head, &kind, 4);
    *body = NULL;
    uint32_t type;
    size_t blen;
    char m[400];
    int r = frame_send(w->sock, FRAME_JOB, head, sizeof head, payload, len);
    if (!r) r = frame_recv(w->sock, (uint64_t)1 << 30, false, &type, body, &blen, m, sizeof m);
    if (!r && (type != FRAME_RESULT || frame_result_parse(*body, blen, res, m, sizeof m))) {
        if (type != FRAME_RESULT) snprintf(m, sizeof m, "a frame of type %u", type);
        r = -2;
    }
    if (!r) {
        if (!res->code) memcpy(w->device, res->device, sizeof w->device); /* auto may leave its GPU */
        return JOB_OK;
    }
    free(*body);
    *body = NULL;
    w->dead = true;
    int st = end_worker(w);
    if (r == -2 && !w->killed)
        return job_fail(err, errlen, JOB_INTERNAL, "the worker answered out of protocol (%s)", m);
    return death(p, w, st, err, errlen);
}

void pool_release(pool_t *p, pworker_t *w, bool end) {
    pthread_mutex_lock(&p->mu);
    w->busy = false;
    w->jobs++;
    w->last_ms = job_mono_ms();
    if (end || w->dead) {
        unlink_worker(p, w);
        end_worker(w);
        free(w);
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

void pool_kill(pool_t *p, pworker_t *w) {
    pthread_mutex_lock(&p->mu);
    w->killed = true;
    if (w->pid > 0) kill(-w->pid, SIGKILL);
    pthread_mutex_unlock(&p->mu);
}

/* VmRSS of a worker in bytes (0 when unreadable). */
static uint64_t rss(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %llu kB", &kb) == 1) break;
    if (f) fclose(f);
    return (uint64_t)kb << 10;
}

void pool_info(pool_t *p, jb_t *b) {
    pthread_mutex_lock(&p->mu);
    jb_key(b, "workers");
    jb_arr(b);
    for (pworker_t *w = p->list; w; w = w->next) {
        jb_obj(b);
        jb_key(b, "zkey_sha256");
        jb_hex(b, w->key, 32);
        if (w->has_program) {
            jb_key(b, "wasm_sha256");
            jb_hex(b, w->key + 32, 32);
        }
        jb_key(b, "pid");
        jb_u64(b, w->pid > 0 ? (uint64_t)w->pid : 0);
        jb_key(b, "state");
        jb_str(b, w->pid <= 0 ? "starting" : w->busy ? "busy" : "idle");
        jb_key(b, "jobs");
        jb_u64(b, w->jobs);
        jb_key(b, "rss_bytes");
        jb_u64(b, w->pid > 0 ? rss(w->pid) : 0);
        jb_key(b, "device");
        jb_str(b, w->device);
        jb_key(b, "confinement");
        jb_str(b, w->conf);
        jb_obj_end(b);
    }
    jb_arr_end(b);
    pthread_mutex_unlock(&p->mu);
}
