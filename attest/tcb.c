/* tcb.c: the TCB checks: the VEK was derived for REPORTED_TCB (its SPL extensions equal it), the
 * report's TCBs are in order (REPORTED <= COMMITTED <= CURRENT), and REPORTED_TCB and LAUNCH_TCB
 * meet a minimum,
 * the caller's or the bulletin table's (tcbtable.c). */
#include <stdio.h>
#include <string.h>

#include "attest/attest_int.h"

void att_fmt_tcb(char *buf, size_t len, const snp_tcb_t *t, snp_layout_t layout) {
    if (layout == SNP_LAYOUT_TURIN)
        snprintf(buf, len, "fmc %u, bl %u, tee %u, snp %u, ucode %u", t->fmc, t->bootloader, t->tee,
                 t->snp, t->microcode);
    else
        snprintf(buf, len, "bl %u, tee %u, snp %u, ucode %u", t->bootloader, t->tee, t->snp,
                 t->microcode);
}

/* The components a layout has: FMC only on Turin. */
static int first_field(snp_layout_t layout) {
    return layout == SNP_LAYOUT_TURIN ? SNP_TCB_FMC : SNP_TCB_BL;
}

void att_check_tcb(snp_verdict_t *v, const att_ctx_t *cx, snp_layout_t layout) {
    const snp_vek_ext_t *x = &cx->x;
    if (layout == SNP_LAYOUT_UNKNOWN) {
        att_verdict_add(v, "tcb", SNP_CHECK_FAIL,
                        "the TCB layout is unknown (no CPUID bytes, productName or CHIP_ID): pass "
                        "--product");
        return;
    }
    bool turin = layout == SNP_LAYOUT_TURIN;
    /* Each SPL is found by its exact OID (certs.c): a neighbouring OID that merely shares a
     * prefix is not the extension, so a VEK without it fails here. */
    if (!x->has_bl || !x->has_tee || !x->has_snp || !x->has_ucode || (turin && !x->has_fmc)) {
        att_verdict_add(v, "tcb", SNP_CHECK_FAIL,
                        "the %s lacks a TCB extension (bl/tee/snp/ucode%s SPL)", cx->vname,
                        turin ? "/fmc" : "");
        return;
    }
    snp_tcb_t rep, cert = x->tcb;
    snp_tcb_decode(&rep, cx->r->reported_tcb, layout);
    if (!turin) cert.fmc = 0;
    char a[96], b[96];
    att_fmt_tcb(a, sizeof a, &rep, layout);
    att_fmt_tcb(b, sizeof b, &cert, layout);
    if (memcmp(&rep, &cert, sizeof rep))
        att_verdict_add(v, "tcb", SNP_CHECK_FAIL, "REPORTED_TCB (%s) differs from the %s's (%s)", a,
                        cx->vname, b);
    else
        att_verdict_add(v, "tcb", SNP_CHECK_PASS, "REPORTED_TCB = %s's TCB (%s)", cx->vname, a);
}

/* The first component where lo > hi, or -1. */
static int above(const snp_tcb_t *lo, const snp_tcb_t *hi, snp_layout_t layout) {
    for (int f = first_field(layout); f <= SNP_TCB_UCODE; f++)
        if (snp_tcb_get(lo, f) > snp_tcb_get(hi, f)) return f;
    return -1;
}

/* The host may report a TCB below the one the firmware committed (to ease an update), and the
 * committed one may trail the running one until it is committed; never the other way round. A
 * report out of this order is not one firmware would sign. */
void att_check_tcb_order(snp_verdict_t *v, const att_ctx_t *cx, snp_layout_t layout) {
    if (layout == SNP_LAYOUT_UNKNOWN) {
        att_verdict_add(v, "tcb-order", SNP_CHECK_FAIL,
                        "the TCB layout is unknown: pass --product");
        return;
    }
    const snp_report_t *r = cx->r;
    snp_tcb_t rep, com, cur;
    snp_tcb_decode(&rep, r->reported_tcb, layout);
    snp_tcb_decode(&com, r->committed_tcb, layout);
    snp_tcb_decode(&cur, r->current_tcb, layout);
    int f;
    if ((f = above(&rep, &com, layout)) >= 0)
        att_verdict_add(v, "tcb-order", SNP_CHECK_FAIL,
                        "REPORTED_TCB %s %u is above COMMITTED_TCB's %u", snp_tcb_field_name(f),
                        snp_tcb_get(&rep, f), snp_tcb_get(&com, f));
    else if ((f = above(&com, &cur, layout)) >= 0)
        att_verdict_add(v, "tcb-order", SNP_CHECK_FAIL,
                        "COMMITTED_TCB %s %u is above CURRENT_TCB's %u", snp_tcb_field_name(f),
                        snp_tcb_get(&com, f), snp_tcb_get(&cur, f));
    else if ((r->committed_major << 16 | r->committed_minor << 8 | r->committed_build) >
             (r->current_major << 16 | r->current_minor << 8 | r->current_build))
        att_verdict_add(v, "tcb-order", SNP_CHECK_FAIL,
                        "the committed firmware %u.%u.%u is newer than the running %u.%u.%u",
                        r->committed_major, r->committed_minor, r->committed_build,
                        r->current_major, r->current_minor, r->current_build);
    else
        att_verdict_add(v, "tcb-order", SNP_CHECK_PASS, "REPORTED <= COMMITTED <= CURRENT");
}

