/* replay.c: the replay log: ids of spent tickets, appended and fsync'd before a job may run, so no
 * crash can let a ticket be spent twice; flock'ed so that two servers cannot share it.
 *
 * Format V2 (docs/job-protocol.md): a header "ZBPROVER-REPLAY-V2 <32 hex nonce>\n", then one line
 * per spend, "<seq> <hex id> <expires> <chain>\n", where seq counts from 1 and chain is the hex
 * SHA-256 of the previous line's chain (of the header line for the first) and this line's text
 * before the chain. So a line glued onto the bytes of a failed append, a line changed, dropped or
 * moved, or lines from another log, all break the chain, and the loader refuses the log; only a
 * torn last line (a crash mid-append) is cut. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#include "job/job_int.h"

#define REPLAY_MAGIC "ZBPROVER-REPLAY-V2 "
#define REPLAY_MAGIC_V1 "ZBPROVER-REPLAY-V1\n"
#define REPLAY_HEADER_LEN (sizeof REPLAY_MAGIC - 1 + 32 + 1)
/* "<seq> <id> <expires> <chain>\n" at its longest: a torn tail longer than this is not torn. */
#define REPLAY_LINE_MAX (20 + 1 + 2 * JOB_TICKET_ID_MAX + 1 + 20 + 1 + 64 + 1)

typedef struct {
    uint8_t len; /* 0: empty slot */
    uint8_t id[JOB_TICKET_ID_MAX];
} slot_t;

