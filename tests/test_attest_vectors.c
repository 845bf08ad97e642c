/* test_attest_vectors.c: the verifier against real SEV-SNP reports and AMD certificates from other
 * projects, read at run time from $ZB_SNP_VECTORS (never copied here); skipped when it is unset. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/attest.h"
#include "testutil.h"

#define VLEK_VALID_AT 1750000000 /* 2025-06-15, inside the VLEK's 2024-12-10..2025-12-10 */

static const char *vectors(void) {
    const char *v = test_env_dir("ZB_SNP_VECTORS");
    if (!v) cr_skip_test("ZB_SNP_VECTORS is unset: the real SEV-SNP vectors are skipped");
    return v;
}

static void load_report(snp_report_t *r, const char *file) {
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s", vectors(), file);
    cr_assert_eq(snp_report_read_file(r, path, err, sizeof err), ZBP_OK, "%s", err);
}

/* A certificate set from a NULL-ended list of files under the vectors directory. */
static snp_certs_t *load_certs(const char *const *files) {
    snp_certs_t *c = snp_certs_new();
    char path[4096], err[512];
    for (; *files; files++) {
        snprintf(path, sizeof path, "%s/%s", vectors(), *files);
        cr_assert_eq(snp_certs_load(c, path, err, sizeof err), ZBP_OK, "%s", err);
    }
    return c;
}

static const snp_check_t *find(const snp_verdict_t *v, const char *name) {
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->checks[i].name, name)) return &v->checks[i];
    return NULL;
}

static int status_of(const snp_verdict_t *v, const char *name) {
    const snp_check_t *c = find(v, name);
    cr_assert(c, "no check named %s", name);
    return c->status;
}

static void dump(const snp_verdict_t *v) {
    for (size_t i = 0; i < v->n; i++)
        fprintf(stderr, "  %d %-12s %s\n", v->checks[i].status, v->checks[i].name,
                v->checks[i].detail);
}

typedef struct {
    const char *report;
    const char *certs[4];
    bool debug, provisional, vlek;
    snp_gen_t gen;
} vector_t;

static const vector_t all[] = {
    {"go-sev-guest/attestation.bin", {"go-sev-guest/vcek.der", "go-sev-guest/ask_ark_milan.pem"},
     .debug = true, .gen = SNP_GEN_MILAN},
    {"virtee-sev/report_milan.bin", {"virtee-sev/vcek_milan.der", "virtee-sev/cert_chain_milan"},
     .gen = SNP_GEN_MILAN},
    {"trustee/test-report.bin", {"trustee/test-vcek.der", "trustee/milan_ask_ark_asvk.pem"},
     .provisional = true, .gen = SNP_GEN_MILAN},
    {"trustee/test-vlek-report.bin", {"trustee/test-vlek.der", "trustee/milan_ask_ark_asvk.pem"},
     .provisional = true, .vlek = true, .gen = SNP_GEN_MILAN},
    {"trustee/azure-genoa-snp-report-extracted.bin",
     {"trustee/vcek-genoa.pem", "trustee/genoa_ask_ark_asvk.pem"}, .gen = SNP_GEN_GENOA},
    {"trustee/azure-milan-hcl-snp-report-extracted.bin", {"trustee/vcek.pem"},
     .provisional = true, .gen = SNP_GEN_MILAN},
};

Test(vectors, every_report_verifies) {
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const vector_t *t = &all[i];
        snp_report_t r;
        load_report(&r, t->report);
        snp_certs_t *c = load_certs(t->certs);
        snp_policy_t p;
        snp_policy_init(&p);
        p.allow_debug = t->debug;
        p.allow_provisional = t->provisional;
        if (t->vlek) {
            p.has_time = true;
            p.at = VLEK_VALID_AT;
        }
        snp_verdict_t v;
        char err[512] = "";
        int rc = kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v);
        if (rc != KIT_PASS) dump(&v);
        cr_assert_eq(rc, ZBP_OK, "%s: %d %s", t->report, rc, err);
        cr_assert(v.ok);
        cr_assert_eq(v.gen.gen, t->gen, "%s: generation %d", t->report, v.gen.gen);
        static const char *must_pass[] = {"root", "product", "chain", "signature", "tcb"};
        for (size_t k = 0; k < 5; k++)
            cr_assert_eq(status_of(&v, must_pass[k]), SNP_CHECK_PASS, "%s: %s", t->report,
                         must_pass[k]);
        cr_assert_eq(status_of(&v, "chip-id"), t->vlek ? SNP_CHECK_SKIP : SNP_CHECK_PASS);
        /* and without the allowances, only those allowances' checks fail */
        if (t->debug || t->provisional) {
            p.allow_debug = p.allow_provisional = false;
            cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
            cr_assert_eq(status_of(&v, "debug"), t->debug ? SNP_CHECK_FAIL : SNP_CHECK_PASS);
            cr_assert_eq(status_of(&v, "provisional"),
                         t->provisional ? SNP_CHECK_FAIL : SNP_CHECK_PASS);
            cr_assert_eq(status_of(&v, "signature"), SNP_CHECK_PASS);
        }
        snp_certs_free(c);
    }
}

