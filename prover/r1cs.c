/* r1cs.c: the .r1cs reader (circom's constraint system, BN254): the header and a full walk of the
 * constraint section, checking every term's wire and coefficient. */
#include <string.h>

#include "prover/prover.h"
#include "prover/readers_int.h"

static int parse(zbp_r1cs_t *r, char *err, size_t errlen) {
    const char *name = r->file.name;
    const zbp_section_t *s1 = &r->file.sec[1], *s2 = &r->file.sec[2];
    if (!s1->p)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 1 (header) is missing", name);
    if (s1->size < 4)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 1 (header) is too short", name);
    uint32_t n8 = zbp_rd32(s1->p);
    if (n8 != 32)
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: header: %u-byte field elements: not BN254 (32)", name, n8);
    if (s1->size != 64)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 1 (header) has %llu bytes, not 64",
                        name, (unsigned long long)s1->size);
    uint64_t prime[4];
    zbp_rd_limbs(prime, s1->p + 4);
    if (memcmp(prime, FR_MODULUS, 32))
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: header: the prime is not BN254's r (another curve?)", name);
    const uint8_t *h = s1->p + 36;
    r->n_wires = zbp_rd32(h);
    r->n_outputs = zbp_rd32(h + 4);
    r->n_pub_inputs = zbp_rd32(h + 8);
    r->n_prv_inputs = zbp_rd32(h + 12);
    r->n_labels = zbp_rd64(h + 16);
    r->n_constraints = zbp_rd32(h + 24);
    if (r->n_wires == 0)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: header: nWires is 0", name);
    if ((uint64_t)r->n_outputs + r->n_pub_inputs + r->n_prv_inputs >= r->n_wires)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: header: %u outputs + %u public + %u private inputs do not fit in %u "
                        "wires", name, r->n_outputs, r->n_pub_inputs, r->n_prv_inputs, r->n_wires);
    if (!s2->p)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 2 (constraints) is missing", name);
    r->constraints = s2->p;
    r->constraints_size = s2->size;
    /* Walk every linear combination: u32 nTerms, then nTerms x (u32 wire, 32-byte coefficient). */
    const uint8_t *p = s2->p, *end = s2->p + s2->size;
    r->n_terms = 0;
    for (uint32_t c = 0; c < r->n_constraints; c++) {
        for (int lc = 0; lc < 3; lc++) {
            if (end - p < 4)
                return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                                "%s: section 2 (constraints): truncated in constraint %u", name, c);
            uint32_t nt = zbp_rd32(p);
            p += 4;
            if ((uint64_t)nt * 36 > (uint64_t)(end - p))
                return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                                "%s: section 2 (constraints): constraint %u says %u terms, more than "
                                "the section holds", name, c, nt);
            for (uint32_t t = 0; t < nt; t++, p += 36) {
                uint32_t wire = zbp_rd32(p);
                uint64_t v[4];
                zbp_rd_limbs(v, p + 4);
                if (wire >= r->n_wires)
                    return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                                    "%s: constraint %u: wire %u is not below nWires %u", name, c,
                                    wire, r->n_wires);
                if (!zbp_limbs_lt(v, FR_MODULUS))
                    return zbp_fail(err, errlen, ZBP_ERR_RANGE,
                                    "%s: constraint %u: a coefficient is not below r", name, c);
            }
            r->n_terms += nt;
        }
    }
    if (p != end)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: section 2 (constraints): %zu bytes after constraint %u", name,
                        (size_t)(end - p), r->n_constraints);
    const zbp_section_t *s3 = &r->file.sec[3];
    if (s3->p && s3->size != (uint64_t)r->n_wires * 8)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: section 3 (wire labels) has %llu bytes; %u wires need %llu", name,
                        (unsigned long long)s3->size, r->n_wires, (unsigned long long)r->n_wires * 8);
    r->custom_gates = r->file.sec[4].p != NULL || r->file.sec[5].p != NULL;
    return ZBP_OK;
}

ZBP_READER_ENTRY_POINTS(zbp_r1cs_t, zbp_r1cs, "r1cs", 1)
