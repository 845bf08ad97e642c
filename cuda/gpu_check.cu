/* gpu_check.cu: the standalone GPU check (cuda/check.sh runs it on a machine with a GPU): every
 * kernel against the CPU on fresh random inputs (G1 and G2 MSM, NTT in every order, a bundled
 * circuit's proof then its verification), then timings; needs neither GMP nor Criterion. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cuda/internal.cuh"
#include "msm/msm.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void os_rng(void *ctx, uint8_t *buf, size_t n) {
    (void)ctx;
    while (n) {
        ssize_t k = getrandom(buf, n, 0);
        if (k > 0) buf += k, n -= (size_t)k;
    }
}

static int failures = 0;
static char table[8192];
static size_t table_len = 0;
#define ROW(...) (table_len += (size_t)snprintf(table + table_len, sizeof table - table_len, __VA_ARGS__))
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            printf("FAIL: " __VA_ARGS__);                                                          \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

/* n random points: a few random multiples of the generator, then each the previous plus a fixed
 * random step (cheap on the CPU, and no two equal), batch-converted to affine. */
template <class J, class A, class F>
static void random_points(A *out, size_t n, const A *gen, void (*from_aff)(J *, const A *),
                          void (*mul)(J *, const J *, const uint64_t *), void (*add)(J *, const J *, const J *),
                          void (*batch)(A *, const J *, size_t, F *)) {
    #pragma omp parallel
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        size_t lo = n * t / nt, hi = n * (t + 1) / nt, len = hi - lo;
        J g, p, step;
        fr_t k1, k2;
        fr_random(&k1, os_rng, NULL);
        fr_random(&k2, os_rng, NULL);
        from_aff(&g, gen);
        mul(&p, &g, k1.l);
        mul(&step, &g, k2.l);
        J *tmp = (J *)malloc(len * sizeof(J) + 1);
        F *scratch = (F *)malloc(len * sizeof(F) + 1);
        for (size_t i = 0; i < len; i++) {
            tmp[i] = p;
            add(&p, &p, &step);
        }
        batch(out + lo, tmp, len, scratch);
        free(tmp);
        free(scratch);
    }
}

static void random_scalars(uint64_t (*s)[4], size_t n) {
    #pragma omp parallel for
    for (size_t i = 0; i < n; i++) {
        fr_t x;
        fr_random(&x, os_rng, NULL);
        memcpy(s[i], x.l, 32);
    }
}

static void check_msm(zbp_cuda_t *ctx, unsigned lg, int g2, int bench_only) {
    size_t n = (size_t)1 << lg;
    char err[512];
    uint64_t(*sc)[4] = (uint64_t(*)[4])malloc(n * 32);
    random_scalars(sc, n);
    double cpu = 0, gpu_best = 1e30;
    if (!g2) {
        g1_affine_t *p = (g1_affine_t *)malloc(n * sizeof *p);
        random_points<g1_jac_t, g1_affine_t, fq_t>(p, n, &G1_GENERATOR, g1_jac_from_affine, g1_mul_vartime,
                                                    g1_jac_add, g1_jac_batch_to_affine);
        g1_jac_t want, got;
        if (!bench_only) {
            double t = now_ms();
            msm_g1(&want, p, (const uint64_t(*)[4])sc, n, NULL);
            cpu = now_ms() - t;
        }
        for (int r = 0; r < 3; r++) {
            double t = now_ms();
            int st = zbp_cuda_msm_g1(ctx, &got, p, (const uint64_t(*)[4])sc, n, 0, err, sizeof err);
            double ms = now_ms() - t;
            CHECK(st == ZBP_OK, "G1 MSM 2^%u: %s", lg, err);
            if (ms < gpu_best) gpu_best = ms;
        }
        if (!bench_only) CHECK(g1_jac_equal(&want, &got), "G1 MSM 2^%u differs from the CPU", lg);
        free(p);
    } else {
        g2_affine_t *p = (g2_affine_t *)malloc(n * sizeof *p);
        random_points<g2_jac_t, g2_affine_t, fq2_t>(p, n, &G2_GENERATOR, g2_jac_from_affine, g2_mul_vartime,
                                                     g2_jac_add, g2_jac_batch_to_affine);
        g2_jac_t want, got;
        if (!bench_only) {
            double t = now_ms();
            msm_g2(&want, p, (const uint64_t(*)[4])sc, n, NULL);
            cpu = now_ms() - t;
        }
        for (int r = 0; r < 3; r++) {
            double t = now_ms();
            int st = zbp_cuda_msm_g2(ctx, &got, p, (const uint64_t(*)[4])sc, n, 0, err, sizeof err);
            double ms = now_ms() - t;
            CHECK(st == ZBP_OK, "G2 MSM 2^%u: %s", lg, err);
            if (ms < gpu_best) gpu_best = ms;
        }
        if (!bench_only) CHECK(g2_jac_equal(&want, &got), "G2 MSM 2^%u differs from the CPU", lg);
        free(p);
    }
    ROW("%-8s 2^%-3u %12.3f %12.3f   (GPU time includes the host-to-device copy)\n",
        g2 ? "msm_g2" : "msm_g1", lg, gpu_best, cpu);
    printf("checked %s MSM 2^%u\n", g2 ? "G2" : "G1", lg);
    fflush(stdout);
    free(sc);
}

