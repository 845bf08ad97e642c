/* confine.c: a worker's confinement (confine.h). The seccomp filter's default action kills the
 * whole process (SIGSYS); each allowed call has its reason below. Lists measured with
 * `strace -f` on a worker proving the fixtures and running a witness program in-process. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <seccomp.h>

#include "job/confine.h"
#include "job/job_int.h"

/* A sanitizer's runtime (ASan's shadow memory, TSan's) reserves terabytes of address space and
 * makes calls of its own: in such builds RLIMIT_AS is left alone and those calls are allowed. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZBP_CONFINE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ZBP_CONFINE_SANITIZED 1
#endif
#endif
/* ThreadSanitizer's runtime makes calls (its own threads and reports) that the filter's list does
 * not foresee: its build, which checks the loop's threads (scripts/test.sh), loads no filter and
 * says so in the worker's confinement; the Release and ASan suites check the filter. */
#if defined(__SANITIZE_THREAD__)
#define ZBP_CONFINE_NO_FILTER 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ZBP_CONFINE_NO_FILTER 1
#endif
#endif

static void add(char *rep, size_t n, const char *what) {
    size_t k = strlen(rep);
    snprintf(rep + k, n - k, "%s%s", k ? " " : "", what);
}

static bool set_limit(int res, uint64_t v) {
    struct rlimit l = {(rlim_t)v, (rlim_t)v};
    return setrlimit(res, &l) == 0;
}

/* New namespaces, each where the kernel allows it (a container may refuse user namespaces): no
 * network at all, and a private mount table. Never fatal: the filter is the confinement. */
static void namespaces(char *rep, size_t n) {
    if (unshare(CLONE_NEWUSER) == 0) add(rep, n, "userns");
    if (unshare(CLONE_NEWNET) == 0) add(rep, n, "netns");
    if (unshare(CLONE_NEWNS) == 0) add(rep, n, "mntns");
}

#ifndef ZBP_CONFINE_NO_FILTER
static int allow(scmp_filter_ctx c, int nr) { return seccomp_rule_add(c, SCMP_ACT_ALLOW, nr, 0); }

/* A condition on the first argument, every field named (libseccomp's SCMP_A0 leaves datum_b to
 * the initializer, which clang's -Wmissing-field-initializers refuses). */
static struct scmp_arg_cmp arg0(enum scmp_compare op, scmp_datum_t a, scmp_datum_t b) {
    struct scmp_arg_cmp x = {.arg = 0, .op = op, .datum_a = a, .datum_b = b};
    return x;
}

