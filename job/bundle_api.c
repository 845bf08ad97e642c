/* bundle_api.c: zbprover_verify_bundle (include/zbprover.h), the client's offline verifier: the
 * public options become a certificate set and an snp_policy_t, and job_bundle_verify (bundle.c)
 * does the rest, so the C API and `zbprover check-bundle` are one implementation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/job_int.h"
#include "zbprover.h"

/* The header numbers PLATFORM_INFO's bits in words; these are the attest room's. */
_Static_assert(SNP_PLATFORM_SMT_EN == 1ull << 0 && SNP_PLATFORM_TSME_EN == 1ull << 1 &&
                   SNP_PLATFORM_ECC_EN == 1ull << 2 && SNP_PLATFORM_RAPL_DIS == 1ull << 3 &&
                   SNP_PLATFORM_CIPHERTEXT_HIDING_EN == 1ull << 4 &&
                   SNP_PLATFORM_ALIAS_CHECK_COMPLETE == 1ull << 5 &&
                   SNP_PLATFORM_SEV_TIO_EN == 1ull << 7,
               "PLATFORM_INFO bits as include/zbprover.h documents them");

/* The callback's statuses are the verdict's own. */
_Static_assert((int)ZBPROVER_CHECK_PASS == (int)SNP_CHECK_PASS &&
                   (int)ZBPROVER_CHECK_FAIL == (int)SNP_CHECK_FAIL &&
                   (int)ZBPROVER_CHECK_SKIP == (int)SNP_CHECK_SKIP,
               "check statuses");

void zbprover_bundle_options_init(zbprover_bundle_options_t *o) {
    memset(o, 0, sizeof *o);
    o->vmpl = -1;
}

/* The public policy as the attest room's; ZBPROVER_ERR_INPUT names a bad option. */
static int to_policy(snp_policy_t *p, const zbprover_bundle_options_t *o, char *err, size_t len) {
    snp_policy_init(p);
    p->measurements = o->measurements;
    p->n_measurements = o->n_measurements;
    p->id_key_digests = o->id_key_digests;
    p->n_id_key_digests = o->n_id_key_digests;
    p->author_key_digests = o->author_key_digests;
    p->n_author_key_digests = o->n_author_key_digests;
    p->host_data = o->host_data;
    p->family_id = o->family_id;
    p->image_id = o->image_id;
    p->check_guest_svn = o->check_guest_svn != 0;
    p->min_guest_svn = o->min_guest_svn;
    p->allow_debug = o->allow_debug != 0;
    p->allow_migrate_ma = o->allow_migrate_ma != 0;
    p->allow_provisional = o->allow_provisional != 0;
    p->require_crl = o->require_crl != 0;
    p->platform_require = o->platform_require;
    p->platform_forbid = o->platform_forbid;
    p->check_mit_vector = o->check_mit_vector != 0;
    p->mit_vector_require = o->mit_vector_require;
    p->trust_root_data = o->trust_root;
    p->trust_root_len = o->trust_root_len;
    if (o->vmpl < -1 || o->vmpl > 3) {
        snprintf(err, len, "options: vmpl %d is not -1 (any) or 0..3", o->vmpl);
        return ZBPROVER_ERR_INPUT;
    }
    p->vmpl = o->vmpl;
    if (o->has_time) {
        if (o->at < 0) {
            snprintf(err, len, "options: at %lld is before 1970", o->at);
            return ZBPROVER_ERR_INPUT;
        }
        p->has_time = true;
        p->at = (time_t)o->at;
    }
    if (o->min_tcb && snp_policy_min_tcb(p, o->min_tcb)) {
        snprintf(err, len, "options: min_tcb '%s' is not auto, auto:YYYY-MM-DD or bl=N,tee=N,...",
                 o->min_tcb);
        return ZBPROVER_ERR_INPUT;
    }
    if (o->product && snp_gen_parse(&p->product_hint, o->product)) {
        snprintf(err, len, "options: product '%s' is not Milan, Genoa or Turin", o->product);
        return ZBPROVER_ERR_INPUT;
    }
    return ZBPROVER_OK;
}

