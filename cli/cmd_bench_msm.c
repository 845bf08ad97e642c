/* cmd_bench_msm.c: `zbprover bench msm --curve g1|g2 --log-size K [--threads N]
 * [--scalars random|witness-like] [--repeat R] [--window C] [--no-glv] [--table-mib M] [--json]`:
 * times msm_g1/msm_g2 on random points and reports the work counted and the ratio to the floor. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/kernels.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "msm/msm.h"

/* xorshift64*: bench data only. */
static uint64_t bm_next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static void bm_scalar_full(uint64_t k[4], uint64_t *s) {
    for (;;) { /* uniform below r: 254 random bits, rejected when >= r */
        for (int i = 0; i < 4; i++) k[i] = bm_next(s);
        k[3] &= (1ull << 62) - 1;
        for (int i = 3; i >= 0; i--) {
            if (k[i] < FR_MODULUS[i]) return;
            if (k[i] > FR_MODULUS[i]) break;
        }
    }
}

/* The witness-like mix: the wire-weighted blend of three circom witnesses measured for this
 * benchmark (msm/README.md): SHA-256 of one 512-bit block (62 417 wires: 59.1% 0, 40.9% 1), a
 * chain of 64 Poseidon(2) (33 091 wires: ~100% full), a depth-20 Poseidon Merkle proof with a
 * 64-bit range check and a 32-bit comparison (11 039 wires: 3.0% 0, 1.9% 1, 0.2% small, 94.9%
 * full). Blend: 34.9% zero, 24.2% one, 0.1% small (< 2^32; 0.014% measured, rounded up so that
 * the path runs), 40.8% full. */
static void bm_scalar_witness(uint64_t k[4], uint64_t *s) {
    unsigned u = (unsigned)(bm_next(s) % 1000);
    memset(k, 0, 32);
    if (u < 349) return;
    if (u < 591) {
        k[0] = 1;
        return;
    }
    if (u < 592) {
        k[0] = bm_next(s) >> 32;
        return;
    }
    bm_scalar_full(k, s);
}

/* Random points cheaply: per block, a walk P_{i+1} = P_i + B_j over 64 random bases (one mixed
 * addition each), then one shared inversion per block back to affine. No file cache. */
#define BM_DEFINE_POINTS(G, F)                                                                     \
    static int G##_bm_points(G##_affine_t *out, size_t n, int threads, uint64_t seed) {           \
        G##_jac_t g, bj[64];                                                                       \
        G##_affine_t base[64];                                                                     \
        F scr0[64];                                                                                \
        uint64_t s = seed, k[4];                                                                   \
        G##_jac_from_affine(&g, &G##_GENERATOR_REF);                                               \
        for (int i = 0; i < 64; i++) {                                                             \
            bm_scalar_full(k, &s);                                                                 \
            G##_mul_vartime(&bj[i], &g, k);                                                        \
        }                                                                                          \
        G##_jac_batch_to_affine_vartime(base, bj, 64, scr0);                                               \
        const size_t blk = 4096, nblk = (n + blk - 1) / blk;                                       \
        int failed = 0;                                                                            \
        _Pragma("omp parallel num_threads(threads)") {                                             \
            G##_jac_t *j = malloc(blk * sizeof *j);                                                \
            F *scr = malloc(blk * sizeof *scr);                                                    \
            if (!j || !scr) failed = 1;                                                            \
            _Pragma("omp for schedule(dynamic, 1)") for (size_t b = 0; b < nblk; b++) {            \
                if (!j || !scr) continue;                                                          \
                uint64_t bs = seed ^ (0x9e3779b97f4a7c15ull * (b + 1)), kk[4];                     \
                size_t a = b * blk, m = n - a < blk ? n - a : blk;                                 \
                bm_scalar_full(kk, &bs);                                                           \
                G##_mul_vartime(&j[0], &g, kk);                                                    \
                for (size_t i = 1; i < m; i++)                                                     \
                    G##_jac_add_affine_vartime(&j[i], &j[i - 1], &base[bm_next(&bs) & 63]);                \
                G##_jac_batch_to_affine_vartime(out + a, j, m, scr);                                       \
            }                                                                                      \
            free(j);                                                                               \
            free(scr);                                                                             \
        }                                                                                          \
        return failed ? -1 : 0;                                                                    \
    }
#define g1_GENERATOR_REF G1_GENERATOR
#define g2_GENERATOR_REF G2_GENERATOR
BM_DEFINE_POINTS(g1, fq_t)
BM_DEFINE_POINTS(g2, fq2_t)

/* Throughput of one base-field multiplication (independent products over 1024-element arrays,
 * as `bench field`'s fq_mul throughput case), median of 5 samples of >= 50 ms. */
