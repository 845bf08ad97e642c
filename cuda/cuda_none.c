/* cuda_none.c: the cuda room's face in a build without CUDA (ZBP_HAVE_CUDA = 0): every entry point
 * exists and reports that the backend is not compiled in, so the CLI links and `--device auto`
 * falls back to the CPU. Compiled only when CMake found no CUDA compiler or ZBP_CUDA=OFF. */
#include <stdio.h>

#include "cuda/cuda.h"
#include "zbp_config.h"

#if ZBP_HAVE_CUDA
#error "cuda_none.c belongs only to builds without the CUDA backend"
#endif

static const char none[] = "not compiled in (this build has no CUDA backend)";

static int fail(char *err, size_t errlen) {
    if (err && errlen) snprintf(err, errlen, "%s", none);
    return ZBP_ERR_UNSUPPORTED;
}

int zbp_cuda_compiled(void) { return 0; }

int zbp_cuda_available(int *count, char *name, size_t len) {
    if (count) *count = 0;
    return fail(name, len);
}

int zbp_cuda_open(zbp_cuda_t **out, int device, char *err, size_t errlen) {
    (void)device;
    *out = NULL;
    return fail(err, errlen);
}

void zbp_cuda_close(zbp_cuda_t *ctx) { (void)ctx; }

const char *zbp_cuda_name(const zbp_cuda_t *ctx) {
    (void)ctx;
    return none;
}

int zbp_cuda_msm_g1(zbp_cuda_t *ctx, g1_jac_t *out, const g1_affine_t *points,
                    const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                    size_t errlen) {
    (void)ctx, (void)out, (void)points, (void)scalars, (void)n, (void)window;
    return fail(err, errlen);
}

int zbp_cuda_msm_g2(zbp_cuda_t *ctx, g2_jac_t *out, const g2_affine_t *points,
                    const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                    size_t errlen) {
    (void)ctx, (void)out, (void)points, (void)scalars, (void)n, (void)window;
    return fail(err, errlen);
}

int zbp_cuda_ntt(zbp_cuda_t *ctx, fr_t *data, unsigned log_n, ntt_dir_t dir, ntt_order_t order,
                 const fr_t *coset, char *err, size_t errlen) {
    (void)ctx, (void)data, (void)log_n, (void)dir, (void)order, (void)coset;
    return fail(err, errlen);
}

int zbp_cuda_circuit_load(zbp_cuda_circuit_t **out, zbp_cuda_t *ctx, const zbp_zkey_t *z,
                          char *err, size_t errlen) {
    (void)ctx, (void)z;
    *out = NULL;
    return fail(err, errlen);
}

void zbp_cuda_circuit_free(zbp_cuda_circuit_t *c) { (void)c; }

size_t zbp_cuda_circuit_bytes(const zbp_cuda_circuit_t *c) {
    (void)c;
    return 0;
}

int zbp_cuda_prove(zbp_proof_t *out, zbp_cuda_circuit_t *c, const zbp_wtns_t *w,
                   const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err, size_t errlen) {
    (void)out, (void)c, (void)w, (void)opts, (void)prof;
    return fail(err, errlen);
}
