/* chain.c: who signed the report: the root (AMD's pinned ARKs, or the caller's --trust-root), the
 * product it stands for, the X.509 chain to the VCEK or VLEK, that key's kind against SIGNING_KEY,
 * and the VCEK's hwID against CHIP_ID. */
#include <string.h>
#include <strings.h>

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

const char *att_cn(X509 *x, char *buf, size_t len) {
    buf[0] = 0;
    X509_NAME *n = x ? X509_get_subject_name(x) : NULL;
    if (!n || X509_NAME_get_text_by_NID(n, NID_commonName, buf, (int)len) <= 0) buf[0] = 0;
    return buf;
}

static const char *issuer_cn(X509 *x, char *buf, size_t len) {
    buf[0] = 0;
    X509_NAME *n = X509_get_issuer_name(x);
    if (!n || X509_NAME_get_text_by_NID(n, NID_commonName, buf, (int)len) <= 0) buf[0] = 0;
    return buf;
}

/* Checks the root; returns its product (from the pin, else its CN "ARK-<P>"). Whatever the
 * report says or omits, an ARK from the certificates is trusted only when pinned: a verifier
 * that pins "the product's ARK" trusts any ARK once the product is unknown. */
snp_gen_t att_check_root(snp_verdict_t *v, X509 *ark, X509 *root, const char *root_path) {
    char cn[128];
    if (root) {
        if (ark && X509_cmp(ark, root) != 0) {
            att_verdict_add(v, "root", SNP_CHECK_FAIL,
                            "the ARK given (%s) is not the trust root %s",
                            att_cn(ark, cn, sizeof cn), root_path);
        } else {
            att_verdict_add(v, "root", SNP_CHECK_PASS, "trust root %s (%s), given by the caller",
                            root_path, att_cn(root, cn, sizeof cn));
        }
        att_cn(root, cn, sizeof cn);
        return strncmp(cn, "ARK-", 4) ? SNP_GEN_UNKNOWN : snp_gen_from_product_name(cn + 4);
    }
    unsigned char md[32];
    unsigned int mdlen = 0;
    char hex[65];
    if (!X509_digest(ark, EVP_sha256(), md, &mdlen) || mdlen != 32) {
        ERR_clear_error();
        att_verdict_add(v, "root", SNP_CHECK_FAIL, "cannot digest the ARK");
        return SNP_GEN_UNKNOWN;
    }
    zbp_hex_encode(hex, md, 32);
    for (size_t i = 0; i < sizeof pinned_arks / sizeof pinned_arks[0]; i++)
        if (!strcasecmp(hex, pinned_arks[i].sha256)) {
            att_verdict_add(v, "root", SNP_CHECK_PASS, "AMD ARK-%s (pinned SHA-256 %.16s...)",
                            snp_gen_name(pinned_arks[i].gen), pinned_arks[i].sha256);
            return pinned_arks[i].gen;
        }
    att_verdict_add(v, "root", SNP_CHECK_FAIL,
                    "the ARK (%s, SHA-256 %.16s...) is not one of AMD's pinned roots (a simulated "
                    "chain needs --trust-root)",
                    att_cn(ark, cn, sizeof cn), hex);
    return SNP_GEN_UNKNOWN;
}

void att_check_product(snp_verdict_t *v, snp_gen_t root_gen, const snp_gen_info_t *g) {
    if (root_gen && g->gen && root_gen != g->gen)
        att_verdict_add(v, "product", SNP_CHECK_FAIL,
                        "the report is from %s but the root is ARK-%s", snp_gen_name(g->gen),
                        snp_gen_name(root_gen));
    else if (g->gen)
        att_verdict_add(v, "product", SNP_CHECK_PASS, "%s (from the %s)", snp_gen_name(g->gen),
                        g->source == SNP_FROM_CPUID          ? "CPUID bytes"
                        : g->source == SNP_FROM_PRODUCT_NAME ? "VEK's productName"
                        : g->source == SNP_FROM_HINT         ? "caller's --product"
                                                             : "CHIP_ID rule");
}

