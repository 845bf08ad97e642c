/* test_circuit.c: zbp_circuit_t, the prover's device choice (prover/circuit.c). On the CPU the
 * handle gives exactly zbp_groth16_prove's proofs; "auto" without a GPU proves on the CPU; "cuda"
 * without one is refused with a clear message; and, through the test builds' fake GPU
 * (ZBP_TEST_HOOKS), "auto" falls back to the CPU on every kind of GPU failure (a key that does not
 * fit, a CUDA error, a proof that fails its pairing check, even when the caller skips the check),
 * says so once, and keeps the GPU when the witness, not the GPU, was wrong. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prover.h> /* include/: rapidsnark's C interface */
#include <zbprover.h>

#include "cuda/cuda.h"
#include "prover/prover.h"
#include "testutil.h"

typedef struct {
    zbp_zkey_t z;
    zbp_wtns_t w, bad;
    void *zbuf, *wbuf, *badbuf;
} fx_t;

static void fx_open(fx_t *f) {
    size_t zl, wl;
    char err[512];
    f->zbuf = test_fixture("poseidon", "circuit.zkey", &zl);
    f->wbuf = test_fixture("poseidon", "witness.wtns", &wl);
    cr_assert_eq(zbp_zkey_from_memory(&f->z, f->zbuf, zl, "circuit.zkey", err, sizeof err), ZBP_OK,
                 "%s", err);
    cr_assert_eq(zbp_wtns_from_memory(&f->w, f->wbuf, wl, "witness.wtns", err, sizeof err), ZBP_OK,
                 "%s", err);
    /* a witness that does not satisfy the circuit: its last value changed (still below r) */
    f->badbuf = malloc(wl);
    cr_assert(f->badbuf);
    memcpy(f->badbuf, f->wbuf, wl);
    ((uint8_t *)f->badbuf)[wl - 32] ^= 1;
    cr_assert_eq(zbp_wtns_from_memory(&f->bad, f->badbuf, wl, "bad.wtns", err, sizeof err), ZBP_OK,
                 "%s", err);
}

static void fx_close(fx_t *f) {
    zbp_wtns_close(&f->bad);
    zbp_wtns_close(&f->w);
    zbp_zkey_close(&f->z);
    free(f->badbuf);
    free(f->wbuf);
    free(f->zbuf);
}

static zbp_prove_opts_t fixed_opts(void) {
    zbp_prove_opts_t o;
    zbp_prove_opts_init(&o);
    o.fixed_rs = 1;
    o.r[0] = 0x1234567;
    o.s[0] = 0x89abcdef;
    o.s[3] = 0x0123456789abcdefull;
    return o;
}

static int same_proof(const zbp_proof_t *a, const zbp_proof_t *b) {
    return g1_affine_equal(&a->a, &b->a) && g2_affine_equal(&a->b, &b->b) &&
           g1_affine_equal(&a->c, &b->c) && a->n_public == b->n_public &&
           !memcmp(a->pub, b->pub, a->n_public * sizeof *a->pub);
}

/* The reference: the CPU prover itself, with the same r and s. */
static void reference(fx_t *f, zbp_proof_t *want) {
    zbp_prove_opts_t o = fixed_opts();
    char err[512];
    cr_assert_eq(zbp_groth16_prove(want, &f->z, &f->w, &o, NULL, err, sizeof err), ZBP_OK, "%s", err);
}

/* One proof through the handle: its status, and (when it proved) whether it equals want. */
static int prove_once(zbp_circuit_t *c, fx_t *f, const zbp_wtns_t *w, const zbp_proof_t *want,
                      zbp_profile_t *prof, char *err, size_t errlen) {
    zbp_prove_opts_t o = fixed_opts();
    zbp_proof_t p;
    int st = zbp_circuit_prove(c, &p, w, &o, prof, err, errlen);
    if (st == ZBP_OK) {
        cr_assert(same_proof(&p, want), "the handle's proof differs from zbp_groth16_prove's");
        int valid = 0;
        cr_assert_eq(zbp_zkey_verify_proof(&f->z, &p, &valid, err, errlen), ZBP_OK);
        cr_assert(valid);
        zbp_proof_free(&p);
    }
    (void)f;
    return st;
}

