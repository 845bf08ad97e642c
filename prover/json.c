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
}

/* ---- the pre-scan ------------------------------------------------------------------------------ */
#define MARK_OPEN "\"\\u0000" /* an exact number's text goes between these */
#define MARK_OPEN_LEN 7
#define MARK_LEN 8 /* both quotes and the escape */

typedef struct {
    size_t *at; /* offsets (in the caller's text) of the numbers to wrap, and their lengths */
    size_t *len;
    size_t n, cap;
} wraps_t;

static int push_wrap(wraps_t *w, size_t at, size_t len) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64;
        size_t *a = realloc(w->at, cap * sizeof *a);
        if (!a) return -1;
        w->at = a;
        size_t *l = realloc(w->len, cap * sizeof *l);
        if (!l) return -1;
        w->len = l;
        w->cap = cap;
    }
    w->at[w->n] = at;
    w->len[w->n++] = len;
    return 0;
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

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

/* Depth and value counts, the numbers to wrap, and strings that begin with \u0000. Malformed text
 * is left for jansson to report; the scan only needs to tell strings from the rest. */
static int prescan(const char *text, size_t len, const zbp_json_limits_t *lim, wraps_t *w,
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
            for (i++; i < len && s[i] != '"'; i += s[i] == '\\' ? 2 : 1) {}
            i++;
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
            if ((!plain || digits > 18) && push_wrap(w, i, end - i))
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

/* jansson's offset in the wrapped text, back in the caller's. */
static size_t unwrap_offset(const wraps_t *w, size_t pos) {
    size_t shift = 0;
    for (size_t k = 0; k < w->n; k++) {
        size_t r = w->at[k] + shift; /* where the k-th wrapped number starts in the new text */
        if (pos <= r) break;
        if (pos < r + MARK_LEN + w->len[k]) return w->at[k] + 1;
        shift += MARK_LEN;
    }
    return pos - shift;
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
    while (lead < len && (text[lead] == ' ' || text[lead] == '\t' || text[lead] == '\r' ||
                          text[lead] == '\n'))
        lead++;
    if (lead == len) return fail(err, text, len, len, ZBP_ERR_INPUT, "empty document");
    wraps_t w = {0};
    int st = prescan(text, len, &lim, &w, err);
    if (st != ZBP_OK) {
        free(w.at);
        free(w.len);
        return st;
    }
    const char *in = text;
    size_t in_len = len;
    char *wrapped = NULL;
    if (w.n) {
        in_len = len + w.n * MARK_LEN;
        wrapped = malloc(in_len);
        if (!wrapped) {
            free(w.at);
            free(w.len);
            return fail(err, text, len, 0, ZBP_ERR_NOMEM, "out of memory");
        }
        size_t o = 0, from = 0;
        for (size_t k = 0; k < w.n; k++) {
            memcpy(wrapped + o, text + from, w.at[k] - from);
            o += w.at[k] - from;
            memcpy(wrapped + o, MARK_OPEN, MARK_OPEN_LEN);
            o += MARK_OPEN_LEN;
            memcpy(wrapped + o, text + w.at[k], w.len[k]);
            o += w.len[k];
            wrapped[o++] = '"';
            from = w.at[k] + w.len[k];
        }
        memcpy(wrapped + o, text + from, len - from);
        in = wrapped;
    }
    json_error_t je;
    json_t *root =
        json_loadb(in, in_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!root) {
        size_t pos = je.position < 0 ? 0 : (size_t)je.position;
        st = json_error_code(&je) == json_error_out_of_memory ? ZBP_ERR_NOMEM : ZBP_ERR_INPUT;
        fail(err, text, len, unwrap_offset(&w, pos), st, je.text);
    }
    if (wrapped) {
        explicit_bzero(wrapped, in_len);
        free(wrapped);
    }
    free(w.at);
    free(w.len);
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
/* jansson writes an empty container as "[]"; snarkjs (bfj) as "[\n<indent>]". The one rewrite,
 * outside strings, at the container's depth. */
char *zbp_json_dump_snarkjs(const json_t *v, size_t *len) {
    char *t = json_dumps(v, JSON_INDENT(1) | JSON_ENCODE_ANY);
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
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (t && len) *len = strlen(t);
    return t;
}
