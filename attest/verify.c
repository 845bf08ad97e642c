/* verify.c: judging a report with OpenSSL: root pin, chain (ARK -> ASK/ASVK -> VCEK/VLEK), the
 * signature over raw bytes 0x000..0x29F, the VEK's TCB and hwID, then the caller's policy. */
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509_vfy.h>

#include "attest/attest_int.h"

/* SHA-256 of the DER of AMD's root keys (the same in every public source). */
static const struct {
    snp_gen_t gen;
    const char *sha256;
} pinned_arks[] = {
    {SNP_GEN_MILAN, "69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD"},
    {SNP_GEN_GENOA, "4C6598D19C18719C5DFD4A7D335F674E5BFE1D8F800CEA2CF270C10D103DB2F1"},
    {SNP_GEN_TURIN, "1F084161A44BB6D93778A904877D4819CAFA5D05EF4193B2DED9DD9C73DD3F6A"},
};

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
#define add att_verdict_add

int attest_verify_signature(const snp_report_t *r, const snp_certs_t *c, char *err,
                            size_t errlen) {
    snp_cert_kind_t k = r->signing_key == 1 ? SNP_CERT_VLEK : SNP_CERT_VCEK;
    X509 *vek = att_certs_get(c, k);
    if (!vek)
        return att_fail(err, errlen, ATTEST_EINPUT, "no %s certificate given (SIGNING_KEY %u)",
                        snp_cert_kind_name(k), r->signing_key);
    EVP_PKEY *pk = X509_get0_pubkey(vek);
    char group[32] = "";
    size_t glen = 0;
    if (!pk || !EVP_PKEY_is_a(pk, "EC") ||
        !EVP_PKEY_get_utf8_string_param(pk, "group", group, sizeof group, &glen) ||
        strcmp(group, "secp384r1")) {
        ERR_clear_error();
        return att_fail(err, errlen, ATTEST_REJECTED, "the %s key is not ECDSA P-384",
                        snp_cert_kind_name(k));
    }
    int rc = ATTEST_EINTERNAL;
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
    rc = EVP_DigestVerify(md, der, (size_t)dl, r->raw, SNP_SIGNED_SIZE) == 1 ? ATTEST_OK
                                                                            : ATTEST_REJECTED;
    if (rc == ATTEST_REJECTED)
        att_fail(err, errlen, rc, "ECDSA P-384 signature does not verify with the %s",
                 snp_cert_kind_name(k));
out:
    if (rc == ATTEST_EINTERNAL) att_fail_ossl(err, errlen, rc, "signature check: OpenSSL failed");
    ERR_clear_error();
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    return rc;
}

static const char *cn_of(X509 *x, char *buf, size_t len) {
    buf[0] = 0;
    X509_NAME *n = X509_get_subject_name(x);
    if (!n || X509_NAME_get_text_by_NID(n, NID_commonName, buf, (int)len) <= 0) buf[0] = 0;
    return buf;
}

/* Checks the root; returns its product (from the pin, else its CN "ARK-<P>"). */
static snp_gen_t check_root(snp_verdict_t *v, X509 *ark, X509 *root, const char *root_path) {
    char cn[128];
    if (root) {
        if (ark && X509_cmp(ark, root) != 0) {
            add(v, "root", SNP_CHECK_FAIL, "the ARK given (%s) is not the trust root %s",
                cn_of(ark, cn, sizeof cn), root_path);
        } else {
            add(v, "root", SNP_CHECK_PASS, "trust root %s (%s), given by the caller", root_path,
                cn_of(root, cn, sizeof cn));
        }
        cn_of(root, cn, sizeof cn);
        return strncmp(cn, "ARK-", 4) ? SNP_GEN_UNKNOWN : snp_gen_from_product_name(cn + 4);
    }
    unsigned char md[32];
    unsigned int mdlen = 0;
    char hex[65];
    if (!X509_digest(ark, EVP_sha256(), md, &mdlen) || mdlen != 32) {
        ERR_clear_error();
        add(v, "root", SNP_CHECK_FAIL, "cannot digest the ARK");
        return SNP_GEN_UNKNOWN;
    }
    att_hex(hex, md, 32);
    for (size_t i = 0; i < sizeof pinned_arks / sizeof pinned_arks[0]; i++)
        if (!strcasecmp(hex, pinned_arks[i].sha256)) {
            add(v, "root", SNP_CHECK_PASS, "AMD ARK-%s (pinned SHA-256 %.16s...)",
                snp_gen_name(pinned_arks[i].gen), pinned_arks[i].sha256);
            return pinned_arks[i].gen;
        }
    add(v, "root", SNP_CHECK_FAIL,
        "the ARK (%s, SHA-256 %.16s...) is not one of AMD's pinned roots (a simulated chain needs "
        "--trust-root)",
        cn_of(ark, cn, sizeof cn), hex);
    return SNP_GEN_UNKNOWN;
}

