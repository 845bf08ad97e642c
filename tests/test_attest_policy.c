/* test_attest_policy.c: the verifier past the signature, on the simulated signer's Genoa (VCEK
 * and VLEK) and Turin chains: the regressions other verifiers shipped (one test each, named for
 * the bug), VLEK end to end, the key's kind, Turin end to end, the TCB order, --min-tcb auto and
 * its bulletin table, and the launch identity. Revocation is test_attest_crl.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attest/attest.h"
#include "prover/util.h"
#include "attest/attest_int.h" /* att_le32/att_put_* to edit reports */
#include "attest_testkit.h"

#define GENOA() kit_sim("genoa", SNP_GEN_GENOA, true)
#define TURIN() kit_sim("turin", SNP_GEN_TURIN, false)

/* ---- the bugs other verifiers shipped ---- */

/* A verifier that picks "the product's ARK" to compare against trusts any ARK once the report
 * names no product (a v2 report, a VEK without productName): the root must still be pinned. */
Test(regression, forged_root_accepted_when_the_report_names_no_product) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    att_put_le32(raw, 2); /* a v2 report: no CPUID bytes */
    memset(raw + 0x188, 0, 3);
    kit_resign(raw, dir);
    char *tmp = kit_tmpdir(), vcek[256];
    snprintf(vcek, sizeof vcek, "%s/vcek.pem", tmp);
    kit_forge(dir, "vcek.pem", "ask", "1.3.6.1.4.1.3704.1.2", NULL, NULL, 0, vcek);
    snp_certs_t *c = kit_certs_plus(dir, kit_ark_ask, vcek);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, NULL), ATTEST_REJECTED);
    cr_assert_eq(v.gen.gen, SNP_GEN_UNKNOWN, "the report and VEK were meant to name no product");
    cr_assert_eq(kit_status(&v, "root"), SNP_CHECK_FAIL);
    cr_assert(strstr(kit_find(&v, "root")->detail, "not one of AMD's pinned roots"));
    /* Nor does naming a product by hand open the door. */
    snp_policy_t pol;
    snp_policy_init(&pol);
    pol.product_hint = SNP_GEN_GENOA;
    cr_assert_eq(kit_verify(&v, raw, c, &pol), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "root"), SNP_CHECK_FAIL);
    snp_certs_free(c);
    kit_rmdir(tmp);
}

/* The ARK in the caller's certificate set is a claim like any other: it must be AMD's (pinned),
 * and with --trust-root it must be that very certificate. */
Test(regression, caller_supplied_ark_used_without_checking_it_is_amds) {
    const char *dir = GENOA(), *turin = TURIN();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, NULL), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "root"), SNP_CHECK_FAIL);
    /* Trusting another root than the ARK given: refused, though that ARK signed the chain. */
    snp_policy_t p;
    kit_policy(&p, turin);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "root"), SNP_CHECK_FAIL);
    cr_assert_eq(kit_status(&v, "chain"), SNP_CHECK_FAIL);
    kit_policy(&p, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    snp_certs_free(c);
}

/* SIGNING_KEY says which key signed; a verifier that never reads it lets a report signed by a
 * VLEK pass as signed by a VCEK (and the reverse), given both chains. */
Test(regression, signing_key_never_read_so_a_vlek_passes_as_a_vcek) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    char err[512];
    snp_certs_t *c = kit_certs(dir, kit_both_chains);
    snp_policy_t p;
    kit_policy(&p, dir);
    snp_verdict_t v;
    /* SIGNING_KEY 0 (VCEK), signed by the VLEK. */
    kit_report(raw, dir, false, NULL);
    cr_assert_eq(attest_sim_sign_with(raw, dir, SNP_CERT_VLEK, err, sizeof err), ATTEST_OK, "%s",
                 err);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "signature"), SNP_CHECK_FAIL);
    cr_assert(strstr(kit_find(&v, "signature")->detail, "VCEK"));
    /* SIGNING_KEY 1 (VLEK), signed by the VCEK. */
    kit_report(raw, dir, true, NULL);
    cr_assert_eq(attest_sim_sign_with(raw, dir, SNP_CERT_VCEK, err, sizeof err), ATTEST_OK, "%s",
                 err);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "signature"), SNP_CHECK_FAIL);
    /* Each, signed by the key it names, verifies. */
    kit_report(raw, dir, true, NULL);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert_eq(kit_status(&v, "key-kind"), SNP_CHECK_PASS);
    kit_report(raw, dir, false, NULL);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    snp_certs_free(c);
}

