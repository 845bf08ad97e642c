/* tcbtable.c: the minimum TCB that AMD's security bulletins require of each product, in one
 * table, and the floor `--min-tcb auto` derives from it for one part. Update the table when AMD
 * publishes a bulletin; nothing else needs to change.
 *
 * How to read a row. A bulletin names, per product, the firmware and microcode that fix it, and
 * the TCB values an attestation report shows once they run: TCB[SNP] is the SNP firmware SPL,
 * and TCB[MICROCODE] is the low byte of the fixed microcode patch level (SB-3027 calls the
 * column "TCB Value for Attestation"). Microcode numbering is per silicon line, so a microcode
 * value holds only for the line it names: the classic parts, the 3D V-Cache parts (stepping 2:
 * Milan-X, Genoa-X), or Genoa's Zen 4c models A0h-AFh (Bergamo, Siena). SNP, bootloader, TEE and
 * FMC values are the product's PSP firmware and hold for all its lines.
 *
 * Where the values come from. This machine has no network, so no row was read from AMD's own
 * pages here. Each value below is one that other verifiers and tools quote from the bulletin,
 * with their name, and marked SINGLE SOURCE where only one quote was found. -1 means the bulletin
 * names no value for that component, or none that could be confirmed: the component is then not
 * held to that bulletin (the check says so). Values not confirmed are left out, not guessed:
 *   - Milan: no SNP value of AMD-SB-3019/3020/3027 was found quoted; its microcode values were.
 *   - AMD-SB-3034 (Fabricked, CVE-2025-54510): one quote gives Genoa TCB[SNP] >= 0x1C, another
 *     says AMD removed the bulletin's TCB values. Left out until confirmed.
 *   - Turin dense (models 10h-1Fh) and Genoa's Zen 4c parts after SB-3019: no microcode values.
 *   - AMD-SB-3016 also asks for a host OS update that the report shows in the v5 mitigation
 *     vector (bit 2); that is not a TCB value and is not checked here. */
#include <stdio.h>
#include <string.h>

#include "attest/attest_int.h"

enum { LINE_CLASSIC = 1, LINE_X = 2, LINE_ZEN4C = 4, LINE_ALL = 7 };

typedef struct {
    snp_gen_t gen;
    unsigned lines;       /* LINE_*: the silicon lines the values hold for */
    const char *bulletin; /* and its date: YYYY-MM-DD, or YYYY-MM where only the month is known */
    const char *date;
    int fmc, bl, tee, snp, ucode; /* -1: not required by this bulletin (or not confirmed) */
} tcb_row_t;

/* Sources (each value below names the ones that give it; none is quoted verbatim):
 *  [fwupd]  fwupd's AMD plugin, its table of the microcode revision that fixes EntrySign per
 *           CPUID signature: 00A00F11 (Milan) 0A0011DB, 00A00F12 (Milan-X) 0A001244, 00A10F11
 *           (Genoa) 0A101154, 00A10F12 (Genoa-X) 0A10124F, 00AA0F02 (Bergamo/Siena) 0AA00219.
 *  [aleph]  aleph-vm's SEV-SNP TCB floor, which gives the same five revisions as SB-3019's.
 *  [tf-go]  a Go verifier's floor, citing SB-3019/3020 for SNP SPL 0x1B on Genoa and Genoa-X
 *           and 0x04 on Turin, and SB-3027 for microcode 0x56 (Genoa), 0x51 (Genoa-X, Turin).
 *  [review] (rv) a published review of a Genoa deployment citing the bulletins: SB-3019 Genoa:
 *           SEV firmware 1.55.40, SNP 0x17, microcode 0A101154; SB-3020 Genoa: SNP 0x1B,
 *           microcode 0A101156 (Genoa-X 0A101251); Turin: SNP 0x04, microcode 0B002150;
 *           SB-3027: microcode 0x56 (Genoa), 0x51 (Genoa-X, Turin).
 *  [sb3016] another project's test citing SB-3016 (2026-04-14) for SNP 0x1B on Milan and Genoa
 *           (SINGLE SOURCE).
 *  [sb3030] another project citing SB-3030 (May 2026) for SNP 0x1D on Milan (SINGLE SOURCE; the
 *           day of the month not given).
 * Dates: SB-3019 2025-02-03 (CVE-2024-56161's publication), SB-3020 2025-10-14 (CVE-2025-0033's
 * publication), SB-3027 2026-01 (StackWarp's public disclosure; the bulletin's day unconfirmed). */