/* "rejected: a, b (a's reason)" */
static void summarize(char *err, size_t len, const job_bundle_verdict_t *v) {
    size_t n = (size_t)snprintf(err, len, "rejected:");
    const char *first = NULL;
    for (size_t i = 0; i < v->n && n < len; i++)
        if (v->checks[i].status == SNP_CHECK_FAIL) {
            n += (size_t)snprintf(err + n, len - n, " %s", v->checks[i].name);
            if (!first) first = v->checks[i].detail;
        }
    if (v->dropped && n < len) n += (size_t)snprintf(err + n, len - n, " checks");
    if (first && n < len) snprintf(err + n, len - n, " (%s)", first);
}

int zbprover_verify_bundle(const char *bundle_json, size_t bundle_len,
                           const zbprover_bundle_options_t *o, zbprover_bundle_result_t *result,
                           char *err, size_t err_len) {
    char scratch[2];
    if (!err || !err_len) {
        err = scratch;
        err_len = sizeof scratch;
    }
    err[0] = 0;
    if (result) memset(result, 0, sizeof *result);
    if (!o || !bundle_json || !o->vk_json) {
        snprintf(err, err_len,
                 "zbprover_verify_bundle: the bundle, options and vk_json are required");
        return ZBPROVER_ERR_INPUT;
    }
    snp_policy_t p;
    int rc = to_policy(&p, o, err, err_len);
    if (rc) return rc;
    job_bundle_opts_t bo;
    memset(&bo, 0, sizeof bo);
    bo.policy = p;
    bo.allow_unattested = o->allow_unattested != 0;
    bo.expect_job_id = o->job_id;
    bo.expect_ticket_id = o->ticket_id_hex;
    bo.expect_zkey_sha256 = o->zkey_sha256_hex;
    snp_certs_t *certs = snp_certs_new();
    if (!certs) {
        snprintf(err, err_len, "out of memory");
        return ZBPROVER_ERR_INTERNAL;
    }
    int st = ZBP_OK;
    if (o->certs_pem && o->certs_pem_len)
        st = snp_certs_add_blob(certs, (const uint8_t *)o->certs_pem, o->certs_pem_len, "certs_pem",
                                err, err_len);
    if (!st && o->crl && o->crl_len)
        st = snp_certs_add_crl(certs, o->crl, o->crl_len, "crl", err, err_len);
    job_bundle_verdict_t *v = st ? NULL : malloc(sizeof *v);
    if (st)
        rc = st == ZBP_ERR_INPUT ? ZBPROVER_ERR_INPUT : ZBPROVER_ERR_INTERNAL;
    else if (!v) {
        snprintf(err, err_len, "out of memory");
        rc = ZBPROVER_ERR_INTERNAL;
    } else {
        job_text_t bt = {o->bundle_name ? o->bundle_name : "bundle", bundle_json, bundle_len},
                   vt = {o->vk_name ? o->vk_name : "vk_json", o->vk_json, o->vk_json_len};
        int r = job_bundle_verify(v, bt, vt, certs, &bo, err, err_len);
        rc = r == 0   ? ZBPROVER_OK
             : r == 1 ? ZBPROVER_REJECTED
             : r == 2 ? ZBPROVER_ERR_INPUT
                      : ZBPROVER_ERR_INTERNAL;
        if (r == 0 || r == 1) {
            size_t failed = 0;
            for (size_t i = 0; i < v->n; i++) {
                failed += v->checks[i].status == SNP_CHECK_FAIL;
                if (o->on_check)
                    o->on_check(o->on_check_ctx, v->checks[i].name, v->checks[i].status,
                                v->checks[i].detail);
            }
            if (v->dropped && o->on_check)
                o->on_check(o->on_check_ctx, "checks", ZBPROVER_CHECK_FAIL,
                            "some checks were not recorded");
            if (result) {
                result->valid = r == 0;
                result->attested = v->attested;
                result->revocation_checked = v->revocation_checked;
                result->vek_revocation_checked = v->vek_revocation_checked;
                result->checks = v->n + v->dropped;
                result->failed = failed + v->dropped;
            }
            if (r == 1) summarize(err, err_len, v);
        }
    }
    free(v);
    snp_certs_free(certs);
    return rc;
}
