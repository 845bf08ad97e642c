/* status.c: the one place where a status (field/status.h) becomes a code of the job room: an
 * answer's protocol code, or job_bundle_verify's 0/2/3. */
#include "job/job_int.h"

/* The caller's input (or request), as cli_exit_status also classes it. */
static int is_input(zbp_status st) {
    return st == ZBP_ERR_INPUT || st == ZBP_ERR_RANGE || st == ZBP_ERR_UNSUPPORTED;
}

int job_code_of(zbp_status st, int bad_input) {
    return st == ZBP_OK ? JOB_OK : is_input(st) ? bad_input : JOB_INTERNAL;
}

int job_bundle_code_of(zbp_status st) {
    return st == ZBP_OK ? 0 : is_input(st) ? 2 : 3;
}
