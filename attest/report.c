/* report.c: the ATTESTATION_REPORT parser (fixed offsets, every must-be-zero range checked), the
 * chip generation rules and the two TCB_VERSION layouts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/attest_int.h"

#define KNOWN_PLATFORM_INFO 0xBFull /* bits 0-5 and 7; bit 6 is set on real Turin parts */
#define KNOWN_POLICY ((1ull << 26) - 1)

/* A range that must be zero; reports one named by offsets so a reader can find it. */
static int check_mbz(const uint8_t *b, size_t from, size_t to, const char *what, char *err,
                     size_t errlen) {
    for (size_t i = from; i < to; i++)
        if (b[i])
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "report: byte 0x%03zx (%s, 0x%03zx..0x%03zx) must be zero but is 0x%02x",
                            i, what, from, to - 1, b[i]);
    return ZBP_OK;
}

zbp_status snp_report_parse(snp_report_t *out, const uint8_t *b, size_t len, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (!b || len != SNP_REPORT_SIZE)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "report: %zu bytes, expected %d", b ? len : 0,
                        SNP_REPORT_SIZE);
    memcpy(out->raw, b, SNP_REPORT_SIZE);
    out->version = att_le32(b);
    if (out->version < 2)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "report: VERSION %u is not supported (2 or later)", out->version);
    bool newer = out->version > 5;
    if (newer) out->warnings |= SNP_WARN_NEWER_VERSION;
    out->guest_svn = att_le32(b + 0x04);
    out->policy = att_le64(b + 0x08);
    memcpy(out->family_id, b + 0x10, 16);
    memcpy(out->image_id, b + 0x20, 16);
    out->vmpl = att_le32(b + 0x30);
    out->sig_algo = att_le32(b + 0x34);
    out->current_tcb = att_le64(b + 0x38);
    out->platform_info = att_le64(b + 0x40);
    out->key_info = att_le32(b + 0x48);
    out->author_key_en = out->key_info & 1;
    out->mask_chip_key = (out->key_info >> 1) & 1;
    out->signing_key = (out->key_info >> 2) & 7;
    memcpy(out->report_data, b + 0x50, 64);
    memcpy(out->measurement, b + 0x90, 48);
    memcpy(out->host_data, b + 0xC0, 32);
    memcpy(out->id_key_digest, b + 0xE0, 48);
    memcpy(out->author_key_digest, b + 0x110, 48);
    memcpy(out->report_id, b + 0x140, 32);
    memcpy(out->report_id_ma, b + 0x160, 32);
    out->reported_tcb = att_le64(b + 0x180);
    out->has_cpuid = out->version >= 3;
    if (out->has_cpuid) {
        out->cpuid_fam_id = b[0x188];
        out->cpuid_mod_id = b[0x189];
        out->cpuid_step = b[0x18A];
    }
    memcpy(out->chip_id, b + 0x1A0, 64);
    out->committed_tcb = att_le64(b + 0x1E0);
    out->current_build = b[0x1E8];
    out->current_minor = b[0x1E9];
    out->current_major = b[0x1EA];
    out->committed_build = b[0x1EC];
    out->committed_minor = b[0x1ED];
    out->committed_major = b[0x1EE];
    out->launch_tcb = att_le64(b + 0x1F0);
    out->has_mit_vectors = out->version >= 5;
    if (out->has_mit_vectors) {
        out->launch_mit_vector = att_le64(b + 0x1F8);
        out->current_mit_vector = att_le64(b + 0x200);
    }
    memcpy(out->sig_r, b + 0x2A0, 72);
    memcpy(out->sig_s, b + 0x2E8, 72);

    if (out->sig_algo != 1)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "report: SIGNATURE_ALGO %u is not supported (1: ECDSA P-384 with SHA-384)",
                        out->sig_algo);
    if (out->signing_key == 7)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "report: SIGNING_KEY 7: the report is unsigned");
    if (out->signing_key > 1)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "report: SIGNING_KEY %u is reserved (0 VCEK, 1 VLEK)", out->signing_key);
    if (out->key_info >> 5)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "report: key info 0x%08x has must-be-zero bits 31:5 set", out->key_info);
    if (!(out->policy & SNP_POLICY_RESERVED1))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "report: POLICY 0x%llx: bit 17 must be 1", (unsigned long long)out->policy);
    /* A later version may define bits and fields that are reserved today: it is parsed with a
     * warning, so those checks apply only to the versions whose layout is known. */
    if (!newer && (out->policy & ~KNOWN_POLICY))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "report: POLICY 0x%llx has must-be-zero bits 63:26 set",
                        (unsigned long long)out->policy);
    if (out->platform_info & ~KNOWN_PLATFORM_INFO) out->warnings |= SNP_WARN_PLATFORM_INFO;

    int rc;
    if ((rc = check_mbz(b, 0x04C, 0x050, "reserved after key info", err, errlen))) return rc;
    if ((rc = check_mbz(b, out->has_cpuid ? 0x18B : 0x188, 0x1A0, "reserved before CHIP_ID", err,
                        errlen)))
        return rc;
    if ((rc = check_mbz(b, 0x1EB, 0x1EC, "reserved after CURRENT version", err, errlen))) return rc;
    if ((rc = check_mbz(b, 0x1EF, 0x1F0, "reserved after COMMITTED version", err, errlen)))
        return rc;
    if (!newer &&
        (rc = check_mbz(b, out->has_mit_vectors ? 0x208 : 0x1F8, 0x2A0, "reserved", err, errlen)))
        return rc;
    /* P-384 values fill 48 of the 72 bytes; the rest of the 512-byte area is zero for algo 1. */
    if ((rc = check_mbz(b, 0x2A0 + 48, 0x2E8, "SIGNATURE.R high bytes", err, errlen))) return rc;
    if ((rc = check_mbz(b, 0x2E8 + 48, 0x330, "SIGNATURE.S high bytes", err, errlen))) return rc;
    if ((rc = check_mbz(b, 0x330, SNP_REPORT_SIZE, "signature tail", err, errlen))) return rc;
    return ZBP_OK;
}

