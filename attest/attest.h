/* attest.h: the attest room's face: SEV-SNP reports (get, parse, print, verify), AMD certificate
 * tables and chains, KDS URLs, and the binding transcripts that fill REPORT_DATA. */
#ifndef ZBP_ATTEST_H
#define ZBP_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "field/status.h"

/* Every fallible function here returns a zbp_status (field/status.h) with one line in err:
 * ZBP_ERR_INPUT (a malformed file, flag or report), ZBP_ERR_ENV (no device, no configfs, a
 * firmware error), ZBP_ERR_INTERNAL (OpenSSL failed) or ZBP_ERR_NOMEM. A report or certificate that
 * is well formed but fails a check is not a status: it is the verdict (snp_verdict_t.ok, *valid). */

#define SNP_REPORT_SIZE 0x4A0      /* 1184 bytes */
#define SNP_SIGNED_SIZE 0x2A0      /* bytes 0x000..0x29F are signed */
#define SNP_REPORT_DATA_SIZE 64

/* POLICY bits (guest policy chosen at launch). */
#define SNP_POLICY_SMT (1ull << 16)
#define SNP_POLICY_RESERVED1 (1ull << 17) /* must be 1 */
#define SNP_POLICY_MIGRATE_MA (1ull << 18)
#define SNP_POLICY_DEBUG (1ull << 19)
#define SNP_POLICY_SINGLE_SOCKET (1ull << 20)
#define SNP_POLICY_CXL_ALLOW (1ull << 21)
#define SNP_POLICY_MEM_AES_256_XTS (1ull << 22)
#define SNP_POLICY_RAPL_DIS (1ull << 23)
#define SNP_POLICY_CIPHERTEXT_HIDING (1ull << 24)
#define SNP_POLICY_PAGE_SWAP_DISABLE (1ull << 25)

/* PLATFORM_INFO bits (the platform's state when the report was made; SEV-SNP ABI). */
#define SNP_PLATFORM_SMT_EN (1ull << 0)
#define SNP_PLATFORM_TSME_EN (1ull << 1)
#define SNP_PLATFORM_ECC_EN (1ull << 2)
#define SNP_PLATFORM_RAPL_DIS (1ull << 3)
#define SNP_PLATFORM_CIPHERTEXT_HIDING_EN (1ull << 4)
#define SNP_PLATFORM_ALIAS_CHECK_COMPLETE (1ull << 5) /* v3+ */
#define SNP_PLATFORM_SEV_TIO_EN (1ull << 7)           /* v5+ */
/* A comma-separated list of PLATFORM_INFO bit names (smt, tsme, ecc, rapl-dis,
 * ciphertext-hiding, alias-check, tio) into a mask; ZBP_ERR_INPUT for an unknown name. */
ZBP_MUST_USE zbp_status snp_platform_bits_parse(uint64_t *out, const char *list);
/* The names of the bits set in mask, comma-separated ("" for none); unknown bits as "bit N". */
void snp_platform_bits_name(char *buf, size_t len, uint64_t mask);

/* Warnings the parser attaches to a report it accepted. */
#define SNP_WARN_NEWER_VERSION 0x1u   /* VERSION > 5: parsed with the v5 layout */
#define SNP_WARN_PLATFORM_INFO 0x2u   /* PLATFORM_INFO has bits this code does not know */

typedef enum { SNP_GEN_UNKNOWN = 0, SNP_GEN_MILAN, SNP_GEN_GENOA, SNP_GEN_TURIN } snp_gen_t;
/* Milan and Genoa share the "legacy" TCB_VERSION layout; Turin added FMC and moved fields. */
typedef enum { SNP_LAYOUT_UNKNOWN = 0, SNP_LAYOUT_LEGACY, SNP_LAYOUT_TURIN } snp_layout_t;
typedef enum {
    SNP_FROM_NONE = 0,
    SNP_FROM_CPUID,        /* v3+ CPUID family/model bytes */
    SNP_FROM_PRODUCT_NAME, /* the VCEK/VLEK's productName extension */
    SNP_FROM_CHIP_ID,      /* v2: CHIP_ID bytes 8..63 zero means Turin, else Milan or Genoa */
    SNP_FROM_HINT,         /* the caller said so (--product) */
} snp_gen_source_t;

