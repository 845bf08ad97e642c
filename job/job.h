/* job.h: the job room's face: the attested job loop (`zbprover serve`), hub tickets and the replay
 * log, single-use X25519 keys and sealed witnesses, request parsing, and the client's bundle check.
 * The wire formats are specified in docs/job-protocol.md and docs/binding.md. */
#ifndef ZBP_JOB_H
#define ZBP_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "attest/attest.h"
#include "prover/json.h"
#include "prover/util.h"
#include "prover/prover.h"

/* Status codes. JOB_OK is success; every other value is one of the protocol's stable error codes
 * (job_code_name gives its text), so a failing function's status is also the answer's code. */
typedef enum {
    JOB_OK = 0,
    JOB_BAD_REQUEST,     /* malformed JSON, unknown op, missing or ill-typed field */
    JOB_BAD_TICKET,      /* malformed ticket, bad signature, another circuit, none given */
    JOB_EXPIRED_TICKET,  /* the ticket's expiry has passed */
    JOB_REPLAYED_TICKET, /* the ticket was spent before (the replay log says so) */
    JOB_BAD_ZKEY,        /* the .zkey cannot be read or does not check */
    JOB_BAD_WITNESS, /* unreadable, wrong size, unsatisfied, sealed and not authentic, key gone */
    JOB_TOO_LARGE,   /* a line or a witness over its limit */
    JOB_BUSY,        /* the prover is still held by a timed-out job; no room for a key */
    JOB_ATTESTATION_FAILED, /* the attestation backend gave no report */
    JOB_TIMEOUT,            /* the job ran past --job-timeout */
    JOB_INTERNAL,           /* out of memory, no randomness, an I/O failure of the replay log */
    JOB_CODE_COUNT
} job_code_t;

const char *job_code_name(int code); /* "bad_request", ...; "internal" for anything unknown */

/* ---- hex and base64: prover/util.h's (strict: canonical base64, no whitespace) ----
 * The job_ names stay as aliases while the job loop's files are rewritten (one implementation). */
static inline int job_hex_decode(uint8_t *out, size_t max, size_t *len, const char *hex,
                                 size_t hexlen) {
    return zbp_hex_decode(out, max, len, hex, hexlen);
}
static inline void job_hex_encode(char *out, const uint8_t *b, size_t n) { zbp_hex_encode(out, b, n); }
static inline size_t job_b64_decoded_max(size_t n) { return zbp_b64_decoded_max(n); }
static inline int job_b64_decode(uint8_t *out, size_t *len, const char *b64, size_t n) {
    return zbp_b64_decode(out, len, b64, n);
}
static inline char *job_b64_encode(const uint8_t *b, size_t n) { return zbp_b64_encode(b, n); }

/* ---- tickets ---- */
#define JOB_TICKET_ID_MIN 16
#define JOB_TICKET_ID_MAX 64
#define JOB_TICKET_SIG_MAX 1024 /* RSA-8192 */
#define JOB_TICKET_MSG_MAX (18 + 4 + JOB_TICKET_ID_MAX + 8 + 4 + 32)
/* The furthest ahead a ticket's expiry may lie when it is checked: 30 days. */
#define JOB_TICKET_MAX_LIFETIME_S (30 * 86400)

typedef struct {
    uint8_t id[JOB_TICKET_ID_MAX];
    size_t id_len;
    uint64_t expires; /* unix seconds: valid while now <= expires */
    bool has_zkey;
    uint8_t zkey_sha256[32];
    uint8_t sig[JOB_TICKET_SIG_MAX];
    size_t sig_len;
} job_ticket_t;

/* {"id": hex, "expires": n, "zkey_sha256": hex (optional), "sig": base64}. JOB_BAD_TICKET with a
 * message when anything is missing or malformed. */
int job_ticket_from_json(job_ticket_t *t, const json_t *v, char *err, size_t errlen);
/* "ZBPROVER-TICKET-V1" || lp(id) || u64le(expires) || lp(zkey_sha256 or empty): the signed bytes.
 * out holds JOB_TICKET_MSG_MAX bytes; returns the length. */
size_t job_ticket_message(uint8_t *out, const job_ticket_t *t);

/* The hub's public key: Ed25519, or RSA (rsaEncryption or RSASSA-PSS, at least 2048 bits) checked
 * with PSS, SHA-256, MGF1-SHA-256 and any salt length. */
