/* file.c: the files a request names (`zkey`, `wtns`), read so that no path can block the loop and no
 * other process can change what the loop proves; and memory for secrets, kept out of core dumps. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "job/serve_int.h"

/* Secret blocks: one anonymous mapping each, its size in the first 64 bytes (cache-line aligned
 * data after it), marked MADV_DONTDUMP so a core file never holds it. */
#define SECRET_HEAD 64

void *job_secret_alloc(size_t n) {
    if (n > SIZE_MAX - SECRET_HEAD) return NULL;
    size_t total = n + SECRET_HEAD;
    uint8_t *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    (void)madvise(p, total, MADV_DONTDUMP); /* best effort: PR_SET_DUMPABLE covers the rest */
    memcpy(p, &total, sizeof total);
    return p + SECRET_HEAD;
}

void job_secret_free(void *q) {
    if (!q) return;
    uint8_t *p = (uint8_t *)q - SECRET_HEAD;
    size_t total;
    memcpy(&total, p, sizeof total);
    OPENSSL_cleanse(p, total);
    munmap(p, total);
}

/* The stack below the caller: register saves (the dynamic linker's lazy binding saves the vector
 * registers, which memcpy and memchr leave holding the bytes they moved), spilled locals and
 * signal frames can hold pieces of a line or a witness there. */
__attribute__((noinline)) void job_stack_scrub(void) {
    uint8_t pad[32768];
    OPENSSL_cleanse(pad, sizeof pad);
    __asm__ volatile("" : : "r"(pad) : "memory");
}

void job_secure_process(void) {
    /* No core file of a process that holds witnesses and private keys, and no ptrace by other
     * processes of the same user (only CAP_SYS_PTRACE). */
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int job_file_read(const char *path, size_t max, bool secret, int bad_code, int too_large_code,
                  uint8_t **buf, size_t *len, struct stat *st, char *err, size_t errlen) {
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer (and
     * a device's open cannot wait either); the type is checked on the descriptor, so a path
     * swapped between a stat and the open cannot slip through. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return job_fail(err, errlen, bad_code, "%s: %s", path, strerror(errno));
    int rc = JOB_OK;
    uint8_t *p = NULL;
    if (fstat(fd, st) != 0) {
        rc = job_fail(err, errlen, bad_code, "%s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st->st_mode)) {
        rc = job_fail(err, errlen, bad_code, "%s: not a regular file", path);
        goto out;
    }
    if (st->st_size < 0 || (uint64_t)st->st_size > max) {
        rc = job_fail(err, errlen, too_large_code, "%s: %lld bytes, over the limit of %zu", path,
                      (long long)st->st_size, max);
        goto out;
    }
    size_t n = (size_t)st->st_size;
    p = secret ? job_secret_alloc(n + 1) : malloc(n + 1);
    if (!p) {
        rc = job_fail(err, errlen, JOB_INTERNAL, "%s: out of memory", path);
        goto out;
    }
    size_t got = 0;
    for (;;) { /* until EOF: one byte more than the size seen tells a file that grew */
        ssize_t k = read(fd, p + got, n + 1 - got);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            rc = job_fail(err, errlen, bad_code, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (k == 0 || (got += (size_t)k) == n + 1) break;
    }
    if (got != n) {
        rc = job_fail(err, errlen, bad_code, "%s: the file changed while it was read", path);
        goto out;
    }
    *buf = p;
    *len = n;
    p = NULL;
out:
    if (p) {
        if (secret)
            job_secret_free(p);
        else
            free(p);
    }
    close(fd);
    return rc;
}
