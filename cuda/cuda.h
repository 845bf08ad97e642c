/* cuda.h: the face of the cuda room: the GPU backend's C API (device discovery, MSM, NTT and the
 * whole Groth16 proof on an NVIDIA GPU). Builds without CUDA get the same names from cuda_none.c,
 * which report "not compiled in", so callers link and fall back either way. */
#ifndef ZBP_CUDA_H
#define ZBP_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "curve/curve.h"
#include "field/field.h"
#include "ntt/ntt.h"
#include "prover/prover.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this build has the CUDA backend (ZBP_HAVE_CUDA), else 0. */
int zbp_cuda_compiled(void);

/* How many usable GPUs there are. Returns ZBP_OK with *count >= 1 and, when name is not NULL, the
 * first device's name; otherwise ZBP_ERR_UNSUPPORTED with *count = 0 and the reason in name
 * ("not compiled in", "no CUDA driver", "no CUDA device", the runtime's message...). count and
 * name may be NULL. Never prints, never exits: `--device auto` relies on it failing quietly. */
int zbp_cuda_available(int *count, char *name, size_t len);

/* `--device` values: auto, cpu, cuda or cuda:N. Sets *device to -1 for the CPU or to the GPU's
 * index; auto picks GPU 0 when zbp_cuda_available says one works, else the CPU. Returns ZBP_OK,
 * ZBP_ERR_INPUT for a malformed value, ZBP_ERR_UNSUPPORTED when a GPU was asked for and none (or
 * not that one) is usable, with a message in err either way. */
int zbp_device_parse(const char *spec, int *device, char *err, size_t errlen);
/* The same against another availability function (prover/circuit.c's test builds pass a fake). */
typedef int (*zbp_cuda_available_fn)(int *count, char *name, size_t len);
int zbp_device_parse_with(const char *spec, zbp_cuda_available_fn available, int *device, char *err,
                          size_t errlen);

/* A context on one GPU: its stream, scratch memory and twiddle tables. Not thread safe: one
 * context per host thread. */
typedef struct zbp_cuda zbp_cuda_t;
int zbp_cuda_open(zbp_cuda_t **out, int device, char *err, size_t errlen);
void zbp_cuda_close(zbp_cuda_t *ctx); /* NULL is fine */
const char *zbp_cuda_name(const zbp_cuda_t *ctx);

/* msm/msm.h's msm_g1/msm_g2 on the GPU, host arrays in and the sum out: points in zkey form (the
 * identity as zeros), scalars canonical 4×64-bit (values >= r are taken mod r), n < 2^31. window
 * 0 picks c from the cost model. Returns ZBP_OK, ZBP_ERR_INPUT, ZBP_ERR_NOMEM (device memory) or
 * ZBP_ERR_IO (a CUDA error, its text in err). */
int zbp_cuda_msm_g1(zbp_cuda_t *ctx, g1_jac_t *out, const g1_affine_t *points,
                    const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                    size_t errlen);
int zbp_cuda_msm_g2(zbp_cuda_t *ctx, g2_jac_t *out, const g2_affine_t *points,
                    const uint64_t (*scalars)[4], size_t n, unsigned window, char *err,
                    size_t errlen);

/* ntt/ntt.h's ntt_transform for one array of 2^log_n elements in host memory, in place, with the
 * same results bit for bit: coset NULL is the plain domain, else the shift g. */
int zbp_cuda_ntt(zbp_cuda_t *ctx, fr_t *data, unsigned log_n, ntt_dir_t dir, ntt_order_t order,
                 const fr_t *coset, char *err, size_t errlen);

/* A circuit's key on the GPU: the zkey's point sections and its A and B coefficients (as rows)
 * uploaded once, for any number of proofs. The zkey must stay open while the circuit lives (its
 * header points are read from it at each proof). */
typedef struct zbp_cuda_circuit zbp_cuda_circuit_t;
int zbp_cuda_circuit_load(zbp_cuda_circuit_t **out, zbp_cuda_t *ctx, const zbp_zkey_t *z,
                          char *err, size_t errlen);
void zbp_cuda_circuit_free(zbp_cuda_circuit_t *c); /* NULL is fine */
size_t zbp_cuda_circuit_bytes(const zbp_cuda_circuit_t *c); /* device memory it holds */

/* zbp_groth16_prove on the GPU: A·w, B·w, C, the coset extension, h and the five MSMs on the
 * device, then prover/'s zbp_groth16_finish on the host (randomizers, assembly, the pairing check
 * unless skipped). Same contract, same outputs for the same r and s. */
int zbp_cuda_prove(zbp_proof_t *out, zbp_cuda_circuit_t *c, const zbp_wtns_t *w,
                   const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
