/* rapidsnark_client.c: a program written against rapidsnark's C interface (prover.h) and nothing
 * else, as a rapidsnark user writes one; tests/check_install.sh compiles it against the installed
 * zbprover headers and links it with libzbprover (shared, then static) through pkg-config.
 *
 *   rapidsnark_client <circuit.zkey> <witness.wtns> <other.wtns> <proof.json> <public.json>
 *
 * Proves with each entry point, checks the return codes and sizes of the error cases (short
 * buffers, a witness of another circuit, a malformed key, NULLs), and writes the proof and public
 * signals of the first proof for the caller to verify. Exit 0 when every check holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prover.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL line %d: ", __LINE__);                                           \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static char *slurp(const char *path, unsigned long long *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (unsigned long long)n;
    return buf;
}

static int spit(const char *path, const char *text, unsigned long long len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(text, 1, (size_t)len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s <zkey> <wtns> <other.wtns> <proof.json> <public.json>\n", argv[0]);
        return 2;
    }
    unsigned long long zlen, wlen, olen;
    char *zkey = slurp(argv[1], &zlen), *wtns = slurp(argv[2], &wlen), *other = slurp(argv[3], &olen);
    if (!zkey || !wtns || !other) {
        fprintf(stderr, "cannot read the inputs\n");
        return 2;
    }
    char msg[512];

    /* sizes: from the buffer and from the file alike */
    unsigned long long pub_cap = 0, pub_cap2 = 0, proof_cap = 0;
    CHECK(groth16_public_size_for_zkey_buf(zkey, zlen, &pub_cap, msg, sizeof msg) == PROVER_OK,
          "public size (buffer): %s", msg);
    CHECK(groth16_public_size_for_zkey_file(argv[1], &pub_cap2, msg, sizeof msg) == PROVER_OK,
          "public size (file): %s", msg);
    CHECK(pub_cap == pub_cap2 && pub_cap >= 4, "public sizes %llu and %llu", pub_cap, pub_cap2);
    groth16_proof_size(&proof_cap);
    CHECK(proof_cap > 0, "proof size 0");
    char *proof = malloc(proof_cap), *pub = malloc(pub_cap);

    /* a short public buffer: the code, and the capacity needed */
    unsigned long long psize = proof_cap, usize = 1;
    int rc = groth16_prover(zkey, zlen, wtns, wlen, proof, &psize, pub, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_ERROR_SHORT_BUFFER, "short public buffer: code %d (%s)", rc, msg);
    CHECK(usize > 1 && usize <= pub_cap, "short public buffer: %llu needed, cap %llu", usize, pub_cap);
    /* a short proof buffer */
    psize = 16;
    usize = pub_cap;
    rc = groth16_prover(zkey, zlen, wtns, wlen, proof, &psize, pub, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_ERROR_SHORT_BUFFER, "short proof buffer: code %d (%s)", rc, msg);
    CHECK(psize > 16 && psize <= proof_cap, "short proof buffer: %llu needed", psize);

    /* the proof, from memory */
    psize = proof_cap;
    usize = pub_cap;
    rc = groth16_prover(zkey, zlen, wtns, wlen, proof, &psize, pub, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_OK, "groth16_prover: code %d (%s)", rc, msg);
    if (rc == PROVER_OK) {
        CHECK(strlen(proof) == psize && strlen(pub) == usize, "lengths %llu %llu", psize, usize);
        CHECK(spit(argv[4], proof, psize) == 0 && spit(argv[5], pub, usize) == 0, "cannot write");
    }
    char *first_pub = malloc(strlen(pub) + 1);
    strcpy(first_pub, pub);

    /* from the file, and through a prover object (twice): the same public signals */
    char *proof2 = malloc(proof_cap), *pub2 = malloc(pub_cap);
    psize = proof_cap;
    usize = pub_cap;
    rc = groth16_prover_zkey_file(argv[1], wtns, wlen, proof2, &psize, pub2, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_OK && !strcmp(pub2, first_pub), "groth16_prover_zkey_file: %d (%s)", rc, msg);
    void *obj = NULL;
    rc = groth16_prover_create(&obj, zkey, zlen, msg, sizeof msg);
    CHECK(rc == PROVER_OK && obj, "groth16_prover_create: %d (%s)", rc, msg);
    for (int k = 0; k < 2 && obj; k++) {
        psize = proof_cap;
        usize = pub_cap;
        rc = groth16_prover_prove(obj, wtns, wlen, proof2, &psize, pub2, &usize, msg, sizeof msg);
        CHECK(rc == PROVER_OK && !strcmp(pub2, first_pub), "groth16_prover_prove: %d (%s)", rc, msg);
    }
    /* a witness of another circuit */
    psize = proof_cap;
    usize = pub_cap;
    rc = groth16_prover_prove(obj, other, olen, proof2, &psize, pub2, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_INVALID_WITNESS_LENGTH, "other witness: code %d (%s)", rc, msg);
    /* NULLs */
    rc = groth16_prover_prove(obj, NULL, 0, proof2, &psize, pub2, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_ERROR && msg[0], "NULL witness: code %d", rc);
    rc = groth16_prover_prove(NULL, wtns, wlen, proof2, &psize, pub2, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_ERROR && msg[0], "NULL object: code %d", rc);
    groth16_prover_destroy(obj);
    groth16_prover_destroy(NULL);
    void *obj2 = NULL;
    rc = groth16_prover_create_zkey_file(&obj2, argv[1], msg, sizeof msg);
    CHECK(rc == PROVER_OK, "groth16_prover_create_zkey_file: %d (%s)", rc, msg);
    groth16_prover_destroy(obj2);

    /* a malformed key, a missing file */
    char junk[64];
    memset(junk, 'x', sizeof junk);
    msg[0] = 0;
    rc = groth16_prover(junk, sizeof junk, wtns, wlen, proof2, &psize, pub2, &usize, msg, sizeof msg);
    CHECK(rc == PROVER_ERROR && msg[0], "junk key: code %d", rc);
    msg[0] = 0;
    rc = groth16_public_size_for_zkey_file("/nonexistent/circuit.zkey", &pub_cap2, msg, sizeof msg);
    CHECK(rc == PROVER_ERROR && msg[0], "missing key: code %d", rc);

    free(zkey);
    free(wtns);
    free(other);
    free(proof);
    free(pub);
    free(proof2);
    free(pub2);
    free(first_pub);
    if (failures) return 1;
    printf("rapidsnark client: all checks passed\n");
    return 0;
}
