/* witness.h: the face of the witness room: circom's witness program (the .wasm that circom 2
 * writes) translated by wasm2c into C, compiled into a shared object (cached by the wasm's
 * SHA-256), and run in a forked child under resource limits; the child hands back the witness in
 * snarkjs's .wtns layout. The input reader (input.c) turns snarkjs's input JSON into field elements.
 * Every fallible function returns a zbp_status (field/status.h, ZBP_MUST_USE) with a one-line
 * message in err naming what is wrong: ZBP_ERR_INPUT or ZBP_ERR_RANGE for the caller's files and
 * values (a malformed input, a circuit that refuses it, a value >= r), ZBP_ERR_IO / ZBP_ERR_NOMEM /
 * ZBP_ERR_UNSUPPORTED for the machine (no wasm2c or cc, a limit reached, an unwritable cache).
 * Outputs (*wtns, the input struct) are the caller's to free and untouched on failure. The witness
 * is secret: it is computed in a child process and handed back through a pipe, never written to a
 * file by this room; nothing here is constant time (the circuit's own program decides its path). */
#ifndef ZBP_WITNESS_H
#define ZBP_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "prover/json.h"

/* ---- the input reader (input.c) ------------------------------------------------------------------
 * snarkjs's rules (ffjavascript's unstringifyBigInts, then circom_runtime's flatArray and
 * normalize = BigInt(v) mod p): the top level is an object of signal names; a value is a number,
 * a string, a boolean or an array of those, nested arrays flattened in order. Strings follow
 * JavaScript's BigInt(string): surrounding whitespace ignored, "" is 0, decimal with an optional
 * sign, or 0x / 0o / 0b digits without a sign. Numbers must denote integers (1e3 and 2.0 do) and
 * are read exactly, where snarkjs rounds them to a double first. Values are reduced mod p. */
typedef struct {
    const char *name;  /* the signal's name (the JSON key) */
    uint32_t h_msb, h_lsb; /* FNV-1a 64 of the name's UTF-16 code units, as circom_runtime hashes */
    size_t n_values;   /* after flattening */
    const json_t *value; /* the JSON value (arrays not yet flattened) */
} zbp_witness_signal_t;

typedef struct {
    json_t *doc;
    zbp_witness_signal_t *signals;
    size_t n_signals;
    size_t n_values; /* over all signals */
} zbp_witness_input_t;

/* Parses input JSON text and checks its shape (an object; every leaf a number, string or boolean;
 * nesting within the reader's depth limit). Values are checked by zbp_witness_input_values, which
 * needs the circuit's prime. name: the file's name for messages. */
ZBP_MUST_USE
zbp_status zbp_witness_input_parse(zbp_witness_input_t *in, const char *text, size_t len, const char *name,
                            char *err, size_t errlen);
/* The same from a JSON object already parsed (e.g. a member of a request): in borrows root and
 * its document (in->doc stays NULL; root must outlive in). */
ZBP_MUST_USE
zbp_status zbp_witness_input_from_value(zbp_witness_input_t *in, const json_t *root,
                                 const char *name, char *err, size_t errlen);
/* The same from a file (at most 64 MiB); the file's text is wiped once parsed. */
ZBP_MUST_USE
zbp_status zbp_witness_input_load(zbp_witness_input_t *in, const char *path, char *err, size_t errlen);
void zbp_witness_input_free(zbp_witness_input_t *in);
/* The values of signal s, flattened, each reduced mod p (p: n32 little-endian 32-bit words, n32 <=
 * ZBP_WITNESS_MAX_N32) into out (n_values * n32 words, little-endian words). */
#define ZBP_WITNESS_MAX_N32 16
ZBP_MUST_USE
zbp_status zbp_witness_input_values(const zbp_witness_signal_t *s, const uint32_t *p, unsigned n32,
                             uint32_t *out, const char *name, char *err, size_t errlen);
/* One value (a leaf) reduced mod p into out[n32]; what for a message ("signal 'a'[3]"). */
ZBP_MUST_USE
zbp_status zbp_witness_value(const json_t *v, const uint32_t *p, unsigned n32, uint32_t *out,
                      char *err, size_t errlen);
/* FNV-1a 64 of a UTF-8 name taken as UTF-16 code units (JavaScript's charCodeAt). */
uint64_t zbp_witness_fnv1a(const char *name, size_t len);

