/* circuit.c: zbp_circuit_t, the choice of device behind the prover's face (prover.h): the CLI's
 * `prove`, the job loop's cached circuits and the C APIs all prove through it. The CPU path is
 * zbp_groth16_prove; the GPU path is cuda/'s context and resident circuit, reached through a small
 * table of functions so that test builds (ZBP_TEST_HOOKS) can put a fake GPU in its place and test
 * the fallback of "auto" on machines without one. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/cuda.h"
#include "prover/prover.h"
#include "prover/readers_int.h"

/* ---- the GPU backends ---- */
typedef struct {
    zbp_cuda_available_fn available;
    /* the key onto GPU `device`: *gpu is the backend's state */
    int (*load)(void **gpu, int device, const zbp_zkey_t *z, char *err, size_t errlen);
    int (*prove)(void *gpu, zbp_proof_t *out, const zbp_wtns_t *w, const zbp_prove_opts_t *opts,
                 zbp_profile_t *prof, char *err, size_t errlen);
    size_t (*bytes)(const void *gpu);
    void (*unload)(void *gpu);
} gpu_backend_t;

typedef struct {
    zbp_cuda_t *ctx;
    zbp_cuda_circuit_t *circ;
} cuda_state_t;

static void cuda_unload(void *gpu) {
    cuda_state_t *s = gpu;
    if (!s) return;
    zbp_cuda_circuit_free(s->circ);
    zbp_cuda_close(s->ctx);
    free(s);
}

static int cuda_load(void **gpu, int device, const zbp_zkey_t *z, char *err, size_t errlen) {
    cuda_state_t *s = calloc(1, sizeof *s);
    *gpu = NULL;
    if (!s) return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory");
    int st = zbp_cuda_open(&s->ctx, device, err, errlen);
    if (st == ZBP_OK) st = zbp_cuda_circuit_load(&s->circ, s->ctx, z, err, errlen);
    if (st != ZBP_OK) {
        cuda_unload(s);
        /* a GPU that was found but cannot be used is the environment's failure */
        return st == ZBP_ERR_UNSUPPORTED ? ZBP_ERR_ENV : st;
    }
    *gpu = s;
    return ZBP_OK;
}

static int cuda_prove(void *gpu, zbp_proof_t *out, const zbp_wtns_t *w,
                      const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err, size_t errlen) {
    return zbp_cuda_prove(out, ((cuda_state_t *)gpu)->circ, w, opts, prof, err, errlen);
}

static size_t cuda_bytes(const void *gpu) {
    return zbp_cuda_circuit_bytes(((const cuda_state_t *)gpu)->circ);
}

static const gpu_backend_t cuda_backend = {zbp_cuda_available, cuda_load, cuda_prove, cuda_bytes,
                                           cuda_unload};

#ifdef ZBP_TEST_HOOKS
/* The fake GPU: its "device memory" is the key's pointer; it proves on the CPU. */
static const char *fake_mode;
static char fake_mode_buf[16];

static const char *fake_current(void) {
    if (fake_mode) return fake_mode;
    const char *e = getenv("ZBP_TEST_FAKE_GPU");
    return e && *e ? e : NULL;
}

void zbp_circuit_test_fake_gpu(const char *mode) {
    if (!mode) {
        fake_mode = NULL;
        return;
    }
    snprintf(fake_mode_buf, sizeof fake_mode_buf, "%s", mode);
    fake_mode = fake_mode_buf;
}

static int fake_available(int *count, char *name, size_t len) {
    if (count) *count = 1;
    if (name && len) snprintf(name, len, "fake GPU (test hook, mode %s)", fake_current());
    return ZBP_OK;
}

static int fake_load(void **gpu, int device, const zbp_zkey_t *z, char *err, size_t errlen) {
    *gpu = NULL;
    if (!strcmp(fake_current(), "nomem"))
        return zbp_fail(err, errlen, ZBP_ERR_NOMEM,
                        "GPU %d: out of memory uploading the key (fake GPU)", device);
    *gpu = (void *)z;
    return ZBP_OK;
}

