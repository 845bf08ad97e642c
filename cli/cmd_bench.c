/* cmd_bench.c: `zbprover bench field [--json] [--isa NAME] [--min-ms N] [--samples N]`: ns, TSC
 * ticks and core cycles per operation for every field case on every path this CPU has (or the one
 * named). Core cycles come from the core clock measured beside each case (bench/kernels.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/kernels.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "field/field.h"

enum { K_JSON = CLI_KEY0, K_ISA, K_MIN_MS, K_SAMPLES };
static const cli_opt_t field_opts[] = {
    {"json", K_JSON, NULL, "one JSON object"},
    {"isa", K_ISA, "NAME", "only this path: portable, adx, avx2, avx512ifma"},
    {"min-ms", K_MIN_MS, "N", "time each case for at least N ms per sample (1..100000)"},
    {"samples", K_SAMPLES, "N", "samples per case, the median reported (1..64)"},
    CLI_END,
};
static const cli_opt_t curve_opts[] = {
    {"json", K_JSON, NULL, "one JSON object"},
    {"min-ms", K_MIN_MS, "N", "time each case for at least N ms per sample (1..100000)"},
    {"samples", K_SAMPLES, "N", "samples per case, the median reported (1..64)"},
    CLI_END,
};
static const cli_cmd_t field_cmd = {
    "bench field", "[--json] [--isa NAME] [--min-ms N] [--samples N]",
    "ns, TSC ticks and core cycles per field operation, on every path this CPU has.",
    {field_opts, NULL}, 0, 0};
static const cli_cmd_t curve_cmd = {
    "bench curve", "[--json] [--min-ms N] [--samples N]",
    "G1/G2 operations, scalar multiplication, pairing and verify on the scalar path (one core).",
    {curve_opts, NULL}, 0, 0};

typedef struct {
    const char *cmd;
    int json, only, samples;
    long long min_ms;
} bench_args_t;

static int on_opt(void *ctx, int key, const char *v) {
    bench_args_t *a = ctx;
    long long n;
    int rc;
    switch (key) {
    case K_JSON: a->json = 1; return 0;
    case K_ISA: {
        zbp_isa_t isa;
        if (zbp_isa_parse(v, &isa) != ZBP_OK) {
            cli_error("%s: unknown --isa '%s'", a->cmd, v);
            return EXIT_BAD_INPUT;
        }
        if (!zbp_isa_supported(isa)) {
            cli_error("%s: this CPU does not support --isa %s", a->cmd, v);
            return EXIT_INTERNAL;
        }
        a->only = (int)isa;
        return 0;
    }
    case K_MIN_MS: return cli_int_opt(a->cmd, "min-ms", v, 1, 100000, &a->min_ms);
    case K_SAMPLES:
        if ((rc = cli_int_opt(a->cmd, "samples", v, 1, 64, &n))) return rc;
        a->samples = (int)n;
        return 0;
    default: return EXIT_INTERNAL;
    }
}

static int bench_field(int argc, char **argv) {
    bench_args_t a = {"bench field", 0, -1, 5, 50};
    int argi = 0, perr = cli_parse(&field_cmd, argc, argv, on_opt, &a, &argi);
    if (perr) return cli_exit(perr);
    int json = a.json, only = a.only, samples = a.samples;
    long min_ms = (long)a.min_ms;
    zbp_isa_t saved = zbp_field_batch_isa();
    size_t ncases;
    const zbp_bench_case_t *cases = zbp_bench_field_cases(&ncases);
    if (json) {
        printf("{\"bench\": \"field\", \"results\": [");
    } else {
        printf("%-12s %-16s %-11s %12s %12s %12s\n", "path", "operation", "kind", "ns/op", "tsc/op",
               "cycles/op");
    }
    int first = 1;
    for (int isa = 0; isa < ZBP_ISA_COUNT; isa++) {
        if (only >= 0 && isa != only) continue;
        if (zbp_field_select((zbp_isa_t)isa) != ZBP_OK) {
            if (!json) printf("%-12s (not on this CPU: skipped)\n", zbp_isa_name((zbp_isa_t)isa));
            continue;
        }
        for (size_t k = 0; k < ncases; k++) {
            const zbp_bench_case_t *c = &cases[k];
            /* Scalar cases are the same on the vector paths (they run on ADX there): run them
             * under portable and adx only, so each row is a distinct measurement. */
            if (!c->batch && isa > ZBP_ISA_ADX) continue;
            double ns, tsc;
            /* The core clock around the case (mean of before and after): cycles/op = ns/op x GHz. */
            double ghz = zbp_bench_core_ghz();
            zbp_bench_measure(c, (uint64_t)min_ms * 1000000ull, samples, &ns, &tsc);
            ghz = (ghz + zbp_bench_core_ghz()) / 2;
            if (json)
                printf("%s\n  {\"isa\": \"%s\", \"op\": \"%s\", \"kind\": \"%s\", \"ns_per_op\": %.3f, "
                       "\"tsc_per_op\": %.2f, \"core_ghz\": %.3f, \"cycles_per_op\": %.2f}",
                       first ? "" : ",", zbp_isa_name((zbp_isa_t)isa), c->name, c->kind, ns, tsc,
                       ghz, ns * ghz);
            else
                printf("%-12s %-16s %-11s %12.2f %12.1f %12.1f\n", zbp_isa_name((zbp_isa_t)isa),
                       c->name, c->kind, ns, tsc, ns * ghz);
            fflush(stdout);
            first = 0;
        }
    }
    if (json) printf("\n]}\n");
    zbp_status_ignore(zbp_field_select(saved)); /* the path in use before: supported */
    return 0;
}

