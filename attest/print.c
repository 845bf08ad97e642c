/* print.c: prints every field of a report, as aligned text for people or as one JSON object for
 * programs. One walk over the fields drives both forms, so they never disagree. */
#include <inttypes.h>
#include <string.h>

#include "attest/attest_int.h"

typedef struct {
    FILE *f;
    bool json;
    bool first; /* no comma before the next JSON member */
    int depth;
} em_t;

static void em_key(em_t *e, const char *k) {
    if (e->json) {
        fprintf(e->f, "%s\"%s\":", e->first ? "" : ",", k);
        e->first = false;
    } else {
        fprintf(e->f, "%*s%-*s ", 2 * e->depth, "", 26 - 2 * e->depth, k);
    }
}
static void em_u64(em_t *e, const char *k, uint64_t v) {
    em_key(e, k);
    fprintf(e->f, e->json ? "%" PRIu64 : "%" PRIu64 "\n", v);
}
static void em_bool(em_t *e, const char *k, bool v) {
    em_key(e, k);
    fprintf(e->f, e->json ? "%s" : "%s\n", v ? (e->json ? "true" : "yes") : (e->json ? "false" : "no"));
}
static void em_str(em_t *e, const char *k, const char *v) {
    em_key(e, k);
    fprintf(e->f, e->json ? "\"%s\"" : "%s\n", v); /* only our own ASCII strings reach here */
}
static void em_raw64(em_t *e, const char *k, uint64_t v) {
    em_key(e, k);
    fprintf(e->f, e->json ? "\"0x%016" PRIx64 "\"" : "0x%016" PRIx64 "\n", v);
}
static void em_bytes(em_t *e, const char *k, const uint8_t *p, size_t n) {
    char hex[2 * 72 + 1];
    zbp_hex_encode(hex, p, n);
    em_str(e, k, hex);
}
static void em_begin(em_t *e, const char *k) {
    if (e->json) {
        if (k) em_key(e, k);
        fputc('{', e->f);
        e->first = true;
    } else if (k) {
        fprintf(e->f, "%*s%s:\n", 2 * e->depth, "", k);
    }
    e->depth++;
}
static void em_end(em_t *e) {
    e->depth--;
    if (e->json) {
        fputc('}', e->f);
        e->first = false;
    }
}

static void em_tcb(em_t *e, const char *k, uint64_t raw, snp_layout_t layout) {
    em_begin(e, k);
    em_raw64(e, "raw", raw);
    if (layout == SNP_LAYOUT_UNKNOWN) {
        em_str(e, "layout", "unknown (generation unknown)");
    } else {
        snp_tcb_t t;
        snp_tcb_decode(&t, raw, layout);
        if (layout == SNP_LAYOUT_TURIN) em_u64(e, "fmc", t.fmc);
        em_u64(e, "bootloader", t.bootloader);
        em_u64(e, "tee", t.tee);
        em_u64(e, "snp", t.snp);
        em_u64(e, "microcode", t.microcode);
    }
    em_end(e);
}

static const char *source_name(snp_gen_source_t s) {
    switch (s) {
    case SNP_FROM_CPUID: return "cpuid";
    case SNP_FROM_PRODUCT_NAME: return "vek-product-name";
    case SNP_FROM_CHIP_ID: return "chip-id-rule";
    case SNP_FROM_HINT: return "hint";
    default: return "none";
    }
}

