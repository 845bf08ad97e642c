/* sim.c: the simulated signer for machines without SEV-SNP: a TEST-ONLY chain made once (RSA-4096
 * PSS ARK and ASK, P-384 VCEK with AMD's extensions) signing real-format reports. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "attest/attest_int.h"

/* The simulated chip: a Genoa (family 0x19, model 0x11) at a fixed TCB. ucode >= 128 makes the
 * VCEK carry a 2-byte INTEGER, as real ones do. */
static const snp_tcb_t sim_tcb = {.fmc = 0, .bootloader = 10, .tee = 0, .snp = 23, .microcode = 212};
#define SIM_PRODUCT "Genoa"
#define SIM_ORG "zbprover simulated SEV-SNP signer (TEST ONLY, not AMD)"

int attest_sim_default_dir(char *buf, size_t len) {
    const char *d = getenv("ZBP_SIM_DIR");
    int n;
    if (d && *d) {
        n = snprintf(buf, len, "%s", d);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) return ATTEST_EENV;
        n = snprintf(buf, len, "%s/.zbprover/sim", home);
    }
    return n > 0 && (size_t)n < len ? ATTEST_OK : ATTEST_EINPUT;
}

static int path_in(char *out, size_t len, const char *dir, const char *name) {
    int n = snprintf(out, len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < len ? ATTEST_OK : ATTEST_EINPUT;
}

/* mkdir -p, with the last component private: it holds a private key. */
static int make_dirs(const char *dir, char *err, size_t errlen) {
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return att_fail(err, errlen, ATTEST_EINPUT, "%s: path too long", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return att_fail(err, errlen, ATTEST_EENV, "%s: %s", p, strerror(errno));
        *s = '/';
    }
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return att_fail(err, errlen, ATTEST_EENV, "%s: %s", p, strerror(errno));
    return ATTEST_OK;
}

static int add_std_ext(X509 *x, X509 *issuer, int nid, const char *value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/* An extension whose extnValue is the given DER (AMD's extensions are not wrapped further). */
static int add_raw_ext(X509 *x, const char *oid, const uint8_t *der, size_t n) {
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    int ok = obj && os && ASN1_OCTET_STRING_set(os, der, (int)n);
    X509_EXTENSION *e = ok ? X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os) : NULL;
    ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return ok;
}

static int add_int_ext(X509 *x, const char *oid, unsigned v) {
    uint8_t d[4] = {0x02, 1, (uint8_t)v};
    size_t n = 3;
    if (v >= 0x80) { /* DER keeps the value positive with a leading zero byte */
        d[1] = 2;
        d[2] = 0;
        d[3] = (uint8_t)v;
        n = 4;
    }
    return add_raw_ext(x, oid, d, n);
}

static int sign_pss(X509 *x, EVP_PKEY *key) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = md && EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) > 0 && X509_sign_ctx(x, md) > 0;
    EVP_MD_CTX_free(md);
    return ok;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, long days) {
    X509 *x = X509_new();
    BIGNUM *serial = BN_new();
    X509_NAME *name = X509_NAME_new();
    int ok = x && serial && name && X509_set_version(x, 2) &&
             BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
             BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)SIM_ORG,
                                        -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                        -1, 0) &&
             X509_set_subject_name(x, name) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -86400) &&
             X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) && X509_set_pubkey(x, key);
    BN_free(serial);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_pem_cert(const char *dir, const char *name, X509 *x, char *err, size_t errlen) {
    char path[4200];
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio || path_in(path, sizeof path, dir, name) || !PEM_write_bio_X509(bio, x)) {
        BIO_free(bio);
        return att_fail_ossl(err, errlen, ATTEST_EINTERNAL, "sim: cannot encode %s", name);
    }
    char *d;
    long n = BIO_get_mem_data(bio, &d);
    int rc = att_write_file(path, (const uint8_t *)d, (size_t)n, 0644, err, errlen);
    BIO_free(bio);
    return rc;
}

