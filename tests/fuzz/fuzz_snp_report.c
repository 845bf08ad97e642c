/* fuzz_snp_report.c: the report parser and everything that reads a parsed report (generation,
 * printer, KDS URLs, verification without certificates) on arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "attest/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *sink;
    if (!sink) sink = fopen("/dev/null", "w");
    snp_report_t r;
    char err[256];
    /* Inputs longer than a report are also tried from their first 1184 bytes, so mutations of a
     * seed that append garbage still reach the checks after the size check. */
    for (int pass = 0; pass < 2; pass++) {
        size_t n = pass ? (size > SNP_REPORT_SIZE ? SNP_REPORT_SIZE : 0) : size;
        if (pass && !n) break;
        if (snp_report_parse(&r, data, n, err, sizeof err) != ZBP_OK) continue;
        char w[320];
        snp_report_warnings(&r, w, sizeof w);
        snp_gen_info_t g;
        snp_report_generation(&g, &r, (const char *)NULL, SNP_GEN_UNKNOWN);
        if (sink) {
            snp_report_print(sink, &r, &g, false);
            snp_report_print(sink, &r, NULL, true);
        }
        snp_kds_urls_t u;
        zbp_status_ignore(snp_kds_urls(&u, &r, SNP_GEN_UNKNOWN, err, sizeof err));
        zbp_status_ignore(snp_kds_urls(&u, &r, SNP_GEN_TURIN, err, sizeof err));
        snp_certs_t *c = snp_certs_new();
        snp_verdict_t v;
        bool valid;
        /* No certificates: ZBP_ERR_INPUT from both, no crash. */
        if (attest_verify(&v, &r, c, NULL, err, sizeof err) == ZBP_OK) __builtin_trap();
        if (attest_verify_signature(&r, c, &valid, err, sizeof err) == ZBP_OK) __builtin_trap();
        snp_certs_free(c);
    }
    return 0;
}
