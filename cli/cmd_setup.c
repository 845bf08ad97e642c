/* cmd_setup.c: `zbprover setup --insecure-dev <circuit.r1cs> <circuit.zkey> [--vk FILE]
 * [--threads N]`: a Groth16 key from random toxic waste, for benchmarks and development only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "prover/prover.h"

static const char usage[] =
    "usage: zbprover setup --insecure-dev <circuit.r1cs> <circuit.zkey> [--vk verification_key.json] "
    "[--threads N]";

int cmd_setup(int argc, char **argv) {
    const char *pos[2], *vk = NULL;
    int npos = 0, insecure = 0;
    zbp_setup_opts_t opts;
    zbp_setup_opts_init(&opts);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--insecure-dev")) {
            insecure = 1;
        } else if (!strcmp(argv[i], "--vk") && i + 1 < argc) {
            vk = argv[++i];
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 4096) {
                cli_error("setup: --threads must be a number from 1 to 4096");
                return EXIT_BAD_INPUT;
            }
            opts.threads = (int)t;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            cli_error("setup: unknown option '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        } else if (npos < 2) {
            pos[npos++] = argv[i];
        } else {
            cli_error("%s", usage);
            return EXIT_BAD_INPUT;
        }
    }
    if (npos != 2) {
        cli_error("%s", usage);
        return EXIT_BAD_INPUT;
    }
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
        return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
    }
    zbp_setup_stats_t stats;
    st = zbp_setup_insecure_dev(&r, pos[1], &opts, &stats, err, sizeof err);
    zbp_r1cs_close(&r);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return st == ZBP_ERR_NOMEM || st == ZBP_ERR_IO ? EXIT_INTERNAL : EXIT_BAD_INPUT;
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
            return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
        }
    }
    return 0;
}
