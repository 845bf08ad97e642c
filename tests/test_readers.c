/* test_readers.c: the .zkey, .wtns and .r1cs readers on the snarkjs fixtures (values agree with
 * snarkjs's own JSON; export-vk reproduces verification_key.json byte for byte) and on every kind
 * of malformed file: each is rejected with a message naming the file and the problem. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prover/prover.h"
#include "testutil.h"

static const char *CIRCUITS[] = {"multiplier", "poseidon", "comparator", "many_public", "no_public"};
#define N_CIRCUITS (sizeof CIRCUITS / sizeof CIRCUITS[0])

static void fixture(char *out, size_t n, const char *circuit, const char *file) {
    const char *d = test_env_dir("ZBP_TEST_DATA");
    if (!d) cr_skip_test("ZBP_TEST_DATA is not set");
    snprintf(out, n, "%s/fixtures/%s/%s", d, circuit, file);
}

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    cr_assert(b && fread(b, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    b[n] = 0;
    *len = (size_t)n;
    return b;
}

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Byte offset of section id's body in a container, or 0. */
static size_t section_at(const uint8_t *b, size_t len, uint32_t id, uint64_t *size) {
    size_t off = 12;
    uint32_t n = rd32(b + 8);
    for (uint32_t i = 0; i < n && off + 12 <= len; i++) {
        uint32_t sid = rd32(b + off);
        uint64_t sz = rd32(b + off + 4) | (uint64_t)rd32(b + off + 8) << 32;
        if (sid == id) {
            if (size) *size = sz;
            return off + 12;
        }
        off += 12 + sz;
    }
    return 0;
}

