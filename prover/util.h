/* util.h: the project's one module of small shared pieces: a monotonic clock, wiping secrets, hex
 * and base64 (OpenSSL's codecs behind strict, canonical checks), and atomic file output. Every
 * room uses these rather than its own copy. */
#ifndef ZBP_PROVER_UTIL_H
#define ZBP_PROVER_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Milliseconds on CLOCK_MONOTONIC (for durations only). */
double zbp_mono_ms(void);

/* Overwrites n bytes with zeros in a way the compiler cannot drop (explicit_bzero, at memset's
 * speed); p may be NULL. The _free form wipes, then frees. */
void zbp_wipe(void *p, size_t n);
void zbp_wipe_free(void *p, size_t n);

/* Hex. Decoding (OpenSSL's OPENSSL_hexstr2buf_ex, no separators) takes exactly hexlen characters
 * (an even number of 0-9a-fA-F, no NUL among them) into at most max bytes: 0 and *len, or -1.
 * Encoding writes 2n lower-case digits and a NUL (out: 2n + 1 bytes): OpenSSL's encoder writes
 * upper case, and the protocol's and snarkjs's hex is lower case. */
int zbp_hex_decode(uint8_t *out, size_t max, size_t *len, const char *hex, size_t hexlen);
void zbp_hex_encode(char *out, const uint8_t *b, size_t n);

/* Base64 (standard alphabet, '=' padding) with OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock. Decoding
 * is canonical only: the length a multiple of 4, no whitespace or newlines, '=' only as the last one
 * or two characters and the unused bits zero, checked by encoding the result again and comparing,
 * so one byte string has exactly one accepted text. */
size_t zbp_b64_decoded_max(size_t n); /* the decoded size of n chars, before padding is seen */
/* Decodes into out (room for zbp_b64_decoded_max(n) bytes): 0 and *len, or -1. */
int zbp_b64_decode(uint8_t *out, size_t *len, const char *b64, size_t n);
/* malloc'ed NUL-terminated text, or NULL when out of memory. */
char *zbp_b64_encode(const uint8_t *b, size_t n);

/* Writes len bytes to path atomically: a temporary file with an unpredictable name (mkstemp) in
 * the same directory, fsync, rename, fsync of the directory. The file gets mode 0644, or mode
 * with the _mode form. Returns 0, or -1 with errno set; on failure nothing is left beside path
 * (a failure of the final directory sync leaves the new file in place). */
int zbp_write_file_atomic(const char *path, const void *data, size_t len);
int zbp_write_file_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);

#endif
