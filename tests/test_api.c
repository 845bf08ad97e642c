/* test_api.c: the public C API (include/zbprover.h) as a linking program uses it: prove from
 * memory into caller buffers, the buffer-size protocol, and errors with messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "testutil.h"
#include "zbprover.h"

static void *slurp(const char *circuit, const char *file, size_t *len) {
    const char *d = test_env_dir("ZBP_TEST_DATA");
    if (!d) cr_skip_test("ZBP_TEST_DATA is not set");
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/%s/%s", d, circuit, file);
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    void *b = malloc(*len + 1);
    cr_assert(fread(b, 1, *len, f) == *len);
    fclose(f);
    ((char *)b)[*len] = 0;
    return b;
}

Test(api, prove_from_memory) {
    size_t zl, wl, pl_want;
    void *z = slurp("many_public", "circuit.zkey", &zl);
    void *w = slurp("many_public", "witness.wtns", &wl);
    char *want_pub = slurp("many_public", "public.json", &pl_want);
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
    size_t vl;
    char *vk = slurp("many_public", "verification_key.json", &vl);
    json_doc_t *dv, *dp, *du;
    json_error_t je;
    cr_assert_eq(json_parse(&dv, vk, vl, NULL, &je), ZBP_OK);
    cr_assert_eq(json_parse(&dp, proof, plen, NULL, &je), ZBP_OK);
    cr_assert_eq(json_parse(&du, pub, ulen, NULL, &je), ZBP_OK);
    groth16_vk_t key;
    groth16_proof_t pr;
    fr_t *sig;
    size_t n;
    cr_assert_eq(groth16_vk_from_json(&key, json_root(dv), err, sizeof err), ZBP_OK);
    cr_assert_eq(groth16_proof_from_json(&pr, json_root(dp), err, sizeof err), ZBP_OK);
    cr_assert_eq(groth16_public_from_json(&sig, &n, json_root(du), err, sizeof err), ZBP_OK);
    int valid = 0;
    cr_assert_eq(groth16_verify(&key, &pr, sig, n, &valid), ZBP_OK);
    cr_assert(valid);
    free(sig);
    groth16_vk_free(&key);
    json_free(dv);
    json_free(dp);
    json_free(du);
    free(vk);
    free(pub);
    free(want_pub);
    free(z);
    free(w);
}

Test(api, errors_name_the_input) {
    size_t zl, wl;
    void *z = slurp("multiplier", "circuit.zkey", &zl);
    void *w = slurp("poseidon", "witness.wtns", &wl);
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
