/* glue.h: what the shared object built from a circom witness program offers the host (run.c), and
 * the glue's C source that build.c compiles into it beside wasm2c's translation. The object exports
 * only these symbols; the module inside can call only the four runtime imports the glue defines. */
#ifndef ZBP_WITNESS_GLUE_H
#define ZBP_WITNESS_GLUE_H

#include <stddef.h>
#include <stdint.h>

#define ZBPW_ABI 3

/* The host's side of circom's runtime imports, called from inside the module. */
typedef struct {
    void *ctx;
    void (*exception)(void *ctx, uint32_t code);           /* runtime.exceptionHandler */
    void (*error_message)(void *ctx, const char *msg);      /* runtime.printErrorMessage */
    void (*buffer_message)(void *ctx, const char *msg);     /* runtime.writeBufferMessage */
    void (*show_value)(void *ctx, const uint32_t *words, uint32_t n32); /* showSharedRWMemory */
    /* Montgomery multiplication mod BN254's r (R = 2^256) of canonical operands: the project's
     * field code, used by the object's native Fr_F1m_mul when the module's prime is r */
    void (*fr_mul)(uint64_t *r, const uint64_t *a, const uint64_t *b);
} zbpw_host_t;

/* zbpw_call's operations: circom's exports. -1: the export is absent. */
enum {
    ZBPW_VERSION,       /* getVersion() */
    ZBPW_MINOR,         /* getMinorVersion() */
    ZBPW_PATCH,         /* getPatchVersion() */
    ZBPW_N32,           /* getFieldNumLen32() */
    ZBPW_RAW_PRIME,     /* getRawPrime(): the prime into the shared memory */
    ZBPW_READ,          /* readSharedRWMemory(a) */
    ZBPW_WRITE,         /* writeSharedRWMemory(a, b) */
    ZBPW_WITNESS_SIZE,  /* getWitnessSize() */
    ZBPW_INPUT_SIZE,    /* getInputSize() */
    ZBPW_INIT,          /* init(a) */
    ZBPW_SIGNAL_SIZE,   /* getInputSignalSize(a, b) */
    ZBPW_SET_INPUT      /* setInputSignal(a, b, c) */
};

/* Exported by the object (names for dlsym): */
typedef int (*zbpw_open_fn)(const zbpw_host_t *host); /* 0, or wasm2c's trap code */
typedef int (*zbpw_call_fn)(int op, uint32_t a, uint32_t b, uint32_t c, uint32_t *ret);
/* Each value i < n (n32 words) through the shared memory and setInputSignal(h_msb, h_lsb, i): one
 * trap target for them all (sigsetjmp costs a system call); *done counts the values set. */
typedef int (*zbpw_set_inputs_fn)(uint32_t h_msb, uint32_t h_lsb, const uint32_t *vals, uint32_t n,
                                  uint32_t n32, uint32_t *done);
/* getWitness(i) and readSharedRWMemory for i < n into out (n * n32 words). */
typedef int (*zbpw_witness_fn)(uint32_t *out, uint32_t n, uint32_t n32);
/* zbpw_abi (uint32_t), zbpw_sha256 (char[65]: the wasm's SHA-256), zbpw_grow_refused (uint32_t:
 * the pages of the last memory.grow refused, 0 if none) */

/* zbpw_fr_selftest(seed, rounds, what, whatlen), in objects with the native Fr functions: each
 * against the module's own on random and edge operands; 0, the count of differences (the first
 * described in what), or -1 when the object does not use them. After zbpw_open. */
typedef int (*zbpw_fr_selftest_fn)(uint64_t seed, uint32_t rounds, char *what, size_t whatlen);

/* The glue's source and the native Fr functions' (glue_fr.c), written after it (build.c). */
extern const char zbpw_glue_source[];
extern const char zbpw_glue_fr_source[];

#endif
