/* replay.c: the replay log: ids of spent tickets, one "<hex id> <expires>" line each after a
 * header line, appended and fsync'd before a job may run, so no crash can let a ticket be spent
 * twice; flock'ed so that two servers cannot share it. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job/job_int.h"

#define REPLAY_HEADER "ZBPROVER-REPLAY-V1\n"

typedef struct {
    uint8_t len; /* 0: empty slot */
    uint8_t id[JOB_TICKET_ID_MAX];
} slot_t;

struct job_replay {
    int fd;
    char path[4096];
    slot_t *slots;
    size_t cap, count; /* cap a power of two, kept at most half full */
    pthread_mutex_t mu;
};

/* FNV-1a: ticket ids are chosen by the hub and signed, so nobody can aim collisions at the table.
 */
static uint64_t hash(const uint8_t *id, size_t len) {
    uint64_t h = 0xcbf29ce484222325ull ^ len;
    for (size_t i = 0; i < len; i++)
        h = (h ^ id[i]) * 0x100000001b3ull;
    return h;
}

static slot_t *find(const job_replay_t *r, const uint8_t *id, size_t len) {
    for (size_t i = hash(id, len) & (r->cap - 1);; i = (i + 1) & (r->cap - 1)) {
        slot_t *s = &r->slots[i];
        if (!s->len || (s->len == len && !memcmp(s->id, id, len))) return s;
    }
}

static int insert(job_replay_t *r, const uint8_t *id, size_t len) {
    if (2 * (r->count + 1) > r->cap) {
        size_t cap = 2 * r->cap;
        slot_t *old = r->slots;
        size_t oldcap = r->cap;
        r->slots = calloc(cap, sizeof *r->slots);
        if (!r->slots) {
            r->slots = old;
            return -1;
        }
        r->cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].len) *find(r, old[i].id, old[i].len) = old[i];
        free(old);
    }
    slot_t *s = find(r, id, len);
    if (!s->len) {
        s->len = (uint8_t)len;
        memcpy(s->id, id, len);
        r->count++;
    }
    return 0;
}

/* Parses the log's text (after the header). Lines of tickets expired before now are skipped:
 * such a ticket is refused for its expiry anyway, and this keeps memory to the live ones. */
static int load(job_replay_t *r, const char *text, size_t n, uint64_t now, char *err,
                size_t errlen) {
    size_t line = 1;
    for (size_t i = 0; i < n; line++) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t end = (size_t)(nl - text); /* the caller cut any torn tail, so nl is found */
        const char *sp = memchr(text + i, ' ', end - i);
        uint8_t id[JOB_TICKET_ID_MAX];
        size_t len = 0;
        unsigned long long exp = 0;
        int ok = sp && !job_hex_decode(id, sizeof id, &len, text + i, (size_t)(sp - text) - i) &&
                 len >= JOB_TICKET_ID_MIN && (size_t)(sp - text) + 1 < end;
        for (size_t k = sp ? (size_t)(sp - text) + 1 : end; ok && k < end; k++) {
            if (text[k] < '0' || text[k] > '9' || exp > (UINT64_MAX - 9) / 10)
                ok = 0;
            else
                exp = exp * 10 + (unsigned long long)(text[k] - '0');
        }
        if (!ok)
            return job_fail(err, errlen, JOB_BAD_REQUEST,
                            "%s: line %zu is not '<hex id> <expires>'", r->path, line + 1);
        if (exp >= now && insert(r, id, len))
            return job_fail(err, errlen, JOB_INTERNAL, "%s: out of memory", r->path);
        i = end + 1;
    }
    return JOB_OK;
}

