/* test_attest_sim.c: end to end without SEV-SNP: the simulated signer's round trip, a fake
 * configfs-tsm tree, a fake /dev/sev-guest, and the `zbprover attest` command compiled in. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sev-guest.h> /* the kernel's own layouts, to check the backend's copies */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/attest.h"
#include "attest_testkit.h"
#include "prover/util.h"
#include "cli/attest_policy.c" /* the policy flags the command shares with check-bundle */
#include "cli/opts.c"          /* the option tables' parser */
#include "cli/cmd_attest.c"    /* the command itself, to check its exit codes and output */
#include "cli/exit.c"          /* statuses to exit codes */

void cli_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("zbprover: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static bool all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}
static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
/* ---- the chain, once per program ---- */

static char sim_root[64];

ReportHook(PRE_ALL)(struct criterion_test_set *set) {
    (void)set;
    strcpy(sim_root, "/tmp/zbp-attest-sim-XXXXXX");
    char err[512];
    if (!mkdtemp(sim_root)) return;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/chain", sim_root);
    if (attest_sim_init(dir, err, sizeof err) != ZBP_OK) {
        fprintf(stderr, "test_attest_sim: cannot make the simulated chain: %s\n", err);
        return;
    }
    /* workers are separate processes: the environment is what they inherit */
    setenv("ZBP_TEST_SIM_DIR", dir, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
    (void)stats;
    if (!sim_root[0]) return;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sim_root);
    if (system(cmd) != 0) fprintf(stderr, "test_attest_sim: could not remove %s\n", sim_root);
}

static const char *sim_dir(void) {
    const char *d = getenv("ZBP_TEST_SIM_DIR");
    cr_assert(d, "the simulated chain was not generated (see the message above)");
    return d;
}

static void sim_path(char *out, size_t len, const char *name) {
    snprintf(out, len, "%s/%s", sim_dir(), name);
}

static const snp_check_t *find(const snp_verdict_t *v, const char *name) {
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->checks[i].name, name)) return &v->checks[i];
    cr_assert_fail("no check named %s", name);
    return NULL;
}

/* A signed sim report with its certificate table. */
static void sim_report(attest_result_t *res, const uint8_t *data, int vmpl) {
    attest_opts_t o;
    attest_opts_init(&o);
    o.backend = ATTEST_BACKEND_SIM;
    o.sim_dir = sim_dir();
    o.vmpl = vmpl;
    char err[512];
    cr_assert_eq(attest_get_report(res, &o, data, true, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(res->used, ATTEST_BACKEND_SIM);
}

/* ---- the simulated signer ---- */

Test(sim, round_trip_verifies_only_with_its_root) {
    uint8_t data[64];
    for (int i = 0; i < 64; i++) data[i] = (uint8_t)(0xA0 + i);
    attest_result_t res;
    sim_report(&res, data, -1);
    snp_report_t r;
    char err[512];
    cr_assert_eq(snp_report_parse(&r, res.report, SNP_REPORT_SIZE, err, sizeof err), ZBP_OK,
                 "%s", err);
    cr_assert_eq(r.version, 5);
    cr_assert_eq(memcmp(r.report_data, data, 64), 0);
    cr_assert_eq(r.vmpl, 0);
    snp_certs_t *c = snp_certs_new();
    cr_assert_eq(snp_certs_add_table(c, res.certs, res.certs_len, err, sizeof err), ZBP_OK,
                 "%s", err);
    cr_assert(snp_certs_has(c, SNP_CERT_ARK) && snp_certs_has(c, SNP_CERT_ASK) &&
              snp_certs_has(c, SNP_CERT_VCEK));
    snp_vek_ext_t x;
    cr_assert_eq(snp_certs_vek_ext(&x, c, SNP_CERT_VCEK, err, sizeof err), ZBP_OK);
    cr_assert_str_eq(x.product_name, "Genoa");
    cr_assert_eq(x.tcb.microcode, 212); /* encoded as a 2-byte INTEGER */

    char root[4200];
    sim_path(root, sizeof root, "ark.pem");
    snp_policy_t p;
    snp_policy_init(&p);
    p.trust_root = root;
    p.report_data = data;
    p.vmpl = 0;
    p.check_min_tcb = true;
    p.min_tcb = (snp_tcb_t){.bootloader = 10, .snp = 23, .microcode = 200};
    snp_verdict_t v;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_PASS, "%s", err);
    cr_assert_eq(v.gen.gen, SNP_GEN_GENOA);
    cr_assert_eq(v.gen.source, SNP_FROM_CPUID);
    static const char *pass[] = {"root",  "product",     "chain", "signature",   "tcb",
                                 "chip-id", "debug",    "vmpl",  "report-data", "min-tcb",
                                 "provisional"};
    for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++)
        cr_assert_eq(find(&v, pass[i])->status, SNP_CHECK_PASS, "%s: %s", pass[i],
                     find(&v, pass[i])->detail);

    /* without --trust-root the simulated ARK is not AMD's: rejected, and the reason named */
    p.trust_root = NULL;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(find(&v, "root")->status, SNP_CHECK_FAIL);
    cr_assert(strstr(find(&v, "root")->detail, "--trust-root"));

    /* a flipped bit anywhere in the signed range breaks it */
    for (int byte = 0; byte < SNP_SIGNED_SIZE; byte += 37) {
        snp_report_t f;
        uint8_t b[SNP_REPORT_SIZE];
        memcpy(b, res.report, sizeof b);
        b[byte] ^= 0x10;
        if (snp_report_parse(&f, b, sizeof b, err, sizeof err)) continue;
        cr_assert_neq(kit_sig(&f, c, err, sizeof err), KIT_PASS, "byte %d", byte);
    }
    snp_certs_free(c);
    attest_result_free(&res);
}