Test(readers, fixtures_open_and_agree_with_snarkjs) {
    for (size_t i = 0; i < N_CIRCUITS; i++) {
        char zp[1024], wp[1024], rp[1024], vp[1024], pp[1024];
        fixture(zp, sizeof zp, CIRCUITS[i], "circuit.zkey");
        fixture(wp, sizeof wp, CIRCUITS[i], "witness.wtns");
        fixture(rp, sizeof rp, CIRCUITS[i], "circuit.r1cs");
        fixture(vp, sizeof vp, CIRCUITS[i], "verification_key.json");
        fixture(pp, sizeof pp, CIRCUITS[i], "public.json");
        char err[512];
        zbp_zkey_t z;
        zbp_wtns_t w;
        zbp_r1cs_t r;
        cr_assert_eq(zbp_zkey_open(&z, zp, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert_eq(zbp_wtns_open(&w, wp, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert_eq(zbp_r1cs_open(&r, rp, err, sizeof err), ZBP_OK, "%s", err);
        cr_assert_eq(z.n_vars, w.n_witness, "%s: nVars vs witness", CIRCUITS[i]);
        cr_assert_eq(z.n_vars, r.n_wires, "%s: nVars vs wires", CIRCUITS[i]);
        cr_assert_eq(z.n_public, r.n_outputs + r.n_pub_inputs, "%s", CIRCUITS[i]);
        cr_assert_eq(z.n_constraints, r.n_constraints, "%s: constraints", CIRCUITS[i]);
        cr_assert(z.domain_size >= z.n_constraints + z.n_public + 1);
        cr_assert_eq(z.n_contributions, 1, "%s: the fixtures have one contribution", CIRCUITS[i]);
        /* the witness's first value is the constant 1 */
        cr_assert_eq(w.values[0], 1);
        for (int k = 1; k < 32; k++) cr_assert_eq(w.values[k], 0);
        /* export-vk text equals snarkjs's verification_key.json */
        size_t vlen;
        uint8_t *want = slurp(vp, &vlen);
        char *got;
        size_t glen;
        cr_assert_eq(zbp_vk_json(&got, &glen, &z), ZBP_OK);
        cr_assert_eq(glen, vlen, "%s: vk text length %zu vs snarkjs %zu", CIRCUITS[i], glen, vlen);
        cr_assert(!memcmp(got, want, vlen), "%s: vk text differs from snarkjs", CIRCUITS[i]);
        free(got);
        free(want);
        cr_assert_eq(zbp_zkey_check_points(&z, err, sizeof err), ZBP_OK, "%s", err);
        zbp_zkey_close(&z);
        zbp_wtns_close(&w);
        zbp_r1cs_close(&r);
    }
}

/* zbp_binfile_release drops a mapped file's pages, never its contents: read again, every byte is
 * the file's; on borrowed memory (which it must not touch: anonymous pages would read back as
 * zeros) and on ranges outside the file it does nothing. */
Test(readers, release_keeps_contents) {
    char zp[1024], err[512];
    fixture(zp, sizeof zp, "poseidon", "circuit.zkey");
    size_t len;
    uint8_t *want = slurp(zp, &len);
    zbp_zkey_t z;
    cr_assert_eq(zbp_zkey_open(&z, zp, err, sizeof err), ZBP_OK, "%s", err);
    cr_assert_eq(z.file.size, len);
    cr_assert_eq(memcmp(z.file.data, want, len), 0); /* every page resident now */
    zbp_binfile_release(&z.file, z.a, (size_t)z.n_vars * 64);
    zbp_binfile_release(&z.file, z.file.data, len);
    zbp_binfile_release(&z.file, z.file.data + len / 2, len); /* runs past the end: ignored */
    cr_assert_eq(memcmp(z.file.data, want, len), 0, "released pages must read back as the file");
    zbp_zkey_close(&z);
    /* borrowed memory: untouched */
    uint8_t *copy = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);
    cr_assert(copy);
    memcpy(copy, want, len);
    cr_assert_eq(zbp_zkey_from_memory(&z, copy, len, "mem.zkey", err, sizeof err), ZBP_OK, "%s", err);
    zbp_binfile_release(&z.file, copy, len);
    cr_assert_eq(memcmp(copy, want, len), 0, "borrowed memory must not be dropped");
    zbp_zkey_close(&z);
    free(copy);
    free(want);
}

Test(readers, write_vk_atomically) {
    char zp[1024];
    fixture(zp, sizeof zp, "multiplier", "circuit.zkey");
    char err[512], dir[] = "/tmp/zbp-readers-XXXXXX";
    cr_assert(mkdtemp(dir));
    zbp_zkey_t z;
    cr_assert_eq(zbp_zkey_open(&z, zp, err, sizeof err), ZBP_OK);
    char out[1100];
    snprintf(out, sizeof out, "%s/vk.json", dir);
    cr_assert_eq(zbp_write_vk_json(out, &z, err, sizeof err), ZBP_OK, "%s", err);
    /* an unwritable path: an error naming it, and nothing left in the directory */
    snprintf(out, sizeof out, "%s/missing/vk.json", dir);
    cr_assert_eq(zbp_write_vk_json(out, &z, err, sizeof err), ZBP_ERR_INPUT); /* the caller's path */
    cr_assert(strstr(err, out), "message should name the path: %s", err);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
    cr_assert_eq(system(cmd), 0, "a temporary file was left behind");
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    zbp_zkey_close(&z);
}

/* Loads a fixture into memory, lets `mutate` spoil it, and expects the reader to fail with
 * `status` and a message containing `needle`. */
typedef int (*open_mem_fn)(void *obj, const uint8_t *buf, size_t len, const char *name, char *err,
                           size_t errlen);
static int zkey_mem(void *o, const uint8_t *b, size_t l, const char *n, char *e, size_t el) {
    return zbp_zkey_from_memory(o, b, l, n, e, el);
}
static int wtns_mem(void *o, const uint8_t *b, size_t l, const char *n, char *e, size_t el) {
    return zbp_wtns_from_memory(o, b, l, n, e, el);
}
static int r1cs_mem(void *o, const uint8_t *b, size_t l, const char *n, char *e, size_t el) {
    return zbp_r1cs_from_memory(o, b, l, n, e, el);
}

static void expect_bad(const char *file, open_mem_fn open, void (*mutate)(uint8_t *, size_t *),
                       int status, const char *needle) {
    char path[1024];
    fixture(path, sizeof path, "multiplier", file);
    size_t len;
    uint8_t *b = slurp(path, &len);
    b = realloc(b, len + 64);
    mutate(b, &len);
    union { zbp_zkey_t z; zbp_wtns_t w; zbp_r1cs_t r; } obj;
    char err[512] = "";
    int st = open(&obj, b, len, "bad.file", err, sizeof err);
    cr_assert_eq(st, status, "%s: status %d, want %d (%s)", file, st, status, err);
    cr_assert(strstr(err, "bad.file"), "message must name the file: %s", err);
    cr_assert(strstr(err, needle), "message '%s' should mention '%s'", err, needle);
    free(b);
}

static void truncate_half(uint8_t *b, size_t *len) { (void)b; *len /= 2; }
static void truncate_tail(uint8_t *b, size_t *len) { (void)b; *len -= 1; }
static void bad_magic(uint8_t *b, size_t *len) { (void)len; b[0] = 'x'; }
static void too_short(uint8_t *b, size_t *len) { (void)b; *len = 7; }
static void bad_version(uint8_t *b, size_t *len) { (void)len; wr32(b + 4, 9); }
static void trailing(uint8_t *b, size_t *len) { b[(*len)++] = 0; }
static void more_sections(uint8_t *b, size_t *len) { (void)len; wr32(b + 8, rd32(b + 8) + 1); }
static void dup_section(uint8_t *b, size_t *len) {
    /* rename section 9 (H) to 5 (A): 5 then appears twice */
    size_t off = section_at(b, *len, 9, NULL);
    wr32(b + off - 12, 5);
}
static void plonk(uint8_t *b, size_t *len) { wr32(b + section_at(b, *len, 1, NULL), 2); }
static void other_curve(uint8_t *b, size_t *len) { b[section_at(b, *len, 2, NULL) + 4] ^= 2; }
static void nvars_up(uint8_t *b, size_t *len) {
    size_t h = section_at(b, *len, 2, NULL);
    wr32(b + h + 72, rd32(b + h + 72) + 1);
}
static void domain_not_pow2(uint8_t *b, size_t *len) {
    size_t h = section_at(b, *len, 2, NULL);
    wr32(b + h + 80, 6);
}
static void npublic_too_big(uint8_t *b, size_t *len) {
    size_t h = section_at(b, *len, 2, NULL);
    wr32(b + h + 76, rd32(b + h + 72));
}
static void alpha_off_curve(uint8_t *b, size_t *len) { b[section_at(b, *len, 2, NULL) + 84 + 40] ^= 1; }
static void beta2_off_curve(uint8_t *b, size_t *len) { b[section_at(b, *len, 2, NULL) + 212 + 70] ^= 1; }
static void coef_wire(uint8_t *b, size_t *len) { wr32(b + section_at(b, *len, 4, NULL) + 4 + 8, 1u << 30); }
static void coef_row(uint8_t *b, size_t *len) { wr32(b + section_at(b, *len, 4, NULL) + 4 + 4, 1u << 30); }
static void coef_matrix(uint8_t *b, size_t *len) { wr32(b + section_at(b, *len, 4, NULL) + 4, 2); }
static void coef_value(uint8_t *b, size_t *len) { memset(b + section_at(b, *len, 4, NULL) + 4 + 12, 0xff, 32); }
static void coef_count(uint8_t *b, size_t *len) {
    size_t s = section_at(b, *len, 4, NULL);
    wr32(b + s, rd32(b + s) + 1);
}
static void section_size(uint8_t *b, size_t *len) {
    /* shrink section 5's size by 64 and move the bytes: the file stays well formed as a container */
    uint64_t sz = 0;
    size_t s = section_at(b, *len, 5, &sz);
    memmove(b + s + sz - 64, b + s + sz, *len - (s + sz));
    *len -= 64;
    wr32(b + s - 8, (uint32_t)(sz - 64));
}
static void drop_h(uint8_t *b, size_t *len) {
    size_t s = section_at(b, *len, 9, NULL);
    wr32(b + s - 12, 14); /* renumber: section 9 is then missing */
}

Test(readers, bad_zkeys) {
    expect_bad("circuit.zkey", zkey_mem, truncate_half, ZBP_ERR_INPUT, "truncated");
    expect_bad("circuit.zkey", zkey_mem, truncate_tail, ZBP_ERR_INPUT, "truncated");
    expect_bad("circuit.zkey", zkey_mem, bad_magic, ZBP_ERR_INPUT, "not a .zkey");
    expect_bad("circuit.zkey", zkey_mem, too_short, ZBP_ERR_INPUT, "too short");
    expect_bad("circuit.zkey", zkey_mem, bad_version, ZBP_ERR_UNSUPPORTED, "version 9");
    expect_bad("circuit.zkey", zkey_mem, trailing, ZBP_ERR_INPUT, "after the last");
    expect_bad("circuit.zkey", zkey_mem, more_sections, ZBP_ERR_INPUT, "truncated");
    expect_bad("circuit.zkey", zkey_mem, dup_section, ZBP_ERR_INPUT, "appears twice");
    expect_bad("circuit.zkey", zkey_mem, plonk, ZBP_ERR_UNSUPPORTED, "plonk");
    expect_bad("circuit.zkey", zkey_mem, other_curve, ZBP_ERR_UNSUPPORTED, "another curve");
    expect_bad("circuit.zkey", zkey_mem, nvars_up, ZBP_ERR_INPUT, "section 5 (A)");
    expect_bad("circuit.zkey", zkey_mem, domain_not_pow2, ZBP_ERR_INPUT, "power of two");
    expect_bad("circuit.zkey", zkey_mem, npublic_too_big, ZBP_ERR_INPUT, "nPublic");
    expect_bad("circuit.zkey", zkey_mem, alpha_off_curve, ZBP_ERR_INPUT, "alpha1");
    expect_bad("circuit.zkey", zkey_mem, beta2_off_curve, ZBP_ERR_INPUT, "beta2");
    expect_bad("circuit.zkey", zkey_mem, coef_wire, ZBP_ERR_INPUT, "signal");
    expect_bad("circuit.zkey", zkey_mem, coef_row, ZBP_ERR_INPUT, "outside the domain");
    expect_bad("circuit.zkey", zkey_mem, coef_matrix, ZBP_ERR_INPUT, "matrix 2");
    expect_bad("circuit.zkey", zkey_mem, coef_value, ZBP_ERR_RANGE, "not below r");
    expect_bad("circuit.zkey", zkey_mem, coef_count, ZBP_ERR_INPUT, "section 4");
    expect_bad("circuit.zkey", zkey_mem, section_size, ZBP_ERR_INPUT, "section 5 (A)");
    expect_bad("circuit.zkey", zkey_mem, drop_h, ZBP_ERR_INPUT, "section 9 (H) is missing");
}

static void wtns_count(uint8_t *b, size_t *len) { wr32(b + section_at(b, *len, 1, NULL) + 36, 99); }
static void wtns_prime(uint8_t *b, size_t *len) { b[section_at(b, *len, 1, NULL) + 4] ^= 1; }
static void wtns_n8(uint8_t *b, size_t *len) { wr32(b + section_at(b, *len, 1, NULL), 48); }
static void wtns_value(uint8_t *b, size_t *len) { memset(b + section_at(b, *len, 2, NULL) + 32, 0xff, 32); }

Test(readers, bad_witnesses) {
    expect_bad("witness.wtns", wtns_mem, truncate_tail, ZBP_ERR_INPUT, "truncated");
    expect_bad("witness.wtns", wtns_mem, bad_magic, ZBP_ERR_INPUT, "not a .wtns");
    expect_bad("witness.wtns", wtns_mem, bad_version, ZBP_ERR_UNSUPPORTED, "version");
    expect_bad("witness.wtns", wtns_mem, wtns_count, ZBP_ERR_INPUT, "values need");
    expect_bad("witness.wtns", wtns_mem, wtns_prime, ZBP_ERR_UNSUPPORTED, "prime");
    expect_bad("witness.wtns", wtns_mem, wtns_n8, ZBP_ERR_UNSUPPORTED, "48-byte");
    expect_bad("witness.wtns", wtns_mem, wtns_value, ZBP_ERR_RANGE, "value 1 is not below r");
}

static void r1cs_wire(uint8_t *b, size_t *len) {
    /* the first term of the first constraint: u32 nTerms, then u32 wire */
    wr32(b + section_at(b, *len, 2, NULL) + 4, 1u << 30);
}
static void r1cs_terms(uint8_t *b, size_t *len) { wr32(b + section_at(b, *len, 2, NULL), 1u << 28); }
static void r1cs_constraints(uint8_t *b, size_t *len) {
    size_t h = section_at(b, *len, 1, NULL);
    wr32(b + h + 36 + 24, rd32(b + h + 36 + 24) + 1);
}

Test(readers, bad_r1cs) {
    expect_bad("circuit.r1cs", r1cs_mem, truncate_tail, ZBP_ERR_INPUT, "truncated");
    expect_bad("circuit.r1cs", r1cs_mem, bad_magic, ZBP_ERR_INPUT, "not a .r1cs");
    expect_bad("circuit.r1cs", r1cs_mem, r1cs_wire, ZBP_ERR_INPUT, "wire");
    expect_bad("circuit.r1cs", r1cs_mem, r1cs_terms, ZBP_ERR_INPUT, "terms");
    expect_bad("circuit.r1cs", r1cs_mem, r1cs_constraints, ZBP_ERR_INPUT, "truncated in constraint");
}

Test(readers, missing_file) {
    char err[512];
    zbp_zkey_t z;
    cr_assert_eq(zbp_zkey_open(&z, "/nonexistent/x.zkey", err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "/nonexistent/x.zkey") && strstr(err, "cannot open"), "%s", err);
    cr_assert_eq(zbp_zkey_open(&z, "/tmp", err, sizeof err), ZBP_ERR_INPUT);
    cr_assert(strstr(err, "not a regular file"), "%s", err);
}
