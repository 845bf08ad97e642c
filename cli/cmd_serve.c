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

#define SERVE_USAGE                                                                                \
    "usage: zbprover serve [--attest auto|snp|sim|none] [--hub-key PEM --replay-log FILE]\n"       \
    "                      [--max-witness-bytes N] [--max-line-bytes N] [--max-queue N]\n"         \
    "                      [--job-timeout S] [--zkey-cache-bytes N] [--threads N]\n"               \
    "                      [--device auto|cpu] [--sim-dir DIR] [--certs DIR|PEM]\n"                \
    "                      [--max-keys N] [--key-ttl S]\n"                                         \
    "                      [--witness-time-limit S] [--witness-memory-limit MIB]\n"              \
    "                      [--witness-cache-dir DIR]\n"                                           \
    "sizes take a k, m or g suffix (binary units); S is seconds (decimals allowed)\n"

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

/* The accepted range of a numeric option, for its error message. */
static const char *range_of(const char *opt) {
    static const struct {
        const char *opt, *range;
    } r[] = {
        {"--max-witness-bytes", "1 to 16g"}, {"--max-line-bytes", "1 to 24g"},
        {"--zkey-cache-bytes", "1 to 1024g"}, {"--max-queue", "1 to 4096"},
        {"--max-keys", "1 to 65536"},         {"--threads", "1 to 4096"},
        {"--job-timeout", "0 to 10000000 seconds"}, {"--key-ttl", "0 to 10000000 seconds"},
        {"--witness-time-limit", "1 to 604800 seconds"},
        {"--witness-memory-limit", "16 to 16777216 MiB"},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (!strcmp(opt, r[i].opt)) return r[i].range;
    return "see --help";
}

int cmd_serve(int argc, char **argv) {
    job_serve_opts_t o;
    job_serve_opts_init(&o);
    for (int i = 1; i < argc; i += 2) { /* every option but --help takes a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t n;
        bool bad = false;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(SERVE_USAGE, stdout);
            return 0;
        }
        if (a[0] != '-' || a[1] != '-') {
            cli_error("serve: unexpected argument '%s'", a);
            fputs(SERVE_USAGE, stderr);
            return EXIT_BAD_INPUT;
        }
        if (!v)
            bad = true;
        else if (!strcmp(a, "--attest")) {
            if (!strcmp(v, "auto"))
                o.attest = JOB_ATTEST_AUTO;
            else if (!strcmp(v, "snp"))
                o.attest = JOB_ATTEST_SNP;
            else if (!strcmp(v, "sim"))
                o.attest = JOB_ATTEST_SIM;
            else if (!strcmp(v, "none"))
                o.attest = JOB_ATTEST_NONE;
            else
                bad = true;
        } else if (!strcmp(a, "--hub-key"))
            o.hub_key = v;
        else if (!strcmp(a, "--replay-log"))
            o.replay_log = v;
        else if (!strcmp(a, "--sim-dir"))
            o.sim_dir = v;
        else if (!strcmp(a, "--certs"))
            o.certs_dir = v;
        else if (!strcmp(a, "--max-witness-bytes"))
            bad = parse_size(v, JOB_MAX_WITNESS_LIMIT, &o.max_witness_bytes) != 0;
        else if (!strcmp(a, "--max-line-bytes"))
            bad = parse_size(v, JOB_MAX_LINE_LIMIT, &o.max_line_bytes) != 0;
        else if (!strcmp(a, "--zkey-cache-bytes"))
            bad = parse_size(v, JOB_MAX_CACHE_LIMIT, &o.zkey_cache_bytes) != 0;
        else if (!strcmp(a, "--max-queue"))
            bad = parse_size(v, JOB_MAX_QUEUE_LIMIT, &o.max_queue) != 0;
        else if (!strcmp(a, "--max-keys"))
            bad = parse_size(v, JOB_MAX_KEYS_LIMIT, &o.max_keys) != 0;
        else if (!strcmp(a, "--threads"))
            bad = parse_size(v, JOB_MAX_THREADS_LIMIT, &n) || !(o.threads = (int)n);
        else if (!strcmp(a, "--job-timeout"))
            bad = parse_seconds(v, &o.job_timeout_s) != 0;
        else if (!strcmp(a, "--key-ttl"))
            bad = parse_seconds(v, &o.key_ttl_s) != 0;
        else if (!strcmp(a, "--witness-time-limit")) {
            long long x = 0;
            bad = cli_parse_int(v, 1, 86400 * 7, &x) != 0;
            o.witness_time_limit_s = (unsigned)x;
        } else if (!strcmp(a, "--witness-memory-limit")) {
            long long x = 0;
            bad = cli_parse_int(v, 16, 1ll << 24, &x) != 0;
            o.witness_memory_limit = (uint64_t)x << 20;
        } else if (!strcmp(a, "--witness-cache-dir"))
            o.witness_cache_dir = v;
        else if (!strcmp(a, "--device")) {
            if (!strncmp(v, "cuda", 4)) {
                cli_error("serve: --device %s: this build has no CUDA backend", v);
                return EXIT_INTERNAL;
            }
            bad = strcmp(v, "auto") && strcmp(v, "cpu");
        } else {
            cli_error("serve: unknown option '%s'", a);
            fputs(SERVE_USAGE, stderr);
            return EXIT_BAD_INPUT;
        }
        if (bad) {
            cli_error("serve: %s: bad or missing value%s%s (%s)", a, v ? " " : "", v ? v : "",
                      range_of(a));
            return EXIT_BAD_INPUT;
        }
    }
    char err[1024] = "";
    int rc = job_serve(&o, STDIN_FILENO, stdout, err, sizeof err);
    if (rc) cli_error("serve: %s", err);
    return rc == 0 ? 0 : rc == 2 ? EXIT_BAD_INPUT : EXIT_INTERNAL;
}