Test(sim, vmpl_and_wrong_root) {
    uint8_t data[64] = {0};
    attest_result_t res;
    sim_report(&res, data, 2);
    snp_report_t r;
    char err[512];
    cr_assert_eq(snp_report_parse(&r, res.report, SNP_REPORT_SIZE, err, sizeof err), ZBP_OK);
    cr_assert_eq(r.vmpl, 2);
    snp_certs_t *c = snp_certs_new();
    char path[4200];
    sim_path(path, sizeof path, "vcek.pem");
    cr_assert_eq(snp_certs_load(c, path, err, sizeof err), ZBP_OK, "%s", err);
    sim_path(path, sizeof path, "ask.pem");
    cr_assert_eq(snp_certs_load(c, path, err, sizeof err), ZBP_OK, "%s", err);
    snp_policy_t p;
    snp_policy_init(&p);
    sim_path(path, sizeof path, "ark.pem");
    p.trust_root = path;
    p.vmpl = 0;
    snp_verdict_t v;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(find(&v, "vmpl")->status, SNP_CHECK_FAIL);
    cr_assert_eq(find(&v, "chain")->status, SNP_CHECK_PASS);
    /* the ASK as trust root is not the chain's root */
    sim_path(path, sizeof path, "ask.pem");
    p.vmpl = 2;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_REJECTED);
    cr_assert_eq(find(&v, "chain")->status, SNP_CHECK_FAIL);
    /* no ARK and no trust root: cannot judge */
    p.trust_root = NULL;
    cr_assert_eq(attest_verify(&v, &r, c, &p, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "ARK"), "%s", err);
    snp_certs_free(c);
    attest_result_free(&res);
}

