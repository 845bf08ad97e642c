/* json.c: json.h over jansson: the pre-scan that enforces limits and keeps numbers exact, the
 * wiping allocator, small accessors, and the two writers. */
#include "prover/json.h"

#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field/field.h" /* status codes */

/* ---- a wiping free for jansson --------------------------------------------------------------- */
/* jansson copies a string through its lexer's growing buffer before the value holds it: without
 * this, a request's base64 witness or an input's private values would stay behind in freed heap.
 * Installed only over jansson's defaults, so a host program's own allocator is left alone. */
static void wipe_free(void *p) {
    if (!p) return;
    explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

static void install_alloc(void) {
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    if (m == malloc && f == free) json_set_alloc_funcs(malloc, wipe_free);
    /* jansson seeds its hash function from /dev/urandom at its first object: here, at the first
     * parse, rather than later inside a sandbox that may refuse the open. */
    json_object_seed(0);
}

/* ---- the pre-scan ------------------------------------------------------------------------------
 * jansson lexes byte by byte (about 12 MB/s for strings on the 2-vCPU EPYC, 13 times slower than
 * the reader it replaced), and a request line carries a whole witness in base64. So the pre-scan
 * lifts the bulk out of jansson's way: every number that is not a short plain integer, and every
 * string value of LIFT_MIN or more printable ASCII bytes without escapes, is replaced in the text
 * jansson reads by the placeholder "\u0000"; after parsing, the placeholders are visited in
 * document order (jansson keeps objects in insertion order) and given their text by memcpy. */
#define PLACEHOLDER "\"\\u0000\""
#define PLACEHOLDER_LEN 8
#define LIFT_MIN 16

typedef struct {
    size_t *at, *len; /* the lifted slices of the caller's text (quotes included for strings) */
    unsigned char *number;
    size_t n, cap;
} lifts_t;

static void lifts_free(lifts_t *l) {
    free(l->at);
    free(l->len);
    free(l->number);
}

static int push_lift(lifts_t *l, size_t at, size_t len, int number) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        size_t *a = realloc(l->at, cap * sizeof *a);
        if (!a) return -1;
        l->at = a;
        size_t *n = realloc(l->len, cap * sizeof *n);
        if (!n) return -1;
        l->len = n;
        unsigned char *k = realloc(l->number, cap);
        if (!k) return -1;
        l->number = k;
        l->cap = cap;
    }
    l->at[l->n] = at;
    l->len[l->n] = len;
    l->number[l->n++] = (unsigned char)number;
    return 0;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The number at s[i..) by RFC 8259's grammar: its end, or i when it is malformed (jansson then
 * reports it); *plain = no fraction or exponent; *digits = its integer digits. */
static size_t number_end(const unsigned char *s, size_t len, size_t i, int *plain, size_t *digits) {
    size_t k = i;
    *plain = 1;
    if (k < len && s[k] == '-') k++;
    if (k >= len || !is_digit(s[k])) return i;
    size_t d0 = k;
    if (s[k] == '0') k++;
    else
        while (k < len && is_digit(s[k])) k++;
    *digits = k - d0;
    if (k < len && s[k] == '.') {
        k++;
        if (k >= len || !is_digit(s[k])) return i;
        while (k < len && is_digit(s[k])) k++;
        *plain = 0;
    }
    if (k < len && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < len && (s[k] == '+' || s[k] == '-')) k++;
        if (k >= len || !is_digit(s[k])) return i;
        while (k < len && is_digit(s[k])) k++;
        *plain = 0;
    }
    return k;
}

static void position(const char *text, size_t len, size_t offset, zbp_json_error_t *e) {
    size_t line = 1, start = 0;
    if (offset > len) offset = len;
    for (size_t i = 0; i + 1 < offset; i++)
        if (text[i] == '\n') line++, start = i + 1;
    e->offset = offset;
    e->line = line;
    e->column = offset > start ? offset - start : 1;
}