/* blSPL is OID ...3704.1.3.1; a verifier matching OIDs by prefix reads ...3.10 (or ...3.1.5) as
 * blSPL. Without the real extension the TCB check must fail; with a decoy beside it, the decoy
 * must not be read. */
Test(regression, tcb_extensions_matched_by_prefix) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    char *tmp = kit_tmpdir(), path[256];
    const uint8_t bl10[] = {0x02, 0x01, 10}, bl99[] = {0x02, 0x01, 99};
    snp_policy_t pol;
    kit_policy(&pol, dir);
    snp_verdict_t v;
    struct {
        const char *drop, *add;
        const uint8_t *val;
        int want;
    } cases[] = {
        {"1.3.6.1.4.1.3704.1.3.1", "1.3.6.1.4.1.3704.1.3.10", bl10, SNP_CHECK_FAIL},
        {"1.3.6.1.4.1.3704.1.3.1", "1.3.6.1.4.1.3704.1.3.1.5", bl10, SNP_CHECK_FAIL},
        {NULL, "1.3.6.1.4.1.3704.1.3.10", bl99, SNP_CHECK_PASS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/vcek-%zu.pem", tmp, i);
        kit_forge(dir, "vcek.pem", "ask", cases[i].drop, cases[i].add, cases[i].val, 3, path);
        snp_certs_t *c = kit_certs_plus(dir, kit_ask_only, path);
        kit_verify(&v, raw, c, &pol);
        cr_assert_eq(kit_status(&v, "tcb"), cases[i].want, "case %zu: %s", i,
                     kit_find(&v, "tcb")->detail);
        if (cases[i].want == SNP_CHECK_FAIL)
            cr_assert(strstr(kit_find(&v, "tcb")->detail, "lacks a TCB extension"));
        snp_certs_free(c);
    }
    kit_rmdir(tmp);
}

/* The hwID binds a VCEK to one chip: a VCEK without it must fail the chip check, not skip it. */
Test(regression, missing_hwid_skipped) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    char *tmp = kit_tmpdir(), path[256];
    snprintf(path, sizeof path, "%s/vcek.pem", tmp);
    kit_forge(dir, "vcek.pem", "ask", "1.3.6.1.4.1.3704.1.4", NULL, NULL, 0, path);
    snp_certs_t *c = kit_certs_plus(dir, kit_ask_only, path);
    snp_policy_t pol;
    kit_policy(&pol, dir);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, &pol), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "chip-id"), SNP_CHECK_FAIL);
    cr_assert(strstr(kit_find(&v, "chip-id")->detail, "no hwID"));
    cr_assert_eq(kit_status(&v, "signature"), SNP_CHECK_PASS); /* only the hwID is missing */
    snp_certs_free(c);
    kit_rmdir(tmp);
}

/* REPORT_DATA is what binds a report to a request; a mismatch must fail, whatever else passes.
 * (The bundle's transcript, recomputed, is held the same way: test_attest_bundle.c.) */
Test(regression, report_data_mismatch_ignored) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE], data[64], other[64];
    for (int i = 0; i < 64; i++)
        data[i] = other[i] = (uint8_t)i;
    other[63] ^= 1;
    kit_report(raw, dir, false, data);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    p.report_data = other;
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "report-data"), SNP_CHECK_FAIL);
    cr_assert(strstr(kit_find(&v, "report-data")->detail, "REPORT_DATA is 000102"));
    p.report_data = data;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    snp_certs_free(c);
}

