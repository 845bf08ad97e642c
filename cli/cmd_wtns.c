/* cmd_wtns.c: `zbprover wtns calculate <circuit.wasm> <input.json> <witness.wtns>` (snarkjs's
 * command, the same .wtns byte for byte) and `zbprover wtns compile <circuit.wasm> [-o out.so]`
 * (the witness object built ahead of time, for images without a compiler at run time). The
 * witness options are shared with `fullprove` (cli_witness_option). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "field/field.h"
#include "prover/jsonw.h"
#include "witness/witness.h"

#define WITNESS_OPTIONS_USAGE \
    "[--witness-so FILE] [--cache-dir DIR] [--memory-limit MIB] [--time-limit S] [--quiet-log]"

static int parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-' || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* One witness option at argv[*i] (advancing *i past its value): 1 taken, 0 not a witness option,
 * -1 a bad value (reported). */
int cli_witness_option(zbp_witness_opts_t *o, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    uint64_t x;
    if (!strcmp(a, "--quiet-log")) {
        o->quiet_log = 1;
        return 1;
    }
    if (strcmp(a, "--witness-so") && strcmp(a, "--cache-dir") && strcmp(a, "--memory-limit") &&
        strcmp(a, "--time-limit"))
        return 0;
    if (!v) {
        cli_error("%s needs a value", a);
        return -1;
    }
    ++*i;
    if (!strcmp(a, "--witness-so")) {
        o->so_path = v;
    } else if (!strcmp(a, "--cache-dir")) {
        o->cache_dir = v;
    } else if (!strcmp(a, "--memory-limit")) {
        if (parse_u64(v, 16, 1ull << 24, &x)) {
            cli_error("--memory-limit: a number of MiB from 16 to 16777216, not '%s'", v);
            return -1;
        }
        o->memory_limit = x << 20;
    } else {
        if (parse_u64(v, 1, 86400 * 7, &x)) {
            cli_error("--time-limit: a number of seconds from 1 to 604800, not '%s'", v);
            return -1;
        }
        o->time_limit_s = (unsigned)x;
    }
    return 1;
}

int cli_witness_exit(int st) {
    return st == ZBP_ERR_INPUT || st == ZBP_ERR_UNSUPPORTED || st == ZBP_ERR_RANGE ? EXIT_BAD_INPUT
                                                                                  : EXIT_INTERNAL;
}

static int wtns_calculate(int argc, char **argv) {
    zbp_witness_opts_t o;
    zbp_witness_opts_init(&o);
    const char *pos[3];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        int r = cli_witness_option(&o, argc, argv, &i);
        if (r < 0) return EXIT_BAD_INPUT;
        if (r > 0) continue;
        if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("wtns calculate: unknown option '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        }
        if (npos == 3) {
            npos = 4;
            break;
        }
        pos[npos++] = argv[i];
    }
    if (npos != 3) {
        cli_error("usage: zbprover wtns calculate <circuit.wasm> <input.json> <witness.wtns> "
                  WITNESS_OPTIONS_USAGE);
        return EXIT_BAD_INPUT;
    }
    char err[1600] = "";
    zbp_witness_input_t in;
    int st = zbp_witness_input_load(&in, pos[1], err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_witness_exit(st);
    }
    uint8_t *wtns;
    size_t len;
    st = zbp_witness_calculate(&wtns, &len, pos[0], &in, pos[1], &o, err, sizeof err);
    zbp_witness_input_free(&in);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_witness_exit(st);
    }
    int w = zbp_write_file_atomic(pos[2], wtns, len);
    explicit_bzero(wtns, len);
    free(wtns);
    if (w != 0) {
        cli_error("%s: cannot write: %s", pos[2], strerror(errno));
        return EXIT_BAD_INPUT;
    }
    return 0;
}

static int wtns_compile(int argc, char **argv) {
    const char *wasm = NULL, *out = NULL, *cache = NULL;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--cache-dir") && i + 1 < argc) {
            cache = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            cli_error("wtns compile: unknown option '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        } else if (!wasm) {
            wasm = argv[i];
        } else {
            wasm = NULL;
            break;
        }
    }
    if (!wasm) {
        cli_error("usage: zbprover wtns compile <circuit.wasm> [-o out.so] [--cache-dir DIR]");
        return EXIT_BAD_INPUT;
    }
    char err[1600] = "", path[4400], sha[65];
    int st;
    if (out) {
        st = zbp_witness_compile(wasm, out, err, sizeof err);
        snprintf(path, sizeof path, "%s", out);
    } else { /* into the cache, where calculate and fullprove look */
        zbp_witness_opts_t o;
        zbp_witness_opts_init(&o);
        o.cache_dir = cache;
        st = zbp_witness_object(wasm, &o, path, sizeof path, sha, err, sizeof err);
    }
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_witness_exit(st);
    }
    printf("%s\n", path);
    return 0;
}

int cmd_wtns(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "calculate")) return wtns_calculate(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "compile")) return wtns_compile(argc - 1, argv + 1);
    cli_error("usage: zbprover wtns calculate <circuit.wasm> <input.json> <witness.wtns> "
              WITNESS_OPTIONS_USAGE "\n"
              "       zbprover wtns compile <circuit.wasm> [-o out.so] [--cache-dir DIR]");
    return EXIT_BAD_INPUT;
}
