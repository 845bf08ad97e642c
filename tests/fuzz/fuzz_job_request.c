/* fuzz_job_request.c: the job loop's request parser on arbitrary lines: every field it returns is
 * walked, and a failed parse must still leave a request that frees cleanly. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "job/job.h"
#include "witness/witness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    job_request_t r;
    char err[512];
    int rc = job_request_parse(&r, (const char *)data, size, err, sizeof err);
    if (rc != JOB_OK && rc != JOB_BAD_REQUEST && rc != JOB_BAD_TICKET) __builtin_trap();
    if (r.id && (r.id_len == 0 || r.id_len > JOB_ID_MAX || strlen(r.id) != r.id_len))
        __builtin_trap();
    if (rc == JOB_OK && r.op == JOB_OP_PROVE) {
        if (!r.zkey || !*r.zkey || r.wsrc == JOB_WTNS_NONE) __builtin_trap();
        if (r.wsrc == JOB_WTNS_B64) { /* decode what the server would decode */
            uint8_t buf[4096];
            size_t n;
            if (zbp_b64_decoded_max(r.wtns_len) <= sizeof buf)
                (void)zbp_b64_decode(buf, &n, r.wtns, r.wtns_len);
        }
        if ((r.wsrc == JOB_WTNS_SEALED || r.wsrc == JOB_WTNS_SEALED_INPUT) &&
            r.sealed.ct_b64_len < 24)
            __builtin_trap();
        bool from_input = r.wsrc == JOB_WTNS_INPUT || r.wsrc == JOB_WTNS_SEALED_INPUT;
        if (from_input != (r.wasm != NULL) || (from_input && !*r.wasm)) __builtin_trap();
        if (r.wsrc == JOB_WTNS_INPUT) { /* read the input as the loop does, mod BN254's r */
            if (!r.input || !json_is_object(r.input)) __builtin_trap();
            static const uint32_t p[8] = {0xf0000001, 0x43e1f593, 0x79b97091, 0x2833e848,
                                          0x8181585d, 0xb85045b6, 0xe131a029, 0x30644e72};
            zbp_witness_input_t in;
            if (zbp_witness_input_from_value(&in, r.input, "input", err, sizeof err) == 0) {
                for (size_t i = 0; i < in.n_signals; i++) {
                    uint32_t v[8 * 64];
                    if (in.signals[i].n_values <= 64)
                        zbp_status_ignore(zbp_witness_input_values(&in.signals[i], p, 8, v,
                                                                   "input", err, sizeof err));
                }
                zbp_witness_input_free(&in);
            }
        }
    }
    if (r.has_ticket) {
        uint8_t msg[JOB_TICKET_MSG_MAX];
        if (job_ticket_message(msg, &r.ticket) > sizeof msg) __builtin_trap();
    }
    job_request_free(&r);
    return 0;
}
