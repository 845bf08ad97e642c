/* cmd_serve.c: `zbprover serve [options]`: the attested job loop on stdin/stdout (JSON lines;
 * docs/job-protocol.md). Options are parsed here; the loop is job/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "job/job.h"

/* A count or a byte count with an optional k/m/g suffix (powers of 1024), from 1 to max. */
static int parse_size(const char *s, uint64_t max, size_t *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-') return -1;
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift) end++;
    if (*end || v > (max >> shift) || v == 0) return -1;
    *out = (size_t)(v << shift);
    return 0;
}

static int parse_seconds(const char *s, double *out) {
    if (!s || !*s) return -1;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0) || v > JOB_MAX_SECONDS_LIMIT) return -1;
    *out = v;
    return 0;
}

enum {
    K_ATTEST = CLI_KEY0, K_HUB_KEY, K_REPLAY_LOG, K_SIM_DIR, K_CERTS, K_MAX_WITNESS, K_MAX_LINE,
    K_CACHE, K_MAX_QUEUE, K_MAX_KEYS, K_THREADS, K_JOB_TIMEOUT, K_KEY_TTL, K_W_TIME, K_W_MEMORY,
    K_W_CACHE, K_DEVICE, K_WORKERS
};
/* The ranges in the help lines are the ones the handler enforces (job.h's JOB_MAX_* limits). */
static const cli_opt_t serve_opts[] = {
    CLI_HEADING("attestation and tickets:"),
    {"attest", K_ATTEST, "auto|snp|sim|none", "the report backend (default auto: SNP if present, else none)"},
    {"hub-key", K_HUB_KEY, "PEM", "the hub's public key: every prove needs a ticket it signed"},
    {"replay-log", K_REPLAY_LOG, "FILE", "spent tickets (required with --hub-key)"},
    {"sim-dir", K_SIM_DIR, "DIR", "the simulated signer's directory (--attest sim)"},
    {"certs", K_CERTS, "DIR|PEM", "certificates (and CRLs) the answers carry"},
    {"max-keys", K_MAX_KEYS, "N", "single-use keys held at once (1..65536)"},
    {"key-ttl", K_KEY_TTL, "S", "a single-use key's lifetime (0..10000000 s)"},
    CLI_HEADING("limits:"),
    {"max-witness-bytes", K_MAX_WITNESS, "N", "a witness's size (1..16g)"},
    {"max-line-bytes", K_MAX_LINE, "N", "a request line's size (1..24g)"},
    {"max-queue", K_MAX_QUEUE, "N", "requests waiting (1..4096)"},
    {"job-timeout", K_JOB_TIMEOUT, "S", "a job's time before its timeout answer (0..10000000 s)"},
    {"zkey-cache-bytes", K_CACHE, "N", "the circuit cache's budget (1..1024g)"},
    {"threads", K_THREADS, "N", "proving threads (1..4096)"},
    {"workers", K_WORKERS, "N", "jobs at once, each in its circuit's confined worker (1..64)"},
    {"device", K_DEVICE, "cpu|auto|cuda[:N]", "where to prove (default cpu; a GPU keeps each cached circuit resident)"},
    CLI_HEADING("jobs that bring inputs:"),
    {"witness-time-limit", K_W_TIME, "S", "the witness program's seconds (1..604800)"},
    {"witness-memory-limit", K_W_MEMORY, "MIB", "the witness program's memory (16..16777216 MiB)"},
    {"witness-cache-dir", K_W_CACHE, "DIR", "compiled witness programs (default ~/.cache/zbprover)"},
    CLI_END,
};
static const cli_cmd_t serve_cmd = {
    "serve", "[options]",
    "The attested job loop: JSON requests on stdin, one answer per request on stdout, in order\n"
    "(docs/job-protocol.md). Sizes take a k, m or g suffix (binary units); S is seconds\n"
    "(decimals allowed).",
    {serve_opts, NULL}, 0, 0};

static int bad_value(const char *opt, const char *v, const char *range) {
    cli_error("serve: --%s: bad value '%s' (%s)", opt, v, range);
    return EXIT_BAD_INPUT;
}

