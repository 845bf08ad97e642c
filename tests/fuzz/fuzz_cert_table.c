/* fuzz_cert_table.c: the certificate-table parser, then the certificates it points at (X.509
 * decoding, CN classification, AMD's extensions) on arbitrary bytes. */
#include <stdint.h>
#include <string.h>

#include "attest/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    snp_cert_entry_t e[SNP_CERT_TABLE_MAX];
    size_t n;
    char err[256];
    if (snp_cert_table_parse(e, SNP_CERT_TABLE_MAX, &n, data, size, err, sizeof err) != ZBP_OK)
        return 0;
    for (size_t i = 0; i < n; i++) {
        snp_vek_ext_t x;
        zbp_status_ignore(snp_vek_ext_parse_der(&x, data + e[i].offset, e[i].length, err, sizeof err));
    }
    snp_certs_t *c = snp_certs_new();
    if (snp_certs_add_table(c, data, size, err, sizeof err) == ZBP_OK) {
        snp_vek_ext_t x;
        zbp_status_ignore(snp_certs_vek_ext(&x, c, SNP_CERT_VCEK, err, sizeof err));
        zbp_status_ignore(snp_certs_vek_ext(&x, c, SNP_CERT_VLEK, err, sizeof err));
    }
    snp_certs_free(c);
    return 0;
}
