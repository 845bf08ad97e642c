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
#include "cli/opts.h"
#include "prover/util.h"

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

/* Options every way of getting a report shares. */
enum {
    K_BACKEND = CLI_KEY0, K_SIM_DIR, K_SIM_VLEK, K_TSM_ROOT, K_TSM_ENTRY, K_DEVICE, K_VMPL,
    K_RANDOM, K_DATA, K_FORMAT, K_REPORT_DATA, K_JSON, K_PRODUCT,
};
static const cli_opt_t backend_opts[] = {
    CLI_HEADING("backend:"),
    {"backend", K_BACKEND, "NAME", "auto (tsm, then ioctl), tsm, ioctl or sim (never auto)"},
    {"sim-dir", K_SIM_DIR, "DIR", "the simulator's chain (default $ZBP_SIM_DIR, ~/.zbprover/sim)"},
    {"sim-vlek", K_SIM_VLEK, NULL, "sim: sign with the simulated VLEK"},
    {"tsm-root", K_TSM_ROOT, "DIR", "configfs-tsm's report directory"},
    {"tsm-entry", K_TSM_ENTRY, "NAME", "use (and keep) this configfs-tsm entry"},
    {"device", K_DEVICE, "PATH", "the guest device (default /dev/sev-guest)"},
    {"vmpl", K_VMPL, "N", "the VMPL to write into the report (0..3)"},
    CLI_END,
};

typedef struct {
    attest_opts_t o;
    const char *hex, *fmt;
    bool random, json;
    snp_gen_t hint;
    cli_policy_t cp;
    uint8_t rd[64];
} args_t;

static int on_opt(void *ctx, int key, const char *v) {
    args_t *a = ctx;
    long long n;
    size_t len;
    switch (key) {
    case K_BACKEND:
        if (attest_backend_parse(&a->o.backend, v)) {
            cli_error("--backend: '%s' is not auto, tsm, ioctl or sim", v);
            return EXIT_BAD_INPUT;
        }
        return 0;
    case K_SIM_DIR: a->o.sim_dir = v; return 0;
    case K_SIM_VLEK: a->o.sim_vlek = true; return 0;
    case K_TSM_ROOT: a->o.tsm_root = v; return 0;
    case K_TSM_ENTRY: a->o.tsm_entry = v; return 0;
    case K_DEVICE: a->o.device = v; return 0;
    case K_VMPL:
        if (cli_parse_int(v, 0, 3, &n)) {
            cli_error("--vmpl: '%s' is not 0..3", v);
            return EXIT_BAD_INPUT;
        }
        a->o.vmpl = (int)n;
        return 0;
    case K_RANDOM: a->random = true; return 0;
    case K_DATA: a->hex = v; return 0;
    case K_FORMAT:
        if (strcmp(v, "pem") && strcmp(v, "der")) {
            cli_error("--format: '%s' is not pem or der", v);
            return EXIT_BAD_INPUT;
        }
        a->fmt = v;
        return 0;
    case K_REPORT_DATA:
        /* Shorter values are zero-padded, as REPORT_DATA is when a request carries fewer. */
        if (cli_parse_hex(v, a->rd, 64, &len)) {
            cli_error("attest verify: --report-data: not hex of at most 64 bytes");
            return EXIT_BAD_INPUT;
        }
        a->cp.p.report_data = a->rd;
        return 0;
    case K_JSON: a->json = true; return 0;
    case K_PRODUCT:
        if (snp_gen_parse(&a->hint, v)) {
            cli_error("--product: '%s' is not Milan, Genoa or Turin", v);
            return EXIT_BAD_INPUT;
        }
        return 0;
    default:
        if (cli_policy_key(key)) return cli_policy_apply(&a->cp, key, v, "attest verify");
        return EXIT_INTERNAL;
    }
}

static void args_init(args_t *a) {
    memset(a, 0, sizeof *a);
    attest_opts_init(&a->o);
    cli_policy_init(&a->cp);
    a->fmt = "pem";
}

static const cli_opt_t report_opts[] = {
    {"random", K_RANDOM, NULL, "64 random bytes of REPORT_DATA (written to the request file)"},
    {"data", K_DATA, "HEX", "REPORT_DATA, up to 64 bytes, zero-padded"},
    CLI_END,
};
static const cli_cmd_t report_cmd = {
    "attest report", "<report.bin> [<request-file>] [--random | --data HEX] [options]",
    "Gets a report and writes its 1184 bytes. Without --random or --data, REPORT_DATA is the\n"
    "request file's bytes (at most 64).",
    {report_opts, backend_opts, NULL}, 1, 2};

static int cmd_report(int argc, char **argv) {
    args_t a;
    args_init(&a);
    int first = 0, rc = cli_parse(&report_cmd, argc, argv, on_opt, &a, &first);
    if (rc) return cli_exit(rc);
    const char *out_path = argv[first], *req_path = first + 1 < argc ? argv[first + 1] : NULL;
    attest_opts_t o = a.o;
    const char *hex = a.hex;
    bool random = a.random;
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
        if ((rc = write_whole(req_path, data, sizeof data))) return rc;
    }
    attest_result_t res;
    char err[768];
    rc = attest_get_report(&res, &o, data, false, err, sizeof err);
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

