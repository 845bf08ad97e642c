/* attest_testkit.h: what the attest tests share: the simulated signer's chains (kept in
 * $ZBP_TEST_SIM_CACHE between runs), signed reports, certificate sets, re-signing a report after
 * changing it, forging VEK certificates with chosen extensions, and finding a check by name.
 * Header-only (static inline functions): each test program includes it once. */
#ifndef ZBP_ATTEST_TESTKIT_H
#define ZBP_ATTEST_TESTKIT_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "attest/attest.h"
#include "testutil.h"

/* The simulated chain "name" (e.g. "genoa", "turin"), made once per build tree. */
static inline const char *kit_sim(const char *name, snp_gen_t product, bool vlek) {
    static char dirs[8][512];
    static const char *names[8];
    int slot = 0;
    while (slot < 8 && names[slot] && strcmp(names[slot], name))
        slot++;
    cr_assert(slot < 8, "too many simulated chains");
    const char *cache = getenv("ZBP_TEST_SIM_CACHE");
    char base[400];
    snprintf(base, sizeof base, "%s", cache && *cache ? cache : "/tmp/zbp-test-sim-cache");
    snprintf(dirs[slot], sizeof dirs[slot], "%s/%s", base, name);
    names[slot] = name;
    attest_sim_opts_t o = {.product = product, .vlek = vlek};
    char err[512];
    cr_assert_eq(attest_sim_init_opts(dirs[slot], &o, err, sizeof err), ZBP_OK, "%s", err);
    return dirs[slot];
}

static inline void kit_path(char *out, size_t len, const char *dir, const char *file) {
    snprintf(out, len, "%s/%s", dir, file);
}

/* A signed v5 report from the chain in dir, by its VCEK or (vlek) its VLEK. */
static inline void kit_report(uint8_t out[SNP_REPORT_SIZE], const char *dir, bool vlek,
                              const uint8_t *data) {
    attest_opts_t o;
    attest_opts_init(&o);
    o.backend = ATTEST_BACKEND_SIM;
    o.sim_dir = dir;
    o.sim_vlek = vlek;
    uint8_t zero[64] = {0};
    attest_result_t res;
    char err[512];
    cr_assert_eq(attest_get_report(&res, &o, data ? data : zero, false, err, sizeof err), ZBP_OK,
                 "%s", err);
    memcpy(out, res.report, SNP_REPORT_SIZE);
    attest_result_free(&res);
}

static inline void kit_parse(snp_report_t *r, const uint8_t raw[SNP_REPORT_SIZE]) {
    char err[512];
    cr_assert_eq(snp_report_parse(r, raw, SNP_REPORT_SIZE, err, sizeof err), ZBP_OK, "%s", err);
}

/* The certificates of dir named in files (NULL-ended), e.g. "ark.pem", "ask.pem", "vcek.pem". */
static inline snp_certs_t *kit_certs(const char *dir, const char *const *files) {
    snp_certs_t *c = snp_certs_new();
    char p[1024], err[512];
    for (; *files; files++) {
        kit_path(p, sizeof p, dir, *files);
        cr_assert_eq(snp_certs_load(c, p, err, sizeof err), ZBP_OK, "%s", err);
    }
    return c;
}

/* dir's certificates in files, then one more certificate file (a forged one, elsewhere). */
static inline snp_certs_t *kit_certs_plus(const char *dir, const char *const *files,
                                          const char *extra) {
    snp_certs_t *c = kit_certs(dir, files);
    char err[512];
    cr_assert_eq(snp_certs_load(c, extra, err, sizeof err), ZBP_OK, "%s", err);
    return c;
}

#define KIT_UNUSED __attribute__((unused))
static KIT_UNUSED const char *const kit_vcek_chain[] = {"ark.pem", "ask.pem", "vcek.pem", NULL};
static KIT_UNUSED const char *const kit_vlek_chain[] = {"ark.pem", "asvk.pem", "vlek.pem", NULL};
static KIT_UNUSED const char *const kit_mids[] = {"ark.pem", "ask.pem", "asvk.pem", NULL};
static KIT_UNUSED const char *const kit_ask_only[] = {"ask.pem", NULL};
static KIT_UNUSED const char *const kit_ark_ask[] = {"ark.pem", "ask.pem", NULL};
static KIT_UNUSED const char *const kit_both_chains[] = {"ark.pem",  "ask.pem",  "vcek.pem",
                                                         "asvk.pem", "vlek.pem", NULL};

/* A policy that trusts dir's simulated root; the path lives in a static buffer. */
static inline void kit_policy(snp_policy_t *p, const char *dir) {
    static char root[8][1024];
    static int next;
    char *r = root[next++ % 8];
    snp_policy_init(p);
    kit_path(r, 1024, dir, "ark.pem");
    p->trust_root = r;
}

