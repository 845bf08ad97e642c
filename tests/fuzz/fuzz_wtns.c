/* fuzz_wtns.c: the .wtns reader on arbitrary bytes: it must return a status, never crash or read
 * outside the buffer; what it accepts must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>

#include "prover/prover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512] = "";
    zbp_wtns_t x;
    if (zbp_wtns_from_memory(&x, data, size, "fuzz.wtns", err, sizeof err) == ZBP_OK) {
        if (x.n_witness && x.values + (size_t)x.n_witness * 32 > data + size) abort();
        zbp_wtns_close(&x);
    } else if (!err[0]) {
        abort(); /* every failure names what is wrong */
    }
    return 0;
}
