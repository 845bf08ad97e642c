/* prover.h: the face of the prover room: readers of snarkjs's .zkey, .wtns and .r1cs files, the
 * Groth16 verifier (snarkjs's check on the same JSON files) with its key and proof types, and the
 * writers of verification_key.json, proof.json and public.json.
 *
 * The contract of every function here, unless its comment says otherwise:
 * - Errors: a zbp_status (field/status.h), ZBP_MUST_USE; on failure one line in (err, errlen) that
 *   names the file and what is wrong, and the outputs are left closed or freed (nothing to undo).
 *   A proof that does not verify is ZBP_OK with *valid = 0, not an error.
 * - Ownership: readers (_open, _from_memory) fill a caller's struct that _close releases; a
 *   _from_memory reader borrows buf until _close. Writers allocate (*out) for the caller to free.
 * - Aliasing: inputs are const and may be shared between threads; outputs must not alias inputs.
 * - Ranges: field elements and points are checked against their moduli and curves where they are
 *   read (ZBP_ERR_RANGE, ZBP_ERR_INPUT); inside, values are canonical Montgomery form.
 * - Constant time: zbp_groth16_prove keeps the witness and r, s off branches and addresses where
 *   it computes with them as secrets (G_mul, constant-time field arithmetic; the MSMs are variable
 *   time by design, as curve/README.md says) and wipes them; readers and the verifier handle
 *   public data and are variable time. The development setup is insecure by name. */
#ifndef ZBP_PROVER_H
#define ZBP_PROVER_H

#include <stddef.h>

#include "curve/curve.h"
#include "field/field.h"
#include "prover/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A Groth16 verification key (verification_key.json). Points are checked: on the curve, and the
 * G2 ones in G2. ic holds n_public + 1 points and is owned by the key. */
typedef struct {
    size_t n_public;
    g1_affine_t alpha1;
    g2_affine_t beta2, gamma2, delta2;
    g1_affine_t *ic;
} groth16_vk_t;

/* A proof (proof.json): pi_a, pi_b, pi_c, checked like the key's points (the identity is allowed,
 * as snarkjs allows it). */
typedef struct {
    g1_affine_t a;
    g2_affine_t b;
    g1_affine_t c;
} groth16_proof_t;

/* Readers of the parsed JSON. Each returns ZBP_OK, or ZBP_ERR_INPUT / ZBP_ERR_RANGE (a number >= its
 * modulus) / ZBP_ERR_NOMEM with one phrase in err (what is wrong and where, e.g.
 * "pi_b: not in the subgroup G2"), without the file's name. */
ZBP_MUST_USE
zbp_status groth16_vk_from_json(groth16_vk_t *vk, const json_t *root, char *err, size_t errlen);
void groth16_vk_free(groth16_vk_t *vk);
ZBP_MUST_USE
zbp_status groth16_proof_from_json(groth16_proof_t *proof, const json_t *root, char *err, size_t errlen);
/* public.json: an array of decimal strings below r. *pub is malloc'ed (free() it); NULL when n = 0. */
ZBP_MUST_USE
zbp_status groth16_public_from_json(fr_t **pub, size_t *n, const json_t *root, char *err, size_t errlen);

/* e(-A, B) e(IC_0 + sum pub_i IC_(i+1), gamma) e(C, delta) e(alpha, beta) == 1, one multi-Miller
 * loop and one final exponentiation. *valid is 1 or 0. ZBP_ERR_INPUT when n != vk->n_public. */
ZBP_MUST_USE
zbp_status groth16_verify(const groth16_vk_t *vk, const groth16_proof_t *proof, const fr_t *pub, size_t n,
                   int *valid);

/* The whole `zbprover verify`: reads and checks the three files, then verifies. Returns ZBP_OK with
 * *valid set, or an error status with err = "<file>: <what is wrong>". */
ZBP_MUST_USE
zbp_status groth16_verify_files(const char *vk_path, const char *public_path, const char *proof_path,
                         int *valid, char *err, size_t errlen);

/* ---- snarkjs binary files (.zkey, .wtns, .r1cs) -------------------------------------------------------
 * A file is mapped (mmap) or borrowed from the caller's memory and read in place: nothing is copied.
 * Every count, size and offset is checked against the file and against BN254 before use; an error
 * returns ZBP_ERR_INPUT (malformed), ZBP_ERR_RANGE (a number out of range), ZBP_ERR_UNSUPPORTED
 * (another curve or protocol) or ZBP_ERR_NOMEM / ZBP_ERR_IO with one line in err that names the
 * file, the section and what is wrong. Point sections hold zkey-form points (see curve.h) that may
 * be only 4-byte aligned in the file: read them through g1_affine_from_bytes / memcpy (the prover
 * copies a misaligned section into aligned memory one section at a time). */

