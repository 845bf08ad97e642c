/* test_serve_faults.c: `zbprover serve` (the binary, $ZBP_BINARY) under hostile conditions, the
 * classes of issue #19: a file-size limit (RLIMIT_FSIZE) that cuts an append short, a damaged or
 * cut replay log, a ticket expiry near 2^64, FIFOs as the files a request names, a .zkey rewritten
 * or truncated between and during jobs, a ticket for another circuit, blank lines, absurd option
 * values, and secrets left in the process's memory. Tickets are signed here with an Ed25519 key
 * made at test time. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "job/job.h"
#include "serve_testkit.h"

/* ---- tickets ---- */
static EVP_PKEY *g_hub;

static const char *hub_pem(void) {
    const char *p = tmp("hub.pem");
    if (!g_hub) {
        g_hub = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        cr_assert(g_hub);
        FILE *f = fopen(p, "w");
        cr_assert(PEM_write_PUBKEY(f, g_hub));
        fclose(f);
    }
    return p;
}

/* A signed ticket's JSON; zkey: the circuit it names, or NULL. */
static char *ticket(uint64_t expires, const char *zkey) {
    job_ticket_t t;
    memset(&t, 0, sizeof t);
    RAND_bytes(t.id, 16);
    t.id_len = 16;
    t.expires = expires;
    if (zkey) {
        t.has_zkey = true;
        sha256_file(zkey, t.zkey_sha256);
    }
    uint8_t msg[JOB_TICKET_MSG_MAX], sig[64];
    size_t mlen = job_ticket_message(msg, &t), slen = sizeof sig;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    cr_assert(EVP_DigestSignInit(c, NULL, NULL, NULL, g_hub) == 1);
    cr_assert(EVP_DigestSign(c, sig, &slen, msg, mlen) == 1);
    EVP_MD_CTX_free(c);
    char id[33], zs[65] = "", *s64 = zbp_b64_encode(sig, slen);
    zbp_hex_encode(id, t.id, 16);
    if (zkey) zbp_hex_encode(zs, t.zkey_sha256, 32);
    char *out = malloc(1024);
    snprintf(out, 1024, "{\"id\":\"%s\",\"expires\":%llu%s%s%s,\"sig\":\"%s\"}", id,
             (unsigned long long)expires, zkey ? ",\"zkey_sha256\":\"" : "", zs, zkey ? "\"" : "",
             s64);
    free(s64);
    return out;
}

static char *prove_line(const char *id, const char *zkey, const char *wtns, const char *tkt) {
    char *l = malloc(4096);
    snprintf(l, 4096, "{\"id\":\"%s\",\"op\":\"prove\",\"zkey\":\"%s\",\"wtns\":\"%s\"%s%s}", id,
             zkey, wtns, tkt ? ",\"ticket\":" : "", tkt ? tkt : "");
    return l;
}

static uint64_t now_s(void) { return (uint64_t)time(NULL); }

/* A prove with a fresh ticket for the multiplier; want: the expected code. Returns the ticket. */
static char *prove_ticketed(srv_t *s, const char *want, const char *what) {
    const char *zk = fixture("multiplier", "circuit.zkey");
    char *t = ticket(now_s() + 3600, zk);
    char *l = prove_line(what, zk, fixture("multiplier", "witness.wtns"), t);
    srv_send(s, l);
    free(l);
    expect(s, want, 60000, what);
    return t;
}

static void start_hub(srv_t *s, rlim_t fsize) {
    const char *args[] = {"--attest", "none", "--hub-key", hub_pem(), "--replay-log",
                          tmp("replay.log"), NULL};
    srv_start(s, args, fsize, NULL);
}

static off_t file_size(const char *p) {
    struct stat st;
    cr_assert_eq(stat(p, &st), 0, "%s", p);
    return st.st_size;
}

/* ---- 1: a short write leaves no fragment that the next append could be glued to ---- */
Test(faults, short_write_leaves_no_fragment, .fini = cleanup) {
    srv_t s;
    start_hub(&s, 0);
    free(prove_ticketed(&s, "ok", "first"));
    cr_assert_eq(srv_stop(&s, 10000), 0);
    /* Room for 20 more bytes: the next spend's line is cut short. Then the room comes back (as
     * when a full disk is cleaned up), and the next spend succeeds in the same process. */
    start_hub(&s, (rlim_t)file_size(tmp("replay.log")) + 20);
    free(prove_ticketed(&s, "internal", "cut-short"));
    struct rlimit inf = {RLIM_INFINITY, RLIM_INFINITY};
    cr_assert_eq(prlimit(s.pid, RLIMIT_FSIZE, &inf, NULL), 0, "prlimit: %s", strerror(errno));
    char *t = prove_ticketed(&s, "ok", "after");
    cr_assert_eq(srv_stop(&s, 10000), 0);
    /* After a restart, that ticket is still spent: its line was not glued onto the fragment. */
    start_hub(&s, 0);
    char *l = prove_line("again", fixture("multiplier", "circuit.zkey"),
                         fixture("multiplier", "witness.wtns"), t);
    srv_send(&s, l);
    expect(&s, "replayed_ticket", 60000, "the same ticket after a restart");
    cr_assert_eq(srv_stop(&s, 10000), 0);
    free(l);
    free(t);
}

