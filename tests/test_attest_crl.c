/* test_attest_crl.c: revocation. CRLs from the simulated signer's ARK, ASK and ASVK (revoking the
 * ASK, the ASVK, a VCEK, a VLEK; wrong signer, expired, another product's, damaged), how they are
 * loaded (--crl, directories, PEM bundles, certificate tables), and AMD's real CRLs
 * (tests/fixtures/amd-crl; their ARKs and reports from $ZB_SNP_VECTORS, skipped without). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attest/attest.h"
#include "attest_testkit.h"
#include "job/job_int.h" /* job_certs_pem_from_table/_path: the certificates an answer carries */
#include "testutil.h"

#define GENOA() kit_sim("genoa", SNP_GEN_GENOA, true)
#define TURIN() kit_sim("turin", SNP_GEN_TURIN, false)
#define AMD_CRL_TIME 1750000000 /* 2025-06-15: inside both AMD CRLs' validity */

/* A CRL from dir's issuer, revoking revoke[0..n), valid from `from` to `to`; added to c. */
static void add_crl(snp_certs_t *c, const char *dir, snp_cert_kind_t issuer,
                    const snp_cert_kind_t *revoke, size_t n, time_t from, time_t to) {
    attest_sim_crl_t s = {
        .issuer = issuer, .revoke = revoke, .n_revoke = n, .this_update = from, .next_update = to};
    uint8_t *der;
    size_t len;
    char err[512];
    cr_assert_eq(attest_sim_make_crl(&der, &len, dir, &s, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(snp_certs_add_crl(c, der, len, "test CRL", err, sizeof err), ZBP_OK, "%s", err);
    free(der);
}

static time_t now_minus(long s) { return time(NULL) - s; }
#define DAY 86400L

/* One report and chain, and the verdict for the CRLs the test adds. */
typedef struct {
    const char *dir;
    bool vlek;
    uint8_t raw[SNP_REPORT_SIZE];
    snp_certs_t *c;
    snp_policy_t p;
    snp_verdict_t v;
} fixture_t;

static void setup(fixture_t *f, bool vlek) {
    f->dir = GENOA();
    f->vlek = vlek;
    kit_report(f->raw, f->dir, vlek, NULL);
    f->c = kit_certs(f->dir, vlek ? kit_vlek_chain : kit_vcek_chain);
    kit_policy(&f->p, f->dir);
}

static int judge(fixture_t *f) { return kit_verify(&f->v, f->raw, f->c, &f->p); }

Test(crl, ark_crl_revoking_the_ask) {
    fixture_t f;
    setup(&f, false);
    const snp_cert_kind_t ask = SNP_CERT_ASK;
    add_crl(f.c, f.dir, SNP_CERT_ARK, &ask, 1, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(judge(&f), KIT_REJECTED);
    const char *d = kit_find(&f.v, "revocation")->detail;
    cr_assert_eq(kit_status(&f.v, "revocation"), SNP_CHECK_FAIL);
    cr_assert(strstr(d, "the ASK SEV-Genoa (serial 0x") && strstr(d, "is revoked since"), "%s", d);
    cr_assert(f.v.revocation_checked);
    snp_certs_free(f.c);
}

Test(crl, ark_crl_revoking_the_asvk_fails_the_vlek_chain_only) {
    fixture_t f;
    setup(&f, true);
    const snp_cert_kind_t asvk = SNP_CERT_ASVK;
    add_crl(f.c, f.dir, SNP_CERT_ARK, &asvk, 1, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(judge(&f), KIT_REJECTED);
    cr_assert(strstr(kit_find(&f.v, "revocation")->detail, "the ASVK SEV-VLEK-Genoa"));
    /* The same CRL says nothing against the VCEK chain. */
    fixture_t g;
    setup(&g, false);
    add_crl(g.c, g.dir, SNP_CERT_ARK, &asvk, 1, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(judge(&g), KIT_PASS);
    cr_assert(g.v.revocation_checked && !g.v.vek_revocation_checked);
    snp_certs_free(f.c);
    snp_certs_free(g.c);
}

Test(crl, ask_crl_revoking_a_vcek_and_asvk_crl_revoking_a_vlek) {
    for (int vlek = 0; vlek < 2; vlek++) {
        fixture_t f;
        setup(&f, vlek);
        const snp_cert_kind_t vek = vlek ? SNP_CERT_VLEK : SNP_CERT_VCEK;
        add_crl(f.c, f.dir, SNP_CERT_ARK, NULL, 0, now_minus(DAY), now_minus(-30 * DAY));
        add_crl(f.c, f.dir, vlek ? SNP_CERT_ASVK : SNP_CERT_ASK, &vek, 1, now_minus(DAY),
                now_minus(-30 * DAY));
        cr_assert_eq(judge(&f), KIT_REJECTED);
        const char *d = kit_find(&f.v, "revocation")->detail;
        cr_assert(strstr(d, vlek ? "the VLEK SEV-VLEK" : "the VCEK SEV-VCEK"), "%s", d);
        cr_assert(f.v.revocation_checked && f.v.vek_revocation_checked);
        snp_certs_free(f.c);
    }
}

Test(crl, clean_crls_pass_and_the_json_says_checked) {
    fixture_t f;
    setup(&f, false);
    add_crl(f.c, f.dir, SNP_CERT_ARK, NULL, 0, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(judge(&f), KIT_PASS);
    cr_assert_eq(kit_status(&f.v, "revocation"), SNP_CHECK_PASS);
    cr_assert(f.v.revocation_checked && !f.v.vek_revocation_checked && f.v.crls == 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    attest_verdict_json(m, &f.v);
    fclose(m);
    cr_assert(strstr(buf, "\"revocation\":{\"checked\":true,\"vek_checked\":false,\"crls\":1}"),
              "%s", buf);
    free(buf);
    /* With the ASK's CRL as well, the VCEK is covered too. */
    add_crl(f.c, f.dir, SNP_CERT_ASK, NULL, 0, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(judge(&f), KIT_PASS);
    cr_assert(f.v.vek_revocation_checked && f.v.crls == 2);
    snp_certs_free(f.c);
}

Test(crl, a_missing_crl_is_a_skip_or_with_require_crl_a_failure) {
    fixture_t f;
    setup(&f, false);
    cr_assert_eq(judge(&f), KIT_PASS);
    cr_assert_eq(kit_status(&f.v, "revocation"), SNP_CHECK_SKIP);
    cr_assert(!f.v.revocation_checked);
    f.p.require_crl = true;
    cr_assert_eq(judge(&f), KIT_REJECTED);
    cr_assert_eq(kit_status(&f.v, "revocation"), SNP_CHECK_FAIL);
    /* Only the ASK's CRL does not satisfy it: the ARK's is the one AMD publishes. */
    add_crl(f.c, f.dir, SNP_CERT_ASK, NULL, 0, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(judge(&f), KIT_REJECTED);
    add_crl(f.c, f.dir, SNP_CERT_ARK, NULL, 0, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(judge(&f), KIT_PASS);
    snp_certs_free(f.c);
}

/* A CRL that cannot be used never reads as "no CRL": a forged signature, a stale or future
 * date, another product's CRL, a critical extension, or damaged bytes each fail the verdict
 * (or the input), with or without --require-crl. */
Test(regression, crl_that_silently_switches_revocation_off) {
    const char *turin = TURIN();
    struct {
        const char *what;
        snp_cert_kind_t issuer;
        bool forge;
        time_t from, to;
        bool other_product;
        const char *why;
    } cases[] = {
        {"wrong key", SNP_CERT_ARK, true, 0, 0, false, "signature does not verify"},
        {"expired", SNP_CERT_ARK, false, now_minus(60 * DAY), now_minus(DAY), false, "expired at"},
        {"not yet valid", SNP_CERT_ARK, false, now_minus(-DAY), now_minus(-30 * DAY), false,
         "not valid before"},
        {"another product", SNP_CERT_ARK, false, 0, 0, true, "another product"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture_t f;
        setup(&f, false);
        time_t from = cases[i].from ? cases[i].from : now_minus(DAY);
        time_t to = cases[i].to ? cases[i].to : now_minus(-30 * DAY);
        attest_sim_crl_t s = {.issuer = cases[i].issuer,
                              .forge_signer = cases[i].forge,
                              .signer = SNP_CERT_ASK,
                              .this_update = from,
                              .next_update = to};
        uint8_t *der;
        size_t len;
        char err[512];
        cr_assert_eq(attest_sim_make_crl(&der, &len, cases[i].other_product ? turin : f.dir, &s,
                                         err, sizeof err),
                     ZBP_OK, "%s", err);
        cr_assert_eq(snp_certs_add_crl(f.c, der, len, "crl", err, sizeof err), ZBP_OK, "%s",
                     err);
        free(der);
        for (int req = 0; req < 2; req++) {
            f.p.require_crl = req;
            cr_assert_eq(judge(&f), KIT_REJECTED, "%s", cases[i].what);
            cr_assert_eq(kit_status(&f.v, "crl"), SNP_CHECK_FAIL);
            cr_assert_eq(kit_status(&f.v, "revocation"), SNP_CHECK_FAIL);
            cr_assert(strstr(kit_find(&f.v, "crl")->detail, cases[i].why), "%s: %s", cases[i].what,
                      kit_find(&f.v, "crl")->detail);
            cr_assert(!f.v.revocation_checked);
        }
        snp_certs_free(f.c);
    }
    /* Damaged bytes are an input error, never an empty CRL. */
    snp_certs_t *c = snp_certs_new();
    char err[512];
    const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    cr_assert_eq(snp_certs_add_crl(c, junk, sizeof junk, "junk.crl", err, sizeof err),
                 ZBP_ERR_INPUT);
    cr_assert(strstr(err, "junk.crl"), "%s", err);
    const char *pem = "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n";
    cr_assert_eq(
        snp_certs_add_crl(c, (const uint8_t *)pem, strlen(pem), "bad.pem", err, sizeof err),
        ZBP_ERR_INPUT);
    cr_assert_eq(snp_certs_crl_count(c), 0);
    snp_certs_free(c);
}

Test(crl, loaded_from_directories_pem_bundles_and_written_back) {
    const char *dir = GENOA();
    char *tmp = kit_tmpdir(), path[512], err[512];
    snp_certs_t *src = kit_certs(dir, kit_vcek_chain);
    add_crl(src, dir, SNP_CERT_ARK, NULL, 0, now_minus(DAY), now_minus(-30 * DAY));
    add_crl(src, dir, SNP_CERT_ASK, NULL, 0, now_minus(DAY), now_minus(-30 * DAY));
    cr_assert_eq(snp_certs_crl_count(src), 2);
    /* DER: one file each; PEM: one file with both. Reading either back gives both. */
    for (int der = 0; der < 2; der++) {
        snprintf(path, sizeof path, "%s/%s", tmp, der ? "der" : "pem");
        cr_assert_eq(snp_certs_write(src, path, der, err, sizeof err), ZBP_OK, "%s", err);
        snp_certs_t *back = snp_certs_new();
        cr_assert_eq(snp_certs_load(back, path, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert_eq(snp_certs_crl_count(back), 2, "%s", der ? "DER" : "PEM");
        snp_certs_free(back);
    }
    /* The whole set as one PEM text (what check-bundle hands the C API) reads back whole. */
    char *text;
    size_t len;
    cr_assert_eq(snp_certs_to_pem(src, &text, &len, err, sizeof err), ZBP_OK);
    snp_certs_t *back = snp_certs_new();
    cr_assert_eq(snp_certs_add_blob(back, (const uint8_t *)text, len, "pem", err, sizeof err),
                 ZBP_OK, "%s", err);
    cr_assert(snp_certs_crl_count(back) == 2 && snp_certs_has(back, SNP_CERT_VCEK));
    /* The same CRL given twice is kept once. */
    cr_assert_eq(snp_certs_add_blob(back, (const uint8_t *)text, len, "pem", err, sizeof err),
                 ZBP_OK, "%s", err);
    cr_assert_eq(snp_certs_crl_count(back), 2);
    free(text);
    snp_certs_free(back);
    snp_certs_free(src);
    kit_rmdir(tmp);
}

/* An empty set (check-bundle with no --certs) encodes as empty text, not a crash: the BIO of an
 * empty set has no buffer, and copying from it was undefined (UBSan in CI's check_serve). */
Test(crl, empty_set_as_pem) {
    char err[256], *text = (char *)1;
    size_t len = 99;
    snp_certs_t *none = snp_certs_new();
    cr_assert_eq(snp_certs_to_pem(none, &text, &len, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert(text != NULL && len == 0 && text[0] == 0);
    free(text);
    snp_certs_free(none);
}

/* A host's certificate table may carry the CRL (GUID 92f81bc3-...): it is judged like any. */
Test(crl, from_a_certificate_table) {
    const char *dir = GENOA();
    snp_certs_t *src = kit_certs(dir, kit_vcek_chain);
    const snp_cert_kind_t ask = SNP_CERT_ASK;
    attest_sim_crl_t s = {.issuer = SNP_CERT_ARK,
                          .revoke = &ask,
                          .n_revoke = 1,
                          .this_update = now_minus(DAY),
                          .next_update = now_minus(-DAY)};
    uint8_t *crl, *table;
    size_t crl_len, table_len;
    char err[512];
    cr_assert_eq(attest_sim_make_crl(&crl, &crl_len, dir, &s, err, sizeof err), ZBP_OK);
    snp_entry_kind_t kinds[] = {SNP_ENTRY_CRL};
    const uint8_t *blobs[] = {crl};
    cr_assert_eq(
        snp_cert_table_build(&table, &table_len, kinds, blobs, &crl_len, 1, err, sizeof err),
        ZBP_OK, "%s", err);
    cr_assert_eq(snp_certs_add_table(src, table, table_len, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(snp_certs_crl_count(src), 1);
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    snp_policy_t p;
    kit_policy(&p, dir);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, src, &p), KIT_REJECTED);
    cr_assert(strstr(kit_find(&v, "revocation")->detail, "is revoked"));
    /* A damaged CRL entry spoils the table. */
    free(table);
    crl[0] ^= 0xff;
    cr_assert_eq(
        snp_cert_table_build(&table, &table_len, kinds, blobs, &crl_len, 1, err, sizeof err),
        ZBP_OK, "%s", err);
    snp_certs_t *bad = snp_certs_new();
    cr_assert_eq(snp_certs_add_table(bad, table, table_len, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "CRL"), "%s", err);
    snp_certs_free(bad);
    free(crl);
    free(table);
    snp_certs_free(src);
}

/* ---- AMD's own CRLs ---- */

/* The certificates a prove answer carries (job/util.c) keep the host's CRL, so a client that
 * verifies the bundle offline checks revocation from the bundle alone. */
Test(crl, kept_in_the_certificates_of_an_answer) {
    const char *dir = GENOA();
    const snp_cert_kind_t ask = SNP_CERT_ASK;
    attest_sim_crl_t s = {.issuer = SNP_CERT_ARK,
                          .revoke = &ask,
                          .n_revoke = 1,
                          .this_update = now_minus(DAY),
                          .next_update = now_minus(-DAY)};
    uint8_t *crl, *table;
    size_t crl_len, table_len;
    char err[512];
    cr_assert_eq(attest_sim_make_crl(&crl, &crl_len, dir, &s, err, sizeof err), ZBP_OK);
    /* A host's table: the three certificates (DER) and the CRL. */
    uint8_t *der[3] = {0};
    size_t lens[4];
    const char *files[3] = {"ark.pem", "ask.pem", "vcek.pem"};
    for (int k = 0; k < 3; k++) {
        X509 *x = kit_cert(dir, files[k]);
        int n = i2d_X509(x, &der[k]);
        cr_assert(n > 0);
        lens[k] = (size_t)n;
        X509_free(x);
    }
    lens[3] = crl_len;
    snp_entry_kind_t kinds[] = {SNP_ENTRY_ARK, SNP_ENTRY_ASK, SNP_ENTRY_VCEK, SNP_ENTRY_CRL};
    const uint8_t *blobs[] = {der[0], der[1], der[2], crl};
    cr_assert_eq(snp_cert_table_build(&table, &table_len, kinds, blobs, lens, 4, err, sizeof err),
                 ZBP_OK, "%s", err);
    char *pem = NULL;
    cr_assert_eq(job_certs_pem_from_table(&pem, table, table_len, err, sizeof err), 0, "%s", err);
    cr_assert(pem && strstr(pem, "-----BEGIN X509 CRL-----"), "the answer's PEM lost the CRL");
    /* What a client does with the answer's certificates: the CRL revokes the ASK. */
    snp_certs_t *c = snp_certs_new();
    cr_assert_eq(snp_certs_add_blob(c, (const uint8_t *)pem, strlen(pem), "answer", err,
                                    sizeof err),
                 ZBP_OK, "%s", err);
    cr_assert_eq(snp_certs_crl_count(c), 1);
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    snp_policy_t p;
    kit_policy(&p, dir);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, &p), KIT_REJECTED);
    cr_assert(strstr(kit_find(&v, "revocation")->detail, "is revoked"));
    snp_certs_free(c);
    /* The same from a directory (serve --certs DIR): the CRL in a PEM file is kept too. */
    char tmpl[] = "/tmp/zbp-crl-pem-XXXXXX", path[600];
    cr_assert(mkdtemp(tmpl));
    snprintf(path, sizeof path, "%s/chain.pem", tmpl);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs(pem, f);
    fclose(f);
    char *pem2 = NULL;
    cr_assert_eq(job_certs_pem_from_path(&pem2, tmpl, err, sizeof err), 0, "%s", err);
    cr_assert(pem2 && strstr(pem2, "-----BEGIN X509 CRL-----") &&
                  strstr(pem2, "-----BEGIN CERTIFICATE-----"),
              "%s", pem2 ? pem2 : "(none)");
    unlink(path);
    rmdir(tmpl);
    /* A damaged CRL entry fails the table instead of being dropped. */
    free(table);
    crl[0] ^= 0xff;
    cr_assert_eq(snp_cert_table_build(&table, &table_len, kinds, blobs, lens, 4, err, sizeof err),
                 ZBP_OK, "%s", err);
    free(pem);
    pem = NULL;
    cr_assert_neq(job_certs_pem_from_table(&pem, table, table_len, err, sizeof err), 0);
    cr_assert(strstr(err, "crl") || strstr(err, "CRL"), "%s", err);
    free(pem);
    free(pem2);
    free(table);
    free(crl);
    for (int k = 0; k < 3; k++) OPENSSL_free(der[k]);
}

static void fixture_crl(snp_certs_t *c, const char *name) {
    const char *d = test_env_dir("ZBP_TEST_DATA");
    if (!d) cr_skip_test("ZBP_TEST_DATA is not set");
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s/fixtures/amd-crl/%s", d, name);
    cr_assert_eq(snp_certs_load_crl(c, path, err, sizeof err), ZBP_OK, "%s", err);
}

Test(amd_crl, both_parse_with_their_dates_and_entries) {
    snp_certs_t *c = snp_certs_new();
    fixture_crl(c, "milan.crl");
    fixture_crl(c, "genoa.crl");
    cr_assert_eq(snp_certs_crl_count(c), 2);
    snp_certs_free(c);
}

static const char *vectors(void) {
    const char *v = test_env_dir("ZB_SNP_VECTORS");
    if (!v) cr_skip_test("ZB_SNP_VECTORS is unset: AMD's CRLs are checked against no ARK");
    return v;
}

static snp_certs_t *vector_certs(const char *const *files) {
    snp_certs_t *c = snp_certs_new();
    char path[1024], err[512];
    for (; *files; files++) {
        snprintf(path, sizeof path, "%s/%s", vectors(), *files);
        cr_assert_eq(snp_certs_load(c, path, err, sizeof err), ZBP_OK, "%s", err);
    }
    return c;
}

static int vector_verify(snp_verdict_t *v, const char *report, const snp_certs_t *c,
                         const snp_policy_t *p) {
    char path[1024], err[512];
    snp_report_t r;
    snprintf(path, sizeof path, "%s/%s", vectors(), report);
    cr_assert_eq(snp_report_read_file(&r, path, err, sizeof err), ZBP_OK, "%s", err);
    zbp_status rc = attest_verify(v, &r, c, p, err, sizeof err);
    cr_assert_eq(rc, ZBP_OK, "%s", err);
    return kit_judged(rc, v);
}

Test(amd_crl, real_reports_with_amds_crls) {
    const char *genoa[] = {"trustee/vcek-genoa.pem", "trustee/genoa_ask_ark_asvk.pem", NULL};
    const char *milan[] = {"virtee-sev/vcek_milan.der", "virtee-sev/cert_chain_milan", NULL};
    snp_policy_t p;
    snp_policy_init(&p);
    p.has_time = true;
    p.at = AMD_CRL_TIME;
    p.require_crl = true;
    snp_verdict_t v;
    /* Genoa: its CRL revokes the old ASK 0x020001, not the ASK that signs this VCEK. */
    snp_certs_t *c = vector_certs(genoa);
    fixture_crl(c, "genoa.crl");
    cr_assert_eq(vector_verify(&v, "trustee/azure-genoa-snp-report-extracted.bin", c, &p),
                 KIT_PASS);
    cr_assert(v.revocation_checked);
    cr_assert(strstr(kit_find(&v, "crl")->detail,
                     "ARK-Genoa's CRL, valid 2024-10-23 to 2025-11-03, 1 revoked"));
    snp_certs_free(c);
    /* Milan, with Milan's CRL; then with Genoa's too, which is another product's. */
    c = vector_certs(milan);
    fixture_crl(c, "milan.crl");
    cr_assert_eq(vector_verify(&v, "virtee-sev/report_milan.bin", c, &p), KIT_PASS);
    cr_assert(v.revocation_checked);
    fixture_crl(c, "genoa.crl");
    cr_assert_eq(vector_verify(&v, "virtee-sev/report_milan.bin", c, &p), KIT_REJECTED);
    bool named = false;
    for (size_t i = 0; i < v.n; i++)
        named |= !strcmp(v.checks[i].name, "crl") && v.checks[i].status == SNP_CHECK_FAIL &&
                 strstr(v.checks[i].detail, "issued by 'ARK-Genoa'");
    cr_assert(named, "Genoa's CRL against a Milan chain is not named");
    snp_certs_free(c);
    /* Today both are stale: without --at they fail as expired, never silently pass. */
    c = vector_certs(milan);
    fixture_crl(c, "milan.crl");
    p.has_time = false;
    cr_assert_eq(vector_verify(&v, "virtee-sev/report_milan.bin", c, &p), KIT_REJECTED);
    cr_assert(strstr(kit_find(&v, "crl")->detail, "expired at 2026-05-12"));
    snp_certs_free(c);
}

/* The VLEK chain: Milan's CRL, signed by ARK-Milan, covers the ASVK as well. */
Test(amd_crl, vlek_report_with_milans_crl) {
    const char *files[] = {"trustee/test-vlek.der", "trustee/milan_ask_ark_asvk.pem", NULL};
    snp_certs_t *c = vector_certs(files);
    fixture_crl(c, "milan.crl");
    snp_policy_t p;
    snp_policy_init(&p);
    p.has_time = true;
    p.at = AMD_CRL_TIME;
    p.require_crl = true;
    p.allow_provisional = true;
    snp_verdict_t v;
    cr_assert_eq(vector_verify(&v, "trustee/test-vlek-report.bin", c, &p), KIT_PASS);
    cr_assert(strstr(kit_find(&v, "revocation")->detail, "the ASVK SEV-VLEK-Milan is not revoked"));
    snp_certs_free(c);
}
