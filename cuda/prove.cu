/* prove.cu: the Groth16 proof on the GPU: the key's points and A, B rows uploaded once per circuit;
 * per proof the witness goes up, A·w, B·w, C, the coset extension, h and the five MSMs run on the
 * device, and prover/'s zbp_groth16_finish assembles and checks the proof on the host. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cuda/internal.cuh"

struct zbp_cuda_circuit {
    zbp_cuda_t *ctx;
    const zbp_zkey_t *z;
    zc_g1_affine_t *a, *b1, *c, *h;
    zc_g2_affine_t *b2;
    uint32_t *row_off[2]; /* CSR of matrix 0 (A) and 1 (B): domain_size + 1 offsets */
    uint32_t *wire[2];
    zc_fr_t *coef[2];     /* v R^2 as stored, so one product with a canonical w gives mont(v w) */
    size_t bytes;
};

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* cudaMalloc and a copy queued on the context's stream (not the legacy default stream), counted in
 * the circuit's bytes; the caller synchronizes before the host memory goes. */
static cudaError_t upload(zbp_cuda_circuit_t *c, void **dst, const void *src, size_t bytes) {
    cudaError_t e = cudaMalloc(dst, bytes ? bytes : 1);
    if (e == cudaSuccess && bytes)
        e = cudaMemcpyAsync(*dst, src, bytes, cudaMemcpyHostToDevice, c->ctx->stream);
    if (e == cudaSuccess) c->bytes += bytes;
    return e;
}

extern "C" void zbp_cuda_circuit_free(zbp_cuda_circuit_t *c) {
    if (!c) return;
    cudaSetDevice(c->ctx->device);
    cudaFree(c->a);
    cudaFree(c->b1);
    cudaFree(c->c);
    cudaFree(c->h);
    cudaFree(c->b2);
    for (int m = 0; m < 2; m++) {
        cudaFree(c->row_off[m]);
        cudaFree(c->wire[m]);
        cudaFree(c->coef[m]);
    }
    free(c);
}

extern "C" size_t zbp_cuda_circuit_bytes(const zbp_cuda_circuit_t *c) { return c ? c->bytes : 0; }

extern "C" int zbp_cuda_circuit_load(zbp_cuda_circuit_t **out, zbp_cuda_t *ctx,
                                     const zbp_zkey_t *z, char *err, size_t errlen) {
    *out = NULL;
    ZC_TRY(cudaSetDevice(ctx->device));
    zbp_cuda_circuit_t *c = (zbp_cuda_circuit_t *)calloc(1, sizeof *c);
    if (!c) return ZBP_ERR_NOMEM;
    c->ctx = ctx;
    c->z = z;
    const size_t nv = z->n_vars, np = z->n_public, n = z->domain_size;
    /* the coefficient records, bucketed by row into CSR form on the host (counting sort) */
    uint32_t *cnt[2] = {(uint32_t *)calloc(n + 1, 4), (uint32_t *)calloc(n + 1, 4)};
    uint32_t *wires[2] = {NULL, NULL};
    zc_fr_t *coefs[2] = {NULL, NULL};
    int st = ZBP_ERR_NOMEM;
    cudaError_t e = cudaSuccess;
    if (!cnt[0] || !cnt[1]) goto fail;
    for (uint32_t i = 0; i < z->n_coefs; i++) {
        const uint8_t *r = z->coefs + (size_t)i * 44;
        cnt[rd32(r)][rd32(r + 4) + 1]++;
    }
    for (int m = 0; m < 2; m++) {
        for (size_t k = 0; k < n; k++) cnt[m][k + 1] += cnt[m][k];
        wires[m] = (uint32_t *)malloc((size_t)cnt[m][n] * 4 + 4);
        coefs[m] = (zc_fr_t *)malloc((size_t)cnt[m][n] * sizeof(zc_fr_t) + 32);
        if (!wires[m] || !coefs[m]) goto fail;
    }
    {
        uint32_t *fill[2] = {(uint32_t *)malloc(n * 4 + 4), (uint32_t *)malloc(n * 4 + 4)};
        if (!fill[0] || !fill[1]) {
            free(fill[0]);
            free(fill[1]);
            goto fail;
        }
        memcpy(fill[0], cnt[0], n * 4);
        memcpy(fill[1], cnt[1], n * 4);
        for (uint32_t i = 0; i < z->n_coefs; i++) {
            const uint8_t *r = z->coefs + (size_t)i * 44;
            uint32_t m = rd32(r), row = rd32(r + 4), at = fill[m][row]++;
            wires[m][at] = rd32(r + 8);
            memcpy(&coefs[m][at], r + 12, 32);
        }
        free(fill[0]);
        free(fill[1]);
    }
    for (int m = 0; m < 2 && e == cudaSuccess; m++) {
        e = upload(c, (void **)&c->row_off[m], cnt[m], (n + 1) * 4);
        if (e == cudaSuccess) e = upload(c, (void **)&c->wire[m], wires[m], (size_t)cnt[m][n] * 4);
        if (e == cudaSuccess) e = upload(c, (void **)&c->coef[m], coefs[m], (size_t)cnt[m][n] * 32);
    }
    /* the point sections, read in place from the (possibly unaligned) file mapping */
    if (e == cudaSuccess) e = upload(c, (void **)&c->a, z->a, nv * 64);
    if (e == cudaSuccess) e = upload(c, (void **)&c->b1, z->b1, nv * 64);
    if (e == cudaSuccess) e = upload(c, (void **)&c->b2, z->b2, nv * 128);
    if (e == cudaSuccess) e = upload(c, (void **)&c->c, z->c, (nv - np - 1) * 64);
    if (e == cudaSuccess) e = upload(c, (void **)&c->h, z->h, n * 64);
    if (e == cudaSuccess) e = cudaStreamSynchronize(ctx->stream);
    if (e != cudaSuccess) {
        st = zc_cuda_fail(err, errlen, e, "uploading the circuit's key");
        goto fail;
    }
    st = ZBP_OK;
fail:
    cudaStreamSynchronize(ctx->stream); /* no queued copy reads the host arrays freed below */
    cudaGetLastError();
    for (int m = 0; m < 2; m++) {
        free(cnt[m]);
        free(wires[m]);
        free(coefs[m]);
    }
    if (st != ZBP_OK) {
        if (st == ZBP_ERR_NOMEM && err && errlen && !err[0])
            snprintf(err, errlen, "out of host memory loading %s", z->file.name);
        zbp_cuda_circuit_free(c);
        return st;
    }
    *out = c;
    return ZBP_OK;
}