int snp_report_print(FILE *f, const snp_report_t *r, const snp_gen_info_t *gen, bool json) {
    snp_gen_info_t g;
    if (gen) g = *gen;
    else snp_report_generation(&g, r, NULL, SNP_GEN_UNKNOWN);
    em_t em = {.f = f, .json = json, .first = true, .depth = 0};
    em_t *e = &em;
    if (!json) fprintf(f, "SEV-SNP attestation report\n");
    em_begin(e, NULL);
    em_u64(e, "version", r->version);
    em_u64(e, "guest_svn", r->guest_svn);
    em_begin(e, "policy");
    em_raw64(e, "raw", r->policy);
    em_u64(e, "abi_major", (r->policy >> 8) & 0xff);
    em_u64(e, "abi_minor", r->policy & 0xff);
    em_bool(e, "smt", r->policy & SNP_POLICY_SMT);
    em_bool(e, "migrate_ma", r->policy & SNP_POLICY_MIGRATE_MA);
    em_bool(e, "debug", r->policy & SNP_POLICY_DEBUG);
    em_bool(e, "single_socket", r->policy & SNP_POLICY_SINGLE_SOCKET);
    em_bool(e, "cxl_allow", r->policy & SNP_POLICY_CXL_ALLOW);
    em_bool(e, "mem_aes_256_xts", r->policy & SNP_POLICY_MEM_AES_256_XTS);
    em_bool(e, "rapl_dis", r->policy & SNP_POLICY_RAPL_DIS);
    em_bool(e, "ciphertext_hiding", r->policy & SNP_POLICY_CIPHERTEXT_HIDING);
    em_bool(e, "page_swap_disable", r->policy & SNP_POLICY_PAGE_SWAP_DISABLE);
    em_end(e);
    em_bytes(e, "family_id", r->family_id, 16);
    em_bytes(e, "image_id", r->image_id, 16);
    em_u64(e, "vmpl", r->vmpl);
    em_u64(e, "signature_algo", r->sig_algo);
    em_tcb(e, "current_tcb", r->current_tcb, g.layout);
    em_begin(e, "platform_info");
    em_raw64(e, "raw", r->platform_info);
    em_bool(e, "smt_en", r->platform_info & 1);
    em_bool(e, "tsme_en", r->platform_info & 2);
    em_bool(e, "ecc_en", r->platform_info & 4);
    em_bool(e, "rapl_dis", r->platform_info & 8);
    em_bool(e, "ciphertext_hiding_en", r->platform_info & 16);
    em_bool(e, "alias_check_complete", r->platform_info & 32);
    em_bool(e, "sev_tio_en", r->platform_info & 128);
    em_end(e);
    em_begin(e, "key_info");
    em_raw64(e, "raw", r->key_info);
    em_bool(e, "author_key_en", r->author_key_en);
    em_bool(e, "mask_chip_key", r->mask_chip_key);
    em_str(e, "signing_key", r->signing_key == 0 ? "vcek" : "vlek");
    em_end(e);
    em_bytes(e, "report_data", r->report_data, 64);
    em_bytes(e, "measurement", r->measurement, 48);
    em_bytes(e, "host_data", r->host_data, 32);
    em_bytes(e, "id_key_digest", r->id_key_digest, 48);
    em_bytes(e, "author_key_digest", r->author_key_digest, 48);
    em_bytes(e, "report_id", r->report_id, 32);
    em_bytes(e, "report_id_ma", r->report_id_ma, 32);
    em_tcb(e, "reported_tcb", r->reported_tcb, g.layout);
    if (r->has_cpuid) {
        em_begin(e, "cpuid");
        em_u64(e, "family", r->cpuid_fam_id);
        em_u64(e, "model", r->cpuid_mod_id);
        em_u64(e, "stepping", r->cpuid_step);
        em_end(e);
    }
    em_bytes(e, "chip_id", r->chip_id, 64);
    em_tcb(e, "committed_tcb", r->committed_tcb, g.layout);
    char v[32];
    snprintf(v, sizeof v, "%u.%u.%u", r->current_major, r->current_minor, r->current_build);
    em_str(e, "current_version", v);
    snprintf(v, sizeof v, "%u.%u.%u", r->committed_major, r->committed_minor, r->committed_build);
    em_str(e, "committed_version", v);
    em_tcb(e, "launch_tcb", r->launch_tcb, g.layout);
    if (r->has_mit_vectors) {
        em_raw64(e, "launch_mit_vector", r->launch_mit_vector);
        em_raw64(e, "current_mit_vector", r->current_mit_vector);
    }
    em_begin(e, "signature");
    em_bytes(e, "r", r->sig_r, 72);
    em_bytes(e, "s", r->sig_s, 72);
    em_end(e);
    em_begin(e, "generation");
    em_str(e, "product", snp_gen_name(g.gen));
    em_str(e, "tcb_layout", g.layout == SNP_LAYOUT_TURIN    ? "turin"
                            : g.layout == SNP_LAYOUT_LEGACY ? "milan-genoa"
                                                            : "unknown");
    em_str(e, "source", source_name(g.source));
    em_end(e);
    if (r->warnings) {
        char w[320];
        snp_report_warnings(r, w, sizeof w);
        em_str(e, "warnings", w);
    }
    em_end(e);
    if (json) fputc('\n', f);
    return ferror(f) ? ATTEST_EINTERNAL : ATTEST_OK;
}