/* ---- 10: a file-size limit: EFBIG is an I/O failure, and SIGXFSZ does not kill the loop ---- */
Test(faults, file_size_limit_does_not_kill, .fini = cleanup) {
    srv_t s;
    start_hub(&s, 0);
    free(prove_ticketed(&s, "ok", "first"));
    cr_assert_eq(srv_stop(&s, 10000), 0);
    start_hub(&s, (rlim_t)file_size(tmp("replay.log")) + 20);
    free(prove_ticketed(&s, "internal", "cut-short"));
    free(prove_ticketed(&s, "internal", "at-the-limit"));
    free(prove_ticketed(&s, "internal", "still-at-the-limit"));
    srv_send(&s, "{\"id\":\"p\",\"op\":\"ping\"}");
    expect(&s, "ok", 10000, "ping after the failed spends");
    int st = srv_stop(&s, 10000);
    cr_assert(st == 0, "exit status %#x (signal %d)", st, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    /* The log still loads. */
    start_hub(&s, 0);
    free(prove_ticketed(&s, "ok", "after"));
    cr_assert_eq(srv_stop(&s, 10000), 0);
}

/* ---- 2: damage anywhere but a torn last line is refused at start ---- */
static char *slurp(const char *p, size_t *n) {
    FILE *f = fopen(p, "rb");
    cr_assert(f);
    char *b = malloc(1 << 20);
    *n = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

static void spill(const char *p, const char *b, size_t n) {
    FILE *f = fopen(p, "wb");
    cr_assert(f && fwrite(b, 1, n, f) == n);
    fclose(f);
}

static int start_status(void) {
    srv_t s;
    start_hub(&s, 0);
    return srv_stop(&s, 10000);
}

Test(faults, damaged_replay_log_is_refused, .fini = cleanup) {
    srv_t s;
    start_hub(&s, 0);
    for (int i = 0; i < 3; i++)
        free(prove_ticketed(&s, "ok", "spend"));
    cr_assert_eq(srv_stop(&s, 10000), 0);
    size_t n;
    char *orig = slurp(tmp("replay.log"), &n), *b = malloc(n + 1);
    /* The starts of lines 2, 3 and 4 (the header is line 1). */
    size_t at[4] = {0}, k = 0;
    for (size_t i = 0; i < n && k < 4; i++)
        if (orig[i] == '\n') at[k++] = i + 1;
    cr_assert_eq(k, 4);
    /* A line dropped from the middle. */
    memcpy(b, orig, at[0]);
    memcpy(b + at[0], orig + at[1], n - at[1]);
    spill(tmp("replay.log"), b, n - (at[1] - at[0]));
    cr_assert_neq(start_status(), 0, "a log with a line dropped from the middle loaded");
    /* Two lines swapped. */
    size_t l1 = at[1] - at[0], l2 = at[2] - at[1];
    memcpy(b, orig, at[0]);
    memcpy(b + at[0], orig + at[1], l2);
    memcpy(b + at[0] + l2, orig + at[0], l1);
    memcpy(b + at[2], orig + at[2], n - at[2]);
    spill(tmp("replay.log"), b, n);
    cr_assert_neq(start_status(), 0, "a log with two lines swapped loaded");
    /* One character of a middle line changed (a digit of its expiry, say). */
    memcpy(b, orig, n);
    char *sp = memchr(b + at[1], ' ', l2);
    sp = memchr(sp + 1, ' ', (size_t)(b + at[2] - sp - 1));
    if (!sp) sp = b + at[2] - 3; /* a format without a fourth field */
    sp[1] = sp[1] == '1' ? '2' : '1';
    spill(tmp("replay.log"), b, n);
    cr_assert_neq(start_status(), 0, "a log with a changed line loaded");
    /* More than one line's worth of bytes without a newline at the end. */
    memcpy(b, orig, n);
    spill(tmp("replay.log"), b, at[2]);
    FILE *f = fopen(tmp("replay.log"), "a");
    for (int i = 0; i < 300; i++)
        fputc('7', f);
    fclose(f);
    cr_assert_neq(start_status(), 0, "a log with a long unterminated tail loaded");
    /* A torn last line (a crash mid-append) is still cut, and the rest loads. */
    spill(tmp("replay.log"), orig, n - 5);
    cr_assert_eq(start_status(), 0, "a torn last line was refused");
    free(orig);
    free(b);
}

/* ---- 3: every expiry the loop accepts, it can read back; absurd ones are refused ---- */
Test(faults, absurd_expiry_refused_and_log_reads_back, .fini = cleanup) {
    srv_t s;
    start_hub(&s, 0);
    const char *zk = fixture("multiplier", "circuit.zkey"), *wt = fixture("multiplier", "witness.wtns");
    uint64_t far[] = {UINT64_MAX, UINT64_MAX - 1, 1844674407370955162ull, now_s() + 400 * 86400ull};
    for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) {
        char *t = ticket(far[i], zk), *l = prove_line("far", zk, wt, t);
        srv_send(&s, l);
        expect(&s, "bad_ticket", 60000, "an expiry far ahead");
        free(t);
        free(l);
    }
    /* The furthest expiry accepted: written, then read back after a restart. */
    char *t = ticket(now_s() + 29 * 86400ull, zk), *l = prove_line("near", zk, wt, t);
    srv_send(&s, l);
    expect(&s, "ok", 60000, "an expiry 29 days ahead");
    cr_assert_eq(srv_stop(&s, 10000), 0);
    start_hub(&s, 0);
    srv_send(&s, l);
    expect(&s, "replayed_ticket", 60000, "the 29-day ticket after a restart");
    cr_assert_eq(srv_stop(&s, 10000), 0);
    free(t);
    free(l);
}

/* ---- 4: a FIFO (or another non-regular file) never blocks the loop ---- */
Test(faults, fifo_paths_do_not_block, .fini = cleanup) {
    cr_assert_eq(mkfifo(tmp("fifo"), 0600), 0);
    srv_t s;
    const char *args[] = {"--attest", "none", "--job-timeout", "20", NULL};
    srv_start(&s, args, 0, NULL);
    char *l = prove_line("zk", tmp("fifo"), fixture("multiplier", "witness.wtns"), NULL);
    srv_send(&s, l);
    free(l);
    expect(&s, "bad_zkey", 5000, "a FIFO as zkey");
    l = prove_line("wt", fixture("multiplier", "circuit.zkey"), tmp("fifo"), NULL);
    srv_send(&s, l);
    free(l);
    expect(&s, "bad_witness", 5000, "a FIFO as wtns");
    l = prove_line("dev", fixture("multiplier", "circuit.zkey"), "/dev/zero", NULL);
    srv_send(&s, l);
    free(l);
    expect(&s, "bad_witness", 5000, "a device as wtns");
    l = prove_line("dir", "/tmp", fixture("multiplier", "witness.wtns"), NULL);
    srv_send(&s, l);
    free(l);
    expect(&s, "bad_zkey", 5000, "a directory as zkey");
    l = prove_line("fine", fixture("multiplier", "circuit.zkey"), fixture("multiplier", "witness.wtns"), NULL);
    srv_send(&s, l);
    free(l);
    expect(&s, "ok", 60000, "a job after them");
    cr_assert_eq(srv_stop(&s, 10000), 0);
    /* The replay log as a FIFO: refused at start, not a hang. */
    const char *args2[] = {"--attest", "none", "--hub-key", hub_pem(), "--replay-log", tmp("fifo"), NULL};
    srv_start(&s, args2, 0, NULL);
    int st = srv_stop(&s, 5000);
    cr_assert(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 2, "status %#x", st);
}

/* ---- 5: what is proved is what was hashed and checked, whatever happens to the file ---- */
static void bundle_ok(const char *answer, const char *want_sha, const char *what) {
    cr_assert(answer, "%s: no answer", what);
    char *c = code_of(answer);
    cr_assert_str_eq(c, "ok", "%s: %s", what, answer);
    free(c);
    char *z = field_of(answer, "zkey_sha256");
    cr_assert_str_eq(z, want_sha, "%s: zkey_sha256", what);
    free(z);
    spill(tmp("bundle.json"), answer, strlen(answer));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' check-bundle '%s' --vk '%s' --allow-unattested >/dev/null", bin(),
             tmp("bundle.json"), fixture("multiplier", "verification_key.json"));
    cr_assert_eq(system(cmd), 0, "%s: check-bundle refused the answer", what);
}

