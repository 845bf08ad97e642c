/* sim_sign.c: what the simulated signer does with its chain (sim.c): sign report bytes
 * 0x000..0x29F with the VCEK or VLEK, build real-format v5 reports for the sim backend, and issue
 * CRLs from the ARK, ASK or ASVK. TEST ONLY: none of it attests anything. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "attest/attest_int.h"

static const char *key_file(snp_cert_kind_t k) {
    static const char *names[SNP_CERT_KINDS] = {"ark.key", "ask.key", "asvk.key", "vcek.key",
                                                "vlek.key"};
    return k < SNP_CERT_KINDS ? names[k] : NULL;
}

static const char *cert_file(snp_cert_kind_t k) {
    static const char *names[SNP_CERT_KINDS] = {"ark.pem", "ask.pem", "asvk.pem", "vcek.pem",
                                                "vlek.pem"};
    return k < SNP_CERT_KINDS ? names[k] : NULL;
}

zbp_status attest_sim_sign_with(uint8_t report[SNP_REPORT_SIZE], const char *dir, snp_cert_kind_t key,
                         char *err, size_t errlen) {
    if (key != SNP_CERT_VCEK && key != SNP_CERT_VLEK)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "sim: reports are signed by a VCEK or VLEK");
    EVP_PKEY *pk;
    int rc = att_sim_load_key(&pk, dir, key_file(key), err, errlen);
    if (rc) return rc;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[160];
    size_t dl = sizeof der;
    ECDSA_SIG *sig = NULL;
    rc = ZBP_ERR_INTERNAL;
    if (md && EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, pk) == 1 &&
        EVP_DigestSign(md, der, &dl, report, SNP_SIGNED_SIZE) == 1) {
        const unsigned char *p = der;
        sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    }
    if (sig) {
        /* The report holds r and s little-endian in 72-byte fields; the rest of the area is 0. */
        memset(report + SNP_SIGNED_SIZE, 0, SNP_REPORT_SIZE - SNP_SIGNED_SIZE);
        if (BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), report + 0x2A0, 72) == 72 &&
            BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), report + 0x2E8, 72) == 72)
            rc = ZBP_OK;
    }
    if (rc)
        att_fail_ossl(err, errlen, rc, "sim: signing failed (is %s/%s a P-384 key?)", dir,
                      key_file(key));
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pk);
    return rc;
}

zbp_status attest_sim_sign(uint8_t report[SNP_REPORT_SIZE], const char *dir, char *err, size_t errlen) {
    uint32_t signing_key = (att_le32(report + 0x48) >> 2) & 7;
    return attest_sim_sign_with(report, dir, signing_key == 1 ? SNP_CERT_VLEK : SNP_CERT_VCEK, err,
                                errlen);
}

/* CPUID family, model and stepping of each simulated part (a classic stepping of each line). */
static void sim_cpuid(snp_gen_t gen, uint8_t out[3]) {
    static const uint8_t ids[4][3] = {
        [SNP_GEN_MILAN] = {0x19, 0x01, 0x01},
        [SNP_GEN_GENOA] = {0x19, 0x11, 0x01},
        [SNP_GEN_TURIN] = {0x1A, 0x02, 0x01},
    };
    memcpy(out, ids[gen], 3);
}

/* The certificates a sim report needs, as a certificate table. */
static int sim_table(attest_result_t *out, const snp_certs_t *c, bool vlek, char *err,
                     size_t errlen) {
    const snp_cert_kind_t kinds[] = {SNP_CERT_ARK, vlek ? SNP_CERT_ASVK : SNP_CERT_ASK,
                                     vlek ? SNP_CERT_VLEK : SNP_CERT_VCEK};
    const snp_entry_kind_t ekinds[] = {SNP_ENTRY_ARK, SNP_ENTRY_ASK,
                                       vlek ? SNP_ENTRY_VLEK : SNP_ENTRY_VCEK};
    unsigned char *der[3] = {NULL, NULL, NULL};
    size_t lens[3];
    int rc = ZBP_OK;
    for (int i = 0; i < 3 && !rc; i++) {
        int n = i2d_X509(att_certs_get(c, kinds[i]), &der[i]);
        if (n <= 0)
            rc = att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "sim: encoding");
        else
            lens[i] = (size_t)n;
    }
    if (!rc)
        rc = snp_cert_table_build(&out->certs, &out->certs_len, ekinds, (const uint8_t *const *)der,
                                  lens, 3, err, errlen);
    for (int i = 0; i < 3; i++)
        OPENSSL_free(der[i]);
    return rc;
}