/* `bench curve [--json] [--min-ms N] [--samples N]`: every curve case on the current scalar path
 * (one core; the curve code has no batch-ISA variants). */
static int bench_curve(int argc, char **argv) {
    bench_args_t a = {"bench curve", 0, -1, 5, 200};
    int argi = 0, perr = cli_parse(&curve_cmd, argc, argv, on_opt, &a, &argi);
    if (perr) return cli_exit(perr);
    int json = a.json, samples = a.samples;
    long min_ms = (long)a.min_ms;
    size_t ncases;
    const zbp_bench_case_t *cases = zbp_bench_curve_cases(&ncases);
    const char *isa = zbp_isa_name(zbp_field_scalar_isa());
    if (json)
        printf("{\"bench\": \"curve\", \"isa\": \"%s\", \"results\": [", isa);
    else
        printf("%-12s %-24s %-11s %14s %14s\n", "path", "operation", "kind", "ns/op", "tsc/op");
    for (size_t k = 0; k < ncases; k++) {
        double ns, tsc;
        zbp_bench_measure(&cases[k], (uint64_t)min_ms * 1000000ull, samples, &ns, &tsc);
        if (json)
            printf("%s\n  {\"op\": \"%s\", \"kind\": \"%s\", \"ns_per_op\": %.1f, \"tsc_per_op\": %.1f}",
                   k ? "," : "", cases[k].name, cases[k].kind, ns, tsc);
        else
            printf("%-12s %-24s %-11s %14.1f %14.1f\n", isa, cases[k].name, cases[k].kind, ns, tsc);
        fflush(stdout);
    }
    if (json) printf("\n]}\n");
    return 0;
}

int cmd_bench(int argc, char **argv) {
    static const cli_sub_t subs[] = {
        {"field", bench_field, "field operations on every ISA path"},
        {"curve", bench_curve, "G1/G2 operations, pairing, verify"},
        {"ntt", cmd_bench_ntt, "forward, NR and coset-extend transforms against the floor"},
        {"msm", cmd_bench_msm, "Pippenger MSM: time, additions, ratio to the floor"},
    };
    return cli_dispatch("bench", "Micro-benchmarks (README.md, Numbers).", subs,
                        sizeof subs / sizeof subs[0], argc, argv);
}