/* a[row] (m = 0) or b[row] (m = 1) = sum coef w[wire] over the row: one thread per row, so no two
 * threads write one element. */
__global__ void k_rows(const uint32_t *off, const uint32_t *wire, const zc_fr_t *coef,
                       const zc_fr_t *w, uint32_t n, zc_fr_t *out) {
    uint32_t row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    zc_fr_t acc, t;
    zc_fr_set_zero(&acc);
    for (uint32_t k = off[row]; k < off[row + 1]; k++) {
        zc_fr_mul(&t, &coef[k], &w[wire[k]]);
        zc_fr_add(&acc, &acc, &t);
    }
    out[row] = acc;
}

__global__ void k_mul(zc_fr_t *c, const zc_fr_t *a, const zc_fr_t *b, uint32_t n) {
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) zc_fr_mul(&c[i], &a[i], &b[i]);
}

/* h = a b - c, out of Montgomery form, written over a as the H MSM's canonical scalars */
__global__ void k_h(zc_fr_t *a, const zc_fr_t *b, const zc_fr_t *c, uint32_t n) {
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    zc_fr_t t;
    zc_fr_mul(&t, &a[i], &b[i]);
    zc_fr_sub(&t, &t, &c[i]);
    zc_fr_from_mont(a[i].l, &t);
}

/* The device part of a proof: the witness goes up into w (scratch), a, b, c live in abc; the
 * MSM results come back. Every return leaves the wiping to the caller. */