typedef struct {
    const uint8_t *p; /* the section's body, or NULL when absent */
    uint64_t size;
} zbp_section_t;

#define ZBP_MAX_SECTION_ID 15
typedef struct {
    const uint8_t *data; /* the whole file */
    size_t size;
    int owned;           /* 1: mapped by zbp_binfile_open (unmapped by _close) */
    char name[256];      /* the file's name, for messages */
    char magic[5];
    uint32_t version;
    zbp_section_t sec[ZBP_MAX_SECTION_ID + 1]; /* by id; ids above the maximum are skipped */
} zbp_binfile_t;

/* Opens and indexes a container with the given magic ("zkey", "wtns", "r1cs") and version <=
 * max_version. _open maps the file read-only; _from_memory borrows buf (kept alive by the caller). */
ZBP_MUST_USE
zbp_status zbp_binfile_open(zbp_binfile_t *f, const char *path, const char *magic, uint32_t max_version,
                     char *err, size_t errlen);
ZBP_MUST_USE
zbp_status zbp_binfile_from_memory(zbp_binfile_t *f, const uint8_t *buf, size_t len, const char *name,
                            const char *magic, uint32_t max_version, char *err, size_t errlen);
void zbp_binfile_close(zbp_binfile_t *f);
/* Drops the whole pages of a mapped file inside [p, p + len) from this process's resident memory
 * (madvise MADV_DONTNEED): they are clean copies of the file, read again from the page cache if
 * touched later. The prover calls it on each section it has finished with, so that its peak memory
 * is one section at a time rather than the whole key. No effect on borrowed memory (_from_memory:
 * dropping anonymous pages would zero them) or outside the file. */
void zbp_binfile_release(const zbp_binfile_t *f, const void *p, size_t len);

/* A Groth16 .zkey for BN254 (protocol 1). */
typedef struct {
    zbp_binfile_t file;
    uint32_t n_vars;       /* wires, including wire 0 (the constant 1) */
    uint32_t n_public;     /* outputs + public inputs (wire 0 not counted) */
    uint32_t domain_size;  /* n, a power of two */
    unsigned log_domain;   /* log2 n, at most 28 */
    uint32_t n_constraints;/* derived from the coefficient records (the public rows follow them) */
    uint32_t n_coefs;
    g1_affine_t alpha1, beta1, delta1; /* decoded and checked */
    g2_affine_t beta2, gamma2, delta2;
    const uint8_t *coefs;  /* n_coefs records of 44 bytes: u32 matrix, u32 row, u32 wire, Fr (v R^2) */
    const uint8_t *ic, *a, *b1, *c, *h; /* G1 point sections: n_public+1, n_vars, n_vars,
                                           n_vars-n_public-1, domain_size points */
    const uint8_t *b2;     /* G2 points: n_vars */
    uint32_t n_contributions;
    int rows_sorted;       /* the coefficient records come in row order (lets A·w, B·w split by row) */
} zbp_zkey_t;

/* Reads a .zkey: the header's points are decoded and checked (on the curve, in G2), every
 * coefficient record is checked (matrix 0 or 1, row < domain, wire < n_vars, value < r); the
 * point sections are checked for size only (zbp_zkey_check_points checks every point). */
ZBP_MUST_USE zbp_status zbp_zkey_open(zbp_zkey_t *z, const char *path, char *err, size_t errlen);
ZBP_MUST_USE
zbp_status zbp_zkey_from_memory(zbp_zkey_t *z, const uint8_t *buf, size_t len, const char *name, char *err,
                         size_t errlen);
void zbp_zkey_close(zbp_zkey_t *z);
/* Every point of every section canonical and on its curve (G2 also in the subgroup): a full check
 * for untrusted keys, about a microsecond per G1 point. */
ZBP_MUST_USE zbp_status zbp_zkey_check_points(const zbp_zkey_t *z, char *err, size_t errlen);
/* SHA-256 of the whole file. */
void zbp_zkey_sha256(const zbp_zkey_t *z, uint8_t out[32]);

/* A .wtns: n values of Fr in canonical (not Montgomery) form, 32 bytes little-endian each, each
 * checked below r at open. */
typedef struct {
    zbp_binfile_t file;
    uint32_t n_witness;
    const uint8_t *values;
} zbp_wtns_t;
ZBP_MUST_USE zbp_status zbp_wtns_open(zbp_wtns_t *w, const char *path, char *err, size_t errlen);
ZBP_MUST_USE
zbp_status zbp_wtns_from_memory(zbp_wtns_t *w, const uint8_t *buf, size_t len, const char *name, char *err,
                         size_t errlen);
