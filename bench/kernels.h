/* kernels.h: inside the bench room. Benchmark cases as plain C functions, shared by
 * `zbprover bench` (cli/cmd_bench.c) and the Google Benchmark shim (bench/shim.cc). */
#ifndef ZBP_BENCH_KERNELS_H
#define ZBP_BENCH_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const char *name; /* "fq_mul" */
    const char *kind; /* "latency" (a dependent chain) or "throughput" (independent operations) */
    int batch;        /* 1: runs on the batch ISA path; 0: on the scalar path */
    size_t ops_per_rep;
    void (*run)(uint64_t reps); /* performs reps * ops_per_rep operations */
} zbp_bench_case_t;

/* The field room's cases. Inputs are random, generated once on first use. */
const zbp_bench_case_t *zbp_bench_field_cases(size_t *count);
/* The curve room's cases (bench/kernels_curve.c): group operations, scalar multiplication,
 * pairings and a Groth16 verification. */
const zbp_bench_case_t *zbp_bench_curve_cases(size_t *count);

/* Wall-clock nanoseconds and the time-stamp counter, for the drivers. */
uint64_t zbp_bench_now_ns(void);
uint64_t zbp_bench_tsc(void);

/* The core clock in GHz, measured now: a chain of dependent one-cycle additions (the TSC runs at a
 * fixed rate that is not the core's, and a VM exposes no cycle counter). Best of three 10 ms runs;
 * 0 where the architecture has no such probe. Core cycles per operation = ns/op x this; the clock
 * drifts (2.9-3.3 GHz seen on one VM), so drivers measure it next to each case. */
double zbp_bench_core_ghz(void);

/* Times one case: repeats `run` until each sample takes >= min_ns, takes `samples` samples and
 * returns the median nanoseconds and TSC ticks per operation. */
void zbp_bench_measure(const zbp_bench_case_t *c, uint64_t min_ns, int samples, double *ns_per_op,
                       double *tsc_per_op);

#ifdef __cplusplus
}
#endif

#endif
