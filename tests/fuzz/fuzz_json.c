/* fuzz_json.c: the JSON reader on arbitrary bytes, with tight limits so that deep or large inputs
 * take the limit paths; every lookup helper then walks the tree it returned. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "field/field.h"
#include "prover/json.h"

static size_t walk(const json_value_t *v, int depth) {
    size_t n = 1;
    uint64_t u;
    (void)json_get_u64(v, &u);
    (void)json_type_name(v->type);
    if (v->type == JSON_STRING) n += strlen(v->u.str) <= v->len;
    if (v->type == JSON_ARRAY)
        for (size_t i = 0; i < v->len; i++) n += walk(json_at(v, i), depth + 1);
    if (v->type == JSON_OBJECT)
        for (size_t i = 0; i < v->len; i++) {
            const json_member_t *m = &v->u.members[i];
            if (json_get(v, m->key) == NULL && strlen(m->key) == m->key_len) __builtin_trap();
            n += walk(&m->value, depth + 1);
        }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    json_doc_t *doc;
    json_error_t err;
    json_limits_t lim = {.max_depth = 32, .max_bytes = 1 << 20, .max_values = 1 << 16};
    if (json_parse(&doc, (const char *)data, size, &lim, &err) == ZBP_OK) {
        walk(json_root(doc), 0);
        json_free(doc);
    } else if (err.offset > size || err.line == 0 || err.column == 0) {
        __builtin_trap(); /* an error position outside the input */
    }
    return 0;
}
