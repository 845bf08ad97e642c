/* sim.c: the simulated signer's TEST-ONLY certificate chains, made once per directory: ARK (RSA
 * PSS) -> ASK -> VCEK, and on demand ARK -> ASVK -> VLEK, for a Milan, Genoa or Turin part, with
 * AMD's extensions in each product's shape. Signing and CRLs are sim_sign.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "attest/attest_int.h"

#define SIM_ORG "zbprover simulated SEV-SNP signer (TEST ONLY, not AMD)"
#define SIM_CSP "zbprover-sim (TEST ONLY)"

/* The simulated parts' TCBs. Genoa's ucode >= 128 makes its VEK carry a 2-byte INTEGER, as real
 * ones do; Milan's and Turin's meet the bulletin table of tcbtable.c, Genoa's does not (SNP 23),
 * so the tests see both verdicts of --min-tcb auto. */
const snp_tcb_t att_sim_default_tcb[4] = {
    [SNP_GEN_MILAN] = {.bootloader = 4, .tee = 0, .snp = 29, .microcode = 219},
    [SNP_GEN_GENOA] = {.bootloader = 10, .tee = 0, .snp = 23, .microcode = 212},
    [SNP_GEN_TURIN] = {.fmc = 1, .bootloader = 3, .tee = 2, .snp = 5, .microcode = 97},
};

int attest_sim_default_dir(char *buf, size_t len) {
    const char *d = getenv("ZBP_SIM_DIR");
    int n;
    if (d && *d) {
        n = snprintf(buf, len, "%s", d);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) return ZBP_ERR_ENV;
        n = snprintf(buf, len, "%s/.zbprover/sim", home);
    }
    return n > 0 && (size_t)n < len ? ZBP_OK : ZBP_ERR_INPUT;
}

int att_sim_path(char *out, size_t len, const char *dir, const char *name) {
    int n = snprintf(out, len, "%s/%s", dir, name);
    return n > 0 && (size_t)n < len ? ZBP_OK : ZBP_ERR_INPUT;
}

/* mkdir -p, with the last component private: it holds private keys. */
static int make_dirs(const char *dir, char *err, size_t errlen) {
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: path too long", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: %s", p, strerror(errno));
        *s = '/';
    }
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
        return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: %s", p, strerror(errno));
    return ZBP_OK;
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

static int add_ia5_ext(X509 *x, const char *oid, const char *s) {
    uint8_t d[130];
    size_t n = strlen(s);
    if (n > 127) return 0;
    d[0] = 0x16;
    d[1] = (uint8_t)n;
    memcpy(d + 2, s, n);
    return add_raw_ext(x, oid, d, n + 2);
}

int att_sim_sign_pss(X509 *x, X509_CRL *crl, EVP_PKEY *key) {
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok = md && EVP_DigestSignInit(md, &pctx, EVP_sha384(), NULL, key) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha384()) > 0 &&
             (x ? X509_sign_ctx(x, md) > 0 : X509_CRL_sign_ctx(crl, md) > 0);
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
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)SIM_ORG, -1,
                                        -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                        0) &&
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

static int write_pem(const char *dir, const char *name, X509 *x, EVP_PKEY *key, char *err,
                     size_t errlen) {
    char path[4200];
    BIO *bio = BIO_new(BIO_s_mem());
    int ok = bio && !att_sim_path(path, sizeof path, dir, name) &&
             (x ? PEM_write_bio_X509(bio, x)
                : PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL));
    if (!ok) {
        BIO_free(bio);
        return att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "sim: cannot encode %s", name);
    }
    char *d;
    long n = BIO_get_mem_data(bio, &d);
    int rc = att_write_file(path, (const uint8_t *)d, (size_t)n, x ? 0644 : 0600, err, errlen);
    OPENSSL_cleanse(d, (size_t)n);
    BIO_free(bio);
    return rc;
}

/* The VCEK or VLEK with AMD's extensions in the product's shape: Turin has structVersion 1, an
 * fmcSPL, no spl4 and an 8-byte hwID; a VLEK has a csp_id and no hwID. */
