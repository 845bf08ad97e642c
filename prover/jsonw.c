/* jsonw.c: the JSON builder and atomic file writer of jsonw.h. */
#include "prover/jsonw.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void jsonw_init(jsonw_t *w) {
    memset(w, 0, sizeof *w);
    w->first[0] = 1;
}

void jsonw_free(jsonw_t *w) {
    free(w->buf);
    memset(w, 0, sizeof *w);
}

static void put(jsonw_t *w, const char *s, size_t n) {
    if (w->failed) return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) cap *= 2;
        char *b = realloc(w->buf, cap);
        if (!b) {
            w->failed = 1;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = 0;
}

static void puts_(jsonw_t *w, const char *s) { put(w, s, strlen(s)); }

/* Before a value or a key: a comma after a sibling, then a newline and the indent. */
static void element(jsonw_t *w) {
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0) return;
    if (!w->first[w->depth]) puts_(w, ",");
    w->first[w->depth] = 0;
    puts_(w, "\n");
    for (int i = 0; i < w->depth; i++) puts_(w, " ");
}

static void open_(jsonw_t *w, const char *c) {
    element(w);
    puts_(w, c);
    if (w->depth < 63) w->depth++;
    w->first[w->depth] = 1;
}

/* An empty container still gets its newline: snarkjs (bfj) writes an empty public.json as "[\n]". */
static void close_(jsonw_t *w, const char *c) {
    if (w->depth > 0) w->depth--;
    puts_(w, "\n");
    for (int i = 0; i < w->depth; i++) puts_(w, " ");
    puts_(w, c);
}

void jsonw_begin_object(jsonw_t *w) { open_(w, "{"); }
void jsonw_end_object(jsonw_t *w) { close_(w, "}"); }
void jsonw_begin_array(jsonw_t *w) { open_(w, "["); }
void jsonw_end_array(jsonw_t *w) { close_(w, "]"); }

static void quoted(jsonw_t *w, const char *s) {
    puts_(w, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': puts_(w, "\\\""); break;
        case '\\': puts_(w, "\\\\"); break;
        case '\n': puts_(w, "\\n"); break;
        case '\r': puts_(w, "\\r"); break;
        case '\t': puts_(w, "\\t"); break;
        case '\b': puts_(w, "\\b"); break;
        case '\f': puts_(w, "\\f"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                puts_(w, esc);
            } else {
                put(w, (const char *)p, 1);
            }
        }
    }
    puts_(w, "\"");
}

void jsonw_key(jsonw_t *w, const char *key) {
    element(w);
    quoted(w, key);
    puts_(w, ": ");
    w->after_key = 1;
}

void jsonw_string(jsonw_t *w, const char *s) {
    element(w);
    quoted(w, s);
}

void jsonw_raw(jsonw_t *w, const char *text) {
    element(w);
    puts_(w, text);
}

void jsonw_uint(jsonw_t *w, unsigned long long v) {
    char b[32];
    snprintf(b, sizeof b, "%llu", v);
    jsonw_raw(w, b);
}

/* The directory entry of a rename is durable only once its directory is synced. */
static int sync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

int zbp_write_file_atomic(const char *path, const void *data, size_t len) {
    return zbp_write_file_atomic_mode(path, data, len, 0644);
}

int zbp_write_file_atomic_mode(const char *path, const void *data, size_t len, mode_t mode) {
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) return -1;
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp-XXXXXX", 12);
    /* mkstemp: an unpredictable name, O_EXCL, and mode 0600 until the data is in place, so a
     * private key is never readable by others on its way. */
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            goto fail;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0) goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) goto fail;
    free(tmp);
    return sync_parent_dir(path);
fail: {
    int e = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    free(tmp);
    errno = e;
    return -1;
}
}
