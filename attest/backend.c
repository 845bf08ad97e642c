/* backend.c: getting a report through configfs-tsm or the /dev/sev-guest ioctls, or from the
 * simulated signer when, and only when, it is asked for by name. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/attest_int.h"

#define TSM_ROOT "/sys/kernel/config/tsm/report"
#define SEV_GUEST "/dev/sev-guest"
#define MAX_CERTS (1u << 20)

void attest_opts_init(attest_opts_t *o) {
    memset(o, 0, sizeof *o);
    o->vmpl = -1;
}

static const char *backend_names[] = {"auto", "tsm", "ioctl", "sim"};

zbp_status attest_backend_parse(attest_backend_t *out, const char *name) {
    for (int i = 0; i < 4; i++)
        if (name && !strcmp(name, backend_names[i])) {
            *out = (attest_backend_t)i;
            return ZBP_OK;
        }
    return ZBP_ERR_INPUT;
}

const char *attest_backend_name(attest_backend_t b) {
    return (unsigned)b < 4 ? backend_names[b] : "unknown";
}

void attest_result_free(attest_result_t *r) {
    if (!r) return;
    free(r->certs);
    r->certs = NULL;
    r->certs_len = 0;
}

const char *snp_fw_error_string(uint32_t code) {
    /* SEV firmware status codes (SEV/SNP API specifications; the kernel's psp-sev.h). */
    static const char *names[] = {
        "success",
        "invalid platform state",
        "invalid guest state",
        "invalid configuration",
        "invalid length",
        "platform already owned",
        "invalid certificate",
        "policy failure",
        "guest inactive",
        "invalid address",
        "bad signature",
        "bad measurement",
        "ASID already owned",
        "invalid ASID",
        "WBINVD required",
        "DF_FLUSH required",
        "invalid guest",
        "invalid command",
        "guest active",
        "hardware error (platform)",
        "hardware error (unsafe)",
        "unsupported",
        "invalid parameter (the request does not fit this guest: VMPL?)",
        "resource limit",
        "secure data invalid",
    };
    if (code < sizeof names / sizeof names[0]) return names[code];
    if (code == 0x27) return "invalid key";
    if (code == 0xFFFFFFFFu) return "the firmware was not called";
    return "unknown firmware status";
}

const char *snp_vmm_error_string(uint32_t code) {
    switch (code) {
    case 0: return "none";
    case 1: return "certificate buffer too small";
    case 2: return "host busy";
    default: return "unknown VMM error";
    }
}

/* ---- configfs-tsm ---- */

static int read_small(const char *dir, const char *name, char *buf, size_t cap, char *err,
                      size_t errlen) {
    char path[4200];
    uint8_t *d;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = att_read_file(path, cap - 1, &d, &n, err, errlen);
    if (rc) return rc == ZBP_ERR_INPUT ? ZBP_ERR_ENV : rc;
    memcpy(buf, d, n);
    buf[n] = 0;
    free(d);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) buf[--n] = 0;
    return ZBP_OK;
}

static int read_generation(const char *dir, unsigned long long *out, char *err, size_t errlen) {
    char buf[32], *end;
    int rc = read_small(dir, "generation", buf, sizeof buf, err, errlen);
    if (rc) return rc;
    errno = 0;
    *out = strtoull(buf, &end, 10);
    if (!buf[0] || *end || errno)
        return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s/generation: '%s' is not a number", dir, buf);
    return ZBP_OK;
}

static int write_attr(const char *dir, const char *name, const void *data, size_t n, char *err,
                      size_t errlen) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: %s", path, strerror(errno));
    /* configfs takes a binary attribute in one write; a short write is an error here. */
    ssize_t w = write(fd, data, n);
    int e = errno;
    if (close(fd) != 0 && w >= 0) {
        w = -1;
        e = errno;
    }
    if (w != (ssize_t)n)
        return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: write: %s", path,
                        w < 0 ? strerror(e) : "short write");
    return ZBP_OK;
}