static void check_ntt(zbp_cuda_t *ctx, ntt_ctx_t *nc, unsigned lg) {
    size_t n = (size_t)1 << lg;
    char err[512];
    fr_t *x = (fr_t *)malloc(n * 32), *want = (fr_t *)malloc(n * 32), *got = (fr_t *)malloc(n * 32);
    #pragma omp parallel for
    for (size_t i = 0; i < n; i++) fr_random(&x[i], os_rng, NULL);
    fr_t g;
    ntt_snarkjs_shift(&g, lg);
    for (int order = 0; order < 3; order++)
        for (int inv = 0; inv < 2; inv++)
            for (int coset = 0; coset < 2; coset++) {
                if (lg > 20 && (order != NTT_NN || coset)) continue; /* large sizes: one case each way */
                memcpy(want, x, n * 32);
                memcpy(got, x, n * 32);
                fr_t *wp = want;
                ntt_transform(nc, &wp, 1, lg, inv ? NTT_INVERSE : NTT_FORWARD, (ntt_order_t)order, coset ? &g : NULL);
                int st = zbp_cuda_ntt(ctx, got, lg, inv ? NTT_INVERSE : NTT_FORWARD, (ntt_order_t)order,
                                      coset ? &g : NULL, err, sizeof err);
                CHECK(st == ZBP_OK, "NTT 2^%u: %s", lg, err);
                CHECK(!memcmp(want, got, n * 32), "NTT 2^%u order %d inverse %d coset %d differs", lg,
                      order, inv, coset);
            }
    /* timing with the data resident on the device: the kernels alone */
    zc_fr_t *d;
    cudaMalloc(&d, n * 32);
    cudaMemcpy(d, x, n * 32, cudaMemcpyHostToDevice);
    cudaEvent_t e0, e1;
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
    zc_ntt_device(ctx, d, lg, NTT_FORWARD, NTT_NR, NULL, err, sizeof err); /* warm: twiddles */
    float best = 1e30f;
    for (int r = 0; r < 5; r++) {
        cudaEventRecord(e0, ctx->stream);
        zc_ntt_device(ctx, d, lg, NTT_FORWARD, NTT_NR, NULL, err, sizeof err);
        cudaEventRecord(e1, ctx->stream);
        cudaEventSynchronize(e1);
        float ms;
        cudaEventElapsedTime(&ms, e0, e1);
        if (ms < best) best = ms;
    }
    double t = now_ms();
    fr_t *wp = want;
    ntt_transform(nc, &wp, 1, lg, NTT_FORWARD, NTT_NR, NULL);
    double cpu = now_ms() - t;
    ROW("%-8s 2^%-3u %12.3f %12.3f   (forward NR, data on the device)\n", "ntt", lg, best, cpu);
    printf("checked NTT 2^%u\n", lg);
    fflush(stdout);
    cudaFree(d);
    free(x);
    free(want);
    free(got);
}