typedef struct job_hubkey job_hubkey_t;
int job_hubkey_load(job_hubkey_t **out, const char *pem_path, char *err, size_t errlen);
int job_hubkey_from_pem(job_hubkey_t **out, const char *pem, size_t len, char *err, size_t errlen);
const char *job_hubkey_type(const job_hubkey_t *k); /* "ed25519" or "rsa-pss-sha256" */
void job_hubkey_free(job_hubkey_t *k);
/* The signature only: JOB_OK or JOB_BAD_TICKET. */
int job_ticket_verify_sig(const job_hubkey_t *k, const job_ticket_t *t, char *err, size_t errlen);
/* Signature, then expiry against now: JOB_OK, JOB_BAD_TICKET (also for an expiry more than
 * JOB_TICKET_MAX_LIFETIME_S ahead) or JOB_EXPIRED_TICKET. */
int job_ticket_check(const job_hubkey_t *k, const job_ticket_t *t, uint64_t now, char *err,
                     size_t errlen);
/* When the ticket names a circuit, it must be this one: JOB_OK or JOB_BAD_TICKET. */
int job_ticket_check_circuit(const job_ticket_t *t, const uint8_t zkey_sha256[32], char *err,
                             size_t errlen);

/* ---- the replay log: spent ticket ids, append-only, fsync'd, locked against a second server ----
 */
typedef struct job_replay job_replay_t;
/* Opens (creating) the log and loads the ids of tickets not yet expired at now. A torn last line
 * (a crash mid-append: that ticket was never used) is cut off. JOB_BAD_REQUEST for a log that
 * does not parse, JOB_BUSY when another process holds it, JOB_INTERNAL for I/O failures. */
int job_replay_open(job_replay_t **out, const char *path, uint64_t now, char *err, size_t errlen);
bool job_replay_contains(job_replay_t *r, const uint8_t *id, size_t len);
/* Appends the id and fsyncs before returning JOB_OK; JOB_REPLAYED_TICKET when it is there already;
 * JOB_INTERNAL when the write or the fsync fails (then the id is not spent). Thread-safe. */
int job_replay_spend(job_replay_t *r, const uint8_t *id, size_t len, uint64_t expires, char *err,
                     size_t errlen);
size_t job_replay_count(job_replay_t *r);
void job_replay_close(job_replay_t *r);

/* ---- single-use keys and sealed witnesses ---- */
#define JOB_KEY_ID_LEN 16
#define JOB_SEAL_ALG "X25519-HKDF-SHA256-AES-256-GCM"

typedef struct job_keystore job_keystore_t;
/* At most max_keys outstanding keys, each living ttl_s seconds at most. */
job_keystore_t *job_keystore_new(size_t max_keys, double ttl_s);
void job_keystore_free(job_keystore_t *ks); /* wipes every private key */
size_t job_keystore_count(job_keystore_t *ks);
/* Wipes the keys whose time has run out; the loop calls it at least every 100 ms, so that an
 * unused key does not outlive its time by waiting for the store's next use. */
void job_keystore_sweep(job_keystore_t *ks);
/* A fresh X25519 pair bound to ticket_id (may be empty). JOB_BUSY when the store is full. */
int job_keystore_create(job_keystore_t *ks, const uint8_t *ticket_id, size_t ticket_id_len,
                        uint8_t key_id[JOB_KEY_ID_LEN], uint8_t pub[32], char *err, size_t errlen);

/* A sealed witness or input as it travels: {"alg", "content", "key_id", "epk", "ct"}
 * (docs/job-protocol.md). content "wtns" (or absent): a .wtns, sealed as V1; "input": the circuit's
 * input JSON, sealed as V2 (its associated data also binds the witness program's SHA-256). */
typedef struct {
    bool input; /* content "input" */
    uint8_t key_id[JOB_KEY_ID_LEN];
    uint8_t epk[32];
    const char *ct_b64; /* borrowed from the JSON document */
    size_t ct_b64_len;
} job_sealed_t;
int job_sealed_from_json(job_sealed_t *s, const json_t *v, char *err, size_t errlen);
/* Takes the key named by s out of the store (it is then gone, whatever happens next), checks that
 * it was issued for ticket_id, and decrypts with the associated data (ticket_id, zkey_sha256, for
 * an input the program's wasm_sha256 (NULL for a witness), key_id). *plain is secret memory (the caller frees it with job_secret_free, which wipes it). JOB_BAD_WITNESS when the key is
 * unknown, used, expired or another ticket's, or when authentication fails; JOB_TOO_LARGE when
 * the plaintext would exceed max_plain. */