static void no_fake(void) { zbp_circuit_test_fake_gpu(NULL); }

Test(circuit, cpu_handle_gives_the_cpu_provers_proofs, .fini = no_fake) {
    fx_t f;
    fx_open(&f);
    zbp_proof_t want;
    reference(&f, &want);
    const char *specs[] = {NULL, "cpu"};
    for (int i = 0; i < 2; i++) {
        zbp_circuit_t *c;
        char err[512];
        cr_assert_eq(zbp_circuit_open(&c, &f.z, specs[i], err, sizeof err), ZBP_OK, "%s", err);
        cr_assert_str_eq(zbp_circuit_device(c), "cpu");
        cr_assert_eq(zbp_circuit_device_bytes(c), 0);
        for (int k = 0; k < 2; k++) { /* many proofs from one handle */
            zbp_profile_t prof;
            cr_assert_eq(prove_once(c, &f, &f.w, &want, &prof, err, sizeof err), ZBP_OK, "%s", err);
            cr_assert_str_eq(prof.device, "cpu");
            cr_assert_str_eq(prof.device_note, "");
            cr_assert_eq(prof.domain_size, f.z.domain_size);
        }
        /* a witness that satisfies nothing: the CPU prover's refusal */
        zbp_profile_t prof;
        cr_assert_eq(prove_once(c, &f, &f.bad, &want, &prof, err, sizeof err), ZBP_ERR_INPUT);
        zbp_circuit_free(c);
    }
    zbp_proof_free(&want);
    fx_close(&f);
}

Test(circuit, auto_without_a_gpu_proves_on_the_cpu_and_cuda_is_refused) {
    int count = 0;
    if (zbp_cuda_available(&count, NULL, 0) == ZBP_OK && count > 0)
        cr_skip_test("a GPU is usable here: cuda/check.sh covers the real device");
    zbp_circuit_test_fake_gpu(NULL);
    fx_t f;
    fx_open(&f);
    zbp_proof_t want;
    reference(&f, &want);
    zbp_circuit_t *c;
    char err[512];
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "auto", err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_str_eq(zbp_circuit_device(c), "cpu");
    zbp_profile_t prof;
    cr_assert_eq(prove_once(c, &f, &f.w, &want, &prof, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_str_eq(prof.device, "cpu");
    cr_assert_str_eq(prof.device_note, "", "auto without a GPU is quiet: %s", prof.device_note);
    zbp_circuit_free(c);
    const char *asked[] = {"cuda", "cuda:1"};
    for (int i = 0; i < 2; i++) {
        c = (zbp_circuit_t *)&f; /* must be cleared */
        cr_assert_eq(zbp_circuit_open(&c, &f.z, asked[i], err, sizeof err), ZBP_ERR_ENV);
        cr_assert_null(c);
        cr_assert(strstr(err, "no usable GPU") && strstr(err, asked[i]), "unclear: %s", err);
        if (!zbp_cuda_compiled())
            cr_assert(strstr(err, "this build has no CUDA backend"), "unclear: %s", err);
    }
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "gpu", err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "auto, cpu or cuda[:N]"), "%s", err);
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "cuda:x", err, sizeof err), ZBP_ERR_INPUT);
    zbp_proof_free(&want);
    fx_close(&f);
}

Test(circuit, a_working_gpu_proves_and_stays, .fini = no_fake) {
    zbp_circuit_test_fake_gpu("ok");
    fx_t f;
    fx_open(&f);
    zbp_proof_t want;
    reference(&f, &want);
    const char *specs[] = {"auto", "cuda", "cuda:0"};
    for (int i = 0; i < 3; i++) {
        zbp_circuit_t *c;
        char err[512];
        cr_assert_eq(zbp_circuit_open(&c, &f.z, specs[i], err, sizeof err), ZBP_OK, "%s", err);
        cr_assert_str_eq(zbp_circuit_device(c), "cuda:0");
        cr_assert_gt(zbp_circuit_device_bytes(c), 0);
        for (int k = 0; k < 2; k++) {
            zbp_profile_t prof;
            cr_assert_eq(prove_once(c, &f, &f.w, &want, &prof, err, sizeof err), ZBP_OK, "%s", err);
            cr_assert_str_eq(prof.device, "cuda:0");
            cr_assert_str_eq(prof.device_note, "");
        }
        zbp_circuit_free(c);
    }
    /* cuda:1 on a machine with one GPU */
    zbp_circuit_t *c;
    char err[512];
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "cuda:1", err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "1 usable GPU"), "%s", err);
    zbp_proof_free(&want);
    fx_close(&f);
}

