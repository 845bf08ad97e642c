/* cmd_attest.c: `zbprover attest report|certificates|verify|kds-url|info` (the snpguest workflow)
 * and the report half of `zbprover info`. Argument parsing and output only; the work is attest/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "attest/attest.h"
#include "cli/attest_policy.h"
#include "cli/cli.h"
#include "prover/jsonw.h"

#define USAGE                                                                                     \
    "usage: zbprover attest report <report.bin> [<request-file>] [--random | --data HEX]\n"        \
    "                              [--vmpl N] [--backend auto|tsm|ioctl|sim] [backend options]\n"  \
    "       zbprover attest certificates <dir> [--format pem|der] [--backend ...] [backend "     \
    "options]\n"                                                                                  \
    "       zbprover attest verify <report.bin> --certs <dir|file> [--certs ...] [--crl FILE]\n"  \
    "                              [--report-data HEX] [--json] [policy]\n"                       \
    "       zbprover attest kds-url <report.bin> [--product Milan|Genoa|Turin]\n"                 \
    "       zbprover attest info <report.bin> [--json] [--product NAME]\n"                        \
    "backend options: --sim-dir DIR (default $ZBP_SIM_DIR or ~/.zbprover/sim), --sim-vlek,\n"     \
    "                 --tsm-root DIR, --tsm-entry NAME, --device PATH\n"                          \
    "policy:\n" CLI_POLICY_USAGE

static int exit_of(int rc) {
    switch (rc) {
    case ATTEST_OK: return 0;
    case ATTEST_REJECTED: return EXIT_VERDICT_NO;
    case ATTEST_EINPUT: return EXIT_BAD_INPUT;
    default: return EXIT_INTERNAL;
    }
}

/* Whole-file output goes through the atomic writer: a reader never sees half a report. */
static int write_whole(const char *path, const uint8_t *d, size_t n) {
    if (zbp_write_file_atomic(path, d, n) != 0) {
        cli_error("%s: cannot write: %s", path, strerror(errno));
        return EXIT_INTERNAL;
    }
    return 0;
}

static void print_warnings(const char *path, const snp_report_t *r) {
    if (!r->warnings) return;
    char w[320];
    snp_report_warnings(r, w, sizeof w);
    cli_error("%s: warning: %s", path, w);
}

/* Options every way of getting a report shares. Returns 1 if argv[*i] was one, -1 on error. */
static int backend_opt(int argc, char **argv, int *i, attest_opts_t *o) {
    const char *v;
    if (cli_opt_value(argc, argv, i, "--backend", &v)) {
        if (attest_backend_parse(&o->backend, v)) {
            cli_error("--backend: '%s' is not auto, tsm, ioctl or sim", v ? v : "");
            return -1;
        }
    } else if (!strcmp(argv[*i], "--sim-vlek")) {
        o->sim_vlek = true;
        return 1;
    } else if (cli_opt_value(argc, argv, i, "--sim-dir", &v)) {
        o->sim_dir = v;
    } else if (cli_opt_value(argc, argv, i, "--tsm-root", &v)) {
        o->tsm_root = v;
    } else if (cli_opt_value(argc, argv, i, "--tsm-entry", &v)) {
        o->tsm_entry = v;
    } else if (cli_opt_value(argc, argv, i, "--device", &v)) {
        o->device = v;
    } else if (cli_opt_value(argc, argv, i, "--vmpl", &v)) {
        long long n;
        if (cli_parse_int(v, 0, 3, &n)) {
            cli_error("--vmpl: '%s' is not 0..3", v ? v : "");
            return -1;
        }
        o->vmpl = (int)n;
    } else {
        return 0;
    }
    if (!v) {
        cli_error("%s needs a value", argv[*i]);
        return -1;
    }
    return 1;
}