/* Version 5 added the mitigation vectors and moved nothing else; a parser that stops at 3 (or
 * reads 0x1F8..0x207 as must-be-zero) refuses genuine firmware. No real v5 report is among the
 * vectors, so the simulated signer's v5 reports, with mitigation bits set, stand in. */
Test(regression, genuine_version_5_reports_refused) {
    const char *dirs[] = {GENOA(), TURIN()};
    for (int d = 0; d < 2; d++) {
        uint8_t raw[SNP_REPORT_SIZE];
        kit_report(raw, dirs[d], false, NULL);
        cr_assert_eq(att_le32(raw), 5);
        att_put_le64(raw + 0x1F8, 0x7);  /* LAUNCH_MIT_VECTOR */
        att_put_le64(raw + 0x200, 0x1f); /* CURRENT_MIT_VECTOR */
        kit_resign(raw, dirs[d]);
        snp_report_t r;
        kit_parse(&r, raw);
        cr_assert(r.has_mit_vectors && r.launch_mit_vector == 7 && r.current_mit_vector == 0x1f);
        snp_certs_t *c = kit_certs(dirs[d], kit_vcek_chain);
        snp_policy_t p;
        kit_policy(&p, dirs[d]);
        snp_verdict_t v;
        int rc = kit_verify(&v, raw, c, &p);
        if (rc) kit_dump(&v);
        cr_assert_eq(rc, ATTEST_OK);
        snp_certs_free(c);
    }
}

/* ---- VLEK end to end ---- */

Test(vlek, chain_report_and_table_end_to_end) {
    const char *dir = GENOA();
    attest_opts_t o;
    attest_opts_init(&o);
    o.backend = ATTEST_BACKEND_SIM;
    o.sim_dir = dir;
    o.sim_vlek = true;
    uint8_t data[64] = {7};
    attest_result_t res;
    char err[512];
    cr_assert_eq(attest_get_report(&res, &o, data, true, err, sizeof err), ATTEST_OK, "%s", err);
    snp_report_t r;
    kit_parse(&r, res.report);
    cr_assert_eq(r.signing_key, 1);
    cr_assert(att_is_zero(r.chip_id, 64), "a VLEK report names no chip");
    snp_certs_t *c = snp_certs_new();
    cr_assert_eq(snp_certs_add_table(c, res.certs, res.certs_len, err, sizeof err), ATTEST_OK, "%s",
                 err);
    cr_assert(snp_certs_has(c, SNP_CERT_ASVK) && snp_certs_has(c, SNP_CERT_VLEK));
    cr_assert(!snp_certs_has(c, SNP_CERT_ASK) && !snp_certs_has(c, SNP_CERT_VCEK));
    snp_vek_ext_t x;
    cr_assert_eq(snp_certs_vek_ext(&x, c, SNP_CERT_VLEK, err, sizeof err), ATTEST_OK, "%s", err);
    cr_assert(x.csp_id[0] && x.hwid_len == 0);
    snp_policy_t p;
    kit_policy(&p, dir);
    p.report_data = data;
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, res.report, c, &p), ATTEST_OK);
    cr_assert_eq(kit_status(&v, "chip-id"), SNP_CHECK_SKIP);
    cr_assert(strstr(kit_find(&v, "chain")->detail, "SEV-VLEK-Genoa -> SEV-VLEK"));
    /* Given only the VCEK chain, a VLEK report cannot be judged: an input error naming it. */
    snp_certs_t *vc = kit_certs(dir, kit_vcek_chain);
    cr_assert_eq(attest_verify(&v, &r, vc, &p, err, sizeof err), ATTEST_EINPUT);
    cr_assert(strstr(err, "VLEK"), "%s", err);
    snp_certs_free(vc);
    snp_certs_free(c);
    attest_result_free(&res);
}

