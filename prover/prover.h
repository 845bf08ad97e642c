/* prover.h: the face of the prover room. For now the Groth16 verifier (snarkjs's check on the same
 * JSON files) with its key and proof types; the prover, readers and writers join it later. */
#ifndef ZBP_PROVER_H
#define ZBP_PROVER_H

#include <stddef.h>

#include "curve/curve.h"
#include "field/field.h"
#include "prover/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A Groth16 verification key (verification_key.json). Points are checked: on the curve, and the
 * G2 ones in G2. ic holds n_public + 1 points and is owned by the key. */
typedef struct {
    size_t n_public;
    g1_affine_t alpha1;
    g2_affine_t beta2, gamma2, delta2;
    g1_affine_t *ic;
} groth16_vk_t;

/* A proof (proof.json): pi_a, pi_b, pi_c, checked like the key's points (the identity is allowed,
 * as snarkjs allows it). */
typedef struct {
    g1_affine_t a;
    g2_affine_t b;
    g1_affine_t c;
} groth16_proof_t;

/* Readers of the parsed JSON. Each returns ZBP_OK, or ZBP_ERR_INPUT / ZBP_ERR_RANGE (a number >= its
 * modulus) / ZBP_ERR_NOMEM with one phrase in err (what is wrong and where, e.g.
 * "pi_b: not in the subgroup G2"), without the file's name. */
int groth16_vk_from_json(groth16_vk_t *vk, const json_value_t *root, char *err, size_t errlen);
void groth16_vk_free(groth16_vk_t *vk);
int groth16_proof_from_json(groth16_proof_t *proof, const json_value_t *root, char *err, size_t errlen);
/* public.json: an array of decimal strings below r. *pub is malloc'ed (free() it); NULL when n = 0. */
int groth16_public_from_json(fr_t **pub, size_t *n, const json_value_t *root, char *err, size_t errlen);

/* e(-A, B) e(IC_0 + sum pub_i IC_(i+1), gamma) e(C, delta) e(alpha, beta) == 1, one multi-Miller
 * loop and one final exponentiation. *valid is 1 or 0. ZBP_ERR_INPUT when n != vk->n_public. */
int groth16_verify(const groth16_vk_t *vk, const groth16_proof_t *proof, const fr_t *pub, size_t n,
                   int *valid);

/* The whole `zbprover verify`: reads and checks the three files, then verifies. Returns ZBP_OK with
 * *valid set, or an error status with err = "<file>: <what is wrong>". */
int groth16_verify_files(const char *vk_path, const char *public_path, const char *proof_path,
                         int *valid, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
