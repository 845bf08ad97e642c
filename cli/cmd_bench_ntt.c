/* cmd_bench_ntt.c: `zbprover bench ntt --log-size K [--threads N] [--samples S] [--json]`: times
 * the transforms of one size and reports each against its compute floor and its memory floor. */
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/kernels.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "field/field.h"
#include "ntt/ntt.h"

#define FIELD_N 1024 /* independent operations per timing round: three 32 KiB arrays in L1/L2 */

static volatile uint64_t sink;

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The floors take the best of their samples: a floor is the cost with nothing in the way, and on
 * a shared machine any slower sample measured a neighbour too. */
static double best(const double *v, int n) {
    double m = v[0];
    for (int i = 1; i < n; i++) m = v[i] < m ? v[i] : m;
    return m;
}

/* Random elements below r, used directly as Montgomery forms. */
static void fill_random(fr_t *x, size_t n, uint64_t seed) {
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 4; j++) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            x[i].l[j] = seed;
        }
        x[i].l[3] &= (1ull << 61) - 1; /* < 2^253 < r */
    }
}

/* Throughput of the scalar fr_mul and fr_add on one thread, ns per operation: the best of
 * several rounds of FIELD_N independent operations repeated for at least ~20 ms. */
static void field_costs(double *mul_ns, double *add_ns) {
    /* Three arrays staggered inside one buffer: arrays exactly 32 KiB apart would alias in the
     * 4 KiB store-forwarding check and make every load wait on an unrelated store. */
    static fr_t buf[3 * FIELD_N + 16];
    fr_t *a = buf, *b = buf + FIELD_N + 5, *r = buf + 2 * FIELD_N + 11;
    fill_random(a, FIELD_N, 0x9e3779b97f4a7c15ull);
    fill_random(b, FIELD_N, 0x2545f4914f6cdd1dull);
    double m[5], s[5];
    for (int k = 0; k < 5; k++) {
        uint64_t reps = 0, t0 = zbp_bench_now_ns(), t;
        do {
            for (int i = 0; i < FIELD_N; i++) fr_mul(&r[i], &a[i], &b[i]);
            reps++;
            sink ^= r[reps % FIELD_N].l[0];
        } while ((t = zbp_bench_now_ns()) - t0 < 20000000ull);
        m[k] = (double)(t - t0) / ((double)reps * FIELD_N);
        reps = 0;
        t0 = zbp_bench_now_ns();
        do {
            for (int i = 0; i < FIELD_N; i++) fr_add(&r[i], &a[i], &b[i]);
            reps++;
            sink ^= r[reps % FIELD_N].l[0];
        } while ((t = zbp_bench_now_ns()) - t0 < 20000000ull);
        s[k] = (double)(t - t0) / ((double)reps * FIELD_N);
    }
    *mul_ns = best(m, 5);
    *add_ns = best(s, 5);
}

/* Throughput of the batch forms on the current batch path (the vector path where the CPU has one),
 * ns per element: the stricter reference for transforms whose butterflies run on that path. */
static void batch_costs(double *mul_ns, double *add_ns) {
    static fr_t buf[3 * FIELD_N + 16];
    fr_t *a = buf, *b = buf + FIELD_N + 5, *r = buf + 2 * FIELD_N + 11;
    fill_random(a, FIELD_N, 0x9e3779b97f4a7c15ull);
    fill_random(b, FIELD_N, 0x2545f4914f6cdd1dull);
    double m[5], s[5];
    for (int k = 0; k < 5; k++) {
        uint64_t reps = 0, t0 = zbp_bench_now_ns(), t;
        do {
            fr_mul_batch(r, a, b, FIELD_N);
            reps++;
        } while ((t = zbp_bench_now_ns()) - t0 < 20000000ull);
        m[k] = (double)(t - t0) / ((double)reps * FIELD_N);
        reps = 0;
        t0 = zbp_bench_now_ns();
        do {
            fr_add_batch(r, a, b, FIELD_N);
            reps++;
        } while ((t = zbp_bench_now_ns()) - t0 < 20000000ull);
        s[k] = (double)(t - t0) / ((double)reps * FIELD_N);
    }
    sink ^= r[0].l[0];
    *mul_ns = best(m, 5);
    *add_ns = best(s, 5);
}

/* Streaming bandwidth with the transform's threads: one pass that reads and rewrites every word of
 * the array (as any in-place transform must at least once), in bytes per ns = GB/s. */
