/* cmd_info.c: `zbprover info <file>`: a summary of a .zkey, .wtns or .r1cs (recognised by its
 * magic) or of an SEV-SNP attestation report (recognised by its size and version: every field).
 * `--json` for machine reading. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/attest.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "prover/json.h"
#include "prover/prover.h"
#include "prover/util.h"

/* One line in Python's json.dumps() default layout (", " and ": "), the tree released. */
static void print_json(json_t *v) {
    char *t = v ? zbp_json_dump_line(v, NULL) : NULL;
    printf("%s\n", t ? t : "{\"error\": \"out of memory\"}");
    free(t);
    json_decref(v);
}

static int info_zkey(const char *path, int json) {
    char err[512];
    zbp_zkey_t z;
    int st = zbp_zkey_open(&z, path, err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    uint8_t sha[32];
    char shahex[65];
    zbp_zkey_sha256(&z, sha);
    zbp_hex_encode(shahex, sha, 32);
    if (json) {
        print_json(json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
                             "type", "zkey", "protocol", "groth16", "curve", "bn128",
                             "constraints", (json_int_t)z.n_constraints, "domain_size",
                             (json_int_t)z.domain_size, "log_domain", (json_int_t)z.log_domain,
                             "public", (json_int_t)z.n_public, "variables", (json_int_t)z.n_vars,
                             "coefficients", (json_int_t)z.n_coefs, "contributions",
                             (json_int_t)z.n_contributions, "bytes", (json_int_t)z.file.size,
                             "sha256", shahex));
    } else {
        printf("file           %s (.zkey version %u)\n", path, z.file.version);
        printf("protocol       groth16\ncurve          bn128 (BN254)\n");
        printf("constraints    %u\n", z.n_constraints);
        printf("domain         2^%u = %u\n", z.log_domain, z.domain_size);
        printf("public         %u\n", z.n_public);
        printf("variables      %u (wires, with the constant wire 0)\n", z.n_vars);
        printf("coefficients   %u (A and B records)\n", z.n_coefs);
        printf("contributions  %u\n", z.n_contributions);
        printf("size           %zu bytes\n", z.file.size);
        printf("sha256         %s\n", shahex);
    }
    zbp_zkey_close(&z);
    return 0;
}

static int info_wtns(const char *path, int json) {
    char err[512];
    zbp_wtns_t w;
    int st = zbp_wtns_open(&w, path, err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    /* The distribution of values matters to the MSMs: count zeros, ones and small values. */
    uint64_t zeros = 0, ones = 0, small = 0;
    for (uint32_t i = 0; i < w.n_witness; i++) {
        const uint8_t *v = w.values + (size_t)i * 32;
        int hi_zero = 1;
        for (int k = 4; k < 32; k++)
            if (v[k]) hi_zero = 0;
        uint32_t lo = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
        if (hi_zero && lo == 0) zeros++;
        else if (hi_zero && lo == 1) ones++;
        else if (hi_zero) small++;
    }
    if (json)
        print_json(json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "type", "wtns", "curve", "bn128",
                             "values", (json_int_t)w.n_witness, "zeros", (json_int_t)zeros,
                             "ones", (json_int_t)ones, "small", (json_int_t)small));
    else
        printf("file           %s (.wtns version %u)\ncurve          bn128 (BN254 Fr)\n"
               "values         %u\nzeros          %llu\nones           %llu\n"
               "below 2^32     %llu (other than 0 and 1)\n",
               path, w.file.version, w.n_witness, (unsigned long long)zeros,
               (unsigned long long)ones, (unsigned long long)small);
    zbp_wtns_close(&w);
    return 0;
}

