/* attest_policy.c: the report-policy flags of `attest verify` and `check-bundle` (attest_policy.h),
 * parsed in one place so the two commands cannot drift apart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/attest_policy.h"
#include "cli/cli.h"

enum { MEAS = 0, IDK = 1, AUTHOR = 2 };

void cli_policy_init(cli_policy_t *c) {
    memset(c, 0, sizeof *c);
    snp_policy_init(&c->p);
}

void cli_policy_free(cli_policy_t *c) {
    for (int k = 0; k < 3; k++)
        free(c->digests[k]);
    memset(c, 0, sizeof *c);
}

bool cli_opt_value(int argc, char **argv, int *i, const char *name, const char **out) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n)) return false;
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != 0) return false;
    *out = *i + 1 < argc ? argv[++*i] : NULL;
    return true;
}

int cli_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len) {
    if (!s) return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    size_t n = strlen(s);
    if (n % 2 || n / 2 > max) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char ch = s[2 * i + k];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
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

int cli_read_file(const char *path, size_t max, char **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("%s: %s", path, strerror(errno));
        return EXIT_BAD_INPUT;
    }
    char *b = NULL;
    size_t n = 0, cap = 0, got = 1;
    while (got && n <= max) {
        if (n == cap) {
            char *nb = realloc(b, (cap = cap ? 2 * cap : 1 << 16) + 1);
            if (!nb) break;
            b = nb;
        }
        n += got = fread(b + n, 1, cap - n, f);
    }
    bool bad = ferror(f) || got || n > max;
    fclose(f);
    if (bad) {
        free(b);
        if (got && n <= max) return EXIT_INTERNAL; /* out of memory */
        cli_error("%s: %s", path, n > max ? "too large" : "read error");
        return EXIT_BAD_INPUT;
    }
    b[n] = 0;
    *out = b;
    *len = n;
    return 0;
}

static int push_digest(cli_policy_t *c, int k, const uint8_t d[48]) {
    if (c->n_digests[k] == c->cap_digests[k]) {
        size_t cap = c->cap_digests[k] ? 2 * c->cap_digests[k] : 8;
        uint8_t(*nd)[48] = realloc(c->digests[k], cap * 48);
        if (!nd) return -1;
        c->digests[k] = nd;
        c->cap_digests[k] = cap;
    }
    memcpy(c->digests[k][c->n_digests[k]++], d, 48);
    return 0;
}

/* An allow-list file: one 48-byte hex value per line; blank lines and # comments are skipped. */
static int read_digest_file(cli_policy_t *c, int k, const char *path, const char *cmd) {
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("%s: %s: %s", cmd, path, strerror(errno));
        return -1;
    }
    char line[512];
    int rc = 0, lineno = 0, count = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line, *e;
        while (*s == ' ' || *s == '\t')
            s++;
        if ((e = strchr(s, '#'))) *e = 0;
        e = s + strlen(s);
        while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            *--e = 0;
        if (!*s) continue;
        uint8_t d[48];
        size_t n;
        if (cli_parse_hex(s, d, 48, &n) || n != 48) {
            cli_error("%s: %s, line %d: not 48 bytes of hex", cmd, path, lineno);
            rc = -1;
        } else if (push_digest(c, k, d)) {
            cli_error("%s: out of memory", cmd);
            rc = -1;
        }
        count++;
    }
    fclose(f);
    if (!rc && !count) {
        cli_error("%s: %s: no measurement in it", cmd, path);
        rc = -1;
    }
    return rc;
}

static void point(cli_policy_t *c) {
    c->p.measurements = (const uint8_t(*)[48])c->digests[MEAS];
    c->p.n_measurements = c->n_digests[MEAS];
    c->p.id_key_digests = (const uint8_t(*)[48])c->digests[IDK];
    c->p.n_id_key_digests = c->n_digests[IDK];
    c->p.author_key_digests = (const uint8_t(*)[48])c->digests[AUTHOR];
    c->p.n_author_key_digests = c->n_digests[AUTHOR];
}

