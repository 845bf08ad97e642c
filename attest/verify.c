/* verify.c: judging a report: the order of the checks (chain.c, tcb.c, policy.c, revocation.c),
 * the signature over raw bytes 0x000..0x29F, the fail-closed verdict, and its JSON form. */
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "attest/attest_int.h"
#include "prover/json.h"

void snp_policy_init(snp_policy_t *p) {
    memset(p, 0, sizeof *p);
    p->vmpl = -1;
}

void att_verdict_add(snp_verdict_t *v, const char *name, int status, const char *fmt, ...) {
    /* The verdict is decided before the record is kept, so a check that finds no room cannot
     * be lost: its failure counts, and the missing line itself fails the verdict. */
    if (status != SNP_CHECK_PASS && status != SNP_CHECK_SKIP) v->ok = false;
    if (v->n >= SNP_MAX_CHECKS) {
        v->dropped++;
        v->ok = false;
        return;
    }
    snp_check_t *c = &v->checks[v->n++];
    c->name = name;
    c->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
}

zbp_status attest_verify_signature(const snp_report_t *r, const snp_certs_t *c, bool *valid, char *err,
                                   size_t errlen) {
    *valid = false;
    snp_cert_kind_t k = r->signing_key == 1 ? SNP_CERT_VLEK : SNP_CERT_VCEK;
    X509 *vek = att_certs_get(c, k);
    if (!vek)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "no %s certificate given (SIGNING_KEY %u)",
                        snp_cert_kind_name(k), r->signing_key);
    EVP_PKEY *pk = X509_get0_pubkey(vek);
    char group[32] = "";
    size_t glen = 0;
    if (!pk || !EVP_PKEY_is_a(pk, "EC") ||
        !EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof group, &glen) ||
        strcmp(group, "secp384r1")) {
        ERR_clear_error();
        zbp_fail(err, errlen, ZBP_OK, "the %s key is not ECDSA P-384", snp_cert_kind_name(k));
        return ZBP_OK;
    }
    zbp_status rc = ZBP_ERR_INTERNAL;
    unsigned char *der = NULL;
    EVP_MD_CTX *md = NULL;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *R = BN_lebin2bn(r->raw + 0x2A0, 72, NULL), *S = BN_lebin2bn(r->raw + 0x2E8, 72, NULL);
    if (!sig || !R || !S || !ECDSA_SIG_set0(sig, R, S)) {
        BN_free(R);
        BN_free(S);
        goto out;
    }
    int dl = i2d_ECDSA_SIG(sig, &der);
    md = EVP_MD_CTX_new();
    if (dl <= 0 || !md || EVP_DigestVerifyInit(md, NULL, EVP_sha384(), NULL, pk) != 1) goto out;
    /* The raw bytes as received: re-encoding would zero reserved fields and change the hash. */
    rc = ZBP_OK;
    *valid = EVP_DigestVerify(md, der, (size_t)dl, r->raw, SNP_SIGNED_SIZE) == 1;
    if (!*valid)
        zbp_fail(err, errlen, ZBP_OK, "ECDSA P-384 signature does not verify with the %s",
                 k == SNP_CERT_VLEK ? "VLEK" : "VCEK");
out:
    if (rc == ZBP_ERR_INTERNAL) att_fail_ossl(err, errlen, rc, "signature check: OpenSSL failed");
    ERR_clear_error();
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    return rc;
}

zbp_status snp_policy_min_tcb(snp_policy_t *p, const char *spec) {
    if (!spec) return ZBP_ERR_INPUT;
    p->min_tcb_as_of[0] = 0;
    memset(&p->min_tcb, 0, sizeof p->min_tcb);
    if (!strcmp(spec, "auto") || !strncmp(spec, "auto:", 5)) {
        snp_min_tcb_t probe;
        const char *date = spec[4] ? spec + 5 : "";
        if ((spec[4] && !*date) || strlen(date) >= sizeof p->min_tcb_as_of ||
            snp_min_tcb_auto(&probe, SNP_GEN_MILAN, false, 0, 0, date, NULL, 0))
            return ZBP_ERR_INPUT;
        strcpy(p->min_tcb_as_of, date);
        p->check_min_tcb = p->min_tcb_auto = true;
        return ZBP_OK;
    }
    if (snp_tcb_parse(&p->min_tcb, spec)) return ZBP_ERR_INPUT;
    p->check_min_tcb = true;
    p->min_tcb_auto = false;
    return ZBP_OK;
}