/* auto after a GPU fault: this proof is the CPU's (and right), the note says why once, and the
 * circuit proves on the CPU from then on. */
static void falls_back(const char *mode, const char *why) {
    zbp_circuit_test_fake_gpu(mode);
    fx_t f;
    fx_open(&f);
    zbp_proof_t want;
    reference(&f, &want);
    zbp_circuit_t *c;
    char err[512];
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "auto", err, sizeof err), ZBP_OK, "%s", err);
    zbp_profile_t prof;
    cr_assert_eq(prove_once(c, &f, &f.w, &want, &prof, err, sizeof err), ZBP_OK,
                 "%s: %s", mode, err);
    cr_assert_str_eq(prof.device, "cpu");
    cr_assert(strstr(prof.device_note, "--device auto") && strstr(prof.device_note, why) &&
                  strstr(prof.device_note, "CPU"),
              "%s: the fallback is not said: '%s'", mode, prof.device_note);
    cr_assert_str_eq(zbp_circuit_device(c), "cpu");
    cr_assert_eq(zbp_circuit_device_bytes(c), 0);
    cr_assert_eq(prove_once(c, &f, &f.w, &want, &prof, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_str_eq(prof.device, "cpu");
    cr_assert_str_eq(prof.device_note, "", "said twice: %s", prof.device_note);
    zbp_circuit_free(c);
    zbp_proof_free(&want);
    fx_close(&f);
}

Test(circuit, auto_falls_back_on_a_key_the_gpu_cannot_hold, .fini = no_fake) {
    falls_back("nomem", "could not be loaded onto GPU 0");
}
Test(circuit, auto_falls_back_on_a_cuda_error, .fini = no_fake) {
    falls_back("fail", "illegal memory access");
}
Test(circuit, auto_falls_back_on_a_wrong_gpu_proof, .fini = no_fake) {
    falls_back("wrong", "pairing check");
}

Test(circuit, cuda_reports_gpu_failures_without_falling_back, .fini = no_fake) {
    fx_t f;
    fx_open(&f);
    zbp_proof_t want;
    reference(&f, &want);
    zbp_circuit_t *c;
    char err[512];
    zbp_circuit_test_fake_gpu("nomem");
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "cuda", err, sizeof err), ZBP_ERR_NOMEM);
    cr_assert(strstr(err, "--device cuda") && strstr(err, "out of memory"), "%s", err);
    zbp_circuit_test_fake_gpu("fail");
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "cuda", err, sizeof err), ZBP_OK, "%s", err);
    zbp_profile_t prof;
    cr_assert_eq(prove_once(c, &f, &f.w, &want, &prof, err, sizeof err), ZBP_ERR_IO);
    cr_assert(strstr(err, "illegal memory access"), "%s", err);
    cr_assert_str_eq(prof.device_note, "");
    cr_assert_str_eq(zbp_circuit_device(c), "cuda:0"); /* still the GPU: cuda means the GPU */
    zbp_circuit_free(c);
    zbp_circuit_test_fake_gpu("wrong");
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "cuda:0", err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(prove_once(c, &f, &f.w, &want, &prof, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "pairing check"), "%s", err);
    zbp_circuit_free(c);
    zbp_proof_free(&want);
    fx_close(&f);
}

/* A witness that satisfies nothing fails the GPU's pairing check too; the CPU refuses it as well,
 * so the fault is the witness's: the CPU's message, and the GPU stays for the next proof. */
