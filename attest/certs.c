/* certs.c: the AMD certificate set (ARK, ASK/ASVK, VCEK/VLEK, CRL): loading from directories,
 * PEM bundles, DER and certificate tables, classification by CN, writing, AMD's extensions. */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "attest/attest_int.h"

#define MAX_CERT_FILE (1u << 20)

snp_certs_t *snp_certs_new(void) { return calloc(1, sizeof(snp_certs_t)); }

void snp_certs_free(snp_certs_t *c) {
    if (!c) return;
    for (int k = 0; k < SNP_CERT_KINDS; k++) X509_free(c->cert[k]);
    sk_X509_CRL_pop_free(c->crls, X509_CRL_free);
    free(c);
}

size_t snp_certs_crl_count(const snp_certs_t *c) {
    return c && c->crls ? (size_t)sk_X509_CRL_num(c->crls) : 0;
}

/* Takes ownership of crl. The same CRL given twice (a directory and --crl) is kept once. */
static int push_crl(snp_certs_t *c, X509_CRL *crl, const char *what, char *err, size_t errlen) {
    if (!c->crls && !(c->crls = sk_X509_CRL_new_null())) {
        X509_CRL_free(crl);
        return zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "%s: out of memory", what);
    }
    for (int i = 0; i < sk_X509_CRL_num(c->crls); i++)
        if (X509_CRL_match(sk_X509_CRL_value(c->crls, i), crl) == 0) {
            X509_CRL_free(crl);
            return ZBP_OK;
        }
    if (!sk_X509_CRL_push(c->crls, crl)) {
        X509_CRL_free(crl);
        return zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "%s: out of memory", what);
    }
    return ZBP_OK;
}

X509 *att_certs_get(const snp_certs_t *c, snp_cert_kind_t k) {
    return c && k < SNP_CERT_KINDS ? c->cert[k] : NULL;
}

bool snp_certs_has(const snp_certs_t *c, snp_cert_kind_t k) { return att_certs_get(c, k) != NULL; }

const char *snp_cert_kind_name(snp_cert_kind_t k) {
    static const char *names[] = {"ark", "ask", "asvk", "vcek", "vlek"};
    return k < SNP_CERT_KINDS ? names[k] : "unknown";
}

/* AMD names its certificates by CN: ARK-<P>, SEV-<P> (ASK), SEV-VLEK-<P> (ASVK), SEV-VCEK,
 * SEV-VLEK. The CN, not a file name, says what a certificate is. */
static int classify(X509 *x, snp_cert_kind_t *out, char *cn, size_t cnlen) {
    cn[0] = 0;
    X509_NAME *name = X509_get_subject_name(x);
    int n = name ? X509_NAME_get_text_by_NID(name, NID_commonName, cn, (int)cnlen) : -1;
    if (n <= 0) return ZBP_ERR_INPUT;
    if (!strncmp(cn, "ARK-", 4)) *out = SNP_CERT_ARK;
    else if (!strcmp(cn, "SEV-VCEK")) *out = SNP_CERT_VCEK;
    else if (!strcmp(cn, "SEV-VLEK")) *out = SNP_CERT_VLEK;
    else if (!strncmp(cn, "SEV-VLEK-", 9)) *out = SNP_CERT_ASVK;
    else if (!strncmp(cn, "SEV-", 4)) *out = SNP_CERT_ASK;
    else return ZBP_ERR_INPUT;
    return ZBP_OK;
}

/* Takes ownership of x. */
static int add_x509(snp_certs_t *c, X509 *x, const char *what, char *err, size_t errlen) {
    snp_cert_kind_t k;
    char cn[128];
    if (classify(x, &k, cn, sizeof cn)) {
        X509_free(x);
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "%s: certificate with CN '%s' is not an AMD ARK, ASK, ASVK, VCEK or VLEK",
                        what, cn);
    }
    if (c->cert[k]) {
        int same = X509_cmp(c->cert[k], x) == 0;
        X509_free(x);
        if (same) return ZBP_OK;
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: a second, different %s certificate (%s)",
                        what, snp_cert_kind_name(k), cn);
    }
    c->cert[k] = x;
    return ZBP_OK;
}

zbp_status snp_certs_add_der(snp_certs_t *c, const uint8_t *der, size_t len, const char *what, char *err,
                      size_t errlen) {
    const unsigned char *p = der;
    if (len > MAX_CERT_FILE) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: too large", what);
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) return att_fail_ossl(err, errlen, ZBP_ERR_INPUT, "%s: not a DER certificate", what);
    if (p != der + len) {
        X509_free(x);
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: trailing bytes after the certificate",
                        what);
    }
    return add_x509(c, x, what, err, errlen);
}

