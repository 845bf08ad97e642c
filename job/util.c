/* util.c: the job room's small shared pieces: error code names, the one-line JSON builder (over
 * jansson), and certificate PEM helpers for answers and bundles. Clocks, hex and base64 are
 * prover/util.h's. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "job/job_int.h"

static const char *const code_names[JOB_CODE_COUNT] = {
    "ok",          "bad_request", "bad_ticket", "expired_ticket",     "replayed_ticket", "bad_zkey",
    "bad_witness", "too_large",   "busy",       "attestation_failed", "timeout",         "internal",
};

const char *job_code_name(int code) {
    return code > 0 && code < JOB_CODE_COUNT ? code_names[code] : "internal";
}

int job_fail(char *err, size_t errlen, int code, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

uint64_t job_unix_now(void) {
    time_t t = time(NULL);
    return t < 0 ? 0 : (uint64_t)t;
}

/* ---- the one-line JSON builder, over jansson ----
 * Values are added to a jansson tree as they come; when the outermost value is complete, the tree
 * is written compact (prover/json.h) into buf and released. */
void jb_init(jb_t *b) { memset(b, 0, sizeof *b); }

void jb_free(jb_t *b) {
    json_decref(b->root);
    free(b->key);
    free(b->buf);
    memset(b, 0, sizeof *b);
}

/* The document is complete: its text into buf. */
static void finish(jb_t *b) {
    b->buf = zbp_json_dump_compact(b->root, NULL);
    json_decref(b->root);
    b->root = NULL;
    if (!b->buf) b->failed = true;
    else b->len = strlen(b->buf);
}

/* Hangs v under the open container (under the pending key in an object), or makes it the
 * document; a NULL v (jansson out of memory) or a misplaced one marks the text failed. */
static void attach(jb_t *b, json_t *v, bool container) {
    if (b->failed || !v) {
        b->failed = true;
        json_decref(v);
        return;
    }
    int rc = 0;
    if (b->depth == 0) {
        if (b->root) rc = -1; /* a second document */
        else b->root = json_incref(v);
    } else {
        json_t *parent = b->stack[b->depth - 1];
        if (json_is_object(parent)) {
            rc = b->key ? json_object_set(parent, b->key, v) : -1;
            free(b->key);
            b->key = NULL;
        } else {
            rc = json_array_append(parent, v);
        }
    }
    if (!rc && container) {
        if (b->depth < (int)(sizeof b->stack / sizeof b->stack[0])) b->stack[b->depth++] = v;
        else rc = -1;
    }
    json_decref(v); /* the tree holds it now */
    if (rc) {
        b->failed = true;
        return;
    }
    if (b->depth == 0) finish(b);
}

static void close_(jb_t *b) {
    if (b->failed) return;
    if (b->depth == 0) {
        b->failed = true;
        return;
    }
    if (--b->depth == 0) finish(b);
}

void jb_obj(jb_t *b) { attach(b, json_object(), true); }
void jb_obj_end(jb_t *b) { close_(b); }
void jb_arr(jb_t *b) { attach(b, json_array(), true); }
void jb_arr_end(jb_t *b) { close_(b); }

void jb_strn(jb_t *b, const char *s, size_t n) { attach(b, zbp_json_text(s, n), false); }

void jb_str(jb_t *b, const char *s) { jb_strn(b, s, strlen(s)); }

void jb_key(jb_t *b, const char *k) {
    if (b->failed) return;
    free(b->key);
    if (!(b->key = strdup(k))) b->failed = true;
}

void jb_hex(jb_t *b, const uint8_t *p, size_t n) {
    char *h = malloc(2 * n + 1);
    if (!h) {
        b->failed = true;
        return;
    }
    zbp_hex_encode(h, p, n);
    jb_strn(b, h, 2 * n);
    free(h);
}

void jb_u64(jb_t *b, uint64_t v) {
    /* jansson's integers are signed 64-bit; no count or time here comes near 2^63 */
    attach(b, json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v), false);
}

void jb_ms(jb_t *b, double ms) { attach(b, json_real(ms < 0 ? 0.0 : round(ms * 1e3) / 1e3), false); }

void jb_bool(jb_t *b, bool v) { attach(b, json_boolean(v), false); }

void jb_null(jb_t *b) { attach(b, json_null(), false); }

void jb_value_compact(jb_t *b, const char *text, size_t n) {
    /* The project's own output (proof.json, public.json): its numbers are small or strings. */
    attach(b, json_loadb(text, n, JSON_DECODE_ANY, NULL), false);
}

/* ---- certificates as PEM ---- */
static int bio_take(char **out, BIO *bio, char *err, size_t errlen) {
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    *out = NULL;
    if (n <= 0) return JOB_OK;
    *out = malloc((size_t)n + 1);
    if (!*out) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    memcpy(*out, data, (size_t)n);
    (*out)[n] = 0;
    return JOB_OK;
}