Test(faults, zkey_rewritten_or_truncated, .fini = cleanup) {
    const char *zk = tmp("c.zkey");
    copy_file(fixture("multiplier", "circuit.zkey"), zk);
    uint8_t sha[32];
    char hex[65];
    sha256_file(zk, sha);
    zbp_hex_encode(hex, sha, 32);
    srv_t s;
    const char *args[] = {"--attest", "none", NULL};
    srv_start(&s, args, 0, "ZBP_SERVE_TEST_DELAY_MS=1500");
    char *l = prove_line("one", zk, fixture("multiplier", "witness.wtns"), NULL);
    srv_send(&s, l);
    char *a = srv_recv(&s, 60000);
    bundle_ok(a, hex, "the first job");
    free(a);
    /* Rewritten in place between jobs, with the same size and mtime: the points of its last
     * quarter changed. The next job proves with the bytes it hashed and checked. */
    struct stat st;
    cr_assert_eq(stat(zk, &st), 0);
    int fd = open(zk, O_WRONLY);
    uint8_t junk[4096];
    memset(junk, 0x5a, sizeof junk);
    for (off_t off = st.st_size * 3 / 4; off + 64 < st.st_size; off += (off_t)sizeof junk)
        cr_assert(pwrite(fd, junk, (size_t)(st.st_size - 64 - off) < sizeof junk ? (size_t)(st.st_size - 64 - off) : sizeof junk, off) > 0);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    cr_assert_eq(futimens(fd, ts), 0);
    close(fd);
    srv_send(&s, l);
    a = srv_recv(&s, 60000);
    bundle_ok(a, hex, "after an in-place rewrite with the same size and mtime");
    free(a);
    /* Truncated during a job (the job sleeps 1.5 s after its load). */
    copy_file(fixture("multiplier", "circuit.zkey"), zk);
    srv_send(&s, l);
    usleep(600000);
    cr_assert_eq(truncate(zk, 100), 0);
    a = srv_recv(&s, 60000);
    bundle_ok(a, hex, "truncated during the job");
    free(a);
    /* And after: the file as it is now is refused cleanly. */
    srv_send(&s, l);
    expect(&s, "bad_zkey", 60000, "the truncated file");
    free(l);
    int rc = srv_stop(&s, 10000);
    cr_assert_eq(rc, 0, "status %#x (signal %d)", rc, WIFSIGNALED(rc) ? WTERMSIG(rc) : 0);
}