#define BM_MUL_RATE(NAME, F, MUL)                                                                  \
    static double NAME(void) {                                                                     \
        enum { M = 1024 };                                                                         \
        static F a[M], b[M];                                                                       \
        uint64_t s = 77;                                                                           \
        for (int i = 0; i < M; i++) {                                                              \
            uint64_t *pa = (uint64_t *)(void *)&a[i], *pb = (uint64_t *)(void *)&b[i];             \
            for (size_t l = 0; l < sizeof(F) / 8; l++) {                                           \
                pa[l] = bm_next(&s) >> 3;                                                          \
                pb[l] = bm_next(&s) >> 3;                                                          \
            }                                                                                      \
        }                                                                                          \
        double best[5];                                                                            \
        for (int smp = 0; smp < 5; smp++) {                                                        \
            uint64_t reps = 0, t0 = zbp_bench_now_ns(), t1;                                        \
            do {                                                                                   \
                for (int i = 0; i < M; i++) MUL(&a[i], &a[i], &b[i]);                              \
                reps++;                                                                            \
                t1 = zbp_bench_now_ns();                                                           \
            } while (t1 - t0 < 50000000ull);                                                       \
            best[smp] = (double)(t1 - t0) / ((double)reps * M);                                    \
        }                                                                                          \
        for (int i = 0; i < 5; i++)                                                                \
            for (int j = i + 1; j < 5; j++)                                                        \
                if (best[j] < best[i]) {                                                           \
                    double t = best[i];                                                            \
                    best[i] = best[j];                                                             \
                    best[j] = t;                                                                   \
                }                                                                                  \
        return best[2];                                                                            \
    }
BM_MUL_RATE(bm_fq_mul_ns, fq_t, fq_mul)
BM_MUL_RATE(bm_fq2_mul_ns, fq2_t, fq2_mul)

/* The model's minimum additions for n scalars of b bits: min over c of ceil((b+1)/c) (n + 2^c). */
static double bm_model_adds(double n, unsigned b) {
    if (n <= 0) return 0;
    double best = INFINITY;
    for (unsigned c = 1; c <= 24; c++) {
        double a = ceil((b + 1.0) / c) * (n + ldexp(1.0, (int)c));
        if (a < best) best = a;
    }
    return best;
}

