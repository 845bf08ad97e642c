/* opts.h: inside the cli room: each command declares its options once, in a table that gives
 * getopt_long its options and the usage text its lines, so the two cannot drift apart. */
#ifndef ZBP_CLI_OPTS_H
#define ZBP_CLI_OPTS_H

#include <stdio.h>

/* One option. key is what the command's handler receives: a letter (also accepted as the short
 * option -<letter>) or any value from CLI_KEY0 up. arg names the value ("N", "HEX"); NULL for a
 * flag. An entry with no name and a help line is a heading; an entry with neither ends a table. */
typedef struct {
    const char *name; /* long name, without "--" */
    int key;
    const char *arg;
    const char *help; /* one line; longer help goes in the command's about text */
} cli_opt_t;

#define CLI_KEY0 256
#define CLI_HEADING(text) {NULL, 0, NULL, text}
#define CLI_END {NULL, 0, NULL, NULL}

typedef struct {
    const char *name;         /* as typed after "zbprover": "attest verify" */
    const char *args;         /* the synopsis after the name, e.g. "<report.bin> --certs DIR" */
    const char *about;        /* lines printed under the synopsis, or NULL */
    const cli_opt_t *opts[4]; /* the command's tables (its own, then shared ones); NULL-ended */
    int min_args, max_args;   /* positional arguments; max -1: any number */
} cli_cmd_t;

/* The command's handler for one option: 0 to go on, or an exit status after printing one line
 * (cli_error). */
typedef int (*cli_opt_fn)(void *ctx, int key, const char *value);

#define CLI_HELP (-1) /* cli_parse printed the usage for -h/--help: exit 0 */

/* Parses argv (argv[0]: the command's last word) with getopt_long over cmd's tables, options
 * and positional arguments in any order ("--" ends the options). Each option goes to fn; the
 * positional arguments end up in argv[*first .. argc). Returns 0, CLI_HELP (the usage is on
 * stdout), or EXIT_BAD_INPUT after one line on stderr (an unknown option, a missing value, the
 * wrong number of arguments), or fn's non-zero status. */
int cli_parse(const cli_cmd_t *cmd, int argc, char **argv, cli_opt_fn fn, void *ctx, int *first);
/* The usage text: synopsis, about, every option of every table. */
void cli_usage(FILE *f, const cli_cmd_t *cmd);
/* The exit status for cli_parse's result: 0 for CLI_HELP, else rc. */
static inline int cli_exit(int rc) { return rc == CLI_HELP ? 0 : rc; }

/* A decimal in lo..hi. 0, or -1. */
int cli_parse_int(const char *s, long long lo, long long hi, long long *out);
/* An option's decimal value in lo..hi into *out: 0, or EXIT_BAD_INPUT after one line naming the
 * command, the option and the range. */
int cli_int_opt(const char *cmd, const char *opt, const char *v, long long lo, long long hi,
                long long *out);

/* A command whose options are subcommands (attest, bench): the subcommand named by argv[1] is
 * run as fn(argc - 1, argv + 1); -h/--help or `help` print the list (stdout, exit 0); none or an
 * unknown one is one line and exit 2. */
typedef struct {
    const char *name; /* "verify" */
    int (*fn)(int argc, char **argv);
    const char *summary; /* one line */
} cli_sub_t;
int cli_dispatch(const char *cmd, const char *about, const cli_sub_t *subs, size_t n, int argc,
                 char **argv);

/* The witness program's options (cmd_wtns.c), shared by `wtns calculate` and `fullprove`. */
extern const cli_opt_t cli_witness_opts[];

#endif
