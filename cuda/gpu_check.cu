/* gpu_check.cu: the standalone GPU check, one stage per call (cuda/check.sh runs each stage as its
 * own process under a timeout, cheapest first): the device and the build's architectures, a 2^10
 * smoke test, the kernels against the CPU (MSM edge cases, every NTT order and coset, whole
 * proofs), timings with the data resident on the device and the MSM's phases, and a small case
 * for compute-sanitizer. Needs neither GMP nor Criterion. Exit 0 when the stage passed. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cuda/internal.cuh"
#include "cuda/msm_core.h"
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
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            printf("FAIL: " __VA_ARGS__);                                                          \
            printf("\n");                                                                          \
            fflush(stdout);                                                                        \
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


/* Scalars of one kind: random, or edge values mixed in (zeros, ones, 2^256 - 1 and r, which are
 * taken mod r, r - 1), or witness-like (mostly 0, 1 and small values, some r - 1), or all equal
 * (every point in one bucket per window: the hottest bucket there is). */
enum { SC_RANDOM, SC_EDGE, SC_WITNESS, SC_ALL_ONE, SC_ALL_ZERO };
static const char *const sc_names[] = {"random", "edge", "witness-like", "all ones", "all zeros"};
static const uint64_t R_LIMBS[4] = {0x43e1f593f0000001ull, 0x2833e84879b97091ull,
                                    0xb85045b68181585dull, 0x30644e72e131a029ull};

static void fill_scalars(uint64_t (*s)[4], size_t n, int kind) {
    random_scalars(s, n);
    if (kind == SC_RANDOM) return;
    #pragma omp parallel for
    for (size_t i = 0; i < n; i++) {
        uint64_t *v = s[i];
        if (kind == SC_ALL_ONE || kind == SC_ALL_ZERO) {
            memset(v, 0, 32);
            v[0] = kind == SC_ALL_ONE;
            continue;
        }
        unsigned k = (unsigned)((i * 2654435761u) % 20);
        if (kind == SC_EDGE) {
            if (k == 0) memset(v, 0, 32);
            else if (k == 1) memset(v, 0, 32), v[0] = 1;
            else if (k == 2) memset(v, 0xff, 32);
            else if (k == 3) memcpy(v, R_LIMBS, 32);
            else if (k == 4) memcpy(v, R_LIMBS, 32), v[0] -= 1;
        } else {
            if (k < 12) memset(v, 0, 32), v[0] = 1;
            else if (k < 15) memset(v, 0, 32);
            else if (k < 17) memset(v, 0, 32), v[0] = 2 + i % 5;
            else if (k < 18) memcpy(v, R_LIMBS, 32), v[0] -= 1;
        }
    }
}

/* Edge points among random ones: the identity, duplicates, opposites. */
template <class A>
static void edge_points(A *p, size_t n, void (*set_inf)(A *), void (*neg)(A *, const A *)) {
    for (size_t i = 0; i + 8 < n; i += 97) {
        set_inf(&p[i]);
        p[i + 1] = p[i + 2];      /* a duplicate */
        neg(&p[i + 3], &p[i + 4]); /* an opposite */
        p[i + 5] = p[i + 4];      /* and a duplicate of it */
    }
}

static void g1_points(g1_affine_t *p, size_t n) {
    random_points<g1_jac_t, g1_affine_t, fq_t>(p, n, &G1_GENERATOR, g1_jac_from_affine, g1_mul_vartime,
                                                g1_jac_add_vartime, g1_jac_batch_to_affine_vartime);
}
static void g2_points(g2_affine_t *p, size_t n) {
    random_points<g2_jac_t, g2_affine_t, fq2_t>(p, n, &G2_GENERATOR, g2_jac_from_affine, g2_mul_vartime,
                                                 g2_jac_add_vartime, g2_jac_batch_to_affine_vartime);
}

