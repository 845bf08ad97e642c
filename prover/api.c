/* api.c: include/zbprover.h, the public C API, over the prover room's readers and prover. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "prover/readers_int.h"
#include "zbp_config.h"
#include "zbprover.h"

const char *zbprover_version(void) { return ZBP_VERSION; }

/* A failure's status to the public code, with the classes of cli_exit_status (cli/exit.c). */
static int to_api(zbp_status st) {
    return st == ZBP_ERR_INPUT || st == ZBP_ERR_RANGE || st == ZBP_ERR_UNSUPPORTED
               ? ZBPROVER_ERR_INPUT
               : ZBPROVER_ERR_INTERNAL;
}

int zbprover_prove(const void *zkey, size_t zkey_len, const void *wtns, size_t wtns_len,
                   char *proof_json, size_t *proof_len, char *public_json, size_t *public_len,
                   const zbprover_options_t *opts, char *err, size_t err_len) {
    if (err && err_len) err[0] = 0;
    if (!proof_len || !public_len || (!proof_json && *proof_len) || (!public_json && *public_len)) {
        zbp_fail(err, err_len, ZBP_ERR_INPUT, "zbprover_prove: NULL output buffer or size");
        return ZBPROVER_ERR_INPUT;
    }
    zbp_zkey_t z;
    zbp_wtns_t w;
    int st = zbp_zkey_from_memory(&z, zkey, zkey_len, "zkey", err, err_len);
    if (st != ZBP_OK) return to_api(st);
    st = zbp_wtns_from_memory(&w, wtns, wtns_len, "wtns", err, err_len);
    if (st != ZBP_OK) {
        zbp_zkey_close(&z);
        return to_api(st);
    }
    size_t need_pub = 4 + 84 * (size_t)z.n_public;
    if (*proof_len < ZBPROVER_PROOF_JSON_MAX || *public_len < need_pub) {
        zbp_fail(err, err_len, ZBP_ERR_INPUT,
                 "zbprover_prove: output buffers too small: proof needs %d bytes, public %zu",
                 ZBPROVER_PROOF_JSON_MAX, need_pub);
        *proof_len = ZBPROVER_PROOF_JSON_MAX;
        *public_len = need_pub;
        zbp_wtns_close(&w);
        zbp_zkey_close(&z);
        return ZBPROVER_ERR_BUFFER;
    }
    zbp_prove_opts_t o;
    zbp_prove_opts_init(&o);
    if (opts) o.threads = opts->threads;
    /* The device: $ZBP_DEVICE, else the CPU (see zbprover.h). */
    zbp_proof_t p;
    zbp_circuit_t *circ = NULL;
    zbp_profile_t prof;
    st = zbp_circuit_open(&circ, &z, zbp_api_device(), err, err_len);
    if (st == ZBP_OK) {
        st = zbp_circuit_prove(circ, &p, &w, &o, &prof, err, err_len);
        if (prof.device_note[0]) fprintf(stderr, "zbprover: %s\n", prof.device_note);
    } else {
        char why[512];
        snprintf(why, sizeof why, "%s", err ? err : "");
        st = zbp_fail(err, err_len, st == ZBP_ERR_INPUT ? ZBP_ERR_INPUT : ZBP_ERR_IO,
                      "ZBP_DEVICE=%s: %s", zbp_api_device(), why);
    }
    zbp_circuit_free(circ);
    zbp_wtns_close(&w);
    zbp_zkey_close(&z);
    if (st != ZBP_OK) return to_api(st);
    char *pt = NULL, *ut = NULL;
    size_t pl = 0, ul = 0;
    if (zbp_proof_json(&pt, &pl, &p) != ZBP_OK || zbp_public_json(&ut, &ul, &p) != ZBP_OK) {
        free(pt);
        zbp_proof_free(&p);
        zbp_fail(err, err_len, ZBP_ERR_NOMEM, "out of memory");
        return ZBPROVER_ERR_INTERNAL;
    }
    zbp_proof_free(&p);
    /* the bounds above hold by construction; checked anyway so a bug cannot overflow the caller */
    if (pl + 1 > *proof_len || ul + 1 > *public_len) {
        free(pt);
        free(ut);
        zbp_fail(err, err_len, ZBP_ERR_INPUT, "zbprover_prove: internal size bound exceeded");
        return ZBPROVER_ERR_INTERNAL;
    }
    memcpy(proof_json, pt, pl + 1);
    memcpy(public_json, ut, ul + 1);
    *proof_len = pl;
    *public_len = ul;
    free(pt);
    free(ut);
    return ZBPROVER_OK;
}
