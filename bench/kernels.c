/* kernels.c: the field benchmark cases (dependent chains for latency, independent arrays for
 * throughput) and the timing helpers behind `zbprover bench` and the Google Benchmark shim. */
#include "bench/kernels.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "field/field.h"

#define N_BATCH 1024 /* elements per batch: 4 arrays of 32 KiB stay in L2 */

/* The six arrays live in one buffer at staggered offsets: arrays exactly 32 KiB apart would make
 * loads alias stores modulo 4 KiB and slow the memory-bound cases (add, sub) by 2x for nothing. */
static union { fq_t q[6 * N_BATCH + 64]; fr_t r[6 * N_BATCH + 64]; } pool;
#define qa (pool.q)
#define qb (pool.q + N_BATCH + 5)
#define qr (pool.q + 2 * N_BATCH + 11)
#define ra (pool.r + 3 * N_BATCH + 19)
#define rb (pool.r + 4 * N_BATCH + 29)
#define rr (pool.r + 5 * N_BATCH + 41)
static volatile uint64_t sink;

static void rng_fill(void *ctx, uint8_t *buf, size_t n) {
    uint64_t *s = ctx;
    for (size_t i = 0; i < n; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        buf[i] = (uint8_t)*s;
    }
}

static void init_data(void) {
    static int done = 0;
    if (done) return;
    uint64_t s = 0x123456789abcdefull;
    for (int i = 0; i < N_BATCH; i++) {
        fq_random(&qa[i], rng_fill, &s);
        fq_random(&qb[i], rng_fill, &s);
        fr_random(&ra[i], rng_fill, &s);
        fr_random(&rb[i], rng_fill, &s);
    }
    done = 1;
}

/* Latency: each result feeds the next operation. */
#define CHAIN(fn, T, A, B, OP)                                                                       \
    static void fn(uint64_t reps) {                                                                  \
        init_data();                                                                                 \
        T x = A[0], y = B[1]; (void)y;                                                                     \
        for (uint64_t i = 0; i < reps; i++) OP;                                                      \
        sink = x.l[0];                                                                               \
    }
CHAIN(fq_mul_chain, fq_t, qa, qb, fq_mul(&x, &x, &y))
CHAIN(fq_sqr_chain, fq_t, qa, qb, fq_sqr(&x, &x))
CHAIN(fq_add_chain, fq_t, qa, qb, fq_add(&x, &x, &y))
CHAIN(fq_sub_chain, fq_t, qa, qb, fq_sub(&x, &x, &y))
CHAIN(fq_inv_chain, fq_t, qa, qb, fq_inv(&x, &x))
CHAIN(fq_inv_vartime_chain, fq_t, qa, qb, fq_inv_vartime(&x, &x))
CHAIN(fr_mul_chain, fr_t, ra, rb, fr_mul(&x, &x, &y))
CHAIN(fr_sqr_chain, fr_t, ra, rb, fr_sqr(&x, &x))
#undef CHAIN

/* Throughput of the scalar path: N_BATCH independent products per rep. */
static void fq_mul_indep(uint64_t reps) {
    init_data();
    for (uint64_t r = 0; r < reps; r++)
        for (int i = 0; i < N_BATCH; i++) fq_mul(&qr[i], &qa[i], &qb[i]);
    sink = qr[reps % N_BATCH].l[0];
}

#define BATCH2(fn, call, out)                                                                        \
    static void fn(uint64_t reps) {                                                                  \
        init_data();                                                                                 \
        for (uint64_t r = 0; r < reps; r++) call;                                                    \
        sink = out[0].l[0];                                                                          \
    }
BATCH2(fq_mul_batch_run, fq_mul_batch(qr, qa, qb, N_BATCH), qr)
BATCH2(fq_sqr_batch_run, fq_sqr_batch(qr, qa, N_BATCH), qr)
BATCH2(fq_add_batch_run, fq_add_batch(qr, qa, qb, N_BATCH), qr)
BATCH2(fq_sub_batch_run, fq_sub_batch(qr, qa, qb, N_BATCH), qr)
BATCH2(fr_mul_batch_run, fr_mul_batch(rr, ra, rb, N_BATCH), rr)
BATCH2(fq_batch_inv_run, zbp_status_ignore(fq_batch_inv_vartime(qr, qa, N_BATCH, qb)), qr)
#undef BATCH2

