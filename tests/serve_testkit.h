/* serve_testkit.h: `zbprover serve` (the binary, $ZBP_BINARY) as a child process for the
 * Criterion tests that drive it (test_serve_faults.c, test_serve_sandbox.c): start it with
 * arguments and an environment variable, send lines, read answers, files in a temporary
 * directory, and a search of a process's memory. */
#ifndef ZBP_TESTS_SERVE_TESTKIT_H
#define ZBP_TESTS_SERVE_TESTKIT_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "job/job.h"

#define KIT static __attribute__((unused))

/* ---- a server as a child process ---- */
typedef struct {
    pid_t pid;
    int in, out;
    char buf[1 << 20];
    size_t len;
} srv_t;

KIT const char *bin(void) {
    const char *b = getenv("ZBP_BINARY");
    cr_assert(b, "ZBP_BINARY is not set");
    return b;
}

KIT const char *data(void) {
    const char *d = getenv("ZBP_TEST_DATA");
    cr_assert(d, "ZBP_TEST_DATA is not set");
    return d;
}

/* argv after "serve"; fsize: RLIMIT_FSIZE in bytes (0: none); env: "NAME=value" or NULL. */
KIT void srv_start(srv_t *s, const char *const *args, rlim_t fsize, const char *env) {
    int pin[2], pout[2];
    cr_assert(pipe(pin) == 0 && pipe(pout) == 0);
    s->pid = fork();
    cr_assert(s->pid >= 0);
    if (s->pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        int null = open("/dev/null", O_WRONLY);
        if (!getenv("ZBP_TEST_SERVE_LOG")) dup2(null, 2);
        close(pin[1]);
        close(pout[0]);
        if (fsize) {
            struct rlimit rl = {fsize, RLIM_INFINITY}; /* the soft limit: the test may lift it */
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        if (env) putenv((char *)env);
        const char *argv[64] = {bin(), "serve"};
        int n = 2;
        for (; args[n - 2]; n++)
            argv[n] = args[n - 2];
        argv[n] = NULL;
        execv(argv[0], (char **)argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    s->in = pin[1];
    s->out = pout[0];
    s->len = 0;
}

KIT void srv_send(srv_t *s, const char *line) {
    size_t n = strlen(line);
    cr_assert_eq(write(s->in, line, n), (ssize_t)n);
    cr_assert_eq(write(s->in, "\n", 1), 1);
}

/* The next answer line (malloc'ed), or NULL after timeout_ms or at EOF. */
KIT char *srv_recv(srv_t *s, int timeout_ms) {
    for (;;) {
        char *nl = memchr(s->buf, '\n', s->len);
        if (nl) {
            size_t n = (size_t)(nl - s->buf);
            char *line = strndup(s->buf, n);
            memmove(s->buf, nl + 1, s->len - n - 1);
            s->len -= n + 1;
            return line;
        }
        struct pollfd p = {s->out, POLLIN, 0};
        if (poll(&p, 1, timeout_ms) <= 0) return NULL;
        ssize_t k = read(s->out, s->buf + s->len, sizeof s->buf - s->len);
        if (k <= 0) return NULL;
        s->len += (size_t)k;
    }
}

/* Closes stdin and waits (up to timeout_ms) for the exit: the wait status, or -1 after a kill. */
KIT int srv_stop(srv_t *s, int timeout_ms) {
    close(s->in);
    int st = 0;
    for (int t = 0; t < timeout_ms; t += 20) {
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            close(s->out);
            return st;
        }
        usleep(20000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &st, 0);
    close(s->out);
    return -1;
}

/* The answer's error code, or "ok" (a new string). */
KIT char *code_of(const char *answer) {
    cr_assert(answer, "no answer");
    json_t *d;
    cr_assert_eq(zbp_json_parse(&d, answer, strlen(answer), NULL, NULL), 0, "%s", answer);
    const json_t *r = d, *c = json_object_get(json_object_get(r, "error"), "code");
    char *out = strdup(json_is_true(json_object_get(r, "ok")) ? "ok" : json_string_value(c));
    json_decref(d);
    return out;
}

KIT void expect(srv_t *s, const char *want, int timeout_ms, const char *what) {
    char *a = srv_recv(s, timeout_ms);
    cr_assert(a, "%s: no answer within %d ms", what, timeout_ms);
    char *c = code_of(a);
    cr_assert_str_eq(c, want, "%s: %s", what, a);
    free(c);
    free(a);
}

/* ---- files ---- */
KIT char g_dir[64];

KIT const char *tmp(const char *name) {
    static char path[8][256];
    static int k;
    if (!g_dir[0]) {
        strcpy(g_dir, "/tmp/zbp-faults-XXXXXX");
        cr_assert(mkdtemp(g_dir));
    }
    char *p = path[k++ % 8];
    snprintf(p, 256, "%s/%s", g_dir, name);
    return p;
}

KIT void cleanup(void) {
    if (!g_dir[0]) return;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    cr_expect_eq(system(cmd), 0);
}

KIT const char *fixture(const char *circuit, const char *file) {
    static char path[4][512];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 512, "%s/fixtures/%s/%s", data(), circuit, file);
    return p;
}

KIT void copy_file(const char *from, const char *to) {
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    cr_assert_eq(system(cmd), 0);
}

KIT void sha256_file(const char *path, uint8_t out[32]) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "%s", path);
    static uint8_t b[1 << 22];
    size_t n = fread(b, 1, sizeof b, f);
    fclose(f);
    SHA256(b, n, out);
}

KIT char *field_of(const char *answer, const char *key) {
    json_t *d;
    cr_assert_eq(zbp_json_parse(&d, answer, strlen(answer), NULL, NULL), 0);
    const json_t *v = json_object_get(d, key);
    char *out = zbp_json_str(v, NULL) ? strdup(json_string_value(v)) : NULL;
    json_decref(d);
    return out;
}

/* The answer passes check-bundle with the multiplier's key, and names want_sha. */
/* Whether the process's readable memory holds needle (read through /proc/<pid>/mem). */
KIT bool memory_holds(pid_t pid, const void *needle, size_t n) {
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/maps", (int)pid);
    FILE *maps = fopen(p, "r");
    snprintf(p, sizeof p, "/proc/%d/mem", (int)pid);
    int mem = open(p, O_RDONLY);
    cr_assert(maps && mem >= 0, "cannot read the server's memory");
    char line[512];
    bool found = false;
    static uint8_t buf[1 << 20];
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r') continue;
        if (strstr(line, "[vvar]") || strstr(line, "[vsyscall]")) continue;
        /* Mappings past 4 GiB are reservations (AddressSanitizer's shadow: terabytes): reading
         * them took minutes and held the server's memory map while it had to answer. The loop's
         * heap, stacks and buffers are far smaller. */
        if (hi - lo > (4ul << 30)) continue;
        for (unsigned long a = lo; a < hi && !found; a += sizeof buf - n) {
            size_t want = hi - a < sizeof buf ? hi - a : sizeof buf;
            ssize_t k = pread(mem, buf, want, (off_t)a);
            if (k <= 0) break;
            found = memmem(buf, (size_t)k, needle, n) != NULL;
            if ((size_t)k < sizeof buf) break;
        }
    }
    fclose(maps);
    close(mem);
    return found;
}


#endif
