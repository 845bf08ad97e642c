/* test_attest_bundle.c: zbprover_verify_bundle, the client's offline verifier in the public C API
 * (include/zbprover.h), used from C as a linking client uses it: a bundle made here from a
 * fixture proof and a simulated report bound to it, then the proof, transcript, chain, CRL and
 * policy checks, the per-check callback, and the error model. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "attest/attest.h"
#include "attest_testkit.h"
#include "field/field.h"
#include "prover/json.h"
#include "prover/prover.h"
#include "testutil.h"
#include "zbprover.h"
#include "prover/util.h"

#define GENOA() kit_sim("genoa", SNP_GEN_GENOA, true)

static char *slurp(const char *file, size_t *len) {
    const char *d = test_env_dir("ZBP_TEST_DATA");
    if (!d) cr_skip_test("ZBP_TEST_DATA is not set");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/%s", d, file);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc(*len + 1);
    cr_assert(fread(b, 1, *len, f) == *len);
    fclose(f);
    b[*len] = 0;
    return b;
}

/* REPORT_DATA for the fixture's proof and signals under job id "job-1", no ticket. */
static void transcript(uint8_t rd[64], const char *proof, const char *pub, const uint8_t zsha[32]) {
    json_t *pd, *ud;
    zbp_json_error_t je;
    cr_assert_eq(zbp_json_parse(&pd, proof, strlen(proof), NULL, &je), 0);
    cr_assert_eq(zbp_json_parse(&ud, pub, strlen(pub), NULL, &je), 0);
    groth16_proof_t p;
    fr_t *sig;
    size_t n;
    char err[256];
    cr_assert_eq(groth16_proof_from_json(&p, pd, err, sizeof err), 0, "%s", err);
    cr_assert_eq(groth16_public_from_json(&sig, &n, ud, err, sizeof err), 0, "%s", err);
    uint8_t *pubs = malloc(32 * n + 1);
    for (size_t i = 0; i < n; i++)
        fr_to_bytes_be(pubs + 32 * i, &sig[i]);
    attest_proof_binding_t b = {.job_id = (const uint8_t *)"job-1",
                                .job_id_len = 5,
                                .publics = pubs,
                                .n_public = (uint32_t)n};
    memcpy(b.zkey_sha256, zsha, 32);
    const fq_t *c[8] = {&p.a.x, &p.a.y, &p.b.x.c0, &p.b.x.c1, &p.b.y.c0, &p.b.y.c1, &p.c.x, &p.c.y};
    for (int i = 0; i < 8; i++)
        fq_to_bytes_be(b.proof[i], c[i]);
    cr_assert_eq(attest_binding_proof(rd, &b, NULL, 0, NULL), 0);
    free(pubs);
    free(sig);
    json_decref(pd);
    json_decref(ud);
}

/* A JSON string literal of s (newlines escaped), appended to out. */
static void json_append_str(char *out, const char *s) {
    char *o = out + strlen(out);
    *o++ = '"';
    for (; *s; s++) {
        if (*s == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        } else {
            *o++ = *s;
        }
    }
    *o++ = '"';
    *o = 0;
}

typedef struct {
    char *bundle, *vk, *certs;
    size_t vk_len, certs_len;
    const char *dir;
    char root[1024];
    uint8_t raw[SNP_REPORT_SIZE]; /* the signed report the bundle carries */
} made_t;

/* The bundle a `serve --attest sim` answer would be for the multiplier fixture. signed_rd, when
 * not NULL, is what the report carries instead of the transcript (a lying host). */
static void make_bundle(made_t *m, const uint8_t *signed_rd) {
    size_t zl, pl, ul;
    char *zkey = slurp("multiplier/circuit.zkey", &zl);
    char *proof = slurp("multiplier/proof.json", &pl);
    char *pub = slurp("multiplier/public.json", &ul);
    m->vk = slurp("multiplier/verification_key.json", &m->vk_len);
    uint8_t zsha[32], rd[64];
    SHA256((const uint8_t *)zkey, zl, zsha);
    transcript(rd, proof, pub, zsha);
    m->dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, m->dir, false, signed_rd ? signed_rd : rd);
    memcpy(m->raw, raw, SNP_REPORT_SIZE);
    snp_certs_t *c = kit_certs(m->dir, kit_vcek_chain);
    char err[256];
    cr_assert_eq(snp_certs_to_pem(c, &m->certs, &m->certs_len, err, sizeof err), 0);
    snp_certs_free(c);
    kit_path(m->root, sizeof m->root, m->dir, "ark.pem");
    char b64[2 * SNP_REPORT_SIZE], zh[65], rh[129];
    EVP_EncodeBlock((unsigned char *)b64, raw, SNP_REPORT_SIZE);
    zbp_hex_encode(zh, zsha, 32);
    zbp_hex_encode(rh, rd, 64);
    m->bundle = malloc(pl + ul + m->certs_len * 2 + 8192);
    sprintf(m->bundle,
            "{\"id\":\"job-1\",\"ok\":true,\"ticket_id\":\"\",\"zkey_sha256\":\"%s\",\"proof\":%s,"
            "\"public\":%s,\"attestation\":{\"kind\":\"sim\",\"report_b64\":\"%s\","
            "\"report_data\":\"%s\",\"certs\":",
            zh, proof, pub, b64, rh);
    json_append_str(m->bundle, m->certs);
    strcat(m->bundle, "}}");
    free(zkey);
    free(proof);
    free(pub);
}