/* ---- building the shared object (build.c) --------------------------------------------------------- */
typedef struct zbp_witness_opts {
    const char *so_path;   /* a prebuilt object (`wtns compile`); NULL: the cache */
    const char *cache_dir; /* NULL: $XDG_CACHE_HOME/zbprover or ~/.cache/zbprover */
    uint64_t memory_limit; /* bytes of data the child may allocate (RLIMIT_DATA) [8 GiB] */
    unsigned time_limit_s; /* wall and CPU seconds for the child [600] */
    int quiet_log;         /* 1: drop the circuit's log() output (else it goes to stderr) */
    /* filled by zbp_witness_calculate when not NULL: where the time went */
    double *build_ms, *run_ms;
    int *timed_out; /* filled by zbp_witness_run when not NULL: 1 when the time limit ended it */
} zbp_witness_opts_t;
void zbp_witness_opts_init(zbp_witness_opts_t *o);

/* Translates wasm_path with wasm2c and compiles it (with the glue and wasm2c's runtime) into the
 * shared object out_so, written atomically. $CC (default cc) and $WASM2C (default wasm2c) name the
 * tools. */
ZBP_MUST_USE
zbp_status zbp_witness_compile(const char *wasm_path, const char *out_so, char *err, size_t errlen);
/* The shared object for a wasm file: opts->so_path if set, else the cache's (built when absent).
 * sha256_hex receives the wasm's SHA-256 (65 bytes). */
ZBP_MUST_USE
zbp_status zbp_witness_object(const char *wasm_path, const zbp_witness_opts_t *opts, char *so_path,
                       size_t so_len, char sha256_hex[65], char *err, size_t errlen);
/* The same for a program already in memory (the job loop reads it itself): these bytes are hashed
 * and, when the cache lacks the object, written to a private file and translated, so that nothing
 * done to the caller's file changes what runs. name: the program's name in messages. */
ZBP_MUST_USE zbp_status zbp_witness_object_mem(const uint8_t *wasm, size_t len, const char *name,
                           const zbp_witness_opts_t *opts, char *so_path, size_t so_len,
                           char sha256_hex[65], char *err, size_t errlen);
/* The cache directory (created 0700 when absent). */
ZBP_MUST_USE
zbp_status zbp_witness_cache_dir(const char *override, char *out, size_t outlen, char *err, size_t errlen);

/* ---- running it (run.c) ---------------------------------------------------------------------------
 * Computes the witness for the parsed input in a forked child (RLIMIT_DATA, RLIMIT_AS, RLIMIT_CPU,
 * an alarm) and returns it as a whole .wtns file in memory (*wtns, *len: malloc'ed; the caller wipes
 * and frees it), byte for byte what `snarkjs wtns calculate` writes. ZBP_ERR_INPUT for anything
 * wrong with the input, the circuit program or the circuit's own checks (err says which). */
ZBP_MUST_USE zbp_status zbp_witness_calculate(uint8_t **wtns, size_t *len, const char *wasm_path,
                          const zbp_witness_input_t *in, const char *input_name,
                          const zbp_witness_opts_t *opts, char *err, size_t errlen);

/* The run alone, with an object from zbp_witness_object(_mem): so_path built from the program whose
 * SHA-256 is sha256_hex (the object's own record is checked against it); wasm_name for messages.
 * opts->timed_out tells a time limit from the other failures. */
ZBP_MUST_USE
zbp_status zbp_witness_run(uint8_t **wtns, size_t *len, const char *so_path, const char *sha256_hex,
                    const char *wasm_name, const zbp_witness_input_t *in, const char *input_name,
                    const zbp_witness_opts_t *opts, char *err, size_t errlen);

/* The same run in this very process, with the object already loaded (dlopen's handle): for a
 * process that is itself the sandbox (a worker of `serve`, confined by seccomp, cannot fork). No
 * limit is set here: the process has its own (address space, the caller's alarm). A failure may
 * leave the module's state unknown: the caller ends the process before another run. The .wtns is
 * malloc'ed (the caller wipes and frees it). */
int zbp_witness_run_loaded(uint8_t **wtns, size_t *len, void *handle, const char *sha256_hex,
                           const char *wasm_name, const zbp_witness_input_t *in,
                           const char *input_name, const zbp_witness_opts_t *opts, char *err,
                           size_t errlen);

#endif
