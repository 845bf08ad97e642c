/* setup_int.h: inside the insecure development setup (setup.c, zbp_setup_insecure_dev): the
 * fixed-base multiplication (setup_fixed_base.c) and the .zkey writer (zkey_write.c, beside the
 * reader zkey.c). Nothing here is constant time: the toxic waste of a development key is not a
 * secret worth that (prover.h says so at zbp_setup_insecure_dev). */
#ifndef ZBP_SETUP_INT_H
#define ZBP_SETUP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "prover/prover.h"

/* ---- fixed-base multiplication (setup_fixed_base.c) ---- */
typedef struct {
    unsigned w, windows;
    size_t per; /* 2^(w-1) entries per window: entry d-1 holds d·2^(wj)·G */
    void *pts;  /* windows · per affine points (g1_affine_t or g2_affine_t); owned: free() */
} fb_table_t;

/* Per-thread scratch for one batch of at most FB_BATCH scalars. */
#define FB_BATCH 1024
typedef struct {
    void *acc_p[FB_BATCH];
    const void *add_p[FB_BATCH];
    uint8_t neg[FB_BATCH];
    uint8_t carry[FB_BATCH];
    fq2_t scratch[FB_BATCH]; /* big enough for either field */
} fb_scratch_t;

/* The window (4..16) minimising additions for `count` multiplications, table building included. */
unsigned fb_choose_window(size_t count);
/* Fills t for base with w-bit signed windows on `threads` threads: ZBP_OK or ZBP_ERR_NOMEM (t->pts
 * NULL). */
ZBP_MUST_USE
zbp_status g1_fb_build(fb_table_t *t, const g1_affine_t *base, unsigned w, int threads);
ZBP_MUST_USE
zbp_status g2_fb_build(fb_table_t *t, const g2_affine_t *base, unsigned w, int threads);
/* out[i] = k[i]·G for n <= FB_BATCH canonical scalars below r; s is the caller thread's scratch. */
void g1_fb_mul(const fb_table_t *t, g1_affine_t *out, const uint64_t (*k)[4], size_t n,
               fb_scratch_t *s);
void g2_fb_mul(const fb_table_t *t, g2_affine_t *out, const uint64_t (*k)[4], size_t n,
               fb_scratch_t *s);

/* ---- the .zkey writer (zkey_write.c) ----
 * Written through a temporary file beside the target (mkstemp) and renamed into place by
 * zkw_commit, so a failure or an interruption never leaves a partial key at the path. While
 * o->hashing is set, section bodies are also hashed (Blake2b-512) for the contributions section's
 * circuit hash. A write error is remembered in o->failed (an errno) and reported by zkw_commit. */
typedef struct {
    FILE *f;
    char *tmp;
    EVP_MD_CTX *md;
    int hashing;
    int failed;
} zout_t;

/* Opens the temporary file beside path. ZBP_OK, or a status (zbp_status_of_errno, NOMEM) with err
 * naming path; o is then closed. */
ZBP_MUST_USE zbp_status zkw_open(zout_t *o, const char *path, char *err, size_t errlen);
void zkw_put(zout_t *o, const void *p, size_t n);
void zkw_put32(zout_t *o, uint32_t v);
void zkw_section(zout_t *o, uint32_t id, uint64_t size); /* a section header, never hashed */
void zkw_put_g1(zout_t *o, const g1_affine_t *a);
void zkw_put_g2(zout_t *o, const g2_affine_t *a);
/* Sections 1 (Groth16) and 2 (the header: moduli, sizes, alpha1, beta1, beta2, gamma2 = G2,
 * delta1, delta2); starts hashing. */
void zkw_header(zout_t *o, uint32_t n_vars, uint32_t n_public, uint32_t domain,
                const g1_affine_t *alpha1, const g1_affine_t *beta1, const g2_affine_t *beta2,
                const g1_affine_t *delta1, const g2_affine_t *delta2);
/* Section 4: the A and B terms of r's constraints, then the n_public + 1 public rows;
 * n_coefs counts both. */
void zkw_coefs(zout_t *o, const zbp_r1cs_t *r, uint32_t n_public, uint64_t n_coefs);
/* Section 10: the circuit hash of sections 2..9 and one contribution named name (name_len <= 64)
 * whose delta is delta1/delta2. Ends hashing. ZBP_ERR_INTERNAL when OpenSSL cannot hash. */
ZBP_MUST_USE
zbp_status zkw_contribution(zout_t *o, const g1_affine_t *delta1, const g2_affine_t *delta2,
                                         const char *name, size_t name_len, char *err, size_t errlen);
/* Flushes, fsyncs and renames the file into place: ZBP_OK, or a status with err naming path (a
 * write that failed underneath is ZBP_ERR_IO). Closes o either way. */
ZBP_MUST_USE zbp_status zkw_commit(zout_t *o, const char *path, char *err, size_t errlen);
/* Closes o and removes its temporary file (after a failure; harmless after zkw_commit). */
void zkw_abort(zout_t *o);

#endif