static void made_free(made_t *m) {
    free(m->bundle);
    free(m->vk);
    free(m->certs);
}

static unsigned char *read_root(const made_t *m, size_t *len) {
    FILE *f = fopen(m->root, "rb");
    cr_assert(f);
    unsigned char *b = malloc(8192);
    *len = fread(b, 1, 8192, f);
    fclose(f);
    return b;
}

typedef struct {
    int n, failed;
    char names[64][24];
} seen_t;

static void on_check(void *ctx, const char *name, int status, const char *detail) {
    seen_t *s = ctx;
    (void)detail;
    if (s->n < 64) snprintf(s->names[s->n], sizeof s->names[0], "%s", name);
    s->n++;
    s->failed += status == ZBPROVER_CHECK_FAIL;
}

static void options(zbprover_bundle_options_t *o, const made_t *m, unsigned char *root,
                    size_t root_len, seen_t *seen) {
    zbprover_bundle_options_init(o);
    o->vk_json = m->vk;
    o->vk_json_len = m->vk_len;
    o->trust_root = root;
    o->trust_root_len = root_len;
    o->job_id = "job-1";
    if (seen) {
        memset(seen, 0, sizeof *seen);
        o->on_check = on_check;
        o->on_check_ctx = seen;
    }
}

Test(api, verify_bundle_from_c) {
    made_t m;
    make_bundle(&m, NULL);
    size_t rl;
    unsigned char *root = read_root(&m, &rl);
    zbprover_bundle_options_t o;
    seen_t seen;
    options(&o, &m, root, rl, &seen);
    zbprover_bundle_result_t res;
    char err[512];
    int rc = zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, &res, err, sizeof err);
    cr_assert_eq(rc, ZBPROVER_OK, "%s", err);
    cr_assert(res.valid && res.attested && !res.revocation_checked);
    cr_assert_eq(res.failed, 0);
    cr_assert_eq((size_t)seen.n, res.checks);
    cr_assert_str_eq(seen.names[0], "proof");
    cr_assert_str_eq(seen.names[1], "transcript");
    /* Without the simulator's root a sim bundle attests nothing. */
    o.trust_root = NULL;
    o.trust_root_len = 0;
    rc = zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, &res, err, sizeof err);
    cr_assert_eq(rc, ZBPROVER_REJECTED);
    cr_assert(strstr(err, "rejected: attestation"), "%s", err);
    /* Another job id. */
    options(&o, &m, root, rl, NULL);
    o.job_id = "job-2";
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "job-id"), "%s", err);
    free(root);
    made_free(&m);
}

Test(api, tampered_signals_and_wrong_key_are_rejected) {
    made_t m;
    make_bundle(&m, NULL);
    size_t rl, ol;
    unsigned char *root = read_root(&m, &rl);
    zbprover_bundle_options_t o;
    options(&o, &m, root, rl, NULL);
    char err[512];
    /* Another circuit's key. */
    char *other = slurp("comparator/verification_key.json", &ol);
    o.vk_json = other;
    o.vk_json_len = ol;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "proof"), "%s", err);
    free(other);
    /* A public signal changed: the proof and the transcript both fail. */
    options(&o, &m, root, rl, NULL);
    char *p = strstr(m.bundle, "\"public\":");
    cr_assert(p);
    char *digit = strpbrk(p + 9, "0123456789");
    *digit = *digit == '9' ? '8' : (char)(*digit + 1);
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "proof transcript"), "%s", err);
    free(root);
    made_free(&m);
}

/* The host answers with the right claim in report_data but a report over other bytes: the
 * report's own REPORT_DATA is what must equal the transcript. */
