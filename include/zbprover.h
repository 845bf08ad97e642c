/* zbprover.h: the public C API, for programs that link libzbprover instead of spawning `zbprover`
 * (rapidsnark's C functions are in prover.h beside this file).
 *
 * Prove from memory: the .zkey and .wtns bytes in, snarkjs's proof.json and public.json text out,
 * into buffers the caller owns. The device is $ZBP_DEVICE (cpu, auto, cuda, cuda:N; unset: the CPU),
 * read at each call; a GPU asked for and missing is ZBPROVER_ERR_INTERNAL. Thread-safe: calls share no state (each makes its own transform
 * context); run one at a time for speed, as each uses all the threads it is given.
 *
 *   char proof[ZBPROVER_PROOF_JSON_MAX], *pub = malloc(cap);
 *   size_t plen = sizeof proof, ulen = cap;
 *   char err[256];
 *   int rc = zbprover_prove(zkey, zkey_len, wtns, wtns_len, proof, &plen, pub, &ulen, NULL,
 *                           err, sizeof err);
 *   if (rc == ZBPROVER_ERR_BUFFER) { ... grow pub to ulen bytes and call again ... }
 *
 * Contract of every function: inputs are borrowed for the call only (nothing is kept), output
 * buffers belong to the caller and must not overlap the inputs, err gets one line on failure. The
 * codes below match the program's exit statuses (README "Exit status"): 0 ok, 1 a bundle judged
 * not valid, 2 the caller's input, 3 the machine (memory, randomness), 4 a buffer too small;
 * prover/api.c maps the library's statuses to them in one place. The witness is secret: it is
 * wiped from the library's copies, and r and s are drawn from the OS and wiped after the proof.
 */
#ifndef ZBPROVER_H
#define ZBPROVER_H

#include <stddef.h>

#include "zbprover_export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes; the message (one line, naming the input and the problem) goes to err. */
#define ZBPROVER_OK 0
#define ZBPROVER_ERR_INPUT 2    /* malformed or mismatched .zkey/.wtns, unsatisfied witness */
#define ZBPROVER_ERR_INTERNAL 3 /* out of memory, no OS randomness */
#define ZBPROVER_ERR_BUFFER 4   /* an output buffer is too small: both sizes now hold the capacity
                                   needed; nothing was proved, call again with larger buffers */

/* proof.json never exceeds this many bytes (with its terminating NUL). */
#define ZBPROVER_PROOF_JSON_MAX 2048

typedef struct {
    int threads; /* 0: OpenMP's default */
} zbprover_options_t;

/* Proves like `zbprover prove`. proof_json/public_json: caller buffers; *proof_len and *public_len
 * hold their capacities on entry and, on success, the length of the text written (a NUL follows
 * it). The capacity public.json needs depends on the circuit's public inputs: at most
 * 4 + 84 * nPublic bytes; ZBPROVER_ERR_BUFFER reports it before any work is done. opts may be
 * NULL. The proof is checked with the key's verification key before it is returned. */
ZBPROVER_API int zbprover_prove(const void *zkey, size_t zkey_len, const void *wtns, size_t wtns_len,
                                char *proof_json, size_t *proof_len, char *public_json,
                                size_t *public_len, const zbprover_options_t *opts, char *err,
                                size_t err_len);

/* The version string, e.g. "0.1.0". */
ZBPROVER_API const char *zbprover_version(void);

/* ---- verifying a bundle offline (job/bundle_api.c) ------------------------------------------
 * A client's whole check of a `zbprover serve` prove answer (a "bundle"), in memory, with no
 * network and no child process: the Groth16 proof under the client's verification key and the
 * answer's public signals; the binding transcript (REPORT_DATA = SHA-512("ZBPROVER-PROOF-V1" ...),
 * docs/attestation.md); and the SEV-SNP report: AMD's chain to a pinned root, the CRLs, the
 * report's signature and TCB, and the policy below. `zbprover check-bundle` is this function.
 *
 *   zbprover_bundle_options_t o;
 *   zbprover_bundle_options_init(&o);
 *   o.vk_json = vk; o.vk_json_len = vk_len;        verification_key.json as snarkjs writes it
 *   o.certs_pem = chain; o.certs_pem_len = n;      AMD's ARK, ASK and VCEK (and CRLs), PEM
 *   o.min_tcb = "auto";  o.require_crl = 1;
 *   int rc = zbprover_verify_bundle(bundle, bundle_len, &o, NULL, err, sizeof err);
 *   rc == ZBPROVER_OK: valid; ZBPROVER_REJECTED: not valid (err names the failed checks). */

#define ZBPROVER_REJECTED 1 /* the bundle was judged and is not valid: err names what failed */

enum { ZBPROVER_CHECK_PASS = 0, ZBPROVER_CHECK_FAIL = 1, ZBPROVER_CHECK_SKIP = 2 };

