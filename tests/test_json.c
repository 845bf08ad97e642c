/* test_json.c: the strict JSON reader: every value kind, escapes and UTF-8, the strictness rules
 * (what RFC 8259 forbids is refused), limits, error positions and the lookup helpers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h"
#include "prover/json.h"

static json_doc_t *ok(const char *text) {
    json_doc_t *doc = NULL;
    json_error_t e;
    int st = json_parse(&doc, text, strlen(text), NULL, &e);
    cr_assert_eq(st, ZBP_OK, "'%s': %zu:%zu %s", text, e.line, e.column, e.message);
    return doc;
}

static json_error_t bad(const char *text, size_t len, int status) {
    json_doc_t *doc = (json_doc_t *)1;
    json_error_t e;
    int st = json_parse(&doc, text, len, NULL, &e);
    cr_assert_eq(st, status, "'%.*s' gave %d", (int)len, text, st);
    cr_assert_null(doc);
    cr_assert(e.message[0]);
    return e;
}
#define BAD(s) bad((s), strlen(s), ZBP_ERR_INPUT)

Test(json, values) {
    json_doc_t *d = ok(" {\"a\": [1, -2.5e+3, 0, true, false, null, \"x\"], \"b\": {}, \"c\": []} ");
    const json_value_t *r = json_root(d);
    cr_assert_eq(r->type, JSON_OBJECT);
    cr_assert_eq(r->len, 3);
    const json_value_t *a = json_get(r, "a");
    cr_assert_eq(a->type, JSON_ARRAY);
    cr_assert_eq(a->len, 7);
    cr_assert_eq(json_at(a, 0)->type, JSON_NUMBER);
    cr_assert_str_eq(json_at(a, 1)->u.str, "-2.5e+3");
    cr_assert_eq(json_at(a, 3)->type, JSON_TRUE);
    cr_assert_eq(json_at(a, 4)->type, JSON_FALSE);
    cr_assert_eq(json_at(a, 5)->type, JSON_NULL);
    cr_assert(json_string_is(json_at(a, 6), "x"));
    cr_assert_null(json_at(a, 7));
    cr_assert_eq(json_get(r, "b")->len, 0);
    cr_assert_eq(json_get(r, "c")->len, 0);
    cr_assert_null(json_get(r, "d"));
    cr_assert_null(json_get(a, "a"));  /* not an object */
    cr_assert_null(json_at(r, 0));     /* not an array */
    cr_assert_eq(json_get(r, "a")->offset, 7);
    uint64_t u;
    cr_assert_eq(json_get_u64(json_at(a, 0), &u), ZBP_OK);
    cr_assert_eq(u, 1);
    cr_assert_eq(json_get_u64(json_at(a, 1), &u), ZBP_ERR_INPUT);
    cr_assert_eq(json_get_u64(json_at(a, 6), &u), ZBP_ERR_INPUT);
    cr_assert_str_eq(json_type_name(JSON_OBJECT), "object");
    json_free(d);
    /* scalars at the top */
    d = ok("42");
    cr_assert_eq(json_get_u64(json_root(d), &u), ZBP_OK);
    cr_assert_eq(u, 42);
    json_free(d);
    d = ok("18446744073709551615");
    cr_assert_eq(json_get_u64(json_root(d), &u), ZBP_OK);
    cr_assert_eq(u, UINT64_MAX);
    json_free(d);
    d = ok("18446744073709551616");
    cr_assert_eq(json_get_u64(json_root(d), &u), ZBP_ERR_RANGE);
    json_free(d);
    json_free(NULL);
}

Test(json, strings_and_escapes) {
    json_doc_t *d = ok("[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\", \"\\ud83d\\ude00\", "
                       "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", \"\\u0000x\", \"\"]");
    const json_value_t *r = json_root(d);
    cr_assert_str_eq(json_at(r, 0)->u.str, "a\"b\\c/d\b\f\n\r\t");
    cr_assert_str_eq(json_at(r, 1)->u.str, "\xc3\xa9\xe2\x82\xac");
    cr_assert_str_eq(json_at(r, 2)->u.str, "\xf0\x9f\x98\x80");
    cr_assert_str_eq(json_at(r, 3)->u.str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    cr_assert_eq(json_at(r, 4)->len, 2); /* an embedded NUL keeps its length */
    cr_assert_eq(json_at(r, 4)->u.str[1], 'x');
    cr_assert(!json_string_is(json_at(r, 4), ""));
    cr_assert_eq(json_at(r, 5)->len, 0);
    json_free(d);
    /* keys decode the same way */
    d = ok("{\"k\\u0065y\": 1}");
    cr_assert_not_null(json_get(json_root(d), "key"));
    json_free(d);
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
}

Test(json, duplicate_keys_in_large_objects) {
    /* past the pairwise threshold the check sorts: a duplicate far apart is still found */
    char buf[4096];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "{");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k%d\": %d,", i, i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k7\": 0}");
    bad(buf, n, ZBP_ERR_INPUT);
    n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "{");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k%d\": %d,", i, i);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "\"k100\": 0}");
    json_doc_t *d = ok(buf);
    cr_assert_eq(json_root(d)->len, 101);
    cr_assert_str_eq(json_root(d)->u.members[100].key, "k100"); /* document order is kept */
    json_free(d);
}

Test(json, error_positions) {
    json_error_t e = BAD("{\n  \"a\": [1, 2,\n  ]\n}");
    cr_assert_eq(e.line, 3);
    cr_assert_eq(e.column, 3);
    cr_assert_eq(e.offset, 18);
    e = BAD("[1, 2 3]");
    cr_assert_eq(e.line, 1);
    cr_assert_eq(e.column, 7);
    cr_assert(strstr(e.message, "','"), "%s", e.message);
    size_t line, col;
    json_position("ab\ncd", 5, 4, &line, &col);
    cr_assert_eq(line, 2);
    cr_assert_eq(col, 2);
}

Test(json, limits) {
    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    json_doc_t *d = NULL;
    json_error_t e;
    cr_assert_eq(json_parse(&d, deep, 200, NULL, &e), ZBP_ERR_RANGE, "depth 100 > default 64");
    cr_assert(strstr(e.message, "deep"));
    json_limits_t lim = {.max_depth = 128};
    cr_assert_eq(json_parse(&d, deep, 200, &lim, &e), ZBP_OK);
    json_free(d);
    lim.max_depth = 0;
    lim.max_bytes = 10;
    cr_assert_eq(json_parse(&d, "[1, 2, 3, 4]", 12, &lim, &e), ZBP_ERR_RANGE);
    lim.max_bytes = 0;
    lim.max_values = 4;
    cr_assert_eq(json_parse(&d, "[1, 2, 3, 4]", 12, &lim, &e), ZBP_ERR_RANGE);
    cr_assert_eq(json_parse(&d, "[1, 2, 3]", 9, &lim, &e), ZBP_OK);
    json_free(d);
    /* a long array spills over several arena blocks */
    size_t cap = 200000 * 4 + 16, n = 0;
    char *big = malloc(cap);
    big[n++] = '[';
    for (int i = 0; i < 200000; i++) {
        n += (size_t)snprintf(big + n, cap - n, "%d,", i % 10);
    }
    big[n - 1] = ']';
    cr_assert_eq(json_parse(&d, big, n, NULL, &e), ZBP_OK);
    cr_assert_eq(json_root(d)->len, 200000);
    cr_assert_str_eq(json_at(json_root(d), 199999)->u.str, "9");
    json_free(d);
    free(big);
}