void zbp_wtns_close(zbp_wtns_t *w);

/* A .r1cs: the header, and the constraint section walked and checked in full. */
typedef struct {
    zbp_binfile_t file;
    uint32_t n_wires, n_outputs, n_pub_inputs, n_prv_inputs, n_constraints;
    uint64_t n_labels;
    uint64_t n_terms;    /* over all constraints and all three linear combinations */
    int custom_gates;    /* sections 4 and 5 present */
    const uint8_t *constraints;
    uint64_t constraints_size;
} zbp_r1cs_t;
ZBP_MUST_USE zbp_status zbp_r1cs_open(zbp_r1cs_t *r, const char *path, char *err, size_t errlen);
ZBP_MUST_USE
zbp_status zbp_r1cs_from_memory(zbp_r1cs_t *r, const uint8_t *buf, size_t len, const char *name, char *err,
                         size_t errlen);
void zbp_r1cs_close(zbp_r1cs_t *r);

/* ---- the prover ---------------------------------------------------------------------------------------- */
typedef struct {
    g1_affine_t a;
    g2_affine_t b;
    g1_affine_t c;
    size_t n_public;
    fr_t *pub; /* w[1..n_public], Montgomery form; owned (zbp_proof_free) */
} zbp_proof_t;

typedef struct {
    int threads; /* 0: OpenMP's default */
#ifdef ZBP_TEST_HOOKS
    /* Test builds only (ZBP_BUILD_TESTS=ON defines ZBP_TEST_HOOKS on the library and the program):
     * 1 uses r and s below instead of the OS CSPRNG, for deterministic proofs. A proof made so is
     * not zero-knowledge; a production build has no such field. */
    int fixed_rs;
    uint64_t r[4], s[4];
#endif
    /* Called on the calling thread as each phase begins, with its name ("msm B2 (G2)"): a
     * progress display's hook. NULL: none. */
    void (*progress)(void *ctx, const char *phase);
    void *progress_ctx;
} zbp_prove_opts_t;
void zbp_prove_opts_init(zbp_prove_opts_t *o);

/* What one MSM of the proof did (the CPU's msm_stats_t, reduced): its plan and its work. */
typedef struct {
    unsigned window, windows, ranges; /* c, windows of the main pass, bucket ranges per window */
    uint64_t zero, one, small, full;  /* the scalars' classes (identity points count as zero) */
    uint64_t additions, inversions, collisions;
} zbp_msm_profile_t;

/* Wall time of each phase in milliseconds, and the sizes: what `--profile` writes. */
typedef struct {
    zbp_msm_profile_t msm[5]; /* A, B1, B2, C, H (CPU prover; zeros from the GPU one) */
    double peak_rss_mib;      /* the process's peak resident memory, filled by the CLI */
    double witness_ms, abc_ms, ntt_ms, h_ms;
    double msm_a_ms, msm_b1_ms, msm_b2_ms, msm_c_ms, msm_h_ms;
    double finish_ms, verify_ms, total_ms; /* total: the whole zbp_groth16_prove call */
    double load_ms, output_ms;             /* filled by the caller (CLI): opening, writing files */
    uint32_t n_vars, n_public, domain_size, n_constraints;
    int threads;
    /* Filled by zbp_circuit_prove: the device that made this proof ("cpu", "cuda:0"), and, once,
     * why a circuit opened with "auto" left its GPU for the CPU (else empty). */
    char device[16];
    char device_note[512];
} zbp_profile_t;

/* Proves with snarkjs's math (docs/formats.md §5), then checks the proof with the key's own
 * verification key: a witness that does not satisfy the circuit gives ZBP_ERR_INPUT and a message
 * saying so, never a proof. r and s come from getrandom() and are wiped, as are the copy of the
 * witness and the domain vectors a, b, c, h (not the NTT's and MSMs' scratch). err names the files (their zbp_binfile_t names). prof may be NULL. */
ZBP_MUST_USE
zbp_status zbp_groth16_prove(zbp_proof_t *out, const zbp_zkey_t *z, const zbp_wtns_t *w,
                      const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err, size_t errlen);
void zbp_proof_free(zbp_proof_t *p);
/* The prover's last step, shared with the GPU prover (cuda/): from the MSM results A = sum w_i A_i,
 * B1, B2 (G2), C and H, draws r and s (or takes opts' fixed ones), assembles pi_a, pi_b, pi_c and
 * the public signals from w, and runs the pairing check. Fills
 * prof->finish_ms and verify_ms. opts and prof may be NULL. */
