/* test_json.c: prover/json.h over jansson: every value kind, exact numbers (integers past 64 bits,
 * fractions and exponents kept as written), escapes and UTF-8, the strictness rules (what RFC 8259
 * forbids is refused, duplicate keys too), limits, error positions in the caller's text, the wipe,
 * and the two writers (snarkjs's layout, compact). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "prover/json.h"

static json_t *ok(const char *text) {
    json_t *doc = NULL;
    zbp_json_error_t e;
    int st = zbp_json_parse(&doc, text, strlen(text), NULL, &e);
    cr_assert_eq(st, ZBP_OK, "'%s': %zu:%zu %s", text, e.line, e.column, e.message);
    return doc;
}

static zbp_json_error_t bad(const char *text, size_t len, int status) {
    json_t *doc = (json_t *)1;
    zbp_json_error_t e;
    int st = zbp_json_parse(&doc, text, len, NULL, &e);
    cr_assert_eq(st, status, "'%.*s' gave %d", (int)len, text, st);
    cr_assert_null(doc);
    cr_assert(e.message[0]);
    return e;
}
#define BAD(s) bad((s), strlen(s), ZBP_ERR_INPUT)

Test(json, values) {
    json_t *r = ok(" {\"a\": [1, -2.5e+3, 0, true, false, null, \"x\"], \"b\": {}, \"c\": []} ");
    cr_assert(json_is_object(r));
    cr_assert_eq(json_object_size(r), 3);
    const json_t *a = json_object_get(r, "a");
    cr_assert_eq(json_array_size(a), 7);
    cr_assert(json_is_integer(json_array_get(a, 0)));
    size_t n;
    cr_assert_str_eq(zbp_json_number_text(json_array_get(a, 1), &n), "-2.5e+3");
    cr_assert_eq(n, 7);
    cr_assert(zbp_json_is_number(json_array_get(a, 1)));
    cr_assert_null(zbp_json_str(json_array_get(a, 1), NULL)); /* a number, not a string */
    cr_assert_str_eq(zbp_json_type_name(json_array_get(a, 1)), "number");
    cr_assert(json_is_true(json_array_get(a, 3)));
    cr_assert(json_is_false(json_array_get(a, 4)));
    cr_assert(json_is_null(json_array_get(a, 5)));
    cr_assert(zbp_json_string_is(json_array_get(a, 6), "x"));
    cr_assert_null(zbp_json_number_text(json_array_get(a, 6), NULL));
    cr_assert_eq(json_object_size(json_object_get(r, "b")), 0);
    cr_assert_eq(json_array_size(json_object_get(r, "c")), 0);
    cr_assert_str_eq(zbp_json_type_name(r), "object");
    cr_assert_str_eq(zbp_json_type_name(NULL), "missing");
    uint64_t u;
    cr_assert_eq(zbp_json_get_u64(json_array_get(a, 0), &u), ZBP_OK);
    cr_assert_eq(u, 1);
    cr_assert_eq(zbp_json_get_u64(json_array_get(a, 1), &u), ZBP_ERR_INPUT);
    cr_assert_eq(zbp_json_get_u64(json_array_get(a, 6), &u), ZBP_ERR_INPUT);
    json_decref(r);
    /* integers past jansson's 64 bits, read exactly */
    r = ok("[42, 18446744073709551615, 18446744073709551616, -1, 1e3, "
           "123456789012345678901234567890123456789012345678901234567890]");
    cr_assert_eq(zbp_json_get_u64(json_array_get(r, 0), &u), ZBP_OK);
    cr_assert_eq(u, 42);
    cr_assert_eq(zbp_json_get_u64(json_array_get(r, 1), &u), ZBP_OK);
    cr_assert_eq(u, UINT64_MAX);
    cr_assert_eq(zbp_json_get_u64(json_array_get(r, 2), &u), ZBP_ERR_RANGE);
    cr_assert_eq(zbp_json_get_u64(json_array_get(r, 3), &u), ZBP_ERR_INPUT);
    cr_assert_eq(zbp_json_get_u64(json_array_get(r, 4), &u), ZBP_ERR_INPUT);
    cr_assert_str_eq(zbp_json_number_text(json_array_get(r, 5), NULL),
                     "123456789012345678901234567890123456789012345678901234567890");
    json_decref(r);
}