/* A certificate is judged by every mark of its kind, not by the slot it was loaded into: a
 * "VCEK" issued by the ASVK, or one carrying a csp_id, is not a VCEK. */
Test(vlek, key_kind_reads_issuer_and_extensions) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    char *tmp = kit_tmpdir(), path[256];
    const uint8_t csp[] = {0x16, 0x03, 'a', 'w', 's'};
    struct {
        const char *issuer, *add;
        const uint8_t *val;
        size_t len;
        const char *why;
    } cases[] = {
        {"asvk", NULL, NULL, 0, "issued by"},
        {"ask", "1.3.6.1.4.1.3704.1.5", csp, sizeof csp, "csp_id"},
    };
    snp_policy_t pol;
    kit_policy(&pol, dir);
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/vcek-%zu.pem", tmp, i);
        kit_forge(dir, "vcek.pem", cases[i].issuer, NULL, cases[i].add, cases[i].val, cases[i].len,
                  path);
        snp_certs_t *c = kit_certs_plus(dir, kit_mids, path);
        snp_verdict_t v;
        cr_assert_eq(kit_verify(&v, raw, c, &pol), ATTEST_REJECTED);
        cr_assert_eq(kit_status(&v, "key-kind"), SNP_CHECK_FAIL);
        cr_assert(strstr(kit_find(&v, "key-kind")->detail, cases[i].why), "%s",
                  kit_find(&v, "key-kind")->detail);
        snp_certs_free(c);
    }
    kit_rmdir(tmp);
}

/* ---- Turin end to end: FMC SPL, 8-byte hwID, KDS URL, bulletin floor ---- */

Test(turin, report_chain_tcb_chip_id_and_kds_url) {
    const char *dir = TURIN();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    snp_report_t r;
    kit_parse(&r, raw);
    cr_assert(r.cpuid_fam_id == 0x1A);
    cr_assert(att_is_zero(r.chip_id + 8, 56) && !att_is_zero(r.chip_id, 8),
              "Turin: an 8-byte CHIP_ID");
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    char err[512];
    snp_vek_ext_t x;
    cr_assert_eq(snp_certs_vek_ext(&x, c, SNP_CERT_VCEK, err, sizeof err), ATTEST_OK, "%s", err);
    cr_assert(x.has_fmc && x.hwid_len == 8 && x.struct_version == 1);
    cr_assert_str_eq(x.product_name, "Turin");
    snp_tcb_t t;
    snp_tcb_decode(&t, r.reported_tcb, SNP_LAYOUT_TURIN);
    cr_assert_eq(memcmp(&t, &x.tcb, sizeof t), 0, "the report's TCB is in Turin's layout");
    snp_policy_t p;
    kit_policy(&p, dir);
    cr_assert_eq(snp_policy_min_tcb(&p, "auto"), ATTEST_OK);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert_eq(v.gen.layout, SNP_LAYOUT_TURIN);
    cr_assert(strstr(kit_find(&v, "tcb")->detail, "fmc 1"), "%s", kit_find(&v, "tcb")->detail);
    cr_assert(strstr(kit_find(&v, "chip-id")->detail, "8-byte hwID"));
    cr_assert_eq(kit_status(&v, "min-tcb"), SNP_CHECK_PASS, "%s", kit_find(&v, "min-tcb")->detail);
    /* A different FMC SPL in the report than in the VCEK fails the TCB check. */
    raw[0x180] ^= 1;
    kit_resign(raw, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "tcb"), SNP_CHECK_FAIL);
    raw[0x180] ^= 1;
    /* The KDS URL: fmcSPL first and the 8-byte hwID. */
    snp_kds_urls_t u;
    cr_assert_eq(snp_kds_urls(&u, &r, SNP_GEN_UNKNOWN, err, sizeof err), ATTEST_OK, "%s", err);
    char hw[17], want[256];
    zbp_hex_encode(hw, x.hwid, 8);
    snprintf(want, sizeof want,
             "https://kdsintf.amd.com/vcek/v1/Turin/%s?fmcSPL=%u&blSPL=%u&teeSPL=%u&snpSPL=%u&"
             "ucodeSPL=%u",
             hw, x.tcb.fmc, x.tcb.bootloader, x.tcb.tee, x.tcb.snp, x.tcb.microcode);
    cr_assert_str_eq(u.vek, want);
    snp_certs_free(c);
}