static int info_r1cs(const char *path, int json) {
    char err[512];
    zbp_r1cs_t r;
    int st = zbp_r1cs_open(&r, path, err, sizeof err);
    if (st != ZBP_OK) {
        cli_error("%s", err);
        return cli_exit_status(st);
    }
    if (json)
        print_json(json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}", "type", "r1cs",
                             "curve", "bn128", "wires", (json_int_t)r.n_wires, "constraints",
                             (json_int_t)r.n_constraints, "outputs", (json_int_t)r.n_outputs,
                             "public_inputs", (json_int_t)r.n_pub_inputs, "private_inputs",
                             (json_int_t)r.n_prv_inputs, "labels", (json_int_t)r.n_labels, "terms",
                             (json_int_t)r.n_terms, "custom_gates", r.custom_gates));
    else
        printf("file           %s (.r1cs version %u)\ncurve          bn128 (BN254 Fr)\n"
               "constraints    %u\nwires          %u\noutputs        %u\npublic inputs  %u\n"
               "private inputs %u\nlabels         %llu\nterms          %llu\ncustom gates   %s\n",
               path, r.file.version, r.n_constraints, r.n_wires, r.n_outputs, r.n_pub_inputs,
               r.n_prv_inputs, (unsigned long long)r.n_labels, (unsigned long long)r.n_terms,
               r.custom_gates ? "yes" : "no");
    zbp_r1cs_close(&r);
    return 0;
}

enum { K_JSON = CLI_KEY0 };
static const cli_opt_t info_opts[] = {
    {"json", K_JSON, NULL, "one JSON object"},
    CLI_END,
};
static const cli_cmd_t info_cmd = {
    "info", "<file> [--json]",
    "A summary of a .zkey, .wtns or .r1cs (told by its magic) or every field of an SEV-SNP\n"
    "report (told by its size, 1184 bytes); any other file is refused, naming what it looks like.",
    {info_opts, NULL}, 1, 1};

static int on_info_opt(void *ctx, int key, const char *v) {
    (void)v;
    if (key != K_JSON) return EXIT_INTERNAL;
    *(int *)ctx = 1;
    return 0;
}

int cmd_info(int argc, char **argv) {
    int json = 0, first = 0, rc = cli_parse(&info_cmd, argc, argv, on_info_opt, &json, &first);
    if (rc) return cli_exit(rc);
    const char *path = argv[first];
    struct stat st;
    if (stat(path, &st) != 0) {
        cli_error("%s: cannot read the file", path);
        return EXIT_BAD_INPUT;
    }
    if (!S_ISREG(st.st_mode)) {
        cli_error("%s: not a regular file", path);
        return EXIT_BAD_INPUT;
    }
    /* The type comes from the contents: snarkjs's containers by their magic, an SEV-SNP report
     * by its exact size and a plausible VERSION; anything else is named and refused, rather than
     * misread as a report of the wrong size. */
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("%s: cannot open: %s", path, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    unsigned char head[8] = {0};
    size_t got = fread(head, 1, sizeof head, f);
    fclose(f);
    if (got >= 4 && !memcmp(head, "zkey", 4)) return info_zkey(path, json);
    if (got >= 4 && !memcmp(head, "wtns", 4)) return info_wtns(path, json);
    if (got >= 4 && !memcmp(head, "r1cs", 4)) return info_r1cs(path, json);
    uint32_t version = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 |
                       (uint32_t)head[3] << 24;
    if (st.st_size == SNP_REPORT_SIZE && version >= 2 && version < 256) {
        if (json) {
            char *args[] = {"attest", "info", (char *)path, "--json", NULL};
            return cmd_attest(4, args);
        }
        return cmd_info_report(path);
    }
    size_t k = 0;
    while (k < got && (head[k] == ' ' || head[k] == '\t' || head[k] == '\n' || head[k] == '\r')) k++;
    const char *what = k < got && (head[k] == '{' || head[k] == '[') ? "a JSON file"
                       : st.st_size == 0                            ? "an empty file"
                                                                    : "of an unknown type";
    cli_error("%s: %s (%lld bytes): info reads a .zkey, .wtns or .r1cs (by their magic) or an "
              "SEV-SNP report (%d bytes)",
              path, what, (long long)st.st_size, SNP_REPORT_SIZE);
    return EXIT_BAD_INPUT;
}
