/* ntt.cu: the NTT over Fr on the GPU: radix-2 passes through device memory for the long strides,
 * one shared-memory kernel for the last (or first) ten stages, coset and n^-1 factors fused into
 * one scaling pass; snarkjs's domains, with ntt/'s results bit for bit. */
#include <stdlib.h>
#include <string.h>

#include "cuda/internal.cuh"
#include "cuda/ntt_core.h"

#define ZC_NTT_SHARED_LOG 10 /* 2^10 elements = 32 KB of shared memory per block */

__global__ void k_table_product(zc_fr_t *out, size_t n, const zc_fr_t *lo, const zc_fr_t *hi) {
    size_t k = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n) return;
    zc_fr_mul(&out[k], &lo[k & ((1u << ZC_COSET_LO_BITS) - 1u)], &hi[k >> ZC_COSET_LO_BITS]);
}

__global__ void k_dif_global(zc_fr_t *d, const zc_fr_t *tw, unsigned tw_log, unsigned s,
                             uint32_t half, int inverse) {
    uint32_t t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < half) zc_ntt_dif(d, tw, tw_log, s, t, inverse);
}

__global__ void k_dit_global(zc_fr_t *d, const zc_fr_t *tw, unsigned tw_log, unsigned s,
                             uint32_t half, int inverse) {
    uint32_t t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t < half) zc_ntt_dit(d, tw, tw_log, s, t, inverse);
}

/* Stages S-1 .. 0 (dif) or 0 .. S-1 (dit) of an aligned slice of 2^S elements, S <= 10, in shared
 * memory: one read and one write of device memory for S stages. blockDim = 2^(S-1). */
__global__ void k_shared(zc_fr_t *d, const zc_fr_t *tw, unsigned tw_log, unsigned S, int dit,
                         int inverse) {
    __shared__ zc_fr_t sh[1u << ZC_NTT_SHARED_LOG];
    size_t base = (size_t)blockIdx.x << S;
    uint32_t t = threadIdx.x, half = 1u << (S - 1);
    sh[t] = d[base + t];
    sh[t + half] = d[base + t + half];
    for (unsigned k = 0; k < S; k++) {
        __syncthreads();
        if (dit)
            zc_ntt_dit(sh, tw, tw_log, k, t, inverse);
        else
            zc_ntt_dif(sh, tw, tw_log, S - 1 - k, t, inverse);
    }
    __syncthreads();
    d[base + t] = sh[t];
    d[base + t + half] = sh[t + half];
}

__global__ void k_scale(zc_fr_t *d, uint32_t n, unsigned log_n, int bitrev, const zc_fr_t *lo,
                        const zc_fr_t *hi) {
    uint32_t p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p < n) zc_ntt_scale(d, p, log_n, bitrev, lo, hi);
}

__global__ void k_bitrev(zc_fr_t *d, uint32_t n, unsigned log_n) {
    uint32_t p = blockIdx.x * blockDim.x + threadIdx.x;
    if (p >= n) return;
    uint32_t q = zc_bitrev(p, log_n);
    if (p < q) {
        zc_fr_t t = d[p];
        d[p] = d[q];
        d[q] = t;
    }
}

/* out[j] = f base^j for j < n: one thread per entry (zc_pow_entry). */
__global__ void k_pow_table(zc_fr_t *out, uint32_t n, zc_fr_t base, zc_fr_t f) {
    uint32_t j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j < n) zc_pow_entry(&out[j], &base, &f, j);
}

/* The factor tables for (g, f) covering exponents below 2^log_n: lo[j] = g^j (j < 2^B) then
 * hi[j] = f g^(j 2^B), found among the context's tables or computed on the device into one (only
 * the two 32-byte bases cross the bus). Returns lo (hi follows it). */