static int fail(zbp_json_error_t *e, const char *text, size_t len, size_t at, int st, const char *m) {
    if (e) {
        position(text, len, at, e);
        snprintf(e->message, sizeof e->message, "%s", m);
    }
    return st;
}

/* Depth and value counts, what to lift, and strings that begin with \u0000. Malformed text is left
 * for jansson to report; the scan only needs to tell strings from the rest. */
static int prescan(const char *text, size_t len, const zbp_json_limits_t *lim, lifts_t *l,
                   zbp_json_error_t *e) {
    const unsigned char *s = (const unsigned char *)text;
    size_t depth = 0, values = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c == '"') {
            if (++values > lim->max_values)
                return fail(e, text, len, i + 1, ZBP_ERR_RANGE, "too many values");
            if (len - i >= 7 && !memcmp(s + i + 1, "\\u0000", 6))
                return fail(e, text, len, i + 7, ZBP_ERR_INPUT,
                            "a string that begins with \\u0000 is not accepted");
            size_t j = i + 1;
            int plain = 1;
            while (j < len && s[j] != '"') {
                if (s[j] == '\\') {
                    plain = 0;
                    j += 2;
                    continue;
                }
                if (s[j] < 0x20 || s[j] > 0x7e) plain = 0;
                j++;
            }
            if (j >= len) return ZBP_OK; /* unterminated: jansson says where */
            size_t k = j + 1;
            while (k < len && is_ws(s[k])) k++;
            int key = k < len && s[k] == ':';
            if (plain && !key && j - i - 1 >= LIFT_MIN && push_lift(l, i, j + 1 - i, 0))
                return fail(e, text, len, i, ZBP_ERR_NOMEM, "out of memory");
            i = j + 1;
        } else if (c == '[' || c == '{') {
            if (++depth > lim->max_depth)
                return fail(e, text, len, i + 1, ZBP_ERR_RANGE, "nested too deeply");
            if (++values > lim->max_values)
                return fail(e, text, len, i + 1, ZBP_ERR_RANGE, "too many values");
            i++;
        } else if (c == ']' || c == '}') {
            if (depth) depth--;
            i++;
        } else if (c == '-' || is_digit(c)) {
            if (++values > lim->max_values)
                return fail(e, text, len, i + 1, ZBP_ERR_RANGE, "too many values");
            int plain;
            size_t digits = 0, end = number_end(s, len, i, &plain, &digits);
            if (end == i) return ZBP_OK; /* malformed: jansson says where */
            if ((!plain || digits > 18) && push_lift(l, i, end - i, 1))
                return fail(e, text, len, i, ZBP_ERR_NOMEM, "out of memory");
            i = end;
        } else {
            /* jansson stops at a NUL as at the end: "1\0" would pass */
            if (c == 0) return fail(e, text, len, i + 1, ZBP_ERR_INPUT, "NUL byte in the text");
            if (c == 't' || c == 'f' || c == 'n') values++;
            i++;
        }
    }
    return ZBP_OK;
}

/* jansson's offset in the text with placeholders, back in the caller's. */
static size_t unlift_offset(const lifts_t *l, size_t pos) {
    long long shift = 0; /* caller's offset minus jansson's, before the next lift */
    for (size_t k = 0; k < l->n; k++) {
        long long r = (long long)l->at[k] - shift; /* where the placeholder starts for jansson */
        if ((long long)pos <= r) break;
        if ((long long)pos < r + PLACEHOLDER_LEN) return l->at[k] + 1;
        shift += (long long)l->len[k] - PLACEHOLDER_LEN;
    }
    long long o = (long long)pos + shift;
    return o < 0 ? 0 : (size_t)o;
}

/* Gives the placeholders under v their text, in document order; -1 when out of memory or when
 * the count does not match (which would be a bug: the caller refuses the document). */
