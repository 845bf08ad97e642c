/* msm.cu: G1 and G2 multi-scalar multiplication on the GPU: signed-digit windows computed on the
 * device, (bucket, point) pairs sorted with CUB's radix sort and run-length encoded, buckets
 * accumulated in XYZZ in chunks of at most 64 points whose sums meet in a tree (so a bucket holding
 * a quarter of the points is parallel too), each window's buckets reduced by many threads, and
 * only the window sums (one per window) combined on the host. */
#include <cub/cub.cuh>
#include <string.h>

#include "cuda/internal.cuh"
#include "cuda/msm_core.h"

/* The group operations by type, so that one set of kernels serves G1 and G2. */
template <class A, class X> struct zc_group;
template <> struct zc_group<zc_g1_affine_t, zc_g1_xyzz_t> {
    static __device__ __forceinline__ void inf(zc_g1_xyzz_t *r) { zc_g1_xyzz_set_infinity(r); }
    static __device__ __forceinline__ void madd(zc_g1_xyzz_t *r, const zc_g1_affine_t *p) { zc_g1_xyzz_add_affine_vartime(r, r, p); }
    static __device__ __forceinline__ void neg(zc_g1_affine_t *r) { zc_g1_affine_neg(r, r); }
    static __device__ __forceinline__ void add(zc_g1_xyzz_t *r, const zc_g1_xyzz_t *p) { zc_g1_xyzz_add_vartime(r, r, p); }
    static __device__ __forceinline__ void segment(zc_g1_xyzz_t *r, const zc_g1_xyzz_t *b, uint32_t lo, uint32_t hi) {
        zc_g1_bucket_segment(r, b, lo, hi);
    }
};
template <> struct zc_group<zc_g2_affine_t, zc_g2_xyzz_t> {
    static __device__ __forceinline__ void inf(zc_g2_xyzz_t *r) { zc_g2_xyzz_set_infinity(r); }
    static __device__ __forceinline__ void madd(zc_g2_xyzz_t *r, const zc_g2_affine_t *p) { zc_g2_xyzz_add_affine_vartime(r, r, p); }
    static __device__ __forceinline__ void neg(zc_g2_affine_t *r) { zc_g2_affine_neg(r, r); }
    static __device__ __forceinline__ void add(zc_g2_xyzz_t *r, const zc_g2_xyzz_t *p) { zc_g2_xyzz_add_vartime(r, r, p); }
    static __device__ __forceinline__ void segment(zc_g2_xyzz_t *r, const zc_g2_xyzz_t *b, uint32_t lo, uint32_t hi) {
        zc_g2_bucket_segment(r, b, lo, hi);
    }
};

__global__ void k_digits(const uint64_t (*scalars)[4], uint32_t n, unsigned c, unsigned nwin,
                         uint32_t *keys, uint32_t *vals) {
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    uint64_t s[4] = {scalars[i][0], scalars[i][1], scalars[i][2], scalars[i][3]};
    zc_scalar_reduce(s);
    uint32_t carry = 0;
    for (unsigned w = 0; w < nwin; w++) {
        int32_t d = zc_msm_digit(s, w, c, &carry);
        size_t at = (size_t)w * n + i;
        keys[at] = zc_msm_key(w, d, c, nwin);
        vals[at] = i | (d < 0 ? ZC_MSM_NEG_BIT : 0u);
    }
}

__global__ void k_chunk_counts(const uint32_t *counts, const uint32_t *run_keys, uint32_t sentinel,
                               uint32_t nruns, uint32_t *nchunks) {
    uint32_t r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < nruns) nchunks[r] = zc_msm_run_chunks(counts[r], run_keys[r], sentinel);
}

__global__ void k_chunk_owner(const uint32_t *chunk_off, uint32_t nruns, uint32_t nchunks,
                              uint32_t *owner) {
    uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c < nchunks) owner[c] = zc_msm_chunk_owner(chunk_off, nruns, c);
}

template <class A, class X>
__global__ void k_chunk_sum(const A *points, const uint32_t *vals, const uint32_t *run_off,
                            const uint32_t *counts, const uint32_t *chunk_off,
                            const uint32_t *owner, uint32_t nchunks, X *partial) {
    uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= nchunks) return;
    uint32_t r = owner[c], begin, end;
    zc_msm_chunk_range(run_off[r], counts[r], c - chunk_off[r], &begin, &end);
    X acc;
    zc_group<A, X>::inf(&acc);
    for (uint32_t k = begin; k < end; k++) {
        uint32_t v = vals[k];
        A p = points[v & ~ZC_MSM_NEG_BIT];
        if (v & ZC_MSM_NEG_BIT) zc_group<A, X>::neg(&p);
        zc_group<A, X>::madd(&acc, &p);
    }
    partial[c] = acc;
}

