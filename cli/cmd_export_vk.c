/* cmd_export_vk.c: `zbprover export-vk <circuit.zkey> <verification_key.json>`: the same JSON as
 * `snarkjs zkey export verificationkey`, byte for byte. */
#include <stdio.h>

#include "cli/cli.h"
#include "prover/prover.h"

int cmd_export_vk(int argc, char **argv) {
    if (argc != 3) {
        cli_error("usage: zbprover export-vk <circuit.zkey> <verification_key.json>");
        return EXIT_BAD_INPUT;
    }
    char err[512];
    zbp_zkey_t z;
    int st = zbp_zkey_open(&z, argv[1], err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
    }
    st = zbp_write_vk_json(argv[2], &z, err, sizeof err);
    zbp_zkey_close(&z);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return st == ZBP_ERR_NOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
    }
    return 0;
}
