/* testutil.c: see testutil.h. */
#include "testutil.h"

#include <stdlib.h>
#include <sys/stat.h>

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void test_rng_seed(test_rng_t *r, uint64_t seed) {
    /* splitmix64 expands the seed into the four state words */
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t test_rng_u64(test_rng_t *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void test_rng_bytes(void *ctx, uint8_t *buf, size_t n) {
    test_rng_t *r = ctx;
    for (size_t i = 0; i < n; i += 8) {
        uint64_t x = test_rng_u64(r);
        for (size_t k = 0; k < 8 && i + k < n; k++) buf[i + k] = (uint8_t)(x >> (8 * k));
    }
}

uint64_t test_seed(void) {
    const char *s = getenv("ZBP_TEST_SEED");
    return s ? strtoull(s, NULL, 0) : 0x5eed2026ull;
}

const char *test_env_dir(const char *var) {
    const char *d = getenv(var);
    struct stat st;
    if (!d || !*d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return d;
}