zbp_status snp_report_read_file(snp_report_t *out, const char *path, char *err, size_t errlen) {
    uint8_t *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    int rc = att_read_file(path, 1 << 20, &buf, &len, err, errlen);
    if (rc) return rc;
    char inner[256];
    rc = snp_report_parse(out, buf, len, inner, sizeof inner);
    free(buf);
    if (rc) return zbp_fail(err, errlen, rc, "%s: %s", path, inner);
    return ZBP_OK;
}

void snp_report_warnings(const snp_report_t *r, char *buf, size_t len) {
    if (!len) return;
    buf[0] = 0;
    size_t n = 0;
    if (r->warnings & SNP_WARN_NEWER_VERSION)
        n += (size_t)snprintf(buf + n, len - n,
                              "report VERSION %u is newer than 5: parsed with the v5 layout, its "
                              "new fields are not checked",
                              r->version);
    if (n < len && (r->warnings & SNP_WARN_PLATFORM_INFO))
        snprintf(buf + n, len - n, "%sPLATFORM_INFO 0x%llx has bits this version does not know",
                 n ? "; " : "", (unsigned long long)r->platform_info);
}

snp_gen_t snp_gen_from_cpuid(uint8_t fam, uint8_t model) {
    if (fam == 0x19) {
        if (model <= 0x0F) return SNP_GEN_MILAN;
        if ((model >= 0x10 && model <= 0x1F) || (model >= 0xA0 && model <= 0xAF))
            return SNP_GEN_GENOA;
    }
    if (fam == 0x1A && model <= 0x11) return SNP_GEN_TURIN;
    return SNP_GEN_UNKNOWN;
}

snp_gen_t snp_gen_from_product_name(const char *name) {
    if (!name) return SNP_GEN_UNKNOWN;
    /* KDS writes "Milan-B0", "Genoa" or "Turin": the product line, then maybe a stepping. */
    static const struct { const char *p; snp_gen_t g; } names[] = {
        {"Milan", SNP_GEN_MILAN}, {"Genoa", SNP_GEN_GENOA}, {"Turin", SNP_GEN_TURIN}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t k = strlen(names[i].p);
        if (!strncmp(name, names[i].p, k) && (name[k] == 0 || name[k] == '-')) return names[i].g;
    }
    return SNP_GEN_UNKNOWN;
}

