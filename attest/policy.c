/* policy.c: the caller's policy on what ran: the guest policy bits, the VMPL and provisional
 * firmware, and the launch identity (REPORT_DATA, HOST_DATA, the measurement allow-list, the ID
 * block's and author's key digests, FAMILY_ID, IMAGE_ID, GUEST_SVN). Each failure names the
 * report field and the value it holds. */
#include <stdio.h>
#include <string.h>

#include "attest/attest_int.h"

void att_check_guest_policy(snp_verdict_t *v, const att_ctx_t *cx) {
    const snp_report_t *r = cx->r;
    const snp_policy_t *p = cx->p;
    bool debug = r->policy & SNP_POLICY_DEBUG, mig = r->policy & SNP_POLICY_MIGRATE_MA;
    att_verdict_add(v, "debug", debug && !p->allow_debug ? SNP_CHECK_FAIL : SNP_CHECK_PASS, "%s",
                    !debug           ? "POLICY.DEBUG is clear"
                    : p->allow_debug ? "POLICY.DEBUG is set (allowed by --allow-debug)"
                                     : "POLICY.DEBUG is set: the host can read the guest's memory "
                                       "(--allow-debug accepts it)");
    att_verdict_add(v, "migrate-ma", mig && !p->allow_migrate_ma ? SNP_CHECK_FAIL : SNP_CHECK_PASS,
                    "%s",
                    !mig                  ? "POLICY.MIGRATE_MA is clear"
                    : p->allow_migrate_ma ? "POLICY.MIGRATE_MA is set (allowed)"
                                          : "POLICY.MIGRATE_MA is set: a migration agent may move "
                                            "the guest (--allow-migrate-ma accepts it)");
    if (p->vmpl >= 0)
        att_verdict_add(v, "vmpl", r->vmpl == (uint32_t)p->vmpl ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                        "VMPL %u, expected %d", r->vmpl, p->vmpl);
    bool same = r->committed_tcb == r->current_tcb && r->committed_build == r->current_build &&
                r->committed_minor == r->current_minor && r->committed_major == r->current_major;
    att_verdict_add(
        v, "provisional", same || p->allow_provisional ? SNP_CHECK_PASS : SNP_CHECK_FAIL, "%s",
        same                   ? "COMMITTED = CURRENT (TCB and firmware version)"
        : p->allow_provisional ? "COMMITTED differs from CURRENT: provisional firmware allowed"
                               : "COMMITTED differs from CURRENT: the firmware is provisional "
                                 "(--allow-provisional accepts it)");
}

static void check_bytes(snp_verdict_t *v, const char *name, const char *field, const uint8_t *got,
                        const uint8_t *want, size_t n) {
    if (!want) return;
    char g[2 * 64 + 1], w[2 * 64 + 1];
    zbp_hex_encode(g, got, n);
    zbp_hex_encode(w, want, n);
    if (!memcmp(got, want, n))
        att_verdict_add(v, name, SNP_CHECK_PASS, "%s as expected (%.32s...)", field, g);
    else
        att_verdict_add(v, name, SNP_CHECK_FAIL, "%s is %.48s..., expected %.48s...", field, g, w);
}

/* A 48-byte field against an allow-list: which entry it is, or which value it holds. */
static void check_listed(snp_verdict_t *v, const char *name, const char *field,
                         const uint8_t got[48], const uint8_t (*list)[48], size_t n) {
    char g[97];
    zbp_hex_encode(g, got, 48);
    for (size_t i = 0; i < n; i++)
        if (!memcmp(got, list[i], 48)) {
            att_verdict_add(v, name, SNP_CHECK_PASS, "%s %.32s... is allowed (entry %zu of %zu)",
                            field, g, i + 1, n);
            return;
        }
    att_verdict_add(v, name, SNP_CHECK_FAIL, "%s %s is not among the %zu allowed value%s", field, g,
                    n, n == 1 ? "" : "s");
}

void att_check_launch(snp_verdict_t *v, const att_ctx_t *cx) {
    const snp_report_t *r = cx->r;
    const snp_policy_t *p = cx->p;
    check_bytes(v, "report-data", "REPORT_DATA", r->report_data, p->report_data, 64);
    check_bytes(v, "host-data", "HOST_DATA", r->host_data, p->host_data, 32);
    if (p->n_measurements)
        check_listed(v, "measurement", "MEASUREMENT", r->measurement, p->measurements,
                     p->n_measurements);
    /* An all-zero digest means the guest launched without an ID block (or without an author
     * key): no list of expected keys can match that. */
    if (p->n_id_key_digests) {
        if (att_is_zero(r->id_key_digest, 48))
            att_verdict_add(v, "id-key", SNP_CHECK_FAIL,
                            "ID_KEY_DIGEST is zero: the guest was launched without an ID block");
        else
            check_listed(v, "id-key", "ID_KEY_DIGEST", r->id_key_digest, p->id_key_digests,
                         p->n_id_key_digests);
    }
    if (p->n_author_key_digests) {
        if (!r->author_key_en || att_is_zero(r->author_key_digest, 48))
            att_verdict_add(v, "author-key", SNP_CHECK_FAIL,
                            "AUTHOR_KEY_EN is %u: no author key signed the ID key",
                            r->author_key_en ? 1u : 0u);
        else
            check_listed(v, "author-key", "AUTHOR_KEY_DIGEST", r->author_key_digest,
                         p->author_key_digests, p->n_author_key_digests);
    }
    check_bytes(v, "family-id", "FAMILY_ID", r->family_id, p->family_id, 16);
    check_bytes(v, "image-id", "IMAGE_ID", r->image_id, p->image_id, 16);
    if (p->check_guest_svn)
        att_verdict_add(v, "guest-svn",
                        r->guest_svn >= p->min_guest_svn ? SNP_CHECK_PASS : SNP_CHECK_FAIL,
                        "GUEST_SVN %u, minimum %u", r->guest_svn, p->min_guest_svn);
}

