/* internal.cuh: inside the cuda room: the context, its grow-only device scratch, error reporting,
 * and the device-resident entry points that msm.cu, ntt.cu, prove.cu and gpu_check.cu share. */
#ifndef ZBP_CUDA_INTERNAL_CUH
#define ZBP_CUDA_INTERNAL_CUH

#include <cuda_runtime.h>
#include <stdarg.h>
#include <stdio.h>

#include "cuda/cuda.h"
#include "cuda/ec.h"

/* Scratch buffers, one per role: a buffer grows when a call needs more and is reused after, so a
 * second proof of the same size allocates nothing. */
enum {
    ZC_S_POINTS, ZC_S_SCALARS, ZC_S_KEYS, ZC_S_VALS, ZC_S_KEYS2, ZC_S_VALS2, ZC_S_RUN_KEYS,
    ZC_S_RUN_COUNTS, ZC_S_RUN_OFFS, ZC_S_NRUNS, ZC_S_PARTIAL, ZC_S_BUCKETS, ZC_S_WINDOWS, ZC_S_CUB, ZC_S_NTT, ZC_S_ABC, ZC_S_WITNESS,
    ZC_S_COUNT
};

/* The MSM's phases, as zbp_gpu_check reports them. */
enum { ZC_MSM_PHASES = 6 };
static const char *const zc_msm_phase_names[ZC_MSM_PHASES] = {
    "digits", "sort", "runs", "chunk sums", "chunk tree", "reduction"};

#define ZC_FACTOR_TABLES 6
#define ZC_PINNED_BYTES (64 * sizeof(zc_g2_xyzz_t) + 64) /* window sums, then four counters */

struct zbp_cuda {
    int device;
    char name[256];
    cudaStream_t stream;
    int sm_count;
    void *scratch[ZC_S_COUNT];
    size_t scratch_bytes[ZC_S_COUNT];
    size_t cub_need_max; /* the most CUB scratch an MSM asked for (zbp_gpu_check reports it) */
    /* Per-phase MSM timing (zbp_gpu_check): when the events exist, msm.cu records one at each
     * phase boundary and fills msm_phase_ms after its last synchronization. */
    cudaEvent_t msm_ev[ZC_MSM_PHASES + 1];
    int msm_timing;
    float msm_phase_ms[ZC_MSM_PHASES];
    zc_fr_t *tw;      /* tw[k] = w_N^k, k < N/2, N = 2^tw_log (0: none yet) */
    unsigned tw_log;
    /* The NTT's factor tables lo[j] = g^j, hi[j] = f g^(j 2^B) (ntt_core.h), computed on the device
     * once per (g, f) and kept: a proof's transforms use three (w_N for the twiddles, n^-1, the
     * coset shift), so every transform after the first of its domain copies nothing. */
    struct {
        fr_t g, f;
        unsigned log_n; /* hi covers exponents below 2^log_n */
        zc_fr_t *d;     /* lo (2^B entries), then hi */
    } factors[ZC_FACTOR_TABLES];
    unsigned factors_next; /* the slot replaced next */
    /* Pinned host memory for what comes back (MSM window sums, run counts): copies on the stream
     * without the driver's staging through pageable memory. */
    void *pinned;
    int register_ro; /* cudaHostRegisterReadOnly works here: the witness is pinned in place */
};

/* 1 when ZBP_CUDA_SYNC=1 is set: every phase is followed by a device synchronization, so that a
 * kernel that faults is named by its own check rather than by the next synchronizing call. */
int zc_sync_each(void);

/* Writes "GPU: what: CUDA error text" into err; returns ZBP_ERR_NOMEM for allocation failures,
 * else ZBP_ERR_IO. Without ZBP_CUDA_SYNC=1 an asynchronous fault surfaces at the next
 * synchronizing call, whose name the message then carries: it says how to find the kernel. */
static inline int zc_cuda_fail(char *err, size_t errlen, cudaError_t e, const char *what) {
    if (err && errlen)
        snprintf(err, errlen, "GPU: %s: %s%s", what, cudaGetErrorString(e),
                 e == cudaErrorMemoryAllocation || zc_sync_each()
                     ? ""
                     : " (ZBP_CUDA_SYNC=1 names the first failing kernel)");
    return e == cudaErrorMemoryAllocation ? ZBP_ERR_NOMEM : ZBP_ERR_IO;
}

static inline int zc_input_fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return ZBP_ERR_INPUT;
}

/* Every CUDA call and every launch is checked: a kernel that failed to start would otherwise
 * leave stale data that looks like a result. */
#define ZC_TRY(call)                                                                               \
    do {                                                                                           \
        cudaError_t e_ = (call);                                                                   \
        if (e_ != cudaSuccess) return zc_cuda_fail(err, errlen, e_, #call);                        \
    } while (0)
/* After a launch (or a CUB call, which launches kernels): cudaGetLastError, which also clears a
 * launch error so that later checks do not report it again (cudaPeekAtLastError never clears);
 * with ZBP_CUDA_SYNC=1, a synchronization that makes this phase's own faults appear here. */
#define ZC_LAUNCHED(what)                                                                          \
    do {                                                                                           \
        cudaError_t e_ = cudaGetLastError();                                                       \
        if (e_ == cudaSuccess && zc_sync_each()) e_ = cudaDeviceSynchronize();                     \
        if (e_ != cudaSuccess) return zc_cuda_fail(err, errlen, e_, "kernel " what);              \
    } while (0)

/* The architectures this build holds code for ("80-real,90"), as CMake named them. */
const char *zc_cuda_archs(void);

/* A scratch buffer of at least `bytes`, or NULL with the CUDA error in *e. */
void *zc_scratch(zbp_cuda_t *ctx, int slot, size_t bytes, cudaError_t *e);
/* Queues zeros over every scratch buffer but the points' (the witness, its transforms, the MSMs'
 * digits, pairs and sums): after each proof, on every path. A device memset runs at memory speed
 * (about 2 ms for 7 GiB of G1 2^24 scratch on an H100's 3.3 TB/s). */
void zc_wipe_scratch(zbp_cuda_t *ctx);

/* Device-resident entry points (pointers into device memory; work queued on ctx->stream, which
 * the caller synchronizes). */
int zc_ntt_device(zbp_cuda_t *ctx, zc_fr_t *d, unsigned log_n, ntt_dir_t dir, ntt_order_t order,
                  const fr_t *coset, char *err, size_t errlen);
int zc_msm_g1_device(zbp_cuda_t *ctx, g1_jac_t *out, const zc_g1_affine_t *points,
                     const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                     size_t errlen);
int zc_msm_g2_device(zbp_cuda_t *ctx, g2_jac_t *out, const zc_g2_affine_t *points,
                     const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                     size_t errlen);

static inline unsigned zc_blocks(size_t n, unsigned threads) {
    return (unsigned)((n + threads - 1) / threads);
}

#endif
