/* status.h: the one status type of the library, its message formatter and ZBP_MUST_USE.
 *
 * Every fallible function of field/, curve/, ntt/, msm/, prover/, witness/, attest/ and job/
 * returns a zbp_status: ZBP_OK, or one ZBP_ERR_* naming the class of failure, with one line of
 * text in the caller's (err, errlen) buffer saying what failed and where (the file, the field).
 * A status is a class, not a verdict: a proof or an attestation report that is well formed but does
 * not check is ZBP_OK with the verdict in the function's output (`*valid`, `snp_verdict_t.ok`).
 * The classes are turned into other codes in exactly two places: exit statuses in cli/
 * (cli_exit_status) and protocol codes in job/ (job/status.c). */
#ifndef ZBP_STATUS_H
#define ZBP_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zbp_status {
    ZBP_OK = 0,
    /* The caller's input: exit status 2. */
    ZBP_ERR_INPUT = 1,       /* malformed or non-canonical input, or a path that cannot be used */
    ZBP_ERR_RANGE = 2,       /* a value >= the modulus, or out of an allowed range */
    /* The machine: exit status 3. */
    ZBP_ERR_NOMEM = 3,       /* an allocation failed, or a limit on memory was reached */
    ZBP_ERR_UNSUPPORTED = 4, /* another curve or protocol, custom gates, an ISA this CPU lacks */
    ZBP_ERR_IO = 5,          /* a read or write failed underneath (a full disk, EIO, a short write) */
    ZBP_ERR_ENV = 6,         /* the environment cannot serve: no device, no configfs, firmware */
    ZBP_ERR_INTERNAL = 7     /* a library (OpenSSL, the OS random generator) failed */
} zbp_status;

/* Fallible faces carry ZBP_MUST_USE: ignoring a status is a compile error under -Werror. */
#if defined(__GNUC__) || defined(__clang__)
#define ZBP_MUST_USE __attribute__((warn_unused_result))
#else
#define ZBP_MUST_USE
#endif

/* The formatter: writes the message into err (when err and errlen are non-zero; truncated to
 * errlen - 1 bytes, always terminated) and returns status, so a failure is one statement:
 * `return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section %u is missing", name, id);` */
zbp_status zbp_fail(char *err, size_t errlen, zbp_status status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The class of a failed open/read/write's errno: a path that names nothing usable (ENOENT, ENOTDIR,
 * EISDIR, EACCES, EPERM, ENAMETOOLONG, ELOOP, EROFS) is the caller's input; ENOMEM is NOMEM;
 * anything else (ENOSPC, EIO, EDQUOT, EMFILE, ...) is ZBP_ERR_IO. */
zbp_status zbp_status_of_errno(int e);

/* Where a failure needs no action (a fuzz target probing for crashes, a restore of a setting that
 * was valid before), the call says so with zbp_status_ignore(f(...)) instead of dropping it. */
static inline void zbp_status_ignore(zbp_status st) { (void)st; }

/* Invariant checks: ZBP_INVARIANT(cond) aborts with the file, line and condition when cond is false
 * in a build configured with -DZBP_CHECK_INVARIANTS=ON (a verify build), and is nothing otherwise.
 * For bounds a proof of the algorithm guarantees (divsteps' matrix entries, exact divisions), not
 * for input checks: those return a status. */
#ifdef ZBP_CHECK_INVARIANTS
__attribute__((noreturn)) void zbp_invariant_failed(const char *file, int line, const char *cond);
#define ZBP_INVARIANT(cond) ((cond) ? (void)0 : zbp_invariant_failed(__FILE__, __LINE__, #cond))
#else
#define ZBP_INVARIANT(cond) ((void)sizeof(!(cond))) /* not evaluated; its names count as used */
#endif

/* "input", "range", "nomem", "unsupported", "io", "environment", "internal" ("ok" for ZBP_OK). */
const char *zbp_status_name(zbp_status status);

#ifdef __cplusplus
}
#endif

#endif
