/* confine.h: how a worker of `serve` confines itself before it reads any job (docs/threat-model.md):
 * undumpable, resource limits, new user/network/mount namespaces where the kernel allows them, no
 * new privileges, and a seccomp filter (libseccomp) that kills the process on any system call that
 * proving does not need. */
#ifndef ZBP_JOB_CONFINE_H
#define ZBP_JOB_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t as_bytes; /* RLIMIT_AS; 0: none (sanitizer builds: their shadow memory needs terabytes) */
    uint64_t cpu_s;    /* RLIMIT_CPU, a backstop under serve's own timeout; 0: none */
    bool gpu;          /* the circuit is on a GPU: the filter also allows its driver's calls */
} confine_opts_t;

/* Confines the calling process (single-threaded: unshare(CLONE_NEWUSER) refuses threads). report
 * gets what it got, e.g. "seccomp no_new_privs rlimits userns netns mntns" (the namespaces only
 * where the kernel allowed them). 0, or -1 with err when the filter or no_new_privs failed: a worker
 * that cannot confine itself does not serve. */
int job_confine(const confine_opts_t *o, char *report, size_t replen, char *err, size_t errlen);

#endif