/* ---- the TCB's order and the minimum ---- */

Test(tcb, reported_committed_current_in_order) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    p.allow_provisional = true;
    snp_verdict_t v;
    /* COMMITTED and CURRENT below REPORTED (which the VCEK fixes). */
    kit_report(raw, dir, false, NULL);
    raw[0x1E0 + 6]--;
    raw[0x38 + 6]--;
    kit_resign(raw, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "tcb-order"), SNP_CHECK_FAIL);
    cr_assert(strstr(kit_find(&v, "tcb-order")->detail, "REPORTED_TCB snp 23 is above"), "%s",
              kit_find(&v, "tcb-order")->detail);
    /* COMMITTED above CURRENT. */
    kit_report(raw, dir, false, NULL);
    raw[0x38 + 7]--;
    kit_resign(raw, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "tcb-order")->detail, "COMMITTED_TCB ucode 212 is above"));
    /* A committed firmware newer than the running one. */
    kit_report(raw, dir, false, NULL);
    raw[0x1EC]++;
    kit_resign(raw, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "tcb-order")->detail, "committed firmware 1.55.41"));
    /* CURRENT above COMMITTED above REPORTED is how an update looks: fine (provisional aside). */
    kit_report(raw, dir, false, NULL);
    raw[0x38 + 7]++;
    kit_resign(raw, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    snp_certs_free(c);
}

Test(tcb, min_tcb_auto_names_the_bulletin) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    snp_verdict_t v;
    /* The simulated Genoa runs SNP SPL 23: SB-3019's floor, below SB-3020's. */
    cr_assert_eq(snp_policy_min_tcb(&p, "auto"), ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    const char *d = kit_find(&v, "min-tcb")->detail;
    cr_assert(strstr(d, "snp 23 < 27 (AMD-SB-3020, 2025-10-14)"), "%s", d);
    cr_assert_eq(snp_policy_min_tcb(&p, "auto:2025-06-30"), ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert(strstr(kit_find(&v, "min-tcb")->detail, "snp 23>=23"));
    cr_assert_eq(snp_policy_min_tcb(&p, "snp=24"), ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "min-tcb")->detail, "snp 23 < 24"));
    const char *bad[] = {
        "auto:2025-13-01", "auto:yesterday", "auto:", "automatic", "snp=256", NULL};
    for (const char **b = bad; *b; b++)
        cr_assert_neq(snp_policy_min_tcb(&p, *b), ATTEST_OK, "accepted '%s'", *b);
    snp_certs_free(c);
}

