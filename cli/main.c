/* main.c: the zbprover program's entry: global flags (--isa, --version), then one subcommand; or,
 * called as `prover`, rapidsnark's CLI. Subcommands live in cli/cmd_*.c; this file only dispatches. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "job/worker.h"
#include "field/field.h"

/* OpenMP's threads wait passively (sleep at once) unless the user chose a policy: libgomp's
 * default spins up to 300,000 rounds at every barrier, which on a 2-core VM shared with other work
 * takes the core from the partner thread (measured on an EPYC family 26 VM at load 9-20: CPU time
 * -25% on --isa adx, -38% native, wall -20%/-31% for sha256_16), while on the idle machine passive
 * is no slower (sha256_16 181 vs 178 ms, poseidon_18 935 vs 977 ms; bench/results/
 * epyc-adx-2026-12-07.md). libgomp reads the variable in its own constructor, before any of our
 * code, so this runs from the executable's .preinit_array (a shared library may not have one):
 * the program gets it, programs linking libzbprover keep their own choice. */
static void omp_wait_default(int argc, char **argv, char **envp) {
    (void)argc;
    (void)argv;
    (void)envp;
    if (!getenv("OMP_WAIT_POLICY") && !getenv("GOMP_SPINCOUNT")) setenv("OMP_WAIT_POLICY", "passive", 0);
}
__attribute__((section(".preinit_array"), used)) static void (*const omp_wait_preinit)(int, char **,
                                                                                      char **) =
    omp_wait_default;

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    cli_progress_clear();
    fputs("zbprover: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary; /* one line; the command's own --help has its options */
} command_t;

/* One line per command (`zbprover <command> --help` prints its usage). */
static const command_t commands[] = {
    {"attest", cmd_attest, "SEV-SNP reports: report, certificates, verify, kds-url, info"},
    {"bench", cmd_bench, "micro-benchmarks: field, curve, ntt, msm"},
    {"check-bundle", cmd_check_bundle, "a client's whole check of a prove answer"},
    {"export-vk", cmd_export_vk, "verification_key.json from a .zkey, as snarkjs writes it"},
    {"fullprove", cmd_fullprove, "input.json to proof: the witness computed natively, never on disk"},
    {"help", NULL, "this list, or a command's usage: help <command> [<subcommand>]"},
    {"info", cmd_info, "a summary of a .zkey, .wtns, .r1cs or SEV-SNP report"},
    {"prove", cmd_prove, "a Groth16 proof, rapidsnark's arguments (proof.json, public.json)"},
    {"seal", cmd_seal, "a client's side of a sealed witness"},
    {"serve", cmd_serve, "the attested job loop: JSON lines in, JSON lines out"},
    {"setup", cmd_setup, "an INSECURE development key (--insecure-dev)"},
    {"verify", cmd_verify_proof, "check a proof as `snarkjs groth16 verify` does"},
    {"version", cmd_version, "version, ISA paths, CUDA, threads"},
    {"wtns", cmd_wtns, "circom witness programs: calculate (as snarkjs), compile (ahead of time)"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const command_t *find(const char *name) {
    for (size_t k = 0; k < N_COMMANDS; k++)
        if (!strcmp(name, commands[k].name)) return &commands[k];
    return NULL;
}

static void usage(FILE *out) {
    fprintf(out, "usage: zbprover [--isa portable|adx|avx2|avx512ifma|auto] <command> [args]\n"
                 "       zbprover --version | --help | help <command>\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`zbprover <command> --help` prints a command's options. Exit status: 0 success,\n"
                 "1 a negative verdict, 2 bad input or usage, 3 an internal or environment failure.\n");
}

/* `help [<command> [<subcommand>...]]`: the command's own --help. */
static int help(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    const command_t *c = find(argv[1]);
    if (!c || !c->fn) {
        if (c) return usage(stdout), 0;
        cli_error("help: unknown command '%s' (zbprover --help lists them)", argv[1]);
        return EXIT_BAD_INPUT;
    }
    char *sub[16];
    int n = 0;
    for (int i = 1; i < argc && n < 14; i++) sub[n++] = argv[i];
    sub[n++] = (char *)"--help";
    sub[n] = NULL;
    return c->fn(n, sub);
}

int main(int argc, char **argv) {
    zbp_field_init();
    /* Installed as `prover` too (a link): then it is rapidsnark's CLI, arguments and all. */
    const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
    base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "");
    if (!strcmp(base, "prover")) return cmd_rapidsnark_prover(argc, argv);
    /* serve's workers: started by serve itself (job/pool.c) with fork and exec of this binary;
     * hidden from the command list, and refused unless its arguments are serve's. */
    if (argc > 1 && !strcmp(argv[1], "__worker")) {
        worker_args_t wa;
        if (job_worker_args(&wa, argc - 1, argv + 1)) {
            cli_error("__worker: an internal command of serve");
            return EXIT_BAD_INPUT;
        }
        return job_worker_run(&wa);
    }
    /* Global options come before the command ("+": stop at the first word that is not one). */
    enum { K_ISA = 256 };
    static const struct option global[] = {{"help", no_argument, NULL, 'h'},
                                           {"version", no_argument, NULL, 'V'},
                                           {"isa", required_argument, NULL, K_ISA},
                                           {NULL, 0, NULL, 0}};
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+:hV", global, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c == 'V') return cmd_version(1, (char *[]){(char *)"version", NULL});
        if (c == K_ISA) {
            zbp_isa_t isa;
            if (zbp_isa_parse(optarg, &isa) != ZBP_OK) {
                cli_error("--isa: unknown path '%s' (portable, adx, avx2, avx512ifma or auto)",
                          optarg);
                return EXIT_BAD_INPUT;
            }
            if (strcmp(optarg, "auto") && zbp_field_select(isa) != ZBP_OK) {
                cli_error("--isa %s: this CPU does not support it", optarg);
                return EXIT_INTERNAL;
            }
            continue;
        }
        const char *bad = argv[optind - 1];
        cli_error("%s '%s' (zbprover --help lists the options and commands)",
                  c == ':' ? "missing value for" : "unknown option",
                  bad && bad[0] == '-' && bad[1] == '-' ? bad : (char[]){'-', (char)optopt, 0});
        return EXIT_BAD_INPUT;
    }
    if (optind >= argc) {
        cli_error("no command given (zbprover --help lists them)");
        return EXIT_BAD_INPUT;
    }
    const command_t *cmd = find(argv[optind]);
    if (!cmd) {
        cli_error("unknown command '%s' (zbprover --help lists them)", argv[optind]);
        return EXIT_BAD_INPUT;
    }
    int n = argc - optind;
    char **rest = argv + optind;
    return cmd->fn ? cmd->fn(n, rest) : help(n, rest);
}
