/* certtable.c: the GHCB certificate table that an extended report and configfs-tsm's auxblob
 * carry: 24-byte entries (GUID, offset, length) ended by an all-zero entry, then the blobs. */
#include <stdlib.h>
#include <string.h>

#include "attest/attest_int.h"

/* RFC-4122 byte order: the bytes of the canonical string, left to right. */
const uint8_t att_guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                   0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
const uint8_t att_guid_vlek[16] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
                                   0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1};
const uint8_t att_guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                  0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
const uint8_t att_guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                  0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};
const uint8_t att_guid_crl[16] = {0x92, 0xf8, 0x1b, 0xc3, 0x58, 0x11, 0x4d, 0x3d,
                                  0x97, 0xff, 0xd1, 0x9f, 0x88, 0xdc, 0x67, 0xea};
const uint8_t att_guid_extra[16] = {0xec, 0xae, 0x0c, 0x0f, 0x95, 0x02, 0x43, 0xb1,
                                    0xa2, 0xaf, 0x0a, 0xe2, 0xe0, 0xd5, 0x65, 0xb6};

#define ENTRY_SIZE 24

static const struct {
    const uint8_t *guid;
    snp_entry_kind_t kind;
} guids[] = {
    {att_guid_vcek, SNP_ENTRY_VCEK}, {att_guid_vlek, SNP_ENTRY_VLEK},
    {att_guid_ask, SNP_ENTRY_ASK},   {att_guid_ark, SNP_ENTRY_ARK},
    {att_guid_crl, SNP_ENTRY_CRL},   {att_guid_extra, SNP_ENTRY_EXTRA},
};

const char *snp_entry_kind_name(snp_entry_kind_t k) {
    switch (k) {
    case SNP_ENTRY_VCEK: return "VCEK";
    case SNP_ENTRY_VLEK: return "VLEK";
    case SNP_ENTRY_ASK: return "ASK/ASVK";
    case SNP_ENTRY_ARK: return "ARK";
    case SNP_ENTRY_CRL: return "CRL";
    case SNP_ENTRY_EXTRA: return "extra platform info";
    default: return "unknown";
    }
}

zbp_status snp_cert_table_parse(snp_cert_entry_t *out, size_t max, size_t *n, const uint8_t *buf,
                         size_t len, char *err, size_t errlen) {
    *n = 0;
    if (len == 0) return ZBP_OK; /* the host supplied no certificates */
    if (!buf) return zbp_fail(err, errlen, ZBP_ERR_INPUT, "certificate table: no data");
    size_t count = 0, header = 0;
    for (size_t at = 0; at + ENTRY_SIZE <= len; at += ENTRY_SIZE) {
        const uint8_t *e = buf + at;
        if (att_is_zero(e, ENTRY_SIZE)) {
            header = at + ENTRY_SIZE;
            break;
        }
        if (count == max)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "certificate table: more than %zu entries", max);
        snp_cert_entry_t *x = &out[count++];
        memcpy(x->guid, e, 16);
        x->offset = att_le32(e + 16);
        x->length = att_le32(e + 20);
        x->kind = SNP_ENTRY_UNKNOWN;
        for (size_t g = 0; g < sizeof guids / sizeof guids[0]; g++)
            if (!memcmp(e, guids[g].guid, 16)) x->kind = guids[g].kind;
    }
    if (!header)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "certificate table: no all-zero terminating entry within its %zu bytes",
                        len);
    for (size_t i = 0; i < count; i++) {
        const snp_cert_entry_t *x = &out[i];
        if (x->length == 0)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "certificate table: entry %zu (%s) is empty",
                            i, snp_entry_kind_name(x->kind));
        if (x->offset < header)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "certificate table: entry %zu (%s) offset %u lies inside the %zu-byte "
                            "header",
                            i, snp_entry_kind_name(x->kind), x->offset, header);
        if ((uint64_t)x->offset + x->length > len)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                            "certificate table: entry %zu (%s) at %u+%u runs past the end (%zu "
                            "bytes)",
                            i, snp_entry_kind_name(x->kind), x->offset, x->length, len);
        for (size_t j = 0; j < i; j++) {
            const snp_cert_entry_t *y = &out[j];
            if ((uint64_t)x->offset < (uint64_t)y->offset + y->length &&
                (uint64_t)y->offset < (uint64_t)x->offset + x->length)
                return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                                "certificate table: entries %zu (%s) and %zu (%s) overlap", j,
                                snp_entry_kind_name(y->kind), i, snp_entry_kind_name(x->kind));
            if (x->kind != SNP_ENTRY_UNKNOWN && x->kind == y->kind)
                return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                                "certificate table: two %s entries (%zu and %zu)",
                                snp_entry_kind_name(x->kind), j, i);
        }
    }
    *n = count;
    return ZBP_OK;
}

zbp_status snp_cert_table_build(uint8_t **out, size_t *outlen, const snp_entry_kind_t *kinds,
                         const uint8_t *const *blobs, const size_t *lens, size_t n, char *err,
                         size_t errlen) {
    *out = NULL;
    *outlen = 0;
    if (n > SNP_CERT_TABLE_MAX)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "certificate table: too many entries");
    size_t total = (n + 1) * ENTRY_SIZE;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] == 0 || lens[i] > UINT32_MAX / 2 || total > UINT32_MAX / 2)
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "certificate table: entry %zu size %zu",
                            i, lens[i]);
        total += lens[i];
    }
    uint8_t *t = calloc(1, total);
    if (!t) return zbp_fail(err, errlen, ZBP_ERR_INTERNAL, "certificate table: out of memory");
    size_t at = (n + 1) * ENTRY_SIZE;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *g = NULL;
        for (size_t k = 0; k < sizeof guids / sizeof guids[0]; k++)
            if (guids[k].kind == kinds[i]) g = guids[k].guid;
        if (!g) {
            free(t);
            return zbp_fail(err, errlen, ZBP_ERR_INPUT, "certificate table: entry %zu has no GUID",
                            i);
        }
        memcpy(t + i * ENTRY_SIZE, g, 16);
        att_put_le32(t + i * ENTRY_SIZE + 16, (uint32_t)at);
        att_put_le32(t + i * ENTRY_SIZE + 20, (uint32_t)lens[i]);
        memcpy(t + at, blobs[i], lens[i]);
        at += lens[i];
    }
    *out = t;
    *outlen = total;
    return ZBP_OK;
}