static void check_chain(snp_verdict_t *v, X509 *anchor, X509 *mid, X509 *vek,
                        const snp_policy_t *p) {
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    if (!store || !ctx || !untrusted || !X509_STORE_add_cert(store, anchor) ||
        !sk_X509_push(untrusted, mid) || !X509_STORE_CTX_init(ctx, store, vek, untrusted)) {
        add(v, "chain", SNP_CHECK_FAIL, "OpenSSL could not set up the chain check");
    } else {
        /* No X509_STRICT: every real VCEK lacks an Authority Key Identifier. The root's own
         * signature is checked too, which OpenSSL skips by default. */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CHECK_SS_SIGNATURE);
        if (p->has_time) X509_STORE_CTX_set_time(ctx, 0, p->at);
        char a[64], m[64], l[64];
        if (X509_verify_cert(ctx) == 1) {
            add(v, "chain", SNP_CHECK_PASS, "%s -> %s -> %s", cn_of(anchor, a, sizeof a),
                cn_of(mid, m, sizeof m), cn_of(vek, l, sizeof l));
        } else {
            int e = X509_STORE_CTX_get_error(ctx);
            int depth = X509_STORE_CTX_get_error_depth(ctx);
            add(v, "chain", SNP_CHECK_FAIL, "%s -> %s -> %s: %s (at depth %d)%s",
                cn_of(anchor, a, sizeof a), cn_of(mid, m, sizeof m), cn_of(vek, l, sizeof l),
                X509_verify_cert_error_string(e), depth,
                e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID
                    ? "; --at sets the verification time"
                    : "");
        }
    }
    ERR_clear_error();
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
}

static void fmt_tcb(char *buf, size_t len, const snp_tcb_t *t, snp_layout_t layout) {
    if (layout == SNP_LAYOUT_TURIN)
        snprintf(buf, len, "fmc %u, bl %u, tee %u, snp %u, ucode %u", t->fmc, t->bootloader,
                 t->tee, t->snp, t->microcode);
    else
        snprintf(buf, len, "bl %u, tee %u, snp %u, ucode %u", t->bootloader, t->tee, t->snp,
                 t->microcode);
}

static void check_tcb(snp_verdict_t *v, const snp_report_t *r, const snp_vek_ext_t *x,
                      snp_layout_t layout, const char *vekname) {
    if (layout == SNP_LAYOUT_UNKNOWN) {
        add(v, "tcb", SNP_CHECK_FAIL,
            "the TCB layout is unknown (no CPUID bytes, productName or CHIP_ID): pass --product");
        return;
    }
    bool turin = layout == SNP_LAYOUT_TURIN;
    if (!x->has_bl || !x->has_tee || !x->has_snp || !x->has_ucode || (turin && !x->has_fmc)) {
        add(v, "tcb", SNP_CHECK_FAIL, "the %s lacks a TCB extension (bl/tee/snp/ucode%s SPL)",
            vekname, turin ? "/fmc" : "");
        return;
    }
    snp_tcb_t rep;
    snp_tcb_decode(&rep, r->reported_tcb, layout);
    snp_tcb_t cert = x->tcb;
    if (!turin) cert.fmc = 0;
    char a[96], b[96];
    fmt_tcb(a, sizeof a, &rep, layout);
    fmt_tcb(b, sizeof b, &cert, layout);
    if (memcmp(&rep, &cert, sizeof rep))
        add(v, "tcb", SNP_CHECK_FAIL, "REPORTED_TCB (%s) differs from the %s's (%s)", a, vekname,
            b);
    else
        add(v, "tcb", SNP_CHECK_PASS, "REPORTED_TCB = %s's TCB (%s)", vekname, a);
}

