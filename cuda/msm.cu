/* msm.cu: G1 and G2 multi-scalar multiplication on the GPU: signed-digit windows computed on the
 * device, (bucket, point) pairs sorted with CUB's radix sort and run-length encoded, buckets
 * accumulated in XYZZ in bounded chunks (largest buckets first), each window's buckets reduced
 * by many threads, and only the window sums (one per window) combined on the host. */
#include <cub/cub.cuh>
#include <string.h>

#include "cuda/internal.cuh"
#include "cuda/msm_core.h"

/* A bucket's points are summed in chunks of at most this many, one thread each, so that one huge
 * bucket (real witnesses put most scalars in a few: 0, 1, small values) spreads over many
 * threads; the chunks' partial sums then meet in the bucket. */
#define ZC_CHUNK 64
/* Buckets per reduction thread (a power of two, at most a window's 2^(c-1) buckets). */
#define ZC_SEG_LOG 4

/* The group operations by type, so that one set of kernels serves G1 and G2. */
template <class A, class X> struct zc_group;
template <> struct zc_group<zc_g1_affine_t, zc_g1_xyzz_t> {
    static __device__ __forceinline__ void inf(zc_g1_xyzz_t *r) { zc_g1_xyzz_set_infinity(r); }
    static __device__ __forceinline__ void madd(zc_g1_xyzz_t *r, const zc_g1_affine_t *p) { zc_g1_xyzz_add_affine(r, r, p); }
    static __device__ __forceinline__ void neg(zc_g1_affine_t *r) { zc_g1_affine_neg(r, r); }
    static __device__ __forceinline__ void add(zc_g1_xyzz_t *r, const zc_g1_xyzz_t *p) { zc_g1_xyzz_add(r, r, p); }
    static __device__ __forceinline__ void segment(zc_g1_xyzz_t *r, const zc_g1_xyzz_t *b, uint32_t lo, uint32_t hi) {
        zc_g1_bucket_segment(r, b, lo, hi);
    }
};
template <> struct zc_group<zc_g2_affine_t, zc_g2_xyzz_t> {
    static __device__ __forceinline__ void inf(zc_g2_xyzz_t *r) { zc_g2_xyzz_set_infinity(r); }
    static __device__ __forceinline__ void madd(zc_g2_xyzz_t *r, const zc_g2_affine_t *p) { zc_g2_xyzz_add_affine(r, r, p); }
    static __device__ __forceinline__ void neg(zc_g2_affine_t *r) { zc_g2_affine_neg(r, r); }
    static __device__ __forceinline__ void add(zc_g2_xyzz_t *r, const zc_g2_xyzz_t *p) { zc_g2_xyzz_add(r, r, p); }
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

/* chunks of run r: ceil(count / ZC_CHUNK), and none for the zero digits' run (with real
 * witnesses, most digits of the upper windows are zero: summing them would be wasted work) */
__global__ void k_chunk_counts(const uint32_t *counts, const uint32_t *run_keys, uint32_t sentinel,
                               uint32_t nruns, uint32_t *nchunks) {
    uint32_t r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < nruns) nchunks[r] = run_keys[r] >= sentinel ? 0 : (counts[r] + ZC_CHUNK - 1) / ZC_CHUNK;
}

__global__ void k_chunk_owner(const uint32_t *chunk_off, const uint32_t *nchunks, uint32_t nruns,
                              uint32_t *owner) {
    uint32_t r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= nruns) return;
    for (uint32_t j = 0; j < nchunks[r]; j++) owner[chunk_off[r] + j] = r;
}

template <class A, class X>
__global__ void k_chunk_sum(const A *points, const uint32_t *vals, const uint32_t *run_off,
                            const uint32_t *counts, const uint32_t *chunk_off,
                            const uint32_t *owner, uint32_t nchunks, X *partial) {
    uint32_t c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= nchunks) return;
    uint32_t r = owner[c], j = c - chunk_off[r];
    uint32_t begin = run_off[r] + j * ZC_CHUNK, end = run_off[r] + counts[r];
    if (end > begin + ZC_CHUNK) end = begin + ZC_CHUNK;
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

/* Thread t sums the partials of run order[t]; order lists runs by size, largest first, so the
 * longest sums start first and the short ones fill in behind them. */
template <class A, class X>
__global__ void k_bucket_sum(const uint32_t *order, uint32_t nruns, const uint32_t *run_keys,
                             uint32_t sentinel, const uint32_t *chunk_off,
                             const uint32_t *nchunks, const X *partial, X *buckets) {
    uint32_t t = blockIdx.x * blockDim.x + threadIdx.x;
    if (t >= nruns) return;
    uint32_t r = order[t], key = run_keys[r];
    if (key >= sentinel) return; /* the zero digits */
    X acc = partial[chunk_off[r]];
    for (uint32_t j = 1; j < nchunks[r]; j++) zc_group<A, X>::add(&acc, &partial[chunk_off[r] + j]);
    buckets[key] = acc;
}

