/* test_serve_sandbox.c: serve's workers (issue #17), through the real binary: each worker confined
 * (/proc/<pid>/status: Seccomp 2, NoNewPrivs 1), one worker per circuit, a worker killed in the
 * middle of a job, a worker that tries to open a file or a socket (the filter kills it), a worker
 * that returns a wrong proof (the supervisor's pairing check catches it), a hard --job-timeout,
 * and a sealed witness whose key and ciphertext never reach the worker. The worker-side triggers
 * are test hooks (ZBP_WORKER_TEST), compiled into test builds only. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "job/job.h"
#include "serve_testkit.h"

static char *prove_wtns(const char *id, const char *circuit) {
    char *l = malloc(4096);
    snprintf(l, 4096, "{\"id\":\"%s\",\"op\":\"prove\",\"zkey\":\"%s\",\"wtns\":\"%s\"}", id,
             fixture(circuit, "circuit.zkey"), fixture(circuit, "witness.wtns"));
    return l;
}

static void prove_expect(srv_t *s, const char *id, const char *circuit, const char *want,
                         char **answer) {
    char *l = prove_wtns(id, circuit);
    srv_send(s, l);
    free(l);
    char *a = srv_recv(s, 60000);
    cr_assert(a, "%s: no answer", id);
    char *c = code_of(a);
    cr_assert_str_eq(c, want, "%s: %s", id, a);
    char *got = field_of(a, "id");
    cr_assert(got && !strcmp(got, id), "%s: the answer's id: %s", id, a);
    free(got);
    free(c);
    if (answer)
        *answer = a;
    else
        free(a);
}

/* The workers' pids from an info answer (at most max); their count. */
static int worker_pids(srv_t *s, pid_t *pids, int max) {
    srv_send(s, "{\"id\":\"i\",\"op\":\"info\"}");
    char *a = srv_recv(s, 10000);
    cr_assert(a, "no info answer");
    json_t *d;
    cr_assert_eq(zbp_json_parse(&d, a, strlen(a), NULL, NULL), 0, "%s", a);
    const json_t *w = json_object_get(d, "workers");
    cr_assert(json_is_array(w), "info has no workers: %s", a);
    int n = 0;
    for (size_t i = 0; i < json_array_size(w) && n < max; i++) {
        uint64_t pid;
        cr_assert_eq(zbp_json_get_u64(json_object_get(json_array_get(w, i), "pid"), &pid), 0, "%s", a);
        const char *c = zbp_json_str(json_object_get(json_array_get(w, i), "confinement"), NULL);
        cr_assert(c && strstr(c, "seccomp") && strstr(c, "no_new_privs"), "%s", a);
        pids[n++] = (pid_t)pid;
    }
    json_decref(d);
    free(a);
    return n;
}

static bool status_has(pid_t pid, const char *line) {
    char p[64], l[256];
    snprintf(p, sizeof p, "/proc/%d/status", (int)pid);
    FILE *f = fopen(p, "r");
    cr_assert(f, "no process %d", (int)pid);
    bool found = false;
    while (!found && fgets(l, sizeof l, f))
        found = !strncmp(l, line, strlen(line));
    fclose(f);
    return found;
}

/* A child of the server (its worker), found through /proc/<pid>/task/ * /children; 0 if none. */
static pid_t child_of(pid_t server) {
    char p[96];
    snprintf(p, sizeof p, "/proc/%d/task", (int)server);
    DIR *d = opendir(p);
    cr_assert(d);
    pid_t found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char q[160];
        snprintf(q, sizeof q, "/proc/%d/task/%.32s/children", (int)server, e->d_name);
        FILE *f = fopen(q, "r");
        int pid;
        if (f && fscanf(f, "%d", &pid) == 1) found = pid;
        if (f) fclose(f);
    }
    closedir(d);
    return found;
}

static void start(srv_t *s, const char *env) {
    const char *args[] = {"--attest", "none", NULL};
    srv_start(s, args, 0, env);
}

Test(sandbox, workers_are_confined_one_per_circuit, .fini = cleanup) {
    srv_t s;
    start(&s, NULL);
    prove_expect(&s, "m1", "multiplier", "ok", NULL);
    prove_expect(&s, "c1", "comparator", "ok", NULL);
    prove_expect(&s, "m2", "multiplier", "ok", NULL); /* the warm one again */
    pid_t pids[4];
    cr_assert_eq(worker_pids(&s, pids, 4), 2, "two circuits, two workers");
    cr_assert_neq(pids[0], pids[1]);
    for (int i = 0; i < 2; i++) {
        cr_assert(status_has(pids[i], "Seccomp:\t2"), "worker %d: not in seccomp filter mode", pids[i]);
        cr_assert(status_has(pids[i], "NoNewPrivs:\t1"), "worker %d: no_new_privs not set", pids[i]);
    }
    cr_assert_eq(srv_stop(&s, 20000), 0);
}

