/* fuzz_frame.c: the supervisor's decoders of what a worker sends (job/frame.c), on arbitrary
 * bytes: a header, then a RESULT or JOB body. Whatever a decoder accepts stays inside the input:
 * every part it points to lies within the body, and the lengths add up. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "job/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[256];
    if (size < FRAME_HEADER) return 0;
    uint32_t type;
    uint64_t len;
    if (frame_header_parse(data, 1 << 20, &type, &len, err, sizeof err)) return 0;
    if (len > 1 << 20) __builtin_trap();
    const uint8_t *body = data + FRAME_HEADER;
    size_t n = size - FRAME_HEADER < len ? size - FRAME_HEADER : (size_t)len;
    frame_result_t r;
    if (frame_result_parse(body, n, &r, err, sizeof err) == 0) {
        const char *lo = (const char *)body, *hi = lo + n;
        if (r.msg < lo || r.msg + r.msg_len > hi || r.proof + r.proof_len > hi ||
            r.pub + r.pub_len > hi || FRAME_RESULT_HEAD + r.msg_len + r.proof_len + r.pub_len != n)
            __builtin_trap();
        if (memchr(r.msg, 0, r.msg_len) || (r.code == 0 && !r.proof_len)) __builtin_trap();
        size_t dl = strnlen(r.device, sizeof r.device);
        if (dl == sizeof r.device || strspn(r.device, "abcdefghijklmnopqrstuvwxyz0123456789:") != dl)
            __builtin_trap();
    }
    uint32_t kind;
    const uint8_t *p;
    size_t pl;
    if (frame_job_parse(body, n, &kind, &p, &pl, err, sizeof err) == 0 &&
        (p != body + 8 || pl != n - 8 || (kind != FRAME_JOB_WTNS && kind != FRAME_JOB_INPUT)))
        __builtin_trap();
    return 0;
}
