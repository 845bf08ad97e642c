/* device.cu: finding GPUs and the per-GPU context (stream, scratch memory) of the CUDA backend. */
#include <string.h>

#include "cuda/internal.cuh"

extern "C" int zbp_cuda_compiled(void) { return 1; }

extern "C" int zbp_cuda_available(int *count, char *name, size_t len) {
    int n = 0;
    if (count) *count = 0;
    /* cudaGetDeviceCount fails with "no CUDA-capable device" or "driver not found" on machines
     * without a GPU: both are the ordinary answer here, not an error to print. */
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        if (name && len)
            snprintf(name, len, "%s", e != cudaSuccess ? cudaGetErrorString(e) : "no CUDA device");
        cudaGetLastError(); /* clear the sticky error for later calls */
        return ZBP_ERR_UNSUPPORTED;
    }
    cudaDeviceProp prop;
    e = cudaGetDeviceProperties(&prop, 0);
    if (e != cudaSuccess) {
        if (name && len) snprintf(name, len, "%s", cudaGetErrorString(e));
        return ZBP_ERR_UNSUPPORTED;
    }
    if (count) *count = n;
    if (name && len) snprintf(name, len, "%s", prop.name);
    return ZBP_OK;
}

extern "C" int zbp_cuda_open(zbp_cuda_t **out, int device, char *err, size_t errlen) {
    *out = NULL;
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess || device < 0 || device >= n) {
        cudaGetLastError();
        if (err && errlen) snprintf(err, errlen, "GPU %d: no such CUDA device (%d found)", device, n);
        return ZBP_ERR_UNSUPPORTED;
    }
    zbp_cuda_t *ctx = (zbp_cuda_t *)calloc(1, sizeof *ctx);
    if (!ctx) return ZBP_ERR_NOMEM;
    ctx->device = device;
    cudaDeviceProp prop;
    cudaError_t e = cudaSetDevice(device);
    if (e == cudaSuccess) e = cudaGetDeviceProperties(&prop, device);
    if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking);
    if (e != cudaSuccess) {
        free(ctx);
        return zc_cuda_fail(err, errlen, e, "opening the device");
    }
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
    cudaStreamDestroy(ctx->stream);
    free(ctx);
}

extern "C" const char *zbp_cuda_name(const zbp_cuda_t *ctx) { return ctx ? ctx->name : ""; }

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