static bool looks_pem(const uint8_t *d, size_t n) {
    return memmem(d, n, "-----BEGIN", 10) != NULL;
}

/* Every certificate and CRL of a PEM bundle, or the one certificate of a DER file. */
zbp_status snp_certs_add_blob(snp_certs_t *c, const uint8_t *d, size_t n, const char *what, char *err,
                       size_t errlen) {
    if (n > MAX_CERT_FILE) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: too large", what);
    if (!looks_pem(d, n)) return snp_certs_add_der(c, d, n, what, err, errlen);
    BIO *bio = BIO_new_mem_buf(d, (int)n);
    STACK_OF(X509_INFO) *infos = bio ? PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!infos)
        return att_fail_ossl(err, errlen, ZBP_ERR_INPUT, "%s: a PEM block does not parse", what);
    int count = 0, rc = ZBP_OK;
    for (int i = 0; i < sk_X509_INFO_num(infos) && !rc; i++) {
        X509_INFO *in = sk_X509_INFO_value(infos, i);
        if (in->x509) {
            count++;
            rc = add_x509(c, in->x509, what, err, errlen);
            in->x509 = NULL;
        }
        if (!rc && in->crl) {
            count++;
            rc = push_crl(c, in->crl, what, err, errlen);
            in->crl = NULL;
        }
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    ERR_clear_error();
    if (!rc && count == 0)
        rc = zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: no PEM certificate or CRL in it", what);
    return rc;
}

zbp_status snp_certs_add_crl(snp_certs_t *c, const uint8_t *d, size_t n, const char *what, char *err,
                      size_t errlen) {
    if (n > MAX_CERT_FILE) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: too large", what);
    if (looks_pem(d, n)) {
        BIO *bio = BIO_new_mem_buf(d, (int)n);
        if (!bio) return zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "%s: out of memory", what);
        int count = 0, rc = ZBP_OK;
        X509_CRL *crl;
        ERR_clear_error();
        while (!rc && (crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
            count++;
            rc = push_crl(c, crl, what, err, errlen);
        }
        /* The loop ends at the text's end ("no start line"); anything else is damage. */
        unsigned long e = ERR_peek_last_error();
        bool damaged = e && ERR_GET_REASON(e) != PEM_R_NO_START_LINE;
        BIO_free(bio);
        ERR_clear_error();
        if (!rc && (damaged || !count))
            rc = zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: %s", what,
                          count ? "a PEM CRL does not parse" : "no PEM CRL in it");
        return rc;
    }
    const unsigned char *p = d;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)n);
    if (!crl) return att_fail_ossl(err, errlen, ZBP_ERR_INPUT, "%s: not a DER or PEM CRL", what);
    if (p != d + n) {
        X509_CRL_free(crl);
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: trailing bytes after the CRL", what);
    }
    return push_crl(c, crl, what, err, errlen);
}

zbp_status snp_certs_load_crl(snp_certs_t *c, const char *path, char *err, size_t errlen) {
    uint8_t *d;
    size_t n;
    int rc = att_read_file(path, MAX_CERT_FILE, &d, &n, err, errlen);
    if (rc) return rc;
    rc = snp_certs_add_crl(c, d, n, path, err, errlen);
    free(d);
    return rc;
}

static bool has_suffix(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static bool is_crl_name(const char *base) {
    return !strncmp(base, "crl", 3) || has_suffix(base, ".crl");
}

static int load_file(snp_certs_t *c, const char *path, const char *base, char *err, size_t errlen) {
    uint8_t *d;
    size_t n;
    int rc = att_read_file(path, MAX_CERT_FILE, &d, &n, err, errlen);
    if (rc) return rc;
    /* KDS serves the CRL as "crl"; attest certificates writes crl.pem or crl.der. */
    if (is_crl_name(base)) rc = snp_certs_add_crl(c, d, n, path, err, errlen);
    else rc = snp_certs_add_blob(c, d, n, path, err, errlen);
    free(d);
    return rc;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

zbp_status snp_certs_load(snp_certs_t *c, const char *path, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        const char *base = strrchr(path, '/');
        return load_file(c, path, base ? base + 1 : path, err, errlen);
    }
    DIR *dir = opendir(path);
    if (!dir) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: %s", path, strerror(errno));
    /* Sorted, so that which file is named in a conflict does not depend on the file system. */
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && nn < 256) {
        const char *s = e->d_name;
        if (s[0] == '.') continue;
        if (has_suffix(s, ".pem") || has_suffix(s, ".der") || has_suffix(s, ".crt") ||
            has_suffix(s, ".cer") || !strncmp(s, "cert_chain", 10) || is_crl_name(s))
            if ((names[nn] = strdup(s)) != NULL) nn++;
    }
    closedir(dir);
    qsort(names, nn, sizeof names[0], cmp_str);
    int rc = ZBP_OK, loaded = 0;
    for (size_t i = 0; i < nn; i++) {
        char full[4200];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if (!rc && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            rc = load_file(c, full, names[i], err, errlen);
            loaded++;
        }
        free(names[i]);
    }
    if (!rc && !loaded)
        rc = zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: no certificate files (*.pem, *.der) in it",
                      path);
    return rc;
}

