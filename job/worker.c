/* worker.c: a worker of `serve` (`zbprover __worker`, started by the supervisor with fork and exec
 * of its own binary, pool.c): it holds one circuit, handed over as descriptors (the .zkey's bytes
 * in a sealed memfd, and the witness program's compiled object when jobs bring inputs), loads
 * them, confines itself (confine.c), says HELLO with what it got, then proves one JOB frame after
 * another and answers each with a RESULT frame (frame.h). It holds no ticket, no key, no replay
 * log and no attestation device: what it proves is checked by the supervisor. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "job/confine.h"
#include "job/frame.h"
#include "job/job_int.h"
#include "job/worker.h"
#include "witness/witness.h"

typedef struct {
    int sock;
    zbp_zkey_t z;
    zbp_circuit_t *circ; /* z on the device (resident on a GPU), opened before the filter */
    void *so; /* the witness object (dlopen'ed), or NULL */
    char wasm_sha[65];
    worker_args_t a;
    /* test builds only: ZBP_WORKER_TEST = delay=<ms> | open | socket | bad_proof */
    long test_delay_ms;
    int test_open, test_socket, test_bad_proof;
} worker_t;

static void test_hooks(worker_t *w) {
#ifdef ZBP_TEST_HOOKS
    const char *t = getenv("ZBP_WORKER_TEST");
    if (!t) return;
    if (!strncmp(t, "delay=", 6)) w->test_delay_ms = strtol(t + 6, NULL, 10);
    w->test_open = !strcmp(t, "open");
    w->test_socket = !strcmp(t, "socket");
    w->test_bad_proof = !strcmp(t, "bad_proof");
#else
    (void)w;
#endif
}

/* The job's moment for the test hooks: each runs where a compromised circuit program would. */
static void test_act(worker_t *w) {
#ifdef ZBP_TEST_HOOKS
    if (w->test_delay_ms > 0) {
        struct timespec d = {w->test_delay_ms / 1000, w->test_delay_ms % 1000 * 1000000L};
        while (nanosleep(&d, &d) != 0 && errno == EINTR) {
        }
    }
    if (w->test_open) { /* the filter kills the worker here (SIGSYS) */
        FILE *f = fopen("/etc/passwd", "r");
        if (f) fclose(f);
    }
    if (w->test_socket) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s >= 0) close(s);
    }
#else
    (void)w;
#endif
}

static int reply(worker_t *w, int code, int flags, const char *msg, const char *proof,
                 const char *pub, double wms, double pms, const char *device) {
    frame_result_t r = {(uint32_t)code, (uint32_t)flags, msg, proof, pub,
                        msg ? strlen(msg) : 0, proof ? strlen(proof) : 0, pub ? strlen(pub) : 0,
                        wms, pms, ""};
    snprintf(r.device, sizeof r.device, "%s", device);
    size_t tl = r.msg_len + r.proof_len + r.pub_len;
    uint8_t head[FRAME_RESULT_HEAD];
    frame_result_head(head, &r);
    char *t = malloc(tl + 1);
    if (!t) return -1;
    memcpy(t, msg ? msg : "", r.msg_len);
    memcpy(t + r.msg_len, proof ? proof : "", r.proof_len);
    memcpy(t + r.msg_len + r.proof_len, pub ? pub : "", r.pub_len);
    int rc = frame_send(w->sock, FRAME_RESULT, head, sizeof head, t, tl);
    free(t);
    return rc;
}

/* The witness of an input text by the loaded program, under the witness time limit (SIGALRM ends
 * the worker: the supervisor answers timeout). */
static int witness_of_input(worker_t *w, const uint8_t *text, size_t len, uint8_t **out,
                            size_t *olen, char *m, size_t mlen) {
    if (!w->so) return job_fail(m, mlen, JOB_INTERNAL, "this worker has no witness program");
    zbp_witness_input_t in;
    int st = zbp_witness_input_parse(&in, (const char *)text, len, "input", m, mlen);
    if (st != ZBP_OK) return job_code_of(st, JOB_BAD_WITNESS);
    zbp_witness_opts_t wo;
    zbp_witness_opts_init(&wo);
    wo.quiet_log = 1; /* a circuit's log() can print private values */
    wo.memory_limit = w->a.wmem_bytes;
    alarm(w->a.wtime_s);
    st = zbp_witness_run_loaded(out, olen, w->so, w->wasm_sha, "the witness program", &in, "input",
                                &wo, m, mlen);
    alarm(0);
    job_json_wipe(in.doc);
    zbp_witness_input_free(&in);
    if (st != ZBP_OK) return job_code_of(st, JOB_BAD_WITNESS);
    return JOB_OK;
}

