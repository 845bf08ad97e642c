/* revocation.c: AMD's CRLs. KDS serves one CRL per product (.../vcek/v1/<P>/crl and
 * .../vlek/v1/<P>/crl), issued and signed by the ARK: it can revoke what the ARK issued, the ASK
 * and the ASVK. A CRL issued by an ASK or ASVK can revoke VCEKs or VLEKs (AMD publishes none:
 * it supersedes VCEKs by TCB instead), and is checked the same way.
 *
 * Every CRL given is judged, and any that cannot be trusted fails the verdict: issued by no
 * certificate of this chain (another product's), a signature that does not verify with its
 * issuer's key, outside its validity at the verification time, or an extension this code does
 * not understand marked critical. A CRL that cannot be used is never read as "no CRL": that is
 * how verifiers have let a stale or forged CRL switch revocation off. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "attest/attest_int.h"

static void fmt_time(char *buf, size_t len, const ASN1_TIME *t) {
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm))
        snprintf(buf, len, "?");
}

static void fmt_serial(char *buf, size_t len, const ASN1_INTEGER *s) {
    BIGNUM *bn = ASN1_INTEGER_to_BN(s, NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    snprintf(buf, len, "0x%s", hex ? hex : "?");
    OPENSSL_free(hex);
    BN_free(bn);
}

static bool has_critical_ext(const STACK_OF(X509_EXTENSION) * exts) {
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++)
        if (X509_EXTENSION_get_critical(sk_X509_EXTENSION_value(exts, i))) return true;
    return false;
}

/* Why crl cannot be trusted ("" when it can), judged against its issuer at time now. */
static void judge(char *why, size_t len, X509_CRL *crl, X509 *issuer, time_t now) {
    why[0] = 0;
    char a[40], b[40];
    EVP_PKEY *pk = X509_get0_pubkey(issuer);
    const ASN1_TIME *last = X509_CRL_get0_lastUpdate(crl), *next = X509_CRL_get0_nextUpdate(crl);
    if (!pk || X509_CRL_verify(crl, pk) != 1) {
        snprintf(why, len, "its signature does not verify with the issuer's key");
    } else if (has_critical_ext(X509_CRL_get0_extensions(crl))) {
        snprintf(why, len, "it has a critical extension this verifier does not handle");
    } else if (!last || X509_cmp_time(last, &now) > 0) {
        fmt_time(a, sizeof a, last);
        snprintf(why, len, "it is not valid before %s (thisUpdate; --at sets the time)", a);
    } else if (!next) {
        snprintf(why, len, "it has no nextUpdate, so nothing says when it goes stale");
    } else if (X509_cmp_time(next, &now) < 0) {
        fmt_time(a, sizeof a, last);
        fmt_time(b, sizeof b, next);
        snprintf(why, len, "it expired at %s (valid %s to then; fetch a fresh one, or --at)", b, a);
    } else {
        STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);
        for (int i = 0; i < sk_X509_REVOKED_num(rev); i++)
            if (has_critical_ext(X509_REVOKED_get0_extensions(sk_X509_REVOKED_value(rev, i)))) {
                snprintf(why, len, "an entry has a critical extension (an indirect CRL?)");
                break;
            }
    }
    ERR_clear_error();
}

/* Whether crl lists x; when it does, says so in v (revoked is then true). */
static bool lists(snp_verdict_t *v, X509_CRL *crl, X509 *x, const char *kind, const char *by) {
    X509_REVOKED *entry = NULL;
    if (X509_CRL_get0_by_serial(crl, &entry, X509_get0_serialNumber(x)) != 1 || !entry)
        return false;
    char cn[64], serial[80], when[40];
    fmt_serial(serial, sizeof serial, X509_get0_serialNumber(x));
    fmt_time(when, sizeof when, X509_REVOKED_get0_revocationDate(entry));
    att_verdict_add(v, "revocation", SNP_CHECK_FAIL,
                    "the %s %s (serial %s) is revoked since %s by %s's CRL", kind,
                    att_cn(x, cn, sizeof cn), serial, when, by);
    return true;
}

void att_check_revocation(snp_verdict_t *v, const att_ctx_t *cx) {
    size_t n = snp_certs_crl_count(cx->c);
    bool root_ok = false, mid_ok = false, bad = false, revoked = false;
    char root_cn[64], mid_cn[64], why[200], from[40], to[40];
    att_cn(cx->anchor, root_cn, sizeof root_cn);
    att_cn(cx->mid, mid_cn, sizeof mid_cn);
    v->crls = n;
    for (size_t i = 0; i < n; i++) {
        X509_CRL *crl = sk_X509_CRL_value(cx->c->crls, (int)i);
        const X509_NAME *in = X509_CRL_get_issuer(crl);
        bool by_root = !X509_NAME_cmp(in, X509_get_subject_name(cx->anchor));
        bool by_mid = !by_root && !X509_NAME_cmp(in, X509_get_subject_name(cx->mid));
        if (!by_root && !by_mid) {
            char icn[64] = "";
            X509_NAME_get_text_by_NID((X509_NAME *)in, NID_commonName, icn, sizeof icn);
            att_verdict_add(v, "crl", SNP_CHECK_FAIL,
                            "CRL %zu is issued by '%s', not by this chain's %s or %s (another "
                            "product's CRL?)",
                            i + 1, icn, root_cn, mid_cn);
            bad = true;
            continue;
        }
        const char *by = by_root ? root_cn : mid_cn;
        judge(why, sizeof why, crl, by_root ? cx->anchor : cx->mid, cx->now);
        if (why[0]) {
            att_verdict_add(v, "crl", SNP_CHECK_FAIL, "%s's CRL %zu cannot be used: %s", by, i + 1,
                            why);
            bad = true;
            continue;
        }
        fmt_time(from, sizeof from, X509_CRL_get0_lastUpdate(crl));
        fmt_time(to, sizeof to, X509_CRL_get0_nextUpdate(crl));
        int nrev = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)); /* -1: no list at all */
        att_verdict_add(v, "crl", SNP_CHECK_PASS, "%s's CRL, valid %.10s to %.10s, %d revoked", by,
                        from, to, nrev > 0 ? nrev : 0);
        /* A CRL speaks for what its issuer issued: the root's for the intermediate, the
         * intermediate's for the VEK. */
        if (by_root) {
            root_ok = true;
            revoked |= lists(v, crl, cx->mid, cx->mname, by);
        } else {
            mid_ok = true;
            revoked |= lists(v, crl, cx->vek, cx->vname, by);
        }
    }
    v->revocation_checked = root_ok && !bad;
    v->vek_revocation_checked = mid_ok && !bad;
    if (revoked) return; /* each revoked certificate has its own line */
    if (bad)
        att_verdict_add(v, "revocation", SNP_CHECK_FAIL,
                        "a CRL given cannot be used (above): revocation is not established");
    else if (!root_ok)
        att_verdict_add(v, "revocation", cx->p->require_crl ? SNP_CHECK_FAIL : SNP_CHECK_SKIP,
                        "no CRL from %s: revocation not checked (--crl FILE checks it%s)", root_cn,
                        cx->p->require_crl ? "; --require-crl is set"
                                           : "; --require-crl demands it");
    else
        att_verdict_add(v, "revocation", SNP_CHECK_PASS, "the %s %s is not revoked; the %s: %s",
                        cx->mname, mid_cn, cx->vname,
                        mid_ok ? "not revoked" : "no CRL from its issuer (AMD publishes none)");
}
