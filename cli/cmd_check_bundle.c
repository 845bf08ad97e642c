/* cmd_check_bundle.c: `zbprover check-bundle <bundle.json> --vk <verification_key.json> [report
 * policy] [--allow-unattested] [--job-id ID] [--ticket-id HEX] [--zkey-sha256 HEX] [--json]`: a
 * client's whole check of a prove answer. The checks are zbprover_verify_bundle's (the public C
 * API, include/zbprover.h); this file reads the files, parses flags and prints one line a check. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/attest_policy.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "job/job.h"
#include "zbprover.h"
#include "prover/json.h"

#define MAX_INPUT ((size_t)64 << 20)

/* The lines as the verifier decides them, kept to print once the verdict is known. */
typedef struct {
    size_t n, cap;
    struct line {
        char name[24];
        int status;
        char *detail;
    } * lines;
    bool failed_alloc;
} lines_t;

static void on_check(void *ctx, const char *name, int status, const char *detail) {
    lines_t *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        struct line *nl = realloc(l->lines, cap * sizeof *nl);
        if (!nl) {
            l->failed_alloc = true;
            return;
        }
        l->lines = nl;
        l->cap = cap;
    }
    struct line *x = &l->lines[l->n];
    snprintf(x->name, sizeof x->name, "%s", name);
    x->status = status;
    if (!(x->detail = strdup(detail))) {
        l->failed_alloc = true;
        return;
    }
    l->n++;
}

static void print(const lines_t *l, const zbprover_bundle_result_t *res, const char *bundle,
                  bool json) {
    static const char *status[] = {"pass", "FAIL", "skip"}, *jstatus[] = {"pass", "fail", "skip"};
    if (json) {
        /* one compact line, built as a jansson tree (prover/json.h writes it) */
        json_t *o = json_pack("{s:b, s:b, s:{s:b, s:b}, s:[]}", "valid", res->valid, "attested",
                              res->attested, "revocation", "checked", res->revocation_checked,
                              "vek_checked", res->vek_revocation_checked, "checks");
        json_t *checks = json_object_get(o, "checks");
        int bad = !o;
        for (size_t k = 0; k < l->n && !bad; k++)
            bad = json_array_append_new(
                checks, json_pack("{s:o?, s:s, s:o?}", "name",
                                  zbp_json_text(l->lines[k].name, strlen(l->lines[k].name)),
                                  "status", jstatus[l->lines[k].status % 3], "detail",
                                  zbp_json_text(l->lines[k].detail, strlen(l->lines[k].detail))));
        char *t = bad ? NULL : zbp_json_dump_compact(o, NULL);
        printf("%s\n", t ? t : "{\"valid\":false,\"error\":\"out of memory\"}");
        free(t);
        json_decref(o);
        return;
    }
    for (size_t k = 0; k < l->n; k++)
        printf("%-4s %-12s %s\n", status[l->lines[k].status % 3], l->lines[k].name,
               l->lines[k].detail);
    if (res->valid) {
        printf("%s: valid\n", bundle);
        return;
    }
    printf("%s: REJECTED:", bundle);
    for (size_t k = 0; k < l->n; k++)
        if (l->lines[k].status == ZBPROVER_CHECK_FAIL) printf(" %s", l->lines[k].name);
    putchar('\n');
}

/* The options zbprover_verify_bundle takes, from the shared policy flags (spec holds the
 * --min-tcb value written back as text). */
static void to_options(zbprover_bundle_options_t *o, const cli_policy_t *cp, char spec[64]) {
    const snp_policy_t *p = &cp->p;
    if (p->check_min_tcb && p->min_tcb_auto)
        snprintf(spec, 64, "auto%s%s", p->min_tcb_as_of[0] ? ":" : "", p->min_tcb_as_of);
    else if (p->check_min_tcb)
        snprintf(spec, 64, "bl=%u,tee=%u,snp=%u,ucode=%u,fmc=%u", p->min_tcb.bootloader,
                 p->min_tcb.tee, p->min_tcb.snp, p->min_tcb.microcode, p->min_tcb.fmc);
    o->min_tcb = p->check_min_tcb ? spec : NULL;
    o->measurements = p->measurements;
    o->n_measurements = p->n_measurements;
    o->id_key_digests = p->id_key_digests;
    o->n_id_key_digests = p->n_id_key_digests;
    o->author_key_digests = p->author_key_digests;
    o->n_author_key_digests = p->n_author_key_digests;
    o->host_data = p->host_data;
    o->family_id = p->family_id;
    o->image_id = p->image_id;
    o->check_guest_svn = p->check_guest_svn;
    o->min_guest_svn = p->min_guest_svn;
    o->vmpl = p->vmpl;
    o->allow_debug = p->allow_debug;
    o->allow_migrate_ma = p->allow_migrate_ma;
    o->allow_provisional = p->allow_provisional;
    o->require_crl = p->require_crl;
    o->has_time = p->has_time;
    o->at = (long long)p->at;
    o->product = p->product_hint ? snp_gen_name(p->product_hint) : NULL;
    o->platform_require = p->platform_require;
    o->platform_forbid = p->platform_forbid;
    o->check_mit_vector = p->check_mit_vector;
    o->mit_vector_require = p->mit_vector_require;
}

/* Reads the files the flags name, hands everything to zbprover_verify_bundle, prints the lines.
 * o holds the flags' values; returns the exit status. */
