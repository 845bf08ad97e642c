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

/* Writes the message (printf-style) into err and returns status. */
int zbp_fail(char *err, size_t errlen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
