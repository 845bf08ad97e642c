/* cmd_export_vk.c: `zbprover export-vk <circuit.zkey> <verification_key.json>`: the same JSON as
 * `snarkjs zkey export verificationkey`, byte for byte. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "prover/prover.h"

static const cli_cmd_t export_vk_cmd = {
    "export-vk", "<circuit.zkey> <verification_key.json>",
    "The same JSON as `snarkjs zkey export verificationkey`.", {NULL}, 2, 2};

int cmd_export_vk(int argc, char **argv) {
    int first = 0, rc = cli_parse(&export_vk_cmd, argc, argv, NULL, NULL, &first);
    if (rc) return cli_exit(rc);
    argv += first - 1; /* argv[1], argv[2]: the two files */
    char err[512];
    zbp_zkey_t z;
    int st = zbp_zkey_open(&z, argv[1], err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    st = zbp_write_vk_json(argv[2], &z, err, sizeof err);
    zbp_zkey_close(&z);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    return 0;
}
