/* fuzz_replay_log.c: the replay log's loader on arbitrary file contents: a log either loads or is
 * refused with a message, never crashes; a log that loads takes a spend, and the file it leaves
 * loads again with that id spent (every line the loop writes, it reads back). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job/job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    if (!path[0]) /* tmpfs when there is one: the log fsyncs every append */
        snprintf(path, sizeof path, "%s/zbp-fuzz-replay-%d",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    if (size) fwrite(data, 1, size, f);
    fclose(f);
    job_replay_t *r;
    char err[512];
    int rc = job_replay_open(&r, path, 1000, err, sizeof err);
    if (rc != JOB_OK) {
        if (rc != JOB_BAD_REQUEST && rc != JOB_INTERNAL) __builtin_trap();
        if (!err[0]) __builtin_trap();
        unlink(path);
        return 0;
    }
    static const uint8_t id[16] = {0xfe, 0xed, 0xfa, 0xce, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    rc = job_replay_spend(r, id, sizeof id, UINT64_MAX, err, sizeof err);
    job_replay_close(r);
    if (rc == JOB_OK) {
        if (job_replay_open(&r, path, 1000, err, sizeof err) != JOB_OK) __builtin_trap();
        if (!job_replay_contains(r, id, sizeof id)) __builtin_trap();
        job_replay_close(r);
    } else if (rc != JOB_REPLAYED_TICKET) {
        __builtin_trap();
    }
    unlink(path);
    return 0;
}