typedef struct {
    /* Beside the bundle. Texts need no terminating NUL; NULL with length 0 means absent. */
    const char *vk_json;          /* the circuit's verification_key.json (required) */
    size_t vk_json_len;
    const char *certs_pem;        /* AMD's certificates and CRLs (PEM); the bundle's own */
    size_t certs_pem_len;         /*   attestation.certs are added to them */
    const unsigned char *crl;     /* a CRL, DER or PEM (e.g. KDS's .../crl) */
    size_t crl_len;
    const unsigned char *trust_root; /* a simulator's root certificate (PEM or DER): only a */
    size_t trust_root_len;           /*   bundle of kind "sim" verifies under it */
    /* What the answer must be; NULL: not checked. */
    const char *job_id;
    const char *ticket_id_hex;
    const char *zkey_sha256_hex;
    int allow_unattested;         /* accept kind "none": the proof alone */
    /* The policy on the report (docs/attestation.md has each check). */
    const unsigned char (*measurements)[48]; /* allow-list of launch digests */
    size_t n_measurements;
    const unsigned char (*id_key_digests)[48];
    size_t n_id_key_digests;
    const unsigned char (*author_key_digests)[48];
    size_t n_author_key_digests;
    const unsigned char *host_data; /* 32 bytes */
    const unsigned char *family_id; /* 16 bytes */
    const unsigned char *image_id;  /* 16 bytes */
    int check_guest_svn;
    unsigned min_guest_svn;
    int vmpl;                     /* -1: any */
    int allow_debug, allow_migrate_ma, allow_provisional;
    const char *min_tcb;          /* NULL, "auto", "auto:YYYY-MM-DD", or "bl=N,tee=N,snp=N,ucode=N" */
    int require_crl;              /* no valid CRL from the root is a failure */
    int has_time;
    long long at;                 /* with has_time: the verification time (Unix seconds) */
    const char *product;          /* "Milan", "Genoa", "Turin" for a report that cannot say; NULL */
    const char *bundle_name, *vk_name; /* what messages call the two texts; NULL: "bundle", "vk_json" */
    /* Called once per check, in order, as the verdict is recorded; may be NULL. */
    void (*on_check)(void *ctx, const char *name, int status, const char *detail);
    void *on_check_ctx;
    /* The platform the report was made on. Appended after on_check_ctx: the struct grew, so a
     * program must be compiled against this header (init and verify use its full size).
     * PLATFORM_INFO bits by number (SEV-SNP ABI, report offset 0x40): 0 SMT_EN, 1 TSME_EN,
     * 2 ECC_EN, 3 RAPL_DIS, 4 CIPHERTEXT_HIDING_EN, 5 ALIAS_CHECK_COMPLETE, 7 SEV_TIO_EN; the
     * same bits as `--platform-require`/`--platform-forbid` name (smt, tsme, ecc, rapl-dis,
     * ciphertext-hiding, alias-check, tio). Default 0: nothing required, nothing forbidden. */
    unsigned long long platform_require; /* bits that must be set, else check "platform-info"
                                            fails; `--platform-require LIST` */
    unsigned long long platform_forbid;  /* bits that must be clear, e.g. 1 (SMT_EN) for
                                            `--forbid-smt`; `--platform-forbid LIST` */
    /* Mitigation vectors (report version 5 on): with check_mit_vector non-zero, check
     * "mit-vector" fails unless LAUNCH_MIT_VECTOR and CURRENT_MIT_VECTOR both hold every bit of
     * mit_vector_require (a 64-bit mask, bit n = mitigation n as AMD numbers them); a report
     * before version 5 carries no vectors and fails, even with a mask of 0. Default 0: not
     * checked. `--require-mit-vector HEX` sets both. */
    int check_mit_vector;
    unsigned long long mit_vector_require;
} zbprover_bundle_options_t;

typedef struct {
    int valid;                    /* every check passed or was skipped */
    int attested;                 /* a report bound the proof (kind snp or sim, verified) */
    int revocation_checked;       /* a valid CRL from the root covered the ASK/ASVK */
    int vek_revocation_checked;   /* ... and one from the ASK/ASVK the VCEK/VLEK */
    size_t checks, failed;
} zbprover_bundle_result_t;

/* Defaults: nothing beyond the proof, the transcript and the report's chain and signature (every
 * field 0 or NULL, except vmpl -1: any). */
ZBPROVER_API void zbprover_bundle_options_init(zbprover_bundle_options_t *o);

/* Verifies the bundle (a prove answer's JSON text). Returns ZBPROVER_OK (valid),
 * ZBPROVER_REJECTED (judged not valid; err names the failed checks and the first one's reason),
 * ZBPROVER_ERR_INPUT (a malformed bundle, key, certificate, CRL or option: err says which) or
 * ZBPROVER_ERR_INTERNAL. result may be NULL. Thread-safe; no network, no files. */
ZBPROVER_API int zbprover_verify_bundle(const char *bundle_json, size_t bundle_len,
                           const zbprover_bundle_options_t *o, zbprover_bundle_result_t *result,
                           char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
