/* opts.c: the option tables of opts.h: getopt_long's options and the usage text come from one
 * table per command. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"

#define MAX_OPTS 96

static const cli_opt_t help_opt = {"help", 'h', NULL, "this text (also: zbprover help <command>)"};

static void print_opt(FILE *f, const cli_opt_t *o) {
    if (!o->name) {
        fprintf(f, "%s\n", o->help);
        return;
    }
    bool letter = o->key > 0 && o->key < 128;
    char lhs[80];
    int n = snprintf(lhs, sizeof lhs, "  %c%c%s--%s%s%s", letter ? '-' : ' ',
                     letter ? o->key : ' ', letter ? ", " : "  ", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
    /* A long left side gets its help on the next line, aligned with the others. */
    fprintf(f, "%-32s%s%s\n", lhs, n >= 32 ? "\n                                " : "",
            o->help ? o->help : "");
}

void cli_usage(FILE *f, const cli_cmd_t *cmd) {
    fprintf(f, "usage: zbprover %s%s%s\n", cmd->name, cmd->args && *cmd->args ? " " : "",
            cmd->args ? cmd->args : "");
    if (cmd->about && *cmd->about)
        fprintf(f, "%s%s", cmd->about, cmd->about[strlen(cmd->about) - 1] == '\n' ? "" : "\n");
    fputs("\noptions:\n", f);
    print_opt(f, &help_opt);
    for (int t = 0; t < 4 && cmd->opts[t]; t++)
        for (const cli_opt_t *o = cmd->opts[t]; o->name || o->help; o++) print_opt(f, o);
}

/* argv[optind - 1] when it is the long option that failed, else "-c". */
static const char *culprit(char **argv, char *buf, size_t len) {
    const char *a = optind > 0 ? argv[optind - 1] : NULL;
    if (a && a[0] == '-' && a[1] == '-') return a;
    snprintf(buf, len, "-%c", optopt ? optopt : '?');
    return buf;
}

int cli_parse(const cli_cmd_t *cmd, int argc, char **argv, cli_opt_fn fn, void *ctx, int *first) {
    struct option lo[MAX_OPTS + 1];
    char so[2 * MAX_OPTS + 2] = ":";
    size_t n = 0, s = 1;
    lo[n++] = (struct option){help_opt.name, no_argument, NULL, help_opt.key};
    so[s++] = 'h';
    for (int t = 0; t < 4 && cmd->opts[t]; t++)
        for (const cli_opt_t *o = cmd->opts[t]; o->name || o->help; o++) {
            if (!o->name) continue;
            if (n == MAX_OPTS) {
                cli_error("%s: too many options (internal)", cmd->name);
                return EXIT_INTERNAL;
            }
            lo[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
                                      o->key};
            if (o->key > 0 && o->key < 128) {
                so[s++] = (char)o->key;
                if (o->arg) so[s++] = ':';
            }
        }
    lo[n] = (struct option){NULL, 0, NULL, 0};
    so[s] = 0;
    optind = 0; /* glibc: start afresh (a command may parse after another) */
    opterr = 0;
    int c, rc = 0;
    char buf[8];
    while (!rc && (c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
        if (c == 'h') return cli_usage(stdout, cmd), CLI_HELP;
        if (c == '?') {
            cli_error("%s: unknown option '%s' (zbprover %s --help lists them)", cmd->name,
                      culprit(argv, buf, sizeof buf), cmd->name);
            return EXIT_BAD_INPUT;
        }
        if (c == ':') {
            cli_error("%s: option '%s' needs a value", cmd->name, culprit(argv, buf, sizeof buf));
            return EXIT_BAD_INPUT;
        }
        rc = fn ? fn(ctx, c, optarg) : 0;
    }
    if (rc) return rc;
    int npos = argc - optind;
    if (npos < cmd->min_args || (cmd->max_args >= 0 && npos > cmd->max_args)) {
        if (npos > cmd->max_args && cmd->max_args >= 0)
            cli_error("%s: unexpected argument '%s' (usage: zbprover %s %s)", cmd->name,
                      argv[optind + cmd->max_args], cmd->name, cmd->args ? cmd->args : "");
        else
            cli_error("%s: missing arguments (usage: zbprover %s %s)", cmd->name, cmd->name,
                      cmd->args ? cmd->args : "");
        return EXIT_BAD_INPUT;
    }
    *first = optind;
    return 0;
}

int cli_dispatch(const char *cmd, const char *about, const cli_sub_t *subs, size_t n, int argc,
                 char **argv) {
    const char *verb = argc > 1 ? argv[1] : NULL;
    if (verb && (!strcmp(verb, "-h") || !strcmp(verb, "--help") || !strcmp(verb, "help"))) {
        /* `attest help verify` is `attest verify --help` */
        if (!strcmp(verb, "help") && argc > 2) {
            for (size_t k = 0; k < n; k++)
                if (!strcmp(argv[2], subs[k].name)) {
                    char *sub_argv[] = {argv[2], (char *)"--help", NULL};
                    return subs[k].fn(2, sub_argv);
                }
            cli_error("%s: unknown command '%s' (zbprover %s --help lists them)", cmd, argv[2], cmd);
            return EXIT_BAD_INPUT;
        }
        printf("usage: zbprover %s <command> [options]   (zbprover %s <command> --help: its "
               "options)\n",
               cmd, cmd);
        if (about) printf("%s\n", about);
        printf("\ncommands:\n");
        for (size_t k = 0; k < n; k++) printf("  %-14s %s\n", subs[k].name, subs[k].summary);
        return 0;
    }
    if (!verb) {
        char names[256] = "";
        for (size_t k = 0; k < n; k++)
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", k ? ", " : "",
                     subs[k].name);
        cli_error("%s: which one? %s (zbprover %s --help)", cmd, names, cmd);
        return EXIT_BAD_INPUT;
    }
    for (size_t k = 0; k < n; k++)
        if (!strcmp(verb, subs[k].name)) return subs[k].fn(argc - 1, argv + 1);
    cli_error("%s: unknown command '%s' (zbprover %s --help lists them)", cmd, verb, cmd);
    return EXIT_BAD_INPUT;
}

int cli_parse_int(const char *s, long long lo, long long hi, long long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cli_int_opt(const char *cmd, const char *opt, const char *v, long long lo, long long hi,
                long long *out) {
    if (!cli_parse_int(v, lo, hi, out)) return 0;
    cli_error("%s: --%s must be a number from %lld to %lld, not '%s'", cmd, opt, lo, hi, v ? v : "");
    return EXIT_BAD_INPUT;
}