zbp_status snp_certs_add_table(snp_certs_t *c, const uint8_t *table, size_t len, char *err,
                        size_t errlen) {
    snp_cert_entry_t e[SNP_CERT_TABLE_MAX];
    size_t n;
    int rc = snp_cert_table_parse(e, SNP_CERT_TABLE_MAX, &n, table, len, err, errlen);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "certificate table entry %zu (%s)", i,
                 snp_entry_kind_name(e[i].kind));
        const uint8_t *d = table + e[i].offset;
        switch (e[i].kind) {
        case SNP_ENTRY_VCEK:
        case SNP_ENTRY_VLEK:
        case SNP_ENTRY_ASK:
        case SNP_ENTRY_ARK: {
            snp_cert_kind_t want = e[i].kind == SNP_ENTRY_VCEK  ? SNP_CERT_VCEK
                                   : e[i].kind == SNP_ENTRY_VLEK ? SNP_CERT_VLEK
                                   : e[i].kind == SNP_ENTRY_ARK  ? SNP_CERT_ARK
                                                                 : SNP_CERT_ASK;
            bool had[SNP_CERT_KINDS];
            for (int k = 0; k < SNP_CERT_KINDS; k++) had[k] = c->cert[k] != NULL;
            if ((rc = snp_certs_add_blob(c, d, e[i].length, what, err, errlen))) return rc;
            /* The GUID and the CN must agree (the ASK GUID also carries the ASVK). */
            for (int k = 0; k < SNP_CERT_KINDS; k++)
                if (!had[k] && c->cert[k] && (snp_cert_kind_t)k != want &&
                    !(want == SNP_CERT_ASK && k == SNP_CERT_ASVK))
                    return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s holds a %s certificate", what,
                                    snp_cert_kind_name((snp_cert_kind_t)k));
            break;
        }
        case SNP_ENTRY_CRL:
            if ((rc = snp_certs_add_crl(c, d, e[i].length, what, err, errlen))) return rc;
            break;
        default: break; /* unknown GUIDs and the private platform-info entry carry no certificate */
        }
    }
    return ZBP_OK;
}

int att_parse_one_cert(X509 **out, const uint8_t *d, size_t n, const char *what, char *err,
                       size_t errlen) {
    *out = NULL;
    if (n > MAX_CERT_FILE) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: too large", what);
    X509 *x = NULL;
    if (looks_pem(d, n)) {
        BIO *bio = BIO_new_mem_buf(d, (int)n);
        if (bio) x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        BIO_free(bio);
    } else {
        const unsigned char *p = d;
        x = d2i_X509(NULL, &p, (long)n);
    }
    if (!x) return att_fail_ossl(err, errlen, ZBP_ERR_INPUT, "%s: not a certificate", what);
    *out = x;
    return ZBP_OK;
}

int att_load_one_cert(X509 **out, const char *path, char *err, size_t errlen) {
    uint8_t *d;
    size_t n;
    *out = NULL;
    int rc = att_read_file(path, MAX_CERT_FILE, &d, &n, err, errlen);
    if (rc) return rc;
    rc = att_parse_one_cert(out, d, n, path, err, errlen);
    free(d);
    return rc;
}

static int write_pem_or_der(const char *path, X509 *x, bool der, char *err, size_t errlen) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) return zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "out of memory");
    int ok = der ? i2d_X509_bio(bio, x) : PEM_write_bio_X509(bio, x);
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    int rc = ok && n > 0 ? att_write_file(path, (const uint8_t *)data, (size_t)n, 0644, err, errlen)
                         : att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "%s: encoding", path);
    BIO_free(bio);
    return rc;
}