Test(sim, init_reuses_the_chain) {
    char path[4200], err[512];
    sim_path(path, sizeof path, "vcek.pem");
    struct stat a, b;
    cr_assert_eq(stat(path, &a), 0);
    cr_assert_eq(attest_sim_init(sim_dir(), err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(stat(path, &b), 0);
    cr_assert_eq(a.st_ino, b.st_ino);
    sim_path(path, sizeof path, "vcek.key");
    cr_assert_eq(stat(path, &a), 0);
    cr_assert_eq(a.st_mode & 077, 0, "the private key is readable by others");
}

Test(sim, auto_never_falls_back_to_the_simulator) {
    attest_opts_t o;
    attest_opts_init(&o);
    o.tsm_root = "/nonexistent/tsm/report";
    o.device = "/nonexistent/sev-guest";
    o.sim_dir = sim_dir();
    uint8_t data[64] = {0};
    attest_result_t res;
    char err[512];
    cr_assert_eq(attest_get_report(&res, &o, data, false, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "/nonexistent/sev-guest"), "%s", err);
    cr_assert(all_zero(res.report, SNP_REPORT_SIZE));
}

/* ---- a fake configfs-tsm tree ---- */

typedef struct {
    char dir[256];
    unsigned long long gen[2]; /* generation before our writes, and after */
} fake_tsm_t;

static void write_file(const char *dir, const char *name, const void *d, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f, "%s", path);
    cr_assert_eq(fwrite(d, 1, n, f), n);
    fclose(f);
}

/* Answers one open of the generation FIFO with value v. */
static bool serve_once(const char *fifo, unsigned long long v) {
    for (int tries = 0; tries < 10000; tries++) {
        int fd = open(fifo, O_WRONLY | O_NONBLOCK);
        if (fd < 0) {
            usleep(1000);
            continue;
        }
        char s[32];
        int n = snprintf(s, sizeof s, "%llu\n", v);
        bool ok = write(fd, s, (size_t)n) == n;
        close(fd);
        return ok;
    }
    return false;
}

/* Plays the kernel's generation counter: the first value, then the second once inblob has been
 * written (which the backend does only after it finished reading the first). */
static void *generation_server(void *arg) {
    fake_tsm_t *t = arg;
    char fifo[300], inblob[300];
    snprintf(fifo, sizeof fifo, "%s/generation", t->dir);
    snprintf(inblob, sizeof inblob, "%s/inblob", t->dir);
    if (!serve_once(fifo, t->gen[0])) return NULL;
    for (int i = 0; i < 10000; i++) {
        struct stat st;
        if (stat(inblob, &st) == 0 && st.st_size == 64) break;
        usleep(1000);
    }
    serve_once(fifo, t->gen[1]);
    return NULL;
}

/* root/<entry>/ with provider, inblob, outblob, auxblob; generation a FIFO (gen_fifo) or a file. */
static void make_tree(char *root, const char *provider, const uint8_t *out, size_t outlen,
                      const uint8_t *aux, size_t auxlen, bool gen_fifo) {
    strcpy(root, "/tmp/zbp-fake-tsm-XXXXXX");
    cr_assert(mkdtemp(root));
    char entry[256];
    snprintf(entry, sizeof entry, "%s/e1", root);
    cr_assert_eq(mkdir(entry, 0700), 0);
    write_file(entry, "provider", provider, strlen(provider));
    write_file(entry, "inblob", "", 0);
    write_file(entry, "outblob", out, outlen);
    write_file(entry, "auxblob", aux ? aux : (const uint8_t *)"", auxlen);
    char gen[300];
    snprintf(gen, sizeof gen, "%s/generation", entry);
    if (gen_fifo) cr_assert_eq(mkfifo(gen, 0600), 0);
    else write_file(entry, "generation", "3\n", 2);
}

static void remove_tree(const char *root) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

static int tsm_get(const char *root, const char *entry, const uint8_t *data, attest_result_t *res,
                   char *err, size_t errlen) {
    attest_opts_t o;
    attest_opts_init(&o);
    o.backend = ATTEST_BACKEND_TSM;
    o.tsm_root = root;
    o.tsm_entry = entry;
    return attest_get_report(res, &o, data, true, err, errlen);
}

static int tsm_with_generations(unsigned long long g0, unsigned long long g1, attest_result_t *got,
                                uint8_t *inblob_out, char *err, size_t errlen) {
    uint8_t data[64];
    for (int i = 0; i < 64; i++) data[i] = (uint8_t)(3 * i);
    attest_result_t src;
    sim_report(&src, data, -1);
    char root[64];
    make_tree(root, "sev_guest\n", src.report, SNP_REPORT_SIZE, src.certs, src.certs_len, true);
    fake_tsm_t t = {.gen = {g0, g1}};
    snprintf(t.dir, sizeof t.dir, "%s/e1", root);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, generation_server, &t), 0);
    int rc = tsm_get(root, "e1", data, got, err, errlen);
    pthread_join(th, NULL);
    if (rc == ZBP_OK) {
        cr_assert_eq(memcmp(got->report, src.report, SNP_REPORT_SIZE), 0);
        cr_assert_eq(got->certs_len, src.certs_len);
        cr_assert_eq(got->used, ATTEST_BACKEND_TSM);
    }
    char path[300];
    snprintf(path, sizeof path, "%s/inblob", t.dir);
    FILE *f = fopen(path, "rb");
    cr_assert(f);
    size_t n = fread(inblob_out, 1, 64, f);
    fclose(f);
    cr_assert_eq(n, 64, "inblob holds %zu bytes", n);
    cr_assert_eq(memcmp(inblob_out, data, 64), 0);
    attest_result_free(&src);
    remove_tree(root);
    return rc;
}