/* msm g1|g2 LOG: every scalar kind with edge points, GPU (host arrays in) against the CPU. */
static void stage_msm(zbp_cuda_t *ctx, int g2, unsigned lg) {
    size_t n = (size_t)1 << lg;
    char err[512];
    uint64_t(*sc)[4] = (uint64_t(*)[4])malloc(n * 32);
    void *pts = malloc(n * (g2 ? sizeof(g2_affine_t) : sizeof(g1_affine_t)));
    if (g2) {
        g2_points((g2_affine_t *)pts, n);
        edge_points<g2_affine_t>((g2_affine_t *)pts, n, g2_affine_set_infinity, g2_affine_neg);
    } else {
        g1_points((g1_affine_t *)pts, n);
        edge_points<g1_affine_t>((g1_affine_t *)pts, n, g1_affine_set_infinity, g1_affine_neg);
    }
    for (int kind = SC_RANDOM; kind <= SC_ALL_ZERO; kind++) {
        fill_scalars(sc, n, kind);
        double t = now_ms(), cpu, gpu;
        int st, same;
        if (g2) {
            g2_jac_t want, got;
            msm_g2(&want, (const g2_affine_t *)pts, (const uint64_t(*)[4])sc, n, NULL);
            cpu = now_ms() - t;
            t = now_ms();
            st = zbp_cuda_msm_g2(ctx, &got, (const g2_affine_t *)pts, (const uint64_t(*)[4])sc, n, 0, err, sizeof err);
            gpu = now_ms() - t;
            same = st == ZBP_OK && g2_jac_equal(&want, &got);
        } else {
            g1_jac_t want, got;
            msm_g1(&want, (const g1_affine_t *)pts, (const uint64_t(*)[4])sc, n, NULL);
            cpu = now_ms() - t;
            t = now_ms();
            st = zbp_cuda_msm_g1(ctx, &got, (const g1_affine_t *)pts, (const uint64_t(*)[4])sc, n, 0, err, sizeof err);
            gpu = now_ms() - t;
            same = st == ZBP_OK && g1_jac_equal(&want, &got);
        }
        CHECK(st == ZBP_OK, "%s MSM 2^%u %s: %s", g2 ? "G2" : "G1", lg, sc_names[kind], err);
        if (st == ZBP_OK) CHECK(same, "%s MSM 2^%u %s scalars differs from the CPU", g2 ? "G2" : "G1", lg, sc_names[kind]);
        printf("%s MSM 2^%u %-12s %s (gpu %.1f ms with copies, cpu %.1f ms)\n", g2 ? "G2" : "G1", lg,
               sc_names[kind], same ? "ok" : "WRONG", gpu, cpu);
        fflush(stdout);
    }
    /* a small window on a large input: many points per bucket in every window */
    if (!g2 && lg >= 16) {
        fill_scalars(sc, n, SC_RANDOM);
        g1_jac_t want, got;
        msm_g1(&want, (const g1_affine_t *)pts, (const uint64_t(*)[4])sc, n, NULL);
        int st = zbp_cuda_msm_g1(ctx, &got, (const g1_affine_t *)pts, (const uint64_t(*)[4])sc, n, 6, err, sizeof err);
        CHECK(st == ZBP_OK && g1_jac_equal(&want, &got), "G1 MSM 2^%u window 6 differs: %s", lg, st ? err : "");
    }
    free(sc);
    free(pts);
}

/* ntt LOG: every order, direction and coset (snarkjs's shift) against ntt_transform. */
static void stage_ntt(zbp_cuda_t *ctx, ntt_ctx_t *nc, unsigned lg) {
    size_t n = (size_t)1 << lg;
    char err[512];
    fr_t *x = (fr_t *)malloc(n * 32), *want = (fr_t *)malloc(n * 32), *got = (fr_t *)malloc(n * 32);
    #pragma omp parallel for
    for (size_t i = 0; i < n; i++) fr_random(&x[i], os_rng, NULL);
    fr_t g;
    ntt_snarkjs_shift(&g, lg);
    static const char *const on[] = {"NN", "NR", "RN"};
    for (int order = 0; order < 3; order++)
        for (int inv = 0; inv < 2; inv++)
            for (int coset = 0; coset < 2; coset++) {
                memcpy(want, x, n * 32);
                memcpy(got, x, n * 32);
                fr_t *wp = want;
                ntt_transform(nc, &wp, 1, lg, inv ? NTT_INVERSE : NTT_FORWARD, (ntt_order_t)order, coset ? &g : NULL);
                int st = zbp_cuda_ntt(ctx, got, lg, inv ? NTT_INVERSE : NTT_FORWARD, (ntt_order_t)order,
                                      coset ? &g : NULL, err, sizeof err);
                CHECK(st == ZBP_OK, "NTT 2^%u: %s", lg, err);
                CHECK(!memcmp(want, got, n * 32), "NTT 2^%u %s %s%s differs from the CPU", lg, on[order],
                      inv ? "inverse" : "forward", coset ? " coset" : "");
            }
    printf("NTT 2^%u: 12 transforms (3 orders x 2 directions x plain/coset) checked\n", lg);
    fflush(stdout);
    free(x);
    free(want);
    free(got);
}