int job_replay_open(job_replay_t **out, const char *path, uint64_t now, char *err, size_t errlen) {
    *out = NULL;
    job_replay_t *r = calloc(1, sizeof *r);
    if (!r) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    snprintf(r->path, sizeof r->path, "%s", path);
    pthread_mutex_init(&r->mu, NULL);
    char *text = NULL;
    int rc = JOB_OK;
    r->cap = 1024;
    r->slots = calloc(r->cap, sizeof *r->slots);
    r->fd = -1;
    if (!r->slots) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        goto out;
    }
    r->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (r->fd < 0) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (flock(r->fd, LOCK_EX | LOCK_NB) != 0) {
        rc = job_fail(err, errlen, JOB_BUSY, "%s: in use by another process (%s)", path,
                      strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = job_fail(err, errlen, JOB_BAD_REQUEST, "%s: not a regular file", path);
        goto out;
    }
    size_t n = (size_t)st.st_size;
    text = malloc(n + 1);
    if (!text) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "%s: out of memory", path);
        goto out;
    }
    for (size_t got = 0; got < n;) {
        ssize_t k = pread(r->fd, text + got, n - got, (off_t)got);
        if (k <= 0) {
            if (k < 0 && errno == EINTR) continue;
            rc = job_fail(err, errlen, JOB_INTERNAL, "%s: read failed", path);
            goto out;
        }
        got += (size_t)k;
    }
    size_t hl = sizeof REPLAY_HEADER - 1;
    /* A crash can leave a partial last line: it was never fsync'd as a whole, so the job behind
     * it never started. Cut it, so the next append starts on a line of its own. */
    size_t keep = n;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    /* A file that does not begin like a replay log is someone else's: never overwrite it. */
    if (memcmp(text, REPLAY_HEADER, n < hl ? n : hl) != 0) {
        rc = job_fail(err, errlen, JOB_BAD_REQUEST, "%s: not a zbprover replay log", path);
        goto out;
    }
    if (keep < hl) keep = 0; /* not even the header made it (a crash at creation): start afresh */
    if (keep != n && ftruncate(r->fd, (off_t)keep) != 0) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "%s: cannot cut a torn line: %s", path,
                      strerror(errno));
        goto out;
    }
    if (keep == 0) {
        if (write(r->fd, REPLAY_HEADER, hl) != (ssize_t)hl || fsync(r->fd) != 0) {
            rc = job_fail(err, errlen, JOB_INTERNAL, "%s: cannot write: %s", path, strerror(errno));
            goto out;
        }
        /* Make the new file's name durable too. */
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = 0;
        else
            strcpy(dir, ".");
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    } else {
        rc = load(r, text + hl, keep - hl, now, err, errlen);
    }
out:
    free(text);
    if (rc) {
        job_replay_close(r);
        return rc;
    }
    *out = r;
    return JOB_OK;
}

bool job_replay_contains(job_replay_t *r, const uint8_t *id, size_t len) {
    pthread_mutex_lock(&r->mu);
    bool found = len && find(r, id, len)->len;
    pthread_mutex_unlock(&r->mu);
    return found;
}

int job_replay_spend(job_replay_t *r, const uint8_t *id, size_t len, uint64_t expires, char *err,
                     size_t errlen) {
    if (len < JOB_TICKET_ID_MIN || len > JOB_TICKET_ID_MAX)
        return job_fail(err, errlen, JOB_BAD_TICKET, "ticket: bad id length");
    pthread_mutex_lock(&r->mu);
    int rc = JOB_OK;
    if (find(r, id, len)->len) {
        rc = job_fail(err, errlen, JOB_REPLAYED_TICKET, "ticket: already spent");
    } else {
        char line[2 * JOB_TICKET_ID_MAX + 32];
        job_hex_encode(line, id, len);
        int n = (int)(2 * len);
        n += snprintf(line + n, sizeof line - (size_t)n, " %llu\n", (unsigned long long)expires);
        /* One write(2) of the whole line on an O_APPEND descriptor, then fsync: after a crash
         * the line is either whole (spent) or torn and cut at the next start (never used). */
        ssize_t w = write(r->fd, line, (size_t)n);
        if (w != n || fdatasync(r->fd) != 0)
            rc = job_fail(err, errlen, JOB_INTERNAL, "%s: cannot record the ticket: %s", r->path,
                          w < 0 || w == n ? strerror(errno) : "short write");
        else if (insert(r, id, len))
            rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

size_t job_replay_count(job_replay_t *r) {
    pthread_mutex_lock(&r->mu);
    size_t n = r->count;
    pthread_mutex_unlock(&r->mu);
    return n;
}

void job_replay_close(job_replay_t *r) {
    if (!r) return;
    if (r->fd >= 0) close(r->fd); /* also drops the flock */
    pthread_mutex_destroy(&r->mu);
    free(r->slots);
    free(r);
}
