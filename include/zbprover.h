/* zbprover.h: the public C API, for programs that link libzbprover instead of spawning `zbprover`
 * (rapidsnark's C functions are in prover.h beside this file).
 *
 * Prove from memory: the .zkey and .wtns bytes in, snarkjs's proof.json and public.json text out,
 * into buffers the caller owns. Thread-safe: calls share no state (each makes its own transform
 * context); run one at a time for speed, as each uses all the threads it is given.
 *
 *   char proof[ZBPROVER_PROOF_JSON_MAX], *pub = malloc(cap);
 *   size_t plen = sizeof proof, ulen = cap;
 *   char err[256];
 *   int rc = zbprover_prove(zkey, zkey_len, wtns, wtns_len, proof, &plen, pub, &ulen, NULL,
 *                           err, sizeof err);
 *   if (rc == ZBPROVER_ERR_BUFFER) { ... grow pub to ulen bytes and call again ... }
 */
#ifndef ZBPROVER_H
#define ZBPROVER_H

#include <stddef.h>

#include "zbprover_export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes; the message (one line, naming the input and the problem) goes to err. */
#define ZBPROVER_OK 0
#define ZBPROVER_ERR_INPUT 2    /* malformed or mismatched .zkey/.wtns, unsatisfied witness */
#define ZBPROVER_ERR_INTERNAL 3 /* out of memory, no OS randomness */
#define ZBPROVER_ERR_BUFFER 4   /* an output buffer is too small: both sizes now hold the capacity
                                   needed; nothing was proved, call again with larger buffers */

/* proof.json never exceeds this many bytes (with its terminating NUL). */
#define ZBPROVER_PROOF_JSON_MAX 2048

typedef struct {
    int threads; /* 0: OpenMP's default */
} zbprover_options_t;

/* Proves like `zbprover prove`. proof_json/public_json: caller buffers; *proof_len and *public_len
 * hold their capacities on entry and, on success, the length of the text written (a NUL follows
 * it). The capacity public.json needs depends on the circuit's public inputs: at most
 * 4 + 84 * nPublic bytes; ZBPROVER_ERR_BUFFER reports it before any work is done. opts may be
 * NULL. The proof is checked with the key's verification key before it is returned. */
ZBPROVER_API int zbprover_prove(const void *zkey, size_t zkey_len, const void *wtns, size_t wtns_len,
                                char *proof_json, size_t *proof_len, char *public_json,
                                size_t *public_len, const zbprover_options_t *opts, char *err,
                                size_t err_len);

/* The version string, e.g. "0.1.0". */
ZBPROVER_API const char *zbprover_version(void);

#ifdef __cplusplus
}
#endif

#endif