/* prove ZKEY WTNS: the same r and s on GPU and CPU give the same proof and public signals, and
 * both pass the pairing check; then a GPU proof with fresh r and s, checked again. */
static void stage_prove(zbp_cuda_t *ctx, const char *zkey, const char *wtns, int bench) {
    char err[1024];
    zbp_zkey_t z;
    zbp_wtns_t w;
    if (zbp_zkey_open(&z, zkey, err, sizeof err) != ZBP_OK) {
        CHECK(0, "prove: %s", err);
        return;
    }
    if (zbp_wtns_open(&w, wtns, err, sizeof err) != ZBP_OK) {
        CHECK(0, "prove: %s", err);
        zbp_zkey_close(&z);
        return;
    }
    zbp_cuda_circuit_t *c;
    double t = now_ms();
    int st = zbp_cuda_circuit_load(&c, ctx, &z, err, sizeof err);
    double load = now_ms() - t;
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
    zbp_profile_t prof, best;
    memset(&best, 0, sizeof best);
    double gpu = 1e30;
    for (int k = 0; k < (bench ? 4 : 1); k++) { /* bench: the first is a warm-up */
        t = now_ms();
        st = zbp_cuda_prove(&pg, c, &w, &o, &prof, err, sizeof err); /* pairing-checked */
        double ms = now_ms() - t;
        CHECK(st == ZBP_OK, "GPU proof of %s: %s", zkey, err);
        if (st != ZBP_OK) break;
        if ((k > 0 || !bench) && ms < gpu) gpu = ms, best = prof;
        if (k + 1 < (bench ? 4 : 1)) zbp_proof_free(&pg);
    }
    zbp_profile_t cprof;
    t = now_ms();
    int st2 = zbp_groth16_prove(&pc, &z, &w, &o, &cprof, err, sizeof err);
    double cpu = now_ms() - t;
    CHECK(st2 == ZBP_OK, "CPU proof: %s", err);
    if (st == ZBP_OK && st2 == ZBP_OK) {
        CHECK(g1_affine_equal(&pg.a, &pc.a) && g2_affine_equal(&pg.b, &pc.b) && g1_affine_equal(&pg.c, &pc.c),
              "GPU and CPU proofs differ for the same r and s");
        CHECK(pg.n_public == pc.n_public && !memcmp(pg.pub, pc.pub, pg.n_public * sizeof(fr_t)),
              "GPU and CPU public signals differ");
        int vg = 0, vc = 0;
        zbp_zkey_verify_proof(&z, &pg, &vg, err, sizeof err);
        zbp_zkey_verify_proof(&z, &pc, &vc, err, sizeof err);
        CHECK(vg && vc, "pairing check: GPU proof %s, CPU proof %s", vg ? "valid" : "INVALID", vc ? "valid" : "INVALID");
        zbp_proof_t pr;
        st = zbp_cuda_prove(&pr, c, &w, NULL, NULL, err, sizeof err); /* fresh r, s */
        CHECK(st == ZBP_OK, "GPU proof with fresh r, s: %s", err);
        if (st == ZBP_OK) zbp_proof_free(&pr);
    }
    if (st2 == ZBP_OK) zbp_proof_free(&pc);
    if (gpu < 1e30) {
        printf("prove 2^%u (%s, %u constraints): gpu %.2f ms, cpu %.2f ms (%d threads), key upload %.1f ms, "
               "key on the device %.1f MiB\n",
               z.log_domain, zkey, z.n_constraints, gpu, cpu, omp_get_max_threads(), load,
               (double)zbp_cuda_circuit_bytes(c) / 1048576.0);
        printf("  gpu phases ms: abc %.2f ntt %.2f h %.2f msm a %.2f b1 %.2f b2 %.2f c %.2f h %.2f "
               "finish %.2f verify %.2f\n",
               best.abc_ms, best.ntt_ms, best.h_ms, best.msm_a_ms, best.msm_b1_ms, best.msm_b2_ms,
               best.msm_c_ms, best.msm_h_ms, best.finish_ms, best.verify_ms);
        printf("  cpu phases ms: abc %.2f ntt %.2f h %.2f msm a %.2f b1 %.2f b2 %.2f c %.2f h %.2f "
               "finish %.2f verify %.2f\n",
               cprof.abc_ms, cprof.ntt_ms, cprof.h_ms, cprof.msm_a_ms, cprof.msm_b1_ms,
               cprof.msm_b2_ms, cprof.msm_c_ms, cprof.msm_h_ms, cprof.finish_ms, cprof.verify_ms);
        zbp_proof_free(&pg);
    }
    fflush(stdout);
    zbp_cuda_circuit_free(c);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
}