static int tsm_get(attest_result_t *out, const attest_opts_t *o, const uint8_t *data,
                   bool want_certs, char *err, size_t errlen) {
    const char *root = o->tsm_root ? o->tsm_root : TSM_ROOT;
    struct stat st;
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return zbp_fail(err, errlen, ZBP_ERR_ENV,
                        "configfs-tsm: %s is not present (kernel older than 6.7, configfs not "
                        "mounted, or not a confidential guest)",
                        root);
    char dir[4200];
    bool created = false;
    if (o->tsm_entry) {
        if (strchr(o->tsm_entry, '/') || !o->tsm_entry[0] || o->tsm_entry[0] == '.')
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "configfs-tsm: bad entry name '%s'",
                            o->tsm_entry);
        snprintf(dir, sizeof dir, "%s/%s", root, o->tsm_entry);
        /* A named entry is made if missing and kept for its next use. */
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return zbp_fail(err, errlen, ZBP_ERR_ENV, "configfs-tsm: mkdir %s: %s", dir,
                            strerror(errno));
    } else {
        static unsigned counter;
        unsigned rnd = 0;
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            if (read(fd, &rnd, sizeof rnd) != (ssize_t)sizeof rnd) rnd = 0;
            close(fd);
        }
        snprintf(dir, sizeof dir, "%s/zbprover-%ld-%u-%08x", root, (long)getpid(), counter++, rnd);
        if (mkdir(dir, 0700) != 0)
            return zbp_fail(err, errlen, ZBP_ERR_ENV, "configfs-tsm: mkdir %s: %s%s", dir,
                            strerror(errno), errno == EACCES || errno == EPERM ? " (needs root)" : "");
        created = true;
    }
    char provider[64];
    unsigned long long g0, g1;
    unsigned writes = 0;
    uint8_t *blob = NULL;
    size_t n = 0;
    int rc = read_small(dir, "provider", provider, sizeof provider, err, errlen);
    if (!rc && strcmp(provider, "sev_guest"))
        rc = zbp_fail(err, errlen, ZBP_ERR_ENV,
                      "configfs-tsm: provider is '%s', not sev_guest (not an SEV-SNP guest)",
                      provider);
    if (!rc) rc = read_generation(dir, &g0, err, errlen);
    if (!rc && o->vmpl >= 0) {
        char lvl[16];
        int k = snprintf(lvl, sizeof lvl, "%d", o->vmpl);
        if (!(rc = write_attr(dir, "privlevel", lvl, (size_t)k, err, errlen))) writes++;
    }
    if (!rc && !(rc = write_attr(dir, "inblob", data, SNP_REPORT_DATA_SIZE, err, errlen))) writes++;
    if (!rc) {
        char path[4300];
        snprintf(path, sizeof path, "%s/outblob", dir);
        /* Reading outblob is what makes the kernel ask the firmware. */
        rc = att_read_file(path, 1 << 16, &blob, &n, err, errlen);
        if (rc == ZBP_ERR_INPUT) rc = ZBP_ERR_ENV;
        if (!rc && n != SNP_REPORT_SIZE)
            rc = zbp_fail(err, errlen, ZBP_ERR_ENV,
                          "configfs-tsm: %s is %zu bytes, expected a %d-byte report (truncated?)",
                          path, n, SNP_REPORT_SIZE);
        if (!rc) memcpy(out->report, blob, SNP_REPORT_SIZE);
        free(blob);
    }
    if (!rc && want_certs) {
        char path[4300];
        snprintf(path, sizeof path, "%s/auxblob", dir);
        rc = att_read_file(path, MAX_CERTS, &out->certs, &out->certs_len, err, errlen);
        if (rc == ZBP_ERR_INPUT) rc = ZBP_ERR_ENV;
    }
    /* Every write bumps generation: any other change means another process used this entry
     * between our write and our read, so the report may carry its REPORT_DATA, not ours. */
    if (!rc) rc = read_generation(dir, &g1, err, errlen);
    if (!rc && g1 != g0 + writes)
        rc = zbp_fail(err, errlen, ZBP_ERR_ENV,
                      "configfs-tsm: %s/generation went from %llu to %llu across our %u write(s): "
                      "another process wrote to this entry at the same time; try again",
                      dir, g0, g1, writes);
    if (created) rmdir(dir);
    if (rc) attest_result_free(out);
    return rc;
}

