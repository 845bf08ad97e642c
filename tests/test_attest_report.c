/* test_attest_report.c: the attest room without vectors or keys: parser checks, generations, TCB
 * layouts, printer, certificate tables, KDS URLs, binding transcripts (numbers from the vectors). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/attest.h"
#include "attest/attest_int.h" /* att_verdict_add, the fail-closed recorder */

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static size_t unhex(uint8_t *out, const char *hex) {
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

/* A well-formed (unsigned-in-fact) report of the given version: parsing does not check the
 * signature, only the format. */
static void base_report(uint8_t b[SNP_REPORT_SIZE], uint32_t version) {
    memset(b, 0, SNP_REPORT_SIZE);
    put32(b, version);
    put64(b + 0x08, 0x30000);
    put32(b + 0x34, 1);
    put64(b + 0x38, 0x7308000000000003ull);
    put64(b + 0x180, 0x7308000000000003ull);
    put64(b + 0x1E0, 0x7308000000000003ull);
    for (int i = 0; i < 64; i++) b[0x1A0 + i] = (uint8_t)(i + 1);
    if (version >= 3) {
        b[0x188] = 0x19;
        b[0x189] = 0x01;
        b[0x18A] = 0x01;
    }
    b[0x2A0] = 1;
    b[0x2E8] = 2;
}

static int parse(const uint8_t *b, size_t len, char *err) {
    snp_report_t r;
    return snp_report_parse(&r, b, len, err, 256);
}

Test(report, parses_versions_2_3_5) {
    uint8_t b[SNP_REPORT_SIZE];
    char err[256];
    snp_report_t r;
    for (uint32_t v = 2; v <= 5; v++) {
        base_report(b, v);
        cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK, "v%u: %s", v,
                     err);
        cr_assert_eq(r.version, v);
        cr_assert_eq(r.has_cpuid, v >= 3);
        cr_assert_eq(r.has_mit_vectors, v >= 5);
        cr_assert_eq(r.warnings, 0);
        cr_assert_eq(r.reported_tcb, 0x7308000000000003ull);
    }
    base_report(b, 5);
    put64(b + 0x1F8, 0x11);
    put64(b + 0x200, 0x22);
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(r.launch_mit_vector, 0x11);
    cr_assert_eq(r.current_mit_vector, 0x22);
    /* the same bytes are reserved in v3 */
    b[0] = 3;
    cr_assert_eq(parse(b, sizeof b, err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "0x1f8"), "%s", err);
}

Test(report, later_version_warns) {
    uint8_t b[SNP_REPORT_SIZE];
    char err[256], w[320];
    snp_report_t r;
    base_report(b, 7);
    b[0x210] = 0x5a; /* a field a later version may define */
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert(r.warnings & SNP_WARN_NEWER_VERSION);
    snp_report_warnings(&r, w, sizeof w);
    cr_assert(strstr(w, "VERSION 7"), "%s", w);
}

