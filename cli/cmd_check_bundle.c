/* cmd_check_bundle.c: `zbprover check-bundle <bundle.json> --vk <verification_key.json> [--certs
 * ...] [--trust-root PEM] [policy] [--allow-unattested]`: a client's whole check of a prove answer.
 * The checks are job_bundle_check's; this file parses flags and prints one line per check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "job/job.h"

#define CB_USAGE                                                                                   \
    "usage: zbprover check-bundle <bundle.json> --vk <verification_key.json> [--certs "            \
    "DIR|PEM]...\n"                                                                                \
    "       [--trust-root PEM] [--allow-unattested] [--job-id ID] [--ticket-id HEX]\n"             \
    "       [--zkey-sha256 HEX] [--measurement HEX] [--host-data HEX] [--vmpl N] "                 \
    "[--allow-debug]\n"                                                                            \
    "       [--allow-migrate-ma] [--allow-provisional] [--min-tcb "                                \
    "bl=N,tee=N,snp=N,ucode=N[,fmc=N]]\n"                                                          \
    "       [--at UNIX-TIME] [--product Milan|Genoa|Turin] [--json]\n"

static int hex_exact(const char *s, uint8_t *out, size_t n) {
    size_t got = 0;
    return !s || job_hex_decode(out, n, &got, s, strlen(s)) || got != n ? -1 : 0;
}

static int parse_ll(const char *s, long long lo, long long hi, long long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}


static void json_str(const char *s) {
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int cmd_check_bundle(int argc, char **argv) {
    job_bundle_opts_t o;
    memset(&o, 0, sizeof o);
    snp_policy_init(&o.policy);
    const char *bundle = NULL, *certs[16];
    bool json = false;
    static uint8_t meas[48], host[32];
    uint8_t tmp[32];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long num;
        bool takes = true, bad = false;
        if (!strcmp(a, "--allow-debug"))
            o.policy.allow_debug = true, takes = false;
        else if (!strcmp(a, "--allow-migrate-ma"))
            o.policy.allow_migrate_ma = true, takes = false;
        else if (!strcmp(a, "--allow-provisional"))
            o.policy.allow_provisional = true, takes = false;
        else if (!strcmp(a, "--allow-unattested"))
            o.allow_unattested = true, takes = false;
        else if (!strcmp(a, "--json"))
            json = true, takes = false;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(CB_USAGE, stdout);
            return 0;
        } else if (a[0] != '-') {
            if (bundle) {
                cli_error("check-bundle: unexpected argument '%s'", a);
                return EXIT_BAD_INPUT;
            }
            bundle = a;
            takes = false;
        } else if (!v)
            bad = true;
        else if (!strcmp(a, "--vk"))
            o.vk_path = v;
        else if (!strcmp(a, "--certs")) {
            if (o.n_certs == 16)
                bad = true;
            else
                certs[o.n_certs++] = v;
        } else if (!strcmp(a, "--trust-root"))
            o.policy.trust_root = v;
        else if (!strcmp(a, "--job-id"))
            o.expect_job_id = v;
        else if (!strcmp(a, "--ticket-id"))
            o.expect_ticket_id = v;
        else if (!strcmp(a, "--zkey-sha256")) {
            bad = hex_exact(v, tmp, 32) != 0;
            o.expect_zkey_sha256 = v;
        } else if (!strcmp(a, "--measurement")) {
            bad = hex_exact(v, meas, 48) != 0;
            o.policy.measurement = meas;
        } else if (!strcmp(a, "--host-data")) {
            bad = hex_exact(v, host, 32) != 0;
            o.policy.host_data = host;
        } else if (!strcmp(a, "--vmpl")) {
            bad = parse_ll(v, 0, 3, &num) != 0;
            o.policy.vmpl = (int)num;
        } else if (!strcmp(a, "--min-tcb")) {
            bad = snp_tcb_parse(&o.policy.min_tcb, v) != 0;
            o.policy.check_min_tcb = true;
        } else if (!strcmp(a, "--at")) {
            bad = parse_ll(v, 0, 253402300799LL, &num) != 0;
            o.policy.has_time = true;
            o.policy.at = (time_t)num;
        } else if (!strcmp(a, "--product")) {
            bad = snp_gen_parse(&o.policy.product_hint, v) != 0;
        } else {
            cli_error("check-bundle: unknown option '%s'", a);
            fputs(CB_USAGE, stderr);
            return EXIT_BAD_INPUT;
        }
        if (bad) {
            cli_error("check-bundle: %s: bad or missing value%s%s", a, v ? " " : "", v ? v : "");
            return EXIT_BAD_INPUT;
        }
        if (takes) i++;
    }
    if (!bundle || !o.vk_path) {
        if (bundle) cli_error("check-bundle: --vk is required");
        fputs(CB_USAGE, stderr);
        return EXIT_BAD_INPUT;
    }
    o.certs = certs;
    char err[1024] = "";
    job_bundle_verdict_t v;
    int rc = job_bundle_check(&v, bundle, &o, err, sizeof err);
    if (rc >= 2) {
        cli_error("%s", err);
        return rc == 2 ? EXIT_BAD_INPUT : EXIT_INTERNAL;
    }
    static const char *status[] = {"pass", "FAIL", "skip"};
    if (json) {
        printf("{\"valid\":%s,\"checks\":[", rc == 0 ? "true" : "false");
        for (size_t k = 0; k < v.n; k++) {
            printf("%s{\"name\":", k ? "," : "");
            json_str(v.checks[k].name);
            printf(",\"status\":\"%s\",\"detail\":", v.checks[k].status == SNP_CHECK_PASS ? "pass"
                                                     : v.checks[k].status == SNP_CHECK_FAIL
                                                         ? "fail"
                                                         : "skip");
            json_str(v.checks[k].detail);
            putchar('}');
        }
        printf("]}\n");
    } else {
        for (size_t k = 0; k < v.n; k++)
            printf("%-4s %-12s %s\n", status[v.checks[k].status], v.checks[k].name,
                   v.checks[k].detail);
        if (rc == 0) {
            printf("%s: valid\n", bundle);
        } else {
            printf("%s: REJECTED:", bundle);
            for (size_t k = 0; k < v.n; k++)
                if (v.checks[k].status == SNP_CHECK_FAIL) printf(" %s", v.checks[k].name);
            putchar('\n');
        }
    }
    return rc == 0 ? 0 : EXIT_VERDICT_NO;
}
