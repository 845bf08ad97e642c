/* fuzz_job_request.c: the job loop's request parser on arbitrary lines: every field it returns is
 * walked, and a failed parse must still leave a request that frees cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "job/job.h"

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
            if (job_b64_decoded_max(r.wtns_len) <= sizeof buf)
                (void)job_b64_decode(buf, &n, r.wtns, r.wtns_len);
        }
        if (r.wsrc == JOB_WTNS_SEALED && r.sealed.ct_b64_len < 24) __builtin_trap();
    }
    if (r.has_ticket) {
        uint8_t msg[JOB_TICKET_MSG_MAX];
        if (job_ticket_message(msg, &r.ticket) > sizeof msg) __builtin_trap();
    }
    job_request_free(&r);
    return 0;
}
