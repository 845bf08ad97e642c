/* status.c: the one message formatter and the errno classes (status.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "field/status.h"

zbp_status zbp_fail(char *err, size_t errlen, zbp_status status, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

zbp_status zbp_status_of_errno(int e) {
    switch (e) {
    case ENOENT:
    case ENOTDIR:
    case EISDIR:
    case EACCES:
    case EPERM:
    case ENAMETOOLONG:
    case ELOOP:
    case EROFS: return ZBP_ERR_INPUT;
    case ENOMEM: return ZBP_ERR_NOMEM;
    default: return ZBP_ERR_IO;
    }
}

#ifdef ZBP_CHECK_INVARIANTS
#include <stdlib.h>
void zbp_invariant_failed(const char *file, int line, const char *cond) {
    fprintf(stderr, "zbprover: invariant broken at %s:%d: %s\n", file, line, cond);
    abort();
}
#endif

const char *zbp_status_name(zbp_status status) {
    static const char *const names[] = {"ok", "input", "range", "nomem", "unsupported",
                                        "io", "environment", "internal"};
    return (unsigned)status < sizeof names / sizeof names[0] ? names[status] : "internal";
}
