/* fuzz_field_parse.c: the field's parsers (decimal strings and 32-byte encodings). Whatever the
 * input, they return a status; what they accept must print back to exactly the same text/bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char out[80];
    fq_t q;
    fr_t r;
    if (fq_from_dec(&q, (const char *)data, size) == ZBP_OK) {
        fq_to_dec(out, &q);
        if (strlen(out) != size || memcmp(out, data, size)) abort();
    }
    if (fr_from_dec(&r, (const char *)data, size) == ZBP_OK) {
        fr_to_dec(out, &r);
        if (strlen(out) != size || memcmp(out, data, size)) abort();
    }
    if (size >= 32) {
        uint8_t back[32];
        if (fq_from_bytes_le(&q, data) == ZBP_OK) {
            fq_to_bytes_le(back, &q);
            if (memcmp(back, data, 32)) abort();
        }
        if (fr_from_bytes_be(&r, data) == ZBP_OK) {
            fr_to_bytes_be(back, &r);
            if (memcmp(back, data, 32)) abort();
        }
    }
    return 0;
}