Test(sandbox, sigkill_mid_job_answers_once_then_fresh_worker, .fini = cleanup) {
    srv_t s;
    start(&s, "ZBP_WORKER_TEST=delay=2500");
    char *l = prove_wtns("doomed", "multiplier");
    srv_send(&s, l);
    free(l);
    pid_t w = 0;
    for (int i = 0; i < 200 && !w; i++, usleep(20000))
        w = child_of(s.pid);
    cr_assert(w, "no worker started");
    usleep(300000); /* inside its job (the delay) */
    cr_assert_eq(kill(w, SIGKILL), 0);
    char *a = srv_recv(&s, 20000), *c = code_of(a), *id = field_of(a, "id");
    cr_assert_str_eq(c, "internal", "%s", a);
    cr_assert_str_eq(id, "doomed", "%s", a);
    cr_assert(strstr(a, "SIGKILL"), "%s", a);
    free(a), free(c), free(id);
    prove_expect(&s, "after", "multiplier", "ok", NULL);
    pid_t pids[2];
    cr_assert_eq(worker_pids(&s, pids, 2), 1);
    cr_assert_neq(pids[0], w, "the killed worker is still listed");
    cr_assert(srv_recv(&s, 300) == NULL, "an extra answer");
    cr_assert_eq(srv_stop(&s, 20000), 0);
}