static int run(zbprover_bundle_options_t *o, const cli_policy_t *cp, const char *bundle,
               const char *vk, bool json) {
    char *bt = NULL, *vt = NULL, *pem = NULL, *root = NULL;
    size_t bl = 0, vl = 0, pl = 0, rl = 0;
    char err[1024];
    snp_certs_t *certs = snp_certs_new();
    int code = certs ? 0 : EXIT_INTERNAL;
    if (!code) code = cli_read_file(bundle, MAX_INPUT, &bt, &bl);
    if (!code) code = cli_read_file(vk, MAX_INPUT, &vt, &vl);
    if (!code) code = cli_policy_load(cp, certs);
    if (!code && cp->p.trust_root) code = cli_read_file(cp->p.trust_root, 1 << 20, &root, &rl);
    if (!code && snp_certs_to_pem(certs, &pem, &pl, err, sizeof err)) {
        cli_error("check-bundle: %s", err);
        code = EXIT_INTERNAL;
    }
    if (!code) {
        char spec[64];
        to_options(o, cp, spec);
        o->bundle_name = bundle;
        o->vk_name = vk;
        o->vk_json = vt;
        o->vk_json_len = vl;
        o->certs_pem = pem;
        o->certs_pem_len = pl;
        o->trust_root = (const unsigned char *)root;
        o->trust_root_len = rl;
        lines_t lines = {0};
        o->on_check = on_check;
        o->on_check_ctx = &lines;
        zbprover_bundle_result_t res;
        int rc = zbprover_verify_bundle(bt, bl, o, &res, err, sizeof err);
        if (lines.failed_alloc) rc = ZBPROVER_ERR_INTERNAL;
        if (rc == ZBPROVER_OK || rc == ZBPROVER_REJECTED) {
            print(&lines, &res, bundle, json);
            code = rc == ZBPROVER_OK ? 0 : EXIT_VERDICT_NO;
        } else {
            cli_error("%s", err); /* it names the file */
            code = rc == ZBPROVER_ERR_INPUT ? EXIT_BAD_INPUT : EXIT_INTERNAL;
        }
        for (size_t k = 0; k < lines.n; k++)
            free(lines.lines[k].detail);
        free(lines.lines);
    }
    free(bt);
    free(vt);
    free(pem);
    free(root);
    snp_certs_free(certs);
    return code;
}

enum { K_VK = CLI_KEY0, K_JOB_ID, K_TICKET_ID, K_ZKEY_SHA256, K_ALLOW_UNATTESTED, K_JSON };
static const cli_opt_t bundle_opts[] = {
    {"vk", K_VK, "FILE", "the circuit's verification_key.json (required)"},
    {"allow-unattested", K_ALLOW_UNATTESTED, NULL, "accept an answer without a report"},
    {"job-id", K_JOB_ID, "ID", "the answer's job id must be ID"},
    {"ticket-id", K_TICKET_ID, "HEX", "the answer's ticket id must be HEX"},
    {"zkey-sha256", K_ZKEY_SHA256, "HEX", "the answer's zkey SHA-256 must be HEX"},
    {"json", K_JSON, NULL, "one JSON object instead of a line per check"},
    CLI_END,
};
static const cli_cmd_t bundle_cmd = {
    "check-bundle", "<bundle.json> --vk <verification_key.json> [options]",
    "A client's whole check of a prove answer: the proof, the binding transcript, the report\n"
    "and its chain, CRLs and policy (zbprover_verify_bundle). Exit 0 valid, 1 rejected.",
    {bundle_opts, cli_policy_opts, cli_platform_opts, NULL}, 1, 1};

typedef struct {
    cli_policy_t cp;
    zbprover_bundle_options_t o;
    const char *vk;
    bool json;
} args_t;

static int on_opt(void *ctx, int key, const char *v) {
    args_t *a = ctx;
    uint8_t tmp[32];
    size_t n;
    switch (key) {
    case K_VK: a->vk = v; return 0;
    case K_JOB_ID: a->o.job_id = v; return 0;
    case K_TICKET_ID: a->o.ticket_id_hex = v; return 0;
    case K_ZKEY_SHA256:
        if (cli_parse_hex(v, tmp, 32, &n) || n != 32) {
            cli_error("check-bundle: --zkey-sha256: not 32 bytes of hex");
            return EXIT_BAD_INPUT;
        }
        a->o.zkey_sha256_hex = v;
        return 0;
    case K_ALLOW_UNATTESTED: a->o.allow_unattested = 1; return 0;
    case K_JSON: a->json = true; return 0;
    default: return cli_policy_apply(&a->cp, key, v, "check-bundle");
    }
}

int cmd_check_bundle(int argc, char **argv) {
    args_t a;
    memset(&a, 0, sizeof a);
    cli_policy_init(&a.cp);
    zbprover_bundle_options_init(&a.o);
    int first = 0, code = cli_parse(&bundle_cmd, argc, argv, on_opt, &a, &first);
    if (!code && !a.vk) {
        cli_error("check-bundle: --vk is required (zbprover check-bundle --help)");
        code = EXIT_BAD_INPUT;
    }
    if (!code) code = run(&a.o, &a.cp, argv[first], a.vk, a.json);
    cli_policy_free(&a.cp);
    return cli_exit(code);
}