static int fake_prove(void *gpu, zbp_proof_t *out, const zbp_wtns_t *w,
                      const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err,
                      size_t errlen) {
    const zbp_zkey_t *z = gpu;
    const char *mode = fake_current();
    if (!strcmp(mode, "fail"))
        return zbp_fail(err, errlen, ZBP_ERR_IO,
                        "GPU: kernel MSM chunk tree: an illegal memory access was encountered "
                        "(fake GPU)");
    if (strcmp(mode, "wrong")) return zbp_groth16_prove(out, z, w, opts, prof, err, errlen);
    /* A faulty GPU's proof: right up to pi_a, which is negated; then the check that
     * zbp_groth16_finish makes on every GPU proof, with cuda/prove.cu's message. */
    int st = zbp_groth16_prove(out, z, w, opts, prof, err, errlen);
    if (st != ZBP_OK) return st;
    g1_affine_neg(&out->a, &out->a);
    int valid = 0;
    st = zbp_zkey_verify_proof(z, out, &valid, err, errlen);
    if (st == ZBP_OK && valid) return ZBP_OK;
    zbp_proof_free(out);
    return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                    "the GPU proof failed its pairing check (a GPU fault, or: the witness does "
                    "not satisfy the circuit) (fake GPU)");
}

static size_t fake_bytes(const void *gpu) {
    (void)gpu;
    return 1;
}

static void fake_unload(void *gpu) { (void)gpu; }

static const gpu_backend_t fake_backend = {fake_available, fake_load, fake_prove, fake_bytes,
                                           fake_unload};

static const gpu_backend_t *backend(void) {
    return fake_current() ? &fake_backend : &cuda_backend;
}
#else
static const gpu_backend_t *backend(void) { return &cuda_backend; }
#endif

/* ---- the circuit ---- */
struct zbp_circuit {
    const zbp_zkey_t *z;
    const gpu_backend_t *be;
    void *gpu;         /* NULL: proofs run on the CPU */
    int auto_mode;     /* "auto": a GPU failure means the CPU */
    char device[16];   /* where the next proof runs */
    char note[512];    /* said once, in the next proof's profile */
    pthread_mutex_t mu; /* GPU proofs one at a time; the switch to the CPU */
};

zbp_status zbp_device_check(const char *device, int *gpu, char *err, size_t errlen) {
    int d = -1;
    int st = zbp_device_parse_with(device, backend()->available, &d, err, errlen);
    if (gpu) *gpu = d;
    /* a GPU asked for by name that this build or machine does not have: the environment's failure */
    return st == ZBP_ERR_UNSUPPORTED ? ZBP_ERR_ENV : st;
}

const char *zbp_api_device(void) {
    const char *e = getenv("ZBP_DEVICE");
    return e && *e ? e : "cpu";
}

zbp_status zbp_circuit_open(zbp_circuit_t **out, const zbp_zkey_t *z, const char *device, char *err,
                     size_t errlen) {
    *out = NULL;
    if (err && errlen) err[0] = '\0';
    int gpu_index = -1;
    int st = zbp_device_check(device, &gpu_index, err, errlen);
    if (st != ZBP_OK) return st;
    zbp_circuit_t *c = calloc(1, sizeof *c);
    if (!c) return zbp_fail(err, errlen, ZBP_ERR_NOMEM, "out of memory");
    c->z = z;
    c->be = backend();
    c->auto_mode = device && !strcmp(device, "auto");
    snprintf(c->device, sizeof c->device, "cpu");
    pthread_mutex_init(&c->mu, NULL);
    if (gpu_index >= 0) {
        char why[512] = "";
        st = c->be->load(&c->gpu, gpu_index, z, why, sizeof why);
        if (st == ZBP_OK) {
            snprintf(c->device, sizeof c->device, "cuda:%d", gpu_index);
        } else if (c->auto_mode) {
            snprintf(c->note, sizeof c->note,
                     "--device auto: the key could not be loaded onto GPU %d (%s); proving on the "
                     "CPU", gpu_index, why);
        } else {
            zbp_circuit_free(c);
            return zbp_fail(err, errlen, st, "--device %s: %s", device, why);
        }
    }
    *out = c;
    return ZBP_OK;
}