/* The caller's explicit minimum, for one of the report's TCBs (name: the check, field: the
 * report field, raw: its value). */
static void min_explicit(snp_verdict_t *v, const att_ctx_t *cx, snp_layout_t layout,
                         const char *name, const char *field, uint64_t raw) {
    snp_tcb_t t, m = cx->p->min_tcb;
    snp_tcb_decode(&t, raw, layout);
    if (layout != SNP_LAYOUT_TURIN) m.fmc = 0;
    int f = above(&m, &t, layout);
    char a[96], b[96];
    att_fmt_tcb(a, sizeof a, &t, layout);
    att_fmt_tcb(b, sizeof b, &m, layout);
    if (f >= 0)
        att_verdict_add(v, name, SNP_CHECK_FAIL, "%s (%s) is below the minimum (%s): %s %u < %u",
                        field, a, b, snp_tcb_field_name(f), snp_tcb_get(&t, f),
                        snp_tcb_get(&m, f));
    else
        att_verdict_add(v, name, SNP_CHECK_PASS, "%s (%s) meets the minimum (%s)", field, a, b);
}

/* The bulletin table's floor: every component below it is named with its bulletin. */
static void min_auto(snp_verdict_t *v, const att_ctx_t *cx, const snp_gen_info_t *g,
                     const char *name, const char *field, uint64_t raw) {
    const snp_report_t *r = cx->r;
    snp_min_tcb_t m;
    char msg[200];
    if (snp_min_tcb_auto(&m, g->gen, r->has_cpuid, r->cpuid_mod_id, r->cpuid_step,
                         cx->p->min_tcb_as_of, msg, sizeof msg)) {
        att_verdict_add(v, name, SNP_CHECK_FAIL, "--min-tcb auto: %s: pass --product", msg);
        return;
    }
    snp_tcb_t t;
    snp_tcb_decode(&t, raw, g->layout);
    char below[256] = "", met[256] = "";
    for (int f = first_field(g->layout); f <= SNP_TCB_UCODE; f++) {
        if (!m.source[f][0]) continue;
        unsigned have = snp_tcb_get(&t, f), need = snp_tcb_get(&m.tcb, f);
        char one[80];
        if (have < need) {
            snprintf(one, sizeof one, "%s%s %u < %u (%s)", below[0] ? "; " : "",
                     snp_tcb_field_name(f), have, need, m.source[f]);
            strncat(below, one, sizeof below - strlen(below) - 1);
        } else {
            snprintf(one, sizeof one, "%s%s %u>=%u", met[0] ? ", " : "", snp_tcb_field_name(f),
                     have, need);
            strncat(met, one, sizeof met - strlen(met) - 1);
        }
    }
    bool nb = below[0], nm = met[0];
    const char *line = m.line_assumed ? "classic (assumed: a v2 report names no stepping)" : m.line;
    if (nb)
        att_verdict_add(v, name, SNP_CHECK_FAIL, "%s is below AMD's bulletins for %s %s: %s",
                        field, snp_gen_name(g->gen), line, below);
    else if (!nm)
        att_verdict_add(v, name, SNP_CHECK_FAIL,
                        "the bulletin table has no value for %s %s: set --min-tcb explicitly",
                        snp_gen_name(g->gen), line);
    else
        att_verdict_add(v, name, SNP_CHECK_PASS, "%s meets AMD's bulletins for %s %s (%s)", field,
                        snp_gen_name(g->gen), line, met);
}

/* REPORTED_TCB (what the VEK was derived for) and LAUNCH_TCB (what the guest was launched on: a
 * guest started on a vulnerable TCB may have leaked its secrets before an update) are both held
 * to the minimum. */
void att_check_min_tcb(snp_verdict_t *v, const att_ctx_t *cx, const snp_gen_info_t *g) {
    if (!cx->p->check_min_tcb) return;
    static const char *names[2] = {"min-tcb", "launch-tcb"}, *fields[2] = {"REPORTED_TCB",
                                                                           "LAUNCH_TCB"};
    uint64_t raws[2] = {cx->r->reported_tcb, cx->r->launch_tcb};
    for (int k = 0; k < 2; k++) {
        if (g->layout == SNP_LAYOUT_UNKNOWN)
            att_verdict_add(v, names[k], SNP_CHECK_FAIL,
                            "the TCB layout is unknown: pass --product");
        else if (cx->p->min_tcb_auto)
            min_auto(v, cx, g, names[k], fields[k], raws[k]);
        else
            min_explicit(v, cx, g->layout, names[k], fields[k], raws[k]);
    }
}