static int factor_tables(zbp_cuda_t *ctx, zc_fr_t **out, unsigned log_n, const fr_t *g,
                         const fr_t *f, char *err, size_t errlen) {
    for (unsigned i = 0; i < ZC_FACTOR_TABLES; i++) {
        if (ctx->factors[i].d && ctx->factors[i].log_n >= log_n &&
            !memcmp(&ctx->factors[i].g, g, sizeof *g) && !memcmp(&ctx->factors[i].f, f, sizeof *f)) {
            *out = ctx->factors[i].d;
            return ZBP_OK;
        }
    }
    const uint32_t nlo = 1u << ZC_COSET_LO_BITS;
    const uint32_t nhi = log_n > ZC_COSET_LO_BITS ? 1u << (log_n - ZC_COSET_LO_BITS) : 1;
    unsigned slot = ctx->factors_next;
    ctx->factors_next = (slot + 1) % ZC_FACTOR_TABLES;
    if (ctx->factors[slot].d) { /* queued work may still read the table it replaces */
        ZC_TRY(cudaStreamSynchronize(ctx->stream));
        cudaFree(ctx->factors[slot].d);
        ctx->factors[slot].d = NULL;
    }
    zc_fr_t *d = NULL;
    ZC_TRY(cudaMalloc(&d, ((size_t)nlo + nhi) * sizeof(zc_fr_t)));
    fr_t step = *g, one = FR_ONE; /* g^(2^B): B squarings */
    for (unsigned k = 0; k < ZC_COSET_LO_BITS; k++) fr_sqr(&step, &step);
    zc_fr_t zg, zf, zone, zstep;
    memcpy(&zg, g, 32);
    memcpy(&zf, f, 32);
    memcpy(&zone, &one, 32);
    memcpy(&zstep, &step, 32);
    k_pow_table<<<zc_blocks(nlo, 256), 256, 0, ctx->stream>>>(d, nlo, zg, zone);
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) {
        k_pow_table<<<zc_blocks(nhi, 256), 256, 0, ctx->stream>>>(d + nlo, nhi, zstep, zf);
        e = cudaGetLastError();
    }
    if (e == cudaSuccess && zc_sync_each()) e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
        cudaFree(d);
        return zc_cuda_fail(err, errlen, e, "kernel NTT factor tables");
    }
    ctx->factors[slot].g = *g;
    ctx->factors[slot].f = *f;
    ctx->factors[slot].log_n = log_n;
    ctx->factors[slot].d = d;
    *out = d;
    return ZBP_OK;
}

/* The twiddle table for sizes up to 2^log_n, kept in the context and grown when needed. */
static int ensure_twiddles(zbp_cuda_t *ctx, unsigned log_n, char *err, size_t errlen) {
    if (log_n < 1) log_n = 1;
    if (ctx->tw && ctx->tw_log >= log_n) return ZBP_OK;
    fr_t w, one = FR_ONE;
    fr_root_of_unity(&w, log_n);
    zc_fr_t *tables;
    int st = factor_tables(ctx, &tables, log_n, &w, &one, err, errlen);
    if (st != ZBP_OK) return st;
    size_t half = (size_t)1 << (log_n - 1);
    zc_fr_t *tw = NULL;
    ZC_TRY(cudaStreamSynchronize(ctx->stream));
    cudaFree(ctx->tw);
    ctx->tw = NULL;
    ZC_TRY(cudaMalloc(&tw, half * sizeof(zc_fr_t)));
    k_table_product<<<zc_blocks(half, 256), 256, 0, ctx->stream>>>(
        tw, half, tables, tables + ((size_t)1 << ZC_COSET_LO_BITS));
    ZC_LAUNCHED("twiddles");
    ctx->tw = tw;
    ctx->tw_log = log_n;
    return ZBP_OK;
}

static int scale(zbp_cuda_t *ctx, zc_fr_t *d, unsigned log_n, int bitrev, const fr_t *g,
                 const fr_t *f, char *err, size_t errlen) {
    zc_fr_t *tables;
    int st = factor_tables(ctx, &tables, log_n, g, f, err, errlen);
    if (st != ZBP_OK) return st;
    uint32_t n = 1u << log_n;
    k_scale<<<zc_blocks(n, 256), 256, 0, ctx->stream>>>(d, n, log_n, bitrev, tables,
                                                        tables + ((size_t)1 << ZC_COSET_LO_BITS));
    ZC_LAUNCHED("coset scaling");
    return ZBP_OK;
}