/* clang-format off */
#define MILAN SNP_GEN_MILAN
#define GENOA SNP_GEN_GENOA
#define TURIN SNP_GEN_TURIN
#define _ (-1)
static const tcb_row_t rows[] = {
    /* product  lines         bulletin       date          fmc bl tee  snp ucode   quoted by   */
    /* AMD-SB-3019: CVE-2024-56161, microcode signature verification (EntrySign). */
    {MILAN, LINE_CLASSIC, "AMD-SB-3019", "2025-02-03", _, _, _, _,    0xDB}, /* fwupd, aleph */
    {MILAN, LINE_X,       "AMD-SB-3019", "2025-02-03", _, _, _, _,    0x44}, /* fwupd, aleph */
    {GENOA, LINE_ALL,     "AMD-SB-3019", "2025-02-03", _, _, _, 0x17, _},    /* review */
    {GENOA, LINE_CLASSIC, "AMD-SB-3019", "2025-02-03", _, _, _, _,    0x54}, /* fwupd, aleph, rv */
    {GENOA, LINE_X,       "AMD-SB-3019", "2025-02-03", _, _, _, _,    0x4F}, /* fwupd, aleph, rv */
    {GENOA, LINE_ZEN4C,   "AMD-SB-3019", "2025-02-03", _, _, _, _,    0x19}, /* fwupd, aleph */
    /* AMD-SB-3020: CVE-2025-0033, RMP initialization (RMPocalypse). */
    {GENOA, LINE_ALL,     "AMD-SB-3020", "2025-10-14", _, _, _, 0x1B, _},    /* tf-go, review */
    {GENOA, LINE_CLASSIC, "AMD-SB-3020", "2025-10-14", _, _, _, _,    0x56}, /* review */
    {GENOA, LINE_X,       "AMD-SB-3020", "2025-10-14", _, _, _, _,    0x51}, /* review */
    {TURIN, LINE_ALL,     "AMD-SB-3020", "2025-10-14", _, _, _, 0x04, _},    /* tf-go, review */
    {TURIN, LINE_CLASSIC, "AMD-SB-3020", "2025-10-14", _, _, _, _,    0x50}, /* review */
    /* AMD-SB-3027: CVE-2025-29943, stack engine (StackWarp). */
    {GENOA, LINE_CLASSIC, "AMD-SB-3027", "2026-01",    _, _, _, _,    0x56}, /* tf-go, review */
    {GENOA, LINE_X,       "AMD-SB-3027", "2026-01",    _, _, _, _,    0x51}, /* tf-go, review */
    {TURIN, LINE_CLASSIC, "AMD-SB-3027", "2026-01",    _, _, _, _,    0x51}, /* tf-go, review */
    /* AMD-SB-3016: CVE-2023-20585, IOMMU (and a host OS update, not a TCB value). */
    {MILAN, LINE_ALL,     "AMD-SB-3016", "2026-04-14", _, _, _, 0x1B, _},    /* sb3016 */
    {GENOA, LINE_ALL,     "AMD-SB-3016", "2026-04-14", _, _, _, 0x1B, _},    /* sb3016 */
    /* AMD-SB-3030: CVE-2025-61971, NBIO register lock bits. */
    {MILAN, LINE_ALL,     "AMD-SB-3030", "2026-05",    _, _, _, 0x1D, _},    /* sb3030 */
};
#undef _
/* clang-format on */