int job_certs_pem_from_table(char **out, const uint8_t *table, size_t len, char *err,
                             size_t errlen) {
    *out = NULL;
    snp_cert_entry_t e[SNP_CERT_TABLE_MAX];
    size_t n = 0;
    char m[256];
    if (snp_cert_table_parse(e, SNP_CERT_TABLE_MAX, &n, table, len, m, sizeof m))
        return job_fail(err, errlen, JOB_ATTESTATION_FAILED, "the host's certificate table: %s", m);
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    int rc = JOB_OK;
    /* The host's CRL travels with the certificates: a client verifying the bundle offline
     * checks revocation from it (the verifier judges each CRL; a damaged one fails the answer
     * here rather than being dropped). */
    for (size_t i = 0; i < n && !rc; i++) {
        const unsigned char *p = table + e[i].offset;
        int ok;
        if (e[i].kind == SNP_ENTRY_CRL) {
            X509_CRL *crl = d2i_X509_CRL(NULL, &p, e[i].length);
            ok = crl && PEM_write_bio_X509_CRL(bio, crl) == 1;
            X509_CRL_free(crl);
        } else if (e[i].kind == SNP_ENTRY_ARK || e[i].kind == SNP_ENTRY_ASK ||
                   e[i].kind == SNP_ENTRY_VCEK || e[i].kind == SNP_ENTRY_VLEK) {
            X509 *x = d2i_X509(NULL, &p, e[i].length);
            ok = x && PEM_write_bio_X509(bio, x) == 1;
            X509_free(x);
        } else {
            continue; /* private entries are not certificates */
        }
        if (!ok)
            rc = job_fail(err, errlen, JOB_ATTESTATION_FAILED, "the host's %s %s does not parse",
                          snp_entry_kind_name(e[i].kind),
                          e[i].kind == SNP_ENTRY_CRL ? "entry" : "certificate");
    }
    ERR_clear_error();
    if (!rc) rc = bio_take(out, bio, err, errlen);
    BIO_free(bio);
    return rc;
}

/* Every certificate and CRL of a PEM file, in order. */
static int pem_file_append(BIO *bio, const char *path, size_t *count, char *err, size_t errlen) {
    BIO *in = BIO_new_file(path, "r");
    if (!in) return job_fail(err, errlen, JOB_BAD_REQUEST, "%s: cannot open", path);
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(in, NULL, NULL, NULL);
    BIO_free(in);
    ERR_clear_error(); /* a file without PEM blocks reads as an error: it adds nothing */
    int rc = JOB_OK;
    for (int i = 0; infos && i < sk_X509_INFO_num(infos) && !rc; i++) {
        X509_INFO *xi = sk_X509_INFO_value(infos, i);
        if (xi->x509 && PEM_write_bio_X509(bio, xi->x509) != 1)
            rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        if (!rc && xi->crl && PEM_write_bio_X509_CRL(bio, xi->crl) != 1)
            rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        if (xi->x509) (*count)++;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return rc;
}

static int has_suffix(const char *s, const char *suf) {
    size_t n = strlen(s), k = strlen(suf);
    return n >= k && !strcmp(s + n - k, suf);
}

int job_certs_pem_from_path(char **out, const char *path, char *err, size_t errlen) {
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return job_fail(err, errlen, JOB_BAD_REQUEST, "%s: %s", path, strerror(errno));
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    size_t count = 0;
    int rc = JOB_OK;
    if (S_ISDIR(st.st_mode)) {
        /* Sorted by name so that answers list the certificates in a stable order. */
        struct dirent **names = NULL;
        int n = scandir(path, &names, NULL, alphasort);
        if (n < 0) rc = job_fail(err, errlen, JOB_BAD_REQUEST, "%s: %s", path, strerror(errno));
        for (int i = 0; i < n; i++) {
            const char *d = names[i]->d_name;
            if (!rc && d[0] != '.' && (has_suffix(d, ".pem") || has_suffix(d, ".crt"))) {
                char p[4200];
                snprintf(p, sizeof p, "%s/%s", path, d);
                rc = pem_file_append(bio, p, &count, err, errlen);
            }
            free(names[i]);
        }
        free(names);
    } else {
        rc = pem_file_append(bio, path, &count, err, errlen);
    }
    if (!rc && !count) rc = job_fail(err, errlen, JOB_BAD_REQUEST, "%s: no PEM certificates", path);
    if (!rc) rc = bio_take(out, bio, err, errlen);
    BIO_free(bio);
    return rc;
}

int job_certs_add_pem(snp_certs_t *c, const char *pem, size_t len, char *err, size_t errlen) {
    if (len > INT32_MAX) return job_fail(err, errlen, JOB_BAD_REQUEST, "certificates too large");
    BIO *in = BIO_new_mem_buf(pem, (int)len);
    if (!in) return job_fail(err, errlen, JOB_INTERNAL, "out of memory");
    X509 *x;
    int rc = JOB_OK;
    size_t count = 0;
    while (!rc && (x = PEM_read_bio_X509(in, NULL, NULL, NULL))) {
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);
        char m[512];
        if (n <= 0)
            rc = job_fail(err, errlen, JOB_INTERNAL, "out of memory");
        else if (snp_certs_add_der(c, der, (size_t)n, "the bundle's certificates", m, sizeof m))
            rc = job_fail(err, errlen, JOB_BAD_REQUEST, "%s", m);
        OPENSSL_free(der);
        X509_free(x);
        count++;
    }
    /* A PEM text that stops parsing before its end is damaged, not finished. */
    unsigned long e = ERR_peek_last_error();
    if (!rc && (!count || (e && ERR_GET_REASON(e) != PEM_R_NO_START_LINE)))
        rc =
            job_fail(err, errlen, JOB_BAD_REQUEST, "the bundle's certificates do not parse as PEM");
    ERR_clear_error();
    BIO_free(in);
    return rc;
}
