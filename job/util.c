/* util.c: the job room's small shared pieces: error code names, strict hex and base64, the
 * one-line JSON builder, clocks, and certificate PEM helpers for answers and bundles. */
#include <dirent.h>
#include <errno.h>
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

double job_mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

uint64_t job_unix_now(void) {
    time_t t = time(NULL);
    return t < 0 ? 0 : (uint64_t)t;
}

/* ---- hex, base64 ---- */
static int hexval(char c) {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int job_hex_decode(uint8_t *out, size_t max, size_t *len, const char *hex, size_t hexlen) {
    if (hexlen % 2 || hexlen / 2 > max) return -1;
    for (size_t i = 0; i < hexlen / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = hexlen / 2;
    return 0;
}

void job_hex_encode(char *out, const uint8_t *b, size_t n) {
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[b[i] >> 4];
        out[2 * i + 1] = d[b[i] & 15];
    }
    out[2 * n] = 0;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(unsigned char c) {
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

size_t job_b64_decoded_max(size_t n) { return n / 4 * 3; }

/* Canonical only: length a multiple of 4, '=' only as the last one or two characters, and the
 * unused bits of the last group zero, so that one byte string has exactly one accepted text. */
int job_b64_decode(uint8_t *out, size_t *len, const char *b64, size_t n) {
    if (n % 4) return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)b64[i + k];
            if (c == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else {
                if (pad) return -1; /* data after '=' */
                if ((v[k] = b64val(c)) < 0) return -1;
            }
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))) return -1;
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2) out[o++] = (uint8_t)(w >> 8);
        if (pad < 1) out[o++] = (uint8_t)w;
    }
    *len = o;
    return 0;
}

char *job_b64_encode(const uint8_t *b, size_t n) {
    char *s = malloc((n + 2) / 3 * 4 + 1);
    if (!s) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) |
                     (i + 2 < n ? b[i + 2] : 0);
        s[o++] = b64chars[w >> 18 & 63];
        s[o++] = b64chars[w >> 12 & 63];
        s[o++] = i + 1 < n ? b64chars[w >> 6 & 63] : '=';
        s[o++] = i + 2 < n ? b64chars[w & 63] : '=';
    }
    s[o] = 0;
    return s;
}

/* ---- the one-line JSON builder ---- */
void jb_init(jb_t *b) {
    memset(b, 0, sizeof *b);
    b->first[0] = true;
}

void jb_free(jb_t *b) {
    free(b->buf);
    memset(b, 0, sizeof *b);
}

static void put(jb_t *b, const char *s, size_t n) {
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->buf, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->buf = p;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = 0;
}

static void element(jb_t *b) {
    if (b->after_key) {
        b->after_key = false;
        return;
    }
    if (!b->first[b->depth]) put(b, ",", 1);
    b->first[b->depth] = false;
}

static void open_(jb_t *b, const char *c) {
    element(b);
    put(b, c, 1);
    if (b->depth < 31) b->depth++;
    b->first[b->depth] = true;
}

static void close_(jb_t *b, const char *c) {
    if (b->depth > 0) b->depth--;
    put(b, c, 1);
}

void jb_obj(jb_t *b) { open_(b, "{"); }
void jb_obj_end(jb_t *b) { close_(b, "}"); }
void jb_arr(jb_t *b) { open_(b, "["); }
void jb_arr_end(jb_t *b) { close_(b, "]"); }

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n) {
    if (p[0] < 0x80) return 1;
    size_t k = p[0] >= 0xc2 && p[0] <= 0xdf   ? 2
               : p[0] >= 0xe0 && p[0] <= 0xef ? 3
               : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4
                                              : 0;
    if (!k || k > n) return 0;
    for (size_t i = 1; i < k; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (k == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0))) return 0;
    if (k == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))) return 0;
    return k;
}

void jb_strn(jb_t *b, const char *s, size_t n) {
    element(b);
    put(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(b, esc, 2);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(b, esc, 6);
            i++;
        } else {
            size_t k = utf8_len(p + i, n - i);
            if (k)
                put(b, s + i, k);
            else
                put(b, "?", 1);
            i += k ? k : 1;
        }
    }
    put(b, "\"", 1);
}

void jb_str(jb_t *b, const char *s) { jb_strn(b, s, strlen(s)); }

void jb_key(jb_t *b, const char *k) {
    jb_str(b, k);
    put(b, ":", 1);
    b->after_key = true;
}

void jb_hex(jb_t *b, const uint8_t *p, size_t n) {
    char *h = malloc(2 * n + 1);
    if (!h) {
        b->failed = true;
        return;
    }
    job_hex_encode(h, p, n);
    jb_strn(b, h, 2 * n);
    free(h);
}

void jb_u64(jb_t *b, uint64_t v) {
    char t[24];
    int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    element(b);
    put(b, t, (size_t)n);
}

void jb_ms(jb_t *b, double ms) {
    char t[40];
    int n = snprintf(t, sizeof t, "%.3f", ms < 0 ? 0.0 : ms);
    element(b);
    put(b, t, (size_t)n);
}

void jb_bool(jb_t *b, bool v) {
    element(b);
    put(b, v ? "true" : "false", v ? 4 : 5);
}

void jb_null(jb_t *b) {
    element(b);
    put(b, "null", 4);
}

void jb_value_compact(jb_t *b, const char *text, size_t n) {
    element(b);
    bool in_str = false, esc = false;
    size_t run = 0; /* start of the current run of kept bytes */
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            put(b, text + run, i - run);
            run = i + 1;
        }
    }
    put(b, text + run, n - run);
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
