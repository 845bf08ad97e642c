/* device.cu: finding GPUs and the per-GPU context (stream, scratch memory) of the CUDA backend. */
#include <stdlib.h>
#include <string.h>

#include "cuda/internal.cuh"

#ifndef ZBP_CUDA_ARCHS
#define ZBP_CUDA_ARCHS "unknown"
#endif

extern "C" int zbp_cuda_compiled(void) { return 1; }

const char *zc_cuda_archs(void) { return ZBP_CUDA_ARCHS; }

int zc_sync_each(void) {
    static int on = -1; /* read once; a benign race (every thread reads the same value) */
    if (on < 0) {
        const char *v = getenv("ZBP_CUDA_SYNC");
        on = v && v[0] == '1';
    }
    return on;
}

/* Why there is no GPU, in one line a user can act on, instead of the runtime's wording ("CUDA
 * driver version is insufficient for CUDA runtime version" on a machine with no driver at all). */
static void zc_no_gpu_reason(cudaError_t e, char *buf, size_t len) {
    if (!buf || !len) return;
    switch (e) {
    case cudaSuccess:
    case cudaErrorNoDevice: snprintf(buf, len, "no CUDA device found"); break;
    case cudaErrorInsufficientDriver:
        snprintf(buf, len, "no NVIDIA driver, or one older than this build's CUDA %d.%d runtime",
                 CUDART_VERSION / 1000, CUDART_VERSION % 1000 / 10);
        break;
    case cudaErrorDevicesUnavailable: snprintf(buf, len, "the CUDA devices are busy or unavailable"); break;
    default: snprintf(buf, len, "CUDA runtime: %s", cudaGetErrorString(e)); break;
    }
}

/* The kernel that tells whether this binary holds code the device can run (SASS for its
 * architecture, or PTX it can compile). */
static __global__ void zc_probe_kernel(void) {}

/* ZBP_OK when GPU `device` can run this build's kernels, else ZBP_ERR_UNSUPPORTED with a line
 * naming the device's architecture and the build's. Selects the device. */
static int zc_check_image(int device, char *err, size_t errlen) {
    cudaDeviceProp prop;
    cudaError_t e = cudaSetDevice(device);
    if (e == cudaSuccess) e = cudaGetDeviceProperties(&prop, device);
    if (e != cudaSuccess) {
        cudaGetLastError();
        if (err && errlen) snprintf(err, errlen, "GPU %d: %s", device, cudaGetErrorString(e));
        return ZBP_ERR_UNSUPPORTED;
    }
    cudaFuncAttributes attr;
    e = cudaFuncGetAttributes(&attr, zc_probe_kernel);
    if (e == cudaSuccess) return ZBP_OK;
    cudaGetLastError();
    if (err && errlen) {
        if (e == cudaErrorNoKernelImageForDevice || e == cudaErrorInvalidDeviceFunction ||
            e == cudaErrorInvalidPtx || e == cudaErrorUnsupportedPtxVersion)
            snprintf(err, errlen,
                     "GPU %d (%s) is sm_%d%d, and this build has no code for it (built for %s); "
                     "rebuild with -DCMAKE_CUDA_ARCHITECTURES=%d%d",
                     device, prop.name, prop.major, prop.minor, ZBP_CUDA_ARCHS, prop.major,
                     prop.minor);
        else
            snprintf(err, errlen, "GPU %d (%s): %s", device, prop.name, cudaGetErrorString(e));
    }
    return ZBP_ERR_UNSUPPORTED;
}

extern "C" int zbp_cuda_available(int *count, char *name, size_t len) {
    int n = 0;
    if (count) *count = 0;
    /* cudaGetDeviceCount fails with "no CUDA-capable device" or "driver not found" on machines
     * without a GPU: both are the ordinary answer here, not an error to print. */
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        zc_no_gpu_reason(e, name, len);
        cudaGetLastError(); /* clear the error for later calls */
        return ZBP_ERR_UNSUPPORTED;
    }
    /* A GPU this build cannot run counts as none, so that --device auto takes the CPU. */
    char why[320];
    if (zc_check_image(0, why, sizeof why) != ZBP_OK) {
        if (name && len) snprintf(name, len, "%s", why);
        return ZBP_ERR_UNSUPPORTED;
    }
    cudaDeviceProp prop;
    e = cudaGetDeviceProperties(&prop, 0);
    if (e != cudaSuccess) {
        if (name && len) snprintf(name, len, "%s", cudaGetErrorString(e));
        cudaGetLastError();
        return ZBP_ERR_UNSUPPORTED;
    }
    if (count) *count = n;
    if (name && len) snprintf(name, len, "%s", prop.name);
    return ZBP_OK;
}

