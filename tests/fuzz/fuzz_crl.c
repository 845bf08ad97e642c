/* fuzz_crl.c: CRL input (DER, PEM with one or more CRLs, PEM bundles of certificates and CRLs)
 * and the revocation judgement on what parses: issuer, signature, dates, entries. The embedded
 * chain is a fuzzing-only P-256 pair (CN ARK-Milan, and CN SEV-Milan with serial 0x0A) whose key
 * signed the seed CRLs, so that seeds reach the date and entry checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "attest/attest_int.h"

static const char anchor_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBfjCCASWgAwIBAgIUfr5ELFpExOxOngEbBWoMqAqufvgwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJQVJLLU1pbGFuMCAXDTI2MTIwNzE4MTQ0M1oYDzIxMjYxMTEz\n"
    "MTgxNDQzWjAUMRIwEAYDVQQDDAlBUkstTWlsYW4wWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAARoAs551ft1d2P/9ovUxYaBqCGFTN7ng3k0+kZqDQmU5DAJFPmim31+\n"
    "e72ThmKCKY1WKiBwpFpKaxx04u/W5Apqo1MwUTAdBgNVHQ4EFgQUy0wtRWOpw2k4\n"
    "LB+yVY3T299ZjTgwHwYDVR0jBBgwFoAUy0wtRWOpw2k4LB+yVY3T299ZjTgwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAuz3KNuXApb0JufFptWJhB\n"
    "w3FM/WbqZzlOKxSK2aLzKQIgBaEm63p7GtNjcUMS4Y7gnsa4N1UwhmtgPim2k1LJ\n"
    "VuQ=\n"
    "-----END CERTIFICATE-----\n";
static const char mid_pem[] = "-----BEGIN CERTIFICATE-----\n"
                              "MIIBETCBuAIBCjAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlBUkstTWlsYW4wIBcN\n"
                              "MjYxMjA3MTgxNDQ2WhgPMjEyNjExMTMxODE0NDZaMBQxEjAQBgNVBAMMCVNFVi1N\n"
                              "aWxhbjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABLS6SGSKwXLpzR042YrbMRZ5\n"
                              "TJ+x9x/IG+wwYskrnBZKXvh/voaglBqw7j6x/rGr5khDHY+G/VbsU3nNC4ZNE/Qw\n"
                              "CgYIKoZIzj0EAwIDSAAwRQIga1X5tgOR9pwxNT1oBvjpfm7uzYR9ysay2QuxOvwB\n"
                              "0OoCIQDBZ60N9RGJuS0HOiDQH6omCm8LQ6wR0II+zhoVXjtFwA==\n"
                              "-----END CERTIFICATE-----\n";

static X509 *load(const char *pem) {
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static X509 *anchor, *mid;
    if (!anchor) {
        anchor = load(anchor_pem);
        mid = load(mid_pem);
        if (!anchor || !mid) return 0;
    }
    char err[256];
    snp_certs_t *c = snp_certs_new();
    if (!c) return 0;
    int rc = snp_certs_add_crl(c, data, size, "fuzz", err, sizeof err);
    if (rc != ZBP_OK) rc = snp_certs_add_blob(c, data, size, "fuzz", err, sizeof err);
    if (rc == ZBP_OK && snp_certs_crl_count(c)) {
        snp_policy_t p;
        snp_policy_init(&p);
        snp_report_t r;
        memset(&r, 0, sizeof r);
        att_ctx_t cx = {.r = &r,
                        .c = c,
                        .p = &p,
                        .anchor = anchor,
                        .mid = mid,
                        .vek = mid,
                        .vname = "VCEK",
                        .mname = "ASK",
                        .now = 1800000000};
        snp_verdict_t *v = calloc(1, sizeof *v);
        if (v) att_check_revocation(v, &cx);
        free(v);
        char *pem;
        size_t len;
        if (snp_certs_to_pem(c, &pem, &len, err, sizeof err) == ZBP_OK) free(pem);
    }
    snp_certs_free(c);
    return 0;
}
