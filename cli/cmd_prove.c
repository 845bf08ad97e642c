/* cmd_prove.c: `zbprover prove <circuit.zkey> <witness.wtns> <proof.json> <public.json>
 * [--threads N] [--profile FILE] [--device auto|cpu]`: rapidsnark's arguments in rapidsnark's
 * order; writes snarkjs's proof.json and public.json, both or neither. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "prover/prover.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int exit_for(int st) {
    return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}

int cmd_prove(int argc, char **argv) {
    const char *pos[4];
    int npos = 0, threads = 0;
    const char *profile = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 4096) {
                cli_error("prove: --threads must be a number from 1 to 4096");
                return EXIT_BAD_INPUT;
            }
            threads = (int)t;
        } else if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
            profile = argv[++i];
        } else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
            const char *d = argv[++i];
            if (strcmp(d, "auto") && strcmp(d, "cpu")) {
                if (!strncmp(d, "cuda", 4)) {
                    cli_error("prove: --device %s: this build has no CUDA backend", d);
                    return EXIT_INTERNAL;
                }
                cli_error("prove: --device must be auto, cpu or cuda[:N]");
                return EXIT_BAD_INPUT;
            }
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            cli_error("prove: unknown option '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        } else if (npos < 4) {
            pos[npos++] = argv[i];
        } else {
            npos = 5;
        }
    }
    if (npos != 4) {
        cli_error("usage: zbprover prove <circuit.zkey> <witness.wtns> <proof.json> <public.json> "
                  "[--threads N] [--profile FILE] [--device auto|cpu]");
        return EXIT_BAD_INPUT;
    }
    if (threads > 0) omp_set_num_threads(threads);
    char err[1024] = "";
    zbp_profile_t prof;
    double t = now_ms();
    zbp_zkey_t z;
    zbp_wtns_t w;
    int st = zbp_zkey_open(&z, pos[0], err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return exit_for(st);
    }
    st = zbp_wtns_open(&w, pos[1], err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        zbp_zkey_close(&z);
        return exit_for(st);
    }
    double load_ms = now_ms() - t;
    zbp_prove_opts_t opts;
    zbp_prove_opts_init(&opts);
    opts.threads = threads;
    zbp_proof_t proof;
    st = zbp_groth16_prove(&proof, &z, &w, &opts, &prof, err, sizeof err);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return exit_for(st);
    }
    prof.load_ms = load_ms;
    t = now_ms();
    st = zbp_write_proof_files(pos[2], pos[3], &proof, err, sizeof err);
    prof.output_ms = now_ms() - t;
    zbp_proof_free(&proof);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return exit_for(st);
    }
    if (profile && zbp_write_profile_json(profile, &prof, err, sizeof err) != ZBP_OK) {
        cli_error("%s", err);
        return EXIT_BAD_INPUT;
    }
    return 0;
}
