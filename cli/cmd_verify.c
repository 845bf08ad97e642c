/* cmd_verify.c: `zbprover verify <verification_key.json> <public.json> <proof.json>`: the check
 * `snarkjs groth16 verify` makes, on the same files. Exit 0 valid ("OK!" on stdout), 1 invalid,
 * 2 bad input, 3 out of memory. (Named cmd_verify_proof: cmd_attest.c has its own static
 * cmd_verify for `attest verify`.) */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "prover/prover.h"

int cmd_verify_proof(int argc, char **argv) {
    if (argc != 4) {
        cli_error("verify: usage: zbprover verify <verification_key.json> <public.json> <proof.json>");
        return EXIT_BAD_INPUT;
    }
    char err[512];
    int valid = 0;
    int st = groth16_verify_files(argv[1], argv[2], argv[3], &valid, err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("verify: %s", err);
        return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
    }
    if (!valid) {
        fputs("Invalid proof\n", stderr);
        return EXIT_VERDICT_NO;
    }
    puts("OK!");
    return 0;
}