static void filter_kills(const char *hook) {
    srv_t s;
    start(&s, hook);
    char *a;
    prove_expect(&s, "escape", "multiplier", "internal", &a);
    cr_assert(strstr(a, "seccomp"), "%s: %s", hook, a);
    free(a);
    srv_send(&s, "{\"id\":\"p\",\"op\":\"ping\"}");
    expect(&s, "ok", 10000, "the supervisor serves on");
    pid_t pids[2];
    cr_assert_eq(worker_pids(&s, pids, 2), 0, "the killed worker is still listed");
    cr_assert_eq(srv_stop(&s, 20000), 0);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED_BUILD 1
#endif
#endif

Test(sandbox, filter_kills_a_worker_that_opens_a_file, .fini = cleanup) {
#ifdef SANITIZED_BUILD
    cr_skip("sanitizer build: the worker's filter lets the sanitizer's runtime open files (its "
            "reports read /proc/self/maps), so this check runs in the Release suite only");
#else
    filter_kills("ZBP_WORKER_TEST=open");
#endif
}

Test(sandbox, filter_kills_a_worker_that_opens_a_socket, .fini = cleanup) {
    filter_kills("ZBP_WORKER_TEST=socket");
}

Test(sandbox, wrong_proof_is_caught_by_the_supervisor, .fini = cleanup) {
    srv_t s;
    start(&s, "ZBP_WORKER_TEST=bad_proof");
    char *a;
    prove_expect(&s, "liar", "multiplier", "internal", &a);
    cr_assert(strstr(a, "pairing"), "%s", a);
    cr_assert(!strstr(a, "proof\":"), "a wrong proof was answered: %s", a);
    free(a);
    pid_t pids[2];
    cr_assert_eq(worker_pids(&s, pids, 2), 0, "the lying worker was not ended");
    cr_assert_eq(srv_stop(&s, 20000), 0);
}

Test(sandbox, job_timeout_is_hard, .fini = cleanup) {
    srv_t s;
    const char *args[] = {"--attest", "none", "--job-timeout", "1", NULL};
    srv_start(&s, args, 0, "ZBP_WORKER_TEST=delay=30000");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    prove_expect(&s, "slow", "multiplier", "timeout", NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert(sec < 10, "the timeout took %.1f s", sec);
    /* not busy: the worker is gone, and the next job starts a fresh one (which times out too) */
    prove_expect(&s, "slow2", "multiplier", "timeout", NULL);
    pid_t pids[2];
    cr_assert_eq(worker_pids(&s, pids, 2), 0);
    cr_assert_eq(srv_stop(&s, 20000), 0);
}

/* The worker gets the witness, never the single-use key or the sealed payload. Its memory is
 * searched for the ciphertext and the key's id (and, so that the search is known to work, for a
 * piece of the circuit it does hold). */
Test(sandbox, sealed_payload_and_key_stay_in_the_supervisor, .fini = cleanup) {
    srv_t s;
    start(&s, NULL);
    srv_send(&s, "{\"id\":\"k\",\"op\":\"key\"}");
    char *a = srv_recv(&s, 10000), *kid_hex = field_of(a, "key_id"), *pub_hex = field_of(a, "public");
    cr_assert(kid_hex && pub_hex, "%s", a);
    uint8_t kid[16], pub[32], zsha[32];
    size_t n;
    cr_assert_eq(job_hex_decode(kid, 16, &n, kid_hex, 32), 0);
    cr_assert_eq(job_hex_decode(pub, 32, &n, pub_hex, 64), 0);
    const char *zk = fixture("multiplier", "circuit.zkey");
    sha256_file(zk, zsha);
    FILE *f = fopen(fixture("multiplier", "witness.wtns"), "rb");
    static uint8_t w[1 << 16];
    size_t wl = fread(w, 1, sizeof w, f);
    fclose(f);
    char *sealed = NULL, err[256];
    cr_assert_eq(job_seal(&sealed, pub, kid, NULL, 0, zsha, NULL, w, wl, err, sizeof err), JOB_OK, "%s", err);
    char *line = malloc(8192);
    snprintf(line, 8192, "{\"id\":\"s\",\"op\":\"prove\",\"zkey\":\"%s\",\"sealed\":%s}", zk, sealed);
    srv_send(&s, line);
    expect(&s, "ok", 60000, "the sealed job");
    char *ct_b64 = NULL;
    { /* the ciphertext's bytes, as the supervisor decoded them */
        json_t *d;
        cr_assert_eq(zbp_json_parse(&d, sealed, strlen(sealed), NULL, NULL), 0);
        ct_b64 = strdup(json_string_value(json_object_get(d, "ct")));
        json_decref(d);
    }
    uint8_t ct[8192];
    size_t ctl;
    cr_assert_eq(job_b64_decode(ct, &ctl, ct_b64, strlen(ct_b64)), 0);
    pid_t pids[2];
    cr_assert_eq(worker_pids(&s, pids, 2), 1);
    static uint8_t zb[1 << 16];
    f = fopen(zk, "rb");
    size_t zl = fread(zb, 1, sizeof zb, f);
    fclose(f);
    cr_assert(zl > 600);
    cr_assert(memory_holds(pids[0], zb + 500, 64), "the search does not find the worker's own key");
    cr_assert(!memory_holds(pids[0], ct + 16, 32), "the sealed payload reached the worker");
    cr_assert(!memory_holds(pids[0], kid, 16), "the single-use key's id reached the worker");
    cr_assert(!memory_holds(pids[0], sealed + 20, 32), "the sealed object's text reached the worker");
    cr_assert_eq(srv_stop(&s, 20000), 0);
    free(a), free(kid_hex), free(pub_hex), free(sealed), free(line), free(ct_b64);
}

/* --workers 2: jobs for two circuits run at once (each sleeps 5 s in its worker: one after the
 * other would take over 10 s), and the answers still come in request order. */
Test(sandbox, two_workers_at_once_answers_in_order, .fini = cleanup) {
    srv_t s;
    const char *args[] = {"--attest", "none", "--workers", "2", NULL};
    srv_start(&s, args, 0, "ZBP_WORKER_TEST=delay=5000");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *l1 = prove_wtns("first", "multiplier"), *l2 = prove_wtns("second", "comparator");
    srv_send(&s, l1);
    srv_send(&s, l2);
    srv_send(&s, "{\"id\":\"third\",\"op\":\"ping\"}");
    free(l1), free(l2);
    const char *order[] = {"first", "second", "third"};
    for (int i = 0; i < 3; i++) {
        char *a = srv_recv(&s, 60000), *id = field_of(a, "id"), *c = code_of(a);
        cr_assert(a && id, "answer %d missing", i);
        cr_assert_str_eq(id, order[i], "answer %d out of order: %s", i, a);
        cr_assert_str_eq(c, "ok", "%s", a);
        free(a), free(id), free(c);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert(sec < 9, "two jobs of 5 s each took %.1f s: not at once", sec);
    cr_assert_eq(srv_stop(&s, 20000), 0);
}
