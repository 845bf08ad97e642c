/* cli.h: inside the cli room. Each subcommand is a function `int cmd_x(int argc, char **argv)`
 * (argv[0] is the subcommand's name) returning the process's exit status:
 * 0 success, 1 a negative verdict, 2 bad input or usage, 3 an internal or environment failure. */
#ifndef ZBP_CLI_H
#define ZBP_CLI_H

#include "field/status.h"

enum { EXIT_VERDICT_NO = 1, EXIT_BAD_INPUT = 2, EXIT_INTERNAL = 3 };

/* exit.c: a status to the exit status, the only such mapping: ZBP_OK 0; ZBP_ERR_INPUT, _RANGE and
 * _UNSUPPORTED (the caller's input or request) 2; ZBP_ERR_NOMEM, _IO, _ENV and _INTERNAL (the
 * machine or its environment) 3. A negative verdict (1) is not a status: each command says it. */
int cli_exit_status(zbp_status st);

int cmd_bench(int argc, char **argv);
int cmd_bench_ntt(int argc, char **argv); /* `bench ntt` (cmd_bench_ntt.c); argv[0] is "ntt" */
int cmd_bench_msm(int argc, char **argv); /* `bench msm` (cmd_bench_msm.c); argv[0] is "msm" */
int cmd_version(int argc, char **argv);
int cmd_info(int argc, char **argv); /* `info <file>`: dispatches on the file's type */
int cmd_export_vk(int argc, char **argv); /* `export-vk <zkey> <vk.json>` */
int cmd_setup(int argc, char **argv); /* `setup --insecure-dev <r1cs> <zkey>` (cmd_setup.c) */
int cmd_prove(int argc, char **argv);     /* `prove <zkey> <wtns> <proof> <public>` */
int cmd_verify_proof(int argc, char **argv); /* `verify`: Groth16 proofs (cmd_verify.c) */
/* cmd_attest.c: `attest report|certificates|verify|kds-url|info`; `info` on an SNP report. */
int cmd_attest(int argc, char **argv);
int cmd_info_report(const char *path);
/* The job loop (job/): `serve` (cmd_serve.c), `seal` (cmd_seal.c), `check-bundle`
 * (cmd_check_bundle.c). */
int cmd_serve(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_check_bundle(int argc, char **argv);
/* The witness (witness/): `wtns calculate|compile` (cmd_wtns.c), `fullprove` (cmd_fullprove.c).
 * Both take the witness options of cli_witness_opts (cli/opts.h's table, keys K_WITNESS_SO..):
 * cli_witness_option handles one (0 taken, 1 not a witness option, else an exit status after one
 * line). */
int cmd_wtns(int argc, char **argv);
int cmd_fullprove(int argc, char **argv);
struct zbp_witness_opts;
enum { K_WITNESS_SO = 256 + 64, K_CACHE_DIR, K_MEMORY_LIMIT, K_TIME_LIMIT, K_QUIET_LOG };
int cli_witness_option(struct zbp_witness_opts *o, int key, const char *value);

/* main.c: the program called as `prover` (a link installed beside zbprover) is rapidsnark's
 * CLI: `prover <circuit.zkey> <witness.wtns> <proof.json> <public.json>` (cmd_rapidsnark.c). */
int cmd_rapidsnark_prover(int argc, char **argv);

/* progress.c: a progress line on stderr while long work runs: on a terminal only, shown once the
 * work has run delay_ms (ZBP_PROGRESS=1 or 0 overrides: a line per step even off a terminal, or
 * nothing). _start returns NULL when nothing is to be shown; every call accepts NULL. _stop clears
 * the line: call it before printing results or errors. */
typedef struct cli_progress cli_progress_t;
cli_progress_t *cli_progress_start(const char *label, unsigned delay_ms);
void cli_progress_step(cli_progress_t *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_progress_phase_cb(void *progress, const char *phase); /* zbp_prove_opts_t's hook */
void cli_progress_stop(cli_progress_t *p);
void cli_progress_clear(void); /* clears a shown line (cli_error calls it) */

/* Prints "zbprover: <message>" as one line on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