static int prove_device(zbp_cuda_circuit_t *circ, const zbp_wtns_t *wt, zc_fr_t *w, zc_fr_t *abc,
                        g1_jac_t *A, g1_jac_t *B1, g2_jac_t *B2, g1_jac_t *C, g1_jac_t *H,
                        zbp_profile_t *prof, char *err, size_t errlen) {
    zbp_cuda_t *ctx = circ->ctx;
    const zbp_zkey_t *z = circ->z;
    const size_t nv = z->n_vars, np = z->n_public, n = z->domain_size;
    cudaStream_t st = ctx->stream;
    zc_fr_t *a = abc, *b = abc + n, *c = abc + 2 * n;
    double t = now_ms();
    /* The witness is copied from where it lies (a mapped file, the loop's locked memory), pinned in
     * place for the copy when the device can pin read-only memory: no staging copy of a secret. */
    const size_t page = 4096, wbytes = nv * 32;
    uintptr_t lo = (uintptr_t)wt->values & ~(uintptr_t)(page - 1);
    size_t span = (((uintptr_t)wt->values + wbytes + page - 1) & ~(uintptr_t)(page - 1)) - lo;
    int pinned = ctx->register_ro &&
                 cudaHostRegister((void *)lo, span, cudaHostRegisterReadOnly) == cudaSuccess;
    cudaGetLastError(); /* a refused registration only means a pageable copy */
    cudaError_t ce = cudaMemcpyAsync(w, wt->values, wbytes, cudaMemcpyHostToDevice, st);
    if (pinned) { /* the copy must be done before the pages are unpinned */
        if (ce == cudaSuccess) ce = cudaStreamSynchronize(st);
        cudaHostUnregister((void *)lo);
    }
    if (ce != cudaSuccess) return zc_cuda_fail(err, errlen, ce, "copying the witness");
    for (int m = 0; m < 2; m++) {
        k_rows<<<zc_blocks(n, 128), 128, 0, st>>>(circ->row_off[m], circ->wire[m], circ->coef[m], w,
                                                  (uint32_t)n, m ? b : a);
        ZC_LAUNCHED("A·w, B·w");
    }
    k_mul<<<zc_blocks(n, 256), 256, 0, st>>>(c, a, b, (uint32_t)n);
    ZC_LAUNCHED("C = A∘B");
    ZC_TRY(cudaStreamSynchronize(st));
    prof->abc_ms = now_ms() - t;

    t = now_ms();
    fr_t shift;
    ntt_snarkjs_shift(&shift, z->log_domain);
    for (int k = 0; k < 3; k++) {
        int s2 = zc_ntt_device(ctx, abc + k * n, z->log_domain, NTT_INVERSE, NTT_NR, NULL, err, errlen);
        if (s2 == ZBP_OK)
            s2 = zc_ntt_device(ctx, abc + k * n, z->log_domain, NTT_FORWARD, NTT_RN, &shift, err, errlen);
        if (s2 != ZBP_OK) return s2;
    }
    ZC_TRY(cudaStreamSynchronize(st));
    prof->ntt_ms = now_ms() - t;
    t = now_ms();
    k_h<<<zc_blocks(n, 256), 256, 0, st>>>(a, b, c, (uint32_t)n);
    ZC_LAUNCHED("h");
    ZC_TRY(cudaStreamSynchronize(st));
    prof->h_ms = now_ms() - t;

    const uint64_t(*ws)[4] = (const uint64_t(*)[4])w;
    int s2;
    t = now_ms();
    s2 = zc_msm_g1_device(ctx, A, circ->a, ws, nv, 0, err, errlen);
    prof->msm_a_ms = now_ms() - t;
    t = now_ms();
    if (s2 == ZBP_OK) s2 = zc_msm_g1_device(ctx, B1, circ->b1, ws, nv, 0, err, errlen);
    prof->msm_b1_ms = now_ms() - t;
    t = now_ms();
    if (s2 == ZBP_OK) s2 = zc_msm_g2_device(ctx, B2, circ->b2, ws, nv, 0, err, errlen);
    prof->msm_b2_ms = now_ms() - t;
    t = now_ms();
    if (s2 == ZBP_OK) s2 = zc_msm_g1_device(ctx, C, circ->c, ws + np + 1, nv - np - 1, 0, err, errlen);
    prof->msm_c_ms = now_ms() - t;
    t = now_ms();
    if (s2 == ZBP_OK) s2 = zc_msm_g1_device(ctx, H, circ->h, (const uint64_t(*)[4])a, n, 0, err, errlen);
    prof->msm_h_ms = now_ms() - t;
    return s2;
}

extern "C" int zbp_cuda_prove(zbp_proof_t *out, zbp_cuda_circuit_t *circ, const zbp_wtns_t *wt,
                              const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err,
                              size_t errlen) {
    zbp_profile_t local;
    if (!prof) prof = &local;
    memset(prof, 0, sizeof *prof);
    memset(out, 0, sizeof *out);
    zbp_cuda_t *ctx = circ->ctx;
    const zbp_zkey_t *z = circ->z;
    const size_t nv = z->n_vars, n = z->domain_size;
    prof->n_vars = z->n_vars;
    prof->n_public = z->n_public;
    prof->domain_size = z->domain_size;
    prof->n_constraints = z->n_constraints;
    prof->threads = omp_get_max_threads();
    double t0 = now_ms();
    if (wt->n_witness != z->n_vars)
        return zc_input_fail(err, errlen, "%s: the witness has %u values but %s needs %u (a witness for another circuit?)",
                             wt->file.name, wt->n_witness, z->file.name, z->n_vars);
    ZC_TRY(cudaSetDevice(ctx->device));
    cudaStream_t st = ctx->stream;
    cudaError_t e;
    zc_fr_t *w = (zc_fr_t *)zc_scratch(ctx, ZC_S_WITNESS, nv * 32, &e);
    if (!w) return zc_cuda_fail(err, errlen, e, "allocating the witness");
    zc_fr_t *abc = (zc_fr_t *)zc_scratch(ctx, ZC_S_ABC, 3 * n * 32, &e);
    if (!abc) return zc_cuda_fail(err, errlen, e, "allocating the domain vectors"); /* w unwritten */

    g1_jac_t A, B1, C, H;
    g2_jac_t B2;
    int s2 = prove_device(circ, wt, w, abc, &A, &B1, &B2, &C, &H, prof, err, errlen);
    /* the witness is secret: no copy stays in device memory, whichever way the proof went: the
     * witness, a, b, c and h, and every MSM and NTT scratch buffer that held its digits, sorted
     * pairs, bucket sums or transforms (after a fault that leaves the context unusable these fail
     * too, and the memory dies with it) */
    zc_wipe_scratch(ctx);
    cudaStreamSynchronize(st);
    cudaGetLastError();
    if (s2 != ZBP_OK) return s2;
    s2 = zbp_groth16_finish(out, z, wt, &A, &B1, &B2, &C, &H, opts, prof, err, errlen);
    if (s2 == ZBP_ERR_INPUT && err && errlen) {
        /* the pairing check failed: on the GPU that may be a fault as well as a bad witness */
        char why[768];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "the GPU proof failed its pairing check (a GPU fault, or: %s)", why);
    }
    prof->total_ms = now_ms() - t0;
    return s2;
}