/* One round of the chunk tree (stride s): see zc_msm_tree_pair. */
template <class A, class X>
__global__ void k_chunk_tree(const uint32_t *chunk_off, const uint32_t *run_chunks,
                             const uint32_t *owner, uint32_t nchunks, uint32_t s, X *partial) {
    uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= nchunks) return;
    uint32_t r = owner[c];
    if (zc_msm_tree_pair(c - chunk_off[r], run_chunks[r], s))
        zc_group<A, X>::add(&partial[c], &partial[c + s]);
}

/* A run's sum (its chunk 0 after the tree) into its bucket. */
template <class X>
__global__ void k_bucket_store(const uint32_t *run_keys, const uint32_t *chunk_off,
                               const uint32_t *run_chunks, uint32_t nruns, const X *partial,
                               X *buckets) {
    uint32_t r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < nruns && run_chunks[r]) buckets[run_keys[r]] = partial[chunk_off[r]];
}

/* Segment s of window w: buckets [s 2^SEG, (s+1) 2^SEG) weighted by their digits. */
template <class A, class X>
__global__ void k_reduce(const X *buckets, uint32_t nb, uint32_t nseg, unsigned nwin, X *seg) {
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= nseg * nwin) return;
    uint32_t w = i / nseg, s = i % nseg, lo = s << ZC_MSM_SEG_LOG;
    zc_group<A, X>::segment(&seg[i], buckets + (size_t)w * nb, lo, lo + (1u << ZC_MSM_SEG_LOG));
}

/* One halving step of the per-window tree sum: seg[w][i] += seg[w][i + h], i < h. */
template <class A, class X>
__global__ void k_halve(X *seg, uint32_t nseg, uint32_t h, unsigned nwin) {
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= h * nwin) return;
    uint32_t w = i / h, k = i % h;
    zc_group<A, X>::add(&seg[(size_t)w * nseg + k], &seg[(size_t)w * nseg + k + h]);
}

#define ZC_ALLOC(ptr, T, slot, count, what)                                                        \
    do {                                                                                           \
        cudaError_t e_;                                                                            \
        ptr = (T *)zc_scratch(ctx, slot, (size_t)(count) * sizeof(T), &e_);                        \
        if (!ptr) return zc_cuda_fail(err, errlen, e_, what);                                      \
    } while (0)

/* Phase k begins (zbp_gpu_check's per-phase timing; nothing otherwise). */
#define ZC_MARK(k)                                                                                 \
    do {                                                                                           \
        if (ctx->msm_timing) cudaEventRecord(ctx->msm_ev[k], st);                                  \
    } while (0)

/* The device part: window sums into host memory (nwin of them). Scratch sized by
 * zc_msm_scratch_bytes's bounds: n·windows for the pairs, the runs' bound for the rest. */
