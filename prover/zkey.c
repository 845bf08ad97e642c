/* zkey.c: the Groth16 .zkey reader (snarkjs's layout, BN254 only): the header decoded and checked,
 * every section's size checked against the header, every coefficient record checked, the point
 * sections left in place in the mapping. */
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "prover/prover.h"
#include "prover/readers_int.h"

enum { SEC_PROTOCOL = 1, SEC_HEADER = 2, SEC_IC = 3, SEC_COEFS = 4, SEC_A = 5, SEC_B1 = 6,
       SEC_B2 = 7, SEC_C = 8, SEC_H = 9, SEC_CONTRIB = 10 };
#define HEADER_SIZE 660
#define COEF_SIZE 44

static const char *section_name(int id) {
    static const char *names[] = {"?", "protocol", "header", "IC", "coefficients", "A", "B1", "B2",
                                  "C", "H", "contributions"};
    return id >= 1 && id <= 10 ? names[id] : "?";
}

static int need_section(const zbp_zkey_t *z, int id, uint64_t want, char *err, size_t errlen) {
    const zbp_section_t *s = &z->file.sec[id];
    if (!s->p)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section %d (%s) is missing", z->file.name,
                        id, section_name(id));
    if (s->size != want)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: section %d (%s) has %llu bytes; the header implies %llu", z->file.name,
                        id, section_name(id), (unsigned long long)s->size,
                        (unsigned long long)want);
    return ZBP_OK;
}

static int read_point_g1(g1_affine_t *out, const zbp_zkey_t *z, const uint8_t *p, const char *what,
                         char *err, size_t errlen) {
    uint8_t buf[64];
    memcpy(buf, p, 64);
    int st = g1_affine_from_zkey(out, buf);
    if (st != ZBP_OK)
        return zbp_fail(err, errlen, st, "%s: header: %s is %s", z->file.name, what,
                        st == ZBP_ERR_RANGE ? "not canonical (a coordinate >= q)" : "not on the curve");
    return ZBP_OK;
}

static int read_point_g2(g2_affine_t *out, const zbp_zkey_t *z, const uint8_t *p, const char *what,
                         char *err, size_t errlen) {
    uint8_t buf[128];
    memcpy(buf, p, 128);
    int st = g2_affine_from_zkey(out, buf);
    if (st != ZBP_OK)
        return zbp_fail(err, errlen, st, "%s: header: %s is %s", z->file.name, what,
                        st == ZBP_ERR_RANGE ? "not canonical (a coordinate >= q)"
                                            : "not on the twist or not in G2");
    return ZBP_OK;
}

