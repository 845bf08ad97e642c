/* queue.c: the loop's input: a reader thread cuts stdin into lines of at most --max-line-bytes (the
 * rest of a longer line is read and dropped), and a bounded queue (count and bytes) pushes back on
 * the writer through the pipe. The queue is owned jointly by the reader and the server, and freed
 * by the last of them. Line buffers are secret memory (a line may carry a witness). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"

struct inq {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    entry_t *ring;
    size_t cap, head, count, bytes;
    size_t max_line, max_bytes;
    bool eof, closed;
    int refs;
    int fd;
};

#define READ_CHUNK 65536

inq_t *inq_new(int fd, size_t max_queue, size_t max_line) {
    inq_t *q = calloc(1, sizeof *q);
    if (q) q->ring = calloc(max_queue, sizeof *q->ring);
    if (!q || !q->ring) {
        free(q);
        return NULL;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    pthread_cond_init(&q->nonfull, NULL);
    q->cap = max_queue;
    q->max_line = max_line;
    q->max_bytes = max_line;
    q->refs = 1;
    q->fd = fd;
    return q;
}

size_t inq_max_line(const inq_t *q) { return q->max_line; }

void inq_unref(inq_t *q) {
    pthread_mutex_lock(&q->mu);
    bool last = --q->refs == 0;
    pthread_mutex_unlock(&q->mu);
    if (!last) return;
    for (size_t i = 0; i < q->count; i++)
        job_secret_free(q->ring[(q->head + i) % q->cap].line);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->nonempty);
    pthread_cond_destroy(&q->nonfull);
    free(q->ring);
    free(q);
}

/* Blocks while the queue is full (by count, or by bytes when something is already queued), which
 * pushes back on the writer through the pipe. Returns false when the server has gone. */
static bool inq_push(inq_t *q, char *line, size_t len, bool too_long) {
    pthread_mutex_lock(&q->mu);
    while (!q->closed && (q->count == q->cap || (q->count && q->bytes + len > q->max_bytes)))
        pthread_cond_wait(&q->nonfull, &q->mu);
    bool ok = !q->closed;
    if (ok) {
        q->ring[(q->head + q->count) % q->cap] = (entry_t){line, len, too_long};
        q->count++;
        q->bytes += len;
        pthread_cond_signal(&q->nonempty);
    }
    pthread_mutex_unlock(&q->mu);
    if (!ok) job_secret_free(line);
    return ok;
}

/* The reader: lines of at most max_line bytes; the rest of a longer line is read and dropped, so
 * memory stays bounded whatever arrives. A last line without a newline still counts. An empty
 * line is passed on as such (the dispatcher skips blank lines without an answer). */
static void *reader_main(void *arg) {
    inq_t *q = arg;
    size_t cap = 0, len = 0;
    char *cur = NULL, *chunk = job_secret_alloc(READ_CHUNK);
    bool overlong = false, alive = chunk != NULL;
    while (alive) {
        ssize_t n = read(q->fd, chunk, READ_CHUNK);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (size_t i = 0; i < (size_t)n && alive;) {
            char *nl = memchr(chunk + i, '\n', (size_t)n - i);
            size_t seg = nl ? (size_t)(nl - chunk) - i : (size_t)n - i;
            if (!overlong && seg > q->max_line - len) {
                overlong = true;
                job_secret_free(cur);
                cur = NULL;
                cap = len = 0;
            }
            if (!overlong && seg) {
                if (seg + 1 > cap - len) {
                    /* len + seg <= max_line here, and max_line is bounded far below SIZE_MAX /
                     * 2 (job_serve checks it), so neither sum nor doubling overflows. */
                    size_t nc = cap ? cap : 4096;
                    while (nc < len + seg + 1)
                        nc *= 2;
                    if (nc > q->max_line + 1) nc = q->max_line + 1;
                    /* Grown by copy, not realloc, so no stale copy of a witness is left in
                     * freed memory. */
                    char *p = job_secret_alloc(nc);
                    if (p && len) memcpy(p, cur, len);
                    job_secret_free(cur);
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
                alive = inq_push(q, overlong ? NULL : cur, overlong ? 0 : len, overlong);
                cur = NULL;
                cap = len = 0;
                overlong = false;
            }
        }
        OPENSSL_cleanse(chunk, (size_t)n); /* it may have held part of a witness */
        job_stack_scrub();
    }
    job_secret_free(chunk);
    if (alive && (len || overlong))
        alive = inq_push(q, overlong ? NULL : cur, overlong ? 0 : len, overlong);
    else
        job_secret_free(cur);
    pthread_mutex_lock(&q->mu);
    q->eof = true;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->mu);
    inq_unref(q);
    return NULL;
}

int inq_start(inq_t *q, pthread_t *reader) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_mutex_lock(&q->mu);
    q->refs++;
    pthread_mutex_unlock(&q->mu);
    pthread_sigmask(SIG_BLOCK, &block, &old); /* the signal handler runs on the dispatcher */
    int e = pthread_create(reader, NULL, reader_main, q);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e) {
        pthread_mutex_lock(&q->mu);
        q->refs--;
        pthread_mutex_unlock(&q->mu);
    }
    return e;
}

int inq_pop(inq_t *q, entry_t *e, int wait_ms) {
    pthread_mutex_lock(&q->mu);
    int rc = -1;
    if (!q->count && !q->eof) {
        /* A signal handler cannot touch a condition variable: the caller looks at its flags
         * between waits. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)wait_ms % 1000 * 1000000L;
        ts.tv_sec += wait_ms / 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&q->nonempty, &q->mu, &ts);
    }
    if (q->count) {
        *e = q->ring[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
        q->bytes -= e->len;
        pthread_cond_signal(&q->nonfull);
        rc = 1;
    } else if (q->eof) {
        rc = 0;
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

size_t inq_depth(inq_t *q) {
    pthread_mutex_lock(&q->mu);
    size_t n = q->count;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void inq_close(inq_t *q, pthread_t reader) {
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
}
