/* field_batch.h: inside the field room. The table of batch operations that each ISA backend
 * provides (field.c: portable, adx; field_avx2.c; field_avx512.c), over arrays of n elements of
 * 4 little-endian 64-bit limbs in Montgomery form. Outputs may alias inputs element for element. */
#ifndef ZBP_FIELD_BATCH_H
#define ZBP_FIELD_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "field/field.h"

typedef struct {
    const char *name;
    void (*mul)(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n, const zbp_mont_t *f);
    void (*sqr)(uint64_t *r, const uint64_t *a, size_t n, const zbp_mont_t *f);
    void (*add)(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n, const zbp_mont_t *f);
    void (*sub)(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n, const zbp_mont_t *f);
} zbp_batch_ops_t;

ZBP_INTERNAL extern const zbp_batch_ops_t zbp_batch_portable, zbp_batch_adx, zbp_batch_avx2, zbp_batch_avx512;

/* The table of one ISA, or NULL when this CPU cannot run it (tests use this to cover every path
 * the machine has, and to report the others as skipped). */
const zbp_batch_ops_t *zbp_batch_ops(zbp_isa_t isa);

#endif
