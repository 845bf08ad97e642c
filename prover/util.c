/* util.c: util.h's clock, wipes, hex, base64 and atomic file writes. */
#include "prover/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

double zbp_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void zbp_wipe(void *p, size_t n) {
    if (p) explicit_bzero(p, n);
}

void zbp_wipe_free(void *p, size_t n) {
    zbp_wipe(p, n);
    free(p);
}

/* ---- hex ---- */
int zbp_hex_decode(uint8_t *out, size_t max, size_t *len, const char *hex, size_t hexlen) {
    if (hexlen % 2 || hexlen / 2 > max || memchr(hex, 0, hexlen)) return -1;
    if (hexlen == 0) {
        *len = 0;
        return 0;
    }
    /* OpenSSL wants a NUL-terminated text; a JSON string is one, a slice of a line is not. */
    char small[130], *t = hexlen < sizeof small ? small : malloc(hexlen + 1);
    if (!t) return -1;
    memcpy(t, hex, hexlen);
    t[hexlen] = 0;
    size_t n = 0;
    ERR_set_mark(); /* a bad digit is an OpenSSL error: keep it off the caller's error queue */
    int ok = OPENSSL_hexstr2buf_ex(out, max, &n, t, '\0');
    ERR_pop_to_mark();
    if (t != small) free(t);
    if (!ok) return -1;
    *len = n;
    return 0;
}

void zbp_hex_encode(char *out, const uint8_t *b, size_t n) {
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = 0;
}

/* ---- base64 ----
 * OpenSSL's block functions take an int length: long texts (a witness of gigabytes) go through in
 * chunks of whole 4-character groups. */
#define B64_CHUNK ((size_t)1 << 14) /* characters; a multiple of 4 */

size_t zbp_b64_decoded_max(size_t n) { return n / 4 * 3; }

int zbp_b64_decode(uint8_t *out, size_t *len, const char *b64, size_t n) {
    if (n % 4) return -1;
    const unsigned char *s = (const unsigned char *)b64;
    unsigned char again[B64_CHUNK + 1];
    size_t o = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i += B64_CHUNK) {
        size_t k = n - i < B64_CHUNK ? n - i : B64_CHUNK;
        int got = EVP_DecodeBlock(out + o, s + i, (int)k);
        if (got < 0 || (size_t)got != k / 4 * 3) {
            rc = -1;
            break;
        }
        /* EVP_DecodeBlock counts the padding as zero bytes and skips leading blanks: the last
         * group's '=' are taken off, and encoding again must give back exactly the text. */
        size_t pad = 0;
        if (i + k == n) pad = (s[n - 1] == '=') + (s[n - 2] == '=');
        size_t bytes = (size_t)got - pad;
        if ((size_t)EVP_EncodeBlock(again, out + o, (int)bytes) != k || memcmp(again, s + i, k))
            rc = -1;
        o += bytes;
    }
    explicit_bzero(again, sizeof again); /* it held the text again: a witness, a key */
    if (rc) return -1;
    *len = o;
    return 0;
}

char *zbp_b64_encode(const uint8_t *b, size_t n) {
    size_t total = (n + 2) / 3 * 4;
    char *s = malloc(total + 1);
    if (!s) return NULL;
    size_t o = 0;
    const size_t step = B64_CHUNK / 4 * 3; /* bytes per chunk: whole groups, no padding inside */
    for (size_t i = 0; i < n; i += step) {
        size_t k = n - i < step ? n - i : step;
        o += (size_t)EVP_EncodeBlock((unsigned char *)s + o, b + i, (int)k);
    }
    s[o] = 0;
    return s;
}

/* ---- atomic file output ---- */
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