/* ---- /dev/sev-guest ---- */

/* The kernel's uapi structures (linux/sev-guest.h), restated so the build needs no kernel
 * headers; the sizes are checked. */
struct zb_report_req {
    uint8_t user_data[64];
    uint32_t vmpl;
    uint8_t rsvd[28];
};
struct zb_guest_req {
    uint8_t msg_version;
    uint64_t req_data;
    uint64_t resp_data;
    uint64_t exitinfo2; /* bits 31:0 firmware error, 63:32 VMM error */
};
struct zb_ext_report_req {
    struct zb_report_req data;
    uint64_t certs_address;
    uint32_t certs_len;
};
_Static_assert(sizeof(struct zb_report_req) == 96, "snp_report_req");
_Static_assert(sizeof(struct zb_guest_req) == 32, "snp_guest_request_ioctl");
_Static_assert(sizeof(struct zb_ext_report_req) == 112, "snp_ext_report_req");
#define ZB_SNP_GET_REPORT _IOWR('S', 0x0, struct zb_guest_req)
#define ZB_SNP_GET_EXT_REPORT _IOWR('S', 0x2, struct zb_guest_req)
#define RESP_SIZE 4000
#define PAGE 4096u

static int real_ioctl(void *ctx, int fd, unsigned long request, void *arg) {
    (void)ctx;
    return ioctl(fd, request, arg);
}

static int ioctl_get(attest_result_t *out, const attest_opts_t *o, const uint8_t *data,
                     bool want_certs, char *err, size_t errlen) {
    const char *dev = o->device ? o->device : SEV_GUEST;
    int fd = open(dev, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: %s%s", dev, strerror(e),
                        e == ENOENT   ? " (not an SEV-SNP guest, or the sev-guest driver is not loaded)"
                        : e == EACCES ? " (needs root or the device's group)"
                                      : "");
    }
    attest_ioctl_fn call = o->ioctl_fn ? o->ioctl_fn : real_ioctl;
    static uint8_t resp_zero[RESP_SIZE];
    uint8_t *resp = calloc(1, RESP_SIZE);
    struct zb_ext_report_req ext;
    memset(&ext, 0, sizeof ext);
    memcpy(ext.data.user_data, data, 64);
    ext.data.vmpl = o->vmpl < 0 ? 0 : (uint32_t)o->vmpl;
    uint8_t *certs = NULL;
    uint32_t certs_len = want_certs ? 4 * PAGE : 0; /* the kernel's blob maximum is 16 KiB */
    int rc = resp ? ZBP_OK : zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "out of memory");
    for (int attempt = 0; !rc; attempt++) {
        if (want_certs) {
            uint8_t *nc = realloc(certs, certs_len);
            if (!nc) {
                rc = zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "out of memory");
                break;
            }
            certs = nc;
            memset(certs, 0, certs_len);
            ext.certs_address = (uint64_t)(uintptr_t)certs;
            ext.certs_len = certs_len;
        }
        memcpy(resp, resp_zero, RESP_SIZE);
        struct zb_guest_req g = {.msg_version = 1, /* the kernel refuses 0 */
                                 .req_data = (uint64_t)(uintptr_t)(want_certs ? (void *)&ext
                                                                              : (void *)&ext.data),
                                 .resp_data = (uint64_t)(uintptr_t)resp};
        int r = call(o->ioctl_ctx, fd, want_certs ? ZB_SNP_GET_EXT_REPORT : ZB_SNP_GET_REPORT, &g);
        if (r == 0) break;
        int e = errno;
        uint32_t fw = (uint32_t)g.exitinfo2, vmm = (uint32_t)(g.exitinfo2 >> 32);
        if (e == EIO && want_certs && vmm == 1 && attempt < 2) {
            /* The host needs a bigger buffer and said how big; the kernel updated certs_len. */
            uint64_t need = ((uint64_t)ext.certs_len + PAGE - 1) / PAGE * PAGE;
            if (need <= certs_len || need > MAX_CERTS) {
                rc = zbp_fail(err, errlen, ZBP_ERR_ENV,
                              "%s: the host asks for a %u-byte certificate buffer (had %u)", dev,
                              ext.certs_len, certs_len);
                break;
            }
            certs_len = (uint32_t)need;
            continue;
        }
        if (e == EIO) /* exitinfo2 is only meaningful when the firmware or VMM answered */
            rc = zbp_fail(err, errlen, ZBP_ERR_ENV,
                          "%s: guest request failed: firmware status 0x%x (%s), VMM error %u (%s)",
                          dev, fw, snp_fw_error_string(fw), vmm, snp_vmm_error_string(vmm));
        else
            rc = zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: %s: %s", dev,
                          want_certs ? "SNP_GET_EXT_REPORT" : "SNP_GET_REPORT", strerror(e));
    }
    close(fd);
    if (!rc) {
        /* MSG_REPORT_RSP: u32 status, u32 report_size, 24 reserved bytes, then the report. */
        uint32_t status = att_le32(resp), size = att_le32(resp + 4);
        if (status)
            rc = zbp_fail(err, errlen, ZBP_ERR_ENV, "%s: report status 0x%x (%s)", dev, status,
                          snp_fw_error_string(status));
        else if (size != SNP_REPORT_SIZE)
            rc = zbp_fail(err, errlen, ZBP_ERR_ENV,
                          "%s: the firmware returned a %u-byte report, expected %d", dev, size,
                          SNP_REPORT_SIZE);
        else
            memcpy(out->report, resp + 0x20, SNP_REPORT_SIZE);
    }
    free(resp);
    if (!rc && want_certs) {
        out->certs = certs;
        out->certs_len = certs_len;
    } else {
        free(certs);
    }
    return rc;
}

