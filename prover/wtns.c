/* wtns.c: the .wtns reader: BN254's r as the prime, n values of 32 bytes each, every one below r. */
#include <string.h>

#include "prover/prover.h"
#include "prover/readers_int.h"

static int parse(zbp_wtns_t *w, char *err, size_t errlen) {
    const char *name = w->file.name;
    const zbp_section_t *s1 = &w->file.sec[1], *s2 = &w->file.sec[2];
    if (!s1->p)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 1 (header) is missing", name);
    if (s1->size < 4)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 1 (header) is too short", name);
    uint32_t n8 = zbp_rd32(s1->p);
    if (n8 != 32)
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: header: %u-byte field elements: not BN254's Fr (32)", name, n8);
    if (s1->size != 4 + 32 + 4)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 1 (header) has %llu bytes, not 40",
                        name, (unsigned long long)s1->size);
    uint64_t prime[4];
    zbp_rd_limbs(prime, s1->p + 4);
    if (memcmp(prime, FR_MODULUS, 32))
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: header: the witness's prime is not BN254's r (another curve?)", name);
    w->n_witness = zbp_rd32(s1->p + 36);
    if (!s2->p)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 2 (values) is missing", name);
    if (s2->size != (uint64_t)w->n_witness * 32)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: section 2 (values) has %llu bytes; the header's %u values need %llu",
                        name, (unsigned long long)s2->size, w->n_witness,
                        (unsigned long long)w->n_witness * 32);
    w->values = s2->p;
    for (uint32_t i = 0; i < w->n_witness; i++) {
        uint64_t v[4];
        zbp_rd_limbs(v, w->values + (size_t)i * 32);
        if (!zbp_limbs_lt(v, FR_MODULUS))
            return zbp_fail(err, errlen, ZBP_ERR_RANGE, "%s: value %u is not below r", name, i);
    }
    return ZBP_OK;
}

ZBP_READER_ENTRY_POINTS(zbp_wtns_t, zbp_wtns, "wtns", 2)
