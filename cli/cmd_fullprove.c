/* cmd_fullprove.c: `zbprover fullprove <input.json> <circuit.wasm> <circuit.zkey> <proof.json>
 * <public.json>`: snarkjs's `groth16 fullprove` arguments in its order. The witness is computed in
 * memory (witness/), handed to the prover as a borrowed .wtns buffer and wiped; it never touches
 * the disk. --profile FILE writes the prover's profile JSON with the witness phase added
 * ("witness_calculation": the object's build or cache lookup, and the run); --profile-table (or
 * --profile on a terminal) prints the phases on stderr. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "prover/util.h"
#include "prover/prover.h"
#include "witness/witness.h"

/* The prover's profile JSON with the witness phase as the first key. */
static int write_profile(const char *path, const zbp_profile_t *prof, double build_ms, double run_ms,
                         uint32_t wires, char *err, size_t errlen) {
    json_t *o = json_pack("{s:{s:f, s:f, s:I}}", "witness_calculation", "object_ms",
                          round(build_ms * 1e3) / 1e3, "run_ms", round(run_ms * 1e3) / 1e3, "wires",
                          (json_int_t)wires);
    json_t *p = zbp_profile_value(prof);
    if (!o || !p || json_object_update(o, p)) {
        json_decref(o);
        o = NULL;
    }
    json_decref(p);
    return zbp_write_json_file(path, o, err, errlen) == ZBP_OK ? 0 : -1;
}

static void profile_table(FILE *f, const zbp_profile_t *p, double build_ms, double run_ms,
                          double input_ms) {
    const double all = input_ms + build_ms + run_ms + p->load_ms + p->total_ms + p->output_ms;
    const double share = all > 0 ? 100.0 / all : 0;
    fprintf(f, "%-22s %10s %6s\n", "phase", "ms", "share");
#define ROW(name, v) fprintf(f, "%-22s %10.1f %5.1f%%\n", name, (v), (v) * share)
    ROW("input.json", input_ms);
    ROW("witness object", build_ms);
    ROW("witness calculation", run_ms);
    ROW("zkey load", p->load_ms);
    ROW("prove: A*w, B*w", p->abc_ms);
    ROW("prove: transforms", p->ntt_ms);
    ROW("prove: h", p->h_ms);
    ROW("prove: MSMs", p->msm_a_ms + p->msm_b1_ms + p->msm_b2_ms + p->msm_c_ms + p->msm_h_ms);
    ROW("prove: finish, verify", p->finish_ms + p->verify_ms + p->witness_ms);
    ROW("output", p->output_ms);
    ROW("total", all);
#undef ROW
    fprintf(f, "constraints %u, variables %u, public %u; %d threads; peak memory %.0f MiB\n",
            p->n_constraints, p->n_vars, p->n_public, p->threads, p->peak_rss_mib);
}

enum { K_THREADS = CLI_KEY0, K_PROFILE, K_PROFILE_TABLE };
static const cli_opt_t fullprove_opts[] = {
    {"threads", K_THREADS, "N", "threads (1..4096; default: OpenMP's)"},
    {"profile", K_PROFILE, "FILE", "write each phase's time, the witness's first"},
    {"profile-table", K_PROFILE_TABLE, NULL, "the phases as a table on stderr, always"},
    CLI_END,
};
static const cli_cmd_t fullprove_cmd = {
    "fullprove", "<input.json> <circuit.wasm> <circuit.zkey> <proof.json> <public.json> [options]",
    "snarkjs's `groth16 fullprove` arguments in its order. The witness is computed in memory by\n"
    "the circuit's program (as `wtns calculate` does), proved and wiped: it never touches the disk.",
    {fullprove_opts, cli_witness_opts, NULL}, 5, 5};

typedef struct {
    zbp_witness_opts_t *wo;
    int threads, table;
    const char *profile;
} fullprove_args_t;

static int on_fullprove_opt(void *ctx, int key, const char *v) {
    fullprove_args_t *a = ctx;
    long long n;
    int rc;
    switch (key) {
    case K_THREADS:
        if ((rc = cli_int_opt("fullprove", "threads", v, 1, 4096, &n))) return rc;
        a->threads = (int)n;
        return 0;
    case K_PROFILE: a->profile = v; return 0;
    case K_PROFILE_TABLE: a->table = 1; return 0;
    default: rc = cli_witness_option(a->wo, key, v); return rc == 1 ? EXIT_INTERNAL : rc;
    }
}

int cmd_fullprove(int argc, char **argv) {
    zbp_witness_opts_t wo;
    zbp_witness_opts_init(&wo);
    fullprove_args_t a = {&wo, 0, 0, NULL};
    int first = 0, prc = cli_parse(&fullprove_cmd, argc, argv, on_fullprove_opt, &a, &first);
    if (prc) return cli_exit(prc);
    const char *pos[5] = {argv[first], argv[first + 1], argv[first + 2], argv[first + 3],
                          argv[first + 4]};
    int threads = a.threads, table = a.table;
    const char *profile = a.profile;
    if (threads > 0) omp_set_num_threads(threads);
    char err[1600] = "";
    double t0 = zbp_mono_ms();
    zbp_witness_input_t in;
    int st = zbp_witness_input_load(&in, pos[0], err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    double input_ms = zbp_mono_ms() - t0, build_ms = 0, run_ms = 0;
    wo.build_ms = &build_ms;
    wo.run_ms = &run_ms;
    uint8_t *wbuf;
    size_t wlen;
    st = zbp_witness_calculate(&wbuf, &wlen, pos[1], &in, pos[0], &wo, err, sizeof err);
    zbp_witness_input_free(&in);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    zbp_profile_t prof;
    memset(&prof, 0, sizeof prof);
    double t = zbp_mono_ms();
    char wname[600];
    snprintf(wname, sizeof wname, "the witness of %s", pos[0]);
    zbp_wtns_t w;
    zbp_zkey_t z;
    st = zbp_wtns_from_memory(&w, wbuf, wlen, wname, err, sizeof err);
    if (st == ZBP_OK) {
        st = zbp_zkey_open(&z, pos[2], err, sizeof err);
        if (st != ZBP_OK) zbp_wtns_close(&w);
    }
    if (st != ZBP_OK) {
        explicit_bzero(wbuf, wlen);
        free(wbuf);
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    prof.load_ms = zbp_mono_ms() - t;
    zbp_prove_opts_t opts;
    zbp_prove_opts_init(&opts);
    opts.threads = threads;
    cli_progress_t *progress = cli_progress_start("zbprover fullprove", 1000);
    opts.progress = cli_progress_phase_cb;
    opts.progress_ctx = progress;
    zbp_proof_t proof;
    st = zbp_groth16_prove(&proof, &z, &w, &opts, &prof, err, sizeof err);
    cli_progress_stop(progress);
    uint32_t wires = w.n_witness;
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
    explicit_bzero(wbuf, wlen);
    free(wbuf);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    t = zbp_mono_ms();
    st = zbp_write_proof_files(pos[3], pos[4], &proof, err, sizeof err);
    prof.output_ms = zbp_mono_ms() - t;
    zbp_proof_free(&proof);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0) prof.peak_rss_mib = (double)ru.ru_maxrss / 1024.0;
    if (profile && write_profile(profile, &prof, build_ms, run_ms, wires, err, sizeof err) != 0) {
        cli_error("%s", err);
        return EXIT_BAD_INPUT;
    }
    if (table || (profile && isatty(STDERR_FILENO)))
        profile_table(stderr, &prof, build_ms, run_ms, input_ms);
    return 0;
}