Test(report, rejects_bad_format) {
    uint8_t b[SNP_REPORT_SIZE + 1];
    char err[256];
    base_report(b, 2);
    cr_assert_eq(parse(b, SNP_REPORT_SIZE - 1, err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "1183 bytes"), "%s", err);
    cr_assert_eq(parse(b, SNP_REPORT_SIZE + 1, err), ZBP_ERR_INPUT);
    cr_assert_eq(parse(NULL, 0, err), ZBP_ERR_INPUT);

    struct {
        size_t off;
        uint8_t val;
        const char *msg;
    } cases[] = {
        {0x00, 1, "VERSION 1"},
        {0x34, 2, "SIGNATURE_ALGO 2"},
        {0x48, 7 << 2, "SIGNING_KEY 7"},
        {0x48, 2 << 2, "SIGNING_KEY 2"},
        {0x48, 0x20, "bits 31:5"},
        {0x0A, 0x01, "bit 17"},      /* 0x30000 -> 0x10000: bit 17 cleared */
        {0x0B, 0x04, "63:26"},       /* bit 26 */
        {0x4C, 1, "0x04c"},
        {0x188, 1, "0x188"},         /* v2: CPUID bytes are reserved */
        {0x19F, 1, "0x19f"},
        {0x1EB, 1, "0x1eb"},
        {0x1EF, 1, "0x1ef"},
        {0x208, 1, "0x208"},
        {0x29F, 1, "0x29f"},
        {0x2A0 + 48, 1, "SIGNATURE.R"},
        {0x2E8 + 71, 1, "SIGNATURE.S"},
        {0x330, 1, "signature tail"},
        {0x49F, 1, "0x49f"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        base_report(b, 2);
        b[cases[i].off] = cases[i].val;
        cr_assert_eq(parse(b, SNP_REPORT_SIZE, err), ZBP_ERR_INPUT, "case %zu accepted", i);
        cr_assert(strstr(err, cases[i].msg), "case %zu: '%s' lacks '%s'", i, err, cases[i].msg);
    }
    /* v3 keeps 0x188..0x18A for CPUID but 0x18B.. is reserved */
    base_report(b, 3);
    b[0x18B] = 1;
    cr_assert_eq(parse(b, SNP_REPORT_SIZE, err), ZBP_ERR_INPUT);
}

Test(report, platform_info_unknown_bits_warn) {
    uint8_t b[SNP_REPORT_SIZE];
    char err[256];
    snp_report_t r;
    base_report(b, 3);
    put64(b + 0x40, 0x67); /* what a real Turin part reports: bit 6 is set */
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert(r.warnings & SNP_WARN_PLATFORM_INFO);
}

Test(report, generation_rules) {
    uint8_t b[SNP_REPORT_SIZE];
    char err[256];
    snp_report_t r;
    snp_gen_info_t g;
    cr_assert_eq(snp_gen_from_cpuid(0x19, 0x01), SNP_GEN_MILAN);
    cr_assert_eq(snp_gen_from_cpuid(0x19, 0x11), SNP_GEN_GENOA);
    cr_assert_eq(snp_gen_from_cpuid(0x19, 0xA0), SNP_GEN_GENOA);
    cr_assert_eq(snp_gen_from_cpuid(0x19, 0x30), SNP_GEN_UNKNOWN);
    cr_assert_eq(snp_gen_from_cpuid(0x1A, 0x02), SNP_GEN_TURIN);
    cr_assert_eq(snp_gen_from_cpuid(0x17, 0x01), SNP_GEN_UNKNOWN);
    cr_assert_eq(snp_gen_from_product_name("Milan-B0"), SNP_GEN_MILAN);
    cr_assert_eq(snp_gen_from_product_name("Genoa"), SNP_GEN_GENOA);
    cr_assert_eq(snp_gen_from_product_name("Turin"), SNP_GEN_TURIN);
    cr_assert_eq(snp_gen_from_product_name("Milanese"), SNP_GEN_UNKNOWN);
    cr_assert_eq(snp_gen_from_product_name(NULL), SNP_GEN_UNKNOWN);

    /* v3: the CPUID bytes win over a disagreeing productName */
    base_report(b, 3);
    b[0x188] = 0x1A;
    b[0x189] = 0x02;
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK);
    snp_report_generation(&g, &r, "Milan-B0", SNP_GEN_UNKNOWN);
    cr_assert_eq(g.gen, SNP_GEN_TURIN);
    cr_assert_eq(g.layout, SNP_LAYOUT_TURIN);
    cr_assert_eq(g.source, SNP_FROM_CPUID);

    /* v2: productName, else the hint, else CHIP_ID */
    base_report(b, 2);
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK);
    snp_report_generation(&g, &r, "Genoa", SNP_GEN_UNKNOWN);
    cr_assert_eq(g.gen, SNP_GEN_GENOA);
    cr_assert_eq(g.source, SNP_FROM_PRODUCT_NAME);
    snp_report_generation(&g, &r, NULL, SNP_GEN_MILAN);
    cr_assert_eq(g.gen, SNP_GEN_MILAN);
    cr_assert_eq(g.source, SNP_FROM_HINT);
    snp_report_generation(&g, &r, NULL, SNP_GEN_UNKNOWN);
    cr_assert_eq(g.gen, SNP_GEN_UNKNOWN);
    cr_assert_eq(g.layout, SNP_LAYOUT_LEGACY);
    cr_assert_eq(g.source, SNP_FROM_CHIP_ID);
    memset(r.chip_id + 8, 0, 56); /* Turin's 8-byte CHIP_ID */
    snp_report_generation(&g, &r, NULL, SNP_GEN_UNKNOWN);
    cr_assert_eq(g.gen, SNP_GEN_TURIN);
    memset(r.chip_id, 0, 64); /* masked: nothing to go on */
    snp_report_generation(&g, &r, NULL, SNP_GEN_UNKNOWN);
    cr_assert_eq(g.layout, SNP_LAYOUT_UNKNOWN);
}

