/* cmd_verify.c: `zbprover verify <verification_key.json> <public.json> <proof.json>`: the check
 * `snarkjs groth16 verify` makes, on the same files. Exit 0 valid ("OK!" on stdout), 1 invalid,
 * 2 bad input, 3 out of memory. (Named cmd_verify_proof: cmd_attest.c has its own static
 * cmd_verify for `attest verify`.) */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "prover/prover.h"

static const cli_cmd_t verify_cmd = {
    "verify", "<verification_key.json> <public.json> <proof.json>",
    "The check `snarkjs groth16 verify` makes: prints OK! and exits 0, or exits 1 (invalid) or\n"
    "2 (bad input).",
    {NULL}, 3, 3};

int cmd_verify_proof(int argc, char **argv) {
    int first = 0, rc = cli_parse(&verify_cmd, argc, argv, NULL, NULL, &first);
    if (rc) return cli_exit(rc);
    argv += first - 1; /* argv[1..3]: the three files */
    char err[512];
    int valid = 0;
    int st = groth16_verify_files(argv[1], argv[2], argv[3], &valid, err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("verify: %s", err);
        return cli_exit_status(st);
    }
    if (!valid) {
        fputs("Invalid proof\n", stderr);
        return EXIT_VERDICT_NO;
    }
    puts("OK!");
    return 0;
}