template <class A, class X>
static int msm_windows(zbp_cuda_t *ctx, X *win_host, unsigned *c_out, unsigned *nwin_out,
                       const A *points, const uint64_t (*scalars)[4], size_t n, unsigned window,
                       char *err, size_t errlen) {
    if (n >= ((size_t)1 << 31)) return zc_input_fail(err, errlen, "MSM of %zu points: at most 2^31 - 1", n);
    unsigned c = window ? window : zc_msm_pick_window(n);
    if (c < ZC_MSM_C_MIN || c > ZC_MSM_C_MAX)
        return zc_input_fail(err, errlen, "MSM window %u: must be %d..%d", c, ZC_MSM_C_MIN, ZC_MSM_C_MAX);
    if (c - 1 < ZC_MSM_SEG_LOG) c = ZC_MSM_SEG_LOG + 1; /* a window holds at least one segment */
    const unsigned nwin = zc_msm_windows(c);
    const uint32_t nb = 1u << (c - 1), sentinel = (uint32_t)nwin << (c - 1);
    const size_t total = n * nwin;
    if (total >= ((size_t)1 << 32)) return zc_input_fail(err, errlen, "MSM of %zu points: too many digits", n);
    const uint32_t N = (uint32_t)total, R = (uint32_t)zc_msm_runs_bound(n, c);
    cudaStream_t st = ctx->stream;
    uint32_t *keys, *vals, *keys2, *vals2, *run_keys, *counts, *run_off, *nruns_d;
    uint32_t *chunk_off, *nchunks, *owner;
    X *partial, *buckets, *seg;
    ZC_ALLOC(keys, uint32_t, ZC_S_KEYS, N, "MSM keys");
    ZC_ALLOC(vals, uint32_t, ZC_S_VALS, N, "MSM values");
    ZC_ALLOC(keys2, uint32_t, ZC_S_KEYS2, N, "MSM sorted keys");
    ZC_ALLOC(vals2, uint32_t, ZC_S_VALS2, N, "MSM sorted values");
    ZC_ALLOC(run_keys, uint32_t, ZC_S_RUN_KEYS, R, "MSM runs");
    ZC_ALLOC(counts, uint32_t, ZC_S_RUN_COUNTS, R, "MSM run lengths");
    ZC_ALLOC(run_off, uint32_t, ZC_S_RUN_OFFS, 3 * (size_t)R + 1, "MSM run offsets");
    chunk_off = run_off + R;
    nchunks = run_off + 2 * (size_t)R;
    ZC_ALLOC(nruns_d, uint32_t, ZC_S_NRUNS, 2, "MSM counters");

    ZC_MARK(0);
    k_digits<<<zc_blocks(n, 256), 256, 0, st>>>(scalars, (uint32_t)n, c, nwin, keys, vals);
    ZC_LAUNCHED("MSM digits");

    /* CUB's scratch: the largest of the calls' needs. The sort runs on double buffers, so it
     * needs no copy of the pairs; the result is in whichever buffer CUB says. */
    cub::DoubleBuffer<uint32_t> dkeys(keys, keys2), dvals(vals, vals2);
    size_t need = 0, b;
    unsigned bits = zc_msm_key_bits(c, nwin);
    ZC_TRY(cub::DeviceRadixSort::SortPairs(NULL, b, dkeys, dvals, N, 0, bits, st));
    need = b;
    ZC_TRY(cub::DeviceRunLengthEncode::Encode(NULL, b, keys, run_keys, counts, nruns_d, N, st));
    need = b > need ? b : need;
    ZC_TRY(cub::DeviceScan::ExclusiveSum(NULL, b, counts, run_off, R, st));
    need = b > need ? b : need;
    ZC_TRY(cub::DeviceReduce::Max(NULL, b, nchunks, nruns_d + 1, R, st));
    need = b > need ? b : need;
    void *tmp;
    ZC_ALLOC(tmp, uint8_t, ZC_S_CUB, need, "CUB scratch");
    if (need > ctx->cub_need_max) ctx->cub_need_max = need;

    ZC_MARK(1);
    b = need;
    ZC_TRY(cub::DeviceRadixSort::SortPairs(tmp, b, dkeys, dvals, N, 0, bits, st));
    ZC_LAUNCHED("MSM digit sort (CUB)");
    const uint32_t *skeys = dkeys.Current(), *svals = dvals.Current();
    ZC_MARK(2);
    b = need;
    ZC_TRY(cub::DeviceRunLengthEncode::Encode(tmp, b, skeys, run_keys, counts, nruns_d, N, st));
    ZC_LAUNCHED("MSM run-length encoding (CUB)");
    /* what comes back lands in the context's pinned memory: window sums first, then counters */
    X *win_pinned = (X *)ctx->pinned;
    uint32_t *pin = (uint32_t *)((char *)ctx->pinned + 64 * sizeof(zc_g2_xyzz_t));
    ZC_TRY(cudaMemcpyAsync(pin, nruns_d, 4, cudaMemcpyDeviceToHost, st));
    ZC_TRY(cudaStreamSynchronize(st));
    const uint32_t nruns = pin[0];
    if (nruns > R) return zc_input_fail(err, errlen, "MSM: %u runs past the bound %u (a bug)", nruns, R);
    uint32_t last[3] = {0, 0, 0}; /* the last run's chunk offset and chunks, the largest run's */
    if (nruns) {
        b = need;
        ZC_TRY(cub::DeviceScan::ExclusiveSum(tmp, b, counts, run_off, nruns, st));
        ZC_LAUNCHED("MSM run offsets (CUB)");
        k_chunk_counts<<<zc_blocks(nruns, 256), 256, 0, st>>>(counts, run_keys, sentinel, nruns, nchunks);
        ZC_LAUNCHED("MSM chunk counts");
        b = need;
        ZC_TRY(cub::DeviceScan::ExclusiveSum(tmp, b, nchunks, chunk_off, nruns, st));
        ZC_LAUNCHED("MSM chunk offsets (CUB)");
        b = need;
        ZC_TRY(cub::DeviceReduce::Max(tmp, b, nchunks, nruns_d + 1, nruns, st));
        ZC_LAUNCHED("MSM largest run (CUB)");
        ZC_TRY(cudaMemcpyAsync(&pin[0], chunk_off + nruns - 1, 4, cudaMemcpyDeviceToHost, st));
        ZC_TRY(cudaMemcpyAsync(&pin[1], nchunks + nruns - 1, 4, cudaMemcpyDeviceToHost, st));
        ZC_TRY(cudaMemcpyAsync(&pin[2], nruns_d + 1, 4, cudaMemcpyDeviceToHost, st));
        ZC_TRY(cudaStreamSynchronize(st));
        memcpy(last, pin, sizeof last);
    }
    const uint32_t total_chunks = last[0] + last[1], max_chunks = last[2];
    /* the keys' first buffer is free again after the run-length pass: the chunk owners go there */
    owner = (uint32_t *)dkeys.Alternate();
    if (total_chunks > N) return zc_input_fail(err, errlen, "MSM: %u chunks past %u (a bug)", total_chunks, N);
    ZC_ALLOC(partial, X, ZC_S_PARTIAL, total_chunks, "MSM partial sums");
    ZC_ALLOC(buckets, X, ZC_S_BUCKETS, (size_t)nwin * nb, "MSM buckets");
    const uint32_t nseg = nb >> ZC_MSM_SEG_LOG;
    ZC_ALLOC(seg, X, ZC_S_WINDOWS, (size_t)nseg * nwin, "MSM window segments");
    /* all-zero bytes are an XYZZ identity (ZZ = 0): empty buckets need no kernel */
    ZC_TRY(cudaMemsetAsync(buckets, 0, (size_t)nwin * nb * sizeof(X), st));
    ZC_MARK(3);
    if (nruns && total_chunks) {
        k_chunk_owner<<<zc_blocks(total_chunks, 256), 256, 0, st>>>(chunk_off, nruns, total_chunks, owner);
        ZC_LAUNCHED("MSM chunk owners");
        k_chunk_sum<A, X><<<zc_blocks(total_chunks, 128), 128, 0, st>>>(
            points, svals, run_off, counts, chunk_off, owner, total_chunks, partial);
        ZC_LAUNCHED("MSM bucket chunks");
    }
    ZC_MARK(4);
    if (nruns && total_chunks) {
        for (uint32_t s = 1; s < max_chunks; s *= 2) {
            k_chunk_tree<A, X><<<zc_blocks(total_chunks, 128), 128, 0, st>>>(
                chunk_off, nchunks, owner, total_chunks, s, partial);
            ZC_LAUNCHED("MSM chunk tree");
        }
        k_bucket_store<X><<<zc_blocks(nruns, 256), 256, 0, st>>>(run_keys, chunk_off, nchunks,
                                                                 nruns, partial, buckets);
        ZC_LAUNCHED("MSM buckets");
    }
    ZC_MARK(5);
    k_reduce<A, X><<<zc_blocks((size_t)nseg * nwin, 128), 128, 0, st>>>(buckets, nb, nseg, nwin, seg);
    ZC_LAUNCHED("MSM bucket reduction");
    for (uint32_t h = nseg / 2; h >= 1; h /= 2) {
        k_halve<A, X><<<zc_blocks((size_t)h * nwin, 128), 128, 0, st>>>(seg, nseg, h, nwin);
        ZC_LAUNCHED("MSM window sums");
    }
    /* window w's sum sits at seg[w nseg] */
    ZC_MARK(6);
    ZC_TRY(cudaMemcpy2DAsync(win_pinned, sizeof(X), seg, (size_t)nseg * sizeof(X), sizeof(X), nwin,
                             cudaMemcpyDeviceToHost, st));
    ZC_TRY(cudaStreamSynchronize(st));
    memcpy(win_host, win_pinned, nwin * sizeof(X));
    if (ctx->msm_timing)
        for (int k = 0; k < ZC_MSM_PHASES; k++)
            cudaEventElapsedTime(&ctx->msm_phase_ms[k], ctx->msm_ev[k], ctx->msm_ev[k + 1]);
    *c_out = c;
    *nwin_out = nwin;
    return ZBP_OK;
}