static double stream_bandwidth(fr_t *x, size_t n, int threads, int samples) {
    double v[16];
    for (int k = 0; k < samples; k++) {
        uint64_t t0 = zbp_bench_now_ns();
#pragma omp parallel for num_threads(threads) schedule(static)
        for (size_t i = 0; i < n; i++) {
            x[i].l[0] ^= 1;
            x[i].l[1] ^= 1;
            x[i].l[2] ^= 1;
            x[i].l[3] ^= 1;
        }
        v[k] = (double)(zbp_bench_now_ns() - t0);
    }
    return 2.0 * (double)n * sizeof(fr_t) / best(v, samples);
}

typedef struct {
    const char *name;
    int transforms; /* transforms in one operation (coset_extend: an inverse and a forward) */
    int passes;     /* passes over memory: column, row, and the bit reversal for NN */
} op_t;

static const op_t ops[] = {
    {"forward_nn", 1, 3},
    {"forward_nr", 1, 2},
    {"inverse_nn", 1, 3},
    {"coset_extend", 2, 4},
};

static int run_op(ntt_ctx_t *ctx, int op, fr_t *x, unsigned k) {
    switch (op) {
    case 0: return ntt_forward(ctx, x, k, NTT_NN);
    case 1: return ntt_forward(ctx, x, k, NTT_NR);
    case 2: return ntt_inverse(ctx, x, k, NTT_NN);
    default: return ntt_coset_extend(ctx, &x, 1, k, NULL);
    }
}

enum { K_JSON = CLI_KEY0, K_LOG_SIZE, K_THREADS, K_SAMPLES };
static const cli_opt_t ntt_opts[] = {
    {"log-size", K_LOG_SIZE, "K", "transforms of 2^K elements (required)"},
    {"threads", K_THREADS, "N", "threads (1..1024; default: OpenMP's)"},
    {"samples", K_SAMPLES, "S", "samples per transform, the median reported (1..16)"},
    {"json", K_JSON, NULL, "one JSON object"},
    CLI_END,
};
static const cli_cmd_t ntt_cmd = {
    "bench ntt", "--log-size K [--threads N] [--samples S] [--json]",
    "Forward, NR, inverse and coset-extend transforms, against the memory-bandwidth floor.",
    {ntt_opts, NULL}, 0, 0};

typedef struct {
    int json;
    long long log_size, threads, samples;
} ntt_args_t;

static int on_ntt_opt(void *ctx, int key, const char *v) {
    ntt_args_t *a = ctx;
    switch (key) {
    case K_JSON: a->json = 1; return 0;
    case K_LOG_SIZE: return cli_int_opt("bench ntt", "log-size", v, 0, NTT_MAX_LOG, &a->log_size);
    case K_THREADS: return cli_int_opt("bench ntt", "threads", v, 1, 1024, &a->threads);
    case K_SAMPLES: return cli_int_opt("bench ntt", "samples", v, 1, 16, &a->samples);
    default: return EXIT_INTERNAL;
    }
}