Test(vectors, generation_sources) {
    snp_report_t r;
    snp_gen_info_t g;
    load_report(&r, "trustee/azure-genoa-snp-report-extracted.bin");
    snp_report_generation(&g, &r, "Milan-B0", SNP_GEN_UNKNOWN);
    cr_assert_eq(g.gen, SNP_GEN_GENOA);
    cr_assert_eq(g.source, SNP_FROM_CPUID);
    load_report(&r, "virtee-sev/report_milan.bin");
    snp_report_generation(&g, &r, "Milan-B0", SNP_GEN_UNKNOWN);
    cr_assert_eq(g.gen, SNP_GEN_MILAN);
    cr_assert_eq(g.source, SNP_FROM_PRODUCT_NAME);
}

Test(vectors, debug_report_rejected_by_default) {
    snp_report_t r;
    load_report(&r, "go-sev-guest/attestation.bin");
    const char *files[] = {"go-sev-guest/vcek.der", "go-sev-guest/milan_vcek_cert_chain.pem", NULL};
    snp_certs_t *c = load_certs(files);
    snp_policy_t p;
    snp_policy_init(&p);
    uint8_t rd[64] = {1, 2, 3, 4, 5};
    p.report_data = rd;
    p.vmpl = 0;
    snp_verdict_t v;
    char err[512];
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    for (size_t i = 0; i < v.n; i++)
        cr_assert_eq(v.checks[i].status == SNP_CHECK_FAIL, !strcmp(v.checks[i].name, "debug"),
                     "%s: %s", v.checks[i].name, v.checks[i].detail);
    p.allow_debug = true;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_PASS);
    cr_assert_eq(status_of(&v, "report-data"), SNP_CHECK_PASS);
    cr_assert_eq(status_of(&v, "vmpl"), SNP_CHECK_PASS);
    /* a wrong REPORT_DATA, VMPL, MEASUREMENT or minimum TCB is named */
    rd[5] = 6;
    p.vmpl = 1;
    const uint8_t meas[1][48] = {{0}};
    p.measurements = meas;
    p.n_measurements = 1;
    p.check_min_tcb = true;
    p.min_tcb = (snp_tcb_t){.bootloader = 2, .snp = 6, .microcode = 68};
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(status_of(&v, "report-data"), SNP_CHECK_FAIL);
    cr_assert_eq(status_of(&v, "vmpl"), SNP_CHECK_FAIL);
    cr_assert_eq(status_of(&v, "measurement"), SNP_CHECK_FAIL);
    cr_assert_eq(status_of(&v, "min-tcb"), SNP_CHECK_FAIL);
    p.min_tcb.snp = 5;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(status_of(&v, "min-tcb"), SNP_CHECK_PASS);
    snp_certs_free(c);
}