void att_check_chain(snp_verdict_t *v, const att_ctx_t *cx) {
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    if (!store || !ctx || !untrusted || !X509_STORE_add_cert(store, cx->anchor) ||
        !sk_X509_push(untrusted, cx->mid) || !X509_STORE_CTX_init(ctx, store, cx->vek, untrusted)) {
        att_verdict_add(v, "chain", SNP_CHECK_FAIL, "OpenSSL could not set up the chain check");
    } else {
        /* No X509_STRICT: every real VCEK lacks an Authority Key Identifier. The root's own
         * signature is checked too, which OpenSSL skips by default. */
        X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CHECK_SS_SIGNATURE);
        X509_STORE_CTX_set_time(ctx, 0, cx->now);
        char a[64], m[64], l[64];
        att_cn(cx->anchor, a, sizeof a);
        att_cn(cx->mid, m, sizeof m);
        att_cn(cx->vek, l, sizeof l);
        if (X509_verify_cert(ctx) == 1) {
            att_verdict_add(v, "chain", SNP_CHECK_PASS, "%s -> %s -> %s", a, m, l);
        } else {
            int e = X509_STORE_CTX_get_error(ctx);
            att_verdict_add(v, "chain", SNP_CHECK_FAIL, "%s -> %s -> %s: %s (at depth %d)%s", a, m,
                            l, X509_verify_cert_error_string(e),
                            X509_STORE_CTX_get_error_depth(ctx),
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

/* SIGNING_KEY names the key; the certificate must be that kind of key by every mark it carries:
 * its CN, its issuer (SEV-<P> issues VCEKs, SEV-VLEK-<P> VLEKs), and its extensions (a VCEK
 * names its chip, a VLEK its cloud provider). A VLEK passed off as a VCEK, or the reverse, fails
 * here even before its signature does. */
void att_check_key_kind(snp_verdict_t *v, const att_ctx_t *cx, snp_gen_t gen) {
    char cn[64], iss[64], mcn[64], why[200] = "";
    att_cn(cx->vek, cn, sizeof cn);
    issuer_cn(cx->vek, iss, sizeof iss);
    att_cn(cx->mid, mcn, sizeof mcn);
    const char *want_cn = cx->vlek ? "SEV-VLEK" : "SEV-VCEK";
    bool iss_vlek = !strncmp(iss, "SEV-VLEK-", 9), mid_vlek = !strncmp(mcn, "SEV-VLEK-", 9);
    const char *iss_product = iss_vlek ? iss + 9 : !strncmp(iss, "SEV-", 4) ? iss + 4 : "";
    if (strcmp(cn, want_cn))
        snprintf(why, sizeof why, "its CN is '%s', not %s", cn, want_cn);
    else if (iss_vlek != cx->vlek || strncmp(iss, "SEV-", 4))
        snprintf(why, sizeof why, "it is issued by '%s', which issues %s", iss,
                 iss_vlek ? "VLEKs" : "VCEKs");
    else if (mid_vlek != cx->vlek)
        snprintf(why, sizeof why, "its intermediate is '%s'", mcn);
    else if (!cx->vlek && cx->x.csp_id[0])
        snprintf(why, sizeof why, "it carries a csp_id ('%.64s'), which only VLEKs carry",
                 cx->x.csp_id);
    else if (cx->vlek && cx->x.hwid_len)
        snprintf(why, sizeof why, "it carries a hwID, which only VCEKs carry");
    else if (cx->vlek && !cx->x.csp_id[0])
        snprintf(why, sizeof why, "it has no csp_id extension");
    else if (gen && snp_gen_from_product_name(iss_product) != gen)
        snprintf(why, sizeof why, "its issuer '%s' is not the %s intermediate", iss,
                 snp_gen_name(gen));
    if (why[0])
        att_verdict_add(v, "key-kind", SNP_CHECK_FAIL, "SIGNING_KEY %u names a %s, but %s",
                        cx->r->signing_key, cx->vname, why);
    else
        att_verdict_add(v, "key-kind", SNP_CHECK_PASS, "SIGNING_KEY %u: a %s (%s, issued by %s%s)",
                        cx->r->signing_key, cx->vname, cn, iss,
                        cx->vlek ? ", for a cloud provider" : ", naming its chip");
}

void att_check_chip_id(snp_verdict_t *v, const att_ctx_t *cx) {
    const snp_report_t *r = cx->r;
    if (cx->vlek) {
        att_verdict_add(v, "chip-id", SNP_CHECK_SKIP, "a VLEK names no chip");
        return;
    }
    if (r->mask_chip_key || att_is_zero(r->chip_id, 64)) {
        att_verdict_add(v, "chip-id", SNP_CHECK_SKIP, "CHIP_ID is masked");
        return;
    }
    /* A missing hwID is a failure, not a reason to skip: it is what binds the VCEK to a chip. */
    if (cx->x.hwid_len == 0) {
        att_verdict_add(v, "chip-id", SNP_CHECK_FAIL, "the VCEK has no hwID extension");
        return;
    }
    /* Turin's hwID is the first 8 bytes of CHIP_ID; the rest of CHIP_ID is then zero. */
    size_t n = cx->x.hwid_len;
    bool ok =
        !memcmp(r->chip_id, cx->x.hwid, n) && (n == 64 || att_is_zero(r->chip_id + n, 64 - n));
    char hex[17];
    zbp_hex_encode(hex, cx->x.hwid, 8);
    att_verdict_add(v, "chip-id", ok ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                    "CHIP_ID %s the VCEK's %zu-byte hwID (%s...)", ok ? "equals" : "differs from",
                    n, hex);
}