int zc_ntt_device(zbp_cuda_t *ctx, zc_fr_t *d, unsigned log_n, ntt_dir_t dir, ntt_order_t order,
                  const fr_t *coset, char *err, size_t errlen) {
    if (log_n > NTT_MAX_LOG) return zc_input_fail(err, errlen, "NTT of 2^%u: above 2^%u", log_n, NTT_MAX_LOG);
    if ((dir != NTT_FORWARD && dir != NTT_INVERSE) || order < NTT_NN || order > NTT_RN)
        return zc_input_fail(err, errlen, "NTT: bad direction or order");
    if (coset && fr_is_zero(coset)) return zc_input_fail(err, errlen, "NTT: zero coset shift");
    if (log_n == 0) return ZBP_OK; /* x = X on a domain of one point, whatever the shift */
    int st = ensure_twiddles(ctx, log_n, err, errlen);
    if (st != ZBP_OK) return st;
    const int inverse = dir == NTT_INVERSE;
    const uint32_t n = 1u << log_n, half = n / 2;
    const unsigned S = log_n < ZC_NTT_SHARED_LOG ? log_n : ZC_NTT_SHARED_LOG;
    const unsigned nblk_shared = n >> S, threads_shared = 1u << (S - 1);
    fr_t one = FR_ONE;
    if (!inverse && coset) {
        st = scale(ctx, d, log_n, order == NTT_RN, coset, &one, err, errlen);
        if (st != ZBP_OK) return st;
    }
    if (order == NTT_RN) {
        k_shared<<<nblk_shared, threads_shared, 0, ctx->stream>>>(d, ctx->tw, ctx->tw_log, S, 1, inverse);
        ZC_LAUNCHED("NTT shared stages");
        for (unsigned s = S; s < log_n; s++) {
            k_dit_global<<<zc_blocks(half, 256), 256, 0, ctx->stream>>>(d, ctx->tw, ctx->tw_log, s, half, inverse);
            ZC_LAUNCHED("NTT stage");
        }
    } else {
        for (unsigned s = log_n; s-- > S;) {
            k_dif_global<<<zc_blocks(half, 256), 256, 0, ctx->stream>>>(d, ctx->tw, ctx->tw_log, s, half, inverse);
            ZC_LAUNCHED("NTT stage");
        }
        k_shared<<<nblk_shared, threads_shared, 0, ctx->stream>>>(d, ctx->tw, ctx->tw_log, S, 0, inverse);
        ZC_LAUNCHED("NTT shared stages");
        if (order == NTT_NN) {
            k_bitrev<<<zc_blocks(n, 256), 256, 0, ctx->stream>>>(d, n, log_n);
            ZC_LAUNCHED("bit reversal");
        }
    }
    if (inverse) {
        fr_t nf, ninv, ginv = one;
        uint64_t nl[4] = {n, 0, 0, 0};
        fr_to_mont(&nf, nl);
        fr_inv(&ninv, &nf);
        if (coset) fr_inv(&ginv, coset);
        st = scale(ctx, d, log_n, order == NTT_NR, &ginv, &ninv, err, errlen);
        if (st != ZBP_OK) return st;
    }
    return ZBP_OK;
}

extern "C" int zbp_cuda_ntt(zbp_cuda_t *ctx, fr_t *data, unsigned log_n, ntt_dir_t dir,
                            ntt_order_t order, const fr_t *coset, char *err, size_t errlen) {
    if (!ctx || !data) return zc_input_fail(err, errlen, "NTT: no context or no data");
    if (log_n > NTT_MAX_LOG) return zc_input_fail(err, errlen, "NTT of 2^%u: above 2^%u", log_n, NTT_MAX_LOG);
    ZC_TRY(cudaSetDevice(ctx->device));
    size_t bytes = sizeof(fr_t) << log_n;
    cudaError_t e;
    zc_fr_t *d = (zc_fr_t *)zc_scratch(ctx, ZC_S_NTT, bytes, &e);
    if (!d) return zc_cuda_fail(err, errlen, e, "allocating the NTT buffer");
    ZC_TRY(cudaMemcpyAsync(d, data, bytes, cudaMemcpyHostToDevice, ctx->stream));
    int st = zc_ntt_device(ctx, d, log_n, dir, order, coset, err, errlen);
    if (st != ZBP_OK) return st;
    ZC_TRY(cudaMemcpyAsync(data, d, bytes, cudaMemcpyDeviceToHost, ctx->stream));
    ZC_TRY(cudaStreamSynchronize(ctx->stream));
    return ZBP_OK;
}