const char *snp_tcb_field_name(snp_tcb_field_t f) {
    static const char *names[] = {"fmc", "bl", "tee", "snp", "ucode"};
    return (unsigned)f < 5 ? names[f] : "?";
}

uint8_t snp_tcb_get(const snp_tcb_t *t, snp_tcb_field_t f) {
    switch (f) {
    case SNP_TCB_FMC:
        return t->fmc;
    case SNP_TCB_BL:
        return t->bootloader;
    case SNP_TCB_TEE:
        return t->tee;
    case SNP_TCB_SNP:
        return t->snp;
    default:
        return t->microcode;
    }
}

static void tcb_set(snp_tcb_t *t, snp_tcb_field_t f, uint8_t v) {
    switch (f) {
    case SNP_TCB_FMC:
        t->fmc = v;
        break;
    case SNP_TCB_BL:
        t->bootloader = v;
        break;
    case SNP_TCB_TEE:
        t->tee = v;
        break;
    case SNP_TCB_SNP:
        t->snp = v;
        break;
    default:
        t->microcode = v;
        break;
    }
}

/* YYYY-MM-DD with a plausible month and day. */
static bool valid_date(const char *s) {
    int y, m, d;
    char tail;
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
           sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 2000 && m >= 1 && m <= 12 &&
           d >= 1 && d <= 31;
}

/* Which microcode numbering a part follows (the header comment). A v2 report names no model or
 * stepping: the classic line, whose numbers are the highest, is assumed. */
static unsigned line_of(snp_gen_t gen, bool has_cpuid, uint8_t model, uint8_t stepping,
                        const char **name) {
    *name = "classic";
    if (!has_cpuid) return LINE_CLASSIC;
    if (gen == SNP_GEN_GENOA && model >= 0xA0 && model <= 0xAF) {
        *name = "Zen 4c (Bergamo/Siena)";
        return LINE_ZEN4C;
    }
    if ((gen == SNP_GEN_MILAN || gen == SNP_GEN_GENOA) && stepping == 2) {
        *name = gen == SNP_GEN_MILAN ? "Milan-X" : "Genoa-X";
        return LINE_X;
    }
    if (gen == SNP_GEN_TURIN && model >= 0x10) {
        *name = "Turin dense";
        return 0; /* no microcode row names this line yet */
    }
    return LINE_CLASSIC;
}

zbp_status snp_min_tcb_auto(snp_min_tcb_t *out, snp_gen_t gen, bool has_cpuid, uint8_t model,
                     uint8_t stepping, const char *as_of, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (gen != SNP_GEN_MILAN && gen != SNP_GEN_GENOA && gen != SNP_GEN_TURIN)
        return zbp_fail(err, errlen, ZBP_ERR_INPUT,
                        "the bulletin table needs the product (Milan, Genoa or Turin)");
    if (as_of && *as_of && !valid_date(as_of))
        return zbp_fail(err, errlen, ZBP_ERR_INPUT, "'%s' is not a date YYYY-MM-DD", as_of);
    unsigned line = line_of(gen, has_cpuid, model, stepping, &out->line);
    out->line_assumed = !has_cpuid;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const tcb_row_t *r = &rows[i];
        if (r->gen != gen || !(r->lines & line)) continue;
        /* A row dated by month only counts from that month on. */
        if (as_of && *as_of && strncmp(r->date, as_of, strlen(r->date)) > 0) continue;
        const int v[5] = {r->fmc, r->bl, r->tee, r->snp, r->ucode};
        for (int f = 0; f < 5; f++)
            if (v[f] >= 0 && (!out->source[f][0] || v[f] > snp_tcb_get(&out->tcb, f))) {
                tcb_set(&out->tcb, f, (uint8_t)v[f]);
                snprintf(out->source[f], sizeof out->source[f], "%s, %s", r->bulletin, r->date);
            }
    }
    return ZBP_OK;
}
