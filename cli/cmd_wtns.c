/* cmd_wtns.c: `zbprover wtns calculate <circuit.wasm> <input.json> <witness.wtns>` (snarkjs's
 * command, the same .wtns byte for byte) and `zbprover wtns compile <circuit.wasm> [-o out.so]`
 * (the witness object built ahead of time, for images without a compiler at run time). The
 * witness options are shared with `fullprove` (cli_witness_option). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "field/field.h"
#include "prover/util.h"
#include "witness/witness.h"

/* The witness options, shared with `fullprove` (its table names this one too). */
const cli_opt_t cli_witness_opts[] = {
    CLI_HEADING("witness program:"),
    {"witness-so", K_WITNESS_SO, "FILE", "a prebuilt object (`wtns compile -o`) instead of the cache"},
    {"cache-dir", K_CACHE_DIR, "DIR", "where compiled objects are cached (default ~/.cache/zbprover)"},
    {"memory-limit", K_MEMORY_LIMIT, "MIB", "the program's data (16..16777216 MiB; default 8192)"},
    {"time-limit", K_TIME_LIMIT, "S", "the program's wall and CPU seconds (1..604800; default 600)"},
    {"quiet-log", K_QUIET_LOG, NULL, "drop the circuit's log() lines"},
    CLI_END,
};

/* One witness option: 0 taken, 1 not a witness option, or an exit status after one line. */
int cli_witness_option(zbp_witness_opts_t *o, int key, const char *v) {
    long long x;
    int rc;
    switch (key) {
    case K_WITNESS_SO: o->so_path = v; return 0;
    case K_CACHE_DIR: o->cache_dir = v; return 0;
    case K_QUIET_LOG: o->quiet_log = 1; return 0;
    case K_MEMORY_LIMIT:
        if ((rc = cli_int_opt("witness", "memory-limit", v, 16, 1ll << 24, &x))) return rc;
        o->memory_limit = (uint64_t)x << 20;
        return 0;
    case K_TIME_LIMIT:
        if ((rc = cli_int_opt("witness", "time-limit", v, 1, 86400 * 7, &x))) return rc;
        o->time_limit_s = (unsigned)x;
        return 0;
    default: return 1;
    }
}

static int on_calc_opt(void *ctx, int key, const char *v) {
    int r = cli_witness_option(ctx, key, v);
    return r == 1 ? EXIT_INTERNAL : r;
}

static const cli_cmd_t calc_cmd = {
    "wtns calculate", "<circuit.wasm> <input.json> <witness.wtns> [options]",
    "snarkjs's command: the same .wtns, byte for byte. The circom program runs as native code\n"
    "(wasm2c, compiled once and cached by its SHA-256) in a child process under limits.",
    {cli_witness_opts, NULL}, 3, 3};

enum { K_OUTPUT = CLI_KEY0 + 32 };
static const cli_opt_t compile_opts[] = {
    {"output", 'o', "FILE", "write the object here (default: into the cache, path printed)"},
    {"cache-dir", K_CACHE_DIR, "DIR", "the cache directory (default ~/.cache/zbprover)"},
    CLI_END,
};
static const cli_cmd_t compile_cmd = {
    "wtns compile", "<circuit.wasm> [-o out.so] [--cache-dir DIR]",
    "The witness object built ahead of time, for images without a compiler at run time (the\n"
    "image then measures it); `calculate --witness-so` or the cache uses it.",
    {compile_opts, NULL}, 1, 1};

typedef struct {
    const char *out, *cache;
} compile_args_t;

static int on_compile_opt(void *ctx, int key, const char *v) {
    compile_args_t *a = ctx;
    if (key == 'o') a->out = v;
    else if (key == K_CACHE_DIR) a->cache = v;
    else return EXIT_INTERNAL;
    return 0;
}

int cli_witness_exit(int st) {
    return st == ZBP_ERR_INPUT || st == ZBP_ERR_UNSUPPORTED || st == ZBP_ERR_RANGE ? EXIT_BAD_INPUT
                                                                                  : EXIT_INTERNAL;
}

static int wtns_calculate(int argc, char **argv) {
    zbp_witness_opts_t o;
    zbp_witness_opts_init(&o);
    int first = 0, rc = cli_parse(&calc_cmd, argc, argv, on_calc_opt, &o, &first);
    if (rc) return cli_exit(rc);
    const char *pos[3] = {argv[first], argv[first + 1], argv[first + 2]};
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
    compile_args_t a = {NULL, NULL};
    int first = 0, rc = cli_parse(&compile_cmd, argc, argv, on_compile_opt, &a, &first);
    if (rc) return cli_exit(rc);
    const char *wasm = argv[first], *out = a.out, *cache = a.cache;
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
    static const cli_sub_t subs[] = {
        {"calculate", wtns_calculate, "a .wtns from input.json, byte-identical to snarkjs's"},
        {"compile", wtns_compile, "the witness program's native object, ahead of time"},
    };
    return cli_dispatch("wtns", "circom witness programs (.wasm), run natively (witness/README.md).",
                        subs, sizeof subs / sizeof subs[0], argc, argv);
}