static void check_prove(zbp_cuda_t *ctx, const char *zkey, const char *wtns) {
    char err[1024];
    zbp_zkey_t z;
    zbp_wtns_t w;
    if (zbp_zkey_open(&z, zkey, err, sizeof err) != ZBP_OK || zbp_wtns_open(&w, wtns, err, sizeof err) != ZBP_OK) {
        CHECK(0, "prove: %s", err);
        return;
    }
    zbp_cuda_circuit_t *c;
    int st = zbp_cuda_circuit_load(&c, ctx, &z, err, sizeof err);
    CHECK(st == ZBP_OK, "circuit load: %s", err);
    if (st != ZBP_OK) return;
    zbp_prove_opts_t o;
    zbp_prove_opts_init(&o);
    o.fixed_rs = 1;
    fr_t r, s;
    fr_random(&r, os_rng, NULL);
    fr_random(&s, os_rng, NULL);
    memcpy(o.r, r.l, 32);
    memcpy(o.s, s.l, 32);
    zbp_proof_t pg, pc;
    zbp_profile_t prof;
    double t = now_ms();
    st = zbp_cuda_prove(&pg, c, &w, &o, &prof, err, sizeof err); /* verifies before release */
    double gpu = now_ms() - t;
    CHECK(st == ZBP_OK, "GPU proof of %s: %s", zkey, err);
    t = now_ms();
    int st2 = zbp_groth16_prove(&pc, &z, &w, &o, NULL, err, sizeof err);
    double cpu = now_ms() - t;
    CHECK(st2 == ZBP_OK, "CPU proof: %s", err);
    if (st == ZBP_OK && st2 == ZBP_OK)
        CHECK(g1_affine_equal(&pg.a, &pc.a) && g2_affine_equal(&pg.b, &pc.b) && g1_affine_equal(&pg.c, &pc.c),
              "GPU and CPU proofs differ for the same r and s");
    ROW("%-8s 2^%-3u %12.3f %12.3f   (%s; msm a %.2f b1 %.2f b2 %.2f c %.2f h %.2f, ntt %.2f)\n", "prove",
        z.log_domain, gpu, cpu, zkey, prof.msm_a_ms, prof.msm_b1_ms, prof.msm_b2_ms, prof.msm_c_ms,
        prof.msm_h_ms, prof.ntt_ms);
    printf("checked proof of %s\n", zkey);
    if (st == ZBP_OK) zbp_proof_free(&pg);
    if (st2 == ZBP_OK) zbp_proof_free(&pc);
    zbp_cuda_circuit_free(c);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
}

int main(int argc, char **argv) {
    /* usage: zbp_gpu_check <zkey> <wtns> [max_msm_log] [max_ntt_log] */
    if (argc < 3) {
        fprintf(stderr, "usage: %s <circuit.zkey> <witness.wtns> [max_msm_log 22] [max_ntt_log 24]\n", argv[0]);
        return 2;
    }
    unsigned max_msm = argc > 3 ? (unsigned)atoi(argv[3]) : 22, max_ntt = argc > 4 ? (unsigned)atoi(argv[4]) : 24;
    int count = 0;
    char name[256], err[512];
    if (zbp_cuda_available(&count, name, sizeof name) != ZBP_OK) {
        fprintf(stderr, "no usable GPU: %s\n", name);
        return 3;
    }
    zbp_cuda_t *ctx;
    if (zbp_cuda_open(&ctx, 0, err, sizeof err) != ZBP_OK) {
        fprintf(stderr, "%s\n", err);
        return 3;
    }
    printf("device: %s (%d found), CPU threads: %d\n", name, count, omp_get_max_threads());
    ntt_ctx_t *nc;
    ntt_ctx_create(&nc, 0, (size_t)8 << 30);
    check_prove(ctx, argv[1], argv[2]);
    for (unsigned lg = 10; lg <= max_ntt; lg += 2) check_ntt(ctx, nc, lg);
    for (unsigned lg = 10; lg <= max_msm; lg += 4) check_msm(ctx, lg, 0, 0);
    for (unsigned lg = 10; lg <= max_msm && lg <= 20; lg += 5) check_msm(ctx, lg, 1, 0);
    if (max_msm >= 24) check_msm(ctx, 24, 0, 1);
    ntt_ctx_free(nc);
    zbp_cuda_close(ctx);
    printf("\n%-8s %-5s %12s %12s\n%s", "kernel", "size", "gpu_ms", "cpu_ms", table);
    printf("%s: %d failure%s\n", failures ? "FAILED" : "PASSED", failures, failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