/* The sim backend: a v5 report from the directory's part at its chain's TCB, REPORT_DATA as
 * asked, signed by the VCEK (or the VLEK with o->sim_vlek). */
int att_sim_get_report(attest_result_t *out, const attest_opts_t *o,
                       const uint8_t report_data[SNP_REPORT_DATA_SIZE], bool want_certs, char *err,
                       size_t errlen) {
    char dir[4096];
    if (o->sim_dir)
        snprintf(dir, sizeof dir, "%s", o->sim_dir);
    else if (attest_sim_default_dir(dir, sizeof dir))
        return zbp_fail(err, errlen, ZBP_ERR_ENV, "sim: no directory ($ZBP_SIM_DIR or $HOME)");
    attest_sim_opts_t so = {.vlek = o->sim_vlek};
    int rc = attest_sim_init_opts(dir, &so, err, errlen);
    if (rc) return rc;
    snp_certs_t *c = snp_certs_new();
    if (!c) return zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "out of memory");
    snp_cert_kind_t vk = o->sim_vlek ? SNP_CERT_VLEK : SNP_CERT_VCEK;
    const snp_cert_kind_t need[] = {SNP_CERT_ARK, o->sim_vlek ? SNP_CERT_ASVK : SNP_CERT_ASK, vk};
    snp_vek_ext_t x;
    char p[4200];
    for (size_t i = 0; i < 3 && !rc; i++)
        if (!(rc = att_sim_path(p, sizeof p, dir, cert_file(need[i]))))
            rc = snp_certs_load(c, p, err, errlen);
    if (!rc) rc = snp_certs_vek_ext(&x, c, vk, err, errlen);
    snp_gen_t gen = snp_gen_from_product_name(x.product_name);
    if (!rc && !gen)
        rc =
            zbp_fail(err, errlen, ZBP_ERR_INPUT, "sim: %s/%s names no product", dir, cert_file(vk));
    if (!rc && !o->sim_vlek && x.hwid_len != (gen == SNP_GEN_TURIN ? 8u : 64u))
        rc = zbp_fail(err, errlen, ZBP_ERR_INPUT, "sim: %s/vcek.pem has no hwID", dir);
    if (rc) {
        snp_certs_free(c);
        return rc;
    }
    snp_layout_t layout = gen == SNP_GEN_TURIN ? SNP_LAYOUT_TURIN : SNP_LAYOUT_LEGACY;
    uint8_t *b = out->report;
    memset(b, 0, SNP_REPORT_SIZE);
    uint64_t tcb = att_tcb_encode(&x.tcb, layout);
    att_put_le32(b + 0x00, 5);
    att_put_le32(b + 0x04, 1);                                     /* GUEST_SVN */
    att_put_le64(b + 0x08, SNP_POLICY_RESERVED1 | SNP_POLICY_SMT); /* ABI 0.0, SMT allowed */
    att_put_le32(b + 0x30, o->vmpl < 0 ? 0 : (uint32_t)o->vmpl);
    att_put_le32(b + 0x34, 1);
    att_put_le64(b + 0x38, tcb);
    att_put_le64(b + 0x40, 0x25);                         /* SMT_EN, ECC_EN, ALIAS_CHECK */
    att_put_le32(b + 0x48, (o->sim_vlek ? 1u : 0u) << 2); /* SIGNING_KEY */
    memcpy(b + 0x50, report_data, 64);
    /* A fixed, recognisable launch digest: SHA-384 of a label (no guest was measured). */
    unsigned int ml = 0;
    static const char label[] = "zbprover simulated guest";
    if (EVP_Digest(label, sizeof label - 1, b + 0x90, &ml, EVP_sha384(), NULL) != 1 ||
        RAND_bytes(b + 0x140, 32) != 1) {
        snp_certs_free(c);
        return att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "sim: digest/random failed");
    }
    memset(b + 0x160, 0xff, 32); /* no migration agent */
    att_put_le64(b + 0x180, tcb);
    sim_cpuid(gen, b + 0x188);
    if (!o->sim_vlek) memcpy(b + 0x1A0, x.hwid, x.hwid_len); /* a VLEK names no chip */
    att_put_le64(b + 0x1E0, tcb);
    b[0x1E8] = b[0x1EC] = 40; /* firmware 1.55.40 */
    b[0x1E9] = b[0x1ED] = 55;
    b[0x1EA] = b[0x1EE] = 1;
    att_put_le64(b + 0x1F0, tcb);
    rc = attest_sim_sign(b, dir, err, errlen);
    if (!rc && want_certs) rc = sim_table(out, c, o->sim_vlek, err, errlen);
    snp_certs_free(c);
    return rc;
}

