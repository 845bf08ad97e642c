/* cmd_prove.c: `zbprover prove <circuit.zkey> <witness.wtns> <proof.json> <public.json>
 * [--threads N] [--profile FILE] [--device auto|cpu|cuda[:N]]`: rapidsnark's arguments in
 * rapidsnark's order; writes snarkjs's proof.json and public.json, both or neither. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "cuda/cuda.h"
#include "prover/prover.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int exit_for(int st) {
    return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}

/* One proof on GPU `device`: a context, the key uploaded, the proof, all released again (a server
 * keeps the circuit loaded instead; see cuda/cuda.h). */
static int prove_gpu(zbp_proof_t *proof, int device, const zbp_zkey_t *z, const zbp_wtns_t *w,
                     const zbp_prove_opts_t *opts, zbp_profile_t *prof, char *err, size_t errlen) {
    zbp_cuda_t *ctx = NULL;
    zbp_cuda_circuit_t *circ = NULL;
    int st = zbp_cuda_open(&ctx, device, err, errlen);
    if (st == ZBP_OK) st = zbp_cuda_circuit_load(&circ, ctx, z, err, errlen);
    if (st == ZBP_OK) st = zbp_cuda_prove(proof, circ, w, opts, prof, err, errlen);
    zbp_cuda_circuit_free(circ);
    zbp_cuda_close(ctx);
    return st == ZBP_ERR_UNSUPPORTED ? ZBP_ERR_IO : st;
}

int cmd_prove(int argc, char **argv) {
    const char *pos[4];
    int npos = 0, threads = 0;
    const char *profile = NULL, *device_spec = "auto";
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
            device_spec = argv[++i];
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
                  "[--threads N] [--profile FILE] [--device auto|cpu|cuda[:N]]");
        return EXIT_BAD_INPUT;
    }
    /* The device is settled before any file is read: a GPU asked for by name that is not there
     * is an environment failure (3), and auto quietly means the CPU. */
    char err[1024] = "";
    int device = -1;
    int dst = zbp_device_parse(device_spec, &device, err, sizeof err);
    if (dst != ZBP_OK) {
        cli_error("prove: %s", err);
        return dst == ZBP_ERR_INPUT ? EXIT_BAD_INPUT : EXIT_INTERNAL;
    }
    if (threads > 0) omp_set_num_threads(threads);
    zbp_profile_t prof;
    memset(&prof, 0, sizeof prof);
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
    if (device >= 0) {
        st = prove_gpu(&proof, device, &z, &w, &opts, &prof, err, sizeof err);
        if ((st == ZBP_ERR_IO || st == ZBP_ERR_NOMEM) && !strcmp(device_spec, "auto")) {
            /* auto promised a proof: a GPU that fails (too small, a driver error) means the CPU */
            cli_error("prove: the GPU failed (%s); proving on the CPU", err);
            st = zbp_groth16_prove(&proof, &z, &w, &opts, &prof, err, sizeof err);
        } else if (st == ZBP_ERR_IO) {
            /* a CUDA failure: the message says what the runtime reported */
            cli_error("%s", err);
            zbp_wtns_close(&w);
            zbp_zkey_close(&z);
            return EXIT_INTERNAL;
        }
    } else {
        st = zbp_groth16_prove(&proof, &z, &w, &opts, &prof, err, sizeof err);
    }
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
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) prof.peak_rss_mib = (double)ru.ru_maxrss / 1024.0; /* KiB */
    if (profile && zbp_write_profile_json(profile, &prof, err, sizeof err) != ZBP_OK) {
        cli_error("%s", err);
        return EXIT_BAD_INPUT;
    }
    return 0;
}