ZBP_MUST_USE
zbp_status zbp_groth16_finish(zbp_proof_t *out, const zbp_zkey_t *z, const zbp_wtns_t *w,
                       const g1_jac_t *A, const g1_jac_t *B1, const g2_jac_t *B2,
                       const g1_jac_t *C, const g1_jac_t *H, const zbp_prove_opts_t *opts,
                       zbp_profile_t *prof, char *err, size_t errlen);

/* ---- a circuit on a device: the prover's face for the CLI, the job loop and the C APIs ------------
 * One zkey, opened for proving on a device, and proved with any number of times. device:
 *   "cpu" (or NULL)  the CPU prover (zbp_groth16_prove);
 *   "cuda", "cuda:N" GPU N (0 by default): the key's point sections and coefficients go to the GPU
 *                    once, at open, and stay resident until zbp_circuit_free; no GPU (or a build
 *                    without the CUDA backend) is an error at open: ZBP_ERR_ENV with
 *                    "--device cuda: no usable GPU: <why>" ("not compiled in (this build has no
 *                    CUDA backend)", "no CUDA device found", ...);
 *   "auto"           GPU 0 when one is usable and the key loads onto it, else the CPU, quietly when
 *                    there is no GPU. Any GPU failure later (a CUDA error, device memory, a proof
 *                    that fails its pairing check, which always runs on GPU proofs) proves that
 *                    witness on the CPU; when the CPU proves it, the GPU was at fault: the circuit
 *                    drops its GPU and proves on the CPU from then on, and says so once, in that proof's prof->device_note (the caller prints or
 *                    logs it). A witness the CPU refuses too gets the CPU's error, and the GPU stays.
 * z must stay open while the circuit lives (the GPU path reads its header at each proof).
 * Returns ZBP_OK, ZBP_ERR_INPUT (a malformed device), ZBP_ERR_ENV (no usable GPU for "cuda", or
 * a GPU that cannot take the key), ZBP_ERR_NOMEM, with err. */
typedef struct zbp_circuit zbp_circuit_t;
ZBP_MUST_USE zbp_status zbp_circuit_open(zbp_circuit_t **out, const zbp_zkey_t *z, const char *device, char *err,
                     size_t errlen);
/* zbp_groth16_prove's contract on the circuit's device: same outputs for the same r and s on
 * either device; prof (may be NULL) also gets device and device_note. Thread-safe: GPU proofs of
 * one circuit run one at a time (a mutex), CPU proofs concurrently. */
ZBP_MUST_USE zbp_status zbp_circuit_prove(zbp_circuit_t *c, zbp_proof_t *out, const zbp_wtns_t *w,
                      const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err, size_t errlen);
/* Where the next proof runs: "cpu" or "cuda:N". */
const char *zbp_circuit_device(const zbp_circuit_t *c);
/* Device memory the circuit holds (0 on the CPU). */
size_t zbp_circuit_device_bytes(const zbp_circuit_t *c);
void zbp_circuit_free(zbp_circuit_t *c); /* NULL is fine */
/* Checks a device value without a key: what zbp_circuit_open would say about it (the CLI and the
 * loop call it before reading any file). *gpu gets the GPU index, or -1 for the CPU (auto without
 * a usable GPU). */
ZBP_MUST_USE zbp_status zbp_device_check(const char *device, int *gpu, char *err, size_t errlen);
/* The device the C APIs (include/zbprover.h, include/prover.h) prove on: $ZBP_DEVICE, else "cpu". */
const char *zbp_api_device(void);

#ifdef ZBP_TEST_HOOKS
/* Test builds only: a fake GPU backend in place of cuda/, so that the device logic runs on machines
 * without a GPU. mode: NULL (the real backend), "ok" (a GPU that proves right: on the CPU, with the
 * caller's r and s), "fail" (every proof fails with a CUDA-like error), "nomem" (the key does not
 * fit: open fails), "wrong" (proofs with a wrong pi_a, as a faulty GPU would make). Also read from
 * $ZBP_TEST_FAKE_GPU at each open when not set here. Not thread-safe; call before opening. */
void zbp_circuit_test_fake_gpu(const char *mode);
#endif

/* The pairing check of a proof against the key's alpha, beta, gamma, delta and IC. (Not yet
 * ZBP_MUST_USE: cuda/gpu_check.cu ignores it in two places; add it when that file checks them.) */
zbp_status zbp_zkey_verify_proof(const zbp_zkey_t *z, const zbp_proof_t *p, int *valid, char *err,
                          size_t errlen);