/* sum_w 2^(c w) W_w by Horner on the host with curve/'s XYZZ formulas: about 254 doublings, a few
 * hundred microseconds at most, against moving the chain onto one GPU thread. */
#define ZC_COMBINE(G, XT, out, wins, c, nwin)                                                      \
    do {                                                                                           \
        G##_xyzz_t acc, w;                                                                         \
        G##_xyzz_set_infinity(&acc);                                                               \
        for (unsigned i = (nwin); i-- > 0;) {                                                      \
            for (unsigned k = 0; k < (c); k++) G##_xyzz_dbl_vartime(&acc, &acc);                           \
            memcpy(&w, &(wins)[i], sizeof w);                                                      \
            G##_xyzz_add_vartime(&acc, &acc, &w);                                                          \
        }                                                                                          \
        G##_xyzz_to_jac_vartime(out, &acc);                                                              \
    } while (0)

int zc_msm_g1_device(zbp_cuda_t *ctx, g1_jac_t *out, const zc_g1_affine_t *points,
                     const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                     size_t errlen) {
    zc_g1_xyzz_t wins[64];
    unsigned c = 0, nwin = 0;
    if (n == 0) { /* an empty launch grid is an error in CUDA; the empty sum is the identity */
        g1_jac_set_infinity(out);
        return ZBP_OK;
    }
    int st = msm_windows(ctx, wins, &c, &nwin, points, scalars, n, window, err, errlen);
    if (st != ZBP_OK) return st;
    ZC_COMBINE(g1, zc_g1_xyzz_t, out, wins, c, nwin);
    return ZBP_OK;
}