Test(vectors, vlek_needs_time_inside_validity) {
    snp_report_t r;
    load_report(&r, "trustee/test-vlek-report.bin");
    cr_assert_eq(r.signing_key, 1);
    const char *files[] = {"trustee/test-vlek.der", "trustee/milan_ask_ark_asvk.pem", NULL};
    snp_certs_t *c = load_certs(files);
    snp_policy_t p;
    snp_policy_init(&p);
    p.allow_provisional = true;
    p.vmpl = 1;
    snp_verdict_t v;
    char err[512];
    time_t now = time(NULL);
    if (now > 1765324800) { /* after 2025-12-10 the VLEK has expired */
        cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
        cr_assert_eq(status_of(&v, "chain"), SNP_CHECK_FAIL);
        cr_assert(strstr(find(&v, "chain")->detail, "--at"));
    }
    p.has_time = true;
    p.at = VLEK_VALID_AT;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_PASS, "%s", err);
    p.at = 1700000000; /* 2023: before the VLEK was issued */
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(status_of(&v, "chain"), SNP_CHECK_FAIL);
    snp_vek_ext_t x;
    cr_assert_eq(snp_certs_vek_ext(&x, c, SNP_CERT_VLEK, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(x.tcb.microcode, 217); /* a 2-byte DER INTEGER */
    cr_assert_str_eq(x.csp_id, "CN=cc-us-east-2.amazonaws.com");
    cr_assert_eq(x.hwid_len, 0);
    /* without the ASVK, a VLEK report cannot be judged */
    snp_certs_t *only_vlek = snp_certs_new();
    char path[4096];
    snprintf(path, sizeof path, "%s/trustee/test-vlek.der", vectors());
    cr_assert_eq(snp_certs_load(only_vlek, path, err, sizeof err), ZBP_OK);
    snprintf(path, sizeof path, "%s/go-sev-guest/ask_ark_milan.pem", vectors());
    cr_assert_eq(snp_certs_load(only_vlek, path, err, sizeof err), ZBP_OK);
    cr_assert_eq(attest_verify(&v, &r, only_vlek, &p, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "ASVK"), "%s", err);
    snp_certs_free(only_vlek);
    snp_certs_free(c);
}

/* Every single-bit flip in the signed range either breaks the format or the signature. */
static void flip_all(const char *report, const char *const *files, int stride) {
    snp_report_t r, f;
    load_report(&r, report);
    snp_certs_t *c = load_certs(files);
    char err[512];
    cr_assert_eq(kit_sig(&r, c, err, sizeof err), KIT_PASS, "%s", err);
    uint8_t b[SNP_REPORT_SIZE];
    int parsed = 0;
    for (int bit = 0; bit < SNP_SIGNED_SIZE * 8; bit += stride) {
        memcpy(b, r.raw, sizeof b);
        b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (snp_report_parse(&f, b, sizeof b, err, sizeof err) != ZBP_OK) continue;
        parsed++;
        /* REJECTED, or EINPUT when the flip names the other key (SIGNING_KEY VLEK) */
        cr_assert_neq(kit_sig(&f, c, err, sizeof err), KIT_PASS,
                     "%s: flipping bit %d of byte 0x%03x still verifies", report, bit % 8, bit / 8);
    }
    cr_assert_gt(parsed, 0);
    snp_certs_free(c);
}

Test(vectors, any_bit_flip_fails) {
    const char *files[] = {"virtee-sev/vcek_milan.der", NULL};
    flip_all("virtee-sev/report_milan.bin", files, 1);
    const char *vlek[] = {"trustee/test-vlek.der", NULL};
    flip_all("trustee/test-vlek-report.bin", vlek, 7);
    const char *genoa[] = {"trustee/vcek-genoa.pem", NULL};
    flip_all("trustee/azure-genoa-snp-report-extracted.bin", genoa, 7);
}

Test(vectors, wrong_vcek_fails) {
    snp_report_t r;
    load_report(&r, "virtee-sev/report_milan.bin");
    /* another chip's genuine VCEK, with a genuine chain */
    const char *files[] = {"go-sev-guest/vcek.der", "go-sev-guest/ask_ark_milan.pem", NULL};
    snp_certs_t *c = load_certs(files);
    snp_verdict_t v;
    char err[512];
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, NULL, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(status_of(&v, "chain"), SNP_CHECK_PASS);
    cr_assert_eq(status_of(&v, "signature"), SNP_CHECK_FAIL);
    cr_assert_eq(status_of(&v, "chip-id"), SNP_CHECK_FAIL);
    snp_certs_free(c);
}

Test(vectors, root_must_be_pinned_and_match_product) {
    snp_report_t r;
    load_report(&r, "trustee/azure-genoa-snp-report-extracted.bin");
    /* a Genoa report, its VCEK, but Milan's ASK and ARK */
    const char *files[] = {"trustee/vcek-genoa.pem", "virtee-sev/milan_ask.pem",
                           "virtee-sev/milan_ark.pem", NULL};
    snp_certs_t *c = load_certs(files);
    snp_verdict_t v;
    char err[512];
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, NULL, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(status_of(&v, "root"), SNP_CHECK_PASS);
    cr_assert_eq(status_of(&v, "product"), SNP_CHECK_FAIL);
    cr_assert_eq(status_of(&v, "chain"), SNP_CHECK_FAIL);
    /* a trust root that is not the ARK given: refused */
    snp_policy_t p;
    snp_policy_init(&p);
    char root[4096];
    snprintf(root, sizeof root, "%s/virtee-sev/turin_ark.pem", vectors());
    p.trust_root = root;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(status_of(&v, "root"), SNP_CHECK_FAIL);
    snp_certs_free(c);
}

Test(vectors, malformed_certificates_parse_and_fail_the_chain) {
    snp_report_t r;
    load_report(&r, "trustee/test-report.bin");
    const char *names[] = {"trustee/test-vcek-invalid-legacy.der", "trustee/test-vcek-invalid-new.der"};
    snp_vek_ext_t x[2];
    for (int i = 0; i < 2; i++) {
        const char *files[] = {names[i], "trustee/milan_ask_ark_asvk.pem", NULL};
        snp_certs_t *c = load_certs(files);
        char err[512];
        cr_assert_eq(snp_certs_vek_ext(&x[i], c, SNP_CERT_VCEK, err, sizeof err), ZBP_OK,
                     "%s: %s", names[i], err);
        cr_assert_eq(x[i].hwid_len, 64, "%s", names[i]);
        snp_verdict_t v;
        cr_assert_eq(kit_judged(attest_verify(&v, &r, c, NULL, err, sizeof err), &v), KIT_REJECTED);
        cr_assert_eq(status_of(&v, "chain"), SNP_CHECK_FAIL, "%s", names[i]);
        snp_certs_free(c);
    }
    /* raw and wrapped hwID decode to the same bytes */
    cr_assert_eq(memcmp(x[0].hwid, x[1].hwid, 64), 0);
}

Test(vectors, turin_vcek_extensions) {
    const char *files[] = {"virtee-sev/vcek_turin.der", "virtee-sev/cert_chain_turin", NULL};
    snp_certs_t *c = load_certs(files);
    snp_vek_ext_t x;
    char err[512];
    cr_assert_eq(snp_certs_vek_ext(&x, c, SNP_CERT_VCEK, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_str_eq(x.product_name, "Turin");
    cr_assert(x.has_struct_version && x.struct_version == 1);
    cr_assert(x.has_fmc && x.has_bl && x.has_tee && x.has_snp && x.has_ucode);
    cr_assert_eq(x.hwid_len, 8);
    static const uint8_t hwid[8] = {0x1E, 0x55, 0x0A, 0x8E, 0xE5, 0xCF, 0x9F, 0x4D};
    cr_assert_eq(memcmp(x.hwid, hwid, 8), 0);
    cr_assert(snp_certs_has(c, SNP_CERT_ASK) && snp_certs_has(c, SNP_CERT_ARK));
    snp_certs_free(c);
}

Test(vectors, kds_url_matches_go_sev_guest) {
    snp_report_t r;
    load_report(&r, "go-sev-guest/attestation.bin");
    snp_kds_urls_t u;
    char err[512];
    cr_assert_eq(snp_kds_urls(&u, &r, SNP_GEN_MILAN, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert(!strncmp(u.vek, "https://kdsintf.amd.com/vcek/v1/Milan/3ac3fe21", 46), "%s", u.vek);
    size_t n = strlen(u.vek);
    const char *tail = "6b5d?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68";
    cr_assert(n > strlen(tail) && !strcmp(u.vek + n - strlen(tail), tail), "%s", u.vek);
    cr_assert_str_eq(u.chain, "https://kdsintf.amd.com/vcek/v1/Milan/cert_chain");
}

Test(vectors, conflicting_and_directory_certificates) {
    const char *a[] = {"go-sev-guest/vcek.der", NULL};
    snp_certs_t *c = load_certs(a);
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/virtee-sev/vcek_milan.der", vectors());
    cr_assert_eq(snp_certs_load(c, path, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "second, different vcek"), "%s", err);
    snp_certs_free(c);

    /* written out as a directory (PEM and DER), read back, and still verifying */
    const char *files[] = {"virtee-sev/vcek_milan.der", "virtee-sev/cert_chain_milan", NULL};
    c = load_certs(files);
    for (int der = 0; der < 2; der++) {
        char dir[] = "/tmp/zbp-attest-certs-XXXXXX";
        cr_assert(mkdtemp(dir));
        cr_assert_eq(snp_certs_write(c, dir, der, err, sizeof err), ZBP_OK, "%s", err);
        snp_certs_t *d = snp_certs_new();
        cr_assert_eq(snp_certs_load(d, dir, err, sizeof err), ZBP_OK, "%s", err);
        snp_report_t r;
        load_report(&r, "virtee-sev/report_milan.bin");
        snp_verdict_t v;
        cr_assert_eq(kit_judged(attest_verify(&v, &r, d, NULL, err, sizeof err), &v), KIT_PASS, "%s", err);
        snp_certs_free(d);
        static const char *names[] = {"ark", "ask", "vcek"};
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof path, "%s/%s.%s", dir, names[k], der ? "der" : "pem");
            cr_assert_eq(unlink(path), 0, "%s", path);
        }
        rmdir(dir);
    }
    snp_certs_free(c);
}