Test(json, strings_and_escapes) {
    json_t *r = ok("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\", \"\\ud83d\\ude00\", "
                   "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"x\\u0000\", \"\"]");
    cr_assert_str_eq(json_string_value(json_array_get(r, 0)), "a\"b\\c/d\b\f\n\r\t");
    cr_assert_str_eq(json_string_value(json_array_get(r, 1)), "\xc3\xa9\xe2\x82\xac");
    cr_assert_str_eq(json_string_value(json_array_get(r, 2)), "\xf0\x9f\x98\x80");
    cr_assert_str_eq(json_string_value(json_array_get(r, 3)), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    size_t n;
    cr_assert_not_null(zbp_json_str(json_array_get(r, 4), &n));
    cr_assert_eq(n, 2); /* an embedded NUL keeps its length */
    cr_assert(!zbp_json_string_is(json_array_get(r, 4), "x"));
    cr_assert_eq(json_string_length(json_array_get(r, 5)), 0);
    json_decref(r);
    /* keys decode the same way */
    r = ok("{\"k\\u0065y\": 1}");
    cr_assert_not_null(json_object_get(r, "key"));
    json_decref(r);
    /* a string that begins with NUL would read as an exact number: refused */
    BAD("[\"\\u0000123\"]");
}

Test(json, strictness) {
    BAD("");
    BAD("   ");
    BAD("[1,]");
    BAD("{\"a\":1,}");
    BAD("[1 2]");
    BAD("{\"a\" 1}");
    BAD("{a: 1}");
    BAD("{\"a\": 1, \"a\": 2}");
    BAD("01");
    BAD("-");
    BAD("1.");
    BAD(".5");
    BAD("1e");
    BAD("+1");
    BAD("NaN");
    BAD("Infinity");
    BAD("tru");
    BAD("nul");
    BAD("True");
    BAD("\"abc");
    BAD("\"a\tb\"");        /* raw control character */
    BAD("\"\\x\"");          /* unknown escape */
    BAD("\"\\u12\"");        /* short \u */
    BAD("\"\\u12g4\"");
    BAD("\"\\ud800\"");      /* unpaired high surrogate */
    BAD("\"\\ud800\\u0041\"");
    BAD("\"\\udc00\"");      /* lone low surrogate */
    BAD("\"\xc3\"");         /* truncated UTF-8 */
    BAD("\"\xc0\xaf\"");     /* overlong */
    BAD("\"\xed\xa0\x80\""); /* a surrogate in UTF-8 */
    BAD("\"\xf4\x90\x80\x80\""); /* above U+10FFFF */
    BAD("\"\xff\"");
    BAD("[1] [2]");
    BAD("[1] x");
    BAD("// comment\n1");
    BAD("\xef\xbb\xbf{}");   /* BOM */
    BAD("[");
    BAD("{");
    BAD("{\"a\":");
    BAD("]");
    bad("[1,\0 2]", 7, ZBP_ERR_INPUT);
    bad("\"a\0b\"", 5, ZBP_ERR_INPUT);
    bad("1\0", 2, ZBP_ERR_INPUT);
    BAD("{\"a\\u0000b\": 1}"); /* jansson keeps no NUL in a key */
}

Test(json, duplicate_keys_in_large_objects) {
    char buf[4096];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "{");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k%d\": %d,", i, i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k7\": 0}");
    zbp_json_error_t e = bad(buf, n, ZBP_ERR_INPUT);
    cr_assert(strstr(e.message, "duplicate"), "%s", e.message);
    n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "{");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k%d\": %d,", i, i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k100\": 0}");
    json_t *d = ok(buf);
    cr_assert_eq(json_object_size(d), 101);
    /* document order is kept */
    void *it = json_object_iter(d);
    for (int i = 0; i < 100; i++) it = json_object_iter_next(d, it);
    cr_assert_str_eq(json_object_iter_key(it), "k100");
    json_decref(d);
}

Test(json, error_positions) {
    zbp_json_error_t e = BAD("{\n  \"a\": [1, 2,\n  ]\n}");
    cr_assert_eq(e.line, 3);
    cr_assert_eq(e.column, 3);
    e = BAD("[1, 2 3]");
    cr_assert_eq(e.line, 1);
    cr_assert_eq(e.column, 7);
    cr_assert(strstr(e.message, "']' expected"), "%s", e.message);
    /* positions are in the caller's text, also after exact numbers were wrapped */
    e = BAD("[1.5, 123456789012345678901234567890,\n 2.5e3 x]");
    cr_assert_eq(e.line, 2);
    cr_assert_eq(e.column, 8, "column %zu", e.column);
    e = BAD("[1.5, 1.5, 1.5, 1.5, }");
    cr_assert_eq(e.column, 22, "column %zu", e.column);
}

