/* fuzz_zkey.c: the .zkey reader on arbitrary bytes: it must return a status, never crash or read
 * outside the buffer; what it accepts must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>

#include "prover/prover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512] = "";
    zbp_zkey_t x;
    if (zbp_zkey_from_memory(&x, data, size, "fuzz.zkey", err, sizeof err) == ZBP_OK) {
        /* accepted: the sections it points at lie inside the buffer, and the key can be exported */
        if (x.a < data || x.h + (size_t)x.domain_size * 64 > data + size) abort();
        char *text;
        size_t len;
        int st = zbp_vk_json(&text, &len, &x);
        if (st == ZBP_OK) free(text);
        zbp_status_ignore(zbp_zkey_check_points(&x, err, sizeof err));
        zbp_zkey_close(&x);
    } else if (!err[0]) {
        abort(); /* every failure names what is wrong */
    }
    return 0;
}
