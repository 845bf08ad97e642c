/* worker.h: a worker of `serve` (worker.c) and how the supervisor starts it (pool.c): the hidden
 * command `zbprover __worker` with these arguments. */
#ifndef ZBP_JOB_WORKER_H
#define ZBP_JOB_WORKER_H

#include <stdint.h>

typedef struct {
    int sock_fd, zkey_fd, so_fd; /* so_fd -1: no witness program */
    char wasm_sha[65];           /* the program's SHA-256 (hex), "" without one */
    int threads;                 /* 0: OpenMP's default */
    uint64_t as_bytes, cpu_s;    /* the worker's RLIMIT_AS and RLIMIT_CPU (0: none) */
    unsigned wtime_s;            /* the witness program's seconds */
    uint64_t wmem_bytes;         /* the witness program's memory */
    uint64_t max_frame;          /* the largest JOB frame */
    char device[16];             /* serve's --device: cpu, auto, cuda[:N] */
} worker_args_t;

#define WORKER_ARGC 12 /* "__worker", sock zkey so|- sha|- threads as cpu wtime wmem max_frame device */
/* argv of `zbprover __worker ...` into a: 0, or -1 for arguments serve did not write. */
int job_worker_args(worker_args_t *a, int argc, char **argv);
/* Loads, confines, serves jobs until its socket closes; the exit status. */
int job_worker_run(const worker_args_t *a);

#endif
