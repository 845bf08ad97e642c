/* exit.c: the one place where a status (field/status.h) becomes the process's exit status; the
 * README's table ("Exit status") says the same. */
#include "cli/cli.h"

int cli_exit_status(zbp_status st) {
    switch (st) {
    case ZBP_OK: return 0;
    case ZBP_ERR_INPUT:
    case ZBP_ERR_RANGE:
    case ZBP_ERR_UNSUPPORTED: return EXIT_BAD_INPUT;
    case ZBP_ERR_NOMEM:
    case ZBP_ERR_IO:
    case ZBP_ERR_ENV:
    case ZBP_ERR_INTERNAL: break;
    }
    return EXIT_INTERNAL;
}