static int parse(zbp_zkey_t *z, char *err, size_t errlen) {
    const char *name = z->file.name;
    const zbp_section_t *s1 = &z->file.sec[SEC_PROTOCOL];
    if (!s1->p || s1->size != 4)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 1 (protocol) is %s", name,
                        s1->p ? "not 4 bytes" : "missing");
    uint32_t protocol = zbp_rd32(s1->p);
    if (protocol != 1)
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: protocol %u (%s) is not supported: only Groth16 (1)", name, protocol,
                        protocol == 2 ? "plonk" : protocol == 10 ? "fflonk" : "unknown");
    int st = need_section(z, SEC_HEADER, HEADER_SIZE, err, errlen);
    if (st) return st;
    const uint8_t *h = z->file.sec[SEC_HEADER].p;
    uint64_t q[4], r[4];
    if (zbp_rd32(h) != 32 || zbp_rd32(h + 36) != 32)
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: header: field sizes %u/%u bytes: not BN254 (32/32)", name,
                        zbp_rd32(h), zbp_rd32(h + 36));
    zbp_rd_limbs(q, h + 4);
    zbp_rd_limbs(r, h + 40);
    if (memcmp(q, FQ_MODULUS, 32) || memcmp(r, FR_MODULUS, 32))
        return zbp_fail(err, errlen, ZBP_ERR_UNSUPPORTED,
                        "%s: header: the key is for another curve (its primes are not BN254's)", name);
    z->n_vars = zbp_rd32(h + 72);
    z->n_public = zbp_rd32(h + 76);
    z->domain_size = zbp_rd32(h + 80);
    if (z->n_vars == 0)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: header: nVars is 0", name);
    if (z->n_public >= z->n_vars)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: header: nPublic %u is not below nVars %u",
                        name, z->n_public, z->n_vars);
    uint32_t d = z->domain_size;
    if (d == 0 || (d & (d - 1)))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: header: domainSize %u is not a power of two",
                        name, d);
    z->log_domain = (unsigned)__builtin_ctz(d);
    if (z->log_domain > FR_TWO_ADICITY)
        return zbp_fail(err, errlen, ZBP_ERR_RANGE,
                        "%s: header: domainSize 2^%u exceeds BN254's 2^28", name, z->log_domain);
    if ((st = read_point_g1(&z->alpha1, z, h + 84, "alpha1", err, errlen))) return st;
    if ((st = read_point_g1(&z->beta1, z, h + 148, "beta1", err, errlen))) return st;
    if ((st = read_point_g2(&z->beta2, z, h + 212, "beta2", err, errlen))) return st;
    if ((st = read_point_g2(&z->gamma2, z, h + 340, "gamma2", err, errlen))) return st;
    if ((st = read_point_g1(&z->delta1, z, h + 468, "delta1", err, errlen))) return st;
    if ((st = read_point_g2(&z->delta2, z, h + 532, "delta2", err, errlen))) return st;

    uint64_t nv = z->n_vars, np = z->n_public;
    if ((st = need_section(z, SEC_IC, (np + 1) * 64, err, errlen))) return st;
    if ((st = need_section(z, SEC_A, nv * 64, err, errlen))) return st;
    if ((st = need_section(z, SEC_B1, nv * 64, err, errlen))) return st;
    if ((st = need_section(z, SEC_B2, nv * 128, err, errlen))) return st;
    if ((st = need_section(z, SEC_C, (nv - np - 1) * 64, err, errlen))) return st;
    if ((st = need_section(z, SEC_H, (uint64_t)d * 64, err, errlen))) return st;
    z->ic = z->file.sec[SEC_IC].p;
    z->a = z->file.sec[SEC_A].p;
    z->b1 = z->file.sec[SEC_B1].p;
    z->b2 = z->file.sec[SEC_B2].p;
    z->c = z->file.sec[SEC_C].p;
    z->h = z->file.sec[SEC_H].p;

    const zbp_section_t *sc = &z->file.sec[SEC_COEFS];
    if (!sc->p || sc->size < 4)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: section 4 (coefficients) is %s", name,
                        sc->p ? "shorter than its count" : "missing");
    z->n_coefs = zbp_rd32(sc->p);
    if ((st = need_section(z, SEC_COEFS, 4 + (uint64_t)z->n_coefs * COEF_SIZE, err, errlen))) return st;
    z->coefs = sc->p + 4;
    /* Every record indexes arrays the prover writes: check them all once, here. The rows of the
     * public inputs' extra records (nConstraints + s) also give nConstraints. */
    uint32_t max_row = 0, prev_row = 0;
    z->rows_sorted = 1;
    for (uint32_t i = 0; i < z->n_coefs; i++) {
        const uint8_t *rec = z->coefs + (size_t)i * COEF_SIZE;
        uint32_t m = zbp_rd32(rec), row = zbp_rd32(rec + 4), wire = zbp_rd32(rec + 8);
        uint64_t v[4];
        zbp_rd_limbs(v, rec + 12);
        if (m > 1)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: coefficient %u: matrix %u (only A = 0 and B = 1 are stored)", name,
                            i, m);
        if (row >= d)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: coefficient %u: constraint %u is outside the domain of %u", name, i,
                            row, d);
        if (wire >= z->n_vars)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: coefficient %u: signal %u is not below nVars %u", name, i, wire,
                            z->n_vars);
        if (!zbp_limbs_lt(v, FR_MODULUS))
            return zbp_fail(err, errlen, ZBP_ERR_RANGE,
                            "%s: coefficient %u: value is not below r", name, i);
        if (row > max_row) max_row = row;
        if (row < prev_row) z->rows_sorted = 0;
        prev_row = row;
    }
    z->n_constraints = z->n_coefs && max_row >= z->n_public ? max_row - z->n_public : 0;

    const zbp_section_t *s10 = &z->file.sec[SEC_CONTRIB];
    if (s10->p && s10->size >= 68) z->n_contributions = zbp_rd32(s10->p + 64);
    return ZBP_OK;
}

ZBP_READER_ENTRY_POINTS(zbp_zkey_t, zbp_zkey, "zkey", 2)

static int check_section(const zbp_zkey_t *z, const uint8_t *p, uint64_t count, int g2, int id,
                         char *err, size_t errlen) {
    for (uint64_t i = 0; i < count; i++) {
        int st;
        if (g2) {
            uint8_t buf[128];
            g2_affine_t pt;
            memcpy(buf, p + i * 128, 128);
            st = g2_affine_from_zkey(&pt, buf);
        } else {
            uint8_t buf[64];
            g1_affine_t pt;
            memcpy(buf, p + i * 64, 64);
            st = g1_affine_from_zkey(&pt, buf);
        }
        if (st != ZBP_OK)
            return zbp_fail(err, errlen, st, "%s: section %d (%s): point %llu is %s", z->file.name,
                            id, section_name(id), (unsigned long long)i,
                            st == ZBP_ERR_RANGE ? "not canonical" : "not on its curve or subgroup");
    }
    return ZBP_OK;
}

zbp_status zbp_zkey_check_points(const zbp_zkey_t *z, char *err, size_t errlen) {
    uint64_t nv = z->n_vars, np = z->n_public;
    int st;
    if ((st = check_section(z, z->ic, np + 1, 0, SEC_IC, err, errlen))) return st;
    if ((st = check_section(z, z->a, nv, 0, SEC_A, err, errlen))) return st;
    if ((st = check_section(z, z->b1, nv, 0, SEC_B1, err, errlen))) return st;
    if ((st = check_section(z, z->b2, nv, 1, SEC_B2, err, errlen))) return st;
    if ((st = check_section(z, z->c, nv - np - 1, 0, SEC_C, err, errlen))) return st;
    return check_section(z, z->h, z->domain_size, 0, SEC_H, err, errlen);
}

void zbp_zkey_sha256(const zbp_zkey_t *z, uint8_t out[32]) {
    SHA256(z->file.data, z->file.size, out);
}
