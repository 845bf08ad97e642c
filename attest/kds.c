/* kds.c: the AMD Key Distribution Service URLs of a report's VCEK, certificate chain and CRL, for
 * an operator to fetch. Nothing here touches the network. */
#include <string.h>

#include "attest/attest_int.h"

#define KDS "https://kdsintf.amd.com"

zbp_status snp_kds_urls(snp_kds_urls_t *out, const snp_report_t *r, snp_gen_t product_hint, char *err,
                 size_t errlen) {
    memset(out, 0, sizeof *out);
    snp_gen_info_t g;
    snp_report_generation(&g, r, NULL, product_hint);
    if (g.gen == SNP_GEN_UNKNOWN)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "the report does not say which product made it (v%u report%s): pass "
                        "--product Milan|Genoa|Turin",
                        r->version,
                        g.layout == SNP_LAYOUT_LEGACY ? ": Milan or Genoa" : ", CHIP_ID masked");
    const char *p = snp_gen_name(g.gen);
    out->vlek = r->signing_key == 1;
    const char *kind = out->vlek ? "vlek" : "vcek";
    snprintf(out->chain, sizeof out->chain, KDS "/%s/v1/%s/cert_chain", kind, p);
    snprintf(out->crl, sizeof out->crl, KDS "/%s/v1/%s/crl", kind, p);
    /* KDS hands VLEKs to cloud providers only, and a VCEK is found by its chip's id. */
    if (out->vlek || r->mask_chip_key || att_is_zero(r->chip_id, 64)) return ZBP_OK;
    snp_tcb_t t;
    snp_tcb_decode(&t, r->reported_tcb, g.layout);
    char hwid[129];
    if (g.gen == SNP_GEN_TURIN) {
        zbp_hex_encode(hwid, r->chip_id, 8); /* the full 64 bytes give a 404 on Turin */
        snprintf(out->vek, sizeof out->vek,
                 KDS "/vcek/v1/%s/%s?fmcSPL=%u&blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u", p, hwid,
                 t.fmc, t.bootloader, t.tee, t.snp, t.microcode);
    } else {
        zbp_hex_encode(hwid, r->chip_id, 64);
        snprintf(out->vek, sizeof out->vek,
                 KDS "/vcek/v1/%s/%s?blSPL=%u&teeSPL=%u&snpSPL=%u&ucodeSPL=%u", p, hwid,
                 t.bootloader, t.tee, t.snp, t.microcode);
    }
    return ZBP_OK;
}
