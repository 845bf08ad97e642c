/* ntt.h: the face of the ntt room. Number-theoretic transforms over BN254 Fr on the CPU, on the
 * domains snarkjs uses: forward, inverse and coset transforms, natural or bit-reversed order. */
#ifndef ZBP_NTT_H
#define ZBP_NTT_H

#include <stddef.h>

#include "field/field.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes are n = 2^log_n for log_n = 0..NTT_MAX_LOG (Fr's 2-adicity). The domain of size n is
 * {ω^i} with ω = fr_root_of_unity(log_n), snarkjs's w[log_n], so outputs match snarkjs's
 * Fr.fft / Fr.ifft element by element. Data are Fr elements in Montgomery form, transformed in
 * place. The transforms are exact: any thread count gives the same bits.
 *
 *   forward:        X[i] = Σ_j x[j]·ω^(ij)
 *   inverse:        x[j] = n⁻¹·Σ_i X[i]·ω^(−ij)
 *   coset forward:  X[i] = Σ_j x[j]·(g·ω^i)^j      (scale x[j] by g^j, then forward)
 *   coset inverse:  x[j] = g^(−j)·n⁻¹·Σ_i X[i]·ω^(−ij)   (undoes coset forward) */
#define NTT_MAX_LOG FR_TWO_ADICITY

/* Order of the input and of the output. Bit reversal is over log_n bits. NR and RN skip the
 * bit-reversal pass that NN needs; an NR transform followed by an RN one (as in ntt_coset_extend)
 * gives natural order at both ends. */
typedef enum {
    NTT_NN = 0, /* natural in, natural out */
    NTT_NR = 1, /* natural in, bit-reversed out */
    NTT_RN = 2  /* bit-reversed in, natural out */
} ntt_order_t;

typedef enum { NTT_FORWARD = 0, NTT_INVERSE = 1 } ntt_dir_t;

/* A context holds the tables of each size used (built once, on first use or by ntt_prepare) and
 * per-thread scratch memory, never more in all than its memory budget. The caller owns it. Calls
 * on one context may come from several threads: they are serialized by the context's lock (use
 * one context per caller to run transforms concurrently). No allocation happens inside a transform
 * once its size is prepared. */
typedef struct ntt_ctx ntt_ctx_t;

#define NTT_DEFAULT_BUDGET ((size_t)1 << 30) /* used when a budget of 0 is given */

/* threads: OpenMP threads per transform (0: omp_get_max_threads()). memory_budget in bytes
 * (0: NTT_DEFAULT_BUDGET). Returns ZBP_OK, ZBP_ERR_INPUT or ZBP_ERR_NOMEM. */
int ntt_ctx_create(ntt_ctx_t **out, int threads, size_t memory_budget);
void ntt_ctx_free(ntt_ctx_t *ctx); /* NULL is fine */
/* Changes the thread count of later calls (scratch grows on the next call if needed). */
int ntt_ctx_set_threads(ntt_ctx_t *ctx, int threads);
int ntt_ctx_threads(const ntt_ctx_t *ctx);
size_t ntt_ctx_bytes(const ntt_ctx_t *ctx);   /* bytes held now (tables and scratch) */
size_t ntt_ctx_budget(const ntt_ctx_t *ctx);
/* The last failure's message ("" when none). Valid until the next call on the context. */
const char *ntt_ctx_message(const ntt_ctx_t *ctx);

/* Bytes a fresh context with `threads` threads holds after preparing only size 2^log_n: a guide
 * for choosing a budget. */
size_t ntt_bytes_needed(unsigned log_n, int threads);

/* Builds the tables and scratch of size 2^log_n now (otherwise the first transform of that size
 * does). ZBP_ERR_RANGE for log_n > NTT_MAX_LOG, ZBP_ERR_NOMEM when over budget. */
int ntt_prepare(ntt_ctx_t *ctx, unsigned log_n);

/* The domain's generator ω (fr_root_of_unity) and snarkjs's coset shift for the prover's H step:
 * inc = w[log_n+1] (so inc^n = −1), or Fr.shift = 25 when log_n = 28. */
void ntt_domain_root(fr_t *out, unsigned log_n);
void ntt_snarkjs_shift(fr_t *out, unsigned log_n);

/* The general entry: `count` transforms of one size, data[0..count) each of 2^log_n elements.
 * coset: NULL for the plain domain, else the shift g (nonzero). Small transforms of a batch run
 * one per thread; large ones use all threads each. Returns ZBP_OK, ZBP_ERR_INPUT (NULL data,
 * bad order or direction, zero shift), ZBP_ERR_RANGE (log_n), ZBP_ERR_NOMEM (over budget). */
int ntt_transform(ntt_ctx_t *ctx, fr_t *const *data, size_t count, unsigned log_n, ntt_dir_t dir,
                  ntt_order_t order, const fr_t *coset);

/* Single transforms, as above. */
int ntt_forward(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order);
int ntt_inverse(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order);
int ntt_coset_forward(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order,
                      const fr_t *shift); /* shift NULL: ntt_snarkjs_shift(log_n) */
int ntt_coset_inverse(ntt_ctx_t *ctx, fr_t *data, unsigned log_n, ntt_order_t order,
                      const fr_t *shift); /* shift NULL: ntt_snarkjs_shift(log_n) */

/* The prover's step 2 (docs/formats.md §5): each data[i] holds a polynomial's values on the
 * domain, natural order; it is replaced by its values on the coset g·ω^i, natural order
 * (g = shift, or snarkjs's when NULL). Equal to ntt_inverse then ntt_coset_forward, NN, but done
 * as inverse NR + coset forward RN: no bit-reversal pass, the scaling fused into the passes. */
int ntt_coset_extend(ntt_ctx_t *ctx, fr_t *const *data, size_t count, unsigned log_n,
                     const fr_t *shift);

#ifdef __cplusplus
}
#endif

#endif
