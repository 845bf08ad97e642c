/* run.c: the witness computed in a forked child that loads the witness object and follows circom's
 * runtime protocol (circom_runtime's witness_calculator.js, WitnessCalculatorCircom2): the prime
 * and sizes, init, each input value through the shared read/write memory and setInputSignal (looked
 * up by FNV-1a 64 of its name), then getWitness for every wire. The child runs under RLIMIT_DATA
 * (the module's memory is committed with mprotect, which that limit counts), RLIMIT_AS (room for
 * wasm2c's 8 GiB reservation, not more), RLIMIT_CPU and an alarm, with no core dumps; a trap, a
 * crash, a hang or a limit ends only the child. It writes one reply to a pipe: a status, a message
 * and the .wtns bytes. */
#define _GNU_SOURCE /* F_SETPIPE_SZ */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "field/field.h"
#include "witness/glue.h"
#include "witness/witness.h"
#include "prover/util.h"

#define REPLY_MAGIC 0x7a627077u /* "zbpw" */

typedef struct {
    uint32_t magic;
    int32_t status;
    uint32_t msg_len;
    uint32_t pad;
    uint64_t data_len;
} reply_t;

/* ---- the child -------------------------------------------------------------------------------- */

typedef struct {
    uint32_t exception; /* the last exceptionHandler code, 0 if none */
    char errors[1024];  /* printErrorMessage's text, lines joined by "; " */
    char line[1024];    /* writeBufferMessage's current log line */
    int quiet;
} host_state_t;

static void append(char *buf, size_t cap, const char *sep, const char *s) {
    size_t n = strlen(buf);
    if (n && sep) snprintf(buf + n, cap - n, "%s", sep), n = strlen(buf);
    for (; *s && n + 1 < cap; s++) buf[n++] = *s == '\n' || *s == '\r' ? ' ' : *s;
    buf[n] = 0;
    while (n && buf[n - 1] == ' ') buf[--n] = 0;
}

static void h_exception(void *ctx, uint32_t code) { ((host_state_t *)ctx)->exception = code ? code : 99; }
static void h_error(void *ctx, const char *msg) {
    host_state_t *h = ctx;
    append(h->errors, sizeof h->errors, "; ", msg);
}
/* circom's log(): items joined by spaces until a "\n" item ends the line (as the JavaScript does);
 * the line goes to stderr (stdout carries only results). */
