/* fuzz_r1cs.c: the .r1cs reader on arbitrary bytes: it must return a status, never crash or read
 * outside the buffer; what it accepts must be self-consistent. */
#include <stdint.h>
#include <stdlib.h>

#include "prover/prover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512] = "";
    zbp_r1cs_t x;
    if (zbp_r1cs_from_memory(&x, data, size, "fuzz.r1cs", err, sizeof err) == ZBP_OK) {
        if (x.constraints + x.constraints_size > data + size) abort();
        zbp_r1cs_close(&x);
    } else if (!err[0]) {
        abort(); /* every failure names what is wrong */
    }
    return 0;
}