__global__ void k_iota(uint32_t *v, uint32_t n) {
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) v[i] = i;
}

/* Segment s of window w: buckets [s 2^SEG, (s+1) 2^SEG) weighted by their digits. */
template <class A, class X>
__global__ void k_reduce(const X *buckets, uint32_t nb, uint32_t nseg, unsigned nwin, X *seg) {
    uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= nseg * nwin) return;
    uint32_t w = i / nseg, s = i % nseg, lo = s << ZC_SEG_LOG;
    zc_group<A, X>::segment(&seg[i], buckets + (size_t)w * nb, lo, lo + (1u << ZC_SEG_LOG));
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

/* The device part: window sums into host memory (nwin of them). */
template <class A, class X>
static int msm_windows(zbp_cuda_t *ctx, X *win_host, unsigned *c_out, unsigned *nwin_out,
                       const A *points, const uint64_t (*scalars)[4], size_t n, unsigned window,
                       char *err, size_t errlen) {
    if (n >= ((size_t)1 << 31)) return zc_input_fail(err, errlen, "MSM of %zu points: at most 2^31 - 1", n);
    unsigned c = window ? window : zc_msm_pick_window(n);
    if (c < ZC_MSM_C_MIN || c > ZC_MSM_C_MAX)
        return zc_input_fail(err, errlen, "MSM window %u: must be %d..%d", c, ZC_MSM_C_MIN, ZC_MSM_C_MAX);
    if (c - 1 < ZC_SEG_LOG) c = ZC_SEG_LOG + 1; /* a window holds at least one segment */
    const unsigned nwin = zc_msm_windows(c);
    const uint32_t nb = 1u << (c - 1), sentinel = (uint32_t)nwin << (c - 1);
    const size_t total = n * nwin;
    if (total >= ((size_t)1 << 32)) return zc_input_fail(err, errlen, "MSM of %zu points: too many digits", n);
    const uint32_t N = (uint32_t)total;
    cudaStream_t st = ctx->stream;
    uint32_t *keys, *vals, *keys2, *vals2, *run_keys, *counts, *run_off, *nruns_d, *order, *counts2;
    uint32_t *chunk_off, *nchunks, *owner;
    X *partial, *buckets, *seg;
    ZC_ALLOC(keys, uint32_t, ZC_S_KEYS, N, "MSM keys");
    ZC_ALLOC(vals, uint32_t, ZC_S_VALS, N, "MSM values");
    ZC_ALLOC(keys2, uint32_t, ZC_S_KEYS2, N, "MSM sorted keys");
    ZC_ALLOC(vals2, uint32_t, ZC_S_VALS2, N, "MSM sorted values");
    ZC_ALLOC(run_keys, uint32_t, ZC_S_RUN_KEYS, N, "MSM runs");
    ZC_ALLOC(counts, uint32_t, ZC_S_RUN_COUNTS, N, "MSM run lengths");
    ZC_ALLOC(run_off, uint32_t, ZC_S_RUN_OFFS, 3 * (size_t)N + 1, "MSM run offsets");
    chunk_off = run_off + N;
    nchunks = run_off + 2 * (size_t)N;
    ZC_ALLOC(nruns_d, uint32_t, ZC_S_NRUNS, 2, "MSM counters");
    ZC_ALLOC(order, uint32_t, ZC_S_ORDER, 2 * (size_t)N, "MSM bucket order");
    counts2 = order + N;

    k_digits<<<zc_blocks(n, 256), 256, 0, st>>>(scalars, (uint32_t)n, c, nwin, keys, vals);
    ZC_LAUNCHED("MSM digits");

    /* CUB's scratch: the largest of the four calls' needs */
    size_t need = 0, b;
    unsigned bits = zc_msm_key_bits(c, nwin);
    ZC_TRY(cub::DeviceRadixSort::SortPairs(NULL, b, keys, keys2, vals, vals2, N, 0, bits, st));
    need = b;
    ZC_TRY(cub::DeviceRunLengthEncode::Encode(NULL, b, keys2, run_keys, counts, nruns_d, N, st));
    need = b > need ? b : need;
    ZC_TRY(cub::DeviceScan::ExclusiveSum(NULL, b, counts, run_off, N, st));
    need = b > need ? b : need;
    ZC_TRY(cub::DeviceRadixSort::SortPairsDescending(NULL, b, counts, counts2, vals, order, N, 0, 32, st));
    need = b > need ? b : need;
    void *tmp;
    ZC_ALLOC(tmp, uint8_t, ZC_S_CUB, need, "CUB scratch");

    b = need;
    ZC_TRY(cub::DeviceRadixSort::SortPairs(tmp, b, keys, keys2, vals, vals2, N, 0, bits, st));
    b = need;
    ZC_TRY(cub::DeviceRunLengthEncode::Encode(tmp, b, keys2, run_keys, counts, nruns_d, N, st));
    uint32_t nruns = 0;
    ZC_TRY(cudaMemcpyAsync(&nruns, nruns_d, sizeof nruns, cudaMemcpyDeviceToHost, st));
    ZC_TRY(cudaStreamSynchronize(st));
    if (nruns) {
        b = need;
        ZC_TRY(cub::DeviceScan::ExclusiveSum(tmp, b, counts, run_off, nruns, st));
        k_chunk_counts<<<zc_blocks(nruns, 256), 256, 0, st>>>(counts, run_keys, sentinel, nruns, nchunks);
        ZC_LAUNCHED("MSM chunk counts");
        b = need;
        ZC_TRY(cub::DeviceScan::ExclusiveSum(tmp, b, nchunks, chunk_off, nruns, st));
        /* largest runs first: sort run indices by length, descending ("vals" is free again) */
        k_iota<<<zc_blocks(nruns, 256), 256, 0, st>>>(vals, nruns);
        ZC_LAUNCHED("MSM iota");
        b = need;
        ZC_TRY(cub::DeviceRadixSort::SortPairsDescending(tmp, b, counts, counts2, vals, order, nruns, 0, 32, st));
    }
    uint32_t last[2] = {0, 0};
    if (nruns) {
        ZC_TRY(cudaMemcpyAsync(&last[0], chunk_off + nruns - 1, 4, cudaMemcpyDeviceToHost, st));
        ZC_TRY(cudaMemcpyAsync(&last[1], nchunks + nruns - 1, 4, cudaMemcpyDeviceToHost, st));
        ZC_TRY(cudaStreamSynchronize(st));
    }
    const uint32_t total_chunks = last[0] + last[1];
    ZC_ALLOC(owner, uint32_t, ZC_S_CHUNKS, total_chunks, "MSM chunk owners");
    ZC_ALLOC(partial, X, ZC_S_PARTIAL, total_chunks, "MSM partial sums");
    ZC_ALLOC(buckets, X, ZC_S_BUCKETS, (size_t)nwin * nb, "MSM buckets");
    const uint32_t nseg = nb >> ZC_SEG_LOG;
    ZC_ALLOC(seg, X, ZC_S_WINDOWS, (size_t)nseg * nwin, "MSM window segments");
    /* all-zero bytes are an XYZZ identity (ZZ = 0): empty buckets need no kernel */
    ZC_TRY(cudaMemsetAsync(buckets, 0, (size_t)nwin * nb * sizeof(X), st));
    if (nruns && total_chunks) {
        k_chunk_owner<<<zc_blocks(nruns, 256), 256, 0, st>>>(chunk_off, nchunks, nruns, owner);
        ZC_LAUNCHED("MSM chunk owners");
        k_chunk_sum<A, X><<<zc_blocks(total_chunks, 128), 128, 0, st>>>(
            points, vals2, run_off, counts, chunk_off, owner, total_chunks, partial);
        ZC_LAUNCHED("MSM bucket chunks");
        k_bucket_sum<A, X><<<zc_blocks(nruns, 128), 128, 0, st>>>(order, nruns, run_keys, sentinel,
                                                                  chunk_off, nchunks, partial, buckets);
        ZC_LAUNCHED("MSM buckets");
    }
    k_reduce<A, X><<<zc_blocks((size_t)nseg * nwin, 128), 128, 0, st>>>(buckets, nb, nseg, nwin, seg);
    ZC_LAUNCHED("MSM bucket reduction");
    for (uint32_t h = nseg / 2; h >= 1; h /= 2) {
        k_halve<A, X><<<zc_blocks((size_t)h * nwin, 128), 128, 0, st>>>(seg, nseg, h, nwin);
        ZC_LAUNCHED("MSM window sums");
    }
    /* window w's sum sits at seg[w nseg] */
    ZC_TRY(cudaMemcpy2DAsync(win_host, sizeof(X), seg, (size_t)nseg * sizeof(X), sizeof(X), nwin,
                             cudaMemcpyDeviceToHost, st));
    ZC_TRY(cudaStreamSynchronize(st));
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
            for (unsigned k = 0; k < (c); k++) G##_xyzz_dbl(&acc, &acc);                           \
            memcpy(&w, &(wins)[i], sizeof w);                                                      \
            G##_xyzz_add(&acc, &acc, &w);                                                          \
        }                                                                                          \
        G##_xyzz_to_jac(out, &acc);                                                                \
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