static X509 *new_vek(EVP_PKEY *key, bool vlek, X509 *mid, snp_gen_t gen, const snp_tcb_t *t,
                     const uint8_t *hwid) {
    bool turin = gen == SNP_GEN_TURIN;
    X509 *x = new_cert(key, vlek ? "SEV-VLEK" : "SEV-VCEK", mid, vlek ? 365 : 7 * 365);
    int ok = x && add_int_ext(x, "1.3.6.1.4.1.3704.1.1", turin ? 1 : 0) &&
             add_ia5_ext(x, "1.3.6.1.4.1.3704.1.2", snp_gen_name(gen)) &&
             add_int_ext(x, "1.3.6.1.4.1.3704.1.3.1", t->bootloader) &&
             add_int_ext(x, "1.3.6.1.4.1.3704.1.3.2", t->tee) &&
             add_int_ext(x, "1.3.6.1.4.1.3704.1.3.3", t->snp) &&
             (turin || add_int_ext(x, "1.3.6.1.4.1.3704.1.3.4", 0)) &&
             add_int_ext(x, "1.3.6.1.4.1.3704.1.3.5", 0) &&
             add_int_ext(x, "1.3.6.1.4.1.3704.1.3.6", 0) &&
             add_int_ext(x, "1.3.6.1.4.1.3704.1.3.7", 0) &&
             add_int_ext(x, "1.3.6.1.4.1.3704.1.3.8", t->microcode) &&
             (!turin || add_int_ext(x, "1.3.6.1.4.1.3704.1.3.9", t->fmc)) &&
             (vlek ? add_ia5_ext(x, "1.3.6.1.4.1.3704.1.5", SIM_CSP)
                   : add_raw_ext(x, "1.3.6.1.4.1.3704.1.4", hwid, turin ? 8 : 64));
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* An intermediate (ASK or ASVK) signed by the ARK. */
static X509 *new_mid(EVP_PKEY *key, const char *cn, X509 *ark, EVP_PKEY *ark_key) {
    X509 *x = new_cert(key, cn, ark, 25 * 365);
    if (!x || !add_std_ext(x, ark, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !add_std_ext(x, ark, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_std_ext(x, ark, NID_subject_key_identifier, "hash") ||
        !att_sim_sign_pss(x, NULL, ark_key)) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int gen_vcek_chain(const char *dir, snp_gen_t gen, const snp_tcb_t *t, char *err,
                          size_t errlen) {
    int rc = ZBP_ERR_INTERNAL;
    EVP_PKEY *ark_key = EVP_RSA_gen(4096), *ask_key = EVP_RSA_gen(4096),
             *vcek_key = EVP_EC_gen("P-384");
    X509 *ark = NULL, *ask = NULL, *vcek = NULL;
    uint8_t hwid[64];
    char cn[32];
    if (!ark_key || !ask_key || !vcek_key || RAND_bytes(hwid, sizeof hwid) != 1) goto fail;
    snprintf(cn, sizeof cn, "ARK-%s", snp_gen_name(gen));
    ark = new_cert(ark_key, cn, NULL, 25 * 365);
    if (!ark || !add_std_ext(ark, ark, NID_basic_constraints, "critical,CA:TRUE") ||
        !add_std_ext(ark, ark, NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !add_std_ext(ark, ark, NID_subject_key_identifier, "hash") ||
        !att_sim_sign_pss(ark, NULL, ark_key))
        goto fail;
    snprintf(cn, sizeof cn, "SEV-%s", snp_gen_name(gen));
    if (!(ask = new_mid(ask_key, cn, ark, ark_key))) goto fail;
    if (!(vcek = new_vek(vcek_key, false, ask, gen, t, hwid)) ||
        !att_sim_sign_pss(vcek, NULL, ask_key))
        goto fail;
    /* vcek.key goes last: its presence is what says the chain is complete. */
    if ((rc = write_pem(dir, "ark.pem", ark, NULL, err, errlen)) ||
        (rc = write_pem(dir, "ark.key", NULL, ark_key, err, errlen)) ||
        (rc = write_pem(dir, "ask.pem", ask, NULL, err, errlen)) ||
        (rc = write_pem(dir, "ask.key", NULL, ask_key, err, errlen)) ||
        (rc = write_pem(dir, "vcek.pem", vcek, NULL, err, errlen)) ||
        (rc = write_pem(dir, "vcek.key", NULL, vcek_key, err, errlen)))
        goto done;
    rc = ZBP_OK;
    goto done;
fail:
    rc = att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "sim: cannot generate the test chain");
done:
    OPENSSL_cleanse(hwid, sizeof hwid);
    X509_free(ark);
    X509_free(ask);
    X509_free(vcek);
    EVP_PKEY_free(ark_key);
    EVP_PKEY_free(ask_key);
    EVP_PKEY_free(vcek_key);
    return rc;
}

int att_sim_load_key(EVP_PKEY **out, const char *dir, const char *name, char *err, size_t errlen) {
    char path[4200];
    uint8_t *d;
    size_t n;
    *out = NULL;
    if (att_sim_path(path, sizeof path, dir, name))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: path too long", dir);
    int rc = att_read_file(path, 1 << 16, &d, &n, err, errlen);
    if (rc) return rc;
    BIO *bio = BIO_new_mem_buf(d, (int)n);
    *out = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    OPENSSL_cleanse(d, n);
    free(d);
    if (!*out) return att_fail_ossl(err, errlen, ZBP_ERR_INPUT, "%s: not a private key", path);
    return ZBP_OK;
}

int att_sim_load_cert(X509 **out, const char *dir, const char *name, char *err, size_t errlen) {
    char path[4200];
    *out = NULL;
    if (att_sim_path(path, sizeof path, dir, name))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: path too long", dir);
    return att_load_one_cert(out, path, err, errlen);
}

/* The VLEK chain, from the ARK already in dir: the ASVK (CN SEV-VLEK-<P>) and the VLEK, with the
 * VCEK's product and TCB. */
static int gen_vlek_chain(const char *dir, char *err, size_t errlen) {
    EVP_PKEY *ark_key = NULL, *asvk_key = NULL, *vlek_key = NULL;
    X509 *ark = NULL, *vcek = NULL, *asvk = NULL, *vlek = NULL;
    snp_vek_ext_t x;
    int rc;
    if ((rc = att_sim_load_key(&ark_key, dir, "ark.key", err, errlen)) ||
        (rc = att_sim_load_cert(&ark, dir, "ark.pem", err, errlen)) ||
        (rc = att_sim_load_cert(&vcek, dir, "vcek.pem", err, errlen)))
        goto done;
    unsigned char *der = NULL;
    int dl = i2d_X509(vcek, &der);
    rc = dl > 0 ? snp_vek_ext_parse_der(&x, der, (size_t)dl, err, errlen) : ZBP_ERR_INTERNAL;
    OPENSSL_free(der);
    if (rc) goto done;
    snp_gen_t gen = snp_gen_from_product_name(x.product_name);
    char cn[32];
    snprintf(cn, sizeof cn, "SEV-VLEK-%s", snp_gen_name(gen));
    rc = ZBP_ERR_INTERNAL;
    if (!gen || !(asvk_key = EVP_RSA_gen(4096)) || !(vlek_key = EVP_EC_gen("P-384")) ||
        !(asvk = new_mid(asvk_key, cn, ark, ark_key)) ||
        !(vlek = new_vek(vlek_key, true, asvk, gen, &x.tcb, NULL)) ||
        !att_sim_sign_pss(vlek, NULL, asvk_key)) {
        rc = att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "sim: cannot generate the VLEK chain");
        goto done;
    }
    if ((rc = write_pem(dir, "asvk.pem", asvk, NULL, err, errlen)) ||
        (rc = write_pem(dir, "asvk.key", NULL, asvk_key, err, errlen)) ||
        (rc = write_pem(dir, "vlek.pem", vlek, NULL, err, errlen)) ||
        (rc = write_pem(dir, "vlek.key", NULL, vlek_key, err, errlen)))
        goto done;
done:
    X509_free(ark);
    X509_free(vcek);
    X509_free(asvk);
    X509_free(vlek);
    EVP_PKEY_free(ark_key);
    EVP_PKEY_free(asvk_key);
    EVP_PKEY_free(vlek_key);
    return rc;
}

static bool have_files(const char *dir, const char *const *files, size_t n) {
    for (size_t i = 0; i < n; i++) {
        char p[4200];
        struct stat st;
        if (att_sim_path(p, sizeof p, dir, files[i]) || stat(p, &st) != 0 || !S_ISREG(st.st_mode))
            return false;
    }
    return true;
}

static const char *const vcek_files[] = {"ark.pem", "ark.key",  "ask.pem",
                                         "ask.key", "vcek.pem", "vcek.key"};
static const char *const vlek_files[] = {"asvk.pem", "asvk.key", "vlek.pem", "vlek.key"};

/* A certificate that is still valid a day from now: a chain kept in a directory for longer than
 * its VLEK's year is made again rather than failing every verification. */
static bool fresh(const char *dir, const char *name) {
    X509 *x;
    if (att_sim_load_cert(&x, dir, name, NULL, 0)) return false;
    time_t soon = time(NULL) + 86400;
    bool ok = X509_cmp_time(X509_get0_notAfter(x), &soon) > 0;
    X509_free(x);
    ERR_clear_error();
    return ok;
}

static bool complete(const char *dir, bool vlek) {
    return have_files(dir, vcek_files, 6) && fresh(dir, "vcek.pem") &&
           (!vlek || (have_files(dir, vlek_files, 4) && fresh(dir, "vlek.pem")));
}

zbp_status attest_sim_init(const char *dir, char *err, size_t errlen) {
    return attest_sim_init_opts(dir, NULL, err, errlen);
}

zbp_status attest_sim_init_opts(const char *dir, const attest_sim_opts_t *o, char *err, size_t errlen) {
    attest_sim_opts_t defaults = {0};
    if (!o) o = &defaults;
    snp_gen_t gen = o->product ? o->product : SNP_GEN_GENOA;
    if (gen != SNP_GEN_MILAN && gen != SNP_GEN_GENOA && gen != SNP_GEN_TURIN)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "sim: product must be Milan, Genoa or Turin");
    const snp_tcb_t *tcb = o->has_tcb ? &o->tcb : &att_sim_default_tcb[gen];
    int rc = make_dirs(dir, err, errlen);
    if (rc) return rc;
    if (complete(dir, o->vlek)) return ZBP_OK;
    /* Two processes may start at once (parallel tests): one generates, the other waits. */
    char lock[4200];
    if (att_sim_path(lock, sizeof lock, dir, ".lock"))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: path too long", dir);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: %s", lock, strerror(errno));
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: lock: %s", lock, strerror(errno));
    }
    rc = ZBP_OK;
    bool remade = false;
    if (!complete(dir, false)) {
        rc = gen_vcek_chain(dir, gen, tcb, err, errlen);
        remade = true;
    }
    /* A VLEK chain hangs from the ARK: a new ARK needs a new one. */
    if (!rc && o->vlek && (remade || !complete(dir, true))) rc = gen_vlek_chain(dir, err, errlen);
    close(fd); /* releases the lock */
    return rc;
}
