/* attest_int.h: inside the attest room: helpers its .c files share (messages, little-endian
 * bytes, whole-file I/O, hex) and the layout of the certificate set. Not part of the face. */
#ifndef ZBP_ATTEST_INT_H
#define ZBP_ATTEST_INT_H

#include <openssl/x509.h>
#include <sys/types.h>

#include "attest/attest.h"

struct snp_certs {
    X509 *cert[SNP_CERT_KINDS];
    uint8_t *crl; /* DER or PEM as received from a certificate table or file */
    size_t crl_len;
};

/* Formats a message into err (when non-NULL) and returns code. */
int att_fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Like att_fail, with OpenSSL's first queued error appended (and the queue cleared). */
int att_fail_ossl(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static inline uint32_t att_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t att_le64(const uint8_t *p) {
    return (uint64_t)att_le32(p) | (uint64_t)att_le32(p + 4) << 32;
}
static inline void att_put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void att_put_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

bool att_is_zero(const uint8_t *p, size_t n);
void att_hex(char *out, const uint8_t *b, size_t n); /* out holds 2n+1 chars, lower case */

/* Reads a whole file of at most max bytes (*out malloc'd, NUL-terminated beyond len). Works on
 * pseudo-files (configfs, FIFOs) whose size stat cannot tell. */
int att_read_file(const char *path, size_t max, uint8_t **out, size_t *len, char *err,
                  size_t errlen);
/* Writes a whole file atomically (zbp_write_file_atomic_mode: an unpredictable temporary name,
 * fsync, rename); ATTEST_EENV with the file and errno's reason on failure. */
int att_write_file(const char *path, const uint8_t *data, size_t n, mode_t mode, char *err,
                   size_t errlen);

/* Records one check in v. The verdict fails closed: a status other than pass or skip fails it,
 * and so does a check that finds the list full (v->dropped counts those). */
void att_verdict_add(snp_verdict_t *v, const char *name, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The certificate of kind k in c, or NULL. */
X509 *att_certs_get(const snp_certs_t *c, snp_cert_kind_t k);
/* Reads one certificate file (PEM or DER); *out must be X509_free'd. */
int att_load_one_cert(X509 **out, const char *path, char *err, size_t errlen);

/* Encodes a TCB in a layout, the inverse of snp_tcb_decode. */
uint64_t att_tcb_encode(const snp_tcb_t *t, snp_layout_t layout);

/* The backends behind attest_get_report. */
int att_sim_get_report(attest_result_t *out, const attest_opts_t *o,
                       const uint8_t report_data[SNP_REPORT_DATA_SIZE], bool want_certs,
                       char *err, size_t errlen);

/* GUIDs of the certificate table entries, in the table's byte order. */
extern const uint8_t att_guid_vcek[16], att_guid_vlek[16], att_guid_ask[16], att_guid_ark[16],
    att_guid_crl[16], att_guid_extra[16];

#endif
