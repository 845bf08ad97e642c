/* attest_int.h: inside the attest room: helpers its .c files share (messages, little-endian
 * bytes, whole-file I/O, hex) and the layout of the certificate set. Not part of the face. */
#ifndef ZBP_ATTEST_INT_H
#define ZBP_ATTEST_INT_H

#include <openssl/x509.h>
#include <sys/types.h>

#include "attest/attest.h"
#include "prover/util.h"

struct snp_certs {
    X509 *cert[SNP_CERT_KINDS];
    STACK_OF(X509_CRL) *crls; /* every CRL given, parsed; judged by revocation.c */
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

/* What the checks of one verification share; verify.c fills it, then calls each check. */
typedef struct {
    const snp_report_t *r;
    const snp_certs_t *c;
    const snp_policy_t *p;
    X509 *anchor;             /* the root trusted: --trust-root's, else the given (pinned) ARK */
    X509 *mid, *vek;          /* the ASK and VCEK, or the ASVK and VLEK, as SIGNING_KEY says */
    bool vlek;
    const char *vname, *mname; /* "VCEK"/"VLEK", "ASK"/"ASVK" */
    snp_vek_ext_t x;          /* the VEK's AMD extensions */
    time_t now;               /* policy's --at, else the clock */
} att_ctx_t;

/* chain.c: the root, the product, the chain, the key's kind, the chip id. */
snp_gen_t att_check_root(snp_verdict_t *v, X509 *ark, X509 *root, const char *root_path);
void att_check_product(snp_verdict_t *v, snp_gen_t root_gen, const snp_gen_info_t *g);
void att_check_chain(snp_verdict_t *v, const att_ctx_t *cx);
void att_check_key_kind(snp_verdict_t *v, const att_ctx_t *cx, snp_gen_t gen);
void att_check_chip_id(snp_verdict_t *v, const att_ctx_t *cx);
/* tcb.c: the VEK's TCB against REPORTED_TCB, the order of the report's TCBs, the minimum. */
void att_check_tcb(snp_verdict_t *v, const att_ctx_t *cx, snp_layout_t layout);
void att_check_tcb_order(snp_verdict_t *v, const att_ctx_t *cx, snp_layout_t layout);
void att_check_min_tcb(snp_verdict_t *v, const att_ctx_t *cx, const snp_gen_info_t *g);
void att_fmt_tcb(char *buf, size_t len, const snp_tcb_t *t, snp_layout_t layout);
/* policy.c: the guest policy and the launch identity. */
void att_check_guest_policy(snp_verdict_t *v, const att_ctx_t *cx);
void att_check_launch(snp_verdict_t *v, const att_ctx_t *cx);
/* policy.c: PLATFORM_INFO against the required and forbidden bits; the v5 mitigation vectors. */
void att_check_platform(snp_verdict_t *v, const att_ctx_t *cx);
/* revocation.c: the CRLs among the certificates. */
void att_check_revocation(snp_verdict_t *v, const att_ctx_t *cx);

/* The subject CN of x ("" when none), in buf. */
const char *att_cn(X509 *x, char *buf, size_t len);

/* The certificate of kind k in c, or NULL. */
X509 *att_certs_get(const snp_certs_t *c, snp_cert_kind_t k);
/* One certificate from memory (PEM: the first; or DER); *out must be X509_free'd. */
int att_parse_one_cert(X509 **out, const uint8_t *d, size_t n, const char *what, char *err,
                       size_t errlen);
/* Reads one certificate file (PEM or DER); *out must be X509_free'd. */
int att_load_one_cert(X509 **out, const char *path, char *err, size_t errlen);

/* Encodes a TCB in a layout, the inverse of snp_tcb_decode. */
uint64_t att_tcb_encode(const snp_tcb_t *t, snp_layout_t layout);

/* The backends behind attest_get_report. */
int att_sim_get_report(attest_result_t *out, const attest_opts_t *o,
                       const uint8_t report_data[SNP_REPORT_DATA_SIZE], bool want_certs,
                       char *err, size_t errlen);

/* The simulated signer's inside (sim.c, sim_sign.c). */
extern const snp_tcb_t att_sim_default_tcb[4];
int att_sim_path(char *out, size_t len, const char *dir, const char *name);
int att_sim_load_key(EVP_PKEY **out, const char *dir, const char *name, char *err, size_t errlen);
int att_sim_load_cert(X509 **out, const char *dir, const char *name, char *err, size_t errlen);
/* RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48 (as AMD signs), over a certificate or a CRL. */
int att_sim_sign_pss(X509 *x, X509_CRL *crl, EVP_PKEY *key);

/* GUIDs of the certificate table entries, in the table's byte order. */
extern const uint8_t att_guid_vcek[16], att_guid_vlek[16], att_guid_ask[16], att_guid_ark[16],
    att_guid_crl[16], att_guid_extra[16];

#endif