int job_sealed_open(job_keystore_t *ks, const job_sealed_t *s, const uint8_t *ticket_id,
                    size_t ticket_id_len, const uint8_t zkey_sha256[32],
                    const uint8_t *wasm_sha256, size_t max_plain, uint8_t **plain,
                    size_t *plain_len, char *err, size_t errlen);
/* The client's side: encrypts plain to the recipient's key and writes the sealed object as one
 * line of JSON (*out malloc'ed). wasm_sha256 NULL: plain is a .wtns (V1); else plain is the
 * circuit's input JSON for that witness program (content "input", V2). */
int job_seal(char **out, const uint8_t recipient_pub[32], const uint8_t key_id[JOB_KEY_ID_LEN],
             const uint8_t *ticket_id, size_t ticket_id_len, const uint8_t zkey_sha256[32],
             const uint8_t *wasm_sha256, const uint8_t *plain, size_t plain_len, char *err,
             size_t errlen);

/* ---- requests ---- */
typedef enum {
    JOB_OP_NONE = 0,
    JOB_OP_PROVE,
    JOB_OP_KEY,
    JOB_OP_PING,
    JOB_OP_INFO,
    JOB_OP_SHUTDOWN
} job_op_t;
/* Where a prove request's witness comes from: a .wtns (path, base64, sealed), or computed from the
 * circuit's input (a JSON object in the request, or sealed) by the witness program `wasm`. */
typedef enum {
    JOB_WTNS_NONE = 0,
    JOB_WTNS_PATH,
    JOB_WTNS_B64,
    JOB_WTNS_SEALED,
    JOB_WTNS_INPUT,
    JOB_WTNS_SEALED_INPUT
} job_wtns_src_t;

#define JOB_ID_MAX 256

typedef struct {
    json_t *doc; /* owns every string below */
    const char *id;  /* NULL when absent or unusable (the answer then carries null) */
    size_t id_len;
    job_op_t op;
    const char *zkey; /* prove: the .zkey's path */
    job_wtns_src_t wsrc;
    const char *wtns; /* path, or base64 text */
    size_t wtns_len;
    job_sealed_t sealed;
    const char *wasm;            /* JOB_WTNS_INPUT, _SEALED_INPUT: the witness program's path */
    const json_t *input;   /* JOB_WTNS_INPUT: the input object (in doc) */
    bool has_ticket;
    job_ticket_t ticket;
} job_request_t;

/* Parses one request line. On failure the request still carries its id when one could be read,
 * and the status is the answer's code (JOB_BAD_REQUEST, JOB_BAD_TICKET). Always job_request_free.
 */
int job_request_parse(job_request_t *r, const char *text, size_t len, char *err, size_t errlen);
/* Wipes every string of the request's document (a witness may be among them). */
void job_request_wipe(job_request_t *r);
void job_request_free(job_request_t *r); /* wipes, then frees */

/* ---- the loop ---- */
typedef enum { JOB_ATTEST_AUTO = 0, JOB_ATTEST_SNP, JOB_ATTEST_SIM, JOB_ATTEST_NONE } job_attest_t;

typedef struct {
    job_attest_t attest;
    const char *sim_dir;      /* NULL: $ZBP_SIM_DIR, else ~/.zbprover/sim */
    const char *certs_dir;    /* host-supplied certificates for answers, or NULL */
    const char *hub_key;      /* PEM path; NULL: no tickets are checked */
    const char *replay_log;   /* required with hub_key */
    size_t max_witness_bytes; /* decoded witness size limit */
    size_t max_line_bytes;    /* 0: derived from max_witness_bytes */
    size_t max_queue;         /* requests read ahead of the one being served */
    double job_timeout_s;     /* 0: none */
    size_t zkey_cache_bytes;  /* budget of the circuit cache (file sizes) */
    int threads;              /* 0: OpenMP's default */
    const char *device;       /* where proofs run: NULL or "cpu", "auto", "cuda", "cuda:N"
                                 (prover.h's zbp_circuit_open); checked at start */
    size_t max_keys;          /* outstanding single-use keys */
    double key_ttl_s;
    /* prove from inputs: the witness program's limits and its objects' cache */
    unsigned witness_time_limit_s;  /* 0: the witness engine's default */
    uint64_t witness_memory_limit;  /* bytes; 0: the witness engine's default */
    const char *witness_cache_dir;  /* NULL: the witness engine's default */
    size_t workers;                 /* jobs at once, each in its circuit's worker (0: 1) */
} job_serve_opts_t;