static int filter(bool gpu) {
    scmp_filter_ctx c = seccomp_init(SCMP_ACT_KILL_PROCESS);
    if (!c) return -1;
    int rc = 0;
    /* I/O on descriptors the worker holds already (its socket; stderr for nothing but a crash
     * report): it can open none (no open/openat/socket), so these reach nothing else. */
    static const int io[] = {SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
                             SCMP_SYS(close)};
    /* Memory: the prover's buffers, malloc's arenas, the witness program's memory (wasm2c
     * reserves it and commits it with mprotect), transparent huge pages (madvise). */
    static const int mem[] = {SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
                              SCMP_SYS(madvise), SCMP_SYS(mremap), SCMP_SYS(brk)};
    /* OpenMP's threads: futexes for their barriers, glibc's per-thread setup (robust futex list,
     * restartable sequences), yielding and the CPU set libgomp sizes its team by. */
    static const int thr[] = {SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
                              SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
                              SCMP_SYS(getpid), SCMP_SYS(gettid)};
    /* Clocks and sleeps: timings, libgomp's waits, the test hook's delay. */
    static const int clk[] = {SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
                              SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday)};
    /* Signals: wasm2c's trap handler (SIGSEGV on its guard pages, on an alternate stack), the
     * witness time limit (alarm: SIGALRM ends the worker), masks around thread creation. */
    static const int sig[] = {SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
                              SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack), SCMP_SYS(alarm)};
    /* The prover's r and s (its own CSPRNG); the end. */
    static const int misc[] = {SCMP_SYS(getrandom), SCMP_SYS(exit), SCMP_SYS(exit_group)};
    const int *lists[] = {io, mem, thr, clk, sig, misc};
    size_t sizes[] = {sizeof io / sizeof *io, sizeof mem / sizeof *mem, sizeof thr / sizeof *thr,
                      sizeof clk / sizeof *clk, sizeof sig / sizeof *sig, sizeof misc / sizeof *misc};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
        for (size_t i = 0; i < sizes[l]; i++)
            rc |= allow(c, lists[l][i]);
    /* clone only for threads (CLONE_THREAD set): no new process. clone3 passes its flags in
     * memory, which a filter cannot read: it answers ENOSYS, and glibc falls back to clone. */
    rc |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                           arg0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
    rc |= seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    /* abort() (an assertion, a sanitizer's report) signals its own thread group only. */
    rc |= seccomp_rule_add(c, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                           arg0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
    /* A circuit on a GPU: the CUDA driver talks to the device through ioctl on the descriptors it
     * opened before the filter, waits with poll and eventfds, and opens device nodes and /proc
     * files lazily (so a GPU worker can open files: its confinement says "seccomp-gpu"). Not
     * measured here (no GPU in the session that wrote it): see docs/threat-model.md. */
    static const int cuda[] = {SCMP_SYS(ioctl), SCMP_SYS(poll), SCMP_SYS(ppoll),
                               SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
                               SCMP_SYS(epoll_pwait), SCMP_SYS(eventfd2), SCMP_SYS(openat),
                               SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(readlink),
                               SCMP_SYS(lseek), SCMP_SYS(pread64), SCMP_SYS(mincore),
                               SCMP_SYS(sched_setaffinity), SCMP_SYS(getrlimit), SCMP_SYS(prlimit64),
                               SCMP_SYS(uname), SCMP_SYS(sysinfo), SCMP_SYS(getdents64),
                               SCMP_SYS(pipe2), SCMP_SYS(fcntl), SCMP_SYS(getuid), SCMP_SYS(geteuid)};
    for (size_t i = 0; gpu && i < sizeof cuda / sizeof *cuda; i++)
        rc |= allow(c, cuda[i]);
#ifdef ZBP_CONFINE_SANITIZED
    /* AddressSanitizer's runtime: its error report reads /proc/self/maps, and its allocator asks
     * for limits; only in sanitizer builds. */
    static const int asan[] = {SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(getrlimit),
                               SCMP_SYS(prlimit64), SCMP_SYS(readlink), SCMP_SYS(fstat),
                               SCMP_SYS(newfstatat), SCMP_SYS(sched_getparam), SCMP_SYS(ioctl),
                               SCMP_SYS(sysinfo)};
    for (size_t i = 0; i < sizeof asan / sizeof *asan; i++)
        rc |= allow(c, asan[i]);
#endif
    if (!rc) rc = seccomp_load(c);
    seccomp_release(c);
    return rc ? -1 : 0;
}
#endif

int job_confine(const confine_opts_t *o, char *rep, size_t n, char *err, size_t errlen) {
    rep[0] = 0;
    prctl(PR_SET_DUMPABLE, 0); /* witnesses pass through: no core, no ptrace by the same user */
    bool lim = set_limit(RLIMIT_CORE, 0);
#ifndef ZBP_CONFINE_SANITIZED
    if (o->as_bytes) lim &= set_limit(RLIMIT_AS, o->as_bytes);
#endif
    if (o->cpu_s) lim &= set_limit(RLIMIT_CPU, o->cpu_s);
    if (lim) add(rep, n, "rlimits");
    namespaces(rep, n);
    prctl(PR_SET_DUMPABLE, 0); /* a new user namespace can make it dumpable again */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return job_fail(err, errlen, -1, "no_new_privs: %s", strerror(errno));
    add(rep, n, "no_new_privs");
#ifdef ZBP_CONFINE_NO_FILTER
    add(rep, n, "no-seccomp-tsan-build");
#else
    if (filter(o->gpu)) return job_fail(err, errlen, -1, "the seccomp filter could not be loaded");
    add(rep, n, o->gpu ? "seccomp-gpu" : "seccomp");
#endif
    return 0;
}
