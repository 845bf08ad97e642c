/* cmd_rapidsnark.c: the program run under the name `prover` behaves as rapidsnark's `prover`:
 * `prover <circuit.zkey> <witness.wtns> <proof.json> <public.json>`, proof and public signals in
 * rapidsnark's compact JSON, nothing on stdout, "Error: ..." on stderr and exit status 1 for any
 * failure. docs/rapidsnark.md lists what differs (both files or neither, a witness that does not
 * satisfy the circuit refused, --help). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "prover/util.h"
#include "prover/prover.h"

static const char RS_USAGE[] = "Usage: prover <circuit.zkey> <witness.wtns> <proof.json> <public.json>\n";

static int rs_fail(const char *msg) {
    fprintf(stderr, "Error: %s\n", msg);
    return EXIT_FAILURE; /* rapidsnark's one failure status */
}

/* Proves and renders both texts; the witness and key are closed by the caller. */
static int rs_prove(char **ptext, size_t *plen, char **utext, size_t *ulen, const zbp_zkey_t *z,
                    const zbp_wtns_t *w, char *err, size_t errlen) {
    if (w->n_witness != z->n_vars) {
        snprintf(err, errlen, "%s: %u values, but the circuit of %s has %u variables",
                 w->file.name, w->n_witness, z->file.name, z->n_vars);
        return -1;
    }
    zbp_proof_t proof;
    if (zbp_groth16_prove(&proof, z, w, NULL, NULL, err, errlen) != ZBP_OK) return -1;
    int st = zbp_proof_json_compact(ptext, plen, &proof);
    if (st == ZBP_OK) st = zbp_public_json_compact(utext, ulen, proof.pub, proof.n_public);
    zbp_proof_free(&proof);
    if (st != ZBP_OK) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int cmd_rapidsnark_prover(int argc, char **argv) {
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(RS_USAGE, stdout);
        puts("zbprover, run as rapidsnark's prover (see `zbprover --help` for its own commands)");
        return 0;
    }
    if (argc != 5) {
        fputs("Invalid number of parameters\n", stderr);
        fputs(RS_USAGE, stderr);
        return EXIT_FAILURE;
    }
    char err[1024] = "";
    zbp_zkey_t z;
    zbp_wtns_t w;
    if (zbp_zkey_open(&z, argv[1], err, sizeof err) != ZBP_OK) return rs_fail(err);
    if (zbp_wtns_open(&w, argv[2], err, sizeof err) != ZBP_OK) {
        zbp_zkey_close(&z);
        return rs_fail(err);
    }
    char *ptext = NULL, *utext = NULL;
    size_t plen = 0, ulen = 0;
    int rc = rs_prove(&ptext, &plen, &utext, &ulen, &z, &w, err, sizeof err);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
    if (rc == 0) {
        /* Both files or neither: a public.json that cannot be written takes proof.json with it. */
        if (zbp_write_file_atomic(argv[3], ptext, plen) != 0) {
            snprintf(err, sizeof err, "%s: cannot write: %s", argv[3], strerror(errno));
            rc = -1;
        } else if (zbp_write_file_atomic(argv[4], utext, ulen) != 0) {
            snprintf(err, sizeof err, "%s: cannot write: %s", argv[4], strerror(errno));
            unlink(argv[3]);
            rc = -1;
        }
    }
    free(ptext);
    free(utext);
    return rc == 0 ? EXIT_SUCCESS : rs_fail(err);
}