const char *zbp_circuit_device(const zbp_circuit_t *c) { return c->device; }

size_t zbp_circuit_device_bytes(const zbp_circuit_t *c) {
    return c->gpu ? c->be->bytes(c->gpu) : 0;
}

void zbp_circuit_free(zbp_circuit_t *c) {
    if (!c) return;
    if (c->gpu) c->be->unload(c->gpu);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* The CPU proof, with the device and any pending note in the profile. */
static int prove_cpu(zbp_circuit_t *c, zbp_proof_t *out, const zbp_wtns_t *w,
                     const zbp_prove_opts_t *opts, zbp_profile_t *prof, const char *note,
                     char *err, size_t errlen) {
    int st = zbp_groth16_prove(out, c->z, w, opts, prof, err, errlen);
    snprintf(prof->device, sizeof prof->device, "cpu");
    if (note) snprintf(prof->device_note, sizeof prof->device_note, "%s", note);
    return st;
}

zbp_status zbp_circuit_prove(zbp_circuit_t *c, zbp_proof_t *out, const zbp_wtns_t *w,
                      const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err,
                      size_t errlen) {
    zbp_profile_t local;
    if (!prof) prof = &local;
    memset(prof, 0, sizeof *prof);
    zbp_prove_opts_t defaults;
    if (!opts) {
        zbp_prove_opts_init(&defaults);
        opts = &defaults;
    }
    char note[sizeof c->note] = "";
    pthread_mutex_lock(&c->mu);
    if (c->note[0]) { /* a note from open: said with this proof, once */
        snprintf(note, sizeof note, "%s", c->note);
        c->note[0] = '\0';
    }
    if (!c->gpu) {
        pthread_mutex_unlock(&c->mu);
        return prove_cpu(c, out, w, opts, prof, note[0] ? note : NULL, err, errlen);
    }
    /* A witness for another circuit is the caller's mistake on any device: no GPU work, no
     * fallback (the CPU prover says it). */
    if (w->n_witness != c->z->n_vars) {
        pthread_mutex_unlock(&c->mu);
        return prove_cpu(c, out, w, opts, prof, NULL, err, errlen);
    }
    /* Every GPU proof is pairing-checked (zbp_groth16_finish): a wrong one falls back under auto. */
    char gerr[768] = "";
    int st = c->be->prove(c->gpu, out, w, opts, prof, gerr, sizeof gerr);
    if (st == ZBP_OK) {
        snprintf(prof->device, sizeof prof->device, "%s", c->device);
        prof->device_note[0] = '\0';
        pthread_mutex_unlock(&c->mu);
        return ZBP_OK;
    }
    if (!c->auto_mode) {
        pthread_mutex_unlock(&c->mu);
        snprintf(prof->device, sizeof prof->device, "%s", c->device);
        return zbp_fail(err, errlen, st, "%s", gerr);
    }
    /* auto: the same witness on the CPU. If the CPU proves it, the GPU was at fault: it is
     * dropped (a GPU that made one wrong proof is not trusted with the next), and that is said
     * once. If the CPU refuses the witness too, the witness was at fault: the GPU stays, and the
     * CPU's message is the answer. */
    st = zbp_groth16_prove(out, c->z, w, opts, prof, err, errlen);
    snprintf(prof->device, sizeof prof->device, "cpu");
    if (st == ZBP_OK) {
        snprintf(prof->device_note, sizeof prof->device_note,
                 "--device auto: the proof on %s failed (%s); proved on the CPU, which proves "
                 "this circuit's next proofs too",
                 c->device, gerr);
        c->be->unload(c->gpu);
        c->gpu = NULL;
        snprintf(c->device, sizeof c->device, "cpu");
    }
    pthread_mutex_unlock(&c->mu);
    return st;
}