static void check_chip_id(snp_verdict_t *v, const snp_report_t *r, const snp_vek_ext_t *x) {
    if (r->signing_key == 1) {
        add(v, "chip-id", SNP_CHECK_SKIP, "a VLEK names no chip");
        return;
    }
    if (r->mask_chip_key || att_is_zero(r->chip_id, 64)) {
        add(v, "chip-id", SNP_CHECK_SKIP, "CHIP_ID is masked");
        return;
    }
    if (x->hwid_len == 0) {
        add(v, "chip-id", SNP_CHECK_FAIL, "the VCEK has no hwID extension");
        return;
    }
    /* Turin's hwID is the first 8 bytes of CHIP_ID; the rest of CHIP_ID is then zero. */
    bool ok = !memcmp(r->chip_id, x->hwid, x->hwid_len) &&
              (x->hwid_len == 64 || att_is_zero(r->chip_id + x->hwid_len, 64 - x->hwid_len));
    char hex[17];
    att_hex(hex, x->hwid, 8);
    add(v, "chip-id", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL, "CHIP_ID %s the VCEK's hwID (%s...)",
        ok ? "equals" : "differs from", hex);
}

static void check_bytes(snp_verdict_t *v, const char *name, const char *field, const uint8_t *got,
                        const uint8_t *want, size_t n) {
    if (!want) return;
    if (!memcmp(got, want, n)) {
        add(v, name, SNP_CHECK_PASS, "%s as expected", field);
    } else {
        char g[2 * 64 + 1];
        att_hex(g, got, n);
        add(v, name, SNP_CHECK_FAIL, "%s is %s, not the expected value", field, g);
    }
}

static void check_policy(snp_verdict_t *v, const snp_report_t *r, const snp_policy_t *p,
                         snp_layout_t layout) {
    bool debug = r->policy & SNP_POLICY_DEBUG, mig = r->policy & SNP_POLICY_MIGRATE_MA;
    add(v, "debug", debug && !p->allow_debug ? SNP_CHECK_FAIL : SNP_CHECK_PASS, "%s",
        !debug ? "POLICY.DEBUG is clear"
        : p->allow_debug ? "POLICY.DEBUG is set (allowed by --allow-debug)"
                         : "POLICY.DEBUG is set: the host can read the guest's memory "
                           "(--allow-debug accepts it)");
    add(v, "migrate-ma", mig && !p->allow_migrate_ma ? SNP_CHECK_FAIL : SNP_CHECK_PASS, "%s",
        !mig ? "POLICY.MIGRATE_MA is clear"
        : p->allow_migrate_ma ? "POLICY.MIGRATE_MA is set (allowed)"
                              : "POLICY.MIGRATE_MA is set: a migration agent may move the guest "
                                "(--allow-migrate-ma accepts it)");
    if (p->vmpl >= 0)
        add(v, "vmpl", r->vmpl == (uint32_t)p->vmpl ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
            "VMPL %u, expected %d", r->vmpl, p->vmpl);
    check_bytes(v, "report-data", "REPORT_DATA", r->report_data, p->report_data, 64);
    check_bytes(v, "measurement", "MEASUREMENT", r->measurement, p->measurement, 48);
    check_bytes(v, "host-data", "HOST_DATA", r->host_data, p->host_data, 32);
    if (p->check_min_tcb) {
        if (layout == SNP_LAYOUT_UNKNOWN) {
            add(v, "min-tcb", SNP_CHECK_FAIL, "the TCB layout is unknown: pass --product");
        } else {
            snp_tcb_t t, m = p->min_tcb;
            snp_tcb_decode(&t, r->reported_tcb, layout);
            if (layout != SNP_LAYOUT_TURIN) m.fmc = 0;
            bool ok = t.fmc >= m.fmc && t.bootloader >= m.bootloader && t.tee >= m.tee &&
                      t.snp >= m.snp && t.microcode >= m.microcode;
            char a[96], b[96];
            fmt_tcb(a, sizeof a, &t, layout);
            fmt_tcb(b, sizeof b, &m, layout);
            add(v, "min-tcb", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                "REPORTED_TCB (%s) %s the minimum (%s)", a, ok ? "meets" : "is below", b);
        }
    }
    bool same = r->committed_tcb == r->current_tcb && r->committed_build == r->current_build &&
                r->committed_minor == r->current_minor && r->committed_major == r->current_major;
    add(v, "provisional", same || p->allow_provisional ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
        "%s", same ? "COMMITTED = CURRENT (TCB and firmware version)"
              : p->allow_provisional
                  ? "COMMITTED differs from CURRENT: provisional firmware allowed"
                  : "COMMITTED differs from CURRENT: the firmware is provisional "
                    "(--allow-provisional accepts it)");
}