static void h_buffer(void *ctx, const char *msg) {
    host_state_t *h = ctx;
    if (!strcmp(msg, "\n")) {
        if (!h->quiet) fprintf(stderr, "%s\n", h->line);
        h->line[0] = 0;
        return;
    }
    size_t n = strlen(h->line);
    snprintf(h->line + n, sizeof h->line - n, "%s%s", n ? " " : "", msg);
}
/* The shared memory's value in decimal, appended to the log line (circom >= 2.0.7's format). */
static void h_show(void *ctx, const uint32_t *w, uint32_t n32) {
    host_state_t *h = ctx;
    uint32_t t[64];
    char dig[700];
    size_t nd = 0;
    memcpy(t, w, n32 * sizeof *t);
    for (;;) {
        uint64_t rem = 0;
        int nz = 0;
        for (uint32_t i = n32; i-- > 0;) {
            uint64_t cur = (rem << 32) | t[i];
            t[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
            nz |= t[i] != 0;
        }
        for (int k = 0; k < 9 && nd + 1 < sizeof dig; k++) {
            dig[nd++] = (char)('0' + rem % 10);
            rem /= 10;
            if (!nz && !rem) break;
        }
        if (!nz) break;
    }
    char s[700];
    for (size_t i = 0; i < nd; i++) s[i] = dig[nd - 1 - i];
    s[nd] = 0;
    size_t n = strlen(h->line);
    snprintf(h->line + n, sizeof h->line - n, "%s%s", n ? " " : "", s);
}

/* The words in place (fr_t is a struct of them): copying them first made 16-byte loads of words
 * just stored 8 bytes at a time, a stalled store forwarding that cost more than the product. */
static void h_fr_mul(uint64_t *r, const uint64_t *a, const uint64_t *b) {
    fr_mul((fr_t *)(void *)r, (const fr_t *)(const void *)a, (const fr_t *)(const void *)b);
}

static const char *exception_text(uint32_t code) {
    switch (code) {
    case 1: return "signal not found";
    case 2: return "too many values set for a signal";
    case 3: return "signal already set";
    case 4: return "an assertion of the circuit failed";
    case 5: return "not enough memory";
    case 6: return "input signal array access exceeds the size";
    default: return "unknown error";
    }
}

/* wasm2c's trap codes (wasm-rt.h, 1.0.32). */
static const char *trap_text(int t) {
    switch (t) {
    case 1: return "out-of-bounds memory access";
    case 2: return "integer overflow";
    case 3: return "division by zero";
    case 4: return "invalid conversion";
    case 5: return "unreachable code";
    case 6: return "invalid indirect call";
    case 7: return "uncaught exception";
    case 8: return "call stack exhausted";
    default: return "trap";
    }
}

typedef struct {
    int fd;
    const char *input_name, *wasm_name, *so_name;
    host_state_t host;
    const uint32_t *grow_refused;
    uint64_t memory_limit;
    /* A failure's status and message, and where it lands: the forked child sends them as its
     * reply; the in-process run (zbp_witness_run_loaded) returns them. */
    jmp_buf jb;
    int status;
    char msg[1600];
    uint32_t *vals; /* the values being set, freed on a failure */
    uint8_t *out;   /* the .wtns being built, freed on a failure */
} child_t;

static void send_reply(int fd, int status, const char *msg, const uint8_t *data, size_t len) {
    reply_t r = {REPLY_MAGIC, status, (uint32_t)strlen(msg), 0, len};
    const uint8_t *parts[3] = {(const uint8_t *)&r, (const uint8_t *)msg, data};
    size_t sizes[3] = {sizeof r, r.msg_len, len};
    for (int k = 0; k < 3; k++) {
        size_t off = 0;
        while (off < sizes[k]) {
            ssize_t w = write(fd, parts[k] + off, sizes[k] - off);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) _exit(4);
            off += (size_t)w;
        }
    }
}

static __attribute__((noreturn, format(printf, 3, 4))) void child_fail(child_t *c, int status,
                                                                        const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->status = status;
    longjmp(c->jb, 1);
}

/* A trap from the module: circom's own exception (with its messages) or a plain trap. */
static __attribute__((noreturn)) void child_trap(child_t *c, int t, const char *during) {
    if (c->grow_refused && *c->grow_refused)
        child_fail(c, ZBP_ERR_INPUT, "%s: the witness program asked for more memory than allowed "
                                     "(%u more pages of 64 KiB refused; the limit is %llu MiB)",
                   c->wasm_name, *c->grow_refused, (unsigned long long)(c->memory_limit >> 20));
    if (c->host.exception)
        child_fail(c, ZBP_ERR_INPUT, "%s: the circuit refused the input: %s%s%s", c->input_name,
                   exception_text(c->host.exception), c->host.errors[0] ? ": " : "",
                   c->host.errors);
    child_fail(c, ZBP_ERR_INPUT, "%s: the witness program trapped (%s) %s", c->wasm_name,
               trap_text(t), during);
}

/* A buffer for a witness: past 4 MiB, 2 MiB-aligned and in transparent huge pages where the kernel
 * offers them (each 4 KiB page fault costs microseconds in a VM). free() releases it. */