/* The table itself: per product, per silicon line, by date. */
Test(tcb, bulletin_table_lines_and_dates) {
    snp_min_tcb_t m;
    char err[256];
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_MILAN, true, 0x01, 1, NULL, err, sizeof err), 0);
    cr_assert_eq(m.tcb.microcode, 0xDB);
    cr_assert_eq(m.tcb.snp, 0x1D);
    cr_assert(strstr(m.source[SNP_TCB_SNP], "AMD-SB-3030"));
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_MILAN, true, 0x01, 2, NULL, err, sizeof err), 0);
    cr_assert_eq(m.tcb.microcode, 0x44, "Milan-X follows its own microcode line");
    cr_assert_str_eq(m.line, "Milan-X");
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_GENOA, true, 0xA0, 2, NULL, err, sizeof err), 0);
    cr_assert_eq(m.tcb.microcode, 0x19, "Bergamo/Siena: Zen 4c's line, not Genoa-X's");
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_GENOA, false, 0, 0, NULL, err, sizeof err), 0);
    cr_assert(m.line_assumed && m.tcb.microcode == 0x56, "a v2 report is held to the classic line");
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_GENOA, true, 0x11, 1, "2025-02-02", err, sizeof err),
                 0);
    cr_assert(!m.source[SNP_TCB_SNP][0] && !m.source[SNP_TCB_UCODE][0], "nothing before SB-3019");
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_GENOA, true, 0x11, 1, "2025-02-03", err, sizeof err),
                 0);
    cr_assert_eq(m.tcb.snp, 0x17);
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_TURIN, true, 0x02, 1, NULL, err, sizeof err), 0);
    cr_assert(m.tcb.snp == 0x04 && m.tcb.microcode == 0x51 && !m.source[SNP_TCB_FMC][0]);
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_TURIN, true, 0x11, 1, NULL, err, sizeof err), 0);
    cr_assert(!m.source[SNP_TCB_UCODE][0], "Turin dense: no microcode value is known");
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_UNKNOWN, true, 0, 0, NULL, err, sizeof err),
                 ATTEST_EINPUT);
    cr_assert_eq(snp_min_tcb_auto(&m, SNP_GEN_MILAN, true, 1, 1, "2025-1-1", err, sizeof err),
                 ATTEST_EINPUT);
}

/* ---- the launch identity ---- */

Test(launch, measurement_allow_list) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    snp_report_t r;
    kit_parse(&r, raw);
    uint8_t list[3][48];
    memset(list, 0xAB, sizeof list);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    p.measurements = (const uint8_t(*)[48])list;
    p.n_measurements = 3;
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "measurement")->detail, "is not among the 3 allowed values"));
    memcpy(list[2], r.measurement, 48);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert(strstr(kit_find(&v, "measurement")->detail, "entry 3 of 3"));
    snp_certs_free(c);
}

Test(launch, id_block_author_key_family_image_svn) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE], idk[1][48], ak[1][48], fam[16], img[16];
    memset(idk, 0x11, sizeof idk);
    memset(ak, 0x22, sizeof ak);
    memset(fam, 0x33, sizeof fam);
    memset(img, 0x44, sizeof img);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    p.id_key_digests = (const uint8_t(*)[48])idk;
    p.n_id_key_digests = 1;
    p.author_key_digests = (const uint8_t(*)[48])ak;
    p.n_author_key_digests = 1;
    p.family_id = fam;
    p.image_id = img;
    p.check_guest_svn = true;
    p.min_guest_svn = 2;
    snp_verdict_t v;
    /* The simulated guest launched with no ID block, author key, family or image, at SVN 1. */
    kit_report(raw, dir, false, NULL);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "id-key")->detail, "without an ID block"));
    cr_assert(strstr(kit_find(&v, "author-key")->detail, "AUTHOR_KEY_EN is 0"));
    cr_assert(strstr(kit_find(&v, "family-id")->detail, "FAMILY_ID is 0000"));
    cr_assert(strstr(kit_find(&v, "image-id")->detail, "IMAGE_ID is 0000"));
    cr_assert(strstr(kit_find(&v, "guest-svn")->detail, "GUEST_SVN 1, minimum 2"));
    /* A guest launched with all of them. */
    memcpy(raw + 0xE0, idk[0], 48);
    memcpy(raw + 0x110, ak[0], 48);
    raw[0x48] |= 1; /* AUTHOR_KEY_EN */
    memcpy(raw + 0x10, fam, 16);
    memcpy(raw + 0x20, img, 16);
    att_put_le32(raw + 0x04, 2);
    kit_resign(raw, dir);
    int rc = kit_verify(&v, raw, c, &p);
    if (rc) kit_dump(&v);
    cr_assert_eq(rc, ATTEST_OK);
    /* A different ID key is named. */
    raw[0xE0] ^= 1;
    kit_resign(raw, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "id-key"), SNP_CHECK_FAIL);
    cr_assert(strstr(kit_find(&v, "id-key")->detail, "ID_KEY_DIGEST 10111111"));
    snp_certs_free(c);
}

