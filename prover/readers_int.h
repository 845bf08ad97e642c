/* readers_int.h: inside the prover room: little-endian loads from file bytes (which may be
 * unaligned) and the error-message helper shared by the readers and writers. */
#ifndef ZBP_READERS_INT_H
#define ZBP_READERS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t zbp_rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t zbp_rd64(const uint8_t *p) {
    return (uint64_t)zbp_rd32(p) | (uint64_t)zbp_rd32(p + 4) << 32;
}
/* 32 little-endian bytes as 4 limbs (no alignment assumed). */
static inline void zbp_rd_limbs(uint64_t out[4], const uint8_t *p) {
    for (int i = 0; i < 4; i++) out[i] = zbp_rd64(p + 8 * i);
}
static inline int zbp_limbs_lt(const uint64_t a[4], const uint64_t b[4]) {
    for (int i = 3; i >= 0; i--)
        if (a[i] != b[i]) return a[i] < b[i];
    return 0;
}

/* The open / from_memory / close triple of a reader whose struct T has a zbp_binfile_t `file`
 * member and whose static `parse(T *, err, errlen)` checks the body: the container is indexed
 * first, and a failure anywhere leaves the struct closed. */
#define ZBP_READER_ENTRY_POINTS(T, pre, MAGIC, MAXVER)                                              \
    zbp_status pre##_from_memory(T *x, const uint8_t *buf, size_t len, const char *name, char *err,\
                          size_t errlen) {                                                         \
        memset(x, 0, sizeof *x);                                                                   \
        int st = zbp_binfile_from_memory(&x->file, buf, len, name, MAGIC, MAXVER, err, errlen);    \
        if (st == ZBP_OK) st = parse(x, err, errlen);                                              \
        if (st != ZBP_OK) pre##_close(x);                                                          \
        return st;                                                                                 \
    }                                                                                              \
    zbp_status pre##_open(T *x, const char *path, char *err, size_t errlen) {                      \
        memset(x, 0, sizeof *x);                                                                   \
        int st = zbp_binfile_open(&x->file, path, MAGIC, MAXVER, err, errlen);                     \
        if (st == ZBP_OK) st = parse(x, err, errlen);                                              \
        if (st != ZBP_OK) pre##_close(x);                                                          \
        return st;                                                                                 \
    }                                                                                              \
    void pre##_close(T *x) {                                                                       \
        zbp_binfile_close(&x->file);                                                               \
        memset(x, 0, sizeof *x);                                                                   \
    }

#endif