static void *witness_alloc(size_t n) {
    if (n < ((size_t)4 << 20)) return malloc(n ? n : 1);
    void *p = NULL;
    if (posix_memalign(&p, (size_t)2 << 20, n) != 0) return NULL;
    madvise(p, n & ~(size_t)4095, MADV_HUGEPAGE);
    return p;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); } /* x86-64: little-endian */
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The witness of in by the loaded object h: circom's protocol, the .wtns laid out in c->out (its
 * length returned). *opened: the object whose module is instantiated already (zbpw_open once per
 * process; circom's init() starts each run afresh, as circom_runtime reuses its instance). A
 * failure longjmps to c->jb through child_fail. */
static size_t compute(child_t *c, void *h, const char *sha, const zbp_witness_input_t *in,
                      zbpw_host_t *host, void **opened) {
    const uint32_t *abi = dlsym(h, "zbpw_abi");
    const char *osha = dlsym(h, "zbpw_sha256");
    c->grow_refused = dlsym(h, "zbpw_grow_refused");
    zbpw_open_fn open_fn = (zbpw_open_fn)dlsym(h, "zbpw_open");
    zbpw_call_fn call = (zbpw_call_fn)dlsym(h, "zbpw_call");
    zbpw_witness_fn witness = (zbpw_witness_fn)dlsym(h, "zbpw_witness");
    zbpw_set_inputs_fn set_inputs = (zbpw_set_inputs_fn)dlsym(h, "zbpw_set_inputs");
    if (!abi || !osha || !open_fn || !call || !witness || !set_inputs || *abi != ZBPW_ABI)
        child_fail(c, ZBP_ERR_INPUT, "%s: not a witness object of this zbprover (build it with "
                                     "`zbprover wtns compile`)", c->so_name);
    if (strncmp(osha, sha, 64))
        child_fail(c, ZBP_ERR_INPUT, "%s: built from another circuit program (SHA-256 %.16s..., "
                                     "the .wasm's is %.16s...)", c->so_name, osha, sha);
    /* ZBP_WITNESS_FIELD=portable: the object's own 64-bit multiplication (tests compare it) */
    const char *fe = getenv("ZBP_WITNESS_FIELD");
    *host = (zbpw_host_t){&c->host, h_exception, h_error, h_buffer, h_show,
                          fe && !strcmp(fe, "portable") ? NULL : h_fr_mul};
    int t = 0;
    if (*opened != h) {
        if ((t = open_fn(host))) child_trap(c, t, "while starting");
        *opened = h;
    }
    uint32_t version = 0, n32 = 0, wsize = 0, isize = 0, r = 0, p[ZBP_WITNESS_MAX_N32];
    if ((t = call(ZBPW_VERSION, 0, 0, 0, &version))) child_trap(c, t, "in getVersion");
    if (version != 2)
        child_fail(c, ZBP_ERR_UNSUPPORTED, "%s: the witness program is from circom %u; zbprover "
                                           "runs circom 2's", c->wasm_name, version);
    if ((t = call(ZBPW_N32, 0, 0, 0, &n32))) child_trap(c, t, "in getFieldNumLen32");
    if (n32 == 0 || n32 > ZBP_WITNESS_MAX_N32)
        child_fail(c, ZBP_ERR_UNSUPPORTED, "%s: the witness program's field has %u-bit elements "
                                           "(at most %d supported)", c->wasm_name, n32 * 32,
                   ZBP_WITNESS_MAX_N32 * 32);
    if ((t = call(ZBPW_RAW_PRIME, 0, 0, 0, &r))) child_trap(c, t, "in getRawPrime");
    for (uint32_t j = 0; j < n32; j++)
        if ((t = call(ZBPW_READ, j, 0, 0, &p[j]))) child_trap(c, t, "reading the prime");
    if (p[n32 - 1] == 0 || (n32 == 1 && p[0] < 2))
        child_fail(c, ZBP_ERR_INPUT, "%s: the witness program's prime is not a %u-bit number",
                   c->wasm_name, n32 * 32);
    if ((t = call(ZBPW_WITNESS_SIZE, 0, 0, 0, &wsize))) child_trap(c, t, "in getWitnessSize");
    if ((t = call(ZBPW_INPUT_SIZE, 0, 0, 0, &isize))) child_trap(c, t, "in getInputSize");
    if ((t = call(ZBPW_INIT, 0, 0, 0, &r))) child_trap(c, t, "in init");
    uint64_t counter = 0;
    for (size_t i = 0; i < in->n_signals; i++) {
        const zbp_witness_signal_t *s = &in->signals[i];
        uint32_t size;
        t = call(ZBPW_SIGNAL_SIZE, s->h_msb, s->h_lsb, 0, &size);
        if (t > 0) child_trap(c, t, "in getInputSignalSize");
        if (t == 0) { /* as circom_runtime: only when the program has the export */
            if ((int32_t)size <= 0) /* circom answers 0 (not -1) for a name it does not know */
                child_fail(c, ZBP_ERR_INPUT, "%s: signal '%s' is not an input of the circuit",
                           c->input_name, s->name);
            if (s->n_values != size)
                child_fail(c, ZBP_ERR_INPUT, "%s: signal '%s' has %zu value%s, the circuit expects %u",
                           c->input_name, s->name, s->n_values, s->n_values == 1 ? "" : "s", size);
        }
        uint32_t *vals = c->vals = malloc((s->n_values ? s->n_values : 1) * n32 * sizeof *vals);
        char err[600];
        if (!vals) child_fail(c, ZBP_ERR_NOMEM, "out of memory (the memory limit)");
        if (zbp_witness_input_values(s, p, n32, vals, c->input_name, err, sizeof err) != ZBP_OK)
            child_fail(c, ZBP_ERR_INPUT, "%s", err);
        uint32_t done = 0;
        if ((t = set_inputs(s->h_msb, s->h_lsb, vals, (uint32_t)s->n_values, n32, &done))) {
            if (c->host.exception == 1)
                child_fail(c, ZBP_ERR_INPUT, "%s: signal '%s' is not an input of the circuit",
                           c->input_name, s->name);
            if (c->host.exception == 2)
                child_fail(c, ZBP_ERR_INPUT, "%s: signal '%s' has too many values",
                           c->input_name, s->name);
            child_trap(c, t, "computing the witness");
        }
        counter += done;
        free(vals);
        c->vals = NULL;
    }
    if (counter < isize)
        child_fail(c, ZBP_ERR_INPUT, "%s: not all inputs are set: %llu of the circuit's %u input "
                                     "values (a signal is missing or has too few values)",
                   c->input_name, (unsigned long long)counter, isize);
    /* The .wtns as circom_runtime's calculateWTNSBin lays it out. */
    const size_t n8 = (size_t)n32 * 4;
    const size_t len = 44 + n8 + (size_t)wsize * n8;
    uint8_t *out = c->out = witness_alloc(len);
    if (!out) child_fail(c, ZBP_ERR_NOMEM, "out of memory for a witness of %u values (the memory limit)", wsize);
    memcpy(out, "wtns", 4);
    put32(out + 4, 2);
    put32(out + 8, 2);
    put32(out + 12, 1);
    put64(out + 16, 8 + n8);
    put32(out + 24, (uint32_t)n8);
    memcpy(out + 28, p, n8);
    put32(out + 28 + n8, wsize);
    put32(out + 32 + n8, 2);
    put64(out + 36 + n8, (uint64_t)wsize * n8);
    if ((t = witness((uint32_t *)(void *)(out + 44 + n8), wsize, n32))) child_trap(c, t, "in getWitness");
    return len;
}

static __attribute__((noreturn)) void child_main(child_t *c, const char *so_path, const char *sha,
                                                 const zbp_witness_input_t *in) {
    if (setjmp(c->jb)) {
        send_reply(c->fd, c->status, c->msg, NULL, 0);
        _exit(0);
    }
    c->so_name = so_path;
    void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
    if (!h) child_fail(c, ZBP_ERR_INPUT, "%s: cannot load the witness object: %s", so_path, dlerror());
    zbpw_host_t host;
    void *opened = NULL;
    size_t len = compute(c, h, sha, in, &host, &opened);
    send_reply(c->fd, ZBP_OK, "", c->out, len);
    _exit(0);
}

/* ---- in this process (a worker of `serve`, which is its own sandbox) ------------------------- */

static child_t g_child;
static zbpw_host_t g_host; /* the module keeps a pointer to it */
static void *g_opened;

int zbp_witness_run_loaded(uint8_t **wtns, size_t *len, void *handle, const char *sha256_hex,
                           const char *wasm_name, const zbp_witness_input_t *in,
                           const char *input_name, const zbp_witness_opts_t *opts, char *err,
                           size_t errlen) {
    child_t *c = &g_child;
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->input_name = input_name;
    c->wasm_name = wasm_name;
    c->so_name = "the witness object";
    c->host.quiet = opts ? opts->quiet_log : 0;
    c->memory_limit = opts ? opts->memory_limit : 0;
    *wtns = NULL;
    *len = 0;
    if (setjmp(c->jb)) {
        free(c->vals);
        if (c->out) free(c->out);
        snprintf(err, errlen, "%s", c->msg);
        return c->status;
    }
    size_t n = compute(c, handle, sha256_hex, in, &g_host, &g_opened);
    *wtns = c->out;
    *len = n;
    c->out = NULL;
    return ZBP_OK;
}

/* ---- the parent ------------------------------------------------------------------------------- */

static size_t read_full(int fd, uint8_t *p, size_t len) {
    size_t n = 0;
    while (n < len) {
        ssize_t r = read(fd, p + n, len - n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n += (size_t)r;
    }
    return n;
}

/* AddressSanitizer's child maps its allocator's regions as it goes, and address-space or data
 * limits make those maps fail ("Failed to mmap"): a sanitizer build runs the program without the
 * memory limits (the time limit stays). */
#if defined(__SANITIZE_ADDRESS__)
#define ZBPW_MEMORY_LIMITS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZBPW_MEMORY_LIMITS 0
#endif
#endif
#ifndef ZBPW_MEMORY_LIMITS
#define ZBPW_MEMORY_LIMITS 1
#endif

static void set_limit(int res, rlim_t soft, rlim_t hard) {
    struct rlimit l = {soft, hard};
    setrlimit(res, &l);
}

static uint64_t vm_size_now(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long long pages = 0;
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1) pages = 0;
        fclose(f);
    }
    return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

zbp_status zbp_witness_calculate(uint8_t **wtns, size_t *len, const char *wasm_path,
                          const zbp_witness_input_t *in, const char *input_name,
                          const zbp_witness_opts_t *opts_in, char *err, size_t errlen) {
    zbp_witness_opts_t defaults;
    zbp_witness_opts_init(&defaults);
    const zbp_witness_opts_t *opts = opts_in ? opts_in : &defaults;
    *wtns = NULL;
    *len = 0;
    double t0 = zbp_mono_ms();
    char so[4400], sha[65];
    int st = zbp_witness_object(wasm_path, opts, so, sizeof so, sha, err, errlen);
    if (st != ZBP_OK) return st;
    double t1 = zbp_mono_ms();
    if (opts->build_ms) *opts->build_ms = t1 - t0;
    return zbp_witness_run(wtns, len, so, sha, wasm_path, in, input_name, opts, err, errlen);
}

zbp_status zbp_witness_run(uint8_t **wtns, size_t *len, const char *so, const char *sha,
                    const char *wasm_path, const zbp_witness_input_t *in, const char *input_name,
                    const zbp_witness_opts_t *opts_in, char *err, size_t errlen) {
    zbp_witness_opts_t defaults;
    zbp_witness_opts_init(&defaults);
    const zbp_witness_opts_t *opts = opts_in ? opts_in : &defaults;
    *wtns = NULL;
    *len = 0;
    if (opts->timed_out) *opts->timed_out = 0;
    double t1 = zbp_mono_ms();
    int st;

    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        return ZBP_ERR_IO;
    }
    /* The witness crosses in pipe-sized pieces, each a switch from the child to the parent and back:
     * with the default 64 KiB a 2^20 witness (32 MB) took 1.4K switches, 17 s on a loaded 2-vCPU VM
     * for 1.3 s of CPU. 1 MiB (Linux's default pipe-max-size) cuts them 16-fold; refused, it stays. */
    (void)fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    uint64_t vm = vm_size_now();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snprintf(err, errlen, "cannot fork: %s", strerror(errno));
        return ZBP_ERR_IO;
    }
    if (pid == 0) {
        close(fds[0]);
        signal(SIGPIPE, SIG_IGN);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_DUMPABLE, 0); /* the inputs are private: no core, no ptrace by others */
        set_limit(RLIMIT_CORE, 0, 0);
        if (opts->memory_limit && ZBPW_MEMORY_LIMITS) {
            set_limit(RLIMIT_DATA, opts->memory_limit, opts->memory_limit);
            /* wasm2c reserves 8 GiB of address space per memory (guard pages): room for that,
             * what the process maps already, and the data limit */
            rlim_t as = vm + opts->memory_limit + (9ull << 30);
            set_limit(RLIMIT_AS, as, as);
        }
        if (opts->time_limit_s) {
            set_limit(RLIMIT_CPU, opts->time_limit_s, opts->time_limit_s + 1);
            alarm(opts->time_limit_s);
        }
        static child_t c;
        c.fd = fds[1];
        c.input_name = input_name;
        c.wasm_name = wasm_path;
        c.host.quiet = opts->quiet_log;
        c.memory_limit = opts->memory_limit;
        child_main(&c, so, sha, in);
    }
    close(fds[1]);
    /* The reply's header, then exactly the message and the witness it announces, into one buffer
     * (no reallocation leaves copies of the witness behind); then the pipe to its end (the child
     * may be killed part way), then the child reaped. */
    reply_t rep;
    memset(&rep, 0, sizeof rep);
    size_t hn = read_full(fds[0], (uint8_t *)&rep, sizeof rep), n = 0, want = 0;
    uint8_t *buf = NULL;
    int nomem = 0;
    if (hn == sizeof rep && rep.magic == REPLY_MAGIC && rep.msg_len < 65536 &&
        rep.data_len < (1ull << 40)) {
        want = rep.msg_len + (size_t)rep.data_len;
        buf = witness_alloc(want + 1);
        nomem = !buf;
        if (buf) n = read_full(fds[0], buf, want);
    }
    for (;;) { /* anything more is a broken reply: drained, and refused below */
        uint8_t sink[4096];
        ssize_t r = read(fds[0], sink, sizeof sink);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        n = SIZE_MAX;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    double t2 = zbp_mono_ms();
    if (opts->run_ms)
        *opts->run_ms = t2 - t1;
    st = ZBP_ERR_INPUT;
    if (nomem) {
        snprintf(err, errlen, "out of memory reading the witness");
        st = ZBP_ERR_NOMEM;
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGALRM || sig == SIGXCPU) {
            snprintf(err, errlen, "%s: the witness program ran past the time limit of %u s", wasm_path,
                     opts->time_limit_s);
            if (opts->timed_out) *opts->timed_out = 1;
        }
        else if (sig == SIGABRT || sig == SIGKILL || sig == SIGSEGV || sig == SIGBUS)
            snprintf(err, errlen, "%s: the witness program was stopped (signal %d: %s); the memory "
                                  "limit is %llu MiB", wasm_path, sig, strsignal(sig),
                     (unsigned long long)(opts->memory_limit >> 20));
        else
            snprintf(err, errlen, "%s: the witness program was stopped by signal %d (%s)", wasm_path,
                     sig, strsignal(sig));
    } else if (hn != sizeof rep || rep.magic != REPLY_MAGIC || !buf || n != want) {
        snprintf(err, errlen, "%s: the witness program ended without an answer (exit status %d)",
                 wasm_path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        st = ZBP_ERR_IO;
    } else if (rep.status != ZBP_OK) {
        size_t m = rep.msg_len < errlen - 1 ? rep.msg_len : errlen - 1;
        memcpy(err, buf, m);
        err[m] = 0;
        st = rep.status;
    } else {
        size_t dl = (size_t)rep.data_len;
        memmove(buf, buf + rep.msg_len, dl); /* the message is empty on success */
        *wtns = buf;
        *len = dl;
        return ZBP_OK;
    }
    if (buf) {
        explicit_bzero(buf, want);
        free(buf);
    }
    return st;
}