/* One job: the witness (given, or computed), the proof, the answer. */
static int run_job(worker_t *w, uint32_t kind, const uint8_t *p, size_t plen) {
    char m[1600] = "", note[600] = "", device[16] = "cpu";
    double t0 = job_mono_ms(), t1;
    uint8_t *wbuf = NULL;
    size_t wlen = 0;
    int code = JOB_OK, flags = 0;
    test_act(w);
    if (kind == FRAME_JOB_INPUT) {
        code = witness_of_input(w, p, plen, &wbuf, &wlen, m, sizeof m);
        flags = code ? FRAME_RETIRE : 0; /* the module's state is unknown after a failure */
        p = wbuf;
        plen = wlen;
    }
    t1 = job_mono_ms();
    zbp_wtns_t wt;
    zbp_proof_t proof;
    char *ptext = NULL, *utext = NULL;
    size_t pl, ul;
    if (!code && zbp_wtns_from_memory(&wt, p, plen, "the witness", m, sizeof m) != ZBP_OK)
        code = JOB_BAD_WITNESS;
    else if (!code) {
        zbp_prove_opts_t po;
        zbp_prove_opts_init(&po);
        po.threads = w->a.threads;
        zbp_profile_t prof;
        memset(&prof, 0, sizeof prof);
        int st = zbp_circuit_prove(w->circ, &proof, &wt, &po, &prof, m, sizeof m);
        snprintf(device, sizeof device, "%s", prof.device[0] ? prof.device : "cpu");
        if (st == ZBP_OK && prof.device_note[0]) /* a GPU left for the CPU: a note for the log */
            snprintf(note, sizeof note, "%s", prof.device_note);
        zbp_wtns_close(&wt);
        if (st != ZBP_OK)
            code = job_code_of(st, JOB_BAD_WITNESS);
        if (!code && w->test_bad_proof) proof.a = proof.c; /* test builds: a wrong proof */
        if (!code && (zbp_proof_json(&ptext, &pl, &proof) || zbp_public_json(&utext, &ul, &proof)))
            code = job_fail(m, sizeof m, JOB_INTERNAL, "out of memory");
        if (st == ZBP_OK) zbp_proof_free(&proof);
    }
    if (wbuf) {
        OPENSSL_cleanse(wbuf, wlen);
        free(wbuf);
    }
    double t2 = job_mono_ms();
    int rc = reply(w, code, flags, code ? m : note[0] ? note : NULL, code ? NULL : ptext,
                   code ? NULL : utext, t1 - t0, t2 - t1, device);
    free(ptext);
    free(utext);
    job_stack_scrub();
    return rc ? -1 : (flags & FRAME_RETIRE) ? 1 : 0;
}

/* The circuit from its descriptors: the key mapped read-only (the supervisor's sealed copy of the
 * bytes it hashed and checked), the witness object loaded through /proc/self/fd before the filter
 * forbids opening anything. */