static int fill(json_t *v, const char *text, const lifts_t *l, size_t *k) {
    if (json_is_string(v)) {
        if (json_string_length(v) != 1 || json_string_value(v)[0] != '\0') return 0;
        if (*k >= l->n) return -1;
        size_t at = l->at[*k], n = l->len[*k];
        int rc;
        if (l->number[*k]) { /* an exact number: NUL, then its text */
            char *t = malloc(n + 1);
            if (!t) return -1;
            t[0] = '\0';
            memcpy(t + 1, text + at, n);
            rc = json_string_setn_nocheck(v, t, n + 1);
            explicit_bzero(t, n + 1);
            free(t);
        } else { /* printable ASCII without escapes: the text between the quotes as it is */
            rc = json_string_setn_nocheck(v, text + at + 1, n - 2);
        }
        (*k)++;
        return rc;
    }
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (fill(json_array_get(v, i), text, l, k)) return -1;
    } else if (json_is_object(v)) {
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m) {
            if (fill(m, text, l, k)) return -1;
        }
    }
    return 0;
}

int zbp_json_parse(json_t **out, const char *text, size_t len, const zbp_json_limits_t *limits,
                   zbp_json_error_t *err) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_alloc);
    zbp_json_limits_t lim = {64, (size_t)64 << 20, (size_t)16 << 20};
    if (limits && limits->max_depth) lim.max_depth = limits->max_depth;
    if (limits && limits->max_bytes) lim.max_bytes = limits->max_bytes;
    if (limits && limits->max_values) lim.max_values = limits->max_values;
    *out = NULL;
    if (err) memset(err, 0, sizeof *err);
    if (len > lim.max_bytes) return fail(err, text, 0, 0, ZBP_ERR_RANGE, "document larger than the limit");
    if (!text) return fail(err, "", 0, 0, ZBP_ERR_INPUT, "no input");
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        return fail(err, text, len, 1, ZBP_ERR_INPUT, "byte order mark before the document");
    size_t lead = 0;
    while (lead < len && is_ws((unsigned char)text[lead])) lead++;
    if (lead == len) return fail(err, text, len, len, ZBP_ERR_INPUT, "empty document");
    lifts_t l = {0};
    int st = prescan(text, len, &lim, &l, err);
    if (st != ZBP_OK) {
        lifts_free(&l);
        return st;
    }
    const char *in = text;
    size_t in_len = len;
    char *edited = NULL;
    if (l.n) {
        in_len = len;
        for (size_t k = 0; k < l.n; k++) in_len = in_len - l.len[k] + PLACEHOLDER_LEN;
        edited = malloc(in_len);
        if (!edited) {
            lifts_free(&l);
            return fail(err, text, len, 0, ZBP_ERR_NOMEM, "out of memory");
        }
        size_t o = 0, from = 0;
        for (size_t k = 0; k < l.n; k++) {
            memcpy(edited + o, text + from, l.at[k] - from);
            o += l.at[k] - from;
            memcpy(edited + o, PLACEHOLDER, PLACEHOLDER_LEN);
            o += PLACEHOLDER_LEN;
            from = l.at[k] + l.len[k];
        }
        memcpy(edited + o, text + from, len - from);
        in = edited;
    }
    json_error_t je;
    json_t *root =
        json_loadb(in, in_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!root) {
        size_t pos = je.position < 0 ? 0 : (size_t)je.position;
        st = json_error_code(&je) == json_error_out_of_memory ? ZBP_ERR_NOMEM : ZBP_ERR_INPUT;
        fail(err, text, len, unlift_offset(&l, pos), st, je.text);
    } else if (l.n) {
        size_t k = 0;
        if (fill(root, text, &l, &k) || k != l.n) {
            json_decref(root);
            root = NULL;
            st = fail(err, text, len, 0, ZBP_ERR_NOMEM, "out of memory");
        }
    }
    if (edited) {
        explicit_bzero(edited, in_len); /* short numbers of an input stay in it */
        free(edited);
    }
    lifts_free(&l);
    *out = root;
    return root ? ZBP_OK : st;
}