Test(tsm, fake_tree_round_trip) {
    attest_result_t res;
    uint8_t in[64];
    char err[512] = "";
    cr_assert_eq(tsm_with_generations(41, 42, &res, in, err, sizeof err), ZBP_OK, "%s", err);
    snp_certs_t *c = snp_certs_new();
    cr_assert_eq(snp_certs_add_table(c, res.certs, res.certs_len, err, sizeof err), ZBP_OK);
    snp_report_t r;
    cr_assert_eq(snp_report_parse(&r, res.report, SNP_REPORT_SIZE, err, sizeof err), ZBP_OK);
    snp_policy_t p;
    snp_policy_init(&p);
    char root[4200];
    sim_path(root, sizeof root, "ark.pem");
    p.trust_root = root;
    p.report_data = in;
    snp_verdict_t v;
    cr_assert_eq(kit_judged(attest_verify(&v, &r, c, &p, err, sizeof err), &v), KIT_PASS, "%s", err);
    snp_certs_free(c);
    attest_result_free(&res);
}

Test(tsm, concurrent_writer_detected) {
    attest_result_t res;
    uint8_t in[64];
    char err[512] = "";
    cr_assert_eq(tsm_with_generations(41, 43, &res, in, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "another process"), "%s", err);
    cr_assert_null(res.certs);
}

Test(tsm, truncated_outblob_and_bad_trees) {
    uint8_t rep[SNP_REPORT_SIZE] = {0}, data[64] = {0};
    char root[64], err[512];
    attest_result_t res;
    make_tree(root, "sev_guest\n", rep, 1000, NULL, 0, false);
    cr_assert_eq(tsm_get(root, "e1", data, &res, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "1000 bytes"), "%s", err);
    remove_tree(root);

    make_tree(root, "tdx_guest\n", rep, SNP_REPORT_SIZE, NULL, 0, false);
    cr_assert_eq(tsm_get(root, "e1", data, &res, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "tdx_guest"), "%s", err);
    /* a fresh entry in a plain directory has no attributes: refused, and removed again */
    cr_assert_eq(tsm_get(root, NULL, data, &res, err, sizeof err), ZBP_ERR_ENV);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 1", root);
    cr_assert_eq(system(cmd), 0, "the fresh entry was left behind");
    cr_assert_eq(tsm_get(root, "../e1", data, &res, err, sizeof err), ZBP_ERR_INPUT);
    remove_tree(root);

    cr_assert_eq(tsm_get("/nonexistent/tsm", NULL, data, &res, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "not present"), "%s", err);
}

/* ---- a fake /dev/sev-guest ---- */

typedef struct {
    uint8_t report[SNP_REPORT_SIZE];
    uint8_t *table;
    size_t table_len;
    uint32_t needed;      /* certificate buffer the "host" wants */
    uint32_t status;      /* MSG_REPORT_RSP status */
    uint32_t size;        /* MSG_REPORT_RSP report_size */
    uint64_t exitinfo2;   /* nonzero: fail with EIO and this */
    int fail_errno;       /* nonzero: fail with this errno */
    int calls;
    unsigned long last_request;
    uint8_t data[64];
    uint32_t vmpl;
} fake_dev_t;

