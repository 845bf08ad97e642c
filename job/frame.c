/* frame.c: the supervisor-worker frames (frame.h): header, JOB and RESULT bodies, and whole-frame
 * I/O over a socket. Lengths are checked against the frame before any byte is read through them:
 * the peer may be a compromised worker. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "job/frame.h"
#include "job/job_int.h"

static uint32_t get32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4); /* x86-64 and the peer are the same machine: little-endian */
    return v;
}
static uint64_t get64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

int frame_header_parse(const uint8_t h[FRAME_HEADER], uint64_t max, uint32_t *type, uint64_t *len,
                       char *err, size_t errlen) {
    if (get32(h) != FRAME_MAGIC) return job_fail(err, errlen, -1, "frame: bad magic");
    *type = get32(h + 4);
    *len = get64(h + 8);
    if (*type < FRAME_HELLO || *type > FRAME_RESULT)
        return job_fail(err, errlen, -1, "frame: unknown type %u", *type);
    if (*len > max)
        return job_fail(err, errlen, -1, "frame: %llu bytes, over the limit of %llu",
                        (unsigned long long)*len, (unsigned long long)max);
    return 0;
}

int frame_job_parse(const uint8_t *body, size_t len, uint32_t *kind, const uint8_t **payload,
                    size_t *plen, char *err, size_t errlen) {
    if (len < 8) return job_fail(err, errlen, -1, "job frame: %zu bytes, shorter than its head", len);
    *kind = get32(body);
    if (*kind != FRAME_JOB_WTNS && *kind != FRAME_JOB_INPUT)
        return job_fail(err, errlen, -1, "job frame: unknown kind %u", *kind);
    if (get32(body + 4)) return job_fail(err, errlen, -1, "job frame: reserved bits set");
    *payload = body + 8;
    *plen = len - 8;
    return 0;
}

static double getf64(const uint8_t *p) {
    double d;
    memcpy(&d, p, 8);
    return d;
}

int frame_result_parse(const uint8_t *body, size_t len, frame_result_t *r, char *err,
                       size_t errlen) {
    memset(r, 0, sizeof *r);
    if (len < FRAME_RESULT_HEAD)
        return job_fail(err, errlen, -1, "result frame: %zu bytes, shorter than its head", len);
    r->code = get32(body);
    r->flags = get32(body + 4);
    uint64_t m = get32(body + 8), p = get32(body + 12), u = get32(body + 16);
    if (r->code >= JOB_CODE_COUNT) return job_fail(err, errlen, -1, "result frame: unknown code");
    if (r->flags & ~(uint32_t)FRAME_RETIRE || get32(body + 20))
        return job_fail(err, errlen, -1, "result frame: reserved bits set");
    if (m + p + u != len - FRAME_RESULT_HEAD)
        return job_fail(err, errlen, -1, "result frame: its parts do not add up to its length");
    r->witness_ms = getf64(body + 24);
    r->prove_ms = getf64(body + 32);
    if (!(r->witness_ms >= 0 && r->witness_ms < 1e12) || !(r->prove_ms >= 0 && r->prove_ms < 1e12))
        return job_fail(err, errlen, -1, "result frame: a timing out of range");
    const char *t = (const char *)body + FRAME_RESULT_HEAD;
    r->msg = t;
    r->msg_len = (size_t)m;
    r->proof = t + m;
    r->proof_len = (size_t)p;
    r->pub = t + m + p;
    r->pub_len = (size_t)u;
    if (memchr(t, 0, (size_t)(m + p + u))) return job_fail(err, errlen, -1, "result frame: a NUL byte");
    memcpy(r->device, body + 40, 16);
    size_t dl = strnlen(r->device, 16);
    if (dl == 16 || strspn(r->device, "abcdefghijklmnopqrstuvwxyz0123456789:") != dl ||
        (r->code == 0 && !dl))
        return job_fail(err, errlen, -1, "result frame: a bad device name");
    if (r->code == 0 && (!p || !u)) return job_fail(err, errlen, -1, "result frame: no proof");
    if (r->code != 0 && (p || u || !m))
        return job_fail(err, errlen, -1, "result frame: an error with a proof or without a message");
    return 0;
}

void frame_result_head(uint8_t out[FRAME_RESULT_HEAD], const frame_result_t *r) {
    memset(out, 0, FRAME_RESULT_HEAD);
    put32(out, r->code);
    put32(out + 4, r->flags);
    put32(out + 8, (uint32_t)r->msg_len);
    put32(out + 12, (uint32_t)r->proof_len);
    put32(out + 16, (uint32_t)r->pub_len);
    memcpy(out + 24, &r->witness_ms, 8);
    memcpy(out + 32, &r->prove_ms, 8);
    memcpy(out + 40, r->device, strnlen(r->device, 15));
}

static int write_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int frame_send(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen) {
    uint8_t h[FRAME_HEADER];
    put32(h, FRAME_MAGIC);
    put32(h + 4, type);
    put64(h + 8, (uint64_t)alen + blen);
    if (write_all(fd, h, sizeof h)) return -1;
    if (alen && write_all(fd, a, alen)) return -1;
    if (blen && write_all(fd, b, blen)) return -1;
    return 0;
}

/* Exactly n bytes: n, or fewer at EOF, or -1. */
static ssize_t read_all(int fd, uint8_t *p, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

int frame_recv(int fd, uint64_t max, bool secret, uint32_t *type, uint8_t **body, size_t *len,
               char *err, size_t errlen) {
    *body = NULL;
    *len = 0;
    uint8_t h[FRAME_HEADER];
    uint64_t n = 0;
    ssize_t k = read_all(fd, h, sizeof h);
    if (k == 0) return 1;
    if (k != (ssize_t)sizeof h) return job_fail(err, errlen, -1, "frame: the peer closed mid-header");
    if (frame_header_parse(h, max, type, &n, err, errlen)) return -1;
    uint8_t *b = secret ? job_secret_alloc((size_t)n + 1) : malloc((size_t)n + 1);
    if (!b) return job_fail(err, errlen, -1, "frame: out of memory for %llu bytes", (unsigned long long)n);
    if (read_all(fd, b, (size_t)n) != (ssize_t)n) {
        if (secret) job_secret_free(b);
        else free(b);
        return job_fail(err, errlen, -1, "frame: the peer closed mid-frame");
    }
    b[n] = 0;
    *body = b;
    *len = (size_t)n;
    return 0;
}