typedef struct {
    snp_gen_t gen;          /* SNP_GEN_UNKNOWN when only the layout is known */
    snp_layout_t layout;
    snp_gen_source_t source;
} snp_gen_info_t;

/* One TCB_VERSION, decoded. fmc is 0 in the legacy layout (it has none). */
typedef struct { uint8_t fmc, bootloader, tee, snp, microcode; } snp_tcb_t;

/* An ATTESTATION_REPORT: the exact bytes as received (what the signature covers) and every field. */
typedef struct {
    uint8_t raw[SNP_REPORT_SIZE];
    uint32_t version, guest_svn;
    uint64_t policy;
    uint8_t family_id[16], image_id[16];
    uint32_t vmpl, sig_algo;
    uint64_t current_tcb, platform_info;
    uint32_t key_info;        /* bit0 AUTHOR_KEY_EN, bit1 MASK_CHIP_KEY, bits4:2 SIGNING_KEY */
    bool author_key_en, mask_chip_key;
    uint32_t signing_key;     /* 0 VCEK, 1 VLEK */
    uint8_t report_data[64], measurement[48], host_data[32];
    uint8_t id_key_digest[48], author_key_digest[48], report_id[32], report_id_ma[32];
    uint64_t reported_tcb;
    bool has_cpuid;           /* v3+ */
    uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step;
    uint8_t chip_id[64];
    uint64_t committed_tcb;
    uint8_t current_build, current_minor, current_major;
    uint8_t committed_build, committed_minor, committed_major;
    uint64_t launch_tcb;
    bool has_mit_vectors;     /* v5+ */
    uint64_t launch_mit_vector, current_mit_vector;
    uint8_t sig_r[72], sig_s[72]; /* little-endian, zero-extended */
    unsigned warnings;        /* SNP_WARN_* */
} snp_report_t;

/* Parses exactly SNP_REPORT_SIZE bytes: version (2..5, later ones with a warning), SIGNATURE_ALGO 1,
 * SIGNING_KEY VCEK or VLEK, POLICY bit 17, and every must-be-zero range. */