/* bench-msm g1|g2 LOG KIND: points and scalars uploaded once, one warm-up, then the best of five
 * with the data resident (cudaEvent timing of the whole device part and of each phase), and the
 * scratch held against the bound zc_msm_scratch_bytes promises. */
static void stage_bench_msm(zbp_cuda_t *ctx, int g2, unsigned lg, int kind) {
    size_t n = (size_t)1 << lg, psz = g2 ? sizeof(zc_g2_affine_t) : sizeof(zc_g1_affine_t);
    char err[512];
    uint64_t(*sc)[4] = (uint64_t(*)[4])malloc(n * 32);
    void *pts = malloc(n * psz);
    if (g2) g2_points((g2_affine_t *)pts, n);
    else g1_points((g1_affine_t *)pts, n);
    fill_scalars(sc, n, kind);
    void *dp = NULL, *ds = NULL;
    cudaError_t e = cudaMalloc(&dp, n * psz);
    if (e == cudaSuccess) e = cudaMalloc(&ds, n * 32);
    if (e == cudaSuccess) e = cudaMemcpy(dp, pts, n * psz, cudaMemcpyHostToDevice);
    if (e == cudaSuccess) e = cudaMemcpy(ds, sc, n * 32, cudaMemcpyHostToDevice);
    CHECK(e == cudaSuccess, "bench-msm upload: %s", cudaGetErrorString(e));
    for (int k = 0; k <= ZC_MSM_PHASES; k++) cudaEventCreate(&ctx->msm_ev[k]);
    ctx->msm_timing = 1;
    float best = 1e30f, phases[ZC_MSM_PHASES] = {0};
    double wall_best = 1e30;
    for (int r = 0; r < 6 && e == cudaSuccess; r++) {
        double t = now_ms();
        int st;
        if (g2) {
            g2_jac_t out;
            st = zc_msm_g2_device(ctx, &out, (const zc_g2_affine_t *)dp, (const uint64_t(*)[4])ds, n, 0, err, sizeof err);
        } else {
            g1_jac_t out;
            st = zc_msm_g1_device(ctx, &out, (const zc_g1_affine_t *)dp, (const uint64_t(*)[4])ds, n, 0, err, sizeof err);
        }
        double wall = now_ms() - t;
        CHECK(st == ZBP_OK, "bench-msm: %s", err);
        if (st != ZBP_OK) break;
        float tot = 0;
        for (int k = 0; k < ZC_MSM_PHASES; k++) tot += ctx->msm_phase_ms[k];
        if (r > 0 && tot < best) {
            best = tot;
            memcpy(phases, ctx->msm_phase_ms, sizeof phases);
        }
        if (r > 0 && wall < wall_best) wall_best = wall;
    }
    ctx->msm_timing = 0;
    for (int k = 0; k <= ZC_MSM_PHASES; k++) cudaEventDestroy(ctx->msm_ev[k]);
    unsigned c = zc_msm_pick_window(n);
    size_t held = 0;
    for (int k = 0; k < ZC_S_COUNT; k++) held += ctx->scratch_bytes[k];
    uint64_t bound = zc_msm_scratch_bytes(n, c, (unsigned)psz, g2 ? sizeof(zc_g2_xyzz_t) : sizeof(zc_g1_xyzz_t), 0);
    printf("bench %s MSM 2^%u %s (c = %u): %.3f ms on the device, %.3f ms wall (host combine included)\n",
           g2 ? "G2" : "G1", lg, sc_names[kind], c, best, wall_best);
    printf("  phases ms:");
    for (int k = 0; k < ZC_MSM_PHASES; k++) printf(" %s %.3f", zc_msm_phase_names[k], phases[k]);
    printf("\n  scratch held %.1f MiB, bound %.1f MiB; CUB asked %.1f MiB, allowance %.1f MiB\n",
           held / 1048576.0, bound / 1048576.0, ctx->cub_need_max / 1048576.0,
           zc_msm_cub_allowance(n, c) / 1048576.0);
    CHECK(ctx->cub_need_max <= zc_msm_cub_allowance(n, c), "CUB's scratch exceeds the allowance");
    fflush(stdout);
    cudaFree(dp);
    cudaFree(ds);
    free(sc);
    free(pts);
}

