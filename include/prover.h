/* prover.h: rapidsnark's C prover interface, implemented by libzbprover, so that a program written
 * against rapidsnark's prover.h compiles against this header and links against libzbprover
 * (-lzbprover instead of -lrapidsnark) without a change to its source.
 *
 * Names, types, return codes and buffer rules are rapidsnark's; where zbprover behaves otherwise
 * the comment says so, and docs/rapidsnark.md lists every difference. The native interface is
 * zbprover.h.
 *
 * Buffers: proof and public signals come back as compact JSON text (no spaces, no newline),
 * NUL-terminated, in the caller's buffers. On entry *proof_size and *public_size hold the buffers'
 * capacities; on PROVER_OK they hold the text's length (the NUL not counted); on
 * PROVER_ERROR_SHORT_BUFFER they hold the capacities needed (the NUL counted) and nothing was
 * written. groth16_proof_size and groth16_public_size_for_zkey_* give capacities that always
 * suffice. Messages go to error_msg (at most error_msg_maxsize bytes, NUL-terminated; NULL or 0
 * for none): one line that names the input and what is wrong.
 *
 * Every function may be called from several threads at once; a prover object may be shared by
 * threads proving at the same time. */
#ifndef ZBPROVER_RAPIDSNARK_PROVER_H
#define ZBPROVER_RAPIDSNARK_PROVER_H

#include "zbprover_export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes (rapidsnark's values). */
#define PROVER_OK 0x0
#define PROVER_ERROR 0x1              /* anything else: error_msg says what */
#define PROVER_ERROR_SHORT_BUFFER 0x2 /* an output buffer is too small: see above */
#define PROVER_INVALID_WITNESS_LENGTH 0x3 /* the witness's count of values is not the key's nVars */

/* The capacity public signals need for this key: 82 bytes per public signal plus 4. */
ZBPROVER_API int groth16_public_size_for_zkey_buf(const void *zkey_buffer,
                                                  unsigned long long zkey_size,
                                                  unsigned long long *public_size, char *error_msg,
                                                  unsigned long long error_msg_maxsize);
ZBPROVER_API int groth16_public_size_for_zkey_file(const char *zkey_fname,
                                                   unsigned long long *public_size,
                                                   char *error_msg,
                                                   unsigned long long error_msg_maxsize);

/* The capacity a proof needs (810 bytes, whatever the key). */
ZBPROVER_API void groth16_proof_size(unsigned long long *proof_size);

/* A prover object holds one parsed key, for many proofs. From a buffer: the buffer is read in
 * place, not copied, and must stay unchanged and alive until groth16_prover_destroy (as with
 * rapidsnark). From a file: the file is mapped read-only and released by groth16_prover_destroy.
 * The device is $ZBP_DEVICE (cpu, auto, cuda, cuda:N; unset: the CPU), read here: with cuda the
 * key is loaded onto the GPU once and stays there for every proof of this object.
 * Return PROVER_OK, or PROVER_ERROR with *prover_object untouched. */
ZBPROVER_API int groth16_prover_create(void **prover_object, const void *zkey_buffer,
                                       unsigned long long zkey_size, char *error_msg,
                                       unsigned long long error_msg_maxsize);
ZBPROVER_API int groth16_prover_create_zkey_file(void **prover_object, const char *zkey_file_path,
                                                 char *error_msg,
                                                 unsigned long long error_msg_maxsize);

/* One proof with the object's key. PROVER_OK, PROVER_ERROR_SHORT_BUFFER,
 * PROVER_INVALID_WITNESS_LENGTH, or PROVER_ERROR (a malformed witness; a witness that does not
 * satisfy the circuit, which zbprover refuses where rapidsnark returns an invalid proof; no
 * memory). */
ZBPROVER_API int groth16_prover_prove(void *prover_object, const void *wtns_buffer,
                                      unsigned long long wtns_size, char *proof_buffer,
                                      unsigned long long *proof_size, char *public_buffer,
                                      unsigned long long *public_size, char *error_msg,
                                      unsigned long long error_msg_maxsize);

/* Frees the object (NULL is allowed). */
ZBPROVER_API void groth16_prover_destroy(void *prover_object);

/* create + prove + destroy in one call, from a key in memory or in a file; the same codes as
 * groth16_prover_prove, and PROVER_ERROR for a key that cannot be read. */
ZBPROVER_API int groth16_prover(const void *zkey_buffer, unsigned long long zkey_size,
                                const void *wtns_buffer, unsigned long long wtns_size,
                                char *proof_buffer, unsigned long long *proof_size,
                                char *public_buffer, unsigned long long *public_size,
                                char *error_msg, unsigned long long error_msg_maxsize);
ZBPROVER_API int groth16_prover_zkey_file(const char *zkey_file_path, const void *wtns_buffer,
                                          unsigned long long wtns_size, char *proof_buffer,
                                          unsigned long long *proof_size, char *public_buffer,
                                          unsigned long long *public_size, char *error_msg,
                                          unsigned long long error_msg_maxsize);

#ifdef __cplusplus
}
#endif

#endif