/* The bounds job_serve accepts (and `serve` gives as its options' ranges). */
#define JOB_MAX_WITNESS_LIMIT ((uint64_t)16 << 30) /* 16 GiB */
#define JOB_MAX_LINE_LIMIT ((uint64_t)24 << 30)    /* above base64 of the largest witness */
#define JOB_MAX_CACHE_LIMIT ((uint64_t)1 << 40)    /* 1 TiB */
#define JOB_MAX_QUEUE_LIMIT 4096
#define JOB_MAX_KEYS_LIMIT 65536
#define JOB_MAX_THREADS_LIMIT 4096
#define JOB_MAX_WORKERS_LIMIT 64 /* --workers: jobs (for different circuits) at once */
#define JOB_MAX_SECONDS_LIMIT 10000000 /* about 115 days */

void job_serve_opts_init(job_serve_opts_t *o);
/* Runs the loop on in_fd / out until EOF, SIGTERM/SIGINT or a shutdown request, then returns 0.
 * Returns 2 (with err) for unusable options, 3 when the environment cannot serve (attestation
 * backend missing, replay log locked or unwritable). Logs go to stderr as JSON lines. */
int job_serve(const job_serve_opts_t *o, int in_fd, FILE *out, char *err, size_t errlen);

/* ---- the client's check of a prove answer (a bundle) ---- */
typedef struct {
    const char *vk_path;
    const char *const *certs; /* paths (files or directories) */
    size_t n_certs;
    const char *const *crls;  /* CRL files (PEM or DER) */
    size_t n_crls;
    snp_policy_t policy;            /* report_data is filled in from the transcript */
    bool allow_unattested;          /* accept kind "none" (the proof alone) */
    const char *expect_job_id;      /* NULL: not checked */
    const char *expect_ticket_id;   /* hex, or NULL */
    const char *expect_zkey_sha256; /* hex, or NULL */
} job_bundle_opts_t;

#define JOB_BUNDLE_MAX_LINES 64
typedef struct {
    bool ok;
    bool attested;                  /* a report bound the proof and was judged */
    bool revocation_checked, vek_revocation_checked; /* as snp_verdict_t says */
    size_t n;
    size_t dropped;                 /* lines that found the list full: each makes ok false */
    struct {
        char name[24];
        int status; /* SNP_CHECK_PASS, _FAIL or _SKIP */
        char detail[256];
    } checks[JOB_BUNDLE_MAX_LINES];
} job_bundle_verdict_t;

/* A text in memory and the name that messages give it. */
typedef struct {
    const char *name;
    const char *text;
    size_t len;
} job_text_t;

/* The check itself, on texts in memory: the bundle and the verification key, and the client's
 * certificate set (chain and CRLs; the bundle's attestation.certs are added to it). o's paths are
 * not read. Returns 0 (every check passed), 1 (some check failed: see v), 2 (malformed bundle, key
 * or certificate, or a missing certificate; err says which) or 3 (internal failure). */
int job_bundle_verify(job_bundle_verdict_t *v, job_text_t bundle, job_text_t vk, snp_certs_t *certs,
                      const job_bundle_opts_t *o, char *err, size_t errlen);
/* The same from files: the bundle at bundle_path, and o's key, certificates and CRLs. */
int job_bundle_check(job_bundle_verdict_t *v, const char *bundle_path, const job_bundle_opts_t *o,
                     char *err, size_t errlen);

/* The KEY transcript check a client does before sealing: the answer's report_data equals
 * SHA-512("ZBPROVER-KEY-V1" || lp(ticket_id) || public), and so does the report's REPORT_DATA
 * when a report is present. Fills the key's fields. 0, 1 (mismatch) or 2 (malformed). */
int job_key_answer_read(const json_t *answer, uint8_t key_id[JOB_KEY_ID_LEN], uint8_t pub[32],
                        uint8_t *ticket_id, size_t *ticket_id_len, char *err, size_t errlen);

#endif