int cli_policy_opt(cli_policy_t *c, int argc, char **argv, int *i, const char *cmd) {
    const char *opt = argv[*i], *v = NULL;
    snp_policy_t *p = &c->p;
    size_t n;
    long long num;
    bool bad = false;
    if (!strcmp(opt, "--allow-debug"))
        p->allow_debug = true;
    else if (!strcmp(opt, "--allow-migrate-ma"))
        p->allow_migrate_ma = true;
    else if (!strcmp(opt, "--allow-provisional"))
        p->allow_provisional = true;
    else if (!strcmp(opt, "--require-crl"))
        p->require_crl = true;
    else if (cli_opt_value(argc, argv, i, "--certs", &v))
        bad = !v || c->n_certs == 16 || !(c->certs[c->n_certs++] = v);
    else if (cli_opt_value(argc, argv, i, "--crl", &v))
        bad = !v || c->n_crls == 16 || !(c->crls[c->n_crls++] = v);
    else if (cli_opt_value(argc, argv, i, "--trust-root", &v))
        bad = !(p->trust_root = v);
    else if (cli_opt_value(argc, argv, i, "--product", &v))
        bad = snp_gen_parse(&p->product_hint, v) != 0;
    else if (cli_opt_value(argc, argv, i, "--min-tcb", &v))
        bad = snp_policy_min_tcb(p, v) != 0;
    else if (cli_opt_value(argc, argv, i, "--host-data", &v)) {
        bad = cli_parse_hex(v, c->host_data, 32, &n) || n != 32;
        p->host_data = c->host_data;
    } else if (cli_opt_value(argc, argv, i, "--family-id", &v)) {
        bad = cli_parse_hex(v, c->family_id, 16, &n) || n != 16;
        p->family_id = c->family_id;
    } else if (cli_opt_value(argc, argv, i, "--image-id", &v)) {
        bad = cli_parse_hex(v, c->image_id, 16, &n) || n != 16;
        p->image_id = c->image_id;
    } else if (cli_opt_value(argc, argv, i, "--measurement-file", &v)) {
        if (!v)
            bad = true;
        else if (read_digest_file(c, MEAS, v, cmd))
            return -1;
    } else if (cli_opt_value(argc, argv, i, "--measurement", &v) ||
               cli_opt_value(argc, argv, i, "--id-key-digest", &v) ||
               cli_opt_value(argc, argv, i, "--author-key-digest", &v)) {
        int k = !strncmp(opt, "--measurement", 13) ? MEAS
                : !strncmp(opt, "--id-key", 8)     ? IDK
                                                   : AUTHOR;
        uint8_t d[48];
        bad = cli_parse_hex(v, d, 48, &n) || n != 48 || push_digest(c, k, d);
    } else if (cli_opt_value(argc, argv, i, "--vmpl", &v)) {
        bad = cli_parse_int(v, 0, 3, &num) != 0;
        p->vmpl = (int)num;
    } else if (cli_opt_value(argc, argv, i, "--min-guest-svn", &v)) {
        bad = cli_parse_int(v, 0, UINT32_MAX, &num) != 0;
        p->check_guest_svn = true;
        p->min_guest_svn = (uint32_t)num;
    } else if (cli_opt_value(argc, argv, i, "--at", &v)) {
        bad = cli_parse_int(v, 0, 253402300799LL, &num) != 0;
        p->has_time = true;
        p->at = (time_t)num;
    } else {
        return 0;
    }
    point(c);
    if (bad) {
        cli_error("%s: %s: bad or missing value%s%s", cmd, opt, v ? " " : "", v ? v : "");
        return -1;
    }
    return 1;
}

int cli_policy_load(const cli_policy_t *c, snp_certs_t *certs) {
    char err[768];
    int rc = ATTEST_OK;
    for (size_t k = 0; k < c->n_certs && !rc; k++)
        rc = snp_certs_load(certs, c->certs[k], err, sizeof err);
    for (size_t k = 0; k < c->n_crls && !rc; k++)
        rc = snp_certs_load_crl(certs, c->crls[k], err, sizeof err);
    if (!rc) return 0;
    cli_error("%s", err); /* the message names the file */
    return rc == ATTEST_EINPUT ? EXIT_BAD_INPUT : EXIT_INTERNAL;
}
