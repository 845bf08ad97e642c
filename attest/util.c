/* util.c: the attest room's small shared helpers: error messages (with OpenSSL's reason) and
 * whole-file reads (hex and atomic writes are prover/util.h's). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "attest/attest_int.h"
#include "prover/util.h"

int att_fail(char *err, size_t errlen, int code, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

int att_fail_ossl(char *err, size_t errlen, int code, const char *fmt, ...) {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        if (e && n >= 0 && (size_t)n < errlen) {
            char reason[160];
            ERR_error_string_n(e, reason, sizeof reason);
            snprintf(err + n, errlen - (size_t)n, " (%s)", reason);
        }
    }
    return code;
}

bool att_is_zero(const uint8_t *p, size_t n) {
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++) acc |= p[i];
    return acc == 0;
}

int att_read_file(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
                  size_t errlen) {
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return att_fail(err, errlen, ATTEST_EINPUT, "%s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return att_fail(err, errlen, ATTEST_EINTERNAL, "%s: out of memory", path);
    }
    for (;;) {
        if (n == cap) {
            if (cap > max) break;
            size_t ncap = cap * 2;
            uint8_t *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return att_fail(err, errlen, ATTEST_EINTERNAL, "%s: out of memory", path);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            free(buf);
            close(fd);
            return att_fail(err, errlen, ATTEST_EINPUT, "%s: read: %s", path, strerror(e));
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max) {
        free(buf);
        return att_fail(err, errlen, ATTEST_EINPUT, "%s: larger than %zu bytes", path, max);
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return ATTEST_OK;
}

int att_write_file(const char *path, const uint8_t *data, size_t n, mode_t mode, char *err,
                   size_t errlen) {
    if (zbp_write_file_atomic_mode(path, data, n, mode) != 0)
        return att_fail(err, errlen, ATTEST_EENV, "%s: cannot write: %s", path, strerror(errno));
    return ATTEST_OK;
}