ZBP_MUST_USE
zbp_status snp_report_parse(snp_report_t *out, const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Reads and parses a report file; messages name the file. */
ZBP_MUST_USE
zbp_status snp_report_read_file(snp_report_t *out, const char *path, char *err, size_t errlen);
/* One line describing r->warnings ("" when none). */
void snp_report_warnings(const snp_report_t *r, char *buf, size_t len);

/* Generation of the chip that made the report: the CPUID bytes (v3+), else the VEK's productName
 * (may be NULL), else the caller's hint (SNP_GEN_UNKNOWN for none), else the CHIP_ID rule (which
 * tells Turin from Milan/Genoa but not Milan from Genoa: then gen is unknown, layout legacy). */
void snp_report_generation(snp_gen_info_t *out, const snp_report_t *r, const char *product_name,
                           snp_gen_t hint);
void snp_tcb_decode(snp_tcb_t *out, uint64_t raw, snp_layout_t layout);
/* A minimum-TCB spec as the CLIs take it: bl=N,tee=N,snp=N,ucode=N[,fmc=N], each 0..255; the
 * components not named are 0. Returns 0, or -1 for a malformed spec. */
ZBP_MUST_USE zbp_status snp_tcb_parse(snp_tcb_t *out, const char *spec);
snp_gen_t snp_gen_from_cpuid(uint8_t fam, uint8_t model);
snp_gen_t snp_gen_from_product_name(const char *name); /* "Milan-B0" -> Milan, "Genoa", "Turin" */
const char *snp_gen_name(snp_gen_t g);                  /* "Milan", "Genoa", "Turin", "unknown" */
ZBP_MUST_USE
zbp_status snp_gen_parse(snp_gen_t *out, const char *name);    /* case-insensitive; ZBP_ERR_INPUT if not */

/* Prints every field: human-readable text, or one JSON object. gen may be NULL (then it is
 * derived from the report alone). */
int snp_report_print(FILE *f, const snp_report_t *r, const snp_gen_info_t *gen, bool json);

/* ---- certificate tables (extended report certs, configfs-tsm auxblob; GHCB spec 4.1.8.1) ---- */
typedef enum {
    SNP_ENTRY_UNKNOWN = 0,
    SNP_ENTRY_VCEK,
    SNP_ENTRY_VLEK,
    SNP_ENTRY_ASK,   /* the ASK, or the ASVK for a VLEK chain: the same GUID */
    SNP_ENTRY_ARK,
    SNP_ENTRY_CRL,
    SNP_ENTRY_EXTRA, /* a private "extra platform info" entry */
} snp_entry_kind_t;

typedef struct {
    uint8_t guid[16];
    snp_entry_kind_t kind;
    uint32_t offset, length; /* from the start of the table; checked to lie inside it */
} snp_cert_entry_t;

#define SNP_CERT_TABLE_MAX 64

/* Parses a table of 24-byte entries ended by an all-zero entry. Rejects: no terminator, an
 * offset inside the header, an entry past the end, overlapping entries, empty entries. An empty
 * blob is an empty table. *n gets the number of entries. */
ZBP_MUST_USE
zbp_status snp_cert_table_parse(snp_cert_entry_t *out, size_t max, size_t *n, const uint8_t *buf,
                         size_t len, char *err, size_t errlen);
/* Builds a table of n entries (kinds other than UNKNOWN), each blob copied after the header.
 * *out is malloc'd. */
ZBP_MUST_USE
zbp_status snp_cert_table_build(uint8_t **out, size_t *outlen, const snp_entry_kind_t *kinds,
                         const uint8_t *const *blobs, const size_t *lens, size_t n, char *err,
                         size_t errlen);
const char *snp_entry_kind_name(snp_entry_kind_t k);

/* ---- certificates ---- */
typedef enum {
    SNP_CERT_ARK = 0,
    SNP_CERT_ASK,
    SNP_CERT_ASVK,
    SNP_CERT_VCEK,
    SNP_CERT_VLEK,
    SNP_CERT_KINDS
} snp_cert_kind_t;

typedef struct snp_certs snp_certs_t; /* a set of at most one certificate of each kind, plus a CRL */

snp_certs_t *snp_certs_new(void);
void snp_certs_free(snp_certs_t *c);
/* Adds every certificate in path: a directory (its *.pem, *.der, *.crt, *.cer files, the KDS's
 * cert_chain files, and CRLs: crl*, *.crl), a PEM bundle (certificates and CRLs), or one DER
 * certificate. Each is classified by its subject CN (ARK-x, SEV-x, SEV-VLEK-x, SEV-VCEK,
 * SEV-VLEK); a second, different certificate of one kind is an error. */
ZBP_MUST_USE zbp_status snp_certs_load(snp_certs_t *c, const char *path, char *err, size_t errlen);
ZBP_MUST_USE
zbp_status snp_certs_add_der(snp_certs_t *c, const uint8_t *der, size_t len, const char *what, char *err,
                      size_t errlen);
/* Adds what a blob holds: every certificate and CRL of a PEM text, or one DER certificate. */
ZBP_MUST_USE
zbp_status snp_certs_add_blob(snp_certs_t *c, const uint8_t *d, size_t n, const char *what, char *err,
                       size_t errlen);
/* The whole set as PEM text (certificates, then CRLs); *out is malloc'd and NUL-terminated. */
ZBP_MUST_USE
zbp_status snp_certs_to_pem(const snp_certs_t *c, char **out, size_t *len, char *err, size_t errlen);
/* Adds CRLs: one DER CRL, or every CRL of a PEM text. Each must parse: a damaged CRL is an
 * input error, never taken for "no CRL". */
ZBP_MUST_USE
zbp_status snp_certs_add_crl(snp_certs_t *c, const uint8_t *d, size_t n, const char *what, char *err,
                      size_t errlen);
/* Reads a CRL file (PEM or DER), as --crl takes it. */
ZBP_MUST_USE
zbp_status snp_certs_load_crl(snp_certs_t *c, const char *path, char *err, size_t errlen);
size_t snp_certs_crl_count(const snp_certs_t *c);
/* Adds the certificates (and CRL) of a certificate table. */
ZBP_MUST_USE
zbp_status snp_certs_add_table(snp_certs_t *c, const uint8_t *table, size_t len, char *err, size_t errlen);
bool snp_certs_has(const snp_certs_t *c, snp_cert_kind_t k);
const char *snp_cert_kind_name(snp_cert_kind_t k); /* "ark", "ask", "asvk", "vcek", "vlek" */
/* Writes <kind>.pem or <kind>.der for each certificate present, and the CRLs (crl.pem holding
 * them all, or crl.der, crl-2.der, ...), creating dir. */
ZBP_MUST_USE
zbp_status snp_certs_write(const snp_certs_t *c, const char *dir, bool der, char *err, size_t errlen);

/* AMD's extensions (OID 1.3.6.1.4.1.3704.1.x) of a VCEK or VLEK. */
typedef struct {
    bool has_struct_version;
    long struct_version;
    char product_name[64];      /* "" when absent */
    bool has_bl, has_tee, has_snp, has_ucode, has_fmc;
    snp_tcb_t tcb;
    size_t hwid_len;            /* 0 (absent, VLEK), 8 (Turin) or 64 */
    uint8_t hwid[64];
    char csp_id[128];           /* VLEK only; "" when absent */
} snp_vek_ext_t;

/* Parses the extensions of the VCEK or VLEK in c. */
ZBP_MUST_USE
zbp_status snp_certs_vek_ext(snp_vek_ext_t *out, const snp_certs_t *c, snp_cert_kind_t which, char *err,
                      size_t errlen);
/* The same from one DER certificate (for fuzzing and tests). */
ZBP_MUST_USE
zbp_status snp_vek_ext_parse_der(snp_vek_ext_t *out, const uint8_t *der, size_t len, char *err,
                          size_t errlen);

/* ---- the minimum TCB AMD's security bulletins require (tcbtable.c) ---- */
typedef enum { SNP_TCB_FMC = 0, SNP_TCB_BL, SNP_TCB_TEE, SNP_TCB_SNP, SNP_TCB_UCODE } snp_tcb_field_t;
const char *snp_tcb_field_name(snp_tcb_field_t f); /* "fmc", "bl", "tee", "snp", "ucode" */
uint8_t snp_tcb_get(const snp_tcb_t *t, snp_tcb_field_t f);

typedef struct {
    snp_tcb_t tcb;             /* component by component, the highest value a bulletin requires */
    char source[5][32];        /* per snp_tcb_field_t: "AMD-SB-xxxx, date", or "": none */
    const char *line;          /* the silicon line whose microcode numbers apply */
    bool line_assumed;         /* the report names no stepping (v2): the strictest line is used */
} snp_min_tcb_t;

/* The bulletin floor for a part: gen, and the report's CPUID model and stepping (has_cpuid
 * false for a v2 report). as_of "YYYY-MM-DD" keeps the bulletins published by that day; NULL or
 * "" keeps all. ZBP_ERR_INPUT for an unknown product or a malformed date. */
ZBP_MUST_USE
zbp_status snp_min_tcb_auto(snp_min_tcb_t *out, snp_gen_t gen, bool has_cpuid, uint8_t model,
                     uint8_t stepping, const char *as_of, char *err, size_t errlen);

/* ---- verification ---- */
typedef struct {
    const uint8_t *report_data; /* 64 bytes, or NULL: not checked */
    const uint8_t *host_data;   /* 32 bytes, or NULL */
    int vmpl;                   /* -1: any */
    bool allow_debug, allow_migrate_ma, allow_provisional;
    /* The launch identity. Each list is an allow-list (any entry matches); empty: not checked. */
    const uint8_t (*measurements)[48];
    size_t n_measurements;
    const uint8_t (*id_key_digests)[48];     /* SHA-384 of the ID key the ID block was signed with */
    size_t n_id_key_digests;
    const uint8_t (*author_key_digests)[48]; /* ... and of the author key that signed the ID key */
    size_t n_author_key_digests;
    const uint8_t *family_id, *image_id;     /* 16 bytes each, or NULL */
    bool check_guest_svn;
    uint32_t min_guest_svn;                  /* GUEST_SVN must be >= this */
    /* The TCB: REPORTED_TCB must be >= min_tcb component by component, or >= the bulletin
     * table's floor for the part (min_tcb_auto, bulletins published by min_tcb_as_of). */
    bool check_min_tcb, min_tcb_auto;
    snp_tcb_t min_tcb;
    char min_tcb_as_of[11];
    /* The same minimum holds for LAUNCH_TCB (the TCB the guest was launched on): checked as
     * `launch-tcb` whenever check_min_tcb is set. */
    /* PLATFORM_INFO: bits that must be set and bits that must be clear (SNP_PLATFORM_*). */
    uint64_t platform_require, platform_forbid;
    /* v5 mitigation vectors: both LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR must hold every bit
     * of mit_vector_require; a report older than v5 has none and fails. */
    bool check_mit_vector;
    uint64_t mit_vector_require;
    /* Revocation: the CRLs among the certificates are always checked; require_crl makes a chain
     * whose intermediate no valid CRL covers a failure. */
    bool require_crl;
    bool has_time;
    time_t at;                  /* verification time for certificates and CRLs (default: now) */
    const char *trust_root;     /* a root certificate file to trust instead of AMD's pinned ARKs */
    const uint8_t *trust_root_data; /* ... or the certificate itself (PEM or DER), when no file */
    size_t trust_root_len;
    snp_gen_t product_hint;     /* used only when the report and certificates cannot tell */
} snp_policy_t;

void snp_policy_init(snp_policy_t *p); /* nothing required beyond the signature and chain */
/* A --min-tcb value: "auto", "auto:YYYY-MM-DD", or bl=N,tee=N,snp=N,ucode=N[,fmc=N]. Sets the
 * policy's min-TCB fields; ZBP_ERR_INPUT when malformed. */
ZBP_MUST_USE zbp_status snp_policy_min_tcb(snp_policy_t *p, const char *spec);

enum { SNP_CHECK_PASS = 0, SNP_CHECK_FAIL = 1, SNP_CHECK_SKIP = 2 };
#define SNP_MAX_CHECKS 48
typedef struct {
    const char *name; /* stable short name: "root", "chain", "signature", "tcb", "debug", ... */
    int status;       /* SNP_CHECK_* */
    char detail[256];
} snp_check_t;

typedef struct {
    bool ok;          /* every check passed or was skipped, and none went unrecorded */
    size_t n;
    size_t dropped;   /* checks that found the list full: each makes ok false */
    snp_check_t checks[SNP_MAX_CHECKS];
    snp_gen_info_t gen;
    /* Revocation: a valid CRL from the root covered the intermediate (ASK/ASVK), and one from
     * the intermediate covered the VCEK/VLEK (AMD publishes the first kind only). */
    bool revocation_checked, vek_revocation_checked;
    size_t crls;      /* CRLs considered */
    /* What the platform reported, for the JSON result. */
    uint64_t platform_info;
    bool has_mit_vectors;
    uint64_t launch_mit_vector, current_mit_vector;
} snp_verdict_t;

/* Runs every check and records each in out. Returns ZBP_OK (out->ok true), ATTEST_REJECTED
 * (some check failed; each is named in out), or ZBP_ERR_INPUT/EINTERNAL when it could not judge
 * (a missing certificate, an unreadable trust root). */
ZBP_MUST_USE
zbp_status attest_verify(snp_verdict_t *out, const snp_report_t *r, const snp_certs_t *c,
                  const snp_policy_t *p, char *err, size_t errlen);
/* Only the report signature over bytes 0x000..0x29F, with the VCEK or VLEK its SIGNING_KEY names.
 * ZBP_OK with *valid (false: the reason in err), ZBP_ERR_INPUT when that certificate is missing,
 * ZBP_ERR_INTERNAL when OpenSSL fails (*valid false). */
ZBP_MUST_USE zbp_status attest_verify_signature(const snp_report_t *r, const snp_certs_t *c,
                                                bool *valid, char *err, size_t errlen);
/* The verdict as one JSON object: {"valid", "product", "revocation": {"checked", "vek_checked",
 * "crls"}, "platform_info": {"raw", "smt", ...}, "mit_vectors": {"launch", "current"} or null,
 * "checks": [{"name", "status", "detail"}]}, and a newline. */
void attest_verdict_json(FILE *f, const snp_verdict_t *v);

/* AMD KDS URLs for an operator to fetch (this code makes no network calls). */
typedef struct {
    bool vlek;
    char vek[512];   /* the VCEK; "" for a VLEK (not public) or a masked CHIP_ID */
    char chain[128]; /* ASK+ARK or ASVK+ARK, PEM */
    char crl[128];
} snp_kds_urls_t;
ZBP_MUST_USE
zbp_status snp_kds_urls(snp_kds_urls_t *out, const snp_report_t *r, snp_gen_t product_hint, char *err,
                 size_t errlen);

/* ---- getting a report ---- */
typedef enum {
    ATTEST_BACKEND_AUTO = 0, /* configfs-tsm, then /dev/sev-guest; never the simulator */
    ATTEST_BACKEND_TSM,
    ATTEST_BACKEND_IOCTL,
    ATTEST_BACKEND_SIM,
} attest_backend_t;

/* The ioctl(2) the /dev/sev-guest backend calls; tests put a fake device behind it. */
typedef int (*attest_ioctl_fn)(void *ctx, int fd, unsigned long request, void *arg);

typedef struct {
    attest_backend_t backend;
    const char *tsm_root;   /* NULL: /sys/kernel/config/tsm/report */
    const char *tsm_entry;  /* NULL: a fresh entry, removed after use; else this one, kept (an
                               administrator may pre-create and chown it for a non-root user) */
    const char *device;     /* NULL: /dev/sev-guest */
    const char *sim_dir;    /* NULL: $ZBP_SIM_DIR, else ~/.zbprover/sim */
    int vmpl;               /* -1: configfs-tsm's privlevel_floor; 0 for the ioctl and sim */
    bool sim_vlek;          /* sim: sign with the simulated VLEK (SIGNING_KEY 1) */
    attest_ioctl_fn ioctl_fn; /* NULL: ioctl(2) */
    void *ioctl_ctx;
} attest_opts_t;

void attest_opts_init(attest_opts_t *o);
ZBP_MUST_USE zbp_status attest_backend_parse(attest_backend_t *out, const char *name);
const char *attest_backend_name(attest_backend_t b);

typedef struct {
    uint8_t report[SNP_REPORT_SIZE];
    uint8_t *certs;        /* the certificate table (malloc'd), or NULL when none was asked/given */
    size_t certs_len;
    attest_backend_t used;
} attest_result_t;

/* Gets a report carrying report_data; with want_certs, also the host's certificate table. */
ZBP_MUST_USE zbp_status attest_get_report(attest_result_t *out, const attest_opts_t *o,
                      const uint8_t report_data[SNP_REPORT_DATA_SIZE], bool want_certs, char *err,
                      size_t errlen);
void attest_result_free(attest_result_t *r);

/* Messages for the firmware status (SEV_RET_*) and the VMM error of a guest request. */
const char *snp_fw_error_string(uint32_t code);
const char *snp_vmm_error_string(uint32_t code);

/* ---- the simulated signer (TEST ONLY: it attests nothing) ----
 * A directory holds one simulated part's chain: ark.pem/.key (RSA-4096, RSASSA-PSS SHA-384),
 * ask.pem/.key, vcek.pem/.key (P-384, AMD's extensions in the product's shape), and, once a VLEK
 * is asked for, asvk.pem/.key and vlek.pem/.key. Made once, reused as it is (the product and TCB
 * of a directory are those it was made with). */
typedef struct {
    snp_gen_t product; /* SNP_GEN_UNKNOWN: Genoa */
    bool has_tcb;      /* false: the product's default TCB */
    snp_tcb_t tcb;
    bool vlek;         /* also make the VLEK chain (ARK -> ASVK -> VLEK) */
} attest_sim_opts_t;

ZBP_MUST_USE
zbp_status attest_sim_init(const char *dir, char *err, size_t errlen); /* Genoa, VCEK chain */
ZBP_MUST_USE
zbp_status attest_sim_init_opts(const char *dir, const attest_sim_opts_t *o, char *err, size_t errlen);
/* The default directory: $ZBP_SIM_DIR, else $HOME/.zbprover/sim. */
int attest_sim_default_dir(char *buf, size_t len);
/* Signs report[0..0x29F] in place with the key its SIGNING_KEY names (report bytes otherwise
 * untouched). _with signs with the given key (SNP_CERT_VCEK or _VLEK) whatever the field says. */
ZBP_MUST_USE
zbp_status attest_sim_sign(uint8_t report[SNP_REPORT_SIZE], const char *dir, char *err, size_t errlen);
ZBP_MUST_USE
zbp_status attest_sim_sign_with(uint8_t report[SNP_REPORT_SIZE], const char *dir, snp_cert_kind_t key,
                         char *err, size_t errlen);

/* A CRL from the simulated chain: issuer (ARK, ASK or ASVK) names it and its key signs it (or,
 * with forge_signer, signer's key: a CRL with the wrong signature), listing the serial numbers
 * of the chain's certificates in revoke. */
typedef struct {
    snp_cert_kind_t issuer;
    bool forge_signer;
    snp_cert_kind_t signer;
    const snp_cert_kind_t *revoke;
    size_t n_revoke;
    time_t this_update, next_update;
} attest_sim_crl_t;
/* *der (malloc'd, DER) gets the CRL. */
ZBP_MUST_USE
zbp_status attest_sim_make_crl(uint8_t **der, size_t *len, const char *dir, const attest_sim_crl_t *s,
                        char *err, size_t errlen);

/* ---- binding transcripts (docs/attestation.md; architecture.md "Binding transcript") ---- */
typedef struct {
    const uint8_t *job_id;     /* UTF-8 bytes as given */
    size_t job_id_len;
    const uint8_t *ticket_id;  /* hex-decoded bytes; may be empty */
    size_t ticket_id_len;
    uint8_t zkey_sha256[32];
    const uint8_t *publics;    /* n_public signals, 32 bytes big-endian each */
    uint32_t n_public;
    uint8_t proof[8][32];      /* piA.x, piA.y, piB.x.c0, piB.x.c1, piB.y.c0, piB.y.c1, piC.x, piC.y */
} attest_proof_binding_t;

/* REPORT_DATA = SHA-512("ZBPROVER-PROOF-V1" || lp(job_id) || lp(ticket_id) || zkey_sha256 ||
 * u32le(n) || publics || proof). If transcript is non-NULL the string is written there too (cap
 * bytes available; *tlen gets its length). */
ZBP_MUST_USE
zbp_status attest_binding_proof(uint8_t report_data[64], const attest_proof_binding_t *in,
                         uint8_t *transcript, size_t cap, size_t *tlen);
/* REPORT_DATA = SHA-512("ZBPROVER-KEY-V1" || lp(ticket_id) || x25519_public). */
ZBP_MUST_USE
zbp_status attest_binding_key(uint8_t report_data[64], const uint8_t *ticket_id, size_t ticket_id_len,
                       const uint8_t x25519_public[32], uint8_t *transcript, size_t cap,
                       size_t *tlen);

#endif