Test(json, limits) {
    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    json_t *d = NULL;
    zbp_json_error_t e;
    cr_assert_eq(zbp_json_parse(&d, deep, 200, NULL, &e), ZBP_ERR_RANGE, "depth 100 > default 64");
    cr_assert(strstr(e.message, "deep"));
    zbp_json_limits_t lim = {.max_depth = 128};
    cr_assert_eq(zbp_json_parse(&d, deep, 200, &lim, &e), ZBP_OK);
    json_decref(d);
    lim.max_depth = 0;
    lim.max_bytes = 10;
    cr_assert_eq(zbp_json_parse(&d, "[1, 2, 3, 4]", 12, &lim, &e), ZBP_ERR_RANGE);
    lim.max_bytes = 0;
    lim.max_values = 4;
    cr_assert_eq(zbp_json_parse(&d, "[1, 2, 3, 4]", 12, &lim, &e), ZBP_ERR_RANGE);
    cr_assert_eq(zbp_json_parse(&d, "[1, 2, 3]", 9, &lim, &e), ZBP_OK);
    json_decref(d);
    /* a long array of exact numbers */
    size_t cap = 200000 * 8 + 16, n = 0;
    char *big = malloc(cap);
    big[n++] = '[';
    for (int i = 0; i < 200000; i++) n += (size_t)snprintf(big + n, cap - n, "%d.0,", i % 10);
    big[n - 1] = ']';
    cr_assert_eq(zbp_json_parse(&d, big, n, NULL, &e), ZBP_OK);
    cr_assert_eq(json_array_size(d), 200000);
    cr_assert_str_eq(zbp_json_number_text(json_array_get(d, 199999), NULL), "9.0");
    json_decref(d);
    free(big);
    cr_assert_eq(zbp_json_parse(&d, NULL, 0, NULL, &e), ZBP_ERR_INPUT);
}

Test(json, wipe) {
    json_t *r = ok("{\"secret\": \"abc\", \"n\": [12345, 1.5, 99999999999999999999]}");
    json_t *s = json_object_get(r, "secret"), *n = json_object_get(r, "n");
    const char *big = zbp_json_number_text(json_array_get(n, 2), NULL);
    zbp_json_wipe(r);
    cr_assert_eq(memcmp(json_string_value(s), "\0\0\0", 3), 0);
    cr_assert_eq(json_integer_value(json_array_get(n, 0)), 0);
    for (int i = 0; i < 20; i++) cr_assert_eq(big[i], 0);
    json_decref(r);
}

Test(json, writers) {
    /* snarkjs's layout: Python's json.dumps(indent=1), empty containers as bfj writes them */
    json_t *r = ok("{\"a\": [\"1\", [\"2\", \"3\"]], \"b\": [], \"c\": {\"d\": {}}, \"e\": \"[]\", \"n\": 7}");
    size_t len;
    char *t = zbp_json_dump_snarkjs(r, &len);
    const char *want = "{\n \"a\": [\n  \"1\",\n  [\n   \"2\",\n   \"3\"\n  ]\n ],\n \"b\": [\n ],\n"
                       " \"c\": {\n  \"d\": {\n  }\n },\n \"e\": \"[]\",\n \"n\": 7\n}";
    cr_assert_str_eq(t, want);
    cr_assert_eq(len, strlen(want));
    free(t);
    t = zbp_json_dump_compact(r, &len);
    cr_assert_str_eq(t, "{\"a\":[\"1\",[\"2\",\"3\"]],\"b\":[],\"c\":{\"d\":{}},\"e\":\"[]\",\"n\":7}");
    free(t);
    json_decref(r);
    json_t *empty = json_array();
    t = zbp_json_dump_snarkjs(empty, &len);
    cr_assert_str_eq(t, "[\n]"); /* snarkjs's public.json without public signals */
    free(t);
    json_decref(empty);
}

/* The job loop's one-line builder (job/util.c's jb_*) writes through this module. */
#include "job/job_int.h"

Test(json, job_builder) {
    jb_t b;
    jb_init(&b);
    jb_obj(&b);
    jb_key(&b, "id");
    jb_strn(&b, "a\"b\xc3\xa9", 5);
    jb_key(&b, "ok");
    jb_bool(&b, true);
    jb_key(&b, "n");
    jb_u64(&b, 18446744073709551615ull); /* past jansson's integers: clamped */
    jb_key(&b, "t");
    jb_obj(&b);
    jb_key(&b, "ms");
    jb_ms(&b, 12.3456);
    jb_key(&b, "zero");
    jb_ms(&b, -1);
    jb_obj_end(&b);
    jb_key(&b, "a");
    jb_arr(&b);
    jb_hex(&b, (const uint8_t *)"\x00\xff", 2);
    jb_null(&b);
    jb_strn(&b, "x\xff", 2); /* not UTF-8 */
    jb_value_compact(&b, "[\n \"1\",\n \"2\"\n]", 14);
    jb_arr_end(&b);
    cr_assert_null(b.buf, "no text before the outermost value closes");
    jb_obj_end(&b);
    cr_assert(!b.failed);
    cr_assert_str_eq(b.buf, "{\"id\":\"a\\\"b\xc3\xa9\",\"ok\":true,\"n\":9223372036854775807,"
                            "\"t\":{\"ms\":12.346,\"zero\":0.0},\"a\":[\"00ff\",null,\"x?\",[\"1\",\"2\"]]}");
    cr_assert_eq(b.len, strlen(b.buf));
    jb_free(&b);
    /* misuse is a failure, never a crash: a value in an object without a key, a close too many */
    jb_init(&b);
    jb_obj(&b);
    jb_u64(&b, 1);
    cr_assert(b.failed);
    jb_free(&b);
    jb_init(&b);
    jb_arr_end(&b);
    cr_assert(b.failed);
    jb_free(&b);
}
