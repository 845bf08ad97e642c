/* test_witness_input.c: the witness input reader (witness/input.c) against GMP: random decimal,
 * hex, octal and binary values of many lengths, negative values, exponents, whitespace, reduced mod
 * BN254's r and mod a one-word prime; FNV-1a 64 of names against a GMP computation of the same
 * definition (circom_runtime's fnvHash over UTF-16 code units); the reader's refusals. */
#include <criterion/criterion.h>
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "witness/witness.h"

static const char *R_DEC =
    "21888242871839275222246405745257275088548364400416034343698204186575808495617";

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void to_words(const mpz_t x, uint32_t *w, unsigned n32) {
    memset(w, 0, n32 * 4);
    size_t cnt = 0;
    mpz_export(w, &cnt, -1, 4, 0, 0, x);
}

/* Parses {"s": <json>} and returns the first value's words, or -1 with the message in err. */
static int value_of(const char *json, const uint32_t *p, unsigned n32, uint32_t *out, char *err) {
    zbp_witness_input_t in;
    int st = zbp_witness_input_parse(&in, json, strlen(json), "t.json", err, 600);
    if (st != ZBP_OK) return -1;
    uint32_t buf[64 * 16];
    st = zbp_witness_input_values(&in.signals[0], p, n32, buf, "t.json", err, 600);
    if (st == ZBP_OK) memcpy(out, buf, n32 * 4);
    zbp_witness_input_free(&in);
    return st == ZBP_OK ? 0 : -1;
}

static void check_against_gmp(const char *prime_dec, unsigned n32) {
    mpz_t p, x, r;
    mpz_inits(p, x, r, NULL);
    mpz_set_str(p, prime_dec, 10);
    uint32_t pw[16], got[16], want[16];
    to_words(p, pw, n32);
    static const int bases[4] = {10, 16, 8, 2};
    static const char *prefix[4] = {"", "0x", "0o", "0b"};
    char digits[2200], json[2400], err[600];
    for (int it = 0; it < 400; it++) {
        int b = (int)(next() % 4);
        size_t len = 1 + next() % (it < 200 ? 80 : 2000);
        for (size_t i = 0; i < len; i++) digits[i] = "0123456789abcdef"[next() % (unsigned)bases[b]];
        digits[len] = 0;
        int neg = b == 0 && next() % 2;
        int as_number = b == 0 && !neg && next() % 2;
        if (as_number) /* JSON numbers have no leading zeros */
            while (digits[0] == '0' && digits[1]) memmove(digits, digits + 1, strlen(digits));
        mpz_set_str(x, digits, bases[b]);
        if (neg) mpz_neg(x, x);
        mpz_mod(r, x, p); /* GMP's mod is non-negative */
        to_words(r, want, n32);
        if (as_number)
            snprintf(json, sizeof json, "{\"s\": %s}", digits);
        else
            snprintf(json, sizeof json, "{\"s\": \"%s%s%s\"}", neg ? "-" : (next() % 2 ? " " : ""),
                     prefix[b], digits);
        cr_assert_eq(value_of(json, pw, n32, got, err), 0, "%s: %s", json, err);
        cr_assert(!memcmp(got, want, n32 * 4), "%s mod %s", json, prime_dec);
    }
    /* exponents and fractions that denote integers: d * 10^e, written as d0.0e(e-1) and so on */
    for (int it = 0; it < 100; it++) {
        unsigned long d = 1 + next() % 1000000;
        unsigned e = (unsigned)(next() % 120);
        mpz_ui_pow_ui(x, 10, e);
        mpz_mul_ui(x, x, d);
        mpz_mod(r, x, p);
        to_words(r, want, n32);
        snprintf(json, sizeof json, "{\"s\": %lu0.00e%d}", d, (int)e - 1);
        cr_assert_eq(value_of(json, pw, n32, got, err), 0, "%s: %s", json, err);
        cr_assert(!memcmp(got, want, n32 * 4), "%s", json);
    }
    mpz_clears(p, x, r, NULL);
}