/* The guest policy bits, HOST_DATA and provisional firmware, each with the flag that admits it. */
Test(launch, guest_policy_host_data_and_provisional) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE], host[32];
    memset(host, 0x77, sizeof host);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    p.host_data = host;
    snp_verdict_t v;
    kit_report(raw, dir, false, NULL);
    uint64_t pol = att_le64(raw + 0x08) | SNP_POLICY_MIGRATE_MA | SNP_POLICY_DEBUG;
    att_put_le64(raw + 0x08, pol);
    raw[0x38 + 7]++; /* CURRENT above COMMITTED: provisional firmware */
    kit_resign(raw, dir);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    const char *fails[] = {"debug", "migrate-ma", "provisional", "host-data"};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(kit_status(&v, fails[i]), SNP_CHECK_FAIL, "%s", fails[i]);
    cr_assert(strstr(kit_find(&v, "host-data")->detail, "HOST_DATA is 0000"));
    p.allow_debug = p.allow_migrate_ma = p.allow_provisional = true;
    memcpy(raw + 0xC0, host, 32);
    kit_resign(raw, dir);
    int rc = kit_verify(&v, raw, c, &p);
    if (rc) kit_dump(&v);
    cr_assert_eq(rc, ATTEST_OK);
    snp_certs_free(c);
}

/* ---- the platform: PLATFORM_INFO, the v5 mitigation vectors, LAUNCH_TCB ---- */

/* PLATFORM_INFO is reported and, by flag, held to required and forbidden bits. */
Test(platform, platform_info_required_and_forbidden_bits) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    att_put_le64(raw + 0x40, SNP_PLATFORM_SMT_EN | SNP_PLATFORM_ECC_EN);
    kit_resign(raw, dir);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    snp_verdict_t v;
    /* By default the bits are shown, not judged. */
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert_eq(kit_status(&v, "platform-info"), SNP_CHECK_PASS);
    cr_assert(strstr(kit_find(&v, "platform-info")->detail, "0x5 (smt,ecc)"), "%s",
              kit_find(&v, "platform-info")->detail);
    /* SMT forbidden, TSME required: both named. */
    cr_assert_eq(snp_platform_bits_parse(&p.platform_forbid, "smt"), ATTEST_OK);
    cr_assert_eq(snp_platform_bits_parse(&p.platform_require, "tsme,ecc"), ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "platform-info"), SNP_CHECK_FAIL);
    const char *d = kit_find(&v, "platform-info")->detail;
    cr_assert(strstr(d, "required but clear: tsme") && strstr(d, "forbidden but set: smt"), "%s", d);
    /* What the platform has, required; what it lacks, forbidden: passes. */
    cr_assert_eq(snp_platform_bits_parse(&p.platform_require, "smt,ecc"), ATTEST_OK);
    cr_assert_eq(snp_platform_bits_parse(&p.platform_forbid, "tsme,ciphertext-hiding,tio"),
                 ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    /* The JSON result carries the bits. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    attest_verdict_json(f, &v);
    fclose(f);
    cr_assert(strstr(buf, "\"platform_info\":{\"raw\":\"0x5\",\"smt\":true,\"tsme\":false,"
                          "\"ecc\":true"),
              "%s", buf);
    cr_assert(strstr(buf, "\"mit_vectors\":{\"launch\":\"0x0\",\"current\":\"0x0\"}"), "%s", buf);
    free(buf);
    /* Names: unknown, empty, doubled commas are refused. */
    uint64_t m;
    cr_assert_eq(snp_platform_bits_parse(&m, "alias-check,rapl-dis"), ATTEST_OK);
    cr_assert_eq(m, SNP_PLATFORM_ALIAS_CHECK_COMPLETE | SNP_PLATFORM_RAPL_DIS);
    cr_assert_eq(snp_platform_bits_parse(&m, "smt,,ecc"), ATTEST_EINPUT);
    cr_assert_eq(snp_platform_bits_parse(&m, ""), ATTEST_EINPUT);
    cr_assert_eq(snp_platform_bits_parse(&m, "smt,"), ATTEST_EINPUT);
    cr_assert_eq(snp_platform_bits_parse(&m, "sm"), ATTEST_EINPUT);
    snp_certs_free(c);
}