struct job_replay {
    int fd;
    char path[4096];
    slot_t *slots;
    size_t cap, count; /* cap a power of two, kept at most half full */
    uint64_t seq;      /* the last line's sequence number */
    uint8_t chain[32]; /* the last line's chain value */
    off_t size;        /* the log's length: all whole lines */
    bool broken;       /* a failed append could not be cut off: no more spends */
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

/* Room for one more id (so that an id written to disk always fits in memory too). */
static int reserve(job_replay_t *r) {
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
    return 0;
}

static int insert(job_replay_t *r, const uint8_t *id, size_t len) {
    if (reserve(r)) return -1;
    slot_t *s = find(r, id, len);
    if (!s->len) {
        s->len = (uint8_t)len;
        memcpy(s->id, id, len);
        r->count++;
    }
    return 0;
}


/* "<seq> <hex id> <expires>" into out (room for REPLAY_LINE_MAX); returns its length. */
static size_t line_text(char *out, uint64_t seq, const uint8_t *id, size_t len, uint64_t expires) {
    int n = snprintf(out, REPLAY_LINE_MAX, "%llu ", (unsigned long long)seq);
    zbp_hex_encode(out + n, id, len);
    n += (int)(2 * len);
    n += snprintf(out + n, REPLAY_LINE_MAX - (size_t)n, " %llu", (unsigned long long)expires);
    return (size_t)n;
}

static void chain_next(uint8_t out[32], const uint8_t prev[32], const char *text, size_t n) {
    uint8_t buf[32 + REPLAY_LINE_MAX];
    memcpy(buf, prev, 32);
    memcpy(buf + 32, text, n < REPLAY_LINE_MAX ? n : REPLAY_LINE_MAX);
    SHA256(buf, 32 + (n < REPLAY_LINE_MAX ? n : REPLAY_LINE_MAX), out);
}

/* A decimal u64 without sign or leading zeros, all of text[0..n). */
static bool parse_u64(const char *text, size_t n, uint64_t *out) {
    if (n == 0 || n > 20 || (n > 1 && text[0] == '0')) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9') return false;
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Parses the log's whole lines (after the header) and checks the chain. Lines of tickets expired
 * before now are not kept: such a ticket is refused for its expiry anyway. */
static int load(job_replay_t *r, const char *text, size_t n, uint64_t now, char *err,
                size_t errlen) {
    size_t line = 1;
    for (size_t i = 0; i < n; line++) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t end = (size_t)(nl - text); /* the caller cut any torn tail, so nl is found */
        const char *f[4];
        size_t fl[4], nf = 0;
        for (size_t k = i; k <= end && nf < 4;) {
            const char *sp = memchr(text + k, ' ', end - k);
            size_t e = sp ? (size_t)(sp - text) : end;
            f[nf] = text + k;
            fl[nf++] = e - k;
            k = e + 1;
        }
        uint8_t id[JOB_TICKET_ID_MAX], want[32], got[32];
        size_t len = 0, chain_at = nf == 4 ? (size_t)(f[3] - text) : 0;
        uint64_t seq = 0, exp = 0;
        bool ok = nf == 4 && chain_at + fl[3] == end && parse_u64(f[0], fl[0], &seq) &&
                  !zbp_hex_decode(id, sizeof id, &len, f[1], fl[1]) && len >= JOB_TICKET_ID_MIN &&
                  parse_u64(f[2], fl[2], &exp) && fl[3] == 64 &&
                  !zbp_hex_decode(got, sizeof got, &(size_t){0}, f[3], 64);
        if (!ok)
            return job_fail(err, errlen, JOB_BAD_REQUEST,
                            "%s: line %zu is not '<seq> <hex id> <expires> <chain>': the log is "
                            "damaged",
                            r->path, line + 1);
        if (seq != r->seq + 1)
            return job_fail(err, errlen, JOB_BAD_REQUEST,
                            "%s: line %zu has sequence number %llu, not %llu: lines are missing "
                            "or out of order",
                            r->path, line + 1, (unsigned long long)seq,
                            (unsigned long long)(r->seq + 1));
        chain_next(want, r->chain, f[0], chain_at - 1 - i);
        if (memcmp(want, got, 32) != 0)
            return job_fail(err, errlen, JOB_BAD_REQUEST,
                            "%s: line %zu breaks the hash chain: the log was changed", r->path,
                            line + 1);
        r->seq = seq;
        memcpy(r->chain, got, 32);
        if (exp >= now && insert(r, id, len))
            return job_fail(err, errlen, JOB_INTERNAL, "%s: out of memory", r->path);
        i = end + 1;
    }
    return JOB_OK;
}

/* A fresh log: the header with a random nonce, so that no other log's lines chain here. */
static int write_header(job_replay_t *r, char *err, size_t errlen) {
    uint8_t nonce[16];
    char h[REPLAY_HEADER_LEN + 1];
    if (RAND_bytes(nonce, sizeof nonce) != 1)
        return job_fail(err, errlen, JOB_INTERNAL, "no randomness for the replay log");
    memcpy(h, REPLAY_MAGIC, sizeof REPLAY_MAGIC - 1);
    zbp_hex_encode(h + sizeof REPLAY_MAGIC - 1, nonce, sizeof nonce);
    h[REPLAY_HEADER_LEN - 1] = '\n';
    if (write(r->fd, h, REPLAY_HEADER_LEN) != (ssize_t)REPLAY_HEADER_LEN || fsync(r->fd) != 0) {
        int e = errno;
        (void)ftruncate(r->fd, 0); /* a torn header is rewritten at the next start anyway */
        return job_fail(err, errlen, JOB_INTERNAL, "%s: cannot write: %s", r->path, strerror(e));
    }
    SHA256((const uint8_t *)h, REPLAY_HEADER_LEN, r->chain);
    r->size = (off_t)REPLAY_HEADER_LEN;
    /* Make the new file's name durable too. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", r->path);
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
    /* O_NONBLOCK: a FIFO put in the log's place must not hang the start (it is refused below). */
    r->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0600);
    if (r->fd < 0) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "%s: %s", path, strerror(errno));
        goto out;
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = job_fail(err, errlen, JOB_BAD_REQUEST, "%s: not a regular file", path);
        goto out;
    }
    if (flock(r->fd, LOCK_EX | LOCK_NB) != 0) {
        rc = job_fail(err, errlen, JOB_BUSY, "%s: in use by another process (%s)", path,
                      strerror(errno));
        goto out;
    }
    if (fstat(r->fd, &st) != 0) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "%s: %s", path, strerror(errno));
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
    size_t hl = REPLAY_HEADER_LEN, ml = sizeof REPLAY_MAGIC - 1;
    if (n >= sizeof REPLAY_MAGIC_V1 - 1 && !memcmp(text, REPLAY_MAGIC_V1, sizeof REPLAY_MAGIC_V1 - 1)) {
        rc = job_fail(err, errlen, JOB_BAD_REQUEST,
                      "%s: a replay log of format V1 (no hash chain): move it aside once every "
                      "ticket in it has expired, and start with a new log",
                      path);
        goto out;
    }
    /* A file that does not begin like a replay log is someone else's: never overwrite it. */
    bool hex_ok = true;
    for (size_t i = ml; i < (n < hl - 1 ? n : hl - 1); i++)
        hex_ok &= (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
    if (memcmp(text, REPLAY_MAGIC, n < ml ? n : ml) != 0 || !hex_ok ||
        (n >= hl && text[hl - 1] != '\n')) {
        rc = job_fail(err, errlen, JOB_BAD_REQUEST, "%s: not a zbprover replay log", path);
        goto out;
    }
    /* A crash can leave a partial last line: it was never fsync'd as a whole, so the job behind
     * it never started. Cut it, so the next append starts on a line of its own. Anything longer
     * than one line is not a torn append but damage. */
    size_t keep = n;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    if (keep >= hl && n - keep > REPLAY_LINE_MAX) {
        rc = job_fail(err, errlen, JOB_BAD_REQUEST,
                      "%s: %zu bytes without a newline at the end: the log is damaged", path,
                      n - keep);
        goto out;
    }
    if (keep < hl) keep = 0; /* not even the header made it (a crash at creation): start afresh */
    if (keep != n && ftruncate(r->fd, (off_t)keep) != 0) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "%s: cannot cut a torn line: %s", path,
                      strerror(errno));
        goto out;
    }
    if (keep == 0) {
        rc = write_header(r, err, errlen);
    } else {
        SHA256((const uint8_t *)text, hl, r->chain);
        r->size = (off_t)keep;
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
    } else if (reserve(r)) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    } else if (r->broken) {
        rc = job_fail(err, errlen, JOB_INTERNAL,
                      "%s: an earlier append could not be undone: no ticket is spent until the "
                      "loop restarts",
                      r->path);
    } else {
        char line[REPLAY_LINE_MAX + 1];
        uint8_t chain[32];
        size_t n = line_text(line, r->seq + 1, id, len, expires);
        chain_next(chain, r->chain, line, n);
        line[n++] = ' ';
        zbp_hex_encode(line + n, chain, 32);
        n += 64;
        line[n++] = '\n';
        /* One write(2) of the whole line on an O_APPEND descriptor, then fdatasync. A short
         * write (a full disk, a file-size limit: EFBIG, SIGXFSZ being ignored) or a failed sync
         * is undone by cutting the log back to its last whole line, so the next append never
         * lands on a fragment; if even that fails, spending stops. */
        ssize_t w = write(r->fd, line, n);
        int e = errno;
        if (w != (ssize_t)n || fdatasync(r->fd) != 0) {
            if (w == (ssize_t)n) e = errno;
            if (w != 0 && (ftruncate(r->fd, r->size) != 0 || fdatasync(r->fd) != 0))
                r->broken = true;
            rc = job_fail(err, errlen, JOB_INTERNAL, "%s: cannot record the ticket: %s%s", r->path,
                          w < 0 || w == (ssize_t)n ? strerror(e) : "short write",
                          r->broken ? " (and the log could not be cut back: spending stopped)"
                                    : "");
        } else {
            (void)insert(r, id, len); /* cannot fail: room was reserved */
            r->size += (off_t)n;
            r->seq++;
            memcpy(r->chain, chain, 32);
        }
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