static int cmd_report(int argc, char **argv) {
    attest_opts_t o;
    attest_opts_init(&o);
    const char *out_path = NULL, *req_path = NULL, *hex = NULL;
    bool random = false;
    for (int i = 2; i < argc; i++) {
        int b = backend_opt(argc, argv, &i, &o);
        if (b < 0) return EXIT_BAD_INPUT;
        if (b) continue;
        const char *v;
        if (!strcmp(argv[i], "--random")) random = true;
        else if (cli_opt_value(argc, argv, &i, "--data", &v)) {
            if (!v) {
                cli_error("--data needs a value");
                return EXIT_BAD_INPUT;
            }
            hex = v;
        } else if (argv[i][0] == '-') {
            cli_error("attest report: unknown option '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        } else if (!out_path) out_path = argv[i];
        else if (!req_path) req_path = argv[i];
        else {
            cli_error("attest report: unexpected argument '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        }
    }
    if (!out_path) {
        fputs(USAGE, stderr);
        return EXIT_BAD_INPUT;
    }
    if (random && hex) {
        cli_error("attest report: --random and --data exclude each other");
        return EXIT_BAD_INPUT;
    }
    uint8_t data[SNP_REPORT_DATA_SIZE] = {0};
    size_t n;
    if (hex) {
        if (cli_parse_hex(hex, data, sizeof data, &n)) {
            cli_error("--data: not hex of at most 64 bytes");
            return EXIT_BAD_INPUT;
        }
    } else if (random) {
        if (RAND_bytes(data, sizeof data) != 1) {
            cli_error("no randomness available");
            return EXIT_INTERNAL;
        }
    } else if (req_path) {
        /* No data flag: the request file holds the (at most 64) bytes to bind, as in snpguest. */
        FILE *f = fopen(req_path, "rb");
        if (!f) {
            cli_error("%s: %s", req_path, strerror(errno));
            return EXIT_BAD_INPUT;
        }
        uint8_t extra;
        n = fread(data, 1, sizeof data, f);
        bool more = fread(&extra, 1, 1, f) == 1;
        fclose(f);
        if (more) {
            cli_error("%s: a request file holds at most 64 raw bytes", req_path);
            return EXIT_BAD_INPUT;
        }
    } else {
        cli_error("attest report: give --random, --data HEX or a request file");
        return EXIT_BAD_INPUT;
    }
    if ((hex || random) && req_path) {
        int rc = write_whole(req_path, data, sizeof data);
        if (rc) return rc;
    }
    attest_result_t res;
    char err[768];
    int rc = attest_get_report(&res, &o, data, false, err, sizeof err);
    if (rc) {
        cli_error("attest report (%s): %s", attest_backend_name(o.backend), err);
        return exit_of(rc);
    }
    rc = write_whole(out_path, res.report, SNP_REPORT_SIZE);
    attest_result_free(&res);
    if (rc) return rc;
    snp_report_t r;
    if (snp_report_parse(&r, res.report, SNP_REPORT_SIZE, err, sizeof err)) {
        cli_error("%s: written, but the firmware's report does not parse: %s", out_path, err);
        return EXIT_INTERNAL;
    }
    print_warnings(out_path, &r);
    fprintf(stderr, "zbprover: wrote %s (%d bytes, backend %s)\n", out_path, SNP_REPORT_SIZE,
            attest_backend_name(res.used));
    return 0;
}

static int cmd_certificates(int argc, char **argv) {
    attest_opts_t o;
    attest_opts_init(&o);
    const char *dir = NULL, *fmt = "pem";
    for (int i = 2; i < argc; i++) {
        int b = backend_opt(argc, argv, &i, &o);
        if (b < 0) return EXIT_BAD_INPUT;
        if (b) continue;
        const char *v;
        if (cli_opt_value(argc, argv, &i, "--format", &v)) {
            if (!v || (strcmp(v, "pem") && strcmp(v, "der"))) {
                cli_error("--format: pem or der");
                return EXIT_BAD_INPUT;
            }
            fmt = v;
        } else if (argv[i][0] == '-' || dir) {
            cli_error("attest certificates: unexpected argument '%s'", argv[i]);
            return EXIT_BAD_INPUT;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        fputs(USAGE, stderr);
        return EXIT_BAD_INPUT;
    }
    uint8_t data[SNP_REPORT_DATA_SIZE];
    if (RAND_bytes(data, sizeof data) != 1) {
        cli_error("no randomness available");
        return EXIT_INTERNAL;
    }
    attest_result_t res;
    char err[768];
    int rc = attest_get_report(&res, &o, data, true, err, sizeof err);
    if (rc) {
        cli_error("attest certificates (%s): %s", attest_backend_name(o.backend), err);
        return exit_of(rc);
    }
    snp_certs_t *c = snp_certs_new();
    if (!c) {
        attest_result_free(&res);
        return EXIT_INTERNAL;
    }
    rc = snp_certs_add_table(c, res.certs, res.certs_len, err, sizeof err);
    attest_result_free(&res);
    int code = 0;
    if (rc) {
        cli_error("attest certificates: the host's %s", err);
        code = EXIT_INTERNAL;
    } else {
        int count = 0;
        for (int k = 0; k < SNP_CERT_KINDS; k++) count += snp_certs_has(c, (snp_cert_kind_t)k);
        if (!count) {
            cli_error("attest certificates: the host supplied no certificates (fetch them from "
                      "AMD's KDS: zbprover attest kds-url)");
            code = EXIT_INTERNAL;
        } else if ((rc = snp_certs_write(c, dir, !strcmp(fmt, "der"), err, sizeof err))) {
            cli_error("attest certificates: %s", err);
            code = exit_of(rc);
        } else {
            for (int k = 0; k < SNP_CERT_KINDS; k++)
                if (snp_certs_has(c, (snp_cert_kind_t)k))
                    printf("%s/%s.%s\n", dir, snp_cert_kind_name((snp_cert_kind_t)k), fmt);
        }
    }
    snp_certs_free(c);
    return code;
}

static int cmd_verify(int argc, char **argv) {
    cli_policy_t cp;
    cli_policy_init(&cp);
    const char *report_path = NULL;
    bool json = false;
    uint8_t rd[64] = {0};
    int code = 0;
    for (int i = 2; i < argc && !code; i++) {
        const char *v = NULL;
        size_t n;
        int k = cli_policy_opt(&cp, argc, argv, &i, "attest verify");
        if (k < 0) code = EXIT_BAD_INPUT;
        else if (k) continue;
        else if (!strcmp(argv[i], "--json")) json = true;
        else if (cli_opt_value(argc, argv, &i, "--report-data", &v)) {
            /* Shorter values are zero-padded, as REPORT_DATA is when a request carries fewer. */
            if (cli_parse_hex(v, rd, 64, &n)) {
                cli_error("attest verify: --report-data: not hex of at most 64 bytes");
                code = EXIT_BAD_INPUT;
            }
            cp.p.report_data = rd;
        } else if (argv[i][0] == '-' || report_path) {
            cli_error("attest verify: unexpected argument '%s'", argv[i]);
            code = EXIT_BAD_INPUT;
        } else {
            report_path = argv[i];
        }
    }
    if (!code && (!report_path || !cp.n_certs)) {
        if (report_path) cli_error("attest verify: --certs is required");
        fputs(USAGE, stderr);
        code = EXIT_BAD_INPUT;
    }
    char err[768];
    snp_report_t r;
    snp_certs_t *c = NULL;
    int rc;
    if (!code && (rc = snp_report_read_file(&r, report_path, err, sizeof err))) {
        cli_error("%s", err);
        code = exit_of(rc);
    }
    if (!code) {
        print_warnings(report_path, &r);
        if (!(c = snp_certs_new())) code = EXIT_INTERNAL;
        else code = cli_policy_load(&cp, c);
    }
    snp_verdict_t v;
    if (!code) {
        rc = attest_verify(&v, &r, c, &cp.p, err, sizeof err);
        if (rc != ATTEST_OK && rc != ATTEST_REJECTED) {
            cli_error("%s: %s", report_path, err);
            code = exit_of(rc);
        }
    }
    snp_certs_free(c);
    cli_policy_free(&cp);
    if (code) return code;
    if (json) {
        attest_verdict_json(stdout, &v);
        return v.ok ? 0 : EXIT_VERDICT_NO;
    }
    static const char *status[] = {"pass", "FAIL", "skip"};
    for (size_t k = 0; k < v.n; k++)
        printf("%-4s %-12s %s\n", status[v.checks[k].status], v.checks[k].name, v.checks[k].detail);
    if (v.dropped) printf("FAIL checks       %zu checks were not recorded\n", v.dropped);
    if (v.ok) {
        printf("%s: valid (revocation %s)\n", report_path,
               v.revocation_checked ? "checked" : "not checked");
    } else {
        printf("%s: REJECTED:", report_path);
        for (size_t k = 0; k < v.n; k++)
            if (v.checks[k].status == SNP_CHECK_FAIL) printf(" %s", v.checks[k].name);
        putchar('\n');
    }
    return v.ok ? 0 : EXIT_VERDICT_NO;
}

/* The report, then --product/--json for the commands that only read it. */
static int read_only_args(int argc, char **argv, const char **path, snp_gen_t *hint, bool *json,
                          bool allow_json) {
    *path = NULL;
    *hint = SNP_GEN_UNKNOWN;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if (allow_json && !strcmp(argv[i], "--json")) *json = true;
        else if (cli_opt_value(argc, argv, &i, "--product", &v)) {
            if (snp_gen_parse(hint, v)) {
                cli_error("--product: '%s' is not Milan, Genoa or Turin", v ? v : "");
                return EXIT_BAD_INPUT;
            }
        } else if (argv[i][0] == '-' || *path) {
            cli_error("attest %s: unexpected argument '%s'", argv[1], argv[i]);
            return EXIT_BAD_INPUT;
        } else {
            *path = argv[i];
        }
    }
    if (!*path) {
        fputs(USAGE, stderr);
        return EXIT_BAD_INPUT;
    }
    return 0;
}

static int cmd_kds_url(int argc, char **argv) {
    const char *path;
    snp_gen_t hint;
    bool json = false;
    int code = read_only_args(argc, argv, &path, &hint, &json, false);
    if (code) return code;
    char err[512];
    snp_report_t r;
    snp_kds_urls_t u;
    int rc = snp_report_read_file(&r, path, err, sizeof err);
    if (!rc && (rc = snp_kds_urls(&u, &r, hint, err, sizeof err)) == ATTEST_OK) {
        if (u.vek[0]) printf("vcek %s\n", u.vek);
        printf("cert_chain %s\n", u.chain);
        printf("crl %s\n", u.crl);
        if (u.vlek)
            cli_error("%s: signed by a VLEK: AMD's KDS gives VLEKs to cloud providers only; ask "
                      "yours (or read the host's certificate table: attest certificates)",
                      path);
        else if (!u.vek[0])
            cli_error("%s: CHIP_ID is masked, so the VCEK cannot be named: take it from the host "
                      "(attest certificates)",
                      path);
        return 0;
    }
    cli_error("%s%s%s", rc == ATTEST_EINPUT && strncmp(err, path, strlen(path)) ? path : "",
              rc == ATTEST_EINPUT && strncmp(err, path, strlen(path)) ? ": " : "", err);
    return exit_of(rc);
}

static int show(const char *path, snp_gen_t hint, bool json) {
    char err[512];
    snp_report_t r;
    int rc = snp_report_read_file(&r, path, err, sizeof err);
    if (rc) {
        cli_error("%s", err);
        return exit_of(rc);
    }
    print_warnings(path, &r);
    snp_gen_info_t g;
    snp_report_generation(&g, &r, NULL, hint);
    return snp_report_print(stdout, &r, &g, json) ? EXIT_INTERNAL : 0;
}

int cmd_info_report(const char *path) { return show(path, SNP_GEN_UNKNOWN, false); }

int cmd_attest(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_BAD_INPUT : 0;
    }
    const char *verb = argv[1];
    if (!strcmp(verb, "report")) return cmd_report(argc, argv);
    if (!strcmp(verb, "certificates")) return cmd_certificates(argc, argv);
    if (!strcmp(verb, "verify")) return cmd_verify(argc, argv);
    if (!strcmp(verb, "kds-url")) return cmd_kds_url(argc, argv);
    if (!strcmp(verb, "info")) {
        const char *path;
        snp_gen_t hint;
        bool json = false;
        int code = read_only_args(argc, argv, &path, &hint, &json, true);
        return code ? code : show(path, hint, json);
    }
    cli_error("attest: unknown command '%s'", verb);
    fputs(USAGE, stderr);
    return EXIT_BAD_INPUT;
}