Test(report, tcb_layouts) {
    snp_tcb_t t;
    /* a real Turin report: fmc 0, bl 1, tee 0, snp 2, ucode 0x47 */
    snp_tcb_decode(&t, 0x4700000002000100ull, SNP_LAYOUT_TURIN);
    cr_assert(t.fmc == 0 && t.bootloader == 1 && t.tee == 0 && t.snp == 2 && t.microcode == 0x47);
    snp_tcb_decode(&t, 0x4405000000000002ull, SNP_LAYOUT_LEGACY);
    cr_assert(t.fmc == 0 && t.bootloader == 2 && t.tee == 0 && t.snp == 5 && t.microcode == 68);
    snp_tcb_decode(&t, 0xd918000000000004ull, SNP_LAYOUT_LEGACY);
    cr_assert(t.bootloader == 4 && t.snp == 24 && t.microcode == 217);
}

Test(report, printer_covers_every_field) {
    uint8_t b[SNP_REPORT_SIZE];
    char err[256];
    snp_report_t r;
    base_report(b, 5);
    put64(b + 0x08, 0x30000 | (1u << 19));
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK, "%s", err);
    static const char *keys[] = {
        "version", "guest_svn", "policy", "debug", "family_id", "image_id", "vmpl",
        "signature_algo", "current_tcb", "platform_info", "key_info", "signing_key", "report_data",
        "measurement", "host_data", "id_key_digest", "author_key_digest", "report_id",
        "report_id_ma", "reported_tcb", "cpuid", "chip_id", "committed_tcb", "current_version",
        "committed_version", "launch_tcb", "launch_mit_vector", "current_mit_vector", "signature",
        "generation"};
    for (int json = 0; json < 2; json++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        cr_assert_eq(snp_report_print(f, &r, NULL, json), ZBP_OK);
        fclose(f);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            char want[64];
            snprintf(want, sizeof want, json ? "\"%s\":" : "%s", keys[k]);
            cr_assert(strstr(buf, want), "%s output lacks %s", json ? "JSON" : "text", keys[k]);
        }
        if (json) {
            cr_assert(strstr(buf, "\"debug\":true"));
            cr_assert(strstr(buf, "\"product\":\"Milan\""));
            int depth = 0;
            for (char *p = buf; *p; p++) {
                depth += *p == '{';
                depth -= *p == '}';
                cr_assert_geq(depth, 0);
            }
            cr_assert_eq(depth, 0);
        }
        free(buf);
    }
}

/* ---- certificate tables ---- */

static void entry(uint8_t *t, size_t i, const char *guid_hex, uint32_t off, uint32_t len) {
    unhex(t + 24 * i, guid_hex);
    put32(t + 24 * i + 16, off);
    put32(t + 24 * i + 20, len);
}
#define VCEK_GUID "63da758de6644564adc5f4b93be8accd"
#define ASK_GUID "4ab7b379bbac4fe4a02f05aef327c782"