zbp_status attest_sim_make_crl(uint8_t **der, size_t *len, const char *dir, const attest_sim_crl_t *s,
                        char *err, size_t errlen) {
    *der = NULL;
    *len = 0;
    if (s->issuer != SNP_CERT_ARK && s->issuer != SNP_CERT_ASK && s->issuer != SNP_CERT_ASVK)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "sim: a CRL's issuer is the ARK, ASK or ASVK");
    X509 *issuer = NULL, *rev = NULL;
    EVP_PKEY *key = NULL;
    X509_CRL *crl = NULL;
    ASN1_TIME *t = NULL, *next = NULL;
    int rc;
    snp_cert_kind_t signer = s->forge_signer ? s->signer : s->issuer;
    if ((rc = att_sim_load_cert(&issuer, dir, cert_file(s->issuer), err, errlen)) ||
        (rc = att_sim_load_key(&key, dir, key_file(signer), err, errlen)))
        goto done;
    rc = ZBP_ERR_INTERNAL;
    if (!(crl = X509_CRL_new()) || !X509_CRL_set_version(crl, 1) ||
        !X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) ||
        !(t = ASN1_TIME_set(NULL, s->this_update)) || !X509_CRL_set1_lastUpdate(crl, t) ||
        !(next = ASN1_TIME_set(NULL, s->next_update)) || !X509_CRL_set1_nextUpdate(crl, next))
        goto ossl;
    for (size_t i = 0; i < s->n_revoke; i++) {
        X509_free(rev);
        if ((rc = att_sim_load_cert(&rev, dir, cert_file(s->revoke[i]), err, errlen))) goto done;
        rc = ZBP_ERR_INTERNAL;
        X509_REVOKED *r = X509_REVOKED_new();
        if (!r || !X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(rev)) ||
            !X509_REVOKED_set_revocationDate(r, t) || !X509_CRL_add0_revoked(crl, r)) {
            X509_REVOKED_free(r);
            goto ossl;
        }
    }
    if (!X509_CRL_sort(crl) || !att_sim_sign_pss(NULL, crl, key)) goto ossl;
    int n = i2d_X509_CRL(crl, NULL);
    unsigned char *d = n > 0 ? malloc((size_t)n) : NULL, *p = d;
    if (!d || i2d_X509_CRL(crl, &p) != n) {
        free(d);
        goto ossl;
    }
    *der = d;
    *len = (size_t)n;
    rc = ZBP_OK;
    goto done;
ossl:
    rc = att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "sim: cannot make the CRL");
done:
    ASN1_TIME_free(t);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
    X509_free(issuer);
    X509_free(rev);
    EVP_PKEY_free(key);
    return rc;
}