Test(regression, report_data_mismatch_ignored_in_a_bundle) {
    uint8_t lie[64];
    memset(lie, 0x5a, sizeof lie);
    made_t m;
    make_bundle(&m, lie);
    size_t rl;
    unsigned char *root = read_root(&m, &rl);
    zbprover_bundle_options_t o;
    seen_t seen;
    options(&o, &m, root, rl, &seen);
    char err[512];
    zbprover_bundle_result_t res;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, &res, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "rejected: report-data"), "%s", err);
    cr_assert(!res.valid && !res.attested && res.failed == 1);
    free(root);
    made_free(&m);
}

Test(api, crl_and_policy_through_the_options) {
    made_t m;
    make_bundle(&m, NULL);
    size_t rl;
    unsigned char *root = read_root(&m, &rl);
    zbprover_bundle_options_t o;
    options(&o, &m, root, rl, NULL);
    char err[512];
    zbprover_bundle_result_t res;
    o.require_crl = 1;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, &res, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "revocation"), "%s", err);
    const snp_cert_kind_t ask = SNP_CERT_ASK;
    for (int revoke = 0; revoke < 2; revoke++) {
        attest_sim_crl_t s = {.issuer = SNP_CERT_ARK,
                              .revoke = &ask,
                              .n_revoke = (size_t)revoke,
                              .this_update = time(NULL) - 3600,
                              .next_update = time(NULL) + 86400};
        uint8_t *crl;
        size_t cl;
        cr_assert_eq(attest_sim_make_crl(&crl, &cl, m.dir, &s, err, sizeof err), 0, "%s", err);
        o.crl = crl;
        o.crl_len = cl;
        int rc = zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, &res, err, sizeof err);
        cr_assert_eq(rc, revoke ? ZBPROVER_REJECTED : ZBPROVER_OK, "%s", err);
        cr_assert(res.revocation_checked);
        free(crl);
    }
    /* The policy reaches the report: the simulated Genoa is below AMD's latest bulletins. */
    o.crl = NULL;
    o.crl_len = 0;
    o.require_crl = 0;
    o.min_tcb = "auto";
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "min-tcb") && strstr(err, "AMD-SB-3020"), "%s", err);
    o.min_tcb = NULL;
    const unsigned char meas[1][48] = {{1}};
    o.measurements = meas;
    o.n_measurements = 1;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "measurement"), "%s", err);
    free(root);
    made_free(&m);
}

/* The platform checks reach the report through the options: the simulated part has SMT on, and
 * its v5 report carries mitigation vectors, so a required bit it lacks is refused. */
Test(api, platform_and_mit_vector_through_the_options) {
    made_t m;
    make_bundle(&m, NULL);
    snp_report_t r;
    kit_parse(&r, m.raw);
    cr_assert(r.platform_info & SNP_PLATFORM_SMT_EN, "the simulated report has SMT on");
    cr_assert(!(r.platform_info & SNP_PLATFORM_TSME_EN));
    cr_assert(r.has_mit_vectors);
    size_t rl;
    unsigned char *root = read_root(&m, &rl);
    zbprover_bundle_options_t o;
    seen_t seen;
    options(&o, &m, root, rl, &seen);
    char err[512];
    cr_assert_eq(o.platform_require | o.platform_forbid | o.mit_vector_require, 0, "defaults");
    cr_assert_eq(o.check_mit_vector, 0);
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_OK, "%s", err);
    /* forbid SMT (bit 0, as the header numbers it) */
    o.platform_forbid = 1;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "rejected: platform-info") && strstr(err, "forbidden but set: smt"),
              "%s", err);
    /* a forbidden bit that is clear passes; a required one that is clear fails */
    o.platform_forbid = SNP_PLATFORM_TSME_EN;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_OK, "%s", err);
    o.platform_forbid = 0;
    o.platform_require = SNP_PLATFORM_SMT_EN | SNP_PLATFORM_TSME_EN;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "rejected: platform-info") && strstr(err, "tsme"), "%s", err);
    o.platform_require = 0;
    /* the mitigation vectors: what both hold passes, one bit more fails */
    uint64_t both = r.launch_mit_vector & r.current_mit_vector;
    uint64_t missing = 1;
    while (missing & both)
        missing <<= 1;
    o.check_mit_vector = 1;
    o.mit_vector_require = both;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_OK, "%s", err);
    options(&o, &m, root, rl, &seen);
    o.check_mit_vector = 1;
    o.mit_vector_require = both | missing;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_REJECTED);
    cr_assert(strstr(err, "rejected: mit-vector"), "%s", err);
    cr_assert_eq(seen.failed, 1, "only mit-vector fails");
    /* without check_mit_vector the mask is not looked at */
    o.check_mit_vector = 0;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_OK, "%s", err);
    free(root);
    made_free(&m);
}