static int fake_ioctl(void *ctx, int fd, unsigned long request, void *arg) {
    (void)fd;
    fake_dev_t *d = ctx;
    struct snp_guest_request_ioctl *g = arg;
    d->calls++;
    d->last_request = request;
    cr_assert_eq(g->msg_version, 1);
    struct snp_report_req *req = (void *)(uintptr_t)g->req_data;
    memcpy(d->data, req->user_data, 64);
    d->vmpl = req->vmpl;
    if (d->fail_errno) {
        errno = d->fail_errno;
        return -1;
    }
    if (d->exitinfo2) {
        g->exitinfo2 = d->exitinfo2;
        errno = EIO;
        return -1;
    }
    if (request == SNP_GET_EXT_REPORT) {
        struct snp_ext_report_req *ext = (void *)(uintptr_t)g->req_data;
        cr_assert_eq(ext->certs_len % 4096, 0, "certs_len %u is not page-aligned", ext->certs_len);
        if (ext->certs_len < d->needed) {
            ext->certs_len = d->needed;
            g->exitinfo2 = 1ull << 32;
            errno = EIO;
            return -1;
        }
        memcpy((void *)(uintptr_t)ext->certs_address, d->table, d->table_len);
    } else {
        cr_assert_eq(request, SNP_GET_REPORT);
    }
    uint8_t *resp = (void *)(uintptr_t)g->resp_data;
    memset(resp, 0, 4000);
    put32(resp, d->status);
    put32(resp + 4, d->size);
    memcpy(resp + 0x20, d->report, SNP_REPORT_SIZE);
    return 0;
}

static void fake_init(fake_dev_t *d) {
    memset(d, 0, sizeof *d);
    uint8_t data[64] = {9};
    attest_result_t src;
    sim_report(&src, data, -1);
    memcpy(d->report, src.report, SNP_REPORT_SIZE);
    d->table = src.certs;
    d->table_len = src.certs_len;
    d->size = SNP_REPORT_SIZE;
    d->needed = 4096;
}

static int ioctl_get(fake_dev_t *d, bool certs, int vmpl, attest_result_t *res, char *err) {
    attest_opts_t o;
    attest_opts_init(&o);
    o.backend = ATTEST_BACKEND_IOCTL;
    o.device = "/dev/null";
    o.ioctl_fn = fake_ioctl;
    o.ioctl_ctx = d;
    o.vmpl = vmpl;
    uint8_t data[64];
    memset(data, 0x5c, 64);
    int rc = attest_get_report(res, &o, data, certs, err, 512);
    if (d->calls) cr_assert_eq(memcmp(d->data, data, 64), 0);
    return rc;
}

Test(ioctl, plain_and_extended_with_size_retry) {
    fake_dev_t d;
    fake_init(&d);
    attest_result_t res;
    char err[512];
    cr_assert_eq(ioctl_get(&d, false, 1, &res, err), ZBP_OK, "%s", err);
    cr_assert_eq(d.calls, 1);
    cr_assert_eq(d.vmpl, 1);
    cr_assert_eq(memcmp(res.report, d.report, SNP_REPORT_SIZE), 0);
    cr_assert_null(res.certs);

    d.calls = 0;
    d.needed = 5 * 4096; /* more than the first 16 KiB buffer: the host says so, we retry */
    cr_assert_eq(ioctl_get(&d, true, -1, &res, err), ZBP_OK, "%s", err);
    cr_assert_eq(d.calls, 2);
    cr_assert_eq(d.vmpl, 0);
    cr_assert_eq(d.last_request, SNP_GET_EXT_REPORT);
    cr_assert_eq(SNP_GET_EXT_REPORT, 0xC0205302ul);
    cr_assert_eq(res.certs_len, 5 * 4096);
    snp_certs_t *c = snp_certs_new();
    cr_assert_eq(snp_certs_add_table(c, res.certs, res.certs_len, err, sizeof err), ZBP_OK,
                 "%s", err);
    cr_assert(snp_certs_has(c, SNP_CERT_VCEK));
    snp_certs_free(c);
    attest_result_free(&res);
    free(d.table);
}