static int load(worker_t *w, char *err, size_t errlen) {
    struct stat st;
    if (fstat(w->a.zkey_fd, &st) || st.st_size <= 0)
        return job_fail(err, errlen, -1, "the circuit's descriptor: %s", strerror(errno));
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, w->a.zkey_fd, 0);
    if (p == MAP_FAILED) return job_fail(err, errlen, -1, "mmap: %s", strerror(errno));
    close(w->a.zkey_fd);
    char m[1024];
    if (zbp_zkey_from_memory(&w->z, p, (size_t)st.st_size, "circuit.zkey", m, sizeof m) != ZBP_OK ||
        zbp_circuit_open(&w->circ, &w->z, w->a.device, m, sizeof m) != ZBP_OK)
        return job_fail(err, errlen, -1, "%s", m);
    if (w->a.so_fd >= 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", w->a.so_fd);
        if (!(w->so = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
            return job_fail(err, errlen, -1, "the witness object: %s", dlerror());
        close(w->a.so_fd);
    }
    return 0;
}

int job_worker_run(const worker_args_t *a) {
    worker_t w;
    memset(&w, 0, sizeof w);
    w.a = *a;
    w.sock = a->sock_fd;
    snprintf(w.wasm_sha, sizeof w.wasm_sha, "%s", a->wasm_sha);
    signal(SIGPIPE, SIG_IGN);
    /* jansson seeds its hash tables from /dev/urandom at the first object it makes (the proof's
     * JSON): now, while the worker may still open a file. */
    json_object_seed(0);
    test_hooks(&w);
    char err[1200], rep[160];
    if (load(&w, err, sizeof err)) {
        frame_send(w.sock, FRAME_HELLO, "error: ", 7, err, strlen(err));
        return 3;
    }
    /* A GPU's driver needs more of the kernel (confine.c says what); its address space is the
     * driver's to reserve. */
    bool gpu = strcmp(zbp_circuit_device(w.circ), "cpu") != 0;
    confine_opts_t co = {gpu ? 0 : a->as_bytes, a->cpu_s, gpu};
    if (job_confine(&co, rep, sizeof rep, err, sizeof err)) {
        frame_send(w.sock, FRAME_HELLO, "error: ", 7, err, strlen(err));
        return 3;
    }
    char hello[200]; /* "<device> <confinement>" */
    snprintf(hello, sizeof hello, "%s %s", zbp_circuit_device(w.circ), rep);
    if (frame_send(w.sock, FRAME_HELLO, hello, strlen(hello), NULL, 0)) _exit(0);
    for (;;) {
        uint32_t type, kind;
        uint8_t *body;
        size_t len, plen;
        const uint8_t *payload;
        int r = frame_recv(w.sock, a->max_frame, true, &type, &body, &len, err, sizeof err);
        if (r) _exit(r > 0 ? 0 : 4); /* _exit: no atexit handler runs under the filter */
        if (type != FRAME_JOB || frame_job_parse(body, len, &kind, &payload, &plen, err, sizeof err))
            _exit(4);
        int jr = run_job(&w, kind, payload, plen);
        job_secret_free(body); /* wipes the witness or the input */
        if (jr) _exit(jr > 0 ? 0 : 4);
    }
}

static int num(const char *s, uint64_t max, uint64_t *v) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || x > max || s[0] == '-') return -1;
    *v = x;
    return 0;
}

int job_worker_args(worker_args_t *a, int argc, char **argv) {
    memset(a, 0, sizeof *a);
    if (argc != WORKER_ARGC) return -1;
    uint64_t v[9];
    if (argc != WORKER_ARGC) return -1;
    for (int i = 0; i < 9; i++) {
        if (i == 2 && !strcmp(argv[3], "-")) {
            v[2] = (uint64_t)-1;
            continue;
        }
        if (num(argv[1 + (i < 3 ? i : i + 1)], UINT64_MAX, &v[i])) return -1;
    }
    if (v[0] > 1024 || v[1] > 1024 || (v[2] != (uint64_t)-1 && v[2] > 1024) || v[3] > 4096 ||
        v[6] > 604800)
        return -1;
    if (strlen(argv[4]) > 64 || strlen(argv[11]) > 15 ||
        zbp_device_check(argv[11], NULL, NULL, 0) == ZBP_ERR_INPUT)
        return -1;
    snprintf(a->device, sizeof a->device, "%s", argv[11]);
    a->sock_fd = (int)v[0];
    a->zkey_fd = (int)v[1];
    a->so_fd = v[2] == (uint64_t)-1 ? -1 : (int)v[2];
    snprintf(a->wasm_sha, sizeof a->wasm_sha, "%s", strcmp(argv[4], "-") ? argv[4] : "");
    a->threads = (int)v[3];
    a->as_bytes = v[4];
    a->cpu_s = v[5];
    a->wtime_s = (unsigned)v[6];
    a->wmem_bytes = v[7];
    a->max_frame = v[8];
    return 0;
}