Test(certtable, build_and_parse) {
    const uint8_t a[] = "ark-bytes", k[] = "ask", v[] = "vcek-blob!";
    const uint8_t *blobs[] = {a, k, v};
    size_t lens[] = {sizeof a, sizeof k, sizeof v};
    snp_entry_kind_t kinds[] = {SNP_ENTRY_ARK, SNP_ENTRY_ASK, SNP_ENTRY_VCEK};
    uint8_t *t;
    size_t tl, n;
    char err[256];
    cr_assert_eq(snp_cert_table_build(&t, &tl, kinds, blobs, lens, 3, err, sizeof err), ZBP_OK);
    cr_assert_eq(tl, 4 * 24 + sizeof a + sizeof k + sizeof v);
    snp_cert_entry_t e[8];
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, tl, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(n, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(e[i].kind, kinds[i]);
        cr_assert_eq(e[i].length, lens[i]);
        cr_assert_eq(memcmp(t + e[i].offset, blobs[i], lens[i]), 0);
    }
    /* page padding after the blobs (as the ioctl returns it) is fine */
    uint8_t *padded = calloc(1, 4096);
    memcpy(padded, t, tl);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, padded, 4096, err, sizeof err), ZBP_OK);
    cr_assert_eq(n, 3);
    /* an empty blob is an empty table; so is a lone terminator */
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, NULL, 0, err, sizeof err), ZBP_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, padded + 2048, 24, err, sizeof err), ZBP_OK);
    cr_assert_eq(n, 0);
    /* max entries enforced */
    cr_assert_eq(snp_cert_table_parse(e, 2, &n, t, tl, err, sizeof err), ZBP_ERR_INPUT);
    free(padded);
    free(t);
}