Test(ioctl, errors_become_messages) {
    fake_dev_t d;
    fake_init(&d);
    attest_result_t res;
    char err[512];
    d.exitinfo2 = 0x16;
    cr_assert_eq(ioctl_get(&d, false, -1, &res, err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "0x16") && strstr(err, "invalid parameter"), "%s", err);
    d.exitinfo2 = 2ull << 32;
    cr_assert_eq(ioctl_get(&d, true, -1, &res, err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "host busy"), "%s", err);
    cr_assert_null(res.certs);
    d.exitinfo2 = 0;
    d.fail_errno = EINVAL;
    cr_assert_eq(ioctl_get(&d, false, -1, &res, err), ZBP_ERR_ENV);
    cr_assert(strstr(err, strerror(EINVAL)), "%s", err);
    d.fail_errno = 0;
    d.status = 0x16;
    cr_assert_eq(ioctl_get(&d, false, -1, &res, err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "report status 0x16"), "%s", err);
    d.status = 0;
    d.size = 1000;
    cr_assert_eq(ioctl_get(&d, false, -1, &res, err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "1000-byte"), "%s", err);
    d.size = SNP_REPORT_SIZE;
    d.needed = 1u << 24; /* a host that wants more than anyone should give */
    cr_assert_eq(ioctl_get(&d, true, -1, &res, err), ZBP_ERR_ENV);
    free(d.table);

    cr_assert_str_eq(snp_fw_error_string(0), "success");
    cr_assert_str_eq(snp_fw_error_string(0x27), "invalid key");
    cr_assert_str_eq(snp_fw_error_string(0x1234), "unknown firmware status");
    cr_assert_str_eq(snp_vmm_error_string(1), "certificate buffer too small");
}

Test(ioctl, real_ioctl_on_wrong_files) {
    attest_opts_t o;
    attest_opts_init(&o);
    o.backend = ATTEST_BACKEND_IOCTL;
    uint8_t data[64] = {0};
    attest_result_t res;
    char err[512];
    o.device = "/dev/null"; /* not the sev-guest driver: the kernel says ENOTTY */
    cr_assert_eq(attest_get_report(&res, &o, data, false, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "SNP_GET_REPORT"), "%s", err);
    o.device = "/nonexistent/sev-guest";
    cr_assert_eq(attest_get_report(&res, &o, data, false, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "not an SEV-SNP guest"), "%s", err);
    o.vmpl = 4;
    cr_assert_eq(attest_get_report(&res, &o, data, false, err, sizeof err), ZBP_ERR_INPUT);
}

/* ---- the command ---- */

static char out_buf[65536];