Test(witness_input, values_match_gmp_mod_r) { check_against_gmp(R_DEC, 8); }
Test(witness_input, values_match_gmp_mod_a_small_prime) { check_against_gmp("4294967291", 1); }

Test(witness_input, snarkjs_forms) {
    uint32_t pw[8], got[8], want[8];
    char err[600];
    mpz_t p;
    mpz_init_set_str(p, R_DEC, 10);
    to_words(p, pw, 8);
    mpz_clear(p);
    /* each pair: two spellings of one number */
    static const char *pairs[][2] = {
        {"true", "1"},     {"false", "0"},        {"\"\"", "0"},        {"\" \\t\\n\"", "0"},
        {"\"-0\"", "0"},   {"-0", "0"},           {"1e3", "1000"},      {"2.50e1", "25"},
        {"\"0XfF\"", "255"}, {"\"0B11\"", "3"},   {"\"0O17\"", "15"},   {"\"+7\"", "7"},
        {"\"\\u00a012\\u2028\"", "12"},           {"\"-1\"", "\"21888242871839275222246405745257275088548364400416034343698204186575808495616\""},
        {"-1", "\"21888242871839275222246405745257275088548364400416034343698204186575808495616\""},
        {"[[[5]]]", "5"},  {"120e-1", "12"},      {"0.0", "0"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        char a[300], b[300];
        snprintf(a, sizeof a, "{\"s\": %s}", pairs[i][0]);
        snprintf(b, sizeof b, "{\"s\": %s}", pairs[i][1]);
        cr_assert_eq(value_of(a, pw, 8, got, err), 0, "%s: %s", a, err);
        cr_assert_eq(value_of(b, pw, 8, want, err), 0, "%s: %s", b, err);
        cr_assert(!memcmp(got, want, sizeof got), "%s != %s", a, b);
    }
    static const char *refused[] = {"\"abc\"", "\"0x\"", "\"-0x1\"", "\"1.0\"", "\"1e3\"", "1.5",
                                    "1e-1", "null", "{\"k\": 1}", "\"1_000\"", "\"+\"", "1e1001",
                                    "\"Infinity\"", "[1, null]"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char a[300];
        snprintf(a, sizeof a, "{\"s\": %s}", refused[i]);
        err[0] = 0;
        cr_assert_eq(value_of(a, pw, 8, got, err), -1, "%s accepted", a);
        cr_assert(err[0] && strstr(err, "t.json"), "%s: no message naming the file: %s", a, err);
    }
}

/* FNV-1a 64 as circom_runtime's fnvHash defines it (over UTF-16 code units), computed with GMP. */
Test(witness_input, fnv1a_of_names) {
    struct {
        const char *utf8;
        uint16_t units[8];
        size_t n;
    } names[] = {
        {"in", {'i', 'n'}, 2},
        {"a", {'a'}, 1},
        {"preimage", {'p', 'r', 'e', 'i', 'm', 'a', 'g', 'e'}, 8},
        {"n\xc3\xa9", {'n', 0xe9}, 2},
        {"\xf0\x9f\x98\x80", {0xd83d, 0xde00}, 2},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        mpz_t h, m, c;
        mpz_init_set_str(h, "CBF29CE484222325", 16);
        mpz_init_set_str(m, "10000000000000000", 16);
        mpz_init(c);
        for (size_t k = 0; k < names[i].n; k++) {
            mpz_set_ui(c, names[i].units[k]);
            mpz_xor(h, h, c);
            mpz_set_str(c, "100000001B3", 16);
            mpz_mul(h, h, c);
            mpz_mod(h, h, m);
        }
        uint64_t want = 0;
        size_t cnt = 0;
        mpz_export(&want, &cnt, -1, 8, 0, 0, h);
        mpz_clears(h, m, c, NULL);
        cr_assert_eq(zbp_witness_fnv1a(names[i].utf8, strlen(names[i].utf8)), want, "%s", names[i].utf8);
    }
}