/* ---- insecure development setup (setup.c) --------------------------------------------------------------
 * A Groth16 key for a .r1cs from toxic waste drawn here (tau, alpha, beta, delta; gamma = 1), in
 * snarkjs's .zkey layout (sections 1..10, the coefficient section as `zkey new` writes it), so that
 * circuits can be benchmarked without a ceremony. Whoever ran it could forge proofs: its one
 * contribution is named ZBP_SETUP_DEV_NAME. The file is written atomically (temporary file, fsync,
 * rename). Variable-time fixed-base multiplications with per-generator tables. */
#define ZBP_SETUP_DEV_NAME "INSECURE DEV SETUP - zbprover"
typedef struct {
    int threads;      /* 0: OpenMP's default */
    const char *name; /* the contribution's name (at most 64 bytes kept); NULL: ZBP_SETUP_DEV_NAME */
} zbp_setup_opts_t;
void zbp_setup_opts_init(zbp_setup_opts_t *o);
typedef struct {
    double qap_ms, points_ms, total_ms; /* QAP at tau; tables, points and writing; the whole call */
    uint32_t n_vars, n_public, n_constraints, domain_size;
    uint64_t n_coefs;
    unsigned window_g1, window_g2; /* the fixed-base tables' window bits */
    int threads;
} zbp_setup_stats_t;
/* Returns ZBP_OK, or ZBP_ERR_UNSUPPORTED (custom gates), ZBP_ERR_RANGE (over 2^28 rows, or over
 * 2^32 coefficients), ZBP_ERR_NOMEM, ZBP_ERR_IO, with err naming the file. stats may be NULL. */
ZBP_MUST_USE
zbp_status zbp_setup_insecure_dev(const zbp_r1cs_t *r, const char *zkey_path, const zbp_setup_opts_t *opts,
                           zbp_setup_stats_t *stats, char *err, size_t errlen);

/* ---- JSON writers in snarkjs's exact layout (1-space indent, no trailing newline) --------------------
 * Each writes to a temporary file beside path and renames it into place, so a failure leaves
 * nothing partial behind. */
ZBP_MUST_USE
zbp_status zbp_write_vk_json(const char *path, const zbp_zkey_t *z, char *err, size_t errlen);
/* The same text into a malloc'ed string (*out, *len); free() it. */
ZBP_MUST_USE zbp_status zbp_vk_json(char **out, size_t *len, const zbp_zkey_t *z);
/* proof.json and public.json as snarkjs writes them (z = "1", Fq2 as [c0, c1], decimal strings). */
ZBP_MUST_USE zbp_status zbp_proof_json(char **out, size_t *len, const zbp_proof_t *p);
ZBP_MUST_USE zbp_status zbp_public_json(char **out, size_t *len, const zbp_proof_t *p);
/* The same as jansson trees (json_decref them; NULL when out of memory), for the writers above and
 * the compact ones below: the proof's keys pi_a, pi_b, pi_c, protocol, then curve if with_curve;
 * the public signals (n values in Montgomery form) as decimal strings. */
json_t *zbp_proof_value(const zbp_proof_t *p, int with_curve);
json_t *zbp_public_value(const fr_t *pub, size_t n);
/* Both files, each atomically; when the second cannot be written the first is removed again, so
 * a failure leaves neither behind. */
ZBP_MUST_USE
zbp_status zbp_write_proof_files(const char *proof_path, const char *public_path, const zbp_proof_t *p,
                          char *err, size_t errlen);
/* The same texts in rapidsnark's layout (keys sorted, no whitespace, no "curve" key; public as
 * ["..",".."], "[]" when n = 0), for the rapidsnark interface (rapidsnark.c, include/prover.h)
 * and the CLI run as `prover`. pub: n values in Montgomery form. */
ZBP_MUST_USE zbp_status zbp_proof_json_compact(char **out, size_t *len, const zbp_proof_t *p);
ZBP_MUST_USE zbp_status zbp_public_json_compact(char **out, size_t *len, const fr_t *pub, size_t n);
/* --profile: the profile as JSON (phases in ms, sizes, threads, field paths), written in
 * snarkjs's layout; the _value form as a jansson tree (NULL when out of memory). */
ZBP_MUST_USE zbp_status zbp_write_profile_json(const char *path, const zbp_profile_t *prof, char *err, size_t errlen);
json_t *zbp_profile_value(const zbp_profile_t *prof);
/* Writes v (taken: released here) to path in snarkjs's layout, atomically. */
ZBP_MUST_USE zbp_status zbp_write_json_file(const char *path, json_t *v, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
