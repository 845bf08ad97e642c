/* fuzz_json.c: the JSON module (prover/json.h over jansson) on arbitrary bytes, with tight limits
 * so that deep or large inputs take the limit paths; every accessor then walks the tree, and what
 * parses is written by both writers and read back to the same tree. The base64 and hex decoders
 * (prover/util.h) take the same bytes: canonical base64 must encode back to its text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "prover/json.h"
#include "prover/util.h"

static size_t walk(const json_t *v, int depth) {
    size_t n = 1, len;
    uint64_t u;
    (void)zbp_json_get_u64(v, &u);
    (void)zbp_json_type_name(v);
    if (json_is_real(v)) __builtin_trap(); /* numbers are integers or exact texts */
    const char *t = zbp_json_number_text(v, &len);
    if (t && (len == 0 || strlen(t) != len)) __builtin_trap();
    if (zbp_json_str(v, &len) && zbp_json_number_text(v, NULL)) __builtin_trap();
    if (json_is_array(v))
        for (size_t i = 0; i < json_array_size(v); i++) n += walk(json_array_get(v, i), depth + 1);
    if (json_is_object(v)) {
        const char *key;
        json_t *m;
        json_object_foreach((json_t *)v, key, m) {
            if (json_object_get(v, key) != m) __builtin_trap();
            n += walk(m, depth + 1);
        }
    }
    return n;
}

static void codecs(const uint8_t *data, size_t size) {
    uint8_t *out = malloc(size / 2 + size / 4 * 3 + 1);
    if (!out) return;
    size_t n;
    if (zbp_b64_decode(out, &n, (const char *)data, size) == 0) {
        char *again = zbp_b64_encode(out, n);
        if (!again || strlen(again) != size || memcmp(again, data, size)) __builtin_trap();
        free(again);
    }
    if (zbp_hex_decode(out, size / 2, &n, (const char *)data, size) == 0) {
        char *again = malloc(2 * n + 1);
        zbp_hex_encode(again, out, n);
        for (size_t i = 0; i < size; i++)
            if (again[i] != (data[i] | (data[i] >= 'A' ? 0x20 : 0))) __builtin_trap();
        free(again);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_t *doc;
    zbp_json_error_t err;
    zbp_json_limits_t lim = {.max_depth = 32, .max_bytes = 1 << 20, .max_values = 1 << 16};
    codecs(data, size);
    if (zbp_json_parse(&doc, (const char *)data, size, &lim, &err) == ZBP_OK) {
        walk(doc, 0);
        /* both writers' texts read back to the same tree (exact numbers are strings to jansson) */
        char *texts[2] = {zbp_json_dump_snarkjs(doc, NULL), zbp_json_dump_compact(doc, NULL)};
        for (int k = 0; k < 2; k++) {
            if (!texts[k]) __builtin_trap();
            json_t *back = json_loads(texts[k], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            if (!back || !json_equal(back, doc)) __builtin_trap();
            json_decref(back);
            free(texts[k]);
        }
        json_decref(doc);
    } else if (err.offset > size || err.line == 0 || err.column == 0) {
        __builtin_trap(); /* an error position outside the input */
    }
    return 0;
}
