/* fuzz_ticket.c: the ticket reader and verifier on arbitrary JSON text: a parsed ticket's fields
 * stay in their bounds, and verification with a fixed Ed25519 hub key never accepts a mutation of
 * the one signed ticket in the seeds (tickets/vector). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "job/job.h"

/* The public key of ../shared/vectors/binding/ticket-ed25519.json. */
static const char pem[] = "-----BEGIN PUBLIC KEY-----\n"
                          "MCowBQYDK2VwAyEAKay64UG8yvCyLhqU000LxzYeUm0L/hLIl5S8kyKWbdc=\n"
                          "-----END PUBLIC KEY-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static job_hubkey_t *k;
    char err[256];
    if (!k && job_hubkey_from_pem(&k, pem, sizeof pem - 1, err, sizeof err)) __builtin_trap();
    json_t *d;
    zbp_json_limits_t lim = {.max_depth = 8, .max_bytes = 1 << 16, .max_values = 256};
    if (zbp_json_parse(&d, (const char *)data, size, &lim, NULL)) return 0;
    job_ticket_t t;
    if (job_ticket_from_json(&t, d, err, sizeof err) == JOB_OK) {
        if (t.id_len < JOB_TICKET_ID_MIN || t.id_len > JOB_TICKET_ID_MAX ||
            t.sig_len > JOB_TICKET_SIG_MAX)
            __builtin_trap();
        int rc = job_ticket_check(k, &t, 1893456000, err, sizeof err);
        if (rc != JOB_OK && rc != JOB_BAD_TICKET && rc != JOB_EXPIRED_TICKET) __builtin_trap();
        /* Only the vector's exact fields verify. */
        static const uint8_t id0[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
        if (rc == JOB_OK && (t.id_len != 16 || memcmp(t.id, id0, 16) || t.expires != 1893456000))
            __builtin_trap();
    }
    json_decref(d);
    return 0;
}