/* The v5 mitigation vectors must hold the required bits, at launch and now; a report older
 * than v5 has none, so requiring any fails it. */
Test(platform, mitigation_vectors_of_version_5) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    att_put_le64(raw + 0x1F8, 0x3); /* LAUNCH_MIT_VECTOR */
    att_put_le64(raw + 0x200, 0x7); /* CURRENT_MIT_VECTOR */
    kit_resign(raw, dir);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert_null(kit_find(&v, "mit-vector"));
    p.check_mit_vector = true;
    p.mit_vector_require = 0x3;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert_eq(kit_status(&v, "mit-vector"), SNP_CHECK_PASS);
    p.mit_vector_require = 0x4; /* mitigated now, not when the guest launched */
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "mit-vector")->detail, "missing at launch 0x4, now 0x0"), "%s",
              kit_find(&v, "mit-vector")->detail);
    /* The same report as version 3: the vectors' bytes are reserved and zero there. */
    kit_report(raw, dir, false, NULL);
    att_put_le32(raw, 3);
    kit_resign(raw, dir);
    p.mit_vector_require = 0;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "mit-vector")->detail, "version 3 report has no mitigation"));
    snp_certs_free(c);
}

/* LAUNCH_TCB, the TCB the guest started on, is held to the same minimum as REPORTED_TCB. */
Test(tcb, launch_tcb_held_to_the_minimum) {
    const char *dir = GENOA();
    uint8_t raw[SNP_REPORT_SIZE];
    kit_report(raw, dir, false, NULL);
    raw[0x1F0 + 6] = 20; /* LAUNCH_TCB snp 20, below the report's 23 */
    kit_resign(raw, dir);
    snp_certs_t *c = kit_certs(dir, kit_vcek_chain);
    snp_policy_t p;
    kit_policy(&p, dir);
    snp_verdict_t v;
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK); /* no minimum asked: not checked */
    cr_assert_null(kit_find(&v, "launch-tcb"));
    cr_assert_eq(snp_policy_min_tcb(&p, "snp=21"), ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert_eq(kit_status(&v, "min-tcb"), SNP_CHECK_PASS);
    cr_assert_eq(kit_status(&v, "launch-tcb"), SNP_CHECK_FAIL);
    cr_assert(strstr(kit_find(&v, "launch-tcb")->detail, "LAUNCH_TCB (bl 10, tee 0, snp 20"), "%s",
              kit_find(&v, "launch-tcb")->detail);
    /* auto: the bulletins' floor (snp 0x1B for Genoa) names LAUNCH_TCB too. */
    cr_assert_eq(snp_policy_min_tcb(&p, "auto"), ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_REJECTED);
    cr_assert(strstr(kit_find(&v, "launch-tcb")->detail, "LAUNCH_TCB is below AMD's bulletins"),
              "%s", kit_find(&v, "launch-tcb")->detail);
    /* At the minimum: passes. */
    cr_assert_eq(snp_policy_min_tcb(&p, "snp=20"), ATTEST_OK);
    cr_assert_eq(kit_verify(&v, raw, c, &p), ATTEST_OK);
    cr_assert_eq(kit_status(&v, "launch-tcb"), SNP_CHECK_PASS);
    snp_certs_free(c);
}