static int cmp_dbl(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum {
    K_JSON = CLI_KEY0, K_NO_GLV, K_CURVE, K_LOG_SIZE, K_THREADS, K_REPEAT, K_WINDOW, K_TABLE_MIB,
    K_SCALARS,
};
static const cli_opt_t msm_opts[] = {
    {"curve", K_CURVE, "g1|g2", "the group (default g1)"},
    {"log-size", K_LOG_SIZE, "K", "2^K points (0..26, default 16)"},
    {"threads", K_THREADS, "N", "threads (1..1024; default: OpenMP's)"},
    {"scalars", K_SCALARS, "KIND", "random or witness-like (many 0, 1 and small values)"},
    {"repeat", K_REPEAT, "R", "runs, the median reported (1..100, default 3)"},
    {"window", K_WINDOW, "C", "force the window width (default: the planner's)"},
    {"no-glv", K_NO_GLV, NULL, "without the GLV endomorphism"},
    {"table-mib", K_TABLE_MIB, "M", "the precomputed table's budget in MiB"},
    {"json", K_JSON, NULL, "one JSON object"},
    CLI_END,
};
static const cli_cmd_t msm_cmd = {
    "bench msm", "--curve g1|g2 --log-size K [options]",
    "Pippenger MSM: time, bucket additions and the ratio to the floor.", {msm_opts, NULL}, 0, 0};

typedef struct {
    int group, json, no_glv, witness;
    long long threads, repeat, logn, window;
    double table_mib;
} msm_args_t;

static int on_msm_opt(void *ctx, int key, const char *v) {
    msm_args_t *a = ctx;
    const char *cmd = "bench msm";
    switch (key) {
    case K_JSON: a->json = 1; return 0;
    case K_NO_GLV: a->no_glv = 1; return 0;
    case K_CURVE:
        if (strcmp(v, "g1") && strcmp(v, "g2")) {
            cli_error("%s: --curve must be g1 or g2", cmd);
            return EXIT_BAD_INPUT;
        }
        a->group = v[1] - '0';
        return 0;
    case K_SCALARS:
        if (strcmp(v, "random") && strcmp(v, "witness-like")) {
            cli_error("%s: --scalars must be random or witness-like", cmd);
            return EXIT_BAD_INPUT;
        }
        a->witness = !strcmp(v, "witness-like");
        return 0;
    case K_LOG_SIZE: return cli_int_opt(cmd, "log-size", v, 0, 26, &a->logn);
    case K_THREADS: return cli_int_opt(cmd, "threads", v, 1, 1024, &a->threads);
    case K_REPEAT: return cli_int_opt(cmd, "repeat", v, 1, 100, &a->repeat);
    case K_WINDOW: return cli_int_opt(cmd, "window", v, MSM_WINDOW_MIN, MSM_WINDOW_MAX, &a->window);
    case K_TABLE_MIB: {
        char *end;
        a->table_mib = strtod(v, &end);
        if (*end || !(a->table_mib > 0)) {
            cli_error("%s: --table-mib must be positive", cmd);
            return EXIT_BAD_INPUT;
        }
        return 0;
    }
    default: return EXIT_INTERNAL;
    }
}

int cmd_bench_msm(int argc, char **argv) {
    msm_args_t a = {.group = 1, .repeat = 3, .logn = 16};
    int argi = 0, perr = cli_parse(&msm_cmd, argc, argv, on_msm_opt, &a, &argi);
    if (perr) return cli_exit(perr);
    int group = a.group, json = a.json, threads = (int)a.threads, repeat = (int)a.repeat;
    int witness = a.witness, no_glv = a.no_glv;
    unsigned logn = (unsigned)a.logn, window = (unsigned)a.window;
    double table_mib = a.table_mib;
    if (!threads) threads = omp_get_max_threads();
    cli_progress_t *prog = cli_progress_start("zbprover bench msm", 250);
    cli_progress_step(prog, "random points and scalars, 2^%u", logn);
    const size_t n = (size_t)1 << logn;
    const size_t psize = group == 1 ? sizeof(g1_affine_t) : sizeof(g2_affine_t);
    void *pts = malloc(n * psize);
    uint64_t(*sc)[4] = malloc(n * sizeof *sc);
    if (!pts || !sc) {
        cli_progress_stop(prog);
        cli_error("bench msm: out of memory for 2^%u points", logn);
        free(pts);
        free(sc);
        return EXIT_INTERNAL;
    }
    uint64_t t0 = zbp_bench_now_ns();
    int prc = group == 1 ? g1_bm_points(pts, n, threads, 0x1234567ull)
                         : g2_bm_points(pts, n, threads, 0x1234567ull);
    uint64_t s = 0xabcdef12345ull;
    for (size_t i = 0; i < n; i++) {
        if (witness) bm_scalar_witness(sc[i], &s);
        else bm_scalar_full(sc[i], &s);
    }
    double gen_ms = (double)(zbp_bench_now_ns() - t0) / 1e6;
    msm_table_t *table = NULL;
    double table_ms = 0;
    if (prc == 0 && table_mib > 0) {
        cli_progress_step(prog, "fixed-base table");
        t0 = zbp_bench_now_ns();
        size_t budget = (size_t)(table_mib * 1048576.0);
        int rc = group == 1 ? msm_table_g1_build(&table, pts, n, budget, threads)
                            : msm_table_g2_build(&table, pts, n, budget, threads);
        if (rc != ZBP_OK) {
            cli_progress_stop(prog);
            cli_error("bench msm: table build failed (%d; a budget below one level of %zu bytes?)",
                      rc, n * psize);
            free(pts);
            free(sc);
            return cli_exit_status(rc);
        }
        table_ms = (double)(zbp_bench_now_ns() - t0) / 1e6;
    }
    cli_progress_step(prog, "field multiplication rate");
    double mul_ns = group == 1 ? bm_fq_mul_ns() : bm_fq2_mul_ns();

    msm_stats_t st;
    msm_opts_t o = {.threads = threads, .window = window, .no_glv = no_glv, .table = table,
                    .stats = &st};
    double *ms = malloc((size_t)(repeat + 1) * sizeof *ms);
    int rc = prc ? ZBP_ERR_NOMEM : ZBP_OK;
    for (int r = 0; r <= repeat && rc == ZBP_OK && ms; r++) { /* run 0 warms up */
        if (r) cli_progress_step(prog, "run %d of %d", r, repeat);
        else cli_progress_step(prog, "warm-up run");
        uint64_t a = zbp_bench_now_ns();
        if (group == 1) {
            g1_jac_t out;
            rc = msm_g1(&out, pts, (const uint64_t(*)[4])sc, n, &o);
        } else {
            g2_jac_t out;
            rc = msm_g2(&out, pts, (const uint64_t(*)[4])sc, n, &o);
        }
        ms[r] = (double)(zbp_bench_now_ns() - a) / 1e6;
    }
    cli_progress_stop(prog);
    if (rc != ZBP_OK || !ms) {
        cli_error("bench msm: msm failed (%d)", ms ? rc : ZBP_ERR_NOMEM);
        free(ms);
        free(pts);
        free(sc);
        msm_table_free(table);
        return EXIT_INTERNAL;
    }
    qsort(ms + 1, (size_t)repeat, sizeof *ms, cmp_dbl);
    double med = ms[1 + repeat / 2], lo = ms[1], hi = ms[repeat];

    /* Floor: the model's additions for this input's classes (zeros free, each +-1 one addition,
     * small and full scalars by min_c ceil((b+1)/c)(n_class + 2^c) with b = 32 and 254), at 6
     * multiplications of the base field per batch-affine addition, at the rate measured above,
     * over the threads. With random scalars this is min_c ceil(255/c)(n + 2^c) * 6 * t_mul / T. */
    double model = (double)st.n_one + bm_model_adds((double)st.n_small, 32) +
                   bm_model_adds((double)st.n_full, 254);
    double floor_ms = model * 6.0 * mul_ns / threads / 1e6;
    double counted = (double)st.additions + (double)st.reduction_adds;
    const char *cv = group == 1 ? "g1" : "g2";
    const char *sv = witness ? "witness-like" : "random";
    if (json) {
        printf("{\"bench\": \"msm\", \"curve\": \"%s\", \"log_size\": %u, \"n\": %zu, \"threads\": %d, "
               "\"scalars\": \"%s\", \"glv\": %d, \"window\": %u, \"windows\": %u, \"segments\": %u, "
               "\"small_window\": %u, \"table_levels\": %u, \"table_bytes\": %zu, \"table_ms\": %.1f, "
               "\"ms_median\": %.2f, \"ms_min\": %.2f, \"ms_max\": %.2f, \"repeat\": %d, "
               "\"n_zero\": %zu, \"n_one\": %zu, \"n_small\": %zu, \"n_full\": %zu, "
               "\"additions\": %llu, \"fills\": %llu, \"reduction_adds\": %llu, \"inversions\": %llu, "
               "\"collisions\": %llu, \"spills\": %llu, \"mul_ns\": %.3f, \"model_additions\": %.0f, "
               "\"floor_ms\": %.2f, \"floor_ratio\": %.3f, \"ns_per_addition\": %.2f}\n",
               cv, logn, n, threads, sv, st.glv, st.window, st.windows, st.segments, st.small_window,
               msm_table_levels(table), msm_table_bytes(table), table_ms, med, lo, hi, repeat,
               st.n_zero, st.n_one, st.n_small, st.n_full, (unsigned long long)st.additions,
               (unsigned long long)st.fills, (unsigned long long)st.reduction_adds,
               (unsigned long long)st.inversions, (unsigned long long)st.collisions,
               (unsigned long long)st.spills, mul_ns, model, floor_ms, med / floor_ms,
               counted > 0 ? med * 1e6 * threads / counted : 0.0);
    } else {
        printf("msm %s n = 2^%u, %d threads, %s scalars (setup %.0f ms%s)\n", cv, logn, threads, sv,
               gen_ms, table ? ", table" : "");
        printf("  plan        glv %d, window %u, windows %u, bucket ranges %u, small-pass window %u",
               st.glv, st.window, st.windows, st.segments, st.small_window);
        if (table)
            printf(", table %u levels %.1f MiB built in %.0f ms", msm_table_levels(table),
                   (double)msm_table_bytes(table) / 1048576.0, table_ms);
        printf("\n  scalars     %zu zero, %zu one, %zu small, %zu full\n", st.n_zero, st.n_one,
               st.n_small, st.n_full);
        printf("  time        %.2f ms (median of %d; min %.2f, max %.2f)\n", med, repeat, lo, hi);
        printf("  additions   %llu batch-affine (+ %llu bucket fills), %llu XYZZ in reductions, "
               "%llu inversions, %llu deferred, %llu spilled\n",
               (unsigned long long)st.additions, (unsigned long long)st.fills,
               (unsigned long long)st.reduction_adds, (unsigned long long)st.inversions,
               (unsigned long long)st.collisions, (unsigned long long)st.spills);
        printf("  field mul   %.2f ns (%s, throughput, measured in this run)\n", mul_ns,
               group == 1 ? "Fq" : "Fq2");
        printf("  floor       %.0f model additions x 6 x %.2f ns / %d threads = %.2f ms\n", model,
               mul_ns, threads, floor_ms);
        printf("  ratio       %.3f x floor   (%.1f ns per counted addition per thread)\n",
               med / floor_ms, counted > 0 ? med * 1e6 * threads / counted : 0.0);
    }
    free(ms);
    free(pts);
    free(sc);
    msm_table_free(table);
    return 0;
}