Test(certtable, rejects_malformed) {
    uint8_t t[256];
    size_t n;
    char err[256];
    snp_cert_entry_t e[8];
    /* offset inside the header */
    memset(t, 0, sizeof t);
    entry(t, 0, VCEK_GUID, 24, 10);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 100, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "header"), "%s", err);
    /* past the end, including offset+length overflowing 32 bits */
    memset(t, 0, sizeof t);
    entry(t, 0, VCEK_GUID, 48, 60);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 100, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "past the end"), "%s", err);
    entry(t, 0, VCEK_GUID, 48, 0xFFFFFFF0u);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 100, err, sizeof err), ZBP_ERR_INPUT);
    entry(t, 0, VCEK_GUID, 0xFFFFFFF0u, 0x20);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 100, err, sizeof err), ZBP_ERR_INPUT);
    /* overlapping entries */
    memset(t, 0, sizeof t);
    entry(t, 0, VCEK_GUID, 72, 40);
    entry(t, 1, ASK_GUID, 100, 40);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 200, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "overlap"), "%s", err);
    /* no terminator: entries fill the whole blob */
    memset(t, 0, sizeof t);
    entry(t, 0, VCEK_GUID, 48, 1);
    entry(t, 1, ASK_GUID, 49, 1);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 48, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "terminat"), "%s", err);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 30, err, sizeof err), ZBP_ERR_INPUT);
    /* an empty entry, and two entries of one kind */
    memset(t, 0, sizeof t);
    entry(t, 0, VCEK_GUID, 48, 0);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 100, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "empty"), "%s", err);
    memset(t, 0, sizeof t);
    entry(t, 0, VCEK_GUID, 72, 4);
    entry(t, 1, VCEK_GUID, 76, 4);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 100, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "two VCEK"), "%s", err);
    /* unknown GUIDs are kept as such */
    memset(t, 0, sizeof t);
    entry(t, 0, "00112233445566778899aabbccddeeff", 48, 4);
    cr_assert_eq(snp_cert_table_parse(e, 8, &n, t, 100, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(n, 1);
    cr_assert_eq(e[0].kind, SNP_ENTRY_UNKNOWN);
}

Test(certtable, certs_from_table_reject_garbage) {
    uint8_t t[128] = {0};
    char err[256];
    entry(t, 0, VCEK_GUID, 48, 20);
    memset(t + 48, 0x30, 20);
    snp_certs_t *c = snp_certs_new();
    cr_assert_eq(snp_certs_add_table(c, t, sizeof t, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "VCEK"), "%s", err);
    cr_assert(!snp_certs_has(c, SNP_CERT_VCEK));
    snp_certs_free(c);
}

/* ---- KDS URLs ---- */

Test(kds, turin_uses_8_byte_hwid_and_fmc_first) {
    uint8_t b[SNP_REPORT_SIZE];
    char err[256];
    snp_report_t r;
    snp_kds_urls_t u;
    base_report(b, 3);
    b[0x188] = 0x1A;
    b[0x189] = 0x02;
    put64(b + 0x180, 0x4700000002000100ull);
    memset(b + 0x1A0 + 8, 0, 56);
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(snp_kds_urls(&u, &r, SNP_GEN_UNKNOWN, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_str_eq(u.vek, "https://kdsintf.amd.com/vcek/v1/Turin/0102030405060708"
                            "?fmcSPL=0&blSPL=1&teeSPL=0&snpSPL=2&ucodeSPL=71");
    cr_assert_str_eq(u.chain, "https://kdsintf.amd.com/vcek/v1/Turin/cert_chain");
    cr_assert_str_eq(u.crl, "https://kdsintf.amd.com/vcek/v1/Turin/crl");
}

Test(kds, v2_needs_a_product) {
    uint8_t b[SNP_REPORT_SIZE];
    char err[256];
    snp_report_t r;
    snp_kds_urls_t u;
    base_report(b, 2);
    cr_assert_eq(snp_report_parse(&r, b, sizeof b, err, sizeof err), ZBP_OK);
    cr_assert_eq(snp_kds_urls(&u, &r, SNP_GEN_UNKNOWN, err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "--product"), "%s", err);
    cr_assert_eq(snp_kds_urls(&u, &r, SNP_GEN_GENOA, err, sizeof err), ZBP_OK);
    cr_assert(!strncmp(u.vek, "https://kdsintf.amd.com/vcek/v1/Genoa/0102", 42), "%s", u.vek);
    cr_assert(strstr(u.vek, "?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115"), "%s", u.vek);
}

/* ---- binding transcripts: numbers from ../shared/vectors/binding ---- */

Test(binding, key_transcript) {
    uint8_t ticket[16], pub[32], rd[64], want[64], tr[128], want_tr[128];
    size_t tl;
    unhex(ticket, "000102030405060708090a0b0c0d0e0f");
    unhex(pub, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    unhex(want, "1194cd89489a3a4eed74e19f7a68060dcbf6b36fd8235a6f816e827703da26af"
                "111ea198b6477369c03b77a2c24c7b5ba1126634c0ede24f06ed59f652dda1c2");
    size_t wl = unhex(want_tr, "5a4250524f5645522d4b45592d563110000000000102030405060708090a0b0c"
                               "0d0e0f8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98e"
                               "aa9b4e6a");
    cr_assert_eq(attest_binding_key(rd, ticket, 16, pub, tr, sizeof tr, &tl), ZBP_OK);
    cr_assert_eq(tl, wl);
    cr_assert_eq(memcmp(tr, want_tr, wl), 0);
    cr_assert_eq(memcmp(rd, want, 64), 0);
    /* a too-small transcript buffer still yields the hash and says how much was needed */
    cr_assert_eq(attest_binding_key(rd, ticket, 16, pub, tr, 10, &tl), ZBP_ERR_INPUT);
    cr_assert_eq(tl, wl);
    cr_assert_eq(memcmp(rd, want, 64), 0);
}

Test(binding, proof_transcript) {
    attest_proof_binding_t in;
    memset(&in, 0, sizeof in);
    uint8_t ticket[16], publics[64], rd[64], want[64];
    in.job_id = (const uint8_t *)"job-0001";
    in.job_id_len = 8;
    unhex(ticket, "000102030405060708090a0b0c0d0e0f");
    in.ticket_id = ticket;
    in.ticket_id_len = 16;
    unhex(in.zkey_sha256, "ab2d6132af267508a4cb7ad9ae456b671334914fca0e649fdad976b0e8e00268");
    unhex(publics, "255f86a1539946832e703726bd6ad3987c82a863d9ae0d5e2dfd7d36ca939b20"
                   "0000000000000000000000000000000000000000000000000000000000000003");
    in.publics = publics;
    in.n_public = 2;
    unhex(&in.proof[0][0],
          "1537087780a00d2154fa56dc157d7845f1a44576b304d0ec39348acaa64e5e15"
          "205262e6584b03c3b67253b47faf545d8d6e4e1e75cd7566856e6df7dd3a8558"
          "11bcc132e64747de49695f40f3afad29998549988341eb439da556743916ee9f"
          "1a5448c503412caee6efdd8b40d56be4fcce25afa504dfea2a9cb69e0a386a8d"
          "243212ee0d60409825653ce6ac30558d211425dd43ee34893f8d86b392b387e4"
          "1e4e34f64aaefff50838fadd348c3642fba90f6b4a339e59303da7508f6f9627"
          "1a6967774c7ed03fffc110f911b5977ad68269035e8c0d516a2dff890e8c66c3"
          "1a247f87c5b9930000e09288b6201a0fbfda6994a90be602e8a382dc8cf710e5");
    unhex(want, "29c72b86b78bee0db6af855f414830e62b2b2679d31eb9a4c7d7bc3090eb7c06"
                "743b312ee98f29ab5f3e53f2650f174dced78315863d73d5591749de8c07bb9d");
    uint8_t tr[512];
    size_t tl;
    cr_assert_eq(attest_binding_proof(rd, &in, tr, sizeof tr, &tl), ZBP_OK);
    /* 17 + (4+8) + (4+16) + 32 + 4 + 2*32 + 8*32 */
    cr_assert_eq(tl, 17 + 12 + 20 + 32 + 4 + 64 + 256);
    uint8_t head[29];
    unhex(head, "5a4250524f5645522d50524f4f462d5631080000006a6f622d30303031");
    cr_assert_eq(memcmp(tr, head, sizeof head), 0);
    cr_assert_eq(memcmp(rd, want, 64), 0);
    /* without a transcript buffer, the same hash */
    memset(rd, 0, 64);
    cr_assert_eq(attest_binding_proof(rd, &in, NULL, 0, NULL), ZBP_OK);
    cr_assert_eq(memcmp(rd, want, 64), 0);
    /* one public signal changed: a different REPORT_DATA */
    publics[63] ^= 1;
    cr_assert_eq(attest_binding_proof(rd, &in, NULL, 0, NULL), ZBP_OK);
    cr_assert_neq(memcmp(rd, want, 64), 0);
}

/* The worked examples in docs/attestation.md. */
Test(binding, docs_examples) {
    uint8_t ticket[16], pub[32], rd[64], want[64];
    unhex(ticket, "f0e1d2c3b4a5968778695a4b3c2d1e0f");
    for (int i = 0; i < 32; i++) pub[i] = (uint8_t)(i + 1);
    unhex(want, "f0384b8467baed7bf87679d169cd617bfdabe11330e82422b0eee8725c616c31"
                "29d63b89dcdcec6198a2f25cfe0522b9ea7f2e3d1abde926ec3f8f7f1948060e");
    cr_assert_eq(attest_binding_key(rd, ticket, 16, pub, NULL, 0, NULL), ZBP_OK);
    cr_assert_eq(memcmp(rd, want, 64), 0);

    attest_proof_binding_t in;
    memset(&in, 0, sizeof in);
    in.job_id = (const uint8_t *)"example-job";
    in.job_id_len = 11;
    unhex(in.zkey_sha256, "164ef59f1208cd37f4153d0f71793da7627e2ffebbb84389fcbf8f3861fbfe56");
    uint8_t publics[32] = {0};
    publics[31] = 5;
    in.publics = publics;
    in.n_public = 1;
    for (int i = 0; i < 8; i++) in.proof[i][31] = (uint8_t)(i + 1);
    unhex(want, "e52d622280fb8eca1e1fe2359b8387dbd160b0ddc913b5eab2afd004adf2ba28"
                "db72677c62747df1d77639d8c73fe2082974021650a8065a4b6681aaf4ea8e7a");
    size_t tl;
    uint8_t tr[400];
    cr_assert_eq(attest_binding_proof(rd, &in, tr, sizeof tr, &tl), ZBP_OK);
    cr_assert_eq(tl, 360);
    cr_assert_eq(memcmp(rd, want, 64), 0);
}

/* The --min-tcb spec shared by `attest verify` and `check-bundle`. */
Test(report, tcb_spec_parse) {
    snp_tcb_t t;
    cr_assert_eq(snp_tcb_parse(&t, "bl=3,tee=0,snp=8,ucode=115"), 0);
    cr_assert(t.bootloader == 3 && t.tee == 0 && t.snp == 8 && t.microcode == 115 && t.fmc == 0);
    cr_assert_eq(snp_tcb_parse(&t, "fmc=1,snp=255"), 0);
    cr_assert(t.fmc == 1 && t.snp == 255 && t.bootloader == 0);
    const char *bad[] = {"", "bl", "bl=", "bl=256", "bl=-1", "bl=+1", "bl=1x", "xx=1", "bl=1,,"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_neq(snp_tcb_parse(&t, bad[i]), 0, "accepted '%s'", bad[i]);
    cr_assert_neq(snp_tcb_parse(&t, NULL), 0);
}

/* Issue #23: a failing check recorded after the list is full must still fail the verdict, and a
 * list that overflowed is never a clean pass. */
Test(verdict, fails_closed_when_the_check_list_is_full) {
    snp_verdict_t v;
    memset(&v, 0, sizeof v);
    v.ok = true;
    for (int i = 0; i < SNP_MAX_CHECKS; i++) att_verdict_add(&v, "filler", SNP_CHECK_PASS, "ok");
    cr_assert(v.ok);
    att_verdict_add(&v, "late", SNP_CHECK_FAIL, "a failure past the end of the list");
    cr_assert_not(v.ok, "a failing check was dropped and the verdict still passes");
    cr_assert_eq(v.n, SNP_MAX_CHECKS);

    memset(&v, 0, sizeof v);
    v.ok = true;
    for (int i = 0; i < SNP_MAX_CHECKS + 1; i++) att_verdict_add(&v, "filler", SNP_CHECK_PASS, "ok");
    cr_assert_not(v.ok, "an overflowing list must not pass: a check went unrecorded");
    cr_assert_eq(v.dropped, 1);

    memset(&v, 0, sizeof v);
    v.ok = true;
    att_verdict_add(&v, "odd", 7, "a status that is neither pass, fail nor skip");
    cr_assert_not(v.ok);
}

/* Issue #23: the old writer opened "<path>.tmp.<pid>" with O_TRUNC and no O_EXCL, so anyone who
 * could guess the pid could plant a link there and have another file overwritten. */
Test(files, atomic_write_never_follows_a_planted_temporary_name) {
    char dir[] = "/tmp/zbp-attest-write-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char victim[128], path[128], planted[160], err[256];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(path, sizeof path, "%s/out.pem", dir);
    snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(victim, "w");
    cr_assert_not_null(f);
    fputs("precious", f);
    fclose(f);
    cr_assert_eq(symlink(victim, planted), 0);
    cr_assert_eq(att_write_file(path, (const uint8_t *)"new", 3, 0600, err, sizeof err), ZBP_OK,
                 "%s", err);
    char buf[16] = "";
    f = fopen(victim, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(buf, sizeof buf, f));
    fclose(f);
    cr_assert_str_eq(buf, "precious", "the write went through the planted link");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(st.st_size, 3);
    /* Nothing else is left beside it: victim, the planted link, the output. */
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    cr_assert_eq(n, 3);
    /* A directory that is not there: an environment failure naming the file. */
    snprintf(path, sizeof path, "%s/missing/out.pem", dir);
    cr_assert_eq(att_write_file(path, (const uint8_t *)"x", 1, 0644, err, sizeof err), ZBP_ERR_ENV);
    cr_assert(strstr(err, "missing/out.pem"), "%s", err);
    unlink(planted);
    unlink(victim);
    snprintf(path, sizeof path, "%s/out.pem", dir);
    unlink(path);
    rmdir(dir);
}