int cmd_bench_ntt(int argc, char **argv) {
    ntt_args_t a = {0, -1, 0, 7};
    int argi = 0, perr = cli_parse(&ntt_cmd, argc, argv, on_ntt_opt, &a, &argi);
    if (perr) return cli_exit(perr);
    int json = a.json, threads = (int)a.threads, samples = (int)a.samples;
    long log_size = (long)a.log_size;
    if (log_size < 0) {
        cli_error("bench ntt: --log-size K is required (0..%d)", NTT_MAX_LOG);
        return EXIT_BAD_INPUT;
    }
    if (!threads) threads = omp_get_max_threads();
    unsigned k = (unsigned)log_size;
    size_t n = (size_t)1 << k;

    cli_progress_t *prog = cli_progress_start("zbprover bench ntt", 250);
    cli_progress_step(prog, "tables and data, 2^%u", k);
    ntt_ctx_t *ctx;
    size_t need = ntt_bytes_needed(k, threads);
    if (ntt_ctx_create(&ctx, threads, need + (need >> 3)) != ZBP_OK) {
        cli_progress_stop(prog);
        cli_error("bench ntt: cannot create a context");
        return EXIT_INTERNAL;
    }
    fr_t *x = aligned_alloc(64, (n * sizeof(fr_t) + 63) & ~(size_t)63); /* C11: a multiple */
    if (!x) {
        cli_progress_stop(prog);
        cli_error("bench ntt: out of memory for 2^%u elements", k);
        ntt_ctx_free(ctx);
        return EXIT_INTERNAL;
    }
    fill_random(x, n, 0x5eedull + k);
    if (ntt_prepare(ctx, k) != ZBP_OK) {
        cli_progress_stop(prog);
        cli_error("bench ntt: %s", ntt_ctx_message(ctx));
        free(x);
        ntt_ctx_free(ctx);
        return EXIT_INTERNAL;
    }

    double mul_ns, add_ns, bmul_ns, badd_ns;
    cli_progress_step(prog, "field costs and memory bandwidth");
    field_costs(&mul_ns, &add_ns);
    batch_costs(&bmul_ns, &badd_ns);
    /* (transforms up to 2^12 run on one thread, and so does their bandwidth reference) */
    int sth = k <= 12 ? 1 : threads;
    double gbs = stream_bandwidth(x, n, sth, 9);
    fill_random(x, n, 0x5eedull + k);
    /* (n/2)·log₂n butterflies, each one multiplication and two additions, shared by the threads */
    double floor_ms = (double)n / 2 * k * (mul_ns + 2 * add_ns) / threads / 1e6;
    double bfloor_ms = (double)n / 2 * k * (bmul_ns + 2 * badd_ns) / threads / 1e6;
    double pass_ms = 2.0 * (double)n * sizeof(fr_t) / gbs / 1e6; /* one read and one write */

    cli_progress_clear(); /* the header goes above the progress line */
    if (json)
        printf("{\"bench\": \"ntt\", \"log_size\": %u, \"threads\": %d, \"isa\": \"%s\", "
               "\"fr_mul_ns\": %.3f, \"fr_add_ns\": %.3f, \"batch_mul_ns\": %.3f, "
               "\"batch_add_ns\": %.3f, \"stream_gbs\": %.2f, \"floor_ms\": %.3f, "
               "\"batch_floor_ms\": %.3f, \"memory_pass_ms\": %.3f, \"results\": [",
               k, threads, zbp_isa_name(zbp_field_batch_isa()), mul_ns, add_ns, bmul_ns, badd_ns,
               gbs, floor_ms, bfloor_ms, pass_ms);
    else
        printf("ntt 2^%u, %d thread%s, batch path %s\n"
               "per operation, 1 thread: fr_mul %.2f ns, fr_add %.2f ns (scalar); "
               "fr_mul_batch %.2f ns, fr_add_batch %.2f ns; stream %.1f GB/s (%d thread%s)\n"
               "per transform: compute floor %.3f ms (scalar costs), %.3f ms (batch costs); "
               "memory floor %.3f ms (one read+write pass)\n"
               "%-13s %10s %10s %7s %10s %7s %10s %7s\n",
               k, threads, threads == 1 ? "" : "s", zbp_isa_name(zbp_field_batch_isa()), mul_ns,
               add_ns, bmul_ns, badd_ns, gbs, sth, sth == 1 ? "" : "s", floor_ms, bfloor_ms,
               pass_ms, "operation", "ms", "floor ms", "ratio", "batch ms", "ratio", "mem ms",
               "ratio");
    /* Rounds of every operation in turn, so that a noisy stretch of a shared machine spreads over
     * all of them; each operation's time is the median over the rounds. */
    enum { NOPS = sizeof ops / sizeof ops[0] };
    double t[NOPS][16];
    int status = 0;
    fflush(stdout);
    cli_progress_step(prog, "warm-up");
    for (int o = 0; o < NOPS && !status; o++) /* warm: tables, first touch, caches */
        if (run_op(ctx, o, x, k) != ZBP_OK) status = EXIT_INTERNAL;
    for (int s = 0; s < samples && !status; s++)
        for (int o = 0; o < NOPS && !status; o++) {
            cli_progress_step(prog, "round %d of %d: %s", s + 1, samples, ops[o].name);
            uint64_t t0 = zbp_bench_now_ns();
            if (run_op(ctx, o, x, k) != ZBP_OK) status = EXIT_INTERNAL;
            t[o][s] = (double)(zbp_bench_now_ns() - t0) / 1e6;
        }
    cli_progress_stop(prog);
    if (status) cli_error("bench ntt: %s", ntt_ctx_message(ctx));
    for (int o = 0; o < NOPS && !status; o++) {
        double ms = median(t[o], samples), f = floor_ms * ops[o].transforms;
        double bf = bfloor_ms * ops[o].transforms, mem = pass_ms * ops[o].transforms;
        if (json)
            printf("%s\n  {\"op\": \"%s\", \"ms\": %.3f, \"floor_ms\": %.3f, \"ratio\": %.3f, "
                   "\"batch_floor_ms\": %.3f, \"batch_ratio\": %.3f, \"memory_floor_ms\": %.3f, "
                   "\"memory_ratio\": %.3f, \"passes\": %d}",
                   o ? "," : "", ops[o].name, ms, f, ms / f, bf, ms / bf, mem, ms / mem,
                   ops[o].passes);
        else
            printf("%-13s %10.3f %10.3f %7.2f %10.3f %7.2f %10.3f %7.2f\n", ops[o].name, ms, f,
                   ms / f, bf, ms / bf, mem, ms / mem);
    }
    if (json) printf("\n]}\n");
    free(x);
    ntt_ctx_free(ctx);
    return status;
}
