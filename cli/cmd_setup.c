/* cmd_setup.c: `zbprover setup --insecure-dev <circuit.r1cs> <circuit.zkey> [--vk FILE]
 * [--threads N]`: a Groth16 key from random toxic waste, for benchmarks and development only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "prover/prover.h"

enum { K_INSECURE = CLI_KEY0, K_VK, K_THREADS };
static const cli_opt_t setup_opts[] = {
    {"insecure-dev", K_INSECURE, NULL, "required: say that you know the key is insecure"},
    {"vk", K_VK, "FILE", "also write verification_key.json"},
    {"threads", K_THREADS, "N", "threads (1..4096)"},
    CLI_END,
};
static const cli_cmd_t setup_cmd = {
    "setup", "--insecure-dev <circuit.r1cs> <circuit.zkey> [--vk FILE] [--threads N]",
    "An INSECURE Groth16 key from random toxic waste, in snarkjs's .zkey format, for\n"
    "benchmarks and development (no ceremony: whoever ran it can forge proofs).",
    {setup_opts, NULL}, 2, 2};

typedef struct {
    int insecure;
    const char *vk;
    zbp_setup_opts_t *opts;
} setup_args_t;

static int on_setup_opt(void *ctx, int key, const char *v) {
    setup_args_t *a = ctx;
    long long n;
    int rc;
    switch (key) {
    case K_INSECURE: a->insecure = 1; return 0;
    case K_VK: a->vk = v; return 0;
    case K_THREADS:
        if ((rc = cli_int_opt("setup", "threads", v, 1, 4096, &n))) return rc;
        a->opts->threads = (int)n;
        return 0;
    default: return EXIT_INTERNAL;
    }
}

int cmd_setup(int argc, char **argv) {
    zbp_setup_opts_t opts;
    zbp_setup_opts_init(&opts);
    setup_args_t a = {0, NULL, &opts};
    int first = 0, rc = cli_parse(&setup_cmd, argc, argv, on_setup_opt, &a, &first);
    if (rc) return cli_exit(rc);
    const char *pos[2] = {argv[first], argv[first + 1]}, *vk = a.vk;
    int insecure = a.insecure;
    /* The only setup this program offers is one whose toxic waste passed through this process:
     * whoever ran it could forge proofs, so it must be asked for by name. */
    if (!insecure) {
        cli_error("setup: refusing without --insecure-dev: the key comes from toxic waste this "
                  "process saw, so proofs under it prove nothing to anyone else; use a ceremony "
                  "(snarkjs groth16 setup + zkey contribute) for real keys");
        return EXIT_BAD_INPUT;
    }
    char err[512];
    zbp_r1cs_t r;
    int st = zbp_r1cs_open(&r, pos[0], err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    zbp_setup_stats_t stats;
    st = zbp_setup_insecure_dev(&r, pos[1], &opts, &stats, err, sizeof err);
    zbp_r1cs_close(&r);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    fprintf(stderr,
            "zbprover: WARNING: %s is an INSECURE development key (contribution \"%s\"): never use "
            "it for proofs anyone must trust\n"
            "zbprover: %u constraints, %u public, %u wires, domain 2^%u, %llu coefficients; "
            "%.0f ms (QAP %.0f ms, points %.0f ms; windows %u/%u, %d threads)\n",
            pos[1], ZBP_SETUP_DEV_NAME, stats.n_constraints, stats.n_public, stats.n_vars,
            (unsigned)__builtin_ctz(stats.domain_size), (unsigned long long)stats.n_coefs,
            stats.total_ms, stats.qap_ms, stats.points_ms, stats.window_g1, stats.window_g2,
            stats.threads);
    if (vk) {
        zbp_zkey_t z;
        st = zbp_zkey_open(&z, pos[1], err, sizeof err);
        if (st == ZBP_OK) {
            st = zbp_write_vk_json(vk, &z, err, sizeof err);
            zbp_zkey_close(&z);
        }
        if (st != ZBP_OK) {
            cli_error("%s", err);
            return cli_exit_status(st);
        }
    }
    return 0;
}