int attest_verify(snp_verdict_t *out, const snp_report_t *r, const snp_certs_t *c,
                  const snp_policy_t *p, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    out->ok = true;
    snp_policy_t defaults;
    if (!p) {
        snp_policy_init(&defaults);
        p = &defaults;
    }
    bool vlek = r->signing_key == 1;
    snp_cert_kind_t vk = vlek ? SNP_CERT_VLEK : SNP_CERT_VCEK, mk = vlek ? SNP_CERT_ASVK : SNP_CERT_ASK;
    const char *vname = vlek ? "VLEK" : "VCEK";
    X509 *vek = att_certs_get(c, vk), *mid = att_certs_get(c, mk), *ark = att_certs_get(c, SNP_CERT_ARK);
    if (!vek)
        return att_fail(err, errlen, ATTEST_EINPUT,
                        "the report is signed by a %s and no %s certificate was given", vname, vname);
    if (!mid)
        return att_fail(err, errlen, ATTEST_EINPUT, "no %s certificate was given (the %s's issuer)",
                        vlek ? "ASVK" : "ASK", vname);
    X509 *root = NULL;
    if (p->trust_root) {
        int rc = att_load_one_cert(&root, p->trust_root, err, errlen);
        if (rc) return rc;
    } else if (!ark) {
        return att_fail(err, errlen, ATTEST_EINPUT,
                        "no ARK certificate was given (the KDS cert_chain has it: see attest kds-url)");
    }
    snp_vek_ext_t x;
    int rc = snp_certs_vek_ext(&x, c, vk, err, errlen);
    if (rc) {
        X509_free(root);
        return rc;
    }
    snp_report_generation(&out->gen, r, x.product_name, p->product_hint);

    snp_gen_t root_gen = check_root(out, ark, root, p->trust_root);
    if (root_gen && out->gen.gen && root_gen != out->gen.gen)
        add(out, "product", SNP_CHECK_FAIL, "the report is from %s but the root is ARK-%s",
            snp_gen_name(out->gen.gen), snp_gen_name(root_gen));
    else if (out->gen.gen)
        add(out, "product", SNP_CHECK_PASS, "%s (from the %s)", snp_gen_name(out->gen.gen),
            out->gen.source == SNP_FROM_CPUID          ? "CPUID bytes"
            : out->gen.source == SNP_FROM_PRODUCT_NAME ? "VEK's productName"
            : out->gen.source == SNP_FROM_HINT         ? "caller's --product"
                                                       : "CHIP_ID rule");
    check_chain(out, root ? root : ark, mid, vek, p);
    char msg[256];
    rc = attest_verify_signature(r, c, msg, sizeof msg);
    if (rc == ATTEST_OK)
        add(out, "signature", SNP_CHECK_PASS, "ECDSA P-384 over 0x000..0x29F with the %s", vname);
    else if (rc == ATTEST_REJECTED)
        add(out, "signature", SNP_CHECK_FAIL, "%s", msg);
    else {
        X509_free(root);
        return att_fail(err, errlen, rc, "%s", msg);
    }
    check_tcb(out, r, &x, out->gen.layout, vname);
    check_chip_id(out, r, &x);
    check_policy(out, r, p, out->gen.layout);
    X509_free(root);
    /* Judged again from the record itself: one pass or skip line per check, nothing dropped. */
    bool all = out->dropped == 0;
    for (size_t i = 0; i < out->n; i++)
        all = all && (out->checks[i].status == SNP_CHECK_PASS ||
                      out->checks[i].status == SNP_CHECK_SKIP);
    out->ok = out->ok && all;
    return out->ok ? ATTEST_OK : ATTEST_REJECTED;
}