zbp_status snp_certs_write(const snp_certs_t *c, const char *dir, bool der, char *err, size_t errlen) {
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: %s", dir, strerror(errno));
    int rc = ZBP_OK;
    for (int k = 0; k < SNP_CERT_KINDS && !rc; k++) {
        if (!c->cert[k]) continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.%s", dir, snp_cert_kind_name((snp_cert_kind_t)k),
                 der ? "der" : "pem");
        rc = write_pem_or_der(path, c->cert[k], der, err, errlen);
    }
    /* PEM holds every CRL in one file; DER needs a file each. */
    size_t ncrl = snp_certs_crl_count(c);
    for (size_t i = 0; !rc && i < (der ? ncrl : ncrl ? 1 : 0); i++) {
        char path[4200];
        if (!der) snprintf(path, sizeof path, "%s/crl.pem", dir);
        else if (i == 0) snprintf(path, sizeof path, "%s/crl.der", dir);
        else snprintf(path, sizeof path, "%s/crl-%zu.der", dir, i + 1);
        BIO *bio = BIO_new(BIO_s_mem());
        bool ok = bio != NULL;
        for (size_t k = der ? i : 0; ok && k < (der ? i + 1 : ncrl); k++) {
            X509_CRL *crl = sk_X509_CRL_value(c->crls, (int)k);
            ok = der ? i2d_X509_CRL_bio(bio, crl) : PEM_write_bio_X509_CRL(bio, crl);
        }
        char *data;
        long n = ok ? BIO_get_mem_data(bio, &data) : 0;
        rc = ok && n > 0 ? att_write_file(path, (const uint8_t *)data, (size_t)n, 0644, err, errlen)
                         : att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "%s: encoding", path);
        BIO_free(bio);
    }
    return rc;
}

zbp_status snp_certs_to_pem(const snp_certs_t *c, char **out, size_t *len, char *err, size_t errlen) {
    *out = NULL;
    *len = 0;
    BIO *bio = BIO_new(BIO_s_mem());
    bool ok = bio != NULL;
    for (int k = 0; ok && k < SNP_CERT_KINDS; k++)
        if (c->cert[k]) ok = PEM_write_bio_X509(bio, c->cert[k]);
    for (size_t i = 0; ok && i < snp_certs_crl_count(c); i++)
        ok = PEM_write_bio_X509_CRL(bio, sk_X509_CRL_value(c->crls, (int)i));
    char *data = NULL;
    long n = ok ? BIO_get_mem_data(bio, &data) : -1;
    char *copy = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (copy) {
        /* An empty table leaves the BIO without a buffer (data NULL): nothing to copy. */
        if (n > 0) memcpy(copy, data, (size_t)n);
        copy[n] = 0;
        *out = copy;
        *len = (size_t)n;
    }
    BIO_free(bio);
    return copy ? ZBP_OK : att_fail_ossl(err, errlen, ZBP_ERR_INTERNAL, "encoding certificates");
}

/* ---- AMD's VCEK/VLEK extensions ---- */

/* The extnValue of the extension with OID oid, or NULL when absent. */
static const ASN1_OCTET_STRING *ext_value(X509 *x, const char *oid) {
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    if (!obj) return NULL;
    int i = X509_get_ext_by_OBJ(x, obj, -1);
    ASN1_OBJECT_free(obj);
    if (i < 0) return NULL;
    return X509_EXTENSION_get_data(X509_get_ext(x, i));
}

/* A DER INTEGER of 1 or 2 content bytes (KDS writes 2 for values of 128 and up), 0..255. */
static int der_small_int(const ASN1_OCTET_STRING *v, long *out) {
    const uint8_t *d = ASN1_STRING_get0_data(v);
    int n = ASN1_STRING_length(v);
    if (n < 3 || d[0] != 0x02 || d[1] < 1 || d[1] > 2 || n != 2 + d[1]) return -1;
    if (d[2] & 0x80) return -1; /* negative */
    long val = 0;
    for (int i = 0; i < d[1]; i++) val = val << 8 | d[2 + i];
    if (val > 255) return -1;
    *out = val;
    return 0;
}

/* An IA5String (short or one-byte long form) copied NUL-terminated. */
static int der_ia5(const ASN1_OCTET_STRING *v, char *out, size_t cap) {
    const uint8_t *d = ASN1_STRING_get0_data(v);
    int n = ASN1_STRING_length(v);
    if (n < 2 || d[0] != 0x16) return -1;
    size_t len, hdr;
    if (d[1] < 0x80) {
        len = d[1];
        hdr = 2;
    } else if (d[1] == 0x81 && n >= 3) {
        len = d[2];
        hdr = 3;
    } else {
        return -1;
    }
    if (hdr + len != (size_t)n || len >= cap) return -1;
    for (size_t i = 0; i < len; i++)
        if (d[hdr + i] < 0x20 || d[hdr + i] > 0x7e) return -1; /* printable ASCII only */
    memcpy(out, d + hdr, len);
    out[len] = 0;
    return 0;
}