/* Signs again after a test changed the report's bytes (key: SIGNING_KEY's, or forced). */
static inline void kit_resign(uint8_t raw[SNP_REPORT_SIZE], const char *dir) {
    char err[512];
    cr_assert_eq(attest_sim_sign(raw, dir, err, sizeof err), ZBP_OK, "%s", err);
}

static inline const snp_check_t *kit_find(const snp_verdict_t *v, const char *name) {
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->checks[i].name, name)) return &v->checks[i];
    return NULL;
}

static inline int kit_status(const snp_verdict_t *v, const char *name) {
    const snp_check_t *c = kit_find(v, name);
    cr_assert(c, "no check named %s", name);
    return c->status;
}

static inline void kit_dump(const snp_verdict_t *v) {
    for (size_t i = 0; i < v->n; i++)
        fprintf(stderr, "  %d %-12s %s\n", v->checks[i].status, v->checks[i].name,
                v->checks[i].detail);
}

/* Verifies (the status must be ZBP_OK) and returns KIT_PASS or KIT_REJECTED; the verdict in *v. */
static inline int kit_verify(snp_verdict_t *v, const uint8_t raw[SNP_REPORT_SIZE],
                             const snp_certs_t *c, const snp_policy_t *p) {
    snp_report_t r;
    kit_parse(&r, raw);
    char err[512] = "";
    zbp_status rc = attest_verify(v, &r, c, p, err, sizeof err);
    cr_assert_eq(rc, ZBP_OK, "attest_verify: %d %s", rc, err);
    return kit_judged(rc, v);
}

static inline FILE *kit_open(const char *dir, const char *file) {
    char p[1024];
    kit_path(p, sizeof p, dir, file);
    FILE *f = fopen(p, "r");
    cr_assert(f, "%s", p);
    return f;
}

static inline EVP_PKEY *kit_key(const char *dir, const char *file) {
    FILE *f = kit_open(dir, file);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    cr_assert(k, "%s: not a key", file);
    return k;
}

static inline X509 *kit_cert(const char *dir, const char *file) {
    FILE *f = kit_open(dir, file);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    cr_assert(x, "%s: not a certificate", file);
    return x;
}

/* A forged VEK: dir's base certificate ("vcek.pem") with the extension drop_oid removed (NULL:
 * none) and add_oid added with extnValue add_der (NULL: none), issued by and signed with
 * issuer's certificate and key ("ask", "asvk"), written as PEM to out. */
static inline void kit_forge(const char *dir, const char *base, const char *issuer,
                             const char *drop_oid, const char *add_oid, const uint8_t *add_der,
                             size_t add_len, const char *out) {
    X509 *x = kit_cert(dir, base);
    char f[64];
    snprintf(f, sizeof f, "%s.pem", issuer);
    X509 *is = kit_cert(dir, f);
    snprintf(f, sizeof f, "%s.key", issuer);
    EVP_PKEY *key = kit_key(dir, f);
    if (drop_oid) {
        ASN1_OBJECT *o = OBJ_txt2obj(drop_oid, 1);
        int i = X509_get_ext_by_OBJ(x, o, -1);
        cr_assert(i >= 0, "no %s in %s", drop_oid, base);
        X509_EXTENSION_free(X509_delete_ext(x, i));
        ASN1_OBJECT_free(o);
    }
    if (add_oid) {
        ASN1_OBJECT *o = OBJ_txt2obj(add_oid, 1);
        ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
        cr_assert(o && os && ASN1_OCTET_STRING_set(os, add_der, (int)add_len));
        X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, o, 0, os);
        cr_assert(e && X509_add_ext(x, e, -1));
        X509_EXTENSION_free(e);
        ASN1_OCTET_STRING_free(os);
        ASN1_OBJECT_free(o);
    }
    cr_assert(X509_set_issuer_name(x, X509_get_subject_name(is)));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    cr_assert(EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
              EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) > 0 && X509_sign_ctx(x, md) > 0);
    EVP_MD_CTX_free(md);
    FILE *w = fopen(out, "w");
    cr_assert(w, "%s", out);
    cr_assert(PEM_write_X509(w, x));
    fclose(w);
    X509_free(x);
    X509_free(is);
    EVP_PKEY_free(key);
}

/* A fresh temporary directory (removed by kit_rmdir). */
static inline char *kit_tmpdir(void) {
    char *d = strdup("/tmp/zbp-attest-test-XXXXXX");
    cr_assert(d && mkdtemp(d));
    return d;
}

static inline void kit_rmdir(char *d) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}

#endif
