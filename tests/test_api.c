/* test_api.c: the public C API (include/zbprover.h) as a linking program uses it: prove from
 * memory into caller buffers, the buffer-size protocol, and errors with messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "testutil.h"
#include "zbprover.h"

Test(api, prove_from_memory) {
    size_t zl, wl, pl_want;
    void *z = test_fixture("many_public", "circuit.zkey", &zl);
    void *w = test_fixture("many_public", "witness.wtns", &wl);
    char *want_pub = test_fixture("many_public", "public.json", &pl_want);
    char proof[ZBPROVER_PROOF_JSON_MAX], err[256];
    char small[8];
    size_t plen = sizeof proof, ulen = sizeof small;
    /* too small: nothing proved, the sizes say what is needed */
    int rc = zbprover_prove(z, zl, w, wl, proof, &plen, small, &ulen, NULL, err, sizeof err);
    cr_assert_eq(rc, ZBPROVER_ERR_BUFFER, "%s", err);
    cr_assert(ulen > sizeof small && plen == ZBPROVER_PROOF_JSON_MAX);
    char *pub = malloc(ulen);
    zbprover_options_t o = {.threads = 2};
    rc = zbprover_prove(z, zl, w, wl, proof, &plen, pub, &ulen, &o, err, sizeof err);
    cr_assert_eq(rc, ZBPROVER_OK, "%s", err);
    cr_assert_eq(strlen(proof), plen);
    cr_assert_str_eq(pub, want_pub, "public.json differs from snarkjs's");
    cr_assert(strstr(proof, "\"protocol\": \"groth16\""));
    /* the text verifies with snarkjs's key */
    cr_assert(test_proof_verifies("many_public", proof, plen, pub, ulen));
    free(pub);
    free(want_pub);
    free(z);
    free(w);
}

Test(api, errors_name_the_input) {
    size_t zl, wl;
    void *z = test_fixture("multiplier", "circuit.zkey", &zl);
    void *w = test_fixture("poseidon", "witness.wtns", &wl);
    char proof[ZBPROVER_PROOF_JSON_MAX], pub[4096], err[256];
    size_t plen = sizeof proof, ulen = sizeof pub;
    int rc = zbprover_prove(z, zl, w, wl, proof, &plen, pub, &ulen, NULL, err, sizeof err);
    cr_assert_eq(rc, ZBPROVER_ERR_INPUT);
    cr_assert(strstr(err, "wtns") && strstr(err, "values"), "%s", err);
    rc = zbprover_prove(z, zl / 2, w, wl, proof, &plen, pub, &ulen, NULL, err, sizeof err);
    cr_assert_eq(rc, ZBPROVER_ERR_INPUT);
    cr_assert(strstr(err, "zkey") && strstr(err, "truncated"), "%s", err);
    rc = zbprover_prove(z, zl, w, wl, NULL, NULL, pub, &ulen, NULL, err, sizeof err);
    cr_assert_eq(rc, ZBPROVER_ERR_INPUT);
    cr_assert(strchr(zbprover_version(), (int)'.'), "version: %s", zbprover_version());
    free(z);
    free(w);
}