static const cli_opt_t certificates_opts[] = {
    {"format", K_FORMAT, "pem|der", "the files' format (default pem)"},
    CLI_END,
};
static const cli_cmd_t certificates_cmd = {
    "attest certificates", "<dir> [--format pem|der] [options]",
    "Asks for an extended report and writes the host's certificates (ark, ask or asvk, vcek or\n"
    "vlek) and CRL into dir.",
    {certificates_opts, backend_opts, NULL}, 1, 1};

static int cmd_certificates(int argc, char **argv) {
    args_t a;
    args_init(&a);
    int first = 0, rc = cli_parse(&certificates_cmd, argc, argv, on_opt, &a, &first);
    if (rc) return cli_exit(rc);
    const char *dir = argv[first], *fmt = a.fmt;
    attest_opts_t o = a.o;
    uint8_t data[SNP_REPORT_DATA_SIZE];
    if (RAND_bytes(data, sizeof data) != 1) {
        cli_error("no randomness available");
        return EXIT_INTERNAL;
    }
    attest_result_t res;
    char err[768];
    rc = attest_get_report(&res, &o, data, true, err, sizeof err);
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

static const cli_opt_t verify_opts[] = {
    {"report-data", K_REPORT_DATA, "HEX", "REPORT_DATA must be these bytes (zero-padded)"},
    {"json", K_JSON, NULL, "one JSON object instead of a line per check"},
    CLI_END,
};
static const cli_cmd_t verify_cmd = {
    "attest verify", "<report.bin> --certs DIR|FILE [--certs ...] [options]",
    "Verifies a report: chain, CRLs, signature, TCB, policy (docs/attestation.md names each\n"
    "check). Exit 0 valid, 1 rejected (each failed check named), 2 bad input.",
    {verify_opts, cli_policy_opts, cli_platform_opts, NULL}, 1, 1};

static int cmd_verify(int argc, char **argv) {
    args_t a;
    args_init(&a);
    cli_policy_t *cp = &a.cp;
    int first = 0, code = cli_parse(&verify_cmd, argc, argv, on_opt, &a, &first);
    if (!code && !cp->n_certs) {
        cli_error("attest verify: --certs is required (zbprover attest verify --help)");
        code = EXIT_BAD_INPUT;
    }
    if (code) {
        cli_policy_free(cp);
        return cli_exit(code);
    }
    const char *report_path = argv[first];
    bool json = a.json;
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
        else code = cli_policy_load(cp, c);
    }
    snp_verdict_t v;
    if (!code) {
        rc = attest_verify(&v, &r, c, &cp->p, err, sizeof err);
        if (rc != ATTEST_OK && rc != ATTEST_REJECTED) {
            cli_error("%s: %s", report_path, err);
            code = exit_of(rc);
        }
    }
    snp_certs_free(c);
    cli_policy_free(cp);
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

static const cli_opt_t kds_opts[] = {
    {"product", K_PRODUCT, "NAME", "Milan, Genoa or Turin, when the report cannot tell"},
    CLI_END,
};
static const cli_cmd_t kds_cmd = {
    "attest kds-url", "<report.bin> [--product NAME]",
    "Prints the AMD KDS URLs of the report's VCEK, chain and CRL (no network use).",
    {kds_opts, NULL}, 1, 1};
static const cli_opt_t info_opts[] = {
    {"json", K_JSON, NULL, "one JSON object"},
    {"product", K_PRODUCT, "NAME", "the TCB layout of Milan, Genoa or Turin (a v2 report)"},
    CLI_END,
};
static const cli_cmd_t info_cmd = {"attest info", "<report.bin> [--json] [--product NAME]",
                                   "Prints every field of a report.", {info_opts, NULL}, 1, 1};

static int cmd_kds_url(int argc, char **argv) {
    args_t a;
    args_init(&a);
    int first = 0, code = cli_parse(&kds_cmd, argc, argv, on_opt, &a, &first);
    if (code) return cli_exit(code);
    const char *path = argv[first];
    snp_gen_t hint = a.hint;
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

static int cmd_info_sub(int argc, char **argv) {
    args_t a;
    args_init(&a);
    int first = 0, code = cli_parse(&info_cmd, argc, argv, on_opt, &a, &first);
    return code ? cli_exit(code) : show(argv[first], a.hint, a.json);
}

int cmd_attest(int argc, char **argv) {
    static const cli_sub_t subs[] = {
        {"report", cmd_report, "get a report carrying 64 chosen bytes"},
        {"certificates", cmd_certificates, "write the host's certificates and CRL"},
        {"verify", cmd_verify, "verify a report: chain, CRLs, signature, TCB, policy"},
        {"kds-url", cmd_kds_url, "the AMD KDS URLs of a report's certificates"},
        {"info", cmd_info_sub, "every field of a report"},
    };
    return cli_dispatch("attest", "SEV-SNP attestation reports (docs/attestation.md).", subs,
                        sizeof subs / sizeof subs[0], argc, argv);
}
