/* select.c: `--device auto|cpu|cuda[:N]`, resolved against zbp_cuda_available. Plain C, compiled
 * in every build, with or without the CUDA backend. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda/cuda.h"

int zbp_device_parse(const char *spec, int *device, char *err, size_t errlen) {
    return zbp_device_parse_with(spec, zbp_cuda_available, device, err, errlen);
}

int zbp_device_parse_with(const char *spec, zbp_cuda_available_fn available, int *device, char *err,
                          size_t errlen) {
    char why[256] = "";
    int count = 0;
    *device = -1;
    if (err && errlen) err[0] = '\0';
    if (!spec || !strcmp(spec, "cpu")) return ZBP_OK;
    if (!strcmp(spec, "auto")) {
        /* auto never fails: no GPU, no driver or no backend all mean the CPU */
        if (available(&count, why, sizeof why) == ZBP_OK && count > 0) *device = 0;
        return ZBP_OK;
    }
    long index = 0;
    if (!strncmp(spec, "cuda", 4) && (spec[4] == '\0' || spec[4] == ':')) {
        if (spec[4] == ':') {
            char *end;
            index = strtol(spec + 5, &end, 10);
            if (spec[5] < '0' || spec[5] > '9' || *end || index > 1023) {
                if (err && errlen)
                    snprintf(err, errlen, "--device %s: N in cuda:N must be a GPU index from 0", spec);
                return ZBP_ERR_INPUT;
            }
        }
    } else {
        if (err && errlen) snprintf(err, errlen, "--device must be auto, cpu or cuda[:N], not '%s'", spec);
        return ZBP_ERR_INPUT;
    }
    if (available(&count, why, sizeof why) != ZBP_OK || count == 0) {
        if (err && errlen) snprintf(err, errlen, "--device %s: no usable GPU: %s", spec, why);
        return ZBP_ERR_UNSUPPORTED;
    }
    if (index >= count) {
        if (err && errlen)
            snprintf(err, errlen, "--device %s: this machine has %d usable GPU%s (cuda:0..%d)", spec,
                     count, count == 1 ? "" : "s", count - 1);
        return ZBP_ERR_UNSUPPORTED;
    }
    *device = (int)index;
    return ZBP_OK;
}