/* Runs `zbprover attest <args>` (or `info` when args[0] is "info"); stdout lands in out_buf. */
static int run(const char *first, ...) {
    char *argv[40];
    int argc = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 39; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    char tmp[] = "/tmp/zbp-attest-out-XXXXXX";
    int fd = mkstemp(tmp);
    cr_assert_geq(fd, 0);
    fflush(stdout);
    int saved = dup(1);
    dup2(fd, 1);
    int rc = !strcmp(argv[0], "info") ? cmd_info_report(argv[1]) : cmd_attest(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ssize_t n = pread(fd, out_buf, sizeof out_buf - 1, 0);
    out_buf[n > 0 ? n : 0] = 0;
    close(fd);
    unlink(tmp);
    return rc;
}

Test(cli, report_certificates_verify) {
    char work[] = "/tmp/zbp-attest-cli-XXXXXX";
    cr_assert(mkdtemp(work));
    char rep[128], req[128], certs[128], root[4200], bad[128];
    snprintf(rep, sizeof rep, "%s/report.bin", work);
    snprintf(req, sizeof req, "%s/request.bin", work);
    snprintf(certs, sizeof certs, "%s/certs", work);
    snprintf(bad, sizeof bad, "%s/bad.bin", work);
    sim_path(root, sizeof root, "ark.pem");
    const char *sd = sim_dir();

    cr_assert_eq(run("attest", "report", rep, req, "--random", "--backend", "sim", "--sim-dir", sd,
                     NULL), 0);
    uint8_t rd[64];
    FILE *f = fopen(req, "rb");
    cr_assert(f);
    cr_assert_eq(fread(rd, 1, 64, f), 64);
    fclose(f);
    char rdhex[129];
    zbp_hex_encode(rdhex, rd, 64);

    cr_assert_eq(run("attest", "certificates", certs, "--backend=sim", "--sim-dir", sd, NULL), 0);
    cr_assert(strstr(out_buf, "/certs/vcek.pem"), "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--report-data", rdhex, "--vmpl", "0", NULL), 0, "%s", out_buf);
    cr_assert(strstr(out_buf, ": valid"), "%s", out_buf);
    /* the default: AMD's roots only */
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, NULL), 1);
    cr_assert(strstr(out_buf, "FAIL root"), "%s", out_buf);
    cr_assert(strstr(out_buf, "REJECTED: root"), "%s", out_buf);
    /* a wrong REPORT_DATA, as JSON */
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--report-data", "00", "--json", NULL), 1);
    cr_assert(strstr(out_buf, "{\"valid\":false"), "%s", out_buf);
    cr_assert(strstr(out_buf, "\"name\":\"report-data\",\"status\":\"fail\""), "%s", out_buf);
    /* the request file is the data when no flag gives it */
    cr_assert_eq(run("attest", "report", rep, req, "--backend", "sim", "--sim-dir", sd, NULL), 0);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--report-data", rdhex, NULL), 0, "%s", out_buf);
    cr_assert_eq(run("attest", "report", rep, "--data", "00ff", "--backend", "sim", "--sim-dir",
                     sd, NULL), 0);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--report-data", "0x00ff", NULL), 0, "%s", out_buf);
    cr_assert_eq(run("attest", "certificates", certs, "--format", "der", "--backend", "sim",
                     "--sim-dir", sd, NULL), 0);
    cr_assert(strstr(out_buf, "/certs/ark.der"), "%s", out_buf);

    /* info, kds-url */
    cr_assert_eq(run("attest", "info", rep, "--json", NULL), 0);
    cr_assert(!strncmp(out_buf, "{\"version\":5,", 13), "%s", out_buf);
    cr_assert_eq(run("info", rep, NULL), 0);
    cr_assert(strstr(out_buf, "reported_tcb"), "%s", out_buf);
    cr_assert_eq(run("attest", "kds-url", rep, NULL), 0);
    cr_assert(strstr(out_buf, "vcek https://kdsintf.amd.com/vcek/v1/Genoa/"), "%s", out_buf);
    cr_assert(strstr(out_buf, "ucodeSPL=212"), "%s", out_buf);

    /* bad input: exit 2; no SNP: exit 3 */
    f = fopen(bad, "wb");
    fwrite("short", 1, 5, f);
    fclose(f);
    cr_assert_eq(run("attest", "verify", bad, "--certs", certs, NULL), 2);
    cr_assert_eq(run("info", bad, NULL), 2);
    cr_assert_eq(run("attest", "kds-url", bad, NULL), 2);
    cr_assert_eq(run("attest", "verify", rep, NULL), 2);
    cr_assert_eq(run("attest", "verify", rep, "--certs", bad, NULL), 2);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--at", "soon", NULL), 2);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--measurement", "abcd", NULL), 2);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--min-tcb", "bl=1,x=2", NULL), 2);
    cr_assert_eq(run("attest", "report", rep, NULL), 2);
    cr_assert_eq(run("attest", "report", rep, "--random", "--data", "00", NULL), 2);
    cr_assert_eq(run("attest", "report", rep, "--random", "--backend", "magic", NULL), 2);
    cr_assert_eq(run("attest", "frobnicate", NULL), 2);
    cr_assert_eq(run("attest", "report", rep, "--random", "--tsm-root", "/nonexistent",
                     "--device", "/nonexistent/sev-guest", NULL), 3);

    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    cr_assert_eq(system(cmd), 0);
}

/* The flags past the signature, through the command: a VLEK from the sim backend, CRLs and
 * --require-crl, the JSON revocation field, --min-tcb auto, allow-lists from a file. */
