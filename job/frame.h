/* frame.h: the framed protocol between `zbprover serve` (the supervisor) and its workers, over a
 * socketpair: length-prefixed frames, each a 16-byte header (magic "ZBPF", type, body length) and a
 * body. The supervisor sends one JOB frame per job; the worker answers HELLO once at start (its
 * confinement) and one RESULT per job. Every decoder here checks every length against the frame
 * (tests/fuzz/fuzz_frame.c): a worker is not trusted, and nothing it sends is read past its end. */
#ifndef ZBP_JOB_FRAME_H
#define ZBP_JOB_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAGIC 0x4650425au /* "ZBPF" little-endian */
#define FRAME_HEADER 16
#define FRAME_RESULT_HEAD 56

enum { FRAME_HELLO = 1, FRAME_JOB = 2, FRAME_RESULT = 3 };
enum { FRAME_JOB_WTNS = 1, FRAME_JOB_INPUT = 2 };
enum { FRAME_RETIRE = 1 }; /* RESULT flag: the worker ends after this answer */

/* A RESULT body: code (a JOB_* status), flags, the message (on success: a note for the log, or
 * none), and on success the proof and public signals as snarkjs's JSON texts, the device that
 * proved ("cpu", "cuda:0"); the worker's own timings. Pointers into the frame's body. */
typedef struct {
    uint32_t code, flags;
    const char *msg, *proof, *pub;
    size_t msg_len, proof_len, pub_len;
    double witness_ms, prove_ms;
    char device[16];
} frame_result_t;

/* The header: magic, a known type, a length of at most max. 0, or -1 with err. */
int frame_header_parse(const uint8_t h[FRAME_HEADER], uint64_t max, uint32_t *type, uint64_t *len,
                       char *err, size_t errlen);
/* A JOB body: its kind and payload (pointers into body). 0, or -1 with err. */
int frame_job_parse(const uint8_t *body, size_t len, uint32_t *kind, const uint8_t **payload,
                    size_t *plen, char *err, size_t errlen);
/* A RESULT body: every length fits, the code is a known status, the texts hold no NUL. */
int frame_result_parse(const uint8_t *body, size_t len, frame_result_t *r, char *err, size_t errlen);
/* The head of a RESULT body (FRAME_RESULT_HEAD bytes) for these lengths. */
void frame_result_head(uint8_t out[FRAME_RESULT_HEAD], const frame_result_t *r);

/* Writes a frame (header, then a and b) whole. 0, or -1 (errno) when the peer is gone. */
int frame_send(int fd, uint32_t type, const void *a, size_t alen, const void *b, size_t blen);
/* Reads one frame: its body (*body: job_secret_alloc'ed when secret, else malloc'ed; NUL-ended
 * one byte past len). 0; 1 at a clean end (EOF before a header); -1 with err. */
int frame_recv(int fd, uint64_t max, bool secret, uint32_t *type, uint8_t **body, size_t *len,
               char *err, size_t errlen);

#endif