/* bench-ntt LOG: forward NR with the data resident, and the proof's pair (inverse NR, coset
 * forward RN), best of five. */
static void stage_bench_ntt(zbp_cuda_t *ctx, ntt_ctx_t *nc, unsigned lg) {
    size_t n = (size_t)1 << lg;
    char err[512];
    fr_t *x = (fr_t *)malloc(n * 32);
    #pragma omp parallel for
    for (size_t i = 0; i < n; i++) fr_random(&x[i], os_rng, NULL);
    zc_fr_t *d = NULL;
    cudaError_t e = cudaMalloc(&d, n * 32);
    if (e == cudaSuccess) e = cudaMemcpy(d, x, n * 32, cudaMemcpyHostToDevice);
    CHECK(e == cudaSuccess, "bench-ntt upload: %s", cudaGetErrorString(e));
    if (e != cudaSuccess) return;
    fr_t g;
    ntt_snarkjs_shift(&g, lg);
    cudaEvent_t e0, e1;
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
    CHECK(zc_ntt_device(ctx, d, lg, NTT_FORWARD, NTT_NR, NULL, err, sizeof err) == ZBP_OK, "%s", err);
    float best[2] = {1e30f, 1e30f};
    for (int r = 0; r < 5; r++)
        for (int k = 0; k < 2; k++) {
            cudaEventRecord(e0, ctx->stream);
            int st;
            if (k == 0) st = zc_ntt_device(ctx, d, lg, NTT_FORWARD, NTT_NR, NULL, err, sizeof err);
            else {
                st = zc_ntt_device(ctx, d, lg, NTT_INVERSE, NTT_NR, NULL, err, sizeof err);
                if (st == ZBP_OK) st = zc_ntt_device(ctx, d, lg, NTT_FORWARD, NTT_RN, &g, err, sizeof err);
            }
            cudaEventRecord(e1, ctx->stream);
            cudaEventSynchronize(e1);
            CHECK(st == ZBP_OK, "bench-ntt: %s", err);
            float ms;
            cudaEventElapsedTime(&ms, e0, e1);
            if (ms < best[k]) best[k] = ms;
        }
    double t = now_ms();
    fr_t *wp = x;
    ntt_transform(nc, &wp, 1, lg, NTT_FORWARD, NTT_NR, NULL);
    double cpu = now_ms() - t;
    printf("bench NTT 2^%u: forward NR %.3f ms on the device (cpu %.1f ms, %d threads); "
           "inverse NR + coset forward RN %.3f ms\n",
           lg, best[0], cpu, omp_get_max_threads(), best[1]);
    fflush(stdout);
    cudaFree(d);
    free(x);
}

static void stage_info(void) {
    int count = 0, drv = 0, rt = 0;
    char name[320];
    int st = zbp_cuda_available(&count, name, sizeof name);
    cudaDriverGetVersion(&drv);
    cudaRuntimeGetVersion(&rt);
    printf("build: architectures %s, CUDA runtime %d.%d, driver supports %d.%d\n", zc_cuda_archs(),
           rt / 1000, rt % 1000 / 10, drv / 1000, drv % 1000 / 10);
    CHECK(st == ZBP_OK, "no usable GPU: %s", name);
    for (int i = 0; i < count; i++) {
        cudaDeviceProp p;
        if (cudaGetDeviceProperties(&p, i) != cudaSuccess) continue;
        printf("GPU %d: %s, sm_%d%d, %d SMs, %.1f GiB, %d-bit bus, L2 %d MiB\n", i, p.name, p.major,
               p.minor, p.multiProcessorCount, p.totalGlobalMem / 1073741824.0, p.memoryBusWidth,
               p.l2CacheSize >> 20);
    }
    printf("CPU threads: %d\n", omp_get_max_threads());
}