Test(cli, vlek_crl_and_policy_flags) {
    const char *sd = kit_sim("genoa", SNP_GEN_GENOA, true);
    char work[] = "/tmp/zbp-attest-cli2-XXXXXX";
    cr_assert(mkdtemp(work));
    char rep[128], certs[128], root[1024], crl[128], meas[128];
    snprintf(rep, sizeof rep, "%s/report.bin", work);
    snprintf(certs, sizeof certs, "%s/certs", work);
    snprintf(crl, sizeof crl, "%s/ark.crl", work);
    snprintf(meas, sizeof meas, "%s/measurements.txt", work);
    kit_path(root, sizeof root, sd, "ark.pem");
    cr_assert_eq(run("attest", "report", rep, "--data", "0a0b", "--backend", "sim", "--sim-dir",
                     sd, "--sim-vlek", NULL), 0);
    cr_assert_eq(run("attest", "certificates", certs, "--backend", "sim", "--sim-dir", sd,
                     "--sim-vlek", NULL), 0);
    cr_assert(strstr(out_buf, "/certs/asvk.pem") && strstr(out_buf, "/certs/vlek.pem"), "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root, NULL), 0,
                 "%s", out_buf);
    cr_assert(strstr(out_buf, "pass key-kind     SIGNING_KEY 1: a VLEK"), "%s", out_buf);
    cr_assert(strstr(out_buf, "valid (revocation not checked)"), "%s", out_buf);
    /* No CRL under --require-crl; then the ARK's CRL, as JSON. */
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--require-crl", NULL), 1);
    cr_assert(strstr(out_buf, "FAIL revocation"), "%s", out_buf);
    attest_sim_crl_t s = {.issuer = SNP_CERT_ARK, .this_update = time(NULL) - 60,
                          .next_update = time(NULL) + 86400};
    uint8_t *der;
    size_t len;
    char err[512];
    cr_assert_eq(attest_sim_make_crl(&der, &len, sd, &s, err, sizeof err), 0, "%s", err);
    FILE *f = fopen(crl, "wb");
    cr_assert_eq(fwrite(der, 1, len, f), len);
    fclose(f);
    free(der);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--require-crl", "--crl", crl, "--json", NULL), 0, "%s", out_buf);
    cr_assert(strstr(out_buf, "\"revocation\":{\"checked\":true"), "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--crl", rep, NULL), 2);
    /* --min-tcb auto: the simulated Genoa is at SB-3019's floor, below SB-3020's. */
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--min-tcb", "auto", NULL), 1);
    cr_assert(strstr(out_buf, "AMD-SB-3020"), "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--min-tcb=auto:2025-06-30", NULL), 0, "%s", out_buf);
    /* The platform flags: the simulated part has SMT on (PLATFORM_INFO 0x25). */
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--forbid-smt", NULL), 1, "%s", out_buf);
    cr_assert(strstr(out_buf, "FAIL platform-info PLATFORM_INFO 0x25 (smt,ecc,alias-check): "
                              "forbidden but set: smt"),
              "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--platform-require", "smt,alias-check", "--platform-forbid=tsme",
                     "--require-mit-vector", "0", "--json", NULL), 0, "%s", out_buf);
    cr_assert(strstr(out_buf, "\"alias_check_complete\":true"), "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--platform-require", "smt,bogus",
                     NULL), 2);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--require-mit-vector", "xyz",
                     NULL), 2);
    /* A measurement allow-list from a file: one line matches. */
    snp_report_t r;
    cr_assert_eq(snp_report_read_file(&r, rep, err, sizeof err), 0);
    char mhex[97];
    zbp_hex_encode(mhex, r.measurement, 48);
    f = fopen(meas, "w");
    char other[97];
    memset(other, 'a', 96);
    other[96] = 0;
    fprintf(f, "# allowed launch digests\n%s  # release 2\n\n%s\n", other, mhex);
    fclose(f);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--measurement-file", meas, NULL), 0, "%s", out_buf);
    cr_assert(strstr(out_buf, "entry 2 of 2"), "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--measurement", other, NULL), 1);
    f = fopen(meas, "w");
    fprintf(f, "%s\nnot-hex\n", mhex);
    fclose(f);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--measurement-file", meas, NULL), 2);
    /* Launch identity flags: failures name the field; malformed values are usage errors. */
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--trust-root", root,
                     "--id-key-digest", mhex, "--min-guest-svn", "3", NULL), 1);
    cr_assert(strstr(out_buf, "FAIL id-key") && strstr(out_buf, "FAIL guest-svn"), "%s", out_buf);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--family-id", "0011", NULL), 2);
    cr_assert_eq(run("attest", "verify", rep, "--certs", certs, "--min-guest-svn", "-1", NULL), 2);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    cr_assert_eq(system(cmd), 0);
}