static void fq_batch_inv_restore(uint64_t reps) {
    /* fq_batch_inv_vartime overwrites its scratch (qb); refill it so other cases keep random inputs. */
    fq_batch_inv_run(reps);
    uint64_t s = 0xfeedull;
    for (int i = 0; i < N_BATCH; i++) fq_random(&qb[i], rng_fill, &s);
}

static const zbp_bench_case_t field_cases[] = {
    {"fq_mul", "latency", 0, 1, fq_mul_chain},
    {"fq_sqr", "latency", 0, 1, fq_sqr_chain},
    {"fq_add", "latency", 0, 1, fq_add_chain},
    {"fq_sub", "latency", 0, 1, fq_sub_chain},
    {"fq_inv", "latency", 0, 1, fq_inv_chain},
    {"fq_inv_vartime", "latency", 0, 1, fq_inv_vartime_chain},
    {"fr_mul", "latency", 0, 1, fr_mul_chain},
    {"fr_sqr", "latency", 0, 1, fr_sqr_chain},
    {"fq_mul", "throughput", 0, N_BATCH, fq_mul_indep},
    {"fq_mul_batch", "throughput", 1, N_BATCH, fq_mul_batch_run},
    {"fq_sqr_batch", "throughput", 1, N_BATCH, fq_sqr_batch_run},
    {"fq_add_batch", "throughput", 1, N_BATCH, fq_add_batch_run},
    {"fq_sub_batch", "throughput", 1, N_BATCH, fq_sub_batch_run},
    {"fr_mul_batch", "throughput", 1, N_BATCH, fr_mul_batch_run},
    {"fq_batch_inv_vartime", "throughput", 0, N_BATCH, fq_batch_inv_restore},
};

const zbp_bench_case_t *zbp_bench_field_cases(size_t *count) {
    *count = sizeof field_cases / sizeof field_cases[0];
    return field_cases;
}

uint64_t zbp_bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t zbp_bench_tsc(void) { return __rdtsc(); }

double zbp_bench_core_ghz(void) {
#if defined(__x86_64__)
    double best = 0;
    for (int run = 0; run < 3; run++) {
        uint64_t x = 1, n = 0, t0 = zbp_bench_now_ns(), t1;
        do {
            /* 64 dependent additions per turn; the loop counter runs beside them on another port. */
            for (int k = 0; k < 1000; k++)
                __asm__ volatile(".rept 64\n\taddq %0, %0\n\t.endr" : "+r"(x));
            n += 64000;
            t1 = zbp_bench_now_ns();
        } while (t1 - t0 < 10000000ull);
        double ghz = (double)n / (double)(t1 - t0);
        if (ghz > best) best = ghz;
    }
    return best;
#else
    return 0;
#endif
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void zbp_bench_measure(const zbp_bench_case_t *c, uint64_t min_ns, int samples, double *ns_per_op,
                       double *tsc_per_op) {
    uint64_t reps = 1;
    c->run(1); /* warm caches and the lazy input set-up */
    for (;;) {
        uint64_t t0 = zbp_bench_now_ns();
        c->run(reps);
        uint64_t dt = zbp_bench_now_ns() - t0;
        if (dt >= min_ns || reps > (1ull << 40)) break;
        uint64_t grow = dt ? min_ns / dt + 1 : 16; /* jump close to the target in one step */
        reps *= grow < 2 ? 2 : grow;
    }
    if (samples < 1) samples = 1;
    if (samples > 64) samples = 64;
    double ns[64], tk[64];
    for (int s = 0; s < samples; s++) {
        uint64_t t0 = zbp_bench_now_ns(), k0 = zbp_bench_tsc();
        c->run(reps);
        uint64_t k1 = zbp_bench_tsc(), t1 = zbp_bench_now_ns();
        double ops = (double)reps * (double)c->ops_per_rep;
        ns[s] = (double)(t1 - t0) / ops;
        tk[s] = (double)(k1 - k0) / ops;
    }
    qsort(ns, (size_t)samples, sizeof(double), cmp_double);
    qsort(tk, (size_t)samples, sizeof(double), cmp_double);
    *ns_per_op = ns[samples / 2];
    *tsc_per_op = tk[samples / 2];
}