Test(circuit, a_bad_witness_under_auto_keeps_the_gpu, .fini = no_fake) {
    zbp_circuit_test_fake_gpu("wrong");
    fx_t f;
    fx_open(&f);
    zbp_circuit_t *c;
    char err[512];
    cr_assert_eq(zbp_circuit_open(&c, &f.z, "auto", err, sizeof err), ZBP_OK, "%s", err);
    zbp_proof_t p;
    zbp_profile_t prof;
    zbp_prove_opts_t o = fixed_opts();
    cr_assert_eq(zbp_circuit_prove(c, &p, &f.bad, &o, &prof, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(!strstr(err, "GPU"), "not the CPU's message: %s", err);
    cr_assert_str_eq(prof.device_note, "");
    cr_assert_str_eq(zbp_circuit_device(c), "cuda:0");
    /* a witness for another circuit never reaches the GPU */
    zbp_wtns_t other = f.w;
    other.n_witness = f.w.n_witness - 1;
    cr_assert_eq(zbp_circuit_prove(c, &p, &other, &o, &prof, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "another circuit"), "%s", err);
    cr_assert_str_eq(zbp_circuit_device(c), "cuda:0");
    zbp_circuit_free(c);
    fx_close(&f);
}

/* The C APIs prove on $ZBP_DEVICE: the CPU when unset, a GPU only when asked. */
Test(circuit, c_apis_take_the_device_from_zbp_device, .fini = no_fake) {
    size_t zl, wl;
    void *zb = test_fixture("poseidon", "circuit.zkey", &zl);
    void *wb = test_fixture("poseidon", "witness.wtns", &wl);
    char proof[4096], pub[4096], msg[512];
    unsigned long long plen, ulen;
    void *obj = NULL;
    unsetenv("ZBP_DEVICE");
    cr_assert_str_eq(zbp_api_device(), "cpu");
    zbp_circuit_test_fake_gpu(NULL);
    const char *absent = zbp_cuda_available(NULL, NULL, 0) == ZBP_OK ? NULL : "cuda";
    if (absent) { /* no GPU: create refuses, saying why */
        setenv("ZBP_DEVICE", "cuda", 1);
        cr_assert_eq(groth16_prover_create(&obj, zb, zl, msg, sizeof msg), PROVER_ERROR);
        cr_assert(strstr(msg, "ZBP_DEVICE=cuda") && strstr(msg, "no usable GPU"), "%s", msg);
        size_t pl = sizeof proof, ul = sizeof pub;
        cr_assert_eq(zbprover_prove(zb, zl, wb, wl, proof, &pl, pub, &ul, NULL, msg, sizeof msg),
                     ZBPROVER_ERR_INTERNAL);
        cr_assert(strstr(msg, "ZBP_DEVICE=cuda"), "%s", msg);
    }
    setenv("ZBP_DEVICE", "tpu", 1);
    cr_assert_eq(groth16_prover_create(&obj, zb, zl, msg, sizeof msg), PROVER_ERROR);
    cr_assert(strstr(msg, "ZBP_DEVICE=tpu"), "%s", msg);
    /* on the fake GPU, asked for: the object keeps its circuit and proves twice */
    zbp_circuit_test_fake_gpu("ok");
    setenv("ZBP_DEVICE", "cuda", 1);
    cr_assert_eq(groth16_prover_create(&obj, zb, zl, msg, sizeof msg), PROVER_OK, "%s", msg);
    for (int k = 0; k < 2; k++) {
        plen = sizeof proof;
        ulen = sizeof pub;
        cr_assert_eq(groth16_prover_prove(obj, wb, wl, proof, &plen, pub, &ulen, msg, sizeof msg),
                     PROVER_OK, "%s", msg);
    }
    groth16_prover_destroy(obj);
    size_t pl = sizeof proof, ul = sizeof pub;
    cr_assert_eq(zbprover_prove(zb, zl, wb, wl, proof, &pl, pub, &ul, NULL, msg, sizeof msg),
                 ZBPROVER_OK, "%s", msg);
    cr_assert(test_proof_verifies("poseidon", proof, pl, pub, ul));
    unsetenv("ZBP_DEVICE");
    free(zb);
    free(wb);
}
