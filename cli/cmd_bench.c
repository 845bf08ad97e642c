/* cmd_bench.c: `zbprover bench field [--json] [--isa NAME] [--min-ms N] [--samples N]`: ns, TSC
 * ticks and core cycles per operation for every field case on every path this CPU has (or the one
 * named). Core cycles come from the core clock measured beside each case (bench/kernels.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/kernels.h"
#include "cli/cli.h"
#include "field/field.h"

static int bench_field(int argc, char **argv) {
    int json = 0, only = -1, samples = 5;
    long min_ms = 50;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--isa") && i + 1 < argc) {
            zbp_isa_t isa;
            if (zbp_isa_parse(argv[++i], &isa) != ZBP_OK) {
                cli_error("bench field: unknown --isa '%s'", argv[i]);
                return EXIT_BAD_INPUT;
            }
            if (!zbp_isa_supported(isa)) {
                cli_error("bench field: this CPU does not support --isa %s", argv[i]);
                return EXIT_INTERNAL;
            }
            only = (int)isa;
        } else if (!strcmp(argv[i], "--min-ms") && i + 1 < argc) {
            min_ms = strtol(argv[++i], NULL, 10);
            if (min_ms < 1 || min_ms > 100000) {
                cli_error("bench field: --min-ms must be 1..100000");
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(argv[i], "--samples") && i + 1 < argc) {
            samples = atoi(argv[++i]);
            if (samples < 1 || samples > 64) {
                cli_error("bench field: --samples must be 1..64");
                return EXIT_BAD_INPUT;
            }
        } else {
            cli_error("bench field: unknown argument '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        }
    }
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
    zbp_field_select(saved);
    return 0;
}

/* `bench curve [--json] [--min-ms N] [--samples N]`: every curve case on the current scalar path
 * (one core; the curve code has no batch-ISA variants). */
static int bench_curve(int argc, char **argv) {
    int json = 0, samples = 5;
    long min_ms = 200;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--min-ms") && i + 1 < argc) {
            min_ms = strtol(argv[++i], NULL, 10);
            if (min_ms < 1 || min_ms > 100000) {
                cli_error("bench curve: --min-ms must be 1..100000");
                return EXIT_BAD_INPUT;
            }
        } else if (!strcmp(argv[i], "--samples") && i + 1 < argc) {
            samples = atoi(argv[++i]);
            if (samples < 1 || samples > 64) {
                cli_error("bench curve: --samples must be 1..64");
                return EXIT_BAD_INPUT;
            }
        } else {
            cli_error("bench curve: unknown argument '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        }
    }
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
    if (argc < 2) {
        cli_error("bench: which one? usage: zbprover bench field|curve|ntt|msm [options] "
                  "(see `zbprover --help`)");
        return EXIT_BAD_INPUT;
    }
    if (!strcmp(argv[1], "field")) return bench_field(argc - 1, argv + 1);
    if (!strcmp(argv[1], "ntt")) return cmd_bench_ntt(argc - 1, argv + 1);
    if (!strcmp(argv[1], "curve")) return bench_curve(argc - 1, argv + 1);
    if (!strcmp(argv[1], "msm")) return cmd_bench_msm(argc - 1, argv + 1);
    cli_error("bench: unknown benchmark '%s' (available: field, curve, ntt, msm)", argv[1]);
    return EXIT_BAD_INPUT;
}