zbp_status attest_get_report(attest_result_t *out, const attest_opts_t *o,
                      const uint8_t report_data[SNP_REPORT_DATA_SIZE], bool want_certs, char *err,
                      size_t errlen) {
    memset(out, 0, sizeof *out);
    attest_opts_t defaults;
    if (!o) {
        attest_opts_init(&defaults);
        o = &defaults;
    }
    if (o->vmpl > 3) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "VMPL %d: must be 0..3", o->vmpl);
    int rc;
    switch (o->backend) {
    case ATTEST_BACKEND_TSM:
        rc = tsm_get(out, o, report_data, want_certs, err, errlen);
        break;
    case ATTEST_BACKEND_IOCTL:
        rc = ioctl_get(out, o, report_data, want_certs, err, errlen);
        break;
    case ATTEST_BACKEND_SIM:
        rc = att_sim_get_report(out, o, report_data, want_certs, err, errlen);
        break;
    case ATTEST_BACKEND_AUTO: {
        /* configfs-tsm when the kernel has it, else the device. Never the simulator: a report
         * that no chip signed must be asked for by name. */
        const char *root = o->tsm_root ? o->tsm_root : TSM_ROOT;
        struct stat st;
        if (stat(root, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc = tsm_get(out, o, report_data, want_certs, err, errlen);
            out->used = ATTEST_BACKEND_TSM;
            if (rc == ZBP_OK) return rc;
            char first[512];
            snprintf(first, sizeof first, "%s", err ? err : "");
            rc = ioctl_get(out, o, report_data, want_certs, err, errlen);
            out->used = ATTEST_BACKEND_IOCTL;
            if (rc && err && errlen) {
                char second[512];
                snprintf(second, sizeof second, "%s", err);
                snprintf(err, errlen, "%s; and %s", first, second);
            }
            return rc;
        }
        rc = ioctl_get(out, o, report_data, want_certs, err, errlen);
        out->used = ATTEST_BACKEND_IOCTL;
        return rc;
    }
    default:
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "unknown backend %d", (int)o->backend);
    }
    out->used = o->backend;
    if (rc) attest_result_free(out);
    return rc;
}
