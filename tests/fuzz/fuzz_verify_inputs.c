/* fuzz_verify_inputs.c: the verifier's readers and the verification itself on arbitrary JSON. The
 * input is one object {"vk": ..., "public": ..., "proof": ...}; each part goes through its reader,
 * and when all three are accepted the proof is verified (a verdict either way, never a crash). */
#include <stdint.h>
#include <stdlib.h>

#include "prover/prover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_t *doc;
    zbp_json_error_t jerr;
    zbp_json_limits_t lim = {.max_depth = 16, .max_bytes = 1 << 20, .max_values = 1 << 14};
    if (zbp_json_parse(&doc, (const char *)data, size, &lim, &jerr) != ZBP_OK) return 0;
    const json_t *root = doc;
    char err[256];
    groth16_vk_t vk;
    groth16_proof_t proof;
    fr_t *pub = NULL;
    size_t n = 0;
    int vk_ok = groth16_vk_from_json(&vk, json_object_get(root, "vk"), err, sizeof err) == ZBP_OK;
    int proof_ok = groth16_proof_from_json(&proof, json_object_get(root, "proof"), err, sizeof err) == ZBP_OK;
    int pub_ok = groth16_public_from_json(&pub, &n, json_object_get(root, "public"), err, sizeof err) == ZBP_OK;
    /* the readers on the wrong kind of document must refuse cleanly too */
    groth16_vk_t vk2;
    if (groth16_vk_from_json(&vk2, root, err, sizeof err) == ZBP_OK) groth16_vk_free(&vk2);
    zbp_status_ignore(groth16_proof_from_json(&proof, root, err, sizeof err));
    if (vk_ok && proof_ok && pub_ok) {
        int valid;
        zbp_status_ignore(groth16_verify(&vk, &proof, pub, n, &valid));
    }
    if (vk_ok) groth16_vk_free(&vk);
    free(pub);
    json_decref(doc);
    return 0;
}
