/* testutil.h: helpers shared by the Criterion tests: a seeded RNG, hex, environment lookups. */
#ifndef ZBP_TESTUTIL_H
#define ZBP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded from ZBP_TEST_SEED (printed on failure paths by the tests) or a default. */
typedef struct { uint64_t s[4]; } test_rng_t;
void test_rng_seed(test_rng_t *r, uint64_t seed);
uint64_t test_rng_u64(test_rng_t *r);
void test_rng_bytes(void *ctx, uint8_t *buf, size_t n); /* ctx is a test_rng_t*; fits fq_random */
uint64_t test_seed(void); /* ZBP_TEST_SEED or a fixed default */

/* Directory of an environment variable, or NULL (then the test reports itself skipped). */
const char *test_env_dir(const char *var);

/* The bytes of tests/fixtures/<circuit>/<file>, NUL-terminated (free() them); the test is skipped
 * when ZBP_TEST_DATA is unset, and fails when the file cannot be read. */
void *test_fixture(const char *circuit, const char *file, size_t *len);
/* Whether proof.json and public.json texts verify with the fixture's verification_key.json (the
 * JSON readers and verifier of `zbprover verify`); fails the test on unreadable text. */
int test_proof_verifies(const char *circuit, const char *proof, size_t plen, const char *pub,
                        size_t ulen);

#ifdef ZBP_ATTEST_H
/* attest_verify's status and verdict as one code for assertions: KIT_PASS, KIT_REJECTED, or the
 * status (a ZBP_ERR_*) when it could not judge. v is read after the call returns. */
enum { KIT_PASS = 0, KIT_REJECTED = -1 };
static inline int kit_judged(zbp_status rc, const snp_verdict_t *v) {
    return rc != ZBP_OK ? (int)rc : v->ok ? KIT_PASS : KIT_REJECTED;
}
/* The same for the signature alone. */
static inline int kit_sig(const snp_report_t *r, const snp_certs_t *c, char *err, size_t errlen) {
    bool valid = false;
    zbp_status rc = attest_verify_signature(r, c, &valid, err, errlen);
    return rc != ZBP_OK ? (int)rc : valid ? KIT_PASS : KIT_REJECTED;
}
#endif

#endif