/* The verdict as one compact JSON line, built as a jansson tree (prover/json.h writes it). */
static int set(json_t *o, const char *key, json_t *v) { return v ? json_object_set_new(o, key, v) : -1; }

static json_t *text(const char *s) { return zbp_json_text(s, strlen(s)); }

static json_t *hex_u64(uint64_t x) {
    char b[24];
    snprintf(b, sizeof b, "0x%llx", (unsigned long long)x);
    return json_string(b);
}

void attest_verdict_json(FILE *f, const snp_verdict_t *v) {
    static const char *status[] = {"pass", "fail", "skip"};
    json_t *o = json_object(), *rev = json_object(), *pi = json_object(), *checks = json_array();
    int bad = !o || !rev || !pi || !checks;
    bad |= set(o, "valid", json_boolean(v->ok));
    bad |= set(o, "product", text(snp_gen_name(v->gen.gen)));
    bad |= set(rev, "checked", json_boolean(v->revocation_checked));
    bad |= set(rev, "vek_checked", json_boolean(v->vek_revocation_checked));
    bad |= set(rev, "crls", json_integer((json_int_t)v->crls));
    bad |= set(o, "revocation", json_incref(rev));
    bad |= set(pi, "raw", hex_u64(v->platform_info));
    static const struct { const char *k; uint64_t bit; } bits[] = {
        {"smt", SNP_PLATFORM_SMT_EN},
        {"tsme", SNP_PLATFORM_TSME_EN},
        {"ecc", SNP_PLATFORM_ECC_EN},
        {"rapl_dis", SNP_PLATFORM_RAPL_DIS},
        {"ciphertext_hiding", SNP_PLATFORM_CIPHERTEXT_HIDING_EN},
        {"alias_check_complete", SNP_PLATFORM_ALIAS_CHECK_COMPLETE},
        {"sev_tio", SNP_PLATFORM_SEV_TIO_EN}};
    for (size_t k = 0; k < sizeof bits / sizeof bits[0]; k++)
        bad |= set(pi, bits[k].k, json_boolean(v->platform_info & bits[k].bit));
    bad |= set(o, "platform_info", json_incref(pi));
    if (v->has_mit_vectors) {
        json_t *mit = json_object();
        bad |= !mit || set(mit, "launch", hex_u64(v->launch_mit_vector)) ||
               set(mit, "current", hex_u64(v->current_mit_vector));
        bad |= set(o, "mit_vectors", mit);
    } else {
        bad |= set(o, "mit_vectors", json_null());
    }
    for (size_t k = 0; k < v->n; k++) {
        json_t *c = json_object();
        bad |= !c || set(c, "name", text(v->checks[k].name)) ||
               set(c, "status", json_string((unsigned)v->checks[k].status < 3
                                                ? status[v->checks[k].status]
                                                : "fail")) ||
               set(c, "detail", text(v->checks[k].detail));
        bad |= c ? json_array_append_new(checks, c) : -1;
    }
    if (v->dropped) {
        char d[64];
        snprintf(d, sizeof d, "%zu checks were not recorded", v->dropped);
        json_t *c = json_object();
        bad |= !c || set(c, "name", json_string("checks")) || set(c, "status", json_string("fail")) ||
               set(c, "detail", json_string(d));
        bad |= c ? json_array_append_new(checks, c) : -1;
    }
    bad |= set(o, "checks", json_incref(checks));
    char *t = bad ? NULL : zbp_json_dump_compact(o, NULL);
    /* a verdict is never left unsaid: out of memory still prints an invalid one */
    fprintf(f, "%s\n", t ? t : "{\"valid\":false,\"error\":\"out of memory\"}");
    free(t);
    json_decref(o);
    json_decref(rev);
    json_decref(pi);
    json_decref(checks);
}

