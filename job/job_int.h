/* job_int.h: inside the job room: a one-line JSON builder for answers and logs, clocks, and
 * message helpers its .c files share. Not part of the face. */
#ifndef ZBP_JOB_INT_H
#define ZBP_JOB_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "job/job.h"
#include "prover/util.h"

/* Compact JSON text (no whitespace), built by appending values to a jansson tree: buf and len
 * hold the text once the outermost value is closed; allocation failure is sticky (failed). */
typedef struct {
    char *buf;
    size_t len;
    json_t *root;       /* the document while it is built */
    json_t *stack[32];  /* the open containers */
    int depth;
    char *key;          /* the pending key in an object */
    bool failed;
} jb_t;

void jb_init(jb_t *b);
void jb_free(jb_t *b);
void jb_obj(jb_t *b);
void jb_obj_end(jb_t *b);
void jb_arr(jb_t *b);
void jb_arr_end(jb_t *b);
void jb_key(jb_t *b, const char *k);
void jb_strn(jb_t *b, const char *s, size_t n); /* escaped; bytes that are not UTF-8 become '?' */
void jb_str(jb_t *b, const char *s);
void jb_hex(jb_t *b, const uint8_t *p, size_t n);
void jb_u64(jb_t *b, uint64_t v);
void jb_ms(jb_t *b, double ms); /* milliseconds with 3 decimals */
void jb_bool(jb_t *b, bool v);
void jb_null(jb_t *b);
/* A JSON value written elsewhere (e.g. snarkjs's indented proof text), with its whitespace outside
 * strings removed so the answer stays on one line. */
void jb_value_compact(jb_t *b, const char *text, size_t n);

/* Wipes every string, number and key under v (request.c): JSON that held secrets. */
void job_json_wipe(const json_t *v);

/* Formats into err (when non-NULL) and returns code. */
int job_fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static inline double job_mono_ms(void) { return zbp_mono_ms(); } /* prover/util.h's clock */
uint64_t job_unix_now(void); /* wall-clock seconds */

/* The certificates and CRLs of a certificate table (DER entries) or of a PEM file/directory, as one
 * string of PEM blocks (*out malloc'ed; NULL with JOB_OK when there are none). */
int job_certs_pem_from_table(char **out, const uint8_t *table, size_t len, char *err,
                             size_t errlen);
int job_certs_pem_from_path(char **out, const char *path, char *err, size_t errlen);
/* Adds every certificate of a PEM text to c. */
int job_certs_add_pem(snp_certs_t *c, const char *pem, size_t len, char *err, size_t errlen);

/* ---- file.c: memory for secrets ---- */
/* Anonymous memory kept out of core dumps (MADV_DONTDUMP); wiped and unmapped by
 * job_secret_free. NULL when out of memory. */
void *job_secret_alloc(size_t n);
void job_secret_free(void *p);
/* Wipes 32 KiB of stack below the caller (a thread calls it after handling secret bytes). */
void job_stack_scrub(void);
/* The process as a whole: no core dumps, no ptrace attach by the same user (PR_SET_DUMPABLE 0). */
void job_secure_process(void);

#endif