static int parse_ext(snp_vek_ext_t *o, X509 *x, const char *what, char *err, size_t errlen) {
    memset(o, 0, sizeof *o);
    const ASN1_OCTET_STRING *v;
    if ((v = ext_value(x, "1.3.6.1.4.1.3704.1.1"))) {
        if (der_small_int(v, &o->struct_version))
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: structVersion is not a small INTEGER",
                            what);
        o->has_struct_version = true;
    }
    if ((v = ext_value(x, "1.3.6.1.4.1.3704.1.2")) &&
        der_ia5(v, o->product_name, sizeof o->product_name))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: productName is not a short IA5String",
                        what);
    static const struct { const char *oid, *name; size_t off, has; } spl[] = {
        {"1.3.6.1.4.1.3704.1.3.1", "blSPL", offsetof(snp_tcb_t, bootloader),
         offsetof(snp_vek_ext_t, has_bl)},
        {"1.3.6.1.4.1.3704.1.3.2", "teeSPL", offsetof(snp_tcb_t, tee),
         offsetof(snp_vek_ext_t, has_tee)},
        {"1.3.6.1.4.1.3704.1.3.3", "snpSPL", offsetof(snp_tcb_t, snp),
         offsetof(snp_vek_ext_t, has_snp)},
        {"1.3.6.1.4.1.3704.1.3.8", "ucodeSPL", offsetof(snp_tcb_t, microcode),
         offsetof(snp_vek_ext_t, has_ucode)},
        {"1.3.6.1.4.1.3704.1.3.9", "fmcSPL", offsetof(snp_tcb_t, fmc),
         offsetof(snp_vek_ext_t, has_fmc)},
    };
    for (size_t i = 0; i < sizeof spl / sizeof spl[0]; i++) {
        if (!(v = ext_value(x, spl[i].oid))) continue;
        long val;
        if (der_small_int(v, &val))
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: %s is not a 1- or 2-byte INTEGER in 0..255", what, spl[i].name);
        ((uint8_t *)&o->tcb)[spl[i].off] = (uint8_t)val;
        *(bool *)((uint8_t *)o + spl[i].has) = true;
    }
    if ((v = ext_value(x, "1.3.6.1.4.1.3704.1.4"))) {
        const uint8_t *d = ASN1_STRING_get0_data(v);
        int n = ASN1_STRING_length(v);
        /* KDS puts the raw bytes in extnValue; some writers wrap them in an OCTET STRING. The
         * lengths tell the two apart: 64 or 8 raw, 66 or 10 wrapped. */
        if (n == 64 || n == 8) {
            memcpy(o->hwid, d, (size_t)n);
            o->hwid_len = (size_t)n;
        } else if ((n == 66 || n == 10) && d[0] == 0x04 && d[1] == n - 2) {
            memcpy(o->hwid, d + 2, (size_t)n - 2);
            o->hwid_len = (size_t)n - 2;
        } else {
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "%s: hwID is %d bytes (expected 64 or 8, raw or in an OCTET STRING)",
                            what, n);
        }
    }
    if ((v = ext_value(x, "1.3.6.1.4.1.3704.1.5")) && der_ia5(v, o->csp_id, sizeof o->csp_id))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "%s: csp_id is not a short IA5String", what);
    return ZBP_OK;
}

zbp_status snp_certs_vek_ext(snp_vek_ext_t *out, const snp_certs_t *c, snp_cert_kind_t which, char *err,
                      size_t errlen) {
    memset(out, 0, sizeof *out);
    X509 *x = att_certs_get(c, which);
    if (!x || (which != SNP_CERT_VCEK && which != SNP_CERT_VLEK))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "no %s certificate given",
                        snp_cert_kind_name(which));
    return parse_ext(out, x, snp_cert_kind_name(which), err, errlen);
}

zbp_status snp_vek_ext_parse_der(snp_vek_ext_t *out, const uint8_t *der, size_t len, char *err,
                          size_t errlen) {
    memset(out, 0, sizeof *out);
    const unsigned char *p = der;
    if (len > MAX_CERT_FILE) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "certificate too large");
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) return att_fail_ossl(err, errlen, ZBP_ERR_INPUT, "not a DER certificate");
    int rc = parse_ext(out, x, "certificate", err, errlen);
    X509_free(x);
    return rc;
}