static int generate(const char *dir, char *err, size_t errlen) {
    int rc = ATTEST_EINTERNAL;
    EVP_PKEY *ark_key = EVP_RSA_gen(4096), *ask_key = EVP_RSA_gen(4096), *vcek_key = EVP_EC_gen("P-384");
    X509 *ark = NULL, *ask = NULL, *vcek = NULL;
    BIO *kbio = NULL;
    uint8_t hwid[64];
    if (!ark_key || !ask_key || !vcek_key || RAND_bytes(hwid, sizeof hwid) != 1) goto fail;
    ark = new_cert(ark_key, "ARK-" SIM_PRODUCT, NULL, 25 * 365);
    if (!ark || !add_std_ext(ark, ark, NID_basic_constraints, "critical,CA:TRUE") ||
        !add_std_ext(ark, ark, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_std_ext(ark, ark, NID_subject_key_identifier, "hash") || !sign_pss(ark, ark_key))
        goto fail;
    ask = new_cert(ask_key, "SEV-" SIM_PRODUCT, ark, 25 * 365);
    if (!ask || !add_std_ext(ask, ark, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_std_ext(ask, ark, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_std_ext(ask, ark, NID_subject_key_identifier, "hash") || !sign_pss(ask, ark_key))
        goto fail;
    vcek = new_cert(vcek_key, "SEV-VCEK", ask, 7 * 365);
    static const uint8_t product[] = {0x16, sizeof SIM_PRODUCT - 1, 'G', 'e', 'n', 'o', 'a'};
    if (!vcek || !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.1", 0) ||
        !add_raw_ext(vcek, "1.3.6.1.4.1.3704.1.2", product, sizeof product) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.1", sim_tcb.bootloader) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.2", sim_tcb.tee) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.3", sim_tcb.snp) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.4", 0) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.5", 0) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.6", 0) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.7", 0) ||
        !add_int_ext(vcek, "1.3.6.1.4.1.3704.1.3.8", sim_tcb.microcode) ||
        !add_raw_ext(vcek, "1.3.6.1.4.1.3704.1.4", hwid, sizeof hwid) || !sign_pss(vcek, ask_key))
        goto fail;
    char path[4200];
    kbio = BIO_new(BIO_s_mem());
    if (!kbio || !PEM_write_bio_PrivateKey(kbio, vcek_key, NULL, NULL, 0, NULL, NULL)) goto fail;
    char *kd;
    long kn = BIO_get_mem_data(kbio, &kd);
    /* The key goes last: its presence is what says the chain is complete. */
    if ((rc = write_pem_cert(dir, "ark.pem", ark, err, errlen)) ||
        (rc = write_pem_cert(dir, "ask.pem", ask, err, errlen)) ||
        (rc = write_pem_cert(dir, "vcek.pem", vcek, err, errlen)) ||
        (rc = path_in(path, sizeof path, dir, "vcek.key")) ||
        (rc = att_write_file(path, (const uint8_t *)kd, (size_t)kn, 0600, err, errlen)))
        goto done;
    rc = ATTEST_OK;
    goto done;
fail:
    rc = att_fail_ossl(err, errlen, ATTEST_EINTERNAL, "sim: cannot generate the test chain");
done:
    OPENSSL_cleanse(hwid, sizeof hwid);
    BIO_free(kbio);
    X509_free(ark);
    X509_free(ask);
    X509_free(vcek);
    EVP_PKEY_free(ark_key);
    EVP_PKEY_free(ask_key);
    EVP_PKEY_free(vcek_key);
    return rc;
}

static bool complete(const char *dir) {
    static const char *files[] = {"ark.pem", "ask.pem", "vcek.pem", "vcek.key"};
    for (size_t i = 0; i < 4; i++) {
        char p[4200];
        struct stat st;
        if (path_in(p, sizeof p, dir, files[i]) || stat(p, &st) != 0 || !S_ISREG(st.st_mode))
            return false;
    }
    return true;
}

int attest_sim_init(const char *dir, char *err, size_t errlen) {
    int rc = make_dirs(dir, err, errlen);
    if (rc) return rc;
    if (complete(dir)) return ATTEST_OK;
    /* Two processes may start at once (parallel tests): one generates, the other waits. */
    char lock[4200];
    if (path_in(lock, sizeof lock, dir, ".lock"))
        return att_fail(err, errlen, ATTEST_EINPUT, "%s: path too long", dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return att_fail(err, errlen, ATTEST_EENV, "%s: %s", lock, strerror(errno));
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return att_fail(err, errlen, ATTEST_EENV, "%s: lock: %s", lock, strerror(errno));
    }
    rc = complete(dir) ? ATTEST_OK : generate(dir, err, errlen);
    close(fd); /* releases the lock */
    return rc;
}

static int load_key(EVP_PKEY **out, const char *dir, char *err, size_t errlen) {
    char path[4200];
    uint8_t *d;
    size_t n;
    *out = NULL;
    if (path_in(path, sizeof path, dir, "vcek.key"))
        return att_fail(err, errlen, ATTEST_EINPUT, "%s: path too long", dir);
    int rc = att_read_file(path, 1 << 16, &d, &n, err, errlen);
    if (rc) return rc;
    BIO *bio = BIO_new_mem_buf(d, (int)n);
    *out = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    OPENSSL_cleanse(d, n);
    free(d);
    if (!*out) return att_fail_ossl(err, errlen, ATTEST_EINPUT, "%s: not a private key", path);
    return ATTEST_OK;
}

int attest_sim_sign(uint8_t report[SNP_REPORT_SIZE], const char *dir, char *err, size_t errlen) {
    EVP_PKEY *key;
    int rc = load_key(&key, dir, err, errlen);
    if (rc) return rc;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char der[160];
    size_t dl = sizeof der;
    ECDSA_SIG *sig = NULL;
    rc = ATTEST_EINTERNAL;
    if (md && EVP_DigestSignInit(md, NULL, EVP_sha384(), NULL, key) == 1 &&
        EVP_DigestSign(md, der, &dl, report, SNP_SIGNED_SIZE) == 1) {
        const unsigned char *p = der;
        sig = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    }
    if (sig) {
        /* The report holds r and s little-endian in 72-byte fields; the rest of the area is 0. */
        memset(report + SNP_SIGNED_SIZE, 0, SNP_REPORT_SIZE - SNP_SIGNED_SIZE);
        if (BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), report + 0x2A0, 72) == 72 &&
            BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), report + 0x2E8, 72) == 72)
            rc = ATTEST_OK;
    }
    if (rc) att_fail_ossl(err, errlen, rc, "sim: signing failed (is %s/vcek.key a P-384 key?)", dir);
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return rc;
}