static int on_serve_opt(void *ctx, int key, const char *v) {
    job_serve_opts_t *o = ctx;
    size_t n;
    long long x;
    switch (key) {
    case K_ATTEST:
        if (!strcmp(v, "auto")) o->attest = JOB_ATTEST_AUTO;
        else if (!strcmp(v, "snp")) o->attest = JOB_ATTEST_SNP;
        else if (!strcmp(v, "sim")) o->attest = JOB_ATTEST_SIM;
        else if (!strcmp(v, "none")) o->attest = JOB_ATTEST_NONE;
        else return bad_value("attest", v, "auto, snp, sim or none");
        return 0;
    case K_HUB_KEY: o->hub_key = v; return 0;
    case K_REPLAY_LOG: o->replay_log = v; return 0;
    case K_SIM_DIR: o->sim_dir = v; return 0;
    case K_CERTS: o->certs_dir = v; return 0;
    case K_W_CACHE: o->witness_cache_dir = v; return 0;
    case K_MAX_WITNESS:
        return parse_size(v, JOB_MAX_WITNESS_LIMIT, &o->max_witness_bytes) ? bad_value("max-witness-bytes", v, "1 to 16g") : 0;
    case K_MAX_LINE:
        return parse_size(v, JOB_MAX_LINE_LIMIT, &o->max_line_bytes) ? bad_value("max-line-bytes", v, "1 to 24g") : 0;
    case K_CACHE:
        return parse_size(v, JOB_MAX_CACHE_LIMIT, &o->zkey_cache_bytes) ? bad_value("zkey-cache-bytes", v, "1 to 1024g") : 0;
    case K_MAX_QUEUE:
        return parse_size(v, JOB_MAX_QUEUE_LIMIT, &o->max_queue) ? bad_value("max-queue", v, "1 to 4096") : 0;
    case K_MAX_KEYS:
        return parse_size(v, JOB_MAX_KEYS_LIMIT, &o->max_keys) ? bad_value("max-keys", v, "1 to 65536") : 0;
    case K_THREADS:
        if (parse_size(v, JOB_MAX_THREADS_LIMIT, &n)) return bad_value("threads", v, "1 to 4096");
        o->threads = (int)n;
        return 0;
    case K_WORKERS:
        return parse_size(v, JOB_MAX_WORKERS_LIMIT, &o->workers) ? bad_value("workers", v, "1 to 64") : 0;
    case K_JOB_TIMEOUT:
        return parse_seconds(v, &o->job_timeout_s) ? bad_value("job-timeout", v, "0 to 10000000 seconds") : 0;
    case K_KEY_TTL:
        return parse_seconds(v, &o->key_ttl_s) ? bad_value("key-ttl", v, "0 to 10000000 seconds") : 0;
    case K_W_TIME:
        if (cli_parse_int(v, 1, 86400 * 7, &x)) return bad_value("witness-time-limit", v, "1 to 604800 seconds");
        o->witness_time_limit_s = (unsigned)x;
        return 0;
    case K_W_MEMORY:
        if (cli_parse_int(v, 16, 1ll << 24, &x)) return bad_value("witness-memory-limit", v, "16 to 16777216 MiB");
        o->witness_memory_limit = (uint64_t)x << 20;
        return 0;
    case K_DEVICE:
        /* checked by job_serve before it serves (a missing GPU is the environment's failure) */
        o->device = v;
        return 0;
    default: return EXIT_INTERNAL;
    }
}

int cmd_serve(int argc, char **argv) {
    job_serve_opts_t o;
    job_serve_opts_init(&o);
    int first = 0, rc = cli_parse(&serve_cmd, argc, argv, on_serve_opt, &o, &first);
    if (rc) return cli_exit(rc);
    char err[1024] = "";
    rc = job_serve(&o, STDIN_FILENO, stdout, err, sizeof err);
    if (rc) cli_error("serve: %s", err);
    return rc == 0 ? 0 : rc == 2 ? EXIT_BAD_INPUT : EXIT_INTERNAL;
}