extern "C" int zbp_cuda_open(zbp_cuda_t **out, int device, char *err, size_t errlen) {
    *out = NULL;
    int n = 0;
    cudaError_t ce = cudaGetDeviceCount(&n);
    if (ce != cudaSuccess || device < 0 || device >= n) {
        cudaGetLastError();
        if (err && errlen) {
            char why[200];
            zc_no_gpu_reason(ce, why, sizeof why);
            if (ce != cudaSuccess)
                snprintf(err, errlen, "GPU %d: %s", device, why);
            else
                snprintf(err, errlen, "GPU %d: no such CUDA device (%d found)", device, n);
        }
        return ZBP_ERR_UNSUPPORTED;
    }
    int st = zc_check_image(device, err, errlen);
    if (st != ZBP_OK) return st;
    zbp_cuda_t *ctx = (zbp_cuda_t *)calloc(1, sizeof *ctx);
    if (!ctx) return ZBP_ERR_NOMEM;
    ctx->device = device;
    cudaDeviceProp prop;
    cudaError_t e = cudaSetDevice(device);
    if (e == cudaSuccess) e = cudaGetDeviceProperties(&prop, device);
    if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking);
    if (e == cudaSuccess) e = cudaMallocHost(&ctx->pinned, ZC_PINNED_BYTES);
    if (e != cudaSuccess) {
        if (ctx->stream) cudaStreamDestroy(ctx->stream);
        free(ctx);
        return zc_cuda_fail(err, errlen, e, "opening the device");
    }
    int ro = 0;
    if (cudaDeviceGetAttribute(&ro, cudaDevAttrHostRegisterReadOnlySupported, device) != cudaSuccess)
        ro = 0;
    cudaGetLastError();
    ctx->register_ro = ro;
    snprintf(ctx->name, sizeof ctx->name, "%s", prop.name);
    ctx->sm_count = prop.multiProcessorCount;
    *out = ctx;
    return ZBP_OK;
}

extern "C" void zbp_cuda_close(zbp_cuda_t *ctx) {
    if (!ctx) return;
    cudaSetDevice(ctx->device);
    cudaStreamSynchronize(ctx->stream);
    for (int i = 0; i < ZC_S_COUNT; i++) cudaFree(ctx->scratch[i]);
    cudaFree(ctx->tw);
    for (int i = 0; i < ZC_FACTOR_TABLES; i++) cudaFree(ctx->factors[i].d);
    cudaFreeHost(ctx->pinned);
    cudaStreamDestroy(ctx->stream);
    free(ctx);
}

extern "C" const char *zbp_cuda_name(const zbp_cuda_t *ctx) { return ctx ? ctx->name : ""; }

void zc_wipe_scratch(zbp_cuda_t *ctx) {
    for (int i = 0; i < ZC_S_COUNT; i++)
        if (i != ZC_S_POINTS && ctx->scratch[i])
            cudaMemsetAsync(ctx->scratch[i], 0, ctx->scratch_bytes[i], ctx->stream);
}

void *zc_scratch(zbp_cuda_t *ctx, int slot, size_t bytes, cudaError_t *e) {
    *e = cudaSuccess;
    if (bytes == 0) bytes = 1;
    if (ctx->scratch_bytes[slot] >= bytes) return ctx->scratch[slot];
    /* the old buffer may still be read by queued work */
    *e = cudaStreamSynchronize(ctx->stream);
    if (*e != cudaSuccess) return NULL;
    cudaFree(ctx->scratch[slot]);
    ctx->scratch[slot] = NULL;
    ctx->scratch_bytes[slot] = 0;
    /* a little headroom so that slowly growing sizes do not reallocate every call */
    size_t want = bytes + bytes / 8;
    *e = cudaMalloc(&ctx->scratch[slot], want);
    if (*e != cudaSuccess) {
        cudaGetLastError();
        return NULL;
    }
    ctx->scratch_bytes[slot] = want;
    return ctx->scratch[slot];
}