/* PLATFORM_INFO's bits by the names the flags take (SEV-SNP ABI; bit 6 is unnamed: set on real
 * Turin parts, see report.c). */
static const struct {
    const char *name;
    uint64_t bit;
} platform_bits[] = {
    {"smt", SNP_PLATFORM_SMT_EN},
    {"tsme", SNP_PLATFORM_TSME_EN},
    {"ecc", SNP_PLATFORM_ECC_EN},
    {"rapl-dis", SNP_PLATFORM_RAPL_DIS},
    {"ciphertext-hiding", SNP_PLATFORM_CIPHERTEXT_HIDING_EN},
    {"alias-check", SNP_PLATFORM_ALIAS_CHECK_COMPLETE},
    {"tio", SNP_PLATFORM_SEV_TIO_EN},
};
#define N_PLATFORM_BITS (sizeof platform_bits / sizeof platform_bits[0])

zbp_status snp_platform_bits_parse(uint64_t *out, const char *list) {
    *out = 0;
    if (!list || !*list) return ZBP_ERR_INPUT;
    const char *s = list;
    for (;;) {
        size_t n = strcspn(s, ",");
        size_t k = 0;
        while (k < N_PLATFORM_BITS &&
               (strlen(platform_bits[k].name) != n || strncmp(s, platform_bits[k].name, n)))
            k++;
        if (k == N_PLATFORM_BITS) return ZBP_ERR_INPUT; /* an empty or unknown name */
        *out |= platform_bits[k].bit;
        if (!s[n]) return ZBP_OK;
        s += n + 1;
    }
}

void snp_platform_bits_name(char *buf, size_t len, uint64_t mask) {
    if (!len) return;
    buf[0] = 0;
    size_t used = 0;
    for (unsigned b = 0; b < 64 && used < len; b++) {
        if (!(mask >> b & 1)) continue;
        const char *name = NULL;
        for (size_t k = 0; k < N_PLATFORM_BITS; k++)
            if (platform_bits[k].bit == 1ull << b) name = platform_bits[k].name;
        int w = name ? snprintf(buf + used, len - used, "%s%s", used ? "," : "", name)
                     : snprintf(buf + used, len - used, "%sbit %u", used ? "," : "", b);
        if (w < 0) return;
        used += (size_t)w;
    }
}

void att_check_platform(snp_verdict_t *v, const att_ctx_t *cx) {
    const snp_report_t *r = cx->r;
    const snp_policy_t *p = cx->p;
    uint64_t pi = r->platform_info;
    uint64_t missing = p->platform_require & ~pi, present = p->platform_forbid & pi;
    char set[160], m[160], f[160];
    snp_platform_bits_name(set, sizeof set, pi);
    snp_platform_bits_name(m, sizeof m, missing);
    snp_platform_bits_name(f, sizeof f, present);
    if (missing || present)
        att_verdict_add(v, "platform-info", SNP_CHECK_FAIL,
                        "PLATFORM_INFO 0x%llx (%s):%s%s%s%s%s", (unsigned long long)pi,
                        set[0] ? set : "none", missing ? " required but clear: " : "", m,
                        missing && present ? ";" : "", present ? " forbidden but set: " : "", f);
    else
        att_verdict_add(v, "platform-info", SNP_CHECK_PASS, "PLATFORM_INFO 0x%llx (%s)%s",
                        (unsigned long long)pi, set[0] ? set : "none",
                        p->platform_require || p->platform_forbid
                            ? ": the required bits set, the forbidden clear"
                            : "");
    if (!p->check_mit_vector) return;
    if (!r->has_mit_vectors) {
        att_verdict_add(v, "mit-vector", SNP_CHECK_FAIL,
                        "a version %u report has no mitigation vectors (version 5 added them)",
                        r->version);
        return;
    }
    uint64_t need = p->mit_vector_require;
    uint64_t lm = need & ~r->launch_mit_vector, cm = need & ~r->current_mit_vector;
    if (lm || cm)
        att_verdict_add(v, "mit-vector", SNP_CHECK_FAIL,
                        "LAUNCH_MIT_VECTOR 0x%llx, CURRENT_MIT_VECTOR 0x%llx: required 0x%llx; "
                        "missing at launch 0x%llx, now 0x%llx",
                        (unsigned long long)r->launch_mit_vector,
                        (unsigned long long)r->current_mit_vector, (unsigned long long)need,
                        (unsigned long long)lm, (unsigned long long)cm);
    else
        att_verdict_add(v, "mit-vector", SNP_CHECK_PASS,
                        "LAUNCH_MIT_VECTOR 0x%llx and CURRENT_MIT_VECTOR 0x%llx hold 0x%llx",
                        (unsigned long long)r->launch_mit_vector,
                        (unsigned long long)r->current_mit_vector, (unsigned long long)need);
}
