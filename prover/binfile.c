/* binfile.c: snarkjs's binary container (magic, version, sections of u32 id + u64 size + body),
 * mapped read-only and indexed by section id, with every header checked against the file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prover/prover.h"
#include "prover/readers_int.h"

static void set_name(zbp_binfile_t *f, const char *name) {
    snprintf(f->name, sizeof f->name, "%s", name ? name : "(memory)");
}

zbp_status zbp_binfile_from_memory(zbp_binfile_t *f, const uint8_t *buf, size_t len, const char *name,
                            const char *magic, uint32_t max_version, char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    set_name(f, name);
    f->data = buf;
    f->size = len;
    if (len < 12 || !buf)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: %zu bytes is too short for a .%s file",
                        f->name, len, magic);
    if (memcmp(buf, magic, 4)) {
        char seen[5];
        for (int i = 0; i < 4; i++) seen[i] = (buf[i] >= 32 && buf[i] < 127) ? (char)buf[i] : '?';
        seen[4] = 0;
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: not a .%s file (magic '%s')", f->name,
                        magic, seen);
    }
    memcpy(f->magic, magic, 4);
    f->version = zbp_rd32(buf + 4);
    if (f->version == 0 || f->version > max_version)
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: .%s version %u is not supported (at most %u)", f->name, magic,
                        f->version, max_version);
    uint32_t n = zbp_rd32(buf + 8);
    size_t off = 12;
    for (uint32_t i = 0; i < n; i++) {
        if (len - off < 12)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: truncated: the header of section %u of %u ends past the file's "
                            "%zu bytes", f->name, i + 1, n, len);
        uint32_t id = zbp_rd32(buf + off);
        uint64_t size = zbp_rd64(buf + off + 4);
        off += 12;
        if (size > len - off)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: truncated: section %u says %llu bytes but %zu remain", f->name, id,
                            (unsigned long long)size, len - off);
        if (id >= 1 && id <= ZBP_MAX_SECTION_ID) {
            if (f->sec[id].p)
                return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section %u appears twice",
                                f->name, id);
            f->sec[id].p = buf + off;
            f->sec[id].size = size;
        }
        off += (size_t)size;
    }
    if (off != len)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: %zu bytes after the last of its %u sections", f->name, len - off, n);
    return ZBP_OK;
}

zbp_status zbp_binfile_open(zbp_binfile_t *f, const char *path, const char *magic, uint32_t max_version,
                     char *err, size_t errlen) {
    memset(f, 0, sizeof *f);
    set_name(f, path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zbp_fail(err, errlen, zbp_status_of_errno(errno), "%s: cannot open: %s", path,
                        strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: not a regular file", path);
    }
    size_t len = (size_t)st.st_size;
    const uint8_t *map = NULL;
    if (len > 0) {
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            return zbp_fail(err, errlen, e == ENOMEM ? ZBP_ERR_NOMEM : ZBP_ERR_IO,
                            "%s: cannot map %zu bytes: %s", path, len, strerror(e));
        }
        map = m;
    }
    close(fd);
    int st2 = zbp_binfile_from_memory(f, map, len, path, magic, max_version, err, errlen);
    f->owned = map != NULL;
    if (st2 != ZBP_OK) zbp_binfile_close(f);
    return st2;
}

void zbp_binfile_release(const zbp_binfile_t *f, const void *p, size_t len) {
    if (!f->owned || !f->data || !p || len == 0) return;
    uintptr_t lo = (uintptr_t)p, hi = lo + len, base = (uintptr_t)f->data;
    if (lo < base || hi > base + f->size || hi < lo) return;
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    lo = (lo + page - 1) & ~(page - 1); /* whole pages only: the neighbours may still be in use */
    hi &= ~(page - 1);
    if (hi > lo) (void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void zbp_binfile_close(zbp_binfile_t *f) {
    if (f->owned && f->data) munmap((void *)f->data, f->size);
    memset(f, 0, sizeof *f);
}