/* `zbprover check-bundle` under argv; its exit status, its stdout and stderr in out. */
static int check_bundle(char *out, size_t cap, const char *args) {
    const char *bin = getenv("ZBP_BINARY");
    cr_assert(bin, "ZBP_BINARY is not set");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' check-bundle %s 2>&1", bin, args);
    FILE *f = popen(cmd, "r");
    cr_assert(f);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The same flags as `attest verify`, through the command. */
Test(cli, check_bundle_takes_the_platform_flags) {
    made_t m;
    make_bundle(&m, NULL);
    snp_report_t r;
    kit_parse(&r, m.raw);
    char *d = kit_tmpdir(), bpath[256], vpath[256];
    snprintf(bpath, sizeof bpath, "%s/bundle.json", d);
    snprintf(vpath, sizeof vpath, "%s/vk.json", d);
    FILE *f = fopen(bpath, "w");
    cr_assert(f && fputs(m.bundle, f) >= 0);
    fclose(f);
    f = fopen(vpath, "w");
    cr_assert(f && fwrite(m.vk, 1, m.vk_len, f) == m.vk_len);
    fclose(f);
    char base[2048], args[2400], out[16384];
    snprintf(base, sizeof base, "'%s' --vk '%s' --trust-root '%s'", bpath, vpath, m.root);
    cr_assert_eq(check_bundle(out, sizeof out, base), 0, "%s", out);
    cr_assert(strstr(out, "pass platform-info"), "%s", out);
    snprintf(args, sizeof args, "%s --forbid-smt", base);
    cr_assert_eq(check_bundle(out, sizeof out, args), 1, "%s", out);
    cr_assert(strstr(out, "FAIL platform-info") && strstr(out, "REJECTED: platform-info"), "%s",
              out);
    snprintf(args, sizeof args, "%s --platform-require smt,alias-check --platform-forbid=tsme",
             base);
    cr_assert_eq(check_bundle(out, sizeof out, args), 0, "%s", out);
    uint64_t both = r.launch_mit_vector & r.current_mit_vector, missing = 1;
    while (missing & both)
        missing <<= 1;
    snprintf(args, sizeof args, "%s --require-mit-vector %llx --json", base,
             (unsigned long long)both);
    cr_assert_eq(check_bundle(out, sizeof out, args), 0, "%s", out);
    cr_assert(strstr(out, "{\"name\":\"mit-vector\",\"status\":\"pass\""), "%s", out);
    snprintf(args, sizeof args, "%s --require-mit-vector 0x%llx", base,
             (unsigned long long)(both | missing));
    cr_assert_eq(check_bundle(out, sizeof out, args), 1, "%s", out);
    cr_assert(strstr(out, "FAIL mit-vector"), "%s", out);
    /* bad values: one line, exit 2 */
    snprintf(args, sizeof args, "%s --platform-require smt,bogus", base);
    cr_assert_eq(check_bundle(out, sizeof out, args), 2, "%s", out);
    cr_assert(strstr(out, "check-bundle: --platform-require: bad value 'smt,bogus'"), "%s", out);
    snprintf(args, sizeof args, "%s --require-mit-vector xyz", base);
    cr_assert_eq(check_bundle(out, sizeof out, args), 2, "%s", out);
    kit_rmdir(d);
    made_free(&m);
}

Test(api, input_errors_name_what_is_wrong) {
    made_t m;
    make_bundle(&m, NULL);
    zbprover_bundle_options_t o;
    options(&o, &m, NULL, 0, NULL);
    char err[512];
    o.min_tcb = "fast";
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_ERR_INPUT);
    cr_assert(strstr(err, "min_tcb 'fast'"), "%s", err);
    options(&o, &m, NULL, 0, NULL);
    o.vk_json = NULL;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_ERR_INPUT);
    options(&o, &m, NULL, 0, NULL);
    o.bundle_name = "answer.json";
    cr_assert_eq(zbprover_verify_bundle("{\"ok\":", 6, &o, NULL, err, sizeof err),
                 ZBPROVER_ERR_INPUT);
    cr_assert(strstr(err, "answer.json: line 1"), "%s", err);
    o.crl = (const unsigned char *)"junk";
    o.crl_len = 4;
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, err, sizeof err),
                 ZBPROVER_ERR_INPUT);
    cr_assert(strstr(err, "crl"), "%s", err);
    /* NULL and zero-length error buffers are fine. */
    cr_assert_eq(zbprover_verify_bundle(m.bundle, strlen(m.bundle), &o, NULL, NULL, 0),
                 ZBPROVER_ERR_INPUT);
    made_free(&m);
}
