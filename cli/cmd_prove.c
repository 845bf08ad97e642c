/* cmd_prove.c: `zbprover prove <circuit.zkey> <witness.wtns> <proof.json> <public.json>
 * [--threads N] [--profile FILE] [--profile-table] [--device auto|cpu|cuda[:N]]`: rapidsnark's
 * arguments in rapidsnark's order; writes snarkjs's proof.json and public.json, both or neither.
 * A proof that runs past a second shows its phase on a terminal; the profile is JSON in FILE and a
 * table on stderr (on a terminal, or always with --profile-table). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "prover/prover.h"
#include "prover/util.h"

static int exit_for(int st) {
    return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
}

/* The profile for people: each phase's time and share, each MSM's plan and work, the sizes. */
static void profile_table(FILE *f, const zbp_profile_t *p) {
    static const char *const msm_names[5] = {"msm A (G1)", "msm B1 (G1)", "msm B2 (G2)",
                                             "msm C (G1)", "msm H (G1)"};
    const double msm_ms[5] = {p->msm_a_ms, p->msm_b1_ms, p->msm_b2_ms, p->msm_c_ms, p->msm_h_ms};
    const double all = p->load_ms + p->total_ms + p->output_ms;
    const double share = all > 0 ? 100.0 / all : 0;
    fprintf(f, "%-13s %10s %6s\n", "phase", "ms", "share");
#define ROW(name, v) fprintf(f, "%-13s %10.1f %5.1f%%\n", name, (v), (v) * share)
    ROW("load", p->load_ms);
    ROW("witness", p->witness_ms);
    ROW("A*w, B*w", p->abc_ms);
    ROW("transforms", p->ntt_ms);
    ROW("h", p->h_ms);
    for (int k = 0; k < 5; k++) {
        const zbp_msm_profile_t *m = &p->msm[k];
        fprintf(f, "%-13s %10.1f %5.1f%%", msm_names[k], msm_ms[k], msm_ms[k] * share);
        if (m->window)
            fprintf(f, "  c=%u x%u, %llu zero %llu one %llu small %llu full, %llu adds",
                    m->window, m->windows, (unsigned long long)m->zero,
                    (unsigned long long)m->one, (unsigned long long)m->small,
                    (unsigned long long)m->full, (unsigned long long)m->additions);
        fputc('\n', f);
    }
    ROW("finish", p->finish_ms);
    ROW("verify", p->verify_ms);
    ROW("output", p->output_ms);
    ROW("total", all);
#undef ROW
    fprintf(f, "constraints %u, domain %u, variables %u, public %u; device %s; %d threads; "
               "field %s/%s; peak memory %.0f MiB\n",
            p->n_constraints, p->domain_size, p->n_vars, p->n_public,
            p->device[0] ? p->device : "cpu", p->threads,
            zbp_isa_name(zbp_field_scalar_isa()), zbp_isa_name(zbp_field_batch_isa()),
            p->peak_rss_mib);
}

enum { K_THREADS = CLI_KEY0, K_PROFILE, K_PROFILE_TABLE, K_DEVICE };
static const cli_opt_t prove_opts[] = {
    {"threads", K_THREADS, "N", "threads (1..4096; default: OpenMP's)"},
    {"profile", K_PROFILE, "FILE", "write each phase's time, each MSM's plan and the peak memory"},
    {"profile-table", K_PROFILE_TABLE, NULL, "the profile as a table on stderr, always"},
    {"device", K_DEVICE, "auto|cpu|cuda[:N]", "where to prove (default auto: a GPU if usable)"},
    CLI_END,
};
static const cli_cmd_t prove_cmd = {
    "prove", "<circuit.zkey> <witness.wtns> <proof.json> <public.json> [options]",
    "rapidsnark's arguments in rapidsnark's order; writes snarkjs's proof.json and public.json\n"
    "(both or neither). The profile's table goes to stderr on a terminal.",
    {prove_opts, NULL}, 4, 4};

typedef struct {
    int threads, table;
    const char *profile, *device;
} prove_args_t;

static int on_prove_opt(void *ctx, int key, const char *v) {
    prove_args_t *a = ctx;
    long long n;
    int rc;
    switch (key) {
    case K_THREADS:
        if ((rc = cli_int_opt("prove", "threads", v, 1, 4096, &n))) return rc;
        a->threads = (int)n;
        return 0;
    case K_PROFILE: a->profile = v; return 0;
    case K_PROFILE_TABLE: a->table = 1; return 0;
    case K_DEVICE: a->device = v; return 0;
    default: return EXIT_INTERNAL;
    }
}

int cmd_prove(int argc, char **argv) {
    prove_args_t a = {0, 0, NULL, "auto"};
    int first = 0, prc = cli_parse(&prove_cmd, argc, argv, on_prove_opt, &a, &first);
    if (prc) return cli_exit(prc);
    const char *pos[4] = {argv[first], argv[first + 1], argv[first + 2], argv[first + 3]};
    int threads = a.threads, table = a.table;
    const char *profile = a.profile, *device_spec = a.device;
    /* The device is settled before any file is read: a GPU asked for by name that is not there
     * is an environment failure (3), and auto quietly means the CPU. */
    char err[1024] = "";
    int dst = zbp_device_check(device_spec, NULL, err, sizeof err);
    if (dst != ZBP_OK) {
        cli_error("prove: %s", err);
        return dst == ZBP_ERR_INPUT ? EXIT_BAD_INPUT : EXIT_INTERNAL;
    }
    if (threads > 0) omp_set_num_threads(threads);
    zbp_profile_t prof;
    memset(&prof, 0, sizeof prof);
    double t = zbp_mono_ms();
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
    double load_ms = zbp_mono_ms() - t;
    zbp_prove_opts_t opts;
    zbp_prove_opts_init(&opts);
    opts.threads = threads;
    /* On a terminal, a proof that takes more than a second says which phase it is in. */
    cli_progress_t *progress = cli_progress_start("zbprover prove", 1000);
    opts.progress = cli_progress_phase_cb;
    opts.progress_ctx = progress;
    /* The prover's face chooses the device: with auto, a GPU that fails (too small, a driver
     * error, a proof that fails the pairing check) means the CPU, said once on stderr. */
    zbp_proof_t proof;
    zbp_circuit_t *circ = NULL;
    st = zbp_circuit_open(&circ, &z, device_spec, err, sizeof err);
    if (st == ZBP_OK) {
        st = zbp_circuit_prove(circ, &proof, &w, &opts, &prof, err, sizeof err);
        if (prof.device_note[0]) cli_error("prove: %s", prof.device_note);
    }
    zbp_circuit_free(circ);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
    cli_progress_stop(progress);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        /* a CUDA failure (its text in the message) is the environment's, not the input's */
        return st == ZBP_ERR_IO || st == ZBP_ERR_UNSUPPORTED ? EXIT_INTERNAL : exit_for(st);
    }
    prof.load_ms = load_ms;
    t = zbp_mono_ms();
    st = zbp_write_proof_files(pos[2], pos[3], &proof, err, sizeof err);
    prof.output_ms = zbp_mono_ms() - t;
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
    if (table || (profile && isatty(STDERR_FILENO))) profile_table(stderr, &prof);
    return 0;
}
