/* main.c: the zbprover program's entry: global flags (--isa, --version), then one subcommand; or,
 * called as `prover`, rapidsnark's CLI. Subcommands live in cli/cmd_*.c; this file only dispatches. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "field/field.h"

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
    const char *usage;
} command_t;

static const command_t commands[] = {
    {"attest", cmd_attest,
     "attest report|certificates|verify|kds-url|info ...   (SEV-SNP reports; see docs/attestation.md)"},
    {"bench", cmd_bench, "bench field|curve|ntt|msm [--json] ...   (see README.md)"},
    {"check-bundle", cmd_check_bundle,
     "check-bundle <bundle.json> --vk <verification_key.json> [--certs ...] [--trust-root PEM]\n"
     "                           [policy flags as in attest verify] [--allow-unattested]"},
    {"fullprove", cmd_fullprove, "fullprove <input.json> <circuit.wasm> <circuit.zkey> <proof.json> <public.json> [--profile FILE]"},
    {"export-vk", cmd_export_vk, "export-vk <circuit.zkey> <verification_key.json>"},
    {"info", cmd_info, "info <file> [--json]            (.zkey, .wtns, .r1cs or an SEV-SNP report)"},
    {"prove", cmd_prove,
     "prove <circuit.zkey> <witness.wtns> <proof.json> <public.json> [--threads N] [--profile FILE]\n"
     "                           [--device auto|cpu]"},
    {"seal", cmd_seal, "seal <key-answer.json> <witness.wtns> <sealed.json> (--zkey FILE | --zkey-sha256 HEX)"},
    {"setup", cmd_setup, "setup --insecure-dev <circuit.r1cs> <circuit.zkey> [--vk verification_key.json]"},
    {"serve", cmd_serve,
     "serve [--attest auto|snp|sim|none] [--hub-key PEM --replay-log FILE] ...   (docs/job-protocol.md)"},
    {"wtns", cmd_wtns, "wtns calculate <circuit.wasm> <input.json> <witness.wtns> | wtns compile <circuit.wasm> [-o out.so]"},
    {"verify", cmd_verify_proof, "verify <verification_key.json> <public.json> <proof.json>"},
    {"version", cmd_version, "version"},
};

static void usage(FILE *out) {
    fprintf(out, "usage: zbprover [--isa portable|adx|avx2|avx512ifma|auto] <command> [args]\n"
                 "       zbprover --version\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  zbprover %s\n", commands[i].usage);
}

int main(int argc, char **argv) {
    zbp_field_init();
    /* Installed as `prover` too (a link): then it is rapidsnark's CLI, arguments and all. */
    const char *base = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
    base = base ? base + 1 : (argc > 0 && argv[0] ? argv[0] : "");
    if (!strcmp(base, "prover")) return cmd_rapidsnark_prover(argc, argv);
    int i = 1;
    /* Global options come before the subcommand. */
    while (i < argc && argv[i][0] == '-') {
        if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
            return cmd_version(argc - i, argv + i);
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--isa") || !strncmp(argv[i], "--isa=", 6)) {
            const char *name = argv[i][5] == '=' ? argv[i] + 6 : (i + 1 < argc ? argv[++i] : NULL);
            zbp_isa_t isa;
            if (!name || zbp_isa_parse(name, &isa) != ZBP_OK) {
                cli_error("--isa: unknown path '%s' (portable, adx, avx2, avx512ifma or auto)",
                          name ? name : "");
                return EXIT_BAD_INPUT;
            }
            if (strcmp(name, "auto") && zbp_field_select(isa) != ZBP_OK) {
                cli_error("--isa %s: this CPU does not support it", name);
                return EXIT_INTERNAL;
            }
            i++;
        } else {
            cli_error("unknown option '%s'", argv[i]);
            usage(stderr);
            return EXIT_BAD_INPUT;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_BAD_INPUT;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (!strcmp(argv[i], commands[k].name)) return commands[k].fn(argc - i, argv + i);
    cli_error("unknown command '%s'", argv[i]);
    usage(stderr);
    return EXIT_BAD_INPUT;
}
