/* attest_policy.c: the report-policy flags of `attest verify` and `check-bundle` (attest_policy.h),
 * parsed in one place so the two commands cannot drift apart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/attest_policy.h"
#include "cli/cli.h"
#include "prover/util.h"

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

/* Hex with an optional 0x: prover/util.h's decoder. */
int cli_parse_hex(const char *s, uint8_t *out, size_t max, size_t *len) {
    if (!s) return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    return zbp_hex_decode(out, max, len, s, strlen(s));
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

enum {
    P_CERTS = CLI_POLICY_KEY0, P_CRL, P_REQUIRE_CRL, P_TRUST_ROOT, P_PRODUCT, P_AT, P_MIN_TCB,
    P_ALLOW_PROVISIONAL, P_VMPL, P_ALLOW_DEBUG, P_ALLOW_MIGRATE_MA, P_HOST_DATA, P_MEASUREMENT,
    P_MEASUREMENT_FILE, P_ID_KEY, P_AUTHOR_KEY, P_FAMILY_ID, P_IMAGE_ID, P_MIN_GUEST_SVN,
    P_PLATFORM_REQUIRE, P_PLATFORM_FORBID, P_FORBID_SMT, P_REQUIRE_MIT_VECTOR,
};

const cli_opt_t cli_policy_opts[] = {
    CLI_HEADING("certificates:"),
    {"certs", P_CERTS, "DIR|FILE", "ARK, ASK/ASVK, VCEK/VLEK (and CRLs); repeatable"},
    {"crl", P_CRL, "FILE", "a CRL, PEM or DER (KDS serves DER); repeatable"},
    {"require-crl", P_REQUIRE_CRL, NULL, "fail unless a valid CRL of the root covers the chain"},
    {"trust-root", P_TRUST_ROOT, "PEM", "trust this root instead of AMD's (the simulator's)"},
    {"product", P_PRODUCT, "NAME", "Milan, Genoa or Turin, when the report cannot tell"},
    {"at", P_AT, "UNIX-TIME", "judge certificates and CRLs at this time (default: now)"},
    CLI_HEADING("TCB:"),
    {"min-tcb", P_MIN_TCB, "SPEC",
     "auto, auto:YYYY-MM-DD or bl=N,tee=N,snp=N,ucode=N[,fmc=N] (REPORTED and LAUNCH_TCB)"},
    {"allow-provisional", P_ALLOW_PROVISIONAL, NULL, "accept COMMITTED != CURRENT"},
    CLI_HEADING("guest:"),
    {"vmpl", P_VMPL, "N", "the report's VMPL must be N (0..3)"},
    {"allow-debug", P_ALLOW_DEBUG, NULL, "accept POLICY.DEBUG"},
    {"allow-migrate-ma", P_ALLOW_MIGRATE_MA, NULL, "accept POLICY.MIGRATE_MA"},
    {"host-data", P_HOST_DATA, "HEX", "HOST_DATA must be these 32 bytes"},
    {"measurement", P_MEASUREMENT, "HEX", "an allowed MEASUREMENT (48 bytes); repeatable"},
    {"measurement-file", P_MEASUREMENT_FILE, "FILE", "allowed MEASUREMENTs, one per line"},
    {"id-key-digest", P_ID_KEY, "HEX", "an allowed ID key digest; repeatable"},
    {"author-key-digest", P_AUTHOR_KEY, "HEX", "an allowed author key digest; repeatable"},
    {"family-id", P_FAMILY_ID, "HEX", "FAMILY_ID must be these 16 bytes"},
    {"image-id", P_IMAGE_ID, "HEX", "IMAGE_ID must be these 16 bytes"},
    {"min-guest-svn", P_MIN_GUEST_SVN, "N", "GUEST_SVN must be at least N"},
    CLI_END,
};

const cli_opt_t cli_platform_opts[] = {
    CLI_HEADING("platform (names: smt, tsme, ecc, rapl-dis, ciphertext-hiding, alias-check, tio):"),
    {"platform-require", P_PLATFORM_REQUIRE, "LIST", "PLATFORM_INFO bits that must be set"},
    {"platform-forbid", P_PLATFORM_FORBID, "LIST", "PLATFORM_INFO bits that must be clear"},
    {"forbid-smt", P_FORBID_SMT, NULL, "the same as --platform-forbid smt"},
    {"require-mit-vector", P_REQUIRE_MIT_VECTOR, "HEX",
     "bits both v5 mitigation vectors must hold (64-bit, hex)"},
    CLI_END,
};

int cli_policy_apply(cli_policy_t *c, int key, const char *v, const char *cmd) {
    snp_policy_t *p = &c->p;
    size_t n;
    long long num = 0;
    uint64_t bits = 0;
    bool bad = false;
    switch (key) {
    case P_ALLOW_DEBUG: p->allow_debug = true; break;
    case P_ALLOW_MIGRATE_MA: p->allow_migrate_ma = true; break;
    case P_ALLOW_PROVISIONAL: p->allow_provisional = true; break;
    case P_REQUIRE_CRL: p->require_crl = true; break;
    case P_CERTS:
        if (c->n_certs == 16) {
            cli_error("%s: at most 16 --certs", cmd);
            return EXIT_BAD_INPUT;
        }
        c->certs[c->n_certs++] = v;
        break;
    case P_CRL:
        if (c->n_crls == 16) {
            cli_error("%s: at most 16 --crl", cmd);
            return EXIT_BAD_INPUT;
        }
        c->crls[c->n_crls++] = v;
        break;
    case P_TRUST_ROOT: p->trust_root = v; break;
    case P_PRODUCT: bad = snp_gen_parse(&p->product_hint, v) != 0; break;
    case P_MIN_TCB: bad = snp_policy_min_tcb(p, v) != 0; break;
    case P_HOST_DATA:
        bad = cli_parse_hex(v, c->host_data, 32, &n) || n != 32;
        p->host_data = c->host_data;
        break;
    case P_FAMILY_ID:
        bad = cli_parse_hex(v, c->family_id, 16, &n) || n != 16;
        p->family_id = c->family_id;
        break;
    case P_IMAGE_ID:
        bad = cli_parse_hex(v, c->image_id, 16, &n) || n != 16;
        p->image_id = c->image_id;
        break;
    case P_MEASUREMENT_FILE:
        if (read_digest_file(c, MEAS, v, cmd)) return EXIT_BAD_INPUT;
        break;
    case P_MEASUREMENT:
    case P_ID_KEY:
    case P_AUTHOR_KEY: {
        uint8_t d[48];
        int k = key == P_MEASUREMENT ? MEAS : key == P_ID_KEY ? IDK : AUTHOR;
        bad = cli_parse_hex(v, d, 48, &n) || n != 48 || push_digest(c, k, d);
        break;
    }
    case P_VMPL:
        bad = cli_parse_int(v, 0, 3, &num) != 0;
        p->vmpl = (int)num;
        break;
    case P_MIN_GUEST_SVN:
        bad = cli_parse_int(v, 0, UINT32_MAX, &num) != 0;
        p->check_guest_svn = true;
        p->min_guest_svn = (uint32_t)num;
        break;
    case P_AT:
        bad = cli_parse_int(v, 0, 253402300799LL, &num) != 0;
        p->has_time = true;
        p->at = (time_t)num;
        break;
    case P_PLATFORM_REQUIRE:
    case P_PLATFORM_FORBID:
        bad = snp_platform_bits_parse(&bits, v) != 0;
        *(key == P_PLATFORM_REQUIRE ? &p->platform_require : &p->platform_forbid) |= bits;
        break;
    case P_FORBID_SMT: p->platform_forbid |= SNP_PLATFORM_SMT_EN; break;
    case P_REQUIRE_MIT_VECTOR: {
        /* a 64-bit mask in hex: 1 to 16 digits, 0x optional */
        const char *h = v[0] == '0' && (v[1] == 'x' || v[1] == 'X') ? v + 2 : v;
        size_t len = strlen(h);
        bad = !len || len > 16 || strspn(h, "0123456789abcdefABCDEF") != len;
        p->mit_vector_require = bad ? 0 : strtoull(h, NULL, 16);
        p->check_mit_vector = true;
        break;
    }
    default:
        cli_error("%s: option %d is not a policy flag (internal)", cmd, key);
        return EXIT_INTERNAL;
    }
    point(c);
    if (bad) {
        const char *name = "?";
        for (const cli_opt_t *t = cli_policy_opts; t->name || t->help; t++)
            if (t->name && t->key == key) name = t->name;
        for (const cli_opt_t *t = cli_platform_opts; t->name || t->help; t++)
            if (t->name && t->key == key) name = t->name;
        cli_error("%s: --%s: bad value '%s'", cmd, name, v ? v : "");
        return EXIT_BAD_INPUT;
    }
    return 0;
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