/* The sim backend: a v5 Genoa report at the chain's TCB, REPORT_DATA as asked, signed. */
int att_sim_get_report(attest_result_t *out, const attest_opts_t *o,
                       const uint8_t report_data[SNP_REPORT_DATA_SIZE], bool want_certs,
                       char *err, size_t errlen) {
    char dir[4096];
    if (o->sim_dir) snprintf(dir, sizeof dir, "%s", o->sim_dir);
    else if (attest_sim_default_dir(dir, sizeof dir))
        return att_fail(err, errlen, ATTEST_EENV, "sim: no directory ($ZBP_SIM_DIR or $HOME)");
    int rc = attest_sim_init(dir, err, errlen);
    if (rc) return rc;
    snp_certs_t *c = snp_certs_new();
    if (!c) return att_fail(err, errlen, ATTEST_EINTERNAL, "out of memory");
    snp_vek_ext_t x;
    char p[4200];
    const char *names[] = {"ark.pem", "ask.pem", "vcek.pem"};
    for (size_t i = 0; i < 3 && !rc; i++)
        if (!(rc = path_in(p, sizeof p, dir, names[i]))) rc = snp_certs_load(c, p, err, errlen);
    if (!rc) rc = snp_certs_vek_ext(&x, c, SNP_CERT_VCEK, err, errlen);
    if (!rc && x.hwid_len != 64) rc = att_fail(err, errlen, ATTEST_EINPUT, "sim: %s/vcek.pem has no hwID", dir);
    if (rc) {
        snp_certs_free(c);
        return rc;
    }
    uint8_t *b = out->report;
    memset(b, 0, SNP_REPORT_SIZE);
    uint64_t tcb = att_tcb_encode(&x.tcb, SNP_LAYOUT_LEGACY);
    att_put_le32(b + 0x00, 5);
    att_put_le32(b + 0x04, 1);                                  /* GUEST_SVN */
    att_put_le64(b + 0x08, SNP_POLICY_RESERVED1 | SNP_POLICY_SMT); /* ABI 0.0, SMT allowed */
    att_put_le32(b + 0x30, o->vmpl < 0 ? 0 : (uint32_t)o->vmpl);
    att_put_le32(b + 0x34, 1);
    att_put_le64(b + 0x38, tcb);
    att_put_le64(b + 0x40, 0x25);                               /* SMT_EN, ECC_EN, ALIAS_CHECK */
    memcpy(b + 0x50, report_data, 64);
    /* A fixed, recognisable launch digest: SHA-384 of a label (no guest was measured). */
    unsigned int ml = 0;
    static const char label[] = "zbprover simulated guest";
    if (EVP_Digest(label, sizeof label - 1, b + 0x90, &ml, EVP_sha384(), NULL) != 1 ||
        RAND_bytes(b + 0x140, 32) != 1) {
        snp_certs_free(c);
        return att_fail_ossl(err, errlen, ATTEST_EINTERNAL, "sim: digest/random failed");
    }
    memset(b + 0x160, 0xff, 32);                                /* no migration agent */
    att_put_le64(b + 0x180, tcb);
    b[0x188] = 0x19;                                            /* Genoa: family 19h model 11h */
    b[0x189] = 0x11;
    b[0x18A] = 0x01;
    memcpy(b + 0x1A0, x.hwid, 64);
    att_put_le64(b + 0x1E0, tcb);
    b[0x1E8] = b[0x1EC] = 40;                                   /* firmware 1.55.40 */
    b[0x1E9] = b[0x1ED] = 55;
    b[0x1EA] = b[0x1EE] = 1;
    att_put_le64(b + 0x1F0, tcb);
    rc = attest_sim_sign(b, dir, err, errlen);
    if (!rc && want_certs) {
        const snp_cert_kind_t kinds[] = {SNP_CERT_ARK, SNP_CERT_ASK, SNP_CERT_VCEK};
        const snp_entry_kind_t ekinds[] = {SNP_ENTRY_ARK, SNP_ENTRY_ASK, SNP_ENTRY_VCEK};
        unsigned char *der[3] = {NULL, NULL, NULL};
        size_t lens[3];
        for (int i = 0; i < 3 && !rc; i++) {
            int n = i2d_X509(att_certs_get(c, kinds[i]), &der[i]);
            if (n <= 0) rc = att_fail_ossl(err, errlen, ATTEST_EINTERNAL, "sim: encoding");
            else lens[i] = (size_t)n;
        }
        if (!rc)
            rc = snp_cert_table_build(&out->certs, &out->certs_len, ekinds,
                                      (const uint8_t *const *)der, lens, 3, err, errlen);
        for (int i = 0; i < 3; i++) OPENSSL_free(der[i]);
    }
    snp_certs_free(c);
    return rc;
}