/* ---- accessors ------------------------------------------------------------------------------- */
const char *zbp_json_number_text(const json_t *v, size_t *len) {
    if (!json_is_string(v)) return NULL;
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n < 2 || s[0] != '\0') return NULL;
    if (len) *len = n - 1;
    return s + 1;
}

int zbp_json_is_number(const json_t *v) {
    return json_is_integer(v) || zbp_json_number_text(v, NULL) != NULL;
}

const char *zbp_json_str(const json_t *v, size_t *len) {
    if (!json_is_string(v) || zbp_json_number_text(v, NULL)) return NULL;
    if (len) *len = json_string_length(v);
    return json_string_value(v);
}

int zbp_json_string_is(const json_t *v, const char *s) {
    size_t n;
    const char *t = zbp_json_str(v, &n);
    return t && n == strlen(s) && !memcmp(t, s, n);
}

const char *zbp_json_type_name(const json_t *v) {
    if (!v) return "missing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return zbp_json_number_text(v, NULL) ? "number" : "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    default: return "null";
    }
}

int zbp_json_get_u64(const json_t *v, uint64_t *out) {
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0) return ZBP_ERR_INPUT;
        *out = (uint64_t)x;
        return ZBP_OK;
    }
    size_t n;
    const char *t = zbp_json_number_text(v, &n);
    if (!t || t[0] == '-') return ZBP_ERR_INPUT;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((unsigned char)t[i])) return ZBP_ERR_INPUT; /* a fraction or an exponent */
        unsigned d = (unsigned)(t[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return ZBP_ERR_RANGE;
        x = x * 10 + d;
    }
    *out = x;
    return ZBP_OK;
}

void zbp_json_wipe(json_t *v) {
    if (json_is_string(v)) {
        explicit_bzero((char *)json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        json_integer_set(v, 0);
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) zbp_json_wipe(json_array_get(v, i));
    } else if (json_is_object(v)) {
        const char *key;
        json_t *m;
        /* Keys are wiped in place: the object is not looked up by key afterwards. */
        json_object_foreach(v, key, m) {
            zbp_json_wipe(m);
            explicit_bzero((char *)key, strlen(key));
        }
    }
}

/* ---- writers --------------------------------------------------------------------------------- */
json_t *zbp_json_text(const char *s, size_t n) {
    json_t *v = json_stringn(s, n);
    if (v) return v;
    char *t = malloc(n ? n : 1);
    if (!t) return NULL;
    for (size_t i = 0; i < n; i++) t[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
    v = json_stringn(t, n);
    free(t);
    return v;
}

/* jansson writes an empty container as "[]"; snarkjs (bfj) as "[\n<indent>]". The one rewrite,
 * outside strings, at the container's depth. */
char *zbp_json_dump_snarkjs(const json_t *v, size_t *len) {
    char *t = json_dumps(v, JSON_INDENT(1) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (!t) return NULL;
    size_t n = strlen(t), empties = 0, maxdepth = 0, depth = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if ((t[i + 1] == ']' || t[i + 1] == '}')) empties++;
            if (++depth > maxdepth) maxdepth = depth;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    if (!empties) {
        if (len) *len = n;
        return t;
    }
    char *o = malloc(n + empties * (maxdepth + 1) + 1);
    if (!o) {
        free(t);
        return NULL;
    }
    size_t k = 0;
    depth = 0;
    in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        o[k++] = c;
        if (in_str) {
            if (c == '\\') o[k++] = t[++i];
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (t[i + 1] == ']' || t[i + 1] == '}') {
                o[k++] = '\n';
                for (size_t d = 0; d < depth; d++) o[k++] = ' ';
            }
            depth++;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    o[k] = 0;
    free(t);
    if (len) *len = k;
    return o;
}

char *zbp_json_dump_compact(const json_t *v, size_t *len) {
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (t && len) *len = strlen(t);
    return t;
}

char *zbp_json_dump_line(const json_t *v, size_t *len) {
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (t && len) *len = strlen(t);
    return t;
}
