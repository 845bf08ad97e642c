/* fuzz_witness_input.c: the witness input reader (witness/input.c) on arbitrary bytes: parsing and
 * reducing every value mod BN254's r must return a status, never crash, read out of bounds or
 * spin; every failure names what is wrong; every value accepted is below r. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "witness/witness.h"

static const uint32_t R[8] = {0xf0000001, 0x43e1f593, 0x79b97091, 0x2833e848,
                              0x8181585d, 0xb85045b6, 0xe131a029, 0x30644e72};

static int below_r(const uint32_t *v) {
    for (int i = 7; i >= 0; i--)
        if (v[i] != R[i]) return v[i] < R[i];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[700] = "";
    zbp_witness_input_t in;
    if (zbp_witness_input_parse(&in, (const char *)data, size, "fuzz.json", err, sizeof err) != ZBP_OK) {
        if (!err[0]) abort();
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < in.n_signals; i++) {
        const zbp_witness_signal_t *s = &in.signals[i];
        total += s->n_values;
        if (s->n_values > (1u << 20)) continue;
        uint32_t *v = malloc((s->n_values + 1) * 8 * sizeof *v);
        if (!v) break;
        err[0] = 0;
        if (zbp_witness_input_values(s, R, 8, v, "fuzz.json", err, sizeof err) == ZBP_OK) {
            for (size_t k = 0; k < s->n_values; k++)
                if (!below_r(v + 8 * k)) abort();
        } else if (!err[0]) {
            abort();
        }
        free(v);
        if (zbp_witness_fnv1a(s->name, strlen(s->name)) != ((uint64_t)s->h_msb << 32 | s->h_lsb)) abort();
    }
    if (total != in.n_values) abort();
    zbp_witness_input_free(&in);
    return 0;
}