/* ---- 11: a ticket for another circuit costs no parsing or checking, and nothing is cached ---- */
Test(faults, ticket_for_another_circuit, .fini = cleanup) {
    srv_t s;
    start_hub(&s, 0);
    char *x = strdup(fixture("multiplier", "circuit.zkey")), *y = strdup(fixture("poseidon", "circuit.zkey"));
    char *t = ticket(now_s() + 3600, x);
    char *l = prove_line("other", y, fixture("poseidon", "witness.wtns"), t);
    srv_send(&s, l);
    expect(&s, "bad_ticket", 60000, "a ticket for another circuit");
    free(l);
    /* A file that is no .zkey at all: refused for the ticket, so it was never parsed. */
    spill(tmp("junk.zkey"), "not a zkey", 10);
    l = prove_line("junk", tmp("junk.zkey"), fixture("poseidon", "witness.wtns"), t);
    srv_send(&s, l);
    expect(&s, "bad_ticket", 60000, "a ticket for another circuit, with junk");
    free(l);
    srv_send(&s, "{\"id\":\"i\",\"op\":\"info\"}");
    char *a = srv_recv(&s, 10000);
    cr_assert(a);
    cr_assert(!strstr(a, "poseidon"), "the other circuit was loaded into the cache: %s", a);
    free(a);
    /* The ticket was not spent: it still runs its own circuit. */
    l = prove_line("own", x, fixture("multiplier", "witness.wtns"), t);
    srv_send(&s, l);
    expect(&s, "ok", 60000, "the ticket on its own circuit");
    free(l);
    free(t);
    free(x);
    free(y);
    cr_assert_eq(srv_stop(&s, 10000), 0);
}

/* ---- 7: blank lines get no answer ---- */
Test(faults, blank_lines_get_no_answer, .fini = cleanup) {
    srv_t s;
    const char *args[] = {"--attest", "none", NULL};
    srv_start(&s, args, 0, NULL);
    cr_assert_eq(write(s.in, "\n\r\n \t\n\n", 7), 7);
    srv_send(&s, "{\"id\":\"p\",\"op\":\"ping\"}");
    char *a = srv_recv(&s, 10000);
    cr_assert(a && strstr(a, "\"id\":\"p\""), "the first answer is not the ping's: %s", a);
    free(a);
    cr_assert_eq(write(s.in, "\n", 1), 1); /* a blank last line, then EOF */
    cr_assert_eq(srv_stop(&s, 10000), 0);
    cr_assert_null(srv_recv(&s, 100));
}