int zc_msm_g2_device(zbp_cuda_t *ctx, g2_jac_t *out, const zc_g2_affine_t *points,
                     const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                     size_t errlen) {
    zc_g2_xyzz_t wins[64];
    unsigned c = 0, nwin = 0;
    if (n == 0) {
        g2_jac_set_infinity(out);
        return ZBP_OK;
    }
    int st = msm_windows(ctx, wins, &c, &nwin, points, scalars, n, window, err, errlen);
    if (st != ZBP_OK) return st;
    ZC_COMBINE(g2, zc_g2_xyzz_t, out, wins, c, nwin);
    return ZBP_OK;
}

/* Host arrays in: upload points and scalars into scratch, then the device path. */
template <class A, class J>
static int msm_host(zbp_cuda_t *ctx, J *out, const void *points, size_t point_bytes,
                    const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                    size_t errlen,
                    int (*dev)(zbp_cuda_t *, J *, const A *, const uint64_t (*)[4], size_t,
                               unsigned, char *, size_t)) {
    if (!ctx || !out || (n && (!points || !scalars)))
        return zc_input_fail(err, errlen, "MSM: NULL argument");
    ZC_TRY(cudaSetDevice(ctx->device));
    typedef uint64_t limbs4[4];
    A *dp;
    limbs4 *ds;
    ZC_ALLOC(dp, A, ZC_S_POINTS, n, "MSM points");
    ZC_ALLOC(ds, limbs4, ZC_S_SCALARS, n, "MSM scalars");
    ZC_TRY(cudaMemcpyAsync(dp, points, n * point_bytes, cudaMemcpyHostToDevice, ctx->stream));
    ZC_TRY(cudaMemcpyAsync(ds, scalars, n * 32, cudaMemcpyHostToDevice, ctx->stream));
    return dev(ctx, out, dp, (const uint64_t(*)[4])ds, n, window, err, errlen);
}

extern "C" int zbp_cuda_msm_g1(zbp_cuda_t *ctx, g1_jac_t *out, const g1_affine_t *points,
                               const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                               size_t errlen) {
    return msm_host<zc_g1_affine_t, g1_jac_t>(ctx, out, points, sizeof *points, scalars, n, window,
                                              err, errlen, zc_msm_g1_device);
}

extern "C" int zbp_cuda_msm_g2(zbp_cuda_t *ctx, g2_jac_t *out, const g2_affine_t *points,
                               const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                               size_t errlen) {
    return msm_host<zc_g2_affine_t, g2_jac_t>(ctx, out, points, sizeof *points, scalars, n, window,
                                              err, errlen, zc_msm_g2_device);
}