/* smoke: G1 MSM and NTT of 2^10 against the CPU: the kernels start and give right answers. */
static void stage_smoke(zbp_cuda_t *ctx, ntt_ctx_t *nc) {
    size_t n = 1024;
    char err[512];
    g1_affine_t *p = (g1_affine_t *)malloc(n * sizeof *p);
    uint64_t(*sc)[4] = (uint64_t(*)[4])malloc(n * 32);
    g1_points(p, n);
    fill_scalars(sc, n, SC_EDGE);
    g1_jac_t want, got;
    msm_g1(&want, p, (const uint64_t(*)[4])sc, n, NULL);
    int st = zbp_cuda_msm_g1(ctx, &got, p, (const uint64_t(*)[4])sc, n, 0, err, sizeof err);
    CHECK(st == ZBP_OK, "G1 MSM 2^10: %s", err);
    CHECK(st != ZBP_OK || g1_jac_equal(&want, &got), "G1 MSM 2^10 differs from the CPU");
    fr_t *x = (fr_t *)malloc(n * 32), *y = (fr_t *)malloc(n * 32);
    for (size_t i = 0; i < n; i++) fr_random(&x[i], os_rng, NULL);
    memcpy(y, x, n * 32);
    fr_t *xp = x;
    ntt_transform(nc, &xp, 1, 10, NTT_FORWARD, NTT_NN, NULL);
    st = zbp_cuda_ntt(ctx, y, 10, NTT_FORWARD, NTT_NN, NULL, err, sizeof err);
    CHECK(st == ZBP_OK, "NTT 2^10: %s", err);
    CHECK(st != ZBP_OK || !memcmp(x, y, n * 32), "NTT 2^10 differs from the CPU");
    printf("smoke: G1 MSM 2^10 and NTT 2^10 run\n");
    free(p);
    free(sc);
    free(x);
    free(y);
}

static int usage(const char *me) {
    fprintf(stderr,
            "usage: %s info | smoke | msm g1|g2 LOG | ntt LOG | prove ZKEY WTNS |\n"
            "       bench-msm g1|g2 LOG random|witness|ones | bench-ntt LOG | bench-prove ZKEY WTNS\n",
            me);
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 2) return usage(argv[0]);
    const char *stage = argv[1];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(stage, "info")) {
        stage_info();
        return failures ? 1 : 0;
    }
    char err[512];
    zbp_cuda_t *ctx;
    if (zbp_cuda_open(&ctx, 0, err, sizeof err) != ZBP_OK) {
        fprintf(stderr, "zbp_gpu_check: %s\n", err);
        return 3;
    }
    ntt_ctx_t *nc;
    ntt_ctx_create(&nc, 0, (size_t)8 << 30);
    double t0 = now_ms();
    int g2 = argc > 2 && !strcmp(argv[2], "g2");
    if (!strcmp(stage, "smoke")) stage_smoke(ctx, nc);
    else if (!strcmp(stage, "msm") && argc == 4) stage_msm(ctx, g2, (unsigned)atoi(argv[3]));
    else if (!strcmp(stage, "ntt") && argc == 3) stage_ntt(ctx, nc, (unsigned)atoi(argv[2]));
    else if (!strcmp(stage, "prove") && argc == 4) stage_prove(ctx, argv[2], argv[3], 0);
    else if (!strcmp(stage, "bench-prove") && argc == 4) stage_prove(ctx, argv[2], argv[3], 1);
    else if (!strcmp(stage, "bench-ntt") && argc == 3) stage_bench_ntt(ctx, nc, (unsigned)atoi(argv[2]));
    else if (!strcmp(stage, "bench-msm") && argc == 5) {
        int kind = !strcmp(argv[4], "witness") ? SC_WITNESS : !strcmp(argv[4], "ones") ? SC_ALL_ONE : SC_RANDOM;
        stage_bench_msm(ctx, g2, (unsigned)atoi(argv[3]), kind);
    } else {
        ntt_ctx_free(nc);
        zbp_cuda_close(ctx);
        return usage(argv[0]);
    }
    ntt_ctx_free(nc);
    zbp_cuda_close(ctx);
    printf("%s %s: %s (%d failure%s, %.1f s)\n", argv[0], stage, failures ? "FAILED" : "PASSED",
           failures, failures == 1 ? "" : "s", (now_ms() - t0) / 1e3);
    return failures ? 1 : 0;
}