/* Fills the context: the VEK and intermediate SIGNING_KEY names, the anchor, the extensions. */
static zbp_status setup(att_ctx_t *cx, X509 **root, const snp_report_t *r, const snp_certs_t *c,
                 const snp_policy_t *p, char *err, size_t errlen) {
    memset(cx, 0, sizeof *cx);
    *root = NULL;
    cx->r = r;
    cx->c = c;
    cx->p = p;
    cx->vlek = r->signing_key == 1;
    cx->vname = cx->vlek ? "VLEK" : "VCEK";
    cx->mname = cx->vlek ? "ASVK" : "ASK";
    cx->now = p->has_time ? p->at : time(NULL);
    snp_cert_kind_t vk = cx->vlek ? SNP_CERT_VLEK : SNP_CERT_VCEK;
    cx->vek = att_certs_get(c, vk);
    cx->mid = att_certs_get(c, cx->vlek ? SNP_CERT_ASVK : SNP_CERT_ASK);
    X509 *ark = att_certs_get(c, SNP_CERT_ARK);
    if (!cx->vek)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "the report is signed by a %s (SIGNING_KEY %u) and no %s certificate was "
                        "given",
                        cx->vname, r->signing_key, cx->vname);
    if (!cx->mid)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "no %s certificate was given (the %s's issuer)",
                        cx->mname, cx->vname);
    if (p->trust_root) {
        int rc = att_load_one_cert(root, p->trust_root, err, errlen);
        if (rc) return rc;
    } else if (p->trust_root_data) {
        int rc = att_parse_one_cert(root, p->trust_root_data, p->trust_root_len, "the trust root",
                                    err, errlen);
        if (rc) return rc;
    } else if (!ark) {
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "no ARK certificate was given (the KDS cert_chain has it: see attest "
                        "kds-url)");
    }
    cx->anchor = *root ? *root : ark;
    return snp_certs_vek_ext(&cx->x, c, vk, err, errlen);
}

zbp_status attest_verify(snp_verdict_t *out, const snp_report_t *r, const snp_certs_t *c,
                  const snp_policy_t *p, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->ok = true;
    snp_policy_t defaults;
    if (!p) {
        snp_policy_init(&defaults);
        p = &defaults;
    }
    att_ctx_t cx;
    X509 *root;
    zbp_status rc = setup(&cx, &root, r, c, p, err, errlen);
    if (rc) {
        out->ok = false;
        X509_free(root);
        return rc;
    }
    snp_report_generation(&out->gen, r, cx.x.product_name, p->product_hint);
    out->platform_info = r->platform_info;
    out->has_mit_vectors = r->has_mit_vectors;
    out->launch_mit_vector = r->launch_mit_vector;
    out->current_mit_vector = r->current_mit_vector;
    const char *root_name = p->trust_root ? p->trust_root : "(given in memory)";
    att_check_product(out, att_check_root(out, att_certs_get(c, SNP_CERT_ARK), root, root_name),
                      &out->gen);
    att_check_chain(out, &cx);
    att_check_revocation(out, &cx);
    att_check_key_kind(out, &cx, out->gen.gen);
    char msg[256];
    bool sig_ok;
    rc = attest_verify_signature(r, c, &sig_ok, msg, sizeof msg);
    if (rc == ZBP_OK && sig_ok)
        att_verdict_add(out, "signature", SNP_CHECK_PASS,
                        "ECDSA P-384 over 0x000..0x29F with the %s", cx.vname);
    else if (rc == ZBP_OK)
        att_verdict_add(out, "signature", SNP_CHECK_FAIL, "%s", msg);
    else {
        out->ok = false;
        X509_free(root);
        return zbp_fail(err, errlen, rc, "%s", msg);
    }
    att_check_tcb(out, &cx, out->gen.layout);
    att_check_chip_id(out, &cx);
    att_check_tcb_order(out, &cx, out->gen.layout);
    att_check_min_tcb(out, &cx, &out->gen);
    att_check_guest_policy(out, &cx);
    att_check_platform(out, &cx);
    att_check_launch(out, &cx);
    X509_free(root);
    /* Judged again from the record itself: one pass or skip line per check, nothing dropped. */
    bool all = out->dropped == 0;
    for (size_t i = 0; i < out->n; i++)
        all = all &&
              (out->checks[i].status == SNP_CHECK_PASS || out->checks[i].status == SNP_CHECK_SKIP);
    out->ok = out->ok && all;
    return ZBP_OK;
}