const char *snp_gen_name(snp_gen_t g) {
    switch (g) {
    case SNP_GEN_MILAN: return "Milan";
    case SNP_GEN_GENOA: return "Genoa";
    case SNP_GEN_TURIN: return "Turin";
    default: return "unknown";
    }
}

zbp_status snp_gen_parse(snp_gen_t *out, const char *name) {
    for (snp_gen_t g = SNP_GEN_MILAN; g <= SNP_GEN_TURIN; g++)
        if (name && !strcasecmp(name, snp_gen_name(g))) {
            *out = g;
            return ZBP_OK;
        }
    return ZBP_ERR_INPUT;
}

static snp_layout_t layout_of(snp_gen_t g) {
    return g == SNP_GEN_TURIN ? SNP_LAYOUT_TURIN
           : g == SNP_GEN_UNKNOWN ? SNP_LAYOUT_UNKNOWN
                                   : SNP_LAYOUT_LEGACY;
}

void snp_report_generation(snp_gen_info_t *out, const snp_report_t *r, const char *product_name,
                           snp_gen_t hint) {
    memset(out, 0, sizeof *out);
    snp_gen_t g;
    if (r->has_cpuid && (g = snp_gen_from_cpuid(r->cpuid_fam_id, r->cpuid_mod_id))) {
        out->gen = g;
        out->source = SNP_FROM_CPUID;
    } else if ((g = snp_gen_from_product_name(product_name))) {
        out->gen = g;
        out->source = SNP_FROM_PRODUCT_NAME;
    } else if (hint) {
        /* An operator's explicit word beats the CHIP_ID heuristic below. */
        out->gen = hint;
        out->source = SNP_FROM_HINT;
    } else if (!att_is_zero(r->chip_id, 64)) {
        /* Turin's CHIP_ID is 8 bytes; Milan and Genoa fill all 64. A masked one tells nothing. */
        out->source = SNP_FROM_CHIP_ID;
        if (att_is_zero(r->chip_id + 8, 56)) {
            out->gen = SNP_GEN_TURIN;
        } else {
            out->layout = SNP_LAYOUT_LEGACY; /* Milan or Genoa: the layout is the same */
            return;
        }
    }
    out->layout = layout_of(out->gen);
}

void snp_tcb_decode(snp_tcb_t *out, uint64_t raw, snp_layout_t layout) {
    uint8_t b[8];
    att_put_le64(b, raw);
    memset(out, 0, sizeof *out);
    if (layout == SNP_LAYOUT_TURIN) {
        out->fmc = b[0];
        out->bootloader = b[1];
        out->tee = b[2];
        out->snp = b[3];
    } else {
        out->bootloader = b[0];
        out->tee = b[1];
        out->snp = b[6];
    }
    out->microcode = b[7];
}

uint64_t att_tcb_encode(const snp_tcb_t *t, snp_layout_t layout) {
    uint8_t b[8] = {0};
    if (layout == SNP_LAYOUT_TURIN) {
        b[0] = t->fmc;
        b[1] = t->bootloader;
        b[2] = t->tee;
        b[3] = t->snp;
    } else {
        b[0] = t->bootloader;
        b[1] = t->tee;
        b[6] = t->snp;
    }
    b[7] = t->microcode;
    return att_le64(b);
}

zbp_status snp_tcb_parse(snp_tcb_t *t, const char *s) {
    memset(t, 0, sizeof *t);
    char buf[128];
    size_t n = s ? strlen(s) : 0;
    /* strtok_r would skip empty components silently: refuse them here */
    if (n == 0 || n >= sizeof buf || s[0] == ',' || s[n - 1] == ',' || strstr(s, ",,")) return -1;
    strcpy(buf, s);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '='), *end;
        if (!eq || !eq[1]) return -1;
        *eq = 0;
        long v = strtol(eq + 1, &end, 10);
        if (*end || eq[1] == '-' || eq[1] == '+' || v < 0 || v > 255) return -1;
        uint8_t *dst = !strcmp(tok, "bl")      ? &t->bootloader
                       : !strcmp(tok, "tee")   ? &t->tee
                       : !strcmp(tok, "snp")   ? &t->snp
                       : !strcmp(tok, "ucode") ? &t->microcode
                       : !strcmp(tok, "fmc")   ? &t->fmc
                                               : NULL;
        if (!dst) return -1;
        *dst = (uint8_t)v;
    }
    return 0;
}