/* ---- 8: every numeric option is bounded, with a clear error ---- */
/* The exit status of a loop started with args and stdin kept open (a loop that started would wait
 * for input instead of exiting), or -1 when it did not exit within 5 s. */
static int start_exit_status(const char *const *args, const char *env) {
    srv_t s;
    srv_start(&s, args, 0, env);
    int st = -1;
    for (int t = 0; t < 5000; t += 20) {
        if (waitpid(s.pid, &st, WNOHANG) == s.pid) break;
        st = -1;
        usleep(20000);
    }
    if (st == -1) {
        kill(s.pid, SIGKILL);
        waitpid(s.pid, NULL, 0);
    }
    close(s.in);
    close(s.out);
    return st;
}

Test(faults, numeric_options_bounded) {
    const char *bad[][2] = {
        {"--max-line-bytes", "18446744073709551615"},
        {"--max-line-bytes", "17179869183g"},
        {"--max-line-bytes", "16777215g"},
        {"--max-witness-bytes", "18446744073709551615"},
        {"--max-witness-bytes", "1000000g"},
        {"--zkey-cache-bytes", "18446744073709551615"},
        {"--max-queue", "0"},
        {"--max-queue", "99999999999999999999"},
        {"--max-keys", "1000000"},
        {"--threads", "18446744073709551615"},
        {"--job-timeout", "1e300"},
        {"--job-timeout", "nan"},
        {"--job-timeout", "-1"},
        {"--key-ttl", "inf"},
        {"--max-line-bytes", "-1"},
        {"--max-line-bytes", "12x"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *args[] = {"--attest", "none", bad[i][0], bad[i][1], NULL};
        int st = start_exit_status(args, NULL);
        cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 2, "%s %s: status %#x", bad[i][0],
                  bad[i][1], st);
    }
    /* The test hook's delay too: a value past a day would overflow the sleep. */
    const char *args[] = {"--attest", "none", NULL};
    int st = start_exit_status(args, "ZBP_SERVE_TEST_DELAY_MS=1e300");
    cr_expect(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 2, "a delay of 1e300 ms: status %#x",
              st);
}

/* ---- 9: no secret stays in the loop's memory after its request ---- */
Test(faults, secrets_wiped_and_kept_out_of_core, .fini = cleanup) {
    srv_t s;
    const char *args[] = {"--attest", "none", "--key-ttl", "0.3", NULL};
    srv_start(&s, args, 0, NULL);
    /* A wtns_b64 text in a request that fails while it is parsed (two witness sources). */
    char secret[2049], *line = malloc(4096);
    for (int i = 0; i < 2048; i++)
        secret[i] = "QkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWmFiY2RlZmdoaWprbG1ub3BxcnN0"[i * 7 % 60];
    secret[2048] = 0;
    snprintf(line, 4096,
             "{\"id\":\"b\",\"op\":\"prove\",\"zkey\":\"x\",\"wtns\":\"y\",\"wtns_b64\":\"%s\"}",
             secret);
    srv_send(&s, line);
    expect(&s, "bad_request", 10000, "two witness sources");
    cr_assert(!memory_holds(s.pid, secret + 1000, 64),
              "the wtns_b64 text of a failed request is still in memory");
    /* A single-use key past its time, with the store not used since: wiped all the same. */
    srv_send(&s, "{\"id\":\"k\",\"op\":\"key\"}");
    char *a = srv_recv(&s, 10000);
    char *kid_hex = field_of(a, "key_id");
    cr_assert(kid_hex, "%s", a);
    uint8_t kid[16];
    size_t n;
    cr_assert_eq(zbp_hex_decode(kid, 16, &n, kid_hex, 32), 0);
    usleep(1000000);
    cr_assert(!memory_holds(s.pid, kid, 16), "an expired key is still in memory");
    /* Witness and key memory is marked to stay out of core dumps. */
    char p[64], l2[512];
    snprintf(p, sizeof p, "/proc/%d/smaps", (int)s.pid);
    FILE *f = fopen(p, "r");
    bool dd = false;
    while (fgets(l2, sizeof l2, f))
        if (!strncmp(l2, "VmFlags:", 8) && strstr(l2, " dd")) dd = true;
    fclose(f);
    cr_assert(dd, "no mapping is marked MADV_DONTDUMP");
    cr_assert_eq(srv_stop(&s, 10000), 0);
    free(kid_hex);
    free(a);
    free(line);
}
